"""Recruitment, exploitation and desistance.

OCGs fill vacancies (target size minus active members) from their area's at-risk pool; prison
is priced in, so arrested members are replaced. Recruitment slows as the area's members approach
the pool (`at_risk_pool_half_saturation`). Some recruits are exploited (victims made offenders),
children among them. Exploited members are identified and referred to the National Referral
Mechanism (NRM) at a monthly rate and some are safeguarded out; victims of labour and sexual
exploitation (a market count, not agents) are referred at their own rate. Active members leave
crime at a small monthly rate.

Each process is a compiled kernel (`recruitment_kernels.py`) looping over groups or members; the
functions here gather its inputs, call it and record its counts by area in the step's tally.
"""

from __future__ import annotations

import numpy as np

from twin import recruitment_kernels as kernels
from twin.parameters import per_step_probability
from twin.vocabulary import ACTIVE, MODERN_SLAVERY

MAX_TARGET_GROWTH = 3.0  # target size is capped at this multiple of an OCG's base size
CAPITAL_RESERVE_MONTHS = 6.0  # months of profit a group holds to recruit at full speed (assumption)


def at_risk_pool(model) -> np.ndarray:
    """People at risk of recruitment or exploitation, per area."""
    return (model.geography.population * model.params.at_risk_share_of_population
            * model.vulnerability * model.modifiers.vulnerability_multiplier)


def update_targets(model) -> None:
    """OCGs aim to grow where the markets they sell in have unmet demand."""
    vacancy = model.markets.vacancy()  # [area, market] (see operations.operate)
    kernels.grow_targets(model.supply_entries[0], model.supply_cells, vacancy.reshape(-1),
                         model.params.target_size_growth_with_vacancy, MAX_TARGET_GROWTH, model.ocgs.base_size,
                         model.ocgs.target_size)


def recruit(model) -> None:
    """Groups fill their vacancies: whole posts, a fractional one by chance, each filled this step
    with a probability that falls with the area's saturation and rises with reputation and capital."""
    ocgs, params, dt = model.ocgs, model.params, model.months_per_step
    vacancy, stay_per_month = kernels.vacancies(
        at_risk_pool(model), params.at_risk_pool_half_saturation, ocgs.area, model.active_members,
        ocgs.target_size, ocgs.active, ocgs.capital_gbp, ocgs.revenue_gbp, CAPITAL_RESERVE_MONTHS, dt,
        params.profit_margin, params.recruitment_fill_rate_per_month, ocgs.reputation, model.geography.n_areas)
    # per_step_probability(fill, dt) is 1 - (1 - fill) ** dt: the power is taken in numpy (its SIMD
    # pow may differ from libm's in the last bit); x ** 1.0 is x, so monthly steps skip it.
    stay = stay_per_month if dt == 1.0 else stay_per_month ** dt
    owner, role, child, known, children_by_area, joiners_by_area = kernels.recruits(
        model.streams["recruitment"], vacancy, stay, ocgs.area, ocgs.target_size, model.active_by_role,
        ocgs.markets, params.exploited_member_share_drugs, params.exploited_member_share_other,
        params.core_member_share * 0.5, ocgs.known, ocgs.intel, params.child_share_of_exploited,
        model.geography.n_areas)
    if owner.size == 0:
        return
    _append_joiners(model, owner, role, child, known, children_by_area, joiners_by_area)
    model.tally.add_by_area("recruits", joiners_by_area)


def add_members(model, owner: np.ndarray, role: np.ndarray, rng: np.random.Generator, known_prob) -> np.ndarray:
    """Append new active members of OCGs `owner` with roles `role`; count them as joiners."""
    known_prob = np.broadcast_to(np.asarray(known_prob, dtype=float), owner.shape)
    child, known, children_by_area, joiners_by_area = kernels.joiners(
        rng, owner, role, known_prob, model.params.child_share_of_exploited, model.ocgs.area,
        model.geography.n_areas)
    return _append_joiners(model, owner, role, child, known, children_by_area, joiners_by_area)


def _append_joiners(model, owner, role, child, known, children_by_area, joiners_by_area) -> np.ndarray:
    idx = model.members.append(owner.size, ocg=owner, role=role, status=ACTIVE, child=child,
                               known=known, joined_step=model.steps_done)
    set_adulthood(model, idx[child])
    model.tally.add_by_area("recruits_children", children_by_area)
    model.tally.add_by_area("joiners", joiners_by_area)
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
    # Turning 18 is due in this step when dated before the step's middle (as `justice.due`).
    kernels.come_of_age(model.members.child, model.members.adult_month, model.month + 0.5 * model.months_per_step)


def exploitation_and_desistance(model) -> None:
    members, ocgs, params, dt = model.members, model.ocgs, model.params, model.months_per_step
    p_identify = per_step_probability(params.exploited_identification_prob_per_month, dt)
    p_desist = per_step_probability(min(params.desistance_prob_per_month * model.modifiers.desistance_multiplier, 1.0), dt)
    identified, repeat, leavers, slavery_referred = kernels.exploit_and_desist(
        model.streams["exploitation"], model.active_rows(), p_identify, p_desist, members.status, members.role,
        members.referred, members.ocg, ocgs.area, params.identified_exploited_exit_prob,
        model.markets.served, MODERN_SLAVERY,
        per_step_probability(params.slavery_victim_referral_prob_per_month, dt), model.geography.n_areas)
    tally = model.tally
    tally.add_by_area("nrm_referrals", identified)
    tally.add_by_area("nrm_referrals_criminal", identified)
    tally.add_by_area("nrm_referrals_repeat", repeat)
    tally.add_by_area("leavers", leavers)
    tally.add_by_area("nrm_referrals", slavery_referred)
