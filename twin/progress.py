"""What the commands print as they go. Progress lines for the long commands (calibrate, sensitivity,
screen): rewritten in place on a terminal; on a log file or pipe, one line at each tenth of the
work and at its end (a progress bar of runs also a line a minute with its rate and the time left),
so that a captured log holds readable lines rather than one line of carriage returns. Output that
outlives its reader (`guard_output`)."""

from __future__ import annotations

import errno
import os
import sys
from typing import Callable, TextIO


def progress_line(stream: TextIO | None = None, clock=None) -> Callable[[str, int, int], None]:
    """A function `show(text, done, total)` that prints `text` as progress on `stream` (stdout), with
    the time left at the rate since its first call ('samples 8/72 (40/360 runs), about 6 min left'), as
    `progress_bar` says it: what was done at the first call (reused) does not count as fast work."""
    import time

    out = stream or sys.stdout
    terminal = bool(getattr(out, "isatty", lambda: False)())
    shown = [-1]  # the last tenth printed, off a terminal
    clock = clock or time.perf_counter
    first: list = []  # (time, done) at the first call: units reused from a checkpoint are there already

    def show(text: str, done: int, total: int) -> None:
        now = clock()
        if not first:
            first.append((now, done))
        elapsed, fresh = now - first[0][0], done - first[0][1]
        if fresh > 0 and done < total and elapsed > 0:
            text = f"{text.rstrip()}, about {_duration(elapsed / fresh * (total - done))} left"
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
    pipe (a batch scheduler's log), a line at each tenth, at the end and every `LOG_EVERY_S` while work
    finishes (`_LogBar`), rather than tqdm's carriage returns ten times a second. Either has
    `update(n)` and `close()`."""
    if getattr(sys.stderr, "isatty", lambda: False)():
        from tqdm import tqdm

        return tqdm(total=total, unit=unit, desc=desc, dynamic_ncols=True)
    return _LogBar(total, unit, desc)


#: off a terminal, a progress bar's line at least this often while work finishes (besides each tenth):
#: a tenth of a sweep of thousands of runs can take hours, silent in a batch scheduler's log
LOG_EVERY_S = 60.0


class _LogBar:
    """`progress_bar` off a terminal: '<desc>: 460/4608 runs (10%), 12 s, 138,000 runs/hour, about
    2 min left' at each tenth, at the end, and every `LOG_EVERY_S` between while work finishes."""

    def __init__(self, total: int, unit: str, desc: str, clock=None):
        import time

        self.total, self.unit, self.desc, self.done = total, unit, desc, 0
        self._clock = clock or time.perf_counter
        self._start = self._last = self._clock()
        self._tenth = -1
        self.update(0)  # the bar's first line as it starts, as tqdm's

    def update(self, n: int = 1) -> None:
        self.done += n
        now = self._clock()
        tenth = 10 if self.done >= self.total else self.done * 10 // max(self.total, 1)
        if tenth == self._tenth and not (n > 0 and now - self._last >= LOG_EVERY_S):
            return
        self._tenth, self._last = tenth, now
        elapsed = now - self._start
        line = (f"{self.desc}: {self.done:,}/{self.total:,} {self.unit}s ({self.done / max(self.total, 1):.0%}), "
                f"{elapsed:,.0f} s")
        if 0 < self.done < self.total and elapsed > 0:
            rate = self.done / elapsed
            line += f", {rate * 3600:,.0f} {self.unit}s/hour, about {_duration((self.total - self.done) / rate)} left"
        print(line, flush=True, file=sys.stderr)

    def close(self) -> None:
        pass


def _duration(seconds: float) -> str:
    """'45 s', '12 min', '3 h 20 min'."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


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
