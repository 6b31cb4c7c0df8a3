"""The `sluice` command-line client against a real sluiced broker (and its error paths).

Environment: SLUICE_CLI (CLI binary, default <repo>/build/sluice). The `broker` fixture comes from
conftest.py. Every CLI run is bounded by a subprocess timeout.
"""
import signal
import socket
import subprocess
import time
import uuid

import pytest

from cli_runner import REQUIRED, RUN_TIMEOUT, SLUICE_CLI, sluice
from cli_runner import succeeds as ok  # here ok() gives the whole CompletedProcess
from sluice_helpers import wait_for

pytestmark = REQUIRED

FMT = "%k:%v:%h\\n"  # the CLI expands the two characters "\n" itself


def unique(prefix="cli"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def closed_port():
    """A local TCP port with nothing listening on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def eventually(check, timeout=15.0, what="condition"):
    """Retries `check` (which returns a truthy value when satisfied) for metadata propagation."""
    return wait_for(check, timeout, what)


def topic_names(bootstrap, *extra):
    return ok(bootstrap, "topic", "list", *extra).stdout.splitlines()


def partition_lines(describe_out):
    return [line for line in describe_out.splitlines() if line.strip().startswith("Partition:")]


def describe(bootstrap, topic):
    return ok(bootstrap, "topic", "describe", topic).stdout


def create(bootstrap, topic, partitions=1, *extra):
    ok(bootstrap, "topic", "create", topic, "--partitions", str(partitions), *extra)
    eventually(lambda: len(partition_lines(describe(bootstrap, topic))) == partitions,
               what=f"{topic} has {partitions} partitions")


def produce(bootstrap, topic, lines, *args):
    r = ok(bootstrap, "produce", topic, *args, stdin="".join(f"{line}\n" for line in lines))
    assert f"produced {len(lines)} messages" in r.stderr
    return r


def consume(bootstrap, topic, *args):
    return ok(bootstrap, "consume", topic, *args).stdout.splitlines()


# ------------------------------------------------------------------------------------ topics


def test_topic_create_list_describe_alter_add_partitions_delete(broker):
    b = broker.bootstrap
    topic = unique()
    create(b, topic, 3, "--config", "retention.ms=12345", "--replication-factor", "1")

    assert topic in topic_names(b)
    assert topic_names(b) == sorted(topic_names(b))

    out = describe(b, topic)
    assert f"Topic: {topic}" in out
    parts = partition_lines(out)
    assert [p.split()[1] for p in parts] == ["0", "1", "2"]
    assert all("Leader:" in p and "Replicas:" in p and "Isr:" in p for p in parts)
    assert "retention.ms=12345" in out

    # Creating it again fails with a broker error.
    r = sluice(b, "topic", "create", topic, "--partitions", "3")
    assert r.returncode == 1
    assert "sluice: error:" in r.stderr and "TOPIC_ALREADY_EXISTS" in r.stderr

    # alter-config keeps the other overrides (AlterConfigs is not incremental).
    ok(b, "topic", "alter-config", topic, "--set", "retention.bytes=777777")
    out = describe(b, topic)
    assert "retention.bytes=777777" in out and "retention.ms=12345" in out
    ok(b, "topic", "alter-config", topic, "--set", "retention.ms=54321", "--delete",
       "retention.bytes")
    out = describe(b, topic)
    assert "retention.ms=54321" in out
    assert "retention.ms=12345" not in out and "retention.bytes=777777" not in out

    ok(b, "topic", "add-partitions", topic, "--total", "5")
    eventually(lambda: len(partition_lines(describe(b, topic))) == 5, what="5 partitions")

    ok(b, "topic", "delete", topic)
    eventually(lambda: topic not in topic_names(b), what=f"{topic} gone from list")
    r = sluice(b, "topic", "describe", topic)
    assert r.returncode == 1 and "error" in r.stderr


def test_topic_list_hides_internal_topics_unless_all(broker):
    b = broker.bootstrap
    visible, internal = unique("vis"), "__" + unique("internal")
    create(b, visible)
    r = sluice(b, "topic", "create", internal)
    if r.returncode != 0:
        pytest.skip(f"broker refuses topic names starting with '__': {r.stderr.strip()}")
    eventually(lambda: internal in topic_names(b, "--all"), what=f"{internal} listed with --all")
    names = topic_names(b)
    assert visible in names and internal not in names
    assert all(not n.startswith("__") for n in names)
    assert internal in topic_names(b, "--all")


def test_topic_create_without_options_has_one_partition(broker):
    b = broker.bootstrap
    topic = unique()
    ok(b, "topic", "create", topic)
    out = eventually(lambda: (lambda o: o if partition_lines(o) else None)(describe(b, topic)))
    assert len(partition_lines(out)) == 1
    assert "Configs: (none)" in out


# ------------------------------------------------------------------------ produce / consume


def test_produce_with_keys_and_headers_then_consume_in_order(broker):
    b = broker.bootstrap
    topic = unique()
    create(b, topic, 3)
    lines = [f"key{i}|value{i}|tail" for i in range(10)]
    produce(b, topic, lines, "--partition", "0", "--key-separator", "|", "--header", "src=cli",
            "--header", "n=1")

    expected = [f"key{i}:value{i}|tail:src=cli,n=1" for i in range(10)]
    got = consume(b, topic, "--partition", "0", "--from", "earliest", "--format", FMT)
    assert got == expected

    # Without --partition every partition is read; partitions 1 and 2 are empty.
    assert consume(b, topic, "--from", "earliest", "--format", FMT) == expected

    # An explicit offset returns the tail, with the right offsets and partition.
    assert consume(b, topic, "--partition", "0", "--from", "5", "--format", FMT) == expected[5:]
    assert consume(b, topic, "--partition", "0", "--from", "5", "--format", "%p/%o/%T\\n") == [
        f"0/{o}/{topic}" for o in range(5, 10)
    ]
    # Default format is the value alone.
    assert consume(b, topic, "--partition", "0", "--max-messages", "2") == [
        "value0|tail", "value1|tail"
    ]
    # An offset past the end and "latest" print nothing and exit 0.
    assert consume(b, topic, "--partition", "0", "--from", "100") == []
    assert consume(b, topic, "--from", "latest") == []


def test_produce_without_key_separator_and_empty_topic(broker):
    b = broker.bootstrap
    topic = unique()
    create(b, topic, 1)
    assert consume(b, topic, "--from", "earliest") == []  # empty topic: returns at once

    produce(b, topic, ["a=b", "plain", ""], "--compression", "gzip", "--acks", "1")
    # No key: %k prints empty; an empty line is an empty message.
    got = consume(b, topic, "--format", "[%k][%v][%h]\\n")
    assert got == ["[][a=b][]", "[][plain][]", "[][][]"]


@pytest.mark.parametrize("codec", ["none", "snappy", "lz4", "zstd"])
def test_produce_compression_round_trip(broker, codec):
    b = broker.bootstrap
    topic = unique()
    create(b, topic, 1)
    lines = [f"{codec}-message-{i}" for i in range(50)]
    produce(b, topic, lines, "--compression", codec, "--linger-ms", "50", "--acks", "all")
    assert consume(b, topic) == lines


def test_produce_spreads_over_partitions_and_consume_reads_all(broker):
    b = broker.bootstrap
    topic = unique()
    create(b, topic, 3)
    lines = [f"k{i}:v{i}" for i in range(30)]
    produce(b, topic, lines, "--key-separator", ":")
    got = consume(b, topic, "--format", "%p %k %v\\n")
    assert sorted(line.split(" ", 1)[1] for line in got) == sorted(
        f"k{i} v{i}" for i in range(30))
    by_key = {}
    for line in got:
        p, k, _ = line.split(" ")
        by_key.setdefault(k, set()).add(p)
    assert all(len(ps) == 1 for ps in by_key.values())
    assert len({line.split(" ")[0] for line in got}) > 1  # 30 distinct keys hit >1 partition


def test_consume_max_messages_and_timestamps(broker):
    b = broker.bootstrap
    topic = unique()
    create(b, topic, 1)
    before = int(time.time() * 1000) - 1000
    produce(b, topic, [f"m{i}" for i in range(5)])
    after = int(time.time() * 1000) + 60_000

    assert consume(b, topic, "--max-messages", "3") == ["m0", "m1", "m2"]
    stamps = [int(t) for t in consume(b, topic, "--format", "%t\\n")]
    assert len(stamps) == 5 and all(before <= t < after for t in stamps)

    assert consume(b, topic, "--from", f"@{before}") == [f"m{i}" for i in range(5)]
    # The first message at or after the 4th timestamp (earlier ones may share it).
    msgs = [f"m{i}" for i in range(5)]
    got = consume(b, topic, "--from", f"@{stamps[3]}")
    assert "m3" in got and got == msgs[len(msgs) - len(got):]
    assert consume(b, topic, "--from", f"@{stamps[4] + 1}") == []
    assert consume(b, topic, "--from", f"@{after}") == []


def test_consume_follow_sees_new_messages(broker):
    b = broker.bootstrap
    topic = unique()
    create(b, topic, 1)
    produce(b, topic, ["old0", "old1"])
    cmd = [SLUICE_CLI, "--bootstrap", b, "consume", topic, "-f", "--from", "2", "--max-messages",
           "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        assert proc.poll() is None, "follow mode exited before any new message"
        produce(b, topic, ["new0", "new1"])
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out.splitlines() == ["new0", "new1"]


def test_consume_follow_stops_cleanly_on_sigterm(broker):
    b = broker.bootstrap
    topic = unique()
    create(b, topic, 1)
    produce(b, topic, ["x"])
    proc = subprocess.Popen([SLUICE_CLI, "--bootstrap", b, "consume", topic, "--follow"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(2.0)
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out.splitlines() == ["x"]


# ------------------------------------------------------------------------------------ errors


def test_describe_missing_topic_fails(broker):
    r = sluice(broker.bootstrap, "topic", "describe", unique("missing"))
    assert r.returncode == 1
    assert "error" in r.stderr and "does not exist" in r.stderr
    assert r.stdout == ""


def test_operations_on_missing_topics_fail(broker):
    b = broker.bootstrap
    missing = unique("missing")
    for args in (["topic", "delete", missing], ["topic", "add-partitions", missing, "--total", "4"],
                 ["consume", missing], ["produce", missing]):
        r = sluice(b, *args, stdin="hello\n")
        assert r.returncode == 1, args
        assert r.stderr.startswith("sluice: error:") or "sluice: error:" in r.stderr, args


def test_bad_partition_and_bad_alter_fail(broker):
    b = broker.bootstrap
    topic = unique()
    create(b, topic, 2)
    r = sluice(b, "consume", topic, "--partition", "7")
    assert r.returncode == 1 and "partition 7 does not exist" in r.stderr
    r = sluice(b, "produce", topic, "--partition", "7", stdin="x\n")
    assert r.returncode == 1 and "partition 7 does not exist" in r.stderr
    r = sluice(b, "topic", "add-partitions", topic, "--total", "1")  # cannot shrink
    assert r.returncode == 1 and "error" in r.stderr
    r = sluice(b, "topic", "alter-config", topic, "--delete", "retention.ms")  # not set
    assert r.returncode == 1 and "not set" in r.stderr


@pytest.mark.parametrize("args", [
    ["topic", "list", "--no-such-flag"],
    ["topic"],
    [],
    ["topic", "create"],
    ["topic", "create", "t", "--partitions", "zero"],
    ["topic", "create", "t", "--config", "novalue"],
    ["topic", "alter-config", "t"],
    ["topic", "add-partitions", "t"],
    ["produce", "t", "--acks", "2"],
    ["produce", "t", "--compression", "brotli"],
    ["consume", "t", "--from", "yesterday"],
    ["consume", "t", "--format", "%q"],
])
def test_usage_errors_exit_2(args):
    # The port is closed: a usage error must be reported before any broker contact.
    r = sluice(f"127.0.0.1:{closed_port()}", *args, timeout_ms=2000)
    assert r.returncode == 2, (args, r.stderr)
    assert "error" in r.stderr.lower()


def test_help_exits_0():
    for args in (["--help"], ["topic", "--help"], ["topic", "alter-config", "--help"],
                 ["produce", "--help"], ["consume", "--help"]):
        r = subprocess.run([SLUICE_CLI, *args], capture_output=True, text=True, timeout=RUN_TIMEOUT)
        assert r.returncode == 0, args
        assert "Usage:" in r.stdout
    r = subprocess.run([SLUICE_CLI, "consume", "--help"], capture_output=True, text=True,
                       timeout=RUN_TIMEOUT)
    assert "--from" in r.stdout and "--follow" in r.stdout and "--format" in r.stdout


@pytest.mark.parametrize("args", [
    ["topic", "list"],
    ["topic", "describe", "t"],
    ["topic", "create", "t"],
    ["topic", "delete", "t"],
    ["topic", "alter-config", "t", "--set", "retention.ms=1"],
    ["topic", "add-partitions", "t", "--total", "2"],
    ["produce", "t"],
    ["consume", "t"],
])
def test_unreachable_broker_times_out(args):
    bootstrap = f"127.0.0.1:{closed_port()}"
    start = time.monotonic()
    r = sluice(bootstrap, *args, stdin="m\n", timeout_ms=2000)
    elapsed = time.monotonic() - start
    assert r.returncode == 1, (args, r.stderr)
    assert "sluice: error:" in r.stderr and bootstrap in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr  # one line, no librdkafka log noise
    assert elapsed < 2.0 + 5.0, f"{args} took {elapsed:.1f}s with --timeout-ms 2000"
