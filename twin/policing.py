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

from twin import policing_kernels as kernels
from twin.parameters import per_step_probability
from twin.streams import thinned_bernoulli
from twin.vocabulary import FORCE, NCA, ROCU

#: most of a force's SOC investigators reactive demand can take, however violent the area (assumption, 0.8-0.95)
REACTIVE_SHARE_CAP = 0.9
#: expected serious violence below which an area counts as having this much: one incident a year
#: (assumption). An area that starts without violent groups then starts at the baseline reactive
#: share and does not count its first incident as an unbounded rise
REFERENCE_VIOLENCE_FLOOR_PER_MONTH = 1.0 / 12.0
#: stands for the per-step complements the intelligence kernel computes itself in monthly runs
_NO_VALUES = np.empty(0)


class Police:
    """Tasking units and their investigators.

    Units are numbered forces first (one per area), then the ROCUs (one per region), then the
    NCA. An OCG's home unit is its force when its reach is local, its region's ROCU when regional,
    the NCA when national (`policing_kernels.task_open`).
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


def tally_rows(tally, names: tuple[str, ...]) -> np.ndarray:
    """Rows of the step tally's `values` holding `names`, for kernels that add to them (read
    `tally.values` after this: a new name can replace it)."""
    return np.array([tally.row(name) for name in names], dtype=np.int64)


def select_within_capacity(unit: np.ndarray, score: np.ndarray | None, cost: np.ndarray,
                           free: np.ndarray) -> np.ndarray:
    """Indices (into the candidate arrays) chosen by working down each unit's list by score.

    Each unit takes its candidates in descending score while their cumulative cost fits its free
    capacity; the first that does not fit ends that unit's list (no skipping ahead). With
    `score=None` the candidates are already in descending score order. The indices come grouped
    by unit (units in increasing order), each unit's in descending score.
    """
    if unit.size == 0:
        return unit
    if score is None:
        return kernels.select_within_capacity(unit, cost, free)
    by_score = descending(score)
    return by_score[kernels.select_within_capacity(unit[by_score], cost[by_score], free)]


def descending(values: np.ndarray) -> np.ndarray:
    """Indices ranking `values` from the highest, ties in index order (what a stable sort gives).

    Sorts with numpy's fast unstable sort, then puts each run of ties in index order.
    """
    return kernels.stable_descending(values, np.argsort(-values))


def intelligence(model) -> None:
    """Map unmapped OCGs and build intelligence on mapped ones; identify members of mapped groups.

    An unmapped active OCG is mapped with a monthly chance `detection_prob_per_month` scaled by
    community trust (relative to its start), encryption, the force's capacity and levers; a mapped
    group's intelligence closes a share of its gap each month (more under operation). Police then
    come to know members of mapped groups as intelligence on the group grows.
    """
    ocgs, params, dt, mods = model.ocgs, model.params, model.months_per_step, model.modifiers
    rng = model.streams["intelligence"]
    terms = (ocgs.encrypted, ocgs.area, ocgs.operation_months_left, model.trust, model.trust_reference,
             model.force_capacity_ratio, mods.detection_multiplier, mods.intel_multiplier,
             float(params.detection_prob_per_month), float(params.encryption_detection_factor),
             float(params.intel_gain_per_month), float(params.intel_gain_under_operation_per_month))
    monthly = dt == 1.0
    if monthly:  # the kernel takes the complements as they are (x ** 1.0 is x)
        stay_unmapped = gap_kept = _NO_VALUES
    else:  # per_step_probability, 1 - (1 - p) ** dt: the powers in numpy (see policing_kernels)
        stay_unmapped, gap_kept = kernels.intelligence_complements(*terms)
        stay_unmapped = stay_unmapped ** dt
        gap_kept = gap_kept ** dt
    # The draws by numpy (their counts are known): a uniform per OCG, then the members' thinned draws.
    u_mapping = rng.random(ocgs.n)
    p_identify_max = per_step_probability(params.member_identification_prob_per_month, dt)
    candidate, u_identify = thinned_bernoulli(rng, model.active_rows(), p_identify_max)
    rows = tally_rows(model.tally, ("ocgs_mapped",))
    members = model.members
    kernels.intelligence_update(monthly, stay_unmapped, gap_kept, *terms, u_mapping, ocgs.active, ocgs.known,
                                ocgs.intel, candidate, u_identify, members.ocg, members.status, members.known,
                                float(p_identify_max), model.tally.values, rows[0])


def task(model, investigators: np.ndarray) -> None:
    """Open operations against the highest-scoring mapped OCGs while investigators are free.

    Each unit ranks the candidates in its remit by `harm * score_noise ** (1 - intel)` and opens
    operations down its list (`select_within_capacity`); an operation ties up
    `operation_investigator_months * (size / 10) ** operation_size_exponent * (1 + insulation)`
    investigator-months over `operation_duration_months`. Forces then take cross-boundary groups
    in their area that their own tier left, at `cross_boundary_cost_multiplier` (scaled by levers).
    """
    ocgs, police, params = model.ocgs, model.police, model.params
    free, candidates, true_harm, noise, noise_exponent, size_tens = kernels.task_candidates(
        ocgs.operation_months_left, ocgs.operation_unit, ocgs.operation_fte, ocgs.active, ocgs.known,
        model.ocg_capacity, investigators, ocgs.harm_gbp_per_month, model.ocg_violence_harm_per_month,
        ocgs.score_noise, ocgs.intel, model.active_members)
    if candidates.size == 0:
        return
    # The powers in numpy (see policing_kernels); the ranking starts from numpy's fast sort.
    score = true_harm * noise ** noise_exponent
    size_power = size_tens ** params.operation_size_exponent
    rows = tally_rows(model.tally, ("operations_started",))
    kernels.task_open(score, np.argsort(-score), candidates, size_power, free,
                      float(params.operation_investigator_months), float(params.operation_duration_months),
                      float(params.cross_boundary_cost_multiplier - 1.0), ocgs.insulation, ocgs.area, ocgs.reach,
                      police.area_region, model.modifiers.cross_boundary_multiplier, ocgs.operation_months_left,
                      ocgs.operation_fte, ocgs.operation_unit, ocgs.operation_cross_boundary,
                      model.tally.values, rows[0])
