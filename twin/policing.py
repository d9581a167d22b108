"""Police capacity, intelligence and harm-based tasking.

Tasking units are the forces (one per area), the regional units (one ROCU tier unit per region;
the Metropolitan Police acts as London's) and the NCA. Each unit's budget buys investigators
(`cost_gbp_per_investigator_year`); forces lose a share to reactive demand, more where violence
is above its starting level. Unmapped OCGs are mapped at a rate that rises with community trust
and falls with encryption; intelligence on mapped OCGs grows with time and with operations.

Tasking follows the MPS Matrix / MoRiLE logic (seeds 001, 004): each unit ranks the mapped OCGs
in its remit (local groups: their force; regional: their ROCU; national: the NCA) by a noisy
harm score and opens operations down the list while free investigators last. A force may then
take cross-boundary groups in its area that their own tier could not, at a cost multiplier
(seed 003: the 43-force model is ill suited to SOC).
"""

from __future__ import annotations

import numpy as np

from twin.parameters import per_step_probability
from twin.streams import thinned_bernoulli
from twin.vocabulary import ACTIVE, FORCE, LOCAL, NCA, REGIONAL, ROCU

#: most of a force's SOC investigators reactive demand can take, however violent the area (assumption, 0.8-0.95)
REACTIVE_SHARE_CAP = 0.9
#: expected serious violence below which an area counts as having this much: one incident a year
#: (assumption). An area that starts without violent groups then starts at the baseline reactive
#: share and does not count its first incident as an unbounded rise
REFERENCE_VIOLENCE_FLOOR_PER_MONTH = 1.0 / 12.0


class Police:
    """Tasking units and their investigators."""

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

    def unit_of(self, area: np.ndarray, reach: np.ndarray) -> np.ndarray:
        """Home tasking unit of OCGs by area and reach."""
        return np.where(reach == LOCAL, area,
                        np.where(reach == REGIONAL, self.n_areas + self.area_region[area], self.n_units - 1))

    def budget_gbp_per_month(self, params, modifiers) -> np.ndarray:
        """Budget of each unit per month: the SOC budget split by tier, and within tiers by population.

        Levers that add money (funding, SOC fund, technology) pay for extra investigators
        themselves (`modifiers.extra_fte`) and book their spending as lever costs.
        """
        tier_budget = params.soc_budget_gbp_per_year / 12 * np.array(
            [params.budget_share_forces, params.budget_share_rocu, params.budget_share_nca])
        return tier_budget[self.tier] * self.tier_share

    def investigators(self, params, modifiers, violence_per_month: np.ndarray) -> np.ndarray:
        """Investigators (FTE) available for proactive work in each unit this step.

        `violence_per_month` is each area's expected serious violence (incidents per month, from
        `violence.violence`); the first call sets the reference level it is compared with. The
        expectation, not the step's count, drives reactive demand, so a monthly and a weekly run
        see the same demand and a quiet first step does not set a reference of zero.
        """
        fte = self.budget_gbp_per_month(params, modifiers) * 12 / params.cost_gbp_per_investigator_year
        fte = np.maximum(fte + modifiers.extra_fte, 0.0)
        if self.reference_violence is None:
            self.reference_violence = np.maximum(violence_per_month, REFERENCE_VIOLENCE_FLOOR_PER_MONTH)
        relative = np.maximum(violence_per_month, REFERENCE_VIOLENCE_FLOOR_PER_MONTH) / self.reference_violence
        reactive = (params.reactive_demand_share * relative ** params.reactive_demand_violence_elasticity).clip(
            0.0, REACTIVE_SHARE_CAP)
        fte[: self.n_areas] *= 1.0 - reactive
        return fte


def select_within_capacity(unit: np.ndarray, score: np.ndarray | None, cost: np.ndarray,
                           free: np.ndarray) -> np.ndarray:
    """Indices (into the candidate arrays) chosen by working down each unit's list by score.

    Each unit takes its candidates in descending score while their cumulative cost fits its free
    capacity; the first that does not fit ends that unit's list (no skipping ahead). With
    `score=None` the candidates are already in descending score order.
    """
    if unit.size == 0:
        return unit
    by_score = np.arange(unit.size) if score is None else np.argsort(-score, kind="stable")
    order = by_score[np.argsort(unit[by_score].astype(np.int16), kind="stable")]  # radix sort on units
    sorted_unit, sorted_cost = unit[order], cost[order]
    cumulative = np.cumsum(sorted_cost)
    # np.concatenate and np.append, not np.r_ (several microseconds of Python per call)
    starts = np.concatenate(([True], sorted_unit[1:] != sorted_unit[:-1])).nonzero()[0]
    group_start = np.repeat((cumulative - sorted_cost)[starts], np.diff(np.append(starts, order.size)))
    return order[cumulative - group_start <= free[sorted_unit]]


def descending(values: np.ndarray) -> np.ndarray:
    """Indices ranking `values` from the highest, ties in index order (what a stable sort gives).

    Sorts with the faster unstable sort and falls back to the stable one only when there are ties.
    """
    order = np.argsort(-values)
    ranked = values[order]
    if np.any(ranked[1:] == ranked[:-1]):
        order = np.argsort(-values, kind="stable")
    return order


def intelligence(model) -> None:
    """Map unmapped OCGs and build intelligence on mapped ones."""
    ocgs, params, dt, mods = model.ocgs, model.params, model.months_per_step, model.modifiers
    rng = model.streams["intelligence"]
    trust_ratio = model.trust[ocgs.area] / model.trust_reference[ocgs.area]
    encryption = np.where(ocgs.encrypted, params.encryption_detection_factor, 1.0)
    capacity_ratio = model.force_capacity_ratio[ocgs.area]
    p_detect = (params.detection_prob_per_month * trust_ratio * encryption * capacity_ratio
                * mods.detection_multiplier[ocgs.area]).clip(0.0, 1.0)
    detected = ocgs.active & ~ocgs.known & (rng.random(ocgs.n) < per_step_probability(p_detect, dt))
    ocgs.known = ocgs.known | detected
    ocgs.intel = np.where(detected, 0.1, ocgs.intel)
    under_operation = ocgs.operation_months_left > 0
    gain = np.where(under_operation, params.intel_gain_under_operation_per_month, params.intel_gain_per_month)
    gain = per_step_probability((gain * encryption * mods.intel_multiplier[ocgs.area]).clip(0.0, 1.0), dt)
    ocgs.intel = np.where(ocgs.known, ocgs.intel + gain * (1.0 - ocgs.intel), 0.0)
    model.tally.add("ocgs_mapped", ocgs.area, detected)

    # Police come to know the members of mapped groups as intelligence on the group grows.
    members = model.members
    p_max = per_step_probability(params.member_identification_prob_per_month, dt)
    candidate, u = thinned_bernoulli(rng, model.active_rows(), p_max)
    owner = members.ocg[candidate]
    learned = candidate[(u < p_max * ocgs.intel[owner]) & ocgs.known[owner] & (members.status[candidate] == ACTIVE)]
    members.known[learned] = True


def operation_cost_fte(model, index: np.ndarray) -> np.ndarray:
    """Investigators an operation against each OCG ties up for its duration."""
    params = model.params
    size = np.maximum(model.active_members[index], 1.0)
    months = params.operation_investigator_months * (size / 10.0) ** params.operation_size_exponent
    return months * (1.0 + model.ocgs.insulation[index]) / params.operation_duration_months


def task(model, investigators: np.ndarray) -> None:
    """Open operations against the highest-scoring mapped OCGs while investigators are free."""
    ocgs, police, params = model.ocgs, model.police, model.params
    ongoing = ocgs.operation_months_left > 0
    in_use = np.bincount(ocgs.operation_unit[ongoing], weights=ocgs.operation_fte[ongoing], minlength=police.n_units)
    free = np.maximum(investigators - in_use, 0.0)
    candidates = (ocgs.active & ocgs.known & ~ongoing & (model.ocg_capacity > 0)).nonzero()[0]
    if candidates.size == 0:
        return
    true_harm = ocgs.harm_gbp_per_month[candidates] + model.ocg_violence_harm_per_month[candidates]
    score = true_harm * ocgs.score_noise[candidates] ** (1.0 - ocgs.intel[candidates])
    candidates = candidates[descending(score)]  # the ranked list, highest harm first
    cost = operation_cost_fte(model, candidates)
    unit = police.unit_of(ocgs.area[candidates], ocgs.reach[candidates])
    chosen = select_within_capacity(unit, None, cost, free)
    _open(model, candidates[chosen], unit[chosen], cost[chosen], cross_boundary=False)
    free -= np.bincount(unit[chosen], weights=cost[chosen], minlength=police.n_units)

    # Forces pick up cross-boundary groups in their area that their own tier could not reach.
    left = np.ones(candidates.size, dtype=bool)
    left[chosen] = False
    left &= ocgs.reach[candidates] != LOCAL
    rest = candidates[left]
    if rest.size:
        extra = cost[left] * (1.0 + (params.cross_boundary_cost_multiplier - 1.0)
                              * model.modifiers.cross_boundary_multiplier[ocgs.area[rest]])
        force = ocgs.area[rest]
        chosen = select_within_capacity(force, None, extra, free)
        _open(model, rest[chosen], force[chosen], extra[chosen], cross_boundary=True)


def _open(model, index: np.ndarray, unit: np.ndarray, fte: np.ndarray, cross_boundary: bool) -> None:
    ocgs = model.ocgs
    ocgs.operation_months_left[index] = model.params.operation_duration_months
    ocgs.operation_fte[index] = fte
    ocgs.operation_unit[index] = unit
    ocgs.operation_cross_boundary[index] = cross_boundary
    model.tally.add("operations_started", ocgs.area[index])

