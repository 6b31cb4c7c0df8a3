// Long-poll fetches leave one-shot listeners on the partitions that had nothing for them. Each
// fetch must take its listeners back when it completes (timeout or data), or an idle partition
// collects one per fetch round until its high watermark moves: unbounded memory under idle
// consumers. Partitions spread over several shards, so the take-back crosses shards too.
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <chrono>
#include <vector>

#include "handlers/handlers.h"
#include "sluice/broker/broker.h"
#include "sluice/broker/config.h"
#include "sluice/broker/consumer_offsets_log.h"
#include "sluice/broker/partition_manager.h"
#include "sluice/broker/shard_set.h"
#include "sluice/broker/transaction_partitions.h"
#include "sluice/broker/transaction_state_log.h"
#include "sluice/cluster/metadata_store.h"
#include "sluice/group/group_coordinator.h"
#include "sluice/protocol/messages/fetch.h"
#include "storage_test_util.h"

namespace sluice::broker {
namespace {

using storage::testing::bytes_of;
using storage::testing::make_batch;
using storage::testing::TempDir;

constexpr unsigned kShards = 3;
constexpr int32_t kPartitions = 7;

struct Fixture {
  TempDir dir;
  ConfigSet config = load_broker_config(std::nullopt, {"log.flush.policy=always"});
  std::unique_ptr<cluster::MetadataStore> meta = cluster::open_local_metadata_store(dir.path());
  ShardSet shards{kShards};
  asio::io_context& io = shards.io(0);
  PartitionManager pm{shards, dir.path(), config, *meta};
  ConsumerOffsetsLog offsets{pm, 1};
  group::GroupCoordinator groups{io, offsets, {}, [](const std::string&, int32_t) { return true; }};
  txn::ProducerIdManager producer_ids{dir.path()};
  TransactionStateLog txn_log{pm, 1};
  TransactionPartitions txn_partitions{pm, groups};
  txn::TransactionCoordinator txns{io,
                                   txn_log,
                                   txn_partitions,
                                   [this] { return producer_ids.next(); },
                                   [](const std::string&) { return std::nullopt; },
                                   [](const txn::TxnPartition&) { return false; },
                                   {},
                                   [] { return now_ms(); }};
  Broker broker{config, NodeInfo{0, "127.0.0.1", 9092}, *meta, pm, groups, producer_ids, txns};

  Fixture() {
    pm.start();
    cluster::TopicMetadata t;
    t.name = "idle";
    t.partitions = kPartitions;
    EXPECT_EQ(pm.create_topic(t), ErrorCode::none);
  }
  ~Fixture() {
    groups.stop();
    pm.stop();
    shards.stop();
  }

  // A fetch of every partition at the log end (nothing to read), as an idle consumer sends.
  static protocol::FetchRequest idle_fetch(int32_t max_wait_ms) {
    protocol::FetchRequest req;
    req.max_wait_ms = max_wait_ms;
    req.min_bytes = 1;
    req.max_bytes = 1 << 20;
    auto& t = req.topics.emplace_back();
    t.topic = "idle";
    for (int32_t i = 0; i < kPartitions; ++i) t.partitions.push_back({i, -1, 0, -1, -1, 1 << 20});
    return req;
  }

  // Starts a fetch on the control shard; `answered` is set when its response arrives.
  void fetch(protocol::FetchRequest req, bool& answered) {
    RequestContext ctx;
    ctx.api_version = 4;
    handle_Fetch(broker, ctx, req, [&answered](protocol::FetchResponse&&) { answered = true; });
  }

  // Listeners left on each partition, read on each partition's owner.
  std::vector<size_t> listener_counts() {
    std::vector<TopicPartition> keys;
    for (int32_t i = 0; i < kPartitions; ++i) keys.push_back({"idle", i});
    std::vector<size_t> counts;
    bool read = false;
    pm.for_each_owner<size_t>(
        keys,
        [](size_t, const std::shared_ptr<Partition>& p, PartitionManager::Reply<size_t> reply) {
          reply(p->listener_count());
        },
        [&](std::vector<size_t> r) {
          counts = std::move(r);
          read = true;
        });
    run_until(read);
    return counts;
  }

  // Runs the control shard until every partition has no listener left (or 2 s have passed).
  std::vector<size_t> counts_after_settling() {
    auto counts = listener_counts();
    for (int i = 0; i < 400 && counts != std::vector<size_t>(kPartitions, 0); ++i) {
      io.run_for(std::chrono::milliseconds(5));
      counts = listener_counts();
    }
    return counts;
  }

  void run_until(const bool& flag) {
    for (int i = 0; i < 2000 && !flag; ++i) io.run_for(std::chrono::milliseconds(5));
  }
};

TEST(FetchListeners, TimedOutFetchesLeaveNoListenersOnIdlePartitions) {
  Fixture f;
  // Several idle consumers polling at once, several rounds each: before the fix every round
  // left one listener per partition (kFetches * kRounds of them on each).
  constexpr int kFetches = 4;
  constexpr int kRounds = 5;
  for (int round = 0; round < kRounds; ++round) {
    bool answered[kFetches] = {};
    for (int i = 0; i < kFetches; ++i) f.fetch(Fixture::idle_fetch(10), answered[i]);
    for (int i = 0; i < kFetches; ++i) {
      f.run_until(answered[i]);
      ASSERT_TRUE(answered[i]) << "round " << round << " fetch " << i;
    }
  }
  EXPECT_EQ(f.counts_after_settling(), std::vector<size_t>(kPartitions, 0));
}

TEST(FetchListeners, FetchWokenByDataTakesBackItsOtherListeners) {
  Fixture f;
  bool answered = false;
  f.fetch(Fixture::idle_fetch(10000), answered);
  // Wait until the first round has left its listeners, then append to one partition.
  for (int i = 0; i < 400 && f.listener_counts() != std::vector<size_t>(kPartitions, 1); ++i)
    f.io.run_for(std::chrono::milliseconds(5));
  ASSERT_EQ(f.listener_counts(), std::vector<size_t>(kPartitions, 1));
  const int32_t woken = 3;
  bool appended = false;
  f.pm.for_each_owner<bool>(
      std::vector<TopicPartition>{{"idle", woken}},
      [&pm = f.pm](size_t, const std::shared_ptr<Partition>& p, PartitionManager::Reply<bool> r) {
        auto buf = bytes_of(make_batch(1));
        bool ok = p->append(buf, 1000, false).ok();
        pm.schedule_flush(p);
        r(ok);
      },
      [&](std::vector<bool>) { appended = true; });
  f.run_until(appended);
  // The data answers the fetch long before its 10 s wait is over...
  auto start = std::chrono::steady_clock::now();
  f.run_until(answered);
  ASSERT_TRUE(answered);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // ...and the partitions that never moved hold nothing for it any more.
  EXPECT_EQ(f.counts_after_settling(), std::vector<size_t>(kPartitions, 0));
}

}  // namespace
}  // namespace sluice::broker
