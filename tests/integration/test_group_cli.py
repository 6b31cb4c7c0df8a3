"""`sluice group list|describe|delete|reset-offsets` against a real sluiced broker.

Commits are made with confluent-kafka, either standalone (assign + commit: generation -1, the group
stays Empty) or by a subscribed member (the group is Stable while it polls).
"""
import time
import uuid

from confluent_kafka import Consumer, TopicPartition

from cli_runner import REQUIRED, fails, ok, sluice
from sluice_helpers import create_topic, produce_ok

pytestmark = REQUIRED


def unique(prefix="gc"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def consumer(bootstrap, group, **conf):
    return Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                     "enable.auto.commit": False, "auto.offset.reset": "earliest",
                     "socket.timeout.ms": 10000, "session.timeout.ms": 6000,
                     "heartbeat.interval.ms": 500, "fetch.wait.max.ms": 100, **conf})


def commit_standalone(bootstrap, group, offsets):
    """offsets: {(topic, partition): offset}, committed without joining the group."""
    c = consumer(bootstrap, group)
    try:
        res = c.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in offsets.items()],
                       asynchronous=False)
        assert all(tp.error is None for tp in res), res
    finally:
        c.close()


def committed(bootstrap, group, topic, partitions):
    c = consumer(bootstrap, group)
    try:
        res = c.committed([TopicPartition(topic, p) for p in partitions], timeout=15)
        return {tp.partition: tp.offset for tp in res}
    finally:
        c.close()


def produce(bootstrap, topic, partition, n, timestamps=None):
    msgs = [{"partition": partition, "value": f"v{i}".encode()} for i in range(n)]
    if timestamps:
        for m, ts in zip(msgs, timestamps):
            m["timestamp"] = ts
    produce_ok(bootstrap, topic, msgs)


def parse_describe(out):
    """-> (header dict, members [[cols]], offsets {(topic, partition): row dict}, total line)"""
    lines = out.splitlines()
    header, members, offsets, total = {}, [], {}, None
    section = "header"
    for line in lines:
        if section == "header" and line.startswith("  MEMBER-ID"):
            section = "members"
            continue
        if line.startswith("Offsets:"):
            section = "offsets"
            continue
        if line.startswith("Total lag:"):
            total = line
            continue
        if section == "header" or (section == "members" and not line.startswith("  ")):
            key, _, value = line.partition(": ")
            header[key] = value
        elif section == "members":
            members.append(line.split())
        elif section == "offsets":
            if line.strip().startswith("TOPIC"):
                continue
            cols = line.split()
            row = dict(zip(["topic", "partition", "current", "end", "lag", "member", "client"],
                           cols))
            offsets[(row["topic"], int(row["partition"]))] = row
    return header, members, offsets, total


def parse_plan(out):
    rows = {}
    for line in out.splitlines():
        cols = line.split()
        if len(cols) == 4 and cols[0] != "TOPIC":
            rows[(cols[0], int(cols[1]))] = (cols[2], cols[3])
    return rows


def test_describe_lag_of_an_empty_group(broker):
    b = broker.bootstrap
    t = create_topic(b, partitions=2)
    g = unique()
    produce(b, t, 0, 10)
    produce(b, t, 1, 3)
    commit_standalone(b, g, {(t, 0): 4})
    header, members, offsets, total = parse_describe(ok(b, "group", "describe", g))
    assert header["Group"] == g and header["State"] == "Empty" and header["Members"] == "0"
    assert members == []
    assert offsets == {(t, 0): {"topic": t, "partition": "0", "current": "4", "end": "10",
                                "lag": "6", "member": "-", "client": "-"}}
    assert total.startswith("Total lag: 6")


def test_describe_list_with_an_active_member(broker):
    b = broker.bootstrap
    t = create_topic(b, partitions=2)
    g, idle = unique(), unique("idle")
    produce(b, t, 0, 10)
    commit_standalone(b, idle, {(t, 1): 0})
    c = consumer(b, g, **{"client.id": "lag-checker"})
    try:
        c.subscribe([t])
        got, deadline = [], time.monotonic() + 30
        while len(got) < 10 and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is not None and not m.error():
                got.append(m)
        assert len(got) == 10
        c.commit(message=got[3], asynchronous=False)  # offset 4 committed
        header, members, offsets, _ = parse_describe(ok(b, "group", "describe", g))
        assert header["State"] == "Stable" and header["Members"] == "1", header
        assert header["Protocol"] == "range"
        [m] = members
        member_id, instance, client, host, parts = m
        assert (instance, client) == ("-", "lag-checker") and "127.0.0.1" in host
        assert parts == f"{t}:0,1"
        assert offsets[(t, 0)]["current"] == "4" and offsets[(t, 0)]["end"] == "10"
        assert offsets[(t, 0)]["lag"] == "6" and offsets[(t, 0)]["member"] == member_id
        assert offsets[(t, 1)] == {"topic": t, "partition": "1", "current": "-", "end": "0",
                                   "lag": "-", "member": member_id, "client": "lag-checker"}

        assert {g, idle} <= set(ok(b, "group", "list").split())
        assert g in ok(b, "group", "list", "--state", "Stable").split()
        assert idle not in ok(b, "group", "list", "--state", "Stable").split()
        assert idle in ok(b, "group", "list", "--state", "Empty").split()
        assert g not in ok(b, "group", "list", "--state", "Empty").split()
        long = {line.split()[0]: line.split()[1] for line in
                ok(b, "group", "list", "--long").splitlines()[1:]}
        assert long[g] == "Stable" and long[idle] == "Empty"
        fails(b, "group", "list", "--state", "Sleepy", code=2)

        # Resetting needs an empty group; a dry run only warns.
        r = fails(b, "group", "reset-offsets", g, "--topic", t, "--to-earliest")
        assert "Stable" in r.stderr
        r = fails(b, "group", "delete", g)
        assert "NON_EMPTY_GROUP" in r.stderr
        assert committed(b, g, t, [0]) == {0: 4}
    finally:
        c.close()
    header, members, offsets, _ = parse_describe(ok(b, "group", "describe", g))
    assert header["State"] == "Empty" and members == []
    assert set(offsets) == {(t, 0)} and offsets[(t, 0)]["lag"] == "6"


def test_reset_offsets(broker):
    b = broker.bootstrap
    t = create_topic(b, partitions=2)
    g = unique()
    base = int(time.time() * 1000) - 100_000
    produce(b, t, 0, 10, timestamps=[base + 1000 * i for i in range(10)])
    produce(b, t, 1, 4, timestamps=[base + 1000 * i for i in range(4)])
    commit_standalone(b, g, {(t, 0): 4, (t, 1): 2})

    out = ok(b, "group", "reset-offsets", g, "--topic", t, "--to-earliest", "--dry-run")
    assert parse_plan(out) == {(t, 0): ("4", "0"), (t, 1): ("2", "0")}, out
    assert "Dry run" in out
    assert committed(b, g, t, [0, 1]) == {0: 4, 1: 2}

    out = ok(b, "group", "reset-offsets", g, "--topic", t, "--to-earliest")
    assert parse_plan(out) == {(t, 0): ("4", "0"), (t, 1): ("2", "0")}, out
    assert committed(b, g, t, [0, 1]) == {0: 0, 1: 0}
    _, _, offsets, total = parse_describe(ok(b, "group", "describe", g))
    assert (offsets[(t, 0)]["lag"], offsets[(t, 1)]["lag"]) == ("10", "4")
    assert total.startswith("Total lag: 14")

    ok(b, "group", "reset-offsets", g, "--topic", t, "--to-latest")
    assert committed(b, g, t, [0, 1]) == {0: 10, 1: 4}
    out = ok(b, "group", "reset-offsets", g, "--topic", t, "--partition", "0", "--to-offset", "7")
    assert parse_plan(out) == {(t, 0): ("10", "7")}
    assert committed(b, g, t, [0, 1]) == {0: 7, 1: 4}
    out = ok(b, "group", "reset-offsets", g, "--topic", t, "--to-offset", "99")  # clamped
    assert parse_plan(out) == {(t, 0): ("7", "10"), (t, 1): ("4", "4")}
    out = ok(b, "group", "reset-offsets", g, "--topic", t, "--to-datetime", str(base + 2500))
    assert parse_plan(out) == {(t, 0): ("10", "3"), (t, 1): ("4", "3")}
    assert committed(b, g, t, [0, 1]) == {0: 3, 1: 3}
    out = ok(b, "group", "reset-offsets", g, "--topic", t, "--to-datetime", str(base + 5500))
    assert parse_plan(out) == {(t, 0): ("3", "6"), (t, 1): ("3", "4")}  # none later: the end

    # A group that has never committed anything can be given offsets too.
    fresh = unique("fresh")
    out = ok(b, "group", "reset-offsets", fresh, "--topic", t, "--to-offset", "2")
    assert parse_plan(out) == {(t, 0): ("-", "2"), (t, 1): ("-", "2")}
    assert committed(b, fresh, t, [0, 1]) == {0: 2, 1: 2}

    fails(b, "group", "reset-offsets", g, "--topic", t, code=2)  # no target
    fails(b, "group", "reset-offsets", g, "--topic", t, "--to-earliest", "--to-latest", code=2)
    r = fails(b, "group", "reset-offsets", g, "--topic", "no-such-topic-xyz", "--to-earliest")
    assert "does not exist" in r.stderr
    r = fails(b, "group", "reset-offsets", g, "--topic", t, "--partition", "5", "--to-earliest")
    assert "partition 5" in r.stderr
    assert committed(b, g, t, [0, 1]) == {0: 6, 1: 4}


def test_delete_groups(broker):
    b = broker.bootstrap
    t = create_topic(b)
    g1, g2 = unique(), unique()
    produce(b, t, 0, 5)
    commit_standalone(b, g1, {(t, 0): 1})
    commit_standalone(b, g2, {(t, 0): 2})
    assert {g1, g2} <= set(ok(b, "group", "list").split())
    out = ok(b, "group", "delete", g1, g2)
    assert out.splitlines() == [f"Deleted group '{g1}'.", f"Deleted group '{g2}'."]
    assert not {g1, g2} & set(ok(b, "group", "list").split())
    assert committed(b, g1, t, [0]) == {0: -1001}
    r = fails(b, "group", "describe", g1)
    assert "does not exist" in r.stderr
    r = fails(b, "group", "delete", g1)
    assert "GROUP_ID_NOT_FOUND" in r.stderr
    fails(b, "group", "delete", code=2)


def test_unreachable_broker_fails_fast():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.monotonic()
    r = sluice(f"127.0.0.1:{port}", "group", "list", timeout_ms=1500)
    assert r.returncode == 1 and f"127.0.0.1:{port}" in r.stderr, (r.stdout, r.stderr)
    assert time.monotonic() - t0 < 15
