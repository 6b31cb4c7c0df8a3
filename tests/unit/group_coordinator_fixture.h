#pragma once
// A GroupCoordinator over an in-memory __consumer_offsets (topic "t" has partitions 0..2), with
// one call per request the tests send. Single-threaded: the test thread owns it.
#include <asio/io_context.hpp>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "group_test_util.h"
#include "sluice/group/group_coordinator.h"
#include "sluice/protocol/messages/all.h"

namespace sluice::group::testing {

inline constexpr int64_t kProducer = 4000;
inline constexpr int16_t kEpoch = 3;

inline GroupConfig test_config() {
  GroupConfig c;
  c.initial_rebalance_delay_ms = 0;
  c.offset_metadata_max_bytes = 16;
  return c;
}

struct Fixture {
  asio::io_context io;
  MemoryOffsetsLog log{4};
  std::set<std::string> topics{"t"};  // each with partitions 0..2; a test may delete one
  std::unique_ptr<GroupCoordinator> coord = make();

  std::unique_ptr<GroupCoordinator> make() {
    auto c = std::make_unique<GroupCoordinator>(
        io, log, test_config(), [this](const std::string& topic, int32_t partition) {
          return topics.count(topic) && partition >= 0 && partition < 3;
        });
    c->load();
    return c;
  }
  // A second coordinator over the same log, as after a restart.
  void restart() {
    coord->stop();
    coord = make();
  }

  int32_t partition_of(const std::string& group) const { return coord->partition_for(group); }

  // TxnOffsetCommit of {partition -> offset} on topic "t"; the error code per partition.
  std::map<int32_t, int16_t> txn_commit(const std::string& group,
                                        const std::map<int32_t, int64_t>& offsets,
                                        int64_t producer_id = kProducer, int16_t version = 3,
                                        int32_t generation = -1, std::string member = "",
                                        std::optional<std::string> instance = std::nullopt,
                                        std::string topic = "t", std::string metadata = "m") {
    protocol::TxnOffsetCommitRequest req;
    req.transactional_id = "tx";
    req.group_id = group;
    req.producer_id = producer_id;
    req.producer_epoch = kEpoch;
    req.generation_id = generation;
    req.member_id = std::move(member);
    req.group_instance_id = std::move(instance);
    auto& t = req.topics.emplace_back();
    t.name = std::move(topic);
    for (auto [p, off] : offsets) t.partitions.push_back({p, off, 7, metadata});
    std::map<int32_t, int16_t> errors;
    bool answered = false;
    coord->txn_commit(req, version, [&](protocol::TxnOffsetCommitResponse&& resp) {
      answered = true;
      for (const auto& tr : resp.topics)
        for (const auto& pr : tr.partitions) errors[pr.partition_index] = pr.error_code;
    });
    EXPECT_TRUE(answered);
    return errors;
  }

  void plain_commit(const std::string& group, int32_t partition, int64_t offset,
                    const std::string& topic = "t") {
    protocol::OffsetCommitRequest req;
    req.group_id = group;
    auto& t = req.topics.emplace_back();
    t.name = topic;
    t.partitions.push_back({partition, offset, -1, std::nullopt});
    int16_t error = -1;
    coord->commit(req, [&](protocol::OffsetCommitResponse&& resp) {
      error = resp.topics.at(0).partitions.at(0).error_code;
    });
    ASSERT_EQ(error, 0);
  }

  struct Fetched {
    int64_t offset = -2;
    int16_t error = -1;
    bool operator==(const Fetched&) const = default;
  };
  // OffsetFetch of topic "t" partitions 0..2 (or all the group's offsets).
  std::map<int32_t, Fetched> fetch(const std::string& group, bool require_stable = false,
                                   int16_t version = 7, bool all_topics = false) {
    protocol::OffsetFetchRequest req;
    req.group_id = group;
    req.require_stable = require_stable;
    if (!all_topics) req.topics.emplace().push_back({"t", {0, 1, 2}});
    std::map<int32_t, Fetched> out;
    coord->fetch(req, version, [&](protocol::OffsetFetchResponse&& resp) {
      EXPECT_EQ(resp.error_code, 0);
      for (const auto& tr : resp.topics)
        for (const auto& pr : tr.partitions)
          out[pr.partition_index] = {pr.committed_offset, pr.error_code};
    });
    return out;
  }

  // A member joined (protocol "test", so nothing parses its metadata) and synced: generation 1.
  std::string join_and_sync(const std::string& group,
                            std::optional<std::string> instance = std::nullopt) {
    protocol::JoinGroupRequest join;
    join.group_id = group;
    join.session_timeout_ms = 10000;
    join.rebalance_timeout_ms = 10000;
    join.group_instance_id = std::move(instance);
    join.protocol_type = "test";
    join.protocols.push_back({"p", {}});
    std::string member;
    int32_t generation = -1;
    coord->join(join, 3, {"client", "host"}, [&](protocol::JoinGroupResponse&& r) {
      EXPECT_EQ(r.error_code, 0);
      member = r.member_id;
      generation = r.generation_id;
    });
    EXPECT_EQ(generation, 1);
    protocol::SyncGroupRequest sync;
    sync.group_id = group;
    sync.generation_id = generation;
    sync.member_id = member;
    sync.group_instance_id = join.group_instance_id;
    sync.assignments.push_back({member, {}});
    int16_t sync_error = -1;
    coord->sync(sync, 3, [&](protocol::SyncGroupResponse&& r) { sync_error = r.error_code; });
    EXPECT_EQ(sync_error, 0);
    return member;
  }
};

}  // namespace sluice::group::testing
