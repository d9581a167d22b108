"""Finished runs kept in files while the results database would not take them (locked for minutes
by another program), and taken back by the next command on their experiment (`Store.kept_folder`).

A kept run is known by what it belongs to, not by the database's row numbers: its file is named by
its experiment's hash, its scenario's place in the experiment and its replicate, and holds the
scenario's hash too. Row numbers start again at 1 in a database made anew at the same path (or a
PostgreSQL database dropped and created again under the same URL), where they name other
experiments and scenarios; a run kept for one of those is never stored into another. A kept run is
JSON read as data only: a file planted in the folder cannot run code, and one that is not a kept run
of this experiment is left where it is, with a warning.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import functools
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

#: the name an earlier version gave a kept run: row numbers (experiment-scenario-replicate.json)
_BY_ROW_NUMBERS = re.compile(r"^\d{1,12}-\d{1,12}-\d{1,12}\.json$")


def kept_folder(url: str) -> Path:
    """Where finished runs wait when the database at `url` cannot take them: beside a SQLite file, or
    under results/ for a database server (one folder per URL)."""
    import hashlib

    from twin.database_url import sqlite_path
    from twin.errors import safe_url

    path = sqlite_path(url)
    if path is not None:
        return path.with_name(path.name + ".kept-runs")
    return Path("results") / f"kept-runs-{hashlib.sha256(safe_url(url).encode()).hexdigest()[:12]}"


def kept_message(url: str, count: int, failed: str = "") -> str:
    """Why `count` finished runs wait in files (the database locked, or its error `failed`) and what to do."""
    from twin.errors import safe_url

    why, when = ((f"failed storing a run ({failed})", "once it works again") if failed else
                 ("was locked by another program for longer than this command waited to store runs",
                  "once the other program is done, if it still holds the database"))
    folder = kept_folder(url)
    here = "" if folder.is_absolute() else " from this folder"  # (a server's: under results/ where it ran)
    return (f"the database {safe_url(url)} {why}: {count} finished run(s) are kept in {folder.resolve()} and "
            f"stored by the next command on this experiment; run the same command again{here} ({when})")


@dataclass(frozen=True)
class ExperimentKey:
    """An experiment as its kept runs name it: its hash, and each scenario's (id, hash) by place."""

    experiment_id: int
    spec_hash: str
    scenarios: tuple[tuple[int, str], ...]  # by position: (scenario id in this database, scenario hash)

    @functools.cached_property
    def _positions(self) -> dict[int, int]:
        return {sid: k for k, (sid, _) in enumerate(self.scenarios)}

    def position_of(self, scenario_id: int) -> int:
        return self._positions[scenario_id]


def _value(value):
    """JSON for the parts of a kept run that JSON has no type for: the start time and the compressed series."""
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, bytes):
        return {"bytes": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"cannot keep a {type(value).__name__}")


def kept_path(folder: Path, key: ExperimentKey, scenario_id: int, replicate: int) -> Path:
    return folder / f"{key.spec_hash}-{key.position_of(scenario_id)}-{replicate}.json"


def kept_text(key: ExperimentKey, scenario_id: int, replicate: int, seed: int, outcome: dict) -> str:
    position = key.position_of(scenario_id)
    return json.dumps([key.spec_hash, [position, key.scenarios[position][1]], replicate, seed, outcome], default=_value)


def kept_files(folder: Path, key: ExperimentKey) -> list[Path]:
    """The files of `key`'s experiment in `folder`, in order."""
    return sorted(folder.glob(f"{key.spec_hash}-*-*.json")) if folder.is_dir() else []


def earlier_versions_files(folder: Path, key: ExperimentKey) -> list[Path]:
    """Files an earlier version kept for the experiment numbered as `key`'s: named by row numbers, they
    cannot be told from another experiment's of the same number in a database made anew."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{key.experiment_id}-*-*.*")
                  if _BY_ROW_NUMBERS.match(p.name) or p.suffix == ".pickle")


def read_kept(path: Path, key: ExperimentKey) -> tuple[int, int, int, dict]:
    """A kept run of `key`'s experiment, checked for its shape and its scenario: (scenario id in this
    database, replicate, seed, outcome). ValueError, TypeError or KeyError when it is not one."""
    spec_hash, (position, scenario_hash), replicate, seed, outcome = json.loads(path.read_text(encoding="utf-8"))
    if spec_hash != key.spec_hash or not all(isinstance(v, int) for v in (position, replicate, seed)):
        raise ValueError("another experiment's run, or not a run")
    if not 0 <= position < len(key.scenarios) or key.scenarios[position][1] != scenario_hash:
        raise ValueError("its scenario is not this experiment's")
    if not isinstance(outcome, dict) or outcome.get("status") not in ("done", "failed"):
        raise ValueError("no run status")
    if isinstance(outcome.get("started_at"), dict):
        outcome["started_at"] = datetime.datetime.fromisoformat(outcome["started_at"]["datetime"])
    if isinstance(outcome.get("series"), dict):
        outcome["series"] = base64.b64decode(outcome["series"]["bytes"])
    return key.scenarios[position][0], replicate, seed, outcome


def keep_in_file(folder: Path, key: ExperimentKey, run: tuple) -> Path:
    """Keep `run` (scenario id, replicate, seed, outcome) of `key`'s experiment in a file of `folder`;
    returns its path. The folder is made again if another command storing its last run removed it
    meanwhile."""
    from twin.staging import write_whole

    path = kept_path(folder, key, run[0], run[1])
    for attempt in range(3):
        folder.mkdir(parents=True, exist_ok=True)
        try:
            write_whole(path, lambda partial: partial.write_text(kept_text(key, *run), encoding="utf-8"))
            break
        except FileNotFoundError:
            if attempt == 2:
                raise
    return path


def store_kept_files(folder: Path, key: ExperimentKey, own: list[Path], write_run, url: str) -> None:
    """Store with `write_run((scenario id, replicate, seed, outcome))` the runs of `key`'s experiment
    kept in `folder`, but this command's `own` (still waiting for the database), and remove their
    files and then the folder if empty. Several commands may do this at once (parts of a sweep
    starting together): a run another stored first, or whose file another removed, is passed over. A
    file that is not a kept run of this experiment is left where it is, with a warning, as are an
    earlier version's. A database (at `url`) that will not take them, locked or failing, stops the
    command (a `MachineError`) before it runs them again."""
    import sqlalchemy as sa

    if not folder.is_dir() or not key.spec_hash:  # (no such experiment)
        return
    if earlier_versions_files(folder, key):
        print(f"Warning: {folder}: runs kept by an earlier version of this program (named "
              f"{key.experiment_id}-...) are not read, since they cannot be told from another experiment's "
              f"(or a .pickle could run code); those runs will run again, and the files can be deleted",
              file=sys.stderr)
    waiting = [path for path in kept_files(folder, key) if path not in own]
    for done, path in enumerate(waiting):
        try:
            write_run(read_kept(path, key))
        except (sa.exc.IntegrityError, FileNotFoundError):
            pass  # stored meanwhile by another command (which may have removed the file)
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:  # locked past the waits, or gone: not the file
            from twin.errors import MachineError, first_line
            from twin.store import _contended

            failed = "" if _contended(exc) else first_line(exc)
            raise MachineError(kept_message(url, len(waiting) - done, failed) + "; nothing was run") from None
        except (ValueError, TypeError, KeyError, OSError, sa.exc.StatementError) as exc:  # in one transaction
            from twin.errors import first_line

            print(f"Warning: {path}: not a finished run this program kept for this experiment "
                  f"({type(exc).__name__}: {first_line(exc)}); left unread", file=sys.stderr)
            continue
        path.unlink(missing_ok=True)
    from twin.staging import remove_abandoned_partials

    remove_abandoned_partials(folder, "*.writing")  # a command killed while keeping a run: not a run
    with contextlib.suppress(OSError):  # not empty, or removed, by another command meanwhile
        folder.rmdir()
