#!/usr/bin/python3
"""First produce-throughput figure for Sluice, with the machine's fsync'd write speed measured in
the same run as the baseline. Starts its own sluiced on 127.0.0.1 with a temp data dir.

  /usr/bin/python3 bench/quick_produce.py [--messages 200000] [--size 1024]

The client is confluent-kafka (librdkafka 2.0.2): acks=all, linger.ms=5, batch up to 1 MiB,
no compression. Throughput = acknowledged payload bytes / time from first send to last ack.
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time

from confluent_kafka import Producer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SLUICED = os.environ.get("SLUICED", os.path.join(ROOT, "build", "sluiced"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fsync_write_baseline(directory, total=256 << 20, block=1 << 20):
    """MB/s of sequential 1 MiB writes, each followed by fdatasync (fio's fdatasync_1m shape)."""
    path = os.path.join(directory, "baseline.bin")
    buf = os.urandom(block)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    start = time.perf_counter()
    for _ in range(total // block):
        os.write(fd, buf)
        os.fdatasync(fd)
    elapsed = time.perf_counter() - start
    os.close(fd)
    os.unlink(path)
    return total / elapsed / 1e6


def run_broker(data_dir, extra):
    port = free_port()
    proc = subprocess.Popen([SLUICED, "--data-dir", data_dir, "--listen", f"127.0.0.1:{port}"] + extra,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    if "ready" not in line:
        proc.kill()
        sys.exit(f"sluiced did not start: {line!r}")
    return proc, f"127.0.0.1:{port}"


def produce(bootstrap, n, size):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5,
                  "batch.size": 1 << 20, "queue.buffering.max.messages": 1000000,
                  "compression.type": "none"})
    payload = os.urandom(size)
    acked = [0]

    def on_delivery(err, _msg):
        if err is None:
            acked[0] += 1

    p.produce("bench", payload)  # creates the topic; not timed
    p.flush(30)
    acked[0] = 0
    start = time.perf_counter()
    for _ in range(n):
        while True:
            try:
                p.produce("bench", payload, on_delivery=on_delivery)
                break
            except BufferError:
                p.poll(0.001)
        p.poll(0)
    p.flush(120)
    elapsed = time.perf_counter() - start
    if acked[0] != n:
        sys.exit(f"only {acked[0]} of {n} acknowledged")
    return n / elapsed, n * size / elapsed / 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=200000)
    ap.add_argument("--size", type=int, default=1024)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sluice-bench-") as d:
        base = fsync_write_baseline(d)
        print(f"baseline: sequential 1 MiB writes + fdatasync: {base:.0f} MB/s")
        for policy in ("always", "interval"):
            data = os.path.join(d, policy)
            proc, bootstrap = run_broker(data, ["--set", f"log.flush.policy={policy}"])
            try:
                mps, mbps = produce(bootstrap, a.messages, a.size)
            finally:
                proc.terminate()
                proc.wait(30)
            print(f"sluice produce acks=all log.flush.policy={policy}: {mps:,.0f} msgs/s, "
                  f"{mbps:.0f} MB/s payload = {mbps / base:.2f}x the fsync'd write baseline "
                  f"({a.messages} x {a.size} B, 1 partition, confluent-kafka client)")


if __name__ == "__main__":
    main()
