"""Hostile and malformed input on raw sockets. After every case the broker must still be alive and
serve a normal client."""
import random
import socket
import struct
import threading
import time

import pytest

import kafka_wire as w
from sluice_helpers import consume_all, create_topic, health_check, watermarks

# The API table the spec promises (key: (min, max)); nothing else may be advertised.
SPEC_APIS = {0: (3, 11), 1: (4, 12), 2: (1, 10), 3: (0, 13), 18: (0, 4), 19: (0, 7), 20: (0, 6),
             37: (0, 3), 32: (0, 4), 33: (0, 2), 44: (0, 1), 21: (0, 2), 60: (0, 2),
             # consumer groups (KAFKA-COMPAT.md matrix; min 0 where librdkafka needs it)
             8: (0, 9), 9: (0, 9), 10: (0, 6), 11: (0, 9), 12: (0, 4), 13: (0, 5), 14: (0, 5),
             15: (0, 6), 16: (0, 5), 42: (0, 2), 47: (0, 0),
             # the idempotent producer
             22: (0, 5), 61: (0, 0), 35: (0, 5), 75: (0, 0),
             # transactions (KIP-664 admin: DescribeTransactions, ListTransactions)
             24: (0, 3), 25: (0, 4), 26: (0, 4), 28: (0, 4), 65: (0, 0), 66: (0, 2),
             # transaction markers (KIP-664 abort of hanging transactions)
             27: (1, 1)}


@pytest.fixture(scope="module")
def hb(module_broker):
    return module_broker


@pytest.fixture(autouse=True)
def _healthy_after(hb):
    yield
    health_check(hb)


def api_versions_frame(corr, version=0):
    if version >= 3:
        body = w.compact_string("sluice-raw") + w.compact_string("1.0") + w.TAGS
        return w.request(18, version, corr, body, flexible=True)
    return w.request(18, version, corr, b"")


def read_api_versions_v0(sock, corr):
    r = w.Reader(w.recv_frame(sock))
    assert r.i32() == corr
    return w.parse_api_versions_v0(r)


# ----------------------------------------------------------------------------- framing


@pytest.mark.parametrize("payload", [
    b"\x00\x00",                                          # half a size field
    w.i32(100) + b"\x00\x12\x00\x00\x00\x00",             # promises 100 bytes, sends 6
    api_versions_frame(1)[:-3],                           # header cut short
    w.request(3, 1, 7, w.array([w.string("abc")]))[:-2],  # body cut short
])
def test_truncated_frame_then_close(hb, payload):
    with w.connect(hb.port) as s:
        s.sendall(payload)
    time.sleep(0.1)


@pytest.mark.parametrize("size", [-1, -(2 ** 31), 2 ** 31 - 1, 104857600 + 1])
def test_bad_frame_size_closes_connection(hb, size):
    with w.connect(hb.port) as s:
        s.sendall(w.i32(size) + b"\x00\x12\x00\x00")
        assert w.wait_closed(s, 5), f"connection not closed after frame size {size}"


def test_tiny_frame_closes_connection(hb):
    for payload in (w.i32(0), w.i32(2) + b"\x00\x12", w.i32(5) + b"\x00\x12\x00\x00\x00"):
        with w.connect(hb.port) as s:
            s.sendall(payload)
            assert w.wait_closed(s, 5), f"connection not closed after {payload!r}"


def test_unknown_api_key(hb):
    with w.connect(hb.port) as s:
        s.sendall(w.request(999, 0, 4242, b"\x00" * 8))
        try:
            frame = w.recv_frame(s)
        except (ConnectionError, OSError):
            return  # closing the connection is acceptable
        assert w.Reader(frame).i32() == 4242, "response to unknown API has wrong correlation id"


def test_byte_at_a_time_request(hb):
    frame = api_versions_frame(77)
    with w.connect(hb.port) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(frame)):
            s.sendall(frame[i:i + 1])
            time.sleep(0.005)
        err, apis = read_api_versions_v0(s, 77)
    assert err == 0 and apis == SPEC_APIS


def test_pipelined_requests_answered_in_order(hb):
    topic = create_topic(hb.bootstrap)
    meta = w.request(3, 1, 0, w.array([w.string(topic)]))
    frames = []
    for corr in range(100, 130):
        frames.append(api_versions_frame(corr) if corr % 2 else
                      meta[:8] + w.i32(corr) + meta[12:])
    with w.connect(hb.port) as s:
        s.sendall(b"".join(frames))
        for corr in range(100, 130):
            r = w.Reader(w.recv_frame(s))
            assert r.i32() == corr, "responses out of order"


def test_connection_churn(hb):
    for i in range(200):
        s = socket.create_connection(("127.0.0.1", hb.port), timeout=5)
        if i % 2:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
        s.close()


# ----------------------------------------------------------------------------- ApiVersions


def test_api_versions_v0_table(hb):
    r = w.roundtrip(hb.port, 18, 0, b"", corr_id=11)
    err, apis = w.parse_api_versions_v0(r)
    assert err == 0
    assert r.remaining() == 0
    assert apis == SPEC_APIS


@pytest.mark.parametrize("version", [1, 2])
def test_api_versions_v1_v2_table(hb, version):
    r = w.roundtrip(hb.port, 18, version, b"", corr_id=12)
    err, apis = w.parse_api_versions_v0(r)
    assert r.i32() == 0  # throttle_time_ms
    assert r.remaining() == 0
    assert err == 0 and apis == SPEC_APIS


def test_api_versions_v3_flexible(hb):
    with w.connect(hb.port) as s:
        s.sendall(api_versions_frame(13, version=3))
        r = w.Reader(w.recv_frame(s))
    assert r.i32() == 13  # ApiVersions responses always use header v0 (no tagged fields)
    assert r.i16() == 0
    keys = r.compact_array(lambda r: (r.i16(), r.i16(), r.i16(), r.tags()))
    assert r.i32() == 0  # throttle
    r.tags()
    assert r.remaining() == 0
    assert {k: (lo, hi) for k, lo, hi, _ in keys} == SPEC_APIS


def test_api_versions_unsupported_version(hb):
    with w.connect(hb.port) as s:
        s.sendall(w.request(18, 99, 14, w.compact_string("x") + w.compact_string("y") + w.TAGS,
                            flexible=True))
        err, apis = read_api_versions_v0(s, 14)
        assert err == 35  # UNSUPPORTED_VERSION, body in v0 format
        assert 18 in apis and apis[18] == SPEC_APIS[18]
        # the connection stays usable for a correctly versioned retry
        s.sendall(api_versions_frame(15))
        err, apis = read_api_versions_v0(s, 15)
        assert err == 0 and apis == SPEC_APIS


def test_unsupported_version_of_other_api_is_rejected(hb):
    with w.connect(hb.port) as s:
        s.sendall(w.request(0, 1, 16, w.i16(1) + w.i32(1000) + w.array([])))  # Produce v1
        try:
            frame = w.recv_frame(s)
        except (ConnectionError, OSError):
            return  # closing is what Kafka does
        assert w.Reader(frame).i32() == 16


def test_refusals_are_logged_once_per_client_and_cause(hb):
    """A request the broker can only answer by closing is logged at info, naming the client,
    once per client and cause however often it retries."""
    client = f"refused-{random.randrange(1 << 30)}"
    frames = [w.request(0, 1, 16, w.i16(1) + w.i32(1000) + w.array([]), client_id=client),
              w.request(999, 0, 17, b"\x00" * 8, client_id=client),
              w.request(3, 1, 18, w.i32(5), client_id=client)]  # Metadata v1: array cut short
    for _ in range(3):
        for frame in frames:
            with w.connect(hb.port) as s:
                s.sendall(frame)
                w.wait_closed(s)

    def lines():
        return [l for l in hb.stderr_text().splitlines() if f"'{client}'" in l]
    deadline = time.monotonic() + 5
    while len(lines()) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    found = lines()
    assert len(found) == 3, found
    assert any("Produce v1" in l and "versions 3-" in l for l in found), found
    assert any("API key 999" in l for l in found), found
    assert any("malformed Metadata v1" in l for l in found), found


# ----------------------------------------------------------------------------- Produce by hand


def produce_raw(port, topic, partition, batch, acks=-1):
    r = w.roundtrip(port, 0, 3, w.produce_v3_body(topic, partition, batch, acks=acks), corr_id=21)
    res = w.parse_produce_v3(r)
    assert r.remaining() == 0
    return res[(topic, partition)]


def test_handmade_produce_v3(hb):
    topic = create_topic(hb.bootstrap)
    ts = int(time.time() * 1000)
    batch = w.record_batch([(b"k0", b"v0", [(b"h", b"x")]), (None, b"v1", []), (b"k2", None, [])],
                           base_timestamp=ts)
    err, base, lat = produce_raw(hb.port, topic, 0, batch)
    assert (err, base, lat) == (0, 0, -1)
    m0, m1, m2 = consume_all(hb.bootstrap, topic, 0, 0, 3)
    assert (m0.key, m0.value, m0.headers, m0.ts) == (b"k0", b"v0", [("h", b"x")], ts)
    assert (m1.key, m1.value, m2.key, m2.value) == (None, b"v1", b"k2", None)
    err, base, _ = produce_raw(hb.port, topic, 0, w.record_batch([(None, b"v3", [])]))
    assert (err, base) == (0, 3)


def test_produce_bad_crc_is_corrupt_message(hb):
    topic = create_topic(hb.bootstrap)
    batch = w.record_batch([(b"k", b"v", [])], corrupt_crc=True)
    err, _, _ = produce_raw(hb.port, topic, 0, batch)
    assert err == 2  # CORRUPT_MESSAGE
    assert watermarks(hb.bootstrap, topic) == (0, 0)


@pytest.mark.parametrize("damage", ["truncated", "bad-length", "bad-magic", "bad-count"])
def test_produce_malformed_batch_rejected(hb, damage):
    topic = create_topic(hb.bootstrap)
    batch = w.record_batch([(b"k", b"value-%d" % i, []) for i in range(3)])
    if damage == "truncated":
        batch = batch[:-5]
    elif damage == "bad-length":  # batch length field larger than the data
        batch = batch[:8] + w.i32(len(batch) + 100) + batch[12:]
    elif damage == "bad-magic":
        batch = batch[:16] + b"\x07" + batch[17:]
    elif damage == "bad-count":  # record count says 9 but only 3 records follow (CRC recomputed)
        body = batch[21:57] + w.i32(9) + batch[61:]
        batch = batch[:17] + struct.pack(">I", w.crc32c(body)) + body
    err, _, _ = produce_raw(hb.port, topic, 0, batch)
    assert err != 0, f"{damage} batch was accepted"
    # CORRUPT_MESSAGE, INVALID_RECORD, UNSUPPORTED_VERSION, INVALID_REQUEST,
    # UNSUPPORTED_FOR_MESSAGE_FORMAT
    assert err in (2, 87, 35, 42, 43), f"unexpected error {err}"
    assert watermarks(hb.bootstrap, topic) == (0, 0)


def test_produce_to_missing_partition(hb):
    topic = create_topic(hb.bootstrap)
    err, _, _ = produce_raw(hb.port, topic, 7, w.record_batch([(None, b"v", [])]))
    assert err == 3  # UNKNOWN_TOPIC_OR_PARTITION


# ----------------------------------------------------------------------------- fuzzing


def _templates(topic):
    batch = w.record_batch([(b"key", b"value", [(b"h", b"v")])])
    return [
        api_versions_frame(1), api_versions_frame(2, 3),
        w.request(3, 1, 3, w.array([w.string(topic)])),
        w.request(3, 9, 4, w.compact_array([w.compact_string(topic) + w.TAGS])
                  + b"\x01\x00\x00" + w.TAGS, flexible=True),
        w.request(0, 3, 5, w.produce_v3_body(topic, 0, batch)),
        w.request(2, 1, 6, w.i32(-1) + w.array([w.string(topic) + w.array(
            [w.i32(0) + w.i64(-1)])])),
        w.request(1, 4, 7, w.i32(-1) + w.i32(100) + w.i32(1) + w.i32(1 << 20) + w.i8(0)
                  + w.array([w.string(topic) + w.array([w.i32(0) + w.i64(0) + w.i32(1 << 20)])])),
        w.request(21, 0, 8, w.array([w.string(topic) + w.array([w.i32(0) + w.i64(0)])])
                  + w.i32(1000)),
    ]


def _fuzz_frame(rng, templates):
    kind = rng.randrange(3)
    if kind == 0:  # pure noise, usually behind a plausible size
        n = rng.randrange(0, 3000)
        size = n if rng.random() < 0.8 else rng.randrange(-(1 << 31), 1 << 31)
        return struct.pack(">i", size) + rng.randbytes(n)
    if kind == 1:  # valid header for a real API/version, random body
        key = rng.choice(sorted(SPEC_APIS))
        lo, hi = SPEC_APIS[key]
        return w.request(key, rng.randint(lo, hi), rng.randrange(1 << 31),
                         rng.randbytes(rng.randrange(0, 600)), flexible=rng.random() < 0.5)
    # a valid request with a few bytes flipped, or cut/extended (size kept consistent)
    f = bytearray(rng.choice(templates)[4:])
    for _ in range(rng.randint(1, 8)):
        f[rng.randrange(len(f))] = rng.randrange(256)
    if rng.random() < 0.3:
        f = f[:rng.randrange(len(f))] + rng.randbytes(rng.randrange(0, 40))
    return w.i32(len(f)) + bytes(f)


def test_random_frames_from_several_connections(hb):
    topic = create_topic(hb.bootstrap)
    templates = _templates(topic)
    seed = random.randrange(1 << 30)
    errors = []

    def worker(n):
        rng = random.Random(seed + n)
        try:
            for _ in range(5):  # 5 connections x 5 frames per worker
                s = w.connect(hb.port)
                try:
                    for _ in range(5):
                        s.sendall(_fuzz_frame(rng, templates))
                    s.shutdown(socket.SHUT_WR)
                    w.wait_closed(s, 1.0)
                except OSError:
                    pass  # the broker may drop us at any point
                finally:
                    s.close()
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]  # 8*5*5 = 200 frames
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert not errors, f"seed {seed}: {errors}"
    assert hb.alive(), f"broker died on fuzz seed {seed}"
