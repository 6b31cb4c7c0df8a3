// DescribeLogDirs: the one log directory (the data dir) with the size of every partition in it,
// each read on the partition's owner, and the volume's total and usable bytes. As in Kafka,
// requested partitions this broker does not have are left out rather than answered with an
// error, and a partition's offset lag is max(high watermark - log end, 0): 0 on a leader.
#include <sys/statvfs.h>

#include <filesystem>
#include <memory>

#include "handlers/handlers.h"
#include "sluice/protocol/messages/describe_log_dirs.h"

namespace sluice::broker {

using protocol::DescribeLogDirsResponse;

namespace {

struct PartitionSize {
  bool exists = false;
  int64_t bytes = 0;
  int64_t offset_lag = 0;
};

// Runs on the partition's owner.
PartitionSize measure(const Partition* p) {
  if (!p) return {};
  return {true, p->size_bytes(), std::max<int64_t>(0, p->high_watermark() - p->log_end_offset())};
}

// The request's partitions, or every partition of every topic when it names none (null).
std::vector<TopicPartition> wanted(Broker& broker, const protocol::DescribeLogDirsRequest& req) {
  std::vector<TopicPartition> keys;
  if (!req.topics) {
    for (const auto& t : broker.metadata().topics())
      for (int32_t p = 0; p < t.partitions; ++p) keys.push_back({t.name, p});
    return keys;
  }
  for (const auto& t : *req.topics)
    for (int32_t p : t.partitions) keys.push_back({t.topic, p});
  return keys;
}

}  // namespace

SLUICE_HANDLER(DescribeLogDirs) {
  DescribeLogDirsResponse::DescribeLogDirsResult dir;
  std::error_code ec;
  const auto path = std::filesystem::absolute(broker.partitions().data_dir(), ec);
  dir.log_dir = (ec ? broker.partitions().data_dir() : path).string();
  struct statvfs vfs {};
  if (::statvfs(dir.log_dir.c_str(), &vfs) == 0) {
    dir.total_bytes = static_cast<int64_t>(vfs.f_blocks) * static_cast<int64_t>(vfs.f_frsize);
    dir.usable_bytes = static_cast<int64_t>(vfs.f_bavail) * static_cast<int64_t>(vfs.f_frsize);
  }
  auto keys = std::make_shared<const std::vector<TopicPartition>>(wanted(broker, req));
  broker.partitions().for_each_owner<PartitionSize>(
      keys,
      [](size_t, const std::shared_ptr<Partition>& p,
         PartitionManager::Reply<PartitionSize> reply) { reply(measure(p.get())); },
      [keys, dir = std::move(dir),
       respond = std::move(respond)](std::vector<PartitionSize> sizes) mutable {
        for (size_t i = 0; i < keys->size(); ++i) {
          if (!sizes[i].exists) continue;
          const auto& [topic, partition] = (*keys)[i];
          if (dir.topics.empty() || dir.topics.back().name != topic)
            dir.topics.emplace_back().name = topic;
          auto& pr = dir.topics.back().partitions.emplace_back();
          pr.partition_index = partition;
          pr.partition_size = sizes[i].bytes;
          pr.offset_lag = sizes[i].offset_lag;
        }
        DescribeLogDirsResponse resp;
        resp.results.push_back(std::move(dir));
        respond(std::move(resp));
      });
}

}  // namespace sluice::broker
