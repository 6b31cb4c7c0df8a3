#include <memory>

#include "handlers/handlers.h"
#include "sluice/protocol/messages/list_offsets.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::ListOffsetsResponse;
using protocol::to_wire;

namespace {
constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;
constexpr int64_t kMaxTimestamp = -3;
// v8 (KIP-405): the first offset kept locally; without tiered storage, the log start offset.
constexpr int64_t kEarliestLocal = -4;
// v9 (KIP-1005): the last offset in tiered storage. Kafka answers a topic without remote storage
// with offset -1 and leader epoch -1, no error; so does this node, which has none.
constexpr int64_t kLatestTiered = -5;

// The first version that may ask for each special timestamp: below it, and for a negative
// timestamp it does not know, Kafka answers UNSUPPORTED_VERSION (ReplicaManager).
int16_t first_version(int64_t timestamp) {
  switch (timestamp) {
    case kLatest:
    case kEarliest:
      return 1;
    case kMaxTimestamp:
      return 7;
    case kEarliestLocal:
      return 8;
    case kLatestTiered:
      return 9;
    default:
      return protocol::kNever;
  }
}

struct Found {
  ErrorCode error = ErrorCode::none;
  int64_t offset = -1;
  int64_t timestamp = -1;
  int32_t leader_epoch = -1;
};

// Runs on the partition's owner. "Latest" and every answer stop at the reader's bound: the
// high watermark, or the last stable offset for read_committed.
Found look_up(const Partition* part, int64_t timestamp, FetchIsolation isolation, int16_t version) {
  Found out;
  if (timestamp < 0 && version < first_version(timestamp)) return {ErrorCode::unsupported_version};
  if (!part) return {ErrorCode::unknown_topic_or_partition};
  out.leader_epoch = part->leader_epoch();
  std::optional<storage::TimestampOffset> found;
  if (timestamp == kLatest) {
    out.offset = part->read_bound(isolation);
  } else if (timestamp == kEarliest || timestamp == kEarliestLocal) {
    out.offset = part->log_start_offset();
  } else if (timestamp == kLatestTiered) {
    out.leader_epoch = -1;
  } else if (timestamp == kMaxTimestamp) {
    found = part->max_timestamp(isolation);
  } else {
    found = part->offset_for_timestamp(timestamp, isolation);
  }
  if (found) {
    out.offset = found->offset;
    out.timestamp = found->timestamp;
  }
  return out;
}

}  // namespace

SLUICE_HANDLER(ListOffsets) {
  auto [keys, timestamps] = partition_keys(req.topics, [](const auto& p) { return p.timestamp; });
  auto topics = std::make_shared<decltype(req.topics)>(std::move(req.topics));
  const FetchIsolation isolation = fetch_isolation(kNoFollowers, req.isolation_level);
  broker.partitions().for_each_owner<Found>(
      std::move(keys),
      [timestamps, isolation, version = ctx.api_version](
          size_t i, const std::shared_ptr<Partition>& p, PartitionManager::Reply<Found> reply) {
        reply(look_up(p.get(), (*timestamps)[i], isolation, version));
      },
      [topics, respond = std::move(respond)](std::vector<Found> found) {
        ListOffsetsResponse resp;
        size_t i = 0;
        for (const auto& t : *topics) {
          auto& tr = resp.topics.emplace_back();
          tr.name = t.name;
          for (const auto& lp : t.partitions) {
            const Found& f = found[i++];
            auto& pr = tr.partitions.emplace_back();
            pr.partition_index = lp.partition_index;
            pr.error_code = to_wire(f.error);
            if (f.error == ErrorCode::unknown_topic_or_partition) continue;
            pr.leader_epoch = f.leader_epoch;
            pr.offset = f.offset;
            pr.timestamp = f.timestamp;
          }
        }
        respond(std::move(resp));
      });
}

}  // namespace sluice::broker
