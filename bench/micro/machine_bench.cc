// What the machine charges for the kernel crossings every request pays: one trivial syscall, and
// one wake-up of another thread and back (a pipe ping-pong: two blocking reads, two wake-ups).
// BENCHMARKS.md quotes these to explain per-message CPU and latency on the VM.
#include <benchmark/benchmark.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

static void BM_Syscall(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(::syscall(SYS_getppid));
}
BENCHMARK(BM_Syscall);

static void BM_ThreadWakeRoundTrip(benchmark::State& state) {
  int to[2], back[2];
  if (::pipe(to) != 0 || ::pipe(back) != 0) return state.SkipWithError("pipe");
  std::thread echo([&] {
    char c;
    while (::read(to[0], &c, 1) == 1 && c != 'q')
      if (::write(back[1], &c, 1) != 1) break;
  });
  char c = 'x';
  for (auto _ : state) {
    if (::write(to[1], &c, 1) != 1 || ::read(back[0], &c, 1) != 1) {
      state.SkipWithError("pipe i/o");
      break;
    }
  }
  c = 'q';
  if (::write(to[1], &c, 1) != 1) state.SkipWithError("stop");
  echo.join();
  for (int fd : {to[0], to[1], back[0], back[1]}) ::close(fd);
}
BENCHMARK(BM_ThreadWakeRoundTrip)->UseRealTime();
