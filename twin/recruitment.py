"""Recruitment, exploitation and desistance.

OCGs fill vacancies (target size minus active members) from their area's at-risk pool; prison
is priced in, so arrested members are replaced. Recruitment slows as the area's members approach
the pool (`at_risk_pool_half_saturation`). Some recruits are exploited (victims made offenders),
children among them. Exploited members are identified and referred to the National Referral
Mechanism (NRM) at a monthly rate and some are safeguarded out; victims of labour and sexual
exploitation (a market count, not agents) are referred at their own rate. Active members leave
crime at a small monthly rate.
"""

from __future__ import annotations

import numpy as np

from twin.justice import due
from twin.members import role_layout
from twin.parameters import per_step_probability
from twin.streams import thinned_bernoulli
from twin.vocabulary import ACTIVE, COCAINE, EXITED, EXPLOITED, HEROIN_CRACK, LEADER, MODERN_SLAVERY

MAX_TARGET_GROWTH = 3.0  # target size is capped at this multiple of an OCG's base size
CAPITAL_RESERVE_MONTHS = 6.0  # months of profit a group holds to recruit at full speed (assumption)


def at_risk_pool(model) -> np.ndarray:
    """People at risk of recruitment or exploitation, per area."""
    return (model.geography.population * model.params.at_risk_share_of_population
            * model.vulnerability * model.modifiers.vulnerability_multiplier)


def update_targets(model) -> None:
    """OCGs aim to grow where the markets they sell in have unmet demand."""
    ocgs, params = model.ocgs, model.params
    owner = model.supply_entries[0]
    vacancy = model.markets.vacancy().take(model.supply_cells)  # [area, market] (see operations.operate)
    mean_vacancy = np.bincount(owner, weights=vacancy, minlength=ocgs.n) / np.maximum(
        np.bincount(owner, minlength=ocgs.n), 1)
    growth = 1.0 + params.target_size_growth_with_vacancy * mean_vacancy
    ocgs.target_size = np.minimum(ocgs.base_size * growth, MAX_TARGET_GROWTH * ocgs.base_size)


def recruit(model) -> None:
    ocgs, params = model.ocgs, model.params
    rng = model.streams["recruitment"]
    pool = at_risk_pool(model)
    active_in_area = np.bincount(ocgs.area, weights=model.active_members, minlength=model.geography.n_areas)
    availability = 1.0 / (1.0 + active_in_area / np.maximum(params.at_risk_pool_half_saturation * pool, 1e-9))
    vacancy = np.maximum(ocgs.target_size - model.active_members, 0.0) * ocgs.active
    whole = np.floor(vacancy).astype(np.int64)
    whole += rng.random(ocgs.n) < (vacancy - whole)
    # Recruiting costs money: groups short of capital (frozen, seized) recruit more slowly.
    reserve = np.minimum(ocgs.capital_gbp / np.maximum(CAPITAL_RESERVE_MONTHS * ocgs.revenue_gbp
                                                       / model.months_per_step * params.profit_margin, 1.0), 1.0)
    fill = (params.recruitment_fill_rate_per_month * availability[ocgs.area] * (0.5 + ocgs.reputation)
            * (0.5 + 0.5 * reserve))
    recruits = np.zeros(ocgs.n, dtype=np.int64)
    open_posts = whole.nonzero()[0]
    recruits[open_posts] = rng.binomial(whole[open_posts], per_step_probability(
        fill[open_posts].clip(0.0, 1.0), model.months_per_step))
    total = int(recruits.sum())
    if total == 0:
        return
    # Recruits restore the group's structure: exploited places are refilled with exploited people.
    drugs = ocgs.markets[:, HEROIN_CRACK] | ocgs.markets[:, COCAINE]
    wanted_share = np.where(drugs, params.exploited_member_share_drugs, params.exploited_member_share_other)
    exploited_gap = np.maximum(wanted_share * ocgs.target_size - model.active_by_role[:, EXPLOITED], 0.0)
    exploited_share = (exploited_gap / np.maximum(vacancy, 1.0)).clip(0.0, 1.0)
    owner, role = role_layout(recruits, params.core_member_share * 0.5, exploited_share, rng, leaders=False)
    add_members(model, owner, role, rng, known_prob=np.where(ocgs.known[owner], 0.5 * ocgs.intel[owner], 0.0))
    model.tally.add("recruits", ocgs.area[owner])


def add_members(model, owner: np.ndarray, role: np.ndarray, rng: np.random.Generator, known_prob) -> np.ndarray:
    """Append new active members of OCGs `owner` with roles `role`; count them as joiners."""
    child = (role == EXPLOITED) & (rng.random(owner.size) < model.params.child_share_of_exploited)
    idx = model.members.append(owner.size, ocg=owner, role=role, status=ACTIVE, child=child,
                               known=rng.random(owner.size) < known_prob, joined_step=model.steps_done)
    set_adulthood(model, idx[child])
    area = model.ocgs.area[owner]
    model.tally.add("recruits_children", area, child)
    model.tally.add("joiners", area)
    return idx


#: mean months the exploited members present at the start have been in their groups (assumption:
#: the baseline's exploited members leave, are arrested or are safeguarded at about 4.5% a month)
EXPLOITED_MONTHS_IN_GROUP_AT_START = 22.0


def set_adulthood(model, children: np.ndarray, at_start: bool = False) -> None:
    """The month each child in `children` turns 18, drawn from its own stream (so other draws do not
    move): ages at recruitment spread evenly from `child_recruit_age_min_years` to 18. Members
    found at the start (`at_start`) were recruited a while ago (exponential, mean
    `EXPLOITED_MONTHS_IN_GROUP_AT_START`): those who have turned 18 since are adults, so the
    stock of children starts near the share the model settles at, not at the recruits' share."""
    if children.size == 0:
        return
    rng = model.streams["ageing"]
    years_left = max(18.0 - model.params.child_recruit_age_min_years, 0.0)
    adult = model.month + 12.0 * years_left * rng.random(children.size)
    if at_start:
        adult -= rng.exponential(EXPLOITED_MONTHS_IN_GROUP_AT_START, children.size)
        grown = adult <= model.month
        model.members.child[children[grown]] = False
        children, adult = children[~grown], adult[~grown]
    model.members.adult_month[children] = adult


def come_of_age(model) -> None:
    """Children who turn 18 during this step are children no longer (whatever their status)."""
    members = model.members
    children = members.child.nonzero()[0]
    grown = children[due(model, members.adult_month[children])]
    members.child[grown] = False


def exploitation_and_desistance(model) -> None:
    members, ocgs, params, dt = model.members, model.ocgs, model.params, model.months_per_step
    rng = model.streams["exploitation"]
    p_identify = per_step_probability(params.exploited_identification_prob_per_month, dt)
    p_desist = per_step_probability(min(params.desistance_prob_per_month * model.modifiers.desistance_multiplier, 1.0), dt)
    # Competing rare events, one draw each: exploited members are first identified (u < p_identify),
    # any non-leader may desist (the next p_desist of the range).
    candidate, u = thinned_bernoulli(rng, model.active_rows(), p_identify + p_desist)
    still = members.status[candidate] == ACTIVE
    candidate, u = candidate[still], u[still]
    role = members.role[candidate]
    exploited = role == EXPLOITED
    identified = exploited & (u < p_identify)
    desist = (role != LEADER) & (u >= p_identify) & (u < p_identify + p_desist)
    area = ocgs.area[members.ocg[candidate]]
    model.tally.add("nrm_referrals", area[identified])
    model.tally.add("nrm_referrals_criminal", area[identified])
    model.tally.add("nrm_referrals_repeat", area[identified & members.referred[candidate]])
    members.referred[candidate[identified]] = True
    safeguarded = identified & (rng.random(candidate.size) < params.identified_exploited_exit_prob)
    leaving = candidate[safeguarded | desist]
    members.status[leaving] = EXITED
    model.tally.add("leavers", ocgs.area[members.ocg[leaving]])

    slavery = model.markets.served[:, MODERN_SLAVERY]
    referred = rng.binomial(np.rint(slavery).astype(np.int64),
                            per_step_probability(params.slavery_victim_referral_prob_per_month, dt))
    model.tally.add_by_area("nrm_referrals", referred)

