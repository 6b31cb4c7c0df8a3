#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>

#include "sluice/cluster/metadata_store.h"

namespace sluice::cluster {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string to_hex(const TopicId& id) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t b : id) {
    s.push_back(d[b >> 4]);
    s.push_back(d[b & 15]);
  }
  return s;
}

TopicId from_hex(const std::string& s) {
  TopicId id{};
  for (size_t i = 0; i < id.size() && 2 * i + 1 < s.size(); ++i)
    id[i] = static_cast<uint8_t>(std::stoi(s.substr(2 * i, 2), nullptr, 16));
  return id;
}

bool fsync_path(const fs::path& p, int flags) {
  int fd = ::open(p.c_str(), flags);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

class LocalMetadataStore final : public MetadataStore {
 public:
  explicit LocalMetadataStore(const fs::path& data_dir) : dir_(data_dir / "meta") {
    fs::create_directories(dir_);
    fs::remove(dir_ / "topics.json.tmp");
    if (fs::exists(file())) {
      load();
    } else {
      TopicId id = random_topic_id();
      cluster_id_ = to_hex(id).substr(0, 22);
      if (!save()) throw std::runtime_error("cannot write " + file().string());
    }
  }

  std::string cluster_id() const override { return cluster_id_; }

  std::vector<TopicMetadata> topics() const override {
    std::vector<TopicMetadata> v;
    for (const auto& [_, t] : topics_) v.push_back(t);
    return v;
  }

  std::optional<TopicMetadata> topic(const std::string& name) const override {
    auto it = topics_.find(name);
    if (it == topics_.end()) return std::nullopt;
    return it->second;
  }

  MetadataErrc create_topic(const TopicMetadata& t) override {
    if (topics_.count(t.name)) return MetadataErrc::exists;
    topics_[t.name] = t;
    if (save()) return MetadataErrc::ok;
    topics_.erase(t.name);
    return MetadataErrc::io_error;
  }

  MetadataErrc delete_topic(const std::string& name) override {
    auto it = topics_.find(name);
    if (it == topics_.end()) return MetadataErrc::not_found;
    TopicMetadata old = it->second;
    topics_.erase(it);
    if (save()) return MetadataErrc::ok;
    topics_[name] = old;
    return MetadataErrc::io_error;
  }

  MetadataErrc update_topic(const TopicMetadata& t) override {
    auto it = topics_.find(t.name);
    if (it == topics_.end()) return MetadataErrc::not_found;
    TopicMetadata old = it->second;
    it->second = t;
    if (save()) return MetadataErrc::ok;
    topics_[t.name] = old;
    return MetadataErrc::io_error;
  }

 private:
  fs::path file() const { return dir_ / "topics.json"; }

  void load() {
    std::ifstream in(file());
    std::stringstream ss;
    ss << in.rdbuf();
    json j = json::parse(ss.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("version", 0) != 1)
      throw std::runtime_error(file().string() + " is not a valid Sluice metadata file");
    try {
      cluster_id_ = j.at("cluster_id").get<std::string>();
      for (const auto& jt : j.at("topics")) {
        TopicMetadata t;
        t.name = jt.at("name").get<std::string>();
        t.id = from_hex(jt.at("id").get<std::string>());
        t.partitions = jt.at("partitions").get<int32_t>();
        t.replication_factor = jt.at("replication_factor").get<int16_t>();
        t.configs = jt.at("configs").get<std::map<std::string, std::string>>();
        topics_[t.name] = t;
      }
    } catch (const json::exception& e) {
      throw std::runtime_error(file().string() + ": " + e.what());
    }
  }

  // The whole state goes to a temp file that replaces the old one atomically, so a crash
  // leaves either the old or the new metadata, never a mix.
  bool save() const {
    json j;
    j["version"] = 1;
    j["cluster_id"] = cluster_id_;
    j["topics"] = json::array();
    for (const auto& [_, t] : topics_) {
      j["topics"].push_back({{"name", t.name},
                             {"id", to_hex(t.id)},
                             {"partitions", t.partitions},
                             {"replication_factor", t.replication_factor},
                             {"configs", t.configs}});
    }
    fs::path tmp = dir_ / "topics.json.tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << j.dump(2) << '\n';
      if (!out.flush()) return false;
    }
    if (!fsync_path(tmp, O_RDONLY)) return false;
    std::error_code ec;
    fs::rename(tmp, file(), ec);
    if (ec) return false;
    return fsync_path(dir_, O_RDONLY | O_DIRECTORY);
  }

  fs::path dir_;
  std::string cluster_id_;
  std::map<std::string, TopicMetadata> topics_;
};

}  // namespace

TopicId random_topic_id() {
  static std::random_device rd;
  static std::mt19937_64 gen(rd());
  TopicId id;
  for (auto& b : id) b = static_cast<uint8_t>(gen());
  return id;
}

std::unique_ptr<MetadataStore> open_local_metadata_store(const fs::path& data_dir) {
  return std::make_unique<LocalMetadataStore>(data_dir);
}

}  // namespace sluice::cluster
