#pragma once
// Where cluster metadata lives: topics, their partition counts and config overrides, and the
// cluster id. Handlers and the partition manager go through this interface only, so the
// single-node file store and the etcd store of a cluster are interchangeable.
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::cluster {

using TopicId = std::array<uint8_t, 16>;

struct TopicMetadata {
  std::string name;
  TopicId id{};
  int32_t partitions = 0;
  int16_t replication_factor = 1;
  std::map<std::string, std::string> configs;  // overrides only
};

enum class MetadataErrc { ok, exists, not_found, io_error };

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;
  virtual std::string cluster_id() const = 0;
  virtual std::vector<TopicMetadata> topics() const = 0;
  virtual std::optional<TopicMetadata> topic(const std::string& name) const = 0;
  virtual MetadataErrc create_topic(const TopicMetadata& t) = 0;
  virtual MetadataErrc delete_topic(const std::string& name) = 0;
  // Replaces the partition count and/or config overrides of an existing topic.
  virtual MetadataErrc update_topic(const TopicMetadata& t) = 0;
};

// One node: metadata in <data-dir>/meta/topics.json, every change written crash-safely (temp
// file, fsync, rename, fsync of the directory) before the call returns. Throws
// std::runtime_error from the constructor when the file exists but cannot be read or parsed.
std::unique_ptr<MetadataStore> open_local_metadata_store(const std::filesystem::path& data_dir);

TopicId random_topic_id();

}  // namespace sluice::cluster
