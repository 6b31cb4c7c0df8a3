// `sluice txn list|describe|abort`: transactions on the broker's transaction coordinator (KIP-664).
//
// librdkafka's Admin API has no ListTransactions or DescribeTransactions, so these commands speak
// the Kafka wire protocol themselves (wire_client.h). Sluice is one node: ListTransactions,
// DescribeProducers and WriteTxnMarkers go to the bootstrap broker; DescribeTransactions and
// InitProducerId go to the coordinator FindCoordinator names for the transactional id.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "command.h"
#include "errors.h"
#include "global_options.h"
#include "output_format.h"
#include "sluice/protocol/messages/describe_producers.h"
#include "sluice/protocol/messages/describe_transactions.h"
#include "sluice/protocol/messages/find_coordinator.h"
#include "sluice/protocol/messages/init_producer_id.h"
#include "sluice/protocol/messages/list_transactions.h"
#include "sluice/protocol/messages/write_txn_markers.h"
#include "wire_client.h"

namespace sluice::cli {

// Registered from main.cc.
void add_txn_commands(CLI::App& app, const GlobalOptions& global, Action& action);

namespace {

namespace proto = sluice::protocol;

// Kafka error codes the commands react to.
constexpr int16_t kCoordinatorLoadInProgress = 14;
constexpr int16_t kCoordinatorNotAvailable = 15;
constexpr int16_t kNotCoordinator = 16;
constexpr int16_t kConcurrentTransactions = 51;
constexpr int16_t kTransactionalIdNotFound = 105;

// The coordinator is still loading, moving, or ending the previous transaction: ask again.
bool retriable(int16_t code) {
  return code == kCoordinatorLoadInProgress || code == kCoordinatorNotAvailable ||
         code == kNotCoordinator || code == kConcurrentTransactions;
}
constexpr auto kRetryBackoff = std::chrono::milliseconds(100);

// Calls attempt() until it returns an error code that is not retriable or --timeout-ms passes;
// returns the last code.
template <typename Attempt>
int16_t with_retries(const GlobalOptions& global, Attempt attempt) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(global.timeout_ms);
  for (;;) {
    const int16_t code = attempt();
    if (!retriable(code) || std::chrono::steady_clock::now() + kRetryBackoff >= deadline)
      return code;
    std::this_thread::sleep_for(kRetryBackoff);
  }
}

// The address of the transaction coordinator for `transactional_id` (FindCoordinator v3,
// key type 1).
std::string find_coordinator(const std::string& transactional_id, const GlobalOptions& global) {
  WireClient bootstrap(global.bootstrap, global.timeout_ms);
  proto::FindCoordinatorRequest req;
  req.key = transactional_id;
  req.key_type = 1;
  proto::FindCoordinatorResponse resp;
  const int16_t code = with_retries(global, [&] {
    resp = bootstrap.call<proto::FindCoordinatorResponse>(req, 3);
    return resp.error_code;
  });
  if (code != 0)
    throw CliError("cannot find the transaction coordinator of '" + transactional_id + "' via " +
                   global.bootstrap + ": " + kafka_error_name(code) +
                   (resp.error_message ? ": " + *resp.error_message : ""));
  const bool ipv6 = resp.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + resp.host + "]" : resp.host) + ":" + std::to_string(resp.port);
}

// --- list -----------------------------------------------------------------------------------

struct ListOptions {
  std::vector<std::string> states;
  std::vector<int64_t> producer_ids;
  int64_t min_duration_ms = -1;
};

void run_list(const ListOptions& o, const GlobalOptions& global) {
  WireClient broker(global.bootstrap, global.timeout_ms);
  proto::ListTransactionsRequest req;
  req.state_filters = o.states;
  req.producer_id_filters = o.producer_ids;
  req.duration_filter = o.min_duration_ms;
  auto resp = broker.call<proto::ListTransactionsResponse>(req, 1);
  if (resp.error_code != 0)
    throw CliError("cannot list transactions on " + global.bootstrap + ": " +
                   kafka_error_name(resp.error_code));
  for (const auto& s : resp.unknown_state_filters)
    print_warning("the broker knows no transaction state '" + s + "'");
  auto& states = resp.transaction_states;
  std::sort(states.begin(), states.end(),
            [](const auto& a, const auto& b) { return a.transactional_id < b.transactional_id; });
  std::vector<std::vector<std::string>> table{{"TRANSACTIONAL-ID", "PRODUCER-ID", "STATE"}};
  for (const auto& s : states)
    table.push_back({s.transactional_id, std::to_string(s.producer_id), s.transaction_state});
  print_table(table);
}

// --- describe -------------------------------------------------------------------------------

struct DescribeOptions {
  std::vector<std::string> ids;
};

using TransactionState = proto::DescribeTransactionsResponse::TransactionState;

// DescribeTransactions v0 for one id, on its coordinator; error_code tells whether it exists.
TransactionState describe_one(const std::string& id, const GlobalOptions& global) {
  WireClient coordinator(find_coordinator(id, global), global.timeout_ms);
  proto::DescribeTransactionsRequest req;
  req.transactional_ids = {id};
  TransactionState state;
  with_retries(global, [&] {
    auto resp = coordinator.call<proto::DescribeTransactionsResponse>(req, 0);
    if (resp.transaction_states.size() != 1)
      throw CliError("coordinator " + coordinator.address() + " described " +
                     std::to_string(resp.transaction_states.size()) +
                     " transactional ids, asked for 1 ('" + id + "')");
    state = std::move(resp.transaction_states.front());
    return state.error_code;
  });
  state.transactional_id = id;
  return state;
}

// "topic:0,1;other:3", or "-" when the transaction holds no partitions.
std::string partitions_text(const std::vector<proto::DescribeTransactionsResponse::TopicData>& ts) {
  std::string out;
  for (const auto& t : ts) {
    if (!out.empty()) out += ';';
    out += t.name + ":";
    for (size_t i = 0; i < t.partition_indexes.size(); ++i) {
      if (i > 0) out += ',';
      out += std::to_string(t.partition_indexes[i]);
    }
  }
  return out.empty() ? "-" : out;
}

void run_describe(const DescribeOptions& o, const GlobalOptions& global) {
  std::vector<std::vector<std::string>> table{{"TRANSACTIONAL-ID", "STATE", "PRODUCER-ID", "EPOCH",
                                               "TIMEOUT-MS", "START-TIME-MS", "PARTITIONS"}};
  std::vector<std::string> failures;
  for (const auto& id : o.ids) {
    TransactionState s = describe_one(id, global);
    if (s.error_code != 0) {
      failures.push_back("transactional id '" + id + "': " + kafka_error_name(s.error_code));
      continue;
    }
    table.push_back({id, s.transaction_state, std::to_string(s.producer_id),
                     std::to_string(s.producer_epoch), std::to_string(s.transaction_timeout_ms),
                     number_or_dash(s.transaction_start_time_ms), partitions_text(s.topics)});
  }
  if (table.size() > 1) print_table(table);
  if (failures.empty()) return;
  // Every failure is printed; the last one is the command's error, so the exit code says it.
  for (size_t i = 0; i + 1 < failures.size(); ++i) print_error(failures[i]);
  throw CliError(failures.back());
}

// --- abort ----------------------------------------------------------------------------------

struct AbortOptions {
  std::string transactional_id;  // abort through the coordinator
  int32_t transaction_timeout_ms = 60000;
  std::string topic;  // or write an ABORT marker into one partition (hanging transaction)
  int32_t partition = -1;
  int64_t producer_id = -1;
  int32_t producer_epoch = -1;
  int32_t coordinator_epoch = -1;
};

// As a new incarnation of the producer does: InitProducerId with the transactional id makes the
// coordinator abort the open transaction and bump the epoch, which fences the old producer.
void abort_through_coordinator(const AbortOptions& o, const GlobalOptions& global) {
  const std::string& id = o.transactional_id;
  // Described first so that an id the coordinator does not know is an error here, not a new
  // transactional id created by InitProducerId.
  const TransactionState before = describe_one(id, global);
  if (before.error_code != 0)
    throw CliError("cannot abort the transaction of '" + id +
                   "': " + kafka_error_name(before.error_code));
  WireClient coordinator(find_coordinator(id, global), global.timeout_ms);
  proto::InitProducerIdRequest req;
  req.transactional_id = id;
  req.transaction_timeout_ms = o.transaction_timeout_ms;
  proto::InitProducerIdResponse resp;
  const int16_t code = with_retries(global, [&] {
    resp = coordinator.call<proto::InitProducerIdResponse>(req, 3);
    return resp.error_code;
  });
  if (code != 0)
    throw CliError("cannot abort the transaction of '" + id + "' on coordinator " +
                   coordinator.address() + ": InitProducerId: " + kafka_error_name(code));
  std::printf("Transactional id '%s' was %s with producer id %lld epoch %d.\n", id.c_str(),
              before.transaction_state.c_str(), static_cast<long long>(before.producer_id),
              before.producer_epoch);
  std::printf(
      "Its open transaction (if any) is aborted; producer id %lld is now at epoch %d, so the "
      "previous producer is fenced.\n",
      static_cast<long long>(resp.producer_id), resp.producer_epoch);
}

using ProducerState = proto::DescribeProducersResponse::ProducerState;

// The producers of topic-partition, as the partition's leader knows them (DescribeProducers v0).
std::vector<ProducerState> describe_producers(WireClient& leader, const std::string& topic,
                                              int32_t partition) {
  proto::DescribeProducersRequest req;
  auto& t = req.topics.emplace_back();
  t.name = topic;
  t.partition_indexes = {partition};
  auto resp = leader.call<proto::DescribeProducersResponse>(req, 0);
  if (resp.topics.size() != 1 || resp.topics[0].partitions.size() != 1)
    throw CliError("broker " + leader.address() +
                   ": DescribeProducers answered for other "
                   "partitions than " +
                   topic + "-" + std::to_string(partition));
  auto& p = resp.topics[0].partitions[0];
  if (p.error_code != 0)
    throw CliError("cannot describe the producers of " + topic + "-" + std::to_string(partition) +
                   ": " + kafka_error_name(p.error_code) +
                   (p.error_message ? ": " + *p.error_message : ""));
  return std::move(p.active_producers);
}

// The producer whose hanging transaction to abort: the one named, or else the only one with an
// open transaction on the partition.
ProducerState pick_open_producer(const AbortOptions& o, std::vector<ProducerState> producers) {
  const std::string where = o.topic + "-" + std::to_string(o.partition);
  std::vector<ProducerState> open;
  for (const auto& p : producers)
    if (p.current_txn_start_offset >= 0 && (o.producer_id < 0 || p.producer_id == o.producer_id))
      open.push_back(p);
  if (open.size() == 1) return open.front();
  if (open.empty())
    throw CliError(o.producer_id < 0 ? "no producer has an open transaction on " + where
                                     : "producer id " + std::to_string(o.producer_id) +
                                           " has no open transaction on " + where);
  std::string list;
  for (const auto& p : open)
    list += "\n  producer id " + std::to_string(p.producer_id) + " epoch " +
            std::to_string(p.producer_epoch) + ", open since offset " +
            std::to_string(p.current_txn_start_offset);
  throw CliError(std::to_string(open.size()) + " producers have an open transaction on " + where +
                 "; name one with --producer-id:" + list);
}

// KIP-664's abort of a hanging transaction, one the coordinator no longer knows: an ABORT marker
// written straight into the partition (WriteTxnMarkers v1), which ends the producer's open
// transaction there and lets the last stable offset move on.
void abort_hanging(const AbortOptions& o, const GlobalOptions& global) {
  WireClient leader(global.bootstrap, global.timeout_ms);
  int64_t producer_id = o.producer_id;
  int32_t producer_epoch = o.producer_epoch;
  int32_t coordinator_epoch = o.coordinator_epoch;
  if (producer_id < 0 || producer_epoch < 0) {
    ProducerState p = pick_open_producer(o, describe_producers(leader, o.topic, o.partition));
    producer_id = p.producer_id;
    if (producer_epoch < 0) producer_epoch = p.producer_epoch;
    if (coordinator_epoch < 0) coordinator_epoch = p.coordinator_epoch;
  }
  if (coordinator_epoch < 0) coordinator_epoch = 0;
  if (producer_epoch > INT16_MAX)
    throw UsageError("--producer-epoch " + std::to_string(producer_epoch) + " is over 32767");

  proto::WriteTxnMarkersRequest req;
  auto& m = req.markers.emplace_back();
  m.producer_id = producer_id;
  m.producer_epoch = static_cast<int16_t>(producer_epoch);
  m.transaction_result = false;  // ABORT
  m.coordinator_epoch = coordinator_epoch;
  auto& t = m.topics.emplace_back();
  t.name = o.topic;
  t.partition_indexes = {o.partition};
  auto resp = leader.call<proto::WriteTxnMarkersResponse>(req, 1);
  const std::string what = "ABORT marker for producer id " + std::to_string(producer_id) +
                           " epoch " + std::to_string(producer_epoch) + " on " + o.topic + "-" +
                           std::to_string(o.partition);
  if (resp.markers.size() != 1 || resp.markers[0].topics.size() != 1 ||
      resp.markers[0].topics[0].partitions.size() != 1)
    throw CliError("broker " + leader.address() +
                   ": WriteTxnMarkers answered for other "
                   "partitions than asked (" +
                   what + ")");
  const int16_t code = resp.markers[0].topics[0].partitions[0].error_code;
  if (code != 0) throw CliError("cannot write the " + what + ": " + kafka_error_name(code));
  std::printf("Wrote an %s.\n", what.c_str());
}

void run_abort(const AbortOptions& o, const GlobalOptions& global) {
  const bool by_id = !o.transactional_id.empty();
  const bool by_partition = !o.topic.empty();
  if (by_id == by_partition)
    throw UsageError("txn abort takes either a transactional id or --topic and --partition");
  if (by_id) {
    if (o.partition >= 0 || o.producer_id >= 0 || o.producer_epoch >= 0 || o.coordinator_epoch >= 0)
      throw UsageError("--partition and --producer-*/--coordinator-epoch go with --topic");
    return abort_through_coordinator(o, global);
  }
  if (o.partition < 0) throw UsageError("--topic needs --partition");
  if (o.producer_id < 0 && o.producer_epoch >= 0)
    throw UsageError("--producer-epoch needs --producer-id");
  abort_hanging(o, global);
}

constexpr const char* kAbortHelp =
    "sluice txn abort ID: through the transaction coordinator, as a new incarnation of the\n"
    "producer would. InitProducerId with the transactional id makes the coordinator abort the\n"
    "open transaction (ABORT markers into its partitions) and bump the producer epoch. The\n"
    "producer that opened it is fenced: its next request fails with PRODUCER_FENCED and it must\n"
    "be closed. A new producer with the same transactional id starts cleanly.\n"
    "\n"
    "sluice txn abort --topic T --partition P [--producer-id N --producer-epoch E]: a hanging\n"
    "transaction (KIP-664), one that keeps a partition's last stable offset back although its\n"
    "coordinator no longer knows it. An ABORT marker is written into that partition only\n"
    "(WriteTxnMarkers). Without --producer-id, the one producer with an open transaction on\n"
    "the partition is taken (DescribeProducers).";

}  // namespace

void add_txn_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
  CLI::App* txn = app.add_subcommand(
      "txn", "List and describe transactional ids; abort open or hanging transactions");
  txn->require_subcommand(1);

  {
    auto o = std::make_shared<ListOptions>();
    CLI::App* sub = txn->add_subcommand(
        "list", "List transactional ids: transactional id, producer id, state (sorted)");
    sub->add_option("-s,--state", o->states,
                    "Only ids in this state: Empty, Ongoing, PrepareCommit, PrepareAbort, "
                    "CompleteCommit, CompleteAbort, Dead, PrepareEpochFence (repeatable)")
        ->allow_extra_args(false);
    sub->add_option("--producer-id", o->producer_ids, "Only this producer id (repeatable)")
        ->allow_extra_args(false);
    sub->add_option("--min-duration-ms", o->min_duration_ms,
                    "Only transactions open for at least this long")
        ->check(CLI::NonNegativeNumber);
    bind(sub, o, global, action, run_list);
  }
  {
    auto o = std::make_shared<DescribeOptions>();
    CLI::App* sub = txn->add_subcommand(
        "describe",
        "Show state, producer id and epoch, timeout, start time and partitions of transactional "
        "ids; an unknown id is an error");
    sub->add_option("ids", o->ids, "Transactional ids")->required();
    bind(sub, o, global, action, run_describe);
  }
  {
    auto o = std::make_shared<AbortOptions>();
    CLI::App* sub = txn->add_subcommand(
        "abort",
        "Abort a transactional id's open transaction (fencing its producer), or a "
        "hanging transaction on one partition");
    sub->footer(kAbortHelp);
    sub->add_option("transactional-id", o->transactional_id,
                    "Abort this id's open transaction through its coordinator");
    sub->add_option("--transaction-timeout-ms", o->transaction_timeout_ms,
                    "With an id: the transaction timeout InitProducerId registers")
        ->capture_default_str()
        ->check(CLI::Range(1, INT32_MAX));
    sub->add_option("-t,--topic", o->topic, "Hanging transaction: the partition's topic");
    sub->add_option("-p,--partition", o->partition, "Hanging transaction: the partition")
        ->check(CLI::NonNegativeNumber);
    sub->add_option("--producer-id", o->producer_id,
                    "Hanging transaction: its producer id (default: the only open one)")
        ->check(CLI::NonNegativeNumber);
    sub->add_option("--producer-epoch", o->producer_epoch,
                    "Hanging transaction: its producer epoch (default: the partition's)")
        ->check(CLI::Range(0, INT16_MAX));
    sub->add_option("--coordinator-epoch", o->coordinator_epoch,
                    "Hanging transaction: the coordinator epoch of the marker (default: the "
                    "partition's, else 0)")
        ->check(CLI::NonNegativeNumber);
    bind(sub, o, global, action, run_abort);
  }
}

}  // namespace sluice::cli
