"""Drives kafka-python 3 against a sluiced broker for test_kafka_python3.py. Runs in the venv
that setup-venv.sh makes (the pytest process itself has Debian's kafka-python 2.0).

Usage: .venv-kp3/bin/python kp3_client.py '<json>'
  json = {"broker": "127.0.0.1:PORT", "deadline_s": 60, "steps": [step, ...]}
  step = {"op": "produce", "topic", "count", "keys": K (0: no keys, else key i % K), "config": {}}
       | {"op": "consume", "topic", "count", "group": G or null (assign), "timeout_s", "config": {}}
"config" goes to KafkaProducer/KafkaConsumer untouched, so a step without it gets kafka-python's
defaults. Prints JSON lines like java/SluiceClients.java: "ack"/"send_error" lines and a
"produced" summary; "record" lines and a "consumed" summary; on a failed step an "error" line
(and the traceback on stderr), then exit 1. deadline_s bounds the whole run (exit 3).
"""
import json
import logging
import os
import sys
import threading
import time
import traceback

import kafka
import kafka.errors
from kafka import KafkaConsumer, KafkaProducer, TopicPartition


def emit(**obj):
    sys.stdout.write(json.dumps(obj) + "\n")


def describe(e):
    return f"{type(e).__module__}.{type(e).__name__}: {e}"


def produce(broker, s):
    conf = {"bootstrap_servers": broker, **s.get("config", {})}
    p = KafkaProducer(**conf)
    emit(type="producer", idempotent=p.config["enable_idempotence"], acks=p.config["acks"],
         api_version=list(p.config["api_version"]), kafka_python=kafka.__version__)
    keys, futs = s.get("keys", 0), []
    try:
        for i in range(s["count"]):
            key = f"k{i % keys}".encode() if keys else None
            value = f"v{i}".encode()
            try:
                futs.append((i, key, value, p.send(s["topic"], key=key, value=value)))
            except Exception as e:  # send() raises once the producer is in a fatal state
                futs.append((i, key, value, e))
        try:
            p.flush(timeout=s.get("flush_timeout_s", 30))
        except kafka.errors.KafkaTimeoutError:
            pass  # the records still pending are reported below as not completed
    finally:
        p.close(timeout=10)
    acked, failed, first = 0, 0, None
    for i, key, value, f in futs:
        if isinstance(f, Exception):
            err = describe(f)
        elif not f.is_done:
            err = "not completed by flush"
        elif f.failed():
            err = describe(f.exception)
        else:
            md = f.get(timeout=0)
            acked += 1
            emit(type="ack", i=i, key=key and key.decode(), value=value.decode(),
                 partition=md.partition, offset=md.offset)
            continue
        failed += 1
        first = first or err
        emit(type="send_error", i=i, error=err)
    emit(type="produced", acked=acked, failed=failed, first_error=first)
    if failed:
        raise RuntimeError(f"{failed} of {s['count']} sends failed; first: {first}")


def consume(broker, s):
    group = s.get("group")
    conf = {"bootstrap_servers": broker, "group_id": group, "auto_offset_reset": "earliest",
            "enable_auto_commit": False, "fetch_max_wait_ms": 100, **s.get("config", {})}
    c = KafkaConsumer(**conf)
    seen, count = 0, s["count"]
    try:
        if group:
            # kafka-python 3.0.12 can lose its assignment when its first rebalance runs before
            # it has the topic's metadata (an empty assignment) and the rebalance that the
            # metadata then triggers follows at once: its SyncGroup answer is never applied (seen
            # in about one run in three, with client debug logging, against this broker before
            # and after its version ranges widened). Knowing the topic first avoids that race;
            # these tests are about the producer.
            c.partitions_for_topic(s["topic"])
            c.subscribe([s["topic"]])
        else:
            parts = c.partitions_for_topic(s["topic"]) or set()
            tps = [TopicPartition(s["topic"], p) for p in sorted(parts)]
            assert tps, f"no partitions known for {s['topic']}"
            c.assign(tps)
            c.seek_to_beginning(*tps)
        deadline = time.monotonic() + s.get("timeout_s", 30)
        while seen < count and time.monotonic() < deadline:
            batch = c.poll(timeout_ms=200)
            for recs in batch.values():
                for r in recs:
                    seen += 1
                    emit(type="record", partition=r.partition, offset=r.offset,
                         key=r.key and r.key.decode(), value=r.value.decode())
            if group and batch:
                c.commit()
        committed = {}
        if group:
            for tp in c.assignment():
                off = c.committed(tp)
                if off is not None:
                    committed[str(tp.partition)] = off
        emit(type="consumed", count=seen, committed=committed)
    finally:
        c.close()
    if seen < count:
        raise RuntimeError(f"consumed {seen}/{count} within {s.get('timeout_s', 30)}s")


def main():
    spec = json.loads(sys.argv[1])
    # Warnings and errors of the client on stderr: what a failing test needs to show.
    logging.basicConfig(level=getattr(logging, os.environ.get("KP3_LOG", "WARNING")), stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")

    def deadline():
        emit(type="error", step=-1, error=f"deadline of {spec['deadline_s']}s passed")
        sys.stdout.flush()
        os._exit(3)  # the client's threads must not hold the process up

    timer = threading.Timer(spec.get("deadline_s", 60), deadline)
    timer.daemon = True
    timer.start()
    for n, s in enumerate(spec["steps"]):
        try:
            {"produce": produce, "consume": consume}[s["op"]](spec["broker"], s)
        except Exception as e:
            emit(type="error", step=n, error=describe(e))
            sys.stdout.flush()
            traceback.print_exc()
            os._exit(1)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
