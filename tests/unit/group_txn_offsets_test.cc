// Transactional offset commits in the GroupCoordinator: TxnOffsetCommit writes pending offsets,
// markers commit or abort them, OffsetFetch hides them (or reports UNSTABLE_OFFSET_COMMIT), and a
// reload from __consumer_offsets rebuilds the same state.
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "group_coordinator_fixture.h"
#include "group_records.h"
#include "sluice/group/group_coordinator.h"
#include "sluice/protocol/messages/all.h"
#include "sluice/protocol/record_iterator.h"

namespace sluice::group {
namespace {

using protocol::ErrorCode;
using protocol::to_wire;
using testing::Fixture;
using testing::kEpoch;
using testing::kProducer;

constexpr int16_t kUnstableOffsetCommit = 88;  // Kafka's UNSTABLE_OFFSET_COMMIT

const std::map<int32_t, int16_t> kAllNone = {{0, 0}, {1, 0}};

TEST(TxnOffsets, PendingOffsetsAreInvisibleToOffsetFetch) {
  Fixture f;
  f.plain_commit("g", 0, 5);
  EXPECT_EQ(f.txn_commit("g", {{0, 10}, {1, 20}}), kAllNone);
  auto got = f.fetch("g");
  EXPECT_EQ(got[0], (Fixture::Fetched{5, 0}));
  EXPECT_EQ(got[1], (Fixture::Fetched{-1, 0}));
  EXPECT_EQ(got[2], (Fixture::Fetched{-1, 0}));
}

TEST(TxnOffsets, TheOffsetsAreOneTransactionalBatchOfTheProducer) {
  Fixture f;
  EXPECT_EQ(f.txn_commit("g", {{0, 10}, {1, 20}}), kAllNone);
  const auto& batches = f.log.batches(f.partition_of("g"));
  ASSERT_EQ(batches.size(), 1u);
  auto h = protocol::read_batch_header(
      std::span(reinterpret_cast<const uint8_t*>(batches[0].data()), batches[0].size()));
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->is_transactional());
  EXPECT_FALSE(h->is_control());
  EXPECT_EQ(h->producer_id, kProducer);
  EXPECT_EQ(h->producer_epoch, kEpoch);
  EXPECT_EQ(h->base_sequence, -1);
  EXPECT_EQ(h->record_count, 2);
}

TEST(TxnOffsets, RequireStableReportsUnstableOffsetCommitPerPartition) {
  Fixture f;
  f.plain_commit("g", 0, 5);
  f.plain_commit("g", 2, 6);
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}), (std::map<int32_t, int16_t>{{0, 0}}));
  auto got = f.fetch("g", true);
  EXPECT_EQ(got[0], (Fixture::Fetched{-1, kUnstableOffsetCommit}));
  EXPECT_EQ(got[1], (Fixture::Fetched{-1, 0}));
  EXPECT_EQ(got[2], (Fixture::Fetched{6, 0}));
  // Listing all the group's offsets reports the same.
  auto all = f.fetch("g", true, 7, true);
  EXPECT_EQ(all[0], (Fixture::Fetched{-1, kUnstableOffsetCommit}));
  EXPECT_EQ(all[2], (Fixture::Fetched{6, 0}));
  // Before v7 there is no require_stable: the committed offset, pending or not.
  EXPECT_EQ(f.fetch("g", true, 6)[0], (Fixture::Fetched{5, 0}));
}

TEST(TxnOffsets, CommitMarkerMakesPendingOffsetsCommitted) {
  Fixture f;
  f.plain_commit("g", 0, 5);
  EXPECT_EQ(f.txn_commit("g", {{0, 10}, {1, 20}}), kAllNone);
  f.coord->complete_transaction(f.partition_of("g"), kProducer, true);
  auto got = f.fetch("g", true);
  EXPECT_EQ(got[0], (Fixture::Fetched{10, 0}));
  EXPECT_EQ(got[1], (Fixture::Fetched{20, 0}));
}

TEST(TxnOffsets, AbortMarkerDropsPendingOffsets) {
  Fixture f;
  f.plain_commit("g", 0, 5);
  EXPECT_EQ(f.txn_commit("g", {{0, 10}, {1, 20}}), kAllNone);
  f.coord->complete_transaction(f.partition_of("g"), kProducer, false);
  auto got = f.fetch("g", true);
  EXPECT_EQ(got[0], (Fixture::Fetched{5, 0}));
  EXPECT_EQ(got[1], (Fixture::Fetched{-1, 0}));
  // The transaction is over: a late commit marker for it changes nothing.
  f.coord->complete_transaction(f.partition_of("g"), kProducer, true);
  EXPECT_EQ(f.fetch("g")[0], (Fixture::Fetched{5, 0}));
}

TEST(TxnOffsets, MarkerEndsTheTransactionOnlyInItsPartitionAndForItsProducer) {
  Fixture f;
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}), (std::map<int32_t, int16_t>{{0, 0}}));
  const int32_t other = (f.partition_of("g") + 1) % f.log.partitions();
  f.coord->complete_transaction(other, kProducer, true);
  f.coord->complete_transaction(f.partition_of("g"), kProducer + 1, true);
  EXPECT_EQ(f.fetch("g", true)[0], (Fixture::Fetched{-1, kUnstableOffsetCommit}));
  f.coord->complete_transaction(f.partition_of("g"), kProducer, true);
  EXPECT_EQ(f.fetch("g", true)[0], (Fixture::Fetched{10, 0}));
}

TEST(TxnOffsets, PlainCommitWrittenAfterTheTransactionalOneWins) {
  Fixture f;
  EXPECT_EQ(f.txn_commit("g", {{0, 10}, {1, 20}}), kAllNone);
  f.plain_commit("g", 0, 7);  // later in the log than the transactional offset
  f.coord->complete_transaction(f.partition_of("g"), kProducer, true);
  auto got = f.fetch("g");
  EXPECT_EQ(got[0], (Fixture::Fetched{7, 0}));
  EXPECT_EQ(got[1], (Fixture::Fetched{20, 0}));
}

TEST(TxnOffsets, TwoProducersInOneGroupEndIndependently) {
  Fixture f;
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}, kProducer), (std::map<int32_t, int16_t>{{0, 0}}));
  EXPECT_EQ(f.txn_commit("g", {{1, 20}}, kProducer + 1), (std::map<int32_t, int16_t>{{1, 0}}));
  f.coord->complete_transaction(f.partition_of("g"), kProducer + 1, false);
  auto got = f.fetch("g", true);
  EXPECT_EQ(got[0], (Fixture::Fetched{-1, kUnstableOffsetCommit}));
  EXPECT_EQ(got[1], (Fixture::Fetched{-1, 0}));
}

TEST(TxnOffsets, ReloadRebuildsCommittedAbortedAndPendingTransactions) {
  Fixture f;
  const int32_t p = f.partition_of("g");
  f.plain_commit("g", 0, 1);
  // Committed: the marker is in the log and was applied live.
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}, 1), (std::map<int32_t, int16_t>{{0, 0}}));
  f.log.write_marker(p, 1, kEpoch, true);
  f.coord->complete_transaction(p, 1, true);
  // Aborted.
  EXPECT_EQ(f.txn_commit("g", {{1, 20}}, 2), (std::map<int32_t, int16_t>{{1, 0}}));
  f.log.write_marker(p, 2, kEpoch, false);
  f.coord->complete_transaction(p, 2, false);
  // Committed, but a plain commit came later in the log.
  EXPECT_EQ(f.txn_commit("g", {{2, 30}}, 3), (std::map<int32_t, int16_t>{{2, 0}}));
  f.plain_commit("g", 2, 3);
  f.log.write_marker(p, 3, kEpoch, true);
  f.coord->complete_transaction(p, 3, true);
  // Still open.
  EXPECT_EQ(f.txn_commit("g", {{1, 40}}, 4), (std::map<int32_t, int16_t>{{1, 0}}));

  const auto before = f.fetch("g", true);
  EXPECT_EQ(before.at(0), (Fixture::Fetched{10, 0}));
  EXPECT_EQ(before.at(1), (Fixture::Fetched{-1, kUnstableOffsetCommit}));
  EXPECT_EQ(before.at(2), (Fixture::Fetched{3, 0}));
  const auto before_plain = f.fetch("g");

  f.restart();
  EXPECT_EQ(f.fetch("g", true), before);
  EXPECT_EQ(f.fetch("g"), before_plain);
  // The open transaction is still the transaction coordinator's to end.
  f.coord->complete_transaction(p, 4, true);
  EXPECT_EQ(f.fetch("g", true).at(1), (Fixture::Fetched{40, 0}));
}

TEST(TxnOffsets, ReloadAppliesAMarkerWrittenButNotYetReportedLive) {
  Fixture f;
  const int32_t p = f.partition_of("g");
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}), (std::map<int32_t, int16_t>{{0, 0}}));
  f.log.write_marker(p, kProducer, kEpoch, true);  // a crash before complete_transaction
  f.restart();
  EXPECT_EQ(f.fetch("g", true)[0], (Fixture::Fetched{10, 0}));
}

TEST(TxnOffsets, UnknownPartitionAndLongMetadataAreRefusedPerPartition) {
  Fixture f;
  EXPECT_EQ(
      f.txn_commit("g", {{0, 10}, {5, 20}}),
      (std::map<int32_t, int16_t>{{0, 0}, {5, to_wire(ErrorCode::unknown_topic_or_partition)}}));
  EXPECT_EQ(
      f.txn_commit("g", {{1, 10}}, kProducer, 3, -1, "", std::nullopt, "t", std::string(17, 'x')),
      (std::map<int32_t, int16_t>{{1, to_wire(ErrorCode::offset_metadata_too_large)}}));
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}, kProducer, 3, -1, "", std::nullopt, "nope"),
            (std::map<int32_t, int16_t>{{0, to_wire(ErrorCode::unknown_topic_or_partition)}}));
  auto got = f.fetch("g", true);
  EXPECT_EQ(got[0], (Fixture::Fetched{-1, kUnstableOffsetCommit}));
  EXPECT_EQ(got[1], (Fixture::Fetched{-1, 0}));
}

TEST(TxnOffsets, WriteErrorsPassTransactionErrorsThrough) {
  Fixture f;
  f.log.refuse_next = ErrorCode::invalid_txn_state;  // producer not added to the partition
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}),
            (std::map<int32_t, int16_t>{{0, to_wire(ErrorCode::invalid_txn_state)}}));
  f.log.refuse_next = ErrorCode::invalid_producer_epoch;
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}),
            (std::map<int32_t, int16_t>{{0, to_wire(ErrorCode::invalid_producer_epoch)}}));
  f.log.refuse_next = ErrorCode::kafka_storage_error;
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}),
            (std::map<int32_t, int16_t>{{0, to_wire(ErrorCode::coordinator_not_available)}}));
  // Nothing was written, so nothing is pending.
  EXPECT_EQ(f.fetch("g", true)[0], (Fixture::Fetched{-1, 0}));
}

TEST(TxnOffsets, MissingGroupIsCreatedEmptyOnlyWithoutAGeneration) {
  Fixture f;
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}, kProducer, 3, 1, "m"),
            (std::map<int32_t, int16_t>{{0, to_wire(ErrorCode::illegal_generation)}}));
  EXPECT_TRUE(f.log.batches(f.partition_of("g")).empty());
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}), (std::map<int32_t, int16_t>{{0, 0}}));
  protocol::ListGroupsRequest list;
  std::vector<std::string> groups;
  f.coord->list(list, [&](protocol::ListGroupsResponse&& r) {
    for (const auto& g : r.groups) groups.push_back(g.group_id + "/" + g.group_state);
  });
  EXPECT_EQ(groups, (std::vector<std::string>{"g/Empty"}));
}

TEST(TxnOffsets, GenerationAndMemberAreCheckedFromV3) {
  Fixture f;
  const std::string member = f.join_and_sync("g");
  const std::map<int32_t, int16_t> ok = {{0, 0}};
  auto error = [](ErrorCode e) { return std::map<int32_t, int16_t>{{0, to_wire(e)}}; };
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}, kProducer, 3, 1, member), ok);
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}, kProducer, 3, 2, member),
            error(ErrorCode::illegal_generation));
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}, kProducer, 3, 1, "someone-else"),
            error(ErrorCode::unknown_member_id));
  // A member id without a generation is still checked, as Kafka does.
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}, kProducer, 3, -1, "someone-else"),
            error(ErrorCode::unknown_member_id));
  // No membership fields: accepted even though the group has members (pre-v3 producers).
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}, kProducer, 3), ok);
  // Before v3 the fields do not exist on the wire, so whatever they hold is not looked at.
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}, kProducer, 2, 9, "someone-else"), ok);
}

TEST(TxnOffsets, StaticMemberIsFencedByInstanceId) {
  Fixture f;
  const std::string member = f.join_and_sync("g", "instance-1");
  auto error = [](ErrorCode e) { return std::map<int32_t, int16_t>{{0, to_wire(e)}}; };
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}, kProducer, 3, 1, member, "instance-1"),
            (std::map<int32_t, int16_t>{{0, 0}}));
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}, kProducer, 3, 1, "old-id", "instance-1"),
            error(ErrorCode::fenced_instance_id));
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}, kProducer, 3, 1, member, "instance-2"),
            error(ErrorCode::unknown_member_id));
}

TEST(TxnOffsets, DeletedGroupDoesNotGetItsPendingOffsetsBack) {
  Fixture f;
  EXPECT_EQ(f.txn_commit("g", {{0, 10}}), (std::map<int32_t, int16_t>{{0, 0}}));
  protocol::DeleteGroupsRequest del;
  del.groups_names = {"g"};
  int16_t error = -1;
  f.coord->delete_groups(
      del, [&](protocol::DeleteGroupsResponse&& r) { error = r.results.at(0).error_code; });
  EXPECT_EQ(error, 0);
  // As Kafka does, the deletion tombstones the partition only the transaction wrote.
  std::vector<std::string> tombstones;
  for (const auto& b : f.log.batches(f.partition_of("g")))
    protocol::for_each_record(std::span(reinterpret_cast<const uint8_t*>(b.data()), b.size()),
                              1 << 20, [&](const protocol::Record& r) {
                                if (!r.value_null) return true;
                                auto rec = decode_record(r.key, std::nullopt);
                                if (auto* o = std::get_if<OffsetRecord>(&rec))
                                  tombstones.push_back(o->key.group + "/" + o->key.topic + "-" +
                                                       std::to_string(o->key.partition));
                                return true;
                              });
  EXPECT_EQ(tombstones, (std::vector<std::string>{"g/t-0"}));
  f.log.write_marker(f.partition_of("g"), kProducer, kEpoch, true);
  f.coord->complete_transaction(f.partition_of("g"), kProducer, true);
  EXPECT_EQ(f.fetch("g")[0], (Fixture::Fetched{-1, 0}));
  f.restart();
  EXPECT_EQ(f.fetch("g")[0], (Fixture::Fetched{-1, 0}));
}

TEST(TxnOffsets, OffsetDeleteRemovesPendingOffsetsToo) {
  Fixture f;
  EXPECT_EQ(f.txn_commit("g", {{0, 10}, {1, 20}}), kAllNone);
  protocol::OffsetDeleteRequest del;
  del.group_id = "g";
  del.topics.push_back({"t", {{0}}});
  int16_t error = -1;
  f.coord->delete_offsets(del, [&](protocol::OffsetDeleteResponse&& r) {
    error = r.topics.at(0).partitions.at(0).error_code;
  });
  EXPECT_EQ(error, 0);
  EXPECT_EQ(f.fetch("g", true)[0], (Fixture::Fetched{-1, 0}));
  f.log.write_marker(f.partition_of("g"), kProducer, kEpoch, true);
  f.coord->complete_transaction(f.partition_of("g"), kProducer, true);
  auto live = f.fetch("g");
  EXPECT_EQ(live[0], (Fixture::Fetched{-1, 0}));
  EXPECT_EQ(live[1], (Fixture::Fetched{20, 0}));
  f.restart();
  EXPECT_EQ(f.fetch("g"), live);
}

}  // namespace
}  // namespace sluice::group
