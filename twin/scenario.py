"""Scenario files: TOML that sets the horizon, step, start date, parameters and levers of a run.

    [scenario]
    name = "clear_hold"
    title = "Clear-Hold"          # optional: the name reports give it (not inherited from a base)
    description = "..."
    base = "baseline.toml"        # optional: start from another scenario (path relative to this file)
    years = 10
    step = "month"                # or "week"
    start_date = "2025-04-01"
    spin_up_years = 8             # years run before the first reported one (levers off, nothing recorded)
    areas_file = "my_areas.csv"   # optional: replace the geography
    register = "my_register.csv"  # optional: start from this OCG register (or a database's URL, with
    register_table = "ocgs"       #   the table's name: "sqlite:///ocgs.db" is next to this file)
    complete_register = true      # optional: fill the areas the register leaves out with synthetic groups
    scale_national_quantities = true  # optional: scale the UK's counts, budgets and places to the areas' people

    [parameters]                  # overrides by name (see `twin params`)
    soc_budget_gbp_per_year = 1.2e9

    [[levers]]                    # interventions (see `twin levers`)
    type = "clear"
    ...

A scenario that names a base inherits everything and lists only what it changes: its
[scenario] keys and [parameters] override the base's, its [[levers]] are added to the base's
(`drop_levers` names base levers to leave out: to change one, drop it and list it again).
Every error names the file, the key, what was expected, and the closest valid key.

`scale_national_quantities` is for an areas file holding part of the UK: the parameter table's
national quantities (`geography.NATIONAL_QUANTITIES`: groups, members, drug users, offences,
county lines, enablers, the SOC budget, prison and remand places, court capacity) and the levers'
national amounts (`scenario_levers.NATIONAL_SETTING_UNITS`: yearly costs and budgets, places, cases a
month) are multiplied by the areas' share of the UK's people (`true`) or by a given factor (a
number). Their values, defaults and [parameters] alike, stay UK figures; run files keep the factor.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from twin.errors import ParameterError, ScenarioError, did_you_mean, shown
from twin.file_hints import as_file, folder_hint, nearby_file  # noqa: F401 (nearby_file: read here by others)
from twin.parameters import Parameters

TOP_LEVEL_KEYS = ("scenario", "parameters", "levers")
SCENARIO_KEYS = ("name", "title", "description", "base", "years", "step", "start_date", "spin_up_years", "areas_file",
                 "register", "register_table", "complete_register", "scale_national_quantities", "drop_levers")
STEP_LENGTHS = ("month", "week")
STEPS_PER_YEAR = {"month": 12, "week": 52}
#: Years run before the first reported year (`TwinModel`'s `spin_up_years`): enforcement flows
#: settle over about eight years from the register's picture (docs/ODD.md, section 3.1).
SPIN_UP_YEARS = 8.0
#: the longest spin-up a scenario or `twin run --spin-up-years` may ask for
MAX_SPIN_UP_YEARS = 50
#: the largest factor `scale_national_quantities` may give (ten UKs: far more would exhaust memory)
MAX_NATIONAL_SCALE = 10.0
DEFAULTS = {"years": 10, "step": "month", "start_date": "2025-04-01", "spin_up_years": SPIN_UP_YEARS}


def _copied(value: Any) -> Any:
    """`value` with its dictionaries, lists and tuples copied all the way down (what `asdict` does
    to a field that is not a dataclass); strings, numbers, dates and None are shared, being
    immutable; anything else is deep-copied."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copied(v) for v in value)
    if value is None or isinstance(value, (str, int, float, datetime.date)):
        return value
    return copy.deepcopy(value)


@dataclass
class Scenario:
    """A resolved scenario (base scenarios merged in)."""

    name: str
    path: str
    description: str = ""
    title: str = ""  # the name reports give it (its `name` when empty)
    years: float = 10
    step: str = "month"
    start_date: str = "2025-04-01"
    spin_up_years: float = SPIN_UP_YEARS
    areas_file: str | None = None
    register: str | None = None
    register_table: str | None = None  # the table of a register in a database (`register` its URL)
    complete_register: bool = False
    scale_national_quantities: bool | float = False  # as written: true (by population), a factor, or false
    national_scale: float = 1.0  # the factor it comes to (`national_scale`), set when the scenario is loaded
    parameters: dict[str, float] = field(default_factory=dict)
    levers: list[dict[str, Any]] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)  # files merged, base first

    @property
    def n_steps(self) -> int:
        steps = int(round(self.years * STEPS_PER_YEAR[self.step]))
        if steps < 1:
            raise ScenarioError(f"{self.path}: years = {self.years:g} (or --years) is shorter than one {self.step}ly "
                                f"step: runs are whole steps, so at least {0.5 / STEPS_PER_YEAR[self.step]:.3g} years, "
                                f"run as {1 / STEPS_PER_YEAR[self.step]:.3g}")
        return steps

    def build_parameters(self) -> Parameters:
        """The scenario's parameter values, each checked, then checked together (`check_consistency`)."""
        from twin.parameter_rules import check_consistency, check_population_limits

        try:
            params = Parameters(self.parameters, where=f"{self.path}: [parameters]")
        except ParameterError as exc:  # a value set in code (`dataclasses.replace`) is not the file's mistake
            try:
                read = _file_parameters(self)
            except (ScenarioError, OSError):  # a file moved since: say the error as it is
                raise exc from None
            def same(a, b):  # (nan, as a file may give it, is not equal to itself)
                return a == b or (a != a and b != b)

            unread = [name for name, value in self.parameters.items()
                      if name not in read or not same(read[name], value)]
            if not any(f"'{name}'" in str(exc) for name in unread):  # the files' own mistake: name the file
                quoted = re.match(r"[^']*'([^']+)'", str(exc).split("[parameters]", 1)[-1])  # the one it is about
                named = quoted.group(1) if quoted and quoted.group(1) in read else None
                where = file_setting(self, named, "parameters") if named else self.path
                raise ParameterError(str(exc).replace(f"{self.path}: [parameters]", f"{where}: [parameters]", 1)) \
                    from None
            raise ParameterError(str(exc).replace(f"{self.path}: [parameters]", f"scenario {self.name!r} (read from "
                                                  f"{self.path}): its parameters as set in code", 1)) from None
        check_consistency(params, f"{self.path}: [parameters]")
        if self.national_scale != 1.0:
            from twin.geography import NATIONAL_QUANTITIES

            params.scale_national(NATIONAL_QUANTITIES, self.national_scale)
            try:  # the file that sets the key is looked for only when there is something to say
                check_population_limits(params, "")
            except ParameterError as exc:
                raise ParameterError(f"{file_setting(self, 'scale_national_quantities')}: [scenario] "
                                     f"scale_national_quantities = {self.national_scale:.3g} (of the UK's){exc}") from None
            if params.ocgs_known_uk < 1:
                raise ParameterError(f"{file_setting(self, 'scale_national_quantities')}: [scenario] "
                                     f"scale_national_quantities = {self.national_scale:.3g} leaves no known group "
                                     f"(ocgs_known_uk = {params.uk_value('ocgs_known_uk'):g} in the UK); expected a "
                                     f"factor of at least {0.5 / params.uk_value('ocgs_known_uk'):.2g}")
        return params

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dictionary, containers copied (as `dataclasses.asdict` gives it, about
        eight times faster: a sweep of 48,000 points builds two for each)."""
        return {f.name: _copied(getattr(self, f.name)) for f in fields(self)}

    def spec_hash(self) -> str:
        """Hash of everything that determines the run: not the paths the scenario was read from (the
        same file named from another folder is the same scenario), and the files it reads by where
        they are, not by how the path to them was written, and by what they hold (a register
        edited between two commands is another scenario, a file's or a database table's)."""
        spec = {k: v for k, v in self.to_dict().items()
                if k not in ("path", "chain", "description", "title", "scale_national_quantities")}
        if isinstance(spec["years"], float) and spec["years"].is_integer():  # 10.0 (--years 10) is the file's 10
            spec["years"] = int(spec["years"])
        if spec["national_scale"] == 1.0:  # as before the key existed: unscaled runs keep their stored results
            del spec["national_scale"]
        spec["levers"] = [{k: v for k, v in lever.items() if not k.startswith("_") or k == "_assumed"}
                          for lever in spec["levers"]]  # where it was written is not what it is
        if spec["register_table"]:  # a table is known by what it holds, as a file is
            from twin.register_sources import table_digest

            spec["register_sha256"] = table_digest(spec["register"], spec["register_table"])
        else:
            del spec["register_table"]  # (as before the key existed: stored results keep their keys)
        for key in ("areas_file", "register"):
            if spec[key] and "://" not in spec[key]:
                spec[key] = str(Path(spec[key]).resolve())
                if Path(spec[key]).is_file():
                    spec[f"{key}_sha256"] = hashlib.sha256(Path(spec[key]).read_bytes()).hexdigest()
        return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:16]


def read_toml(path: Path, what: str = "scenario file") -> dict[str, Any]:
    """Parse a TOML input file; a missing or malformed file is a one-line user error."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: a byte-order mark ("UTF-8 with BOM") is dropped
    except FileNotFoundError:
        hint = nearby_file(path) or (as_file(path) if what == "scenario file" else "")
        raise ScenarioError(f"{path}: {what} not found{hint}") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder; expected {folder_hint(path, what)}") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {exc.start}); save the {what} as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise ScenarioError(f"{path}: arrays or tables nested too deeply to read (hundreds within one another); "
                            f"expected a {what} a few levels deep") from None
    _check_values(path, data)
    return data


#: the largest whole number a TOML file may give: what numpy's integers hold (TOML's own are unbounded)
LARGEST_WHOLE = 2**63 - 1


def _check_values(path: Path, data: dict) -> None:
    """Values no check downstream would expect, refused where the file gives them: a whole number
    beyond `LARGEST_WHOLE` (the numeric checks' numpy cannot take it), and a NUL character in a
    key or text (no file name or name holds one). Walked without recursion, however deep the file."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if "\0" in key:
                    raise ScenarioError(f"{path}: {where or 'the top level'}: a key with a NUL character in it")
                stack.append((f"{where}.{key}" if where else key, item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{k}]", item) for k, item in enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > LARGEST_WHOLE:
            raise ScenarioError(f"{path}: {where} = {value}: a whole number larger than any this tool takes "
                                f"(at most {LARGEST_WHOLE:,}); write a number within the setting's range")
        elif isinstance(value, str) and "\0" in value:
            raise ScenarioError(f"{path}: {where}: text with a NUL character in it (expected plain text)")


#: the top-level table that marks each kind of TOML file, and the command that reads it
CONFIG_KINDS = {"scenario": ("a scenario", "`twin run` or `twin compare`"),
                "levers": ("a scenario", "`twin run` or `twin compare`"),
                "calibration": ("a calibration config", "`twin calibrate`"),
                "sensitivity": ("a sensitivity config", "`twin sensitivity`"),
                "screening": ("a screening config", "`twin screen`"),
                "experiment": ("an experiment", "`twin sweep` (or `twin validate`, for a validation experiment)"),
                "uncertainty": ("a sweep's experiment", "`twin sweep`"),
                "sampler": ("a sweep's experiment", "`twin sweep`"),
                "outcome": ("a sweep's experiment", "`twin sweep`"),
                "target": ("a targets file", "`--targets`")}


def check_keys(path: Path, table: str, data: dict[str, Any], valid: tuple[str, ...]) -> None:
    """Reject keys of a TOML table that are not in `valid`, naming the closest valid one.

    `table` is a table's name, a label already in brackets (an entry of an array of tables,
    "[[lever]] #2"), or empty for the top level."""
    for key in data:
        if key not in valid:
            where = table if table.startswith("[") else f"[{table}]" if table else "top level"
            # another command's file given to this one; not a misspelt table of a file with this one's own tables
            # ('levers' for a sweep's 'lever' is a scenario's table, but the file is plainly an experiment)
            typo = did_you_mean(key, valid) if any(other in valid for other in data) else ""
            kind = CONFIG_KINDS.get(key) if not table and not typo else None
            raise ScenarioError(f"{path}: {where}: unknown key '{key}'{did_you_mean(key, valid)} "
                                f"(expected one of: {', '.join(valid)})"
                                + (f"; the file looks like {kind[0]}, which {kind[1]} reads" if kind else ""))


def _validate_scenario_table(path: Path, table: dict[str, Any]) -> dict[str, Any]:
    from twin.parameter_table import PARAMETER_TABLE

    for key in table:  # a parameter put in [scenario]: said where it goes
        if key not in SCENARIO_KEYS and any(row.name == key for row in PARAMETER_TABLE):
            raise ScenarioError(f"{path}: [scenario]: '{key}' is a parameter (`twin params`); set it under "
                                f"[parameters], not [scenario]")
    check_keys(path, "scenario", table, SCENARIO_KEYS)
    out = dict(table)
    for key in ("name", "title", "description", "base", "areas_file", "register", "register_table"):
        if key in out and not isinstance(out[key], str):
            raise ScenarioError(f"{path}: [scenario] {key}: expected a string, got {shown(out[key])}")
    dropped = out.get("drop_levers", [])
    if not isinstance(dropped, list) or not all(isinstance(name, str) for name in dropped):
        raise ScenarioError(f"{path}: [scenario] drop_levers: expected a list of the base's lever names, such as "
                            f"[\"oversight\"], got {shown(dropped)}")
    if "complete_register" in out and not isinstance(out["complete_register"], bool):
        raise ScenarioError(f"{path}: [scenario] complete_register: expected true or false, got {shown(out['complete_register'])}")
    if "scale_national_quantities" in out:
        value = out["scale_national_quantities"]
        if not isinstance(value, bool) and not (isinstance(value, (int, float)) and 0 < value <= MAX_NATIONAL_SCALE):
            raise ScenarioError(f"{path}: [scenario] scale_national_quantities: expected true (scale the UK's national "
                                f"quantities to the areas file's people), false, or a factor above 0 and at most "
                                f"{MAX_NATIONAL_SCALE:g}, got {shown(value)}")
    if "name" in out:
        from twin.config_checks import check_name  # imports this module

        check_name(path, "scenario", out["name"])  # it names the default output folder
    if "title" in out:
        from twin.config_checks import check_title  # imports this module

        out["title"] = check_title(path, out["title"])
    if "years" in out:
        from twin.config_checks import check_years  # imports this module

        check_years(path, "scenario", out["years"])  # validated only: the scenario keeps the value as written
    if "spin_up_years" in out:
        value = out["spin_up_years"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_SPIN_UP_YEARS:
            raise ScenarioError(f"{path}: [scenario] spin_up_years: expected a number of years from 0 to "
                                f"{MAX_SPIN_UP_YEARS} (0 starts the reported years from the register as given), "
                                f"got {shown(value)}")
        out["spin_up_years"] = float(value)
    if "step" in out and out["step"] not in STEP_LENGTHS:
        raise ScenarioError(f"{path}: [scenario] step: expected one of {', '.join(STEP_LENGTHS)}, "
                            f"got {shown(out['step'])}{did_you_mean(str(out['step']), STEP_LENGTHS)}")
    if "start_date" in out:
        value = out["start_date"]
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            out["start_date"] = value.isoformat()
        else:
            try:
                out["start_date"] = datetime.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise ScenarioError(f"{path}: [scenario] start_date: expected a date YYYY-MM-DD, got {shown(value)}") from None
    return out


#: most scenario files in one chain of bases (a chain thousands long ran out of Python's stack)
MAX_BASE_DEPTH = 50


def _load_raw(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], dict[str, Any], list[dict], list[str]]:
    resolved = path.resolve()
    if resolved in seen:
        cycle = " -> ".join(str(p) for p in (*seen, resolved))
        raise ScenarioError(f"{path}: [scenario] base: scenarios inherit from each other in a cycle ({cycle})")
    if len(seen) >= MAX_BASE_DEPTH:
        raise ScenarioError(f"{seen[0]}: [scenario] base: a chain of more than {MAX_BASE_DEPTH} scenario files, each "
                            f"the base of the one before (at {path}); expected at most {MAX_BASE_DEPTH}")
    data = read_toml(path)
    if not data:
        raise ScenarioError(f"{path}: the file is empty (a scenario has at least one table, [scenario] or "
                            f"[parameters]; see scenarios/baseline.toml)")
    check_keys(path, "", data, TOP_LEVEL_KEYS)
    table = data.get("scenario", {})
    if not isinstance(table, dict):
        raise ScenarioError(f"{path}: 'scenario' must be a table ([scenario])")
    table = _validate_scenario_table(path, table)
    parameters = data.get("parameters", {})
    if not isinstance(parameters, dict):
        raise ScenarioError(f"{path}: 'parameters' must be a table ([parameters])")
    levers = data.get("levers", [])
    if not isinstance(levers, list) or not all(isinstance(item, dict) for item in levers):
        raise ScenarioError(f"{path}: 'levers' must be an array of tables ([[levers]])")
    levers = [dict(item, _file=str(path), _position=position) for position, item in enumerate(levers, start=1)]
    for position, lever in enumerate(levers, start=1):
        groups = lever.get("groups")
        if isinstance(groups, dict) and isinstance(groups.get("ocg_ids"), str):  # a file of ids: read it here
            from twin.group_selection import read_ocg_ids

            kind = f" ({lever['type']})" if isinstance(lever.get("type"), str) else ""
            where = f"{path}: [[levers]] #{position}{kind}: groups.ocg_ids"
            lever["groups"] = dict(groups, ocg_ids=read_ocg_ids(path.parent / groups["ocg_ids"], groups["ocg_ids"], where))
    for key in ("areas_file", "register"):
        if key in table:
            if "://" in table[key] and key == "register":
                from twin.config_checks import database_register  # imports this module

                table[key] = database_register(path, table[key], table.get("register_table"))
                continue
            if "://" in table[key]:
                raise ScenarioError(f"{path}: [scenario] {key}: expected a CSV file next to the scenario, got a URL")
            file = path.parent / table[key]
            if file.is_dir():
                raise ScenarioError(f"{path}: [scenario] {key}: '{table[key]}' is a folder; expected a CSV file "
                                    f"({'of areas' if key == 'areas_file' else 'of OCGs'}) in it")
            if not file.is_file():
                raise ScenarioError(f"{path}: [scenario] {key}: file '{table[key]}' not found next to this scenario"
                                    f"{nearby_file(file, path.parent, written=table[key])} (the path is relative to "
                                    f"the scenario's own folder, {path.parent.resolve()})")
            table[key] = str(file)
    if "base" in table:
        if not str(table["base"]).strip():
            raise ScenarioError(f"{path}: [scenario] base: empty; expected the scenario file this one changes, such "
                                f"as base = \"baseline.toml\" (or no base key)")
        base_path = path.parent / table["base"]
        if not base_path.exists():
            raise ScenarioError(f"{path}: [scenario] base: file '{table['base']}' not found next to this scenario"
                                f"{nearby_file(base_path, path.parent, path, table['base'], TOP_LEVEL_KEYS)} "
                                f"(the path is "
                                f"relative to the scenario's own folder, {path.parent.resolve()})")
        if base_path.is_dir():
            raise ScenarioError(f"{path}: [scenario] base: '{table['base']}' is a folder; expected a scenario file "
                                f"(.toml) in it, such as '{Path(table['base']) / 'baseline.toml'}'")
        base_table, base_parameters, base_levers, chain = _load_raw(base_path, (*seen, resolved))
        base_levers = _without_dropped(path, table.pop("drop_levers", []), base_levers, table["base"])
        merged_table = {k: v for k, v in base_table.items() if k not in ("name", "title", "description", "base")
                        and not (k == "register_table" and "register" in table)}  # another register, its own table
        merged_table.update(table)
        return merged_table, {**base_parameters, **parameters}, base_levers + levers, chain + [str(path)]
    if "drop_levers" in table:
        raise ScenarioError(f"{path}: [scenario] drop_levers: names levers of a base scenario to leave out, and this "
                            f"scenario has no base")
    return table, dict(parameters), levers, [str(path)]


def lever_entry_name(entry: dict) -> str:
    """A [[levers]] entry's name: its `name`, else its type (a clear_hold_build's phases add suffixes)."""
    return str(entry.get("name", entry.get("type")))


def _without_dropped(path: Path, dropped: list[str], base_levers: list[dict], base: str) -> list[dict]:
    """The base's levers without those `drop_levers` names (each must name one of them)."""
    names = [lever_entry_name(entry) for entry in base_levers]
    for name in dropped:
        if name not in names:
            raise ScenarioError(f"{path}: [scenario] drop_levers: '{name}' is not a lever of the base '{base}'"
                                f"{did_you_mean(name, names)} (its levers: {', '.join(names) or 'none'})")
        if names.count(name) > 1:  # a clear_hold_build 'x' (phases x_clear...) beside another lever 'x'
            held = [f"{entry.get('_file')}: [[levers]] #{entry.get('_position')} ({entry.get('type')})"
                    for entry, other in zip(base_levers, names) if other == name]
            raise ScenarioError(f"{path}: [scenario] drop_levers: '{name}' names {len(held)} of the base's levers "
                                f"({'; '.join(held)}); give them names of their own in the base to drop one")
    return [entry for entry, name in zip(base_levers, names) if name not in dropped]


def load_scenario(path: str | Path) -> Scenario:
    """Load, merge and validate a scenario file (parameters and levers included)."""
    path = Path(path)
    table, parameters, levers, chain = _load_raw(path, ())
    values = {**DEFAULTS, **{k: v for k, v in table.items() if k != "base"}}
    if "name" not in values:  # named after its file
        from twin.csv_input import formula_like

        from twin.config_checks import MAX_NAME_BYTES

        if formula_like(path.stem):
            raise ScenarioError(f"{path}: the scenario is named after its file: give it a [scenario] name, "
                                f"{formula_like(path.stem)}")
        if len(path.stem.encode("utf-8")) > MAX_NAME_BYTES:
            raise ScenarioError(f"{path}: the scenario is named after its file, whose name is "
                                f"{len(path.stem.encode('utf-8'))} bytes long: give it a [scenario] name of at most "
                                f"{MAX_NAME_BYTES} bytes (it names results folders)")
    if values.get("register_table") and "://" not in (values.get("register") or ""):
        raise ScenarioError(f"{path}: [scenario] register_table: names a table of a register in a database, but the "
                            f"scenario's register is {'a file' if values.get('register') else 'not given'}; set "
                            f"register to the database's URL, or leave register_table out")
    scenario = Scenario(name=values.pop("name", path.stem), path=str(path), parameters=parameters,
                        levers=levers, chain=chain, **values)
    scenario.national_scale = national_scale(scenario.scale_national_quantities, scenario.areas_file)
    if scenario.national_scale > MAX_NATIONAL_SCALE:  # `true` on an areas file of more than ten UKs
        raise ScenarioError(f"{file_setting(scenario, 'scale_national_quantities')}: [scenario] "
                            f"scale_national_quantities = true scales by {scenario.national_scale:.3g}, the people of "
                            f"{scenario.areas_file} over the UK's; expected at most {MAX_NATIONAL_SCALE:g} (check its "
                            f"population_thousands)")
    try:
        scenario.build_parameters()
    except ParameterError as exc:
        raise ScenarioError(str(exc)) from None
    from twin.scenario_levers import build_levers

    build_levers(scenario)  # validates every lever now, before any run starts
    return scenario


def national_scale(setting: bool | float, areas_file: str | None) -> float:
    """The factor `scale_national_quantities` comes to: the areas file's people over the UK's for
    `true` (1 for the built-in UK areas), the number itself for a number, 1 for `false`."""
    if isinstance(setting, bool):
        if not setting or areas_file is None:
            return 1.0
        from twin.geography import load_geography, uk_population

        return float(load_geography(areas_file).population.sum()) / uk_population()
    return float(setting)


#: a factor more than this many times the areas' share of the UK's people (or less than its
#: inverse) gives them a different country's crime per head: worth a remark
SCALE_PER_HEAD_REMARK = 1.5


def national_scale_warnings(scenario: Scenario) -> list[str]:
    """A numeric `scale_national_quantities` far from the areas' share of the UK's people: the areas
    get more or less crime, budget and places per head than the UK, while the per-area settings stay
    per area (at 0.01 of the UK on its own 45 areas, a run holds about five times the groups and 1.5
    times the harm per head the factor suggests)."""
    if isinstance(scenario.scale_national_quantities, bool):
        return []
    share = national_scale(True, scenario.areas_file)
    per_head = scenario.national_scale / share
    if 1 / SCALE_PER_HEAD_REMARK <= per_head <= SCALE_PER_HEAD_REMARK:
        return []
    return [f"{file_setting(scenario, 'scale_national_quantities')}: [scenario] scale_national_quantities = "
            f"{scenario.national_scale:g} gives the areas "
            f"{per_head:.3g} times the UK's groups, users, offences, budget and places per head ("
            + ("they are the UK's own areas" if share == 1.0 else f"they hold {share:.3g} of the UK's people")
            + "), while per-area settings (new groups' entry per vacant market, violence floors, lever settings "
            "per area) stay per area, so results will not follow the factor; true scales by the areas' share of "
            "the people"]


def _file_parameters(scenario: Scenario) -> dict[str, Any]:
    """The [parameters] the files of the scenario's chain set, as merged (a child's over its base's)."""
    values = {}
    for path in scenario.chain:
        table = read_toml(Path(path)).get("parameters", {})
        values.update(table if isinstance(table, dict) else {})
    return values


def file_setting(scenario: Scenario, key: str, table_name: str = "scenario") -> str:
    """The file of the scenario's chain that sets a key of its [scenario] (or `table_name`) table (the
    last to set it: a child overrides its base), named in remarks about the key; the scenario's own
    file if none does."""
    for path in reversed(scenario.chain):
        table = read_toml(Path(path)).get(table_name, {})
        if isinstance(table, dict) and key in table:
            return path
    return scenario.path
