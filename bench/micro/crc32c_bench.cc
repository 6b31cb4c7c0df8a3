// CRC-32C (isa-l) over 1 KiB and 64 KiB buffers.
#include <benchmark/benchmark.h>

#include <vector>

#include "sluice/protocol/crc32c.h"

static void BM_Crc32c(benchmark::State& state) {
  std::vector<uint8_t> buf(static_cast<size_t>(state.range(0)));
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<uint8_t>(i * 131 + 7);
  for (auto _ : state) benchmark::DoNotOptimize(sluice::protocol::crc32c(buf));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32c)->Arg(1 << 10)->Arg(64 << 10);
