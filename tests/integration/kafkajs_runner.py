"""Runs kafkajs scripts of js/ (sluice.js, groups.js) in one node process per call.

A script takes one JSON argument {"broker", "steps", ...} and prints one JSON line
{"results": [...], ...} whose results hold one entry per step: {"ok": ...} or {"error": ...}.
"""
import json
import pathlib
import shutil
import subprocess

import pytest

JS_DIR = pathlib.Path(__file__).resolve().parent / "js"

# For the test modules that need kafkajs: pytestmark = kafkajs_runner.REQUIRED
REQUIRED = [
    pytest.mark.skipif(shutil.which("node") is None, reason="node not installed"),
    pytest.mark.skipif(not (JS_DIR / "node_modules" / "kafkajs").is_dir(),
                       reason="kafkajs not installed (run npm install in tests/integration/js)"),
]


def run(script, broker, steps, timeout, **extra):
    """The script's whole output object; fails the test on a timeout, a crash or a short answer."""
    spec = json.dumps({"broker": broker.bootstrap, "steps": list(steps), **extra})
    try:
        res = subprocess.run(["node", str(JS_DIR / script), spec], cwd=JS_DIR,
                             capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"kafkajs script timed out; stderr={e.stderr!r}")
    lines = res.stdout.decode().splitlines()
    assert res.returncode == 0 and lines, (f"node exit {res.returncode}: stdout={lines[-1:]} "
                                           f"stderr={res.stderr.decode()[-3000:]}")
    out = json.loads(lines[-1])
    assert len(out["results"]) == len(steps)
    return out


def ok(result, step=None):
    assert "ok" in result, f"kafkajs step {step} failed: {result}"
    return result["ok"]
