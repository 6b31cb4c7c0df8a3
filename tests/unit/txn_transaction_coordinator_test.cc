// The transaction coordinator's state machine against an in-memory __transaction_state and
// partitions that record what they are asked: every transition, fencing, the retried EndTxn,
// timeouts, and a reload from the log finishing what a crash interrupted.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sluice/protocol/messages/add_offsets_to_txn.h"
#include "sluice/protocol/messages/add_partitions_to_txn.h"
#include "sluice/protocol/messages/end_txn.h"
#include "sluice/protocol/messages/init_producer_id.h"
#include "sluice/txn/transaction_coordinator.h"

namespace sluice::txn {
namespace {

using protocol::ErrorCode;
using protocol::to_wire;

// Appends succeed (or fail while `fail` is set) and are kept per partition for scan().
class MemoryLog final : public TxnStateLog {
 public:
  int32_t partitions() const override { return 3; }
  void append(int32_t partition, std::string batch, std::function<void(ErrorCode)> done) override {
    if (fail) return done(ErrorCode::kafka_storage_error);
    batches[partition].push_back(std::move(batch));
    done(ErrorCode::none);
  }
  void scan(int32_t partition, const std::function<void(std::span<const uint8_t>)>& fn) override {
    for (const auto& b : batches[partition])
      fn(std::span(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
  }
  std::map<int32_t, std::vector<std::string>> batches;
  bool fail = false;
};

struct Marker {
  int64_t pid;
  int16_t epoch;
  bool commit;
  std::vector<TxnPartition> partitions;
};

class RecordingPartitions final : public TxnPartitions {
 public:
  void admit(int64_t pid, int16_t epoch, std::vector<TxnPartition> parts,
             std::function<void(std::vector<ErrorCode>)> done) override {
    for (const auto& p : parts) admitted[p] = {pid, epoch};
    done(std::vector<ErrorCode>(parts.size(), ErrorCode::none));
  }
  void write_markers(int64_t pid, int16_t epoch, bool commit, std::vector<TxnPartition> parts,
                     std::function<void(ErrorCode)> done) override {
    if (fail_markers > 0) {
      --fail_markers;
      return done(ErrorCode::kafka_storage_error);
    }
    if (hold_markers) {
      held.push_back([=, this] { write_markers(pid, epoch, commit, parts, done); });
      return;
    }
    markers.push_back({pid, epoch, commit, parts});
    for (const auto& p : parts) admitted.erase(p);
    done(ErrorCode::none);
  }
  std::map<TxnPartition, std::pair<int64_t, int16_t>> admitted;
  std::vector<Marker> markers;
  int fail_markers = 0;
  // While set, marker writes wait in `held` (each resumes the write when called).
  bool hold_markers = false;
  std::vector<std::function<void()>> held;
};

class CoordinatorTest : public ::testing::Test {
 protected:
  CoordinatorTest() { make(); }

  void make() {
    TxnConfig cfg;
    cfg.max_timeout_ms = 60000;
    cfg.abort_check_interval_ms = 10;
    cfg.marker_retry_ms = 5;
    coord = std::make_unique<TransactionCoordinator>(
        io, log, parts, [this] { return std::optional<int64_t>(next_pid++); },
        [](const std::string& g) {
          return std::optional<TxnPartition>(
              {"__consumer_offsets", static_cast<int32_t>(g.size() % 5)});
        },
        [](const TxnPartition& tp) { return tp.topic != "missing"; }, cfg, [this] { return now; });
    coord->load();
  }

  void run() {
    io.restart();
    io.poll();
  }

  std::tuple<int16_t, int64_t, int16_t> init(const std::string& id, int64_t pid = -1,
                                             int16_t epoch = -1, int32_t timeout = 10000) {
    protocol::InitProducerIdRequest req;
    req.transactional_id = id;
    req.transaction_timeout_ms = timeout;
    req.producer_id = pid;
    req.producer_epoch = epoch;
    std::optional<protocol::InitProducerIdResponse> out;
    coord->init_producer_id(req, 4, [&](protocol::InitProducerIdResponse&& r) { out = r; });
    run();
    EXPECT_TRUE(out);
    return {out->error_code, out->producer_id, out->producer_epoch};
  }

  std::vector<int16_t> add(const std::string& id, int64_t pid, int16_t epoch,
                           std::vector<TxnPartition> tps, int16_t version = 3) {
    protocol::AddPartitionsToTxnRequest req;
    req.v3_and_below_transactional_id = id;
    req.v3_and_below_producer_id = pid;
    req.v3_and_below_producer_epoch = epoch;
    for (const auto& tp : tps) {
      if (req.v3_and_below_topics.empty() || req.v3_and_below_topics.back().name != tp.topic)
        req.v3_and_below_topics.push_back({tp.topic, {}});
      req.v3_and_below_topics.back().partitions.push_back(tp.partition);
    }
    std::vector<int16_t> errors;
    coord->add_partitions(req, version, [&](protocol::AddPartitionsToTxnResponse&& r) {
      for (const auto& t : r.results_by_topic_v3_and_below)
        for (const auto& p : t.results_by_partition) errors.push_back(p.partition_error_code);
    });
    run();
    return errors;
  }

  int16_t add_offsets(const std::string& id, int64_t pid, int16_t epoch, const std::string& g) {
    protocol::AddOffsetsToTxnRequest req;
    req.transactional_id = id;
    req.producer_id = pid;
    req.producer_epoch = epoch;
    req.group_id = g;
    int16_t err = -1;
    coord->add_offsets(req, 3, [&](protocol::AddOffsetsToTxnResponse&& r) { err = r.error_code; });
    run();
    return err;
  }

  int16_t end(const std::string& id, int64_t pid, int16_t epoch, bool commit, int16_t version = 3) {
    protocol::EndTxnRequest req;
    req.transactional_id = id;
    req.producer_id = pid;
    req.producer_epoch = epoch;
    req.committed = commit;
    int16_t err = -1;
    coord->end_txn(req, version, [&](protocol::EndTxnResponse&& r) { err = r.error_code; });
    run();
    return err;
  }

  TxnState state(const std::string& id) { return coord->find(id)->state; }

  asio::io_context io;
  MemoryLog log;
  RecordingPartitions parts;
  int64_t next_pid = 1000;
  int64_t now = 1'000'000;
  std::unique_ptr<TransactionCoordinator> coord;
  const TxnPartition t0{"t", 0}, t1{"t", 1};
};

TEST_F(CoordinatorTest, InitGivesANewIdAndEachReinitBumpsTheEpoch) {
  auto [err, pid, epoch] = init("a");
  EXPECT_EQ(err, 0);
  EXPECT_EQ(pid, 1000);
  EXPECT_EQ(epoch, 0);
  auto [err2, pid2, epoch2] = init("a");
  EXPECT_EQ(err2, 0);
  EXPECT_EQ(pid2, pid);
  EXPECT_EQ(epoch2, 1);
  EXPECT_EQ(std::get<1>(init("b")), 1001);
}

TEST_F(CoordinatorTest, TimeoutAboveTheBrokerMaximumIsRefused) {
  EXPECT_EQ(std::get<0>(init("a", -1, -1, 60001)), to_wire(ErrorCode::invalid_transaction_timeout));
  EXPECT_EQ(coord->find("a"), nullptr);
}

TEST_F(CoordinatorTest, CommitWritesPrepareThenMarkersThenComplete) {
  auto [err, pid, epoch] = init("a");
  EXPECT_EQ(add("a", pid, epoch, {t0, t1}), (std::vector<int16_t>{0, 0}));
  EXPECT_EQ(state("a"), TxnState::ongoing);
  EXPECT_EQ(parts.admitted.at(t0), std::make_pair(pid, epoch));
  EXPECT_EQ(add_offsets("a", pid, epoch, "grp"), 0);
  EXPECT_EQ(coord->find("a")->partitions.size(), 3u);
  EXPECT_EQ(end("a", pid, epoch, true), 0);
  ASSERT_EQ(parts.markers.size(), 1u);
  EXPECT_TRUE(parts.markers[0].commit);
  EXPECT_EQ(parts.markers[0].epoch, epoch);
  EXPECT_EQ(parts.markers[0].partitions.size(), 3u);
  EXPECT_EQ(state("a"), TxnState::complete_commit);
  EXPECT_TRUE(coord->find("a")->partitions.empty());
  // A retry of that EndTxn gets the same answer and writes nothing.
  EXPECT_EQ(end("a", pid, epoch, true), 0);
  EXPECT_EQ(parts.markers.size(), 1u);
  // ...but an abort of a completed commit is a state error.
  EXPECT_EQ(end("a", pid, epoch, false), to_wire(ErrorCode::invalid_txn_state));
}

TEST_F(CoordinatorTest, EndTxnWithoutAnOpenTransactionIsAStateError) {
  auto [err, pid, epoch] = init("a");
  EXPECT_EQ(end("a", pid, epoch, true), to_wire(ErrorCode::invalid_txn_state));
  EXPECT_EQ(end("a", pid, epoch, false), to_wire(ErrorCode::invalid_txn_state));
  EXPECT_TRUE(parts.markers.empty());
}

// An EndTxn from an older incarnation of the producer (a lower epoch) is fenced, whatever it
// asks, and leaves the open transaction alone.
TEST_F(CoordinatorTest, EndTxnWithAStaleEpochIsFenced) {
  init("a");
  auto [err, pid, epoch] = init("a");  // the second incarnation: epoch 1, the first one had 0
  ASSERT_EQ(epoch, 1);
  add("a", pid, epoch, {t0});
  EXPECT_EQ(end("a", pid, epoch, false), 0);
  add("a", pid, epoch, {t1});
  EXPECT_EQ(end("a", pid, static_cast<int16_t>(epoch - 1), true),
            to_wire(ErrorCode::producer_fenced));
  EXPECT_EQ(state("a"), TxnState::ongoing);
  EXPECT_EQ(parts.markers.size(), 1u);
}

TEST_F(CoordinatorTest, UnknownIdAndWrongProducerAreRefused) {
  EXPECT_EQ(end("nope", 1, 0, true), to_wire(ErrorCode::invalid_producer_id_mapping));
  EXPECT_EQ(add("nope", 1, 0, {t0}),
            (std::vector<int16_t>{to_wire(ErrorCode::invalid_producer_id_mapping)}));
  auto [err, pid, epoch] = init("a");
  EXPECT_EQ(add("a", pid + 1, epoch, {t0})[0], to_wire(ErrorCode::invalid_producer_id_mapping));
  EXPECT_EQ(add("a", pid, static_cast<int16_t>(epoch + 1), {t0})[0],
            to_wire(ErrorCode::producer_fenced));
  // Before KIP-588 (AddPartitionsToTxn v0-1) fencing is INVALID_PRODUCER_EPOCH.
  EXPECT_EQ(add("a", pid, static_cast<int16_t>(epoch + 1), {t0}, 1)[0],
            to_wire(ErrorCode::invalid_producer_epoch));
  EXPECT_TRUE(parts.admitted.empty());
}

TEST_F(CoordinatorTest, UnknownPartitionAddsNothing) {
  auto [err, pid, epoch] = init("a");
  auto errors = add("a", pid, epoch, {t0, {"missing", 0}});
  EXPECT_EQ(errors, (std::vector<int16_t>{to_wire(ErrorCode::operation_not_attempted),
                                          to_wire(ErrorCode::unknown_topic_or_partition)}));
  EXPECT_EQ(state("a"), TxnState::empty);
  EXPECT_TRUE(parts.admitted.empty());
}

TEST_F(CoordinatorTest, NewIncarnationAbortsTheOpenTransactionAndFencesTheOldOne) {
  auto [err, pid, epoch] = init("a");
  add("a", pid, epoch, {t0});
  auto [err2, pid2, epoch2] = init("a");
  EXPECT_EQ(err2, 0);
  EXPECT_EQ(pid2, pid);
  EXPECT_GT(epoch2, epoch + 1);  // one bump for the abort's markers, one for the new producer
  ASSERT_EQ(parts.markers.size(), 1u);
  EXPECT_FALSE(parts.markers[0].commit);
  EXPECT_EQ(parts.markers[0].epoch, epoch + 1);
  EXPECT_EQ(state("a"), TxnState::empty);
  // The zombie is fenced everywhere.
  EXPECT_EQ(add("a", pid, epoch, {t1})[0], to_wire(ErrorCode::producer_fenced));
  EXPECT_EQ(end("a", pid, epoch, true), to_wire(ErrorCode::producer_fenced));
}

TEST_F(CoordinatorTest, RetriedInitWithThePreviousEpochGetsTheSameAnswer) {
  auto [err, pid, epoch] = init("a");
  auto [e1, p1, ep1] = init("a", pid, epoch);  // KIP-360 bump
  EXPECT_EQ(e1, 0);
  EXPECT_EQ(ep1, epoch + 1);
  auto [e2, p2, ep2] = init("a", pid, epoch);  // its retry
  EXPECT_EQ(e2, 0);
  EXPECT_EQ(ep2, ep1);
  EXPECT_EQ(std::get<0>(init("a", pid + 7, 0)), to_wire(ErrorCode::producer_fenced));
}

TEST_F(CoordinatorTest, OpenTransactionPastItsTimeoutIsAbortedAndItsProducerFenced) {
  auto [err, pid, epoch] = init("a", -1, -1, 100);
  add("a", pid, epoch, {t0});
  now += 50;
  io.run_for(std::chrono::milliseconds(40));
  EXPECT_EQ(state("a"), TxnState::ongoing);
  now += 100;
  io.restart();
  io.run_for(std::chrono::milliseconds(40));
  EXPECT_EQ(state("a"), TxnState::complete_abort);
  ASSERT_EQ(parts.markers.size(), 1u);
  EXPECT_FALSE(parts.markers[0].commit);
  EXPECT_EQ(parts.markers[0].epoch, epoch + 1);
  EXPECT_EQ(end("a", pid, epoch, true), to_wire(ErrorCode::producer_fenced));
}

TEST_F(CoordinatorTest, FailedMarkersAreRetriedAndOtherRequestsWait) {
  auto [err, pid, epoch] = init("a");
  add("a", pid, epoch, {t0});
  parts.fail_markers = 2;
  EXPECT_EQ(end("a", pid, epoch, true), 0);  // answered at the first failure: decided
  EXPECT_EQ(state("a"), TxnState::prepare_commit);
  EXPECT_EQ(add("a", pid, epoch, {t1})[0], to_wire(ErrorCode::concurrent_transactions));
  io.restart();
  io.run_for(std::chrono::milliseconds(100));
  EXPECT_EQ(state("a"), TxnState::complete_commit);
  EXPECT_EQ(parts.markers.size(), 1u);
}

TEST_F(CoordinatorTest, EndTxnIsAnsweredOnceTheTransactionIsComplete) {
  auto [err, pid, epoch] = init("a");
  add("a", pid, epoch, {t0});
  parts.hold_markers = true;
  protocol::EndTxnRequest req;
  req.transactional_id = "a";
  req.producer_id = pid;
  req.producer_epoch = epoch;
  req.committed = true;
  int answers = 0;
  int16_t answer = -1;
  coord->end_txn(req, 3, [&](protocol::EndTxnResponse&& r) {
    ++answers;
    answer = r.error_code;
  });
  run();
  EXPECT_EQ(answers, 0) << "answered before the markers were written";
  EXPECT_EQ(state("a"), TxnState::prepare_commit);
  ASSERT_EQ(parts.held.size(), 1u);
  parts.hold_markers = false;
  parts.held.front()();
  run();
  EXPECT_EQ(answers, 1);
  EXPECT_EQ(answer, 0);
  // The next transaction is accepted at once, without CONCURRENT_TRANSACTIONS.
  EXPECT_EQ(state("a"), TxnState::complete_commit);
  EXPECT_EQ(add("a", pid, epoch, {t1}), (std::vector<int16_t>{0}));
}

TEST_F(CoordinatorTest, StateThatCannotBeWrittenChangesNothing) {
  auto [err, pid, epoch] = init("a");
  log.fail = true;
  EXPECT_EQ(add("a", pid, epoch, {t0})[0], to_wire(ErrorCode::coordinator_not_available));
  EXPECT_EQ(state("a"), TxnState::empty);
  EXPECT_TRUE(parts.admitted.empty());
  EXPECT_EQ(std::get<0>(init("b")), to_wire(ErrorCode::coordinator_not_available));
  EXPECT_EQ(coord->find("b"), nullptr);
}

TEST_F(CoordinatorTest, ReloadRestoresStateAndFinishesWhatACrashInterrupted) {
  auto [err, pid, epoch] = init("open");
  add("open", pid, epoch, {t0});
  auto [e2, pid2, epoch2] = init("deciding");
  add("deciding", pid2, epoch2, {t1});
  parts.fail_markers = 1000;  // the markers never get written before the "crash"
  EXPECT_EQ(end("deciding", pid2, epoch2, true), 0);
  coord.reset();
  parts = RecordingPartitions{};
  make();  // loads the log
  run();
  EXPECT_EQ(state("open"), TxnState::ongoing);
  EXPECT_EQ(coord->find("open")->producer_epoch, epoch);
  EXPECT_EQ(parts.admitted.at(t0), std::make_pair(pid, epoch));  // may write again
  EXPECT_EQ(state("deciding"), TxnState::complete_commit);
  ASSERT_EQ(parts.markers.size(), 1u);
  EXPECT_TRUE(parts.markers[0].commit);
  EXPECT_EQ(parts.markers[0].partitions, std::vector<TxnPartition>{t1});
  // Ids keep going up after a reload.
  EXPECT_EQ(end("open", pid, epoch, false), 0);
}

TEST(TxnStates, TransitionsFollowKafka) {
  EXPECT_TRUE(valid_transition(TxnState::ongoing, TxnState::prepare_commit));
  EXPECT_FALSE(valid_transition(TxnState::empty, TxnState::prepare_commit));
  EXPECT_FALSE(valid_transition(TxnState::prepare_commit, TxnState::complete_abort));
  EXPECT_FALSE(valid_transition(TxnState::complete_commit, TxnState::prepare_abort));
  EXPECT_TRUE(valid_transition(TxnState::complete_abort, TxnState::ongoing));
}

}  // namespace
}  // namespace sluice::txn
