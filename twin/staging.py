"""Reports written whole: a report's files are written into a staging folder inside the output
folder, then moved into place together, the pages (.html) last, with Ctrl-C held back while they move. An
interrupted or failed report leaves the folder's previous report whole (never a new summary.csv
beside an old report.html) and no staging folder behind."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged_folder(out_dir: Path):
    """Yield a staging folder; when the block ends without an error, move every file written there
    into `out_dir` (the same relative paths, replacing older ones), the pages after the rest. A Ctrl-C during the moves takes effect once they are done."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".writing-", dir=out_dir))
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


@contextmanager
def _interrupts_deferred():
    """Hold a Ctrl-C back until the block is done, then raise it (main thread only: elsewhere
    Python cannot set signal handlers, and the block runs as it is)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda *_: caught.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt
