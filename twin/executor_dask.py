"""The Dask executor: tasks in batches on a Dask distributed cluster (`--cluster tcp://host:port`),
behind the `run` method of the local executors (`executor.py`), with the checks a shared cluster
needs: the scheduler's address, the workers' model code, and a cluster left without workers.

Nothing finished is lost when a command stops, as with local workers: a Dask worker keeps each
finished run of a batch in flight in its memory (`_FINISHED`) until the batch returns, and after
an interrupt or a batch that killed its workers the coordinator takes back (`_take_back`) the
batches that finished but were not yet handed over, and the runs finished in those still running.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator

from twin.executor import WorkerLost, _HandOver, _run_batch
from twin.executor import batches as batches_of


def _worker_packages() -> dict[str, str]:
    """The package versions of a worker's Python (run on each Dask worker)."""
    from twin.ensemble import package_versions

    return package_versions()


def _worker_code_hash() -> str:
    """The model source hash of the code a worker imports (run on each Dask worker)."""
    from twin.ensemble import code_hash

    return code_hash()


def _worker_twin_folder() -> str:
    """Where a worker imports `twin` from, in words (a worker started by another Python imports
    another checkout's)."""
    from pathlib import Path

    return f"it imports twin from {Path(__file__).resolve().parent.parent} with {sys.executable}"


class WrongCode(RuntimeError):
    """A Dask worker runs other model code than the coordinator (raised on the worker)."""


#: on a Dask worker: the finished runs of each batch in flight (by batch key, then index in the
#: batch), for a coordinator that stops before the batch returns (`_take_finished`); the last
#: `RETURNED_KEPT` batches that returned are kept whole too, for a coordinator that stopped as they
#: returned (it saw them unfinished, and asks the worker after they left it)
_FINISHED: dict[str, dict[int, object]] = {}
_FINISHED_LOCK = threading.Lock()
RETURNED_KEPT = 2
_RETURNED: list[str] = []  # the keys of the batches returned and kept whole, oldest first


def _take_finished(keys: list[str]) -> dict[str, dict[int, object]]:
    """On a Dask worker: the finished runs it keeps of the batches named, given up."""
    with _FINISHED_LOCK:
        return {key: _FINISHED.pop(key) for key in keys if key in _FINISHED}


def _run_batch_checked(fn: Callable, batch: list, expected_code: str, key: str | None = None) -> list:
    """A batch on a Dask worker, refused when the worker's model code is not the coordinator's
    (a worker may join a cluster at any time, after the check at the start). Each finished run but
    the last is kept under `key` until the batch returns (`_FINISHED`)."""
    found = _worker_code_hash()
    if found != expected_code:
        from distributed import get_worker

        try:
            worker = f"the worker at {get_worker().address}"
        except ValueError:  # not on a Dask worker
            worker = "a worker"
        raise WrongCode(f"{worker} runs other model code (source hash {found}, expected {expected_code}; "
                        f"{_worker_twin_folder()})")
    if key is None:
        return _run_batch(fn, batch)
    results = []
    try:
        for index, task in enumerate(batch):
            results.append(fn(task))
            if index < len(batch) - 1:
                with _FINISHED_LOCK:
                    _FINISHED.setdefault(key, {})[index] = results[-1]
    except BaseException:  # (failed: the batch runs again)
        with _FINISHED_LOCK:
            _FINISHED.pop(key, None)
        raise
    with _FINISHED_LOCK:  # (returned: kept whole while it is among the last few)
        _FINISHED[key] = dict(enumerate(results))
        _RETURNED.append(key)
        while len(_RETURNED) > RETURNED_KEPT:
            _FINISHED.pop(_RETURNED.pop(0), None)
    return results


#: seconds a stopping command waits for the Dask workers to give back the runs they finished (a
#: batch scheduler's grace period after SIGTERM is often 30 s): a worker that has not answered by
#: then keeps its runs, which run again next time
TAKE_BACK_TIMEOUT_S = 10.0


#: seconds to wait for a Dask scheduler to answer before giving up
CONNECT_TIMEOUT_S = 30.0


def _connect(client_class, address: str):
    """A client of the scheduler at `address`, or `TimeoutError` after `CONNECT_TIMEOUT_S`.

    The client's own timeout does not cover every case: a port that accepts the connection but
    never answers the handshake (the scheduler's web dashboard) held it for good. So it connects
    in a daemon thread, which the process does not wait for when it gives up.
    """
    import threading

    outcome: dict = {}

    def connect():
        try:
            outcome["client"] = client_class(address, timeout=f"{CONNECT_TIMEOUT_S / 3:g}s")
        except BaseException as exc:  # noqa: BLE001 (handed to the caller's thread)
            outcome["error"] = exc

    thread = threading.Thread(target=connect, name="twin-dask-connect", daemon=True)
    thread.start()
    thread.join(CONNECT_TIMEOUT_S)
    if thread.is_alive():
        raise TimeoutError(address)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["client"]


class DaskExecutor(_HandOver):
    """Tasks on a Dask distributed cluster (`--cluster tcp://host:port`), in batches.

    If a worker dies, the scheduler reruns its batches elsewhere (Dask's own retries); results
    are identical to local runs because every task carries its own seed.
    """

    def __init__(self, address: str, retries: int = 3):
        from collections import deque

        self._ready = deque()
        self._open: dict = {}  # future -> (key, tasks) of each batch of this run not yet handed over
        try:
            from distributed import Client
        except ImportError:
            from twin.errors import UserError

            raise UserError('--cluster needs dask.distributed: pip install -e ".[cluster]"') from None
        from twin.errors import UserError

        _check_host(address)
        try:
            self.client = _connect(Client, address)
        except TimeoutError:
            raise UserError(f"--cluster {address}: no Dask scheduler answered within {CONNECT_TIMEOUT_S:g} s (is "
                            f"it the scheduler's port, usually 8786, and not its dashboard's, 8787?)") from None
        except OSError as exc:
            raise UserError(f"--cluster {address}: cannot reach the scheduler ({exc})") from None
        except ValueError as exc:  # malformed address: no port, unknown scheme
            raise UserError(f"--cluster {address}: expected a scheduler address such as tcp://host:8786 ({exc})") from None
        except ImportError as exc:  # a scheduler that refuses this client (package versions differ)
            raise UserError(f"--cluster {address}: the scheduler refused this client ({exc})") from None
        except Exception as exc:  # something answered, but not as a Dask scheduler (a web server, a proxy)
            # (its reply read as a Dask message can claim a frame of exabytes: a MemoryError, not worth showing)
            detail = "" if isinstance(exc, MemoryError) else f" ({type(exc).__name__}: {exc})"
            raise UserError(f"--cluster {address}: what answered there is not a Dask scheduler"
                            f"{detail}; give the scheduler's address, such as tcp://host:8786") from None
        self.retries = retries
        import logging  # the client's warnings of keys rescheduled after a worker died: the command says what matters

        self._client_log = logging.getLogger("distributed.client")
        self._client_level = self._client_log.level
        self._client_log.setLevel(max(self._client_level, logging.ERROR))
        # runs at once, what batches are sized by: every worker's threads (a worker of 4 threads runs 4), from
        # nthreads() (scheduler_info() lists at most 5 workers in some versions of distributed)
        self.workers = max(sum(self.client.nthreads().values()), 1)
        self.address = address

    def check_workers_code(self) -> None:
        """Refuse workers that would run other model code than this process: results are stored
        under this process's code hash, so a worker started from another checkout (or before an
        edit) would store its results under the wrong code."""
        from twin.ensemble import code_hash
        from twin.errors import UserError

        here = code_hash()
        if not self.client.nthreads():  # a batch job's workers may start after its command: waited for a while
            print(f"Note: no worker is connected to {self.address} yet; waiting up to {WORKERS_AWAITED_S:g} s for "
                  f"one to join.", file=sys.stderr, flush=True)
            with contextlib.suppress(Exception):  # (distributed's TimeoutError: refused below)
                self.client.wait_for_workers(1, timeout=WORKERS_AWAITED_S)
        theirs = self.client.run(_worker_code_hash, on_error="return")
        broken = sorted(worker for worker, value in theirs.items() if isinstance(value, BaseException))
        if broken:  # a worker whose Python cannot import twin (another environment)
            raise UserError(f"--cluster {self.address}: the worker at {broken[0]} cannot import twin "
                            f"({type(theirs[broken[0]]).__name__}: {theirs[broken[0]]}); start the workers with "
                            f"`python -m dask worker ...` from the environment twin is installed in")
        if not theirs:
            raise UserError(f"--cluster {self.address}: no workers are connected to the scheduler, none having "
                            f"joined in {WORKERS_AWAITED_S:g} s (start some with "
                            f"`python -m dask worker {self.address}`)")
        other = sorted(worker for worker, value in theirs.items() if value != here)
        if other:
            where = self.client.run(_worker_twin_folder, workers=other[:1], on_error="return").get(other[0], "")
            raise UserError(f"--cluster {self.address}: {len(other)} of {len(theirs)} worker(s) run other model code "
                            f"(the worker at {other[0]}: source hash {theirs[other[0]]}, here {here}"
                            f"{'; ' + where if isinstance(where, str) and where else ''}); restart them from this "
                            f"checkout (with `pip install -e .` of it, and `python -m dask worker` of its Python) "
                            f"and run again")
        from twin.ensemble import package_versions

        mine = package_versions()  # results may differ in their last digits, and are stored as this machine's
        versions = self.client.run(_worker_packages, on_error="return")
        for worker, value in sorted(versions.items()):
            if isinstance(value, dict) and value != mine:
                differ = ", ".join(f"{k} {value.get(k)} there, {v} here" for k, v in mine.items() if value.get(k) != v)
                raise UserError(f"--cluster {self.address}: the worker at {worker} runs other package versions "
                                f"({differ}): its results could differ in their last digits from this machine's and "
                                f"would be stored as this machine's; start the workers from the same environment")

    def run(self, fn: Callable, tasks: Iterable, chunk: int = 1, crashed: Callable | None = None,
            group: Callable | None = None) -> Iterator[tuple[object, object]]:
        """(task, fn(task)) pairs as batches finish (`executor.batches`: of whole `group`s). A batch
        that kills its workers (Dask's KilledWorker) has its runs tried one at a time, and a run that
        kills them alone too is handed over as `crashed(task)` (a failed run's record); without
        `crashed`, the command stops."""
        self.check_workers_code()  # before each run: workers may have joined since the last
        from twin.ensemble import code_hash

        from uuid import uuid4

        tasks = list(tasks)
        self._fresh()
        for future in self._open:  # an abandoned run's batches: not this one's
            future.cancel()
        self._open.clear()
        batches = batches_of(tasks, chunk, group)
        expected, run = code_hash(), uuid4().hex
        for index, batch in enumerate(batches):
            key = f"twin-batch-{run}-{index}"
            future = self.client.submit(_run_batch_checked, fn, batch, expected, key, pure=False, retries=self.retries)
            self._open[future] = (key, batch)
        futures = {future: batch for future, (_, batch) in self._open.items()}

        def alone(task) -> object:  # a run of a batch that killed its workers, tried on its own
            key = f"twin-batch-{run}-alone-{uuid4().hex}"
            future = self.client.submit(_run_batch_checked, fn, [task], expected, key, pure=False, retries=self.retries)
            self._open[future] = (key, [task])
            futures[future] = [task]
            return future

        watching = self._watch_for_no_workers()
        try:
            yield from self._gather(futures, alone if crashed is not None else None, crashed)
        finally:
            watching.set()

    def _watch_for_no_workers(self):
        """A daemon thread that says so, once each time, when no worker has been connected for
        `NO_WORKERS_WARNING_S` (every worker died, or the cluster was scaled to zero): the batches
        wait on the scheduler for workers to join, which would otherwise look like a hang; and when
        workers leave (killed, out of memory), which went unsaid while the rest ran their batches again."""
        import threading

        stop = threading.Event()

        try:  # the workers at the start (read here: one leaving before the thread's first look is said too)
            first = set(self.client.nthreads())
        except Exception:  # noqa: BLE001
            first = None

        def watch():
            empty_since, warned, seen = None, False, first
            while not stop.wait(min(1.0, NO_WORKERS_WARNING_S / 2)):
                try:
                    workers = set(self.client.nthreads())
                except Exception:  # noqa: BLE001 (the run itself reports a lost scheduler)
                    return
                count = len(workers)
                if seen and (gone := seen - workers):  # as a local pool says when its worker dies
                    from tqdm import tqdm

                    tqdm.write(f"Note: {len(gone)} Dask worker(s) left the cluster ({', '.join(sorted(gone))}); "
                               f"the batches they had in flight run again on the others.", file=sys.stderr)
                seen = workers
                if count:
                    empty_since, warned = None, False
                    continue
                empty_since = empty_since or time.monotonic()
                if not warned and time.monotonic() - empty_since >= NO_WORKERS_WARNING_S:
                    from tqdm import tqdm  # above a progress bar rather than on it

                    tqdm.write(f"Warning: no Dask worker has been connected to {self.address} for "
                               f"{NO_WORKERS_WARNING_S:g} s; the unfinished batches wait for workers to join "
                               f"(`python -m dask worker {self.address}`). Ctrl-C stops the command; finished "
                               f"runs are saved.",
                               file=sys.stderr)
                    warned = True

        threading.Thread(target=watch, name="twin-dask-watch", daemon=True).start()
        return stop

    def _gather(self, futures: dict, alone: Callable | None = None,
                crashed: Callable | None = None) -> Iterator[tuple[object, object]]:
        """Each batch's (task, result) pairs as the batches finish; lost workers and other code as
        one-line errors. With `alone`, a batch that killed its workers is submitted again one run at a
        time (`alone(task)` gives the future), and a run that did so on its own is `crashed(task)`."""
        from concurrent.futures import CancelledError  # distributed's cancelled futures raise a subclass

        from distributed import KilledWorker, as_completed

        from twin.errors import UserError

        from collections import deque

        finishing = as_completed(futures)
        # runs of a batch that killed its workers, each tried with no other such run in flight: Dask
        # counts every run queued on a dying worker against it, so a run is crashed only when killed
        # `ALONE_TRIES` times in turn
        trials: deque = deque()
        trial: list = []  # [future, task, times killed] of the run on trial

        def next_trial() -> None:
            if not trial and trials:
                task, killed = trials.popleft()
                trial[:] = [alone(task), task, killed]
                finishing.add(trial[0])

        for future in finishing:
            try:
                results = future.result()
            except WrongCode as exc:
                yield from self._hand_over(self._take_back())  # (the other batches' finished runs first)
                raise UserError(f"--cluster {self.address}: {exc}; restart the workers from this checkout and run "
                                f"again (finished runs are saved)") from None
            except (KilledWorker, CancelledError) as exc:  # cancelled with the scheduler too: the client reconnects
                if isinstance(exc, KilledWorker) and alone is not None and self.client.status == "running":
                    del self._open[future]
                    if trial and future is trial[0]:
                        _, task, killed = trial
                        trial.clear()
                        if killed + 1 < ALONE_TRIES:
                            trials.appendleft((task, killed + 1))
                        else:
                            print("Note: a run killed the Dask workers that ran it, alone too: recorded as failed, "
                                  "the rest go on.", file=sys.stderr, flush=True)
                            self._ready.append((task, crashed(task)))
                    else:
                        trials.extend((task, 0) for task in futures[future])
                    next_trial()
                    yield from self._hand_over([])
                    continue
                if isinstance(exc, CancelledError):  # the client may learn of a lost scheduler after its futures
                    deadline = time.monotonic() + 3.0
                    while self.client.status == "running" and time.monotonic() < deadline:
                        time.sleep(0.05)
                lost = ("lost the Dask scheduler" if isinstance(exc, CancelledError) and self.client.status != "running"
                        else "Dask workers died running a batch")
                yield from self._hand_over(self._take_back())
                raise WorkerLost(f"{lost} ({type(exc).__name__}); finished runs are saved, run the command "
                                 f"again") from None
            except OSError as exc:  # the scheduler went away (CommClosedError is an OSError)
                raise WorkerLost(f"lost the Dask scheduler ({type(exc).__name__}); finished runs are saved, run "
                                 f"the command again") from None
            self._ready.extend(zip(futures[future], results))
            del self._open[future]  # (after: a Ctrl-C finds the batch in one place or the other)
            if trial and future is trial[0]:
                trial.clear()
                next_trial()
            yield from self._hand_over([])

    def _take_back(self) -> list[tuple[object, object]]:
        """The finished runs of the batches not yet handed over, taken back from the cluster: whole
        batches that finished, and the runs finished in those still running (or failed); none
        when the scheduler is gone. Each worker is asked on its own, and one that has not answered
        within `TAKE_BACK_TIMEOUT_S` keeps its runs. In flight then holds nothing (what was not
        taken back runs again next time)."""
        open_batches, self._open = self._open, {}
        if not open_batches or self.client.status != "running":
            return []
        keys = [key for key, _ in open_batches.values()]
        outcome: dict = {}  # key -> {index: result}, each entry replaced whole (read while threads fill it)
        lock = threading.Lock()

        def take(worker: str | None) -> None:
            try:
                if worker is None:  # the batches the scheduler holds as finished
                    found = {key: dict(enumerate(future.result())) for future, (key, _) in open_batches.items()
                             if future.status == "finished"}
                else:  # what a worker keeps (of a batch that returned as it was asked, the whole batch)
                    found = self.client.run(_take_finished, keys, workers=[worker], on_error="return").get(worker)
                for key, runs in (found.items() if isinstance(found, dict) else ()):
                    with lock:
                        outcome[key] = {**outcome.get(key, {}), **runs}
            except Exception:  # noqa: BLE001 (a worker or the scheduler lost meanwhile: its runs run again)
                pass

        try:
            workers = sorted(self.client.nthreads())
        except Exception:  # noqa: BLE001 (the scheduler lost as the command stops)
            workers = []
        threads = [threading.Thread(target=take, args=(worker,), name="twin-dask-take-back", daemon=True)
                   for worker in [None, *workers]]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + TAKE_BACK_TIMEOUT_S
        for thread in threads:
            thread.join(max(deadline - time.monotonic(), 0.0))
        with lock:
            taken = dict(outcome)  # (a thread still waiting may add more: not taken)
        if any(thread.is_alive() for thread in threads):
            print(f"Note: a Dask worker did not answer within {TAKE_BACK_TIMEOUT_S:g} s; the runs it had finished "
                  f"in batches under way run again next time.", file=sys.stderr)
        for future in open_batches:
            future.cancel()
        return [(batch[index], found[index]) for key, batch in open_batches.values()
                for found in [taken.get(key, {})] for index in sorted(found) if index < len(batch)]

    def close(self) -> None:
        """Take back the finished runs not yet handed over (`salvaged` gives them) and close the client;
        with the scheduler gone, quietly (the client's reconnection would log its tracebacks after
        the command's own one-line message)."""
        import logging

        self._ready.extend(self._take_back())

        # distributed sets some of its loggers' levels itself ('distributed.client' among them): each is quietened
        loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
                   if name == "distributed" or name.startswith("distributed.")]
        levels = [logger.level for logger in loggers]
        if self.client.status != "running":
            for logger in loggers:
                logger.setLevel(logging.CRITICAL + 1)
        try:
            self.client.close(timeout=5)
        except Exception:  # noqa: BLE001 (a scheduler already gone: nothing left to close)
            pass
        finally:
            for logger, level in zip(loggers, levels):
                logger.setLevel(level)
            if hasattr(self, "_client_log"):  # (set when it connected)
                self._client_log.setLevel(self._client_level)


#: times a run on trial alone (its batch killed its workers) must kill its worker before it is
#: recorded as crashed: a run queued on a worker that another run kills is counted against too
ALONE_TRIES = 2

#: seconds without any Dask worker after which a run says it is waiting for workers
NO_WORKERS_WARNING_S = 30.0
#: seconds a command reaching a cluster with no worker yet waits for one to join before it refuses it
WORKERS_AWAITED_S = 60.0

def _check_host(address: str) -> None:
    """A scheduler's host name that does not resolve, said at once (the client would wait for its
    connect timeout and then report a timeout)."""
    import socket
    from urllib.parse import urlsplit

    from twin.errors import UserError

    if address.startswith("inproc://"):
        return  # in this process: no host to look up
    try:
        parts = urlsplit(address if "://" in address else f"tcp://{address}")
        host = parts.hostname
        parts.port  # noqa: B018 (a port that is not a number, or beyond 65535, raises here)
    except ValueError as exc:
        raise UserError(f"--cluster {address}: expected a scheduler address such as tcp://host:8786 ({exc})") from None
    if not host:
        return
    try:
        socket.getaddrinfo(host, None)
    except socket.gaierror as exc:
        found = "not found" if exc.errno == socket.EAI_NONAME else "could not be looked up"
        raise UserError(f"--cluster {address}: host {host!r} {found} ({exc.strerror}); give the scheduler "
                        f"machine's name or IP address, such as tcp://10.0.0.5:8786") from None
