"""Crash safety: acknowledged (acks=all) data survives kill -9; damaged log tails are recovered."""
import os
import random
import struct
import threading
import time

import pytest
from confluent_kafka import Producer

from sluice_helpers import consume_all, create_topic, produce_ok, watermarks

PARTITIONS = 3


def produce_until_killed(broker, topic, cycle, run_for, rate=50000):
    """Produce numbered values (paced at about `rate` per second, to keep the read-back cheap)
    from a thread until the broker is SIGKILLed. Returns the list of acknowledged
    (partition, offset, value) and the number of messages attempted."""
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all",
                  "enable.idempotence": False, "message.send.max.retries": 0,
                  "linger.ms": 2, "message.timeout.ms": 3000, "socket.timeout.ms": 3000,
                  "queue.buffering.max.messages": 20000, "reconnect.backoff.ms": 100,
                  "reconnect.backoff.max.ms": 500})
    acked, failed = [], []
    stop = threading.Event()
    attempted = [0]

    def on_delivery(err, m):
        if err is None:
            acked.append((m.partition(), m.offset(), m.value()))
        else:
            failed.append(err)

    def loop():
        i, t0 = 0, time.monotonic()
        while not stop.is_set():
            if i % 100 == 0:
                ahead = i / rate - (time.monotonic() - t0)
                if ahead > 0:
                    time.sleep(ahead)
            value = b"c%d-%09d" % (cycle, i)
            try:
                p.produce(topic, value, partition=i % PARTITIONS, on_delivery=on_delivery)
            except BufferError:
                p.poll(0.01)
                continue
            i += 1
            p.poll(0)
        attempted[0] = i

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    time.sleep(run_for)
    acked_before_kill = len(acked)
    broker.kill9()
    time.sleep(0.2)
    stop.set()
    t.join(10)
    assert not t.is_alive(), "producer thread did not stop"
    left = p.flush(20)
    assert left == 0, f"{left} messages neither acknowledged nor failed"
    assert acked_before_kill >= 20, f"only {acked_before_kill} messages acknowledged in {run_for}s"
    return acked, attempted[0]


def read_log(broker, topic):
    """{partition: [(offset, value), ...]} for the whole log, verifying offsets are contiguous."""
    log = {}
    for part in range(PARTITIONS):
        lo, hi = watermarks(broker.bootstrap, topic, part)
        assert lo == 0, f"partition {part} low watermark {lo}"
        msgs = consume_all(broker.bootstrap, topic, part, 0, hi, timeout=30)
        assert [m.offset for m in msgs] == list(range(hi)), f"partition {part} offsets not dense"
        log[part] = [(m.offset, m.value) for m in msgs]
    return log


def verify(log, acked):
    by_offset = {part: dict(entries) for part, entries in log.items()}
    for part, off, value in acked:
        got = by_offset[part].get(off)
        assert got == value, f"acked {value!r} at {part}/{off} but log has {got!r}"
    seen = set()
    for part, entries in log.items():
        prev = None
        for off, value in entries:
            assert value not in seen, f"duplicate value {value!r} (partition {part} offset {off})"
            seen.add(value)
            cycle, i = value[1:].split(b"-")
            key = (int(cycle), int(i))
            assert key[1] % PARTITIONS == part, f"{value!r} in wrong partition {part}"
            assert prev is None or key > prev, f"out of order: {value!r} after {prev}"
            prev = key


def test_acked_writes_survive_kill9_cycles(broker):
    topic = create_topic(broker.bootstrap, partitions=PARTITIONS)
    all_acked = []
    for cycle in range(3):
        run_for = random.Random(cycle).uniform(1.0, 2.0)  # vary where in the stream we kill
        acked, attempted = produce_until_killed(broker, topic, cycle, run_for)
        all_acked += acked
        broker.start()  # same data dir, same port
        log = read_log(broker, topic)
        verify(log, all_acked)
        total = sum(len(v) for v in log.values())
        assert total >= len(all_acked)
        print(f"cycle {cycle}: attempted {attempted}, acked {len(acked)}, log holds {total}")
    # the recovered log accepts new writes at the right offsets
    _, hi = watermarks(broker.bootstrap, topic, 1)
    [r] = produce_ok(broker.bootstrap, topic, [{"value": b"c9-000000001", "partition": 1}])
    assert r.offset == hi


def partition_dir(broker, topic, part=0):
    return os.path.join(broker.data_dir, f"{topic}-{part}")


def last_segment(broker, topic):
    d = partition_dir(broker, topic)
    logs = sorted(f for f in os.listdir(d) if f.endswith(".log"))
    assert logs, f"no .log segment in {d}: {os.listdir(d)}"
    return os.path.join(d, logs[-1])


def tail_bytes(kind, rng):
    if kind == "random":
        return rng.randbytes(4096)
    if kind == "zeros":  # e.g. preallocated space after a crash
        return bytes(8192)
    if kind == "fake-header":  # plausible batch header promising far more bytes than exist
        return struct.pack(">qib", 50, 10_000_000, 0) + b"\x02" + rng.randbytes(100)
    raise ValueError(kind)


@pytest.mark.parametrize("kind,stop", [("random", "kill"), ("zeros", "kill"),
                                       ("fake-header", "kill"), ("random", "term")])
def test_garbage_tail_is_discarded(broker, kind, stop):
    topic = create_topic(broker.bootstrap)
    msgs = [{"partition": 0, "value": b"g%04d" % i, "key": b"k%d" % i} for i in range(50)]
    for i in range(0, 50, 10):
        produce_ok(broker.bootstrap, topic, msgs[i:i + 10], acks="all")
    if stop == "kill":
        broker.kill9()
    else:
        assert broker.stop() == 0
    with open(last_segment(broker, topic), "ab") as f:
        f.write(tail_bytes(kind, random.Random(kind)))
    broker.start()
    assert watermarks(broker.bootstrap, topic) == (0, 50)
    assert [m.value for m in consume_all(broker.bootstrap, topic, 0, 0, 50)] == \
        [m["value"] for m in msgs]
    more = [{"partition": 0, "value": b"g%04d" % i} for i in range(50, 60)]
    assert [r.offset for r in produce_ok(broker.bootstrap, topic, more, acks="all")] == \
        list(range(50, 60))
    expect = [m["value"] for m in msgs + more]
    assert [m.value for m in consume_all(broker.bootstrap, topic, 0, 0, 60)] == expect
    broker.kill9()  # the data written after recovery must survive the next recovery too
    broker.start()
    assert watermarks(broker.bootstrap, topic) == (0, 60)
    assert [m.value for m in consume_all(broker.bootstrap, topic, 0, 0, 60)] == expect


def test_torn_last_batch_is_truncated(broker):
    topic = create_topic(broker.bootstrap)
    msgs = [{"partition": 0, "value": b"torn-%03d" % i} for i in range(20)]
    produce_ok(broker.bootstrap, topic, msgs, flush_each=True, acks="all")  # one batch each
    broker.kill9()
    seg = last_segment(broker, topic)
    size = os.path.getsize(seg)
    with open(seg, "r+b") as f:
        f.truncate(size - 7)
    broker.start()
    assert watermarks(broker.bootstrap, topic) == (0, 19)
    assert [m.value for m in consume_all(broker.bootstrap, topic, 0, 0, 19)] == \
        [m["value"] for m in msgs[:19]]
    [r] = produce_ok(broker.bootstrap, topic, [{"partition": 0, "value": b"torn-new"}])
    assert r.offset == 19
    assert consume_all(broker.bootstrap, topic, 0, 19, 1)[0].value == b"torn-new"
