// PartitionLog::read (sparse offset index lookup + bounded scan to the batch) on a log of many
// small batches: 200,000 batches of one 100-byte record (~30 MB, 4 KiB index interval), read at
// random offsets, or among the newest 200 (a caught-up consumer: located from the segment's memory
// of its newest batches). read() only locates the slice; it copies no record bytes.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "batch_util.h"
#include "sluice/storage/partition_log.h"

namespace {
namespace fs = std::filesystem;
using sluice::storage::PartitionLog;

struct LogFixture {
  fs::path dir;
  std::unique_ptr<PartitionLog> log;
  int64_t end = 0;
  explicit LogFixture(int batches, int64_t segment_bytes) {
    dir = fs::temp_directory_path() / ("sluice-index-bench-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(segment_bytes));
    fs::remove_all(dir);
    sluice::storage::LogConfig cfg;
    cfg.segment_bytes = segment_bytes;
    log = PartitionLog::open(dir, cfg);
    const std::string one = sluice::bench::make_batch(1, 100);
    std::string buf;
    for (int i = 0; i < batches; i += 100) {  // 100 batches per append, as a produce would
      buf.clear();
      for (int j = 0; j < 100; ++j) buf += one;
      auto r = log->append({reinterpret_cast<uint8_t*>(buf.data()), buf.size()}, 0,
                           1'700'000'000'000, false);
      if (!r.ok()) throw std::runtime_error("append failed");
    }
    end = log->log_end_offset();
  }
  ~LogFixture() {
    log->close();
    log.reset();
    fs::remove_all(dir);
  }
};

void BM_PartitionLogRead(benchmark::State& state) {
  static LogFixture* fx[2] = {nullptr, nullptr};
  const int which = static_cast<int>(state.range(0));
  if (!fx[which]) fx[which] = new LogFixture(200000, which == 0 ? (1LL << 30) : (1LL << 20));
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<int64_t> pick(0, fx[which]->end - 1);
  const int32_t max_bytes = static_cast<int32_t>(state.range(1));
  for (auto _ : state) {
    auto r = fx[which]->log->read(pick(rng), max_bytes, fx[which]->end);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
void BM_PartitionLogReadTail(benchmark::State& state) {
  static LogFixture* fx = new LogFixture(200000, 1LL << 30);
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<int64_t> pick(fx->end - 200, fx->end - 1);
  const int32_t max_bytes = static_cast<int32_t>(state.range(0));
  for (auto _ : state) {
    auto r = fx->log->read(pick(rng), max_bytes, fx->end);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_PartitionLogReadTail)->ArgNames({"max_bytes"})->Arg(1024)->Arg(1 << 20);

// args: segments (0: one 1 GiB segment, 1: 1 MiB segments -> ~30 segments), max_bytes
BENCHMARK(BM_PartitionLogRead)
    ->ArgNames({"small_segments", "max_bytes"})
    ->Args({0, 1 << 20})
    ->Args({1, 1 << 20})
    ->Args({0, 1024});

}  // namespace
