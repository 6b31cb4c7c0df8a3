"""Runs the `sluice` CLI binary (SLUICE_CLI, default <repo>/build/sluice) for the CLI tests.

For the test modules that need it: pytestmark = cli_runner.REQUIRED
"""
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SLUICE_CLI = os.environ.get("SLUICE_CLI", str(REPO / "build" / "sluice"))
RUN_TIMEOUT = 60.0  # hard bound for one CLI invocation
CLI_TIMEOUT_MS = 10000  # --timeout-ms given to the CLI unless a test asks for another

REQUIRED = pytest.mark.skipif(not os.path.exists(SLUICE_CLI),
                              reason=f"CLI binary {SLUICE_CLI} does not exist")


def sluice(bootstrap, *args, stdin=None, timeout_ms=CLI_TIMEOUT_MS):
    """`sluice --bootstrap BOOTSTRAP --timeout-ms TIMEOUT_MS ARGS...`: the CompletedProcess."""
    cmd = [SLUICE_CLI, "--bootstrap", bootstrap, "--timeout-ms", str(timeout_ms), *args]
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=RUN_TIMEOUT)


def succeeds(bootstrap, *args, **kw):
    """sluice(...), asserting that it exited 0."""
    r = sluice(bootstrap, *args, **kw)
    assert r.returncode == 0, f"{args} exited {r.returncode}\nstdout={r.stdout}\nstderr={r.stderr}"
    return r


def ok(bootstrap, *args, **kw):
    """The stdout of a run that exited 0."""
    return succeeds(bootstrap, *args, **kw).stdout


def fails(bootstrap, *args, code=1, **kw):
    """sluice(...), asserting that it exited `code`."""
    r = sluice(bootstrap, *args, **kw)
    assert r.returncode == code, \
        f"{args} exited {r.returncode}, expected {code}\nstdout={r.stdout}\nstderr={r.stderr}"
    return r
