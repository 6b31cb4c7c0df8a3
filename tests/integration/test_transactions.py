"""Transactions with librdkafka (confluent-kafka): commit and abort, what read_committed and
read_uncommitted consumers see, the last stable offset holding read_committed consumers, fencing
of a zombie, the transaction timeout, consume-transform-produce with offsets sent to the
transaction, and kill -9 of the broker in the middle of a transaction."""
import time
import uuid

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

import kafka_wire as w
from sluice_helpers import create_topic, unique, wait_for

TIMEOUT = 30


def txn_producer(bootstrap, txn_id=None, **conf):
    base = {"bootstrap.servers": bootstrap, "transactional.id": txn_id or unique("txid"),
            "linger.ms": 5, "socket.timeout.ms": 10000}
    base.update(conf)
    p = Producer(base)
    p.init_transactions(TIMEOUT)
    return p


def read(bootstrap, topic, partitions=1, isolation="read_committed", timeout=TIMEOUT):
    """Every record of every partition up to the end a consumer of this isolation may see:
    {partition: [(offset, value)]}, stopping at partition EOF."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("reader"),
                  "enable.auto.commit": False, "isolation.level": isolation,
                  "enable.partition.eof": True, "fetch.wait.max.ms": 100,
                  "auto.offset.reset": "earliest"})
    try:
        c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        out = {p: [] for p in range(partitions)}
        eof = set()
        deadline = time.monotonic() + timeout
        while len(eof) < partitions and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    eof.add(m.partition())
                    continue
                raise KafkaException(m.error())
            eof.discard(m.partition())
            out[m.partition()].append((m.offset(), m.value()))
        assert len(eof) == partitions, f"no EOF within {timeout}s: {out}"
        return out
    finally:
        c.close()


def values(records):
    return sorted(v for recs in records.values() for _, v in recs)


def test_commit_and_abort_what_each_isolation_sees(broker):
    topic = create_topic(broker.bootstrap, unique("txn"), partitions=3)
    p = txn_producer(broker.bootstrap)
    p.begin_transaction()
    for i in range(30):
        p.produce(topic, b"c%02d" % i, partition=i % 3)
    p.commit_transaction(TIMEOUT)
    p.begin_transaction()
    for i in range(30):
        p.produce(topic, b"a%02d" % i, partition=i % 3)
    p.flush(TIMEOUT)  # in the log before the abort (abort_transaction drops what is unsent)
    p.abort_transaction(TIMEOUT)
    p.begin_transaction()
    p.produce(topic, b"last", partition=0)
    p.commit_transaction(TIMEOUT)

    committed = read(broker.bootstrap, topic, 3)
    assert values(committed) == sorted([b"c%02d" % i for i in range(30)] + [b"last"])
    everything = read(broker.bootstrap, topic, 3, isolation="read_uncommitted")
    assert values(everything) == sorted([b"c%02d" % i for i in range(30)] +
                                        [b"a%02d" % i for i in range(30)] + [b"last"])
    # Each transaction left one control record per partition: offsets skip them, and no client
    # ever sees one.
    offsets0 = [o for o, _ in everything[0]]
    assert offsets0 == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22]


def test_open_transaction_holds_read_committed_at_the_last_stable_offset(broker):
    topic = create_topic(broker.bootstrap, unique("lso"), partitions=1)
    p = txn_producer(broker.bootstrap)
    p.begin_transaction()
    p.produce(topic, b"inside", partition=0)
    p.flush(TIMEOUT)
    plain = Producer({"bootstrap.servers": broker.bootstrap})
    plain.produce(topic, b"after", partition=0)
    assert plain.flush(TIMEOUT) == 0
    # The plain record is committed, but behind the open transaction: read_committed stops at
    # the transaction's first offset, read_uncommitted sees both.
    assert read(broker.bootstrap, topic)[0] == []
    assert [v for _, v in read(broker.bootstrap, topic, isolation="read_uncommitted")[0]] == \
        [b"inside", b"after"]
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": unique("g"),
                  "isolation.level": "read_committed"})
    try:
        lo, hi = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=TIMEOUT, cached=False)
        assert (lo, hi) == (0, 0), "ListOffsets(read_committed, latest) must answer the LSO"
    finally:
        c.close()
    p.commit_transaction(TIMEOUT)
    assert [v for _, v in read(broker.bootstrap, topic)[0]] == [b"inside", b"after"]


def test_zombie_producer_is_fenced(broker):
    topic = create_topic(broker.bootstrap, unique("zombie"), partitions=1)
    txn_id = unique("shared")
    old = txn_producer(broker.bootstrap, txn_id)
    old.begin_transaction()
    old.produce(topic, b"zombie", partition=0)
    old.flush(TIMEOUT)
    new = txn_producer(broker.bootstrap, txn_id)  # fences `old`, aborting its transaction
    new.begin_transaction()
    new.produce(topic, b"new", partition=0)
    new.commit_transaction(TIMEOUT)
    with pytest.raises(KafkaException) as e:
        old.produce(topic, b"zombie-2", partition=0)
        old.commit_transaction(TIMEOUT)
    assert e.value.args[0].fatal() or e.value.args[0].code() in (
        KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_PRODUCER_EPOCH)
    assert [v for _, v in read(broker.bootstrap, topic)[0]] == [b"new"]


def test_transaction_open_past_its_timeout_is_aborted(broker_factory):
    b = broker_factory(settings={
        "transaction.abort.timed.out.transaction.cleanup.interval.ms": 200})
    topic = create_topic(b.bootstrap, unique("timeout"), partitions=1)
    p = txn_producer(b.bootstrap, **{"transaction.timeout.ms": 1500, "socket.timeout.ms": 1500})
    p.begin_transaction()
    p.produce(topic, b"abandoned", partition=0)
    p.flush(TIMEOUT)
    plain = Producer({"bootstrap.servers": b.bootstrap})
    plain.produce(topic, b"plain", partition=0)
    plain.flush(TIMEOUT)

    def released():
        return [v for _, v in read(b.bootstrap, topic, timeout=5)[0]] == [b"plain"]
    wait_for(released, 20, "the coordinator to abort the timed-out transaction")
    with pytest.raises(KafkaException):
        p.commit_transaction(TIMEOUT)


def test_consume_transform_produce_is_exactly_once_across_a_consumer_crash(broker):
    src = create_topic(broker.bootstrap, unique("src"), partitions=2)
    dst = create_topic(broker.bootstrap, unique("dst"), partitions=2)
    feeder = Producer({"bootstrap.servers": broker.bootstrap})
    for i in range(200):
        feeder.produce(src, b"%d" % i, partition=i % 2)
    assert feeder.flush(TIMEOUT) == 0
    group = unique("eos")
    txn_id = "eos-" + group

    def copy(crash_after=None):
        """Copies src -> dst, one transaction per batch consumed, with the consumed offsets sent
        to the transaction. With crash_after, it 'crashes' once that many are copied: the last
        transaction is written but neither committed nor aborted, the producer never closed.
        Without, it runs until the group has committed all 200."""
        c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group,
                      "enable.auto.commit": False, "auto.offset.reset": "earliest",
                      "isolation.level": "read_committed"})
        p = txn_producer(broker.bootstrap, txn_id)
        c.subscribe([src])
        done = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if crash_after is None:
                committed = c.committed([TopicPartition(src, 0), TopicPartition(src, 1)],
                                        timeout=TIMEOUT)
                if sum(max(tp.offset, 0) for tp in committed) == 200:
                    c.close()
                    return p
            msgs = [m for m in c.consume(10, 1.0) if not m.error()]
            if not msgs:
                continue
            p.begin_transaction()
            for m in msgs:
                p.produce(dst, b"x" + m.value(), partition=m.partition())
            done += len(msgs)
            if crash_after is not None and done >= crash_after:
                p.flush(TIMEOUT)
                c.close()  # leaves the group, or the next consumer would wait out its session
                return p
            p.send_offsets_to_transaction(c.position(c.assignment()),
                                          c.consumer_group_metadata(), TIMEOUT)
            p.commit_transaction(TIMEOUT)
        raise AssertionError(f"copied {done} records and stalled")

    crashed = copy(crash_after=100)
    # The next incarnation (same transactional id) fences the crashed one and aborts its open
    # transaction; it resumes from the offsets of the last committed transaction.
    copy()
    out = values(read(broker.bootstrap, dst, 2))
    assert out == sorted(b"x%d" % i for i in range(200)), \
        f"{len(out)} records, {len(out) - len(set(out))} duplicates"
    del crashed


def test_broker_kill_mid_transaction_never_shows_part_of_it(broker_factory):
    b = broker_factory(settings={
        "transaction.abort.timed.out.transaction.cleanup.interval.ms": 200})
    topic = create_topic(b.bootstrap, unique("crash"), partitions=2)
    # One transaction committed before the crash, one left open across it.
    p = txn_producer(b.bootstrap, **{"transaction.timeout.ms": 3000, "socket.timeout.ms": 3000})
    p.begin_transaction()
    for i in range(10):
        p.produce(topic, b"c%d" % i, partition=i % 2)
    p.commit_transaction(TIMEOUT)
    p.begin_transaction()
    for i in range(10):
        p.produce(topic, b"open%d" % i, partition=i % 2)
    p.flush(TIMEOUT)
    b.kill9()
    b.start()
    # The coordinator reloads the open transaction; its timeout aborts it, after which
    # read_committed consumers move past it and see only the committed one.
    def settled():
        return values(read(b.bootstrap, topic, 2, timeout=5)) == sorted(b"c%d" % i for i in range(10))
    wait_for(settled, 30, "the open transaction to be aborted after the restart")
    everything = values(read(b.bootstrap, topic, 2, isolation="read_uncommitted"))
    assert everything == sorted([b"c%d" % i for i in range(10)] + [b"open%d" % i for i in range(10)])


def test_init_producer_id_and_find_coordinator_on_the_wire(broker):
    # FindCoordinator v1, key type 1 (transaction): this node.
    body = w.string("tx-wire") + w.i8(1)
    r = w.roundtrip(broker.port, 10, 1, body)
    r.i32()
    assert r.i16() == 0
    # InitProducerId v0 for a transactional id: an id at epoch 0, then a bump.
    body = w.string("tx-wire") + w.i32(60000)
    r = w.roundtrip(broker.port, 22, 0, body)
    r.i32()
    err, pid, epoch = r.i16(), r.i64(), r.i16()
    assert (err, epoch) == (0, 0)
    r = w.roundtrip(broker.port, 22, 0, body)
    r.i32()
    assert (r.i16(), r.i64(), r.i16()) == (0, pid, 1)
    # A timeout above transaction.max.timeout.ms.
    r = w.roundtrip(broker.port, 22, 0, w.string("tx-wire") + w.i32(900001))
    r.i32()
    assert r.i16() == 50  # INVALID_TRANSACTION_TIMEOUT
    # EndTxn for an unknown id.
    r = w.roundtrip(broker.port, 26, 0, w.string("nobody") + w.i64(1) + w.i16(0) + w.i8(1))
    r.i32()
    assert r.i16() == 49  # INVALID_PRODUCER_ID_MAPPING
