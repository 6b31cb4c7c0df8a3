"""kafka-python 3 (pinned in kp3/requirements.txt, run from its own venv through kp3_runner)
against sluiced: produce with the client's defaults, with idempotence asked for, and with it
off, then read back with a group consumer.

kafka-python 3 defaults to enable_idempotence=True (KIP-679) and turns it off by itself only for
a user-set config that conflicts with it (acks != all, retries=0, more than 5 in flight) or for
a broker it judges older than 0.11 from ApiVersions (Sluice's ApiVersions reads as 3.0). It does
not look for InitProducerId among the advertised APIs: against a broker without it, the
producer's first InitProducerId fails with IncompatibleBrokerVersion, which is fatal, and every
record fails with that error, with the default settings exactly as with explicit opt-in."""
from client_run import check_consumed, check_produced
from kp3_runner import kp3_clients  # noqa: F401  (a fixture)
from sluice_helpers import create_topic, unique

COUNT, KEYS, PARTITIONS = 500, 50, 3
# Bounds on how long the client waits; delivery semantics stay as each test sets them.
PRODUCER_TIMEOUTS = {"request_timeout_ms": 10000, "max_block_ms": 15000,
                     "delivery_timeout_ms": 20000}


def round_trip(run, broker, producer_config):
    """Produce COUNT keyed records over PARTITIONS and group-consume them, in one process;
    check both and return what the producer said of its settings."""
    t = create_topic(broker.bootstrap, partitions=PARTITIONS)
    r = run(broker,
            {"op": "produce", "topic": t, "count": COUNT, "keys": KEYS,
             "config": {**PRODUCER_TIMEOUTS, **producer_config}},
            {"op": "consume", "topic": t, "count": COUNT, "group": unique("kp3g"),
             "timeout_s": 30})
    producer = r.one("producer")
    produced = check_produced(r, COUNT, PARTITIONS)
    r.assert_ok()
    check_consumed(r, produced)
    return producer


def test_default_producer(kp3_clients, solo_group_broker):  # noqa: F811
    producer = round_trip(kp3_clients, solo_group_broker, {})
    # The defaults are idempotent with acks=all against a broker that looks like 0.11 or newer.
    assert (producer["idempotent"], producer["acks"]) == (True, -1), producer


def test_explicit_idempotence(kp3_clients, solo_group_broker):  # noqa: F811
    producer = round_trip(kp3_clients, solo_group_broker, {"enable_idempotence": True})
    assert producer["idempotent"] is True


def test_non_idempotent(kp3_clients, solo_group_broker):  # noqa: F811
    # What works without InitProducerId: the same round trip with idempotence off.
    producer = round_trip(kp3_clients, solo_group_broker,
                          {"enable_idempotence": False, "acks": "all"})
    assert producer["idempotent"] is False
