// Byte-exact checks of message layouts against Kafka encodings derived by hand from Kafka's JSON
// message schemas. A round trip cannot catch a wrong field order or width; these can.
#include <gtest/gtest.h>

#include <string>

#include "sluice/protocol/codec.h"
#include "sluice/protocol/messages/all.h"

namespace sluice::protocol {
namespace {

std::string B(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

template <typename M>
std::string Enc(const M& m, int16_t v) {
  std::string out;
  encode(out, m, v);
  return out;
}

template <typename M>
bool Dec(std::string bytes, M& m, int16_t v) {
  return decode(std::span(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size()), m, v);
}

TEST(Messages, MetadataRequestV0OneTopic) {
  MetadataRequest r;
  r.topics.emplace().push_back({"t"});
  EXPECT_EQ(Enc(r, 0), B({0, 0, 0, 1, 0, 1, 't'}));
}

TEST(Messages, MetadataRequestNullTopicsIsEmptyInV0AndNullFromV1) {
  MetadataRequest r;  // topics unset: all topics
  EXPECT_EQ(Enc(r, 0), B({0, 0, 0, 0}));
  EXPECT_EQ(Enc(r, 1), B({0xff, 0xff, 0xff, 0xff}));
  // v4 adds AllowAutoTopicCreation, default true.
  EXPECT_EQ(Enc(r, 4), B({0xff, 0xff, 0xff, 0xff, 1}));
  MetadataRequest back;
  EXPECT_FALSE(Dec(B({0xff, 0xff, 0xff, 0xff}), back, 0));  // null not allowed in v0
  ASSERT_TRUE(Dec(B({0xff, 0xff, 0xff, 0xff}), back, 1));
  EXPECT_FALSE(back.topics.has_value());
}

TEST(Messages, MetadataRequestV9IsFlexible) {
  MetadataRequest r;
  r.topics.emplace().push_back({"t"});
  r.include_topic_authorized_operations = true;
  // compact array(1) [compact "t", no tags], allow_auto=1, include_cluster=0, include_topic=1,
  // no tags.
  EXPECT_EQ(Enc(r, 9), B({2, 2, 't', 0, 1, 0, 1, 0}));
}

TEST(Messages, MetadataResponseV3PutsThrottleFirst) {
  MetadataResponse r;
  r.throttle_time_ms = 7;
  r.brokers.push_back({1, "h", 9092, std::nullopt});
  r.cluster_id = "c";
  r.controller_id = 1;
  MetadataResponse::MetadataResponseTopic t;
  t.name = "t";
  t.partitions.push_back({0, 0, 1, 5, {1}, {1}, {}});
  r.topics.push_back(t);
  const std::string expected = B({
      0,    0,    0,   7,                                 // throttle_time_ms
      0,    0,    0,   1,                                 // brokers[1]
      0,    0,    0,   1, 0,   1, 'h', 0, 0, 0x23, 0x84,  // node 1, "h", 9092
      0xff, 0xff,                                         // rack null
      0,    1,    'c',                                    // cluster_id
      0,    0,    0,   1,                                 // controller_id
      0,    0,    0,   1,                                 // topics[1]
      0,    0,    0,   1, 't', 0,                         // error 0, "t", is_internal false
      0,    0,    0,   1,                                 // partitions[1]
      0,    0,    0,   0, 0,   0, 0,   0, 0, 1,  // error 0, index 0, leader 1 (no epoch before v7)
      0,    0,    0,   1, 0,   0, 0,   1,        // replicas [1]
      0,    0,    0,   1, 0,   0, 0,   1,        // isr [1]
  });
  EXPECT_EQ(Enc(r, 3), expected);
  MetadataResponse back;
  ASSERT_TRUE(Dec(expected, back, 3));
  EXPECT_EQ(back.topics[0].partitions[0].leader_epoch, -1);
  EXPECT_FALSE(back.brokers[0].rack.has_value());
}

TEST(Messages, FetchRequestV4Skeleton) {
  FetchRequest r;
  r.max_wait_ms = 500;
  r.min_bytes = 1;
  r.isolation_level = 1;
  FetchRequest::FetchTopic t;
  t.topic = "t";
  FetchRequest::FetchPartition p;
  p.partition = 2;
  p.fetch_offset = 3;
  p.partition_max_bytes = 0x100000;
  t.partitions.push_back(p);
  r.topics.push_back(t);
  const std::string expected = B({
      0xff, 0xff, 0xff, 0xff,                // replica_id -1
      0,    0,    1,    0xf4,                // max_wait_ms 500
      0,    0,    0,    1,                   // min_bytes
      0x7f, 0xff, 0xff, 0xff,                // max_bytes (v3+)
      1,                                     // isolation_level (v4+)
      0,    0,    0,    1,    0, 1, 't',     // topics[1] "t"
      0,    0,    0,    1,                   // partitions[1]
      0,    0,    0,    2,                   // partition
      0,    0,    0,    0,    0, 0, 0,   3,  // fetch_offset
      0,    0x10, 0,    0,                   // partition_max_bytes
  });
  EXPECT_EQ(Enc(r, 4), expected);
}

TEST(Messages, FetchRequestV12CompactWithClusterIdTag) {
  FetchRequest r;
  r.cluster_id = "c";
  r.replica_id = -1;
  r.max_wait_ms = 0;
  r.min_bytes = 0;
  r.max_bytes = 1;
  const std::string expected = B({
      0xff, 0xff, 0xff, 0xff,                // replica_id
      0,    0,    0,    0,    0,   0, 0, 0,  // max_wait_ms, min_bytes
      0,    0,    0,    1,                   // max_bytes
      0,                                     // isolation_level
      0,    0,    0,    0,                   // session_id
      0xff, 0xff, 0xff, 0xff,                // session_epoch -1
      1,                                     // topics: compact empty
      1,                                     // forgotten_topics_data: compact empty
      1,                                     // rack_id: compact ""
      1,    0,    2,    2,    'c',           // tags: 1 field, tag 0, size 2, compact "c"
  });
  EXPECT_EQ(Enc(r, 12), expected);
  FetchRequest back;
  ASSERT_TRUE(Dec(expected, back, 12));
  EXPECT_EQ(back.cluster_id, "c");
}

TEST(Messages, FetchResponseV4NullAbortedAndRecords) {
  FetchResponse r;
  FetchResponse::FetchableTopicResponse t;
  t.topic = "t";
  FetchResponse::PartitionData p;
  p.high_watermark = 9;
  p.last_stable_offset = 8;
  t.partitions.push_back(p);
  r.responses.push_back(t);
  const std::string expected = B({
      0,    0,    0,    0,                   // throttle_time_ms
      0,    0,    0,    1,    0, 1, 't',     // responses[1] "t"
      0,    0,    0,    1,                   // partitions[1]
      0,    0,    0,    0,    0, 0,          // partition_index, error_code
      0,    0,    0,    0,    0, 0, 0,   9,  // high_watermark
      0,    0,    0,    0,    0, 0, 0,   8,  // last_stable_offset (v4+)
      0xff, 0xff, 0xff, 0xff,                // aborted_transactions null (v4+)
      0xff, 0xff, 0xff, 0xff,                // records null
  });
  EXPECT_EQ(Enc(r, 4), expected);
}

TEST(Messages, FetchResponseV12DecodesTaggedPartitionFields) {
  // A v12 response as Kafka writes it: throttle 0, error 0, session 0, one topic "t" with one
  // partition carrying DivergingEpoch (tag 0) and CurrentLeader (tag 1).
  const std::string in = B({
      0,    0,    0,    0,    0, 0, 0, 0, 0, 0,  // throttle_time_ms, error_code, session_id
      2,    2,    't',                           // responses[1], compact "t"
      2,                                         // partitions[1]
      0,    0,    0,    0,    0, 0,              // partition_index, error_code
      0,    0,    0,    0,    0, 0, 0, 9,        // high_watermark
      0,    0,    0,    0,    0, 0, 0, 9,        // last_stable_offset
      0,    0,    0,    0,    0, 0, 0, 0,        // log_start_offset
      1,                                         // aborted_transactions: compact empty
      0xff, 0xff, 0xff, 0xff,                    // preferred_read_replica -1
      0,                                         // records: compact null
      2,                                         // 2 tagged fields
      0,    13,   0,    0,    0, 4, 0, 0, 0, 0, 0,
      0,    0,    7,    0,                          // tag 0: epoch 4, end_offset 7, no tags
      1,    9,    0,    0,    0, 3, 0, 0, 0, 5, 0,  // tag 1: leader 3, epoch 5, no tags
      0,                                            // topic tags
      0,                                            // response tags
  });
  FetchResponse r;
  ASSERT_TRUE(Dec(in, r, 12));
  const auto& p = r.responses.at(0).partitions.at(0);
  EXPECT_EQ(p.diverging_epoch.epoch, 4);
  EXPECT_EQ(p.diverging_epoch.end_offset, 7);
  EXPECT_EQ(p.current_leader.leader_id, 3);
  EXPECT_EQ(p.current_leader.leader_epoch, 5);
  EXPECT_EQ(p.snapshot_id.end_offset, -1);
  ASSERT_TRUE(p.aborted_transactions.has_value());
  EXPECT_TRUE(p.aborted_transactions->empty());
  EXPECT_TRUE(p.records.is_null);
}

TEST(Messages, ListOffsetsRequestV1AndV2) {
  ListOffsetsRequest r;
  r.replica_id = -1;
  r.topics.push_back({"t", {{0, -1, -2}}});
  const std::string topics = B({0, 0, 0, 1,    0,    1,    't',  0,    0,    0,    1,   0,
                                0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe});
  EXPECT_EQ(Enc(r, 1), B({0xff, 0xff, 0xff, 0xff}) + topics);
  EXPECT_EQ(Enc(r, 2), B({0xff, 0xff, 0xff, 0xff, 0}) + topics);  // + isolation_level
}

TEST(Messages, ListOffsetsRequestV10AddsTimeout) {
  ListOffsetsRequest r;
  r.replica_id = -1;
  r.timeout_ms = 0x100;
  // replica_id, isolation_level, topics: compact empty, then v10's timeout_ms, tags.
  EXPECT_EQ(Enc(r, 9), B({0xff, 0xff, 0xff, 0xff, 0, 1, 0}));
  EXPECT_EQ(Enc(r, 10), B({0xff, 0xff, 0xff, 0xff, 0, 1, 0, 0, 1, 0, 0}));
}

TEST(Messages, CreateTopicsRequestV5Flexible) {
  CreateTopicsRequest r;
  CreateTopicsRequest::CreatableTopic t;
  t.name = "t";
  t.num_partitions = 1;
  t.replication_factor = 1;
  t.configs.push_back({"a", std::nullopt});
  r.topics.push_back(t);
  const std::string expected = B({
      2,                      // topics[1]
      2, 't',                 // name
      0, 0,   0,    1,        // num_partitions
      0, 1,                   // replication_factor
      1,                      // assignments: compact empty
      2, 2,   'a',  0,    0,  // configs[1]: "a", value null, no tags
      0,                      // topic tags
      0, 0,   0xea, 0x60,     // timeout_ms 60000 (default)
      0,                      // validate_only
      0,                      // tags
  });
  EXPECT_EQ(Enc(r, 5), expected);
  // v0: int16 strings, int32 arrays, no validate_only.
  const std::string v0 = B({0, 0, 0, 1, 0, 1, 't', 0, 0,   0,    1,    0, 1, 0,    0,
                            0, 0, 0, 0, 0, 1, 0,   1, 'a', 0xff, 0xff, 0, 0, 0xea, 0x60});
  EXPECT_EQ(Enc(r, 0), v0);
}

TEST(Messages, CreateTopicsResponseV5ConfigErrorIsTagged) {
  CreateTopicsResponse r;
  CreateTopicsResponse::CreatableTopicResult t;
  t.name = "t";
  t.topic_config_error_code = 29;
  r.topics.push_back(t);
  const std::string expected = B({
      0,    0,    0,    0,         // throttle_time_ms
      2,    2,    't',             // topics[1], name
      0,    0,                     // error_code
      0,                           // error_message null
      0xff, 0xff, 0xff, 0xff,      // num_partitions -1
      0xff, 0xff,                  // replication_factor -1
      0,                           // configs null
      1,    0,    2,    0,    29,  // tags: TopicConfigErrorCode (tag 0) = 29
      0,                           // response tags
  });
  EXPECT_EQ(Enc(r, 5), expected);
}

TEST(Messages, DescribeConfigsResponseV0HasIsDefaultNotSource) {
  DescribeConfigsResponse r;
  DescribeConfigsResponse::DescribeConfigsResult res;
  res.resource_type = 2;
  res.resource_name = "t";
  DescribeConfigsResponse::DescribeConfigsResourceResult c;
  c.name = "k";
  c.value = "v";
  c.is_default = true;
  c.config_source = 5;
  res.configs.push_back(c);
  r.results.push_back(res);
  const std::string head = B({0, 0,   0, 0, 0, 0, 0, 1, 0,   0, 0xff, 0xff, 2, 0,
                              1, 't', 0, 0, 0, 1, 0, 1, 'k', 0, 1,    'v',  0});
  EXPECT_EQ(Enc(r, 0), head + B({1, 0}));              // is_default, is_sensitive
  EXPECT_EQ(Enc(r, 1), head + B({5, 0, 0, 0, 0, 0}));  // source, is_sensitive, synonyms[0]
}

TEST(Messages, DeleteTopicsRequestV4Flexible) {
  DeleteTopicsRequest r;
  r.topic_names = {"a", "b"};
  r.timeout_ms = 1;
  EXPECT_EQ(Enc(r, 3), B({0, 0, 0, 2, 0, 1, 'a', 0, 1, 'b', 0, 0, 0, 1}));
  EXPECT_EQ(Enc(r, 4), B({3, 2, 'a', 2, 'b', 0, 0, 0, 1, 0}));
}

TEST(Messages, DescribeClusterV0) {
  DescribeClusterResponse r;
  r.cluster_id = "c";
  r.controller_id = 1;
  r.brokers.push_back({1, "h", 1, std::nullopt, false});
  const std::string expected = B({
      0,    0,   0, 0, 0, 0,                         // throttle, error_code
      0,                                             // error_message null
      2,    'c',                                     // cluster_id
      0,    0,   0, 1,                               // controller_id
      2,    0,   0, 0, 1, 2, 'h', 0, 0, 0, 1, 0, 0,  // brokers[1]: id, host, port, rack null, tags
      0x80, 0,   0, 0,                               // cluster_authorized_operations INT32_MIN
      0,                                             // tags
  });
  EXPECT_EQ(Enc(r, 0), expected);
}

TEST(Messages, DescribeClusterV1EndpointTypeV2Fenced) {
  DescribeClusterRequest r;
  r.include_fenced_brokers = true;
  EXPECT_EQ(Enc(r, 0), B({0, 0}));        // include_cluster_authorized_operations, tags
  EXPECT_EQ(Enc(r, 1), B({0, 1, 0}));     // + endpoint_type 1 (brokers)
  EXPECT_EQ(Enc(r, 2), B({0, 1, 1, 0}));  // + include_fenced_brokers
  DescribeClusterRequest back;
  ASSERT_TRUE(Dec(B({0, 0}), back, 0));
  EXPECT_EQ(back.endpoint_type, 1);  // v0 describes brokers
  DescribeClusterResponse resp;
  resp.cluster_id = "c";
  resp.controller_id = 1;
  resp.brokers.push_back({1, "h", 1, std::nullopt, false});
  const std::string v2 = B({
      0,    0,   0, 0, 0, 0,                            // throttle, error_code
      0,                                                // error_message null
      1,                                                // endpoint_type (v1+)
      2,    'c',                                        // cluster_id
      0,    0,   0, 1,                                  // controller_id
      2,    0,   0, 0, 1, 2, 'h', 0, 0, 0, 1, 0, 0, 0,  // broker: ..., rack null, is_fenced, tags
      0x80, 0,   0, 0,                                  // cluster_authorized_operations
      0,                                                // tags
  });
  EXPECT_EQ(Enc(resp, 2), v2);
  DescribeClusterResponse back_resp;
  ASSERT_TRUE(Dec(v2, back_resp, 2));
  EXPECT_EQ(back_resp.endpoint_type, 1);
  EXPECT_FALSE(back_resp.brokers.at(0).is_fenced);
}

TEST(Messages, FindCoordinatorV0V1V3) {
  FindCoordinatorRequest r;
  r.key = "g";
  r.key_type = 1;
  EXPECT_EQ(Enc(r, 0), B({0, 1, 'g'}));
  EXPECT_EQ(Enc(r, 1), B({0, 1, 'g', 1}));
  EXPECT_EQ(Enc(r, 3), B({2, 'g', 1, 0}));
  FindCoordinatorResponse resp;
  resp.node_id = 1;
  resp.host = "h";
  resp.port = 2;
  EXPECT_EQ(Enc(resp, 0), B({0, 0, 0, 0, 0, 1, 0, 1, 'h', 0, 0, 0, 2}));
  // v1 adds throttle_time_ms first and a nullable error_message after error_code.
  EXPECT_EQ(Enc(resp, 1), B({0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 1, 0, 1, 'h', 0, 0, 0, 2}));
}

TEST(Messages, FindCoordinatorV4BatchesKeys) {
  FindCoordinatorRequest r;
  r.key = "ignored";  // v0-3 only
  r.coordinator_keys = {"a", "b"};
  const std::string req = B({0, 3, 2, 'a', 2, 'b', 0});  // key_type, compact [2], tags
  EXPECT_EQ(Enc(r, 4), req);
  EXPECT_EQ(Enc(r, 6), req);  // v5 and v6 only allow more error codes and key types
  FindCoordinatorRequest back;
  ASSERT_TRUE(Dec(req, back, 4));
  EXPECT_EQ(back.coordinator_keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(back.key, "");
  FindCoordinatorResponse resp;
  resp.node_id = 7;  // v0-3 only
  resp.coordinators.push_back({"a", 1, "h", 2, 0, std::nullopt});
  EXPECT_EQ(Enc(resp, 4), B({0, 0,   0, 0,  // throttle_time_ms
                             2,             // coordinators[1]
                             2, 'a',        // key
                             0, 0,   0, 1,  // node_id
                             2, 'h',        // host
                             0, 0,   0, 2,  // port
                             0, 0,          // error_code
                             0,             // error_message null
                             0, 0}));       // tags of the entry, of the response
}

TEST(Messages, JoinGroupResponseProtocolNameNullableOnlyFromV7) {
  JoinGroupResponse r;
  r.generation_id = 1;
  r.leader = "l";
  r.member_id = "m";
  // v1: error, generation, protocol_name "" (null not allowed), leader, member_id, members[0].
  const std::string v1 = B({0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 'l', 0, 1, 'm', 0, 0, 0, 0});
  EXPECT_EQ(Enc(r, 1), v1);
  JoinGroupResponse back;
  EXPECT_FALSE(Dec(B({0, 0, 0, 0, 0, 1, 0xff, 0xff, 0, 1, 'l', 0, 1, 'm', 0, 0, 0, 0}), back, 1));
  // v7 (flexible): throttle, error, generation, protocol_type null, protocol_name null, ...
  EXPECT_EQ(Enc(r, 7), B({0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2, 'l', 2, 'm', 1, 0}));
}

TEST(Messages, JoinGroupRequestV5AndV6) {
  JoinGroupRequest r;
  r.group_id = "g";
  r.session_timeout_ms = 10;
  r.rebalance_timeout_ms = 20;
  r.protocol_type = "consumer";
  r.protocols.push_back({"range", Bytes{"x"}});
  const std::string v5 = B({0, 1, 'g', 0, 0, 0, 10, 0, 0, 0, 20, 0, 0,  // member_id ""
                            0xff, 0xff,                                 // group_instance_id
                            0, 8}) +
                         "consumer" + B({0, 0, 0, 1, 0, 5}) + "range" + B({0, 0, 0, 1, 'x'});
  EXPECT_EQ(Enc(r, 5), v5);
  const std::string v6 = B({2, 'g', 0, 0, 0, 10, 0, 0, 0, 20, 1, 0, 9}) + "consumer" + B({2, 6}) +
                         "range" + B({2, 'x', 0, 0});
  EXPECT_EQ(Enc(r, 6), v6);
}

TEST(Messages, JoinGroupV8ReasonV9SkipAssignment) {
  JoinGroupRequest r;
  r.group_id = "g";
  r.reason = "r";
  const std::string v7 = B({2, 'g', 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,  // session, rebalance
                            1, 0, 1, 1});  // member_id "", instance null, type "", protocols[0]
  EXPECT_EQ(Enc(r, 7), v7 + B({0}));
  EXPECT_EQ(Enc(r, 8), v7 + B({2, 'r', 0}));  // + reason
  EXPECT_EQ(Enc(r, 9), Enc(r, 8));
  JoinGroupResponse resp;
  resp.generation_id = 1;
  resp.leader = "l";
  resp.member_id = "m";
  const std::string head = B({0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2, 'l'});
  EXPECT_EQ(Enc(resp, 8), head + B({2, 'm', 1, 0}));
  EXPECT_EQ(Enc(resp, 9), head + B({0, 2, 'm', 1, 0}));  // skip_assignment false after leader
}

TEST(Messages, LeaveGroupRequestV5MemberReason) {
  LeaveGroupRequest r;
  r.group_id = "g";
  r.members.push_back({"m", std::nullopt, "r"});
  EXPECT_EQ(Enc(r, 4), B({2, 'g', 2, 2, 'm', 0, 0, 0}));
  EXPECT_EQ(Enc(r, 5), B({2, 'g', 2, 2, 'm', 0, 2, 'r', 0, 0}));
}

TEST(Messages, OffsetCommitRequestV2HasRetentionV6HasLeaderEpoch) {
  OffsetCommitRequest r;
  r.group_id = "g";
  r.generation_id_or_member_epoch = 3;
  r.member_id = "m";
  r.topics.push_back({"t", {{0, 5, 7, std::nullopt, -1}}});
  const std::string head = B({0, 1, 'g', 0, 0, 0, 3, 0, 1, 'm'});
  const std::string topic =
      B({0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5});
  EXPECT_EQ(Enc(r, 2),
            head + B({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) + topic + B({0xff, 0xff}));
  EXPECT_EQ(Enc(r, 5), head + topic + B({0xff, 0xff}));
  EXPECT_EQ(Enc(r, 6), head + topic + B({0, 0, 0, 7, 0xff, 0xff}));
}

TEST(Messages, OffsetCommitRequestV0AndV1CommitTimestamp) {
  OffsetCommitRequest r;
  r.group_id = "g";
  r.generation_id_or_member_epoch = 3;
  r.member_id = "m";
  r.topics.push_back({"t", {{0, 5, 7, std::nullopt, 9}}});
  const std::string topic =
      B({0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5});
  // v0: no generation, member id or leader epoch.
  EXPECT_EQ(Enc(r, 0), B({0, 1, 'g'}) + topic + B({0xff, 0xff}));
  // v1: generation and member, and the commit timestamp before the metadata.
  const std::string v1 =
      B({0, 1, 'g', 0, 0, 0, 3, 0, 1, 'm'}) + topic + B({0, 0, 0, 0, 0, 0, 0, 9, 0xff, 0xff});
  EXPECT_EQ(Enc(r, 1), v1);
  OffsetCommitRequest back;
  ASSERT_TRUE(Dec(v1, back, 1));
  EXPECT_EQ(back.generation_id_or_member_epoch, 3);
  EXPECT_EQ(back.topics.at(0).partitions.at(0).commit_timestamp, 9);
  EXPECT_EQ(back.topics.at(0).partitions.at(0).committed_leader_epoch, -1);
  OffsetCommitRequest v0;
  ASSERT_TRUE(Dec(B({0, 1, 'g'}) + topic + B({0xff, 0xff}), v0, 0));
  EXPECT_EQ(v0.generation_id_or_member_epoch, -1);  // a standalone commit
  EXPECT_EQ(v0.topics.at(0).partitions.at(0).commit_timestamp, -1);
  // v9 is v8 on the wire (KIP-848 only changes what the coordinator accepts).
  EXPECT_EQ(Enc(r, 9), Enc(r, 8));
  OffsetCommitResponse resp;
  resp.throttle_time_ms = 1;
  resp.topics.push_back({"t", {{0, 0}}});
  EXPECT_EQ(Enc(resp, 0), B({0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}));
}

TEST(Messages, OffsetFetchRequestNullTopicsFromV2) {
  OffsetFetchRequest r;
  r.group_id = "g";
  EXPECT_EQ(Enc(r, 1), B({0, 1, 'g', 0, 0, 0, 0}));
  EXPECT_EQ(Enc(r, 2), B({0, 1, 'g', 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(Enc(r, 7), B({2, 'g', 0, 0, 0}));  // compact null topics, require_stable, tags
  OffsetFetchRequest back;
  EXPECT_FALSE(Dec(B({0, 1, 'g', 0xff, 0xff, 0xff, 0xff}), back, 1));
}

TEST(Messages, OffsetFetchResponseV5) {
  OffsetFetchResponse r;
  r.topics.push_back({"t", {{0, 10, 2, "", 0}}});
  EXPECT_EQ(Enc(r, 5), B({0, 0, 0, 0,                             // throttle
                          0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1,      // topics[1], partitions[1]
                          0, 0, 0, 0, 0, 0, 0,   0, 0, 0, 0, 10,  // index, offset
                          0, 0, 0, 2, 0, 0,                       // epoch, metadata ""
                          0, 0,                                   // partition error
                          0, 0}));                                // top-level error (v2+)
}

TEST(Messages, OffsetFetchV0IsV1) {
  OffsetFetchRequest r;
  r.group_id = "g";
  r.topics.emplace().push_back({"t", {0}});
  EXPECT_EQ(Enc(r, 0), Enc(r, 1));
  OffsetFetchResponse resp;
  resp.topics.push_back({"t", {{0, 10, 2, "", 0}}});
  EXPECT_EQ(Enc(resp, 0), B({0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1,      // topics[1], partitions[1]
                             0, 0, 0, 0, 0, 0, 0,   0, 0, 0, 0, 10,  // index, offset
                             0, 0, 0, 0}));                          // metadata "", error
}

TEST(Messages, OffsetFetchV8BatchesGroupsV9AddsMember) {
  OffsetFetchRequest r;
  r.group_id = "ignored";  // v0-7 only
  r.groups.push_back({"g", std::nullopt, -1, std::nullopt});
  EXPECT_EQ(Enc(r, 8), B({2, 2, 'g', 0, 0,  // groups[1]: "g", topics null, tags
                          0, 0}));          // require_stable, tags
  r.groups[0].member_id = "m";
  r.groups[0].member_epoch = 4;
  r.groups[0].topics.emplace().push_back({"t", {1}});
  const std::string v9 = B({2, 2, 'g', 2, 'm', 0, 0, 0, 4,  // group, member_id, member_epoch
                            2, 2, 't', 2, 0,   0, 0, 1, 0,  // topics[1]: "t", [1], tags
                            0, 0, 0});                      // group tags, require_stable, tags
  EXPECT_EQ(Enc(r, 9), v9);
  OffsetFetchRequest back;
  ASSERT_TRUE(Dec(v9, back, 9));
  EXPECT_EQ(back.groups.at(0).member_id, "m");
  EXPECT_EQ(back.groups.at(0).topics->at(0).partition_indexes, std::vector<int32_t>{1});
  OffsetFetchResponse resp;
  resp.error_code = 5;  // v2-7 only
  auto& g = resp.groups.emplace_back();
  g.group_id = "g";
  g.topics.push_back({"t", {{0, 10, -1, "", 0}}});
  const std::string v8 = B({
      0,    0,    0,    0,                  // throttle
      2,    2,    'g',                      // groups[1] "g"
      2,    2,    't',  2,                  // topics[1] "t", partitions[1]
      0,    0,    0,    0,                  // partition index
      0,    0,    0,    0,    0, 0, 0, 10,  // committed offset
      0xff, 0xff, 0xff, 0xff,               // leader epoch -1
      1,    0,    0,    0,                  // metadata "", error, tags
      0,                                    // topic tags
      0,    0,    0,                        // group error, tags
      0,                                    // tags
  });
  EXPECT_EQ(Enc(resp, 8), v8);
  EXPECT_EQ(Enc(resp, 9), v8);
}

TEST(Messages, DescribeGroupsV6ErrorMessage) {
  DescribeGroupsResponse r;
  auto& g = r.groups.emplace_back();
  g.error_code = 69;
  g.error_message = "m";
  g.group_id = "g";
  g.group_state = "Dead";
  const std::string tail = B({2, 'g', 5}) + "Dead" + B({1, 1, 1, 0x80, 0, 0, 0, 0, 0});
  // protocol type, data "", members[0], authorized operations, tags of group and response
  EXPECT_EQ(Enc(r, 5), B({0, 0, 0, 0, 2, 0, 69}) + tail);
  EXPECT_EQ(Enc(r, 6), B({0, 0, 0, 0, 2, 0, 69, 2, 'm'}) + tail);
}

TEST(Messages, OffsetDeleteResponseErrorBeforeThrottle) {
  OffsetDeleteResponse r;
  r.error_code = 1;
  r.throttle_time_ms = 2;
  EXPECT_EQ(Enc(r, 0), B({0, 1, 0, 0, 0, 2, 0, 0, 0, 0}));
}

TEST(Messages, ListGroupsV0RequestIsEmptyV4HasStates) {
  ListGroupsRequest r;
  r.states_filter = {"Stable"};
  EXPECT_EQ(Enc(r, 0), "");
  EXPECT_EQ(Enc(r, 3), B({0}));
  EXPECT_EQ(Enc(r, 4), B({2, 7}) + "Stable" + B({0}));
}

TEST(Messages, ListGroupsV5TypesFilterAndGroupType) {
  ListGroupsRequest r;
  r.types_filter = {"classic"};
  EXPECT_EQ(Enc(r, 4), B({1, 0}));
  EXPECT_EQ(Enc(r, 5), B({1, 2, 8}) + "classic" + B({0}));
  ListGroupsResponse resp;
  resp.groups.push_back({"g", "consumer", "Empty", "classic"});
  EXPECT_EQ(Enc(resp, 5), B({0, 0, 0, 0, 0, 0, 2, 2, 'g', 9}) + "consumer" + B({6}) + "Empty" +
                              B({8}) + "classic" + B({0, 0}));
}

TEST(Messages, InitProducerIdV0AndV3) {
  InitProducerIdRequest r;
  r.transaction_timeout_ms = 1;
  EXPECT_EQ(Enc(r, 0), B({0xff, 0xff, 0, 0, 0, 1}));
  EXPECT_EQ(Enc(r, 3),
            B({0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0}));
}

TEST(Messages, AddPartitionsToTxnV0AndV3) {
  AddPartitionsToTxnRequest r;
  r.v3_and_below_transactional_id = "x";
  r.v3_and_below_producer_id = 1;
  r.v3_and_below_producer_epoch = 2;
  r.v3_and_below_topics.push_back({"t", {0}});
  EXPECT_EQ(Enc(r, 0), B({0, 1, 'x', 0, 0, 0,   0, 0, 0, 0, 1, 0, 2, 0,
                          0, 0, 1,   0, 1, 't', 0, 0, 0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(Enc(r, 3), B({2, 'x', 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 2, 2, 't', 2, 0, 0, 0, 0, 0, 0}));
}

TEST(Messages, TxnOffsetCommitV3AddsGroupMembership) {
  TxnOffsetCommitRequest r;
  r.transactional_id = "x";
  r.group_id = "g";
  r.producer_id = 1;
  r.producer_epoch = 0;
  EXPECT_EQ(Enc(r, 0), B({0, 1, 'x', 0, 1, 'g', 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Enc(r, 3), B({2,    'x',  2,    'g',  0, 0, 0, 0, 0, 0, 0, 1, 0, 0,  // ids
                          0xff, 0xff, 0xff, 0xff,                                // generation_id -1
                          1,    0,     // member "", instance null
                          1,    0}));  // topics[0], tags
}

// The versions that only let a client take TRANSACTION_ABORTABLE (KIP-890 part 1) keep the
// previous version's layout; Produce v10's leader hints are tagged and absent when unset.
TEST(Messages, TransactionAbortableVersionsKeepTheirLayout) {
  TxnOffsetCommitRequest t;
  t.transactional_id = "x";
  t.group_id = "g";
  EXPECT_EQ(Enc(t, 4), Enc(t, 3));
  EndTxnRequest e;
  e.transactional_id = "x";
  e.committed = true;
  EXPECT_EQ(Enc(e, 4), Enc(e, 3));
  EXPECT_EQ(Enc(EndTxnResponse{}, 4), Enc(EndTxnResponse{}, 3));
  AddOffsetsToTxnRequest a;
  a.transactional_id = "x";
  a.group_id = "g";
  EXPECT_EQ(Enc(a, 4), Enc(a, 3));
  InitProducerIdRequest i;
  i.transactional_id = "x";
  EXPECT_EQ(Enc(i, 5), Enc(i, 4));
  ProduceRequest p;
  p.acks = -1;
  EXPECT_EQ(Enc(p, 10), Enc(p, 9));
  EXPECT_EQ(Enc(p, 11), Enc(p, 9));
  ProduceResponse pr;
  pr.responses.push_back({"t", {{}}});
  EXPECT_EQ(Enc(pr, 11), Enc(pr, 9));
}

TEST(Messages, ListTransactionsV2Pattern) {
  ListTransactionsRequest r;
  r.transactional_id_pattern = "t.*";
  // state_filters, producer_id_filters: compact empty; duration_filter -1 (v1+).
  const std::string v1 = B({1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  EXPECT_EQ(Enc(r, 1), v1 + B({0}));
  EXPECT_EQ(Enc(r, 2), v1 + B({4, 't', '.', '*', 0}));
  r.transactional_id_pattern.reset();
  EXPECT_EQ(Enc(r, 2), v1 + B({0, 0}));  // null: every id
}

TEST(Messages, DescribeLogDirsRequestNullTopicsV1AndV2) {
  DescribeLogDirsRequest r;  // null: every partition
  EXPECT_EQ(Enc(r, 1), B({0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(Enc(r, 2), B({0, 0}));  // compact null array, tags
}

TEST(Messages, DescribeLogDirsResponseV4) {
  DescribeLogDirsResponse r;
  auto& d = r.results.emplace_back();
  d.log_dir = "/d";
  auto& t = d.topics.emplace_back();
  t.name = "t";
  t.partitions.push_back({1, 2, 0, false});
  d.total_bytes = 3;
  d.usable_bytes = 4;
  const std::string partition = B({0, 0, 0, 1,                 // index
                                   0, 0, 0, 0, 0, 0, 0, 2,     // size
                                   0, 0, 0, 0, 0, 0, 0, 0,     // offset lag
                                   0});                        // not a future log
  EXPECT_EQ(Enc(r, 4), B({0, 0, 0, 0,                          // throttle
                          0, 0,                                // error (v3+)
                          2,                                   // one result
                          0, 0, 3, '/', 'd', 2, 2, 't', 2}) +  // one topic "t", one partition
                           partition +
                           B({0,                       // partition tags
                              0,                       // topic tags
                              0, 0, 0, 0, 0, 0, 0, 3,  // total_bytes
                              0, 0, 0, 0, 0, 0, 0, 4,  // usable_bytes
                              0, 0}));
  // v1: no top-level error, no volume bytes, no tags.
  EXPECT_EQ(Enc(r, 1),
            B({0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, '/', 'd', 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1}) +
                partition);
}

TEST(Messages, DescribeTopicPartitionsCursorIsANullableStruct) {
  DescribeTopicPartitionsRequest r;
  r.topics.push_back({"t"});
  r.response_partition_limit = 2;
  // Null: an int8 -1 and nothing else.
  EXPECT_EQ(Enc(r, 0), B({2, 2, 't', 0, 0, 0, 0, 2, 0xff, 0}));
  r.cursor.emplace();
  r.cursor->topic_name = "t";
  r.cursor->partition_index = 1;
  const std::string with_cursor = B({2, 2, 't', 0, 0, 0, 0, 2, 1, 2, 't', 0, 0, 0, 1, 0, 0});
  EXPECT_EQ(Enc(r, 0), with_cursor);
  DescribeTopicPartitionsRequest back;
  ASSERT_TRUE(Dec(with_cursor, back, 0));
  ASSERT_TRUE(back.cursor.has_value());
  EXPECT_EQ(back.cursor->topic_name, "t");
  EXPECT_EQ(back.cursor->partition_index, 1);
  ASSERT_TRUE(Dec(B({1, 0, 0, 7, 0xd0, 0x80, 0}), back, 0));  // any negative marker is null
  EXPECT_FALSE(back.cursor.has_value());
  EXPECT_EQ(back.response_partition_limit, 2000);
}

}  // namespace
}  // namespace sluice::protocol
