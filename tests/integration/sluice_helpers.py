"""confluent-kafka helpers shared by the integration tests (all operations bounded in time)."""
import time
import uuid
from collections import namedtuple

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

OP_TIMEOUT = 15.0

Msg = namedtuple("Msg", "topic partition offset key value headers ts_type ts")
Report = namedtuple("Report", "error partition offset ts_type ts value")


def unique(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def admin(bootstrap, **conf):
    return AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 10000, **conf})


def wait_future(fut, timeout=OP_TIMEOUT):
    return fut.result(timeout=timeout)


def create_topic(bootstrap, name=None, partitions=1, config=None, timeout=OP_TIMEOUT):
    """Create a topic and wait until its metadata shows all partitions with a leader."""
    name = name or unique()
    a = admin(bootstrap)
    futs = a.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1,
                                     config=dict(config or {}))], operation_timeout=timeout,
                           request_timeout=timeout)
    wait_future(futs[name], timeout)
    wait_metadata(bootstrap, name, partitions, timeout)
    return name


def wait_metadata(bootstrap, topic, partitions, timeout=OP_TIMEOUT):
    a = admin(bootstrap)
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        md = a.list_topics(topic=topic, timeout=5)
        t = md.topics.get(topic)
        last = t
        if t is not None and t.error is None and len(t.partitions) == partitions and all(
                p.leader >= 0 for p in t.partitions.values()):
            return md
        time.sleep(0.1)
    raise AssertionError(f"topic {topic} never showed {partitions} partitions: {last}")


def producer(bootstrap, **conf):
    base = {"bootstrap.servers": bootstrap, "linger.ms": 5, "message.timeout.ms": 10000,
            "socket.timeout.ms": 10000}
    base.update({k.replace("_", "."): v for k, v in conf.items()})
    return Producer(base)


def produce_all(bootstrap, topic, msgs, timeout=OP_TIMEOUT, flush_each=False, **conf):
    """Produce msgs (dicts with value and optional key/partition/headers/timestamp); return the
    delivery Reports in the order of msgs."""
    p = producer(bootstrap, **conf)
    reports = [None] * len(msgs)

    def cb_for(i):
        def cb(err, m):
            ts_type, ts = m.timestamp()
            reports[i] = Report(err, m.partition(), m.offset(), ts_type, ts, m.value())
        return cb

    deadline = time.monotonic() + timeout
    for i, m in enumerate(msgs):
        kw = {k: m[k] for k in ("key", "partition", "headers", "timestamp") if k in m}
        while True:
            try:
                p.produce(topic, value=m.get("value"), on_delivery=cb_for(i), **kw)
                break
            except BufferError:
                p.poll(0.05)
                assert time.monotonic() < deadline, "producer queue stayed full"
        p.poll(0)
        if flush_each:
            assert p.flush(max(0.1, deadline - time.monotonic())) == 0, "flush timed out"
    left = p.flush(max(0.1, deadline - time.monotonic()))
    assert left == 0, f"{left} messages still undelivered after {timeout}s"
    return reports


def produce_ok(bootstrap, topic, msgs, **kw):
    """produce_all and assert that every delivery succeeded."""
    reports = produce_all(bootstrap, topic, msgs, **kw)
    errs = [r.error for r in reports if r.error is not None]
    assert not errs, f"delivery errors: {errs[:5]}"
    return reports


def consumer(bootstrap, **conf):
    base = {"bootstrap.servers": bootstrap, "group.id": "sluice-it", "enable.auto.commit": False,
            "enable.auto.offset.store": False, "auto.offset.reset": "error",
            "socket.timeout.ms": 10000, "fetch.wait.max.ms": 100,
            "topic.metadata.refresh.interval.ms": 1000}
    base.update({k.replace("_", "."): v for k, v in conf.items()})
    return Consumer(base)


def _to_msg(m):
    ts_type, ts = m.timestamp()
    return Msg(m.topic(), m.partition(), m.offset(), m.key(), m.value(), m.headers(), ts_type, ts)


def consume_all(bootstrap, topic, partition=0, start=0, count=None, timeout=OP_TIMEOUT, **conf):
    """Assign (topic, partition) at offset `start` and read `count` messages (or, if count is
    None, up to the high watermark). Returns a list of Msg; raises on consumer errors other than
    partition EOF and on timeout."""
    c = consumer(bootstrap, **conf)
    try:
        if count is None:
            lo, hi = c.get_watermark_offsets(TopicPartition(topic, partition), timeout=timeout,
                                             cached=False)
            if start < 0:
                start = lo
            count = max(0, hi - start)
        c.assign([TopicPartition(topic, partition, start)])
        out, errors = [], []
        deadline = time.monotonic() + timeout
        while len(out) < count and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                if m.error().code() != KafkaError._PARTITION_EOF:
                    errors.append(m.error())
                    if m.error().fatal():
                        break
                continue
            out.append(_to_msg(m))
        assert len(out) >= count, (f"consumed {len(out)}/{count} from {topic}[{partition}] "
                                   f"starting at {start} within {timeout}s; errors: {errors[:5]}")
        return out
    finally:
        c.close()


def watermarks(bootstrap, topic, partition=0, timeout=OP_TIMEOUT):
    c = consumer(bootstrap)
    try:
        return c.get_watermark_offsets(TopicPartition(topic, partition), timeout=timeout,
                                       cached=False)
    finally:
        c.close()


def offsets_for_times(bootstrap, topic, partition_ts, timeout=OP_TIMEOUT):
    """partition_ts: {partition: timestamp_ms} -> {partition: offset}"""
    c = consumer(bootstrap)
    try:
        res = c.offsets_for_times([TopicPartition(topic, p, ts) for p, ts in partition_ts.items()],
                                  timeout=timeout)
        for tp in res:
            assert tp.error is None, tp.error
        return {tp.partition: tp.offset for tp in res}
    finally:
        c.close()


def health_check(broker, topic=None):
    """The broker process is alive and a normal client can produce and consume on it."""
    assert broker.alive(), f"broker died: exit={broker.proc.poll()}\n{broker.stderr_text()[-3000:]}"
    topic = topic or create_topic(broker.bootstrap)
    _, hi = watermarks(broker.bootstrap, topic)
    token = uuid.uuid4().hex.encode()
    [r] = produce_ok(broker.bootstrap, topic, [{"value": token, "partition": 0}], acks="all")
    assert r.offset == hi
    [m] = consume_all(broker.bootstrap, topic, 0, r.offset, 1)
    assert m.value == token and m.offset == r.offset
    assert broker.alive()
    return topic


def kafka_error_code(exc):
    """Error code carried by a KafkaException raised from a future."""
    assert isinstance(exc, KafkaException), repr(exc)
    return exc.args[0].code()


def wait_for(check, timeout, what, diag=lambda: ""):
    """Polls check() every 0.1 s until it returns something truthy (returned) or timeout passes
    (AssertionError naming what was awaited, the last value and diag())."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last={last!r})\n"
                         f"{diag()}")


def tracked(factory, *cleanups):
    """Body of a factory fixture (`yield from tracked(...)`): yields a function that calls
    factory and remembers what it made; at teardown runs each cleanup over all of them in turn
    (so every member can be told to stop before any is waited for)."""
    made = []

    def make(*args, **kw):
        made.append(factory(*args, **kw))
        return made[-1]

    yield make
    for cleanup in cleanups:
        for x in made:
            cleanup(x)
