"""Idle long polls must not cost the broker memory: a fetch that waits leaves a listener on each
partition that had nothing, and must take it back when it completes (issue 10: one kcat with
fetch.wait.max.ms=5 on an idle 200-partition topic grew RSS from 7 MB to 181 MB in 60 s)."""
import threading
import time

import kafka_wire as w
from sluice_helpers import create_topic

PARTITIONS = 200
POLLERS = 4          # connections polling at once
WARMUP_S = 2.0       # buffers, allocator arenas and caches settle first
MEASURE_S = 12.0
MAX_GROWTH_KB = 4096


def vm_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS line")


def idle_fetch_v4(topic, max_wait_ms):
    """Fetch v4 of every partition at offset 0 of an empty topic: nothing to read, so it waits."""
    parts = [w.i32(p) + w.i64(0) + w.i32(1 << 20) for p in range(PARTITIONS)]
    return (w.i32(-1) + w.i32(max_wait_ms) + w.i32(1) + w.i32(1 << 20) + w.i8(0)
            + w.array([w.string(topic) + w.array(parts)]))


def poll_until(port, body, stop, counts, slot):
    with w.connect(port, timeout=10) as s:
        corr = 0
        while not stop.is_set():
            corr += 1
            s.sendall(w.request(1, 4, corr, body))
            r = w.Reader(w.recv_frame(s))
            assert r.i32() == corr
            counts[slot] += 1


def test_idle_long_polls_keep_memory_flat(broker):
    topic = create_topic(broker.bootstrap, partitions=PARTITIONS)
    body = idle_fetch_v4(topic, max_wait_ms=5)
    stop = threading.Event()
    counts = [0] * POLLERS
    errors = []

    def run(slot):
        try:
            poll_until(broker.port, body, stop, counts, slot)
        except Exception as e:  # reported below, the test must not hang on a dead poller
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(POLLERS)]
    for t in threads:
        t.start()
    try:
        time.sleep(WARMUP_S)
        before_kb, before_fetches = vm_rss_kb(broker.proc.pid), sum(counts)
        time.sleep(MEASURE_S)
        after_kb, after_fetches = vm_rss_kb(broker.proc.pid), sum(counts)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=15)
    assert not errors, errors
    fetches = after_fetches - before_fetches
    growth = after_kb - before_kb
    print(f"\nVmRSS {before_kb} kB -> {after_kb} kB (+{growth} kB) over {fetches} idle fetches "
          f"of {PARTITIONS} partitions in {MEASURE_S:.0f} s")
    assert fetches > 500, f"only {fetches} fetches completed: the test proves nothing"
    assert growth < MAX_GROWTH_KB, (
        f"broker RSS grew {growth} kB ({before_kb} -> {after_kb}) over {fetches} idle fetches")
