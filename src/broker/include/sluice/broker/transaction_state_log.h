#pragma once
// __transaction_state as the transaction coordinator sees it (txn::TxnStateLog), over this
// node's partitions.
#include "sluice/broker/internal_topic.h"
#include "sluice/txn/transaction_ports.h"

namespace sluice::broker {

class TransactionStateLog final : public txn::TxnStateLog {
 public:
  TransactionStateLog(PartitionManager& pm, int32_t partitions)
      : topic_(pm, kTransactionStateTopic, partitions) {}
  int32_t partitions() const override { return topic_.partitions(); }
  void append(int32_t partition, std::string batch,
              std::function<void(protocol::ErrorCode)> done) override {
    topic_.append(partition, std::move(batch),
                  [done = std::move(done)](protocol::ErrorCode e, int64_t) { done(e); });
  }
  void scan(int32_t partition, const std::function<void(std::span<const uint8_t>)>& fn) override {
    topic_.scan(partition, fn);
  }

 private:
  InternalTopic topic_;
};

}  // namespace sluice::broker
