"""User-facing errors: what went wrong, where, what was expected, and the likely fix.

Every mistake a user can make in an input (scenario file, register, parameter override,
command-line value) raises a subclass of `UserError`. The command line prints its message on
one line and exits non-zero without a traceback; programming errors still show a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class UserError(Exception):
    """An error caused by user input, reported without a traceback."""


class ScenarioError(UserError):
    """A scenario file is missing, malformed, or names something that does not exist."""


class RegisterError(UserError):
    """An OCG register row or column is invalid."""


class ParameterError(UserError):
    """A parameter override names an unknown parameter or has an invalid value."""


def closest(name: str, valid: Iterable[str]) -> str | None:
    """The valid name closest to `name` (for 'did you mean' hints), or None."""
    matches = difflib.get_close_matches(str(name), list(valid), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(name: str, valid: Iterable[str]) -> str:
    """A ' did you mean X?' suffix, or an empty string when nothing is close."""
    match = closest(name, valid)
    return f"; did you mean '{match}'?" if match else ""
