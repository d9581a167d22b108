"""Shared fixtures: small, fast model runs reused across tests."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from twin.model import TwinModel

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
#: shipped scenarios without their spin-up, for tests of the machinery around many short runs
QUICK_BASELINE = ROOT / "tests" / "scenarios" / "baseline_no_spin_up.toml"
QUICK_CHB_PILOT = ROOT / "tests" / "scenarios" / "chb_pilot_no_spin_up.toml"
#: the smallest sweep: 1 year of the Clear-Hold-Build pilot, 2 sampled futures x 2 Hold lengths, 1 replication
TINY_SWEEP = f'''
[experiment]
name = "tiny"
base = "{QUICK_CHB_PILOT}"
years = 1
[sampler]
kind = "lhs"
size = 2
[[lever]]
name = "lever.chb.hold_years"
values = [0, 2]
[[outcome]]
name = "harm"
metric = "harm_gbp_total"
years = [1, 1]
aggregation = "annual_sum"
'''


def pytest_configure(config):
    """With worker processes (pytest-xdist, `-n`), the controller compiles the kernels into the
    on-disk cache before any worker starts (on all cores: `precompile.warm_up`), so that the workers
    load them rather than each compile them all at once. Run serially, tests compile as they go."""
    workers = config.getoption("numprocesses", default=None)
    if workers and not hasattr(config, "workerinput"):
        from twin.precompile import warm_up

        warm_up(quiet=True)


def pytest_collection_modifyitems(config, items):
    """The long tests (marked slow) first, in their order: on several processes (pytest-xdist) they
    run while the short ones keep the other processes busy, rather than one of them running on alone
    at the end (the cold-cache compile test alone takes a minute and a half)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def ctrl_c_handler_restored():
    """Each test leaves the Ctrl-C handler as it found it: a command interrupted in a test ignores
    further Ctrl-C as it exits (`executor.ignore_further_interrupts`), which in a real process ends
    with the process, but here would carry into the tests that follow."""
    import signal

    handler = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, handler)


@pytest.fixture(scope="session")
def baseline_run() -> TwinModel:
    """The baseline, seed 1, 10 years monthly (shared: do not mutate)."""
    model = TwinModel(seed=1, n_steps=120)
    model.run()
    return model


def postgres_url() -> str:
    """The test PostgreSQL server's URL (`.ci/run` starts one); the test is skipped without one,
    and fails when `TWIN_REQUIRE_POSTGRES` says there must be one."""
    url = os.environ.get("TWIN_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("TWIN_REQUIRE_POSTGRES"):
            pytest.fail("TWIN_REQUIRE_POSTGRES is set but TWIN_TEST_POSTGRES_URL is not")
        pytest.skip("no PostgreSQL server (set TWIN_TEST_POSTGRES_URL; .ci/run starts one)")
    return url


def need(module: str):
    """An optional package of the test extras (`[test]` in pyproject.toml: pyabc, SALib, distributed):
    the test is skipped without it, and fails when `TWIN_REQUIRE_EXTRAS` says it must be there
    (`.ci/run` sets it, so a package that stops installing fails CI rather than skip its tests)."""
    if os.environ.get("TWIN_REQUIRE_EXTRAS"):
        import importlib

        try:
            return importlib.import_module(module)
        except ImportError as exc:
            pytest.fail(f"TWIN_REQUIRE_EXTRAS is set but {module} does not import ({exc}): "
                        f"pip install -e \".[test]\"")
    return pytest.importorskip(module)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def assert_paired_sign(diff: np.ndarray, sign: int) -> None:
    """The mean of paired differences (one per seed) has this sign by more than three standard errors."""
    se = diff.std(ddof=1) / np.sqrt(diff.size)
    assert sign * diff.mean() > 3 * se, (diff, se)


def fail_store_writes(monkeypatch, first: int) -> None:
    """The database failing (SQLite's 'disk I/O error') from the `first`-th run written on (1 is the first)."""
    import sqlite3

    import sqlalchemy as sa

    from twin.store import Store

    original, calls = Store._write_run, {"n": 0}

    def failing(self, *args):
        calls["n"] += 1
        if calls["n"] >= first:
            raise sa.exc.OperationalError("INSERT", {}, sqlite3.OperationalError("disk I/O error"))
        return original(self, *args)

    monkeypatch.setattr(Store, "_write_run", failing)


def interrupt_store_write(monkeypatch, at: int) -> None:
    """Ctrl-C in the `at`-th `Store.write_run` of this test (1 is the first): the others store."""
    from twin.store import Store

    original, calls = Store.write_run, {"n": 0}

    def interrupted(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == at:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Store, "write_run", interrupted)


def process_running(pid: int) -> bool:
    """A process that has not ended (a zombie waiting for its new parent to reap it has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
