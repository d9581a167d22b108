"""Recruitment, exploitation and desistance.

OCGs fill vacancies (target size minus active members) from their area's at-risk pool; prison
is priced in, so arrested members are replaced. Recruitment slows as the area's members approach
the pool (`at_risk_pool_half_saturation`). Some recruits are exploited (victims made offenders),
children among them. Exploited members are identified and referred to the National Referral
Mechanism (NRM) at a monthly rate and some are safeguarded out; victims of labour and sexual
exploitation (a market count, not agents) are referred at their own rate. Active members leave
crime at a small monthly rate.

Each phase is one compiled kernel (`compiled.py`) looping over groups or members in row order; it
draws from the phase's streams, passed as handles (`compiled.generator_argument`), and adds its
counts by area to the step's tally. The public functions gather its inputs and append the
recruits to the member table. Kernels draw from the phase's stream in the order the numpy version
drew (a draw made for every row is made for every row). Two draws are written out rather than
called from the generator, for speed, with the same results: `streams.thinned_listed` (numpy's
geometric, with its logarithm taken once rather than per draw) and `_binomial_inversion` (numpy's
inversion method for binomials, skipping its exp and log when the first uniform alone settles the
outcome); tests/test_recruitment.py checks both against numpy.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import NOT_GIVEN, as_generator, generator_argument, kernel, uniform
from twin.shared_kernels import add_to_tally
from twin.members import roles_from_uniforms
from twin.parameters import per_step_probability
from twin.streams import thinned_listed
from twin.vocabulary import ACTIVE, COCAINE, EXITED, EXPLOITED, HEROIN_CRACK, LEADER, MODERN_SLAVERY



def update_targets(model) -> None:
    """OCGs aim to grow where the markets they sell in have unmet demand."""
    vacancy = model.markets.vacancy()  # [area, market] (see operations.operate)
    _grow_targets(model.supply_entries[0], model.supply_cells, vacancy.reshape(-1),
                  model.params.target_size_growth_with_vacancy, model.ocgs.base_size, model.ocgs.target_size)


@kernel
def _grow_targets(entry_ocg, entry_cell, vacancy_share, growth_per_vacancy, base_size, target_size):
    """Each OCG's target size: its base size grown by the mean unserved share of demand over its
    supply entries (entry `e` sells in flat [area, market] cell `entry_cell[e]`). The unserved
    share is at most 1, so the target is at most (1 + `growth_per_vacancy`) times the base size.
    Writes `target_size`."""
    n_ocgs = base_size.size
    vacancy_sum = np.zeros(n_ocgs)
    entries = np.zeros(n_ocgs, dtype=np.int64)
    for e in range(entry_ocg.size):  # in entry order, as np.bincount adds its weights
        vacancy_sum[entry_ocg[e]] += vacancy_share[entry_cell[e]]
        entries[entry_ocg[e]] += 1
    for g in range(n_ocgs):
        mean_vacancy = vacancy_sum[g] / max(entries[g], 1)
        target_size[g] = base_size[g] * (1.0 + growth_per_vacancy * mean_vacancy)


def recruit(model) -> None:
    """Groups fill their vacancies: whole posts, a fractional one by chance, each filled this step
    with a probability that falls with the area's saturation and rises with reputation and capital.
    The people at risk of recruitment or exploitation in an area (the pool) are its population
    times `at_risk_share_of_population`, its vulnerability and the levers' multiplier."""
    ocgs, params, dt, tally = model.ocgs, model.params, model.months_per_step, model.tally
    vacancy_inputs = (model.geography.population, params.at_risk_share_of_population, model.vulnerability,
                      model.modifiers.vulnerability_multiplier, params.at_risk_pool_half_saturation, ocgs.area,
                      model.active_members, ocgs.target_size, ocgs.active, ocgs.capital_gbp, ocgs.revenue_gbp_per_step,
                      params.capital_reserve_months, dt, params.profit_margin, params.recruitment_fill_rate_per_month,
                      ocgs.reputation)
    vacancy = stay_per_step = NOT_GIVEN  # a month: the kernel finds both (the monthly chance, as it is)
    if dt != 1.0:
        # per_step_probability(fill, dt) is 1 - (1 - fill) ** dt: the power is taken in numpy (its SIMD
        # pow may differ from libm's in the last bit), so the vacancies are found here, once.
        vacancy, stay_per_month = _vacancies(*vacancy_inputs)
        stay_per_step = stay_per_month ** dt
    rows = (tally.row("recruits"), tally.row("recruits_children"), tally.row("joiners"))
    owner, role, child, known, adult_month = _recruit_step(
        *vacancy_inputs, vacancy, stay_per_step, ocgs.markets, model.active_by_role,
        params.exploited_member_share_drugs, params.exploited_member_share_other, params.core_member_share * params.recruit_core_share_ratio,
        params.recruit_known_intel_ratio, ocgs.known, ocgs.intel,
        params.child_share_of_exploited, _months_to_adulthood(params), model.month, tally.values, rows,
        generator_argument(model.streams["recruitment"]), generator_argument(model.streams["ageing"]))
    if owner.size > 0:
        model.members.append(owner.size, ocg=owner, role=role, child=child, known=known,
                             joined_step=model.steps_done, adult_month=adult_month)


@kernel
def _recruit_step(population, at_risk_share, vulnerability, vulnerability_multiplier, half_saturation, ocg_area,
                  active_members, target_size, ocg_active, capital_gbp, revenue_gbp_per_step, reserve_months,
                  months_per_step, profit_margin, fill_rate_per_month, reputation, given_vacancy, stay_per_step,
                  markets, active_by_role, exploited_share_drugs, exploited_share_other, core_share, known_ratio,
                  ocg_known, ocg_intel, child_share, months_to_adulthood, month, tally, tally_rows, recruitment_handle,
                  ageing_handle):
    """The recruitment phase: vacancies and the chance a post stays unfilled (`_vacancies`), this
    step's recruits (`_recruits`) and who they are (`_joiners`), drawn from the recruitment stream
    (and the ageing stream for children's ages). For steps other than a month the caller has found
    the vacancies (`given_vacancy`) and the chance a post stays unfilled over the step
    (`stay_per_step`); for monthly steps both are empty and found here (the monthly chance). Adds
    the recruits, children recruited and joiners by area to the tally rows `tally_rows` (in that
    order).
    Returns the recruits' columns: group, role, child, known and the month they turn 18."""
    vacancy, stay = given_vacancy, stay_per_step
    if stay_per_step.size == 0:
        vacancy, stay = _vacancies(population, at_risk_share, vulnerability, vulnerability_multiplier,
                                   half_saturation, ocg_area, active_members, target_size, ocg_active, capital_gbp,
                                   revenue_gbp_per_step, reserve_months, months_per_step, profit_margin,
                                   fill_rate_per_month, reputation)
    owner, role, known_prob = _recruits(as_generator(recruitment_handle), vacancy, stay, target_size, active_by_role,
                                        markets, exploited_share_drugs, exploited_share_other, core_share,
                                        known_ratio, ocg_known, ocg_intel)
    recruits_row, children_row, joiners_row = tally_rows
    child, known, adult_month, joiners_by_area = _joiners(recruitment_handle, ageing_handle, owner, role, known_prob,
                                                          child_share, ocg_area, months_to_adulthood, month, tally,
                                                          children_row, joiners_row)
    add_to_tally(tally, recruits_row, joiners_by_area)
    return owner, role, child, known, adult_month


@kernel
def _vacancies(population, at_risk_share, vulnerability, vulnerability_multiplier, half_saturation, ocg_area,
               active_members, target_size, ocg_active, capital_gbp, revenue_gbp_per_step, reserve_months,
               months_per_step, profit_margin, fill_rate_per_month, reputation):
    """Each OCG's vacancy (target size minus active members, 0 for inactive groups) and the
    chance that a post stays unfilled for a month, 1 - fill (fill clipped to 0-1). Fill falls
    with the area's saturation (active members against the at-risk pool) and rises with
    reputation and with capital up to `reserve_months` of profit."""
    n_areas = population.size
    pool = np.empty(n_areas)
    for a in range(n_areas):  # multiplied in the order numpy's expression did
        pool[a] = population[a] * at_risk_share * vulnerability[a] * vulnerability_multiplier[a]
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
        # Recruiting costs money: groups short of capital (seized, frozen, fined) recruit more slowly.
        reserve_gbp = reserve_months * revenue_gbp_per_step[g] / months_per_step * profit_margin
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
def _recruits(rng, vacancy, stay, target_size, active_by_role, markets, exploited_share_drugs, exploited_share_other,
              core_share, known_ratio, ocg_known, ocg_intel):
    """This step's recruits: group, role and chance of being known per recruit, in group order.

    Draws, in this order: one uniform per group (a fractional vacancy is a post with that
    chance), a binomial per group with posts open (each filled with probability 1 - `stay`),
    then for the recruits a uniform each for the role, laid out by `members.roles_from_uniforms`
    without leaders (core below `core_share`, exploited below core_share + (1 - core_share) x the
    group's exploited share, else worker). The caller's `_joiners` draws next, from the same stream.
    """
    n_ocgs = vacancy.size
    posts = np.empty(n_ocgs, dtype=np.int64)
    for g in range(n_ocgs):
        whole = np.floor(vacancy[g])
        posts[g] = np.int64(whole)
        if uniform(rng) < vacancy[g] - whole:  # drawn for every group
            posts[g] += 1
    filled = np.zeros(n_ocgs, dtype=np.int64)
    total = 0
    for g in range(n_ocgs):
        if posts[g] == 0:
            continue
        filled[g] = binomial_draw(rng, posts[g], 1.0 - stay[g])
        total += filled[g]
    # Recruits restore the group's structure: exploited places are refilled with exploited people.
    # The groups with recruits (in group order), their recruits and exploited share, for the layout.
    recruiting = np.empty(n_ocgs, dtype=np.int64)
    recruits_in = np.empty(n_ocgs, dtype=np.int64)
    exploited_share = np.empty(n_ocgs)
    n_recruiting = 0
    for g in range(n_ocgs):
        if filled[g] == 0:
            continue
        drugs = markets[g, HEROIN_CRACK] or markets[g, COCAINE]
        wanted_share = exploited_share_drugs if drugs else exploited_share_other
        exploited_gap = wanted_share * target_size[g] - active_by_role[g, EXPLOITED]
        if exploited_gap < 0.0:
            exploited_gap = 0.0
        share = exploited_gap / (1.0 if vacancy[g] < 1.0 else vacancy[g])
        if share < 0.0:
            share = 0.0
        elif share > 1.0:
            share = 1.0
        recruiting[n_recruiting], recruits_in[n_recruiting], exploited_share[n_recruiting] = g, filled[g], share
        n_recruiting += 1
    u = np.empty(total)  # a uniform per recruit, in group order
    for r in range(total):
        u[r] = uniform(rng)
    position, role = roles_from_uniforms(recruits_in[:n_recruiting], u, core_share, exploited_share[:n_recruiting],
                                         False)
    owner = np.empty(total, dtype=np.int64)
    known_prob = np.empty(total)
    for r in range(total):
        g = recruiting[position[r]]
        owner[r] = g
        known_prob[r] = known_ratio * ocg_intel[g] if ocg_known[g] else 0.0
    return owner, role, known_prob


def add_members(model, owner: np.ndarray, role: np.ndarray, rng: np.random.Generator, known_prob) -> np.ndarray:
    """Append new active members of OCGs `owner` with roles `role`; count them as joiners."""
    if type(known_prob) in (int, float):  # one probability for all (entrants: 0.0)
        known_prob = np.full(owner.shape, float(known_prob))
    else:
        known_prob = np.broadcast_to(np.asarray(known_prob, dtype=float), owner.shape)
    tally, params = model.tally, model.params
    children_row, joiners_row = tally.row("recruits_children"), tally.row("joiners")
    child, known, adult_month, _ = _joiners(
        generator_argument(rng), generator_argument(model.streams["ageing"]), owner, role, known_prob,
        params.child_share_of_exploited, model.ocgs.area, _months_to_adulthood(params), model.month, tally.values,
        children_row, joiners_row)
    return model.members.append(owner.size, ocg=owner, role=role, status=ACTIVE, child=child, known=known,
                                joined_step=model.steps_done, adult_month=adult_month)


@kernel
def _joiners(rng_handle, ageing_handle, owner, role, known_prob, child_share, ocg_area, months_to_adulthood, month,
             tally, children_row, joiners_row):
    """Which joiners are children (exploited ones, with probability `child_share`) and known
    (probability `known_prob`), drawn from the stream of `rng_handle`: a uniform per joiner for
    child, then one per joiner for known. Each child turns 18 `months_to_adulthood` times a
    uniform after `month` (one uniform per child from the ageing stream, as `set_adulthood`
    draws; adults' months are infinite). Adds the children and joiners by area to their tally
    rows. Returns child, known, the month of turning 18 and the joiners by area."""
    rng = as_generator(rng_handle)
    size = owner.size
    n_areas = tally.shape[1]
    child = np.empty(size, dtype=np.bool_)
    known = np.empty(size, dtype=np.bool_)
    adult_month = np.full(size, np.inf)
    children_by_area = np.zeros(n_areas)
    joiners_by_area = np.zeros(n_areas)
    for j in range(size):
        drawn = uniform(rng) < child_share  # drawn for every joiner, exploited or not
        child[j] = drawn and role[j] == EXPLOITED
    for j in range(size):
        known[j] = uniform(rng) < known_prob[j]
        area = ocg_area[owner[j]]
        joiners_by_area[area] += 1.0
        if child[j]:
            children_by_area[area] += 1.0
    ageing = as_generator(ageing_handle)
    for j in range(size):
        if child[j]:
            adult_month[j] = month + months_to_adulthood * uniform(ageing)
    add_to_tally(tally, children_row, children_by_area)
    add_to_tally(tally, joiners_row, joiners_by_area)
    return child, known, adult_month, joiners_by_area


def _months_to_adulthood(params) -> float:
    """Months from recruitment to 18 for the youngest recruits (ages spread evenly up to 18)."""
    return 12.0 * max(18.0 - params.child_recruit_age_min_years, 0.0)


#: mean months the exploited members present at the start have been in their groups (assumption:
#: the baseline's exploited members leave, are arrested or are safeguarded at about 4.5% a month)
EXPLOITED_MONTHS_IN_GROUP_AT_START = 22.0


def set_adulthood(model, children: np.ndarray, at_start: bool = False) -> None:
    """The month each child in `children` turns 18, drawn from its own stream (so other draws do not
    move): ages at recruitment spread evenly from `child_recruit_age_min_years` to 18 (the draws
    `_joiners` makes for the children who join during a run). Members
    found at the start (`at_start`) were recruited a while ago (exponential, mean
    `EXPLOITED_MONTHS_IN_GROUP_AT_START`): those who have turned 18 since are adults, so the
    stock of children starts near the share the model settles at, not at the recruits' share."""
    if children.size == 0:
        return
    rng = model.streams["ageing"]
    adult = model.month + _months_to_adulthood(model.params) * rng.random(children.size)
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
    members, params, dt, tally = model.members, model.params, model.months_per_step, model.tally
    p_identify = per_step_probability(params.exploited_identification_prob_per_month, dt)
    p_desist = _desistance_by_area(params.desistance_prob_per_month, model.modifiers.desistance_multiplier, dt)
    census_rows, first_new_row = model.active_row_parts()
    rows = (tally.row("nrm_referrals"), tally.row("nrm_referrals_criminal"), tally.row("nrm_referrals_repeat"),
            tally.row("leavers"))
    _exploit_and_desist(
        rng_handle=generator_argument(model.streams["exploitation"]), census_rows=census_rows,
        first_new_row=first_new_row, p_identify=p_identify, p_desist=p_desist, status=members.status, role=members.role,
        on_bail=members.on_bail, remand_months=members.remand_months, referred=members.referred, member_ocg=members.ocg,
        ocg_area=model.ocgs.area, exit_prob=params.identified_exploited_exit_prob, served=model.markets.served,
        slavery_market=MODERN_SLAVERY,
        p_slavery_referral=per_step_probability(params.slavery_victim_referral_prob_per_month, dt), tally=tally.values,
        tally_rows=rows)


def _desistance_by_area(monthly: float, multiplier: np.ndarray, dt: float) -> np.ndarray:
    """Each area's chance a step that a member leaves crime: the base chance, where no lever acts,
    taken once as a scalar (numpy's vectorised power can differ from the scalar one in the last bit)."""
    base = per_step_probability(min(monthly, 1.0), dt)
    p = np.full(multiplier.size, base)
    for area in np.flatnonzero(multiplier != 1.0):
        p[area] = per_step_probability(min(monthly * float(multiplier[area]), 1.0), dt)
    return p


@kernel
def _exploit_and_desist(rng_handle, census_rows, first_new_row, p_identify, p_desist, status, role, on_bail,
                        remand_months, referred, member_ocg, ocg_area, exit_prob, served, slavery_market,
                        p_slavery_referral, tally, tally_rows):
    """Identification of exploited members, desistance, and referrals of slavery victims.

    Competing rare events, one draw each: among active members (the list of `census_rows` then
    every row from `first_new_row`, a superset re-checked here), exploited ones are identified
    (u < p_identify) and referred to the NRM; any non-leader may desist (the next `p_desist` [area
    of the member's group] of the range; candidates are thinned at the largest area's chance,
    `streams.thinned_listed`; a defendant on bail who desists is still tried,
    `justice_kernels.courts_stage`). Each candidate still active draws a uniform: identified
    ones are safeguarded out below `exit_prob`, and a case on bail is then dropped. Then a
    binomial per area refers victims served in the slavery market (rounded to whole people).
    Writes `status`, `referred`, and `on_bail` and `remand_months` of a dropped case; adds by area
    to the tally rows `tally_rows` the NRM referrals (identified, then slavery victims), criminal
    and repeat referrals, and leavers.
    """
    rng = as_generator(rng_handle)
    p_either = p_identify + p_desist.max()
    candidate, u = thinned_listed(rng, census_rows, first_new_row, status.size, p_either)
    n_areas = tally.shape[1]
    identified_by_area = np.zeros(n_areas)
    repeat_by_area = np.zeros(n_areas)
    leavers_by_area = np.zeros(n_areas)
    for k in range(candidate.size):
        m = candidate[k]
        if status[m] != ACTIVE:
            continue
        area = ocg_area[member_ocg[m]]
        identified = role[m] == EXPLOITED and u[k] < p_identify
        desist = role[m] != LEADER and u[k] >= p_identify and u[k] < p_identify + p_desist[area]
        safeguard_draw = uniform(rng)  # drawn for every candidate still active
        if identified:
            identified_by_area[area] += 1.0
            if referred[m]:
                repeat_by_area[area] += 1.0
            referred[m] = True
        if (identified and safeguard_draw < exit_prob) or desist:
            status[m] = EXITED
            if identified and on_bail[m]:  # safeguarded on bail: the case is dropped (the section 45 defence)
                on_bail[m] = False
                remand_months[m] = 0.0
            leavers_by_area[area] += 1.0
    nrm_row, criminal_row, repeat_row, leavers_row = tally_rows
    add_to_tally(tally, nrm_row, identified_by_area)
    add_to_tally(tally, criminal_row, identified_by_area)
    add_to_tally(tally, repeat_row, repeat_by_area)
    add_to_tally(tally, leavers_row, leavers_by_area)
    for a in range(n_areas):
        referred_victims = rng.binomial(np.int64(np.rint(served[a, slavery_market])), p_slavery_referral)
        tally[nrm_row, a] += referred_victims


# ---------------------------------------------------------------------- draws


@kernel
def binomial_draw(rng, n, p):
    """`rng.binomial(n, p)`, the same value from the same stream: numpy's inversion written out
    where numpy uses it (p <= 0.5, n p <= 30), else the generator's own binomial."""
    if p <= 0.5 and p * n <= 30.0:
        return _binomial_inversion(rng, n, p)
    return rng.binomial(n, p)


@kernel
def _binomial_inversion(rng, n, p):
    """`rng.binomial(n, p)` where numpy draws it by inversion (p <= 0.5, n p <= 30): the same
    value from the same uniforms.

    X = 0 when the first uniform U is at most (1 - p)^n, computed as exp(n log(1 - p)). Since
    (1 - p)^n >= 1 - n p, a U below 1 - n p minus a margin far above the rounding error of exp
    and log (under 1e-9 for n <= 1e6) gives X = 0 whatever their last bits, without computing
    them. Otherwise the inversion goes on from U as numpy's does (numba's copy of its code).
    `binomial_draw` picks the method (with the generator's own binomial in this function as the
    other branch, the recruits' loop ran a third slower).
    """
    if n == 0 or p == 0.0:
        return 0
    u = uniform(rng)
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
            u = uniform(rng)
        else:
            u -= px
            px = ((n - x + 1) * p * px) / (x * q)
    return x
