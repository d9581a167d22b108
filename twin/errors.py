"""User-facing errors: what went wrong, where, what was expected, and the likely fix.

Every mistake a user can make in an input (scenario file, register, parameter override,
command-line value) raises a subclass of `UserError`. The command line prints its message on
one line and exits non-zero without a traceback; programming errors still show a traceback.
"""

from __future__ import annotations

import difflib
import math
import os
import sys
from collections.abc import Iterable


class UserError(Exception):
    """An error caused by user input, reported without a traceback."""


class ScenarioError(UserError):
    """A scenario file is missing, malformed, or names something that does not exist."""


class RegisterError(UserError):
    """An OCG register row or column is invalid."""


class ParameterError(UserError):
    """A parameter override names an unknown parameter or has an invalid value."""


class PopulationError(ParameterError):
    """A run's populations grew beyond what the model can hold: parameters far beyond their
    plausible ranges (the message names those set beyond them)."""


class NoResultsError(UserError):
    """A results database read by a command holds none of twin's tables (nothing is created in it)."""


class MachineError(RuntimeError):
    """A failure of the machine, not the user, already said in one line (exit status 1)."""


class DatabaseFailed(MachineError):
    """The database failed storing a finished run (not a lock), which was kept in a file: the command
    stops, keeping its runs in flight too (`executor.store_salvaged`), and says where (`Store.kept_message`)."""


#: `closest`'s cutoff unless a caller asks for near misses only (a stricter one)
DEFAULT_CUTOFF = 0.6


def _edits(a: str, b: str) -> int:
    """Levenshtein distance: the fewest letters inserted, deleted or changed to turn `a` into `b`."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def _best_spellings(name: str, valid: list[str], cutoff: float) -> list[str]:
    """The closest spelling above `cutoff` by difflib's similarity (a list of one, or empty). Among
    names scored alike, the one fewest letters away, then the first alphabetically: difflib itself
    takes the last ('SYN00O12' -> 'SYN00912' of the ten scored alike, rather than 'SYN00012')."""
    best, tied = cutoff, []
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(name)
    for candidate in valid:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() < best or matcher.quick_ratio() < best:
            continue
        score = matcher.ratio()
        if score > best or (score == best and not tied and score >= cutoff):
            best, tied = score, [candidate]
        elif score == best:
            tied.append(candidate)
    return [min(tied, key=lambda m: (_edits(name, m), m))] if tied else []


def closest(name: str, valid: Iterable[str], cutoff: float = DEFAULT_CUTOFF) -> str | None:
    """The valid name closest to `name` (for 'did you mean' hints), or None: a near spelling
    (similarity `NEAR_SPELLING` or more: 'buld_intensity' -> 'build_intensity'); else a valid
    one-word name that ends `name` ('horizon_years' -> 'years', not 'spin_up_years'); else the
    closest spelling above `cutoff`; else a valid name that is one of `name`'s words. The one valid
    name that starts with all of `name` and more words comes first ('seizure_share' ->
    'seizure_share_of_capital', not the look-alike 'served_share'), unless a valid name is spelt within
    `CLEAR_SPELLING` of it or the caller asks for near misses only (a `cutoff` above the default)."""
    valid = list(valid)
    matches = _best_spellings(str(name), valid, cutoff)
    similarity = difflib.SequenceMatcher(None, str(name), matches[0]).ratio() if matches else 0.0
    starting = [v for v in valid if v.startswith(f"{name}_")]
    if len(starting) == 1 and cutoff <= DEFAULT_CUTOFF and similarity < CLEAR_SPELLING:  # (near misses only: not)
        return starting[0]  # the name cut short at a word: 'seizure_share' -> 'seizure_share_of_capital'
    if similarity >= NEAR_SPELLING:
        return matches[0]
    parts = str(name).lower().replace("-", "_").split("_")
    single = [v for v in valid if "_" not in v]
    ending = [v for v in single if len(parts) > 1 and v.lower() == parts[-1]]
    if ending:
        return ending[0]
    if matches:
        return matches[0]
    within = [v for v in single if v.lower() in set(parts)]
    return within[0] if len(within) == 1 else None


#: similarity (difflib ratio) at which a name is taken for a misspelling of a valid one
NEAR_SPELLING = 0.8
#: similarity at which a misspelling wins over a valid name that begins with the name ('succession' ->
#: 'successions', not 'succession_violence'); 'seizure_share' is 0.8 from 'served_share'
CLEAR_SPELLING = 0.9


def did_you_mean(name: str, valid: Iterable[str], cutoff: float = DEFAULT_CUTOFF) -> str:
    """A ' did you mean X?' suffix, or an empty string when nothing is close (`closest`)."""
    match = closest(name, valid, cutoff)
    return f"; did you mean '{match}'?" if match else ""


def shown(value) -> str:
    """A value as a message shows it: booleans as a TOML file writes them (true, false), also
    inside lists; the rest as Python's repr (quoted strings, numbers)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(shown(item) for item in value) + "]"
    if hasattr(value, "isoformat"):  # a TOML date or time, written unquoted
        return f"{value.isoformat()} (a date or time, not in quotes)"
    return repr(value)


def shown_whole(value, minimum: float = -math.inf, maximum: float = math.inf) -> str:
    """`shown` for a message expecting a whole number from `minimum` to `maximum`: a decimal that is
    one, and in range, says how to write it ('100.0 (write 100: TOML reads 100.0 and 1e9 as decimal
    numbers)'), else the two read as a contradiction."""
    if isinstance(value, float) and value.is_integer() and minimum <= value <= maximum and abs(value) < 1e15:
        return f"{shown(value)} (write {int(value)}: TOML reads 100.0 and 1e9 as decimal numbers)"
    return shown(value)


def area_hint(name: str, areas: Iterable[str]) -> str:
    """`did_you_mean` for an area name, or, when no name is close, a few of the valid ones."""
    areas = list(areas)
    return did_you_mean(name, areas) or (f"; expected a police force area's name as the areas file spells it, "
                                         f"e.g. {', '.join(repr(a) for a in areas[:3])} ({len(areas)} in all)")


#: query options of a database URL that carry a secret (libpq's `password`, and the like)
SECRET_OPTIONS = ("password", "passwd", "pwd", "sslpassword", "secret", "token", "api_key")


def url_secrets(database) -> list[str]:
    """The query options of a parsed database URL that hold a secret (`?password=...`)."""
    return [key for key in database.query if key.lower() in SECRET_OPTIONS]


def safe_url(url: str) -> str:
    """A database URL fit to print: its password masked, before the host or as a query option
    (`?password=`), and otherwise as given (SQLAlchemy's rendering would escape a SQLite URI
    filename's colon and reorder its options)."""
    import sqlalchemy as sa

    import re

    try:
        database = sa.engine.make_url(url)
        if url_secrets(database):  # masked where they are, the options in the order given
            url = re.sub(rf"([?&](?:{'|'.join(SECRET_OPTIONS)})=)[^&#]*", r"\1***", url, flags=re.IGNORECASE)
        if database.password is None:
            return url
        return sa.engine.make_url(url).render_as_string(hide_password=True).replace("%2A%2A%2A", "***")
    except Exception:  # not a URL at all: print it as given (there is no password to find in it)
        return url


def first_line(exc: BaseException) -> str:
    """The first line of a database error (drivers add lines of background and links)."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return detail[0] if detail else exc.__class__.__name__


#: folders `output_folder` created for the command running (`remove_empty_made` takes away those left empty)
MADE_FOLDERS: list = []


def output_folder(path, option: str = "--out", make: bool = True):
    """Create the output folder before any work starts; a path that is a file is a user error.
    `make` False (a dry run) checks the same without making anything: a file in the way, a folder
    (or the nearest that exists) that cannot be written in."""
    from pathlib import Path

    folder = Path(path)
    missing = []
    whole = Path(os.path.abspath(folder))  # 'gone/../kept/out': 'kept' is not one made here
    for existing in (whole, *whole.parents):
        if existing.exists():
            if not existing.is_dir():
                raise UserError(f"{option} '{path}': '{existing}' is a file, not a folder")
            break
        if existing.is_symlink():  # a link to nothing (or a loop): no folder can be made in its place
            try:
                existing.resolve(strict=True)
                said = "is a link that cannot be followed; choose another folder"
            except RuntimeError:  # (Python 3.11's word for a loop)
                said = "is a loop of links; choose another folder"
            except OSError:
                said = f"links to {os.readlink(existing)}, which does not exist; make that folder, or choose another"
            raise UserError(f"{option} '{path}': '{existing}' {said}")
        missing.append(existing)
    _check_record(folder, path, option)
    if not make:
        if not os.access(existing, os.W_OK | os.X_OK):
            raise UserError(f"{option} '{path}': cannot write in the folder {existing} (permission denied)")
        return folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{option} '{path}': cannot create the folder ({exc.strerror})") from None
    MADE_FOLDERS.extend(missing)  # deepest first
    import tempfile

    try:  # a folder that exists but cannot be written to fails now, not after the work
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise UserError(f"{option} '{path}': cannot write in the folder ({exc.strerror})") from None
    return folder


def _check_record(folder, path, option: str) -> None:
    """The folder's record of the twin's files (`staging.WRITTEN_RECORD`), if there, must be a file:
    one that is a folder would fail the command only when it writes, after its work."""
    from twin.staging import WRITTEN_RECORD

    record = folder / WRITTEN_RECORD
    if (record.exists() or record.is_symlink()) and not record.is_file():
        raise UserError(f"{option} '{path}': {record} is not a file (the twin keeps there the list of the files "
                        f"it wrote in the folder); remove it or choose another folder")


def remove_empty_made() -> None:
    """Take away the folders this command created and left empty (it stopped before writing in
    them: a user error found after the folder was checked), deepest first; a folder with anything
    in it stays."""
    for folder in sorted(set(MADE_FOLDERS), key=lambda f: len(f.parts), reverse=True):  # absolute paths
        try:
            folder.rmdir()  # only an empty folder
        except OSError:
            pass
    MADE_FOLDERS.clear()


#: Ctrl-Cs whose handler raised inside a callback from C (ctypes: numba's compiler and its cache), where
#: Python can only print the KeyboardInterrupt and carry on: noted, and raised again at the next check
_SWALLOWED_INTERRUPTS: list[bool] = []


def note_unraisable_interrupt(unraisable) -> None:
    """`sys.unraisablehook` for the `twin` command: a KeyboardInterrupt raised in a callback is noted
    for `raise_swallowed_interrupt` rather than printed as a traceback (the command had stopped
    listening for Ctrl-C, so it ran on); anything else is printed as Python prints it."""
    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
        _SWALLOWED_INTERRUPTS.append(True)
        return
    sys.__unraisablehook__(unraisable)


def raise_swallowed_interrupt() -> None:
    """Raise the Ctrl-C a callback swallowed (`note_unraisable_interrupt`), if any (the model's step and
    the compiling warm-up check)."""
    if _SWALLOWED_INTERRUPTS:
        _SWALLOWED_INTERRUPTS.clear()
        raise KeyboardInterrupt


def interrupt_at_root(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt is at the root of `exc`'s causes. A Ctrl-C (or the `twin`
    command's SIGTERM) whose handler raises while a compiled kernel is being called surfaces as
    numba's SystemError ("returned a result with an exception set"), nested once per kernel call
    under way, with the KeyboardInterrupt at the bottom."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def symlink_loop(exc: Exception) -> str | None:
    """A file given that is a loop of symbolic links, in one line (pathlib's `resolve` raises a
    RuntimeError for it in Python 3.11, wherever a command resolves the path), or None."""
    text = str(exc)
    if isinstance(exc, RuntimeError) and text.startswith("Symlink loop from "):
        return f"{text.removeprefix('Symlink loop from ').strip(chr(39))}: cannot be read (a loop of symbolic links)"
    return None


def environment_error(exc: Exception, db: str | None = None, out: str | None = None) -> str | None:
    """One line for a failure of the machine (disk full, no permission, database unavailable,
    damaged, locked or read-only), or None for anything else (a bug, which keeps its traceback).
    `db`, `out`: the command's --db and output folder, named in the messages about them."""
    import errno

    if isinstance(exc, MachineError):
        return str(exc)
    if isinstance(exc, OSError) and (exc.filename or exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO)):
        where = f" ({exc.filename})" if exc.filename else ""
        # the file that could not be written names the disk; without one, the places the command writes do
        folder = f" ({out})" if out and not exc.filename else ""
        database = f" ({safe_url(db)})" if db and not exc.filename else ""
        full = (f"; free space on the disk that holds the output{folder} or the database{database} (runs "
                "already stored are kept, and files half-written are not left in place)") \
            if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
        return f"{exc.strerror or exc}{where}{full}"
    if isinstance(exc, MemoryError):  # numpy's _ArrayMemoryError is one
        return (f"out of memory ({first_line(exc)}): runs already stored are kept; running the model, check for "
                f"parameters set far beyond their plausible ranges (warned about above), or use fewer --workers; "
                f"reporting on a very large experiment, a smaller --reps reports its first replicates")
    if type(exc).__module__.startswith("pandas.") and type(exc).__name__ == "DatabaseError":
        exc = exc.__cause__ or exc.__context__ or exc  # pandas' read_sql wraps the database's own error
    if type(exc).__module__.startswith("sqlalchemy."):
        import sqlalchemy.exc as db_errors

        # DatabaseError itself (not its subclasses for constraints and SQL, which are bugs): a damaged file;
        # a write refused to a PostgreSQL role (SQLSTATE 42501) is the database's, not a bug
        from twin.database_url import REFUSED_WRITE_STATES

        refused = getattr(getattr(exc, "orig", None), "sqlstate", None) in REFUSED_WRITE_STATES
        if not (isinstance(exc, (db_errors.OperationalError, db_errors.InterfaceError, db_errors.DisconnectionError))
                or type(exc) is db_errors.DatabaseError or refused):
            return None
        text, where = first_line(exc), f" ({safe_url(db)})" if db else ""
        from twin.database_url import sqlite_path

        # SQLite's write-ahead log beside the file holds stored runs too: a copy without it loses them
        log = f"{sqlite_path(db).name}-wal" if db and sqlite_path(db) is not None else None
        if "locked" in text:
            advice = ("another program holds a lock on it: the runs stored before are kept; run the same command "
                      "again when it is free")
        elif "malformed" in text or "not a database" in text:
            advice = ("the database file is damaged: give another --db (the runs stored in this one cannot be read"
                      + (f"; a copy made without the file {log} that was beside it reads as damaged: copy both"
                         if log else "") + ")")
        elif "disk is full" in text or "no space left" in text.lower() or "quota" in text.lower():
            advice = ("the disk that holds it is full: the runs stored before are kept; free space there, or copy "
                      "the database to a disk with room" + (f" (with the file {log} beside it, which holds runs too)"
                                                             if log else "")
                      + " and give it with --db, and run the same command again (only the runs not stored run)")
        elif refused:
            advice = ("the database role given may not write to it: give one that may (in the URL), or another --db; "
                      "the runs stored before are kept")
        elif "readonly" in text or "read-only" in text:
            advice = ("the database cannot be written: give a writable copy with --db"
                      + (f" (copy the file {log} with it, if there)" if log else ""))
        else:
            return f"database error{where}: {text}"
        return f"database error{where}: {text}; {advice}"
    return None
