"""Power-loss simulation: the broker runs with an LD_PRELOAD shim (powerloss_shim.c) that
journals, for every file in its data dir, the length known durable at each fsync/fdatasync/syncfs,
and which directory entries a directory fsync (or syncfs) made durable. After each kill -9 the
files of a partition directory whose entry was never made durable are removed, and every segment
(.log) is cut back to its last durable length, dropping every write that was not synced
(LevelDB's fault_injection_test model), or -- the "torn" variant --
keeps a random part of the unsynced tail followed by random garbage, as a disk may after power
loss. Offset and time indexes are never fsynced: they are truncated to a random length or
filled with garbage. Then the broker restarts and every acknowledged message must be there,
exactly once, at its acked offset; every segment and index must validate.

Only the segment files are cut (what holds acked data); checkpoints are written with
temp file + fsync + rename + directory fsync and are left as they are. With 20 partitions a
flush round covers more than 8 files and the flusher uses one syncfs instead of fdatasyncs.
Entries of the data dir itself (the partition directories) are not modelled: Sluice does not
fsync the data dir after creating a partition directory.
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


class Durable:
    """What the shim's journal says is durable (all broker lives so far): lengths (path ->
    bytes), entries (paths whose directory entry was synced) and the number of syncfs calls."""

    def __init__(self, journal):
        self.lengths, self.entries, self.syncfs = {}, set(), 0
        if not os.path.exists(journal):
            return
        with open(journal) as f:
            for line in f:
                kind, size, path = line.rstrip("\n").split(" ", 2)
                size = int(size)
                if kind == "S":
                    self.lengths[path] = size
                elif kind == "T":
                    self.lengths[path] = min(self.lengths.get(path, size), size)
                elif kind == "D":
                    self.entries.add(path)
                elif kind == "F":
                    self.syncfs += 1


def in_partition_dir(data_dir, root):
    return os.path.dirname(root) == data_dir and os.path.basename(root) != "meta"


def power_loss(data_dir, journal, rng, torn):
    """Applies the simulated power loss to the stopped broker's files; returns (bytes dropped,
    files removed because their directory entry was never synced)."""
    durable = Durable(journal)
    dropped = vanished = 0
    for root, _, files in os.walk(data_dir):
        for name in files:
            path = os.path.join(root, name)
            size = os.path.getsize(path)
            if in_partition_dir(data_dir, root) and path not in durable.entries:
                os.remove(path)
                vanished += 1
                dropped += size
                continue
            if name.endswith(".log"):
                keep = min(durable.lengths.get(path, 0), size)  # never synced: nothing durable
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
    return dropped, vanished


@pytest.mark.parametrize("partitions,torn", [(3, False), (3, True), (20, False)],
                         ids=["drop-unsynced", "torn-tail", "drop-unsynced-20p-syncfs"])
def test_power_loss(broker_factory, shim, monkeypatch, partitions, torn):
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
        topic = create_topic(b.bootstrap, partitions=partitions)
        prod = KillProducer(b.bootstrap, topic, partitions, tag="p", rate=10000).start()
        dropped_total = vanished_total = 0
        hwm = [0] * partitions
        for cycle in range(CYCLES):
            before = len(prod.acked)
            prod.resume(cycle)
            assert prod.wait_acks(before + 1, timeout=10), f"cycle {cycle}: nothing acked"
            time.sleep(rng.uniform(0.02, 0.3))
            b.kill9()
            prod.abandon()
            dropped, vanished = power_loss(data_dir, journal, rng, torn)
            dropped_total += dropped
            vanished_total += vanished
            b.start()
            check_data_dir(data_dir, topic)
            for p, o, _ in prod.acked[before:]:
                hwm[p] = max(hwm[p], o + 1)
            for p in range(partitions):
                _, hi = watermarks(b.bootstrap, topic, p)
                assert hi >= hwm[p], (f"cycle {cycle} (seed {seed}): partition {p} high watermark "
                                      f"{hi} after power loss, but offset {hwm[p] - 1} was acked")
        acked = prod.finish()
        durable = Durable(journal)
        synced_logs = [p for p in durable.lengths if p.endswith(".log")]
        assert synced_logs, "the shim journaled no segment fsync: is LD_PRELOAD working?"
        if partitions > 8:
            assert durable.syncfs, "no flush round took the syncfs path: the test proves nothing"
        log = {}
        for p in range(partitions):
            _, hi = watermarks(b.bootstrap, topic, p)
            log[p] = [(m.offset, m.value) for m in
                      consume_all(b.bootstrap, topic, p, 0, hi, timeout=60, check_crcs=True)]
        checked, dup, lost = verify_log(log, acked, partitions)
        figure(f"powerloss({'torn' if torn else 'drop'}): partitions={partitions} cycles={CYCLES} "
              f"acked={checked} lost={len(lost)} duplicated={len(dup)} "
              f"unsynced_bytes_dropped={dropped_total} files_vanished={vanished_total} "
              f"syncfs_rounds={durable.syncfs} segments_tracked={len(synced_logs)} "
              f"seed={seed}")
        assert not lost, f"lost acknowledged messages (seed {seed}): {lost[:5]}"
        assert not dup, f"duplicates (seed {seed}): {dup[:5]}"
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        shutil.rmtree(os.path.dirname(journal), ignore_errors=True)
