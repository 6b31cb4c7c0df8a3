"""A Kafka Streams application (kafka-streams, pinned in java/pom.xml) with
processing.guarantee=exactly_once_v2 against sluiced: a word count whose output is exactly the
expected one across a crash (halt, as kill -9) of the application mid-transaction."""
import json
import struct
import subprocess
import tempfile
import time
from collections import defaultdict

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from java_runner import CLASSPATH, JAVA_DIR, java_clients  # noqa: F401  (a fixture)
from sluice_helpers import create_topic, unique

WORDS = [f"w{i}" for i in range(10)]
LINES = [" ".join(WORDS[(i * 7 + j) % 10] for j in range(3)) for i in range(300)]


def expected_counts():
    counts = defaultdict(int)
    for line in LINES:
        for w in line.split(" "):
            counts[w] += 1
    return counts


def streams_cmd(broker, app_id, src, dst, state_dir, crash_after=None):
    cmd = ["java", "-cp", CLASSPATH, "StreamsWordCount", f"bootstrap={broker.bootstrap}",
           f"app_id={app_id}", f"input={src}", f"output={dst}", f"state_dir={state_dir}",
           "deadline_ms=150000"]
    if crash_after:
        cmd.append(f"crash_after={crash_after}")
    return cmd


def read_counts(bootstrap, topic, partitions=2, timeout=10):
    """Every committed (word, count) of the output topic, in offset order per word."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("wc-reader"),
                  "isolation.level": "read_committed", "enable.partition.eof": True,
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    try:
        c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        seen = defaultdict(list)
        eof = set()
        deadline = time.monotonic() + timeout
        while len(eof) < partitions and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    eof.add(m.partition())
                continue
            eof.discard(m.partition())
            seen[m.key().decode()].append(struct.unpack(">q", m.value())[0])
        return seen
    finally:
        c.close()


def test_word_count_exactly_once_across_an_application_crash(java_clients, solo_group_broker):  # noqa: F811
    b = solo_group_broker
    src = create_topic(b.bootstrap, unique("wc-in"), partitions=2)
    dst = create_topic(b.bootstrap, unique("wc-out"), partitions=2)
    p = Producer({"bootstrap.servers": b.bootstrap})
    for i, line in enumerate(LINES):
        p.produce(src, line.encode(), key=b"%d" % i)
    assert p.flush(30) == 0
    app_id = unique("wc")
    want = expected_counts()
    with tempfile.TemporaryDirectory() as state:
        # First run: halts in the middle of the 500th word, with a transaction open.
        first = subprocess.run(streams_cmd(b, app_id, src, dst, state, crash_after=500),
                               cwd=JAVA_DIR, capture_output=True, timeout=160)
        lines = [json.loads(x) for x in first.stdout.decode().splitlines() if x.startswith("{")]
        assert {"type": "crash", "words": 500} in lines, \
            f"exit {first.returncode}: {lines}\n{first.stderr.decode()[-3000:]}"
        # Second run, on the same state dir and application id: finishes the count.
        second = subprocess.Popen(streams_cmd(b, app_id, src, dst, state), cwd=JAVA_DIR,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 120
            seen = {}
            while time.monotonic() < deadline:
                seen = read_counts(b.bootstrap, dst)
                if all(seen.get(w, [0])[-1] >= n for w, n in want.items()):
                    break
                assert second.poll() is None, \
                    f"streams exited {second.returncode}: {second.stderr.read().decode()[-3000:]}"
                time.sleep(1)
        finally:
            second.kill()
            _, err = second.communicate(timeout=30)
    for w, n in want.items():
        assert seen.get(w) == list(range(1, n + 1)), \
            f"{w}: expected counts 1..{n}, got {seen.get(w)}\n{err.decode()[-2000:]}"
