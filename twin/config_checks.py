"""Checks of the values in TOML config files, shared by the calibration, sensitivity and
validation experiment configs: each raises a one-line ScenarioError naming the file, the table
and key, what was expected and what was found, as `scenario.py` and `sweep.py` do for their own
files."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from twin.arguments import MAX_DESIGN_RUNS, MAX_REPS, MAX_SEED  # noqa: F401 (the command line's limits, for config files too)
from twin.errors import ScenarioError, closest, shown, shown_whole
from twin.scenario import TOP_LEVEL_KEYS, check_keys, nearby_file


#: a shipped file of each kind, which an error for an empty one points to
EXAMPLES = {"calibration": "calibration/baseline.toml", "sensitivity": "calibration/sensitivity.toml",
            "screening": "calibration/screening.toml", "experiment": "experiments/validation/replacement.toml"}


def check_tables(path: Path, data: dict[str, Any], tables: tuple[str, ...], lists: tuple[str, ...]) -> None:
    """The top level of a config: only these tables ([name]) and arrays of tables ([[name]]); an
    empty file is said to be one (its defaults would name files it was never meant to)."""
    if not data:
        example = f"; see {EXAMPLES[tables[0]]}" if tables[0] in EXAMPLES else ""
        article = "an" if tables[0][0] in "aeiou" else "a"
        raise ScenarioError(f"{path}: the file is empty (expected {article} [{tables[0]}] table"
                            f"{''.join(f' and [[{name}]] entries' for name in lists)}{example})")
    check_keys(path, "", data, tables + lists)
    for key in tables:
        if key in data and not isinstance(data[key], dict):
            raise ScenarioError(f"{path}: '{key}' must be a table ([{key}], with single brackets)")
    for key in lists:
        value = data.get(key, [])
        if not (isinstance(value, list) and all(isinstance(entry, dict) for entry in value)):
            raise ScenarioError(f"{path}: '{key}' must be an array of tables ([[{key}]], with double brackets)")


def _where(path: Path, table: str, key: str) -> str:
    return f"{path}: [{table}] {key}"


def check_whole_number(path: Path, table: str, key: str, value: Any, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or (maximum is not None
                                                                                    and value > maximum):
        expected = f"a whole number >= {minimum}" if maximum is None else f"a whole number from {minimum} to {maximum}"
        got = shown_whole(value, minimum, maximum if maximum is not None else math.inf)
        raise ScenarioError(f"{_where(path, table, key)}: expected {expected}, got {got}")
    return value


def check_seed(path: Path, table: str, value: Any) -> int:
    return check_whole_number(path, table, "seed", value, 0, MAX_SEED)


def with_seed(data: dict, table: str, seed: int | None) -> dict:
    """A config file's contents with its `[table]`'s seed replaced by `seed` (a command's `--seed`; None: as
    written). The file's other settings, and every check of them, are unchanged."""
    if seed is None or not data or not isinstance(data.get(table, {}), dict):  # (an empty file, or a table that
        return data  # is not one, is refused by the file's own checks)
    return {**data, table: {**data.get(table, {}), "seed": seed}}


def check_number(path: Path, table: str, key: str, value: Any, minimum: float = -math.inf) -> float:
    """A finite number >= minimum."""
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or value < minimum):
        at_least = "" if minimum == -math.inf else f" >= {minimum:g}"
        raise ScenarioError(f"{_where(path, table, key)}: expected a number{at_least}, got {shown(value)}")
    return float(value)


def check_years(path: Path, table: str, value: Any) -> float:
    """A horizon in years, as a scenario's: above 0 and at most 100."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 100:
        raise ScenarioError(f"{_where(path, table, 'years')}: expected a number of years above 0 and at most 100, "
                            f"got {shown(value)}")
    return float(value)


def check_string(path: Path, table: str, key: str, value: Any, what: str = "a string") -> str:
    if not isinstance(value, str) or not value:
        raise ScenarioError(f"{_where(path, table, key)}: expected {what}, got {shown(value)}")
    return value


#: the longest name of a scenario or sweep: it names a results folder, and file systems allow 255 bytes
MAX_NAME_BYTES = 200


def check_name(path: Path, table: str, value: Any) -> str:
    """A name that also names a results folder: a string, without path separators, short enough
    for a folder's name (`MAX_NAME_BYTES`)."""
    check_string(path, table, "name", value, "a name in quotes")
    if len(value.encode("utf-8")) > MAX_NAME_BYTES:
        raise ScenarioError(f"{_where(path, table, 'name')}: expected a name of at most {MAX_NAME_BYTES} bytes (it "
                            f"names the results folder), got one of {len(value.encode('utf-8'))}")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):  # a line break or tab would be part of a folder's name
        raise ScenarioError(f"{_where(path, table, 'name')}: expected a name on one line, without control "
                            f"characters such as a line break or tab (it names the results folder), got {shown(value)}")
    if "/" in value or "\\" in value or value.strip(". ") == "":
        raise ScenarioError(f"{_where(path, table, 'name')}: expected a name that is not only dots and spaces, "
                            f"without '/' or '\\' (it names the results folder), got {shown(value)}")
    from twin.csv_input import formula_like

    if formula_like(value):
        raise ScenarioError(f"{_where(path, table, 'name')}: {formula_like(value)}")
    return value


#: the longest title a scenario may have: reports write it in sentences, tables and chart legends
MAX_TITLE_CHARS = 40


def check_title(path: Path, value: str) -> str:
    """A scenario's title, as reports give it: words on one line, at most `MAX_TITLE_CHARS` long, not
    read as a spreadsheet formula; spaces at its ends dropped."""
    title = " ".join(value.split())
    if not title or len(title) > MAX_TITLE_CHARS or set(title) & set(",`"):
        raise ScenarioError(f"{_where(path, 'scenario', 'title')}: expected a short name for reports, 1 to "
                            f"{MAX_TITLE_CHARS} characters without commas (reports list titles with them) or "
                            f"backticks, such as \"Clear-Hold-Build\", got {shown(value)}")
    from twin.csv_input import formula_like

    if formula_like(title):
        raise ScenarioError(f"{_where(path, 'scenario', 'title')}: {formula_like(title)}")
    return title


#: the top-level keys of the files a config names (a misspelt name is pointed to a file of its kind only)
KIND_KEYS = {"scenario file": TOP_LEVEL_KEYS, "targets file": ("target",)}


def _as_said(path: Path) -> Path:
    """`path` without '..', as the messages that name it and the records of a run say it: resolved (a
    link followed as the system follows it), as the files a sweep names are."""
    try:
        return path.resolve()
    except OSError:  # (a loop of links: the error comes when it is opened)
        return path


def check_input_file(path: Path, table: str, key: str, value: Any, what: str) -> Path:
    """A file named by a config, relative to the config's folder; it must exist."""
    check_string(path, table, key, value, f"the name of a {what} in quotes")
    found = _as_said(path.parent / value)  # 'scenarios/x.toml', not 'calibration/../scenarios/x.toml'
    if not found.is_file():
        problem = "is a folder, not a file" if found.is_dir() else "not found"
        raise ScenarioError(f"{_where(path, table, key)}: {what} '{value}' {problem} (looked for {found.resolve()}; "
                            f"paths are relative to the config file's folder)"
                            f"{nearby_file(found, path.parent, path, value, KIND_KEYS.get(what))}")
    return found


def check_horizon(path: Path, table: str, scenario, value: float) -> None:
    """The horizon holds at least one of the scenario's steps."""
    from dataclasses import replace

    try:
        replace(scenario, years=value).n_steps  # noqa: B018 (raises when shorter than one step)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: [{table}] {str(exc).split(': ', 1)[-1].replace(' (or --years)', '')}") from None


def check_parameter_entries(path: Path, entries: list[dict], valid: tuple[str, ...]) -> None:
    """[[parameter]] entries: a name each (a string), only `valid` keys, no name twice."""
    seen: dict[str, int] = {}
    for position, entry in enumerate(entries, start=1):
        label = f"[[parameter]] #{position}"
        if "name" not in entry:
            typo = next((key for key in entry if key not in valid and closest(key, ["name"])), None)
            hint = f" (found '{typo}': did you mean 'name'?)" if typo else " (the parameter to vary, see `twin params`)"
            raise ScenarioError(f"{path}: {label}: missing key 'name'{hint}")
        check_keys(path, label, entry, valid)
        name = entry["name"]
        if not isinstance(name, str):
            raise ScenarioError(f"{path}: {label} name: expected a parameter name in quotes, got {shown(name)}")
        if name in seen:
            raise ScenarioError(f"{path}: {label}: parameter '{name}' listed twice (also [[parameter]] #{seen[name]}); "
                                f"list each parameter once")
        seen[name] = position


def check_design_size(path: Path, runs: int, how: str) -> None:
    """A design of more than `MAX_DESIGN_RUNS` runs is refused before any point is planned; `how`
    says how the count comes about (e.g. "3**12 points x 2 policies x 4 reps")."""
    if runs > MAX_DESIGN_RUNS:
        raise ScenarioError(f"{path}: the design has {how} = {runs:,} runs, more than the {MAX_DESIGN_RUNS:,} one "
                            f"command may plan; use fewer levels, samples or replications, or split it into experiments")


def database_register(path: Path, url: str, table: Any) -> str:
    """A scenario's `register` given as a database's URL: with its `register_table`, without a
    password (a scenario file is shared and its settings are stored with the results: PostgreSQL
    reads it from PGPASSWORD or ~/.pgpass), a SQLite file's relative path taken from the
    scenario's folder, as the scenario's other files are. Returns the URL to read."""
    import sqlalchemy as sa

    where = f"{path}: [scenario] register"
    try:
        database = sa.engine.make_url(url)
    except Exception:  # noqa: BLE001 (SQLAlchemy's parse errors have no common class)
        raise ScenarioError(f"{where}: expected a CSV file or a database URL such as sqlite:///ocgs.db or "
                            f"postgresql://user@host/db, got {shown(url)}") from None
    from twin.errors import url_secrets

    if database.password is not None or url_secrets(database):
        raise ScenarioError(f"{where}: the URL holds a password; leave it out (PostgreSQL reads it from the "
                            f"PGPASSWORD variable or ~/.pgpass): a scenario's settings are stored with its results")
    if not isinstance(table, str) or not table.strip():
        raise ScenarioError(f"{where}: a database URL needs the table's name beside it: register_table = "
                            f"\"ocgs\" (one row per OCG, the columns of `twin register`'s template)")
    if (database.get_backend_name() == "sqlite" and database.database not in (None, "", ":memory:")
            and not database.database.startswith("file:") and not Path(database.database).is_absolute()):
        database = database.set(database=str((path.parent / database.database).resolve()))
    return database.render_as_string(hide_password=False)
