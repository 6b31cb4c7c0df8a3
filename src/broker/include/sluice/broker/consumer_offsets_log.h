#pragma once
// __consumer_offsets as the group coordinator sees it (group::OffsetsLog), over this node's
// partitions: appends wait for durability like an acks=all produce.
#include "sluice/broker/partition_manager.h"
#include "sluice/group/offsets_log.h"

namespace sluice::broker {

inline constexpr const char* kConsumerOffsetsTopic = "__consumer_offsets";

class ConsumerOffsetsLog final : public group::OffsetsLog {
 public:
  // The topic is created with `partitions` partitions on the first write, as Kafka does, so a
  // broker that never sees a group lists no internal topic.
  ConsumerOffsetsLog(PartitionManager& pm, int32_t partitions) : pm_(pm), configured_(partitions) {}
  int32_t partitions() const override;
  void append(int32_t partition, std::string batch,
              std::function<void(protocol::ErrorCode, int64_t base_offset)> done) override;
  void scan(int32_t partition, const std::function<void(std::span<const uint8_t>)>& fn) override;

 private:
  PartitionManager& pm_;
  int32_t configured_;
};

}  // namespace sluice::broker
