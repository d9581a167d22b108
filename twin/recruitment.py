"""Recruitment, exploitation and desistance.

OCGs fill vacancies (target size minus active members) from their area's at-risk pool; prison
is priced in, so arrested members are replaced. Recruitment slows as the area's members approach
the pool (`at_risk_pool_half_saturation`). Some recruits are exploited (victims made offenders),
children among them. Exploited members are identified and referred to the National Referral
Mechanism (NRM) at a monthly rate and some are safeguarded out; victims of labour and sexual
exploitation (a market count, not agents) are referred at their own rate. Active members leave
crime at a small monthly rate.

Each process is a compiled kernel (`compiled.py`) looping over groups or members in row order;
the public functions gather its inputs, call it and record its counts by area in the step's
tally. Kernels draw from the phase's stream in the order the numpy version drew (a draw made for
every row is made for every row). Two draws are written out rather than called from the
generator, for speed, with the same results: `streams.thinned_candidates` (numpy's geometric, with its
logarithm taken once rather than per draw) and `_binomial_inversion` (numpy's inversion method
for binomials, skipping its exp and log when the first uniform alone settles the outcome); tests/test_recruitment.py checks both
against numpy.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import kernel
from twin.parameters import per_step_probability
from twin.streams import thinned_candidates
from twin.vocabulary import (
    ACTIVE, COCAINE, CORE, EXITED, EXPLOITED, HEROIN_CRACK, LEADER, MODERN_SLAVERY, WORKER,
)

MAX_TARGET_GROWTH = 3.0  # target size is capped at this multiple of an OCG's base size
CAPITAL_RESERVE_MONTHS = 6.0  # months of profit a group holds to recruit at full speed (assumption)


def at_risk_pool(model) -> np.ndarray:
    """People at risk of recruitment or exploitation, per area."""
    return (model.geography.population * model.params.at_risk_share_of_population
            * model.vulnerability * model.modifiers.vulnerability_multiplier)


def update_targets(model) -> None:
    """OCGs aim to grow where the markets they sell in have unmet demand."""
    vacancy = model.markets.vacancy()  # [area, market] (see operations.operate)
    _grow_targets(model.supply_entries[0], model.supply_cells, vacancy.reshape(-1),
                  model.params.target_size_growth_with_vacancy, MAX_TARGET_GROWTH, model.ocgs.base_size,
                  model.ocgs.target_size)


@kernel
def _grow_targets(entry_ocg, entry_cell, vacancy_share, growth_per_vacancy, max_growth, base_size, target_size):
    """Each OCG's target size: its base size grown by the mean unserved share of demand over its
    supply entries (entry `e` sells in flat [area, market] cell `entry_cell[e]`), at most
    `max_growth` times the base size. Writes `target_size`."""
    n_ocgs = base_size.size
    vacancy_sum = np.zeros(n_ocgs)
    entries = np.zeros(n_ocgs, dtype=np.int64)
    for e in range(entry_ocg.size):  # in entry order, as np.bincount adds its weights
        vacancy_sum[entry_ocg[e]] += vacancy_share[entry_cell[e]]
        entries[entry_ocg[e]] += 1
    for g in range(n_ocgs):
        mean_vacancy = vacancy_sum[g] / max(entries[g], 1)
        grown = base_size[g] * (1.0 + growth_per_vacancy * mean_vacancy)
        cap = max_growth * base_size[g]
        target_size[g] = cap if grown > cap else grown  # np.minimum (a nan stays nan)


def recruit(model) -> None:
    """Groups fill their vacancies: whole posts, a fractional one by chance, each filled this step
    with a probability that falls with the area's saturation and rises with reputation and capital."""
    ocgs, params, dt = model.ocgs, model.params, model.months_per_step
    vacancy, stay_per_month = _vacancies(
        at_risk_pool(model), params.at_risk_pool_half_saturation, ocgs.area, model.active_members,
        ocgs.target_size, ocgs.active, ocgs.capital_gbp, ocgs.revenue_gbp, CAPITAL_RESERVE_MONTHS, dt,
        params.profit_margin, params.recruitment_fill_rate_per_month, ocgs.reputation, model.geography.n_areas)
    # per_step_probability(fill, dt) is 1 - (1 - fill) ** dt: the power is taken in numpy (its SIMD
    # pow may differ from libm's in the last bit); x ** 1.0 is x, so monthly steps skip it.
    stay = stay_per_month if dt == 1.0 else stay_per_month ** dt
    owner, role, child, known, children_by_area, joiners_by_area = _recruits(
        model.streams["recruitment"], vacancy, stay, ocgs.area, ocgs.target_size, model.active_by_role,
        ocgs.markets, params.exploited_member_share_drugs, params.exploited_member_share_other,
        params.core_member_share * 0.5, ocgs.known, ocgs.intel, params.child_share_of_exploited,
        model.geography.n_areas)
    if owner.size == 0:
        return
    _append_joiners(model, owner, role, child, known, children_by_area, joiners_by_area)
    model.tally.add_by_area("recruits", joiners_by_area)


@kernel
def _vacancies(pool, half_saturation, ocg_area, active_members, target_size, ocg_active, capital_gbp,
               revenue_gbp, reserve_months, months_per_step, profit_margin, fill_rate_per_month, reputation,
               n_areas):
    """Each OCG's vacancy (target size minus active members, 0 for inactive groups) and the
    chance that a post stays unfilled for a month, 1 - fill (fill clipped to 0-1). Fill falls
    with the area's saturation (active members against the at-risk `pool`) and rises with
    reputation and with capital up to `reserve_months` of profit."""
    active_in_area = np.zeros(n_areas)
    for g in range(ocg_area.size):  # in group order, as np.bincount adds its weights
        active_in_area[ocg_area[g]] += active_members[g]
    availability = np.empty(n_areas)
    for a in range(n_areas):
        saturation = half_saturation * pool[a]
        availability[a] = 1.0 / (1.0 + active_in_area[a] / (1e-9 if saturation < 1e-9 else saturation))
    n_ocgs = ocg_area.size
    vacancy = np.empty(n_ocgs)
    stay_per_month = np.empty(n_ocgs)
    for g in range(n_ocgs):
        gap = target_size[g] - active_members[g]
        if gap < 0.0:  # np.maximum(gap, 0): a nan stays nan
            gap = 0.0
        vacancy[g] = gap * (1.0 if ocg_active[g] else 0.0)
        # Recruiting costs money: groups short of capital (frozen, seized) recruit more slowly.
        reserve_gbp = reserve_months * revenue_gbp[g] / months_per_step * profit_margin
        reserve = capital_gbp[g] / (1.0 if reserve_gbp < 1.0 else reserve_gbp)
        if reserve > 1.0:
            reserve = 1.0
        fill = (fill_rate_per_month * availability[ocg_area[g]] * (0.5 + reputation[g])
                * (0.5 + 0.5 * reserve))
        if fill < 0.0:
            fill = 0.0
        elif fill > 1.0:
            fill = 1.0
        stay_per_month[g] = 1.0 - fill
    return vacancy, stay_per_month


@kernel
def _recruits(rng, vacancy, stay, ocg_area, target_size, active_by_role, markets, exploited_share_drugs,
              exploited_share_other, core_share, ocg_known, ocg_intel, child_share, n_areas):
    """This step's recruits: (group, role, child, known) per recruit, in group order, and the
    children and recruits per area.

    Draws, in this order: one uniform per group (a fractional vacancy is a post with that
    chance), a binomial per group with posts open (each filled with probability 1 - `stay`),
    then for the recruits a uniform each for the role (the draws of `members.role_layout` without
    leaders), then those of `_joiners`. Nothing is drawn after the binomials when no one is recruited.
    """
    n_ocgs = vacancy.size
    posts = np.empty(n_ocgs, dtype=np.int64)
    for g in range(n_ocgs):
        whole = np.floor(vacancy[g])
        posts[g] = np.int64(whole)
        if rng.random() < vacancy[g] - whole:  # drawn for every group
            posts[g] += 1
    filled = np.zeros(n_ocgs, dtype=np.int64)
    total = 0
    for g in range(n_ocgs):
        if posts[g] == 0:
            continue
        fill = 1.0 - stay[g]
        if fill <= 0.5 and fill * posts[g] <= 30.0:  # numpy's method for rng.binomial(posts, fill)
            filled[g] = _binomial_inversion(rng, posts[g], fill)
        else:
            filled[g] = rng.binomial(posts[g], fill)
        total += filled[g]
    owner = np.empty(total, dtype=np.int64)
    role = np.empty(total, dtype=np.int8)
    known_prob = np.empty(total)
    if total == 0:
        return (owner, role, np.empty(0, dtype=np.bool_), np.empty(0, dtype=np.bool_), np.zeros(n_areas),
                np.zeros(n_areas))
    # Recruits restore the group's structure: exploited places are refilled with exploited people.
    r = 0
    for g in range(n_ocgs):
        if filled[g] == 0:
            continue
        drugs = markets[g, HEROIN_CRACK] or markets[g, COCAINE]
        wanted_share = exploited_share_drugs if drugs else exploited_share_other
        exploited_gap = wanted_share * target_size[g] - active_by_role[g, EXPLOITED]
        if exploited_gap < 0.0:
            exploited_gap = 0.0
        exploited_share = exploited_gap / (1.0 if vacancy[g] < 1.0 else vacancy[g])
        if exploited_share < 0.0:
            exploited_share = 0.0
        elif exploited_share > 1.0:
            exploited_share = 1.0
        exploited_below = core_share + (1 - core_share) * exploited_share
        for _ in range(filled[g]):
            owner[r] = g
            u = rng.random()
            role[r] = CORE if u < core_share else (EXPLOITED if u < exploited_below else WORKER)
            known_prob[r] = 0.5 * ocg_intel[g] if ocg_known[g] else 0.0
            r += 1
    child, known, children_by_area, joiners_by_area = _joiners(rng, owner, role, known_prob, child_share,
                                                               ocg_area, n_areas)
    return owner, role, child, known, children_by_area, joiners_by_area


def add_members(model, owner: np.ndarray, role: np.ndarray, rng: np.random.Generator, known_prob) -> np.ndarray:
    """Append new active members of OCGs `owner` with roles `role`; count them as joiners."""
    if type(known_prob) in (int, float):  # one probability for all (entrants: 0.0)
        known_prob = np.full(owner.shape, float(known_prob))
    else:
        known_prob = np.broadcast_to(np.asarray(known_prob, dtype=float), owner.shape)
    child, known, children_by_area, joiners_by_area = _joiners(
        rng, owner, role, known_prob, model.params.child_share_of_exploited, model.ocgs.area,
        model.geography.n_areas)
    return _append_joiners(model, owner, role, child, known, children_by_area, joiners_by_area)


@kernel
def _joiners(rng, owner, role, known_prob, child_share, ocg_area, n_areas):
    """Which joiners are children (exploited ones, with probability `child_share`) and known
    (probability `known_prob`), and the children and joiners per area. Draws a uniform per
    joiner for child, then one per joiner for known."""
    size = owner.size
    child = np.empty(size, dtype=np.bool_)
    known = np.empty(size, dtype=np.bool_)
    children_by_area = np.zeros(n_areas)
    joiners_by_area = np.zeros(n_areas)
    for j in range(size):
        drawn = rng.random() < child_share  # drawn for every joiner, exploited or not
        child[j] = drawn and role[j] == EXPLOITED
    for j in range(size):
        known[j] = rng.random() < known_prob[j]
        area = ocg_area[owner[j]]
        joiners_by_area[area] += 1.0
        if child[j]:
            children_by_area[area] += 1.0
    return child, known, children_by_area, joiners_by_area


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
    _come_of_age(model.members.child, model.members.adult_month, model.month + 0.5 * model.months_per_step)


@kernel
def _come_of_age(child, adult_month, due_before_month):
    """Clear `child` for members whose `adult_month` is before `due_before_month`."""
    for m in range(child.size):
        # Written for every row, without a branch, so the loop vectorises.
        child[m] = child[m] & (not (adult_month[m] < due_before_month))


def exploitation_and_desistance(model) -> None:
    """Exploited members identified and referred to the NRM (some safeguarded out), members
    desisting, and victims in the slavery market referred."""
    members, ocgs, params, dt = model.members, model.ocgs, model.params, model.months_per_step
    p_identify = per_step_probability(params.exploited_identification_prob_per_month, dt)
    p_desist = per_step_probability(min(params.desistance_prob_per_month * model.modifiers.desistance_multiplier, 1.0), dt)
    identified, repeat, leavers, slavery_referred = _exploit_and_desist(
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


@kernel
def _exploit_and_desist(rng, rows, p_identify, p_desist, status, role, referred, member_ocg, ocg_area,
                        exit_prob, served, slavery_market, p_slavery_referral, n_areas):
    """Identification of exploited members, desistance, and referrals of slavery victims.

    Competing rare events, one draw each: among active members (`rows`, a superset re-checked
    here), exploited ones are identified (u < p_identify) and referred to the NRM; any
    non-leader may desist (the next p_desist of the range). Each candidate still active draws a
    uniform: identified ones are safeguarded out below `exit_prob`. Then a binomial per area
    refers victims served in the slavery market (rounded to whole people). Writes `status` and
    `referred`; returns identified, repeat referrals and leavers per area, and slavery victims
    referred per area.
    """
    p_either = p_identify + p_desist
    candidate, u = thinned_candidates(rng, rows, p_either)
    identified_by_area = np.zeros(n_areas)
    repeat_by_area = np.zeros(n_areas)
    leavers_by_area = np.zeros(n_areas)
    for k in range(candidate.size):
        m = candidate[k]
        if status[m] != ACTIVE:
            continue
        area = ocg_area[member_ocg[m]]
        identified = role[m] == EXPLOITED and u[k] < p_identify
        desist = role[m] != LEADER and u[k] >= p_identify and u[k] < p_either
        safeguard_draw = rng.random()  # drawn for every candidate still active
        if identified:
            identified_by_area[area] += 1.0
            if referred[m]:
                repeat_by_area[area] += 1.0
            referred[m] = True
        if (identified and safeguard_draw < exit_prob) or desist:
            status[m] = EXITED
            leavers_by_area[area] += 1.0
    slavery_referred = np.empty(n_areas, dtype=np.int64)
    for a in range(n_areas):
        slavery_referred[a] = rng.binomial(np.int64(np.rint(served[a, slavery_market])), p_slavery_referral)
    return identified_by_area, repeat_by_area, leavers_by_area, slavery_referred


# ---------------------------------------------------------------------- draws


@kernel
def _binomial_inversion(rng, n, p):
    """`rng.binomial(n, p)` where numpy draws it by inversion (p <= 0.5, n p <= 30): the same
    value from the same uniforms.

    X = 0 when the first uniform U is at most (1 - p)^n, computed as exp(n log(1 - p)). Since
    (1 - p)^n >= 1 - n p, a U below 1 - n p minus a margin far above the rounding error of exp
    and log (under 1e-9 for n <= 1e6) gives X = 0 whatever their last bits, without computing
    them. Otherwise the inversion goes on from U as numpy's does (numba's copy of its code).
    The caller picks the method (with the generator's own binomial in this function as the
    other branch, the recruits' loop ran a third slower).
    """
    if n == 0 or p == 0.0:
        return 0
    u = rng.random()
    if n <= 1_000_000 and u <= 1.0 - n * p - 1e-9:
        return 0
    q = 1.0 - p
    qn = np.exp(n * np.log(q))
    mean = n * p
    bound = min(n, mean + 10.0 * np.sqrt(mean * q + 1))
    x = 0
    px = qn
    while u > px:
        x += 1
        if x > bound:  # restart (numpy draws a new uniform)
            x = 0
            px = qn
            u = rng.random()
        else:
            u -= px
            px = ((n - x + 1) * p * px) / (x * q)
    return x
