"""Consumer groups with kafkajs 2.2.4 (pure JS; JoinGroup v5 with the MEMBER_ID_REQUIRED round trip,
SyncGroup/Heartbeat v3, LeaveGroup v3 batched, OffsetCommit v5, OffsetFetch v4, admin ListGroups,
DescribeGroups, DeleteGroups), driven through js/groups.js."""
import collections

import kafkajs_runner
from kafkajs_runner import ok
from sluice_helpers import create_topic, produce_ok, unique

pytestmark = kafkajs_runner.REQUIRED


def run_js(broker, *steps, timeout=100):
    """Runs the steps in one node process; returns (results, records by consumer name)."""
    out = kafkajs_runner.run("groups.js", broker, steps, timeout, timeoutMs=(timeout - 10) * 1000)
    return out["results"], out["records"]


def all_ok(results, steps=None):
    for i, r in enumerate(results):
        ok(r, i)


def batch(topic, partitions, tag, n):
    msgs = [{"partition": i % partitions, "value": f"{tag}-{i}"} for i in range(n)]
    return msgs, [m["value"] for m in msgs]


def produce_step(topic, msgs):
    return {"op": "produce", "topic": topic, "messages": msgs}


def check_counts(records, names, expected, exactly_once=True, manual=True):
    """Every expected value consumed at least once, nothing unexpected; with exactly_once, a
    duplicate delivery is allowed only when the earlier delivery was not committed (manual
    commits are recorded per message)."""
    deliveries = collections.defaultdict(list)
    for n in names:
        for r in records.get(n, []):
            deliveries[(r["t"], r["p"], r["o"])].append((r["ts"], r["committed"], r["v"], n))
    got = {d[2] for ds in deliveries.values() for d in ds}
    expected = set(expected)
    assert not expected - got, f"never consumed: {sorted(expected - got)[:10]}"
    assert not got - expected, f"unexpected: {sorted(got - expected)[:10]}"
    if exactly_once:
        bad = {k: sorted(ds) for k, ds in deliveries.items()
               if len(ds) > 1 and (not manual or any(d[1] for d in sorted(ds)[:-1]))}
        assert not bad, f"consumed more than once although committed: {list(bad.items())[:5]}"


def test_js_split_leave_pub_sub_and_commits(broker):
    t = create_topic(broker.bootstrap, partitions=4)
    g, other = unique("jsg"), unique("jsh")
    m1, v1 = batch(t, 4, "a", 80)
    m2, v2 = batch(t, 4, "b", 40)
    m3, v3 = batch(t, 4, "c", 20)
    steps = [
        {"op": "start", "name": "c1", "groupId": g, "topic": t, "autoCommit": False},
        {"op": "start", "name": "c2", "groupId": g, "topic": t, "autoCommit": False},
        {"op": "start", "name": "o1", "groupId": other, "topic": t},  # pub-sub: another group
        {"op": "waitSplit", "names": ["c1", "c2"], "topic": t, "partitions": 4},
        {"op": "waitSplit", "names": ["o1"], "topic": t, "partitions": 4},
        produce_step(t, m1),
        {"op": "waitConsumed", "names": ["c1", "c2"], "values": v1},
        {"op": "waitConsumed", "names": ["o1"], "values": v1},
        {"op": "stop", "name": "c2"},  # LeaveGroup
        {"op": "waitSplit", "names": ["c1"], "topic": t, "partitions": 4, "timeoutMs": 20000},
        produce_step(t, m2),
        {"op": "waitConsumed", "names": ["c1"], "values": v2},
        {"op": "waitConsumed", "names": ["o1"], "values": v2},
        {"op": "stop", "name": "c1"},
        {"op": "stop", "name": "o1"},
        {"op": "fetchOffsets", "groupId": g, "topic": t},
        {"op": "fetchOffsets", "groupId": other, "topic": t},
        produce_step(t, m3),
        # A restarted member resumes at the committed offsets.
        {"op": "start", "name": "c3", "groupId": g, "topic": t, "autoCommit": False},
        {"op": "waitConsumed", "names": ["c3"], "values": v3},
        {"op": "sleep", "ms": 1000},
        {"op": "stop", "name": "c3"},
    ]
    results, records = run_js(broker, *steps)
    all_ok(results)
    a1, a2 = results[3]["ok"]
    assert len(a1) == len(a2) == 2, (a1, a2)
    for res in (results[15], results[16]):
        [offs] = ok(res)
        assert {p["partition"]: p["offset"] for p in offs["partitions"]} == \
            {p: "30" for p in range(4)}, offs
    assert sorted(r["v"] for r in records["c3"]) == sorted(v3)
    check_counts(records, ["c1", "c2", "c3"], v1 + v2 + v3)
    check_counts(records, ["o1"], v1 + v2, manual=False)


def test_js_admin_groups(broker):
    t = create_topic(broker.bootstrap, partitions=2)
    g = unique("jsg")
    m1, v1 = batch(t, 2, "x", 10)
    produce_ok(broker.bootstrap, t, [{"partition": m["partition"], "value": m["value"].encode()}
                                     for m in m1])
    steps = [
        {"op": "start", "name": "c1", "groupId": g, "topic": t},
        {"op": "waitSplit", "names": ["c1"], "topic": t, "partitions": 2},
        {"op": "waitConsumed", "names": ["c1"], "values": v1},
        {"op": "listGroups"},
        {"op": "describeGroups", "groupIds": [g]},
        {"op": "deleteGroups", "groupIds": [g]},  # 5: refused, the group has a member
        {"op": "stop", "name": "c1"},
        {"op": "describeGroups", "groupIds": [g]},
        {"op": "fetchOffsets", "groupId": g, "topic": t},
        {"op": "resetOffsets", "groupId": g, "topic": t, "earliest": True},
        {"op": "fetchOffsets", "groupId": g, "topic": t},
        {"op": "start", "name": "c2", "groupId": g, "topic": t},  # reads everything again
        {"op": "waitConsumed", "names": ["c2"], "values": v1},
        {"op": "stop", "name": "c2"},
        {"op": "fetchOffsets", "groupId": g, "topic": t},
        {"op": "deleteGroups", "groupIds": [g]},
        {"op": "listGroups"},
        {"op": "fetchOffsets", "groupId": g, "topic": t},
        {"op": "deleteGroups", "groupIds": [g]},
    ]
    r, records = run_js(broker, *steps)
    for i in (0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17):
        ok(r[i], i)
    assert {"groupId": g, "protocolType": "consumer"} in ok(r[3])
    [d] = ok(r[4])
    assert (d["groupId"], d["errorCode"], d["state"], d["protocolType"], d["protocol"]) == \
        (g, 0, "Stable", "consumer", "RoundRobinAssigner"), d
    [m] = d["members"]
    assert m["memberId"] and m["clientId"] == "sluice-it-kafkajs-groups" and m["clientHost"]
    assert m["metadata"]["topics"] == [t]
    assert m["assignment"]["assignment"] == {t: [0, 1]}
    err = r[5].get("error")
    assert err and [x["type"] for x in err.get("groups", [])] == ["NON_EMPTY_GROUP"], r[5]
    [d] = ok(r[7])
    assert d["state"] == "Empty" and d["members"] == []
    [offs] = ok(r[8])
    assert {p["partition"]: p["offset"] for p in offs["partitions"]} == {0: "5", 1: "5"}
    # kafkajs resetOffsets joins the group and commits the logical offset -2 (EARLIEST) itself;
    # Kafka stores commits as given, and the next kafkajs member treats it as "from beginning".
    [offs] = ok(r[10])
    assert {p["partition"]: p["offset"] for p in offs["partitions"]} == {0: "-2", 1: "-2"}, offs
    assert sorted(x["v"] for x in records["c2"]) == sorted(v1)
    [offs] = ok(r[14])
    assert {p["partition"]: p["offset"] for p in offs["partitions"]} == {0: "5", 1: "5"}
    assert [x["errorCode"] for x in ok(r[15])] == [0], r[15]
    assert g not in [x["groupId"] for x in ok(r[16])]
    [offs] = ok(r[17])
    assert {p["partition"]: p["offset"] for p in offs["partitions"]} == {0: "-1", 1: "-1"}
    err = r[18].get("error")
    assert err and [x["type"] for x in err.get("groups", [])] == ["GROUP_ID_NOT_FOUND"], r[18]
    check_counts(records, ["c1"], v1, manual=False)
