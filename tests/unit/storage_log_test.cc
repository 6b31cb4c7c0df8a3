#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "sluice/protocol/record_batch.h"
#include "sluice/storage/partition_log.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testing::bytes_of;
using testing::make_batch;
using testing::segment_name;
using testing::TempDir;
namespace fs = std::filesystem;

constexpr int64_t kNoMax = INT64_MAX;

AppendInfo append(PartitionLog& log, int records, int64_t ts = 1000, int32_t epoch = 0,
                  size_t value_size = 10) {
  auto buf = bytes_of(make_batch(records, ts, value_size));
  auto r = log.append(buf, epoch, /*now_ms=*/ts, false);
  EXPECT_TRUE(r.ok()) << to_string(r.error);
  return r.value;
}

// Headers of the batches in a slice, which must be whole valid batches.
std::vector<protocol::BatchHeader> batches_in(const LogSlice& s) {
  std::string bytes;
  EXPECT_TRUE(s.read_into(bytes));
  std::vector<protocol::BatchHeader> out;
  std::span<const uint8_t> rest(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  while (!rest.empty()) {
    protocol::BatchHeader h;
    EXPECT_EQ(protocol::validate_batch(rest, rest.size(), true, &h), protocol::BatchError::ok);
    if (::testing::Test::HasFailure()) break;
    out.push_back(h);
    rest = rest.subspan(h.total_size());
  }
  return out;
}

std::vector<std::string> segment_logs(const fs::path& dir) {
  std::vector<std::string> names;
  for (auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".log") names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(StorageLog, EmptyDirCreatesSegmentZero) {
  TempDir dir;
  RecoveryReport rep;
  auto log = PartitionLog::open(dir.path() / "t-0", {}, &rep);
  EXPECT_EQ(log->log_start_offset(), 0);
  EXPECT_EQ(log->log_end_offset(), 0);
  EXPECT_EQ(rep.segments, 1);
  EXPECT_TRUE(fs::exists(dir.path() / "t-0" / segment_name(0, ".log")));
  auto r = log->read(0, 1000, kNoMax);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.slice.size, 0u);
  EXPECT_EQ(log->read(1, 1000, kNoMax).error, StorageErrc::offset_out_of_range);
  EXPECT_EQ(log->max_timestamp().offset, -1);
}

TEST(StorageLog, UnusableDirThrows) {
  TempDir dir;
  testing::write_file(dir.path() / "file", "x");
  EXPECT_THROW(PartitionLog::open(dir.path() / "file" / "t-0", {}), std::runtime_error);
}

TEST(StorageLog, AppendAssignsConsecutiveOffsetsAndRewritesHeaders) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  auto a = append(*log, 3);
  EXPECT_EQ(a.base_offset, 0);
  EXPECT_EQ(a.last_offset, 2);
  EXPECT_EQ(a.log_append_time, -1);
  // Two batches in one call.
  auto buf = bytes_of(make_batch(2) + make_batch(4));
  auto r = log->append(buf, 7, 5000, false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.base_offset, 3);
  EXPECT_EQ(r.value.last_offset, 8);
  EXPECT_EQ(log->log_end_offset(), 9);
  // The caller's buffer was rewritten in place.
  auto h = protocol::read_batch_header(buf);
  EXPECT_EQ(h->base_offset, 3);
  EXPECT_EQ(h->partition_leader_epoch, 7);
  EXPECT_EQ(log->latest_epoch(), 7);

  auto rd = log->read(0, 1 << 20, kNoMax);
  ASSERT_TRUE(rd.ok());
  auto hs = batches_in(rd.value.slice);
  ASSERT_EQ(hs.size(), 3u);
  EXPECT_EQ(hs[0].base_offset, 0);
  EXPECT_EQ(hs[0].partition_leader_epoch, 0);
  EXPECT_EQ(hs[1].base_offset, 3);
  EXPECT_EQ(hs[2].base_offset, 5);
  EXPECT_EQ(hs[2].last_offset(), 8);
}

TEST(StorageLog, LogAppendTimeStampsBatches) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  auto buf = bytes_of(make_batch(2, 10));
  auto r = log->append(buf, 0, 777777, true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.log_append_time, 777777);
  auto hs = batches_in(log->read(0, 1000, kNoMax).value.slice);  // CRC still valid
  ASSERT_EQ(hs.size(), 1u);
  EXPECT_TRUE(hs[0].log_append_time());
  EXPECT_EQ(hs[0].max_timestamp, 777777);
}

TEST(StorageLog, RejectsMalformedInput) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  std::vector<uint8_t> empty;
  EXPECT_EQ(log->append(empty, 0, 0, false).error, StorageErrc::invalid_argument);
  auto buf = bytes_of(make_batch(2));
  buf.pop_back();
  EXPECT_EQ(log->append(buf, 0, 0, false).error, StorageErrc::invalid_argument);
  EXPECT_EQ(log->log_end_offset(), 0);
  EXPECT_FALSE(log->offline());
}

TEST(StorageLog, ReadByOffset) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  append(*log, 5);  // 0..4
  append(*log, 5);  // 5..9
  append(*log, 5);  // 10..14
  // Middle of a batch: the whole batch holding it.
  auto r = log->read(7, 1 << 20, kNoMax);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.first_offset, 5);
  auto hs = batches_in(r.value.slice);
  ASSERT_EQ(hs.size(), 2u);
  EXPECT_EQ(hs[0].base_offset, 5);
  // Last offset of a batch.
  r = log->read(14, 1 << 20, kNoMax);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.first_offset, 10);
  // At the end: empty and ok; beyond: out of range.
  r = log->read(15, 1 << 20, kNoMax);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.slice.size, 0u);
  EXPECT_EQ(log->read(16, 1 << 20, kNoMax).error, StorageErrc::offset_out_of_range);
  EXPECT_EQ(log->read(-1, 1 << 20, kNoMax).error, StorageErrc::offset_out_of_range);
}

TEST(StorageLog, MaxBytesStillReturnsOneWholeBatch) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  append(*log, 5, 1000, 0, 100);
  append(*log, 5, 1000, 0, 100);
  auto r = log->read(0, 10, kNoMax);
  ASSERT_TRUE(r.ok());
  auto hs = batches_in(r.value.slice);
  ASSERT_EQ(hs.size(), 1u);
  EXPECT_EQ(hs[0].record_count, 5);
  // Exactly two batches' worth returns two.
  uint32_t one = r.value.slice.size;
  r = log->read(0, static_cast<int32_t>(2 * one), kNoMax);
  EXPECT_EQ(batches_in(r.value.slice).size(), 2u);
  r = log->read(0, static_cast<int32_t>(2 * one - 1), kNoMax);
  EXPECT_EQ(batches_in(r.value.slice).size(), 1u);
}

// Reads near the end are answered from the segment's memory of its newest batches; after a
// reopen (memory holds only the tail after the last index entry) they come from batch headers on
// disk. Both must give the same slices, for every offset and budget, also after a truncation.
TEST(StorageLog, ReadsFromMemoryMatchReadsFromDisk) {
  TempDir dir;
  LogConfig cfg;
  cfg.index_interval_bytes = 2048;
  auto log = PartitionLog::open(dir.path(), cfg);
  std::mt19937 rng(7);
  for (int i = 0; i < 400; ++i)
    append(*log, 1 + static_cast<int>(rng() % 5), 1000 + i, 0, 10 + rng() % 300);
  const int64_t end = log->log_end_offset();
  struct Read {
    int64_t first;
    uint64_t pos;
    uint32_t size;
    bool operator==(const Read&) const = default;
  };
  auto reads = [&](PartitionLog& l, int64_t max_offset) {
    std::vector<Read> out;
    for (int64_t off = 0; off < l.log_end_offset(); off += 3)
      for (int32_t budget : {1, 700, 5000, 1 << 20}) {
        auto r = l.read(off, budget, max_offset);
        EXPECT_TRUE(r.ok());
        out.push_back({r.value.first_offset, r.value.slice.position, r.value.slice.size});
      }
    return out;
  };
  const auto live = reads(*log, kNoMax);
  const auto live_capped = reads(*log, end - 50);
  log->close();
  log = PartitionLog::open(dir.path(), cfg);
  EXPECT_EQ(reads(*log, kNoMax), live);
  EXPECT_EQ(reads(*log, end - 50), live_capped);

  // Truncate, append again: the memory must not keep spans of the cut batches.
  ASSERT_EQ(log->truncate_to(end / 2), StorageErrc::ok);
  for (int i = 0; i < 50; ++i) append(*log, 2, 5000 + i, 0, 50);
  const auto after = reads(*log, kNoMax);
  for (const auto& r : after) {
    auto check = log->read(r.first, 1, kNoMax);
    ASSERT_TRUE(check.ok());
    EXPECT_EQ(check.value.slice.position, r.pos);
  }
  log->close();
  log = PartitionLog::open(dir.path(), cfg);
  EXPECT_EQ(reads(*log, kNoMax), after);
  for (const auto& h : batches_in(log->read(0, 1 << 30, kNoMax).value.slice))
    EXPECT_GE(h.base_offset, 0);
  log->close();
}

TEST(StorageLog, MaxOffsetHonored) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  append(*log, 3);  // 0..2
  append(*log, 3);  // 3..5
  append(*log, 3);  // 6..8
  auto r = log->read(0, 1 << 20, 3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(batches_in(r.value.slice).size(), 1u);
  r = log->read(0, 1 << 20, 4);  // batch 3..5 starts below 4: included whole
  EXPECT_EQ(batches_in(r.value.slice).size(), 2u);
  r = log->read(3, 1 << 20, 3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.slice.size, 0u);
}

TEST(StorageLog, RollBySizeAndReadAcrossSegments) {
  TempDir dir;
  LogConfig cfg;
  const size_t batch_size = make_batch(4).size();
  cfg.segment_bytes = static_cast<int64_t>(3 * batch_size);
  auto log = PartitionLog::open(dir.path(), cfg);
  for (int i = 0; i < 10; ++i) append(*log, 4);  // 40 offsets, 3 batches per segment
  auto logs = segment_logs(dir.path());
  ASSERT_EQ(logs.size(), 4u);
  EXPECT_EQ(logs[0], "00000000000000000000.log");
  EXPECT_EQ(logs[1], "00000000000000000012.log");
  EXPECT_EQ(logs[2], "00000000000000000024.log");
  EXPECT_EQ(logs[3], "00000000000000000036.log");
  for (int64_t o = 0; o < 40; ++o) {
    auto r = log->read(o, 1 << 20, kNoMax);
    ASSERT_TRUE(r.ok());
    auto hs = batches_in(r.value.slice);
    ASSERT_FALSE(hs.empty());
    EXPECT_EQ(hs[0].base_offset, o / 4 * 4);
    // One segment per read.
    EXPECT_LE(hs.back().last_offset(), (o / 12 + 1) * 12 - 1);
  }
  EXPECT_EQ(log->size_bytes(), static_cast<int64_t>(10 * batch_size));
}

TEST(StorageLog, RollBySegmentMs) {
  TempDir dir;
  LogConfig cfg;
  cfg.segment_ms = 1000;
  auto log = PartitionLog::open(dir.path(), cfg);
  auto b1 = bytes_of(make_batch(1));
  ASSERT_TRUE(log->append(b1, 0, 10000, false).ok());
  auto b2 = bytes_of(make_batch(1));
  ASSERT_TRUE(log->append(b2, 0, 10500, false).ok());
  EXPECT_EQ(segment_logs(dir.path()).size(), 1u);
  auto b3 = bytes_of(make_batch(1));
  ASSERT_TRUE(log->append(b3, 0, 11000, false).ok());
  EXPECT_EQ(segment_logs(dir.path()).size(), 2u);
}

TEST(StorageLog, RollWhenIndexFull) {
  TempDir dir;
  LogConfig cfg;
  cfg.index_interval_bytes = 1;  // every batch indexed
  cfg.segment_index_bytes = 36;  // full at 3 time index entries (12 bytes each)
  auto log = PartitionLog::open(dir.path(), cfg);
  for (int i = 0; i < 7; ++i) append(*log, 1, 1000 + i);
  EXPECT_EQ(segment_logs(dir.path()).size(), 3u);
}

TEST(StorageLog, SparseIndexLookups) {
  TempDir dir;
  LogConfig cfg;
  cfg.index_interval_bytes = 200;
  auto log = PartitionLog::open(dir.path(), cfg);
  for (int i = 0; i < 50; ++i) append(*log, 3, 1000 + i * 10);
  auto index = testing::read_file(dir.path() / segment_name(0, ".index"));
  EXPECT_GT(index.size(), 8u);
  EXPECT_LT(index.size(), 50u * 8);
  EXPECT_EQ(index.size() % 8, 0u);
  for (int64_t o = 0; o < 150; ++o) {
    auto r = log->read(o, 1, kNoMax);
    ASSERT_TRUE(r.ok());
    auto hs = batches_in(r.value.slice);
    ASSERT_EQ(hs.size(), 1u);
    EXPECT_EQ(hs[0].base_offset, o / 3 * 3) << o;
  }
}

TEST(StorageLog, TimestampLookupAndMaxTimestamp) {
  TempDir dir;
  LogConfig cfg;
  cfg.index_interval_bytes = 100;
  cfg.segment_bytes = 2000;
  auto log = PartitionLog::open(dir.path(), cfg);
  // Batch i has offsets 2i..2i+1 and timestamps 1000+10i, 1001+10i; one outlier.
  for (int i = 0; i < 40; ++i) append(*log, 2, i == 17 ? 9000 : 1000 + 10 * i);
  ASSERT_GT(segment_logs(dir.path()).size(), 1u);
  auto t = log->offset_for_timestamp(0);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->offset, 0);
  // The exact record, not just its batch: offset 1 carries timestamp 1001.
  t = log->offset_for_timestamp(1001);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->offset, 1);
  EXPECT_EQ(t->timestamp, 1001);
  t = log->offset_for_timestamp(1002);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->offset, 2);
  EXPECT_EQ(t->timestamp, 1010);
  t = log->offset_for_timestamp(1250);  // batches 25.. (and outlier 17 earlier)
  ASSERT_TRUE(t);
  EXPECT_EQ(t->offset, 34);
  t = log->offset_for_timestamp(1391);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->offset, 34);
  EXPECT_EQ(log->offset_for_timestamp(9001)->offset, 35);
  EXPECT_FALSE(log->offset_for_timestamp(9002));
  auto m = log->max_timestamp();
  EXPECT_EQ(m.timestamp, 9001);
  EXPECT_EQ(m.offset, 35);
}

TEST(StorageLog, RetentionBySizeDeletesOldSegments) {
  TempDir dir;
  LogConfig cfg;
  const size_t batch_size = make_batch(4).size();
  cfg.segment_bytes = static_cast<int64_t>(2 * batch_size);
  cfg.retention_ms = -1;
  cfg.retention_bytes = static_cast<int64_t>(3 * batch_size);
  auto log = PartitionLog::open(dir.path(), cfg);
  for (int i = 0; i < 9; ++i) append(*log, 4);  // segments 0, 8, 16, 24, 32(active, 1 batch)
  ASSERT_EQ(segment_logs(dir.path()).size(), 5u);
  // Total 9 batches; deleting while total - seg >= 3 batches: 9->7->5->3.
  EXPECT_EQ(log->enforce_retention(0), 3);
  EXPECT_EQ(log->log_start_offset(), 24);
  EXPECT_EQ(segment_logs(dir.path()).size(), 2u);
  EXPECT_FALSE(fs::exists(dir.path() / segment_name(0, ".index")));
  EXPECT_EQ(log->read(23, 100, kNoMax).error, StorageErrc::offset_out_of_range);
  EXPECT_TRUE(log->read(24, 100, kNoMax).ok());
  EXPECT_EQ(log->enforce_retention(0), 0);
}

TEST(StorageLog, RetentionByTimeKeepsActiveSegment) {
  TempDir dir;
  LogConfig cfg;
  const size_t batch_size = make_batch(1).size();
  cfg.segment_bytes = static_cast<int64_t>(batch_size);  // one batch per segment
  cfg.retention_ms = 1000;
  auto log = PartitionLog::open(dir.path(), cfg);
  append(*log, 1, 1000);
  append(*log, 1, 2000);
  append(*log, 1, 5000);
  ASSERT_EQ(segment_logs(dir.path()).size(), 3u);
  EXPECT_EQ(log->enforce_retention(2500), 1);  // only the 1000 one is older than 1500
  EXPECT_EQ(log->log_start_offset(), 1);
  EXPECT_EQ(log->enforce_retention(100000), 1);  // never the active one
  EXPECT_EQ(log->log_start_offset(), 2);
  EXPECT_EQ(segment_logs(dir.path()).size(), 1u);
}

TEST(StorageLog, RetentionDeletesNothingUnlessCleanupPolicyDeletes) {
  TempDir dir;
  LogConfig cfg;
  cfg.segment_bytes = static_cast<int64_t>(make_batch(1).size());  // one batch per segment
  cfg.retention_ms = 0;
  cfg.retention_bytes = 0;
  cfg.delete_retention = false;  // cleanup.policy=compact
  auto log = PartitionLog::open(dir.path(), cfg);
  for (int64_t ts : {1000, 2000, 3000}) append(*log, 1, ts);
  ASSERT_EQ(segment_logs(dir.path()).size(), 3u);
  // Every segment is both too old and over the size limit, and yet none goes.
  EXPECT_EQ(log->enforce_retention(1 << 30), 0);
  EXPECT_EQ(log->log_start_offset(), 0);
  EXPECT_EQ(segment_logs(dir.path()).size(), 3u);
  // cleanup.policy=compact,delete: retention applies again.
  cfg.delete_retention = true;
  log->update_config(cfg);
  EXPECT_EQ(log->enforce_retention(1 << 30), 2);
  EXPECT_EQ(log->log_start_offset(), 2);
}

TEST(StorageLog, ReaderKeepsDeletedSegmentReadable) {
  TempDir dir;
  LogConfig cfg;
  cfg.segment_bytes = static_cast<int64_t>(make_batch(1).size());
  cfg.retention_ms = 0;
  auto log = PartitionLog::open(dir.path(), cfg);
  append(*log, 1, 1000);
  append(*log, 1, 2000);
  auto r = log->read(0, 1000, kNoMax);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(log->enforce_retention(1 << 30), 1);
  EXPECT_EQ(batches_in(r.value.slice).size(), 1u);
}

TEST(StorageLog, AdvanceLogStartOffsetPersists) {
  TempDir dir;
  LogConfig cfg;
  cfg.segment_bytes = static_cast<int64_t>(2 * make_batch(2).size());
  {
    auto log = PartitionLog::open(dir.path(), cfg);
    for (int i = 0; i < 6; ++i) append(*log, 2);  // segments 0, 4, 8
    EXPECT_EQ(log->advance_log_start_offset(13), StorageErrc::offset_out_of_range);
    EXPECT_EQ(log->advance_log_start_offset(5), StorageErrc::ok);
    EXPECT_EQ(log->log_start_offset(), 5);
    EXPECT_EQ(segment_logs(dir.path()).size(), 2u);                // segment 0 wholly below
    EXPECT_EQ(log->advance_log_start_offset(3), StorageErrc::ok);  // never moves back
    EXPECT_EQ(log->log_start_offset(), 5);
    EXPECT_EQ(log->read(4, 100, kNoMax).error, StorageErrc::offset_out_of_range);
    auto r = log->read(5, 100, kNoMax);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value.first_offset, 4);  // whole batch holding 5
    // No close(): the checkpoint is written when the start moves.
  }
  auto log = PartitionLog::open(dir.path(), cfg);
  EXPECT_EQ(log->log_start_offset(), 5);
  EXPECT_EQ(log->log_end_offset(), 12);
}

TEST(StorageLog, TruncateTo) {
  TempDir dir;
  LogConfig cfg;
  cfg.segment_bytes = static_cast<int64_t>(2 * make_batch(3).size());
  cfg.index_interval_bytes = 1;
  auto log = PartitionLog::open(dir.path(), cfg);
  for (int i = 0; i < 6; ++i) append(*log, 3, 1000 + 100 * i, i);  // segments 0, 6, 12; epochs 0..5
  EXPECT_EQ(log->latest_epoch(), 5);
  ASSERT_EQ(segment_logs(dir.path()).size(), 3u);
  EXPECT_EQ(log->truncate_to(20), StorageErrc::ok);  // at or past the end: nothing to do
  EXPECT_EQ(log->log_end_offset(), 18);
  EXPECT_EQ(log->truncate_to(7), StorageErrc::ok);  // inside batch 6..8: cut at 6
  EXPECT_EQ(log->log_end_offset(), 6);
  EXPECT_EQ(segment_logs(dir.path()).size(), 2u);  // segment 6 kept, now empty
  EXPECT_EQ(log->latest_epoch(), 1);
  EXPECT_EQ(log->max_timestamp().timestamp, 1102);
  EXPECT_FALSE(log->offset_for_timestamp(1200));
  // Appends continue from the cut.
  auto a = append(*log, 2, 5000, 9);
  EXPECT_EQ(a.base_offset, 6);
  EXPECT_EQ(log->latest_epoch(), 9);
  auto r = log->read(6, 1 << 20, kNoMax);
  auto hs = batches_in(r.value.slice);
  ASSERT_EQ(hs.size(), 1u);
  EXPECT_EQ(hs[0].base_offset, 6);
  EXPECT_EQ(hs[0].record_count, 2);
  EXPECT_EQ(log->truncate_to(0), StorageErrc::ok);
  EXPECT_EQ(log->log_end_offset(), 0);
  EXPECT_EQ(log->latest_epoch(), -1);
}

TEST(StorageLog, LeaderEpochCheckpointSurvivesReopen) {
  TempDir dir;
  {
    auto log = PartitionLog::open(dir.path(), {});
    append(*log, 2, 1000, 3);
    log->assign_epoch(5, 2);
    log->assign_epoch(4, 2);  // older: ignored
    append(*log, 2, 1000, 5);
    EXPECT_EQ(log->latest_epoch(), 5);
  }
  auto text = testing::read_file(dir.path() / "leader-epoch-checkpoint");
  EXPECT_EQ(text, "0\n2\n3 0\n5 2\n");
  auto log = PartitionLog::open(dir.path(), {});
  EXPECT_EQ(log->latest_epoch(), 5);
}

TEST(StorageLog, CleanCloseAndReopenKeepsEverything) {
  TempDir dir;
  LogConfig cfg;
  cfg.segment_bytes = 500;
  cfg.index_interval_bytes = 150;
  {
    auto log = PartitionLog::open(dir.path(), cfg);
    for (int i = 0; i < 20; ++i) append(*log, 2, 1000 + i);
    log->close();
    EXPECT_TRUE(fs::exists(dir.path() / ".clean-shutdown"));
    auto more = bytes_of(make_batch(1));
    EXPECT_EQ(log->append(more, 0, 0, false).error, StorageErrc::offline);
  }
  RecoveryReport rep;
  auto log = PartitionLog::open(dir.path(), cfg, &rep);
  EXPECT_TRUE(rep.clean_shutdown);
  EXPECT_EQ(rep.truncated_bytes, 0);
  EXPECT_EQ(rep.indexes_rebuilt, 0);
  EXPECT_FALSE(fs::exists(dir.path() / ".clean-shutdown"));
  EXPECT_EQ(log->log_end_offset(), 40);
  EXPECT_EQ(log->recovery_point(), 40);
  EXPECT_EQ(log->max_timestamp().timestamp, 1020);
  EXPECT_EQ(log->max_timestamp().offset, 39);
  EXPECT_EQ(log->offset_for_timestamp(1011)->offset, 21);
  for (int64_t o = 0; o < 40; ++o) {
    auto r = log->read(o, 1, kNoMax);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(batches_in(r.value.slice)[0].base_offset, o / 2 * 2);
  }
  EXPECT_EQ(append(*log, 1).base_offset, 40);
}

// A write that fails midway (here: file size limit, EFBIG after a short write, as with a full
// disk) is cut away; the append fails but the log stays readable and takes appends again once
// there is room. Runs in a forked child so the limit cannot touch anything else.
TEST(StorageLogDeathTest, FailedWriteIsCutAndLogStaysUsable) {
  TempDir dir;
  auto scenario = [&] {
    auto log = PartitionLog::open(dir.path(), {});
    auto first = bytes_of(make_batch(2));
    if (!log->append(first, 0, 0, false).ok()) std::exit(2);
    const auto size = fs::file_size(dir.path() / segment_name(0, ".log"));
    std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim {
      static_cast<rlim_t>(size + 30), RLIM_INFINITY
    };
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0) std::exit(3);
    auto second = bytes_of(make_batch(2));
    if (log->append(second, 0, 0, false).error != StorageErrc::io_error) std::exit(4);
    if (fs::file_size(dir.path() / segment_name(0, ".log")) != size) std::exit(5);
    if (log->offline() || !log->read(0, 100, kNoMax).ok()) std::exit(6);
    if (log->log_end_offset() != 2) std::exit(7);
    lim.rlim_cur = RLIM_INFINITY;
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0) std::exit(8);
    auto r = log->append(second, 0, 0, false);
    if (!r.ok() || r.value.base_offset != 2 || log->log_end_offset() != 4) std::exit(9);
    std::exit(0);
  };
  EXPECT_EXIT(scenario(), ::testing::ExitedWithCode(0), "");
}

TEST(StorageLog, RemoveDeletesDirectory) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path() / "t-1", {});
  append(*log, 1);
  log->remove();
  EXPECT_FALSE(fs::exists(dir.path() / "t-1"));
}

}  // namespace
}  // namespace sluice::storage

namespace sluice::storage {
namespace {

// Going offline records why, and the first reason is kept: operators get the operation and
// offset, not just "storage error".
TEST(StorageLog, OfflineReasonNamesTheFirstFailure) {
  testing::TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  EXPECT_EQ(log->offline_reason(), "");
  auto buf = testing::bytes_of(testing::make_batch(2));
  ASSERT_TRUE(log->append(buf, 0, 1000, false).ok());
  log->mark_flushed(2, false);
  EXPECT_TRUE(log->offline());
  EXPECT_EQ(log->offline_reason(), "fsync below offset 2 failed (group commit)");
  log->take_offline("stored data near offset 0 fails its checksum");
  EXPECT_EQ(log->offline_reason(), "fsync below offset 2 failed (group commit)");
  EXPECT_EQ(log->read(0, 100, 2).error, StorageErrc::offline);
}

}  // namespace
}  // namespace sluice::storage
