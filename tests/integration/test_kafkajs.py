"""kafkajs 2.2.4 (pure JS protocol implementation) against sluiced, driven through js/sluice.js.
Data produced by kafkajs is verified with librdkafka."""
import json
import time

import pytest

import kafkajs_runner
from kafkajs_runner import ok
from sluice_helpers import consume_all, create_topic, unique, watermarks

pytestmark = kafkajs_runner.REQUIRED


def js(broker, *steps, timeout=60):
    """Run the steps in one node process; return the list of per-step results."""
    return kafkajs_runner.run("sluice.js", broker, steps, timeout)["results"]


def error_types(result):
    assert "error" in result, f"expected an error, got {result}"
    e = result["error"]
    return {e.get("type")} | {x.get("type") for x in e.get("errors", [])}


def test_admin_lifecycle(broker):
    t = unique("js")
    r = js(broker,
           {"op": "create", "topic": t, "partitions": 3, "configs": {"retention.ms": "7200000"}},
           {"op": "create", "topic": t, "partitions": 3},
           {"op": "create", "topic": "bad/name"},
           {"op": "metadata", "topics": [t]},
           {"op": "cluster"},
           {"op": "describeConfigs", "topic": t},
           {"op": "alterConfigs", "topic": t, "configs": {"retention.ms": "3600000",
                                                         "max.message.bytes": "20000"}},
           {"op": "describeConfigs", "topic": t},
           {"op": "createPartitions", "topic": t, "count": 5},
           {"op": "metadata", "topics": [t]},
           {"op": "createPartitions", "topic": t, "count": 2},
           {"op": "list"},
           {"op": "deleteTopics", "topics": [t]},
           {"op": "list"})
    assert ok(r[0]) is True
    assert ok(r[1]) is False  # already exists
    assert "INVALID_TOPIC_EXCEPTION" in error_types(r[2])
    [md] = ok(r[3])["topics"]
    assert md["name"] == t
    cluster = ok(r[4])
    [b] = cluster["brokers"]
    assert (b["host"], b["port"]) == ("127.0.0.1", broker.port)
    assert cluster["controller"] == b["nodeId"]
    assert sorted(p["partitionId"] for p in md["partitions"]) == [0, 1, 2]
    for p in md["partitions"]:
        assert (p["leader"], p["replicas"], p["isr"], p["partitionErrorCode"]) == \
            (b["nodeId"], [b["nodeId"]], [b["nodeId"]], 0)
    cfg = ok(r[5])
    assert cfg["errorCode"] == 0
    assert cfg["configs"]["retention.ms"]["value"] == "7200000"
    assert ok(r[6])
    cfg = ok(r[7])["configs"]
    assert cfg["retention.ms"]["value"] == "3600000"
    assert cfg["max.message.bytes"]["value"] == "20000"
    ok(r[8])
    [md] = ok(r[9])["topics"]
    assert sorted(p["partitionId"] for p in md["partitions"]) == [0, 1, 2, 3, 4]
    assert "INVALID_PARTITIONS" in error_types(r[10])
    assert t in ok(r[11])
    ok(r[12])
    deadline = time.monotonic() + 10
    topics = ok(r[13])
    while t in topics and time.monotonic() < deadline:
        time.sleep(0.2)
        topics = ok(js(broker, {"op": "list"})[0])
    assert t not in topics


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_produce_verified_with_librdkafka(broker, compression):
    t = create_topic(broker.bootstrap, partitions=3)
    base = int(time.time() * 1000) - 30_000
    msgs = []
    for i in range(45):
        m = {"partition": i % 3, "value": f"js-{compression}-{i}" * (1 + i % 7),
             "timestamp": base + i}
        if i % 2:
            m["key"] = f"key-{i}"
        if i % 3 == 0:
            m["headers"] = {"idx": str(i), "lib": "kafkajs"}
        if i % 11 == 4:
            m["value"] = None
        msgs.append(m)
    r = js(broker, {"op": "produce", "topic": t, "compression": compression,
                    "messages": msgs[:30]},
           {"op": "produce", "topic": t, "compression": compression, "acks": 1,
            "messages": msgs[30:]})
    meta = ok(r[0]) + ok(r[1])
    assert all(x["errorCode"] == 0 for x in meta), meta
    for p in range(3):
        mine = [m for m in msgs if m["partition"] == p]
        got = consume_all(broker.bootstrap, t, p, 0, 15)
        assert [g.offset for g in got] == list(range(15))
        for g, m in zip(got, mine):
            assert g.value == (None if m["value"] is None else m["value"].encode())
            assert g.key == (m["key"].encode() if "key" in m else None)
            assert g.ts == m["timestamp"]
            assert sorted(g.headers or []) == sorted(
                (k, v.encode()) for k, v in m.get("headers", {}).items())
        assert watermarks(broker.bootstrap, t, p) == (0, 15)


def test_offsets_and_delete_records(broker):
    t = create_topic(broker.bootstrap, partitions=2)
    base = int(time.time() * 1000) - 60_000
    msgs = [{"partition": 0, "value": f"o{i}", "timestamp": base + 1000 * i} for i in range(10)]
    r = js(broker,
           {"op": "produce", "topic": t, "messages": msgs},
           {"op": "offsets", "topic": t},
           {"op": "offsetsByTimestamp", "topic": t, "timestamp": base + 2500},
           {"op": "offsetsByTimestamp", "topic": t, "timestamp": base - 1},
           {"op": "deleteRecords", "topic": t, "partitions": [{"partition": 0, "offset": "4"}]},
           {"op": "offsets", "topic": t},
           {"op": "deleteRecords", "topic": t, "partitions": [{"partition": 0, "offset": "99"}]})
    [m] = ok(r[0])
    assert (m["partition"], m["baseOffset"], m["errorCode"]) == (0, "0", 0)
    offs = {o["partition"]: (o["low"], o["high"]) for o in ok(r[1])}
    assert offs == {0: ("0", "10"), 1: ("0", "0")}
    by_ts = {o["partition"]: o["offset"] for o in ok(r[2])}
    assert by_ts[0] == "3"
    assert by_ts[1] == "0"  # no match -> kafkajs substitutes the high watermark
    assert {o["partition"]: o["offset"] for o in ok(r[3])}[0] == "0"
    ok(r[4])
    offs = {o["partition"]: (o["low"], o["high"]) for o in ok(r[5])}
    assert offs[0] == ("4", "10")
    assert "OFFSET_OUT_OF_RANGE" in str(r[6]), r[6]
    assert watermarks(broker.bootstrap, t, 0) == (4, 10)
    assert [g.value for g in consume_all(broker.bootstrap, t, 0, 4, 6)] == \
        [m["value"].encode() for m in msgs[4:]]


def test_produce_to_unknown_topic_without_autocreate(broker_factory):
    b = broker_factory(settings={"auto.create.topics.enable": "false"})
    r = js(b, {"op": "produce", "topic": unique("none"), "messages": [{"value": "x"}]},
           {"op": "list"})
    assert "error" in r[0]
    assert "UNKNOWN_TOPIC_OR_PARTITION" in json.dumps(r[0]), r[0]
    assert ok(r[1]) == []


def test_produce_autocreates_topic(broker):
    t = unique("auto")
    r = js(broker, {"op": "produce", "topic": t, "messages": [{"value": "first"}]}, {"op": "list"})
    [m] = ok(r[0])
    assert (m["baseOffset"], m["errorCode"]) == ("0", 0)
    assert t in ok(r[1])
    assert consume_all(broker.bootstrap, t, m["partition"], 0, 1)[0].value == b"first"


def test_transactions_commit_and_abort(broker):
    from test_transactions import read
    t = create_topic(broker.bootstrap, unique("jstx"), partitions=2)
    txid = unique("jstxid")
    msgs = lambda tag: [{"value": f"{tag}{i}", "partition": i % 2} for i in range(10)]  # noqa: E731
    r = js(broker,
           {"op": "transaction", "topic": t, "transactionalId": txid, "commit": True,
            "messages": msgs("c")},
           {"op": "transaction", "topic": t, "transactionalId": txid, "commit": False,
            "messages": msgs("a")},
           {"op": "transaction", "topic": t, "transactionalId": txid, "commit": True,
            "messages": msgs("d")})
    assert [ok(x) for x in r] == ["committed", "aborted", "committed"]
    committed = sorted(v.decode() for recs in read(broker.bootstrap, t, 2).values()
                       for _, v in recs)
    assert committed == sorted([f"c{i}" for i in range(10)] + [f"d{i}" for i in range(10)])
    everything = read(broker.bootstrap, t, 2, isolation="read_uncommitted")
    assert sum(len(v) for v in everything.values()) == 30
