// Core-per-shard: every partition lives on exactly one shard and is touched only by that
// shard's thread; requests reach it by message passing and gather the answers on their own
// shard. Run under ThreadSanitizer too (scripts/test.sh).
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <atomic>
#include <filesystem>
#include <set>
#include <thread>
#include <vector>

#include "sluice/broker/config.h"
#include "sluice/broker/partition_manager.h"
#include "sluice/broker/shard_set.h"
#include "sluice/cluster/metadata_store.h"
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
  Fixture() {
    pm.start();
    EXPECT_EQ(pm.create_topic(topic("t", kPartitions)), ErrorCode::none);
  }
  ~Fixture() {
    pm.stop();
    shards.stop();
  }
  static cluster::TopicMetadata topic(const std::string& name, int32_t partitions) {
    cluster::TopicMetadata t;
    t.name = name;
    t.partitions = partitions;
    return t;
  }
  std::vector<TopicPartition> all_keys() const {
    std::vector<TopicPartition> keys;
    for (int32_t i = 0; i < kPartitions; ++i) keys.push_back({"t", i});
    return keys;
  }
  // Runs the control shard's loop until `flag` is set (or 10 s have passed).
  void run_until(const bool& flag) {
    for (int i = 0; i < 2000 && !flag; ++i) io.run_for(std::chrono::milliseconds(5));
  }
};

TEST(Shards, PartitionsSpreadOverEveryShardAndLiveOnlyInTheirOwnersTable) {
  Fixture f;
  std::set<unsigned> owners;
  for (int32_t i = 0; i < kPartitions; ++i) {
    unsigned o = f.pm.owner("t", i);
    ASSERT_LT(o, kShards);
    owners.insert(o);
    // This thread is shard 0: it finds only the partitions shard 0 owns.
    EXPECT_EQ(f.pm.get("t", i) != nullptr, o == 0) << "partition " << i;
  }
  EXPECT_EQ(owners.size(), kShards);
  // Internal topics stay on the control shard, beside the group coordinator.
  for (int32_t i = 0; i < 10; ++i) EXPECT_EQ(f.pm.owner("__consumer_offsets", i), 0u);
}

TEST(Shards, WorkRunsOnTheOwnerAndAnswersComeBackInKeyOrder) {
  Fixture f;
  struct Seen {
    unsigned shard = 99;
    int32_t partition = -1;
    int64_t base_offset = -1;
    ErrorCode error = ErrorCode::none;
  };
  auto keys = f.all_keys();
  keys.push_back({"t", kPartitions});  // no such partition
  keys.push_back({"nope", 0});         // no such topic
  std::vector<Seen> got;
  bool done = false;
  f.pm.for_each_owner<Seen>(
      keys,
      [&pm = f.pm](size_t, const std::shared_ptr<Partition>& p,
                   PartitionManager::Reply<Seen> reply) {
        Seen s{ShardSet::current()};
        if (!p) {
          s.error = ErrorCode::unknown_topic_or_partition;
          return reply(s);
        }
        s.partition = p->id().partition;
        auto buf = bytes_of(make_batch(3));
        auto r = p->append(buf, 1000, false);
        if (!r.ok()) return reply({s.shard, s.partition, -1, ErrorCode::kafka_storage_error});
        s.base_offset = r.value.base_offset;
        pm.schedule_flush(p);
        // Answers only once durable: the reply comes later, from the flush completion.
        p->wait_durable(r.value.last_offset + 1, [s, reply](ErrorCode e) mutable {
          s.error = e;
          reply(s);
        });
      },
      [&](std::vector<Seen> results) {
        EXPECT_EQ(ShardSet::current(), 0u);  // gathered where it started
        got = std::move(results);
        done = true;
      });
  f.run_until(done);
  ASSERT_TRUE(done);
  ASSERT_EQ(got.size(), keys.size());
  for (int32_t i = 0; i < kPartitions; ++i) {
    EXPECT_EQ(got[i].error, ErrorCode::none);
    EXPECT_EQ(got[i].partition, i);
    EXPECT_EQ(got[i].shard, f.pm.owner("t", i));
    EXPECT_EQ(got[i].base_offset, 0);
  }
  EXPECT_EQ(got[kPartitions].error, ErrorCode::unknown_topic_or_partition);
  EXPECT_EQ(got[kPartitions + 1].error, ErrorCode::unknown_topic_or_partition);
}

// Appends one record to every partition, `left` times over, one scatter after another, from
// whichever shard calls it; counts answers that arrive on the wrong shard or failed.
void append_rounds(Fixture& f, int left, std::atomic<int>& finished, std::atomic<int>& wrong) {
  if (left == 0) {
    ++finished;
    return;
  }
  const unsigned home = ShardSet::current();
  f.pm.for_each_owner<int64_t>(
      f.all_keys(),
      [&pm = f.pm](size_t, const std::shared_ptr<Partition>& p,
                   PartitionManager::Reply<int64_t> reply) {
        auto buf = bytes_of(make_batch(1));
        auto r = p->append(buf, 1000, false);
        pm.schedule_flush(p);
        reply(r.ok() ? r.value.base_offset : -1);
      },
      [&f, left, home, &finished, &wrong](std::vector<int64_t> offsets) {
        if (ShardSet::current() != home) ++wrong;
        for (auto o : offsets)
          if (o < 0) ++wrong;
        append_rounds(f, left - 1, finished, wrong);
      });
}

TEST(Shards, ManyConcurrentScattersFromEveryShardAllComplete) {
  Fixture f;
  // Each shard runs rounds of appends to every partition at once, so that owners serve several
  // origins concurrently and replies cross in both directions.
  constexpr int kRounds = 40;
  std::atomic<int> finished = 0;
  std::atomic<int> wrong = 0;
  for (unsigned s = 0; s < kShards; ++s)
    f.shards.post(s, [&] { append_rounds(f, kRounds, finished, wrong); });
  bool all = false;
  for (int i = 0; i < 2000 && !all; ++i) {
    f.io.run_for(std::chrono::milliseconds(5));
    all = finished == static_cast<int>(kShards);
  }
  EXPECT_TRUE(all);
  EXPECT_EQ(wrong, 0);
  // Every append landed exactly once: each partition holds one record per round per shard.
  std::vector<int64_t> ends;
  bool read = false;
  f.pm.for_each_owner<int64_t>(
      f.all_keys(),
      [](size_t, const std::shared_ptr<Partition>& p, PartitionManager::Reply<int64_t> reply) {
        reply(p->log_end_offset());
      },
      [&](std::vector<int64_t> r) {
        ends = std::move(r);
        read = true;
      });
  f.run_until(read);
  ASSERT_EQ(ends.size(), static_cast<size_t>(kPartitions));
  for (auto e : ends) EXPECT_EQ(e, kRounds * static_cast<int64_t>(kShards));
}

TEST(Shards, DeletedTopicIsGoneFromItsOwnersBeforeDeleteReturns) {
  Fixture f;
  bool appended = false;
  f.pm.for_each_owner<bool>(
      f.all_keys(),
      [](size_t, const std::shared_ptr<Partition>& p, PartitionManager::Reply<bool> reply) {
        auto buf = bytes_of(make_batch(5));
        reply(p->append(buf, 1000, false).ok());
      },
      [&](std::vector<bool>) { appended = true; });
  f.run_until(appended);
  ASSERT_EQ(f.pm.delete_topic("t"), ErrorCode::none);
  for (int32_t i = 0; i < kPartitions; ++i)
    EXPECT_FALSE(std::filesystem::exists(f.dir.path() / ("t-" + std::to_string(i))));
  // A topic of the same name starts empty on every owner.
  ASSERT_EQ(f.pm.create_topic(Fixture::topic("t", kPartitions)), ErrorCode::none);
  std::vector<int64_t> ends;
  bool read = false;
  f.pm.for_each_owner<int64_t>(
      f.all_keys(),
      [](size_t, const std::shared_ptr<Partition>& p, PartitionManager::Reply<int64_t> reply) {
        reply(p ? p->log_end_offset() : -1);
      },
      [&](std::vector<int64_t> r) {
        ends = std::move(r);
        read = true;
      });
  f.run_until(read);
  EXPECT_EQ(ends, std::vector<int64_t>(kPartitions, 0));
}

TEST(Shards, ConfigChangesReachEveryOwner) {
  Fixture f;
  ASSERT_EQ(f.pm.set_topic_configs(
                "t", {{"max.message.bytes", "12345"}, {"message.timestamp.type", "LogAppendTime"}}),
            ErrorCode::none);
  std::vector<int32_t> limits;
  bool read = false;
  f.pm.for_each_owner<int32_t>(
      f.all_keys(),
      [](size_t, const std::shared_ptr<Partition>& p, PartitionManager::Reply<int32_t> reply) {
        reply(p->settings().log_append_time ? p->settings().max_message_bytes : -1);
      },
      [&](std::vector<int32_t> r) {
        limits = std::move(r);
        read = true;
      });
  f.run_until(read);
  EXPECT_EQ(limits, std::vector<int32_t>(kPartitions, 12345));
}

}  // namespace
}  // namespace sluice::broker
