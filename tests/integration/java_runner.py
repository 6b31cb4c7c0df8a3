"""Runs java/SluiceClients.java (the Java Kafka client) in one JVM per call.

The client jars come from java/fetch-deps.sh (pinned in java/pom.xml, into the git-ignored
java/lib/); the program is compiled once into the git-ignored java/classes/. Both happen on
first use, so running pytest alone works too; a failure to fetch or compile fails the tests
(CI must run them, not skip them).
"""
import json
import pathlib
import subprocess

import pytest

from client_run import Run

JAVA_DIR = pathlib.Path(__file__).resolve().parent / "java"
SOURCES = sorted(JAVA_DIR.glob("*.java"))
CLASSES = JAVA_DIR / "classes"
CLASSPATH = f"{CLASSES}:{JAVA_DIR / 'lib'}/*"
FETCH_TIMEOUT = 300  # a fresh machine downloads ~10 MB of jars from Maven Central


def _check(cmd, timeout, what):
    try:
        res = subprocess.run(cmd, cwd=JAVA_DIR, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} took more than {timeout}s: {cmd}", pytrace=False)
    if res.returncode != 0:
        pytest.fail(f"{what} failed (exit {res.returncode}): {cmd}\n"
                    f"{res.stdout.decode()[-2000:]}\n{res.stderr.decode()[-3000:]}", pytrace=False)


@pytest.fixture(scope="session")
def java_clients():
    """Fetch the jars and compile the programs (each a no-op when already done)."""
    _check(["bash", str(JAVA_DIR / "fetch-deps.sh")], FETCH_TIMEOUT, "fetching kafka-clients")
    stale = [s for s in SOURCES
             if not (CLASSES / (s.stem + ".class")).exists()
             or (CLASSES / (s.stem + ".class")).stat().st_mtime < s.stat().st_mtime]
    if stale:
        _check(["javac", "-d", str(CLASSES), "-cp", CLASSPATH] + [str(s) for s in SOURCES], 180,
               "compiling " + ", ".join(s.name for s in SOURCES))
    return run


def step(verb, props=None, **opts):
    """Arguments for one step: options as name=value, client properties as prop:name=value."""
    return [verb] + [f"{k}={v}" for k, v in opts.items()] + \
        [f"prop:{k}={v}" for k, v in (props or {}).items()]


def run(broker, *steps, timeout=60):
    """Run the steps (lists from step()) in one JVM; the program stops itself at `timeout`, and
    the subprocess is killed 15 s later if the JVM somehow does not."""
    args = ["java", "-cp", CLASSPATH, "SluiceClients", f"bootstrap={broker.bootstrap}",
            f"deadline_ms={int(timeout * 1000)}"]
    for s in steps:
        args += s
    try:
        res = subprocess.run(args, cwd=JAVA_DIR, capture_output=True, timeout=timeout + 15)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"java client did not stop; stderr={(e.stderr or b'')[-3000:]!r}")
    lines = [json.loads(x) for x in res.stdout.decode().splitlines() if x.startswith("{")]
    return Run("java", res.returncode, lines, res.stderr.decode(errors="replace"))
