"""franz-go 1.22.3 (kgo) and its admin client kadm 1.20.0 (pinned in go/go.mod), a pure Go
implementation of the protocol, against sluiced through go/main.go: its default (idempotent)
producer, read_committed and read_uncommitted consumers, a two-member consumer group across a
restart, transactions, an exactly-once GroupTransactSession killed mid-transaction, and admin."""
import json
import os
import subprocess
import time
from collections import defaultdict

from client_run import check_consumed, check_produced
from franz_go_runner import GO_DIR, command, franz_go, parse, step  # noqa: F401  (a fixture)
from sluice_helpers import create_topic, unique

PARTITIONS = 3


def records(run, **match):
    return [x for x in run.of("record") if all(x.get(k) == v for k, v in match.items())]


def by_partition(recs):
    out = defaultdict(list)
    for r in sorted(recs, key=lambda r: (r["partition"], r["offset"])):
        out[r["partition"]].append(r)
    return out


def test_default_idempotent_producer_and_read_committed_consumer(franz_go, broker):  # noqa: F811
    # kgo's producer is idempotent unless told otherwise: it asks for a producer id and numbers
    # its batches. 20,000 keyed records over 3 partitions, then read back with read_committed.
    count, keys = 20000, 100
    t = create_topic(broker.bootstrap, partitions=PARTITIONS)
    r = franz_go(broker, step("produce", topic=t, count=count, keys=keys),
                 step("describe-producers", topic=t),
                 step("consume", topic=t, count=count, isolation="read_committed", settle_ms=500),
                 timeout=60)
    # Each record acked once, offsets contiguous from 0 per partition, keys on murmur2's
    # partition (kgo's default partitioner hashes keys as the Java client does).
    produced = check_produced(r, count, PARTITIONS)
    r.assert_ok()
    assert len(produced) == PARTITIONS
    # Exactly what was produced, in offset order, each key's values in send order, nothing twice.
    check_consumed(r, produced, group=False)
    assert r.one("consumed")["count"] == count
    assert not [x for x in r.of("record") if x["control"]]
    # kgo compresses with snappy by default: the batches came back as written (codec 2).
    assert {x["compression"] for x in r.of("record")} == {2}
    # One idempotent producer (an id, epoch 0) wrote everything; the broker tracks it on every
    # partition with the last sequence it used there.
    ids = {(a["producer_id"], a["producer_epoch"]) for a in r.of("ack")}
    assert len(ids) == 1 and next(iter(ids))[0] >= 0 and next(iter(ids))[1] == 0, ids
    [(pid, _)] = ids
    states = {x["partition"]: x["producers"] for x in r.of("producers")}
    assert {p: [(s["id"], s["epoch"], s["last_sequence"]) for s in ps]
            for p, ps in states.items()} == \
        {p: [(pid, 0, len(recs) - 1)] for p, recs in produced.items()}


def test_group_of_two_resumes_from_committed_offsets(franz_go, solo_group_broker):  # noqa: F811
    b = solo_group_broker
    count = 6000
    t = create_topic(b.bootstrap, partitions=PARTITIONS)
    group = unique("fg")
    r = franz_go(b, step("produce", topic=t, count=count, keys=60), timeout=40)
    produced = check_produced(r, count, PARTITIONS)
    r.assert_ok()
    ends = {p: len(recs) for p, recs in produced.items()}
    # First run: two members (kgo.ConsumerGroup, auto-commit off) read about half, committing
    # each poll before the next, then leave.
    first = franz_go(b, step("group-consume", topic=t, group=group, members=2, count=count // 2,
                             describe=1), timeout=45)
    first.assert_ok()
    live = first.one("live_group")
    assert (live["state"], live["protocol_type"], live["protocol"]) == \
        ("Stable", "consumer", "cooperative-sticky"), live
    assert len(live["members"]) == 2
    parts = [m["assigned"].get(t, []) for m in live["members"]]
    assert all(parts) and sorted(parts[0] + parts[1]) == list(range(PARTITIONS)), live
    assert {m["client_id"] for m in live["members"]} == {"franz-member-0", "franz-member-1"}
    assert all(m["subscribed"] == [t] for m in live["members"]), live
    got1 = first.of("record")
    assert {x["member"] for x in got1} == {0, 1}, "both members must have consumed"
    # Each partition read by one member only, from 0 without a gap, and committed at its end.
    committed = {int(p): o for p, o in first.one("group_consumed")["committed"].items()}
    seen1 = by_partition(got1)
    for p, rs in seen1.items():
        assert len({x["member"] for x in rs}) == 1
        assert [x["offset"] for x in rs] == list(range(len(rs)))
    assert committed == {p: len(seen1.get(p, [])) for p in committed}
    assert sum(committed.values()) == len(got1) >= count // 2
    # Restart of the group: the two new members start at the committed offsets and read the rest;
    # a record read before the commit must not come again (settle_ms leaves time for it to).
    rest = count - len(got1)
    second = franz_go(b, step("group-consume", topic=t, group=group, members=2, count=rest,
                              settle_ms=1000), timeout=45)
    second.assert_ok()
    seen2 = by_partition(second.of("record"))
    for p in range(PARTITIONS):
        offs = [x["offset"] for x in seen2.get(p, [])]
        assert offs == list(range(committed.get(p, 0), ends[p])), \
            f"partition {p}: second run read {offs[:5]}... after a commit at {committed.get(p)}"
    assert {int(p): o for p, o in second.one("group_consumed")["committed"].items()} == ends
    # Together: everything once, with the values produced at those offsets.
    for p, recs in produced.items():
        assert [x["value"] for x in seen1.get(p, []) + seen2.get(p, [])] == [v for _, v in recs]


def test_transactions_commit_abort_and_isolation_levels(franz_go, broker):  # noqa: F811
    t = create_topic(broker.bootstrap, partitions=2)
    txn_id = unique("ftx")
    # Three transactions of 10 records: committed, aborted (flushed first), committed.
    r = franz_go(broker,
                 step("transact", topic=t, txn_id=txn_id, plan="cac", per_txn=10),
                 step("consume", topic=t, count=20, isolation="read_committed", settle_ms=700),
                 step("describe-txn", txn_id=txn_id),
                 step("list-txns"),
                 timeout=60)
    r.assert_ok()
    assert [(x["n"], x["end"]) for x in r.of("txn")] == [(0, "commit"), (1, "abort"), (2, "commit")]
    committed_values = sorted(f"t{n}-{k}" for n in (0, 2) for k in range(10))
    got = records(r)
    assert sorted(x["value"] for x in got) == committed_values
    assert not [x for x in got if x["control"]]
    [pid] = {x["producer_id"] for x in got}
    # kadm's DescribeTransactions / ListTransactions (KIP-664) show the id's last transaction
    # committed, with the producer id its records carry and no partition left in it.
    st = r.one("txn_state")
    assert (st["state"], st["producer_id"], st["producer_epoch"], st["topics"]) == \
        ("CompleteCommit", pid, 0, []), st
    assert r.one("txns")["txns"].get(txn_id) == {"state": "CompleteCommit", "producer_id": pid}
    # read_uncommitted (kgo.FetchIsolationLevel(kgo.ReadUncommitted())) sees the aborted ones too,
    # and still no control record; with KeepControlRecords the markers show where they are.
    r = franz_go(broker,
                 step("consume", topic=t, count=30, isolation="read_uncommitted", settle_ms=700),
                 step("consume", topic=t, count=30, isolation="read_uncommitted", keep_control=1,
                      settle_ms=700),
                 timeout=40)
    r.assert_ok()
    counts = [x["count"] for x in r.of("consumed")]
    assert counts == [30, 30]
    lines = r.of("record")
    plain, kept = lines[:30], lines[30:]
    assert sorted(x["value"] for x in plain) == \
        sorted(f"t{n}-{k}" for n in range(3) for k in range(10))
    assert not [x for x in plain if x["control"]]
    # In each partition: txn 0's records, a COMMIT marker (type 1), txn 1's, an ABORT marker
    # (type 0), txn 2's, a COMMIT marker; offsets contiguous from 0, markers included.
    for p, rs in by_partition(kept).items():
        assert [x["offset"] for x in rs] == list(range(len(rs)))
        shape = []
        for x in rs:
            item = ("marker", x["control_type"]) if x["control"] else \
                ("data", int(x["value"][1:].split("-")[0]))
            if not shape or shape[-1] != item:
                shape.append(item)
        assert shape == [("data", 0), ("marker", 1), ("data", 1), ("marker", 0), ("data", 2),
                         ("marker", 1)], f"partition {p}: {shape}"


def test_transact_session_exactly_once_across_a_kill(franz_go, solo_group_broker):  # noqa: F811
    b = solo_group_broker
    m = 2000
    src = create_topic(b.bootstrap, unique("eos-in"), partitions=2)
    dst = create_topic(b.bootstrap, unique("eos-out"), partitions=2)
    r = franz_go(b, step("produce", topic=src, count=m, keys=50), timeout=30)
    produced = check_produced(r, m, 2)
    r.assert_ok()
    eos = step("eos", input=src, output=dst, group=unique("eos-g"), txn_id=unique("eos-tx"),
               instance="eos-app-1", max_poll=100)
    # First run: slow transactions (300 ms between flushing a transaction's records and ending
    # it); killed (SIGKILL, by its pid) in that window of its fourth transaction.
    proc = subprocess.Popen(command(b, eos + ["pause_ms=300"], timeout=60), cwd=GO_DIR,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = []
    try:
        deadline = time.monotonic() + 45
        for raw in proc.stdout:
            out.append(raw)
            line = json.loads(raw) if raw.startswith(b"{") else {}
            if line.get("type") == "pending" and line["n"] >= 3:
                proc.kill()
                break
            assert time.monotonic() < deadline, "the first run never reached its 4th transaction"
        else:
            raise AssertionError(f"first run ended by itself: {proc.wait()}")
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate(timeout=15)
    first = parse(proc.returncode, b"".join(out), err)
    assert proc.returncode == -9, first.describe()
    ended1 = first.of("ended")
    killed = first.of("pending")[-1]
    assert killed["n"] == len(ended1) == 3 and killed["records"] > 0, first.describe()
    assert any(x["committed"] for x in ended1), first.describe()
    # Second run, same transactional id, group and instance id: fences the dead incarnation
    # (its open transaction is aborted), takes its place in the group, finishes the input and
    # stops once the group's committed offsets reach the input's end.
    second = franz_go(b, eos, timeout=60)
    second.assert_ok()
    done = second.one("eos_done")
    assert sum(x["records"] for x in ended1 if x["committed"]) + done["committed_records"] == m
    # The committed output holds each input record exactly once, per partition in input order.
    r = franz_go(b, step("consume", topic=dst, count=m, isolation="read_committed",
                         settle_ms=1000),
                 step("consume", topic=dst, count=m, isolation="read_uncommitted",
                      settle_ms=1000), timeout=40)
    r.assert_ok()
    committed_n, uncommitted_n = [x["count"] for x in r.of("consumed")]
    got = r.of("record")[:committed_n]
    assert committed_n == m
    out_by_part = by_partition(got)
    assert {p: [(x["key"], x["value"]) for x in rs] for p, rs in out_by_part.items()} == \
        {p: [(k, "out-" + v) for k, v in recs] for p, recs in produced.items()}
    # The killed transaction's records did reach the log (read_uncommitted sees them, with those
    # of any transaction the session aborted itself): it was really cut mid-transaction.
    aborted = killed["records"] + sum(x["records"] for x in first.of("ended") + second.of("ended")
                                      if not x["committed"])
    assert uncommitted_n == m + aborted


def test_kadm_admin(franz_go, solo_group_broker):  # noqa: F811
    b = solo_group_broker
    t, group = unique("fadm"), unique("fadm-g")
    r = franz_go(b,
                 step("create-topic", topic=t, partitions=2, **{"config.retention.ms": "7200000"}),
                 step("create-topic", topic=t, partitions=2),
                 step("list-topics"),
                 step("describe-configs", topic=t),
                 step("alter-configs", topic=t, **{"config.retention.ms": "3600000"}),
                 step("describe-configs", topic=t),
                 step("create-partitions", topic=t, add=1),
                 step("list-topics"),
                 step("log-dirs"),
                 timeout=40)
    r.assert_ok()
    created = r.of("created")
    assert (created[0]["partitions"], created[0]["error"]) == (2, None)
    assert "TOPIC_ALREADY_EXISTS" in (created[1]["error"] or ""), created[1]
    topics = r.of("topics")
    assert topics[0]["topics"][t]["partitions"] == 2
    assert topics[0]["topics"][t]["internal"] is False
    configs = r.of("configs")
    assert configs[0]["configs"]["retention.ms"] == "7200000"
    assert r.one("altered")["error"] is None
    assert configs[1]["configs"]["retention.ms"] == "3600000"
    assert r.one("partitions_created")["error"] is None
    assert topics[1]["topics"][t]["partitions"] == 3
    assert len(set(topics[1]["topics"][t]["leaders"])) == 1  # one node leads everything
    # DescribeAllLogDirs: the data dir, every partition of the new topic (empty so far).
    [d] = r.of("log_dir")
    assert d["dir"] == os.path.abspath(b.data_dir)
    assert d["total_bytes"] >= d["usable_bytes"] > 0
    assert {k: v for k, v in d["sizes"].items() if k.startswith(t + "/")} == \
        {f"{t}/{p}": 0 for p in range(3)}
    # A group reads part of the topic and commits; then kadm describes it, lists its lag and the
    # topic's offsets, deletes records, and deletes the group and the topic.
    r = franz_go(b,
                 step("produce", topic=t, count=900, keys=30),
                 step("group-consume", topic=t, group=group, members=2, count=300),
                 step("describe-group", group=group),
                 step("list-groups"),
                 step("lag", group=group),
                 step("list-offsets", topic=t),
                 step("delete-records", topic=t, partition=0, offset=5),
                 step("list-offsets", topic=t),
                 step("delete-group", group=group),
                 step("list-groups"),
                 step("delete-topic", topic=t),
                 timeout=60)
    r.assert_ok()
    produced = check_produced(r, 900, 3)
    ends = {str(p): len(recs) for p, recs in produced.items()}
    committed = r.one("group_consumed")["committed"]
    g = r.one("group")
    # Both members left: Empty, and (as in Kafka, whose next generation has no protocol) no
    # protocol name any more.
    assert (g["state"], g["protocol_type"], g["protocol"], g["members"]) == \
        ("Empty", "consumer", "", [])
    groups = r.of("groups")
    assert groups[0]["groups"].get(group) == "Empty"
    lag = r.one("lag")
    assert lag["state"] == "Empty"
    assert {p: (x["commit"], x["end"], x["lag"]) for p, x in lag["lag"].items()} == \
        {p: (committed.get(p, -1), e, e - committed[p] if p in committed else e)
         for p, e in ends.items()}, lag
    assert lag["total"] == 900 - sum(committed.values())
    offsets = r.of("offsets")
    assert offsets[0] == {"type": "offsets", "start": {p: 0 for p in ends}, "end": ends}
    assert r.one("records_deleted") == {"type": "records_deleted", "low_watermark": 5,
                                        "error": None}
    assert offsets[1]["start"] == {**{p: 0 for p in ends}, "0": 5}
    assert r.one("group_deleted")["error"] is None
    assert group not in groups[1]["groups"]
    assert r.one("topic_deleted")["error"] is None
