#pragma once
// Hands out producer ids that are unique for the life of the data dir. Ids are taken in blocks:
// the end of the current block is written durably ("producer-id-block", a checkpoint file)
// before its first id is handed out, so a crash can skip the rest of a block but never hand out
// an id twice. (In a cluster the block comes from the metadata store instead, as Kafka's
// controller hands out blocks through AllocateProducerIds.)
//
// Owned by the control shard, which runs every InitProducerId.
#include <cstdint>
#include <filesystem>
#include <optional>

namespace sluice::txn {

class ProducerIdManager {
 public:
  static constexpr int64_t kBlockSize = 1000;
  static constexpr const char* kFileName = "producer-id-block";

  // Reads dir/producer-id-block (absent: ids start at 0). Throws std::runtime_error when it
  // exists but is malformed: reusing ids could merge two producers' sequences.
  explicit ProducerIdManager(const std::filesystem::path& dir);

  // The next id, or nullopt if a new block was needed and could not be made durable.
  std::optional<int64_t> next();

  // Every id below this may have been handed out (by this run or an earlier one).
  int64_t block_end() const { return block_end_; }

 private:
  std::filesystem::path file_;
  int64_t next_ = 0;
  int64_t block_end_ = 0;
};

}  // namespace sluice::txn
