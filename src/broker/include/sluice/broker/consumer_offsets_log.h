#pragma once
// __consumer_offsets as the group coordinator sees it (group::OffsetsLog), over this node's
// partitions.
#include "sluice/broker/internal_topic.h"
#include "sluice/group/offsets_log.h"

namespace sluice::broker {

class ConsumerOffsetsLog final : public group::OffsetsLog {
 public:
  ConsumerOffsetsLog(PartitionManager& pm, int32_t partitions)
      : topic_(pm, kConsumerOffsetsTopic, partitions) {}
  int32_t partitions() const override { return topic_.partitions(); }
  void append(int32_t partition, std::string batch,
              std::function<void(protocol::ErrorCode, int64_t base_offset)> done) override {
    topic_.append(partition, std::move(batch), std::move(done));
  }
  void scan(int32_t partition, const std::function<void(std::span<const uint8_t>)>& fn) override {
    topic_.scan(partition, fn);
  }
  InternalTopic& topic() { return topic_; }

 private:
  InternalTopic topic_;
};

}  // namespace sluice::broker
