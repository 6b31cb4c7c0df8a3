// The partition's one door: replicate() acknowledges only what is committed, and every read
// stops at the bound of the reader's FetchIsolation.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "sluice/broker/partition.h"
#include "sluice/protocol/crc32c.h"
#include "sluice/protocol/endian.h"
#include "storage_test_util.h"

namespace sluice::broker {
namespace {

using storage::testing::bytes_of;
using storage::testing::make_batch;
using storage::testing::TempDir;

struct Fixture {
  TempDir dir;
  int flush_requests = 0;
  std::shared_ptr<Partition> p;
  explicit Fixture(bool flush_on_append) {
    p = std::make_shared<Partition>(TopicPartition{"t", 0},
                                    storage::PartitionLog::open(dir.path(), {}), flush_on_append);
    p->set_settings({false, 1 << 20});
    p->set_flush_requester([this] { ++flush_requests; });
  }
  std::optional<Partition::Appended> replicate(const std::string& batch, int16_t acks) {
    auto buf = bytes_of(batch);
    auto got = std::make_shared<std::optional<Partition::Appended>>();
    p->replicate(buf, acks, 1000, [got](const Partition::Appended& a) { *got = a; });
    return *got;  // nullopt while not yet committed
  }
};

std::string idempotent_batch(int records, int32_t seq) {
  std::string b = make_batch(records);
  auto* q = reinterpret_cast<uint8_t*>(b.data());
  protocol::store_be<int64_t>(q + 43, 7);
  protocol::store_be<int16_t>(q + 51, 0);
  protocol::store_be<int32_t>(q + 53, seq);
  protocol::store_be<uint32_t>(q + 17, protocol::crc32c({q + 21, b.size() - 21}));
  return b;
}

TEST(FetchIsolation, WhoReadsDecidesTheBound) {
  EXPECT_EQ(fetch_isolation(true, 0), FetchIsolation::log_end);
  EXPECT_EQ(fetch_isolation(true, 1), FetchIsolation::log_end);
  EXPECT_EQ(fetch_isolation(false, 0), FetchIsolation::high_watermark);
  EXPECT_EQ(fetch_isolation(false, 1), FetchIsolation::committed);
}

TEST(PartitionDoor, DurableAppendIsAcknowledgedAndVisibleOnlyAfterTheFlush) {
  Fixture f(/*flush_on_append=*/true);
  auto early = f.replicate(make_batch(3), -1);
  EXPECT_FALSE(early) << "acknowledged before it was durable";
  EXPECT_EQ(f.flush_requests, 1);
  EXPECT_EQ(f.p->read_bound(FetchIsolation::log_end), 3);
  EXPECT_EQ(f.p->read_bound(FetchIsolation::high_watermark), 0);
  EXPECT_EQ(f.p->read_bound(FetchIsolation::committed), 0);
  auto r = f.p->read(0, 1 << 20, FetchIsolation::high_watermark);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.slice.size, 0u) << "a consumer read what a crash could take back";
  EXPECT_FALSE(f.p->offset_for_timestamp(0, FetchIsolation::high_watermark));
  EXPECT_FALSE(f.p->max_timestamp(FetchIsolation::committed));
  EXPECT_GT(f.p->read(0, 1 << 20, FetchIsolation::log_end).value.slice.size, 0u);

  // acks=0 is answered at once, but still asks for the flush.
  auto silent = f.replicate(make_batch(1), 0);
  ASSERT_TRUE(silent);
  EXPECT_EQ(silent->base_offset, 3);
  EXPECT_EQ(f.flush_requests, 2);
}

TEST(PartitionDoor, RetryOfACommittedIdempotentBatchGetsItsOriginalOffsets) {
  Fixture f(/*flush_on_append=*/false);  // interval policy: committed when written
  auto first = f.replicate(idempotent_batch(2, 0), -1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->error, ErrorCode::none);
  auto again = f.replicate(idempotent_batch(2, 0), -1);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->error, ErrorCode::none);
  EXPECT_EQ(again->base_offset, first->base_offset);
  EXPECT_EQ(f.p->log_end_offset(), 2);
  auto gap = f.replicate(idempotent_batch(1, 5), -1);
  ASSERT_TRUE(gap);
  EXPECT_EQ(gap->error, ErrorCode::out_of_order_sequence_number);
  EXPECT_EQ(f.p->read_bound(FetchIsolation::high_watermark), 2);
  EXPECT_EQ(f.flush_requests, 0);
}

TEST(PartitionDoor, DeleteRecordsNeverPassesTheHighWatermark) {
  Fixture f(/*flush_on_append=*/true);
  (void)f.replicate(make_batch(4), 1);
  EXPECT_EQ(f.p->delete_records_before(2), storage::StorageErrc::offset_out_of_range);
  EXPECT_EQ(f.p->delete_records_before(-1), storage::StorageErrc::ok);  // = the HW, 0 here
  EXPECT_EQ(f.p->log_start_offset(), 0);
}

}  // namespace
}  // namespace sluice::broker
