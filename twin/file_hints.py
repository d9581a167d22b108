"""Hints for a file named wrongly: a missing file's close namesake in its folder, a scenario given
by its bare name, and a folder given where a TOML file was expected (`scenario.read_toml`)."""

from __future__ import annotations

import glob
import os
import tomllib
from pathlib import Path

from twin.errors import NEAR_SPELLING, closest


def nearby_file(path: Path, relative_to: Path | None = None, besides: Path | None = None,
                written: str | None = None, top_keys: tuple[str, ...] | None = None) -> str:
    """"; did you mean 'x.toml'?" for a missing file with a close namesake in its folder (named as
    the user would write it: relative to `relative_to`, or with the folder they gave, as when what
    they wrote (`written`) is an absolute path), never `besides` (the file that names it: a scenario is not
    its own base), nor, with `top_keys`, a TOML file of another kind (a sweep's for a scenario)."""
    path = Path(path)
    if written is not None and Path(written).is_absolute():
        relative_to = None
    if not path.parent.is_dir():
        return ""
    siblings = [p for p in path.parent.glob(f"*{path.suffix}") if p.is_file()
                and (besides is None or p.resolve() != Path(besides).resolve())
                and (top_keys is None or holds_only(p, top_keys))]
    # names compared without their folder and suffix, which all share: '/tmp/nonexist.toml' is not
    # close to '/tmp/idtry.toml'; near misspellings only ('baselin' is not 'badsection', 'none' not 'nostep')
    match = closest(path.stem, [p.stem for p in siblings], cutoff=NEAR_SPELLING)
    if match is not None:
        found = next(p for p in siblings if p.stem == match)
    else:  # the same name with its suffix mistyped ('baseline.tml', 'register.cvs')
        others = [p for p in path.parent.glob(f"{glob.escape(path.stem)}.*") if p.is_file() and p.suffix != path.suffix
                  and (besides is None or p.resolve() != Path(besides).resolve())
                  and (top_keys is None or p.suffix != ".toml" or holds_only(p, top_keys))]
        suffix = closest(path.suffix, [p.suffix for p in others], cutoff=0.6) if path.suffix else None
        if suffix is None:
            return ""
        found = next(p for p in others if p.suffix == suffix)
    shown = os.path.relpath(found, relative_to) if relative_to is not None else path.parent / found.name
    return f"; did you mean '{shown}'?"


def as_file(path: Path) -> str:
    """"; did you mean 'scenarios/baseline.toml'?" for a scenario given by its bare name ('baseline'),
    as reports and --baseline name them: the file of that name here or in the scenarios folder; for
    a .toml file given without its folder ('baseline.toml'), the file of that name, or of a name
    spelt nearly so, in the scenarios folder."""
    if path.suffix:
        folder = Path("scenarios")
        if path.suffix.lower() != ".toml" or path.is_absolute() or path.parent == folder or not folder.is_dir():
            return ""
        if (folder / path.name).is_file():
            return f"; did you mean '{folder / path.name}'?"
        return nearby_file(folder / path.name)
    for candidate in (path.with_suffix(".toml"), Path("scenarios") / f"{path.name}.toml"):
        if candidate.is_file():
            return f"; did you mean '{candidate}'?"
    return ""


def _top_tables(path: Path) -> set[str] | None:
    """A TOML file's top-level keys (None when it cannot be read as TOML)."""
    try:
        return set(tomllib.loads(path.read_text(encoding="utf-8-sig")))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def holds_only(path: Path, top_keys: tuple[str, ...]) -> bool:
    """A TOML file whose top-level keys are all among `top_keys` (one that cannot be read: not)."""
    tables = _top_tables(path)
    return tables is not None and tables <= set(top_keys)


#: the top-level tables that mark a TOML file of each kind a command reads (`folder_hint`)
KIND_TABLES = {"scenario file": ("scenario", "levers", "parameters"), "targets file": ("target",),
               "calibration config": ("calibration",), "sensitivity config": ("sensitivity",),
               "screening config": ("screening",), "experiment file": ("experiment", "uncertainty", "outcome")}


def folder_hint(path: Path, what: str) -> str:
    """'a scenario file (a .toml file), such as ...': what a folder given as a `what` should have been,
    with up to three of the TOML files in it of that kind (by their top-level tables; none of the
    kind: none named)."""
    found = sorted(Path(path).glob("*.toml"))
    if what in KIND_TABLES:
        found = [f for f in found if (_top_tables(f) or set()) & set(KIND_TABLES[what])]
    found = found[:3]
    such = f", such as {', '.join(repr(str(f)) for f in found)}" if found else ""
    return f"{'an' if what[:1] in 'aeiou' else 'a'} {what} (a .toml file){such}"
