"""A confluent-kafka group consumer run as a child process by the group tests.

Usage: /usr/bin/python3 group_consumer.py '<json spec>'
  spec = {"bootstrap": "127.0.0.1:PORT", "group": "...", "topics": ["..."],
          "commit": "manual" | "auto" | "none",   # manual: synchronous commit after each message
          "conf": {...extra librdkafka settings...}, "delay_ms": 0, "lifetime_s": 110}

Every event is one JSON line on stdout, flushed at once (so a kill -9 loses nothing printed):
  {"ev": "ready"}
  {"ev": "assign"|"revoke"|"lost", "parts": [[topic, p], ...], "assignment": [[topic, p], ...]}
      parts: the partitions of the callback; assignment: the full assignment after applying it
  {"ev": "msg", "t": topic, "p": partition, "o": offset, "v": value}        (= processing)
  {"ev": "committed", "t": ..., "p": ..., "o": next offset, "ok": bool, "err": "..."}
  {"ev": "error", "code": "...", "err": "..."}
  {"ev": "closed"}
Writing "stop" (or closing stdin) makes it close the consumer cleanly and exit 0.
"""
import json
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaError, KafkaException

spec = json.loads(sys.argv[1])
out_lock = threading.Lock()


def emit(**ev):
    ev["ts"] = time.time()
    with out_lock:
        sys.stdout.write(json.dumps(ev) + "\n")
        sys.stdout.flush()


stop = threading.Event()


def watch_stdin():
    for line in sys.stdin:
        if line.strip() == "stop":
            break
    stop.set()


threading.Thread(target=watch_stdin, daemon=True).start()

commit_mode = spec.get("commit", "manual")
conf = {
    "bootstrap.servers": spec["bootstrap"],
    "group.id": spec["group"],
    "client.id": spec.get("client_id", "group-consumer"),
    "auto.offset.reset": "earliest",
    "enable.auto.commit": commit_mode == "auto",
    "session.timeout.ms": 6000,
    "heartbeat.interval.ms": 500,
    "fetch.wait.max.ms": 100,
    "topic.metadata.refresh.interval.ms": 2000,
    "socket.timeout.ms": 10000,
}
if commit_mode == "auto":
    conf["auto.commit.interval.ms"] = 200
conf.update(spec.get("conf", {}))
cooperative = "cooperative" in str(conf.get("partition.assignment.strategy", ""))

c = Consumer(conf)


def parts_of(tps):
    return sorted([tp.topic, tp.partition] for tp in tps)


# The assignment is tracked here: Consumer.assignment() fails in callbacks run by close().
owned = set()


def on_assign(consumer, tps):
    if cooperative:
        consumer.incremental_assign(tps)
        owned.update((tp.topic, tp.partition) for tp in tps)
    else:
        consumer.assign(tps)
        owned.clear()
        owned.update((tp.topic, tp.partition) for tp in tps)
    emit(ev="assign", parts=parts_of(tps), assignment=sorted(map(list, owned)))


def on_revoke(consumer, tps, kind="revoke"):
    if cooperative:
        consumer.incremental_unassign(tps)
        owned.difference_update((tp.topic, tp.partition) for tp in tps)
    else:
        consumer.unassign()
        owned.clear()
    emit(ev=kind, parts=parts_of(tps), assignment=sorted(map(list, owned)))


def on_lost(consumer, tps):
    on_revoke(consumer, tps, "lost")


c.subscribe(spec["topics"], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
emit(ev="ready")
deadline = time.monotonic() + spec.get("lifetime_s", 110)
delay = spec.get("delay_ms", 0) / 1000.0

while not stop.is_set() and time.monotonic() < deadline:
    m = c.poll(0.1)
    if m is None:
        continue
    if m.error():
        if m.error().code() != KafkaError._PARTITION_EOF:
            emit(ev="error", code=m.error().name(), err=str(m.error()))
        continue
    value = m.value().decode() if m.value() is not None else None
    emit(ev="msg", t=m.topic(), p=m.partition(), o=m.offset(), v=value)  # "processing"
    if delay:
        time.sleep(delay)
    if commit_mode == "manual":
        ok, err = True, None
        try:
            res = c.commit(message=m, asynchronous=False)
            bad = [tp for tp in (res or []) if tp.error is not None]
            if bad:
                ok, err = False, str(bad[0].error)
        except KafkaException as e:
            ok, err = False, str(e)
        emit(ev="committed", t=m.topic(), p=m.partition(), o=m.offset() + 1, ok=ok, err=err)

try:
    c.close()
finally:
    emit(ev="closed")
