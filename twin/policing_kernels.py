"""Compiled kernels of intelligence and tasking (`policing.py`), and the helpers investigations share.

Each kernel does the loop work of one part of a phase in one pass over OCG, member or candidate
rows, giving exactly what the numpy code it replaced gave: random numbers drawn from the phase's
stream in the same order and with the same methods, sums accumulated in the order `np.bincount`
and `np.cumsum` use (row order), and ties in rankings broken by row as a stable sort breaks them.
Powers with non-integer exponents are left to numpy in the callers: numpy computes them with SIMD
code that can differ from the compiled `**` in the last bit.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import kernel
from twin.vocabulary import ACTIVE, LOCAL, REGIONAL


@kernel
def clip(x, low, high):
    """`np.clip` of one float: NaN stays NaN; the bounds compare as numpy's clip compares them."""
    if x != x:
        return x
    x = x if x > low else low
    return x if x < high else high


@kernel
def grown(buffer, needed):
    """`buffer`, or a copy twice as long (or `needed` long) when it holds fewer than `needed` rows."""
    if needed <= buffer.size:
        return buffer
    bigger = np.empty(max(needed, 2 * buffer.size), buffer.dtype)
    bigger[: buffer.size] = buffer
    return bigger


@kernel
def add_to_tally(tally_values, row, by_area):
    """Add one process's sums by area to a row of the step tally (`StepTally.add` adds a
    `np.bincount` the same way: the sums first, then one addition per area)."""
    for area in range(by_area.size):
        tally_values[row, area] += by_area[area]


@kernel
def thinned_bernoulli(rng, index, p_max):
    """`streams.thinned_bernoulli(rng, index, p_max)`: candidates for rare events among `index`
    and a uniform number `u * p_max` for each.

    Draws exactly what `streams.bernoulli_positions` draws: geometric gaps between hits, in chunks
    of `int(expected + 4 sqrt(expected) + 16)` gaps (the whole chunk is drawn even where it runs
    past the end), until a position reaches the end; then one uniform per candidate.
    """
    n_rows = index.size
    if n_rows == 0 or p_max <= 0:
        return index[:0].copy(), np.empty(0)
    p_max = min(p_max, 1.0)
    if p_max >= 1:
        chosen = index.copy()
    else:
        positions = np.empty(0, np.int64)
        n_hits = 0
        end = -1
        while True:
            expected = (n_rows - 1 - end) * p_max
            chunk = int(expected + 4.0 * np.sqrt(expected) + 16)
            positions = grown(positions, n_hits + chunk)
            position = end
            for _ in range(chunk):
                position += rng.geometric(p_max)
                if position < n_rows:  # positions only increase: the first past the end ends the hits
                    positions[n_hits] = position
                    n_hits += 1
            end = position
            if end >= n_rows - 1:
                break
        chosen = np.empty(n_hits, np.int64)
        for hit in range(n_hits):
            chosen[hit] = index[positions[hit]]
    u = np.empty(chosen.size)
    for hit in range(chosen.size):
        u[hit] = rng.random() * p_max
    return chosen, u


@kernel
def stable_descending(values, order):
    """Turn `order = np.argsort(-values)` (numpy's fast unstable sort) into the ranking a stable
    sort gives: ties (equal values) in row order.

    Equal values sit together in any sort, so each run of them is sorted by row. NaNs (last, never
    equal) are put in row order too when there are ties, as the stable sort `descending` used to
    fall back on puts them; with no ties the ranking is left as numpy's sort gave it.
    """
    n = order.size
    tied = False
    run_start = 0
    for position in range(1, n + 1):
        if position == n or values[order[position]] != values[order[run_start]]:
            if position - run_start > 1:
                tied = True
                order[run_start:position] = np.sort(order[run_start:position])
            run_start = position
    if tied:
        first_nan = n
        while first_nan > 0 and values[order[first_nan - 1]] != values[order[first_nan - 1]]:
            first_nan -= 1
        if n - first_nan > 1:
            order[first_nan:] = np.sort(order[first_nan:])
    return order


@kernel
def select_within_capacity(unit, cost_fte, free_fte):
    """Positions chosen from a ranked list (highest first) by each unit working down its part.

    The list is grouped by unit with a stable counting sort (ranking kept within each unit); the
    cost is accumulated over the whole grouped list, as `np.cumsum` does, and a candidate is taken
    while its unit's part of that running sum (the running sum less its value before the unit's
    first candidate) fits the unit's free investigators. Returns positions grouped by unit.
    """
    n = unit.size
    n_units = free_fte.size  # units index `free_fte`
    slot = np.zeros(n_units + 1, np.int64)
    for position in range(n):
        slot[unit[position] + 1] += 1
    for u in range(n_units):
        slot[u + 1] += slot[u]
    grouped = np.empty(n, np.int64)
    for position in range(n):
        grouped[slot[unit[position]]] = position
        slot[unit[position]] += 1

    chosen = np.empty(n, np.int64)
    n_chosen = 0
    running_fte = 0.0
    unit_start_fte = 0.0
    for k in range(n):
        position = grouped[k]
        cost = cost_fte[position]
        running_fte = cost if k == 0 else running_fte + cost
        if k == 0 or unit[position] != unit[grouped[k - 1]]:
            unit_start_fte = running_fte - cost  # as numpy computed it: (cumsum - cost) at the unit's start
        if running_fte - unit_start_fte <= free_fte[unit[position]]:
            chosen[n_chosen] = position
            n_chosen += 1
    return chosen[:n_chosen]


@kernel
def mapping_complements(ocg, encrypted, area, operation_months_left, trust, trust_reference, force_capacity_ratio,
                        detection_multiplier, intel_multiplier, detection_prob_per_month, encryption_detection_factor,
                        intel_gain_per_month, intel_gain_under_operation_per_month):
    """For one OCG: one minus its monthly chance of being mapped and one minus its monthly
    intelligence gain (share of the gap), both chances clipped to 0-1. `per_step_probability`
    raises these to the step length and subtracts them from one."""
    a = area[ocg]
    encryption = encryption_detection_factor if encrypted[ocg] else 1.0
    p_detect = (detection_prob_per_month * (trust[a] / trust_reference[a]) * encryption
                * force_capacity_ratio[a] * detection_multiplier[a])
    gain = intel_gain_under_operation_per_month if operation_months_left[ocg] > 0 else intel_gain_per_month
    return 1.0 - clip(p_detect, 0.0, 1.0), 1.0 - clip(gain * encryption * intel_multiplier[a], 0.0, 1.0)


@kernel
def intelligence_complements(encrypted, area, operation_months_left, trust, trust_reference, force_capacity_ratio,
                             detection_multiplier, intel_multiplier, detection_prob_per_month,
                             encryption_detection_factor, intel_gain_per_month, intel_gain_under_operation_per_month):
    """`mapping_complements` of every OCG (for steps other than a month, whose powers numpy takes)."""
    stay_unmapped = np.empty(area.size)
    gap_kept = np.empty(area.size)
    for ocg in range(area.size):
        stay_unmapped[ocg], gap_kept[ocg] = mapping_complements(
            ocg, encrypted, area, operation_months_left, trust, trust_reference, force_capacity_ratio,
            detection_multiplier, intel_multiplier, detection_prob_per_month, encryption_detection_factor,
            intel_gain_per_month, intel_gain_under_operation_per_month)
    return stay_unmapped, gap_kept


@kernel
def intelligence_update(monthly, stay_unmapped_per_step, gap_kept_per_step, encrypted, area, operation_months_left,
                        trust, trust_reference, force_capacity_ratio, detection_multiplier, intel_multiplier,
                        detection_prob_per_month, encryption_detection_factor, intel_gain_per_month,
                        intel_gain_under_operation_per_month, u_mapping, active, known, intel,
                        candidate, u_identify, member_ocg, member_status, member_known, p_identify_max,
                        tally_values, row_mapped):
    """Map OCGs (`u_mapping`: a uniform per OCG), grow intelligence on mapped ones, then identify
    the candidate members (thinned draws over the active rows, `u_identify` below `p_identify_max`)
    of mapped groups with a chance rising with intelligence.

    With `monthly` steps the per-step complements are the monthly ones (x ** 1 is x), computed here
    (`mapping_complements`); otherwise they come in `stay_unmapped_per_step` and `gap_kept_per_step`.
    """
    mapped_by_area = np.zeros(tally_values.shape[1])
    for ocg in range(area.size):
        if monthly:
            stay_unmapped, gap_kept = mapping_complements(
                ocg, encrypted, area, operation_months_left, trust, trust_reference, force_capacity_ratio,
                detection_multiplier, intel_multiplier, detection_prob_per_month, encryption_detection_factor,
                intel_gain_per_month, intel_gain_under_operation_per_month)
        else:
            stay_unmapped, gap_kept = stay_unmapped_per_step[ocg], gap_kept_per_step[ocg]
        if active[ocg] and not known[ocg] and u_mapping[ocg] < 1.0 - stay_unmapped:
            known[ocg] = True
            intel[ocg] = 0.1
            mapped_by_area[area[ocg]] += 1.0
        if known[ocg]:
            intel[ocg] = intel[ocg] + (1.0 - gap_kept) * (1.0 - intel[ocg])
        else:
            intel[ocg] = 0.0
    add_to_tally(tally_values, row_mapped, mapped_by_area)
    for hit in range(candidate.size):
        member = candidate[hit]
        owner = member_ocg[member]
        if u_identify[hit] < p_identify_max * intel[owner] and known[owner] and member_status[member] == ACTIVE:
            member_known[member] = True


@kernel
def task_candidates(operation_months_left, operation_unit, operation_fte, active, known, ocg_capacity,
                    investigators_fte, harm_gbp_per_month, violence_harm_gbp_per_month, score_noise, intel,
                    active_members):
    """Free investigators per unit, and the OCGs police can task against (active, mapped, not under
    operation, with capacity) with what their score and cost need: true harm per month, score noise
    and its exponent (1 - intelligence), and size over ten members (at least one member)."""
    n_units = investigators_fte.size
    n_ocgs = active.size
    in_use_fte = np.zeros(n_units)
    candidates = np.empty(n_ocgs, np.int64)
    true_harm = np.empty(n_ocgs)
    noise = np.empty(n_ocgs)
    noise_exponent = np.empty(n_ocgs)
    size_tens = np.empty(n_ocgs)
    k = 0
    for ocg in range(n_ocgs):
        if operation_months_left[ocg] > 0:
            in_use_fte[operation_unit[ocg]] += operation_fte[ocg]
        elif active[ocg] and known[ocg] and ocg_capacity[ocg] > 0:
            candidates[k] = ocg
            true_harm[k] = harm_gbp_per_month[ocg] + violence_harm_gbp_per_month[ocg]
            noise[k] = score_noise[ocg]
            noise_exponent[k] = 1.0 - intel[ocg]
            members = active_members[ocg]
            size_tens[k] = (members if (members >= 1.0 or members != members) else 1.0) / 10.0
            k += 1
    free_fte = np.empty(n_units)
    for u in range(n_units):
        left = investigators_fte[u] - in_use_fte[u]
        free_fte[u] = left if (left >= 0.0 or left != left) else 0.0  # np.maximum(left, 0.0)
    return free_fte, candidates[:k], true_harm[:k], noise[:k], noise_exponent[:k], size_tens[:k]


@kernel
def open_operations(ocgs_index, unit, fte, cross_boundary, duration_months, area, operation_months_left,
                    operation_fte, operation_unit, operation_cross_boundary, tally_values, row_started, n_areas):
    """Open operations against the OCGs listed and count them by area."""
    started_by_area = np.zeros(n_areas)
    for k in range(ocgs_index.size):
        ocg = ocgs_index[k]
        operation_months_left[ocg] = duration_months
        operation_fte[ocg] = fte[k]
        operation_unit[ocg] = unit[k]
        operation_cross_boundary[ocg] = cross_boundary
        started_by_area[area[ocg]] += 1.0
    add_to_tally(tally_values, row_started, started_by_area)


@kernel
def task_open(score, order, candidates, size_power, free_fte, investigator_months, duration_months,
              cross_boundary_extra, insulation, area, reach, area_region, cross_boundary_multiplier,
              operation_months_left, operation_fte, operation_unit, operation_cross_boundary,
              tally_values, row_started):
    """Rank the candidates (highest score first, ties by row), let each unit open operations down
    its list within its free investigators, then let forces take the cross-boundary groups in
    their area that their own tier left, at the extra cost.

    `order` is numpy's `argsort(-score)`; `size_power` is (size / 10) ** operation_size_exponent.
    An operation ties up `investigator_months * size_power * (1 + insulation) / duration_months`
    investigators for its duration.
    """
    n_areas = cross_boundary_multiplier.size
    n_units = free_fte.size
    stable_descending(score, order)
    n = order.size
    ranked_ocg = np.empty(n, np.int64)
    cost_fte = np.empty(n)
    unit = np.empty(n, np.int64)
    for rank in range(n):
        ocg = candidates[order[rank]]
        ranked_ocg[rank] = ocg
        months = investigator_months * size_power[order[rank]]
        cost_fte[rank] = months * (1.0 + insulation[ocg]) / duration_months
        if reach[ocg] == LOCAL:
            unit[rank] = area[ocg]
        elif reach[ocg] == REGIONAL:
            unit[rank] = n_areas + area_region[area[ocg]]
        else:
            unit[rank] = n_units - 1
    chosen = select_within_capacity(unit, cost_fte, free_fte)
    open_operations(ranked_ocg[chosen], unit[chosen], cost_fte[chosen], False, duration_months, area,
                    operation_months_left, operation_fte, operation_unit, operation_cross_boundary,
                    tally_values, row_started, n_areas)
    spent_fte = np.zeros(n_units)
    for position in chosen:
        spent_fte[unit[position]] += cost_fte[position]
    for u in range(n_units):
        free_fte[u] -= spent_fte[u]

    # Forces pick up cross-boundary groups in their area that their own tier could not reach.
    taken = np.zeros(n, np.bool_)
    taken[chosen] = True
    n_rest = 0
    for rank in range(n):
        if not taken[rank] and reach[ranked_ocg[rank]] != LOCAL:
            n_rest += 1
    if n_rest == 0:
        return
    rest = np.empty(n_rest, np.int64)
    force = np.empty(n_rest, np.int64)
    extra_fte = np.empty(n_rest)
    k = 0
    for rank in range(n):
        ocg = ranked_ocg[rank]
        if not taken[rank] and reach[ocg] != LOCAL:
            rest[k] = ocg
            force[k] = area[ocg]
            extra_fte[k] = cost_fte[rank] * (1.0 + cross_boundary_extra * cross_boundary_multiplier[area[ocg]])
            k += 1
    chosen = select_within_capacity(force, extra_fte, free_fte)
    open_operations(rest[chosen], force[chosen], extra_fte[chosen], True, duration_months, area,
                    operation_months_left, operation_fte, operation_unit, operation_cross_boundary,
                    tally_values, row_started, n_areas)
