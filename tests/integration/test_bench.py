"""sluice-bench (the load generator of bench/) against a real broker: every mode moves the messages
it says it moved, and its result line carries the figures compare.sh reads.

Environment: SLUICE_BENCH (binary, default <repo>/build/sluice-bench). Every run is bounded by a
subprocess timeout; the workloads are tiny (this checks the tool, not the broker's speed).
"""
import os
import pathlib
import re
import subprocess

from sluice_helpers import unique, watermarks

REPO = pathlib.Path(__file__).resolve().parents[2]
SLUICE_BENCH = os.environ.get("SLUICE_BENCH", str(REPO / "build" / "sluice-bench"))
RUN_TIMEOUT = 60.0
RESULT_RE = re.compile(r"^system=(\S+) workload=(\S+) msgs=(\d+) size=(\d+) msgs_per_s=([\d.]+) "
                       r"MB_per_s=([\d.]+) p50_ms=([\d.]+) p99_ms=([\d.]+) p999_ms=([\d.]+) "
                       r"max_ms=([\d.]+)$")


def bench(*args):
    p = subprocess.run([SLUICE_BENCH, *args, "--quiet", "--timeout", "20"], capture_output=True,
                       text=True, timeout=RUN_TIMEOUT)
    assert p.returncode == 0, f"sluice-bench {args} failed ({p.returncode}): {p.stderr}"
    lines = [l for l in p.stdout.splitlines() if l.startswith("system=")]
    assert len(lines) == 1, p.stdout
    m = RESULT_RE.match(lines[0])
    assert m, lines[0]
    return {"workload": m.group(2), "msgs": int(m.group(3)), "size": int(m.group(4)),
            "mb_per_s": float(m.group(6)), "p50": float(m.group(7)), "max": float(m.group(10)),
            "stderr": p.stderr}


def test_produce_then_consume_and_raw_fetch_read_every_message(broker):
    topic = unique("bench")
    common = ["--bootstrap", broker.bootstrap, "--topic", topic, "--size", "512"]
    r = bench("produce", *common, "--count", "3000", "--window", "200", "--acks", "all")
    assert r["workload"] == "produce" and r["msgs"] == 3000 and r["size"] == 512
    assert r["mb_per_s"] > 0 and 0 < r["p50"] <= r["max"]
    assert watermarks(broker.bootstrap, topic) == (0, 3000)

    c = bench("consume", *common)
    assert c["msgs"] == 3000 and c["mb_per_s"] > 0

    # Small fetches force many round trips, so resuming after each response's last batch is
    # exercised; every record is counted exactly once.
    f = bench("fetch", *common, "--fetch-max-bytes", "4096")
    assert f["workload"] == "fetch" and f["msgs"] == 3000
    fetches = int(re.search(r"(\d+) fetches", f["stderr"]).group(1))
    assert fetches > 10

    part = bench("fetch", *common, "--count", "1000", "--fetch-max-bytes", "4096")
    assert 1000 <= part["msgs"] < 3000


def test_raw_fetch_reads_every_partition(broker):
    topic = unique("bench")
    common = ["--bootstrap", broker.bootstrap, "--topic", topic, "--size", "128"]
    bench("produce", *common, "--partitions", "3", "--keys", "--count", "900")
    f = bench("fetch", *common, "--partitions", "3")
    assert f["msgs"] == 900


def test_raw_fetch_of_a_missing_topic_fails_with_a_message(broker):
    p = subprocess.run([SLUICE_BENCH, "fetch", "--bootstrap", broker.bootstrap, "--topic",
                        unique("absent"), "--quiet"], capture_output=True, text=True,
                       timeout=RUN_TIMEOUT)
    assert p.returncode != 0
    assert "error 3" in p.stderr  # UNKNOWN_TOPIC_OR_PARTITION


def test_e2e_at_a_fixed_rate_receives_what_was_acknowledged(broker):
    r = bench("e2e", "--bootstrap", broker.bootstrap, "--topic", unique("bench"), "--rate", "500",
              "--duration", "1", "--linger-ms", "0")
    assert r["workload"] == "e2e" and r["msgs"] == 500
    assert 0 < r["p50"] <= r["max"]


def test_jitter_reports_wake_up_lateness_without_a_broker():
    p = subprocess.run([SLUICE_BENCH, "jitter", "--duration", "0.5", "--period-us", "1000",
                        "--system", "machine"], capture_output=True, text=True,
                       timeout=RUN_TIMEOUT)
    assert p.returncode == 0, p.stderr
    m = RESULT_RE.match(p.stdout.strip().splitlines()[-1])
    assert m and m.group(1) == "machine" and m.group(2) == "jitter"
    wakeups = int(m.group(3))
    assert 50 <= wakeups <= 500  # one per 1 ms slot over 0.5 s, fewer if stalls skipped slots
    p50, max_ms = float(m.group(7)), float(m.group(10))
    assert 0 <= p50 <= max_ms


def test_raw_produce_writes_what_it_reports_in_every_mode(broker):
    # Each request carries one batch per partition, so every partition ends at the same offset;
    # a committed transaction adds one marker to each.
    for mode in ("plain", "idempotent", "transactional"):
        topic = unique("raw-" + mode)
        r = bench("raw-produce", "--bootstrap", broker.bootstrap, "--topic", topic,
                  "--partitions", "3", "--size", "64", "--duration", "0.5",
                  "--records-per-batch", "10", "--transaction-batches", "6", "--mode", mode)
        assert r["workload"] == "raw-produce" and r["msgs"] > 0 and r["msgs"] % 30 == 0
        txns = int(re.search(r"(\d+) transactions", r["stderr"]).group(1))
        assert (txns > 0) == (mode == "transactional")
        assert r["msgs"] == txns * 60 or mode != "transactional"
        ends = [watermarks(broker.bootstrap, topic, p)[1] for p in range(3)]
        assert ends == [r["msgs"] // 3 + txns] * 3, (mode, ends, r["msgs"], txns)
