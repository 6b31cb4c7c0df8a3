"""Produces values 0..count-1, value i to partition i % partitions, with a given librdkafka
configuration, for the idempotence tests. Imported by them (Debian's confluent-kafka) and run as
a script in the venv of kp3/setup-venv.sh (the newest confluent-kafka wheel, with its own
librdkafka):  python numbered_producer.py '{"bootstrap": ..., "topic": ..., "count": N,
"conf": {...}}'  prints {"acked", "errors", "librdkafka"} as one JSON line."""
import json
import sys

PARTITIONS = 3


def produce_numbered(producer_class, bootstrap, topic, count, progress=None, **conf):
    """Returns the delivery errors and the number of messages acknowledged. progress[0], if
    given, counts acknowledgements as they arrive."""
    base = {"bootstrap.servers": bootstrap, "linger.ms": 5, "message.timeout.ms": 60000,
            "socket.timeout.ms": 10000, "reconnect.backoff.ms": 50,
            "reconnect.backoff.max.ms": 200, "batch.num.messages": 100}
    base.update(conf)
    p = producer_class(base)
    errors, acked = [], progress if progress is not None else [0]

    def on_delivery(err, m):
        if err is None:
            acked[0] += 1
        else:
            errors.append(err)

    for i in range(count):
        while True:
            try:
                p.produce(topic, b"%08d" % i, partition=i % PARTITIONS, on_delivery=on_delivery)
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
    assert p.flush(90) == 0, "messages still undelivered after 90 s"
    return errors, acked[0]


if __name__ == "__main__":
    from confluent_kafka import Producer, libversion

    spec = json.loads(sys.argv[1])
    errs, n = produce_numbered(Producer, spec["bootstrap"], spec["topic"], spec["count"],
                               **spec["conf"])
    print(json.dumps({"acked": n, "errors": [str(e) for e in errs[:5]],
                      "librdkafka": libversion()[0]}))
