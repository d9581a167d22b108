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


#: shares drawn as one distribution (the synthetic register, and entry for new groups' reach, rescale
#: each set to sum to 1)
SHARE_SETS = {
    "OCG types": ("share_type_cultural", "share_type_proximity", "share_type_family", "share_type_virtual"),
    "OCG reach": ("share_reach_local", "share_reach_regional", "share_reach_national"),
    "OCG portfolios": ("share_portfolio_drugs_laundering", "share_portfolio_economic", "share_portfolio_drugs_only"),
    "new OCGs' reach": ("entrant_share_reach_local", "entrant_share_reach_regional", "entrant_share_reach_national"),
    "SOC budget": ("budget_share_forces", "budget_share_rocu", "budget_share_nca"),
}


def budget_tier_shares(params) -> np.ndarray:
    """The SOC budget's split between forces, ROCUs and the NCA, rescaled to sum to 1 (a share set
    to 0.6 moves money between the tiers; it does not add to the budget)."""
    shares = np.array([params.budget_share_forces, params.budget_share_rocu, params.budget_share_nca])
    return shares / shares.sum()
#: parameters that size the populations held in memory, with the most each may be and what the UK
#: picture needs: far larger values would exhaust the machine's memory rather than run
POPULATION_LIMITS = {
    "ocg_size_min": (5_000, "the smallest group's members (a register row holds at most 5,000)"),
    "county_lines_initial": (250_000, "county lines (about 1,500 in the UK)"),
    "enablers_professional": (250_000, "professional enablers (about 1,500)"),
    "enablers_insider": (250_000, "corrupt insiders (about 800)"),
    "enablers_technical": (250_000, "technical enablers (a few dozen)"),
    "entry_rate_per_month": (100.0, "new groups per fully vacant area-market-month (0.05-1 is plausible; at 100 "
                                    "up to about 30,000 groups would enter a month)"),
}
#: the mean relocation chance above which the area with the most populous neighbours (2.2 times
#: the mean, UK areas) would reach a chance of 1 (`geography.relocation_weights`)
RELOCATION_BALANCED_MAX = 0.44
#: (smaller, larger, why): pairs where the first cannot exceed the second
ORDERED_PAIRS = (
    ("share_serious_violence", "share_violent", "groups using serious violence are among those using violence"),
    ("early_release_served_share", "served_share", "early release comes before the standard release point"),
    ("price_index_min", "price_index_max", "a market's lowest price index cannot be above its highest"),
)


#: most serious violence a group may commit a month at the cap of rival pressure (`check_consistency`)
MAX_VIOLENCE_AT_CAP = 10.0


def check_consistency(params: Parameters, where: str) -> None:
    """Values that are each valid but cannot hold together: a `ParameterError` naming them."""
    for label, names in SHARE_SETS.items():
        if sum(params[n] for n in names) <= 0:
            raise ParameterError(f"{where}: the {label} shares ({', '.join(names)}) are all 0; at least one must "
                                 f"be above 0 (they are rescaled to sum to 1)")
    for small, large, why in ORDERED_PAIRS:
        if params[small] > params[large]:
            raise ParameterError(f"{where}: {small} = {params[small]:g} is above {large} = {params[large]:g}; "
                                 f"expected at most {large} ({why})")
    if params.ocg_known_share <= 0:
        raise ParameterError(f"{where}: ocg_known_share = 0 leaves no OCG known to police; expected a share above 0 "
                             f"(the synthetic register has ocgs_known_uk / ocg_known_share groups)")
    check_population_limits(params, where)
    from twin.vocabulary import HARM_CATEGORIES

    for category in HARM_CATEGORIES:  # the consequence cost is the rest of each category's harm
        anticipation, response = params[f"anticipation_share_{category}"], params[f"response_share_{category}"]
        if anticipation + response > 1:
            raise ParameterError(f"{where}: anticipation_share_{category} = {anticipation:g} and response_share_"
                                 f"{category} = {response:g} add up to more than 1; expected at most 1 (the rest of "
                                 f"the category's harm is its consequence cost, which cannot be negative)")
    if params.child_recruit_age_min_years >= 18:  # children are under 18: none would be recruited as one
        raise ParameterError(f"{where}: child_recruit_age_min_years = {params.child_recruit_age_min_years:g} is 18 or "
                             f"more; expected an age under 18 (children recruited are aged from it to 18, and "
                             f"counted as adults from their 18th birthday)")
    if params.capital_spend_rate_per_month <= 0:
        raise ParameterError(f"{where}: capital_spend_rate_per_month = 0 leaves groups' starting capital (their "
                             f"income over the rate they spend it at) without end; expected a share above 0")
    rate, ratio = params.serious_violence_rate_per_month, params.violence_pressure_cap_ratio
    log_at_cap = math.log(rate) + params.competition_violence_elasticity * math.log(ratio) if rate > 0 and ratio > 0 \
        else -math.inf  # in logs: far beyond the ranges the power itself overflows
    if log_at_cap > math.log(MAX_VIOLENCE_AT_CAP):
        at_cap = f"{math.exp(log_at_cap):.3g}" if log_at_cap < 690 else "more than 1e+299"
        raise ParameterError(f"{where}: serious_violence_rate_per_month x violence_pressure_cap_ratio ^ "
                             f"competition_violence_elasticity = {at_cap} incidents per group a month at the cap "
                             f"of rival pressure; expected at most {MAX_VIOLENCE_AT_CAP:g} (the plausible ranges "
                             f"give at most 2.5)")
    if not params.price_index_min <= 1.0 <= params.price_index_max:
        raise ParameterError(f"{where}: price_index_min = {params.price_index_min:g} and price_index_max = "
                             f"{params.price_index_max:g}; expected the bounds to hold 1, the starting price index")


def check_population_limits(params: Parameters, where: str) -> None:
    """The populations held in memory (`POPULATION_LIMITS`) within what the machine can hold: checked
    on the values given, and again once a scenario has scaled them (`Parameters.scale_national`)."""
    for name, (most, what) in POPULATION_LIMITS.items():
        if params[name] > most:
            raise ParameterError(f"{where}: {name} = {params[name]:g} is more than the model can hold in memory; "
                                 f"expected at most {most:,g}: {what}")


def check_sampled_ranges(ranges: dict[str, tuple[float, float]], where: str,
                         fixed: Parameters | None = None) -> None:
    """Ranges a calibration or sensitivity analysis samples from, checked before any run: a pair
    of `ORDERED_PAIRS` whose ranges (or a range and the other's fixed value in `fixed`) overlap
    would draw values that cannot hold together, and the runs would fail part of the way through."""
    values = fixed or Parameters()
    for small, large, why in ORDERED_PAIRS:
        if small not in ranges and large not in ranges:
            continue
        highest = ranges[small][1] if small in ranges else values[small]
        lowest = ranges[large][0] if large in ranges else values[large]
        if highest > lowest:
            raise ParameterError(f"{where}: {small} can be drawn up to {highest:g} and {large} as low as "
                                 f"{lowest:g}, but {small} cannot exceed {large} ({why}); narrow the ranges "
                                 f"so that they do not overlap")


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


def consistency_warnings(params: Parameters, where: str) -> list[str]:
    """Overrides allowed but worth a remark: values beyond the table's plausible range, amounts of
    money written in billions or millions (`money_slip`), and share sets that do not sum to 1 (rescaled)."""
    warnings = [f"{where}: {name} = {params.uk_value(name):g} is beyond its plausible range, "
                f"{format_value(row.low)} to {format_value(row.high)}" for name in sorted(params.overridden)
                if not (row := params.spec(name)).low <= params.uk_value(name) <= row.high]
    warnings += [f"{where}: {slip}" for name in sorted(params.overridden)
                 if (slip := money_slip(name, params.uk_value(name), (row := params.spec(name)).unit, row.value,
                                        row.low, row.high))]
    if params.relocation_prob_after_operation > RELOCATION_BALANCED_MAX:
        warnings.append(f"{where}: relocation_prob_after_operation = {params.relocation_prob_after_operation:g}: "
                        f"above {RELOCATION_BALANCED_MAX:g}, areas with populous neighbours would move every investigated "
                        f"group, and moves would no longer keep groups spread as the register spreads them")
    for label, names in SHARE_SETS.items():
        total = sum(params[n] for n in names)
        if params.overridden & set(names) and abs(total - 1.0) > 1e-6:
            warnings.append(f"{where}: the {label} shares sum to {total:.3g}, not 1; they are rescaled to sum to 1")
    return warnings


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
            f"{'; set to fit ' + ', '.join(fitted[p.name]) if p.name in fitted else ''} | {source} | {p.description} |"
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
    return float(math.floor(value + 0.5)) if name in _whole_names() else float(value)


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
