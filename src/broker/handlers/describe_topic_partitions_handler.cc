// DescribeTopicPartitions (KIP-966), as Kafka's DescribeTopicPartitionsRequestHandler answers
// it: the requested topics (or, with none named, every topic) in name order from the cursor on,
// at most min(response_partition_limit, 2000) partitions (at least one), then a cursor to the
// next partition. A requested topic that does not exist gets UNKNOWN_TOPIC_OR_PARTITION; when
// listing every topic there is none such. A cursor outside the named topics, or with a negative
// partition, makes the request INVALID_REQUEST.
#include <algorithm>
#include <set>

#include "handlers/handlers.h"
#include "sluice/protocol/messages/describe_topic_partitions.h"

namespace sluice::broker {

using protocol::DescribeTopicPartitionsResponse;
using protocol::ErrorCode;
using protocol::to_wire;

namespace {

// Kafka's `max.request.partition.size.limit` default: the most partitions one response holds.
constexpr int32_t kMaxPartitionsPerResponse = 2000;

DescribeTopicPartitionsResponse refuse(const protocol::DescribeTopicPartitionsRequest& req) {
  DescribeTopicPartitionsResponse resp;
  for (const auto& t : req.topics) {
    auto& out = resp.topics.emplace_back();
    out.name = t.name;
    out.error_code = to_wire(ErrorCode::invalid_request);
  }
  return resp;
}

}  // namespace

SLUICE_HANDLER(DescribeTopicPartitions) {
  const std::string from_topic = req.cursor ? req.cursor->topic_name : "";
  std::set<std::string> names;  // ordered, as the pages must be
  const bool all = req.topics.empty();
  if (all) {
    for (const auto& t : broker.metadata().topics())
      if (t.name >= from_topic) names.insert(t.name);
  } else {
    for (const auto& t : req.topics)
      if (t.name >= from_topic) names.insert(t.name);
    if (req.cursor && !names.contains(req.cursor->topic_name)) return respond(refuse(req));
  }
  if (req.cursor && req.cursor->partition_index < 0) return respond(refuse(req));

  DescribeTopicPartitionsResponse resp;
  int32_t left = std::max(1, std::min(req.response_partition_limit, kMaxPartitionsPerResponse));
  for (auto it = names.begin(); it != names.end(); ++it) {
    if (left == 0) {
      resp.next_cursor.emplace().topic_name = *it;
      break;
    }
    auto meta = broker.metadata().topic(*it);
    const int32_t count = meta ? broker.partitions().partition_count(*it) : -1;
    if (count < 0) {
      if (all) continue;
      auto& t = resp.topics.emplace_back();
      t.name = *it;
      t.error_code = to_wire(ErrorCode::unknown_topic_or_partition);
      continue;
    }
    auto& t = resp.topics.emplace_back();
    t.name = *it;
    t.topic_id = meta->id;
    t.is_internal = is_internal_topic(*it);
    int32_t p = req.cursor && *it == req.cursor->topic_name ? req.cursor->partition_index : 0;
    for (; p < count && left > 0; ++p, --left) {
      auto& out = t.partitions.emplace_back();
      describe_single_node_partition(broker, *it, p, out);
      out.eligible_leader_replicas.emplace();
      out.last_known_elr.emplace();
    }
    if (p < count) {
      resp.next_cursor.emplace();
      resp.next_cursor->topic_name = *it;
      resp.next_cursor->partition_index = p;
      break;
    }
  }
  respond(std::move(resp));
}

}  // namespace sluice::broker
