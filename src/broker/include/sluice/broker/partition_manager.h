#pragma once
// Owns every partition of this node and the topic lifecycle. Each partition belongs to one shard
// (ShardSet) and lives in that shard's table; the control plane (the topic list, create, delete,
// add partitions, configs) runs on shard 0 and installs or removes partitions on their owners.
// It also drives group commit (at most one flush in flight per partition; the flusher batches
// every shard's tickets into one round) and retention. Request handlers ask this, never a file.
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sluice/broker/config.h"
#include "sluice/broker/partition.h"
#include "sluice/broker/shard_set.h"
#include "sluice/cluster/metadata_store.h"
#include "sluice/storage/flusher.h"

namespace sluice::broker {

class PartitionManager {
 public:
  PartitionManager(ShardSet& shards, std::filesystem::path data_dir, const ConfigSet& config,
                   cluster::MetadataStore& metadata);
  ~PartitionManager();

  // Opens every partition of every known topic (recovering logs) and starts the timers.
  // Throws std::runtime_error when a log cannot be opened.
  void start();
  // Flushes and closes every log cleanly.
  void stop();

  ShardSet& shards() { return shards_; }
  // The one log directory, absolute (DescribeLogDirs reports it).
  const std::filesystem::path& data_dir() const { return data_dir_; }
  // The shard that owns a partition. Internal topics live on the control shard, next to the
  // group coordinator that writes them.
  unsigned owner(const std::string& topic, int32_t partition) const;
  // The partition, looked up in the calling shard's table: null unless this shard owns it.
  std::shared_ptr<Partition> get(const std::string& topic, int32_t partition) const;

  // Control plane: called on shard 0 only.
  int32_t partition_count(const std::string& topic) const;
  int32_t leader_epoch(const std::string& topic, int32_t partition) const;
  ErrorCode create_topic(const cluster::TopicMetadata& t);
  ErrorCode delete_topic(const std::string& topic);
  ErrorCode add_partitions(const std::string& topic, int32_t total);
  ErrorCode set_topic_configs(const std::string& topic, std::map<std::string, std::string> configs);

  // Makes the partition's new appends durable soon (group commit). On the partition's owner.
  void schedule_flush(const std::shared_ptr<Partition>& p);
  bool flush_on_append() const { return flush_on_append_; }

  // Scatter-gather over owners: `work(i, partition, reply)` runs on the shard that owns keys[i]
  // (partition is null when no shard has it) and calls reply exactly once, on that shard, maybe
  // later. When every key has replied, `done(results)` runs on the calling shard, results in key
  // order. Keys owned by the calling shard run inline, so a request whose partitions are all
  // local never leaves its shard; each other shard gets one message there and one back. `work`
  // runs on several threads at once: it may only read what it shares.
  template <typename Result>
  using Reply = std::function<void(Result)>;
  template <typename Result>
  using Work = std::function<void(size_t, const std::shared_ptr<Partition>&, Reply<Result>)>;
  template <typename Result>
  using Done = std::function<void(std::vector<Result>)>;
  using Keys = std::shared_ptr<const std::vector<TopicPartition>>;
  // Keys are shared with the owners; a caller that scatters the same keys again (a fetch, each
  // round) keeps them and passes them as they are.
  template <typename Result>
  void for_each_owner(Keys keys, Work<Result> work, Done<Result> done);
  template <typename Result>
  void for_each_owner(std::vector<TopicPartition> keys, Work<Result> work, Done<Result> done) {
    for_each_owner<Result>(std::make_shared<const std::vector<TopicPartition>>(std::move(keys)),
                           std::move(work), std::move(done));
  }

 private:
  struct Table {  // one shard's partitions; touched only on that shard's thread
    std::unordered_map<std::string, std::vector<std::shared_ptr<Partition>>> topics;
    std::unique_ptr<asio::steady_timer> retention_timer;
    std::unique_ptr<asio::steady_timer> flush_timer;
  };
  struct TopicInfo {                     // the control plane's view of a topic
    std::vector<int32_t> leader_epochs;  // one per partition
  };

  storage::LogConfig log_config(const std::map<std::string, std::string>& overrides) const;
  TopicSettings topic_settings(const std::map<std::string, std::string>& overrides) const;
  std::shared_ptr<Partition> open_partition(const std::string& topic, int32_t index,
                                            const storage::LogConfig& cfg);
  // Opens partitions [from, to) of a topic and hands each to its owner's table.
  void open_partitions(const cluster::TopicMetadata& t, int32_t from, TopicInfo& info);
  void install(std::vector<std::shared_ptr<Partition>> parts);
  // Runs fn with each shard's table, on that shard, one after the other (control shard only).
  void on_every_shard(const std::function<void(Table&)>& fn);
  void start_flush(const std::shared_ptr<Partition>& p);
  void arm_retention_timer(Table& t);
  void arm_interval_flush_timer(Table& t);

  ShardSet& shards_;
  std::filesystem::path data_dir_;
  const ConfigSet& config_;
  cluster::MetadataStore& metadata_;
  bool flush_on_append_;
  std::map<std::string, TopicInfo> topics_;  // control shard only
  std::vector<Table> tables_;                // indexed by shard
  std::unique_ptr<storage::Flusher> flusher_;
  std::atomic<bool> stopped_ = false;
};

int64_t now_ms();

template <typename Result>
void PartitionManager::for_each_owner(Keys keys, Work<Result> work, Done<Result> done) {
  // Gathered on the calling shard only. `outstanding` counts shares still to come home, plus
  // one held while dispatching so that inline answers cannot finish the gather early.
  struct Gather {
    std::vector<Result> results;
    size_t outstanding = 1;
    Done<Result> done;
    void finish_one() {
      if (--outstanding != 0) return;
      // Moved out so that what `done` holds is released here, on the calling shard, whichever
      // thread drops the last reference to the gather.
      auto d = std::move(done);
      d(std::move(results));
    }
  };
  // One owner's keys; touched only on that owner until all of them have replied, then carried
  // home whole (one message per shard, not per partition).
  struct Share {
    std::vector<size_t> indices;
    std::vector<Result> results;
    size_t waiting = 0;
  };
  const unsigned origin = ShardSet::current();
  auto gather = std::make_shared<Gather>();
  gather->results.resize(keys->size());
  gather->done = std::move(done);
  std::vector<std::shared_ptr<Share>> shares(shards_.count());
  for (size_t i = 0; i < keys->size(); ++i) {
    auto& s = shares[owner((*keys)[i].topic, (*keys)[i].partition)];
    if (!s) s = std::make_shared<Share>();
    s->indices.push_back(i);
  }
  auto shared_work = std::make_shared<const Work<Result>>(std::move(work));
  for (unsigned shard = 0; shard < shares.size(); ++shard) {
    auto share = std::move(shares[shard]);
    if (!share) continue;
    ++gather->outstanding;
    auto run = [this, origin, share, gather, keys, shared_work] {
      share->results.resize(share->indices.size());
      share->waiting = share->indices.size() + 1;  // + 1 while dispatching
      auto arrive = [this, origin, share, gather] {
        if (--share->waiting != 0) return;
        auto deliver = [share, gather] {
          for (size_t j = 0; j < share->indices.size(); ++j)
            gather->results[share->indices[j]] = std::move(share->results[j]);
          gather->finish_one();
        };
        if (ShardSet::current() == origin)
          deliver();
        else
          shards_.post(origin, std::move(deliver));
      };
      for (size_t j = 0; j < share->indices.size(); ++j) {
        size_t i = share->indices[j];
        const auto& key = (*keys)[i];
        (*shared_work)(i, get(key.topic, key.partition), [share, j, arrive](Result r) {
          share->results[j] = std::move(r);
          arrive();
        });
      }
      arrive();
    };
    if (shard == origin)
      run();
    else
      shards_.post(shard, std::move(run));
  }
  gather->finish_one();
}

}  // namespace sluice::broker
