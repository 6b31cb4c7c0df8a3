"""Runs go/franzclient (franz-go, pinned in go/go.mod) in one process per call.

go/fetch-deps.sh fetches the modules into the git-ignored go/.gopath/ and builds the git-ignored
go/bin/franzclient; it runs on first use, so running pytest alone works too. A failure to fetch or
build fails the tests (CI must run them, not skip them).
"""
import json
import pathlib
import subprocess

import pytest

from client_run import Run

GO_DIR = pathlib.Path(__file__).resolve().parent / "go"
BINARY = GO_DIR / "bin" / "franzclient"
BUILD_TIMEOUT = 420  # a fresh machine downloads the modules and compiles franz-go (2 cores)


@pytest.fixture(scope="session")
def franz_go():
    """Fetch and build the program (quick when already built)."""
    cmd = ["bash", str(GO_DIR / "fetch-deps.sh")]
    try:
        res = subprocess.run(cmd, capture_output=True, timeout=BUILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"building the franz-go client took more than {BUILD_TIMEOUT}s",
                    pytrace=False)
    if res.returncode != 0:
        pytest.fail(f"building the franz-go client failed (exit {res.returncode}):\n"
                    f"{res.stdout.decode()[-2000:]}\n{res.stderr.decode()[-3000:]}", pytrace=False)
    return run


def step(verb, **opts):
    """Arguments for one step: the verb, then its options as name=value."""
    return [verb] + [f"{k}={v}" for k, v in opts.items()]


def command(broker, *steps, timeout=60):
    args = [str(BINARY), f"bootstrap={broker.bootstrap}", f"deadline_ms={int(timeout * 1000)}"]
    for s in steps:
        args += s
    return args


def parse(code, stdout, stderr):
    lines = [json.loads(x) for x in stdout.decode().splitlines() if x.startswith("{")]
    return Run("franz-go", code, lines, stderr.decode(errors="replace"))


def run(broker, *steps, timeout=60):
    """Run the steps (lists from step()) in one process; it stops itself at `timeout`, and is
    killed 15 s later if it somehow does not."""
    try:
        res = subprocess.run(command(broker, *steps, timeout=timeout), cwd=GO_DIR,
                             capture_output=True, timeout=timeout + 15)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"franz-go client did not stop; stderr={(e.stderr or b'')[-3000:]!r}")
    return parse(res.returncode, res.stdout, res.stderr)
