"""Compiled kernels of recruitment, exploitation and desistance (`recruitment.py`).

Each kernel loops over groups or members in row order and draws from the phase's stream in the
order the numpy version drew: a draw made "for every row" is made for every row here too.
Two draws are written out rather than called from the generator, for speed, with the same
results: `_geometric_gaps` (numpy's geometric, with its logarithm taken once rather than per
draw) and `_binomial` (numpy's inversion method, skipping its exp and log when the first uniform
alone settles the outcome).
"""

from __future__ import annotations

import numpy as np

from twin.compiled import kernel
from twin.vocabulary import ACTIVE, COCAINE, CORE, EXITED, EXPLOITED, HEROIN_CRACK, LEADER, WORKER


# ---------------------------------------------------------------------- draws


@kernel
def _binomial(rng, n, p):
    """`rng.binomial(n, p)`: the same value from the same uniforms.

    For p <= 0.5 and n p <= 30 numpy draws by inversion: X = 0 when its first uniform U is at most
    (1 - p)^n, computed as exp(n log(1 - p)). Since (1 - p)^n >= 1 - n p, a U below 1 - n p minus
    a margin far above the rounding error of exp and log (n <= 1e6: under 1e-9) gives X = 0
    whatever the last bits, without them. Otherwise the inversion goes on from U as numpy's does
    (numba's copy of it); other cases are left to the generator.
    """
    if n == 0 or p == 0.0:
        return 0
    if not (p <= 0.5 and p * n <= 30.0 and n <= 1_000_000):
        return rng.binomial(n, p)
    u = rng.random()
    if u <= 1.0 - n * p - 1e-9:
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


@kernel
def _geometric_gaps(rng, p, size, out, start):
    """`rng.geometric(p, size)` written into `out[start:start + size]` (p < 1/3: numpy's
    inversion, ceil(-E / log1p(-p)) for a standard exponential E, with log1p(-p) taken once)."""
    if p >= 0.333333333333333333333333:  # numpy's search method
        for k in range(size):
            out[start + k] = rng.geometric(p)
        return
    log_q = np.log1p(-p)
    for k in range(size):
        gap = np.ceil(-rng.standard_exponential() / log_q)
        out[start + k] = 9223372036854775807 if gap >= 9.223372036854775807e18 else np.int64(gap)


@kernel
def _thinned_candidates(rng, rows, p_max):
    """`streams.thinned_bernoulli(rng, rows, p_max)` with the same draws: the rows hit by
    Bernoulli(p_max) trials, found as geometric gaps drawn in the chunks of
    `streams.bernoulli_positions` (each chunk drawn whole, even past the last row), then a
    uniform for each row hit, times p_max."""
    n = rows.size
    if n == 0 or p_max <= 0.0:
        return rows[:0], np.empty(0)
    p = min(p_max, 1.0)
    if p >= 1.0:
        positions = np.arange(n)
        count = n
    else:
        positions = np.empty(0, dtype=np.int64)
        drawn = 0
        end = -1
        while True:
            expected = (n - 1 - end) * p
            chunk = int(expected + 4.0 * np.sqrt(expected) + 16)
            if drawn + chunk > positions.size:
                grown = np.empty(max(drawn + chunk, 2 * positions.size), dtype=np.int64)
                grown[:drawn] = positions[:drawn]
                positions = grown
            _geometric_gaps(rng, p, chunk, positions, drawn)
            for k in range(drawn, drawn + chunk):
                end += positions[k]
                positions[k] = end
            drawn += chunk
            if end >= n - 1:
                break
        count = np.searchsorted(positions[:drawn], n)
    chosen = np.empty(count, dtype=rows.dtype)
    u = np.empty(count)
    for k in range(count):
        chosen[k] = rows[positions[k]]
    for k in range(count):
        u[k] = rng.random() * p
    return chosen, u


# ---------------------------------------------------------------------- targets


@kernel
def grow_targets(entry_ocg, entry_cell, vacancy_share, growth_per_vacancy, max_growth, base_size, target_size):
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


# ---------------------------------------------------------------------- recruitment


@kernel
def vacancies(pool, half_saturation, ocg_area, active_members, target_size, ocg_active, capital_gbp,
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
def recruits(rng, vacancy, stay, ocg_area, target_size, active_by_role, markets, exploited_share_drugs,
             exploited_share_other, core_share, ocg_known, ocg_intel, child_share, n_areas):
    """This step's recruits: (group, role, child, known) per recruit, in group order, and the
    children and recruits per area.

    Draws, in this order: one uniform per group (a fractional vacancy is a post with that
    chance), a binomial per group with posts open (each filled with probability 1 - `stay`),
    then for the recruits a uniform each for the role (the draws of `members.role_layout` without
    leaders), then those of `joiners`. Nothing is drawn after the binomials when no one is recruited.
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
        if posts[g] != 0:
            filled[g] = _binomial(rng, posts[g], 1.0 - stay[g])
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
    child, known, children_by_area, joiners_by_area = joiners(rng, owner, role, known_prob, child_share,
                                                              ocg_area, n_areas)
    return owner, role, child, known, children_by_area, joiners_by_area


@kernel
def joiners(rng, owner, role, known_prob, child_share, ocg_area, n_areas):
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


@kernel
def come_of_age(child, adult_month, due_before_month):
    """Clear `child` for members whose `adult_month` is before `due_before_month`."""
    for m in range(child.size):
        # Written for every row, without a branch, so the loop vectorises.
        child[m] = child[m] & (not (adult_month[m] < due_before_month))


# ---------------------------------------------------------------------- exploitation and desistance


@kernel
def exploit_and_desist(rng, rows, p_identify, p_desist, status, role, referred, member_ocg, ocg_area,
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
    candidate, u = _thinned_candidates(rng, rows, p_either)
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
        slavery_referred[a] = _binomial(rng, np.int64(np.rint(served[a, slavery_market])), p_slavery_referral)
    return identified_by_area, repeat_by_area, leavers_by_area, slavery_referred
