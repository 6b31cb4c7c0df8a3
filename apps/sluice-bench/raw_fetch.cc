#include "raw_fetch.h"

#include <string>
#include <vector>

#include "raw_socket.h"
#include "sluice/protocol/messages/fetch.h"
#include "sluice/protocol/record_batch.h"

namespace sluice::bench {
namespace {

// v4: the oldest version Sluice serves, non-flexible, no fetch sessions to manage.
constexpr int16_t kFetchVersion = 4;

protocol::FetchRequest fetch_request(const RawFetchOptions& o, const std::vector<int64_t>& next) {
  protocol::FetchRequest req;
  req.max_wait_ms = 500;
  req.min_bytes = 1;
  req.max_bytes = 0x7fffffff;
  auto& t = req.topics.emplace_back();
  t.topic = o.topic;
  for (int p = 0; p < o.partitions; ++p) {
    auto& fp = t.partitions.emplace_back();
    fp.partition = p;
    fp.fetch_offset = next[static_cast<size_t>(p)];
    fp.partition_max_bytes = o.partition_max_bytes;
  }
  return req;
}

}  // namespace

RawFetchResult raw_fetch(const RawFetchOptions& o) {
  RawConnection conn("fetch", o.bootstrap);
  std::vector<int64_t> next(static_cast<size_t>(o.partitions), 0);
  std::vector<int64_t> end(static_cast<size_t>(o.partitions), -1);
  RawFetchResult r;
  const int64_t t0 = now_ns();
  int64_t last_progress = t0;
  for (;;) {
    bool done = true;
    for (int p = 0; p < o.partitions; ++p)
      done = done && end[static_cast<size_t>(p)] >= 0 &&
             next[static_cast<size_t>(p)] >= end[static_cast<size_t>(p)];
    if (done || (o.max_records > 0 && r.records >= o.max_records)) break;
    if (now_ns() - last_progress > static_cast<int64_t>(o.timeout_s * 1e9))
      conn.die("no progress for " + std::to_string(o.timeout_s) + " s");
    const int32_t corr = conn.send(fetch_request(o, next), kFetchVersion);
    protocol::FetchResponse resp;
    r.wire_bytes += conn.receive(corr, resp, kFetchVersion);
    ++r.fetches;
    for (const auto& tr : resp.responses)
      for (const auto& pd : tr.partitions) {
        if (pd.partition_index < 0 || pd.partition_index >= o.partitions) continue;
        const auto i = static_cast<size_t>(pd.partition_index);
        if (pd.error_code != 0)
          conn.die("partition " + std::to_string(pd.partition_index) + ": error " +
                   std::to_string(pd.error_code));
        if (end[i] < 0) end[i] = pd.high_watermark;
        // Whole batches only; a trailing partial batch is fetched again next time.
        std::span<const uint8_t> bytes = pd.records.bytes();
        while (auto h = protocol::read_batch_header(bytes)) {
          if (h->total_size() > bytes.size()) break;
          r.records += h->record_count;
          next[i] = h->last_offset() + 1;
          bytes = bytes.subspan(h->total_size());
          last_progress = now_ns();
        }
      }
  }
  r.seconds = static_cast<double>(now_ns() - t0) / 1e9;
  return r;
}

}  // namespace sluice::bench
