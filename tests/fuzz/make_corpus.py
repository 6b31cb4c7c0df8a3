#!/usr/bin/python3
"""Writes the seed corpus of the fuzz targets into tests/fuzz/corpus/<target>/.

The seeds are checked in; rerun this only to change them. It reuses the hand-rolled Kafka codec
of the integration tests (tests/integration/kafka_wire.py). Each target's input layout is
described at the top of its .cc file.
"""
import os
import pathlib
import struct
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))
import kafka_wire as kw  # noqa: E402

# Indexes into protocol::AllMessages (messages/all.h).
API_VERSIONS_REQ, PRODUCE_REQ, METADATA_REQ, FETCH_REQ, CREATE_TOPICS_REQ = 0, 2, 4, 6, 10


def header(api_key, version, flexible):
    h = kw.i16(api_key) + kw.i16(version) + kw.i32(7) + kw.string("fuzz")
    return h + (kw.TAGS if flexible else b"")


def batch(n, base_offset=0, ts=1700000000000):
    return kw.record_batch([(b"k%d" % i, b"value-%d" % i, ()) for i in range(n)],
                           base_timestamp=ts, base_offset=base_offset)


def write(target, name, data):
    d = HERE / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def main():
    # fuzz_request: [message index][version selector] + header + body
    write("fuzz_request", "api_versions_v3",
          bytes([API_VERSIONS_REQ, 3]) + header(18, 3, True)
          + kw.compact_string("librdkafka") + kw.compact_string("2.0") + kw.TAGS)
    write("fuzz_request", "api_versions_v0", bytes([API_VERSIONS_REQ, 0]) + header(18, 0, False))
    write("fuzz_request", "produce_v3",
          bytes([PRODUCE_REQ, 0]) + header(0, 3, False) + kw.produce_v3_body("t", 0, batch(3)))
    write("fuzz_request", "metadata_v1",
          bytes([METADATA_REQ, 1]) + header(3, 1, False) + kw.array([kw.string("orders")]))
    write("fuzz_request", "metadata_v9",
          bytes([METADATA_REQ, 9]) + header(3, 9, True)
          + kw.compact_array([kw.compact_string("orders") + kw.TAGS]) + b"\x01\x00\x00" + kw.TAGS)
    # fuzz_record_batch: [flags] + batches end to end
    for flags in (0, 3):
        write("fuzz_record_batch", f"two_batches_{flags}", bytes([flags]) + batch(1) + batch(5, 1))
    write("fuzz_record_batch", "empty_values",
          bytes([1]) + kw.record_batch([(None, None, ()), (b"", b"", ((b"h", b"v"),))]))
    # fuzz_log_recovery: segment bytes + flags byte (last). A valid 3-batch segment, unclean and
    # clean; with an index and a recovery point.
    seg = batch(2, 0) + batch(3, 2) + batch(1, 5)
    write("fuzz_log_recovery", "segment_unclean", seg + bytes([0]))
    write("fuzz_log_recovery", "segment_clean", seg + bytes([1]))
    index = struct.pack(">ii", 0, 0) + struct.pack(">ii", 2, len(batch(2, 0)))
    # index bytes come first (front), its length is a uint16 consumed from the end (before flags)
    write("fuzz_log_recovery", "segment_index_clean",
          index + seg + struct.pack("<H", len(index)) + bytes([1 | 2]))
    write("fuzz_log_recovery", "segment_with_checkpoint",
          b"0\n1\n3\n" + seg + struct.pack("<H", 6) + bytes([8]))
    # fuzz_config: file, NUL, --set lines
    write("fuzz_config", "typical",
          b"# sluice\nnode.id=3\nlog.segment.bytes=1048576\nlog.flush.policy=interval\n"
          b"auto.create.topics.enable = false\n\0num.partitions=4\nbroker.id=9")
    write("fuzz_config", "every_key",
          b"".join(b"%s=%s\n" % (k.encode(), v.encode()) for k, v in [
              ("log.retention.ms", "-1"), ("log.message.timestamp.type", "LogAppendTime"),
              ("max.connections", "5"), ("connections.max.idle.ms", "1000"),
              ("socket.request.max.bytes", "2147483647"), ("queued.max.requests", "1")]))


if __name__ == "__main__":
    main()
