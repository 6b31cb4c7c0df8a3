#pragma once
// What the transaction coordinator needs from the node, as interfaces the broker implements, so
// the coordinator never touches files or partitions itself and follows them wherever
// replication puts them. Every callback runs on the control shard.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "sluice/protocol/error_code.h"

namespace sluice::txn {

struct TxnPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TxnPartition&) const = default;
};

// __transaction_state.
class TxnStateLog {
 public:
  virtual ~TxnStateLog() = default;
  virtual int32_t partitions() const = 0;
  // Appends one batch; done(error) once it is durable (or failed).
  virtual void append(int32_t partition, std::string batch,
                      std::function<void(protocol::ErrorCode)> done) = 0;
  // Calls fn for every batch below the high watermark, in offset order.
  virtual void scan(int32_t partition, const std::function<void(std::span<const uint8_t>)>& fn) = 0;
};

// The partitions of transactions.
class TxnPartitions {
 public:
  virtual ~TxnPartitions() = default;
  // Lets (producer_id, epoch) write transactional batches to each partition (KIP-890 part 1:
  // nothing else may). done gets one error per partition, in order: none, or
  // unknown_topic_or_partition.
  virtual void admit(int64_t producer_id, int16_t epoch, std::vector<TxnPartition> partitions,
                     std::function<void(std::vector<protocol::ErrorCode>)> done) = 0;
  // Writes a COMMIT or ABORT marker into every partition (and applies it to the group offsets
  // of a __consumer_offsets partition); done once all are durable, with the first error if any.
  // A partition that no longer exists is skipped: there is nothing left to decide there.
  virtual void write_markers(int64_t producer_id, int16_t epoch, bool commit,
                             std::vector<TxnPartition> partitions,
                             std::function<void(protocol::ErrorCode)> done) = 0;
};

}  // namespace sluice::txn
