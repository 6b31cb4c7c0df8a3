#pragma once
// A topic the broker writes itself (__consumer_offsets, __transaction_state) for a coordinator:
// created compacted on the first write, as Kafka does, so a broker that never sees a group or a
// transaction lists no internal topic; appends wait for durability like an acks=all produce.
// Internal topics live on the control shard (PartitionManager::owner), with the coordinators:
// every call is made there.
#include <functional>
#include <span>
#include <string>

#include "sluice/broker/partition_manager.h"

namespace sluice::broker {

inline constexpr const char* kConsumerOffsetsTopic = "__consumer_offsets";
inline constexpr const char* kTransactionStateTopic = "__transaction_state";

class InternalTopic {
 public:
  InternalTopic(PartitionManager& pm, std::string name, int32_t partitions)
      : pm_(pm), name_(std::move(name)), configured_(partitions) {}
  const std::string& name() const { return name_; }
  // The topic's partition count once it exists, the configured one before.
  int32_t partitions() const;
  ErrorCode create_if_absent();
  // Appends one batch; done(error, its base offset) once it is durable (or failed: -1).
  void append(int32_t partition, std::string batch,
              std::function<void(ErrorCode, int64_t base_offset)> done);
  // Calls fn for every batch below the high watermark, in offset order.
  void scan(int32_t partition, const std::function<void(std::span<const uint8_t>)>& fn);

 private:
  PartitionManager& pm_;
  std::string name_;
  int32_t configured_;
};

}  // namespace sluice::broker
