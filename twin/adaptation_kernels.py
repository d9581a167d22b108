"""Compiled kernels of OCG adaptation (`adaptation.py`): entry, county lines, displacement and learning.

Each phase is one kernel that draws from the phase's own stream in the order the numpy version
did (one `rng.random()` per element, array by array) and writes the group, line and tally arrays
in place. What stays in Python is what other modules own: appending rows (`OCGs.add`,
`CountyLines.append`), laying out and adding members, and linking enablers.

Sums over arrays keep numpy's order: `np.sum` of more than 8 elements adds pairwise
(`pairwise_sum`), a sum down the rows of a matrix adds row by row, and a tally adds whole counts
per area (as `StepTally.add` does with `np.bincount`).
"""

from __future__ import annotations

import numpy as np

from twin.compiled import kernel
from twin.vocabulary import COCAINE, FRAUD, HEROIN_CRACK, MONEY_LAUNDERING, PROXIMITY, VIRTUAL

N_DRAWS_PER_HIT = 5  # uniforms per investigated group: relocation, pivot, encryption, enabler, enabler kind


@kernel
def block_sum(values, start, count):
    """numpy's sum of at most 128 contiguous values: sequential below 8 elements, else eight
    interleaved partial sums combined pairwise, then the remainder."""
    if count < 8:
        total = -0.0  # numpy's initial value for a float sum: keeps the sign of a sum of -0.0
        for i in range(start, start + count):
            total += values[i]
        return total
    r0, r1, r2, r3 = values[start], values[start + 1], values[start + 2], values[start + 3]
    r4, r5, r6, r7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
    i = start + 8
    end_of_eights = start + count - count % 8
    while i < end_of_eights:
        r0 += values[i]
        r1 += values[i + 1]
        r2 += values[i + 2]
        r3 += values[i + 3]
        r4 += values[i + 4]
        r5 += values[i + 5]
        r6 += values[i + 6]
        r7 += values[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < start + count:
        total += values[i]
        i += 1
    return total


@kernel
def pairwise_sum(values, start, count):
    """Sum of `values[start:start + count]` in numpy's order (`np.add.reduce` on a contiguous
    array): blocks of at most 128 (`block_sum`); a longer run is split in two halves (the first a
    multiple of 8 long) whose sums are added. The halving is done with an explicit stack, not by
    recursion (a recursive kernel is not safe to load from numba's cache)."""
    if count == 0:
        return 0.0
    if count <= 128:
        return block_sum(values, start, count)
    # Frames of the halving: start, count, stage (0: first half next, 1: second half next,
    # 2: both done) and the first half's sum.
    depth = 64
    frame_start = np.empty(depth, dtype=np.int64)
    frame_count = np.empty(depth, dtype=np.int64)
    frame_stage = np.empty(depth, dtype=np.int64)
    first_half = np.empty(depth)
    frame_start[0], frame_count[0], frame_stage[0] = start, count, 0
    top = 1
    returned = 0.0  # sum of the frame popped last
    while top > 0:
        f = top - 1
        n = frame_count[f]
        if n <= 128:
            returned = block_sum(values, frame_start[f], n)
            top -= 1
            continue
        half = n // 2
        half -= half % 8
        if frame_stage[f] == 0:
            frame_stage[f] = 1
            frame_start[top], frame_count[top], frame_stage[top] = frame_start[f], half, 0
            top += 1
        elif frame_stage[f] == 1:
            first_half[f] = returned
            frame_stage[f] = 2
            frame_start[top], frame_count[top], frame_stage[top] = frame_start[f] + half, n - half, 0
            top += 1
        else:
            returned = first_half[f] + returned
            top -= 1
    return returned


@kernel
def choice_cdf(probabilities):
    """The cumulative distribution `streams.choice` draws from: cumulative sum, divided by its last value."""
    cdf = np.empty(probabilities.size)
    running = 0.0
    for i in range(probabilities.size):
        running = probabilities[i] if i == 0 else running + probabilities[i]
        cdf[i] = running
    last = cdf[cdf.size - 1]
    for i in range(cdf.size):
        cdf[i] /= last
    return cdf


@kernel
def search_right(cdf, u):
    """`np.searchsorted(cdf, u, side="right")` on a non-decreasing `cdf`: the first index whose value exceeds u."""
    low, high = 0, cdf.size
    while low < high:
        middle = (low + high) // 2
        if cdf[middle] <= u:
            low = middle + 1
        else:
            high = middle
    return low


@kernel
def first_above(cumulative, draw):
    """`(cumulative > draw).argmax()`: the first index whose value exceeds `draw`, 0 when none does."""
    for i in range(cumulative.size):
        if cumulative[i] > draw:
            return i
    return 0


@kernel
def numpy_maximum(a, b):
    """`np.maximum(a, b)` for floats (a NaN in `a` propagates)."""
    return a if (a >= b or np.isnan(a)) else b


@kernel
def add_counts(tally_row_by_area, counts_by_area):
    """`StepTally.add`: the step's whole counts per area added to a tally row."""
    for a in range(tally_row_by_area.size):
        tally_row_by_area[a] += counts_by_area[a]


@kernel
def entry_kernel(rng, vacancy, population, entry_multiplier, demand, served, productivity, base_cohesion,
                 entry_rate_per_month, months_per_step, laundering_share, share_cultural, share_proximity,
                 share_family, share_violent, share_serious_violence, log_size_median, size_sigma, size_min, max_target_size, reach_shares, score_noise_sigma,
                 exploited_share_drugs, exploited_share_other, entered_by_area):
    """New groups entering vacated markets: the draws and attributes of each entrant.

    Entrants per area and market are Poisson with mean rate x vacancy x the area's size relative to
    the mean x the entry multiplier (listed area by area, market by market). Each entrant then
    draws, array by array: laundering, virtual (fraud), offline type, violence, size, reach, score
    noise. Adds the entrants to `entered_by_area` (the "ocgs_entered" tally row). Returns area,
    market portfolio, type, reach, violence, members to lay out, target size, score noise and the
    exploited share of members, one row per entrant.
    """
    n_areas = vacancy.shape[0]
    n_products = MONEY_LAUNDERING
    mean_population = pairwise_sum(population, 0, n_areas) / n_areas
    counts = np.zeros((n_areas, n_products), dtype=np.int64)
    entrants_by_area = np.zeros(n_areas, dtype=np.int64)
    n = 0
    for a in range(n_areas):
        size_weight = population[a] / mean_population
        for m in range(n_products):
            expected_per_step = (entry_rate_per_month * vacancy[a, m] * size_weight * entry_multiplier[a]) * months_per_step
            counts[a, m] = rng.poisson(expected_per_step)
            entrants_by_area[a] += counts[a, m]
            n += counts[a, m]

    area = np.empty(n, dtype=np.int64)
    market = np.empty(n, dtype=np.int64)
    entrants_in_cell = np.empty(n, dtype=np.int64)
    i = 0
    for a in range(n_areas):
        for m in range(n_products):
            for _ in range(counts[a, m]):
                area[i], market[i], entrants_in_cell[i] = a, m, counts[a, m]
                i += 1
    add_counts(entered_by_area, entrants_by_area)

    markets = np.zeros((n, MONEY_LAUNDERING + 1), dtype=np.bool_)
    for i in range(n):
        markets[i, market[i]] = True
    # Most groups launder their own money (96% of OCGs are multi-criminal, seed 004).
    for i in range(n):
        markets[i, MONEY_LAUNDERING] = rng.random() < laundering_share
    virtual = np.empty(n, dtype=np.bool_)
    for i in range(n):  # drawn for every entrant, used for fraud entrants
        virtual[i] = rng.random() < 0.3
    offline_shares = np.array([share_cultural, share_proximity, share_family])
    offline_cdf = choice_cdf(offline_shares / pairwise_sum(offline_shares, 0, 3))
    ocg_type = np.empty(n, dtype=np.int64)
    for i in range(n):  # cultural, proximity, family: the first three OCG types
        offline = search_right(offline_cdf, rng.random())
        if market[i] == FRAUD:
            ocg_type[i] = VIRTUAL if virtual[i] else PROXIMITY
        else:
            ocg_type[i] = offline
    violence_cdf = choice_cdf(np.array([1 - share_violent, share_violent - share_serious_violence,
                                         share_serious_violence]))
    violence = np.empty(n, dtype=np.int64)
    for i in range(n):
        violence[i] = search_right(violence_cdf, rng.random())
    size = np.empty(n)
    for i in range(n):
        size[i] = numpy_maximum(np.rint(rng.lognormal(log_size_median, size_sigma)), size_min)

    # Entrants start small but aim at the vacancy they came for: their target size is the labour
    # that would serve their share of the unmet demand (they then grow by recruiting).
    labour_per_member = 0.9  # mean of the role labour weights of a new group (operations.ROLE_LABOUR)
    target_size = np.empty(n)
    for i in range(n):
        unmet = demand[area[i], market[i]] - served[area[i], market[i]]
        per_entrant = unmet / entrants_in_cell[i]
        n_markets = 1.0 + markets[i, MONEY_LAUNDERING]
        units_per_member = numpy_maximum(productivity[market[i]], 1e-9)
        aim = per_entrant * n_markets / (units_per_member * labour_per_member * 0.5 * (1 + base_cohesion[ocg_type[i]]))
        # `aim.clip(size, max_target_size)`: numpy's clip, a NaN stays NaN
        if np.isnan(aim):
            target_size[i] = aim
        else:
            low = aim if aim > size[i] else size[i]
            target_size[i] = low if low < max_target_size else max_target_size
    reach_cdf = choice_cdf(reach_shares)
    reach = np.empty(n, dtype=np.int64)
    for i in range(n):
        reach[i] = search_right(reach_cdf, rng.random())
    score_noise = np.empty(n)
    for i in range(n):
        score_noise[i] = rng.lognormal(0.0, score_noise_sigma)

    members = np.empty(n, dtype=np.int64)
    exploited_share = np.empty(n)
    for i in range(n):
        members[i] = np.int64(size[i])
        drugs = markets[i, HEROIN_CRACK] or markets[i, COCAINE]
        exploited_share[i] = exploited_share_drugs if drugs else exploited_share_other
    return area, markets, ocg_type, reach, violence, members, target_size, score_noise, exploited_share


@kernel
def assign_leaders(leader, new_ocg, owner, role, member_index, leader_role):
    """Each new group's leader: the member laid out first with the leader role."""
    for k in range(owner.size):
        if role[k] == leader_role:
            leader[new_ocg[owner[k]]] = member_index[k]


@kernel
def county_lines_kernel(rng, line_active, line_dest, closure_prob, ocg_active, ocg_markets, ocg_area, exporter,
                        ocg_capacity, openings_per_exporter, closure_rate, demand, vacancy, vacancy_response,
                        months_per_step, opening_multiplier, closed_by_area, opened_by_area):
    """County lines closing for business reasons and opening into unmet heroin/crack demand.

    Every line draws one uniform (closed if active and below `closure_prob`). Exporters are active
    heroin/crack groups with capacity in exporter areas; openings are Poisson with mean
    `openings_per_exporter` x exporters x (1 + response x demand-weighted vacancy outside exporter
    areas), the owner chosen by capacity and the destination by demand x (0.1 + vacancy).
    `openings_per_exporter` < 0 means not yet set: it is set from the active lines left and
    `closure_rate` (so the stock holds). Tallies closures and openings by destination.
    Returns (exporters, openings per exporter, owners, destinations).
    """
    n_areas = exporter.size
    closed = np.zeros(n_areas, dtype=np.int64)
    n_active = 0
    for line in range(line_active.size):
        draw = rng.random()  # every row draws, active or not
        if line_active[line] and draw < closure_prob:
            line_active[line] = False
            closed[line_dest[line]] += 1
        if line_active[line]:
            n_active += 1
    add_counts(closed_by_area, closed)

    none = np.empty(0, dtype=np.int64)
    n_exporters = 0
    for o in range(ocg_active.size):
        if ocg_active[o] and ocg_markets[o, HEROIN_CRACK] and exporter[ocg_area[o]] and ocg_capacity[o] > 0:
            n_exporters += 1
    if n_exporters == 0:
        return 0, openings_per_exporter, none, none
    exporters = np.empty(n_exporters, dtype=np.int64)
    capacity = np.empty(n_exporters)
    k = 0
    for o in range(ocg_active.size):
        if ocg_active[o] and ocg_markets[o, HEROIN_CRACK] and exporter[ocg_area[o]] and ocg_capacity[o] > 0:
            exporters[k], capacity[k] = o, ocg_capacity[o]
            k += 1
    if openings_per_exporter < 0:
        # Openings replace closures at the start (business and police ones at their baseline
        # rates), so the stock holds under current policy; unmet demand then draws more.
        openings_per_exporter = n_active * closure_rate / n_exporters

    line_demand = np.empty(n_areas)  # heroin/crack demand outside exporter areas
    line_vacancy = np.empty(n_areas)
    weighted = np.empty(n_areas)
    for a in range(n_areas):
        outside = 0.0 if exporter[a] else 1.0
        line_demand[a] = demand[a, HEROIN_CRACK] * outside
        line_vacancy[a] = vacancy[a, HEROIN_CRACK] * outside
        weighted[a] = line_vacancy[a] * line_demand[a]
    total_demand = pairwise_sum(line_demand, 0, n_areas)
    mean_vacancy = pairwise_sum(weighted, 0, n_areas) / (1e-9 if 1e-9 > total_demand else total_demand)
    expected_per_step = (openings_per_exporter * n_exporters * (1.0 + vacancy_response * mean_vacancy)) * months_per_step
    n_new = rng.poisson(expected_per_step * opening_multiplier)
    if n_new == 0:
        return n_exporters, openings_per_exporter, none, none

    owner_cdf = choice_cdf(capacity / pairwise_sum(capacity, 0, n_exporters))
    owner = np.empty(n_new, dtype=np.int64)
    for i in range(n_new):
        owner[i] = exporters[search_right(owner_cdf, rng.random())]
    pull = np.empty(n_areas)
    for a in range(n_areas):
        pull[a] = line_demand[a] * (0.1 + line_vacancy[a])
    dest_cdf = choice_cdf(pull / pairwise_sum(pull, 0, n_areas))
    dest = np.empty(n_new, dtype=np.int64)
    opened = np.zeros(n_areas, dtype=np.int64)
    for i in range(n_new):
        dest[i] = search_right(dest_cdf, rng.random())
        opened[dest[i]] += 1
    add_counts(opened_by_area, opened)
    return n_exporters, openings_per_exporter, owner, dest


@kernel
def displacement_kernel(rng, investigated, disrupted, active, area, markets, insulation, encrypted, cohesion,
                        reputation, ocg_type, base_cohesion, neighbours, exporter, line_ocg, line_dest, line_active,
                        demand, unit_price_gbp, vacancy, relocation_prob, pivot_prob, learning_step, encryption_prob,
                        enabler_prob, calm_keep, recover, relocations_by_area, closed_by_area):
    """Groups that just faced an operation move, pivot and learn; every group's insulation decays
    without pressure and its cohesion and reputation recover.

    Each investigated active group ("hit", in row order) draws five uniforms (relocation, pivot,
    encryption, enabler, enabler kind); then movers draw their new area (among neighbours, by
    weight), then pivoting groups their new market. Moves end the lines they break and are tallied.
    Returns the groups that pivoted, those to link to a technical enabler, to a professional
    enabler and to an insider, and the number linking to an enabler.
    """
    n_ocgs = active.size
    n_areas = exporter.size
    n_products = MONEY_LAUNDERING
    n_hit = 0
    for o in range(n_ocgs):
        if investigated[o] and active[o]:
            n_hit += 1
    hit = np.empty(n_hit, dtype=np.int64)
    k = 0
    for o in range(n_ocgs):
        if investigated[o] and active[o]:
            hit[k] = o
            k += 1
    u = np.empty((n_hit, N_DRAWS_PER_HIT))
    for i in range(n_hit):
        for j in range(N_DRAWS_PER_HIT):
            u[i, j] = rng.random()

    # Relocation: to a neighbouring area, chosen by neighbour weight (groups without neighbours stay).
    movers = np.empty(n_hit, dtype=np.int64)
    n_movers = 0
    for i in range(n_hit):
        if u[i, 0] < relocation_prob and pairwise_sum(neighbours[area[hit[i]]], 0, n_areas) > 0:
            movers[n_movers] = hit[i]
            n_movers += 1
    if n_movers:
        moved_in = np.zeros(n_areas, dtype=np.int64)
        cumulative = np.empty(n_areas)
        for k in range(n_movers):
            o = movers[k]
            weights = neighbours[area[o]]
            running = 0.0
            for a in range(n_areas):
                running = weights[a] if a == 0 else running + weights[a]
                cumulative[a] = running
            pick = first_above(cumulative, rng.random())
            moved_in[pick] += 1
            area[o] = pick
        add_counts(relocations_by_area, moved_in)
        # A county line runs from an exporter area into another area: lines of groups that
        # moved out of an exporter area, or into their own line's destination, end.
        closed = np.zeros(n_areas, dtype=np.int64)
        for line in range(line_active.size):
            if line_active[line]:
                owner_area = area[line_ocg[line]]
                if not exporter[owner_area] or owner_area == line_dest[line]:
                    line_active[line] = False
                    closed[line_dest[line]] += 1
        add_counts(closed_by_area, closed)

    # Pivots go where the money is: markets weighted by their value and unmet demand.
    pivoted = np.empty(n_hit, dtype=np.int64)
    n_pivoted = 0
    appeal = np.empty(n_products)
    for m in range(n_products):  # sums down the area rows, in row order (numpy's axis-0 sum)
        value = demand[0, m] * unit_price_gbp[m]
        unmet = vacancy[0, m]
        for a in range(1, n_areas):
            value += demand[a, m] * unit_price_gbp[m]
            unmet += vacancy[a, m]
        appeal[m] = value * (0.1 + unmet / n_areas)
    weights = np.empty(n_products)
    cumulative = np.empty(n_products)
    for i in range(n_hit):
        if u[i, 1] >= pivot_prob:
            continue
        o = hit[i]
        for m in range(n_products):
            weights[m] = appeal[m] * (0.0 if markets[o, m] else 1.0)
        # Groups without drugs pivot within economic crime and exploitation (assumption): the
        # 32% of economic groups (seed 004) keep their character as they adapt.
        if not (markets[o, HEROIN_CRACK] or markets[o, COCAINE]):
            weights[HEROIN_CRACK] = 0.0
            weights[COCAINE] = 0.0
        if not pairwise_sum(weights, 0, n_products) > 0:
            continue
        running = 0.0
        for m in range(n_products):
            running = weights[m] if m == 0 else running + weights[m]
            cumulative[m] = running
        markets[o, first_above(cumulative, rng.random() * cumulative[n_products - 1])] = True
        pivoted[n_pivoted] = o
        n_pivoted += 1

    # Learning: insulate leaders, adopt encryption, recruit enablers (the kind drawn from the
    # fifth uniform of the first rows, one per recruiting group, as the numpy version did).
    encrypt = np.empty(n_hit, dtype=np.int64)
    recruit = np.empty(n_hit, dtype=np.int64)
    n_encrypt, n_recruit = 0, 0
    for i in range(n_hit):
        o = hit[i]
        insulation[o] += learning_step * (1.0 - insulation[o])
        if u[i, 2] < encryption_prob and not encrypted[o]:
            encrypt[n_encrypt] = o
            n_encrypt += 1
        if u[i, 3] < enabler_prob:
            recruit[n_recruit] = o
            n_recruit += 1
    professional = np.empty(n_recruit, dtype=np.int64)
    insider = np.empty(n_recruit, dtype=np.int64)
    n_professional, n_insider = 0, 0
    for k in range(n_recruit):
        if u[k, 4] < 0.5:
            professional[n_professional] = recruit[k]
            n_professional += 1
        else:
            insider[n_insider] = recruit[k]
            n_insider += 1

    for o in range(n_ocgs):
        if n_hit and disrupted[o] and active[o]:
            reputation[o] *= 0.8
        if not investigated[o]:
            insulation[o] *= calm_keep
        cohesion[o] += recover * (base_cohesion[ocg_type[o]] - cohesion[o])
        reputation[o] += recover * (0.5 - reputation[o])
    return (pivoted[:n_pivoted].copy(), encrypt[:n_encrypt].copy(), professional[:n_professional].copy(),
            insider[:n_insider].copy(), n_recruit)
