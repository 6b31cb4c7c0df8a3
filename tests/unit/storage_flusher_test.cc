#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <vector>

#include "sluice/storage/flusher.h"
#include "sluice/storage/partition_log.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testing::bytes_of;
using testing::make_batch;
using testing::TempDir;

void append(PartitionLog& log, int records) {
  auto buf = bytes_of(make_batch(records));
  ASSERT_TRUE(log.append(buf, 0, 1000, false).ok());
}

TEST(StorageFlush, TicketCoversUnflushedSegments) {
  TempDir dir;
  LogConfig cfg;
  cfg.segment_bytes = static_cast<int64_t>(make_batch(2).size());
  auto log = PartitionLog::open(dir.path(), cfg);
  auto t = log->prepare_flush();
  EXPECT_TRUE(t.files.empty());
  EXPECT_EQ(t.end_offset, 0);
  append(*log, 2);
  append(*log, 2);  // rolls: the sealed segment, the active one and the directory are pending
  t = log->prepare_flush();
  EXPECT_EQ(t.files.size(), 3u);
  EXPECT_EQ(t.end_offset, 4);
  ASSERT_TRUE(t.sync());
  log->mark_flushed(t.end_offset, true);
  EXPECT_EQ(log->recovery_point(), 4);
  t = log->prepare_flush();
  EXPECT_TRUE(t.files.empty());
  append(*log, 2);
  t = log->prepare_flush();
  EXPECT_EQ(t.files.size(), 2u);  // a new segment again + directory
  log->mark_flushed(2, true);     // never moves back
  EXPECT_EQ(log->recovery_point(), 4);
}

TEST(StorageFlush, GroupCommitRunsEveryCallback) {
  TempDir dir;
  auto a = PartitionLog::open(dir.path() / "a-0", {});
  auto b = PartitionLog::open(dir.path() / "b-0", {});
  std::vector<std::promise<bool>> done(4);
  {
    Flusher flusher;
    append(*a, 3);
    auto ta = a->prepare_flush();
    int64_t end_a = ta.end_offset;
    flusher.submit(ta, [&, end_a](bool ok) {
      done[0].set_value(ok);
      (void)end_a;
    });
    append(*b, 1);
    flusher.submit(b->prepare_flush(), [&](bool ok) { done[1].set_value(ok); });
    append(*a, 2);
    auto ta2 = a->prepare_flush();  // same file as the first ticket: synced once per round
    flusher.submit(ta2, [&](bool ok) { done[2].set_value(ok); });
    flusher.submit(FlushTicket{}, [&](bool ok) { done[3].set_value(ok); });
    EXPECT_TRUE(done[2].get_future().get());
    a->mark_flushed(ta2.end_offset, true);
    EXPECT_EQ(a->recovery_point(), 5);
  }
  EXPECT_TRUE(done[0].get_future().get());
  EXPECT_TRUE(done[1].get_future().get());
  EXPECT_TRUE(done[3].get_future().get());
}

TEST(StorageFlush, DestructorDrainsPending) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  std::atomic<int> calls{0};
  {
    Flusher flusher;
    for (int i = 0; i < 20; ++i) {
      append(*log, 1);
      flusher.submit(log->prepare_flush(), [&](bool ok) {
        EXPECT_TRUE(ok);
        ++calls;
      });
    }
  }
  EXPECT_EQ(calls.load(), 20);
}

TEST(StorageFlush, FailedSyncFailsOnlyItsTickets) {
  TempDir dir;
  auto log = PartitionLog::open(dir.path(), {});
  append(*log, 1);
  FlushTicket bad;
  bad.files.push_back(std::make_shared<SegmentFile>(-1));
  bad.end_offset = 1;
  std::promise<bool> bad_done, good_done;
  {
    Flusher flusher;
    flusher.submit(bad, [&](bool ok) { bad_done.set_value(ok); });
    flusher.submit(log->prepare_flush(), [&](bool ok) { good_done.set_value(ok); });
  }
  EXPECT_FALSE(bad_done.get_future().get());
  EXPECT_TRUE(good_done.get_future().get());
  // The owner reacts to a failed ticket: the log goes offline for good.
  log->mark_flushed(1, false);
  EXPECT_TRUE(log->offline());
  EXPECT_EQ(log->recovery_point(), 0);
  auto buf = bytes_of(make_batch(1));
  EXPECT_EQ(log->append(buf, 0, 0, false).error, StorageErrc::offline);
  EXPECT_EQ(log->read(0, 100, INT64_MAX).error, StorageErrc::offline);
  EXPECT_TRUE(log->prepare_flush().files.empty());
}

}  // namespace
}  // namespace sluice::storage
