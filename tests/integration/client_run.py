"""The output of one run of a client program that prints JSON lines (java/SluiceClients.java,
kp3/kp3_client.py), and the checks of a produce-then-consume round trip made from it."""
from collections import defaultdict

from kafka.partitioner.default import murmur2  # Debian's kafka-python 2.0: Java's hash, ported


class Run:
    """A program's exit code, the JSON objects it printed, and its stderr."""

    def __init__(self, name, code, lines, stderr):
        self.name, self.code, self.lines, self.stderr = name, code, lines, stderr

    def of(self, type_):
        return [x for x in self.lines if x["type"] == type_]

    def one(self, type_):
        found = self.of(type_)
        assert len(found) == 1, f"expected one {type_!r} line\n{self.describe()}"
        return found[0]

    def error(self):
        errs = self.of("error")
        return errs[0]["error"] if errs else None

    def describe(self):
        return (f"{self.name} exit {self.code}; error: {self.error()}\n"
                f"last lines: {self.lines[-3:]}\nstderr tail:\n{self.stderr[-3000:]}")

    def assert_ok(self):
        assert self.code == 0, self.describe()
        return self


def java_partition(key, partitions):
    """The partition the Java client's default partitioner picks for a non-null key."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


def check_produced(run, count, partitions):
    """Every record acknowledged exactly once, at contiguous offsets from 0 in each partition
    (so no duplicates and no holes), keyed records on Java's murmur2 partition. Returns
    {partition: [(key, value), ...]} in offset order."""
    summary = run.one("produced")
    assert (summary["acked"], summary["failed"]) == (count, 0), \
        f"{summary}\n{run.describe()}"
    acks = run.of("ack")
    assert sorted(a["i"] for a in acks) == list(range(count)), "a record acked twice or never"
    by_part = defaultdict(list)
    for a in acks:
        by_part[a["partition"]].append(a)
        if a["key"] is not None:
            assert a["partition"] == java_partition(a["key"], partitions), a
    assert set(by_part) <= set(range(partitions))
    out = {}
    for p, recs in by_part.items():
        recs.sort(key=lambda a: a["offset"])
        assert [a["offset"] for a in recs] == list(range(len(recs))), \
            f"partition {p}: offsets not contiguous from 0"
        out[p] = [(a["key"], a["value"]) for a in recs]
    return out


def check_consumed(run, produced, group=True):
    """The consumer saw exactly what was produced, each partition in offset order, each key on
    one partition only, each key's values in send order; a group consumer committed the end."""
    recs = run.of("record")
    by_part = defaultdict(list)
    key_parts = defaultdict(set)
    for r in recs:
        by_part[r["partition"]].append(r)
        key_parts[r["key"]].add(r["partition"])
    for p, rs in by_part.items():
        assert [r["offset"] for r in rs] == list(range(len(rs))), \
            f"partition {p}: consumed offsets {[r['offset'] for r in rs][:20]}..."
    assert {p: [(r["key"], r["value"]) for r in rs] for p, rs in by_part.items()} == produced
    spread = {k: ps for k, ps in key_parts.items() if k is not None and len(ps) > 1}
    assert not spread, f"keys seen on more than one partition: {dict(list(spread.items())[:5])}"
    per_key = defaultdict(list)
    for r in recs:
        per_key[r["key"]].append(int(r["value"][1:]))  # values are v<send index>
    for k, seq in per_key.items():
        if k is not None:
            assert seq == sorted(seq), f"key {k}: values out of send order"
    if group:
        committed = {int(p): off for p, off in run.one("consumed")["committed"].items()}
        assert committed == {p: len(rs) for p, rs in produced.items()}
