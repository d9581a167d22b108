"""Outputs written whole. A report's (or an export's, or a run's) files are written into a staging
folder inside the output folder, then moved into place together, the pages (.html) last, with Ctrl-C
held back while they move. An interrupted or failed report leaves the folder's previous report whole
(never a new summary.csv beside an old report.html) and no staging folder behind. A single file is
written through a temporary name (`write_whole`). A staging folder a killed command left behind (kill -9,
a machine gone down) is removed by the next command writing to the folder (`_remove_abandoned`)."""

from __future__ import annotations

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
def staged_folder(out_dir: Path):
    """Yield a staging folder; when the block ends without an error, move every file written there
    into `out_dir` (the same relative paths, replacing older ones), the pages after the rest. A Ctrl-C during the moves takes effect once they are done."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".writing-{_HOST}-{os.getpid()}-", dir=out_dir))
    try:
        yield staging
        files = sorted((p for p in staging.rglob("*") if p.is_file()), key=lambda p: (p.suffix == ".html", str(p)))
        with _interrupts_deferred():
            for file in files:
                target = out_dir / file.relative_to(staging)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(file, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
    leaves no truncated file under the real name (an earlier file there stays as it was)."""
    partial = path.with_name(path.name + ".writing")
    try:
        write(partial)
        with _interrupts_deferred():
            os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


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
