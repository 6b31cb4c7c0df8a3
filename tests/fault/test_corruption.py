"""At-rest corruption of segments and indexes (bits flipped, bytes cut) while the broker is down.

Expected (issue 5): start-up recovers the valid prefix of a damaged tail, rebuilds damaged
indexes, and never serves a batch whose CRC fails -- it reports it (partition offline / error)
instead of returning garbage. Reads use confluent-kafka with check.crcs=true, so a corrupt batch
that is served shows up as a client-side CRC error.
"""
import os
import random
import time

import pytest
from confluent_kafka import KafkaError, TopicPartition

from fault_util import check_partition_dir, read_segment
from sluice_helpers import (consumer, create_topic, offsets_for_times, produce_ok, watermarks)

N = 120  # one message per batch
TOPIC_CONFIG = {"segment.bytes": "4096", "index.interval.bytes": "256"}  # several segments


def fill(broker):
    topic = create_topic(broker.bootstrap, config=TOPIC_CONFIG)
    msgs = [{"partition": 0, "value": b"v%04d-" % i + b"x" * 40, "key": b"k%d" % i,
             "timestamp": 1700000000000 + i * 1000} for i in range(N)]
    produce_ok(broker.bootstrap, topic, msgs, flush_each=True, acks="all")
    return topic, [m["value"] for m in msgs]


def pdir(broker, topic):
    return os.path.join(broker.data_dir, f"{topic}-0")


def segments(broker, topic):
    d = pdir(broker, topic)
    return [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".log")]


def read_all(bootstrap, topic, timeout=15.0):
    """Reads partition 0 from offset 0 up to the high watermark with check.crcs=true.
    Returns (values by offset, error codes seen). Stops early on repeated errors."""
    _, hi = watermarks(bootstrap, topic)
    c = consumer(bootstrap, check_crcs=True)
    got, errors = {}, []
    try:
        c.assign([TopicPartition(topic, 0, 0)])
        deadline = time.monotonic() + timeout
        while len(got) < hi and time.monotonic() < deadline and len(errors) < 20:
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                if m.error().code() != KafkaError._PARTITION_EOF:
                    errors.append(m.error().code())
                continue
            got[m.offset()] = m.value()
    finally:
        c.close()
    return hi, got, errors


def stop_broker(broker, how):
    """Stops the broker by kill -9 ("kill") or a clean shutdown ("term", which must exit 0)."""
    if how == "kill":
        broker.kill9()
    else:
        assert broker.stop() == 0


def flip(path, pos, rng):
    with open(path, "r+b") as f:
        f.seek(pos)
        b = f.read(1)[0]
        f.seek(pos)
        f.write(bytes([b ^ (1 << rng.randrange(8))]))


def middle_batch(path):
    batches = read_segment(path)
    assert len(batches) >= 3, f"{path}: only {len(batches)} batches"
    return batches[len(batches) // 2]


@pytest.mark.parametrize("damage", ["flip-header", "flip-records", "cut"])
def test_damaged_tail_recovers_valid_prefix(broker, damage):
    rng = random.Random(damage)
    topic, values = fill(broker)
    broker.kill9()
    last = segments(broker, topic)[-1]
    b = middle_batch(last)
    if damage == "flip-header":
        flip(last, b.pos + 17 + rng.randrange(44), rng)  # crc .. recordCount
    elif damage == "flip-records":
        flip(last, b.pos + 61 + rng.randrange(b.size - 61), rng)
    else:
        with open(last, "r+b") as f:
            f.truncate(b.pos + rng.randrange(1, b.size))
    broker.start()
    # The batch at b.base_offset and everything after it in the tail are gone; the prefix stays.
    assert watermarks(broker.bootstrap, topic) == (0, b.base_offset)
    hi, got, errors = read_all(broker.bootstrap, topic)
    assert not errors, f"errors while reading the recovered log: {errors}"
    assert [got.get(o) for o in range(hi)] == values[:hi]
    more = [{"partition": 0, "value": b"after-%d" % i} for i in range(5)]
    assert [r.offset for r in produce_ok(broker.bootstrap, topic, more, acks="all")] == \
        list(range(hi, hi + 5))
    assert broker.stop() == 0
    check_partition_dir(pdir(broker, topic))
    broker.start()


@pytest.mark.parametrize("stop", ["kill", "term"])
def test_damaged_indexes_are_rebuilt(broker, stop):
    rng = random.Random(stop)
    topic, values = fill(broker)
    stop_broker(broker, stop)
    segs = segments(broker, topic)
    assert len(segs) >= 3, "expected several segments"
    for i, seg in enumerate(segs):
        idx, tidx = seg[:-4] + ".index", seg[:-4] + ".timeindex"
        kind = i % 4
        if kind == 0 and os.path.getsize(idx) > 8:
            flip(idx, rng.randrange(8, os.path.getsize(idx)), rng)  # a position or offset
        elif kind == 1:
            with open(idx, "r+b") as f:
                f.truncate(max(0, os.path.getsize(idx) - 3))  # partial entry
        elif kind == 2:
            with open(tidx, "ab") as f:
                f.write(rng.randbytes(24))  # garbage entries
        else:
            os.remove(idx)
            with open(tidx, "wb") as f:
                f.write(rng.randbytes(12))
    broker.start()
    hi, got, errors = read_all(broker.bootstrap, topic)
    assert hi == N and not errors
    assert [got.get(o) for o in range(N)] == values
    # Lookups through the (rebuilt) indexes land on the right batches.
    for o in (0, 1, N // 3, N // 2, N - 1):
        hi2, got2, errors2 = read_from(broker.bootstrap, topic, o)
        assert not errors2 and got2 == values[o], (o, got2)
    ts = offsets_for_times(broker.bootstrap, topic, {0: 1700000000000 + 77 * 1000})
    assert ts == {0: 77}
    assert broker.stop() == 0
    check_partition_dir(pdir(broker, topic))  # the rebuilt indexes were written back
    broker.start()


def read_from(bootstrap, topic, offset, timeout=10.0):
    c = consumer(bootstrap, check_crcs=True)
    errors = []
    try:
        c.assign([TopicPartition(topic, 0, offset)])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                errors.append(m.error().code())
                continue
            return offset, m.value(), errors
    finally:
        c.close()
    return offset, None, errors


# A bit flipped inside a trusted segment (not re-validated at start) must be refused when read:
# the fetch path checks every batch's CRC-32C and takes the partition offline on a mismatch.
@pytest.mark.parametrize("where,stop", [("old-segment", "kill"), ("old-segment", "term"),
                                        ("active-segment", "term")])
def test_mid_log_corruption_is_never_served(broker, where, stop):
    rng = random.Random(where + stop)
    topic, values = fill(broker)
    stop_broker(broker, stop)
    segs = segments(broker, topic)
    assert len(segs) >= 3
    seg = segs[1] if where == "old-segment" else segs[-1]
    b = middle_batch(seg)
    flip(seg, b.pos + 61 + rng.randrange(b.size - 61), rng)  # inside the records: CRC-covered
    broker.start()
    hi, got, errors = read_all(broker.bootstrap, topic, timeout=5)
    # Never garbage: no batch that fails its CRC reaches the client, and no wrong value.
    assert KafkaError._BAD_MSG not in errors, \
        f"a corrupt batch (offset {b.base_offset}) was served: client CRC errors {errors}"
    for o, v in got.items():
        assert v == values[o], f"offset {o}: wrong value served"
    assert broker.alive()
    # Reaching the bad batch took the partition offline, and the log says why, once.
    offline = [x for x in broker.stderr_text().splitlines() if "is offline:" in x]
    assert len(offline) == 1, f"expected the reason logged once, got {offline}"
    assert "fails its checksum" in offline[0], offline
