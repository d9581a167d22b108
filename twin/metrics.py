"""Metrics of one step: harm, response cost, counts and rates per area, from tally and state.

Member and OCG counts are attributed to the OCG's home area; county lines to their destination;
market volumes and harm to where the victims or customers are.
"""

from __future__ import annotations

import numpy as np

from twin.geography import uk_population
from twin.harm import HARM_CATEGORIES
from twin.members import N_CLASSES, member_class
from twin.results import METRIC_INDEX, METRICS
from twin.tables import Table
from twin.vocabulary import (
    ACQUISITIVE, ACTIVE, CHARGED, COCAINE, CORE, EXITED, EXPLOITED, FIREARMS, FRAUD, HEROIN_CRACK, IMMIGRATION,
    LEADER, MODERN_SLAVERY, MONEY_LAUNDERING, PRISON, RELEASED, WORKER,
)

#: share of drug deaths linked to heroin/crack rather than cocaine (assumption: opiates dominate)
HEROIN_CRACK_DEATH_SHARE = 0.8


#: metrics that are the step's tally by area as it stands
TALLIED = ("recruits", "recruits_children", "joiners", "leavers", "reoffenders", "operations_started",
           "operations_succeeded", "disruptions", "arrests", "charges", "convictions", "prison_releases",
           "early_releases", "emergency_releases", "homicides", "serious_violence", "nrm_referrals",
           "nrm_referrals_criminal", "nrm_referrals_repeat", "county_lines_opened", "county_lines_closed",
           "ocgs_entered", "ocgs_dissolved", "ocgs_mapped", "successions", "splits", "absorptions", "relocations",
           "assets_recovered_gbp")
TALLIED_COLUMNS = np.array([METRIC_INDEX[name] for name in TALLIED])


def _member_count_classes() -> tuple[tuple[str, ...], np.ndarray]:
    """The member counts by area and, for each, which member classes (`member_class`) it adds up."""
    status, role, known, child = np.unravel_index(np.arange(N_CLASSES), (5, 4, 2, 2))
    active = status == ACTIVE
    counts = {
        "members_active": active, "members_charged": status == CHARGED, "members_prison": status == PRISON,
        "members_released": status == RELEASED, "members_leader": active & (role == LEADER),
        "members_core": active & (role == CORE), "members_worker": active & (role == WORKER),
        "members_exploited": active & (role == EXPLOITED),
        # Known suspects: known members of any status short of exited (NCA counts known nominals).
        "members_known": (status < EXITED) & (known == 1),
        "members_children": active & (child == 1),
    }
    return tuple(counts), np.column_stack(list(counts.values())).astype(float)


#: counts are summed as one product [area, class] @ [class, count], not one reduction each
MEMBER_COUNTS, MEMBER_COUNT_CLASSES = _member_count_classes()
MEMBER_COUNT_COLUMNS = np.array([METRIC_INDEX[name] for name in MEMBER_COUNTS])


def compute_metrics(model) -> tuple[np.ndarray, dict[str, float]]:
    geo, ocgs, members, markets, params = model.geography, model.ocgs, model.members, model.markets, model.params
    n_areas, dt, tally = geo.n_areas, model.months_per_step, model.tally
    out = np.zeros((n_areas, len(METRICS)))

    def put(name: str, values) -> None:
        out[:, METRIC_INDEX[name]] = values

    out[:, TALLIED_COLUMNS] = tally.stack(TALLIED)

    # Members by status, role, knowledge and age in one count (home area of their group).
    key = ocgs.area[members.ocg] * N_CLASSES + member_class(members)
    counts = np.bincount(key, minlength=n_areas * N_CLASSES).reshape(n_areas, N_CLASSES)
    member_counts = counts.astype(float) @ MEMBER_COUNT_CLASSES  # exact: whole numbers
    out[:, MEMBER_COUNT_COLUMNS] = member_counts
    put("ocgs_active", np.bincount(ocgs.area, weights=ocgs.active, minlength=n_areas))
    put("ocgs_known", np.bincount(ocgs.area, weights=ocgs.active & ocgs.known, minlength=n_areas))
    put("ocg_revenue_gbp", np.bincount(ocgs.area, weights=ocgs.revenue_gbp * ocgs.active, minlength=n_areas))
    put("ocg_capital_gbp", np.bincount(ocgs.area, weights=ocgs.capital_gbp * ocgs.active, minlength=n_areas))
    lines = model.county_lines
    put("county_lines_active", np.bincount(lines.dest, weights=lines.active, minlength=n_areas))

    # Market volumes: stocks (people supplied or exploited) and flows per step.
    served = markets.served
    put("drug_users_supplied", served[:, HEROIN_CRACK] + served[:, COCAINE])
    put("slavery_victims", served[:, MODERN_SLAVERY])
    fraud = served[:, FRAUD] * dt
    put("fraud_offences", fraud)
    reported = (params.fraud_reported_share * model.trust / model.trust_reference).clip(0.0, 1.0)
    put("fraud_reported", fraud * reported)
    put("immigration_arrivals", served[:, IMMIGRATION] * dt)
    put("firearms_supplied", served[:, FIREARMS] * dt)
    put("acquisitive_offences", served[:, ACQUISITIVE] * dt)
    # UK deaths over UK users: a scenario's own areas hold the UK's users (see markets.py), so the
    # rate per user is the UK's whatever the areas' population.
    deaths_per_year = params.drug_deaths_per_million_per_year * uk_population() / 1e6
    per_user_month = np.array([
        HEROIN_CRACK_DEATH_SHARE * deaths_per_year / 12 / params.heroin_crack_users_uk,
        (1 - HEROIN_CRACK_DEATH_SHARE) * deaths_per_year / 12 / params.cocaine_users_uk])
    expected_deaths = (served[:, [HEROIN_CRACK, COCAINE]] @ per_user_month) * dt
    put("drug_deaths", model.streams["drug_deaths"].poisson(expected_deaths))

    # Harm (Home Office method) and response cost.
    harm = model.harm.by_category(served, member_counts[:, MEMBER_COUNTS.index("members_exploited")],
                                  tally.get("homicides"),
                                  tally.get("serious_violence") - tally.get("serious_violence_fatal"), dt)
    for k, category in enumerate(HARM_CATEGORIES):
        put(f"harm_gbp_{category}", harm[:, k])
    put("harm_gbp_total", harm.sum(axis=1))
    cost_types = model.harm.by_cost_type(harm)
    put("harm_gbp_anticipation", cost_types[:, 0])
    put("harm_gbp_consequence", cost_types[:, 1])
    put("harm_gbp_response", cost_types[:, 2])

    police = model.police
    unit_budget = police.budget_gbp_per_month(params, model.modifiers) * dt
    policing = unit_budget[:n_areas].copy()
    # Regional and national spending is attributed to areas by population, so area rows add up to the UK.
    share = geo.population / geo.population.sum()
    policing += share * unit_budget[n_areas:].sum()
    put("response_cost_gbp_policing", policing)
    put("response_cost_gbp_courts", tally.get("court_cost_gbp"))
    put("response_cost_gbp_prisons", tally.get("prison_cost_gbp"))
    lever_costs = tally.get("lever_cost_gbp")
    response = policing + tally.get("court_cost_gbp") + tally.get("prison_cost_gbp") + lever_costs
    put("response_cost_gbp", response)
    put("net_social_cost_gbp", harm.sum(axis=1) + response - tally.get("assets_recovered_gbp"))
    put("investigators_fte", model.investigators_fte[:n_areas])
    put("community_trust", model.trust)
    put("vulnerability", model.vulnerability * model.modifiers.vulnerability_multiplier)

    national = dict(tally.national)
    national["money_laundered_gbp"] = model.money_laundered_gbp
    national["enablers_active"] = float(model.enablers.active.sum())
    national.setdefault("enablers_removed", 0.0)
    national.setdefault("pivots", 0.0)
    national["investigators_fte"] = float(model.investigators_fte.sum())
    national.update(population_shares(model))
    return out, national


SHARE_NAMES = ("share_type_cultural", "share_type_proximity", "share_type_family", "share_type_virtual",
               "share_reach_local", "share_reach_regional", "share_reach_national", "share_multi_criminal",
               "share_drugs_laundering", "share_economic_no_drugs", "share_drugs_only", "share_violent",
               "share_serious_violence")


class ShareProfiles(Table):
    """Each OCG's 0/1 profile for the population shares: one row per OCG, one column per share."""

    columns = {"profile": (float, 0.0, (len(SHARE_NAMES),))}


def population_shares(model) -> dict[str, float]:
    """Shares of the active OCG population by type, reach, portfolio and violence.

    Each group's 0/1 profile (a row per OCG, a column per share) is cached: type, reach and
    violence never change, and rows whose portfolio changed (`model.portfolios_changed`) are
    recomputed.
    """
    ocgs = model.ocgs
    profiles = getattr(model, "share_profiles", None)
    if profiles is None:
        profiles = model.share_profiles = ShareProfiles(capacity=2 * ocgs.n)
    changed = model.take_portfolio_changes("profiles")
    changed = changed[changed < profiles.n]
    added = ocgs.n - profiles.n
    if changed.size or added:  # one pass over the changed rows and the groups added since
        profile = _share_profiles(ocgs, np.concatenate([changed, np.arange(profiles.n, ocgs.n)]))
        profiles.profile[changed] = profile[: changed.size]
        if added:
            profiles.append(added, profile=profile[changed.size:])
    n = max(int(np.count_nonzero(ocgs.active)), 1)
    shares = ocgs.active.astype(float) @ profiles.profile / n
    return dict(zip(SHARE_NAMES, shares.tolist()))


def _share_profiles(ocgs, rows: np.ndarray) -> np.ndarray:
    markets = ocgs.markets[rows]
    drugs = markets[:, HEROIN_CRACK] | markets[:, COCAINE]
    multi = markets.sum(axis=1) > 1
    violence = ocgs.violence[rows]
    profile = np.empty((rows.size, len(SHARE_NAMES)))  # columns in the order of SHARE_NAMES
    profile[:, 0:4] = ocgs.ocg_type[rows, None] == np.arange(4)
    profile[:, 4:7] = ocgs.reach[rows, None] == np.arange(3)
    profile[:, 7] = multi
    profile[:, 8] = (drugs | markets[:, FIREARMS]) & markets[:, MONEY_LAUNDERING]
    profile[:, 9] = markets[:, FRAUD] & ~drugs
    profile[:, 10] = drugs & ~multi
    profile[:, 11] = violence > 0
    profile[:, 12] = violence == 2
    return profile
