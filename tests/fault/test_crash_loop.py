"""Crash loop: start the broker, produce acks=all on several partitions, kill -9 at a random
moment, restart, repeat. Every acknowledged message must be present exactly once at its acked
offset, in order, and every segment and index must validate after each recovery.

CRASH_CYCLES (default 100, about a minute; 1000 by hand), CRASH_SEED (default: random, printed).
Only the non-idempotent producer is exercised: the broker does not advertise InitProducerId yet
(idempotence arrives with the transactions stage); the producer runs without retries so that a
duplicate can only come from the broker.
"""
import os
import random
import time

from fault_util import figure, KillProducer, check_data_dir, verify_log
from sluice_helpers import consume_all, create_topic, watermarks

PARTITIONS = 4
CYCLES = int(os.environ.get("CRASH_CYCLES", "100"))


def read_back(bootstrap, topic):
    log = {}
    for p in range(PARTITIONS):
        lo, hi = watermarks(bootstrap, topic, p)
        assert lo == 0
        msgs = consume_all(bootstrap, topic, p, 0, hi, timeout=60, check_crcs=True)
        log[p] = [(m.offset, m.value) for m in msgs]
    return log


def test_crash_loop(broker_factory):
    seed = int(os.environ.get("CRASH_SEED", str(random.randrange(1 << 30))))
    rng = random.Random(seed)
    # Small segments so that rolls (and recovery across several segments) happen too.
    b = broker_factory(settings={"log.segment.bytes": 256 * 1024, "log.index.interval.bytes": 1024})
    # the whole test runs CYCLES cycles: lift the per-test alarm accordingly
    topic = create_topic(b.bootstrap, partitions=PARTITIONS)
    prod = KillProducer(b.bootstrap, topic, PARTITIONS, tag="c").start()
    t0 = time.monotonic()
    hwm_seen = [0] * PARTITIONS
    for cycle in range(CYCLES):
        before = len(prod.acked)
        prod.resume(cycle)
        assert prod.wait_acks(before + 1, timeout=10), f"cycle {cycle}: nothing acked in 10 s"
        time.sleep(rng.uniform(0.02, 0.3))  # the random moment
        b.kill9()
        prod.abandon()
        b.start()
        # Recovery is done before the ready line: the files must be valid now (broker idle).
        check_data_dir(b.data_dir, topic)
        for p, o, _ in prod.acked[before:]:
            hwm_seen[p] = max(hwm_seen[p], o + 1)
        if cycle % 20 == 19 or cycle == CYCLES - 1:
            # Cheap periodic loss check: the high watermark covers every acked offset.
            for p in range(PARTITIONS):
                _, hi = watermarks(b.bootstrap, topic, p)
                assert hi >= hwm_seen[p], f"cycle {cycle}: partition {p} hwm {hi} < {hwm_seen[p]}"
    all_acked = prod.finish()
    elapsed = time.monotonic() - t0
    log = read_back(b.bootstrap, topic)
    checked, dup, lost = verify_log(log, all_acked, PARTITIONS)
    stored = sum(len(v) for v in log.values())
    b.stop()
    batches, records = check_data_dir(b.data_dir, topic)
    assert records == stored
    figure(f"cycles={CYCLES} acked={checked} lost={len(lost)} duplicated={len(dup)} "
          f"stored={stored} batches={batches} seed={seed} time={elapsed:.1f}s")
    assert not lost, f"lost acknowledged messages (seed {seed}): {lost[:5]}"
    assert not dup, f"duplicated messages (seed {seed}): {dup[:5]}"
