#pragma once
// One segment of a partition log: "<base>.log" holding RecordBatch v2 batches end to end, with
// its sparse "<base>.index" and "<base>.timeindex", and "<base>.txnindex" (the aborted
// transactions whose ABORT marker it holds; only once there is one).
//
// Invariants while open (established by load() or recover(), kept by append()/truncate_to()):
//  - the .log holds exactly size() bytes of whole batches, the first based at base_offset(), each
//    next one based at the previous one's last offset + 1; next_offset() follows the last one;
//  - the offset index has an entry for the first batch and then one per index_interval_bytes of
//    log, each naming a batch start (see OffsetIndex);
//  - max_timestamp() is the largest batch maxTimestamp in the segment (-1 if none).
// Not thread-safe: the owning PartitionLog's thread makes every call. Readers elsewhere only hold
// file() and pread from it.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "offset_index.h"
#include "recent_batches.h"
#include "sluice/protocol/record_batch.h"
#include "sluice/storage/partition_log.h"
#include "time_index.h"
#include "txn_index.h"

namespace sluice::storage {

std::string segment_file_name(int64_t base_offset, const char* suffix);  // "000…0042.log"
// The base offset if name is "<20 digits>.log", else nullopt.
std::optional<int64_t> parse_segment_name(const std::string& name);

class Segment {
 public:
  // A new empty segment (files created, or emptied if present). nullptr + err on failure.
  static std::unique_ptr<Segment> create(const std::filesystem::path& dir, int64_t base_offset,
                                         std::string* err);
  // An existing segment's files, opened but not yet checked: call load() or recover() next.
  static std::unique_ptr<Segment> open(const std::filesystem::path& dir, int64_t base_offset,
                                       std::string* err);

  // For a segment trusted to be intact (below the recovery point, or after a clean shutdown):
  // checks the indexes against the log and rebuilds them from batch headers on any doubt, then
  // walks the batch headers after the last index entry. *rebuilt tells whether indexes were
  // rebuilt. False when the batch headers themselves are inconsistent: call recover().
  bool load(bool* rebuilt);
  // Validates every batch (framing, CRC, records, contiguous offsets from base_offset()) and
  // truncates the file at the first bad one; rebuilds the indexes. Returns the bytes cut, or -1
  // when the file cannot be read or truncated.
  int64_t recover();

  int64_t base_offset() const { return base_offset_; }
  uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t next_offset() const { return next_offset_; }
  const std::shared_ptr<SegmentFile>& file() const { return file_; }
  TimestampOffset max_timestamp() const { return {max_timestamp_, offset_of_max_timestamp_}; }
  // The time retention compares: max_timestamp(), or the file's mtime if no batch has one.
  int64_t retention_timestamp() const;

  // Appending.
  // Whether `bytes` more log bytes with `records` more offsets fit this segment's formats
  // (positions are uint32, relative offsets int32) and index limits.
  bool can_hold(uint64_t bytes, int64_t records, int32_t segment_index_bytes) const;
  // Writes batches (already rewritten with their final offsets) at the end with one write and
  // indexes them. On failure cuts any partial write and returns false (errno set); *clean then
  // tells whether the cut worked, so the file still ends at the old batch boundary (e.g. after
  // ENOSPC) and the log stays usable.
  bool append(std::span<const uint8_t> batches, int32_t index_interval_bytes, bool* clean);
  // Wall-clock time of the first append since this object was made (roll by segment_ms).
  std::optional<int64_t> first_append_ms() const { return first_append_ms_; }
  void note_append_time(int64_t now_ms) {
    if (!first_append_ms_) first_append_ms_ = now_ms;
  }
  // When the segment stops being active: records its final maximum in the time index.
  void seal();
  // The index interval used when load/recover/truncate_to re-index batches.
  void set_index_interval(int32_t bytes) { index_interval_bytes_ = bytes; }

  // Reading.
  // The first batch whose last offset >= offset; span->position = size() when no batch in this
  // segment reaches offset. The newest batches are answered from memory (RecentBatches).
  StorageErrc locate(int64_t offset, BatchSpan* span) const;
  // The batch at pos (which must be a batch start below size()).
  StorageErrc span_at(uint64_t pos, BatchSpan* span) const;
  // The whole header of the batch at pos (a batch start below size()), read from the file.
  StorageErrc header_at(uint64_t pos, protocol::BatchHeader* h) const {
    return read_checked_header(pos, h);
  }
  // Checks the CRC-32C of every batch in [pos, end) (batch boundaries) unless that range is
  // already known good: bytes appended or recovered by this process, or checked by an earlier
  // read from the verified prefix on. corrupt if a batch fails, io_error if reading fails.
  StorageErrc verify(uint64_t pos, uint64_t end) const;
  // The first batch with maxTimestamp >= ts.
  std::optional<TimestampOffset> find_timestamp(int64_t ts) const;

  // Cuts the segment at the start of the batch containing offset (or keeps it whole if offset is
  // at or past next_offset()). False on I/O error.
  bool truncate_to(int64_t offset);
  // Rewrites index files whose writes failed; called at close.
  void repair_index_files();
  // Unlinks the files (.txnindex too). Readers holding file() keep reading the unlinked inode.
  void remove_files();

  // The aborted transactions whose marker this segment holds. Loaded by the PartitionLog's
  // loader (which reports a torn file), written by the log's marker appends and replay.
  TransactionIndex& txn_index() { return txn_index_; }
  const TransactionIndex& txn_index() const { return txn_index_; }

 private:
  Segment(const std::filesystem::path& dir, int64_t base_offset);
  bool open_files(bool truncate, std::string* err);
  // The index bookkeeping for one batch starting at pos (shared by append, load and recovery).
  void account_batch(const protocol::BatchHeader& h, uint64_t pos, int32_t index_interval_bytes);
  // Walks batch headers from pos (a batch start), checking framing and offset continuity, and
  // indexes each. Returns false if one is inconsistent.
  bool scan_headers(uint64_t pos, bool index_first);
  // Derives the contents state from the (trusted) indexes plus a header walk of the tail after
  // the last offset index entry. False if the walk finds an inconsistent header.
  bool restore_from_indexes();
  bool rebuild_indexes_from_headers();
  // Resets the in-memory state that describes the log's contents, before a rescan.
  void reset_contents();
  // Reads the header at pos, checking it is a plausible v2 batch wholly inside the file:
  // corrupt if not, io_error if the read fails.
  StorageErrc read_checked_header(uint64_t pos, protocol::BatchHeader* h) const;
  int32_t relative(int64_t offset) const { return static_cast<int32_t>(offset - base_offset_); }

  std::filesystem::path dir_;
  int64_t base_offset_;
  std::shared_ptr<SegmentFile> file_;
  OffsetIndex offset_index_;
  TimeIndex time_index_;
  uint64_t size_ = 0;
  // Bytes [0, verified_) passed their CRC check in this process: served without re-reading.
  mutable uint64_t verified_ = 0;
  int64_t next_offset_;
  int64_t max_timestamp_ = -1;
  int64_t offset_of_max_timestamp_ = -1;
  uint64_t bytes_since_index_entry_ = 0;
  // The interval in force when the last batch was indexed by load/recovery (appends pass theirs).
  int32_t index_interval_bytes_ = 4096;
  std::optional<int64_t> first_append_ms_;
  RecentBatches recent_;
  TransactionIndex txn_index_;
};

}  // namespace sluice::storage
