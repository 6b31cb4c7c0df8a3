// Group commit in PartitionManager (log.flush.policy=always): every acknowledged append becomes
// durable, waiters complete in offset order, and the high watermark reaches the log end, while
// appends keep arriving during flush rounds of several partitions.
#include <gtest/gtest.h>

#include <algorithm>
#include <asio/io_context.hpp>
#include <random>
#include <vector>

#include "sluice/broker/config.h"
#include "sluice/broker/partition_manager.h"
#include "sluice/cluster/metadata_store.h"
#include "storage_test_util.h"

namespace sluice::broker {
namespace {

using storage::testing::bytes_of;
using storage::testing::make_batch;
using storage::testing::TempDir;

struct Fixture {
  TempDir dir;
  ConfigSet config = load_broker_config(std::nullopt, {"log.flush.policy=always"});
  std::unique_ptr<cluster::MetadataStore> meta = cluster::open_local_metadata_store(dir.path());
  ShardSet shards{1};
  asio::io_context& io = shards.io(0);
  PartitionManager pm{shards, dir.path(), config, *meta};
  Fixture() {
    pm.start();
    cluster::TopicMetadata t;
    t.name = "t";
    t.partitions = 3;
    EXPECT_EQ(pm.create_topic(t), ErrorCode::none);
  }
  ~Fixture() { pm.stop(); }
};

TEST(GroupCommit, EveryAppendBecomesDurableInOrder) {
  // Declared before the fixture: waiters still pending when it is destroyed are called then.
  std::vector<int64_t> completed;  // end offsets of partition 0's waiters, in completion order
  int done = 0, waiting = 0;
  Fixture f;
  std::mt19937 rng(3);
  for (int round = 0; round < 200; ++round) {
    const int32_t index = static_cast<int32_t>(rng() % 3);
    auto p = f.pm.get("t", index);
    auto buf = bytes_of(make_batch(1 + static_cast<int>(rng() % 4)));
    auto r = p->append(buf, 1000, false);
    ASSERT_TRUE(r.ok());
    f.pm.schedule_flush(p);
    ++waiting;
    const int64_t end = r.value.last_offset + 1;
    // Nothing is durable before its flush round has completed on this thread.
    EXPECT_LT(p->high_watermark(), end);
    p->wait_durable(end, [&, end, index](ErrorCode e) {
      EXPECT_EQ(e, ErrorCode::none);
      ++done;
      if (index == 0) completed.push_back(end);
    });
    // Let completions through now and then, so that appends meet rounds in flight.
    if (rng() % 4 == 0) f.io.poll();
  }
  for (int i = 0; i < 2000 && done < waiting; ++i) f.io.run_for(std::chrono::milliseconds(5));
  EXPECT_EQ(done, waiting);
  EXPECT_TRUE(std::is_sorted(completed.begin(), completed.end()));
  for (int32_t i = 0; i < 3; ++i) {
    auto p = f.pm.get("t", i);
    EXPECT_EQ(p->high_watermark(), p->log_end_offset()) << "partition " << i;
    EXPECT_FALSE(p->flush_in_flight);
  }
}

}  // namespace
}  // namespace sluice::broker
