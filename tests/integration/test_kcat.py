"""kcat (librdkafka 2.0.2 CLI) against sluiced."""
import json
import re
import shutil
import subprocess
import time

import pytest

from sluice_helpers import consume_all, create_topic, produce_ok

pytestmark = pytest.mark.skipif(shutil.which("kcat") is None, reason="kcat not installed")


def kcat(broker, *args, stdin=None, timeout=20, check=True):
    cmd = ["kcat", "-b", broker.bootstrap, "-X", "socket.timeout.ms=10000", *args]
    try:
        res = subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{cmd} timed out after {timeout}s; stderr={e.stderr!r}")
    if check:
        assert res.returncode == 0, f"{cmd} exit {res.returncode}: {res.stderr.decode()[-2000:]}"
    return res


def consume_lines(broker, topic, fmt, partition=0):
    """Consume the whole partition; fmt is a -f format string, or None for the -J envelope."""
    out = kcat(broker, "-C", "-t", topic, "-p", str(partition), "-o", "beginning", "-e",
               *(["-J"] if fmt is None else ["-f", fmt])).stdout.decode()
    return out.splitlines()


def test_metadata_list(broker):
    topic = create_topic(broker.bootstrap, partitions=3)
    md = json.loads(kcat(broker, "-L", "-J", "-t", topic).stdout)
    [b] = md["brokers"]
    assert b["name"] == f"127.0.0.1:{broker.port}"
    [t] = md["topics"]
    assert t["topic"] == topic
    assert sorted(p["partition"] for p in t["partitions"]) == [0, 1, 2]
    for p in t["partitions"]:
        assert p["leader"] == b["id"]
        assert [r["id"] for r in p["replicas"]] == [b["id"]]
        assert [r["id"] for r in p["isrs"]] == [b["id"]]
    text = kcat(broker, "-L").stdout.decode()
    assert f'topic "{topic}" with 3 partitions' in text


def test_produce_keys_headers_and_consume(broker):
    topic = create_topic(broker.bootstrap)
    lines = b"".join(b"key%d:value %d\n" % (i, i) for i in range(10))
    kcat(broker, "-P", "-t", topic, "-p", "0", "-K", ":", "-H", "h1=one", "-H", "h2=two",
         stdin=lines)
    got = consume_lines(broker, topic, "%k|%s|%h|%o\n")
    assert got == [f"key{i}|value {i}|h1=one,h2=two|{i}" for i in range(10)]
    # the same data through librdkafka's consumer API
    msgs = consume_all(broker.bootstrap, topic, 0, 0, 10)
    assert msgs[3].key == b"key3" and msgs[3].headers == [("h1", b"one"), ("h2", b"two")]


def test_null_values_and_json_envelope(broker):
    topic = create_topic(broker.bootstrap)
    kcat(broker, "-P", "-t", topic, "-p", "0", "-K", ":", "-Z", stdin=b"a:1\nb:\nc:3\n")
    got = [json.loads(x) for x in consume_lines(broker, topic, None)]
    assert [(m["key"], m["payload"], m["offset"]) for m in got] == \
        [("a", "1", 0), ("b", None, 1), ("c", "3", 2)]
    assert all(m["tstype"] == "create" and abs(m["ts"] - time.time() * 1000) < 60_000
               for m in got)
    assert consume_lines(broker, topic, "%k=%S\n") == ["a=1", "b=-1", "c=1"]


@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_compressed_produce(broker, codec):
    topic = create_topic(broker.bootstrap)
    payload = b"".join(b"%d:%s\n" % (i, (b"%s-%d " % (codec.encode(), i)) * 20) for i in range(200))
    kcat(broker, "-P", "-t", topic, "-p", "0", "-K", ":", "-z", codec,
         "-X", "linger.ms=100", stdin=payload)
    got = consume_lines(broker, topic, "%k|%s|%o\n")
    assert got == [f"{i}|{(f'{codec}-{i} ' * 20)}|{i}" for i in range(200)]
    # relative offset from the end, and absolute offset into the middle of a compressed batch
    tail = kcat(broker, "-C", "-t", topic, "-p", "0", "-o", "-3", "-e", "-f", "%o\n").stdout
    assert tail.decode().split() == ["197", "198", "199"]
    mid = kcat(broker, "-C", "-t", topic, "-p", "0", "-o", "123", "-c", "2", "-f", "%k\n").stdout
    assert mid.decode().split() == ["123", "124"]


def test_query_offsets_for_time(broker):
    topic = create_topic(broker.bootstrap)
    base = int(time.time() * 1000) - 600_000
    produce_ok(broker.bootstrap, topic, [{"partition": 0, "value": b"q%d" % i,
                                          "timestamp": base + 1000 * i} for i in range(10)],
               flush_each=True)

    def query(ts):
        out = kcat(broker, "-Q", "-t", f"{topic}:0:{ts}").stdout.decode()
        m = re.search(r"\[0\]\s+offset\s+(-?\d+)", out)
        assert m, out
        return int(m.group(1))

    assert query(base - 5000) == 0
    assert query(base + 4500) == 5
    assert query(base + 9000) == 9
    assert query(base + 60_000) == -1
