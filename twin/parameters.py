"""The parameter table: every number the model uses, with its unit, plausible range and source.

`PARAMETER_TABLE` (in `parameter_table.py`) is the single list of parameters. `Parameters` is an
immutable-by-convention mapping built from it, with scenario overrides applied and validated:
unknown names are rejected with the closest valid name, values are checked against the kind of
quantity they are (a probability must lie in [0, 1], a count must be a non-negative integer).

Rates are per month. Models running with weekly steps convert them with `per_step_probability`
and `per_step_rate`, so a parameter means the same thing whatever the step length.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from twin.errors import ParameterError, did_you_mean, shown

WHOLE_KINDS = ("count", "positive_count")
KINDS = ("probability", "share", "nonnegative", "positive", "count", "positive_count", "nonpositive", "real")


@dataclass(frozen=True)
class Parameter:
    """One row of the parameter table.

    Args:
        name: identifier used in code and scenario files, with its unit in the name where it has one.
        value: default value.
        unit: unit of measure in words.
        low: low end of the plausible range (used for calibration priors and sensitivity).
        high: high end of the plausible range.
        source: where the value comes from, or "assumption: ..." with the reasoning.
        description: what the parameter does in the model.
        group: the process that uses it (for listing and documentation).
        kind: one of KINDS; decides how overrides are validated.
    """

    name: str
    value: float
    unit: str
    low: float
    high: float
    source: str
    description: str
    group: str
    kind: str = "nonnegative"

    @property
    def provenance(self) -> str:
        """Where the value comes from, in one word: "calibrated" (fitted to targets), "derived"
        (arithmetic on sourced figures), "assumption" (reasoned, with its range), "design" (a lever
        setting that is part of what the policy is, not an uncertain effect), or "sourced" (a cited
        figure)."""
        head = self.source.split(":", 1)[0].strip().lower()
        return head if head in ("calibrated", "derived", "assumption", "design") else "sourced"

    @property
    def is_assumption(self) -> bool:
        return self.provenance == "assumption"

    def check(self, value: Any, where: str) -> float:
        """Validate an override value for this parameter and return it as a number."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParameterError(
                f"{where}: parameter '{self.name}' must be a number ({self.unit}), got {shown(value)}"
            )
        if not math.isfinite(value):
            raise ParameterError(f"{where}: parameter '{self.name}' must be finite, got {shown(value)}")
        expected = {
            "probability": (0.0, 1.0, "a probability between 0 and 1"),
            "share": (0.0, 1.0, "a share between 0 and 1"),
            "nonnegative": (0.0, math.inf, "a number >= 0"),
            "positive": (1e-300, math.inf, "a number > 0"),
            "count": (0.0, math.inf, "a whole number >= 0"),
            "positive_count": (1.0, math.inf, "a whole number >= 1"),
            "nonpositive": (-math.inf, 0.0, "a number <= 0"),
            "real": (-math.inf, math.inf, "a number"),
        }[self.kind]
        low, high, words = expected
        if not (low <= value <= high) or (self.kind in WHOLE_KINDS and float(value) != int(value)):
            raise ParameterError(
                f"{where}: parameter '{self.name}' must be {words} ({self.unit}), got {shown(value)}"
            )
        return float(value)


class Parameters:
    """Parameter values by name: defaults from the table, then validated overrides.

    Attribute access (`params.soc_budget_gbp_per_year`) and item access both work, and so does setting
    an attribute (validated as an override). Unknown names raise `ParameterError` naming the closest
    valid parameter.
    """

    def __init__(self, overrides: dict[str, Any] | None = None, where: str = "parameters"):
        from twin.parameter_table import PARAMETER_TABLE

        self._table: dict[str, Parameter] = {p.name: p for p in PARAMETER_TABLE}
        self._values: dict[str, float] = {}
        for p in PARAMETER_TABLE:
            self._set(p.name, float(p.value))
        self._overridden: set[str] = set()
        #: the factor `scale_national` multiplied the national quantities by (1: the UK's)
        self.national_scale = 1.0
        self._uk_values: dict[str, float] = {}  # the scaled quantities' values before scaling
        if overrides:
            self.update(overrides, where)

    def update(self, overrides: dict[str, Any], where: str = "parameters") -> None:
        """Apply overrides after validating every name and value."""
        self._refuse_if_frozen(where)
        for name, value in overrides.items():
            if name not in self._table:
                raise ParameterError(
                    f"{where}: unknown parameter '{name}'{did_you_mean(name, self._table)}"
                    " (run 'twin params' for the list)"
                )
            self._set(name, self._table[name].check(value, where))
            self._overridden.add(name)

    def _refuse_if_frozen(self, where: str) -> None:
        """A built model's parameters (`frozen_copy`) take no change: some are read once, at set-up."""
        if self.__dict__.get("_frozen"):
            raise ParameterError(
                f"{where}: the parameters of a built model cannot change (some are read once, when it is "
                f"built, so a change would apply in part); set them before building it: "
                f"Parameters({{...}}), a scenario's [parameters], or `params.name = value` on the Parameters "
                f"object passed to TwinModel (the model keeps a copy of its own)")

    def _set(self, name: str, value: float) -> None:
        # Values are mirrored as instance attributes: the step reads parameters thousands of times,
        # and a plain attribute is found without a call to `__getattr__`.
        self._values[name] = value
        if not hasattr(type(self), name):
            self.__dict__[name] = value

    def __setattr__(self, name: str, value: Any) -> None:
        """`params.name = value` is an override, validated as `update` validates one; an unknown name is
        refused with the closest valid one (it would otherwise set an attribute the model never reads)."""
        if name == "national_scale":
            self._refuse_if_frozen("Parameters")
        if name.startswith("_") or name == "national_scale":
            object.__setattr__(self, name, value)
        else:
            self.update({name: value}, "Parameters")

    def __getattr__(self, name: str) -> float:
        values = self.__dict__.get("_values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(
            f"no parameter '{name}'{did_you_mean(name, values or {})}"
        )

    def __getitem__(self, name: str) -> float:
        try:
            return self._values[name]
        except KeyError:
            raise ParameterError(
                f"unknown parameter '{name}'{did_you_mean(name, self._values)}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def frozen_copy(self) -> "Parameters":
        """A copy that refuses changes (`update`, `params.name = value`): a built model's own.
        (`copy` gives one that takes them.)"""
        clone = self.copy()
        clone._frozen = True
        return clone

    def as_dict(self) -> dict[str, float]:
        return dict(self._values)

    @property
    def overridden(self) -> frozenset[str]:
        return frozenset(self._overridden)

    def scale_national(self, names: tuple[str, ...], factor: float) -> None:
        """Multiply the national quantities `names` (UK counts, budgets, places) by `factor`, the
        share of the UK an areas file holds (`scenario.Scenario.national_scale`); counts are
        rounded to whole numbers. Done once, after the overrides: their values are UK figures too."""
        self._refuse_if_frozen("Parameters.scale_national")
        if self._uk_values:
            raise ValueError("the national quantities are already scaled")
        self.national_scale = float(factor)
        self._uk_values = {name: self._values[name] for name in names}
        for name in names:
            value = self._values[name] * factor
            self._set(name, float(round(value)) if self._table[name].kind in WHOLE_KINDS else value)

    def uk_values(self) -> dict[str, float]:
        """Every parameter's value in UK terms (`uk_value`)."""
        return {**self._values, **self._uk_values}

    def uk_value(self, name: str) -> float:
        """A parameter's value in UK terms: a scaled national quantity's value before scaling (what
        its plausible range and per-unit rates refer to), any other parameter's value."""
        return self._uk_values[name] if name in self._uk_values else self[name]

    def spec(self, name: str) -> Parameter:
        return self._table[name]

    def __copy__(self) -> "Parameters":  # copy.copy would share the values a set attribute writes to
        return self.frozen_copy() if self.__dict__.get("_frozen") else self.copy()

    def __deepcopy__(self, memo) -> "Parameters":  # a built model's copy keeps its parameters fixed
        return self.__copy__()

    def copy(self) -> "Parameters":
        clone = type(self)()  # a subclass's copy is one too (a test's tracking of reads)
        for name, value in self._values.items():
            clone._set(name, value)
        clone._overridden = set(self._overridden)
        clone.national_scale, clone._uk_values = self.national_scale, dict(self._uk_values)
        return clone


def budget_tier_shares(params) -> np.ndarray:
    """The SOC budget's split between forces, ROCUs and the NCA, rescaled to sum to 1 (a share set
    to 0.6 moves money between the tiers; it does not add to the budget)."""
    shares = np.array([params.budget_share_forces, params.budget_share_rocu, params.budget_share_nca])
    return shares / shares.sum()
def money_slip(name: str, value: float, unit: str, default: float, low: float, high: float) -> str | None:
    """A remark on an amount of money given as if in billions or millions (`budget_gbp_per_year = 3`
    for £3bn): a value under a thousandth of the default that, read in millions or billions, would
    fall inside the plausible range `low`-`high`. Inside a range that starts at 0 it would pass
    unremarked, and act as a cut to nearly nothing."""
    if "GBP" not in unit or not 0 < abs(value) < abs(default) / 1e3:
        return None
    meant = [f"for £{value:g}{word} write {value:g}e{power}" for word, power in (("bn", 9), ("m", 6))
             if low <= value * 10 ** power <= high]
    if not meant:
        return None
    return (f"{name} = {value:g} is in pounds ({unit}), £{value:,.6g} against the default's £{default:,.0f}; "
            + ", ".join(meant))


def per_step_probability(monthly_probability: float, months_per_step: float) -> float:
    """Convert a monthly probability to the probability over one step of the given length."""
    return 1.0 - (1.0 - monthly_probability) ** months_per_step


def per_step_rate(monthly_rate: float, months_per_step: float) -> float:
    """Convert a monthly rate (events per month) to events per step."""
    return monthly_rate * months_per_step


def table_rows(group: str | None = None) -> list[Parameter]:
    """The parameter table, optionally restricted to one group."""
    from twin.parameter_table import PARAMETER_TABLE

    return [p for p in PARAMETER_TABLE if group is None or p.group == group]


def format_value(value: float) -> str:
    """'1,234', '0.035', '2.5e+20' (beyond a thousand million million digits stop helping)."""
    if abs(value) >= 1e15:
        return f"{value:.4g}"
    if value == int(value):
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def markdown_table(rows: list[Parameter] | None = None, fitted: dict[str, list[str]] | None = None) -> str:
    """The parameter table as Markdown (used by `twin params --markdown` and docs/ODD.md); `fitted`
    names the targets each parameter was set to reproduce (`targets.fitted_to`), in its provenance."""
    from twin.targets import fitted_words  # (targets reads the parameter table)

    rows = table_rows() if rows is None else rows
    fitted = fitted or {}
    lines = [
        "| name | value | unit | plausible range | provenance | source | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in rows:
        source = p.source.replace("|", "/")
        lines.append(
            f"| `{p.name}` | {format_value(p.value)} | {p.unit} | "
            f"{format_value(p.low)} to {format_value(p.high)} | {p.provenance}"
            f"{'; ' + fitted_words(p.provenance, fitted[p.name]) if p.name in fitted else ''} | {source} | "
            f"{p.description} |"
        )
    return "\n".join(lines)


def lever_setting(name: str, levers: list[dict], where: str):
    """The setting (a `Parameter`) that `lever.<lever name>.<setting>` names among `levers` (the
    [[levers]] entries of one or more scenarios), or None for a timing key that may vary
    (start_year, intensity). Every lever of that name must have the setting."""
    from twin.interventions import COMMON_KEYS, LEVER_TYPES

    parts = name.split(".")
    found = None
    for lever in (l for l in levers if l.get("name", l.get("type")) == parts[1]):  # each scenario's
        kind = LEVER_TYPES.get(lever.get("type"))
        if kind is None:
            continue
        settings = {p.name: p for p in kind.settings}
        # start_year and intensity may vary; end_year and duration_years may clash with each other
        valid = list(settings) + [k for k in COMMON_KEYS if k in ("start_year", "intensity")]
        if parts[2] not in valid:
            raise ParameterError(f"{where}: {name!r}: lever '{parts[1]}' ({kind.type_name}) has no setting "
                                 f"'{parts[2]}' that can vary{did_you_mean(parts[2], valid)}")
        found = found or settings.get(parts[2])
    return found


def beyond_plausible(name: str, low: float, high: float, levers: list[dict] = ()) -> str | None:
    """A warning when [low, high] reaches beyond the plausible range the parameter table (or the
    lever's setting) gives for `name`; None when it stays within it or there is no such range."""
    if name.startswith("lever_type.") and name.count(".") == 2:
        from twin.lever_uncertainty import type_beyond_plausible

        return type_beyond_plausible(name, low, high)
    if name.startswith("lever.") and name.count(".") == 2:
        try:
            entry = lever_setting(name, levers, "")
        except ParameterError:
            return None
    else:
        entry = {p.name: p for p in table_rows()}.get(name)
    if entry is None or (low >= entry.low and high <= entry.high):
        return None
    return f"{name}: {low:g} to {high:g} goes beyond its plausible range, {entry.low:g} to {entry.high:g}"


def as_sampled(name: str, value: float) -> float:
    """A value drawn for a parameter from a continuous range (a prior, a sensitivity or sweep
    sample), made a valid value of it: whole-number parameters (kinds "count" and "positive_count") round to the nearest
    whole number; others are kept as drawn. Lever settings (`lever.<name>.<setting>`) pass through."""
    return float(math.floor(value + 0.5)) if is_whole(name) else float(value)


def is_whole(name: str) -> bool:
    """Whether a parameter's values are whole numbers (kinds "count" and "positive_count")."""
    return name in _whole_names()


@functools.cache
def _whole_names() -> frozenset[str]:
    """The parameters whose values are whole numbers (looked up once: a sweep samples thousands of points)."""
    from twin.parameter_table import PARAMETER_TABLE

    return frozenset(p.name for p in PARAMETER_TABLE if p.kind in WHOLE_KINDS)


def parameter_range(entry: dict, where: str, levers: list[dict] = ()) -> tuple[str, float, float]:
    """Name and range of an uncertain quantity from a config entry (`name`, optional `low`, `high`).

    A parameter defaults to its plausible range from the table. A lever setting is named
    `lever.<lever name>.<setting>` (for a lever among `levers`) and needs an explicit range.
    Used by calibration priors, sensitivity analysis and sweep uncertainties alike.
    """
    table = {p.name: p for p in table_rows()}
    name = str(entry.get("name"))
    if name.startswith("lever."):
        parts = name.split(".")
        names = list(dict.fromkeys(str(l.get("name", l.get("type"))) for l in levers))
        if len(parts) != 3 or parts[1] not in names:
            hint = did_you_mean(parts[1], names) if len(parts) == 3 else ""
            raise ParameterError(f"{where}: {name!r}: expected lever.<name of a lever in the scenario(s)>.<setting>"
                                 f"{hint}" + (f" (their levers: {', '.join(names)})" if names else
                                              " (the scenario(s) have no levers)"))
        lever_setting(name, levers, where)
        if "low" not in entry or "high" not in entry:
            raise ParameterError(f"{where}: {name!r}: a lever setting needs low and high")
        low, high = _bound(entry, "low", where), _bound(entry, "high", where)
    elif name in table:
        low, high = _bound(entry, "low", where, table[name].low), _bound(entry, "high", where, table[name].high)
        for key, value in (("low", low), ("high", high)):  # each end must be a valid value of the parameter
            Parameters({name: value}, where=f"{where} {key}")
    else:
        raise ParameterError(f"{where}: unknown parameter {name!r}{did_you_mean(name, table)}")
    if not low < high:
        unwritten = [f"{key}: the parameter table's {key} end" for key in ("low", "high") if key not in entry]
        raise ParameterError(f"{where}: {name!r}: expected low < high, got {low:g} and {high:g}"
                             + (f" ({unwritten[0]}, not written here)" if unwritten else ""))
    return name, low, high


def _bound(entry: dict, key: str, where: str, default: float | None = None) -> float:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterError(f"{where}: {key}: expected a number, got {shown(value)}")
    return float(value)
