#include "raw_produce.h"

#include <unistd.h>

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "raw_socket.h"
#include "sluice/protocol/batch_builder.h"
#include "sluice/protocol/messages/add_partitions_to_txn.h"
#include "sluice/protocol/messages/end_txn.h"
#include "sluice/protocol/messages/init_producer_id.h"
#include "sluice/protocol/messages/produce.h"

namespace sluice::bench {
namespace {

// The newest non-flexible version of each API: what RawConnection frames.
constexpr int16_t kProduceVersion = 8;
constexpr int16_t kInitProducerIdVersion = 1;
constexpr int16_t kAddPartitionsVersion = 2;
constexpr int16_t kEndTxnVersion = 2;

struct Producer {
  std::optional<std::string> transactional_id;
  int64_t id = -1;
  int16_t epoch = -1;
};

class Generator {
 public:
  explicit Generator(const RawProduceOptions& o)
      : o_(o),
        conn_("raw-produce", o.bootstrap),
        value_(static_cast<size_t>(o.size), 'x'),
        sequence_(static_cast<size_t>(o.partitions), 0) {
    for (int i = 0; i < o.records_per_batch; ++i)
      records_.push_back({std::nullopt, std::string_view(value_)});
  }

  RawProduceResult run() {
    if (o_.mode != RawProduceMode::plain) init_producer_id();
    RawProduceResult r;
    const int64_t t0 = now_ns();
    const int64_t deadline = t0 + static_cast<int64_t>(o_.duration_s * 1e9);
    if (o_.mode == RawProduceMode::transactional) {
      while (now_ns() < deadline) {
        add_partitions();
        const int64_t records = produce_until(deadline, o_.transaction_batches, r);
        end_txn();
        r.records += records;
        ++r.transactions;
      }
    } else {
      r.records = produce_until(deadline, 0, r);
    }
    r.seconds = static_cast<double>(now_ns() - t0) / 1e9;
    return r;
  }

 private:
  void check(int16_t error, const char* what) {
    if (error != 0) conn_.die(std::string(what) + ": error " + std::to_string(error));
  }

  void init_producer_id() {
    protocol::InitProducerIdRequest req;
    if (o_.mode == RawProduceMode::transactional)
      producer_.transactional_id = "sluice-bench-raw-" + std::to_string(::getpid());
    req.transactional_id = producer_.transactional_id;
    req.transaction_timeout_ms = 60000;
    protocol::InitProducerIdResponse resp;
    conn_.receive(conn_.send(req, kInitProducerIdVersion), resp, kInitProducerIdVersion);
    check(resp.error_code, "InitProducerId");
    producer_.id = resp.producer_id;
    producer_.epoch = resp.producer_epoch;
  }

  void add_partitions() {
    protocol::AddPartitionsToTxnRequest req;
    req.v3_and_below_transactional_id = *producer_.transactional_id;
    req.v3_and_below_producer_id = producer_.id;
    req.v3_and_below_producer_epoch = producer_.epoch;
    auto& t = req.v3_and_below_topics.emplace_back();
    t.name = o_.topic;
    for (int p = 0; p < o_.partitions; ++p) t.partitions.push_back(p);
    protocol::AddPartitionsToTxnResponse resp;
    conn_.receive(conn_.send(req, kAddPartitionsVersion), resp, kAddPartitionsVersion);
    for (const auto& tr : resp.results_by_topic_v3_and_below)
      for (const auto& pr : tr.results_by_partition)
        check(pr.partition_error_code, "AddPartitionsToTxn");
  }

  void end_txn() {
    protocol::EndTxnRequest req;
    req.transactional_id = *producer_.transactional_id;
    req.producer_id = producer_.id;
    req.producer_epoch = producer_.epoch;
    req.committed = true;
    protocol::EndTxnResponse resp;
    conn_.receive(conn_.send(req, kEndTxnVersion), resp, kEndTxnVersion);
    check(resp.error_code, "EndTxn");
  }

  protocol::ProduceRequest produce_request() {
    protocol::ProduceRequest req;
    req.transactional_id = producer_.transactional_id;
    req.acks = -1;
    req.timeout_ms = 30000;
    auto& t = req.topic_data.emplace_back();
    t.name = o_.topic;
    protocol::BatchOptions bo;
    bo.timestamp = static_cast<int64_t>(::time(nullptr)) * 1000;
    bo.producer_id = producer_.id;
    bo.producer_epoch = producer_.epoch;
    bo.transactional = o_.mode == RawProduceMode::transactional;
    for (int p = 0; p < o_.partitions; ++p) {
      auto& seq = sequence_[static_cast<size_t>(p)];
      bo.base_sequence = o_.mode == RawProduceMode::plain ? -1 : seq;
      seq += o_.records_per_batch;
      auto& pd = t.partition_data.emplace_back();
      pd.index = p;
      pd.records.is_null = false;
      pd.records.owned = protocol::build_batch(records_, bo);
    }
    return req;
  }

  // Pipelines produce requests (at most o_.in_flight unanswered) until the deadline or, when
  // max_batches > 0, until that many batches are sent, deadline or not (every transaction is
  // whole, so "transactions of N batches" holds for the last one too); then reads every
  // outstanding answer. Returns the records acknowledged.
  int64_t produce_until(int64_t deadline, int max_batches, RawProduceResult& r) {
    std::deque<int32_t> outstanding;
    int64_t batches = 0;
    int64_t acked = 0;
    auto read_one = [&] {
      protocol::ProduceResponse resp;
      conn_.receive(outstanding.front(), resp, kProduceVersion);
      outstanding.pop_front();
      for (const auto& tr : resp.responses)
        for (const auto& pr : tr.partition_responses) {
          check(pr.error_code, "Produce");
          acked += o_.records_per_batch;
        }
    };
    while (max_batches > 0 ? batches < max_batches : now_ns() < deadline) {
      if (static_cast<int>(outstanding.size()) >= o_.in_flight) read_one();
      outstanding.push_back(conn_.send(produce_request(), kProduceVersion));
      batches += o_.partitions;
      ++r.requests;
    }
    while (!outstanding.empty()) read_one();
    return acked;
  }

  const RawProduceOptions& o_;
  RawConnection conn_;
  std::string value_;
  std::vector<protocol::RecordData> records_;
  std::vector<int32_t> sequence_;
  Producer producer_;
};

}  // namespace

RawProduceResult raw_produce(const RawProduceOptions& o) { return Generator(o).run(); }

}  // namespace sluice::bench
