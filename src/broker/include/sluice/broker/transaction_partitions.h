#pragma once
// The partitions of transactions as the transaction coordinator sees them (txn::TxnPartitions):
// admitting a producer to a partition and writing markers happen on each partition's owner
// shard; a marker in __consumer_offsets is also applied to the group coordinator's pending
// transactional offsets once it is durable. Called on the control shard, which runs both
// coordinators; every callback comes back there.
#include "sluice/broker/partition_manager.h"
#include "sluice/group/group_coordinator.h"
#include "sluice/txn/transaction_ports.h"

namespace sluice::broker {

class TransactionPartitions final : public txn::TxnPartitions {
 public:
  TransactionPartitions(PartitionManager& pm, group::GroupCoordinator& groups)
      : pm_(pm), groups_(groups) {}
  void admit(int64_t producer_id, int16_t epoch, std::vector<txn::TxnPartition> partitions,
             std::function<void(std::vector<protocol::ErrorCode>)> done) override;
  void write_markers(int64_t producer_id, int16_t epoch, bool commit,
                     std::vector<txn::TxnPartition> partitions,
                     std::function<void(protocol::ErrorCode)> done) override;

 private:
  PartitionManager& pm_;
  group::GroupCoordinator& groups_;
};

}  // namespace sluice::broker
