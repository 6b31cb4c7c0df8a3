"""Connection limits and fairness (src/server): connections.max.idle.ms, max.connections,
max.connections.per.ip, queued.max.request.bytes, 10,000 idle connections and slowloris
clients next to a normal producer/consumer whose latency is recorded and printed.
"""
import os
import resource
import socket
import statistics
import threading
import time

import pytest
from confluent_kafka import Producer

import kafka_wire as kw
from fault_util import figure
from sluice_helpers import consume_all, create_topic, produce_ok

def api_versions_ok(sock, corr=1):
    """One ApiVersions v0 round trip on an open socket; False if the broker closed it."""
    try:
        sock.sendall(kw.request(18, 0, corr, b""))
        r = kw.Reader(kw.recv_frame(sock))
        return r.i32() == corr and r.i16() == 0
    except (ConnectionError, OSError, ValueError):
        return False


def open_conns(port, n):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        socks.append(s)
    return socks


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def latency_probe(bootstrap, topic, n=100):
    """Produces n messages one at a time (acks=all, waiting for each) and reads them back.
    Returns sorted per-message produce latencies in ms."""
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 0,
                  "message.timeout.ms": 10000, "enable.idempotence": False})
    lat, errs = [], []
    for i in range(n):
        t = time.perf_counter()
        p.produce(topic, b"probe-%d" % i, partition=0,
                  on_delivery=lambda e, m: errs.append(e) if e else None)
        assert p.flush(10) == 0, "probe message not delivered within 10 s"
        lat.append((time.perf_counter() - t) * 1000)
    assert not errs, errs[:3]
    return sorted(lat)


def summary(lat):
    return (f"p50={statistics.median(lat):.2f}ms p99={lat[int(len(lat) * 0.99) - 1]:.2f}ms "
            f"max={lat[-1]:.2f}ms")


def broker_fds(broker):
    return len(os.listdir(f"/proc/{broker.proc.pid}/fd"))


# --------------------------------------------------------------------------- idle


def test_idle_connections_are_closed(broker_factory):
    b = broker_factory(settings={"connections.max.idle.ms": 500})
    idle = kw.connect(b.port)
    busy = kw.connect(b.port)
    t0 = time.monotonic()
    # The busy one sends a request every 200 ms for 1.5 s: it must stay open.
    for i in range(8):
        assert api_versions_ok(busy, i), f"active connection closed after {time.monotonic() - t0:.1f}s"
        time.sleep(0.2)
    assert kw.wait_closed(idle, timeout=2.0), "idle connection still open after 3.6 s (limit 500 ms)"
    assert api_versions_ok(busy, 99)
    quiet = kw.connect(b.port)
    t1 = time.monotonic()
    assert kw.wait_closed(quiet, timeout=3.0)
    figure(f"idle connection closed after {time.monotonic() - t1:.2f}s "
          f"(connections.max.idle.ms=500; checked every 125 ms)")
    # A long-polling fetch is not idle: a consumer waiting longer than the limit keeps working.
    topic = create_topic(b.bootstrap)
    produce_ok(b.bootstrap, topic, [{"partition": 0, "value": b"x"}])
    [m] = consume_all(b.bootstrap, topic, 0, 0, 1, fetch_wait_max_ms=1500)
    assert m.value == b"x"
    close_all([idle, busy, quiet])


# --------------------------------------------------------------------------- counts


def test_max_connections_per_ip(broker_factory):
    b = broker_factory(settings={"max.connections.per.ip": 5})
    socks = open_conns(b.port, 5)
    for i, s in enumerate(socks):
        assert api_versions_ok(s, i)
    extra = kw.connect(b.port)
    assert kw.wait_closed(extra, timeout=3.0), "6th connection from one address was accepted"
    # Closing one frees a slot (the count is per open connection).
    socks.pop().close()
    time.sleep(0.2)
    again = kw.connect(b.port)
    assert api_versions_ok(again)
    for i, s in enumerate(socks):
        assert api_versions_ok(s, 10 + i), "an existing connection was disturbed"
    close_all(socks + [extra, again])


def test_max_connections(broker_factory):
    b = broker_factory(settings={"max.connections": 3})
    socks = open_conns(b.port, 3)
    for s in socks:
        assert api_versions_ok(s)
    extra = kw.connect(b.port)
    assert kw.wait_closed(extra, timeout=3.0), "connection over max.connections was accepted"
    close_all(socks + [extra])


# --------------------------------------------------------------------------- 10,000 idle


IDLE_CONNS = int(os.environ.get("IDLE_CONNECTIONS", "10000"))


@pytest.fixture
def many_fds():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = IDLE_CONNS + 1000
    if hard != resource.RLIM_INFINITY and hard < need:
        pytest.skip(f"open files hard limit {hard} < {need}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 1 << 20)), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_ten_thousand_idle_connections(broker_factory, many_fds):
    # the broker inherits the raised limit from this process (and raises its own soft limit)
    b = broker_factory(settings={"max.connections": IDLE_CONNS + 100,
                                 "max.connections.per.ip": IDLE_CONNS + 100})
    topic = create_topic(b.bootstrap)
    base = latency_probe(b.bootstrap, topic)
    t0 = time.monotonic()
    socks = open_conns(b.port, IDLE_CONNS)
    opened = time.monotonic() - t0
    try:
        deadline = time.monotonic() + 20
        while broker_fds(b) < IDLE_CONNS and time.monotonic() < deadline:
            time.sleep(0.1)
        fds = broker_fds(b)
        assert fds >= IDLE_CONNS, f"broker holds {fds} descriptors, expected >= {IDLE_CONNS}"
        loaded = latency_probe(b.bootstrap, topic)
        # a few of the idle connections still answer
        for s in socks[::IDLE_CONNS // 5]:
            assert api_versions_ok(s)
        msgs = consume_all(b.bootstrap, topic, 0, 0, 200)
        assert len(msgs) == 200
        figure(f"{IDLE_CONNS} idle connections opened in {opened:.1f}s (broker fds {fds}); "
              f"produce latency acks=all: baseline {summary(base)}; with idle connections "
              f"{summary(loaded)}")
        assert loaded[len(loaded) // 2] < 250, "median produce latency above 250 ms"
    finally:
        close_all(socks)


# --------------------------------------------------------------------------- slowloris


def slowloris(port, stop, frames, closed):
    """Sends a request header claiming a 1000-byte body, then one byte per second."""
    try:
        s = kw.connect(port, timeout=2)
        s.sendall(kw.i32(1000))
        frames.append(s)
        while not stop.is_set():
            time.sleep(1.0)
            s.send(b"\x00")
    except OSError:
        closed.append(time.monotonic())


def test_slowloris_does_not_stop_other_clients(broker_factory):
    b = broker_factory(settings={"connections.max.idle.ms": 3000})
    topic = create_topic(b.bootstrap)
    base = latency_probe(b.bootstrap, topic, n=50)
    stop, socks, closed = threading.Event(), [], []
    threads = [threading.Thread(target=slowloris, args=(b.port, stop, socks, closed), daemon=True)
               for _ in range(50)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(1.5)
    try:
        loaded = latency_probe(b.bootstrap, topic, n=50)
        assert len(consume_all(b.bootstrap, topic, 0, 0, 100)) == 100
        figure(f"50 slowloris clients: produce latency baseline {summary(base)}, "
              f"during {summary(loaded)}")
        assert loaded[len(loaded) // 2] < 250
        # A request that trickles in is never completed: the connection counts as idle and is
        # closed after connections.max.idle.ms (3 s) -- the slow clients see their sends fail.
        deadline = time.monotonic() + 8
        while len(closed) < len(threads) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(closed) == len(threads), \
            f"only {len(closed)}/{len(threads)} slowloris connections closed after {time.monotonic() - t0:.1f}s"
        figure(f"slowloris connections closed after {max(closed) - t0:.1f}s "
              f"(connections.max.idle.ms=3000)")
    finally:
        stop.set()
        close_all(socks)


# --------------------------------------------------------------------------- in-flight bytes


def fetch_v4_body(topic, offset, max_bytes):
    return (kw.i32(-1) + kw.i32(0) + kw.i32(1) + kw.i32(max_bytes) + kw.i8(0)
            + kw.array([kw.string(topic) + kw.array([kw.i32(0) + kw.i64(offset) + kw.i32(max_bytes)])]))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_in_flight_bytes_are_bounded(broker_factory):
    """A client pipelines 200 fetches of ~1 MiB each and never reads a response. Without a byte
    bound the broker holds up to queued.max.requests (500) responses (measured: RSS +103 MiB with
    the bound set to 1 GB); with queued.max.request.bytes=4 MiB it stops reading that connection
    after about 4 MiB (+9 MiB RSS)."""
    b = broker_factory(settings={"queued.max.request.bytes": 4 << 20})
    topic = create_topic(b.bootstrap)
    produce_ok(b.bootstrap, topic, [{"partition": 0, "value": os.urandom(100_000)} for _ in range(12)],
               acks="all")
    before = rss_kb(b.proc.pid)
    s = kw.connect(b.port)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sent = 0
    s.settimeout(0.5)
    try:
        for i in range(200):
            s.sendall(kw.request(1, 4, i, fetch_v4_body(topic, 0, 1 << 20)))
            sent += 1
    except socket.timeout:
        pass
    time.sleep(1.5)
    after = rss_kb(b.proc.pid)
    grown_mb = (after - before) / 1024
    figure(f"{sent} pipelined 1 MiB fetches, responses unread: broker RSS grew {grown_mb:.1f} MiB "
          f"(queued.max.request.bytes=4 MiB)")
    assert grown_mb < 48, f"broker RSS grew {grown_mb:.0f} MiB"
    # Other clients are unaffected, and the connection still works once it is read.
    produce_ok(b.bootstrap, topic, [{"partition": 0, "value": b"ok"}])
    s.settimeout(10)
    r = kw.Reader(kw.recv_frame(s))
    assert r.i32() == 0
    s.close()
