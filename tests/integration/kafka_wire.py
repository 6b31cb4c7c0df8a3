"""Minimal hand-rolled Kafka wire protocol codec for raw-socket tests.

Only what the raw tests need: request framing (header v1 / v2), a reader for responses,
a v2 record batch builder (with CRC-32C) and a few request/response bodies.
"""
import socket
import struct
import time

# --------------------------------------------------------------------------- CRC-32C

_CRC32C_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC32C_TABLE.append(_c)


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    table = _CRC32C_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283  # standard check value

# --------------------------------------------------------------------------- encoding


def i8(v):
    return struct.pack(">b", v)


def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def uvarint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def varint(v):
    return uvarint((v << 1) ^ (v >> 63))  # zigzag


def string(s):
    if s is None:
        return i16(-1)
    b = s.encode() if isinstance(s, str) else s
    return i16(len(b)) + b


def compact_string(s):
    if s is None:
        return uvarint(0)
    b = s.encode() if isinstance(s, str) else s
    return uvarint(len(b) + 1) + b


def nbytes(b):
    if b is None:
        return i32(-1)
    return i32(len(b)) + b


def array(items):
    return i32(len(items)) + b"".join(items)


def compact_array(items):
    return uvarint(len(items) + 1) + b"".join(items)


TAGS = b"\x00"  # empty tagged-field section


def request(api_key, api_version, corr_id, body, client_id="sluice-raw", flexible=False):
    """A full size-prefixed request frame (header v1, or v2 when flexible)."""
    hdr = i16(api_key) + i16(api_version) + i32(corr_id) + string(client_id)
    if flexible:
        hdr += TAGS
    payload = hdr + body
    return i32(len(payload)) + payload


# --------------------------------------------------------------------------- decoding


class Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def _take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError(f"short read: need {n} at {self.pos}, have {len(self.data)}")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def i8(self):
        return struct.unpack(">b", self._take(1))[0]

    def i16(self):
        return struct.unpack(">h", self._take(2))[0]

    def i32(self):
        return struct.unpack(">i", self._take(4))[0]

    def i64(self):
        return struct.unpack(">q", self._take(8))[0]

    def bool(self):
        return self.i8() != 0

    def uvarint(self):
        shift = v = 0
        while True:
            b = self._take(1)[0]
            v |= (b & 0x7F) << shift
            if not b & 0x80:
                return v
            shift += 7
            if shift > 63:
                raise ValueError("varint too long")

    def string(self):
        n = self.i16()
        return None if n < 0 else self._take(n).decode()

    def compact_string(self):
        n = self.uvarint()
        return None if n == 0 else self._take(n - 1).decode()

    def array(self, fn):
        n = self.i32()
        return None if n < 0 else [fn(self) for _ in range(n)]

    def compact_array(self, fn):
        n = self.uvarint()
        return None if n == 0 else [fn(self) for _ in range(n - 1)]

    def tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self._take(self.uvarint())

    def remaining(self):
        return len(self.data) - self.pos


# --------------------------------------------------------------------------- socket I/O


def connect(port, host="127.0.0.1", timeout=5.0):
    s = socket.create_connection((host, port), timeout=timeout)
    s.settimeout(timeout)
    return s


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError(f"connection closed after {len(buf)} of {n} bytes")
        buf += chunk
    return bytes(buf)


def recv_frame(sock):
    (size,) = struct.unpack(">i", recv_exact(sock, 4))
    if size < 4 or size > 200 * 1024 * 1024:
        raise ValueError(f"bad response size {size}")
    return recv_exact(sock, size)


def roundtrip(port, api_key, api_version, body, corr_id=1234, flexible=False, timeout=5.0):
    """Send one request on a fresh connection and return (correlation_id, Reader on rest)."""
    with connect(port, timeout=timeout) as s:
        s.sendall(request(api_key, api_version, corr_id, body, flexible=flexible))
        r = Reader(recv_frame(s))
        got = r.i32()
        assert got == corr_id, f"correlation id {got} != {corr_id}"
        return r


def wait_closed(sock, timeout=5.0):
    """True if the peer closes the connection (EOF or reset) within timeout, draining any data."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True
        if not chunk:
            return True
    return False


# --------------------------------------------------------------------------- record batches


def record(offset_delta, key, value, headers=(), ts_delta=0):
    body = (i8(0) + varint(ts_delta) + varint(offset_delta)
            + (varint(-1) if key is None else varint(len(key)) + key)
            + (varint(-1) if value is None else varint(len(value)) + value)
            + varint(len(headers))
            + b"".join(varint(len(hk)) + hk + (varint(-1) if hv is None else varint(len(hv)) + hv)
                       for hk, hv in headers))
    return varint(len(body)) + body


def record_batch(records, base_timestamp=None, base_offset=0, attributes=0, corrupt_crc=False,
                 producer_id=-1, producer_epoch=-1, base_sequence=-1):
    """A magic-2 record batch. records: list of (key, value, headers) tuples (bytes or None)."""
    if base_timestamp is None:
        base_timestamp = int(time.time() * 1000)
    recs = b"".join(record(i, k, v, h) for i, (k, v, h) in enumerate(records))
    after_crc = (i16(attributes) + i32(len(records) - 1) + i64(base_timestamp) + i64(base_timestamp)
                 + i64(producer_id) + i16(producer_epoch) + i32(base_sequence) + i32(len(records))
                 + recs)
    crc = crc32c(after_crc)
    if corrupt_crc:
        crc ^= 0x5A5A5A5A
    after_len = i32(0) + i8(2) + struct.pack(">I", crc) + after_crc  # leader epoch, magic, crc
    return i64(base_offset) + i32(len(after_len)) + after_len


def produce_v3_body(topic, partition, batch, acks=-1, timeout_ms=10000):
    return (string(None) + i16(acks) + i32(timeout_ms)
            + array([string(topic) + array([i32(partition) + nbytes(batch)])]))


def parse_produce_v3(r):
    """-> {(topic, partition): (error_code, base_offset, log_append_time)}"""
    out = {}
    for name, parts in r.array(lambda r: (r.string(), r.array(
            lambda r: (r.i32(), r.i16(), r.i64(), r.i64())))):
        for idx, err, base, lat in parts:
            out[(name, idx)] = (err, base, lat)
    r.i32()  # throttle
    return out


def parse_api_versions_v0(r):
    """-> (error_code, {api_key: (min, max)})"""
    err = r.i16()
    keys = r.array(lambda r: (r.i16(), r.i16(), r.i16()))
    return err, {k: (lo, hi) for k, lo, hi in keys}
