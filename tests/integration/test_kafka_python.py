"""kafka-python 2.0.2 against sluiced (api_version auto-detection, admin, produce, assign-consume)."""
import time

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka import codec as kcodec
from kafka import errors as kerrors
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic

from sluice_helpers import consume_all, unique, wait_metadata

TIMEOUT_MS = 10000
CODECS = {None: True, "gzip": kcodec.has_gzip(), "snappy": kcodec.has_snappy(),
          "lz4": kcodec.has_lz4(), "zstd": kcodec.has_zstd()}


@pytest.fixture
def kadmin(broker):
    a = KafkaAdminClient(bootstrap_servers=broker.bootstrap, request_timeout_ms=TIMEOUT_MS,
                         client_id="sluice-it-admin")
    yield a
    a.close()


def make_producer(broker, **kw):
    return KafkaProducer(bootstrap_servers=broker.bootstrap, request_timeout_ms=TIMEOUT_MS,
                         max_block_ms=TIMEOUT_MS, retries=0, **kw)


def consume(broker, topic, partition, count, start=None, timeout=15):
    c = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=None, enable_auto_commit=False,
                      auto_offset_reset="earliest", request_timeout_ms=TIMEOUT_MS + 1000,
                      fetch_max_wait_ms=100)
    try:
        tp = TopicPartition(topic, partition)
        c.assign([tp])
        if start is None:
            c.seek_to_beginning(tp)
        else:
            c.seek(tp, start)
        out, deadline = [], time.monotonic() + timeout
        while len(out) < count and time.monotonic() < deadline:
            for recs in c.poll(timeout_ms=200).values():
                out.extend(recs)
        assert len(out) >= count, f"kafka-python consumed {len(out)}/{count}"
        return out
    finally:
        c.close()


def topic_errors(resp):
    return {t[0]: t[1] for t in resp.topic_errors}


def create(kadmin, name, partitions=1, configs=None):
    """Create a topic; returns the error code (kafka-python raises for non-zero codes)."""
    try:
        resp = kadmin.create_topics([NewTopic(name, partitions, 1, topic_configs=configs or {})],
                                    timeout_ms=TIMEOUT_MS)
    except kerrors.BrokerResponseError as e:
        return e.errno
    return topic_errors(resp)[name]


def describe_topic_configs(kadmin, name):
    [resp] = kadmin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
    [(err, _msg, _rtype, rname, entries)] = resp.resources
    assert err == 0 and rname == name
    return {e[0]: e[1] for e in entries}


def test_api_version_detection(broker):
    p = make_producer(broker)
    try:
        assert p.config["api_version"] >= (2, 1), p.config["api_version"]
    finally:
        p.close(timeout=5)


def test_admin_create_describe_alter_partitions_delete(broker, kadmin):
    name = unique("kp")
    assert create(kadmin, name, 3, {"retention.ms": "123456"}) == 0
    assert create(kadmin, name, 3) == 36  # TOPIC_ALREADY_EXISTS
    assert create(kadmin, "bad/name") == 17  # INVALID_TOPIC_EXCEPTION
    wait_metadata(broker.bootstrap, name, 3)
    assert name in kadmin.list_topics()
    cfg = describe_topic_configs(kadmin, name)
    assert cfg["retention.ms"] == "123456"
    assert cfg["cleanup.policy"] == "delete"

    resp = kadmin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, name,
                                                configs={"retention.ms": "999999"})])
    assert [r[0] for r in resp.resources] == [0]
    assert describe_topic_configs(kadmin, name)["retention.ms"] == "999999"

    resp = kadmin.create_partitions({name: NewPartitions(5)}, timeout_ms=TIMEOUT_MS)
    assert topic_errors(resp)[name] == 0
    wait_metadata(broker.bootstrap, name, 5)
    try:
        resp = kadmin.create_partitions({name: NewPartitions(4)}, timeout_ms=TIMEOUT_MS)
        code = topic_errors(resp)[name]
    except kerrors.BrokerResponseError as e:
        code = e.errno
    assert code == 37  # INVALID_PARTITIONS

    resp = kadmin.delete_topics([name], timeout_ms=TIMEOUT_MS)
    assert dict(resp.topic_error_codes)[name] == 0
    deadline = time.monotonic() + 10
    while name in kadmin.list_topics() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert name not in kadmin.list_topics()


@pytest.mark.parametrize("compression", list(CODECS))
def test_produce_and_consume(broker, kadmin, compression):
    if not CODECS[compression]:
        pytest.skip(f"python module for {compression} not installed")
    name = unique("kp")
    assert create(kadmin, name, 3) == 0
    wait_metadata(broker.bootstrap, name, 3)
    p = make_producer(broker, acks="all", compression_type=compression, linger_ms=20)
    base_ts = int(time.time() * 1000) - 60_000
    sent = []
    try:
        futs = []
        for i in range(60):
            m = {"partition": i % 3, "key": b"k%d" % i if i % 4 else None,
                 "value": None if i % 10 == 5 else b"value-%d" % i,
                 "headers": [("n", str(i).encode()), ("x", b"")] if i % 2 else [],
                 "timestamp_ms": base_ts + i}
            sent.append(m)
            futs.append(p.send(name, **m))
        p.flush(timeout=15)
        metas = [f.get(timeout=15) for f in futs]
    finally:
        p.close(timeout=5)
    for part in range(3):
        assert [md.offset for md in metas if md.partition == part] == list(range(20))
        mine = [m for m in sent if m["partition"] == part]
        recs = consume(broker, name, part, 20)
        assert [r.offset for r in recs] == list(range(20))
        assert [(r.key, r.value, list(r.headers), r.timestamp) for r in recs] == \
            [(m["key"], m["value"], m["headers"], m["timestamp_ms"]) for m in mine]
        # cross-check with librdkafka
        assert [m.value for m in consume_all(broker.bootstrap, name, part, 0, 20)] == \
            [m["value"] for m in mine]
        # seek into the middle
        assert [r.offset for r in consume(broker, name, part, 5, start=15)] == list(range(15, 20))


def test_offsets_apis(broker, kadmin):
    name = unique("kp")
    assert create(kadmin, name, 2) == 0
    wait_metadata(broker.bootstrap, name, 2)
    p = make_producer(broker, acks=1)
    base = int(time.time() * 1000) - 120_000
    try:
        for i in range(8):
            p.send(name, value=b"o%d" % i, partition=0, timestamp_ms=base + 100 * i).get(timeout=10)
    finally:
        p.close(timeout=5)
    c = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=None,
                      request_timeout_ms=TIMEOUT_MS + 1000)
    try:
        tp0, tp1 = TopicPartition(name, 0), TopicPartition(name, 1)
        assert c.beginning_offsets([tp0, tp1]) == {tp0: 0, tp1: 0}
        assert c.end_offsets([tp0, tp1]) == {tp0: 8, tp1: 0}
        res = c.offsets_for_times({tp0: base + 250, tp1: base})
        assert res[tp0].offset == 3 and res[tp0].timestamp == base + 300
        assert res[tp1] is None or res[tp1].offset == -1
        late = c.offsets_for_times({tp0: base + 10_000})[tp0]
        assert late is None or late.offset == -1
    finally:
        c.close()
