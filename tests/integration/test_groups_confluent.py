"""Consumer groups with confluent-kafka 1.7 / librdkafka 2.0.2 against sluiced, plus hand-encoded
group requests for the error answers no client provokes on purpose.

Group consumers run as child processes of /usr/bin/python3 (group_consumer.py), so that one can be
kill -9'd; each prints JSON lines of what it was assigned, received and committed. After every
scenario a count check runs: every produced message was consumed at least once, and a message was
consumed twice only if its earlier delivery had not been committed (commit after processing, so a
crash or a commit refused during a rebalance re-delivers instead of losing).
"""
import collections
import json
import os
import pathlib
import signal
import subprocess
import tempfile
import threading
import time

import pytest
from confluent_kafka import Consumer, TopicPartition

import kafka_wire as w
from sluice_helpers import (admin, create_topic, produce_ok, tracked, unique, wait_for,
                            watermarks)

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
GROUP_CONSUMER = HERE / "group_consumer.py"
PYTHON = "/usr/bin/python3"
SLUICE_CLI = os.environ.get("SLUICE_CLI", str(REPO / "build" / "sluice"))
SESSION_MS = 6000

# Kafka error codes
NONE = 0
UNKNOWN_TOPIC_OR_PARTITION = 3
ILLEGAL_GENERATION = 22
INCONSISTENT_GROUP_PROTOCOL = 23
INVALID_GROUP_ID = 24
UNKNOWN_MEMBER_ID = 25
REBALANCE_IN_PROGRESS = 27
MEMBER_ID_REQUIRED = 79


# =========================================================================== consumer processes


class GroupConsumer:
    """One group_consumer.py child process and the events it printed."""

    def __init__(self, bootstrap, group, topics, commit="manual", conf=None, name=None,
                 delay_ms=0):
        self.name = name or unique("c")
        spec = {"bootstrap": bootstrap, "group": group, "topics": list(topics), "commit": commit,
                "conf": dict(conf or {}), "delay_ms": delay_ms, "client_id": self.name}
        self.commit = commit
        self.events = []
        self.lock = threading.Lock()
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([PYTHON, str(GROUP_CONSUMER), json.dumps(spec)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr, start_new_session=True)
        self.killed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            try:
                ev = json.loads(raw)
            except ValueError:
                ev = {"ev": "garbage", "line": raw.decode(errors="replace")}
            with self.lock:
                self.events.append(ev)

    def snapshot(self):
        with self.lock:
            return list(self.events)

    def of(self, kind, since=0):
        return [e for e in self.snapshot()[since:] if e["ev"] == kind]

    def assignment(self):
        """The current assignment as a set of (topic, partition), or None before the first one."""
        for e in reversed(self.snapshot()):
            if "assignment" in e:
                return {tuple(x) for x in e["assignment"]}
        return None

    def messages(self):
        return self.of("msg")

    def stderr_text(self):
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-3000:]

    def describe(self):
        evs = [e for e in self.snapshot() if e["ev"] != "msg" and
               not (e["ev"] == "committed" and e["ok"])]
        return (f"consumer {self.name} (exit={self.proc.poll()}): {len(self.messages())} msgs; "
                f"events={evs[-30:]}\nstderr={self.stderr_text()}")

    def stop(self, timeout=30):
        """Clean close (commits, leaves the group); asserts exit 0."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b"stop\n")
                self.proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
                raise AssertionError(f"consumer did not close within {timeout}s\n"
                                     f"{self.describe()}")
        self._reader.join(5)
        assert self.proc.returncode == 0, self.describe()
        assert self.of("closed"), self.describe()

    def kill9(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.killed = True
        self._reader.join(5)


@pytest.fixture
def spawn():
    """spawn(bootstrap, group, topics, ...) -> GroupConsumer; all are killed at the end."""
    def kill_if_running(c):
        if c.proc.poll() is None:
            c.kill9()

    yield from tracked(GroupConsumer, kill_if_running)


def diag_all(consumers):
    return lambda: "\n".join(c.describe() for c in consumers)


def wait_split(consumers, topic, partitions, timeout=40, settle=1.0):
    """Waits until the consumers' assignments are disjoint, cover every partition of `topic`, give
    each consumer at least one partition (when there are enough), and stay so for `settle` s."""
    want = {(topic, p) for p in range(partitions)}

    def split():
        assigns = [c.assignment() for c in consumers]
        if any(a is None for a in assigns):
            return None
        if any(c.proc.poll() is not None for c in consumers):
            raise AssertionError("a consumer exited\n" + diag_all(consumers)())
        union = set().union(*assigns)
        if union != want or sum(len(a) for a in assigns) != len(want):
            return None
        if len(consumers) <= partitions and any(not a for a in assigns):
            return None
        return assigns

    stable_since, last = None, None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cur = split()
        if cur is not None and cur == last:
            if time.monotonic() - stable_since >= settle:
                return cur
        else:
            stable_since, last = time.monotonic(), cur
        time.sleep(0.1)
    raise AssertionError(f"assignments never split {sorted(want)} among {len(consumers)} "
                         f"consumers: {[c.assignment() for c in consumers]}\n"
                         f"{diag_all(consumers)()}")


def produce_batch(bootstrap, topic, partitions, tag, n):
    """n messages spread round-robin over the partitions; returns their values."""
    msgs = [{"partition": i % partitions, "value": f"{tag}-{i}".encode()} for i in range(n)]
    produce_ok(bootstrap, topic, msgs)
    return {m["value"].decode() for m in msgs}


def consumed_values(consumers):
    return {m["v"] for c in consumers for m in c.messages()}


def wait_consumed(consumers, values, timeout=40):
    def diag():
        missing = values - consumed_values(consumers)
        return f"missing {len(missing)}, e.g. {sorted(missing)[:5]}\n" + diag_all(consumers)()
    wait_for(lambda: values <= consumed_values(consumers), timeout,
             f"{len(values)} messages to be consumed", diag)


def check_counts(consumers, expected, exactly_once=True):
    """The count check: every expected value consumed at least once; nothing unexpected; with
    exactly_once, a (partition, offset) delivered twice is allowed only if every delivery but the
    last one was not committed (killed before, or the commit was refused)."""
    deliveries = collections.defaultdict(list)  # (t, p, o) -> [(ts, committed, consumer, value)]
    for c in consumers:
        evs = c.snapshot()
        ok_commits = {(e["t"], e["p"], e["o"]) for e in evs if e["ev"] == "committed" and e["ok"]}
        for e in evs:
            if e["ev"] == "msg":
                key = (e["t"], e["p"], e["o"])
                committed = (e["t"], e["p"], e["o"] + 1) in ok_commits
                deliveries[key].append((e["ts"], committed, c.name, e["v"]))
    got = {d[3] for ds in deliveries.values() for d in ds}
    missing = expected - got
    assert not missing, f"{len(missing)} messages never consumed, e.g. {sorted(missing)[:10]}"
    unexpected = got - expected
    assert not unexpected, f"unexpected messages {sorted(unexpected)[:10]}"
    for key, ds in deliveries.items():
        assert len({d[3] for d in ds}) == 1, f"{key} delivered with different values: {ds}"
    if not exactly_once:
        return deliveries
    bad = {}
    for key, ds in deliveries.items():
        if len(ds) < 2:
            continue
        ds.sort()
        if consumers[0].commit != "manual" or any(d[1] for d in ds[:-1]):
            bad[key] = ds
    if bad:
        names = {d[2] for ds in bad.values() for d in ds}
        ctx = "\n".join(c.describe() for c in consumers if c.name in names)
        raise AssertionError(f"{len(bad)} messages consumed more than once although committed "
                             f"after processing, e.g. {sorted(bad.items())[:5]}\n{ctx}")
    return deliveries


def committed(bootstrap, group, topic, partitions):
    """Committed offsets via OffsetFetch from a consumer that does not join the group."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                  "socket.timeout.ms": 10000})
    try:
        res = c.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=15)
        for tp in res:
            assert tp.error is None, tp.error
        return {tp.partition: tp.offset for tp in res}
    finally:
        c.close()


def end_offsets(bootstrap, topic, partitions):
    return {p: watermarks(bootstrap, topic, p)[1] for p in range(partitions)}


def list_groups(bootstrap, group=None):
    """confluent-kafka 1.7 AdminClient.list_groups: ListGroups + DescribeGroups."""
    groups = admin(bootstrap).list_groups(group=group, timeout=15)
    return {g.id: g for g in groups}


# =========================================================================== scenarios


def test_split_then_third_joins_nothing_lost(broker, spawn):
    b = broker.bootstrap
    t = create_topic(b, partitions=4)
    g = unique("g")
    c1, c2 = spawn(b, g, [t]), spawn(b, g, [t])
    a1, a2 = wait_split([c1, c2], t, 4)
    assert len(a1) == len(a2) == 2, (a1, a2)  # range assignor, 4 partitions, 2 members

    expected = produce_batch(b, t, 4, "a", 200)
    wait_consumed([c1, c2], expected)
    for c, a in ((c1, a1), (c2, a2)):  # each read only its own partitions
        assert {(m["t"], m["p"]) for m in c.messages()} <= a

    c3 = spawn(b, g, [t])
    more = produce_batch(b, t, 4, "b", 200)  # produced while the group rebalances
    expected |= more
    assigns = wait_split([c1, c2, c3], t, 4)
    assert sorted(len(a) for a in assigns) == [1, 1, 2], assigns
    last = produce_batch(b, t, 4, "c", 200)
    expected |= last
    wait_consumed([c1, c2, c3], expected)
    got_c3 = {m["v"] for m in c3.messages()}
    assert got_c3 & last, "the third consumer received nothing after joining"
    for c in (c1, c2, c3):
        c.stop()
    check_counts([c1, c2, c3], expected)
    assert committed(b, g, t, 4) == end_offsets(b, t, 4) == {p: 150 for p in range(4)}
    groups = list_groups(b, g)
    assert groups[g].state == "Empty" and not groups[g].members, groups[g].__dict__


def test_kill9_partitions_move_after_session_timeout(broker, spawn):
    b = broker.bootstrap
    t = create_topic(b, partitions=4)
    g = unique("g")
    conf = {"session.timeout.ms": SESSION_MS, "heartbeat.interval.ms": 500}
    c1, c2 = spawn(b, g, [t], conf=conf), spawn(b, g, [t], conf=conf)
    wait_split([c1, c2], t, 4)
    expected = produce_batch(b, t, 4, "a", 100)
    wait_consumed([c1, c2], expected)

    before = len(c1.snapshot())
    c2.kill9()
    killed_at = time.monotonic()
    wait_for(lambda: c1.assignment() == {(t, p) for p in range(4)}, 30,
             "the survivor to get every partition", diag_all([c1, c2]))
    took = time.monotonic() - killed_at
    # The member may only be expired after its session timeout (less the heartbeat interval it
    # last used), and should be soon after it.
    assert SESSION_MS / 1000 - 1.5 <= took <= SESSION_MS / 1000 + 8, \
        f"partitions moved {took:.1f}s after kill -9 (session.timeout.ms={SESSION_MS})"
    assert c1.of("revoke", before) or c1.of("assign", before)

    more = produce_batch(b, t, 4, "b", 100)
    expected |= more
    wait_consumed([c1], more)
    c1.stop()
    check_counts([c1, c2], expected)
    assert committed(b, g, t, 4) == end_offsets(b, t, 4)


def test_committed_offsets_survive_consumer_and_broker_restart(broker, spawn):
    b = broker.bootstrap
    t = create_topic(b, partitions=3)
    g = unique("g")
    first = produce_batch(b, t, 3, "a", 60)
    c1 = spawn(b, g, [t])
    wait_consumed([c1], first)
    c1.stop()
    assert committed(b, g, t, 3) == {0: 20, 1: 20, 2: 20}

    # All consumers restarted: only the new messages arrive (auto.offset.reset=earliest would
    # re-deliver everything if the commits were ignored).
    second = produce_batch(b, t, 3, "b", 30)
    c2 = spawn(b, g, [t])
    wait_consumed([c2], second)
    time.sleep(1.0)  # anything re-delivered would show up now
    c2.stop()
    assert {m["v"] for m in c2.messages()} == second
    check_counts([c1, c2], first | second)

    broker.restart()
    assert committed(b, g, t, 3) == {0: 30, 1: 30, 2: 30}
    groups = list_groups(b, g)
    assert g in groups and groups[g].state == "Empty", {k: v.__dict__ for k, v in groups.items()}
    third = produce_batch(b, t, 3, "c", 30)
    c3 = spawn(b, g, [t])
    wait_consumed([c3], third)
    time.sleep(1.0)
    c3.stop()
    assert {m["v"] for m in c3.messages()} == third
    check_counts([c1, c2, c3], first | second | third)
    assert committed(b, g, t, 3) == {0: 40, 1: 40, 2: 40}


def test_auto_commit(broker, spawn):
    b = broker.bootstrap
    t = create_topic(b, partitions=2)
    g = unique("g")
    first = produce_batch(b, t, 2, "a", 40)
    c1 = spawn(b, g, [t], commit="auto")
    wait_consumed([c1], first)
    # Periodic auto-commit (200 ms) catches up without a close.
    wait_for(lambda: committed(b, g, t, 2) == {0: 20, 1: 20}, 15, "auto-commit of all offsets")
    c1.kill9()  # no final commit on close: the periodic ones must be enough

    second = produce_batch(b, t, 2, "b", 20)
    c2 = spawn(b, g, [t], commit="auto")
    wait_consumed([c2], second)
    time.sleep(1.0)
    c2.stop()  # close commits the final offsets
    assert {m["v"] for m in c2.messages()} == second
    check_counts([c1, c2], first | second)
    assert committed(b, g, t, 2) == {0: 30, 1: 30}


def test_manual_commit_only_what_was_committed(broker, spawn):
    """commit=none: nothing is committed, so a restarted member reads everything again."""
    b = broker.bootstrap
    t = create_topic(b, partitions=2)
    g = unique("g")
    vals = produce_batch(b, t, 2, "a", 20)
    c1 = spawn(b, g, [t], commit="none")
    wait_consumed([c1], vals)
    c1.stop()
    assert committed(b, g, t, 2) == {0: -1001, 1: -1001}  # OFFSET_INVALID: nothing committed
    c2 = spawn(b, g, [t], commit="manual")
    wait_consumed([c2], vals)
    c2.stop()
    assert sorted(m["v"] for m in c2.messages()) == sorted(vals)
    assert committed(b, g, t, 2) == {0: 10, 1: 10}


def test_cooperative_sticky_incremental_rebalance(broker, spawn):
    b = broker.bootstrap
    t = create_topic(b, partitions=4)
    g = unique("g")
    conf = {"partition.assignment.strategy": "cooperative-sticky"}
    c1, c2 = spawn(b, g, [t], conf=conf), spawn(b, g, [t], conf=conf)
    a1, a2 = wait_split([c1, c2], t, 4)
    assert len(a1) == len(a2) == 2
    expected = produce_batch(b, t, 4, "a", 100)
    wait_consumed([c1, c2], expected)

    marks = {c.name: len(c.snapshot()) for c in (c1, c2)}
    c3 = spawn(b, g, [t], conf=conf)
    expected |= produce_batch(b, t, 4, "b", 100)
    n1, n2, n3 = wait_split([c1, c2, c3], t, 4)
    # Sticky: the old members keep a subset of what they had; only the moved partitions were
    # revoked (an eager rebalance would revoke everything).
    assert n1 <= a1 and n2 <= a2, (a1, a2, n1, n2, n3)
    revoked = set()
    for c, before, after in ((c1, a1, n1), (c2, a2, n2)):
        for e in c.of("revoke", marks[c.name]) + c.of("lost", marks[c.name]):
            parts = {tuple(x) for x in e["parts"]}
            assert parts and parts <= before - after, \
                f"{c.name} revoked {parts} but kept {after} (had {before})"
            revoked |= parts
    assert revoked == n3 and len(n3) == 1, (revoked, n3)
    assert not c1.of("lost") and not c2.of("lost")

    expected |= produce_batch(b, t, 4, "c", 100)
    wait_consumed([c1, c2, c3], expected)
    for c in (c1, c2, c3):
        c.stop()
    check_counts([c1, c2, c3], expected)
    assert committed(b, g, t, 4) == end_offsets(b, t, 4)


@pytest.mark.parametrize("restarted", ["leader", "follower"])
def test_static_membership_rejoin_without_rebalance(broker, spawn, restarted):
    b = broker.bootstrap
    t = create_topic(b, partitions=4)
    g = unique("g")
    session = 15000
    conf = {"session.timeout.ms": session}
    # The first member to join leads the group (and keeps leading while it rejoins in time).
    first = spawn(b, g, [t], conf={**conf, "group.instance.id": "static-1"})
    wait_split([first], t, 4)
    second = spawn(b, g, [t], conf={**conf, "group.instance.id": "static-2"})
    wait_split([first, second], t, 4)
    c1, c2 = (first, second) if restarted == "leader" else (second, first)
    inst = "static-1" if restarted == "leader" else "static-2"
    a1, a2 = c1.assignment(), c2.assignment()
    expected = produce_batch(b, t, 4, "a", 100)
    wait_consumed([c1, c2], expected)
    desc = list_groups(b, g)[g]
    assert desc.state == "Stable" and len(desc.members) == 2, desc.__dict__

    mark = len(c2.snapshot())
    c1.stop()  # a static member sends no LeaveGroup on close (KIP-345)
    c1b = spawn(b, g, [t], conf={**conf, "group.instance.id": inst})
    wait_for(lambda: c1b.assignment() == a1, 20, "the restarted static member to get its "
             "partitions back", diag_all([c1b, c2]))
    expected |= produce_batch(b, t, 4, "b", 100)
    wait_consumed([c1, c1b, c2], expected)
    time.sleep(1.0)
    rebalance = [e for e in c2.snapshot()[mark:] if e["ev"] in ("assign", "revoke", "lost")]
    assert not rebalance, f"the other member went through a rebalance: {rebalance}"
    assert c2.assignment() == a2
    desc = list_groups(b, g)[g]
    assert desc.state == "Stable" and len(desc.members) == 2, desc.__dict__
    for c in (c1b, c2):
        c.stop()
    check_counts([c1, c1b, c2], expected)


def test_static_member_replaced_after_session_timeout(broker, spawn):
    """A killed static member that does not come back is expired after its session timeout."""
    b = broker.bootstrap
    t = create_topic(b, partitions=2)
    g = unique("g")
    conf = {"session.timeout.ms": SESSION_MS}
    c1 = spawn(b, g, [t], conf={**conf, "group.instance.id": "s1"})
    c2 = spawn(b, g, [t], conf={**conf, "group.instance.id": "s2"})
    wait_split([c1, c2], t, 2)
    c2.kill9()
    t0 = time.monotonic()
    wait_for(lambda: c1.assignment() == {(t, 0), (t, 1)}, 30, "the survivor to get both",
             diag_all([c1]))
    assert time.monotonic() - t0 >= SESSION_MS / 1000 - 1.5
    vals = produce_batch(b, t, 2, "a", 20)
    wait_consumed([c1], vals)
    c1.stop()
    check_counts([c1, c2], vals)


def test_pub_sub_two_groups_each_get_everything(broker, spawn):
    b = broker.bootstrap
    t = create_topic(b, partitions=2)
    g1, g2 = unique("pub"), unique("sub")
    a = [spawn(b, g1, [t]), spawn(b, g1, [t])]
    z = [spawn(b, g2, [t]), spawn(b, g2, [t])]
    wait_split(a, t, 2)
    wait_split(z, t, 2)
    vals = produce_batch(b, t, 2, "ps", 100)
    wait_consumed(a, vals)
    wait_consumed(z, vals)
    for c in a + z:
        c.stop()
    check_counts(a, vals)
    check_counts(z, vals)
    assert committed(b, g1, t, 2) == committed(b, g2, t, 2) == {0: 50, 1: 50}


def test_admin_list_describe_groups_and_cli_delete(broker, spawn):
    if not os.path.exists(SLUICE_CLI):
        pytest.skip(f"CLI binary {SLUICE_CLI} does not exist")
    b = broker.bootstrap
    t = create_topic(b, partitions=2)
    g = unique("g")
    c1 = spawn(b, g, [t], name="member-one")
    c2 = spawn(b, g, [t], name="member-two")
    a1, a2 = wait_split([c1, c2], t, 2)
    vals = produce_batch(b, t, 2, "x", 10)
    wait_consumed([c1, c2], vals)

    desc = list_groups(b)[g]  # ListGroups, then DescribeGroups
    assert (desc.state, desc.protocol_type, desc.protocol) == ("Stable", "consumer", "range")
    assert sorted(m.client_id for m in desc.members) == ["member-one", "member-two"]
    assert all(m.id and m.client_host for m in desc.members)
    assert all(m.assignment for m in desc.members)  # the bytes the leader's SyncGroup gave
    assert list_groups(b, g)[g].state == "Stable"

    # A group cannot be deleted while it has members.
    r = subprocess.run([SLUICE_CLI, "-b", b, "group", "delete", g], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 1 and "NON_EMPTY_GROUP" in r.stderr, (r.stdout, r.stderr)
    for c in (c1, c2):
        c.stop()
    check_counts([c1, c2], vals)
    desc = list_groups(b, g)[g]
    assert desc.state == "Empty" and not desc.members
    assert committed(b, g, t, 2) == {0: 5, 1: 5}

    r = subprocess.run([SLUICE_CLI, "-b", b, "group", "delete", g], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert g not in list_groups(b)
    assert committed(b, g, t, 2) == {0: -1001, 1: -1001}  # offsets deleted with the group


# =========================================================================== raw protocol
# Request/response layouts (Kafka's message JSON schemas): JoinGroup v2/v4, SyncGroup v1,
# Heartbeat v1, LeaveGroup v1, OffsetCommit v2, OffsetFetch v1, FindCoordinator v0.

RAW_TIMEOUT = 20.0  # a JoinGroup may wait for group.initial.rebalance.delay.ms


def consumer_protocol_metadata(topics):
    """ConsumerProtocolSubscription v0: version, topics, user data."""
    return w.i16(0) + w.array([w.string(t) for t in topics]) + w.nbytes(None)


def consumer_assignment(parts):
    """ConsumerProtocolAssignment v0: version, [(topic, [partition])], user data."""
    by_topic = collections.defaultdict(list)
    for t, p in parts:
        by_topic[t].append(p)
    return (w.i16(0) + w.array([w.string(t) + w.array([w.i32(p) for p in ps])
                                for t, ps in sorted(by_topic.items())]) + w.nbytes(None))


def find_coordinator(port, group):
    r = w.roundtrip(port, 10, 0, w.string(group))
    return r.i16(), r.i32(), r.string(), r.i32()


def join_group(port, group, member_id="", protocol_type="consumer", protocols=None,
               session_ms=10000, rebalance_ms=10000, version=2):
    """JoinGroup v2 or v4 -> dict(error, generation, protocol, leader, member_id, members)"""
    protocols = protocols if protocols is not None else \
        [("range", consumer_protocol_metadata(["t"]))]
    body = (w.string(group) + w.i32(session_ms) + w.i32(rebalance_ms) + w.string(member_id)
            + w.string(protocol_type)
            + w.array([w.string(n) + w.nbytes(m) for n, m in protocols]))
    r = w.roundtrip(port, 11, version, body, timeout=RAW_TIMEOUT)
    r.i32()  # throttle

    def member(r):
        mid = r.string()
        n = r.i32()
        meta = None if n < 0 else r._take(n)
        return mid, meta

    out = {"error": r.i16(), "generation": r.i32(), "protocol": r.string(), "leader": r.string(),
           "member_id": r.string(), "members": r.array(member)}
    assert r.remaining() == 0, f"{r.remaining()} unread bytes in JoinGroup v{version} response"
    return out


def sync_group(port, group, generation, member_id, assignments=()):
    body = (w.string(group) + w.i32(generation) + w.string(member_id)
            + w.array([w.string(m) + w.nbytes(a) for m, a in assignments]))
    r = w.roundtrip(port, 14, 1, body, timeout=RAW_TIMEOUT)
    r.i32()
    err = r.i16()
    n = r.i32()
    assignment = None if n < 0 else r._take(n)
    return err, assignment


def heartbeat(port, group, generation, member_id):
    r = w.roundtrip(port, 12, 1, w.string(group) + w.i32(generation) + w.string(member_id))
    r.i32()
    return r.i16()


def leave_group(port, group, member_id):
    r = w.roundtrip(port, 13, 1, w.string(group) + w.string(member_id))
    r.i32()
    return r.i16()


def offset_commit(port, group, generation, member_id, offsets, metadata="m"):
    """offsets: {(topic, partition): offset} -> {(topic, partition): error}"""
    by_topic = collections.defaultdict(list)
    for (t, p), o in offsets.items():
        by_topic[t].append((p, o))
    body = (w.string(group) + w.i32(generation) + w.string(member_id) + w.i64(-1)
            + w.array([w.string(t) + w.array([w.i32(p) + w.i64(o) + w.string(metadata)
                                              for p, o in ps])
                       for t, ps in sorted(by_topic.items())]))
    r = w.roundtrip(port, 8, 2, body)
    out = {}
    for t, parts in r.array(lambda r: (r.string(), r.array(lambda r: (r.i32(), r.i16())))):
        for p, err in parts:
            out[(t, p)] = err
    return out


def offset_fetch(port, group, parts):
    """parts: [(topic, partition)] -> {(topic, partition): (offset, metadata, error)}"""
    by_topic = collections.defaultdict(list)
    for t, p in parts:
        by_topic[t].append(p)
    body = w.string(group) + w.array([w.string(t) + w.array([w.i32(p) for p in ps])
                                      for t, ps in sorted(by_topic.items())])
    r = w.roundtrip(port, 9, 1, body)
    out = {}
    for t, ps in r.array(lambda r: (r.string(), r.array(
            lambda r: (r.i32(), r.i64(), r.string(), r.i16())))):
        for p, o, meta, err in ps:
            out[(t, p)] = (o, meta, err)
    return out


def stable_member(port, group, topic):
    """A one-member group in Stable state, built by hand: (generation, member_id)."""
    j = join_group(port, group, protocols=[("range", consumer_protocol_metadata([topic]))])
    assert j["error"] == NONE, j
    assert j["leader"] == j["member_id"] and j["generation"] >= 1, j
    assert [m[0] for m in j["members"]] == [j["member_id"]]
    err, assignment = sync_group(port, group, j["generation"], j["member_id"],
                                 [(j["member_id"], consumer_assignment([(topic, 0), (topic, 1)]))])
    assert err == NONE and assignment == consumer_assignment([(topic, 0), (topic, 1)])
    return j["generation"], j["member_id"]


def test_raw_find_coordinator_v0(broker):
    err, node, host, port = find_coordinator(broker.port, unique("g"))
    assert (err, host, port) == (NONE, "127.0.0.1", broker.port)
    md = admin(broker.bootstrap).list_topics(timeout=10)
    assert node in md.brokers


def test_raw_member_id_required_round_trip(broker):
    g = unique("g")
    j = join_group(broker.port, g, version=4)
    assert j["error"] == MEMBER_ID_REQUIRED and j["member_id"], j
    j2 = join_group(broker.port, g, member_id=j["member_id"], version=4)
    assert j2["error"] == NONE and j2["member_id"] == j["member_id"], j2
    assert j2["leader"] == j["member_id"] and j2["generation"] == 1


def test_raw_wrong_generation_and_unknown_member(broker):
    port = broker.port
    t = create_topic(broker.bootstrap, partitions=2)
    g = unique("g")
    gen, me = stable_member(port, g, t)
    assert offset_commit(port, g, gen, me, {(t, 0): 5, (t, 1): 7}) == {(t, 0): NONE, (t, 1): NONE}

    assert offset_commit(port, g, gen + 1, me, {(t, 0): 99}) == {(t, 0): ILLEGAL_GENERATION}
    assert offset_commit(port, g, gen, "no-such-member", {(t, 0): 99}) == \
        {(t, 0): UNKNOWN_MEMBER_ID}
    # A commit from outside the group (generation -1: admin client / standalone consumer) is
    # refused while the group has members. Kafka 3.0's coordinator answers UNKNOWN_MEMBER_ID,
    # the rewritten one (3.5+) ILLEGAL_GENERATION.
    [err] = offset_commit(port, g, -1, "", {(t, 1): 99}).values()
    assert err in (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION), err
    assert heartbeat(port, g, gen + 1, me) == ILLEGAL_GENERATION
    assert heartbeat(port, g, gen, "no-such-member") == UNKNOWN_MEMBER_ID
    assert sync_group(port, g, gen + 1, me)[0] == ILLEGAL_GENERATION
    assert sync_group(port, g, gen, "no-such-member")[0] == UNKNOWN_MEMBER_ID
    assert leave_group(port, "no-such-group-" + g, me) == UNKNOWN_MEMBER_ID
    assert heartbeat(port, "no-such-group-" + g, 1, me) == UNKNOWN_MEMBER_ID

    # Nothing above changed the stored offsets or the group.
    assert offset_fetch(port, g, [(t, 0), (t, 1)]) == {(t, 0): (5, "m", NONE),
                                                       (t, 1): (7, "m", NONE)}
    assert heartbeat(port, g, gen, me) == NONE  # still Stable, same generation
    assert leave_group(port, g, me) == NONE
    # Now the group is Empty: a standalone commit (generation -1) is accepted.
    assert offset_commit(port, g, -1, "", {(t, 1): 8}) == {(t, 1): NONE}
    assert offset_fetch(port, g, [(t, 1)])[(t, 1)][0] == 8


def test_raw_inconsistent_protocol_and_invalid_group_id(broker):
    port = broker.port
    t = create_topic(broker.bootstrap, partitions=2)
    g = unique("g")
    gen, me = stable_member(port, g, t)
    offset_commit(port, g, gen, me, {(t, 0): 3})

    j = join_group(port, g, protocol_type="connect",
                   protocols=[("default", b"\x00\x01")])
    assert j["error"] == INCONSISTENT_GROUP_PROTOCOL, j
    j = join_group(port, g, protocols=[("roundrobin", consumer_protocol_metadata([t]))])
    assert j["error"] == INCONSISTENT_GROUP_PROTOCOL, j  # no protocol in common with "range"
    j = join_group(port, g, protocols=[])
    assert j["error"] == INCONSISTENT_GROUP_PROTOCOL, j
    # Rejected joins start no rebalance and change nothing.
    assert heartbeat(port, g, gen, me) == NONE
    assert offset_fetch(port, g, [(t, 0)])[(t, 0)] == (3, "m", NONE)

    # A brand-new group with no protocols at all is refused too.
    j = join_group(port, unique("g"), protocols=[])
    assert j["error"] == INCONSISTENT_GROUP_PROTOCOL, j
    j = join_group(port, unique("g"), protocol_type="")
    assert j["error"] == INCONSISTENT_GROUP_PROTOCOL, j

    assert join_group(port, "")["error"] == INVALID_GROUP_ID
    assert sync_group(port, "", 1, "x")[0] == INVALID_GROUP_ID
    assert heartbeat(port, "", 1, "x") == INVALID_GROUP_ID
    assert leave_group(port, "", "x") == INVALID_GROUP_ID


def test_raw_offsets_for_unknown_partitions(broker):
    port = broker.port
    t = create_topic(broker.bootstrap, partitions=2)
    g = unique("g")
    res = offset_commit(port, g, -1, "", {(t, 0): 1, (t, 5): 1, ("no-such-topic-" + g, 0): 1})
    assert res == {(t, 0): NONE, (t, 5): UNKNOWN_TOPIC_OR_PARTITION,
                   ("no-such-topic-" + g, 0): UNKNOWN_TOPIC_OR_PARTITION}, res
    got = offset_fetch(port, g, [(t, 0), (t, 1)])
    assert got[(t, 0)] == (1, "m", NONE) and got[(t, 1)][0] == -1, got


def test_raw_rebalance_in_progress_then_rejoin(broker):
    port = broker.port
    t = create_topic(broker.bootstrap, partitions=2)
    g = unique("g")
    gen, a = stable_member(port, g, t)
    joined = {}

    def second():
        joined["b"] = join_group(port, g)  # blocks until the group rebalances

    th = threading.Thread(target=second, daemon=True)
    th.start()
    # The new member's join moves the group to PreparingRebalance: the old member learns it from
    # its heartbeat and must rejoin.
    wait_for(lambda: heartbeat(port, g, gen, a) == REBALANCE_IN_PROGRESS, 10,
             "REBALANCE_IN_PROGRESS on the heartbeat")
    # Commits of the current generation are still accepted while preparing the rebalance.
    assert offset_commit(port, g, gen, a, {(t, 0): 2}) == {(t, 0): NONE}
    ja = join_group(port, g, member_id=a)
    th.join(RAW_TIMEOUT)
    jb = joined["b"]
    assert ja["error"] == jb["error"] == NONE, (ja, jb)
    assert ja["generation"] == jb["generation"] == gen + 1
    assert ja["leader"] == jb["leader"] and ja["leader"] in (a, jb["member_id"])
    leader = ja if ja["leader"] == ja["member_id"] else jb
    follower = jb if leader is ja else ja
    assert sorted(m[0] for m in leader["members"]) == sorted([a, jb["member_id"]])
    assert follower["members"] == []

    result = {}

    def follower_sync():
        result["f"] = sync_group(port, g, follower["generation"], follower["member_id"])

    th = threading.Thread(target=follower_sync, daemon=True)
    th.start()
    asg = {leader["member_id"]: consumer_assignment([(t, 0)]),
           follower["member_id"]: consumer_assignment([(t, 1)])}
    err, mine = sync_group(port, g, leader["generation"], leader["member_id"], asg.items())
    th.join(RAW_TIMEOUT)
    assert (err, mine) == (NONE, asg[leader["member_id"]])
    assert result["f"] == (NONE, asg[follower["member_id"]])
    assert heartbeat(port, g, gen, a) == ILLEGAL_GENERATION  # the old generation is gone
    assert heartbeat(port, g, gen + 1, a) == NONE
    assert offset_fetch(port, g, [(t, 0)])[(t, 0)][0] == 2
