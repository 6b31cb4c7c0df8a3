"""Core-per-shard seen from real clients: with more shards than CPUs, connections live on every
shard and partitions are owned by every shard, and Kafka's guarantees hold across them."""
import os
import threading
import time

import pytest
from confluent_kafka import TopicPartition

import kafka_wire as w
from sluice_helpers import (OP_TIMEOUT, admin, consume_all, consumer, create_topic, produce_all,
                            produce_ok, unique, wait_for, wait_future, watermarks)

SHARDS = 4
PARTS = 8
PER_PRODUCER = 400  # messages per producer, spread over every partition by key


@pytest.fixture
def sharded(broker_factory):
    return broker_factory(settings={"num.shards": SHARDS})


def shard_threads(pid):
    names = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            names.append(f.read().strip())
    return sorted(n for n in names if n.startswith("sluice-shard"))


def test_broker_runs_the_configured_shards(sharded):
    # Shard 0 is the main thread; every other shard has a thread of its own.
    assert shard_threads(sharded.proc.pid) == [f"sluice-shard{i}" for i in range(1, SHARDS)]


def test_concurrent_producers_over_every_shard_keep_per_partition_order(sharded):
    topic = create_topic(sharded.bootstrap, partitions=PARTS)
    results, errors = {}, []

    def run(n):  # each producer is its own connection, so they land on different shards
        try:
            results[n] = produce_ok(
                sharded.bootstrap, topic,
                [{"partition": i % PARTS, "key": b"p%d" % n, "value": b"p%d-%d" % (n, i)}
                 for i in range(PER_PRODUCER)], acks="all", linger_ms=2)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(SHARDS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    per_partition = SHARDS * PER_PRODUCER // PARTS
    for p in range(PARTS):
        acked = {r.offset: r.value for rs in results.values() for r in rs if r.partition == p}
        # Offsets are dense and unique in every partition, whichever shard owns it.
        assert sorted(acked) == list(range(per_partition)), f"partition {p}"
        assert watermarks(sharded.bootstrap, topic, p) == (0, per_partition)
        consumed = consume_all(sharded.bootstrap, topic, p, 0, per_partition)
        assert {m.offset: m.value for m in consumed} == acked
        for n in range(SHARDS):  # each producer's messages keep their order in the partition
            mine = [m.value for m in consumed if m.value.startswith(b"p%d-" % n)]
            assert mine == sorted(mine, key=lambda v: int(v.split(b"-")[1]))


def test_group_commits_reach_the_control_shard_while_fetches_go_to_owners(sharded):
    topic = create_topic(sharded.bootstrap, partitions=PARTS)
    produce_ok(sharded.bootstrap, topic,
               [{"partition": i % PARTS, "value": b"v%d" % i} for i in range(10 * PARTS)])
    group = unique("g")
    c = consumer(sharded.bootstrap, group_id=group, auto_offset_reset="earliest",
                 enable_auto_offset_store=True)
    seen = []
    try:
        c.subscribe([topic])
        deadline = time.monotonic() + 2 * OP_TIMEOUT
        while len(seen) < 10 * PARTS and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is not None and not m.error():
                seen.append(m)
        assert len(seen) == 10 * PARTS
        c.commit(asynchronous=False)
        committed = c.committed([TopicPartition(topic, p) for p in range(PARTS)],
                                timeout=OP_TIMEOUT)
        assert sorted((tp.partition, tp.offset) for tp in committed) == [
            (p, 10) for p in range(PARTS)]
    finally:
        c.close()


def test_produce_to_unknown_topic_creates_it_and_the_retry_succeeds(sharded):
    topic = unique("auto")
    # librdkafka asks Metadata first, which creates the topic; the produce itself may also be
    # told UNKNOWN_TOPIC_OR_PARTITION once and retry. Either way, every message lands.
    reports = produce_ok(sharded.bootstrap, topic, [{"value": b"a%d" % i} for i in range(20)])
    assert sorted(r.offset for r in reports) == list(range(20))


def test_deleted_topic_recreated_under_the_same_name_starts_empty_on_every_owner(sharded):
    topic = create_topic(sharded.bootstrap, partitions=PARTS)
    produce_ok(sharded.bootstrap, topic, [{"partition": p, "value": b"x"} for p in range(PARTS)])
    a = admin(sharded.bootstrap)  # kept alive until its future resolves
    wait_future(a.delete_topics([topic], operation_timeout=15)[topic])
    wait_for(lambda: topic not in a.list_topics(timeout=5).topics, 10, "topic to disappear")
    create_topic(sharded.bootstrap, topic, partitions=PARTS)
    for p in range(PARTS):
        assert watermarks(sharded.bootstrap, topic, p) == (0, 0)
    reports = produce_ok(sharded.bootstrap, topic,
                         [{"partition": p, "value": b"y"} for p in range(PARTS)])
    assert all(r.offset == 0 for r in reports)


def test_acked_messages_on_every_shard_survive_kill9(sharded):
    topic = create_topic(sharded.bootstrap, partitions=PARTS)
    reports = produce_all(sharded.bootstrap, topic,
                          [{"partition": i % PARTS, "value": b"k%d" % i} for i in range(800)],
                          acks="all")
    assert all(r.error is None for r in reports)
    sharded.kill9()
    sharded.start()
    for p in range(PARTS):
        acked = sorted(r.offset for r in reports if r.partition == p)
        lo, hi = watermarks(sharded.bootstrap, topic, p)
        assert (lo, hi) == (0, len(acked))
        got = consume_all(sharded.bootstrap, topic, p, 0, hi)
        assert [m.value for m in got] == [r.value for r in reports if r.partition == p]


def test_one_request_over_every_shard_answers_in_request_order(sharded):
    # One raw ListOffsets naming every partition (owned by every shard) in a scrambled order,
    # plus a partition and a topic that do not exist: the answers come back in request order.
    topic = create_topic(sharded.bootstrap, partitions=PARTS)
    produce_ok(sharded.bootstrap, topic,
               [{"partition": p, "value": b"x"} for p in range(PARTS) for _ in range(p + 1)])
    order = [5, 0, 7, 3, 99, 1, 6, 2, 4]
    missing = unique("missing")
    body = w.i32(-1) + w.array(
        [w.string(topic) + w.array([w.i32(p) + w.i64(-1) for p in order]),
         w.string(missing) + w.array([w.i32(0) + w.i64(-1)])])
    r = w.roundtrip(sharded.port, 2, 1, body)
    got = r.array(lambda r: (r.string(), r.array(
        lambda r: (r.i32(), r.i16(), r.i64(), r.i64()))))
    assert [name for name, _ in got] == [topic, missing]
    answers = [(idx, err, off) for idx, err, _ts, off in got[0][1]]
    assert answers == [(p, 3, -1) if p == 99 else (p, 0, p + 1) for p in order]
    [(idx, err, _ts, off)] = got[1][1]
    assert (idx, err) == (0, 3)  # UNKNOWN_TOPIC_OR_PARTITION
