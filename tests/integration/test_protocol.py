"""Hand-encoded requests for behaviour that no installed client exercises directly."""
import os
import pathlib
import time

import kafka_wire as w
from sluice_helpers import create_topic, produce_ok


def metadata_v0(port, topics):
    r = w.roundtrip(port, 3, 0, w.array([w.string(t) for t in topics]))
    brokers = r.array(lambda r: (r.i32(), r.string(), r.i32()))
    ts = r.array(lambda r: (r.i16(), r.string(), r.array(
        lambda r: (r.i16(), r.i32(), r.i32(), r.array(Reader_i32), r.array(Reader_i32)))))
    assert r.remaining() == 0
    return brokers, {name: (err, parts) for err, name, parts in ts}


def metadata_v1(port, topics):
    body = w.i32(-1) if topics is None else w.array([w.string(t) for t in topics])
    r = w.roundtrip(port, 3, 1, body)
    brokers = r.array(lambda r: (r.i32(), r.string(), r.i32(), r.string()))
    controller = r.i32()
    ts = r.array(lambda r: (r.i16(), r.string(), r.bool(), r.array(
        lambda r: (r.i16(), r.i32(), r.i32(), r.array(Reader_i32), r.array(Reader_i32)))))
    assert r.remaining() == 0
    return brokers, controller, {name: (err, parts) for err, name, _internal, parts in ts}


def Reader_i32(r):
    return r.i32()


def test_metadata_v0_empty_list_means_all_topics(broker):
    a = create_topic(broker.bootstrap, partitions=2)
    b = create_topic(broker.bootstrap)
    brokers, topics = metadata_v0(broker.port, [])
    [(node, host, port)] = brokers
    assert (host, port) == ("127.0.0.1", broker.port)
    assert {a, b} <= set(topics)
    err, parts = topics[a]
    assert err == 0
    assert sorted((p[1], p[2], p[3], p[4]) for p in parts) == \
        [(0, node, [node], [node]), (1, node, [node], [node])]


def test_metadata_v1_null_means_all_and_empty_means_none(broker):
    a = create_topic(broker.bootstrap)
    _, controller, topics = metadata_v1(broker.port, None)
    assert a in topics
    brokers, controller2, topics = metadata_v1(broker.port, [])
    assert topics == {}
    assert controller == controller2 == brokers[0][0]
    _, _, topics = metadata_v1(broker.port, [a, "no-such-topic-xyz"])
    assert topics[a][0] == 0
    # v1 has no allow_auto_topic_creation flag; creation follows the broker setting (on)
    assert topics["no-such-topic-xyz"][0] in (0, 3, 5)


def test_describe_cluster_v0(broker):
    body = w.i8(0) + w.TAGS  # include_cluster_authorized_operations=false
    r = w.roundtrip(broker.port, 60, 0, body, flexible=True)
    r.tags()  # response header v1
    assert r.i32() == 0  # throttle
    assert r.i16() == 0  # error code
    r.compact_string()  # error message
    cluster_id = r.compact_string()
    controller = r.i32()
    brokers = r.compact_array(lambda r: (r.i32(), r.compact_string(), r.i32(),
                                         r.compact_string(), r.tags()))
    r.i32()  # authorized operations
    r.tags()
    assert r.remaining() == 0
    assert cluster_id
    [(node, host, port, _rack, _)] = brokers
    assert (node, host, port) == (controller, "127.0.0.1", broker.port)


def test_produce_to_a_missing_topic_does_not_create_it(broker):
    """Kafka creates topics on Metadata (auto.create.topics.enable), never on Produce."""
    topic = "never-created-by-produce"
    batch = w.record_batch([(b"k", b"v", ())])
    for _ in range(2):
        r = w.roundtrip(broker.port, 0, 3, w.produce_v3_body(topic, 0, batch))
        assert w.parse_produce_v3(r)[(topic, 0)][0] == 3  # UNKNOWN_TOPIC_OR_PARTITION
    body = w.array([w.string(topic)]) + w.i8(0)  # Metadata v4, allow_auto_topic_creation=false
    r = w.roundtrip(broker.port, 3, 4, body)
    r.i32()  # throttle
    r.array(lambda r: (r.i32(), r.string(), r.i32(), r.string()))  # brokers
    r.string()  # cluster id
    r.i32()  # controller
    [(err, name)] = r.array(lambda r: (r.i16(), r.string(), r.bool(), r.array(
        lambda r: (r.i16(), r.i32(), r.i32(), r.array(Reader_i32), r.array(Reader_i32),
                   r.array(Reader_i32))))[:2])
    assert (err, name) == (3, topic)


def test_list_offsets_v1_earliest_latest(broker):
    t = create_topic(broker.bootstrap)
    produce_ok(broker.bootstrap, t, [{"partition": 0, "value": b"x"}] * 7)

    def query(ts):
        body = w.i32(-1) + w.array([w.string(t) + w.array([w.i32(0) + w.i64(ts)])])
        r = w.roundtrip(broker.port, 2, 1, body)
        [(name, [(idx, err, ts_out, off)])] = r.array(lambda r: (r.string(), r.array(
            lambda r: (r.i32(), r.i16(), r.i64(), r.i64()))))
        assert (name, idx, err) == (t, 0, 0)
        return off

    assert query(-2) == 0
    assert query(-1) == 7


def fetch_v4_full(port, topic, partition, offset, max_wait_ms, min_bytes=1, timeout=15,
                  isolation_level=0):
    """(error, high watermark, last stable offset, aborted transactions or None, records)."""
    body = (w.i32(-1) + w.i32(max_wait_ms) + w.i32(min_bytes) + w.i32(1 << 20)
            + w.i8(isolation_level)
            + w.array([w.string(topic) + w.array([w.i32(partition) + w.i64(offset)
                                                   + w.i32(1 << 20)])]))
    r = w.roundtrip(port, 1, 4, body, timeout=timeout)
    r.i32()  # throttle
    [(name, [(idx, err, hw, lso, aborted, records)])] = r.array(lambda r: (r.string(), r.array(
        lambda r: (r.i32(), r.i16(), r.i64(), r.i64(),
                   r.array(lambda r: (r.i64(), r.i64())), r._take(max(0, r.i32()))))))
    assert (name, idx) == (topic, partition)
    return err, hw, lso, aborted, records


def test_fetch_of_no_partition_is_answered_at_once(broker):
    """Kafka answers a fetch naming no partition without waiting max_wait_ms: the Java consumer
    sends one when it closes, and its close() waited for it."""
    body = (w.i32(-1) + w.i32(30000) + w.i32(1) + w.i32(1 << 20) + w.i8(0) + w.array([]))
    r = w.roundtrip(broker.port, 1, 4, body, timeout=10)  # max_wait 30 s, socket timeout 10 s
    r.i32()  # throttle
    assert r.array(lambda r: r.string()) == []


def fetch_v4(port, topic, partition, offset, max_wait_ms, min_bytes=1, timeout=15):
    err, hw, _lso, _aborted, records = fetch_v4_full(port, topic, partition, offset, max_wait_ms,
                                                     min_bytes, timeout)
    return err, hw, records


def test_fetch_reports_last_stable_offset_and_aborted_transactions_by_isolation(broker):
    t = create_topic(broker.bootstrap)
    produce_ok(broker.bootstrap, t, [{"partition": 0, "value": b"a"}, {"partition": 0, "value": b"b"}])
    # No transaction open: the last stable offset is the high watermark for both levels; only
    # read_committed gets an aborted-transaction list (empty), read_uncommitted a null one.
    err, hw, lso, aborted, records = fetch_v4_full(broker.port, t, 0, 0, 0, isolation_level=1)
    assert (err, hw, lso, aborted) == (0, 2, 2, [])
    assert b"b" in records
    err, hw, lso, aborted, records = fetch_v4_full(broker.port, t, 0, 0, 0, isolation_level=0)
    assert (err, hw, lso, aborted) == (0, 2, 2, None)


def test_fetch_long_poll_wakes_on_produce(broker):
    import threading
    import time
    t = create_topic(broker.bootstrap)
    produce_ok(broker.bootstrap, t, [{"partition": 0, "value": b"first"}])
    # nothing new at offset 1: the broker must hold the fetch for max_wait (not spin, not hang)
    t0 = time.monotonic()
    err, hw, records = fetch_v4(broker.port, t, 0, 1, 1000)
    waited = time.monotonic() - t0
    assert (err, hw, records) == (0, 1, b"")
    assert 0.8 <= waited < 5, f"empty fetch with max_wait 1000 ms returned after {waited:.2f}s"
    # data arriving during the wait completes the fetch early
    timer = threading.Timer(0.5, lambda: produce_ok(broker.bootstrap, t,
                                                    [{"partition": 0, "value": b"second"}]))
    timer.start()
    try:
        t0 = time.monotonic()
        err, hw, records = fetch_v4(broker.port, t, 0, 1, 8000)
        waited = time.monotonic() - t0
    finally:
        timer.join()
    assert err == 0 and hw == 2 and b"second" in records
    assert waited < 4, f"fetch was not woken by new data (returned after {waited:.2f}s)"


def test_debug_log_names_each_request(broker_factory):
    b = broker_factory(extra_args=["--log-level", "debug"])
    metadata_v1(b.port, [])
    deadline = time.monotonic() + 5
    while "Metadata v1 from client 'sluice-raw'" not in b.stderr_text():
        assert time.monotonic() < deadline, b.stderr_text()[-2000:]
        time.sleep(0.05)


# --------------------------------------------------------------------------- version ranges
# The versions added for issue 16, each checked against the layout in Kafka's message JSON.

def flexible_roundtrip(port, api_key, version, body):
    r = w.roundtrip(port, api_key, version, body, flexible=True)
    r.tags()  # response header v1
    return r


def offset_commit_v0_v1(port, version, group, topic, offset, commit_timestamp=-1, metadata="m"):
    """-> {(topic, partition): error}"""
    part = w.i32(0) + w.i64(offset) + (w.i64(commit_timestamp) if version == 1 else b"")
    head = w.string(group) + (w.i32(-1) + w.string("") if version == 1 else b"")
    body = head + w.array([w.string(topic) + w.array([part + w.string(metadata)])])
    r = w.roundtrip(port, 8, version, body)
    topics = r.array(lambda r: (r.string(), r.array(lambda r: (r.i32(), r.i16()))))
    assert r.remaining() == 0
    return {(name, idx): err for name, parts in topics for idx, err in parts}


def offset_fetch_v0_v1(port, version, group, topic):
    """-> (offset, metadata, error) of partition 0 (v0 and v1 share one layout)."""
    body = w.string(group) + w.array([w.string(topic) + w.array([w.i32(0)])])
    r = w.roundtrip(port, 9, version, body)
    [(name, [(idx, off, meta, err)])] = r.array(lambda r: (r.string(), r.array(
        lambda r: (r.i32(), r.i64(), r.string(), r.i16()))))
    assert r.remaining() == 0 and (name, idx) == (topic, 0)
    return off, meta, err


def test_offset_commit_v1_and_v0_read_back_by_offset_fetch_v0_and_v1(broker):
    # sarama 1.22 (and Burrow) commit with v1; the broker used to close the connection.
    t = create_topic(broker.bootstrap)
    g = f"g-{t}"
    assert offset_commit_v0_v1(broker.port, 1, g, t, 42, commit_timestamp=1700000000000) == \
        {(t, 0): 0}
    for version in (0, 1):
        assert offset_fetch_v0_v1(broker.port, version, g, t) == (42, "m", 0)
    # v0 has no membership: a standalone commit, into the same store.
    assert offset_commit_v0_v1(broker.port, 0, g, t, 43, metadata="v0") == {(t, 0): 0}
    assert offset_fetch_v0_v1(broker.port, 1, g, t) == (43, "v0", 0)
    assert offset_commit_v0_v1(broker.port, 1, g, "no-such-topic-v1", 1) == \
        {("no-such-topic-v1", 0): 3}  # UNKNOWN_TOPIC_OR_PARTITION


def offset_fetch_group(r):
    group = r.compact_string()
    topics = r.compact_array(lambda r: (r.compact_string(), r.compact_array(
        lambda r: (r.i32(), r.i64(), r.i32(), r.compact_string(), r.i16(), r.tags())), r.tags()))
    err = r.i16()
    r.tags()
    return group, {(name, p[0]): (p[1], p[4]) for name, parts, _ in topics or [] for p in parts}, err


def test_offset_fetch_v8_and_v9_batch_groups(broker):
    t = create_topic(broker.bootstrap)
    g1, g2 = f"g1-{t}", f"g2-{t}"
    assert offset_commit_v0_v1(broker.port, 1, g1, t, 7) == {(t, 0): 0}
    one_topic = w.compact_array([w.compact_string(t) + w.compact_array([w.i32(0)]) + w.TAGS])
    for version in (8, 9):
        # v9 adds member id and epoch, which a classic group ignores (as Kafka's does).
        member = w.compact_string("some-member") + w.i32(3) if version == 9 else b""
        groups = [w.compact_string(g1) + member + w.uvarint(0) + w.TAGS,  # null: all topics
                  w.compact_string(g2) + member + one_topic + w.TAGS]
        r = flexible_roundtrip(broker.port, 9, version,
                               w.compact_array(groups) + w.i8(0) + w.TAGS)
        assert r.i32() == 0  # throttle
        got = r.compact_array(offset_fetch_group)
        r.tags()
        assert r.remaining() == 0
        assert got == [(g1, {(t, 0): (7, 0)}, 0), (g2, {(t, 0): (-1, 0)}, 0)]


def test_find_coordinator_v4_answers_each_key(broker):
    for version in (4, 6):
        body = w.i8(0) + w.compact_array([w.compact_string("a"), w.compact_string("b"),
                                          w.compact_string("")]) + w.TAGS
        r = flexible_roundtrip(broker.port, 10, version, body)
        assert r.i32() == 0  # throttle
        coords = r.compact_array(lambda r: (r.compact_string(), r.i32(), r.compact_string(),
                                            r.i32(), r.i16(), r.compact_string(), r.tags()))
        r.tags()
        assert r.remaining() == 0
        [a, b, empty] = coords
        assert a[0] == "a" and b[0] == "b"
        for c in (a, b):
            assert (c[2], c[3], c[4]) == ("127.0.0.1", broker.port, 0)
        assert empty[1:5] == (-1, "", -1, 24)  # INVALID_GROUP_ID
    # Share groups (key type 2, v6) have no coordinator here: INVALID_REQUEST per key.
    body = w.i8(2) + w.compact_array([w.compact_string("s")]) + w.TAGS
    r = flexible_roundtrip(broker.port, 10, 6, body)
    r.i32()
    [(key, node, _host, _port, err, _msg, _)] = r.compact_array(
        lambda r: (r.compact_string(), r.i32(), r.compact_string(), r.i32(), r.i16(),
                   r.compact_string(), r.tags()))
    assert (key, node, err) == ("s", -1, 42)


def describe_cluster(port, version, endpoint_type=1, include_fenced=False):
    body = w.i8(0) + (w.i8(endpoint_type) if version >= 1 else b"") + \
        (w.i8(int(include_fenced)) if version >= 2 else b"") + w.TAGS
    r = flexible_roundtrip(port, 60, version, body)
    r.i32()  # throttle
    err = r.i16()
    msg = r.compact_string()
    etype = r.i8() if version >= 1 else None
    cluster_id = r.compact_string()
    controller = r.i32()
    brokers = r.compact_array(lambda r: (r.i32(), r.compact_string(), r.i32(),
                                         r.compact_string(),
                                         r.bool() if version >= 2 else None, r.tags()))
    r.i32()  # authorized operations
    r.tags()
    assert r.remaining() == 0
    return err, msg, etype, cluster_id, controller, brokers


def test_describe_cluster_v1_endpoint_type_and_v2_fenced(broker):
    err, msg, etype, cluster_id, controller, brokers = describe_cluster(broker.port, 1)
    assert (err, msg, etype) == (0, None, 1) and cluster_id
    [(node, host, port, _rack, _, _)] = brokers
    assert (node, host, port) == (controller, "127.0.0.1", broker.port)
    # A broker asked for controllers, or for an unknown type, answers as Kafka's brokers do.
    err, msg, _, _, _, brokers = describe_cluster(broker.port, 1, endpoint_type=2)
    assert err == 114 and msg and brokers == []  # MISMATCHED_ENDPOINT_TYPE
    err, _, _, _, _, _ = describe_cluster(broker.port, 1, endpoint_type=3)
    assert err == 115  # UNSUPPORTED_ENDPOINT_TYPE
    err, _, etype, _, _, brokers = describe_cluster(broker.port, 2, include_fenced=True)
    assert (err, etype) == (0, 1)
    assert [(b[0], b[4]) for b in brokers] == [(node, False)]  # one live node, never fenced


def list_groups_v5(port, types):
    body = w.compact_array([]) + w.compact_array([w.compact_string(t) for t in types]) + w.TAGS
    r = flexible_roundtrip(port, 16, 5, body)
    r.i32()  # throttle
    assert r.i16() == 0
    groups = r.compact_array(lambda r: (r.compact_string(), r.compact_string(),
                                        r.compact_string(), r.compact_string(), r.tags()))
    r.tags()
    assert r.remaining() == 0
    return {g[0]: (g[2], g[3]) for g in groups or []}


def test_list_groups_v5_group_type_and_types_filter(broker):
    t = create_topic(broker.bootstrap)
    g = f"g-{t}"
    assert offset_commit_v0_v1(broker.port, 1, g, t, 1) == {(t, 0): 0}
    assert list_groups_v5(broker.port, [])[g] == ("Empty", "classic")
    assert g in list_groups_v5(broker.port, ["Classic"])  # case-insensitive, like Kafka
    assert g not in list_groups_v5(broker.port, ["consumer"])


def describe_groups(port, version, group):
    body = w.compact_array([w.compact_string(group)]) + w.i8(0) + w.TAGS
    r = flexible_roundtrip(port, 15, version, body)
    r.i32()  # throttle
    [(err, msg, gid, state, *_)] = r.compact_array(lambda r: (
        r.i16(), r.compact_string() if version >= 6 else None, r.compact_string(),
        r.compact_string(), r.compact_string(), r.compact_string(),
        r.compact_array(lambda r: None), r.i32(), r.tags()))
    r.tags()
    assert r.remaining() == 0
    return err, msg, gid, state


def test_describe_groups_v6_unknown_group_is_group_id_not_found(broker):
    assert describe_groups(broker.port, 5, "no-such-group") == (0, None, "no-such-group", "Dead")
    err, msg, gid, state = describe_groups(broker.port, 6, "no-such-group")
    assert (err, gid, state) == (69, "no-such-group", "Dead")  # GROUP_ID_NOT_FOUND
    assert msg == "Group no-such-group not found."
    t = create_topic(broker.bootstrap)
    assert offset_commit_v0_v1(broker.port, 1, f"g-{t}", t, 1) == {(t, 0): 0}
    assert describe_groups(broker.port, 6, f"g-{t}") == (0, None, f"g-{t}", "Empty")


def list_offsets_flexible(port, version, topic, timestamp):
    part = w.i32(0) + w.i32(-1) + w.i64(timestamp) + w.TAGS
    body = (w.i32(-1) + w.i8(0)
            + w.compact_array([w.compact_string(topic) + w.compact_array([part]) + w.TAGS])
            + (w.i32(1000) if version >= 10 else b"") + w.TAGS)
    r = flexible_roundtrip(port, 2, version, body)
    r.i32()  # throttle
    [(name, [(idx, err, ts, off, epoch, _)], _)] = r.compact_array(lambda r: (
        r.compact_string(), r.compact_array(lambda r: (r.i32(), r.i16(), r.i64(), r.i64(),
                                                       r.i32(), r.tags())), r.tags()))
    r.tags()
    assert r.remaining() == 0 and (name, idx) == (topic, 0)
    return err, ts, off, epoch


def test_list_offsets_v8_earliest_local_and_v9_latest_tiered(broker):
    t = create_topic(broker.bootstrap)
    produce_ok(broker.bootstrap, t, [{"partition": 0, "value": b"x"}] * 3)
    for version in (8, 9, 10):
        assert list_offsets_flexible(broker.port, version, t, -2)[:3] == (0, -1, 0)
        # No tiered storage: the first local offset is the log start offset.
        assert list_offsets_flexible(broker.port, version, t, -4)[:3] == (0, -1, 0)
        assert list_offsets_flexible(broker.port, version, t, -1)[:3] == (0, -1, 3)
    # And nothing is tiered: Kafka answers a topic without remote storage -1, epoch -1.
    assert list_offsets_flexible(broker.port, 9, t, -5) == (0, -1, -1, -1)
    # Each special timestamp needs the version that introduced it; Kafka answers
    # UNSUPPORTED_VERSION below it, and for a negative timestamp it does not know.
    assert list_offsets_flexible(broker.port, 7, t, -4)[0] == 35
    assert list_offsets_flexible(broker.port, 8, t, -5)[0] == 35
    assert list_offsets_flexible(broker.port, 10, t, -6)[0] == 35


def test_join_group_v9_and_leave_group_v5_carry_reasons(solo_group_broker):
    port = solo_group_broker.port
    subscription = w.i16(0) + w.i32(0) + w.i32(-1)  # ConsumerProtocolSubscription v0, no topics
    protocols = w.compact_array([w.compact_string("range") + w.uvarint(len(subscription) + 1)
                                 + subscription + w.TAGS])

    def join(member_id):
        body = (w.compact_string("g-reasons") + w.i32(10000) + w.i32(10000)
                + w.compact_string(member_id) + w.uvarint(0) + w.compact_string("consumer")
                + protocols + w.compact_string("test reason") + w.TAGS)
        r = flexible_roundtrip(port, 11, 9, body)
        r.i32()  # throttle
        err, generation = r.i16(), r.i32()
        r.compact_string()  # protocol type
        r.compact_string()  # protocol name
        leader, skip = r.compact_string(), r.bool()
        member = r.compact_string()
        r.compact_array(lambda r: (r.compact_string(), r.compact_string(),
                                   r._take(r.uvarint() - 1), r.tags()))
        r.tags()
        assert r.remaining() == 0
        return err, generation, leader, skip, member

    err, _, _, _, member = join("")
    assert err == 79 and member  # MEMBER_ID_REQUIRED
    err, generation, leader, skip, again = join(member)
    assert (err, leader, skip, again) == (0, member, False, member) and generation >= 1
    body = (w.compact_string("g-reasons")
            + w.compact_array([w.compact_string(member) + w.uvarint(0)
                               + w.compact_string("shutting down") + w.TAGS]) + w.TAGS)
    r = flexible_roundtrip(port, 13, 5, body)
    r.i32()
    assert r.i16() == 0
    [(mid, _iid, err, _)] = r.compact_array(lambda r: (r.compact_string(), r.compact_string(),
                                                       r.i16(), r.tags()))
    assert (mid, err) == (member, 0)


def init_producer_id(port, txn_id):
    r = w.roundtrip(port, 22, 0, w.string(txn_id) + w.i32(60000))
    r.i32()  # throttle
    err, pid, _epoch = r.i16(), r.i64(), r.i16()
    assert err == 0
    return pid


def list_transactions_v2(port, pattern):
    body = (w.compact_array([]) + w.compact_array([]) + w.i64(-1) + w.compact_string(pattern)
            + w.TAGS)
    r = flexible_roundtrip(port, 66, 2, body)
    r.i32()  # throttle
    err = r.i16()
    r.compact_array(lambda r: r.compact_string())
    states = r.compact_array(lambda r: (r.compact_string(), r.i64(), r.compact_string(), r.tags()))
    r.tags()
    assert r.remaining() == 0
    return err, {s[0]: s[1] for s in states or []}


def test_list_transactions_v2_transactional_id_pattern(broker):
    from sluice_helpers import unique
    prefix = unique("txn")
    pids = {f"{prefix}-{s}": init_producer_id(broker.port, f"{prefix}-{s}") for s in "ab"}
    assert list_transactions_v2(broker.port, f"{prefix}-.*") == (0, pids)
    assert list_transactions_v2(broker.port, f"{prefix}-[b-z]") == (0, {f"{prefix}-b": pids[f"{prefix}-b"]})
    # The whole id must match, as with Kafka's Pattern.matches().
    assert list_transactions_v2(broker.port, prefix) == (0, {})
    err, listed = list_transactions_v2(broker.port, None)
    assert err == 0 and pids.items() <= listed.items()
    assert list_transactions_v2(broker.port, "(") == (128, {})  # INVALID_REGULAR_EXPRESSION


def test_api_versions_advertises_the_widened_ranges(broker):
    err, ranges = w.parse_api_versions_v0(w.roundtrip(broker.port, 18, 0, b""))
    assert err == 0
    expected = {0: (3, 11), 2: (1, 10), 8: (0, 9), 9: (0, 9), 10: (0, 6), 11: (0, 9),
                13: (0, 5), 15: (0, 6), 16: (0, 5), 18: (0, 4), 22: (0, 5), 25: (0, 4),
                26: (0, 4), 28: (0, 4), 60: (0, 2), 66: (0, 2)}
    assert {k: ranges.get(k) for k in expected} == expected
    # Versions that fetch or produce by topic id or need transaction.version 2 stay out: Fetch
    # 13+, AddPartitionsToTxn 4+ (also broker-to-broker), WriteTxnMarkers 2. Metadata carries
    # topic ids up to Kafka 4.4's v13.
    assert ranges[1][1] == 12 and ranges[3] == (0, 13) and ranges[24][1] == 3
    assert ranges[27] == (1, 1)


def describe_log_dirs(port, version, topics):
    """topics: None (all) or {topic: [partitions]} -> (error, [(error, dir, {topic: {p: (size,
    lag, future)}}, total, usable, cordoned)])"""
    flex = version >= 2
    arr, s = (w.compact_array, w.compact_string) if flex else (w.array, w.string)
    if topics is None:
        body = w.uvarint(0) if flex else w.i32(-1)
    else:
        body = arr([s(t) + arr([w.i32(p) for p in ps]) + (w.TAGS if flex else b"")
                    for t, ps in topics.items()])
    if flex:
        body += w.TAGS
    r = flexible_roundtrip(port, 35, version, body) if flex else w.roundtrip(port, 35, version,
                                                                              body)
    rarr, rs = (r.compact_array, r.compact_string) if flex else (r.array, r.string)

    def partition(r):
        p = (r.i32(), r.i64(), r.i64(), r.bool())
        if flex:
            r.tags()
        return p

    def topic(r):
        name = rs()
        parts = rarr(partition)
        if flex:
            r.tags()
        return name, {p[0]: p[1:] for p in parts}

    def result(r):
        err, path, ts = r.i16(), rs(), dict(rarr(topic))
        total, usable = (r.i64(), r.i64()) if version >= 4 else (None, None)
        cordoned = r.bool() if version >= 5 else None
        if flex:
            r.tags()
        return err, path, ts, total, usable, cordoned

    r.i32()  # throttle
    err = r.i16() if version >= 3 else 0
    results = rarr(result)
    if flex:
        r.tags()
    assert r.remaining() == 0
    return err, results


def test_describe_log_dirs_v0_to_v5(broker):
    t = create_topic(broker.bootstrap, partitions=2)
    produce_ok(broker.bootstrap, t, [{"value": b"x" * 100, "partition": 1}] * 10)
    data_dir = os.path.abspath(broker.data_dir)
    size1 = sum(f.stat().st_size for f in pathlib.Path(data_dir, f"{t}-1").glob("*.log"))
    assert size1 > 1000
    for version in range(6):
        # Named partitions: the missing partition 7 and topic are left out, as in Kafka.
        err, [(derr, path, topics, total, usable, cordoned)] = describe_log_dirs(
            broker.port, version, {t: [0, 1, 7], "no-such-topic": [0]})
        assert (err, derr, path) == (0, 0, data_dir)
        assert topics == {t: {0: (0, 0, False), 1: (size1, 0, False)}}
        if version >= 4:
            assert total >= usable > 0
        assert cordoned is (False if version >= 5 else None)
        # Null: every partition of every topic.
        _, [(_, _, everything, _, _, _)] = describe_log_dirs(broker.port, version, None)
        assert everything[t] == topics[t]


def describe_topic_partitions(port, topics, limit=2000, cursor=None):
    """-> ([(error, name, id, internal, [partition index])], next cursor or None)"""
    body = (w.compact_array([w.compact_string(t) + w.TAGS for t in topics]) + w.i32(limit) +
            (w.i8(1) + w.compact_string(cursor[0]) + w.i32(cursor[1]) + w.TAGS if cursor
             else w.i8(-1)) + w.TAGS)
    r = flexible_roundtrip(port, 75, 0, body)

    def partition(r):
        err, index, leader, epoch = r.i16(), r.i32(), r.i32(), r.i32()
        replicas, isr = r.compact_array(Reader_i32), r.compact_array(Reader_i32)
        elr, last_elr = r.compact_array(Reader_i32), r.compact_array(Reader_i32)
        offline = r.compact_array(Reader_i32)
        r.tags()
        assert (err, replicas, isr, elr, last_elr, offline) == (0, [leader], [leader], [], [], [])
        assert epoch >= 0
        return index

    def topic(r):
        err, name, tid, internal = r.i16(), r.compact_string(), r._take(16), r.bool()
        parts = r.compact_array(partition)
        assert r.i32() == -2147483648  # authorized operations: not asked
        r.tags()
        return err, name, tid, internal, parts

    r.i32()  # throttle
    out = r.compact_array(topic)
    nxt = None
    if r.i8() >= 0:
        nxt = (r.compact_string(), r.i32())
        r.tags()
    r.tags()
    assert r.remaining() == 0
    return out, nxt


def test_describe_topic_partitions_pages_in_name_order(broker):
    a = create_topic(broker.bootstrap, partitions=3)
    b = a + "-b"
    create_topic(broker.bootstrap, name=b, partitions=2)
    missing = a + "-missing"
    topics, nxt = describe_topic_partitions(broker.port, [b, missing, a])
    assert [(t[0], t[1], t[3], t[4]) for t in topics] == [
        (0, a, False, [0, 1, 2]), (0, b, False, [0, 1]), (3, missing, False, [])]
    assert nxt is None and topics[0][2] != bytes(16) and topics[2][2] == bytes(16)
    # Two partitions a page: the cursor goes on inside a topic and across topics.
    pages, cursor = [], None
    while True:
        topics, cursor = describe_topic_partitions(broker.port, [a, b], limit=2, cursor=cursor)
        pages.append([(t[1], t[4]) for t in topics])
        if cursor is None:
            break
    assert pages == [[(a, [0, 1])], [(a, [2]), (b, [0])], [(b, [1])]]
    # No topics named: every topic, each existing; internal topics say so.
    # A user topic named like an internal one is not internal (Kafka: only its own topics are);
    # a commit makes sure __consumer_offsets exists to be listed as internal.
    user = create_topic(broker.bootstrap, name="__user-" + a)
    assert offset_commit_v0_v1(broker.port, 1, "g-" + a, a, 1) == {(a, 0): 0}
    everything, _ = describe_topic_partitions(broker.port, [])
    names = [t[1] for t in everything]
    assert names == sorted(names) and a in names and b in names and user in names
    internal = {t[1]: t[3] for t in everything}
    assert internal[user] is False and internal["__consumer_offsets"] is True
    # A cursor outside the named topics, or at a negative partition: INVALID_REQUEST.
    for cursor in ((missing + "x", 0), (a, -1)):
        topics, _ = describe_topic_partitions(broker.port, [a], cursor=cursor)
        assert [(t[0], t[1]) for t in topics] == [(42, a)]


def metadata_v12(port, topics, version=12):
    """topics: [name or 16-byte id] -> ([(error, name, id, [partition])], top-level error)"""
    def entry(t):
        tid, name = (t, None) if isinstance(t, bytes) else (bytes(16), t)
        return tid + w.compact_string(name) + w.TAGS
    body = w.compact_array([entry(t) for t in topics]) + w.i8(0) + w.i8(0) + w.TAGS
    r = flexible_roundtrip(port, 3, version, body)
    r.i32()  # throttle
    r.compact_array(lambda r: (r.i32(), r.compact_string(), r.i32(), r.compact_string(),
                               r.tags()))
    r.compact_string()  # cluster id
    r.i32()  # controller

    def partition(r):
        err, index = r.i16(), r.i32()
        r.i32(), r.i32(), r.compact_array(Reader_i32), r.compact_array(Reader_i32)
        r.compact_array(Reader_i32)
        r.tags()
        assert err == 0
        return index

    def topic(r):
        err, name, tid, _internal = r.i16(), r.compact_string(), r._take(16), r.bool()
        parts = r.compact_array(partition)
        r.i32()  # authorized operations
        r.tags()
        return err, name, tid, parts

    topics = r.compact_array(topic)
    err = r.i16() if version >= 13 else None
    r.tags()
    assert r.remaining() == 0
    return topics, err


def test_metadata_v12_names_topics_by_id_and_v13_has_a_top_level_error(broker):
    t = create_topic(broker.bootstrap, partitions=2)
    [(err, name, tid, parts)], _ = metadata_v12(broker.port, [t])
    assert (err, name, parts) == (0, t, [0, 1]) and tid != bytes(16)
    # The same topic by its id; an id nobody has gets UNKNOWN_TOPIC_ID and no name.
    unknown = bytes(range(1, 17))
    topics, top = metadata_v12(broker.port, [tid, unknown], version=13)
    assert [(e, n, i, p) for e, n, i, p in topics] == [(0, t, tid, [0, 1]),
                                                       (100, None, unknown, [])]
    assert top == 0


def delete_topics_v6(port, entries):
    """entries: [(name or None, 16-byte id)] -> {(name, id): error}"""
    body = (w.compact_array([w.compact_string(n) + tid + w.TAGS for n, tid in entries]) +
            w.i32(10000) + w.TAGS)
    r = flexible_roundtrip(port, 20, 6, body)
    r.i32()  # throttle
    results = r.compact_array(lambda r: (r.compact_string(), r._take(16), r.i16(),
                                         r.compact_string(), r.tags()))
    r.tags()
    assert r.remaining() == 0
    return {(n, tid): err for n, tid, err, _msg, _ in results}


def test_delete_topics_v6_by_id_and_kafkas_checks(broker):
    t1, t2, t3 = (create_topic(broker.bootstrap) for _ in range(3))
    ids = {name: tid for _, name, tid, _ in metadata_v12(broker.port, [t1, t2, t3])[0]}
    unknown = bytes(range(1, 17))
    zero = bytes(16)
    got = delete_topics_v6(broker.port, [(None, ids[t1]), (None, unknown), (t2, ids[t2]),
                                         (t3, zero), (t3, zero)])
    assert got == {(t1, ids[t1]): 0,               # by id: deleted, named in the answer
                   (None, unknown): 100,           # UNKNOWN_TOPIC_ID
                   (t2, ids[t2]): 42,              # name and id both: INVALID_REQUEST
                   (t3, zero): 42}                 # named twice: INVALID_REQUEST, kept
    left = {name: err for err, name, _, _ in metadata_v12(broker.port, [t1, t2, t3])[0]}
    assert left == {t1: 3, t2: 0, t3: 0}
    assert delete_topics_v6(broker.port, [(t2, zero)]) == {(t2, ids[t2]): 0}  # by name: its id
