"""Power-loss simulation: the broker runs with an LD_PRELOAD shim (powerloss_shim.c) that
journals, for every file in its data dir, the length known durable at each fsync/fdatasync.
After each kill -9 every segment (.log) is cut back to its last durable length, dropping every
write that was not fsynced (LevelDB's fault_injection_test model), or -- the "torn" variant --
keeps a random part of the unsynced tail followed by random garbage, as a disk may after power
loss. Offset and time indexes are never fsynced: they are truncated to a random length or
filled with garbage. Then the broker restarts and every acknowledged message must be there,
exactly once, at its acked offset; every segment and index must validate.

Only the segment files are cut (what holds acked data); checkpoints are written with
temp file + fsync + rename + directory fsync and are left as they are.
POWERLOSS_CYCLES (default 20).
"""
import os
import random
import shutil
import subprocess
import tempfile
import time

import pytest

from fault_util import figure, KillProducer, check_data_dir, verify_log
from sluice_helpers import consume_all, create_topic, watermarks

HERE = os.path.dirname(os.path.abspath(__file__))
PARTITIONS = 3
CYCLES = int(os.environ.get("POWERLOSS_CYCLES", "20"))


@pytest.fixture(scope="module")
def shim():
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        pytest.skip("no C compiler to build the LD_PRELOAD shim")
    out = tempfile.mkdtemp(prefix="sluice-shim-")
    so = os.path.join(out, "powerloss_shim.so")
    subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", so,
                    os.path.join(HERE, "powerloss_shim.c"), "-ldl"], check=True)
    yield so
    shutil.rmtree(out, ignore_errors=True)


def durable_lengths(journal):
    """{path: durable length} from the shim's journal (all broker lives so far)."""
    out = {}
    if not os.path.exists(journal):
        return out
    with open(journal) as f:
        for line in f:
            kind, size, path = line.rstrip("\n").split(" ", 2)
            size = int(size)
            if kind == "S":
                out[path] = size
            elif kind == "T":
                out[path] = min(out.get(path, size), size)
    return out


def power_loss(data_dir, journal, rng, torn):
    """Applies the simulated power loss to the stopped broker's files; returns bytes dropped."""
    durable = durable_lengths(journal)
    dropped = 0
    for root, _, files in os.walk(data_dir):
        for name in files:
            path = os.path.join(root, name)
            size = os.path.getsize(path)
            if name.endswith(".log"):
                keep = min(durable.get(path, 0), size)  # never synced: nothing durable
                if keep < size:
                    dropped += size - keep
                    if torn and rng.random() < 0.5:
                        keep = rng.randint(keep, size)
                    with open(path, "r+b") as f:
                        f.truncate(keep)
                        if torn and rng.random() < 0.5:
                            f.seek(keep)
                            f.write(rng.randbytes(rng.randint(1, 200)))
            elif name.endswith(".index") or name.endswith(".timeindex"):
                r = rng.random()
                if r < 0.3:
                    with open(path, "r+b") as f:
                        f.truncate(rng.randint(0, size))
                elif r < 0.4 and size:
                    with open(path, "r+b") as f:
                        f.seek(rng.randrange(size))
                        f.write(rng.randbytes(8))
    return dropped


@pytest.mark.parametrize("torn", [False, True], ids=["drop-unsynced", "torn-tail"])
def test_power_loss(broker_factory, shim, monkeypatch, torn):
    seed = int(os.environ.get("POWERLOSS_SEED", str(random.randrange(1 << 30))))
    rng = random.Random(seed)
    data_dir = os.path.realpath(tempfile.mkdtemp(prefix="sluice-pl-"))
    journal = os.path.join(os.path.realpath(tempfile.mkdtemp(prefix="sluice-pl-j-")), "journal")
    monkeypatch.setenv("LD_PRELOAD", shim)
    monkeypatch.setenv("SLUICE_SHIM_DIR", data_dir)
    monkeypatch.setenv("SLUICE_SHIM_JOURNAL", journal)
    try:
        b = broker_factory(data_dir=data_dir,
                           settings={"log.segment.bytes": 64 * 1024, "log.index.interval.bytes": 512})
        topic = create_topic(b.bootstrap, partitions=PARTITIONS)
        prod = KillProducer(b.bootstrap, topic, PARTITIONS, tag="p", rate=10000).start()
        dropped_total = 0
        hwm = [0] * PARTITIONS
        for cycle in range(CYCLES):
            before = len(prod.acked)
            prod.resume(cycle)
            assert prod.wait_acks(before + 1, timeout=10), f"cycle {cycle}: nothing acked"
            time.sleep(rng.uniform(0.02, 0.3))
            b.kill9()
            prod.abandon()
            dropped_total += power_loss(data_dir, journal, rng, torn)
            b.start()
            check_data_dir(data_dir, topic)
            for p, o, _ in prod.acked[before:]:
                hwm[p] = max(hwm[p], o + 1)
            for p in range(PARTITIONS):
                _, hi = watermarks(b.bootstrap, topic, p)
                assert hi >= hwm[p], (f"cycle {cycle} (seed {seed}): partition {p} high watermark "
                                      f"{hi} after power loss, but offset {hwm[p] - 1} was acked")
        acked = prod.finish()
        synced_logs = [p for p in durable_lengths(journal) if p.endswith(".log")]
        assert synced_logs, "the shim journaled no segment fsync: is LD_PRELOAD working?"
        log = {}
        for p in range(PARTITIONS):
            _, hi = watermarks(b.bootstrap, topic, p)
            log[p] = [(m.offset, m.value) for m in
                      consume_all(b.bootstrap, topic, p, 0, hi, timeout=60, check_crcs=True)]
        checked, dup, lost = verify_log(log, acked, PARTITIONS)
        figure(f"powerloss({'torn' if torn else 'drop'}): cycles={CYCLES} acked={checked} "
              f"lost={len(lost)} duplicated={len(dup)} unsynced_bytes_dropped={dropped_total} "
              f"segments_tracked={len(synced_logs)} "
              f"seed={seed}")
        assert not lost, f"lost acknowledged messages (seed {seed}): {lost[:5]}"
        assert not dup, f"duplicates (seed {seed}): {dup[:5]}"
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        shutil.rmtree(os.path.dirname(journal), ignore_errors=True)
