#pragma once
// Durable produce straight on a socket, without a client library, in three modes that differ
// only in the producer's guarantee: plain, idempotent (producer id and sequences), and
// transactional (AddPartitionsToTxn, transactional batches, EndTxn every N batches). Every mode
// sends the same requests (one batch per partition each) with the same number in flight, and
// the generator does no per-message work beyond building the batch, so the ratio of the modes'
// rates is what the broker charges for each guarantee. Used by `sluice-bench raw-produce`.
#include <cstdint>
#include <string>

namespace sluice::bench {

enum class RawProduceMode { plain, idempotent, transactional };

struct RawProduceOptions {
  std::string bootstrap;  // HOST:PORT of the partition leader (every partition: one node)
  std::string topic;      // must exist with `partitions` partitions
  int partitions = 1;     // each request carries one batch for each of 0..partitions-1
  int size = 1024;        // value bytes per record
  int records_per_batch = 100;
  int in_flight = 5;  // requests pipelined on the connection (Kafka clients' default cap)
  double duration_s = 8;
  RawProduceMode mode = RawProduceMode::plain;
  int transaction_batches = 100;  // transactional: batches per transaction, rounded up to requests
};

struct RawProduceResult {
  int64_t records = 0;  // acknowledged (and, transactional, committed)
  int64_t requests = 0;
  int64_t transactions = 0;
  double seconds = 0;  // first produce sent -> last ack (or last commit) read
};

// Exits the process with a message on a connection error or any error code in a response.
RawProduceResult raw_produce(const RawProduceOptions& o);

}  // namespace sluice::bench
