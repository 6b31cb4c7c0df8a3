#pragma once
// The append-only log of one partition: a directory of segments "<20-digit base offset>.log",
// each with a sparse ".index" (relative offset -> file position) and ".timeindex"
// (timestamp -> relative offset), and a ".txnindex" of the aborted transactions whose ABORT
// marker it holds. Knows nothing of the network or of topics.
//
// Threading: a PartitionLog is owned by one thread, which makes every call except
// FlushTicket::sync(), which the flusher thread runs.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sluice/storage/producer_state.h"

namespace sluice::storage {

struct LogConfig {
  int64_t segment_bytes = 1LL << 30;               // log.segment.bytes / segment.bytes
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;     // log.roll.ms / segment.ms
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;   // log.retention.ms / retention.ms; -1 = forever
  int64_t retention_bytes = -1;                    // log.retention.bytes; -1 = unlimited
  int32_t index_interval_bytes = 4096;             // log.index.interval.bytes
  int32_t segment_index_bytes = 10 * 1024 * 1024;  // log.index.size.max.bytes: roll when full
  // cleanup.policy contains "delete": only then do retention_ms and retention_bytes delete
  // segments (a compact-only log, such as __consumer_offsets, keeps them all, as in Kafka).
  bool delete_retention = true;
};

enum class StorageErrc {
  ok,
  io_error,             // a read, write or sync failed; the log is now offline
  offline,              // an earlier I/O error made the log refuse reads and writes
  offset_out_of_range,  // below the log start offset or above the log end offset
  corrupt,              // a stored batch failed validation when read back
  invalid_argument,
  // Idempotent producers (ProducerStateTable): nothing was written.
  duplicate_batch,         // a retry of a batch already in the log; AppendInfo has its offsets
  out_of_order_sequence,   // the batch skips sequence numbers, or a new epoch does not start at 0
  invalid_producer_epoch,  // the batch's producer epoch is older than the producer's
};

const char* to_string(StorageErrc e);

// A file whose bytes stay readable while any holder keeps it, even after the segment is
// deleted by retention (the unlinked inode lives on).
class SegmentFile {
 public:
  explicit SegmentFile(int fd) : fd_(fd) {}
  ~SegmentFile();
  SegmentFile(const SegmentFile&) = delete;
  SegmentFile& operator=(const SegmentFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Bytes of whole batches in one segment file: what a fetch sends (by pread or sendfile).
struct LogSlice {
  std::shared_ptr<SegmentFile> file;
  uint64_t position = 0;
  uint32_t size = 0;
  // Appends the slice's bytes to out; false on a short or failed read.
  bool read_into(std::string& out) const;
};

struct AppendInfo {
  int64_t base_offset = 0;  // offset given to the first record
  int64_t last_offset = 0;  // offset of the last record
  int64_t log_append_time = -1;
};

struct ReadResult {
  LogSlice slice;  // empty (size 0) when nothing is at or after the offset below max_offset
  int64_t first_offset = 0;  // base offset of the first batch in the slice
  int64_t last_offset = -1;  // last offset of the last batch in the slice; -1 when empty
};

// An aborted transaction as a read_committed Fetch reports it.
struct AbortedTxn {
  int64_t producer_id = -1;
  int64_t first_offset = -1;
  bool operator==(const AbortedTxn&) const = default;
};

struct TimestampOffset {
  int64_t timestamp = -1;
  int64_t offset = -1;
};

// Files with appended bytes not yet known durable, and the log end offset they cover.
// sync() runs fdatasync on each; the owner then calls PartitionLog::mark_flushed(end_offset).
struct FlushTicket {
  std::vector<std::shared_ptr<SegmentFile>> files;
  int64_t end_offset = 0;  // exclusive: every offset below is durable once sync() succeeds
  bool sync() const;
};

// How the idempotent-producer state was rebuilt.
struct ProducerRecovery {
  int64_t snapshot_offset = -1;  // the snapshot loaded; -1: none, the log was replayed from start
  int snapshots_unreadable = 0;  // newer snapshots passed over because they failed to parse
  int64_t batches_replayed = 0;  // producer batches read back from the log after the snapshot
  // Where the replay met a batch header that does not parse, or -1. Only a segment trusted
  // after a clean shutdown can hold one (validation cuts it off otherwise); producers seen
  // only after it are unknown, so their next batch is accepted at any sequence.
  int64_t replay_stopped_at = -1;
};

// How the aborted-transaction indexes (.txnindex) were restored.
struct TxnIndexRecovery {
  // Bytes cut off .txnindex files: a torn last entry (the size is not a multiple of 34, a crash
  // during its write), or entries of an unknown version or out of order. The replay below
  // re-adds all of them (see first_cut_segment).
  int64_t cut_bytes = 0;
  int files_cut = 0;
  // The base offset of the first segment whose .txnindex was cut, or -1. The replay then starts
  // at or before it (an older snapshot, or the log start), so that every entry cut is rebuilt.
  int64_t first_cut_segment = -1;
  // Entries at or after the producer-state replay's start offset, dropped because the replay
  // re-derives them from the markers it reads (a crash between a marker and its entry's write
  // then loses nothing, and an entry whose marker was cut off by recovery goes).
  int64_t entries_dropped = 0;
  int64_t entries_rebuilt = 0;  // re-added by the replay, one per ABORT marker replayed
  int64_t markers_replayed = 0;
  int64_t open_transactions = 0;  // transactions still open after the replay
};

struct RecoveryReport {
  int segments = 0;
  int64_t truncated_bytes = 0;  // torn or corrupt tail cut off
  int indexes_rebuilt = 0;
  bool clean_shutdown = false;
  ProducerRecovery producers;
  TxnIndexRecovery txn_index;
};

template <typename T>
struct StorageResult {
  StorageErrc error = StorageErrc::ok;
  T value{};
  bool ok() const { return error == StorageErrc::ok; }
};

class PartitionLog {
 public:
  // Opens (creating if absent) the log in dir and recovers it: if the previous run did not
  // close cleanly, every batch after the recovery point is validated (length, magic, CRC) and a
  // torn or corrupt tail is truncated; missing or damaged indexes are rebuilt.
  // Throws std::runtime_error when dir cannot be used (start-up failure).
  static std::unique_ptr<PartitionLog> open(const std::filesystem::path& dir, const LogConfig& cfg,
                                            RecoveryReport* report = nullptr);
  ~PartitionLog();  // does not close cleanly; call close()

  // Appends one or more already validated v2 batches laid end to end. Rewrites each batch's
  // baseOffset (consecutive from the log end) and partitionLeaderEpoch in place; with
  // log_append_time set, stamps every batch LogAppendTime = now_ms (recomputing its CRC).
  // Rolls a new segment first when the active one is full (bytes, index) or older than
  // segment_ms. A batch with a producer id is checked against the producer's state first
  // (ProducerStateTable): a retry is answered duplicate_batch with the original offsets, a
  // sequence gap or stale epoch is refused; such a batch must be the only one in `batches`.
  // Control batches are refused (invalid_argument): markers come only from append_marker().
  // A transactional batch opens its producer's transaction (first_unstable_offset()).
  StorageResult<AppendInfo> append(std::span<uint8_t> batches, int32_t leader_epoch, int64_t now_ms,
                                   bool log_append_time);

  // Writes a transaction marker at the log end: Kafka's control batch (attributes control |
  // transactional, base sequence -1, timestamp now_ms) with one record, key = int16 version 0 +
  // int16 type (0 ABORT, 1 COMMIT), value = int16 version 0 + int32 coordinator_epoch.
  // invalid_producer_epoch (nothing written) when the producer's epoch is newer than
  // producer_epoch; a newer producer_epoch becomes the producer's, fencing its older one. Closes
  // the producer's open transaction; an ABORT of an open one adds an aborted-transaction entry
  // (in memory and in the marker segment's .txnindex, synced with the marker by the next flush
  // ticket). A marker for a producer with no open transaction here is written all the same
  // (as Kafka does) and adds no entry.
  StorageResult<AppendInfo> append_marker(int64_t producer_id, int16_t producer_epoch, bool commit,
                                          int32_t coordinator_epoch, int32_t leader_epoch,
                                          int64_t now_ms);
  // The first offset of the oldest open transaction (at least the log start offset), nullopt if
  // no transaction is open. The last stable offset is never above it.
  std::optional<int64_t> first_unstable_offset() const;
  // Every aborted transaction whose [first offset, marker offset] overlaps [from, upto), ordered
  // by first offset: what a read_committed Fetch of that range returns.
  std::vector<AbortedTxn> aborted_transactions(int64_t from, int64_t upto) const;

  // Whole batches from the one containing `offset`, at most max_bytes, but always at least one
  // batch if any is below max_offset (exclusive, e.g. the high watermark), never a batch whose
  // base offset is at or above max_offset. Every batch returned has passed its CRC-32C check in
  // this process (once; later reads of the same bytes are free): corrupt otherwise.
  StorageResult<ReadResult> read(int64_t offset, int32_t max_bytes, int64_t max_offset) const;

  // The first record whose timestamp >= ts: its offset and timestamp (ListOffsets by time);
  // nullopt when none.
  std::optional<TimestampOffset> offset_for_timestamp(int64_t ts) const;
  // The first record with the largest timestamp: offset and value (ListOffsets -3).
  TimestampOffset max_timestamp() const;

  int64_t log_start_offset() const;
  int64_t log_end_offset() const;
  int64_t recovery_point() const;  // every offset below is fsynced
  int64_t size_bytes() const;
  bool offline() const;

  // A reader found stored bytes that fail their checksum: the log refuses reads and writes from
  // now on rather than serve or extend corrupt data (restart re-validates the tail).
  void take_offline(const std::string& reason);
  // Why the log went offline: the operation, file and offset, and the system's error text
  // (empty while online; the first failure is kept).
  const std::string& offline_reason() const;

  // Group commit: what is appended but not yet durable (empty files when nothing is).
  FlushTicket prepare_flush();
  // After the ticket's sync(): ok advances the recovery point; !ok takes the log offline.
  void mark_flushed(int64_t end_offset, bool ok);

  // DeleteRecords: moves the log start offset up (persisted) and deletes segments wholly below.
  StorageErrc advance_log_start_offset(int64_t offset);
  // Retention by time (segment's largest timestamp older than now - retention_ms) and by size;
  // never deletes the active segment. Returns the number of segments deleted.
  int enforce_retention(int64_t now_ms);
  // Removes every offset >= offset (replica truncation), and the aborted-transaction entries
  // whose marker goes with them.
  StorageErrc truncate_to(int64_t offset);

  // Idempotent-producer state, rebuilt at open from the latest snapshot ("<offset>.snapshot",
  // written at every roll and at close) plus the batches after it.
  const ProducerStateTable& producers() const;
  // Forgets producers idle for expiration_ms (producer.id.expiration.ms); returns how many.
  size_t expire_producers(int64_t now_ms, int64_t expiration_ms);

  // Leader epochs: the first offset of each epoch, checkpointed in "leader-epoch-checkpoint".
  void assign_epoch(int32_t epoch, int64_t start_offset);
  int32_t latest_epoch() const;  // -1 if none

  void update_config(const LogConfig& cfg);
  // Flushes everything, writes checkpoints and a clean-shutdown marker.
  void close();
  // Closes and deletes the directory.
  void remove();

  struct Impl;

 private:
  explicit PartitionLog(std::unique_ptr<Impl> impl);
  // Reads the batch at batch_offset and lets `pick` choose one record: (offset, timestamp).
  std::optional<TimestampOffset> record_in_batch(
      int64_t batch_offset,
      const std::function<std::optional<std::pair<int64_t, int64_t>>(std::span<const uint8_t>)>&
          pick) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::storage
