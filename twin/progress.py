"""Progress lines for the long commands (calibrate, sensitivity, screen): rewritten in place on a
terminal; on a log file or pipe, one line at each tenth of the work and at its end, so that a
captured log holds readable lines rather than one line of carriage returns."""

from __future__ import annotations

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
