"""Executors: where replications run. One interface, several engines.

`SerialExecutor` runs tasks in this process (`--workers 1`); `LocalExecutor` runs them in a
pool of local worker processes (the default, all cores); `DaskExecutor` (`executor_dask.py`) runs
them on a Dask distributed cluster (`--cluster tcp://host:port`), behind the same `run` method.
Tasks are submitted in batches (`chunk`) so that dispatch overhead stays small next to the work,
and results come back as they finish.

Nothing finished is lost when a command stops: a local worker keeps each finished run of its batch in a
file until the batch comes back (`_run_batch_keeping`), and after an interrupt or a dead worker the
runs finished in batches that never came back, with those handed back but not yet taken, are read
back (`salvaged`) for the caller to store.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from twin.precompile import warm_up


def batches(tasks: list, chunk: int, group: Callable | None = None) -> list[list]:
    """`tasks` in batches of about `chunk`. With `group` (a task's key, equal for consecutive tasks
    that share a spin-up), whole groups are packed into a batch up to `chunk` tasks, never split
    unless a group alone is larger, when it is cut into near-equal parts of at most `chunk`: cut by
    position alone, a batch took the end of one group and the start of the next, and each of its
    workers spun both up (about twice the spin-ups of a sweep on two workers)."""
    if group is None:
        return [tasks[i: i + chunk] for i in range(0, len(tasks), chunk)]
    groups: list[list] = []
    for task in tasks:
        if groups and group(task) == group(groups[-1][0]):
            groups[-1].append(task)
        else:
            groups.append([task])
    packed: list[list] = []
    for whole in groups:
        if len(whole) > chunk:
            parts = -(-len(whole) // chunk)
            cuts = [round(i * len(whole) / parts) for i in range(parts + 1)]
            packed.extend(whole[a:b] for a, b in zip(cuts, cuts[1:]))
        elif packed and len(packed[-1]) + len(whole) <= chunk:
            packed[-1].extend(whole)
        else:
            packed.append(list(whole))
    return packed


class WorkerLost(RuntimeError):
    """A worker process died (killed, out of memory); its tasks did not finish."""


def ignore_further_interrupts():
    """Ignore Ctrl-C from now on: in worker processes (the main process stops them, see `close`),
    and in the main process after a first Ctrl-C, while it stops the workers and exits. Returns
    the handler it replaced, for a caller that carries on afterwards (`restore_interrupts`); does
    nothing outside the main thread, where Python cannot set signal handlers."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, signal.SIG_IGN)


def start_worker() -> None:
    """A local worker process: Ctrl-C is the main process's to handle, and SIGTERM (which `close`
    sends) and SIGHUP end the worker at once, whatever handler the command set before the pool forked. A
    worker whose command was killed outright (`kill -9`, which no handler sees) ends itself within
    a second or two rather than idling on with a model in memory."""
    import signal
    import threading

    ignore_further_interrupts()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True, name="parent-watch").start()


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes started fresh (spawned), as the runs have always had them: Mesa's
    import sets Python's default to spawn, so a pool started before Mesa was imported forked instead, a
    copy of a process whose threads (numba's, a progress line's) may hold locks."""
    import multiprocessing

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=start_worker)


def _exit_with_parent(parent: int) -> None:
    """End this process once its parent has gone (it is then re-parented, so its parent id changes)."""
    import time

    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def restore_interrupts(handler) -> None:
    """Put back a handler `ignore_further_interrupts` replaced (Python's default when it was not
    set from Python)."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, handler if handler is not None else signal.default_int_handler)


def store_salvaged(executor, write: Callable) -> int:
    """After a Ctrl-C (or the database failing): store, with `write(task, result)`, the finished runs
    handed back but not yet stored (`salvaged`), then stop `executor`'s workers and store the runs
    they had finished in batches still out (taking them back from a Dask cluster can take seconds);
    a second Ctrl-C does not cut this short. Returns how many were written."""
    handler = ignore_further_interrupts()
    try:
        here = executor.salvaged()  # those already here first: closing may take seconds
        for task, result in here:
            write(task, result)
        executor.close()
        taken = executor.salvaged()
        for task, result in taken:
            write(task, result)
    finally:
        restore_interrupts(handler)  # a Python session carries on afterwards
    return len(here) + len(taken)


@contextmanager
def spawnable_main(always: bool = False):
    """While worker processes start, a main script the workers cannot run is hidden from them. A
    spawned worker runs the main script again from its path: one read from standard input (`python -
    < script.py`) or given with `-c` has none on disk ('<stdin>'), so every worker died at its start.
    `always` hides a script on disk too, for workers whose work is the package's alone (compiling
    the kernels): a user's script without an `if __name__ == "__main__":` guard ran again in each,
    whose `warm_up()` then waited for the compiling lock its parent held (the README's example hung
    on a cold cache). The runs' workers see it, as Python's rule is: a guarded script's own functions
    and settings reach them."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None or (os.path.exists(path) and not always):
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def _run_batch(fn: Callable, batch: list) -> list:
    return [fn(task) for task in batch]


def _run_batch_keeping(fn: Callable, batch: list, folder: str | None, tag: int) -> list:
    """A batch in a local worker, each finished result but the last also written to `folder` as
    `<tag>-<index>.pickle` (whole or not at all: written aside, then renamed), so that runs finished
    in a batch that never comes back (an interrupt, a dead worker) can be read back (`_kept`). Keeping
    is best effort: a temporary folder that is full or gone stops it, not the batch."""
    import pickle

    results = []
    for index, task in enumerate(batch):
        results.append(fn(task))
        if folder is not None and index < len(batch) - 1:
            path = os.path.join(folder, f"{tag}-{index}")
            try:
                with open(f"{path}.part", "wb") as file:
                    pickle.dump(results[-1], file, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(f"{path}.part", f"{path}.pickle")
            except OSError:
                folder = None
    return results


def _kept(folder: str | None, tag: int, size: int, load: bool = True) -> dict[int, object]:
    """The results a batch's worker kept (`_run_batch_keeping`), by index in the batch (None when not
    `load`ed: a batch that came back whole needs only its files removed); their files removed. The
    files are this process's own, written by its workers into a folder it made."""
    import pickle

    found: dict[int, object] = {}
    for index in range(size - 1 if folder is not None else 0):
        path = os.path.join(folder, f"{tag}-{index}.pickle")
        try:
            if load:
                with open(path, "rb") as file:
                    found[index] = pickle.load(file)
            else:
                found[index] = None
            os.remove(path)
        except (OSError, pickle.UnpicklingError, EOFError):
            break  # (a batch's runs finish in order: none after the first missing)
    for index in range(size - 1 if folder is not None else 0):  # a file a worker stopped (killed) while writing it
        try:
            os.remove(os.path.join(folder, f"{tag}-{index}.part"))
        except OSError:
            pass
    return found


class _HandOver:
    """Finished (task, result) pairs on their way to the caller. A pair leaves only once the caller
    has taken it and asked for the next, so one the caller was storing when Ctrl-C came is still
    here, with the rest of its batch: `salvaged` gives them (storing a run twice stores it once)."""

    def _fresh(self) -> None:
        """A new `run`: what an abandoned one left to hand over is not this one's."""
        self._ready.clear()

    def _hand_over(self, pairs) -> Iterator[tuple[object, object]]:
        self._ready.extend(pairs)
        while self._ready:
            yield self._ready[0]
            self._ready.popleft()

    def salvaged(self) -> list[tuple[object, object]]:
        """After an interrupt: the finished runs not yet stored, for the caller to store (call `close` first)."""
        pairs = list(self._ready)
        self._ready.clear()
        return pairs


class SerialExecutor(_HandOver):
    workers = 1

    def __init__(self):
        from collections import deque

        self._ready = deque()

    def run(self, fn: Callable, tasks: Iterable, chunk: int = 1,
            crashed: Callable | None = None, group: Callable | None = None) -> Iterator[tuple[object, object]]:
        self._fresh()  # (`crashed` and `group` unused: a run that kills this process stops the command)
        for task in tasks:
            yield from self._hand_over([(task, fn(task))])

    def close(self) -> None:
        pass


def crashed_run(task) -> dict:
    """The record of a run that killed its worker process each time it ran, alone too (`run`'s
    `crashed`): a failed run, as one that raised is, so the rest of a sweep or comparison goes on."""
    import datetime

    return {"status": "failed", "started_at": datetime.datetime.now(datetime.timezone.utc),
            "error": "WorkerDied: the run killed its worker process each time it ran, alone too (a crash in compiled "
                     "code, or the machine's memory); its settings and seed are stored with it, to run it alone"}


#: the temporary folders where local workers keep the runs of batches in flight:
#: `<prefix><pid>-<machine>-...` (`staging._HOST`: a process number means something on its machine only)
KEPT_PREFIX = "twin-finished-runs-"


def _remove_orphaned_folders() -> None:
    """Remove the folders of commands that were killed outright (SIGKILL, out of memory) and so never
    removed their own: those named after a process of this machine that no longer runs (a temporary
    folder shared with other machines or containers holds theirs too, and theirs are left)."""
    import shutil
    import tempfile

    from twin.staging import _HOST

    try:
        folders = list(Path(tempfile.gettempdir()).glob(f"{KEPT_PREFIX}*"))
    except OSError:
        return
    for folder in folders:
        pid, host, *_ = folder.name[len(KEPT_PREFIX):].split("-") + [""]
        if not pid.isdigit() or int(pid) == os.getpid() or host != _HOST:
            continue  # (another machine's, or an older release's, whose process is not known here: left)
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:  # gone
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # another user's process, still running
            pass


#: times a batch may be in flight in a pool whose worker died (killed, out of memory) and run again
#: in a new one, before the command gives up: a run that kills its worker each time stops it, while
#: deaths hours apart in an overnight sweep, each losing other batches, do not add up
POOL_RESTARTS = 2


class _Batch:
    """Tasks one worker runs in turn; `tag` names the files it keeps its finished runs in, `lost`
    counts the pools that died with (part of) it in flight, and `alone` marks a run of a batch lost
    too often, run with nothing else in flight to find the one that kills its worker."""

    def __init__(self, tag: int, tasks: list, lost: int = 0, alone: bool = False):
        self.tag, self.tasks, self.lost, self.alone = tag, tasks, lost, alone


class LocalExecutor(_HandOver):
    """A pool of local worker processes; `workers=None` uses every usable core (`default_workers`)."""

    def __init__(self, workers: int | None = None):
        import itertools
        from collections import deque

        self.workers = workers or default_workers()
        self.pool = worker_pool(self.workers)
        self._ready = deque()
        self._pending: dict = {}  # future -> the _Batch it runs
        self._tags = itertools.count()
        self._folder: str | None = None  # where workers keep the finished runs of batches in flight
        self._closed = False

    def run(self, fn: Callable, tasks: Iterable, chunk: int = 1,
            crashed: Callable | None = None, group: Callable | None = None) -> Iterator[tuple[object, object]]:
        """(task, fn(task)) pairs as they finish, in `batches` of `chunk` (of whole `group`s). A pool
        whose worker dies (killed, out of memory) is started again with the unfinished runs; a batch
        in flight at more than `POOL_RESTARTS` deaths has its runs tried one at a time with nothing
        else in flight, and a run that kills its worker alone too is the cause: handed over as
        `crashed(task)` (a failed run's record), or, without `crashed`, the command stops (`WorkerLost`)."""
        try:
            yield from self._run(fn, tasks, chunk, crashed, group)
        except BrokenProcessPool:  # from a result, or from submitting to a pool that has just broken
            raise WorkerLost(f"a worker process died {POOL_RESTARTS + 1} times with the same runs in flight; finished "
                             f"runs are saved, run the command again") from None

    def _run(self, fn: Callable, tasks: Iterable, chunk: int, crashed: Callable | None, group: Callable | None
             ) -> Iterator[tuple[object, object]]:
        import tempfile
        from collections import deque

        tasks = list(tasks)
        self._fresh()
        for future, batch in self._pending.items():  # an abandoned run's batches: not this one's
            future.cancel()
            _kept(self._folder, batch.tag, len(batch.tasks), load=False)
        self._pending.clear()
        if self._closed:  # closed after an interrupt (`store_salvaged`): a caller that goes on gets workers again
            self.pool = worker_pool(self.workers)
            self._closed = False
        if self._folder is None:
            _remove_orphaned_folders()
            try:
                from twin.staging import _HOST

                self._folder = tempfile.mkdtemp(prefix=f"{KEPT_PREFIX}{os.getpid()}-{_HOST}-")
            except OSError:  # no usable temporary folder: batches are not kept while they run
                pass
        queue = deque(_Batch(next(self._tags), batch) for batch in batches(tasks, chunk, group))
        pending = self._pending

        def fill() -> None:
            # Keep at most two batches per worker in flight: enough to stay busy, little to lose; a
            # run on trial alone goes with nothing else in flight (`queue` holds those first)
            with spawnable_main():  # a pool's workers start within its first submission
                while queue and len(pending) < 2 * self.workers and not (
                        pending and (queue[0].alone or any(b.alone for b in pending.values()))):
                    batch = queue[0]  # (a broken pool refuses it)
                    pending[self.pool.submit(_run_batch_keeping, fn, batch.tasks, self._folder, batch.tag)] = batch
                    queue.popleft()

        while pending or queue:
            try:
                fill()
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                finished = [(pending[future], future.result()) for future in done]  # raises if the pool broke
            except BrokenProcessPool as exc:  # every batch in it lost: their finished runs kept, the rest run again
                held = list(pending.values())
                kept, again, culprit = self._take_back(), [], None
                for batch, done_count in kept:
                    if batch.alone and done_count == 0:  # it died alone: this run kills its worker
                        culprit = batch.tasks[0]
                    elif done_count < len(batch.tasks):
                        again.append(_Batch(next(self._tags), batch.tasks[done_count:], batch.lost + 1))
                if not held or (culprit is not None and crashed is None):
                    yield from self._hand_over([])  # (what was kept is handed over first)
                    raise exc  # (none in flight: a new pool refused its first batch)
                alone = [_Batch(next(self._tags), [task], alone=True) for batch in again
                         if batch.lost > POOL_RESTARTS for task in batch.tasks]  # tried one at a time
                queue.extendleft(reversed(alone + [batch for batch in again if batch.lost <= POOL_RESTARTS]))
                if culprit is not None:
                    self._ready.append((culprit, crashed(culprit)))
                print("Note: a run killed its worker process each time it ran, alone too: recorded as failed, the "
                      "rest go on." if culprit is not None else
                      f"Note: a worker process died (killed, or out of memory); starting the workers again and "
                      f"running again the {sum(len(batch.tasks) for batch in again)} unfinished run(s) they held.",
                      file=sys.stderr, flush=True)
                self._stop_workers()
                self.pool = worker_pool(self.workers)
                yield from self._hand_over([])
                continue
            self._ready.extend(pair for batch, results in finished for pair in zip(batch.tasks, results))
            for future in done:  # (after: a Ctrl-C in between finds the batches in one place or the other)
                del pending[future]
            for batch, _ in finished:
                _kept(self._folder, batch.tag, len(batch.tasks), load=False)  # (the batch came back whole)
            yield from self._hand_over([])

    def _take_back(self) -> list[tuple[_Batch, int]]:
        """Every batch in flight, with how many of its runs finished: those runs' results (returned by
        the worker, or kept in files) join the hand-over; in flight then holds none."""
        taken = []
        for future, batch in self._pending.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                found = dict(enumerate(future.result()))
                _kept(self._folder, batch.tag, len(batch.tasks), load=False)
            else:
                found = _kept(self._folder, batch.tag, len(batch.tasks))
            self._ready.extend((batch.tasks[index], found[index]) for index in sorted(found))
            taken.append((batch, len(found)))
        self._pending.clear()
        return taken

    def _stop_workers(self) -> None:
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)

    def close(self) -> None:
        """Cancel what has not started and stop the workers now: after an interrupt nothing waits
        for a batch in progress. The runs its batches had finished are kept for `salvaged`; those
        still running are lost (and run next time)."""
        import shutil

        self._stop_workers()
        self._closed = True
        self._take_back()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


#: a local worker's memory with a UK-scale model (`twin bench`'s peak_rss_mb, rounded up)
WORKER_MEMORY_MB = 300


def _memory_mb() -> int | None:
    """The memory this process may use in MB: the machine's, or less where a control group (a batch
    job's or a container's limit) caps it (None where the system does not say)."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        memory = None
    for limit in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            capped = int(Path(limit).read_text().strip())  # "max" (no limit) is not a number
        except (OSError, ValueError):
            continue
        memory = capped if memory is None else min(memory, capped)
        break
    return memory // 2**20 if memory else None


def usable_cores() -> int:
    """The cores this process may run on: those its affinity allows (a batch job given 4 of a
    node's 64 cores has 4), else the machine's."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    """Local workers when --workers is left out: one a usable core, no more than the memory holds."""
    memory_mb = _memory_mb()
    most = max(memory_mb // WORKER_MEMORY_MB, 1) if memory_mb else usable_cores()
    return max(min(usable_cores(), most), 1)


def check_workers_fit(workers: int | None) -> None:
    """Refuse (a `UserError`) more local workers than the memory this command may use holds."""
    memory_mb = _memory_mb()
    if workers and memory_mb and workers * WORKER_MEMORY_MB > memory_mb:
        from twin.errors import UserError

        raise UserError(f"--workers {workers}: each worker holds a model in memory (about {WORKER_MEMORY_MB} MB at UK "
                        f"scale), {workers * WORKER_MEMORY_MB / 1024:,.1f} GB in all, more than the "
                        f"{memory_mb / 1024:,.1f} GB this command may use; use at most "
                        f"{max(memory_mb // WORKER_MEMORY_MB, 1)} (or leave --workers out: one a core)")


def make_executor(workers: int | None, cluster: str | None = None):
    if cluster is not None:
        if not cluster.strip():  # an unset variable in a job script: not the local machine by stealth
            from twin.errors import UserError

            raise UserError("--cluster: expected a scheduler address such as tcp://host:8786, got an empty value")
        from twin.executor_dask import DaskExecutor

        executor = DaskExecutor(cluster.strip())
        try:  # workers running other code are refused before a command writes its experiment
            executor.check_workers_code()
        except BaseException:
            executor.close()
            raise
        return executor
    check_workers_fit(workers)
    # Compiled here, once, before any worker starts: local workers inherit the compiled kernels
    # (or, where processes are spawned rather than forked, load them from the cache just written).
    warm_up()
    if (workers or default_workers()) == 1:
        return SerialExecutor()
    warn_more_workers_than_cores(workers)
    return LocalExecutor(workers)


def warn_more_workers_than_cores(workers: int | None) -> None:
    """The warning for a --workers above the cores this command may use (also said by a sweep's --dry-run)."""
    cores = usable_cores()
    if workers and workers > cores:
        print(f"Warning: --workers {workers} is more than the {cores} cores this command may use: the runs share "
              f"them (no faster than {cores} workers) and each worker holds a model in memory (about "
              f"{WORKER_MEMORY_MB} MB at UK scale).", file=sys.stderr)
