"""The list of kernels compiled ahead of a first run (`twin/precompile.py`) matches the code.

If a test here fails after a kernel was added, renamed or given other arguments, regenerate the
list: `python -m twin.precompile --write` (about a minute).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from twin.precompile import KernelEntry, compile_entries, dispatcher_of, read_signatures, shares, signature_types

REGENERATE = "the kernel list is out of date: run `python -m twin.precompile --write`"

#: prints, as JSON, every kernel of the package a warm-up compiled or loaded, with its signatures
RECORD_SCRIPT = """
import json, sys
from numba.core import event
from numba.core.registry import CPUDispatcher
compiled = []

class Listener(event.Listener):
    def on_start(self, ev):
        dispatcher = ev.data["dispatcher"]
        if dispatcher.py_func.__module__.startswith("twin."):
            compiled.append(dispatcher.py_func.__name__)

    def on_end(self, ev):
        pass

event.register("numba:compile", Listener())
from twin.precompile import warm_up
from twin.precompile import compile_ahead
workers = compile_ahead(int(sys.argv[1])) if len(sys.argv) > 1 else 0
ahead = list(compiled)  # compiled here by compile_ahead itself (kernels with several signatures)
compiled.clear()
warm_up(quiet=True, ahead=False)
used = []
for module in list(sys.modules.values()):
    if getattr(module, "__name__", "").startswith("twin."):
        for name, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.py_func.__module__ == module.__name__:
                used += [[module.__name__, name, repr(tuple(signature))] for signature in value.signatures]
print(json.dumps({"used": used, "compiled_here": compiled, "compiled_ahead_here": ahead, "workers": workers}))
"""


def _record(env=None, workers: int | None = None) -> dict:
    argv = [sys.executable, "-c", RECORD_SCRIPT] + ([str(workers)] if workers else [])
    out = subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def test_every_listed_signature_reads_back_exactly_and_names_a_kernel():
    entries = read_signatures()
    assert len(entries) > 50
    for entry in entries:
        assert repr(signature_types(entry)) == entry.signature, entry
        assert hasattr(dispatcher_of(entry), "compile"), entry
        assert entry.compile_s >= 0


def test_every_kernel_a_run_calls_is_listed_with_its_signature():
    listed = {(e.module, e.name, e.signature) for e in read_signatures()}
    used = {tuple(item) for item in _record()["used"]}
    assert used, "the warm-up used no kernel"
    assert used <= listed, f"{REGENERATE}; not listed: {sorted(used - listed)[:3]}"


def test_every_listed_entry_still_compiles_for_its_kernel():
    done, skipped = compile_entries(read_signatures())  # loaded from the warm cache
    assert skipped == 0, REGENERATE
    assert done == len(read_signatures())


def test_shares_split_the_list_once_keep_its_order_and_balance_the_load():
    entries = [KernelEntry("m", f"k{i}", cost, "()") for i, cost in enumerate([5.0, 1.0, 3.0, 3.0, 2.0, 0.5, 4.0])]
    for n_workers in (1, 2, 3):
        split = shares(entries, n_workers)
        assert len(split) == n_workers
        assert sorted(e.name for share in split for e in share) == sorted(e.name for e in entries)
        for share in split:
            positions = [entries.index(e) for e in share]
            assert positions == sorted(positions)
        loads = [sum(e.compile_s for e in share) for share in split]
        # greedy longest-first: no share exceeds the ideal by more than the longest entry
        assert max(loads) <= sum(loads) / n_workers + max(e.compile_s for e in entries)


@pytest.mark.slow
def test_a_cold_cache_is_filled_ahead_so_the_warm_up_compiles_nothing(tmp_path):
    """On an empty cache, the kernels with several signatures are compiled first, then two
    processes compile the rest; the warm-up then loads every kernel (none lost from numba's
    per-kernel cache index to two processes writing it at once)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    record = _record(env, workers=2)
    assert record["workers"] == 2
    assert record["compiled_ahead_here"], "kernels with several signatures are compiled before the processes start"
    assert record["compiled_here"] == [], REGENERATE
    listed = {(e.module, e.name, e.signature) for e in read_signatures()}
    assert {tuple(item) for item in record["used"]} <= listed


def _sigint_ignored() -> bool:
    import signal

    return signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def test_compile_workers_start_deaf_to_ctrl_c_and_the_handler_comes_back():
    """A Ctrl-C at the terminal reaches every process of the group: the compile workers ignore it
    from their first instruction (no traceback of a worker starting up), this process handles it."""
    import multiprocessing
    import signal
    from concurrent.futures import ProcessPoolExecutor

    from twin.executor import ignore_further_interrupts, restore_interrupts

    before = signal.getsignal(signal.SIGINT)
    previous = ignore_further_interrupts()  # as `compile_ahead` starts its workers
    try:
        pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
        futures = [pool.submit(_sigint_ignored) for _ in range(2)]
        assert len(pool._processes) == 2  # started within the block
    finally:
        restore_interrupts(previous)
    try:
        assert [future.result() for future in futures] == [True, True]
    finally:
        pool.shutdown()
    assert signal.getsignal(signal.SIGINT) is before


def test_compiling_says_how_many_kernels_are_done(tmp_path, monkeypatch, capsys):
    """A first run compiled for 30-50 s with nothing printed after its notice: it now counts the kernels
    the cache holds, as they land, until the warm-up is done (lines in a log, one line at a terminal)."""
    import threading
    import time

    import numba

    from twin import precompile

    entries = [KernelEntry("twin.a", f"k{k}", 1.0, "()") for k in range(3)] + [KernelEntry("twin.a", "k0", 1.0, "(y)")]
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(precompile, "COUNT_EVERY_S", {True: 0.02, False: 0.02})
    done = threading.Event()
    thread = threading.Thread(target=precompile._say_progress, args=("Compiling.", 0.0, done, entries))
    thread.start()
    time.sleep(0.1)
    for k in range(5):  # more index files than kernels listed: the count stops at the list's
        (tmp_path / f"k{k}.nbi").write_text("")
        time.sleep(0.1)
    done.set()
    thread.join(2)
    err = capsys.readouterr().err
    assert err.startswith("\nCompiling.\ncompiled 0 of 3 kernels\n")
    counts = [int(line.split()[1]) for line in err.splitlines() if line.startswith("compiled ")]
    # each count said once, as it changes (a busy machine may miss one), up to the list's and not past it
    assert counts == sorted(set(counts)) and counts[-1] == 3 and len(counts) >= 3
    # and where compiling ended, with how long it took (a log's last count need not be the list's)
    assert re.fullmatch(r"The kernels are compiled \(\d+ s; later runs load them from the cache\)\.",
                        err.splitlines()[-1]), err
    done = threading.Event()
    thread = threading.Thread(target=precompile._say_progress, args=("Loading.", 0.0, done, None))
    thread.start()  # loading: no count, but where it ended
    time.sleep(0.1)
    done.set()
    thread.join(2)
    assert re.fullmatch(r"\nLoading\.\nThe kernels are loaded \(\d+ s\)\.\n", capsys.readouterr().err)
    done = threading.Event()
    done.set()  # finished before the notice was due: nothing said
    precompile._say_progress("Compiling.", 0.5, done, entries)
    assert capsys.readouterr().err == ""
    # stopped (interrupted) before the work completed: said as stopped, not as compiled or loaded
    for listed, said in ((entries, r"Compiling stopped after \d+ s: the kernels compiled so far are kept in the "
                                    r"cache, and the next run compiles the rest\."),
                         (None, r"Loading the kernels stopped after \d+ s\.")):
        done, completed = threading.Event(), threading.Event()
        thread = threading.Thread(target=precompile._say_progress, args=("Working.", 0.0, done, listed, completed))
        thread.start()
        time.sleep(0.1)
        done.set()
        thread.join(2)
        assert re.fullmatch(said, capsys.readouterr().err.splitlines()[-1])


def test_a_command_finding_another_compiling_waits_for_it_then_loads_what_it_compiled(tmp_path, monkeypatch):
    """Parts of a sweep started together on a cold cache each compiled every kernel, each with a process
    per core. One now compiles while holding a lock on the cache; the others wait, find the cache
    filled and compile nothing (here another process holds the lock for two seconds and 'fills' it)."""
    import time

    import numba

    import twin.precompile as precompile

    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"h = os.open({str(tmp_path / '.compiling.lock')!r}, os.O_CREAT | os.O_RDWR)\n"
        "fcntl.flock(h, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(2)\n")],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    looks = []  # cold before the lock; filled by the other once it is taken
    monkeypatch.setattr(precompile, "cache_is_cold", lambda entries: looks.append(time.monotonic()) or len(looks) == 1)
    compiled = []
    monkeypatch.setattr(precompile, "_compile_ahead", lambda entries, n: compiled.append(n) or n)
    start = time.monotonic()
    assert precompile.compile_ahead(n_workers=2) == 0 and compiled == []
    assert len(looks) == 2 and looks[1] - start > 1.0  # the second look waited for the lock
    holder.wait(timeout=30)
    # with no one else compiling, a cold cache is compiled at once
    looks.clear()
    monkeypatch.setattr(precompile, "cache_is_cold", lambda entries: True)
    assert precompile.compile_ahead(n_workers=2) == 2 and compiled == [2]


def test_a_warm_up_on_a_cold_cache_holds_the_lock_while_it_compiles_one_core_too(tmp_path, monkeypatch):
    """The lock was taken only where kernels are compiled ahead on several cores: a one-core array job's
    parts each compiled in their warm-up. The warm-up of a cold cache now holds it throughout."""
    import fcntl

    import numba

    import twin.precompile as precompile

    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(precompile, "_warmed_up", False)
    monkeypatch.setattr(precompile, "cache_is_cold", lambda entries: True)
    seen = []

    def compiling(n_workers=None, held=False):
        handle = os.open(tmp_path / ".compiling.lock", os.O_RDWR)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            seen.append("free")
        except BlockingIOError:
            seen.append("held")
        finally:
            os.close(handle)
        return 0

    monkeypatch.setattr(precompile, "compile_ahead", compiling)
    precompile.warm_up(quiet=True)
    assert seen == ["held"]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads process states from /proc")
def test_compiling_processes_end_when_their_command_is_killed_outright(tmp_path):
    """A first run killed outright (kill -9; a job's time limit) while its kernels compiled left the
    compiling processes idling on for the rest of the day with the package in memory: they end on
    their own within seconds, as the runs' workers do."""
    import signal
    import time

    from conftest import ROOT, process_running, write

    pids = tmp_path / "workers.pid"
    # the compiling stand-in in a module of its own: the compiling processes start with the main script
    # hidden (their work is the package's), so they import it by name
    write(tmp_path / "slow_compiling.py", f'''
import os, time

def slow(share):  # compiling, for as long as the test needs
    if share:
        with open({str(pids)!r}, "a") as out:
            out.write(f"{{os.getpid()}}\\n")
        time.sleep(120)
''')
    script = write(tmp_path / "command.py", '''
from twin import precompile
from twin.precompile import KernelEntry
from slow_compiling import slow

if __name__ == "__main__":
    precompile.compile_entries = slow
    precompile._compile_ahead([KernelEntry("twin.x", f"k{k}", 1.0, "()") for k in range(2)], 2)
''')
    import os

    path = os.pathsep.join(p for p in (str(tmp_path), os.environ.get("PYTHONPATH", "")) if p)
    command = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=dict(os.environ, PYTHONPATH=path))
    try:
        deadline = time.monotonic() + 60
        while not (pids.exists() and len(pids.read_text().split()) == 2):
            assert time.monotonic() < deadline and command.poll() is None, "the compiling processes never started"
            time.sleep(0.1)
        workers = [int(pid) for pid in pids.read_text().split()]
        assert all(map(process_running, workers))
    finally:
        command.send_signal(signal.SIGKILL)
        command.wait()
    deadline = time.monotonic() + 10
    while any(map(process_running, workers)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(map(process_running, workers))
