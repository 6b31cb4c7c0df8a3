"""Every message description of src/protocol (through build/tests/unit/protocol_schema_dump)
against Kafka's own message JSON, which the kafka-clients jar pinned in java/pom.xml carries
(common/message/*.json). For every version both describe, the fields must be Kafka's, in
Kafka's order, with Kafka's types and nullability; tagged fields must carry Kafka's tags; the
flexible versions must be Kafka's. A round trip through our own codec cannot catch a wrong
`since(N)`; this does. Versions Kafka 4.4 no longer defines (served for older clients) are
outside this check.

Environment: SLUICE_SCHEMA_DUMP (default <repo>/build/tests/unit/protocol_schema_dump).
"""
import json
import os
import pathlib
import re
import subprocess
import zipfile

import pytest

from java_runner import JAVA_DIR, _check, FETCH_TIMEOUT

REPO = pathlib.Path(__file__).resolve().parents[2]
DUMP = os.environ.get("SLUICE_SCHEMA_DUMP",
                      str(REPO / "build" / "tests" / "unit" / "protocol_schema_dump"))
NEVER = 32767


def parse_versions(spec):
    """Kafka's "0+", "3-5", "7" or "none" -> (min, max) or None."""
    if spec is None or spec == "none":
        return None
    if spec.endswith("+"):
        return int(spec[:-1]), NEVER
    lo, _, hi = spec.partition("-")
    return int(lo), int(hi or lo)


def within(r, v):
    return r is not None and r[0] <= v <= r[1]


def snake(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


@pytest.fixture(scope="module")
def kafka_messages():
    _check(["bash", str(JAVA_DIR / "fetch-deps.sh")], FETCH_TIMEOUT, "fetching kafka-clients")
    [jar] = (JAVA_DIR / "lib").glob("kafka-clients-*.jar")
    out = {}
    with zipfile.ZipFile(jar) as z:
        for name in z.namelist():
            if not (name.startswith("common/message/") and name.endswith(".json")):
                continue
            text = re.sub(r"^\s*//.*$", "", z.read(name).decode(), flags=re.M)
            m = json.loads(text)
            if m.get("type") in ("request", "response") and "apiKey" in m:
                out[(m["apiKey"], m["type"])] = m
    assert len(out) > 100, f"only {len(out)} message schemas in {jar}"
    return out


@pytest.fixture(scope="module")
def ours():
    res = subprocess.run([DUMP], capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr
    return [json.loads(line) for line in res.stdout.splitlines()]


def kafka_type(t, structs):
    """Kafka's field type in our dump's terms: structs are "struct", arrays "[]T"."""
    if t.startswith("[]"):
        return "[]" + kafka_type(t[2:], structs)
    if t in ("bool", "int8", "int16", "int32", "int64", "uint16", "float64", "string", "bytes",
             "records", "uuid"):
        return t
    return "struct"


def compare_fields(path, v, flexible, kfields, ofields, structs, errors):
    """Our fields at version v against Kafka's; appends what differs to errors."""
    def k_present(f):
        return within(parse_versions(f["versions"]), v)

    def k_tagged(f):
        return flexible and within(parse_versions(f.get("taggedVersions")), v)

    def o_present(f):
        return f["versions"][0] <= v <= f["versions"][1]

    k_plain = [f for f in kfields if k_present(f) and not k_tagged(f)]
    o_plain = [f for f in ofields if o_present(f) and f["tag"] < 0]
    k_names = [snake(f["name"]) for f in k_plain]
    o_names = [f["name"] for f in o_plain]
    if k_names != o_names:
        errors.append(f"{path} v{v}: fields {o_names}, Kafka {k_names}")
        return
    if flexible:
        k_tags = {snake(f["name"]): f["tag"] for f in kfields if k_present(f) and k_tagged(f)}
        for f in ofields:
            if o_present(f) and f["tag"] >= 0 and k_tags.get(f["name"]) != f["tag"]:
                errors.append(f"{path}.{f['name']} v{v}: tag {f['tag']}, Kafka "
                              f"{k_tags.get(f['name'])}")
    for k, o in zip(k_plain, o_plain):
        where = f"{path}.{o['name']}"
        kt = kafka_type(k["type"], structs)
        if kt != o["type"]:
            errors.append(f"{where} v{v}: type {o['type']}, Kafka {k['type']}")
            continue
        k_null = within(parse_versions(k.get("nullableVersions")), v)
        o_null = o["nullable_from"] >= 0 and v >= o["nullable_from"]
        if k_null != o_null:
            errors.append(f"{where} v{v}: nullable {o_null}, Kafka {k_null}")
        if kt.endswith("struct"):
            sub = k.get("fields") or structs.get(k["type"].removeprefix("[]"), {}).get("fields")
            compare_fields(where, v, flexible, sub or [], o.get("fields", []), structs, errors)


def test_every_message_matches_kafkas_schema_in_every_shared_version(kafka_messages, ours):
    errors, checked = [], 0
    for m in ours:
        k = kafka_messages.get((m["api_key"], m["type"]))
        assert k, f"Kafka has no {m['type']} schema for api key {m['api_key']}"
        path = k["name"]
        kvalid = parse_versions(k["validVersions"])
        kflex = parse_versions(k["flexibleVersions"])
        if (kflex[0] if kflex else NEVER) != m["flexible_from"]:
            errors.append(f"{path}: flexible from {m['flexible_from']}, Kafka {k['flexibleVersions']}")
        structs = {s["name"]: s for s in k.get("commonStructs", [])}
        for v in range(max(m["valid"][0], kvalid[0]), min(m["valid"][1], kvalid[1]) + 1):
            compare_fields(path, v, within(kflex, v), k["fields"], m["fields"], structs, errors)
            checked += 1
    assert not errors, f"{len(errors)} differences from Kafka's schemas:\n" + "\n".join(errors)
    assert checked > 200  # versions compared: every message, every shared version
