"""Disk full: the data dir lives on a small tmpfs of its own (mount -t tmpfs -o size=...; needs
root, skipped otherwise). A ballast file leaves little room; producing runs into ENOSPC.

Must hold (always): the failing produce is answered KAFKA_STORAGE_ERROR (not a hang, not a
crash), nothing acknowledged is lost, no segment is left corrupt, and after a restart with space
available everything acked is readable and producing works again.

Also: reads keep working while the disk is full, and producing resumes by itself when space
returns. A write that fails cleanly (the partial write cut away) refuses only that produce; only
an unclean write error or a failed fsync takes a partition's log offline.
"""
import os
import shutil
import subprocess
import tempfile

import pytest
from confluent_kafka import KafkaError

from fault_util import figure, check_data_dir
from sluice_helpers import consume_all, create_topic, produce_all, watermarks

FS_MB = 12
VALUE = b"d" * 1000


@pytest.fixture
def small_fs():
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    d = tempfile.mkdtemp(prefix="sluice-fullfs-")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={FS_MB}m", "tmpfs", d],
                       capture_output=True, text=True)
    if r.returncode != 0:
        os.rmdir(d)
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield d
    finally:
        subprocess.run(["umount", "-l", d], capture_output=True)
        shutil.rmtree(d, ignore_errors=True)


def fill_ballast(fs, leave_bytes):
    """Creates fs/ballast so that about leave_bytes stay free; returns its path."""
    st = os.statvfs(fs)
    free = st.f_bavail * st.f_frsize
    path = os.path.join(fs, "ballast")
    with open(path, "wb") as f:
        left = max(0, free - leave_bytes)
        chunk = b"\0" * (1 << 20)
        while left > 0:
            n = min(left, len(chunk))
            f.write(chunk[:n])
            left -= n
    return path


def produce_until_full(bootstrap, topic, rounds=40):
    """Produces 200-message rounds (acks=all, no retries) until a round reports errors.
    Returns (acked [(partition, offset, value)], error codes of the failed deliveries)."""
    acked, errors = [], []
    n = 0
    for _ in range(rounds):
        msgs = [{"partition": 0, "value": b"%08d-" % (n + i) + VALUE} for i in range(200)]
        n += 200
        reports = produce_all(bootstrap, topic, msgs, timeout=30, acks="all",
                              message_send_max_retries=0)
        for r in reports:
            if r.error is None:
                acked.append((r.partition, r.offset, r.value))
            else:
                errors.append(r.error.code())
        if errors:
            break
    return acked, errors


def check_acked(bootstrap, topic, acked, timeout=30):
    _, hi = watermarks(bootstrap, topic)
    got = {m.offset: m.value for m in consume_all(bootstrap, topic, 0, 0, hi, timeout=timeout,
                                                   check_crcs=True)}
    lost = [(o, v[:8]) for _, o, v in acked if got.get(o) != v]
    return hi, lost


def test_disk_full_storage_error_then_restart(broker_factory, small_fs):
    data_dir = os.path.join(small_fs, "data")
    b = broker_factory(data_dir=data_dir)
    topic = create_topic(b.bootstrap)
    other = create_topic(b.bootstrap)  # a partition that is not written while the disk is full
    ballast = fill_ballast(small_fs, 2 << 20)
    acked, errors = produce_until_full(b.bootstrap, topic)
    assert errors, "the disk never filled up"
    assert acked, "nothing was acknowledged before the disk filled up"
    assert set(errors) <= {KafkaError.KAFKA_STORAGE_ERROR}, \
        f"produce on a full disk failed with {set(errors)}, expected KAFKA_STORAGE_ERROR (56)"
    assert b.alive()
    figure(f"disk full after {len(acked)} acked messages; {len(errors)} refused with "
          f"KAFKA_STORAGE_ERROR")
    # A partition with no failed write still serves reads.
    consume_all(b.bootstrap, other, 0, 0, 0)
    os.remove(ballast)  # space returns
    b.restart(graceful=True)
    hi, lost = check_acked(b.bootstrap, topic, acked)
    assert not lost, f"acknowledged messages lost after disk full: {lost[:5]}"
    reports = produce_all(b.bootstrap, topic, [{"partition": 0, "value": b"after"}], acks="all")
    assert reports[0].error is None and reports[0].offset == hi
    assert b.stop() == 0
    check_data_dir(data_dir)


def test_disk_full_reads_continue_and_recovery_without_restart(broker_factory, small_fs):
    data_dir = os.path.join(small_fs, "data")
    b = broker_factory(data_dir=data_dir)
    topic = create_topic(b.bootstrap)
    ballast = fill_ballast(small_fs, 2 << 20)
    acked, errors = produce_until_full(b.bootstrap, topic)
    assert errors and acked
    hi, lost = check_acked(b.bootstrap, topic, acked, timeout=5)  # reads while full
    assert not lost
    os.remove(ballast)
    reports = produce_all(b.bootstrap, topic, [{"partition": 0, "value": b"after"}], acks="all",
                          message_send_max_retries=0)
    assert reports[0].error is None, f"produce after space returned: {reports[0].error}"
