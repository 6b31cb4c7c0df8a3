// The idempotent-producer state machine (ProducerStateTable) and its life in a PartitionLog:
// duplicates answered with their original offsets, sequence gaps and stale epochs refused, and
// the state rebuilt after a crash from the newest snapshot plus the batches after it.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "producer_snapshot.h"
#include "sluice/protocol/crc32c.h"
#include "sluice/protocol/endian.h"
#include "sluice/storage/checkpoint_file.h"
#include "sluice/storage/partition_log.h"
#include "sluice/storage/producer_state.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using protocol::BatchHeader;
using testing::bytes_of;
using testing::make_batch;
using testing::TempDir;
namespace fs = std::filesystem;

// make_batch's batch with producer fields set and its CRC recomputed.
std::string producer_batch(int records, int64_t pid, int16_t epoch, int32_t seq,
                           int64_t ts = 1000) {
  std::string b = make_batch(records, ts);
  auto* p = reinterpret_cast<uint8_t*>(b.data());
  protocol::store_be<int64_t>(p + 43, pid);
  protocol::store_be<int16_t>(p + 51, epoch);
  protocol::store_be<int32_t>(p + 53, seq);
  protocol::store_be<uint32_t>(p + 17, protocol::crc32c({p + 21, b.size() - 21}));
  return b;
}

BatchHeader header(int records, int64_t pid, int16_t epoch, int32_t seq, int64_t ts = 1000) {
  BatchHeader h;
  h.last_offset_delta = records - 1;
  h.producer_id = pid;
  h.producer_epoch = epoch;
  h.base_sequence = seq;
  h.max_timestamp = ts;
  return h;
}

StorageResult<AppendInfo> append(PartitionLog& log, const std::string& batch, int64_t now = 1000) {
  auto buf = bytes_of(batch);
  return log.append(buf, 0, now, false);
}

TEST(ProducerState, UnknownProducerMayStartAnywhere) {
  ProducerStateTable t;
  EXPECT_EQ(t.check(header(1, 7, 0, 0)).check, SequenceCheck::accept);
  EXPECT_EQ(t.check(header(1, 7, 3, 1234)).check, SequenceCheck::accept);
}

TEST(ProducerState, SequencesMustFollowOn) {
  ProducerStateTable t;
  t.record(header(3, 7, 0, 0), 100, 1);  // seq 0..2
  EXPECT_EQ(t.check(header(2, 7, 0, 3)).check, SequenceCheck::accept);
  EXPECT_EQ(t.check(header(2, 7, 0, 4)).check, SequenceCheck::out_of_order_sequence);
  EXPECT_EQ(t.check(header(2, 7, 0, 2)).check, SequenceCheck::out_of_order_sequence);
  t.record(header(2, 7, 0, 3), 103, 2);
  EXPECT_EQ(t.find(7)->batches.back().last_seq, 4);
  EXPECT_EQ(t.find(7)->batches.back().last_offset, 104);
}

TEST(ProducerState, LastFiveBatchesAreRecognisedAsDuplicates) {
  ProducerStateTable t;
  for (int i = 0; i < 7; ++i) t.record(header(1, 7, 0, i), 10 + i, i);
  ASSERT_EQ(t.find(7)->batches.size(), ProducerStateTable::kBatchesKept);
  for (int i = 2; i < 7; ++i) {
    auto v = t.check(header(1, 7, 0, i));
    EXPECT_EQ(v.check, SequenceCheck::duplicate) << i;
    EXPECT_EQ(v.original.first_offset, 10 + i);
  }
  // Older than the window: no longer provably a duplicate, and not in sequence either.
  EXPECT_EQ(t.check(header(1, 7, 0, 1)).check, SequenceCheck::out_of_order_sequence);
  // Same first sequence but a different range is not the same batch.
  EXPECT_EQ(t.check(header(2, 7, 0, 6)).check, SequenceCheck::out_of_order_sequence);
}

TEST(ProducerState, EpochRules) {
  ProducerStateTable t;
  t.record(header(1, 7, 2, 0), 0, 1);
  EXPECT_EQ(t.check(header(1, 7, 1, 1)).check, SequenceCheck::invalid_producer_epoch);
  EXPECT_EQ(t.check(header(1, 7, 3, 5)).check, SequenceCheck::out_of_order_sequence);
  EXPECT_EQ(t.check(header(1, 7, 3, 0)).check, SequenceCheck::accept);
  t.record(header(1, 7, 3, 0), 1, 2);
  EXPECT_EQ(t.find(7)->epoch, 3);
  EXPECT_EQ(t.find(7)->batches.size(), 1u);  // the old epoch's batches are gone
  // A duplicate of the old epoch is now a stale write, not a duplicate.
  EXPECT_EQ(t.check(header(1, 7, 2, 0)).check, SequenceCheck::invalid_producer_epoch);
}

TEST(ProducerState, SequenceWrapsAfterIntMax) {
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  ProducerStateTable t;
  t.record(header(2, 7, 0, kMax - 1), 0, 1);
  EXPECT_EQ(t.find(7)->batches.back().last_seq, kMax);
  EXPECT_EQ(t.check(header(1, 7, 0, 0)).check, SequenceCheck::accept);
  EXPECT_EQ(last_sequence(header(3, 7, 0, kMax)), 1);
}

TEST(ProducerState, ExpiryAndLogStart) {
  ProducerStateTable t;
  t.record(header(1, 1, 0, 0), 5, 1000);
  t.record(header(1, 2, 0, 0), 50, 5000);
  EXPECT_EQ(t.expire(6000, 5000), 1u);  // producer 1 idle 5000 ms, producer 2 only 1000
  EXPECT_EQ(t.find(1), nullptr);
  ASSERT_NE(t.find(2), nullptr);
  t.record(header(1, 3, 0, 0), 60, 5000);
  t.remove_below(55);
  EXPECT_EQ(t.find(2), nullptr);
  EXPECT_NE(t.find(3), nullptr);
}

TEST(ProducerState, SnapshotRoundTripAndRejectsGarbage) {
  ProducerStateTable t;
  for (int i = 0; i < 6; ++i) t.record(header(2, 9, 1, 2 * i), 100 + 2 * i, i);
  t.record(header(1, 4, 0, 0), 300, 7);
  ProducerStateTable back;
  ASSERT_TRUE(back.from_snapshot(t.to_snapshot()));
  EXPECT_EQ(back.to_snapshot(), t.to_snapshot());
  EXPECT_EQ(back.check(header(2, 9, 1, 10)).check, SequenceCheck::duplicate);
  EXPECT_FALSE(back.from_snapshot({{9, 1, -5, 3, 0, 1, 0}}));  // negative sequence
  EXPECT_EQ(back.size(), 0u);
  EXPECT_FALSE(back.from_snapshot({{9, 1, 0, 3, 10, 1, 0}}));  // last offset below first
}

TEST(ProducerLog, RetryIsAnsweredWithOriginalOffsetsAndWritesNothing) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  ASSERT_TRUE(append(*log, make_batch(2)).ok());  // offsets 0-1, no producer
  auto first = append(*log, producer_batch(3, 42, 0, 0));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value.base_offset, 2);
  ASSERT_TRUE(append(*log, producer_batch(1, 42, 0, 3)).ok());
  const int64_t end = log->log_end_offset();
  auto retry = append(*log, producer_batch(3, 42, 0, 0));
  EXPECT_EQ(retry.error, StorageErrc::duplicate_batch);
  EXPECT_EQ(retry.value.base_offset, 2);
  EXPECT_EQ(retry.value.last_offset, 4);
  EXPECT_EQ(log->log_end_offset(), end);
  EXPECT_EQ(append(*log, producer_batch(1, 42, 0, 9)).error, StorageErrc::out_of_order_sequence);
  EXPECT_EQ(append(*log, producer_batch(1, 42, 0, 4)).error, StorageErrc::ok);
  EXPECT_EQ(log->log_end_offset(), end + 1);
  log->close();
}

TEST(ProducerLog, TwoBatchesOfOneProducerInOneAppendAreRefused) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  auto r = append(*log, producer_batch(1, 42, 0, 0) + producer_batch(1, 42, 0, 1));
  EXPECT_EQ(r.error, StorageErrc::invalid_argument);
  EXPECT_EQ(log->log_end_offset(), 0);
  log->close();
}

// A crash (no close) after some appends: the state comes back from the log alone, so the
// retries a client sends after reconnecting are still recognised.
TEST(ProducerLog, StateIsReplayedFromTheLogAfterACrash) {
  TempDir dir;
  {
    auto log = PartitionLog::open(dir.path(), {});
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(append(*log, producer_batch(2, 42, 0, 2 * i)).ok());
    auto t = log->prepare_flush();
    ASSERT_TRUE(t.sync());
    log->mark_flushed(t.end_offset, true);
  }  // no close(): as after kill -9
  RecoveryReport rep;
  auto log = PartitionLog::open(dir.path(), {}, &rep);
  EXPECT_FALSE(rep.clean_shutdown);
  EXPECT_EQ(rep.producers.snapshot_offset, -1);
  EXPECT_EQ(rep.producers.batches_replayed, 4);
  auto retry = append(*log, producer_batch(2, 42, 0, 6));
  EXPECT_EQ(retry.error, StorageErrc::duplicate_batch);
  EXPECT_EQ(retry.value.base_offset, 6);
  EXPECT_EQ(append(*log, producer_batch(1, 42, 0, 9)).error, StorageErrc::out_of_order_sequence);
  log->close();
}

// Rolls write snapshots; a crash then replays only the batches after the newest one, and a
// clean close leaves nothing to replay.
TEST(ProducerLog, SnapshotsAtRollAndCloseBoundTheReplay) {
  TempDir dir;
  LogConfig cfg;
  cfg.segment_bytes = 400;  // a few batches per segment
  {
    auto log = PartitionLog::open(dir.path(), cfg);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(append(*log, producer_batch(1, 42, 0, i)).ok());
    auto t = log->prepare_flush();
    ASSERT_TRUE(t.sync());
    log->mark_flushed(t.end_offset, true);
  }
  auto snaps = list_snapshots(dir.path());
  ASSERT_EQ(snaps.size(), kSnapshotsKept);
  RecoveryReport rep;
  {
    auto log = PartitionLog::open(dir.path(), cfg, &rep);
    EXPECT_EQ(rep.producers.snapshot_offset, snaps.back());
    EXPECT_EQ(rep.producers.batches_replayed, 20 - snaps.back());
    EXPECT_EQ(append(*log, producer_batch(1, 42, 0, 19)).error, StorageErrc::duplicate_batch);
    EXPECT_EQ(append(*log, producer_batch(1, 42, 0, 15)).error, StorageErrc::duplicate_batch);
    log->close();
  }
  auto log = PartitionLog::open(dir.path(), cfg, &rep);
  EXPECT_TRUE(rep.clean_shutdown);
  EXPECT_EQ(rep.producers.snapshot_offset, 20);
  EXPECT_EQ(rep.producers.batches_replayed, 0);
  EXPECT_EQ(append(*log, producer_batch(1, 42, 0, 16)).error, StorageErrc::duplicate_batch);
  EXPECT_TRUE(append(*log, producer_batch(1, 42, 0, 20)).ok());
  log->close();
}

// A snapshot that does not parse is reported and passed over for an older one (or a replay of
// the whole log): it costs time, never a wrong answer.
TEST(ProducerLog, UnreadableSnapshotIsPassedOver) {
  TempDir dir;
  {
    auto log = PartitionLog::open(dir.path(), {});
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(append(*log, producer_batch(1, 42, 0, i)).ok());
    log->close();
  }
  auto snaps = list_snapshots(dir.path());
  ASSERT_FALSE(snaps.empty());
  testing::write_file(dir.path() / snapshot_file_name(snaps.back()), "0\n2\n42 0 0\n");
  RecoveryReport rep;
  auto log = PartitionLog::open(dir.path(), {}, &rep);
  EXPECT_EQ(rep.producers.snapshots_unreadable, 1);
  EXPECT_EQ(rep.producers.batches_replayed, 3);
  EXPECT_EQ(append(*log, producer_batch(1, 42, 0, 2)).error, StorageErrc::duplicate_batch);
  log->close();
}

// Truncation takes the cut batches' state with it: the producer may write those sequences
// again, and a snapshot above the new end is removed.
TEST(ProducerLog, TruncationRewindsProducerState) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(append(*log, producer_batch(1, 42, 0, i)).ok());
  ASSERT_EQ(log->truncate_to(3), StorageErrc::ok);
  EXPECT_EQ(log->producers().find(42)->batches.back().last_seq, 2);
  auto again = append(*log, producer_batch(1, 42, 0, 3));
  ASSERT_TRUE(again.ok()) << to_string(again.error);
  EXPECT_EQ(again.value.base_offset, 3);
  log->close();
}

// A segment trusted after a clean shutdown is not validated at open, nor are the offset-index
// entries between its first and last, so the replay can be sent to a position that is not a
// batch start (found by fuzz_log_recovery: a log start checkpoint above 0 plus a damaged index).
// It stops there and says where; the log still opens.
TEST(ProducerLog, ReplayStopsAtAnUnparsableHeaderInATrustedSegment) {
  TempDir dir;
  LogConfig cfg;
  cfg.index_interval_bytes = 1;  // an index entry per batch
  {
    auto log = PartitionLog::open(dir.path(), cfg);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(append(*log, producer_batch(1, 40 + i, 0, 0)).ok());
    log->close();
  }
  for (int64_t o : list_snapshots(dir.path())) fs::remove(dir.path() / snapshot_file_name(o));
  const fs::path index = dir.path() / "00000000000000000000.index";
  std::string entries = testing::read_file(index);
  ASSERT_GE(entries.size(), 4u * 8);
  auto* entry2 = reinterpret_cast<uint8_t*>(entries.data()) + 2 * 8;
  protocol::store_be<int32_t>(entry2 + 4, protocol::load_be<int32_t>(entry2 + 4) + 1);
  testing::write_file(index, entries);
  ASSERT_TRUE(write_offset_checkpoint(dir.path() / "log-start-offset-checkpoint", 2));

  RecoveryReport rep;
  auto log = PartitionLog::open(dir.path(), cfg, &rep);
  EXPECT_TRUE(rep.clean_shutdown);
  EXPECT_EQ(rep.producers.replay_stopped_at, 2);
  EXPECT_EQ(rep.producers.batches_replayed, 0);
  EXPECT_FALSE(log->offline());
  EXPECT_EQ(log->log_end_offset(), 4);
  log->close();
}

TEST(ProducerLog, RetentionForgetsProducersBelowTheLogStart) {
  TempDir dir;
  LogConfig cfg;
  cfg.segment_bytes = 400;
  auto log = PartitionLog::open(dir.path(), cfg);
  ASSERT_TRUE(append(*log, producer_batch(1, 1, 0, 0)).ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(append(*log, producer_batch(1, 2, 0, i)).ok());
  ASSERT_EQ(log->advance_log_start_offset(5), StorageErrc::ok);
  EXPECT_EQ(log->producers().find(1), nullptr);
  EXPECT_NE(log->producers().find(2), nullptr);
  log->close();
}

}  // namespace
}  // namespace sluice::storage
