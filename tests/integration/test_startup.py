"""Command line, configuration, startup failures and graceful shutdown of sluiced."""
import contextlib
import os
import select
import signal
import socket
import subprocess
import tempfile
import time

import pytest

import conftest
from conftest import READY_RE, broker_cmd, free_port
from sluice_helpers import admin, consume_all, create_topic, produce_ok, unique, wait_metadata

EXIT_USAGE = 2


def run_expect_failure(args, timeout=10):
    """Run sluiced with args; it must exit 2 quickly with exactly one stderr line."""
    if not os.path.exists(conftest.SLUICED):
        pytest.skip("broker binary missing")
    try:
        res = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"sluiced did not exit within {timeout}s for {args}")
    err = res.stderr.decode(errors="replace")
    assert res.returncode == EXIT_USAGE, f"exit {res.returncode}, stderr={err!r}"
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].strip(), f"expected one stderr line, got {lines!r}"
    assert b"ready" not in res.stdout, res.stdout
    return lines[0]


@contextlib.contextmanager
def sluiced_process(args, cwd=None, stderr_path=os.devnull):
    """Start sluiced with exactly these args (no --listen or --data-dir added), wait for its
    ready line and yield (process, bound port); then stop it with SIGTERM, which must exit 0."""
    if not os.path.exists(conftest.SLUICED):
        pytest.skip("broker binary missing")
    with open(stderr_path, "wb") as err:
        proc = subprocess.Popen([conftest.SLUICED] + args, cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=err, start_new_session=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], conftest.READY_TIMEOUT)
        assert ready, "no ready line"
        m = READY_RE.match(proc.stdout.readline().decode().rstrip("\n"))
        assert m, "unexpected ready line"
        yield proc, int(m.group(2))
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
        try:
            assert proc.wait(timeout=15) == 0
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            raise


@pytest.fixture
def tmpdir_path():
    d = tempfile.mkdtemp(prefix="sluice-it-")
    yield d
    import shutil
    shutil.rmtree(d, ignore_errors=True)


def test_unknown_flag(tmpdir_path):
    run_expect_failure(broker_cmd(tmpdir_path, free_port()) + ["--no-such-flag"])


@pytest.mark.parametrize("setting", ["no.such.key=1", "num.partitions=abc",
                                     "log.flush.policy=sometimes",
                                     "auto.create.topics.enable=maybe",
                                     "message.max.bytes=-5"])
def test_bad_set(tmpdir_path, setting):
    run_expect_failure(broker_cmd(tmpdir_path, free_port()) + ["--set", setting])


def test_bad_config_file(tmpdir_path):
    cfg = os.path.join(tmpdir_path, "bad.properties")
    with open(cfg, "w") as f:
        f.write("num.partitions=2\nbogus.key=3\n")
    data = os.path.join(tmpdir_path, "data")
    os.makedirs(data)
    run_expect_failure(broker_cmd(data, free_port()) + ["--config", cfg])
    run_expect_failure(broker_cmd(data, free_port())
                       + ["--config", os.path.join(tmpdir_path, "missing.properties")])


def test_busy_port(tmpdir_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        run_expect_failure(broker_cmd(tmpdir_path, s.getsockname()[1]))


def test_data_dir_is_a_regular_file(tmpdir_path):
    path = os.path.join(tmpdir_path, "a-file")
    with open(path, "w") as f:
        f.write("not a directory")
    run_expect_failure(broker_cmd(path, free_port()))


def test_ready_line_and_only_line(broker):
    assert READY_RE.match(broker.ready_line)
    assert broker.ready_line == f"sluiced ready on 127.0.0.1:{broker.port}"
    create_topic(broker.bootstrap)
    assert broker.stop() == 0
    assert broker.stdout_lines == [broker.ready_line], broker.stdout_lines


def test_sigterm_exits_zero_and_data_survives(broker):
    topic = create_topic(broker.bootstrap, partitions=2, config={"retention.ms": "86400000"})
    sent = [{"partition": i % 2, "key": b"k%d" % i, "value": b"v%d" % i} for i in range(40)]
    produce_ok(broker.bootstrap, topic, sent)
    assert broker.stop() == 0
    broker.start()
    wait_metadata(broker.bootstrap, topic, 2)
    for p in range(2):
        got = consume_all(broker.bootstrap, topic, p, 0, 20)
        assert [(m.key, m.value) for m in got] == [(s["key"], s["value"]) for s in sent[p::2]]
    from confluent_kafka.admin import ConfigResource
    res = ConfigResource(ConfigResource.Type.TOPIC, topic)
    a = admin(broker.bootstrap)
    cfg = a.describe_configs([res], request_timeout=15)[res].result(15)
    assert cfg["retention.ms"].value == "86400000"  # topic config persisted too


def test_sigterm_while_clients_connected(broker):
    from confluent_kafka import Producer
    topic = create_topic(broker.bootstrap)
    p = Producer({"bootstrap.servers": broker.bootstrap, "linger.ms": 0})
    p.produce(topic, b"x", partition=0)
    assert p.flush(10) == 0
    idle = socket.create_connection(("127.0.0.1", broker.port), timeout=5)  # idle raw connection
    half = socket.create_connection(("127.0.0.1", broker.port), timeout=5)
    half.sendall(b"\x00\x00\x01\x00\x00")  # a request that never completes
    try:
        t0 = time.monotonic()
        assert broker.stop() == 0
        assert time.monotonic() - t0 < 10
    finally:
        idle.close()
        half.close()
        del p


def test_config_file_and_set_override(broker_factory, tmpdir_path):
    cfg = os.path.join(tmpdir_path, "sluice.properties")
    with open(cfg, "w") as f:
        f.write("# comment\n\nnum.partitions=4\nauto.create.topics.enable=true\n")
    b = broker_factory(extra_args=["--config", cfg])
    t1 = unique("cfg")
    produce_ok(b.bootstrap, t1, [{"value": b"x"}], timeout=20)
    wait_metadata(b.bootstrap, t1, 4)
    b2 = broker_factory(extra_args=["--config", cfg, "--set", "num.partitions=5"])
    t2 = unique("cfg")
    produce_ok(b2.bootstrap, t2, [{"value": b"x"}], timeout=20)
    wait_metadata(b2.bootstrap, t2, 5)


def test_advertised_address_in_metadata(broker_factory):
    port = free_port()
    b = broker_factory(port=port, extra_args=["--advertised", f"localhost:{port}"])
    md = admin(b.bootstrap).list_topics(timeout=10)
    assert [(x.host, x.port) for x in md.brokers.values()] == [("localhost", port)]


def test_two_brokers_cannot_share_a_data_dir(broker_factory):
    b = broker_factory()
    err = run_expect_failure(broker_cmd(b.data_dir, free_port()), timeout=8)
    assert err
    assert b.alive()


def test_listen_port_zero_advertises_the_bound_port(tmpdir_path):
    """--listen HOST:0 binds a free port; Metadata and FindCoordinator must name that port."""
    import kafka_wire as w
    with sluiced_process(["--data-dir", tmpdir_path, "--listen", "127.0.0.1:0"]) as (_, port):
        assert port != 0
        md = admin(f"127.0.0.1:{port}").list_topics(timeout=10)
        assert [(x.host, x.port) for x in md.brokers.values()] == [("127.0.0.1", port)]
        r = w.roundtrip(port, 10, 0, w.string(unique("g")))  # FindCoordinator v0
        err, _node, host, coord_port = r.i16(), r.i32(), r.string(), r.i32()
        assert (err, host, coord_port) == (0, "127.0.0.1", port)


def test_kafka_server_properties_start_sluice(tmpdir_path):
    """Kafka 4's own server.properties (KRaft, combined node), pointed at free ports and a temp
    log dir, starts sluiced without --listen or --data-dir: listeners, advertised.listeners and
    log.dirs are read, and Kafka keys Sluice has no use for get one warning line each."""
    port, controller_port = free_port(), free_port()
    log_dir = os.path.join(tmpdir_path, "kraft-combined-logs")
    cfg = os.path.join(tmpdir_path, "server.properties")
    with open(cfg, "w") as f:
        f.write(f"""process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:{controller_port}
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://localhost:{port},CONTROLLER://localhost:{controller_port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL
num.network.threads=3
num.io.threads=8
log.dirs={log_dir}
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
log.retention.hours=168
log.segment.bytes=1073741824
""")
    stderr_path = os.path.join(tmpdir_path, "stderr.log")
    with sluiced_process(["--config", cfg], cwd=tmpdir_path, stderr_path=stderr_path) as (_, bound):
        assert bound == port, "not listening on the PLAINTEXT listener"
        md = admin(f"127.0.0.1:{port}").list_topics(timeout=10)
        assert [(x.host, x.port) for x in md.brokers.values()] == [("localhost", port)]
        topic = create_topic(f"127.0.0.1:{port}")
        produce_ok(f"127.0.0.1:{port}", topic, [{"value": b"x"}])
        assert any(d.startswith(topic) for d in os.listdir(log_dir))
        assert not os.path.exists(os.path.join(tmpdir_path, "sluice-data"))
    with open(stderr_path) as f:
        err = f.read()
    warned = [l for l in err.splitlines() if " ignored: " in l]
    assert len(warned) == 8, err
    assert any("num.io.threads ignored" in l for l in warned), err


def test_kafka_listener_sluice_cannot_serve_stops_startup(tmpdir_path):
    cfg = os.path.join(tmpdir_path, "server.properties")
    with open(cfg, "w") as f:
        f.write(f"listeners=SSL://127.0.0.1:{free_port()}\n")
    line = run_expect_failure([conftest.SLUICED, "--data-dir", tmpdir_path, "--config", cfg])
    assert "PLAINTEXT only" in line
