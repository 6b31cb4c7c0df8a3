#pragma once
// One handler per Kafka API. Each receives the decoded request and answers through `respond`
// exactly once (later, for produce and fetch).
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "sluice/broker/broker.h"
#include "sluice/protocol/messages/forward.h"

namespace sluice::broker {

struct RequestContext {
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::string client_id;
  std::string client_host;
  // The request's bytes: decoded records point into them, so whoever uses records later (on
  // another shard) keeps them alive with this.
  std::shared_ptr<const Frame> frame;
};

template <typename Resp>
using Respond = std::function<void(Resp&&)>;

#define SLUICE_HANDLER(Name)                                                                      \
  void handle_##Name([[maybe_unused]] Broker& broker, [[maybe_unused]] const RequestContext& ctx, \
                     [[maybe_unused]] protocol::Name##Request& req,                               \
                     Respond<protocol::Name##Response> respond)

SLUICE_HANDLER(ApiVersions);
SLUICE_HANDLER(Metadata);
SLUICE_HANDLER(Produce);
SLUICE_HANDLER(Fetch);
SLUICE_HANDLER(ListOffsets);
SLUICE_HANDLER(CreateTopics);
SLUICE_HANDLER(DeleteTopics);
SLUICE_HANDLER(CreatePartitions);
SLUICE_HANDLER(DescribeConfigs);
SLUICE_HANDLER(AlterConfigs);
SLUICE_HANDLER(IncrementalAlterConfigs);
SLUICE_HANDLER(DeleteRecords);
SLUICE_HANDLER(DescribeCluster);
SLUICE_HANDLER(FindCoordinator);
SLUICE_HANDLER(JoinGroup);
SLUICE_HANDLER(SyncGroup);
SLUICE_HANDLER(Heartbeat);
SLUICE_HANDLER(LeaveGroup);
SLUICE_HANDLER(OffsetCommit);
SLUICE_HANDLER(OffsetFetch);
SLUICE_HANDLER(DescribeGroups);
SLUICE_HANDLER(ListGroups);
SLUICE_HANDLER(DeleteGroups);
SLUICE_HANDLER(OffsetDelete);
SLUICE_HANDLER(TxnOffsetCommit);
SLUICE_HANDLER(InitProducerId);
SLUICE_HANDLER(DescribeProducers);
SLUICE_HANDLER(DescribeLogDirs);
SLUICE_HANDLER(DescribeTopicPartitions);
SLUICE_HANDLER(AddPartitionsToTxn);
SLUICE_HANDLER(AddOffsetsToTxn);
SLUICE_HANDLER(EndTxn);
SLUICE_HANDLER(DescribeTransactions);
SLUICE_HANDLER(ListTransactions);
SLUICE_HANDLER(WriteTxnMarkers);

// A request's (topic, partitions) lists flattened into for_each_owner's keys, with one value per
// key taken from each partition entry (shared, since the owners read it).
template <typename Topics, typename Value>
auto partition_keys(const Topics& topics, Value value) {
  using V = decltype(value(topics.front().partitions.front()));
  std::vector<TopicPartition> keys;
  auto values = std::make_shared<std::vector<V>>();
  for (const auto& t : topics)
    for (const auto& p : t.partitions) {
      keys.push_back({t.name, p.partition_index});
      values->push_back(value(p));
    }
  return std::pair{std::move(keys), std::move(values)};
}

// Shared checks.
bool valid_topic_name(const std::string& name);
// Topics the broker writes itself (__consumer_offsets, __transaction_state).
bool is_internal_topic(const std::string& name);
// Creates a topic with broker defaults (auto-create); error code none on success.
protocol::ErrorCode auto_create_topic(Broker& broker, const std::string& name);
// The topic with this id (requests that name topics by id), if any.
std::optional<cluster::TopicMetadata> topic_by_id(Broker& broker, const cluster::TopicId& id);

// One partition as this single node describes it (Metadata, DescribeTopicPartitions): this node
// leads it and is its only replica, in sync. On the control shard.
template <typename P>
void describe_single_node_partition(Broker& broker, const std::string& topic, int32_t index,
                                    P& out) {
  const int32_t self = broker.self().node_id;
  out.partition_index = index;
  out.leader_id = self;
  out.leader_epoch = broker.partitions().leader_epoch(topic, index);
  out.replica_nodes = {self};
  out.isr_nodes = {self};
}

}  // namespace sluice::broker
