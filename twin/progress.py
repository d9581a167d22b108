"""What the commands print as they go. Progress lines for the long commands (calibrate, sensitivity,
screen): rewritten in place on a terminal; on a log file or pipe, one line at each tenth of the
work and at its end, so that a captured log holds readable lines rather than one line of carriage
returns. Output that outlives its reader (`guard_output`)."""

from __future__ import annotations

import errno
import os
import sys
from typing import Callable, TextIO


def progress_line(stream: TextIO | None = None) -> Callable[[str, int, int], None]:
    """A function `show(text, done, total)` that prints `text` as progress on `stream` (stdout)."""
    out = stream or sys.stdout
    terminal = bool(getattr(out, "isatty", lambda: False)())
    shown = [-1]  # the last tenth printed, off a terminal

    def show(text: str, done: int, total: int) -> None:
        if terminal:
            print(f"\r{text}   ", end="", flush=True, file=out)
            return
        tenth = 10 if done >= total else done * 10 // max(total, 1)
        if tenth > shown[0]:
            shown[0] = tenth
            print(text.rstrip(), flush=True, file=out)

    return show


def progress_bar(total: int, unit: str, desc: str):
    """A progress bar of `total` `unit`s on standard error: tqdm's on a terminal; on a log file or
    pipe (a batch scheduler's log), a line at each tenth and at the end, as `progress_line`, rather
    than tqdm's carriage returns ten times a second. Either has `update(n)` and `close()`."""
    if getattr(sys.stderr, "isatty", lambda: False)():
        from tqdm import tqdm

        return tqdm(total=total, unit=unit, desc=desc, dynamic_ncols=True)
    return _LogBar(total, unit, desc)


class _LogBar:
    """`progress_bar` off a terminal: '<desc>: 460/4608 runs (10%), 12 s' at each tenth."""

    def __init__(self, total: int, unit: str, desc: str):
        import time

        self.total, self.unit, self.desc, self.done = total, unit, desc, 0
        self._clock, self._start = time.perf_counter, time.perf_counter()
        self._show = progress_line(sys.stderr)
        self.update(0)  # the bar's first line as it starts, as tqdm's

    def update(self, n: int = 1) -> None:
        self.done += n
        elapsed = self._clock() - self._start
        self._show(f"{self.desc}: {self.done:,}/{self.total:,} {self.unit}s ({self.done / max(self.total, 1):.0%}), "
                   f"{elapsed:,.0f} s", self.done, self.total)

    def close(self) -> None:
        pass


class _PipeSafe:
    """A text stream that, once its reader has gone (output piped into `head` or `less`, closed
    part-way), sends what follows to the null device instead of raising: the command's work carries
    on to its end and its files are written (it stopped at the next line printed, with status 0)."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            self._reader_gone(exc)
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            self._reader_gone(exc)

    def _reader_gone(self, exc: OSError) -> None:
        """A closed pipe (EPIPE; EINVAL on Windows) or a terminal gone (EIO): output goes nowhere from now."""
        if exc.errno not in (errno.EPIPE, errno.EIO, errno.EINVAL):
            raise exc
        devnull = os.open(os.devnull, os.O_WRONLY)  # onto the stream's own descriptor: its buffer empties there too
        os.dup2(devnull, self._stream.fileno())
        os.close(devnull)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def guard_output() -> None:
    """For the `twin` command: standard output and error survive their reader going away
    (`_PipeSafe`), and characters a terminal's encoding lacks (£, €) print as '?' rather than
    stopping the command with a traceback (standard error already escapes them)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None or isinstance(stream, _PipeSafe):
            continue
        if name == "stdout" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
        setattr(sys, name, _PipeSafe(stream))


def terminal_columns(stream: TextIO | None = None) -> int | None:
    """The width of the terminal `stream` (default: standard output) writes to; None when it writes
    to a file or a pipe, whose lines are best left whole."""
    stream = stream or sys.stdout
    try:
        return os.get_terminal_size(stream.fileno()).columns if stream.isatty() else None
    except (AttributeError, OSError, ValueError):  # no file descriptor (a test's capture), or none left
        return None
