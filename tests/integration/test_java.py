"""The Java client (org.apache.kafka:kafka-clients, pinned in java/pom.xml) against sluiced,
through java/SluiceClients.java: one JVM per test runs the producer, then the consumer."""
import os
import pathlib

from client_run import check_consumed, check_produced
from java_runner import java_clients, step  # noqa: F401  (java_clients is a fixture)
from sluice_helpers import create_topic, unique

COUNT, KEYS, PARTITIONS = 1000, 100, 3
# Bounds on how long the client waits; they leave the delivery semantics (acks, retries,
# idempotence) at whatever a test sets, so "defaults" below are the client's own defaults.
PRODUCER_TIMEOUTS = {"request.timeout.ms": 10000, "delivery.timeout.ms": 20000,
                     "max.block.ms": 15000}
NON_IDEMPOTENT = {"enable.idempotence": "false", "acks": "all"}


def round_trip(run, broker, producer_props, consumer_props=None, group=True):
    """Produce COUNT keyed records over PARTITIONS and consume them, in one JVM; check both."""
    t = create_topic(broker.bootstrap, partitions=PARTITIONS)
    consume = {"group": unique("jg")} if group else {}
    r = run(broker,
            step("produce", {**PRODUCER_TIMEOUTS, **producer_props}, topic=t, count=COUNT,
                 keys=KEYS),
            step("consume", consumer_props, topic=t, count=COUNT, timeout_ms=30000, **consume))
    produced = check_produced(r, COUNT, PARTITIONS)
    r.assert_ok()
    assert len(produced) == PARTITIONS  # 100 keys spread over all three
    check_consumed(r, produced, group=group)


def test_non_idempotent_acks_all_group_consumer(java_clients, solo_group_broker):  # noqa: F811
    round_trip(java_clients, solo_group_broker, NON_IDEMPOTENT)


def test_default_producer_is_idempotent(java_clients, solo_group_broker):  # noqa: F811
    # Since Kafka 3.0 the producer defaults to enable.idempotence=true, acks=all: it asks the
    # broker for a producer id (InitProducerId) before its first send, and numbers its batches.
    round_trip(java_clients, solo_group_broker, {})


def test_admin_describes_the_idempotent_producers_of_each_partition(java_clients,  # noqa: F811
                                                                    solo_group_broker):
    # One default (idempotent) producer writes COUNT records over PARTITIONS; Admin's
    # describeProducers (KIP-664) must then show that one producer on every partition, with the
    # last sequence it used there (records per partition - 1, sequences start at 0).
    t = create_topic(solo_group_broker.bootstrap, partitions=PARTITIONS)
    r = java_clients(solo_group_broker,
                     step("produce", PRODUCER_TIMEOUTS, topic=t, count=COUNT, keys=KEYS),
                     step("describe-producers", topic=t, partitions=PARTITIONS))
    r.assert_ok()
    per_partition = {}
    for a in r.of("ack"):
        per_partition[a["partition"]] = per_partition.get(a["partition"], 0) + 1
    states = {x["partition"]: x["producers"] for x in r.of("producers")}
    ids = {p["id"] for ps in states.values() for p in ps}
    assert len(ids) == 1, f"expected one producer id everywhere, got {states}"
    for part, count in per_partition.items():
        assert [(p["epoch"], p["last_sequence"]) for p in states[part]] == [(0, count - 1)]


def test_assign_consumer_read_committed(java_clients, solo_group_broker):  # noqa: F811
    # No transactions on this topic, so the last stable offset is the high watermark and a
    # read_committed consumer sees everything. assign() rather than a group: no coordinator.
    round_trip(java_clients, solo_group_broker, NON_IDEMPOTENT,
               {"isolation.level": "read_committed"}, group=False)


def test_transactions_commit_abort_and_read_committed(java_clients, solo_group_broker):  # noqa: F811
    b = solo_group_broker
    t = create_topic(b.bootstrap, partitions=PARTITIONS)
    # 12 transactions of 10 records, every third aborted: 80 committed records.
    r = java_clients(b,
                     step("transact", PRODUCER_TIMEOUTS, topic=t, txn_id=unique("jtx"),
                          transactions=12, per_txn=10, abort_every=3),
                     step("consume", {"isolation.level": "read_committed"}, topic=t, count=80,
                          timeout_ms=30000),
                     timeout=90)
    r.assert_ok()
    assert r.one("transacted")["committed"] == 8
    got = sorted(x["value"] for x in r.of("record"))
    want = sorted(f"t{n}-{k}" for n in range(12) if (n + 1) % 3 != 0 for k in range(10))
    assert got == want
    # read_uncommitted sees the aborted ones too, and no client sees a control record.
    r = java_clients(b, step("consume", {"isolation.level": "read_uncommitted"}, topic=t,
                             count=120, timeout_ms=30000))
    r.assert_ok()
    assert len(r.of("record")) == 120
    assert sorted(x["value"] for x in r.of("record")) == \
        sorted(f"t{n}-{k}" for n in range(12) for k in range(10))


def test_transactional_zombie_is_fenced(java_clients, solo_group_broker):  # noqa: F811
    b = solo_group_broker
    t = create_topic(b.bootstrap, partitions=1)
    r = java_clients(b, step("fence", PRODUCER_TIMEOUTS, topic=t, txn_id=unique("jfence")),
                     step("consume", {"isolation.level": "read_committed"}, topic=t, count=1,
                          timeout_ms=20000),
                     timeout=90)
    r.assert_ok()
    assert r.one("fenced")["error"]
    assert [x["value"] for x in r.of("record")] == ["successor"]


def test_admin_describes_the_log_dir_and_each_partitions_size(java_clients,  # noqa: F811
                                                              solo_group_broker):
    # Admin.describeLogDirs (kafka-log-dirs, the size columns of Kafka UIs): one log directory,
    # the data dir, with its volume's bytes, and every partition at the size of its segment
    # files on disk.
    b = solo_group_broker
    t = create_topic(b.bootstrap, partitions=PARTITIONS)
    r = java_clients(b, step("produce", {**PRODUCER_TIMEOUTS, **NON_IDEMPOTENT}, topic=t,
                             count=COUNT, keys=KEYS),
                     step("describe-log-dirs"))
    r.assert_ok()
    [d] = r.of("log_dir")
    data_dir = os.path.abspath(b.data_dir)
    assert d["path"] == data_dir and d["error"] == ""
    assert d["total_bytes"] >= d["usable_bytes"] > 0
    for p in range(PARTITIONS):
        on_disk = sum(f.stat().st_size for f in pathlib.Path(data_dir, f"{t}-{p}").glob("*.log"))
        assert on_disk > 0
        assert d["replicas"][f"{t}-{p}"] == {"size": on_disk, "offset_lag": 0, "future": False}


def test_admin_describes_topics_through_paginated_describe_topic_partitions(
        java_clients, solo_group_broker):  # noqa: F811
    # Kafka 4's Admin.describeTopics asks DescribeTopicPartitions (KIP-966) when offered, and
    # follows its cursor: 2 partitions per response over 5 + 3 partitions is four pages. Only
    # that API carries topic ids here (Metadata is served below v10), so a non-zero id shows it
    # was used.
    b = solo_group_broker
    t1, t2 = create_topic(b.bootstrap, partitions=5), create_topic(b.bootstrap, partitions=3)
    r = java_clients(b, step("describe-topics", topics=f"{t1},{t2}", limit=2))
    r.assert_ok()
    topics = {t["name"]: t for t in r.of("topic")}
    assert sorted(topics) == sorted([t1, t2])
    for name, n in ((t1, 5), (t2, 3)):
        t = topics[name]
        assert t["id"] != "AAAAAAAAAAAAAAAAAAAAAA" and t["internal"] is False
        assert [p["partition"] for p in t["partitions"]] == list(range(n))
        assert all(p["isr"] == 1 for p in t["partitions"])
    assert topics[t1]["id"] != topics[t2]["id"]
