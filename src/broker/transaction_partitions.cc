#include "sluice/broker/transaction_partitions.h"

#include "sluice/broker/internal_topic.h"

namespace sluice::broker {

using protocol::ErrorCode;

namespace {

std::vector<TopicPartition> keys_of(const std::vector<txn::TxnPartition>& partitions) {
  std::vector<TopicPartition> keys;
  keys.reserve(partitions.size());
  for (const auto& tp : partitions) keys.push_back({tp.topic, tp.partition});
  return keys;
}

// Single node: one coordinator, never replaced.
constexpr int32_t kCoordinatorEpoch = 0;

}  // namespace

void TransactionPartitions::admit(int64_t producer_id, int16_t epoch,
                                  std::vector<txn::TxnPartition> partitions,
                                  std::function<void(std::vector<ErrorCode>)> done) {
  PartitionManager::Work<ErrorCode> work = [producer_id, epoch](
                                               size_t, const std::shared_ptr<Partition>& p,
                                               PartitionManager::Reply<ErrorCode> reply) {
    if (!p) return reply(ErrorCode::unknown_topic_or_partition);
    p->allow_transactional(producer_id, epoch);
    reply(ErrorCode::none);
  };
  pm_.for_each_owner<ErrorCode>(keys_of(partitions), std::move(work), std::move(done));
}

void TransactionPartitions::write_markers(int64_t producer_id, int16_t epoch, bool commit,
                                          std::vector<txn::TxnPartition> partitions,
                                          std::function<void(ErrorCode)> done) {
  const int64_t now = now_ms();
  PartitionManager::Work<ErrorCode> work = [producer_id, epoch, commit, now](
                                               size_t, const std::shared_ptr<Partition>& p,
                                               PartitionManager::Reply<ErrorCode> reply) {
    // Deleted since it joined the transaction: nothing is left there to decide.
    if (!p) return reply(ErrorCode::none);
    p->write_marker(producer_id, epoch, commit, kCoordinatorEpoch, now, std::move(reply));
  };
  pm_.for_each_owner<ErrorCode>(
      keys_of(partitions), std::move(work),
      [this, producer_id, commit, partitions, done = std::move(done)](std::vector<ErrorCode> r) {
        ErrorCode first = ErrorCode::none;
        for (size_t i = 0; i < r.size(); ++i) {
          if (r[i] != ErrorCode::none) {
            if (first == ErrorCode::none) first = r[i];
          } else if (partitions[i].topic == kConsumerOffsetsTopic) {
            // The marker is durable: the group's pending offsets of this producer are now
            // committed, or dropped.
            groups_.complete_transaction(partitions[i].partition, producer_id, commit);
          }
        }
        done(first);
      });
}

}  // namespace sluice::broker
