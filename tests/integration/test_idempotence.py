"""The idempotent producer: InitProducerId, and retries that never duplicate or reorder — with
responses lost on the way (the broker's test-only fault switch) and across kill -9."""
import json
import subprocess
import threading
import time

from confluent_kafka import Producer

import kafka_wire as w
import numbered_producer
from kp3_runner import PYTHON as VENV_PYTHON
from kp3_runner import kp3_clients  # noqa: F401  (the fixture that makes the venv)
from numbered_producer import PARTITIONS
from sluice_helpers import consume_all, create_topic, unique, wait_for

DROP_ENV = "SLUICE_FAULT_DROP_PRODUCE_RESPONSES"


def produce_numbered(bootstrap, topic, count, progress=None, **conf):
    return numbered_producer.produce_numbered(Producer, bootstrap, topic, count, progress, **conf)


def read_values(bootstrap, topic):
    """Every partition read to its high watermark: {partition: [(offset, int value)]}."""
    out = {}
    for part in range(PARTITIONS):
        msgs = consume_all(bootstrap, topic, partition=part, start=-1, timeout=60)
        out[part] = [(m.offset, int(m.value)) for m in msgs]
    return out


def assert_exactly_once_in_order(values, count):
    for part, recs in values.items():
        offsets = [o for o, _ in recs]
        first = offsets[0] if offsets else 0
        assert offsets == list(range(first, first + len(offsets))), \
            f"partition {part}: offsets not contiguous"
        got = [v for _, v in recs]
        expected = list(range(part, count, PARTITIONS))
        dups = len(got) - len(set(got))
        assert dups == 0, f"partition {part}: {dups} duplicates"
        assert got == expected, (f"partition {part}: {len(got)} records, first difference at "
                                 f"{next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))}")


def dropped_responses(broker):
    return broker.stderr_text().count("produce response dropped")


def test_idempotent_producer_with_lost_responses_writes_each_record_once(broker_factory):
    b = broker_factory(env={DROP_ENV: "11"})
    topic = create_topic(b.bootstrap, unique("idem"), partitions=PARTITIONS)
    count = 50000
    errors, acked = produce_numbered(b.bootstrap, topic, count, **{"enable.idempotence": True})
    assert not errors, f"delivery errors: {errors[:5]}"
    assert acked == count
    assert dropped_responses(b) >= 3, "the fault switch dropped no responses: nothing was tested"
    assert_exactly_once_in_order(read_values(b.bootstrap, topic), count)


def test_newest_librdkafka_idempotent_producer_with_lost_responses(broker_factory,
                                                                   kp3_clients):  # noqa: F811
    """The same with the newest confluent-kafka wheel from PyPI and the librdkafka it bundles
    (2.16 at the time of writing), run in the venv."""
    b = broker_factory(env={DROP_ENV: "11"})
    topic = create_topic(b.bootstrap, unique("idem2"), partitions=PARTITIONS)
    count = 30000
    spec = {"bootstrap": b.bootstrap, "topic": topic, "count": count,
            "conf": {"enable.idempotence": True}}
    res = subprocess.run([str(VENV_PYTHON), numbered_producer.__file__, json.dumps(spec)],
                         capture_output=True, timeout=120)
    assert res.returncode == 0, res.stderr.decode()[-3000:]
    out = json.loads(res.stdout.decode().splitlines()[-1])
    assert tuple(int(x) for x in out["librdkafka"].split(".")[:2]) >= (2, 16), out
    assert out["errors"] == [] and out["acked"] == count, out
    assert dropped_responses(b) >= 3, "the fault switch dropped no responses: nothing was tested"
    assert_exactly_once_in_order(read_values(b.bootstrap, topic), count)


def test_without_idempotence_lost_responses_do_duplicate(broker_factory):
    """The control experiment: the same fault with a plain retrying producer duplicates records,
    so the test above would see it if the broker did not deduplicate."""
    b = broker_factory(env={DROP_ENV: "7"})
    topic = create_topic(b.bootstrap, unique("plain"), partitions=PARTITIONS)
    count = 3000
    errors, _ = produce_numbered(b.bootstrap, topic, count, **{"enable.idempotence": False,
                                                               "retries": 100})
    assert not errors
    values = read_values(b.bootstrap, topic)
    total = sum(len(v) for v in values.values())
    assert total > count, f"expected duplicates from retried produces, got {total} for {count}"


def test_idempotent_retries_are_recognised_after_kill9(broker_factory):
    """kill -9 while an idempotent producer has requests in flight, restart on the same port and
    data dir: the producer's retries of batches that were already written are recognised from the
    log (the producer state is replayed at start), so nothing is written twice or lost."""
    b = broker_factory()
    topic = create_topic(b.bootstrap, unique("idem-crash"), partitions=PARTITIONS)
    count = 60000
    result, progress = {}, [0]

    def run():
        result["out"] = produce_numbered(b.bootstrap, topic, count, progress,
                                         **{"enable.idempotence": True, "acks": "all"})

    t = threading.Thread(target=run, daemon=True)
    t.start()
    wait_for(lambda: progress[0] > 5000, 30, "the producer to get going")
    b.kill9()
    acked_at_kill = progress[0]
    assert acked_at_kill < count, "the run finished before the broker was killed"
    time.sleep(0.3)
    b.start()
    t.join(120)
    assert not t.is_alive(), "producer did not finish"
    errors, acked = result["out"]
    assert not errors, f"delivery errors: {errors[:5]}"
    assert acked == count
    assert_exactly_once_in_order(read_values(b.bootstrap, topic), count)


# ------------------------------------------------------------------ the wire, request by request


def init_producer_id(port, transactional_id=None, version=0):
    body = w.string(transactional_id) + w.i32(60000)
    r = w.roundtrip(port, 22, version, body)
    r.i32()  # throttle
    return r.i16(), r.i64(), r.i16()


def produce(port, topic, batch, partition=0):
    r = w.roundtrip(port, 0, 3, w.produce_v3_body(topic, partition, batch))
    return w.parse_produce_v3(r)[(topic, partition)][:2]


def batch(n, pid, epoch, seq, attributes=0):
    recs = [(None, b"v%d" % i, ()) for i in range(n)]
    return w.record_batch(recs, producer_id=pid, producer_epoch=epoch, base_sequence=seq,
                          attributes=attributes)


def test_init_producer_id_hands_out_unique_ids_that_survive_restart(broker):
    err, first, epoch = init_producer_id(broker.port)
    assert (err, epoch) == (0, 0)
    _, second, _ = init_producer_id(broker.port)
    assert second > first
    broker.restart(graceful=False)
    ids = {init_producer_id(broker.port)[1] for _ in range(3)}
    assert min(ids) > second, "an id was handed out again after kill -9"
    # A transactional id is the coordinator's (test_transactions.py); an empty one is refused.
    assert init_producer_id(broker.port, "")[0] == 42  # INVALID_REQUEST


def test_sequence_checks_on_the_wire(broker):
    topic = create_topic(broker.bootstrap, unique("wire"), partitions=1)
    port = broker.port
    _, pid, epoch = init_producer_id(port)
    assert produce(port, topic, batch(3, pid, epoch, 0)) == (0, 0)
    assert produce(port, topic, batch(2, pid, epoch, 3)) == (0, 3)
    # A retry of either of the last batches: no error, the original offset, nothing written.
    assert produce(port, topic, batch(3, pid, epoch, 0)) == (0, 0)
    assert produce(port, topic, batch(2, pid, epoch, 3)) == (0, 3)
    # A gap in the sequence.
    assert produce(port, topic, batch(1, pid, epoch, 9))[0] == 45  # OUT_OF_ORDER_SEQUENCE_NUMBER
    # A new epoch must start at 0; then the old epoch is stale.
    assert produce(port, topic, batch(1, pid, epoch + 1, 5))[0] == 45
    assert produce(port, topic, batch(1, pid, epoch + 1, 0)) == (0, 5)
    assert produce(port, topic, batch(1, pid, epoch, 5))[0] == 47  # INVALID_PRODUCER_EPOCH
    # Broken producer fields and transactional batches write nothing: without a producer id,
    # or (INVALID_TXN_STATE) while no coordinator has added the partition to the transaction.
    assert produce(port, topic, batch(1, pid, -1, 1))[0] == 87  # INVALID_RECORD
    assert produce(port, topic, batch(1, pid, epoch + 1, 1) + batch(1, pid, epoch + 1, 2))[0] == 87
    assert produce(port, topic, batch(1, -1, -1, -1, attributes=0x10))[0] == 87
    assert produce(port, topic, batch(1, pid, epoch + 1, 1, attributes=0x10))[0] == 48
    msgs = consume_all(broker.bootstrap, topic, start=0)
    assert [m.value for m in msgs] == [b"v0", b"v1", b"v2", b"v0", b"v1", b"v0"]


def test_producer_state_expires(broker_factory):
    b = broker_factory(settings={"producer.id.expiration.ms": 500,
                                 "log.retention.check.interval.ms": 200})
    topic = create_topic(b.bootstrap, unique("expire"), partitions=1)
    _, pid, epoch = init_producer_id(b.port)
    assert produce(b.port, topic, batch(1, pid, epoch, 0)) == (0, 0)
    assert produce(b.port, topic, batch(1, pid, epoch, 7))[0] == 45

    # Once forgotten, the producer has no history to be out of order with (Kafka's rule).
    def forgotten():
        code, _ = produce(b.port, topic, batch(1, pid, epoch, 7))
        return code == 0
    wait_for(forgotten, 10, "producer state to expire")


def describe_producers(port, topic, partitions):
    body = (w.compact_array([w.compact_string(topic)
                             + w.compact_array([w.i32(p) for p in partitions]) + w.TAGS])
            + w.TAGS)
    r = w.roundtrip(port, 61, 0, body, flexible=True)
    r.tags()  # response header v1
    r.i32()  # throttle

    def producer(r):
        out = {"id": r.i64(), "epoch": r.i32(), "last_sequence": r.i32(),
               "last_timestamp": r.i64(), "coordinator_epoch": r.i32(),
               "txn_start_offset": r.i64()}
        r.tags()
        return out

    def partition(r):
        out = (r.i32(), r.i16(), r.compact_string(), r.compact_array(producer))
        r.tags()
        return out

    def topic_result(r):
        out = (r.compact_string(), r.compact_array(partition))
        r.tags()
        return out

    topics = r.compact_array(topic_result)
    r.tags()
    assert r.remaining() == 0
    return {idx: (err, prods) for _, parts in topics for idx, err, _, prods in parts}


def test_describe_producers_shows_each_partitions_producer_state(broker):
    topic = create_topic(broker.bootstrap, unique("dp"), partitions=2)
    port = broker.port
    _, a, _ = init_producer_id(port)
    _, b, _ = init_producer_id(port)
    before = int(time.time() * 1000)
    assert produce(port, topic, batch(3, a, 0, 0), partition=0)[0] == 0
    assert produce(port, topic, batch(2, a, 0, 3), partition=0)[0] == 0
    assert produce(port, topic, batch(1, b, 0, 0), partition=1)[0] == 0
    got = describe_producers(port, topic, [0, 1, 7])
    err, prods = got[0]
    assert err == 0 and [(p["id"], p["epoch"], p["last_sequence"]) for p in prods] == [(a, 0, 4)]
    assert prods[0]["last_timestamp"] >= before and prods[0]["txn_start_offset"] == -1
    assert [(p["id"], p["last_sequence"]) for p in got[1][1]] == [(b, 0)]
    assert got[7][0] == 3  # UNKNOWN_TOPIC_OR_PARTITION
    # The state is the log's: after kill -9 it is rebuilt and described the same way.
    broker.restart(graceful=False)
    assert [(p["id"], p["last_sequence"]) for p in describe_producers(port, topic, [0])[0][1]] \
        == [(a, 4)]
