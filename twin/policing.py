"""Police capacity, intelligence and harm-based tasking.

Tasking units are the forces (one per area), the regional units (one ROCU tier unit per region,
London's with a budget share of its own beside the Metropolitan Police) and the NCA. Each unit's
budget buys investigators
(`cost_gbp_per_investigator_year`); forces lose a share to reactive demand, more where violence
is above its starting level. Unmapped OCGs are mapped at a rate that rises with community trust
and falls with encryption; intelligence on mapped OCGs grows with time and with operations, and
goes out of date.

Tasking follows the MPS Matrix / MoRiLE logic (sources 001, 004): each unit ranks the mapped OCGs
in its remit (local groups: their force; regional: their ROCU; national: the NCA) by a noisy
harm score and opens operations down the list while free investigators last. A force may then
take cross-boundary groups in its area that their own tier could not, at a cost multiplier
(source 003: the 43-force model is ill suited to SOC).
"""

from __future__ import annotations

import math

import numpy as np

from twin.compiled import as_generator, generator_argument, kernel, uniform
from twin.intelligence_kernels import (
    RATE_DETECTION, RATE_ENCRYPTION_FACTOR, RATE_IDENTIFY, RATE_INTEL_GAIN, RATE_INTEL_GAIN_OPERATION,
    RATE_INTEL_KEPT, RATE_INTEL_ON_MAPPING, intelligence_complements, intelligence_update,
)
from twin.shared_kernels import add_to_tally, clip, maximum
from twin.parameters import budget_tier_shares, per_step_probability
from twin.vocabulary import FORCE, LOCAL, NCA, REGIONAL, ROCU

class Police:
    """Tasking units and their investigators.

    Units are numbered forces first (one per area), then the ROCUs (one per region), then the
    NCA. An OCG's home unit is its force when its reach is local, its region's ROCU when regional,
    the NCA when national (`task_open`).
    """

    def __init__(self, geography, params):
        n_areas, n_regions = geography.n_areas, geography.n_regions
        self.n_areas, self.n_regions = n_areas, n_regions
        self.tier = np.concatenate([np.full(n_areas, FORCE), np.full(n_regions, ROCU), [NCA]])
        self.n_units = self.tier.size
        population = geography.population
        region_population = np.bincount(geography.area_region, weights=population, minlength=n_regions)
        # Each unit's share of its tier's budget: forces and ROCUs by population served.
        self.tier_share = np.concatenate([population / population.sum(),
                                          region_population / region_population.sum(), [1.0]])
        self.area_region = geography.area_region
        self.reference_violence: np.ndarray | None = None

    def budget_gbp_per_month(self, params) -> np.ndarray:
        """Budget of each unit per month: the SOC budget split by tier, and within tiers by population.

        Levers that add money (funding, SOC fund, technology) pay for extra investigators
        themselves (`modifiers.extra_fte`) and book their spending as lever costs.
        """
        # Computed once for each set of budget parameters (read-only: callers derive new arrays).
        key = (params.soc_budget_gbp_per_year, params.budget_share_forces, params.budget_share_rocu,
               params.budget_share_nca)
        cached = self.__dict__.get("_budget")
        if cached is not None and cached[0] == key:
            return cached[1]
        tier_budget = key[0] / 12 * budget_tier_shares(params)
        budget = tier_budget[self.tier] * self.tier_share
        budget.flags.writeable = False
        self._budget = (key, budget)
        return budget

    def investigators(self, params, modifiers, violence_per_month: np.ndarray) -> np.ndarray:
        """Investigators (FTE) available for proactive work in each unit this step.

        `violence_per_month` is each area's expected serious violence (incidents per month, from
        `violence.violence`); the first call sets the reference level it is compared with. The
        expectation, not the step's count, drives reactive demand, so a monthly and a weekly run
        see the same demand and a quiet first step does not set a reference of zero.
        """
        # The least violence an area counts (`reactive_violence_floor_per_year`): an area that starts
        # without violent groups starts at the baseline reactive share and does not count its
        # first incident as an unbounded rise.
        floor = params.reactive_violence_floor_per_year / 12.0
        if self.reference_violence is None:
            self.reference_violence = np.maximum(violence_per_month, floor)
        # The power in numpy (see the kernels below); the rest in one pass over the units.
        relative = np.maximum(violence_per_month, floor) / self.reference_violence
        return _investigators(self.budget_gbp_per_month(params),
                              float(params.cost_gbp_per_investigator_year), modifiers.extra_fte,
                              float(params.reactive_demand_share),
                              relative ** params.reactive_demand_violence_elasticity,
                              float(params.reactive_demand_share_cap))


#: `group_detection_multiplier` when no lever sets one (the kernels test its size)
NO_GROUP_MULTIPLIER = np.empty(0)


def intelligence(model) -> None:
    """Map unmapped OCGs and build intelligence on mapped ones; identify members of mapped groups.

    An unmapped active OCG is mapped with a monthly chance `detection_prob_per_month` scaled by
    community trust (relative to its start), encryption, the force's capacity and levers; a mapped
    group's intelligence closes a share of its gap each month (more under operation) and a share
    of it goes out of date (`intel_decay_per_month`). Police then
    come to know members of mapped groups as intelligence on the group grows.
    """
    ocgs, params, dt, mods = model.ocgs, model.params, model.months_per_step, model.modifiers
    members, tally = model.members, model.tally
    by_group = NO_GROUP_MULTIPLIER if mods.group_detection_multiplier is None else mods.group_detection_multiplier
    terms = (ocgs.encrypted, ocgs.area, ocgs.operation_months_left, model.trust, model.trust_reference,
             model.force_capacity_ratio, mods.detection_multiplier, by_group, mods.intel_multiplier,
             float(params.detection_prob_per_month), float(params.encryption_detection_factor),
             float(params.intel_gain_per_month), float(params.intel_gain_under_operation_per_month))
    stay_unmapped, gap_kept = intelligence_complements(*terms)
    if dt != 1.0:  # per_step_probability, 1 - (1 - p) ** dt: the powers in numpy (x ** 1 is x)
        stay_unmapped = stay_unmapped ** dt
        gap_kept = gap_kept ** dt
    rows = tally.rows_of(("ocgs_mapped",))  # first: a new name may replace `tally.values`
    rng = model.streams["intelligence"]
    # A uniform per OCG first, drawn by numpy (twice as fast as one at a time in a kernel), then
    # the kernel's thinned draws from the same stream.
    intelligence_update(
        u_mapping=rng.random(ocgs.n), rng_handle=generator_argument(rng), stay_unmapped_per_step=stay_unmapped,
        gap_kept_per_step=gap_kept, encrypted=ocgs.encrypted, area=ocgs.area,
        operation_months_left=ocgs.operation_months_left, rates=_intelligence_rates(params, dt),
        active=ocgs.active, known=ocgs.known, intel=ocgs.intel, active_row_parts=model.active_row_parts(),
        member_ocg=members.ocg, member_status=members.status, member_known=members.known,
        tally_values=tally.values, row_mapped=rows[0])


def _intelligence_rates(params, months_per_step: float) -> np.ndarray:
    """`intelligence_update`'s scalars, by name: the monthly detection chance, the encryption
    factor, the monthly intelligence gains (without and under operation), the step's chance of
    identifying a member, the share of intelligence still current after the step and the
    intelligence police start with on a group they have just mapped."""
    rates = np.empty(7)
    rates[RATE_DETECTION] = params.detection_prob_per_month
    rates[RATE_ENCRYPTION_FACTOR] = params.encryption_detection_factor
    rates[RATE_INTEL_GAIN] = params.intel_gain_per_month
    rates[RATE_INTEL_GAIN_OPERATION] = params.intel_gain_under_operation_per_month
    rates[RATE_IDENTIFY] = per_step_probability(params.member_identification_prob_per_month, months_per_step)
    rates[RATE_INTEL_KEPT] = (1.0 - params.intel_decay_per_month) ** months_per_step
    rates[RATE_INTEL_ON_MAPPING] = params.intel_on_mapping
    return rates


def task(model, investigators: np.ndarray) -> None:
    """Open operations against the highest-scoring mapped OCGs while investigators are free.

    Each unit ranks the candidates in its remit by `harm * score_noise ** (1 - intel)` (times the
    weight levers give a selection of groups, `Modifiers.group_priority`) and opens operations down
    its list while they fit (`select_positions`); an operation ties up `operation_investigator_months
    * (size / 10) ** operation_size_exponent * (1 + insulation)` investigator-months over
    `operation_duration_months` on average (`open_operations` draws its length). Forces then take
    cross-boundary groups in their area that their own tier left, at `cross_boundary_cost_multiplier`
    (scaled by levers)."""
    ocgs, police, params = model.ocgs, model.police, model.params
    free, candidates, harm_lost, noise, noise_exponent, size_tens = task_candidates(
        ocgs.operation_months_left, ocgs.operation_unit, ocgs.operation_fte, ocgs.active, ocgs.known,
        model.ocg_capacity, investigators, ocgs.harm_gbp_per_month, model.ocg_violence_harm_per_month,
        ocgs.score_noise, ocgs.intel, model.active_members)
    if candidates.size == 0:
        return
    # The powers in numpy (see the kernels below); the ranking is that of the scores negated
    # (`harm_lost` is minus the true harm: the product is minus the score, exactly).
    negated_score = np.multiply(harm_lost, noise ** noise_exponent, out=noise)
    priority = model.modifiers.group_priority
    if priority is not None:  # a lever's selection of groups worked first (groups added since weigh 1)
        if priority.size < ocgs.n:
            priority = np.concatenate([priority, np.ones(ocgs.n - priority.size)])
        negated_score *= priority[candidates]
    size_power = size_tens ** params.operation_size_exponent
    rows = model.tally.rows_of(("operations_started",))  # first: a new name may replace `tally.values`
    order = ranked_order(negated_score)  # the ranking `task_open` makes of numpy's argsort, sorted faster
    if order.size < negated_score.size:  # two NaN scores or more: numpy's sort, whose order of NaNs they keep
        order = negated_score.argsort()
    task_open(negated_score=negated_score, order=order, candidates=candidates,
              size_power=size_power, free_fte=free, investigator_months=float(params.operation_investigator_months),
              length=(float(params.operation_duration_months), float(params.operation_duration_spread),
                      float(model.months_per_step)),
              length_rng_handle=generator_argument(model.streams["operation_length"]),
              cross_boundary_extra=float(params.cross_boundary_cost_multiplier - 1.0), insulation=ocgs.insulation,
              area=ocgs.area, reach=ocgs.reach, area_region=police.area_region,
              cross_boundary_multiplier=model.modifiers.cross_boundary_multiplier,
              operation_months_left=ocgs.operation_months_left, operation_fte=ocgs.operation_fte,
              operation_unit=ocgs.operation_unit, operation_cross_boundary=ocgs.operation_cross_boundary,
              tally_values=model.tally.values, row_started=rows[0])

# ---------------------------------------------------------------- kernels
# Each kernel does the loop work of one part of a phase in one pass over OCG, member or candidate
# rows and gives exactly what the numpy code it replaced gave: sums accumulated in the order
# `np.bincount` and `np.cumsum` use (row order), ties in rankings broken by row as a stable sort
# breaks them. Powers with non-integer exponents are left to numpy in the callers: numpy computes
# them with SIMD code that can differ from the compiled `**` in the last bit.


@kernel
def stable_descending(values, order):
    """Turn `order = np.argsort(values)` (numpy's fast unstable sort, ascending: callers pass the
    scores negated for a descending ranking) into the ranking a stable sort gives: ties (equal
    values) in row order.

    Equal values sit together in any sort, so each run of them is sorted by row. NaNs (last, never
    equal) are put in row order too when there are ties, as numpy's stable sort puts them;
    with no ties the ranking is left as numpy's sort gave it.
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


#: runs of keys `ranked_order`'s counting passes leave tied longer than this are merge sorted, not by insertion
RANKED_RUN_INSERTION_MAX = 16


@kernel
def ranked_order(values):
    """The order of `values` (callers pass the scores negated) that `stable_descending` makes of
    numpy's argsort: ascending, equal values (-0.0 and 0.0 among them) in row order, one NaN last;
    empty when two or more values are NaN (their order is numpy's sort's own: callers sort in numpy).

    numpy's argsort of a few thousand floats took about 0.14 ms of a UK step on an AMD host (its
    AVX-512 sort is slow there); a stable sort gives this order directly. Here a radix sort on the
    values' bits (as unsigned integers, in the order of the values): two stable counting passes on
    the leading varying bits, then each run of keys they left tied sorted stably on the whole key.
    """
    n = values.size
    canonical = np.empty(n)
    keys = canonical.view(np.uint64)
    rows = np.empty(n, np.int64)
    n_keys = 0
    nan_row = -1
    for i in range(n):
        v = values[i]
        if v != v:
            if nan_row >= 0:
                return rows[:0]
            nan_row = i
            continue
        canonical[n_keys] = v + 0.0  # -0.0 becomes 0.0: equal values, equal keys
        rows[n_keys] = i
        n_keys += 1
    sign = np.uint64(1) << np.uint64(63)
    ored, anded = np.uint64(0), ~np.uint64(0)
    for j in range(n_keys):
        bits = keys[j]
        key = ~bits if bits & sign else bits | sign  # ascending as the values are
        keys[j] = key
        ored |= key
        anded &= key
    digit_bits = 4  # about one key per bucket
    while digit_bits < 12 and (np.int64(1) << digit_bits) < n_keys:
        digit_bits += 1
    varying = ored ^ anded
    high = 63  # the leading varying bit
    while high > 0 and not (varying >> np.uint64(high)) & np.uint64(1):
        high -= 1
    n_buckets = np.int64(1) << digit_bits
    mask = np.uint64(n_buckets - 1)
    count = np.empty(n_buckets, np.int64)
    order = np.empty(n, np.int64)
    other_keys = np.empty(n_keys, np.uint64)
    other_rows = np.empty(n_keys, np.int64)
    # the lower digit, then the leading one (a least-significant-digit radix sort of the leading bits)
    for shift in (high + 1 - 2 * digit_bits, high + 1 - digit_bits):
        if shift + digit_bits <= 0:
            continue
        down = np.uint64(max(shift, 0))
        digit_mask = mask if shift >= 0 else mask >> np.uint64(-shift)
        count[:] = 0
        for j in range(n_keys):
            count[np.int64((keys[j] >> down) & digit_mask)] += 1
        total = 0
        for d in range(n_buckets):
            c = count[d]
            count[d] = total
            total += c
        for j in range(n_keys):
            d = np.int64((keys[j] >> down) & digit_mask)
            position = count[d]
            count[d] = position + 1
            other_keys[position] = keys[j]
            other_rows[position] = rows[j]
        keys, other_keys = other_keys, keys
        rows, other_rows = other_rows, rows
    # Keys sharing their leading bits lie together, in row order: each such run is sorted stably on
    # the whole key (by insertion, or a merge sort for a long run; in a run's scores nearly every
    # run is one key long).
    sorted_below = np.uint64(max(high + 1 - 2 * digit_bits, 0))
    run_start = 0
    for j in range(1, n_keys + 1):
        if j < n_keys and (keys[j] >> sorted_below) == (keys[run_start] >> sorted_below):
            continue
        if j - run_start > RANKED_RUN_INSERTION_MAX:
            within = np.argsort(keys[run_start:j], kind="mergesort")  # stable
            rows[run_start:j] = rows[run_start:j][within]
        else:
            for k in range(run_start + 1, j):
                key, row = keys[k], rows[k]
                i = k - 1
                while i >= run_start and keys[i] > key:
                    keys[i + 1] = keys[i]
                    rows[i + 1] = rows[i]
                    i -= 1
                keys[i + 1] = key
                rows[i + 1] = row
        run_start = j
    order[:n_keys] = rows[:n_keys]
    if nan_row >= 0:
        order[n_keys] = nan_row
    return order


@kernel
def select_positions(unit, cost_fte, free_fte):
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
def _investigators(budget_gbp_per_month, cost_gbp_per_investigator_year, extra_fte, reactive_demand_share,
                   relative_power, reactive_share_cap):
    """`Police.investigators` from its numpy power (`relative_power`: each area's violence relative
    to the reference, to the elasticity): each unit's budget in investigators, plus the levers'
    extra investigators (at least zero), less the forces' reactive share (clipped)."""
    fte = np.empty(budget_gbp_per_month.size)
    for unit in range(fte.size):
        budget_fte = budget_gbp_per_month[unit] * 12.0 / cost_gbp_per_investigator_year
        fte[unit] = maximum(budget_fte + extra_fte[unit], 0.0)
    for area in range(relative_power.size):
        reactive = clip(reactive_demand_share * relative_power[area], 0.0, reactive_share_cap)
        fte[area] *= 1.0 - reactive
    return fte


@kernel
def task_candidates(operation_months_left, operation_unit, operation_fte, active, known, ocg_capacity,
                    investigators_fte, harm_gbp_per_month, violence_harm_gbp_per_month, score_noise, intel,
                    active_members):
    """Free investigators per unit, and the OCGs police can task against (active, mapped, not under
    operation, with capacity) with what their score and cost need: minus the true harm per month
    (`task` ranks on minus the score), score noise and its exponent (1 - intelligence), and size
    over ten members (at least one member)."""
    n_units = investigators_fte.size
    n_ocgs = active.size
    in_use_fte = np.zeros(n_units)
    candidates = np.empty(n_ocgs, np.int64)
    harm_lost = np.empty(n_ocgs)
    noise = np.empty(n_ocgs)
    noise_exponent = np.empty(n_ocgs)
    size_tens = np.empty(n_ocgs)
    k = 0
    for ocg in range(n_ocgs):
        if operation_months_left[ocg] > 0:
            in_use_fte[operation_unit[ocg]] += operation_fte[ocg]
        elif active[ocg] and known[ocg] and ocg_capacity[ocg] > 0:
            candidates[k] = ocg
            harm_lost[k] = -(harm_gbp_per_month[ocg] + violence_harm_gbp_per_month[ocg])
            noise[k] = score_noise[ocg]
            noise_exponent[k] = 1.0 - intel[ocg]
            members = active_members[ocg]
            size_tens[k] = (members if (members >= 1.0 or members != members) else 1.0) / 10.0
            k += 1
    free_fte = np.empty(n_units)
    for u in range(n_units):
        left = investigators_fte[u] - in_use_fte[u]
        free_fte[u] = left if (left >= 0.0 or left != left) else 0.0  # np.maximum(left, 0.0)
    return free_fte, candidates[:k], harm_lost[:k], noise[:k], noise_exponent[:k], size_tens[:k]


@kernel
def open_operations(ocgs_index, unit, fte, cross_boundary, length, length_rng, area, operation_months_left,
                    operation_fte, operation_unit, operation_cross_boundary, tally_values, row_started, n_areas):
    """Open operations against the OCGs listed and count them by area. `length` is (mean months,
    spread, months per step): each lasts the mean x U(1 - spread, 1 + spread) (drawn from `length_rng`
    in list order, if spread) in whole steps, at least one: the nearest if the spread reaches a step
    either side (the mean kept within 1%), else the step below or above by chances that keep the mean."""
    started_by_area = np.zeros(n_areas)
    wide = length[0] * length[1] >= length[2]
    for k in range(ocgs_index.size):
        ocg = ocgs_index[k]
        u = uniform(length_rng) if length[1] > 0.0 else 0.5
        in_steps = length[0] * (1.0 + length[1] * (2.0 * u - 1.0)) / length[2]
        steps = math.floor(in_steps + 0.5) if wide else math.floor(in_steps)
        if not wide and in_steps > steps and uniform(length_rng) < in_steps - steps:
            steps += 1
        operation_months_left[ocg] = max(steps, 1) * length[2]
        operation_fte[ocg] = fte[k]
        operation_unit[ocg] = unit[k]
        operation_cross_boundary[ocg] = cross_boundary
        started_by_area[area[ocg]] += 1.0
    add_to_tally(tally_values, row_started, started_by_area)


@kernel
def task_open(negated_score, order, candidates, size_power, free_fte, investigator_months, length,
              length_rng_handle, cross_boundary_extra, insulation, area, reach, area_region, cross_boundary_multiplier,
              operation_months_left, operation_fte, operation_unit, operation_cross_boundary,
              tally_values, row_started):
    """Rank the candidates (highest score first, ties by row), let each unit open operations down
    its list within its free investigators, then let forces take the cross-boundary groups in
    their area that their own tier left, at the extra cost.

    `order` sorts `negated_score` (minus the scores; `ranked_order`, or numpy's argsort); `size_power` is (size / 10) **
    operation_size_exponent. An operation ties up `investigator_months * size_power * (1 +
    insulation)` / the mean length (`length[0]`, months) investigators for the length drawn."""
    n_areas = cross_boundary_multiplier.size
    n_units = free_fte.size
    stable_descending(negated_score, order)  # its ties and NaNs are the scores' own
    n = order.size
    ranked_ocg = np.empty(n, np.int64)
    cost_fte = np.empty(n)
    unit = np.empty(n, np.int64)
    for rank in range(n):
        ocg = candidates[order[rank]]
        ranked_ocg[rank] = ocg
        months = investigator_months * size_power[order[rank]]
        cost_fte[rank] = months * (1.0 + insulation[ocg]) / length[0]
        if reach[ocg] == LOCAL:
            unit[rank] = area[ocg]
        elif reach[ocg] == REGIONAL:
            unit[rank] = n_areas + area_region[area[ocg]]
        else:
            unit[rank] = n_units - 1
    chosen = select_positions(unit, cost_fte, free_fte)
    length_rng = as_generator(length_rng_handle)
    open_operations(ranked_ocg[chosen], unit[chosen], cost_fte[chosen], False, length, length_rng, area,
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
    chosen = select_positions(force, extra_fte, free_fte)
    open_operations(rest[chosen], force[chosen], extra_fte[chosen], True, length, length_rng, area,
                    operation_months_left, operation_fte, operation_unit, operation_cross_boundary,
                    tally_values, row_started, n_areas)
