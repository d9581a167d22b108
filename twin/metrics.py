"""Metrics of one step: harm, response cost, counts and rates per area, from tally and state.

Member and OCG counts are attributed to the OCG's home area; county lines to their destination;
market volumes and harm to where the victims or customers are.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import as_generator, generator_argument, kernel
from twin.shared_kernels import array_sum, pairwise_sum
from twin.geography import uk_population
from twin.harm import HARM_CATEGORIES, category_total
from twin.members import N_CLASSES
from twin.results import METRIC_INDEX, METRICS
from twin.streams import poissons
from twin.vocabulary import (
    ACQUISITIVE, ACTIVE, CHARGED, COCAINE, CORE, EXITED, EXPLOITED, FIREARMS, FRAUD, HEROIN_CRACK, IMMIGRATION,
    LEADER, MODERN_SLAVERY, MONEY_LAUNDERING, PRISON, RELEASED, SERIOUS_VIOLENCE, WORKER,
)

#: metrics that are the step's tally by area as it stands
TALLIED = ("recruits", "recruits_children", "joiners", "leavers", "reoffenders", "operations_started",
           "operations_succeeded", "disruptions", "arrests", "charges", "convictions", "prison_releases",
           "early_releases", "emergency_releases", "homicides", "serious_violence", "nrm_referrals",
           "nrm_referrals_criminal", "nrm_referrals_repeat", "county_lines_opened", "county_lines_closed",
           "ocgs_entered", "ocgs_dissolved", "ocgs_mapped", "successions", "splits", "absorptions", "relocations",
           "assets_recovered_gbp", "bail_releases", "court_backlog", "succession_violence", "homicides_direct",
           "lever_spending_gbp_forces", "lever_spending_gbp_rocus", "lever_spending_gbp_nca", "lever_spending_gbp_courts",
           "lever_spending_gbp_prisons", "lever_spending_gbp_other")
TALLIED_COLUMNS = np.array([METRIC_INDEX[name] for name in TALLIED], dtype=np.int64)


def _member_count_classes() -> tuple[tuple[str, ...], np.ndarray]:
    """The member counts by area and, for each, which member classes (`members.member_class_byte`) it adds up."""
    status, role, known, child = np.unravel_index(np.arange(N_CLASSES), (5, 4, 2, 2))
    active = status == ACTIVE
    counts = {
        "members_active": active, "members_charged": status == CHARGED, "members_prison": status == PRISON,
        "members_in_custody": (status == PRISON) | (status == CHARGED),
        "members_released": status == RELEASED, "members_leader": active & (role == LEADER),
        "members_core": active & (role == CORE), "members_worker": active & (role == WORKER),
        "members_exploited": active & (role == EXPLOITED),
        # Known suspects: known members of any status short of exited (NCA counts known nominals).
        "members_known": (status < EXITED) & (known == 1),
        "members_children": active & (child == 1),
    }
    return tuple(counts), np.column_stack(list(counts.values())).astype(float)


#: [class, count] 1 where a member class adds to a count
MEMBER_COUNTS, MEMBER_COUNT_CLASSES = _member_count_classes()
MEMBER_COUNT_COLUMNS = np.array([METRIC_INDEX[name] for name in MEMBER_COUNTS], dtype=np.int64)
#: (class, count) where a member class adds to a count, the nonzero entries of MEMBER_COUNT_CLASSES
MEMBER_COUNT_PAIRS = np.argwhere(MEMBER_COUNT_CLASSES != 0.0).astype(np.int64)

#: metrics `_area_metrics` writes, in the order of its `columns` argument (passed as an array of
#: column indices, not read as globals: a cached kernel would keep stale indices if METRICS changed)
KERNEL_METRICS = (
    "ocgs_active", "ocgs_known", "ocg_revenue_gbp", "ocg_capital_gbp", "county_lines_active",
    "drug_users_supplied", "slavery_victims", "fraud_offences", "fraud_reported", "immigration_arrivals",
    "firearms_supplied", "acquisitive_offences",
    *(f"harm_gbp_{category}" for category in HARM_CATEGORIES), "harm_gbp_total",
    "harm_gbp_anticipation", "harm_gbp_consequence", "harm_gbp_response",
    "response_cost_gbp_policing", "response_cost_gbp_courts", "response_cost_gbp_prisons", "response_cost_gbp",
    "net_social_cost_gbp", "investigators_fte", "community_trust", "vulnerability",
    "response_cost_gbp_forces", "response_cost_gbp_rocus", "response_cost_gbp_nca",
)
KERNEL_COLUMNS = np.array([METRIC_INDEX[name] for name in KERNEL_METRICS], dtype=np.int64)
N_HARM_CATEGORIES = len(HARM_CATEGORIES)
assert len(KERNEL_METRICS) == 27 + N_HARM_CATEGORIES  # the layout `_area_metrics` unpacks
#: the tally's sums [area, name] that `_area_metrics` reads (its `tallied` argument)
KERNEL_TALLY = ("court_cost_gbp", "prison_cost_gbp", "lever_cost_gbp", "assets_recovered_gbp")
#: every tally name the metrics read, taken in one `StepTally.stack`: TALLIED first, then the rest
READ_TALLY = TALLIED + tuple(name for name in KERNEL_TALLY if name not in TALLIED)
KERNEL_TALLY_READ = np.array([READ_TALLY.index(name) for name in KERNEL_TALLY], dtype=np.int64)
HOMICIDES_READ, SERIOUS_READ, DIRECT_HOMICIDES_READ = (
    READ_TALLY.index(name) for name in ("homicides", "serious_violence", "homicides_direct"))
EXPLOITED_COLUMN = METRIC_INDEX["members_exploited"]
DRUG_DEATHS_COLUMN = METRIC_INDEX["drug_deaths"]
DEATH_MARKETS = np.array([HEROIN_CRACK, COCAINE])


def _death_weights(demand: np.ndarray, params) -> np.ndarray:
    """Each area's expected drug deaths at the UK's rates, up to a constant: its heroin/crack and
    cocaine users in `demand` [area, market], each over the UK's users of that drug, by the share of
    deaths each drug takes."""
    share = params.heroin_crack_death_share
    return demand[:, DEATH_MARKETS] @ np.array([share / params.heroin_crack_users_uk,
                                                (1 - share) / params.cocaine_users_uk])


def drug_death_area_factors(geo, params, base_demand: np.ndarray) -> np.ndarray:
    """Each area's drug deaths per user supplied over the UK's. Scotland's and Northern Ireland's
    deaths per head over the UK's are parameters (`drug_death_rate_ratio_scotland`,
    `_northern_ireland`), England and Wales have the rest, and each nation's deaths are spread over
    the users the built-in 45 areas' starting demand puts in it (fewer per head in Scotland), so
    each nation's deaths at that demand are its rate per head x its people. With the national
    quantities the UK's (`Parameters.national_scale` 1: a map of part of the UK then holds the
    UK's users), the factors are scaled so that the run's areas (`base_demand`, their starting
    demand) die at the UK's rate overall, the nations' rates setting only the ratios between them."""
    from twin.community import initial_vulnerability
    from twin.errors import ParameterError
    from twin.geography import load_geography
    from twin.markets import base_demand_per_month

    uk = load_geography()
    weight = _death_weights(base_demand_per_month(uk, params, initial_vulnerability(uk, params)), params)
    joined = lambda name: "England and Wales" if name in ("England", "Wales") else name  # noqa: E731
    group = np.array([joined(name) for name in uk.nation])
    people = {g: float(uk.population[group == g].sum() / uk.population.sum()) for g in set(group)}
    users = {g: float(weight[group == g].sum() / weight.sum()) for g in set(group)}
    per_head = {"Scotland": params.drug_death_rate_ratio_scotland,
                "Northern Ireland": params.drug_death_rate_ratio_northern_ireland}
    per_head["England and Wales"] = ((1.0 - per_head["Scotland"] * people["Scotland"] - per_head["Northern Ireland"]
                                      * people["Northern Ireland"]) / people["England and Wales"])
    if not per_head["England and Wales"] > 0:
        raise ParameterError(f"drug_death_rate_ratio_scotland = {per_head['Scotland']:g} and "
                             f"drug_death_rate_ratio_northern_ireland = {per_head['Northern Ireland']:g} together give "
                             f"Scotland and Northern Ireland more than the UK's drug deaths, leaving England and Wales "
                             f"none: expected ratios within their ranges (2.4 to 3.7 and 0.8 to 1.8)")
    factor = np.array([per_head[joined(name)] * people[joined(name)] / users[joined(name)] for name in geo.nation])
    if params.national_scale == 1.0:
        own = _death_weights(base_demand, params)
        factor *= own.sum() / (own * factor).sum()
    return factor


def compute_metrics(model) -> tuple[np.ndarray, dict[str, float]]:
    """The step's metrics: [area, metric] (METRICS' order) and the national-only values by name.

    Member counts come from the census taken just before (`TwinModel.take_census`); the per-area
    arithmetic and the drug-death draws are compiled (`_counts_and_drug_deaths`,
    harm in `harm.py`, `_area_metrics`); the few matrix products (BLAS) are numpy.
    """
    geo, markets, params = model.geography, model.markets, model.params
    n_areas, dt, tally = geo.n_areas, model.months_per_step, model.tally
    out = np.zeros((n_areas, len(METRICS)))
    tallied = tally.stack(READ_TALLY)  # [area, name]

    # UK deaths over UK users: the rate per user is the UK's whatever the areas' population, and
    # whether or not the users are scaled to it (`Parameters.uk_value`); each area's nation moves it
    # (`drug_death_area_factors`).
    served = markets.served
    deaths_per_year = params.drug_deaths_per_million_per_year * uk_population() / 1e6
    per_user_month = np.array([
        params.heroin_crack_death_share * deaths_per_year / 12 / params.uk_value("heroin_crack_users_uk"),
        (1 - params.heroin_crack_death_share) * deaths_per_year / 12 / params.uk_value("cocaine_users_uk")])
    expected_deaths = (served[:, DEATH_MARKETS] @ per_user_month) * dt  # numpy: a BLAS product
    expected_deaths *= model.drug_death_area_factor  # each nation's deaths per user over the UK's
    # The step's tally as it stands; members by status, role, knowledge and age (home area of
    # their group), counted by the census; drug deaths.
    _counts_and_drug_deaths(out, TALLIED_COLUMNS, tallied, MEMBER_COUNT_COLUMNS, model.census_by_area_class,
                            MEMBER_COUNT_PAIRS, DRUG_DEATHS_COLUMN, generator_argument(model.streams["drug_deaths"]),
                            expected_deaths)

    # Harm (Home Office method, `harm.py`) and the budget (`policing.py`).
    harm = model.harm.by_category(served, out[:, EXPLOITED_COLUMN], tallied[:, HOMICIDES_READ],
                                  tallied[:, SERIOUS_READ], tallied[:, DIRECT_HOMICIDES_READ], dt)
    ocgs, lines = model.ocgs, model.county_lines
    n_enablers_active, investigators_fte = _area_metrics(
        out=out, columns=KERNEL_COLUMNS, ocg_area=ocgs.area, ocg_active=ocgs.active, ocg_known=ocgs.known,
        ocg_revenue_gbp=ocgs.revenue_gbp_per_step, ocg_capital_gbp=ocgs.capital_gbp, line_dest=lines.dest,
        line_active=lines.active, served_per_month=served, months_per_step=dt,
        fraud_reported_share=params.fraud_reported_share,
        fraud_reporting_trust_elasticity=params.fraud_reporting_trust_elasticity, trust=model.trust,
        trust_reference=model.trust_reference, harm_gbp=harm, harm_gbp_by_cost_type=model.harm.by_cost_type(harm),
        unit_budget_gbp_per_month=model.police.budget_gbp_per_month(params), population=geo.population, tallied=tallied,
        tally_read=KERNEL_TALLY_READ, investigators_fte=model.investigators_fte, vulnerability=model.vulnerability,
        vulnerability_multiplier=model.modifiers.vulnerability_multiplier, enabler_active=model.enablers.active)

    national = dict(tally.national)
    national["money_laundered_gbp"] = model.money_laundered_gbp
    national["enablers_active"] = n_enablers_active
    national.setdefault("enablers_removed", 0.0)
    national.setdefault("pivots", 0.0)
    national.setdefault("market_exits", 0.0)
    national["investigators_fte"] = investigators_fte
    national.update(population_shares(model))
    return out, national


@kernel
def _counts_and_drug_deaths(out, tallied_columns, tallied, count_columns, census_by_area_class, count_pairs,
                            deaths_column, rng_handle, expected_deaths):
    """`_tally_and_member_counts`, then `_drug_deaths` into `out[:, deaths_column]`, drawn from
    the stream whose handle is `rng_handle`: one call for both."""
    _tally_and_member_counts(out, tallied_columns, tallied, count_columns, census_by_area_class, count_pairs)
    _drug_deaths(out, deaths_column, as_generator(rng_handle), expected_deaths)


@kernel
def _drug_deaths(out, column, rng, expected_deaths):
    """Poisson draws of the drug deaths in each area, in area order, into `out[:, column]`
    (`streams.poissons`: numpy's algorithm, as every Poisson draw in a kernel)."""
    deaths = poissons(rng, expected_deaths)
    for area in range(expected_deaths.size):
        out[area, column] = float(deaths[area])


@kernel
def _tally_and_member_counts(out, tallied_columns, tallied, count_columns, census_by_area_class, count_pairs):
    """Write the tallied metrics (the first `tallied_columns.size` names of `tallied` [area,
    name]) and the member counts into `out` [area, metric]. `count_pairs` lists (class, count)
    where a member class adds to a count. Counts are whole numbers, added as integers: exact (as
    the product `census @ MEMBER_COUNT_CLASSES` in floats is, whatever its order)."""
    members = np.zeros(count_columns.size, dtype=np.int64)
    for area in range(out.shape[0]):
        for k in range(tallied_columns.size):
            out[area, tallied_columns[k]] = tallied[area, k]
        members[:] = 0
        for pair in range(count_pairs.shape[0]):
            members[count_pairs[pair, 1]] += census_by_area_class[area, count_pairs[pair, 0]]
        for count in range(count_columns.size):
            out[area, count_columns[count]] = float(members[count])


@kernel
def _area_metrics(out, columns, ocg_area, ocg_active, ocg_known, ocg_revenue_gbp, ocg_capital_gbp, line_dest,
                  line_active, served_per_month, months_per_step, fraud_reported_share, fraud_reporting_trust_elasticity,
                  trust, trust_reference, harm_gbp, harm_gbp_by_cost_type, unit_budget_gbp_per_month, population,
                  tallied, tally_read, investigators_fte, vulnerability, vulnerability_multiplier, enabler_active):
    """Write the metrics `KERNEL_METRICS` into `out` [area, metric] (at `columns`), zero there;
    return the active enablers and the investigators (FTE) nationally.

    Group and county-line counts and sums are added up in row order by home area (lines: by
    destination), as `np.bincount` with weights would (a weight `value * active`, so an inactive
    group adds 0.0 times its value). Market volumes per step are the served volumes times the
    step's length; the share of fraud reported is `fraud_reported_share` x (trust over its start)
    ** `fraud_reporting_trust_elasticity`, at most 1. The policing budget is each force's own plus
    a population share of the regional and national budget; the response cost adds courts, prisons
    and levers. The policing budget by tier: the force's own, and population shares of the ROCUs'
    and of the NCA's (each ROCU's budget is in proportion to its region's population, so an area's
    share of all the ROCUs' budget is its population share of its own region's ROCU). The `tallied` [area, name] columns at `tally_read` are court, prison and lever
    costs and assets recovered. Sums of float arrays (population, the regional and national budget,
    investigators) are added in numpy's pairwise order (`array_sum`, `pairwise_sum`).
    """
    (c_ocgs_active, c_ocgs_known, c_revenue, c_capital, c_lines, c_drug_users, c_slavery, c_fraud,
     c_fraud_reported, c_immigration, c_firearms, c_acquisitive) = columns[:12]
    h = N_HARM_CATEGORIES  # KERNEL_METRICS: 12 counts, the harm categories, then 12 totals
    c_harm, c_harm_total, c_cost_types = columns[12:12 + h], columns[12 + h], columns[13 + h:16 + h]
    (c_policing, c_courts, c_prisons, c_response, c_net_cost, c_investigators, c_trust,
     c_vulnerability, c_forces, c_rocus, c_nca) = columns[16 + h:27 + h]

    for group in range(ocg_area.size):
        area = ocg_area[group]
        active = 1.0 if ocg_active[group] else 0.0
        out[area, c_ocgs_active] += active
        out[area, c_ocgs_known] += 1.0 if ocg_active[group] and ocg_known[group] else 0.0
        out[area, c_revenue] += ocg_revenue_gbp[group] * active
        out[area, c_capital] += ocg_capital_gbp[group] * active
    # Lines (the table keeps closed ones) counted as integers: whole numbers, exact in any order.
    lines_by_area = np.zeros(out.shape[0], dtype=np.int64)
    for line in range(line_dest.size):
        lines_by_area[line_dest[line]] += np.int64(line_active[line])  # branch-free: add 0 or 1
    for area in range(out.shape[0]):
        out[area, c_lines] += float(lines_by_area[area])

    n_areas = out.shape[0]
    unit_budget_gbp = unit_budget_gbp_per_month * months_per_step
    national_budget_gbp = pairwise_sum(unit_budget_gbp, n_areas, unit_budget_gbp.size - n_areas)
    # The tiers apart (units: forces, then the ROCUs, then the NCA last; `policing.Police`).
    rocu_budget_gbp = pairwise_sum(unit_budget_gbp, n_areas, unit_budget_gbp.size - n_areas - 1)
    nca_budget_gbp = unit_budget_gbp[unit_budget_gbp.size - 1]
    population_total = array_sum(population)
    for area in range(n_areas):
        served = served_per_month[area]
        # Stocks (people supplied or exploited) as they stand; flows per step.
        out[area, c_drug_users] = served[HEROIN_CRACK] + served[COCAINE]
        out[area, c_slavery] = served[MODERN_SLAVERY]
        fraud = served[FRAUD] * months_per_step
        out[area, c_fraud] = fraud
        # Reporting follows trust relative to the start, less than one for one (the elasticity).
        reported = fraud_reported_share * (trust[area] / trust_reference[area]) ** fraud_reporting_trust_elasticity
        reported = 0.0 if reported < 0.0 else (1.0 if reported > 1.0 else reported)  # clip (NaN stays NaN)
        out[area, c_fraud_reported] = fraud * reported
        out[area, c_immigration] = served[IMMIGRATION] * months_per_step
        out[area, c_firearms] = served[FIREARMS] * months_per_step
        out[area, c_acquisitive] = served[ACQUISITIVE] * months_per_step

        for k in range(c_harm.size):
            out[area, c_harm[k]] = harm_gbp[area, k]
        harm_gbp_total = category_total(harm_gbp, area)
        out[area, c_harm_total] = harm_gbp_total
        for k in range(c_cost_types.size):
            out[area, c_cost_types[k]] = harm_gbp_by_cost_type[area, k]

        # Regional and national spending is attributed to areas by population, so area rows add up to the UK.
        policing = unit_budget_gbp[area] + population[area] / population_total * national_budget_gbp
        courts, prisons, levers, assets_recovered = (tallied[area, tally_read[0]], tallied[area, tally_read[1]],
                                                     tallied[area, tally_read[2]], tallied[area, tally_read[3]])
        response = policing + courts + prisons + levers
        out[area, c_policing] = policing
        out[area, c_courts] = courts
        out[area, c_prisons] = prisons
        out[area, c_forces] = unit_budget_gbp[area]
        out[area, c_rocus] = population[area] / population_total * rocu_budget_gbp
        out[area, c_nca] = population[area] / population_total * nca_budget_gbp
        out[area, c_response] = response
        out[area, c_net_cost] = harm_gbp_total + response - assets_recovered
        out[area, c_investigators] = investigators_fte[area]
        out[area, c_trust] = trust[area]
        out[area, c_vulnerability] = vulnerability[area] * vulnerability_multiplier[area]
    n_enablers_active = 0
    for enabler in range(enabler_active.size):
        n_enablers_active += np.int64(enabler_active[enabler])
    return float(n_enablers_active), array_sum(investigators_fte)


SHARE_NAMES = ("share_type_cultural", "share_type_proximity", "share_type_family", "share_type_virtual",
               "share_reach_local", "share_reach_regional", "share_reach_national", "share_multi_criminal",
               "share_drugs_laundering", "share_economic_no_drugs", "share_drugs_only", "share_violent",
               "share_serious_violence")


def population_shares(model) -> dict[str, float]:
    """Shares of the active OCG population by type, reach, portfolio and violence.

    Each group's 0/1 profile is cached as bits (`model.share_profiles`: (bits, rows profiled);
    bit k of a group's uint16 is set when it counts towards SHARE_NAMES[k], 2 bytes a group so
    that the step's pass reads little; the array has room to spare, doubled when full): type,
    reach and violence never change, and rows whose portfolio changed (`model.portfolios_changed`)
    are recomputed.
    """
    ocgs = model.ocgs
    bits, n_profiled = getattr(model, "share_profiles", None) or (np.zeros(2 * ocgs.n, dtype=np.uint16), 0)
    if bits.size < ocgs.n:
        bits = np.concatenate([bits, np.zeros(max(bits.size, ocgs.n - bits.size), dtype=np.uint16)])
    changed = model.take_portfolio_changes("profiles")
    shares = _update_and_share(bits, changed, n_profiled, ocgs.active, ocgs.ocg_type, ocgs.reach, ocgs.markets,
                               ocgs.violence, len(SHARE_NAMES))
    model.share_profiles = (bits, ocgs.n)
    return dict(zip(SHARE_NAMES, shares.tolist()))


@kernel
def _update_and_share(bits, changed, n_profiled, active, ocg_type, reach, markets, violence, n_shares):
    """Recompute the profiles (`bits`) of the `changed` rows that were profiled (below
    `n_profiled`) and set those of the rows added since (up to `active.size`, the groups);
    return `_active_shares`."""
    for i in range(changed.size):
        group = changed[i]
        if group < n_profiled:
            bits[group] = share_bits(group, ocg_type, reach, markets, violence)
    for group in range(n_profiled, active.size):
        bits[group] = share_bits(group, ocg_type, reach, markets, violence)
    return _active_shares(active, bits[: active.size], n_shares)


@kernel
def _active_shares(active, bits, n_shares):
    """Mean profile [share] over the active rows (zeros when none is active).

    The active groups are counted by the low seven bits of their profile and by the rest (two
    small tables), then each share's count is the sum over the entries with its bit set: whole
    numbers, so the sums are exact in any order.
    """
    by_low_bits = np.zeros(128, dtype=np.int64)
    by_high_bits = np.zeros(1 << max(n_shares - 7, 0), dtype=np.int64)
    n_active = 0
    for row in range(active.size):  # branch-free: add 0 or 1
        is_active = np.int64(active[row])
        profile = np.int64(bits[row])
        by_low_bits[profile & 127] += is_active
        by_high_bits[profile >> 7] += is_active
        n_active += is_active
    total = np.zeros(n_shares)
    for k in range(n_shares):
        table, bit = (by_low_bits, k) if k < 7 else (by_high_bits, k - 7)
        groups = 0
        for entry in range(table.size):
            groups += table[entry] if (entry >> bit) & 1 else 0
        total[k] = groups
    return total / max(n_active, 1)


@kernel
def share_bits(group, ocg_type, reach, markets, violence):
    """The profile of OCG `group` as bits: type (bits 0-3), reach (4-6), portfolio (7-10),
    violence (11-12)."""
    in_market = markets[group]
    n_markets = 0
    for market in range(in_market.size):
        n_markets += 1 if in_market[market] else 0
    drugs = in_market[HEROIN_CRACK] or in_market[COCAINE]
    multi = n_markets > 1
    profile = (1 << ocg_type[group]) | (1 << (4 + reach[group]))
    profile |= (1 << 7) if multi else 0
    profile |= (1 << 8) if (drugs or in_market[FIREARMS]) and in_market[MONEY_LAUNDERING] else 0
    profile |= (1 << 9) if in_market[FRAUD] and not drugs else 0
    profile |= (1 << 10) if drugs and not multi else 0
    profile |= (1 << 11) if violence[group] > 0 else 0
    profile |= (1 << 12) if violence[group] == SERIOUS_VIOLENCE else 0
    return np.uint16(profile)
