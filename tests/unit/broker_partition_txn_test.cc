// The partition's half of transactions: transactional batches only from producers the
// coordinator allowed (KIP-890 verification), the last stable offset held back by an open
// transaction, and markers that move it, wake fetches and become durable like acks=-1 writes.
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
  std::optional<Partition::Appended> replicate(const std::string& batch) {
    auto buf = bytes_of(batch);
    auto got = std::make_shared<std::optional<Partition::Appended>>();
    p->replicate(buf, -1, 1000, [got](const Partition::Appended& a) { *got = a; });
    return *got;  // nullopt while not yet committed
  }
  // nullopt while the marker is not yet committed.
  std::shared_ptr<std::optional<ErrorCode>> write_marker(int64_t pid, int16_t epoch, bool commit) {
    auto got = std::make_shared<std::optional<ErrorCode>>();
    p->write_marker(pid, epoch, commit, 0, 2000, [got](ErrorCode e) { *got = e; });
    return got;
  }
  void flush() { p->on_flushed(p->log_end_offset(), true); }
};

std::string txn_batch(int records, int64_t pid, int16_t epoch, int32_t seq) {
  std::string b = make_batch(records);
  auto* q = reinterpret_cast<uint8_t*>(b.data());
  protocol::store_be<int16_t>(q + 21, 0x10);
  protocol::store_be<int64_t>(q + 43, pid);
  protocol::store_be<int16_t>(q + 51, epoch);
  protocol::store_be<int32_t>(q + 53, seq);
  protocol::store_be<uint32_t>(q + 17, protocol::crc32c({q + 21, b.size() - 21}));
  return b;
}

TEST(PartitionTxn, TransactionalBatchNeedsTheCoordinatorsAllowance) {
  Fixture f(/*flush_on_append=*/false);
  auto refused = f.replicate(txn_batch(1, 7, 2, 0));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->error, ErrorCode::invalid_txn_state);
  EXPECT_EQ(f.p->log_end_offset(), 0);

  f.p->allow_transactional(7, 3);
  auto stale = f.replicate(txn_batch(1, 7, 2, 0));
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->error, ErrorCode::invalid_producer_epoch) << "allowed for a newer epoch";

  auto ok = f.replicate(txn_batch(2, 7, 3, 0));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->error, ErrorCode::none);
  EXPECT_EQ(ok->base_offset, 0);
  // Other producers' and plain batches are not affected.
  EXPECT_EQ(f.replicate(txn_batch(1, 8, 0, 0))->error, ErrorCode::invalid_txn_state);
  EXPECT_EQ(f.replicate(make_batch(1))->error, ErrorCode::none);
}

TEST(PartitionTxn, OpenTransactionHoldsTheLastStableOffsetBelowTheHighWatermark) {
  Fixture f(/*flush_on_append=*/false);
  ASSERT_EQ(f.replicate(make_batch(2))->error, ErrorCode::none);  // 0..1
  f.p->allow_transactional(7, 0);
  ASSERT_EQ(f.replicate(txn_batch(3, 7, 0, 0))->error, ErrorCode::none);  // 2..4
  ASSERT_EQ(f.replicate(make_batch(1))->error, ErrorCode::none);          // 5
  EXPECT_EQ(f.p->high_watermark(), 6);
  EXPECT_EQ(f.p->last_stable_offset(), 2);
  EXPECT_EQ(f.p->read_bound(FetchIsolation::committed), 2);
  EXPECT_EQ(f.p->read_bound(FetchIsolation::high_watermark), 6);
  auto r = f.p->read(2, 1 << 20, FetchIsolation::committed);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value.slice.size, 0u) << "read_committed read into an open transaction";

  bool woken = false;
  f.p->add_listener([&] { woken = true; });
  auto done = f.write_marker(7, 0, /*commit=*/false);
  ASSERT_TRUE(*done);
  EXPECT_EQ(**done, ErrorCode::none);
  EXPECT_TRUE(woken) << "a fetch waiting on the last stable offset was not woken";
  EXPECT_EQ(f.p->last_stable_offset(), 7);
  EXPECT_EQ(f.p->aborted_transactions(0, 7), (std::vector<storage::AbortedTxn>{{7, 2}}));
  EXPECT_TRUE(f.p->aborted_transactions(0, 2).empty());

  // The marker ended the allowance: the next transaction needs a new one.
  EXPECT_EQ(f.replicate(txn_batch(1, 7, 0, 3))->error, ErrorCode::invalid_txn_state);
}

// With log.flush.policy=always the marker is acknowledged once durable, like an acks=-1 write,
// and the last stable offset never passes the high watermark.
TEST(PartitionTxn, MarkerIsAcknowledgedOnceDurable) {
  Fixture f(/*flush_on_append=*/true);
  f.p->allow_transactional(7, 0);
  auto w = f.replicate(txn_batch(2, 7, 0, 0));
  EXPECT_FALSE(w);
  f.flush();
  EXPECT_EQ(f.p->high_watermark(), 2);
  EXPECT_EQ(f.p->last_stable_offset(), 0);
  auto done = f.write_marker(7, 0, /*commit=*/true);
  EXPECT_FALSE(*done) << "acknowledged before it was durable";
  EXPECT_EQ(f.flush_requests, 2);
  EXPECT_EQ(f.p->last_stable_offset(), 2) << "bounded by the high watermark";
  f.flush();
  ASSERT_TRUE(*done);
  EXPECT_EQ(**done, ErrorCode::none);
  EXPECT_EQ(f.p->last_stable_offset(), 3);
  EXPECT_EQ(f.p->high_watermark(), 3);
}

TEST(PartitionTxn, MarkerOfAFencedEpochIsRefused) {
  Fixture f(/*flush_on_append=*/false);
  f.p->allow_transactional(7, 5);
  ASSERT_EQ(f.replicate(txn_batch(1, 7, 5, 0))->error, ErrorCode::none);
  auto done = f.write_marker(7, 4, /*commit=*/true);
  ASSERT_TRUE(*done);
  EXPECT_EQ(**done, ErrorCode::invalid_producer_epoch);
  EXPECT_EQ(f.p->log_end_offset(), 1);
  EXPECT_EQ(f.p->last_stable_offset(), 0) << "the transaction is still open";
}

}  // namespace
}  // namespace sluice::broker
