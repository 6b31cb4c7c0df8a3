#pragma once
// One segment's aborted transactions: "<base>.txnindex", Kafka's TransactionIndex format. Each
// entry is 34 bytes, big-endian: int16 version (0), int64 producer id, int64 first offset,
// int64 last offset (the ABORT marker's offset), int64 last stable offset (when the marker was
// written). An entry lives in the file of the segment that holds its marker, so entries are in
// ascending last-offset order and a segment's deletion takes its entries with it.
//
// Unlike the sparse indexes this file is not a cache: a read_committed consumer depends on it to
// drop aborted records, so it is synced with the markers it describes (take_unsynced feeds the
// flush ticket). Whatever a crash loses is re-derived by the producer-state replay at open.
//
// Invariant: entries() is what the file holds, in ascending last_offset order.
// Owned by its Segment (the PartitionLog's thread); not thread-safe.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "sluice/storage/partition_log.h"

namespace sluice::storage {

struct AbortedTxnEntry {
  int64_t producer_id = -1;
  int64_t first_offset = -1;
  int64_t last_offset = -1;  // the ABORT marker
  int64_t last_stable_offset = -1;
  bool operator==(const AbortedTxnEntry&) const = default;
};

class TransactionIndex {
 public:
  static constexpr size_t kEntrySize = 34;
  static constexpr int16_t kVersion = 0;

  explicit TransactionIndex(std::filesystem::path path) : path_(std::move(path)) {}

  // Reads the file if there is one (none: no entries). Everything from the first entry that is
  // torn (the size is not a multiple of kEntrySize), of an unknown version or out of
  // last-offset order is cut off: *cut_bytes says how much. False on I/O error (errno set).
  bool load(uint64_t* cut_bytes);
  // Appends one entry (its last offset above every other), creating the file on the first one;
  // *created then tells the directory gained an entry. False on I/O error (errno set), and the
  // entry is not kept.
  bool append(const AbortedTxnEntry& e, bool* created);
  // Drops the entries whose last offset >= offset; returns how many, or -1 on I/O error.
  int64_t truncate_from(int64_t offset);
  // Unlinks the file and forgets every entry.
  void remove();

  const std::vector<AbortedTxnEntry>& entries() const { return entries_; }
  const std::filesystem::path& path() const { return path_; }
  // The file, if it changed since the last call: the flush ticket that makes the markers durable
  // syncs it too. Null otherwise.
  std::shared_ptr<SegmentFile> take_unsynced();
  // fdatasyncs the file now if it changed since the last take_unsynced() (which still returns
  // it: the flush ticket's sync is then merely redundant). False on failure.
  bool sync_now() const;

 private:
  bool ensure_open(bool* created);

  std::filesystem::path path_;
  std::shared_ptr<SegmentFile> file_;  // null until the file is opened or created
  std::vector<AbortedTxnEntry> entries_;
  bool unsynced_ = false;
};

}  // namespace sluice::storage
