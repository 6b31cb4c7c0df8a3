"""Consumer groups with kafka-python 2.0.2 (its own protocol implementation: FindCoordinator v0,
JoinGroup v2, SyncGroup/Heartbeat/LeaveGroup v1, OffsetCommit v2, OffsetFetch v1; the admin
client's ListGroups, DescribeGroups, OffsetFetch v3 with null topics and DeleteGroups).

Every consumer runs its poll loop in a thread (kafka-python blocks in poll() during a rebalance,
so two members cannot share one thread). With commit="manual" each record is committed
synchronously right after it is recorded ("processed").
"""
import collections
import threading
import time

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka import errors as kerrors
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.structs import OffsetAndMetadata

from sluice_helpers import create_topic, produce_ok, tracked, unique, wait_for, watermarks

TIMEOUT_MS = 10000
SESSION_MS = 6000


class Listener(ConsumerRebalanceListener):
    def __init__(self, owner):
        self.owner = owner

    def on_partitions_revoked(self, revoked):
        self.owner._event("revoke", revoked)

    def on_partitions_assigned(self, assigned):
        self.owner._event("assign", assigned)


class KPConsumer:
    """A kafka-python group member polling in its own thread."""

    def __init__(self, bootstrap, group, topic, commit="manual", name=None, **conf):
        self.name = name or unique("kp")
        self.commit = commit
        self.lock = threading.Lock()
        self.events = []  # (kind, payload, ts)
        self.records = []  # (topic, partition, offset, value, committed_ok)
        self.errors = []
        self._stop = threading.Event()
        self._conf = dict(bootstrap_servers=bootstrap, group_id=group, client_id=self.name,
                          auto_offset_reset="earliest", enable_auto_commit=(commit == "auto"),
                          auto_commit_interval_ms=200, session_timeout_ms=SESSION_MS,
                          heartbeat_interval_ms=1000, request_timeout_ms=SESSION_MS + 9000,
                          fetch_max_wait_ms=100, metadata_max_age_ms=2000)
        self._conf.update(conf)
        self._topic = topic
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _event(self, kind, tps):
        with self.lock:
            self.events.append((kind, sorted((tp.topic, tp.partition) for tp in tps),
                                time.time()))

    def _run(self):
        try:
            c = KafkaConsumer(**self._conf)
            c.subscribe([self._topic], listener=Listener(self))
            try:
                while not self._stop.is_set():
                    for tp, recs in c.poll(timeout_ms=100).items():
                        for r in recs:
                            value = r.value.decode()
                            ok = None
                            with self.lock:
                                self.records.append([r.topic, r.partition, r.offset, value, ok,
                                                     time.time()])
                                idx = len(self.records) - 1
                            if self.commit == "manual":
                                try:
                                    c.commit({tp: OffsetAndMetadata(r.offset + 1, "")})
                                    ok = True
                                except kerrors.KafkaError as e:  # e.g. CommitFailedError
                                    ok = False
                                    self.errors.append(repr(e))
                                with self.lock:
                                    self.records[idx][4] = ok
            finally:
                c.close()
        except Exception as e:  # noqa: BLE001 - reported by stop()
            self.errors.append(repr(e))
            raise

    def assignment(self):
        with self.lock:
            cur = None
            for kind, parts, _ in self.events:
                cur = set() if kind == "revoke" else set(parts)  # kafka-python is eager
            return cur

    def values(self):
        with self.lock:
            return {r[3] for r in self.records}

    def stop(self, timeout=30):
        self._stop.set()
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"{self.name} did not close within {timeout}s"
        fatal = [e for e in self.errors if "CommitFailed" not in e]
        assert not fatal, f"{self.name}: {fatal}"

    def describe(self):
        with self.lock:
            return f"{self.name}: {len(self.records)} records, events={self.events[-10:]}, " \
                   f"errors={self.errors[-5:]}"


@pytest.fixture
def members():
    yield from tracked(KPConsumer, lambda c: c._stop.set(), lambda c: c._thread.join(20))


@pytest.fixture
def kadmin(broker):
    a = KafkaAdminClient(bootstrap_servers=broker.bootstrap, request_timeout_ms=TIMEOUT_MS,
                         client_id="sluice-it-admin")
    yield a
    a.close()


def wait_split(consumers, topic, partitions, timeout=40):
    want = {(topic, p) for p in range(partitions)}

    def split():
        a = [c.assignment() for c in consumers]
        if any(x is None or not x for x in a) or set().union(*a) != want or \
                sum(len(x) for x in a) != partitions:
            return None
        return a
    return wait_for(split, timeout, f"{len(consumers)} members to split {partitions} partitions",
                    lambda: "\n".join(c.describe() for c in consumers))


def produce_batch(bootstrap, topic, partitions, tag, n):
    msgs = [{"partition": i % partitions, "value": f"{tag}-{i}".encode()} for i in range(n)]
    produce_ok(bootstrap, topic, msgs)
    return {m["value"].decode() for m in msgs}


def wait_consumed(consumers, values, timeout=40):
    def got():
        return set().union(*(c.values() for c in consumers))
    wait_for(lambda: values <= got(), timeout, f"{len(values)} values consumed",
             lambda: f"missing {sorted(values - got())[:10]}\n" +
             "\n".join(c.describe() for c in consumers))


def check_counts(consumers, expected, exactly_once=True):
    """Every expected value consumed at least once, nothing else; with exactly_once, a record
    delivered twice must not have been committed successfully before its last delivery."""
    deliveries = collections.defaultdict(list)
    for c in consumers:
        with c.lock:
            for t, p, o, v, ok, ts in c.records:
                deliveries[(t, p, o)].append((ts, ok, v, c.name))
    got = {d[2] for ds in deliveries.values() for d in ds}
    assert not expected - got, f"never consumed: {sorted(expected - got)[:10]}"
    assert not got - expected, f"unexpected: {sorted(got - expected)[:10]}"
    if exactly_once:
        bad = {k: sorted(ds) for k, ds in deliveries.items()
               if len(ds) > 1 and (consumers[0].commit != "manual" or
                                   any(d[1] for d in sorted(ds)[:-1]))}
        assert not bad, f"consumed more than once although committed: {list(bad.items())[:5]}"


def committed(bootstrap, group, topic, partitions):
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                      request_timeout_ms=TIMEOUT_MS + 1000)
    try:
        return {p: c.committed(TopicPartition(topic, p)) for p in range(partitions)}
    finally:
        c.close()


def test_kp_split_leave_and_commits(broker, members):
    b = broker.bootstrap
    t = create_topic(b, partitions=4)
    g = unique("kpg")
    c1, c2 = members(b, g, t), members(b, g, t)
    a1, a2 = wait_split([c1, c2], t, 4)
    assert len(a1) == len(a2) == 2
    vals = produce_batch(b, t, 4, "a", 80)
    wait_consumed([c1, c2], vals)

    c2.stop()  # LeaveGroup: the partitions move at once, not after the session timeout
    t0 = time.monotonic()
    wait_for(lambda: c1.assignment() == {(t, p) for p in range(4)}, 20,
             "the remaining member to get every partition", lambda: c1.describe())
    assert time.monotonic() - t0 < SESSION_MS / 1000, "LeaveGroup did not trigger a rebalance"
    more = produce_batch(b, t, 4, "b", 40)
    vals |= more
    wait_consumed([c1], more)
    c1.stop()
    check_counts([c1, c2], vals)
    assert committed(b, g, t, 4) == {p: 30 for p in range(4)}


def test_kp_committed_offsets_honoured_after_restart(broker, members):
    b = broker.bootstrap
    t = create_topic(b, partitions=2)
    g = unique("kpg")
    first = produce_batch(b, t, 2, "a", 30)
    c1 = members(b, g, t)
    wait_consumed([c1], first)
    c1.stop()
    second = produce_batch(b, t, 2, "b", 20)
    c2 = members(b, g, t)
    wait_consumed([c2], second)
    time.sleep(1.0)
    c2.stop()
    assert c2.values() == second
    check_counts([c1, c2], first | second)

    broker.restart()
    assert committed(b, g, t, 2) == {0: 25, 1: 25}
    third = produce_batch(b, t, 2, "c", 10)
    c3 = members(b, g, t)
    wait_consumed([c3], third)
    time.sleep(1.0)
    c3.stop()
    assert c3.values() == third


def test_kp_auto_commit(broker, members):
    b = broker.bootstrap
    t = create_topic(b, partitions=2)
    g = unique("kpg")
    first = produce_batch(b, t, 2, "a", 20)
    c1 = members(b, g, t, commit="auto")
    wait_consumed([c1], first)
    wait_for(lambda: committed(b, g, t, 2) == {0: 10, 1: 10}, 15, "auto-commit")
    c1.stop()
    second = produce_batch(b, t, 2, "b", 10)
    c2 = members(b, g, t, commit="auto")
    wait_consumed([c2], second)
    time.sleep(1.0)
    c2.stop()
    assert c2.values() == second
    check_counts([c1, c2], first | second)


def test_kp_pub_sub_two_groups(broker, members):
    b = broker.bootstrap
    t = create_topic(b, partitions=2)
    ga, gb = unique("kpa"), unique("kpb")
    a = [members(b, ga, t), members(b, ga, t)]
    z = [members(b, gb, t)]
    wait_split(a, t, 2)
    wait_split(z, t, 2)
    vals = produce_batch(b, t, 2, "ps", 60)
    wait_consumed(a, vals)
    wait_consumed(z, vals)
    for c in a + z:
        c.stop()
    check_counts(a, vals)
    check_counts(z, vals)


def test_kp_admin_list_describe_offsets_delete(broker, members, kadmin):
    b = broker.bootstrap
    t = create_topic(b, partitions=2)
    g = unique("kpg")
    c1 = members(b, g, t, name="kp-member")
    wait_split([c1], t, 2)
    vals = produce_batch(b, t, 2, "x", 10)
    wait_consumed([c1], vals)
    wait_for(lambda: committed(b, g, t, 2) == {0: 5, 1: 5}, 10, "commits")

    assert (g, "consumer") in kadmin.list_consumer_groups()
    [d] = kadmin.describe_consumer_groups([g])
    assert (d.error_code, d.group, d.state, d.protocol_type, d.protocol) == \
        (0, g, "Stable", "consumer", "range")
    [m] = d.members
    assert m.client_id == "kp-member" and m.member_id and m.client_host
    assert m.member_metadata.subscription == [t]
    assert sorted(m.member_assignment.partitions()) == [TopicPartition(t, 0), TopicPartition(t, 1)]
    offs = kadmin.list_consumer_group_offsets(g)
    assert {tp: om.offset for tp, om in offs.items()} == \
        {TopicPartition(t, 0): 5, TopicPartition(t, 1): 5}
    # A group with members cannot be deleted.
    [(name, err)] = kadmin.delete_consumer_groups([g])
    assert (name, err) == (g, kerrors.NonEmptyGroupError), err

    c1.stop()
    check_counts([c1], vals)
    [d] = kadmin.describe_consumer_groups([g])
    assert d.state == "Empty" and d.members == []
    [(name, err)] = kadmin.delete_consumer_groups([g])
    assert (name, err) == (g, kerrors.NoError)
    assert g not in [x[0] for x in kadmin.list_consumer_groups()]
    assert kadmin.list_consumer_group_offsets(g) == {}
    [(name, err)] = kadmin.delete_consumer_groups([g])
    assert err is kerrors.GroupIdNotFoundError, err
    assert watermarks(b, t, 0) == (0, 5)  # deleting a group leaves the data alone
