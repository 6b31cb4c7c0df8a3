// What message passing between shards costs: one for_each_owner over a partition this shard owns
// (inline: no message at all) against one owned by another shard (a message there, a message
// back, and a wake-up of each loop). BENCHMARKS.md quotes the difference.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

#include "sluice/broker/config.h"
#include "sluice/broker/partition_manager.h"
#include "sluice/broker/shard_set.h"
#include "sluice/cluster/metadata_store.h"

namespace {

using namespace sluice::broker;

void BM_ForEachOwner(benchmark::State& state) {
  const bool remote = state.range(0) != 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("sluice-shards-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    ConfigSet config = load_broker_config(std::nullopt, {});
    auto meta = sluice::cluster::open_local_metadata_store(dir);
    ShardSet shards(2);
    PartitionManager pm(shards, dir, config, *meta);
    pm.start();
    sluice::cluster::TopicMetadata t;
    t.name = "t";
    t.partitions = 2;
    pm.create_topic(t);
    // This thread runs shard 0's loop; pick the partition this shard owns, or the other one.
    int32_t p = (pm.owner("t", 0) == 0) != remote ? 0 : 1;
    std::vector<TopicPartition> keys{{"t", p}};
    auto& io = shards.io(0);
    for (auto _ : state) {
      bool done = false;
      pm.for_each_owner<int64_t>(
          keys,
          [](size_t, const std::shared_ptr<Partition>& part, PartitionManager::Reply<int64_t> r) {
            r(part->log_end_offset());
          },
          [&](std::vector<int64_t> ends) {
            benchmark::DoNotOptimize(ends);
            done = true;
          });
      while (!done) io.run_one();
    }
    pm.stop();
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ForEachOwner)->Arg(0)->Arg(1)->ArgNames({"remote"})->UseRealTime();

}  // namespace
