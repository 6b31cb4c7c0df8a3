#!/usr/bin/env python3
"""Turns the log of bench/compare.sh into one markdown table of medians and ratios, plus the
limits and a check of issue 4's targets. Reads lines of three kinds (others are ignored):
  system=S workload=W msgs=N size=B msgs_per_s=X MB_per_s=Y p50_ms=.. p99_ms=.. p999_ms=.. max_ms=..
  cpu system=S workload=W server_cpu_s=C server_rss_mb=R
  limit=NAME value=V unit=U
usage: summarize.py LOG..."""
import fileinput
import statistics

FSYNC = {  # does the system fsync before acknowledging (settings in bench/compare.sh)
    "sluice": "yes (group commit)",
    "sluice-interval": "no (log.flush.policy=interval)",
    "sluice-1shard": "yes (group commit, num.shards=1)",
    "redis-aof-always": "yes (appendfsync always)",
    "rabbitmq-quorum": "yes (Ra WAL)",
    "rabbitmq-classic": "yes (msg store)",
    "rabbitmq-stream": "no",
    "nats-js-file": "no (every 2 min)",
    "redis-aof-everysec": "no (every 1 s)",
}
ORDER = list(FSYNC)


def fields(line):
    return dict(kv.split("=", 1) for kv in line.split() if "=" in kv)


res, cpu, lim, units = {}, {}, {}, {}
for line in fileinput.input():
    line = line.strip()
    if line.startswith("system="):
        f = fields(line)
        res.setdefault((f["system"], f["workload"]), []).append(f)
    elif line.startswith("cpu "):
        f = fields(line)
        cpu.setdefault((f["system"], f["workload"]), []).append(f)
    elif line.startswith("limit="):
        f = fields(line)
        lim.setdefault(f["limit"], []).append(float(f["value"]))
        units[f["limit"]] = f.get("unit", "")


def med(system, wl, key, src=res):
    vals = [float(r[key]) for r in src.get((system, wl), []) if key in r]
    return statistics.median(vals) if vals else None


def rng(system, wl, key):
    vals = [float(r[key]) for r in res.get((system, wl), [])]
    return (min(vals), max(vals)) if vals else (None, None)


def fmt(x, spec="%.1f"):
    return "–" if x is None else spec % x


def ratio(a, b):
    return "–" if a is None or not b else "%.2f×" % (a / b)


def limit(name):
    v = lim.get(name)
    return statistics.median(v) if v else None


systems = [s for s in ORDER if (s, "A") in res or (s, "B") in res]
systems += sorted({s for s, _ in res} - set(systems) - {s for s in {x for x, _ in res} if s.endswith("-perf")})
fsyncing_peers = [s for s in systems if not s.startswith("sluice") and FSYNC.get(s, "").startswith("yes")]
other_peers = [s for s in systems if not s.startswith("sluice") and s not in fsyncing_peers]
best_fs = max((med(s, "A", "MB_per_s") or 0 for s in fsyncing_peers), default=0)
best_fs_name = max(fsyncing_peers, key=lambda s: med(s, "A", "MB_per_s") or 0, default="–")
best_nofs = max((med(s, "A", "MB_per_s") or 0 for s in other_peers), default=0)
best_nofs_name = max(other_peers, key=lambda s: med(s, "A", "MB_per_s") or 0, default="–")
fio_sync = limit("fio_fdatasync_1m_bw")
fio_buf = limit("fio_buffered_1m_bw")
tcp = limit("tcp_loopback_1stream")

print(f"A: {res.get((systems[0], 'A'), [{}])[0].get('msgs', '?') if systems else '?'} msgs x 1 KiB, "
      f"window 1000, server ack; B: fixed rate, e2e latency vs scheduled send time. Medians; A MB/s "
      f"[min–max]. Best fsyncing peer: {best_fs_name} ({best_fs:.1f} MB/s); best non-fsyncing: "
      f"{best_nofs_name} ({best_nofs:.1f} MB/s).\n")
print("| system | fsync before ack | A MB/s | ÷ best fsyncing peer | ÷ fio fdatasync 1 MiB | "
      "B msg/s | B p50 ms | B p99 ms | B p99.9 ms | B max ms | server CPU-s/GB (A) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for s in systems:
    a = med(s, "A", "MB_per_s")
    lo, hi = rng(s, "A", "MB_per_s")
    cpu_s = med(s, "A", "server_cpu_s", cpu)
    gb = (float(res[(s, "A")][0]["msgs"]) * float(res[(s, "A")][0]["size"]) / 1e9) if (s, "A") in res else None
    print(f"| {s} | {FSYNC.get(s, '?')} | {fmt(a)} [{fmt(lo)}–{fmt(hi)}] | {ratio(a, best_fs)} | "
          f"{ratio(a, fio_sync)} | {fmt(med(s, 'B', 'msgs_per_s'), '%.0f')} | "
          f"{fmt(med(s, 'B', 'p50_ms'), '%.3f')} | {fmt(med(s, 'B', 'p99_ms'), '%.3f')} | "
          f"{fmt(med(s, 'B', 'p999_ms'), '%.3f')} | {fmt(med(s, 'B', 'max_ms'), '%.3f')} | "
          f"{fmt(cpu_s / gb if cpu_s is not None and gb else None, '%.1f')} |")

sluices = [x for x in systems if x.startswith("sluice")]
if sluices:
  print("\nSluice only: C = consume the A topic from page cache (librdkafka); F = the same read with raw"
        " Fetch requests (no client library: what the broker serves); H = e2e at half the median A rate;"
        " P = workload A's producer over many partitions with random keys, for a fixed time.\n")
  print("| system | C MB/s | C ÷ iperf3 | F MB/s | F ÷ iperf3 | H rate msg/s | H p50 ms | H p99 ms | H p99.9 ms | H max ms | "
        "P MB/s | P ÷ A | P server RSS MB |")
  print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for s in sluices:
    c = med(s, "C", "MB_per_s")
    f = med(s, "F", "MB_per_s")
    p = med(s, "P", "MB_per_s")
    a = med(s, "A", "MB_per_s")
    print(f"| {s} | {fmt(c)} | {ratio(c, tcp * 125 if tcp else None)} | "
          f"{fmt(f)} | {ratio(f, tcp * 125 if tcp else None)} | "
          f"{fmt(med(s, 'H', 'msgs_per_s'), '%.0f')} | {fmt(med(s, 'H', 'p50_ms'), '%.3f')} | "
          f"{fmt(med(s, 'H', 'p99_ms'), '%.3f')} | {fmt(med(s, 'H', 'p999_ms'), '%.3f')} | "
          f"{fmt(med(s, 'H', 'max_ms'), '%.3f')} | {fmt(p)} | {ratio(p, a)} | "
          f"{fmt(med(s, 'P', 'server_rss_mb', cpu), '%.0f')} |")

if lim:
  print("\n| limit | median [min–max] | unit |")
  print("|---|---|---|")
for name, vals in lim.items():
    print(f"| {name} | {statistics.median(vals):.3g} [{min(vals):.3g}–{max(vals):.3g}] | "
          f"{units[name].replace('_per_', '/').replace('writes/s', '/s')} |")

# Issue 4 targets
sa, si = med("sluice", "A", "MB_per_s"), med("sluice-interval", "A", "MB_per_s")
checks = []
def check(name, value, target, ok):
    checks.append(f"| {name} | {value} | {target} | {'yes' if ok else 'NO'} |")
if sa is not None and best_fs:
    check("durable A ÷ best fsyncing peer", ratio(sa, best_fs), "≥ 3×", sa >= 3 * best_fs)
if sa is not None and best_nofs:
    check("durable A ÷ best non-fsyncing peer", ratio(sa, best_nofs), "≥ 1×", sa >= best_nofs)
if sa is not None and fio_sync:
    check("durable A ÷ fio fdatasync 1 MiB", ratio(sa, fio_sync), "≥ 0.70×", sa >= 0.7 * fio_sync)
if si is not None and fio_buf:
    check("interval A ÷ fio buffered", ratio(si, fio_buf), "≥ 0.80×", si >= 0.8 * fio_buf)
b99 = med("sluice", "B", "p99_ms")
if b99 is not None:
    check("durable e2e p99 at B rate", f"{b99:.3f} ms", "≤ 1 ms", b99 <= 1.0)
h99 = med("sluice", "H", "p99_ms")
if h99 is not None:
    check("durable e2e p99 at half peak", f"{h99:.3f} ms", "≤ 5 ms", h99 <= 5.0)
c = med("sluice", "C", "MB_per_s")
if c is not None and tcp:
    check("consume (librdkafka) ÷ iperf3 one stream", ratio(c, tcp * 125), "≥ 0.70×",
          c >= 0.7 * tcp * 125)
f = med("sluice", "F", "MB_per_s")
if f is not None and tcp:
    check("broker fetch (raw client) ÷ iperf3 one stream", ratio(f, tcp * 125), "≥ 0.70×",
          f >= 0.7 * tcp * 125)
p = med("sluice", "P", "MB_per_s")
if p is not None and sa:
    check(f"many partitions ÷ 1 partition", ratio(p, sa), "≥ 0.80×", p >= 0.8 * sa)
def cpu_per_gb(s):
    c_ = med(s, "A", "server_cpu_s", cpu)
    return c_ / (float(res[(s, "A")][0]["msgs"]) * float(res[(s, "A")][0]["size"]) / 1e9) if c_ is not None and (s, "A") in res else None
mine = cpu_per_gb("sluice")
peers = [cpu_per_gb(s) for s in fsyncing_peers + other_peers]
peers = [x for x in peers if x is not None]
if mine is not None and peers:
    check("server CPU-s/GB < every peer", f"{mine:.1f} (peers min {min(peers):.1f})", "lowest", mine < min(peers))
if checks:
    print("\n| target (issue 4) | measured | target | holds |")
    print("|---|---|---|---|")
    print("\n".join(checks))
