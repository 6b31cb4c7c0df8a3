"""`sluice txn list|describe|abort` and WriteTxnMarkers (API 27) against a real sluiced broker.

NEEDS THE TRANSACTION COORDINATOR (ListTransactions 66, DescribeTransactions 65, FindCoordinator
key type 1, transactional InitProducerId): these tests fail on a broker without it, by design —
they are not skipped:
  test_list_is_empty_without_transactional_ids
  test_describe_of_an_unknown_id_fails_with_its_error
  test_list_and_describe_show_an_ongoing_transaction
  test_abort_by_id_fences_the_producer_and_aborts_its_transaction
  test_abort_of_a_hanging_transaction_finds_the_open_producer

Everything else needs only the partition side (WriteTxnMarkers, DescribeProducers). Without a
coordinator no partition accepts a transactional batch, so the marker tests write into
partitions holding plain idempotent data: the marker still goes into the log.
"""
import time
import uuid

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

import kafka_wire as w
from cli_runner import REQUIRED, fails, ok, sluice
from sluice_helpers import create_topic, watermarks, wait_for

pytestmark = REQUIRED

UNKNOWN_TOPIC_OR_PARTITION = 3
INVALID_PRODUCER_EPOCH = 47


def unique(prefix="txc"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def rows(table_text):
    """The data rows of a printed table (header dropped), each split on whitespace."""
    lines = [line.split() for line in table_text.splitlines() if line.strip()]
    return lines[1:]


# ------------------------------------------------------------------ the wire


def init_producer_id(port):
    r = w.roundtrip(port, 22, 0, w.string(None) + w.i32(60000))
    r.i32()  # throttle
    err, pid, epoch = r.i16(), r.i64(), r.i16()
    assert err == 0
    return pid, epoch


def produce_idempotent(port, topic, pid, epoch, seq, n, partition=0):
    batch = w.record_batch([(None, b"v%d" % (seq + i), ()) for i in range(n)],
                           producer_id=pid, producer_epoch=epoch, base_sequence=seq)
    r = w.roundtrip(port, 0, 3, w.produce_v3_body(topic, partition, batch))
    err, base, _ = w.parse_produce_v3(r)[(topic, partition)]
    assert err == 0, f"produce failed with {err}"
    return base


def write_txn_markers(port, markers):
    """markers: [(pid, epoch, commit, coordinator_epoch, {topic: [partitions]})]
    -> one (pid, {(topic, partition): error_code}) per marker, in order"""
    body = w.compact_array([
        w.i64(pid) + w.i16(epoch) + w.i8(1 if commit else 0)
        + w.compact_array([w.compact_string(t) + w.compact_array([w.i32(p) for p in parts])
                           + w.TAGS for t, parts in topics.items()])
        + w.i32(coordinator_epoch) + w.TAGS
        for pid, epoch, commit, coordinator_epoch, topics in markers]) + w.TAGS
    r = w.roundtrip(port, 27, 1, body, flexible=True)
    r.tags()  # response header v1

    def partition(r):
        out = (r.i32(), r.i16())
        r.tags()
        return out

    def topic(r):
        out = (r.compact_string(), r.compact_array(partition))
        r.tags()
        return out

    def marker(r):
        out = (r.i64(), r.compact_array(topic))
        r.tags()
        return out

    out = [(pid, {(name, index): err for name, parts in topics for index, err in parts})
           for pid, topics in r.compact_array(marker)]
    r.tags()
    assert r.remaining() == 0
    return out


def read_to_end(bootstrap, topic, partition=0, timeout=15.0, **conf):
    """Every record a consumer reads from offset 0 until partition EOF."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("g"),
                  "enable.auto.commit": False, "enable.partition.eof": True,
                  "socket.timeout.ms": 10000, "fetch.wait.max.ms": 100, **conf})
    try:
        c.assign([TopicPartition(topic, partition, 0)])
        out = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    return out
                raise KafkaException(m.error())
            out.append(m.value())
        raise AssertionError(f"no partition EOF on {topic}[{partition}] within {timeout}s")
    finally:
        c.close()


def test_write_txn_markers_writes_an_abort_marker(broker):
    topic = create_topic(broker.bootstrap, unique("wtm"), partitions=1)
    pid, epoch = init_producer_id(broker.port)
    produce_idempotent(broker.port, topic, pid, epoch, 0, 3)
    assert watermarks(broker.bootstrap, topic)[1] == 3
    got = write_txn_markers(broker.port, [(pid, epoch, False, 0, {topic: [0]})])
    assert got == [(pid, {(topic, 0): 0})]
    # The marker takes one offset and is no record: a read_uncommitted consumer sees only data.
    assert watermarks(broker.bootstrap, topic)[1] == 4
    assert read_to_end(broker.bootstrap, topic) == [b"v0", b"v1", b"v2"]
    # The producer goes on after it, and so does the log.
    assert produce_idempotent(broker.port, topic, pid, epoch, 3, 1) == 4
    assert read_to_end(broker.bootstrap, topic) == [b"v0", b"v1", b"v2", b"v3"]


def test_write_txn_markers_answers_per_partition(broker):
    topic = create_topic(broker.bootstrap, unique("wtm"), partitions=2)
    pid, epoch = init_producer_id(broker.port)
    produce_idempotent(broker.port, topic, pid, epoch, 0, 1, partition=0)
    # A newer epoch on partition 0 makes the first one stale there, not on partition 1.
    produce_idempotent(broker.port, topic, pid, epoch + 1, 0, 1, partition=0)
    missing = unique("missing")
    got = write_txn_markers(broker.port, [
        (pid, epoch, False, 0, {topic: [0, 1, 7], missing: [0]}),
        (pid, epoch + 1, True, 0, {topic: [0]}),
    ])
    assert got == [
        (pid, {(topic, 0): INVALID_PRODUCER_EPOCH, (topic, 1): 0,
               (topic, 7): UNKNOWN_TOPIC_OR_PARTITION, (missing, 0): UNKNOWN_TOPIC_OR_PARTITION}),
        (pid, {(topic, 0): 0}),
    ]
    # Refused markers write nothing; each accepted one takes an offset.
    assert watermarks(broker.bootstrap, topic, 0)[1] == 3
    assert watermarks(broker.bootstrap, topic, 1)[1] == 1
    assert read_to_end(broker.bootstrap, topic, 0) == [b"v0", b"v0"]


def test_abort_hanging_with_explicit_producer_writes_the_marker(broker):
    topic = create_topic(broker.bootstrap, unique("hang"), partitions=1)
    pid, epoch = init_producer_id(broker.port)
    produce_idempotent(broker.port, topic, pid, epoch, 0, 2)
    out = ok(broker.bootstrap, "txn", "abort", "--topic", topic, "--partition", "0",
             "--producer-id", str(pid), "--producer-epoch", str(epoch))
    assert f"ABORT marker for producer id {pid} epoch {epoch} on {topic}-0" in out
    assert watermarks(broker.bootstrap, topic)[1] == 3
    assert read_to_end(broker.bootstrap, topic) == [b"v0", b"v1"]


def test_abort_hanging_reports_the_partitions_error(broker):
    topic = create_topic(broker.bootstrap, unique("hang"), partitions=1)
    pid, epoch = init_producer_id(broker.port)
    produce_idempotent(broker.port, topic, pid, epoch + 1, 0, 1)
    r = fails(broker.bootstrap, "txn", "abort", "--topic", topic, "--partition", "0",
              "--producer-id", str(pid), "--producer-epoch", str(epoch))
    assert "INVALID_PRODUCER_EPOCH (47)" in r.stderr
    r = fails(broker.bootstrap, "txn", "abort", "--topic", topic, "--partition", "3",
              "--producer-id", str(pid), "--producer-epoch", str(epoch + 1))
    assert "UNKNOWN_TOPIC_OR_PARTITION (3)" in r.stderr
    assert watermarks(broker.bootstrap, topic)[1] == 1


def test_abort_hanging_without_producer_needs_an_open_transaction(broker):
    topic = create_topic(broker.bootstrap, unique("hang"), partitions=1)
    pid, epoch = init_producer_id(broker.port)
    produce_idempotent(broker.port, topic, pid, epoch, 0, 1)
    # Idempotent data is no open transaction: nothing to abort, nothing written.
    r = fails(broker.bootstrap, "txn", "abort", "--topic", topic, "--partition", "0")
    assert f"no producer has an open transaction on {topic}-0" in r.stderr
    r = fails(broker.bootstrap, "txn", "abort", "--topic", topic, "--partition", "0",
              "--producer-id", str(pid))
    assert f"producer id {pid} has no open transaction on {topic}-0" in r.stderr
    assert watermarks(broker.bootstrap, topic)[1] == 1


def test_abort_usage_errors(broker):
    fails(broker.bootstrap, "txn", "abort", code=2)
    fails(broker.bootstrap, "txn", "abort", "some-id", "--topic", "t", "--partition", "0",
          code=2)
    fails(broker.bootstrap, "txn", "abort", "--topic", "t", code=2)
    fails(broker.bootstrap, "txn", "abort", "some-id", "--producer-id", "1", code=2)


def test_abort_help_explains_fencing(broker):
    out = ok(broker.bootstrap, "txn", "abort", "--help")
    assert "fenced" in out and "PRODUCER_FENCED" in out and "KIP-664" in out


def test_unreachable_broker_names_address_and_api():
    r = sluice("127.0.0.1:1", "txn", "list", timeout_ms=2000)
    assert r.returncode == 1
    assert "127.0.0.1:1" in r.stderr and "errno" in r.stderr


# ------------------------------------------------------------------ with the coordinator


def test_list_is_empty_without_transactional_ids(broker):
    assert rows(ok(broker.bootstrap, "txn", "list")) == []
    assert rows(ok(broker.bootstrap, "txn", "list", "--state", "Ongoing",
                   "--producer-id", "1", "--min-duration-ms", "0")) == []


def test_describe_of_an_unknown_id_fails_with_its_error(broker):
    r = fails(broker.bootstrap, "txn", "describe", "no-such-id")
    assert "no-such-id" in r.stderr and "TRANSACTIONAL_ID_NOT_FOUND (105)" in r.stderr


def transactional_producer(bootstrap, transactional_id):
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": transactional_id,
                  "transaction.timeout.ms": 60000, "socket.timeout.ms": 10000,
                  "message.timeout.ms": 30000})
    p.init_transactions(30)
    return p


def open_transaction(bootstrap, topic, transactional_id, n=3):
    p = transactional_producer(bootstrap, transactional_id)
    p.begin_transaction()
    for i in range(n):
        p.produce(topic, value=b"t%d" % i, partition=0)
    assert p.flush(30) == 0
    return p


def test_list_and_describe_show_an_ongoing_transaction(broker):
    topic = create_topic(broker.bootstrap, unique("ong"), partitions=1)
    tid = unique("tid")
    p = open_transaction(broker.bootstrap, topic, tid)
    try:
        listed = {r[0]: r for r in rows(ok(broker.bootstrap, "txn", "list"))}
        assert listed[tid][2] == "Ongoing"
        pid = listed[tid][1]
        assert [r[0] for r in rows(ok(broker.bootstrap, "txn", "list", "--state", "Ongoing"))] \
            == [tid]
        assert rows(ok(broker.bootstrap, "txn", "list", "--state", "CompleteCommit")) == []
        assert [r[0] for r in rows(ok(broker.bootstrap, "txn", "list", "--producer-id", pid))] \
            == [tid]
        described = rows(ok(broker.bootstrap, "txn", "describe", tid))
        assert len(described) == 1
        d = described[0]
        assert d[0] == tid and d[1] == "Ongoing" and d[2] == pid
        assert d[4] == "60000" and int(d[5]) > 0 and d[6] == f"{topic}:0"
        # Known and unknown ids together: the known one is printed, the command still fails.
        r = fails(broker.bootstrap, "txn", "describe", tid, "no-such-id")
        assert tid in r.stdout and "TRANSACTIONAL_ID_NOT_FOUND" in r.stderr
        p.commit_transaction(30)
        wait_for(lambda: rows(ok(broker.bootstrap, "txn", "describe", tid))[0][1]
                 == "CompleteCommit", 15, "the commit to complete")
    finally:
        p.flush(1)


def test_abort_by_id_fences_the_producer_and_aborts_its_transaction(broker):
    topic = create_topic(broker.bootstrap, unique("abort"), partitions=1)
    tid = unique("tid")
    p = open_transaction(broker.bootstrap, topic, tid)
    before = rows(ok(broker.bootstrap, "txn", "describe", tid))[0]
    epoch = int(before[3])
    out = ok(broker.bootstrap, "txn", "abort", tid)
    assert "was Ongoing" in out and "fenced" in out
    new_epoch = int(out.split("now at epoch ")[1].split(",")[0])
    assert new_epoch > epoch
    # The stuck producer is fenced: it cannot commit what it wrote.
    with pytest.raises(KafkaException) as e:
        p.commit_transaction(30)
    assert e.value.args[0].code() in (KafkaError._FENCED, KafkaError.PRODUCER_FENCED,
                                      KafkaError.INVALID_PRODUCER_EPOCH)
    # Aborted: a read_committed consumer reads past the transaction and sees none of it.
    assert read_to_end(broker.bootstrap, topic, **{"isolation.level": "read_committed"}) == []
    after = rows(ok(broker.bootstrap, "txn", "describe", tid))[0]
    assert int(after[3]) == new_epoch and after[1] in ("Empty", "CompleteAbort")
    # A new incarnation starts cleanly.
    q = transactional_producer(broker.bootstrap, tid)
    q.begin_transaction()
    q.produce(topic, value=b"after", partition=0)
    q.commit_transaction(30)
    assert read_to_end(broker.bootstrap, topic,
                       **{"isolation.level": "read_committed"}) == [b"after"]


def test_abort_of_a_hanging_transaction_finds_the_open_producer(broker):
    topic = create_topic(broker.bootstrap, unique("hang"), partitions=1)
    tid = unique("tid")
    p = open_transaction(broker.bootstrap, topic, tid)
    try:
        out = ok(broker.bootstrap, "txn", "abort", "--topic", topic, "--partition", "0")
        assert "ABORT marker for producer id" in out and f"on {topic}-0" in out
        # The partition's transaction is over: the last stable offset moves past the marker.
        assert read_to_end(broker.bootstrap, topic, **{"isolation.level": "read_committed"}) == []
        r = fails(broker.bootstrap, "txn", "abort", "--topic", topic, "--partition", "0")
        assert "no producer has an open transaction" in r.stderr
    finally:
        p.flush(1)
