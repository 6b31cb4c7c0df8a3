#pragma once
// A Kafka fetch loop straight on a socket, without a client library: it measures what the broker
// can serve (the consumer side does no per-message work), as iperf3 measures what the loopback
// can carry. Used by `sluice-bench fetch`.
#include <cstdint>
#include <string>

namespace sluice::bench {

struct RawFetchOptions {
  std::string bootstrap;  // HOST:PORT of the partition leader (every partition: one node)
  std::string topic;
  int partitions = 1;                     // fetches partitions 0..partitions-1
  int32_t partition_max_bytes = 8 << 20;  // per partition per fetch
  double timeout_s = 60;                  // give up after this long without progress
  int64_t max_records = 0;                // stop after this many (0: read to the end)
};

struct RawFetchResult {
  int64_t records = 0;     // records in the batches received
  int64_t wire_bytes = 0;  // response frames, headers included
  double seconds = 0;      // first request sent -> last response read
  int64_t fetches = 0;
};

// Reads every partition from offset 0 to the high watermark seen in the first response (or
// until max_records).
// Exits the process with a message on a connection or protocol error.
RawFetchResult raw_fetch(const RawFetchOptions& o);

}  // namespace sluice::bench
