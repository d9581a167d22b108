"""Outputs written whole. A report's (or an export's, or a run's) files are written into a staging
folder inside the output folder, then moved into place together, the pages (.html) last, with Ctrl-C
held back while they move. An interrupted or failed report leaves the folder's previous report whole
(never a new summary.csv beside an old report.html) and no staging folder behind. A single file is
written through a temporary name (`write_whole`). A staging folder a killed command left behind (kill -9,
a machine gone down) is removed by the next command writing to the folder (`_remove_abandoned`)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged_folder(out_dir: Path, replaces=()):
    """Yield a staging folder; when the block ends without an error, move every file written there
    into `out_dir` (the same relative paths, replacing older ones the twin wrote: `check_ours`), the
    pages after the rest. A Ctrl-C during the moves takes effect once they are done. `replaces` names
    files of this output that it may not write every time (a chart only some comparisons draw): an
    earlier one the twin wrote, not written again, is removed with the moves, so that nothing in the
    folder is left over from another output."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".writing-{_HOST}-{os.getpid()}-", dir=out_dir))
    try:
        yield staging
        files = sorted((p for p in staging.rglob("*") if p.is_file()), key=lambda p: (p.suffix == ".html", str(p)))
        names = [file.relative_to(staging).as_posix() for file in files]
        check_ours(out_dir, names)
        _note_written(out_dir, names)  # first: a file moved in is never one the record lacks
        with _interrupts_deferred():
            for file, name in zip(files, names):
                target = out_dir / name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(file, target)
            for name in sorted(set(replaces) - set(names)):
                remove_written(out_dir, name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


#: the files the twin wrote in an output folder, one relative path a line: a later command replaces
#: these and refuses to write over any other file (a user's own `summary.csv` in the folder given)
WRITTEN_RECORD = ".twin-written"


def written_here(out_dir: Path) -> set[str]:
    """The files the twin's commands wrote in `out_dir` (by `WRITTEN_RECORD`)."""
    try:
        return set((out_dir / WRITTEN_RECORD).read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        return set()


def check_ours(out_dir: Path, names) -> None:
    """Refuse (a `UserError`) to write over a file in `out_dir` that no command of the twin wrote."""
    from twin.errors import UserError

    if not (out_dir / WRITTEN_RECORD).exists() and _written_before_the_record(out_dir):
        held = (p.relative_to(out_dir) for p in out_dir.rglob("*") if p.is_file())
        _note_written(out_dir, [name.as_posix() for name in held  # (not the record's, nor staging folders)
                                if not any(part.startswith(".") for part in name.parts)])
    ours = written_here(out_dir)
    theirs = sorted(name for name in names if name not in ours and (out_dir / name).exists())
    if theirs:
        shown = ", ".join(theirs[:5]) + (f" and {len(theirs) - 5} more" if len(theirs) > 5 else "")
        one = len(theirs) == 1
        raise UserError(f"output folder {out_dir}: holds {shown}, which the twin did not write there (it writes over "
                        f"only its own files, listed in {WRITTEN_RECORD}); give another folder (--out), or move "
                        f"{'it' if one else 'them'} away")


#: files only the twin writes, by name and a test of what they hold (a JSON file's data, another's first
#: 4,000 characters): a folder holding one and no `WRITTEN_RECORD` is the twin's, written before it kept one
_SIGNATURES = (
    ("run.json", lambda data: isinstance(data, dict) and {"scenario", "scenario_hash", "code_hash"} <= set(data)),
    ("experiment.json", lambda data: isinstance(data, dict) and "experiment_id" in data),
    ("fit.json", lambda data: isinstance(data, dict) and {"misfit", "targets"} <= set(data)),
    ("sensitivity.json", lambda data: isinstance(data, dict) and {"design", "indices"} <= set(data)),
    ("screening.json", lambda data: isinstance(data, dict) and {"design", "effects"} <= set(data)),
    ("validation.json", lambda data: isinstance(data, dict) and any(isinstance(v, dict) and "measures" in v
                                                                    for v in data.values())),
    ("analysis.json", lambda data: _analysis_figures(data.get("outcomes") if isinstance(data, dict) else data)),
    ("*.jsonl", lambda text: text.startswith('{"config": "')),
    ("report.html", lambda text: '<meta name="twin-experiment" content="' in text),
    ("README.txt", lambda text: "written by `twin sweep`" in text or "exported by `twin export`" in text),
    ("trajectories.partial.csv", lambda text: text.startswith("step,date,area,metric,value")),
)


def _analysis_figures(outcomes) -> bool:
    """analysis.json's outcomes (a bare list of them, as written before the record of its experiment)."""
    return isinstance(outcomes, list) and all(isinstance(v, dict) and "feature_scores" in v for v in outcomes)


def _written_before_the_record(out_dir: Path) -> bool:
    """Whether `out_dir` holds a file only the twin writes (`_SIGNATURES`): a folder an earlier version
    wrote, before it kept `WRITTEN_RECORD`. Its files are then taken as the twin's, replaced as before."""
    import json

    for pattern, test in _SIGNATURES:
        for path in out_dir.glob(pattern):
            try:
                with path.open(encoding="utf-8", errors="replace") as file:
                    if test(json.load(file) if path.suffix == ".json" else file.read(4000)):
                        return True
            except (OSError, ValueError):
                continue
    return False


def claim_folder(out_dir: Path, names) -> None:
    """Just before a command writes `names` into `out_dir` one by one: refuse a user's own files of
    those names (`check_ours`), and record them as the twin's."""
    check_ours(out_dir, names)
    _note_written(out_dir, names)


def _note_written(out_dir: Path, names) -> None:
    """Add `names` to the folder's record of the twin's files."""
    with folder_held(out_dir):
        record = written_here(out_dir)
        if not set(names) <= record:
            _write_record(out_dir, record | set(names))


def remove_written(out_dir: Path, name: str) -> None:
    """Remove a file the twin wrote in `out_dir` and take it off the record (a user's file of the
    name, not on it, stays)."""
    with folder_held(out_dir):
        record = written_here(out_dir)
        if name in record:
            (out_dir / name).unlink(missing_ok=True)
            _write_record(out_dir, record - {name})


@contextmanager
def folder_held(out_dir: Path):
    """The folder locked (flock on the folder itself, no lock file left beside the user's) while its
    record is read and rewritten: two commands writing into one folder at once each add their
    names, neither losing the other's (and while parts of a sweep read and write its table). Not
    to be nested: a second lock of the folder in the same process waits for ever. On NFS, whose
    flock is emulated by POSIX locks that a folder opened to read cannot take, it does not lock.
    Where folders cannot be locked (no fcntl, a file system without locks), the record is rewritten
    unlocked, as before."""
    try:
        import fcntl

        handle = os.open(out_dir, os.O_RDONLY)
    except (ImportError, OSError):
        yield
        return
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError:
            pass
        yield
    finally:
        os.close(handle)  # (closing releases the lock)


def _write_record(out_dir: Path, names: set[str]) -> None:
    """The folder's record of the twin's files, rewritten whole, one name a line."""
    text = "".join(f"{name}\n" for name in sorted(names))
    write_whole(out_dir / WRITTEN_RECORD, lambda path: path.write_text(text, encoding="utf-8"))


def write_output(path: Path, write) -> None:
    """`write_whole` for a command's output file: refused over a file the twin did not write, and
    recorded as the twin's."""
    claim_folder(path.parent, [path.name])
    write_whole(path, write)


#: this machine, in staging folders' names: whether the process that made one has ended is known only here
_HOST = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]
#: a staging folder of another machine's command (a shared file system), or of an older version of
#: the twin (no process named), is taken as abandoned after this long
ABANDONED_AFTER_S = 24 * 3600


def _remove_abandoned(out_dir: Path) -> None:
    """Remove the staging folders of commands that ended without removing them: those made on this
    machine by a process that is gone, and any older than `ABANDONED_AFTER_S`."""
    for folder in out_dir.glob(".writing-*"):
        _, host, pid, *_ = folder.name.split("-") + ["", "", ""]
        try:
            old = time.time() - folder.stat().st_mtime > ABANDONED_AFTER_S
        except OSError:  # removed meanwhile
            continue
        if old or (host == _HOST and pid.isdigit() and not _running(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def write_whole(path: Path, write) -> None:
    """`write(temporary_path)`, then the file takes its real name: a full disk or an interruption
    leaves no truncated file under the real name (an earlier file there stays as it was). The
    temporary file's name is this call's own, so two commands writing one file at once (parts of a
    sweep ending together) each write a whole file and the last to finish leaves its own."""
    import secrets

    partial = path.with_name(f"{path.name}.{secrets.token_hex(6)}.writing")
    # made as an open() makes a file (0666 less the umask: mkstemp's 0600 left results readable by their owner only)
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    try:
        write(partial)
        with _interrupts_deferred():
            os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    remove_abandoned_partials(path.parent, f"{path.name}.*.writing")


def remove_abandoned_partials(folder: Path, pattern: str) -> None:
    """Remove the temporary files of whole writes (`write_whole`) matching `pattern` in `folder` that a
    command killed outright left, those older than `ABANDONED_AFTER_S` (a write takes seconds)."""
    try:
        for partial in folder.glob(pattern):
            with contextlib.suppress(OSError):  # removed meanwhile
                if time.time() - partial.stat().st_mtime > ABANDONED_AFTER_S:
                    partial.unlink()
    except OSError:
        pass


@contextmanager
def _interrupts_deferred():
    """Hold a Ctrl-C back until the block is done, then raise it, and the SIGTERM of a batch
    scheduler and the SIGHUP of a closed terminal likewise where the command stops on them as on a
    Ctrl-C (`cli.main`; main thread only: elsewhere Python cannot set signal handlers, and the block
    runs as it is)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    held = [signal.SIGINT] + [stop for stop in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None))
                              if stop is not None and signal.getsignal(stop) not in (signal.SIG_DFL, signal.SIG_IGN,
                                                                                    None)]
    previous = {stop: signal.signal(stop, lambda *_: caught.append(True)) for stop in held}
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)
    if caught:
        raise KeyboardInterrupt


#: what each command writes that marks a folder as holding its results (`other_results`; the export's
#: record is `export.EXPORTED_RECORD`, the report `report.REPORT_FILES`' first)
RESULTS_MARKS = {"compare": ("report.html", "a comparison's report"),
                 "sweep": ("sweep_results.csv", "a sweep's results"),
                 "export": (".twin-export", "an export's tables")}


def other_results(out: Path, command: str) -> str:
    """A note when `out` holds another command's results beside which `command` writes its own (a
    comparison's report, a sweep's results, an export's tables: each has its own README.txt or
    record, and a folder mixing two reads as one experiment's), else ""."""
    held = {other: what for other, (mark, what) in RESULTS_MARKS.items() if other != command and (out / mark).exists()}
    if not held:
        return ""
    guides = command in ("sweep", "export") and ({"sweep", "export"} & set(held))  # both write a README.txt
    named = {"compare": "comparison"}.get(command, command)
    return (f"Note: {out} holds {' and '.join(held.values())}; this {named}'s files are written beside them"
            + (" and its README.txt replaces theirs" if guides else "") + " (give another --out to keep them apart).")
