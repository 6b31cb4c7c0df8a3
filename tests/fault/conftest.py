"""Fault tests reuse the integration fixtures (broker, broker_factory, the per-test alarm) and
helpers: tests/integration is put on sys.path and its conftest is loaded under another name.

Run: /usr/bin/python3 -m pytest tests/fault   (or bash tests/fault/run.sh, bounded in time)
"""
import importlib.util
import pathlib
import sys

_INTEGRATION = pathlib.Path(__file__).resolve().parents[1] / "integration"
sys.path.insert(0, str(_INTEGRATION))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

_spec = importlib.util.spec_from_file_location("sluice_integration_conftest",
                                               _INTEGRATION / "conftest.py")
_it = importlib.util.module_from_spec(_spec)
sys.modules["sluice_integration_conftest"] = _it
_spec.loader.exec_module(_it)

# Fixtures and the hook are found by pytest through these names.
broker = _it.broker
broker_factory = _it.broker_factory
pytest_runtest_call = _it.pytest_runtest_call
Broker = _it.Broker
BrokerError = _it.BrokerError
SLUICED = _it.SLUICED
free_port = _it.free_port


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running fault test")


def pytest_terminal_summary(terminalreporter):
    import fault_util
    if fault_util.FIGURES:
        terminalreporter.section("fault test figures")
        for line in fault_util.FIGURES:
            terminalreporter.write_line(line)
