/* Helpers shared by the peer clients of bench/compare.sh (header-only C).
 *
 * Every client runs one of two workloads and prints the same result line as sluice-bench:
 *   system=<name> workload=<A|B> msgs=N size=S msgs_per_s=X MB_per_s=Y p50_ms p99_ms p999_ms max_ms
 * A: N messages, server acknowledgement required, at most WINDOW unacknowledged; latency =
 *    send -> ack; rate = acked / (last ack - first send).
 * B: RATE msg/s on an absolute schedule; a consumer on a second connection; latency = receive
 *    time - the message's scheduled send time (written in the payload), so a stalled producer
 *    is charged for the messages it could not send on time (no coordinated omission).
 * Payload: [int64 stamp_ns CLOCK_MONOTONIC][int64 seq][filler]. */
#ifndef SLUICE_PEER_BENCH_H
#define SLUICE_PEER_BENCH_H
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline int64_t pb_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void pb_sleep_until(int64_t t) {
  struct timespec ts = {t / 1000000000LL, t % 1000000000LL};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}

/* slot i of the schedule t0 + i / rate */
static inline int64_t pb_slot(int64_t t0, long i, long rate) {
  return t0 + (int64_t)((__int128)i * 1000000000LL / rate);
}

static inline void pb_stamp(char* buf, int64_t t, int64_t seq) {
  memcpy(buf, &t, 8);
  memcpy(buf + 8, &seq, 8);
}
static inline int64_t pb_stamp_of(const void* buf) {
  int64_t t;
  memcpy(&t, buf, 8);
  return t;
}
static inline int64_t pb_seq_of(const void* buf) {
  int64_t s;
  memcpy(&s, (const char*)buf + 8, 8);
  return s;
}

/* Log-linear histogram of nanosecond values: exact below 256, then 128 buckets per power of
 * two (< 0.8 % error). Same scheme as apps/sluice-bench/histogram.h. */
#define PB_SUB_BITS 7
#define PB_SUB (1u << PB_SUB_BITS)
#define PB_BUCKETS ((64 - PB_SUB_BITS) * (int)PB_SUB)
typedef struct {
  uint64_t counts[PB_BUCKETS];
  uint64_t n, max;
} pb_hist;

static inline int pb_index(uint64_t v) {
  if (v < 2 * PB_SUB) return (int)v;
  int shift = 63 - __builtin_clzll(v) - PB_SUB_BITS;
  return (shift + 1) * (int)PB_SUB + (int)((v >> shift) - PB_SUB);
}
static inline uint64_t pb_upper(int i) {
  if (i < (int)(2 * PB_SUB)) return (uint64_t)i;
  int shift = i / (int)PB_SUB - 1;
  uint64_t low = (PB_SUB + (uint64_t)(i % (int)PB_SUB)) << shift;
  return low + ((1ull << shift) - 1);
}
static inline void pb_record(pb_hist* h, int64_t v) {
  uint64_t u = v < 0 ? 0 : (uint64_t)v;
  h->counts[pb_index(u)]++;
  h->n++;
  if (u > h->max) h->max = u;
}
static inline double pb_pct_ms(const pb_hist* h, double q) {
  if (!h->n) return 0;
  uint64_t rank = (uint64_t)(q * (double)h->n + 0.999999), seen = 0;
  if (rank < 1) rank = 1;
  if (rank > h->n) rank = h->n;
  for (int i = 0; i < PB_BUCKETS; i++) {
    seen += h->counts[i];
    if (seen >= rank) {
      uint64_t u = pb_upper(i);
      return (u < h->max ? u : h->max) / 1e6;
    }
  }
  return h->max / 1e6;
}

static inline void pb_report(const char* sys, const char* wl, long msgs, long size, double secs,
                             const pb_hist* h) {
  double rate = secs > 0 ? msgs / secs : 0;
  printf(
      "system=%s workload=%s msgs=%ld size=%ld msgs_per_s=%.0f MB_per_s=%.2f p50_ms=%.3f "
      "p99_ms=%.3f p999_ms=%.3f max_ms=%.3f\n",
      sys, wl, msgs, size, rate, rate * size / 1e6, pb_pct_ms(h, 0.50), pb_pct_ms(h, 0.99),
      pb_pct_ms(h, 0.999), h->max / 1e6);
  fflush(stdout);
}

__attribute__((noreturn)) static inline void pb_die(const char* what) {
  fprintf(stderr, "fatal: %s\n", what);
  exit(1);
}

/* Common command line: PORT SYSTEM A|B NAME MSGS SIZE WINDOW [RATE] */
typedef struct {
  int port;
  const char *system, *name;
  char workload;
  long msgs, size, window, rate;
} pb_args;

static inline pb_args pb_parse(int argc, char** argv, const char* usage) {
  if (argc < 8) {
    fprintf(stderr, "usage: %s\n", usage);
    exit(2);
  }
  pb_args a = {atoi(argv[1]), argv[2],       argv[4],       argv[3][0],
               atol(argv[5]), atol(argv[6]), atol(argv[7]), argc > 8 ? atol(argv[8]) : 5000};
  if (a.size < 16) pb_die("size must be >= 16");
  return a;
}

static inline char* pb_payload(long size) {
  char* b = malloc((size_t)size);
  if (!b) pb_die("malloc");
  for (long i = 16; i < size; i++) b[i] = (char)('a' + i % 26);
  return b;
}
#endif
