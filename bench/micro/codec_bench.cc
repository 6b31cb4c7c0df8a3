// The generic codec: encode + decode of a Produce request (one topic, one partition, a 16 KiB
// batch) and of a Fetch response (one topic, one partition, a 16 KiB batch), at a classic and
// a flexible version.
#include <benchmark/benchmark.h>

#include "batch_util.h"
#include "sluice/protocol/codec.h"
#include "sluice/protocol/messages/fetch.h"
#include "sluice/protocol/messages/produce.h"

namespace {
using namespace sluice::protocol;

void BM_ProduceRequestRoundTrip(benchmark::State& state) {
  const auto version = static_cast<int16_t>(state.range(0));
  std::string batch = sluice::bench::make_batch(16, 1024);
  ProduceRequest req;
  req.acks = -1;
  req.timeout_ms = 30000;
  req.topic_data.resize(1);
  req.topic_data[0].name = "bench-topic";
  req.topic_data[0].partition_data.resize(1);
  auto& pd = req.topic_data[0].partition_data[0];
  pd.records.is_null = false;
  pd.records.view = {reinterpret_cast<uint8_t*>(batch.data()), batch.size()};
  std::string wire;
  for (auto _ : state) {
    wire.clear();
    encode(wire, req, version);
    ProduceRequest out;
    bool ok = decode({reinterpret_cast<uint8_t*>(wire.data()), wire.size()}, out, version);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(out.topic_data.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
}
BENCHMARK(BM_ProduceRequestRoundTrip)->ArgName("version")->Arg(7)->Arg(9);

void BM_FetchResponseRoundTrip(benchmark::State& state) {
  const auto version = static_cast<int16_t>(state.range(0));
  std::string batch = sluice::bench::make_batch(16, 1024);
  FetchResponse resp;
  resp.responses.resize(1);
  resp.responses[0].topic = "bench-topic";
  resp.responses[0].partitions.resize(1);
  auto& p = resp.responses[0].partitions[0];
  p.high_watermark = 123456;
  p.last_stable_offset = 123456;
  p.log_start_offset = 0;
  p.aborted_transactions.emplace();
  p.records.is_null = false;
  p.records.view = {reinterpret_cast<uint8_t*>(batch.data()), batch.size()};
  std::string wire;
  for (auto _ : state) {
    wire.clear();
    encode(wire, resp, version);
    FetchResponse out;
    bool ok = decode({reinterpret_cast<uint8_t*>(wire.data()), wire.size()}, out, version);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(out.responses.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
}
BENCHMARK(BM_FetchResponseRoundTrip)->ArgName("version")->Arg(11)->Arg(12);

}  // namespace
