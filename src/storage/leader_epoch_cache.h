#pragma once
// The first offset written under each leader epoch, as Kafka keeps it: replicas use it to find
// where their log diverges from the leader's (OffsetsForLeaderEpoch).
//
// Invariant: epochs and start offsets both strictly increase along entries().
// Every change is written to the checkpoint file before the call returns (crash-safe replace),
// in Kafka's format: "0\n<count>\n" then "<epoch> <start offset>\n" per entry.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace sluice::storage {

struct EpochEntry {
  int32_t epoch = 0;
  int64_t start_offset = 0;
};

class LeaderEpochCache {
 public:
  explicit LeaderEpochCache(std::filesystem::path file) : file_(std::move(file)) {}

  // Reads the checkpoint; a missing file is an empty cache. A malformed one is also treated as
  // empty (returns false) since the cache is advisory on a single node.
  bool load();

  // Records that epoch starts at start_offset if epoch is newer than the latest; entries that
  // start at or after start_offset are superseded. Older or equal epochs are ignored.
  // These return false only when the checkpoint could not be written.
  bool assign(int32_t epoch, int64_t start_offset);
  // Forgets epochs starting at or after end_offset (the log was truncated there).
  bool truncate_from_end(int64_t end_offset);
  // Forgets epochs wholly below start_offset; the one containing it now starts there.
  bool truncate_from_start(int64_t start_offset);
  bool flush() const;

  int32_t latest_epoch() const { return entries_.empty() ? -1 : entries_.back().epoch; }
  const std::vector<EpochEntry>& entries() const { return entries_; }

 private:
  std::filesystem::path file_;
  std::vector<EpochEntry> entries_;
};

}  // namespace sluice::storage
