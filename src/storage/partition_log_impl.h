#pragma once
// PartitionLog's state, shared by partition_log.cc (operations) and log_loader.cc (open and
// recovery).
//
// Invariants while online:
//  - segments is never empty; its last entry is the active segment, the only one appended to;
//  - segment base offsets are contiguous: each segment's next_offset() is the next one's base;
//  - first segment base <= log_start <= log_end() (log_start may fall inside the first segment);
//  - recovery_point <= log_end(), and every offset below it is durable on disk;
//  - the log-start-offset checkpoint is never above log_start (written before segments go).
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "leader_epoch_cache.h"
#include "segment.h"
#include "sluice/storage/partition_log.h"
#include "sluice/storage/producer_state.h"

namespace sluice::storage {

// File names inside a partition directory (see docs/storage-format.md).
inline constexpr const char* kRecoveryPointFile = "recovery-point-offset-checkpoint";
inline constexpr const char* kLogStartFile = "log-start-offset-checkpoint";
inline constexpr const char* kLeaderEpochFile = "leader-epoch-checkpoint";
inline constexpr const char* kCleanShutdownFile = ".clean-shutdown";

struct PartitionLog::Impl {
  Impl(std::filesystem::path d, const LogConfig& c)
      : dir(std::move(d)), cfg(c), epochs(dir / kLeaderEpochFile) {}

  Segment& active() const { return *segments.rbegin()->second; }
  int64_t log_end() const { return active().next_offset(); }
  // Records an I/O failure: the log refuses everything from now on. `what` names the operation,
  // file and offset; errno, if set, is added. The first reason is kept (offline_reason).
  StorageErrc fail(const std::string& what);
  // Makes a new empty active segment at the log end.
  StorageErrc roll();
  // Unlinks the oldest segment (never the last one).
  void drop_oldest_segment();
  // Rebuilds `producers` from the newest usable snapshot at or below the log end plus the
  // batches after it (producer_snapshot.cc), and with them the open transactions and the
  // aborted-transaction entries at or after the replay's start (dropped first, re-added from
  // the markers replayed). A header that does not parse ends the replay
  // (ProducerRecovery::replay_stopped_at); false only if reading or writing failed (errno says
  // why).
  bool load_producer_state(ProducerRecovery* out, TxnIndexRecovery* txn_out);
  // Roll, leader epoch and segment write shared by append() and append_marker(): the batches
  // (already checked) go at the log end. The segment written to is *written_to.
  StorageResult<AppendInfo> write_batches(std::span<uint8_t> batches, int64_t records,
                                          int32_t leader_epoch, int64_t now_ms,
                                          bool log_append_time, Segment** written_to);
  // Adds an aborted transaction to seg's .txnindex (seg holds its marker). False (log offline)
  // on I/O error.
  bool add_aborted(Segment& seg, const AbortedTxnEntry& e);

  std::filesystem::path dir;
  LogConfig cfg;
  std::map<int64_t, std::unique_ptr<Segment>> segments;  // by base offset
  int64_t log_start = 0;
  int64_t recovery_point = 0;
  LeaderEpochCache epochs;
  ProducerStateTable producers;
  bool offline = false;
  std::string offline_reason;
  bool closed = false;
  // A directory entry was created since the last flush ticket; the next one syncs dir_file.
  bool dir_dirty = false;
  std::shared_ptr<SegmentFile> dir_file;
};

}  // namespace sluice::storage
