// Classic-group membership checks and the offsets a group keeps for topics that are gone: a
// replaced static member is told it was fenced (not that it is unknown, which would make it
// rejoin and displace its replacement forever), and a deleted topic's offsets go with it.
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <utility>

#include "group_coordinator_fixture.h"
#include "sluice/group/group_coordinator.h"
#include "sluice/protocol/messages/all.h"

namespace sluice::group {
namespace {

using protocol::ErrorCode;
using protocol::to_wire;
using testing::Fixture;

// A second consumer started with the same group.instance.id: it joins without a member id and
// takes the static member's place. Returns its new member id.
std::string replace_static_member(Fixture& f, const std::string& group,
                                  const std::string& instance) {
  protocol::JoinGroupRequest join;
  join.group_id = group;
  join.session_timeout_ms = 10000;
  join.rebalance_timeout_ms = 10000;
  join.group_instance_id = instance;
  join.protocol_type = "test";
  join.protocols.push_back({"p", {}});
  std::string member;
  f.coord->join(join, 5, {"client", "host"}, [&](protocol::JoinGroupResponse&& r) {
    EXPECT_EQ(r.error_code, 0);
    member = r.member_id;
  });
  return member;
}

int16_t heartbeat(Fixture& f, const std::string& member, const std::string& instance) {
  protocol::HeartbeatRequest req;
  req.group_id = "g";
  req.generation_id = 1;
  req.member_id = member;
  req.group_instance_id = instance;
  int16_t error = -1;
  f.coord->heartbeat(req, [&](protocol::HeartbeatResponse&& r) { error = r.error_code; });
  return error;
}

int16_t commit(Fixture& f, const std::string& member, const std::string& instance) {
  protocol::OffsetCommitRequest req;
  req.group_id = "g";
  req.generation_id_or_member_epoch = 1;
  req.member_id = member;
  req.group_instance_id = instance;
  req.topics.push_back({"t", {{0, 5, -1, std::nullopt}}});
  int16_t error = -1;
  f.coord->commit(req, [&](protocol::OffsetCommitResponse&& r) {
    error = r.topics.at(0).partitions.at(0).error_code;
  });
  return error;
}

TEST(StaticMembership, ReplacedMemberIsFencedNotUnknown) {
  Fixture f;
  const std::string old_member = f.join_and_sync("g", "instance-1");
  const std::string new_member = replace_static_member(f, "g", "instance-1");
  ASSERT_FALSE(new_member.empty());
  ASSERT_NE(new_member, old_member);
  EXPECT_EQ(heartbeat(f, old_member, "instance-1"), to_wire(ErrorCode::fenced_instance_id));
  EXPECT_EQ(commit(f, old_member, "instance-1"), to_wire(ErrorCode::fenced_instance_id));
  EXPECT_EQ(heartbeat(f, new_member, "instance-1"), 0);
  EXPECT_EQ(commit(f, new_member, "instance-1"), 0);
  // An instance id the group never saw is an unknown member, whatever the member id.
  EXPECT_EQ(heartbeat(f, new_member, "instance-2"), to_wire(ErrorCode::unknown_member_id));
}

// The topics that hold committed offsets of group "g" (OffsetFetch of all topics).
std::set<std::string> topics_with_offsets(Fixture& f) {
  protocol::OffsetFetchRequest req;
  req.group_id = "g";
  std::set<std::string> topics;
  f.coord->fetch(req, 7, [&](protocol::OffsetFetchResponse&& r) {
    for (const auto& t : r.topics) topics.insert(t.name);
  });
  return topics;
}

TEST(DeletedTopics, OffsetsGoWithTheTopicAndStayGoneWhenItIsRecreated) {
  Fixture f;
  f.topics.insert("u");
  f.plain_commit("g", 0, 5, "t");
  f.plain_commit("g", 1, 9, "u");
  ASSERT_EQ(topics_with_offsets(f), (std::set<std::string>{"t", "u"}));

  f.topics.erase("u");
  f.coord->forget_deleted_partitions();
  EXPECT_EQ(topics_with_offsets(f), std::set<std::string>{"t"});

  // Re-created under the same name: the old commit must not come back from the log.
  f.topics.insert("u");
  f.restart();
  EXPECT_EQ(topics_with_offsets(f), std::set<std::string>{"t"});
}

TEST(DeletedTopics, OffsetsOfATopicDeletedBeforeTheRestartAreForgottenAtLoad) {
  Fixture f;
  f.topics.insert("u");
  f.plain_commit("g", 2, 9, "u");
  f.topics.erase("u");  // deleted without the coordinator hearing of it (a crash in between)
  f.restart();
  EXPECT_TRUE(topics_with_offsets(f).empty());
  f.topics.insert("u");
  f.restart();
  EXPECT_TRUE(topics_with_offsets(f).empty());
}

}  // namespace
}  // namespace sluice::group
