"""Segments, retention and flush policy, observed through a real client and the data dir."""
import os
import re
import time

from sluice_helpers import consume_all, create_topic, produce_ok, watermarks

SEGMENT_RE = re.compile(r"^\d{20}\.log$")


def segments(data_dir, topic, partition=0):
    d = os.path.join(data_dir, f"{topic}-{partition}")
    return sorted(f for f in os.listdir(d) if f.endswith(".log"))


def numbered(n, start=0, size=200):
    return [{"partition": 0, "value": (b"%08d:" % i).ljust(size, b"x")} for i in range(start, start + n)]


def produce_in_chunks(bootstrap, topic, msgs, chunk=20):
    for i in range(0, len(msgs), chunk):
        produce_ok(bootstrap, topic, msgs[i:i + chunk], acks="all")


def check_values(consumed):
    for m in consumed:
        assert m.value.startswith(b"%08d:" % m.offset), (m.offset, m.value[:20])


def wait_low_watermark_above(bootstrap, topic, floor, timeout=15):
    deadline = time.monotonic() + timeout
    lo = hi = None
    while time.monotonic() < deadline:
        lo, hi = watermarks(bootstrap, topic)
        if lo > floor:
            return lo, hi
        time.sleep(0.2)
    raise AssertionError(f"retention never deleted anything: watermarks ({lo}, {hi})")


def test_segments_roll_and_survive_restart(broker_factory):
    b = broker_factory(settings={"log.segment.bytes": 16384})
    topic = create_topic(b.bootstrap)
    msgs = numbered(400)
    produce_in_chunks(b.bootstrap, topic, msgs)
    segs = segments(b.data_dir, topic)
    assert len(segs) >= 3, segs
    assert all(SEGMENT_RE.match(s) for s in segs), segs
    assert segs[0] == "0" * 20 + ".log"
    bases = [int(s[:20]) for s in segs]
    assert bases == sorted(set(bases))
    for s in segs:  # no segment grows far beyond the limit (one batch may overshoot)
        assert os.path.getsize(os.path.join(b.data_dir, f"{topic}-0", s)) <= 16384 + 8192
    consumed = consume_all(b.bootstrap, topic, 0, 0, 400)
    assert [m.offset for m in consumed] == list(range(400))
    check_values(consumed)
    # start a fetch exactly at each segment boundary
    for base in bases[1:]:
        [m] = consume_all(b.bootstrap, topic, 0, base, 1)
        assert m.offset == base
    assert b.stop() == 0
    b.start()
    assert watermarks(b.bootstrap, topic) == (0, 400)
    check_values(consume_all(b.bootstrap, topic, 0, 0, 400))
    more = produce_ok(b.bootstrap, topic, numbered(5, start=400))
    assert [r.offset for r in more] == list(range(400, 405))


def test_broker_level_retention_bytes(broker_factory):
    b = broker_factory(settings={"log.segment.bytes": 4096, "log.retention.bytes": 8192,
                                 "log.retention.check.interval.ms": 200})
    topic = create_topic(b.bootstrap)
    produce_in_chunks(b.bootstrap, topic, numbered(200))
    lo, hi = wait_low_watermark_above(b.bootstrap, topic, 0)
    assert hi == 200
    time.sleep(1)  # let retention settle
    lo, hi = watermarks(b.bootstrap, topic)
    segs = segments(b.data_dir, topic)
    assert int(segs[0][:20]) == lo, (segs, lo)
    total = sum(os.path.getsize(os.path.join(b.data_dir, f"{topic}-0", s)) for s in segs)
    assert total <= 8192 + 8192, (total, segs)
    consumed = consume_all(b.bootstrap, topic, 0, lo, hi - lo)
    assert [m.offset for m in consumed] == list(range(lo, hi))
    check_values(consumed)


def test_topic_level_retention_ms(broker_factory):
    b = broker_factory(settings={"log.retention.check.interval.ms": 200})
    topic = create_topic(b.bootstrap, config={"retention.ms": "2000", "segment.bytes": "4096"})
    keep = create_topic(b.bootstrap, config={"segment.bytes": "4096"})  # default retention
    old = int(time.time() * 1000) - 3_600_000
    msgs = [dict(m, timestamp=old + i) for i, m in enumerate(numbered(100))]
    produce_in_chunks(b.bootstrap, topic, msgs)
    produce_in_chunks(b.bootstrap, keep, msgs)
    lo, hi = wait_low_watermark_above(b.bootstrap, topic, 0)
    assert hi == 100
    if lo < hi:
        check_values(consume_all(b.bootstrap, topic, 0, lo, hi - lo))
    time.sleep(0.5)
    assert watermarks(b.bootstrap, keep) == (0, 100)
    [r] = produce_ok(b.bootstrap, topic, numbered(1, start=100))
    assert r.offset == 100


def test_interval_flush_policy_and_graceful_restart(broker_factory):
    b = broker_factory(settings={"log.flush.policy": "interval"})
    topic = create_topic(b.bootstrap, partitions=2)
    msgs = [{"partition": i % 2, "value": b"%08d:iv" % (i // 2)} for i in range(100)]
    produce_ok(b.bootstrap, topic, msgs, acks="all")
    assert b.stop() == 0
    b.start()
    for p in range(2):
        consumed = consume_all(b.bootstrap, topic, p, 0, 50)
        assert [m.value for m in consumed] == [m["value"] for m in msgs[p::2]]
        assert watermarks(b.bootstrap, topic, p) == (0, 50)
