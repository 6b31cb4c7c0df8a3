// validate_batch on an uncompressed batch of 100 records x 1 KiB: header checks + CRC, and with
// the record walk (check_records) that the produce path runs.
#include <benchmark/benchmark.h>

#include "batch_util.h"
#include "sluice/protocol/record_batch.h"

static void BM_ValidateBatch(benchmark::State& state) {
  std::string b = sluice::bench::make_batch(100, 1024);
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(b.data()), b.size());
  const bool check_records = state.range(0) != 0;
  if (sluice::protocol::validate_batch(bytes, 1 << 20, check_records) !=
      sluice::protocol::BatchError::ok)
    state.SkipWithError("batch does not validate");
  for (auto _ : state)
    benchmark::DoNotOptimize(sluice::protocol::validate_batch(bytes, 1 << 20, check_records));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * b.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 100);
}
BENCHMARK(BM_ValidateBatch)->ArgName("check_records")->Arg(0)->Arg(1);
