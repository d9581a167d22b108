"""The rules the parameters' values keep together: share sets that cannot all be 0, pairs that
must stay ordered, the populations the machine can hold, and the others of `check_consistency`;
ranges checked against them before any run draws from them (`check_sampled_ranges`); and overrides
allowed but worth a remark (`consistency_warnings`)."""

from __future__ import annotations

import math

from twin.errors import ParameterError
from twin.parameters import Parameters, format_value, money_slip
from twin.vocabulary import HARM_CATEGORIES

#: shares drawn as one distribution (the synthetic register, and entry for new groups' reach, rescale
#: each set to sum to 1)
SHARE_SETS = {
    "OCG types": ("share_type_cultural", "share_type_proximity", "share_type_family", "share_type_virtual"),
    "OCG reach": ("share_reach_local", "share_reach_regional", "share_reach_national"),
    "OCG portfolios": ("share_portfolio_drugs_laundering", "share_portfolio_economic", "share_portfolio_drugs_only"),
    "new OCGs' reach": ("entrant_share_reach_local", "entrant_share_reach_regional", "entrant_share_reach_national"),
    "SOC budget": ("budget_share_forces", "budget_share_rocu", "budget_share_nca"),
}


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


#: parameters a rule of `check_consistency` holds from below (at most a limit: the rules break first
#: at the top of a range); every other parameter a rule reads is held from above (the share sets, the
#: larger of a pair, the known share, the spend rate, the highest price index). Every rule is monotone
#: in each parameter it reads, and no parameter is held from both sides, so one point, each range at
#: the end nearest a limit, breaks a rule if any values drawn from the ranges can.
HELD_BELOW_A_LIMIT = frozenset({
    "child_recruit_age_min_years", "serious_violence_rate_per_month", "violence_pressure_cap_ratio",
    "competition_violence_elasticity", "price_index_min", *(small for small, _, _ in ORDERED_PAIRS),
    *POPULATION_LIMITS, *(f"{kind}_share_{category}" for kind in ("anticipation", "response")
                          for category in HARM_CATEGORIES)})


def check_sampled_ranges(ranges: dict[str, tuple[float, float]], where: str,
                         fixed: Parameters | None = None) -> None:
    """Ranges a calibration or sensitivity analysis samples from, checked before any run: a pair
    of `ORDERED_PAIRS` whose ranges (or a range and the other's fixed value in `fixed`) overlap
    would draw values that cannot hold together, and the runs would fail part of the way through;
    then every rule of `check_consistency` at the ranges' ends nearest its limits
    (`HELD_BELOW_A_LIMIT`)."""
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
    ends = {name: high if name in HELD_BELOW_A_LIMIT else low for name, (low, high) in ranges.items() if name in values}
    worst = values.copy()
    try:
        worst.update(ends, where)
        check_consistency(worst, where)
    except ParameterError as exc:
        named = [name for name in ends if name in str(exc)] or list(ends)
        said = ", ".join(f"{name} = {ends[name]:g}" for name in named)
        raise ParameterError(f"{exc} (at the end of the range{'s' if len(named) > 1 else ''} drawn from: {said}); "
                             f"narrow the range{'s' if len(named) > 1 else ''} so that every value drawn holds "
                             f"together with the others") from None


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
