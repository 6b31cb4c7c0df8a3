"""Runs kp3/kp3_client.py (kafka-python 3) in the venv that kp3/setup-venv.sh makes, one
process per call, like kafkajs_runner.py does with node. The venv is made on first use (a no-op
once it exists), so running pytest alone works too; a failure to make it fails the tests."""
import json
import pathlib
import subprocess

import pytest

from client_run import Run

HERE = pathlib.Path(__file__).resolve().parent
SETUP = HERE / "kp3" / "setup-venv.sh"
CLIENT = HERE / "kp3" / "kp3_client.py"
PYTHON = HERE / ".venv-kp3" / "bin" / "python"
SETUP_TIMEOUT = 300  # a fresh machine creates the venv and downloads from PyPI


@pytest.fixture(scope="session")
def kp3_clients():
    try:
        res = subprocess.run(["bash", str(SETUP)], capture_output=True, timeout=SETUP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{SETUP} took more than {SETUP_TIMEOUT}s", pytrace=False)
    if res.returncode != 0:
        pytest.fail(f"{SETUP} failed (exit {res.returncode}):\n{res.stderr.decode()[-3000:]}",
                    pytrace=False)
    return run


def run(broker, *steps, timeout=60):
    """Run the steps (dicts, see kp3_client.py) in one process; it stops itself at `timeout`,
    and is killed 15 s later if it somehow does not."""
    spec = json.dumps({"broker": broker.bootstrap, "deadline_s": timeout, "steps": list(steps)})
    try:
        res = subprocess.run([str(PYTHON), str(CLIENT), spec], capture_output=True,
                             timeout=timeout + 15)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"kafka-python 3 client did not stop; stderr={(e.stderr or b'')[-3000:]!r}")
    lines = [json.loads(x) for x in res.stdout.decode().splitlines() if x.startswith("{")]
    return Run("kafka-python 3", res.returncode, lines, res.stderr.decode(errors="replace"))
