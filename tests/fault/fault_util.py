"""Shared pieces of the fault tests: an independent reader/validator of Sluice's on-disk format
(docs/storage-format.md), and a producer that runs until the broker is killed.
"""
import ctypes
import ctypes.util
import os
import struct
import threading
import time

from confluent_kafka import Producer

from kafka_wire import crc32c as crc32c_py

FIGURES = []  # lines printed in the pytest terminal summary (see conftest.py)


def figure(line):
    """Records a result line (cycles, acked, latency...) for the end-of-run summary."""
    FIGURES.append(line.strip())
    print(line)


# --------------------------------------------------------------------------- CRC-32C
# isa-l (which the broker links) when present: it runs at memory speed. Otherwise the
# integration tests' pure-Python CRC-32C (kafka_wire.crc32c; tests/integration is on sys.path).


def _load_isal():
    for name in ("libisal.so.2", ctypes.util.find_library("isal")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            f = lib.crc32_iscsi
            f.restype = ctypes.c_uint32
            f.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint32]
            return f
        except OSError:
            continue
    return None


_isal = _load_isal()


def crc32c(data) -> int:
    if _isal is not None:
        return (~_isal(bytes(data), len(data), 0xFFFFFFFF)) & 0xFFFFFFFF
    return crc32c_py(data)


assert crc32c(b"123456789") == 0xE3069283 and crc32c_py(b"123456789") == 0xE3069283

# --------------------------------------------------------------------------- segment format

HEADER = 61
OVERHEAD = 12


class Batch:
    __slots__ = ("pos", "base_offset", "length", "epoch", "magic", "crc", "attributes",
                 "last_offset_delta", "max_ts", "record_count", "size")

    @property
    def last_offset(self):
        return self.base_offset + self.last_offset_delta


def parse_header(buf, pos):
    b = Batch()
    b.pos = pos
    (b.base_offset, b.length, b.epoch, b.magic, b.crc, b.attributes, b.last_offset_delta,
     _base_ts, b.max_ts, _pid, _pepoch, _seq, b.record_count) = struct.unpack_from(
        ">qiibIhiqqqhii", buf, pos)
    b.size = OVERHEAD + b.length
    return b


def check_batch(buf, pos):
    """None if a valid batch starts at pos (spec: 'A valid batch'), else the reason."""
    if len(buf) - pos < HEADER:
        return "truncated header"
    b = parse_header(buf, pos)
    if b.length < HEADER - OVERHEAD:
        return f"batchLength {b.length} < 49"
    if pos + b.size > len(buf):
        return f"batch of {b.size} bytes runs past the end of the file"
    if b.magic != 2:
        return f"magic {b.magic}"
    if (b.attributes & 0x7) > 4 or (b.attributes & 0xFF80):
        return f"attributes {b.attributes:#x}"
    if b.record_count < 0 or b.last_offset_delta < 0:
        return "negative recordCount/lastOffsetDelta"
    if crc32c(memoryview(buf)[pos + 21:pos + b.size]) != b.crc:
        return "CRC-32C mismatch"
    return None


def read_segment(path):
    """All batches of a segment file, validating each; raises AssertionError on the first bad
    one (with the file, position and reason)."""
    with open(path, "rb") as f:
        buf = f.read()
    out, pos = [], 0
    while pos < len(buf):
        why = check_batch(buf, pos)
        assert why is None, f"{path}: invalid batch at position {pos} of {len(buf)}: {why}"
        b = parse_header(buf, pos)
        out.append(b)
        pos += b.size
    return out


def check_partition_dir(d):
    """Validates a quiescent partition directory (broker stopped, or recovered and idle): every
    segment batch valid (CRC), offsets contiguous within and across segments, each segment named
    after its first offset, offset and time indexes consistent. Returns (batches, records)."""
    logs = sorted(f for f in os.listdir(d) if f.endswith(".log"))
    assert logs, f"{d}: no segment"
    expect_next = None
    nbatches = nrecords = 0
    for name in logs:
        base = int(name[:-4])
        assert name == "%020d.log" % base, f"{d}/{name}: bad segment name"
        path = os.path.join(d, name)
        batches = read_segment(path)
        if expect_next is not None:
            assert base == expect_next, f"{path}: base {base}, previous segment ended at {expect_next}"
        nxt = base
        starts = {}
        for b in batches:
            assert b.base_offset == nxt, f"{path}@{b.pos}: base offset {b.base_offset}, expected {nxt}"
            starts[b.pos] = b
            nxt = b.last_offset + 1
            nrecords += b.last_offset_delta + 1
        nbatches += len(batches)
        expect_next = nxt
        _check_index(path[:-4] + ".index", base, starts, os.path.getsize(path))
        _check_timeindex(path[:-4] + ".timeindex", base, nxt)
    return nbatches, nrecords


def _check_index(path, base, starts, log_size):
    if not os.path.exists(path):
        return  # rebuilt at open when missing
    with open(path, "rb") as f:
        data = f.read()
    assert len(data) % 8 == 0, f"{path}: {len(data)} bytes is not whole 8-byte entries"
    prev = None
    for i in range(0, len(data), 8):
        rel, pos = struct.unpack_from(">iI", data, i)
        if i == 0:
            assert (rel, pos) == (0, 0), f"{path}: first entry {(rel, pos)} != (0, 0)"
        else:
            assert rel > prev[0] and pos > prev[1], f"{path}: entry {i // 8} not increasing"
        assert pos < log_size, f"{path}: entry {i // 8} position {pos} past the log ({log_size})"
        b = starts.get(pos)
        assert b is not None, f"{path}: entry {i // 8} position {pos} is not a batch start"
        assert b.base_offset == base + rel, f"{path}: entry {i // 8} offset mismatch"
        prev = (rel, pos)


def _check_timeindex(path, base, next_offset):
    if not os.path.exists(path):
        return
    with open(path, "rb") as f:
        data = f.read()
    assert len(data) % 12 == 0, f"{path}: {len(data)} bytes is not whole 12-byte entries"
    prev = None
    for i in range(0, len(data), 12):
        ts, rel = struct.unpack_from(">qi", data, i)
        assert base + rel < next_offset, f"{path}: entry {i // 12} offset past the segment"
        if prev is not None:
            assert ts > prev[0] and rel > prev[1], f"{path}: entry {i // 12} not increasing"
        prev = (ts, rel)


def check_data_dir(data_dir, topic_prefix=""):
    """check_partition_dir for every partition directory; returns total (batches, records)."""
    tb = tr = 0
    for name in sorted(os.listdir(data_dir)):
        d = os.path.join(data_dir, name)
        if name == "meta" or not os.path.isdir(d) or not name.startswith(topic_prefix):
            continue
        b, r = check_partition_dir(d)
        tb += b
        tr += r
    return tb, tr


# --------------------------------------------------------------------------- crash producer


class KillProducer:
    """Produces unique numbered values (b"<tag>-<cycle>-<i>") round-robin over `partitions`
    from a thread, acks=all, NOT idempotent (InitProducerId is not advertised yet) and without
    retries (a retried batch whose first attempt was written would be a legitimate duplicate).
    Records every acknowledged (partition, offset, value).

    One producer serves many broker lives (same port): pause() stops new messages, and after the
    broker is killed, abandon() purges what is queued or in flight (those are not acknowledged:
    they may or may not be in the log) so that nothing reaches the next broker life unseen."""

    def __init__(self, bootstrap, topic, partitions, tag="m", rate=20000, **conf):
        self.topic, self.partitions, self.tag, self.rate = topic, partitions, tag, rate
        base = {"bootstrap.servers": bootstrap, "acks": "all",
                "enable.idempotence": False, "message.send.max.retries": 0,
                "linger.ms": 1, "message.timeout.ms": 5000,
                "socket.timeout.ms": 5000, "queue.buffering.max.messages": 50000,
                "reconnect.backoff.ms": 10, "reconnect.backoff.max.ms": 100,
                "topic.metadata.refresh.interval.ms": 60000, "log_level": 0}
        base.update(conf)
        self.p = Producer(base)
        self.acked, self.failed = [], 0
        self.cycle = 0
        self.attempted = 0
        self._run = threading.Event()
        self._idle = threading.Event()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, daemon=True)

    def _cb(self, err, m):
        if err is None:
            self.acked.append((m.partition(), m.offset(), m.value()))
        else:
            self.failed += 1

    def _loop(self):
        i = 0
        while not self._stop.is_set():
            if not self._run.is_set():
                self._idle.set()
                self.p.poll(0.01)
                continue
            self._idle.clear()
            t0, n0, cycle = time.monotonic(), i, self.cycle
            while self._run.is_set() and not self._stop.is_set():
                if (i - n0) % 50 == 0:
                    ahead = (i - n0) / self.rate - (time.monotonic() - t0)
                    if ahead > 0:
                        time.sleep(ahead)
                value = b"%s-%d-%d" % (self.tag.encode(), cycle, i)
                try:
                    self.p.produce(self.topic, value, partition=i % self.partitions,
                                   on_delivery=self._cb)
                except BufferError:
                    self.p.poll(0.01)
                    continue
                i += 1
                self.attempted += 1
                self.p.poll(0)

    def start(self):
        self._t.start()
        return self

    def resume(self, cycle):
        self.cycle = cycle
        self._idle.clear()
        self._run.set()

    def pause(self):
        self._run.clear()
        assert self._idle.wait(10), "producer thread did not pause"

    def wait_acks(self, n, timeout=10.0):
        deadline = time.monotonic() + timeout
        while len(self.acked) < n and time.monotonic() < deadline:
            time.sleep(0.002)
        return len(self.acked) >= n

    def abandon(self, timeout=10.0):
        """After the broker died: fail everything queued or in flight, wait for the reports."""
        self.pause()
        self.p.purge(in_queue=True, in_flight=True, blocking=True)
        left = self.p.flush(timeout)
        assert left == 0, f"{left} messages neither acknowledged nor failed"

    def finish(self, timeout=15.0):
        self._run.clear()
        self._stop.set()
        self._t.join(10)
        assert not self._t.is_alive(), "producer thread did not stop"
        left = self.p.flush(timeout)
        assert left == 0, f"{left} messages neither acknowledged nor failed"
        return self.acked


def parse_value(v):
    tag, cycle, i = v.split(b"-")
    return tag, int(cycle), int(i)


def verify_log(log, acked, partitions):
    """log: {partition: [(offset, value)]} read back from the broker; acked: [(p, offset, v)].
    Every acked value at its acked offset; no value twice; per partition, values in production
    order; offsets dense. Returns (checked, duplicated, lost)."""
    lost, dup = [], []
    by_offset = {p: dict(entries) for p, entries in log.items()}
    for p, off, v in acked:
        if by_offset.get(p, {}).get(off) != v:
            lost.append((p, off, v, by_offset.get(p, {}).get(off)))
    seen = set()
    for p, entries in log.items():
        assert [o for o, _ in entries] == list(range(entries[0][0], entries[0][0] + len(entries))) \
            if entries else True, f"partition {p}: offsets not dense"
        prev = None
        for off, v in entries:
            if v in seen:
                dup.append((p, off, v))
            seen.add(v)
            tag, cycle, i = parse_value(v)
            assert i % partitions == p, f"{v!r} in partition {p}"
            key = (cycle, i)
            assert prev is None or key > prev, f"partition {p}: {v!r} after {prev} (out of order)"
            prev = key
    return len(acked), dup, lost
