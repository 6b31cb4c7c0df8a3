"""confluent-kafka (librdkafka 2.0.2) against sluiced: admin, produce, consume, offsets."""
import os
import time

import pytest
from confluent_kafka import (TIMESTAMP_CREATE_TIME, TIMESTAMP_LOG_APPEND_TIME, KafkaError,
                             OFFSET_BEGINNING, TopicPartition)
from confluent_kafka.admin import ConfigResource, NewPartitions, NewTopic

import kafka_wire as w
from sluice_helpers import (admin, consume_all, consumer, create_topic, kafka_error_code,
                            offsets_for_times, produce_all, produce_ok, unique, wait_future,
                            wait_metadata, watermarks)

NOW_MS = lambda: int(time.time() * 1000)  # noqa: E731


def create_error(bootstrap, topic, partitions=1, config=None):
    """Create a topic that must fail; return the Kafka error code."""
    a = admin(bootstrap)  # keep the client alive until the future resolves
    fut = a.create_topics(
        [NewTopic(topic, num_partitions=partitions, replication_factor=1, config=config or {})],
        request_timeout=15)[topic]
    with pytest.raises(Exception) as ei:
        wait_future(fut)
    return kafka_error_code(ei.value)


def describe(bootstrap, restype, name):
    res, a = ConfigResource(restype, name), admin(bootstrap)
    return wait_future(a.describe_configs([res], request_timeout=15)[res])


def alter(bootstrap, restype, name, configs):
    res, a = ConfigResource(restype, name, set_config=configs), admin(bootstrap)
    return wait_future(a.alter_configs([res], request_timeout=15)[res])


def assert_same(consumed, sent, start_offset=0):
    assert len(consumed) == len(sent)
    for i, (m, s) in enumerate(zip(consumed, sent)):
        assert m.offset == start_offset + i
        assert m.value == s.get("value"), f"value mismatch at offset {m.offset}"
        assert m.key == s.get("key"), f"key mismatch at offset {m.offset}"
        assert (m.headers or []) == [(k, v.encode() if isinstance(v, str) else v)
                                     for k, v in s.get("headers", [])]
        if "timestamp" in s:
            assert (m.ts_type, m.ts) == (TIMESTAMP_CREATE_TIME, s["timestamp"])


# ----------------------------------------------------------------------------- metadata / admin


def test_metadata_lists_topic_partitions_and_broker(broker):
    topic = create_topic(broker.bootstrap, partitions=3)
    md = admin(broker.bootstrap).list_topics(timeout=10)
    assert len(md.brokers) == 1
    (bid, b), = md.brokers.items()
    assert (b.host, b.port) == ("127.0.0.1", broker.port)
    assert md.controller_id == bid
    t = md.topics[topic]
    assert t.error is None
    assert sorted(t.partitions) == [0, 1, 2]
    for p in t.partitions.values():
        assert p.error is None
        assert (p.leader, list(p.replicas), list(p.isrs)) == (bid, [bid], [bid])


def test_create_existing_topic_fails(broker):
    topic = create_topic(broker.bootstrap)
    assert create_error(broker.bootstrap, topic) == KafkaError.TOPIC_ALREADY_EXISTS


@pytest.mark.parametrize("name", ["bad/name", "..", ".", "x" * 250, "sp ace", "bad:colon"])
def test_invalid_topic_name_rejected(broker, name):
    assert create_error(broker.bootstrap, name) == KafkaError.TOPIC_EXCEPTION
    assert name not in admin(broker.bootstrap).list_topics(timeout=10).topics


def test_create_topic_with_invalid_config_rejected(broker):
    assert create_error(broker.bootstrap, unique(), config={"retention.ms": "abc"}) == \
        KafkaError.INVALID_CONFIG
    assert create_error(broker.bootstrap, unique(), config={"no.such.config": "1"}) == \
        KafkaError.INVALID_CONFIG


def test_delete_topic_and_recreate_is_empty(broker):
    topic = create_topic(broker.bootstrap, partitions=2)
    produce_ok(broker.bootstrap, topic, [{"value": b"v%d" % i, "partition": i % 2} for i in range(10)])
    a = admin(broker.bootstrap)
    wait_future(a.delete_topics([topic], request_timeout=15)[topic])
    deadline = time.monotonic() + 10
    while topic in a.list_topics(timeout=10).topics and time.monotonic() < deadline:
        time.sleep(0.1)
    assert topic not in a.list_topics(timeout=10).topics
    assert broker.stop() == 0  # deletion survives a restart
    broker.start()
    a = admin(broker.bootstrap)
    assert topic not in a.list_topics(timeout=10).topics
    with pytest.raises(Exception) as ei:
        wait_future(a.delete_topics([topic], request_timeout=15)[topic])
    assert kafka_error_code(ei.value) == KafkaError.UNKNOWN_TOPIC_OR_PART
    create_topic(broker.bootstrap, topic, partitions=1)
    assert watermarks(broker.bootstrap, topic, 0) == (0, 0)


def test_deleting_a_topic_deletes_its_committed_offsets(broker):
    """As Kafka: a topic re-created under the same name does not inherit the old commits."""
    topic, group = create_topic(broker.bootstrap), unique("g")
    c = consumer(broker.bootstrap, **{"group.id": group})
    c.commit(offsets=[TopicPartition(topic, 0, 7)], asynchronous=False)
    assert c.committed([TopicPartition(topic, 0)], timeout=10)[0].offset == 7
    a = admin(broker.bootstrap)
    wait_future(a.delete_topics([topic], request_timeout=15)[topic])
    create_topic(broker.bootstrap, topic)
    assert c.committed([TopicPartition(topic, 0)], timeout=10)[0].offset < 0
    c.close()
    assert broker.stop() == 0  # and the tombstones are durable
    broker.start()
    c = consumer(broker.bootstrap, **{"group.id": group})
    assert c.committed([TopicPartition(topic, 0)], timeout=10)[0].offset < 0
    c.close()


def test_create_partitions(broker):
    topic = create_topic(broker.bootstrap, partitions=3)
    a = admin(broker.bootstrap)
    wait_future(a.create_partitions([NewPartitions(topic, 5)], request_timeout=15)[topic])
    wait_metadata(broker.bootstrap, topic, 5)
    [r] = produce_ok(broker.bootstrap, topic, [{"value": b"in-p4", "partition": 4}])
    assert (r.partition, r.offset) == (4, 0)
    [m] = consume_all(broker.bootstrap, topic, 4, 0, 1)
    assert m.value == b"in-p4"
    with pytest.raises(Exception) as ei:
        wait_future(a.create_partitions([NewPartitions(topic, 2)], request_timeout=15)[topic])
    assert kafka_error_code(ei.value) == KafkaError.INVALID_PARTITIONS
    assert len(a.list_topics(topic=topic, timeout=10).topics[topic].partitions) == 5
    broker.kill9()
    broker.start()
    wait_metadata(broker.bootstrap, topic, 5)
    assert consume_all(broker.bootstrap, topic, 4, 0, 1)[0].value == b"in-p4"


def test_describe_and_alter_topic_configs(broker):
    topic = create_topic(broker.bootstrap, config={"retention.ms": "3600000",
                                                   "segment.bytes": "1048576"})
    cfg = describe(broker.bootstrap, ConfigResource.Type.TOPIC, topic)
    for key in ("retention.ms", "retention.bytes", "segment.bytes", "max.message.bytes",
                "message.timestamp.type", "cleanup.policy"):
        assert key in cfg, f"{key} missing from DescribeConfigs; got {sorted(cfg)}"
    assert cfg["retention.ms"].value == "3600000"
    assert not cfg["retention.ms"].is_default
    assert cfg["segment.bytes"].value == "1048576"
    assert cfg["max.message.bytes"].value == "1048588"
    assert cfg["message.timestamp.type"].value == "CreateTime"
    assert cfg["cleanup.policy"].value == "delete"

    # AlterConfigs is replace-all: unspecified keys revert to their defaults.
    alter(broker.bootstrap, ConfigResource.Type.TOPIC, topic,
          {"max.message.bytes": "5000", "message.timestamp.type": "LogAppendTime"})
    cfg = describe(broker.bootstrap, ConfigResource.Type.TOPIC, topic)
    assert cfg["max.message.bytes"].value == "5000"
    assert cfg["message.timestamp.type"].value == "LogAppendTime"
    assert cfg["retention.ms"].value != "3600000"
    assert cfg["retention.ms"].is_default
    assert cfg["segment.bytes"].value != "1048576"

    with pytest.raises(Exception) as ei:
        alter(broker.bootstrap, ConfigResource.Type.TOPIC, topic, {"retention.ms": "abc"})
    assert kafka_error_code(ei.value) == KafkaError.INVALID_CONFIG
    assert describe(broker.bootstrap, ConfigResource.Type.TOPIC, topic)[
        "max.message.bytes"].value == "5000"

    broker.kill9()  # altered configs are durable
    broker.start()
    cfg = describe(broker.bootstrap, ConfigResource.Type.TOPIC, topic)
    assert cfg["max.message.bytes"].value == "5000"
    assert cfg["message.timestamp.type"].value == "LogAppendTime"
    with pytest.raises(Exception) as ei:
        describe(broker.bootstrap, ConfigResource.Type.TOPIC, unique("missing"))
    assert kafka_error_code(ei.value) == KafkaError.UNKNOWN_TOPIC_OR_PART


def test_describe_broker_configs(broker_factory):
    b = broker_factory(settings={"num.partitions": 2})
    bid = admin(b.bootstrap).list_topics(timeout=10).controller_id
    cfg = describe(b.bootstrap, ConfigResource.Type.BROKER, str(bid))
    assert cfg["num.partitions"].value == "2"
    assert cfg["message.max.bytes"].value == "1048588"
    assert cfg["auto.create.topics.enable"].value == "true"
    assert cfg["socket.request.max.bytes"].value == "104857600"
    assert cfg["log.flush.policy"].value == "always"


# ----------------------------------------------------------------------------- produce / consume


def test_roundtrip_keys_headers_nulls_timestamps(broker):
    topic = create_topic(broker.bootstrap, partitions=3)
    base = NOW_MS() - 3_600_000
    sent = {p: [] for p in range(3)}
    for i in range(60):
        p = i % 3
        m = {"partition": p, "value": f"value-{i}".encode(), "key": f"key-{i}".encode()}
        if i % 5 == 0:
            m["value"] = None  # tombstone
        if i % 7 == 0:
            del m["key"]  # null key
        if i % 4 == 0:
            m["headers"] = [("h1", b"one"), ("h2", b""), ("h1", b"dup-" + str(i).encode())]
        if i % 2 == 0:
            m["timestamp"] = base + i * 1000
        if i == 59:
            m["value"] = b""  # empty, not null
        sent[p].append(m)
    all_msgs = [m for i in range(20) for m in (sent[0][i], sent[1][i], sent[2][i])]
    reports = produce_ok(broker.bootstrap, topic, all_msgs, acks="all")
    for p in range(3):
        offs = [r.offset for r in reports if r.partition == p]
        assert offs == list(range(20)), f"partition {p} offsets {offs}"
        consumed = consume_all(broker.bootstrap, topic, p, 0, 20)
        assert_same(consumed, sent[p])
        for m, s in zip(consumed, sent[p]):
            if "timestamp" not in s:
                assert m.ts_type == TIMESTAMP_CREATE_TIME and abs(m.ts - NOW_MS()) < 60_000
        assert watermarks(broker.bootstrap, topic, p) == (0, 20)


def test_each_message_in_own_batch_and_fetch_from_middle(broker):
    topic = create_topic(broker.bootstrap)
    sent = [{"value": b"single-%d" % i, "partition": 0} for i in range(20)]
    produce_ok(broker.bootstrap, topic, sent[:10], flush_each=True)
    produce_ok(broker.bootstrap, topic, sent[10:], linger_ms=200)  # one batch of 10
    for start in (0, 3, 9, 10, 13, 19):
        assert_same(consume_all(broker.bootstrap, topic, 0, start, 20 - start), sent[start:], start)
    assert consume_all(broker.bootstrap, topic, 0, 20, 0) == []


def test_fetch_out_of_range_offset_reports_error(broker):
    topic = create_topic(broker.bootstrap)
    produce_ok(broker.bootstrap, topic, [{"value": b"x", "partition": 0}] * 5)
    c = consumer(broker.bootstrap)
    try:
        c.assign([TopicPartition(topic, 0, 50)])
        deadline, err = time.monotonic() + 10, None
        while time.monotonic() < deadline and err is None:
            m = c.poll(0.2)
            if m is not None and m.error() and m.error().code() != KafkaError._PARTITION_EOF:
                err = m.error()
            assert m is None or m.error(), "got a message at an out-of-range offset"
        assert err is not None and err.code() in (KafkaError._AUTO_OFFSET_RESET,
                                                  KafkaError.OFFSET_OUT_OF_RANGE), err
    finally:
        c.close()


def random_bytes(n, seed):
    import random
    return random.Random(seed).randbytes(n)


def test_large_message_under_default_limit(broker):
    topic = create_topic(broker.bootstrap)
    big = random_bytes(1_000_000, 1)
    [r] = produce_ok(broker.bootstrap, topic, [{"value": big, "key": b"big", "partition": 0}],
                     message_max_bytes=4_000_000, acks="all")
    assert r.offset == 0
    produce_ok(broker.bootstrap, topic, [{"value": b"after", "partition": 0}])
    m1, m2 = consume_all(broker.bootstrap, topic, 0, 0, 2, max_partition_fetch_bytes=65536)
    assert m1.value == big and m1.key == b"big"
    assert m2.value == b"after" and m2.offset == 1


def test_one_mib_message(broker_factory):
    # A 1 MiB value plus record/batch overhead is just over Kafka's default 1048588-byte batch
    # limit, so raise the broker limit for this one.
    b = broker_factory(settings={"message.max.bytes": 2 * 1024 * 1024})
    topic = create_topic(b.bootstrap)
    big = random_bytes(1024 * 1024, 2)
    [r] = produce_ok(b.bootstrap, topic, [{"value": big, "partition": 0}],
                     message_max_bytes=4_000_000, acks="all")
    assert r.offset == 0
    [m] = consume_all(b.bootstrap, topic, 0, 0, 1)
    assert m.value == big


@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_compression_roundtrip(broker, codec):
    topic = create_topic(broker.bootstrap, partitions=3)
    sent = [{"partition": i % 3, "key": b"k%d" % i,
             "value": (b"compressible payload %d " % i) * (1 + i % 50),
             "headers": [("codec", codec.encode())]} for i in range(300)]
    sent[7]["value"] = None
    reports = produce_ok(broker.bootstrap, topic, sent, compression_type=codec, linger_ms=50,
                         acks="all")
    for p in range(3):
        assert [r.offset for r in reports if r.partition == p] == list(range(100))
        assert_same(consume_all(broker.bootstrap, topic, p, 0, 100), sent[p::3])
        # and from the middle of a compressed batch
        assert_same(consume_all(broker.bootstrap, topic, p, 57, 43), sent[p::3][57:], 57)


@pytest.mark.parametrize("acks", [0, 1, "all"])
def test_acks_levels(broker, acks):
    topic = create_topic(broker.bootstrap, partitions=3)
    sent = [{"partition": i % 3, "value": b"acks-%s-%d" % (str(acks).encode(), i)}
            for i in range(90)]
    reports = produce_ok(broker.bootstrap, topic, sent, acks=acks)
    for p in range(3):
        if acks != 0:
            assert [r.offset for r in reports if r.partition == p] == list(range(30))
        deadline = time.monotonic() + 10  # acks=0: the broker may still be appending
        while watermarks(broker.bootstrap, topic, p)[1] < 30 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert watermarks(broker.bootstrap, topic, p) == (0, 30), \
            f"acks={acks}: high watermark of partition {p} not advanced within 10s"
        assert_same(consume_all(broker.bootstrap, topic, p, 0, 30), sent[p::3])


def test_concurrent_producers_get_dense_unique_offsets(broker):
    import threading
    topic = create_topic(broker.bootstrap)
    results, errors = {}, []

    def run(n):
        try:
            results[n] = produce_ok(broker.bootstrap, topic,
                                    [{"partition": 0, "value": b"w%d-%d" % (n, i)}
                                     for i in range(500)], acks="all", linger_ms=1)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    by_offset = {r.offset: r.value for rs in results.values() for r in rs}
    assert sorted(by_offset) == list(range(2000))
    for n, rs in results.items():  # each producer's messages keep their order
        assert [r.offset for r in rs] == sorted(r.offset for r in rs)
    consumed = consume_all(broker.bootstrap, topic, 0, 0, 2000)
    assert {m.offset: m.value for m in consumed} == by_offset


# ----------------------------------------------------------------------------- offsets


@pytest.mark.parametrize("batching", ["batch-per-message", "single-batch"])
def test_watermarks_and_offsets_for_times(broker, batching):
    topic = create_topic(broker.bootstrap, partitions=2)
    base = NOW_MS() - 600_000
    produce_ok(broker.bootstrap, topic, [{"value": b"t%d" % i, "partition": 0,
                                          "timestamp": base + i * 1000} for i in range(10)],
               flush_each=batching == "batch-per-message", linger_ms=100)
    assert watermarks(broker.bootstrap, topic, 0) == (0, 10)
    assert watermarks(broker.bootstrap, topic, 1) == (0, 0)
    q = lambda ts: offsets_for_times(broker.bootstrap, topic, {0: ts})[0]  # noqa: E731
    assert q(base - 100_000) == 0
    assert q(base) == 0
    assert q(base + 1) == 1
    assert q(base + 2500) == 3
    assert q(base + 9000) == 9
    assert q(base + 9001) == -1  # no such message: offset -1 (OFFSET_END)
    c = consumer(broker.bootstrap)
    try:
        res = c.offsets_for_times([TopicPartition(topic, 1, base)], timeout=10)
        assert res[0].offset == -1 and res[0].error is None
    finally:
        c.close()


def delete_records_raw(port, topic, partition, offset):
    body = (w.array([w.string(topic) + w.array([w.i32(partition) + w.i64(offset)])]) + w.i32(10000))
    r = w.roundtrip(port, 21, 0, body)
    r.i32()  # throttle
    [(name, [(idx, low, err)])] = r.array(lambda r: (r.string(), r.array(
        lambda r: (r.i32(), r.i64(), r.i16()))))
    assert (name, idx) == (topic, partition)
    return err, low


def test_delete_records(broker):
    topic = create_topic(broker.bootstrap)
    sent = [{"value": b"d%d" % i, "partition": 0} for i in range(10)]
    produce_ok(broker.bootstrap, topic, sent, flush_each=True)
    assert delete_records_raw(broker.port, topic, 0, 4) == (0, 4)
    assert watermarks(broker.bootstrap, topic, 0) == (4, 10)
    broker.kill9()  # the new log start offset is durable
    broker.start()
    assert watermarks(broker.bootstrap, topic, 0) == (4, 10)
    assert_same(consume_all(broker.bootstrap, topic, 0, OFFSET_BEGINNING, 6), sent[4:], 4)
    # the oldest offset 0 is now out of range; earliest reset lands on 4
    [first] = consume_all(broker.bootstrap, topic, 0, 0, 1, auto_offset_reset="earliest")
    assert first.offset == 4
    err, _ = delete_records_raw(broker.port, topic, 0, 11)  # beyond the high watermark
    assert err == KafkaError.OFFSET_OUT_OF_RANGE
    assert delete_records_raw(broker.port, topic, 0, 2) == (0, 4)  # below low: no-op
    assert delete_records_raw(broker.port, topic, 0, -1) == (0, 10)  # -1 = high watermark
    assert watermarks(broker.bootstrap, topic, 0) == (10, 10)
    [r] = produce_ok(broker.bootstrap, topic, [{"value": b"after", "partition": 0}])
    assert r.offset == 10
    err, _ = delete_records_raw(broker.port, unique("missing"), 0, 1)
    assert err == KafkaError.UNKNOWN_TOPIC_OR_PART


# ----------------------------------------------------------------------------- errors & configs


def test_auto_create_disabled_unknown_topic_fails(broker_factory):
    b = broker_factory(settings={"auto.create.topics.enable": "false"})
    topic = unique("nope")
    [r] = produce_all(b.bootstrap, topic, [{"value": b"x"}], timeout=20,
                      topic_metadata_propagation_max_ms=100, message_timeout_ms=8000)
    assert r.error is not None and r.error.code() in (KafkaError._UNKNOWN_TOPIC,
                                                      KafkaError.UNKNOWN_TOPIC_OR_PART), r.error
    t = admin(b.bootstrap).list_topics(topic=topic, timeout=10).topics.get(topic)
    assert t is None or t.error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART
    assert not any(d.startswith(topic) for d in os.listdir(b.data_dir))


def test_auto_create_uses_num_partitions(broker_factory):
    b = broker_factory(settings={"num.partitions": 3})
    topic = unique("auto")
    [r] = produce_ok(b.bootstrap, topic, [{"value": b"hello"}], timeout=20)
    assert r.offset == 0
    wait_metadata(b.bootstrap, topic, 3)
    [m] = consume_all(b.bootstrap, topic, r.partition, 0, 1)
    assert m.value == b"hello"


def test_kafka_topic_configs_are_known_and_missing_features_take_only_their_default(broker):
    """What Kafka Streams, Connect and admin tools set on topics: each Kafka topic config is known;
    one of a feature Sluice lacks is accepted at its default and refused otherwise."""
    t = create_topic(broker.bootstrap, config={
        "cleanup.policy": "compact", "delete.retention.ms": "86400000",
        "min.compaction.lag.ms": "0", "compression.type": "producer", "flush.messages": "1",
        "message.timestamp.after.max.ms": "60000", "unclean.leader.election.enable": "false"})
    configs = describe(broker.bootstrap, ConfigResource.Type.TOPIC, t)
    assert configs["message.timestamp.after.max.ms"].value == "60000"
    assert configs["min.cleanable.dirty.ratio"].value == "0.5"
    assert len(configs) >= 33
    assert create_error(broker.bootstrap, unique(), config={"compression.type": "gzip"}) == \
        KafkaError.INVALID_CONFIG
    assert create_error(broker.bootstrap, unique(), config={"remote.storage.enable": "true"}) \
        == KafkaError.INVALID_CONFIG


def test_timestamps_outside_the_topic_bounds_are_invalid(broker):
    """message.timestamp.after.max.ms (Kafka 4 default: one hour) and before.max.ms on a
    CreateTime topic: INVALID_TIMESTAMP, and nothing is written."""
    t = create_topic(broker.bootstrap, config={"message.timestamp.before.max.ms": "60000"})
    now = int(time.time() * 1000)

    def produce_at(ts):
        batch = w.record_batch([(b"k", b"v", ())], base_timestamp=ts)
        r = w.roundtrip(broker.port, 0, 3, w.produce_v3_body(t, 0, batch))
        return w.parse_produce_v3(r)[(t, 0)][0]
    assert produce_at(now + 2 * 3600 * 1000) == 32  # INVALID_TIMESTAMP
    assert produce_at(now - 3600 * 1000) == 32
    assert produce_at(now) == 0
    assert watermarks(broker.bootstrap, t, 0) == (0, 1)
    # LogAppendTime replaces the producer's timestamps: nothing to check.
    lat = create_topic(broker.bootstrap, config={"message.timestamp.type": "LogAppendTime"})
    batch = w.record_batch([(b"k", b"v", ())], base_timestamp=now + 2 * 3600 * 1000)
    r = w.roundtrip(broker.port, 0, 3, w.produce_v3_body(lat, 0, batch))
    assert w.parse_produce_v3(r)[(lat, 0)][0] == 0


def test_oversize_message_rejected(broker):
    topic = create_topic(broker.bootstrap, config={"max.message.bytes": "1000"})
    reports = produce_all(broker.bootstrap, topic,
                          [{"value": random_bytes(5000, 3), "partition": 0}],
                          message_max_bytes=100_000)
    assert reports[0].error is not None
    assert reports[0].error.code() == KafkaError.MSG_SIZE_TOO_LARGE, reports[0].error
    [ok] = produce_ok(broker.bootstrap, topic, [{"value": b"s" * 500, "partition": 0}])
    assert ok.offset == 0
    assert watermarks(broker.bootstrap, topic, 0) == (0, 1)


def test_log_append_time_topic(broker):
    topic = create_topic(broker.bootstrap, config={"message.timestamp.type": "LogAppendTime"})
    before = NOW_MS()
    reports = produce_ok(broker.bootstrap, topic,
                         [{"value": b"lat%d" % i, "partition": 0, "timestamp": 1_000_000 + i}
                          for i in range(5)])
    after = NOW_MS()
    for r in reports:
        assert r.ts_type == TIMESTAMP_LOG_APPEND_TIME, r
        assert before - 5000 <= r.ts <= after + 5000
    for m in consume_all(broker.bootstrap, topic, 0, 0, 5):
        assert m.ts_type == TIMESTAMP_LOG_APPEND_TIME
        assert before - 5000 <= m.ts <= after + 5000, (m.ts, before, after)
    assert offsets_for_times(broker.bootstrap, topic, {0: 1_000_000})[0] == 0


def test_read_committed_consumer_reads_everything_when_no_transaction_is_open(broker):
    # librdkafka's read_committed fetches (v11+) parse the aborted-transaction list and stop at
    # the last stable offset, which without an open transaction is the high watermark.
    topic = create_topic(broker.bootstrap, unique("rc"), partitions=1)
    produce_ok(broker.bootstrap, topic, [{"value": b"v%d" % i, "partition": 0} for i in range(5)])
    msgs = consume_all(broker.bootstrap, topic, start=0, **{"isolation.level": "read_committed"})
    assert [m.value for m in msgs] == [b"v%d" % i for i in range(5)]
