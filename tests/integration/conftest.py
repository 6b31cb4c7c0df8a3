"""Fixtures that run a real `sluiced` broker for the integration tests.

Environment: SLUICED (broker binary, default <repo>/build/sluiced), SLUICE_CLI (CLI binary).
Every broker started here is tracked by PID and stopped (SIGTERM, then SIGKILL if stuck) in a
finalizer; nothing else is ever signalled.
"""
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SLUICED = os.environ.get("SLUICED", str(REPO / "build" / "sluiced"))
READY_TIMEOUT = 15.0
STOP_TIMEOUT = 15.0
TEST_TIMEOUT = int(os.environ.get("SLUICE_TEST_TIMEOUT", "120"))  # per-test safety net
READY_RE = re.compile(r"^sluiced ready on (\S+):(\d+)$")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def broker_cmd(data_dir, port, settings=None, extra_args=()):
    cmd = [SLUICED, "--data-dir", str(data_dir), "--listen", f"127.0.0.1:{port}"]
    for k, v in (settings or {}).items():
        cmd += ["--set", f"{k}={v}"]
    return cmd + list(extra_args)


class BrokerError(AssertionError):
    pass


class Broker:
    """One sluiced process. start() blocks until the ready line (bounded)."""

    def __init__(self, data_dir=None, port=None, settings=None, extra_args=(), env=None):
        self.owns_data_dir = data_dir is None
        self.env = dict(os.environ, **(env or {}))
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="sluice-it-")
        self.port = port or free_port()
        self.settings = dict(settings or {})
        self.extra_args = list(extra_args)
        self.proc = None
        self.ready_line = None
        self.stdout_lines = []
        self.exits = []  # ("term" | "kill", exit code) for every stop()/kill9(), in order
        self._log_dir = tempfile.mkdtemp(prefix="sluice-it-log-")
        self._stderr_path = None
        self._starts = 0
        self.stopped_by_us = False

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr_text(self):
        if not self._stderr_path or not os.path.exists(self._stderr_path):
            return ""
        with open(self._stderr_path, errors="replace") as f:
            return f.read()

    def _describe(self):
        tail = self.stderr_text()[-3000:]
        return f"cmd={self.cmd}\nstdout={self.stdout_lines[-20:]}\nstderr tail:\n{tail}"

    def start(self):
        assert not self.alive(), "broker already running"
        if not os.path.exists(SLUICED):
            pytest.skip(f"broker binary {SLUICED} does not exist")
        self._starts += 1
        self.stopped_by_us = False
        self.cmd = broker_cmd(self.data_dir, self.port, self.settings, self.extra_args)
        self._stderr_path = os.path.join(self._log_dir, f"stderr.{self._starts}.log")
        self.stdout_lines = []
        ready = threading.Event()
        with open(self._stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=err, start_new_session=True, env=self.env)
        proc, lines = self.proc, self.stdout_lines

        def pump():  # keep draining stdout so the broker can never block on it
            for raw in proc.stdout:
                lines.append(raw.decode(errors="replace").rstrip("\n"))
                if len(lines) == 1:
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(READY_TIMEOUT) or not lines:
            code = self.proc.poll()
            if code is None:
                self._kill_now()
            raise BrokerError(f"broker did not print its ready line within {READY_TIMEOUT}s "
                              f"(exit={code})\n{self._describe()}")
        self.ready_line = lines[0]
        m = READY_RE.match(self.ready_line)
        if not m or int(m.group(2)) != self.port:
            raise BrokerError(f"unexpected ready line {self.ready_line!r}\n{self._describe()}")
        return self

    def _kill_now(self):
        self.stopped_by_us = True
        try:
            os.kill(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM and wait; returns the exit code (SIGKILLs and raises if it hangs)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.stopped_by_us = True
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._kill_now()
                self.exits.append(("kill", self.proc.returncode))
                raise BrokerError(f"broker ignored SIGTERM for {timeout}s\n{self._describe()}")
            self.exits.append(("term", self.proc.returncode))
        return self.proc.returncode

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self._kill_now()
            self.exits.append(("kill", self.proc.returncode))

    def restart(self, graceful=True):
        if self.alive():
            if graceful:
                self.stop()
            else:
                self.kill9()
        return self.start()

    def cleanup(self):
        try:
            if self.alive():
                try:
                    self.stop()
                except BrokerError:
                    pass
        finally:
            if self.owns_data_dir:
                shutil.rmtree(self.data_dir, ignore_errors=True)
            shutil.rmtree(self._log_dir, ignore_errors=True)


class _Factory:
    def __init__(self):
        self.brokers = []

    def __call__(self, settings=None, data_dir=None, port=None, extra_args=(), start=True,
                 env=None):
        b = Broker(data_dir=data_dir, port=port, settings=settings, extra_args=extra_args, env=env)
        self.brokers.append(b)
        return b.start() if start else b

    def finish(self):
        """Stop everything; report brokers that died on their own or exited non-zero on SIGTERM."""
        problems = []
        for b in self.brokers:
            if b.proc is None:
                continue
            bad_term = [code for how, code in b.exits if how == "term" and code != 0]
            if bad_term:
                problems.append(f"broker exited {bad_term} on SIGTERM (expected 0)\n{b._describe()}")
            if b.proc.poll() is not None:
                if not b.stopped_by_us:
                    problems.append(f"broker exited by itself with code {b.proc.returncode}\n"
                                    f"{b._describe()}")
            else:
                try:
                    code = b.stop()
                    if code != 0:
                        problems.append(f"broker exited {code} on SIGTERM (expected 0)\n"
                                        f"{b._describe()}")
                except BrokerError as e:
                    problems.append(str(e))
        for b in self.brokers:
            b.cleanup()
        return problems


@pytest.fixture
def broker_factory():
    """broker_factory(settings={...}, data_dir=None, port=None) -> started Broker."""
    f = _Factory()
    yield f
    problems = f.finish()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def broker(broker_factory):
    return broker_factory()


@pytest.fixture
def solo_group_broker(broker_factory):
    """A broker that starts a new group's first rebalance at once, for tests whose groups have
    one consumer: the 3 s it waits by default for more members would only add to CI time."""
    return broker_factory(settings={"group.initial.rebalance.delay.ms": 0})


@pytest.fixture(scope="module")
def module_broker():
    """A broker shared by the tests of one module (for cheap, independent checks)."""
    f = _Factory()
    b = f()
    yield b
    problems = f.finish()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


# --------------------------------------------------------------------------- per-test time limit
# pytest-timeout is not installed; a SIGALRM in the main thread bounds each test as a safety net
# (every client operation in the tests also carries its own timeout).


class SluiceTestTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise SluiceTestTimeout(f"test exceeded {TEST_TIMEOUT}s")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TEST_TIMEOUT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
