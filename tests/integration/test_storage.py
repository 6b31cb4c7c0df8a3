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


def test_retention_deletes_only_where_cleanup_policy_says_delete(broker_factory):
    """Kafka deletes old segments only when cleanup.policy contains `delete`: a compact topic and
    __consumer_offsets (compact) keep theirs, so a quiet group's commits survive a restart."""
    from confluent_kafka import Consumer, TopicPartition

    def group_client(group):
        return Consumer({"bootstrap.servers": b.bootstrap, "group.id": group,
                         "enable.auto.commit": False, "socket.timeout.ms": 10000})

    def commit(group, topic, offset):
        c = group_client(group)
        try:
            [tp] = c.commit(offsets=[TopicPartition(topic, 0, offset)], asynchronous=False)
            assert tp.error is None, tp.error
        finally:
            c.close()

    def committed(group, topic):
        c = group_client(group)
        try:
            [tp] = c.committed([TopicPartition(topic, 0)], timeout=15)
            assert tp.error is None, tp.error
            return tp.offset
        finally:
            c.close()

    # Broker-wide: everything older than 1 s goes, segments roll every 300 ms (also those of
    # __consumer_offsets, which inherits both), retention runs every 200 ms.
    b = broker_factory(settings={"log.retention.ms": 1000, "log.roll.ms": 300,
                                 "log.retention.check.interval.ms": 200,
                                 "offsets.topic.num.partitions": 1})
    compact = create_topic(b.bootstrap, config={"cleanup.policy": "compact", "segment.bytes": "4096"})
    both = create_topic(b.bootstrap, config={"cleanup.policy": "compact,delete",
                                             "segment.bytes": "4096"})
    old = int(time.time() * 1000) - 3_600_000
    msgs = [dict(m, key=b"k%d" % i, timestamp=old + i) for i, m in enumerate(numbered(100))]
    produce_in_chunks(b.bootstrap, compact, msgs)
    produce_in_chunks(b.bootstrap, both, msgs)
    quiet = f"quiet-{compact}"
    commit(quiet, compact, 42)
    time.sleep(0.5)
    commit(f"busy-{compact}", compact, 1)  # rolls __consumer_offsets-0 past the quiet commit
    offsets_segments = segments(b.data_dir, "__consumer_offsets")
    assert len(offsets_segments) >= 2, offsets_segments
    # Retention runs: it deletes from the compact,delete topic...
    wait_low_watermark_above(b.bootstrap, both, 0)
    time.sleep(1.5)  # ...and has had several more runs since the quiet commit aged out
    compact_before_restart = watermarks(b.bootstrap, compact), len(segments(b.data_dir, compact))
    offsets_first_segment = segments(b.data_dir, "__consumer_offsets")[0]
    assert b.stop() == 0
    b.start()
    # ...but not from the compact-only ones: the quiet group's commit is still there...
    assert committed(quiet, compact) == 42
    assert offsets_first_segment == offsets_segments[0]
    # ...and so is every segment of the compact topic.
    watermarks_then, segment_count = compact_before_restart
    assert watermarks_then == (0, 100) and segment_count >= 3, compact_before_restart
    assert watermarks(b.bootstrap, compact) == (0, 100)
