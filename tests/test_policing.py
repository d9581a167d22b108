import itertools

import numpy as np
import pytest

from twin.parameters import Parameters
from twin.policing import select_positions, stable_descending


def descending(values):
    """Indices ranking `values` from the highest, ties in row order: numpy's fast sort, then the
    kernel that puts each run of ties in row order (as `task_open` ranks candidates)."""
    return stable_descending(values, np.argsort(-values))


def select_within_capacity(unit, score, cost, free):
    """Indices chosen working down each unit's list by descending score while the cumulative cost
    fits its free capacity (the ranking and selection `task_open` makes)."""
    if unit.size == 0:
        return unit
    by_score = descending(score)
    return by_score[select_positions(unit[by_score], cost[by_score], free)]


def _brute_force(unit, score, cost, free):
    chosen = []
    for u in np.unique(unit):
        idx = np.flatnonzero(unit == u)
        idx = idx[np.argsort(-score[idx], kind="stable")]
        used = 0.0
        for i in idx:
            if used + cost[i] > free[u]:
                break
            used += cost[i]
            chosen.append(i)
    return sorted(chosen)


def test_selection_works_down_each_list_within_capacity():
    rng = np.random.default_rng(5)
    for _ in range(50):
        n = rng.integers(1, 60)
        unit = rng.integers(0, 4, n)
        score = rng.random(n)
        cost = rng.uniform(0.5, 3.0, n)
        free = rng.uniform(0, 15, 4)
        chosen = sorted(select_within_capacity(unit, score, cost, free))
        assert chosen == _brute_force(unit, score, cost, free)
        spent = np.bincount(unit[chosen], weights=cost[chosen], minlength=4)
        assert np.all(spent <= free + 1e-9)


def test_selection_empty():
    empty = np.array([], dtype=int)
    assert select_within_capacity(empty, empty.astype(float), empty.astype(float), np.ones(2)).size == 0


def test_higher_scores_come_first():
    unit = np.zeros(5, dtype=int)
    score = np.array([1.0, 5.0, 3.0, 4.0, 2.0])
    chosen = select_within_capacity(unit, score, np.ones(5), np.array([2.5]))
    assert set(chosen) == {1, 3}
    assert not list(itertools.islice(chosen, 3, None))


def test_descending_ranks_like_a_stable_sort():
    rng = np.random.default_rng(4)
    distinct = rng.random(500)
    tied = rng.integers(0, 20, 500).astype(float)  # many ties: must fall back to the stable order
    for values in (distinct, tied):
        assert np.array_equal(descending(values), np.argsort(-values, kind="stable"))


def _reference_investigators(model):
    """Investigators before reactive demand: the budget's FTE (no levers)."""
    params = model.params
    return model.police.budget_gbp_per_month(params) * 12 / params.cost_gbp_per_investigator_year


def test_every_force_starts_at_the_baseline_reactive_share_monthly_and_weekly():
    """At the start every force loses `reactive_demand_share` to reactive demand, including areas
    with little or no violence (the reference once came from one random draw, and quiet areas got
    a zero reference), and weekly runs see the same demand as monthly ones."""
    from twin.model import TwinModel

    shares = {}
    for step_length in ("month", "week"):
        model = TwinModel(seed=3, n_steps=2, step_length=step_length)
        n = model.geography.n_areas
        before = _reference_investigators(model)[:n]
        after = model.police.investigators(model.params, model.modifiers, model.expected_violence_per_month)[:n]
        shares[step_length] = 1.0 - after / before
        assert np.allclose(shares[step_length], model.params.reactive_demand_share)
    assert np.allclose(shares["month"], shares["week"])


def test_reactive_demand_rises_with_expected_violence_and_is_capped():
    from twin.model import TwinModel

    model = TwinModel(seed=3, n_steps=2)
    n, params = model.geography.n_areas, model.params
    before = _reference_investigators(model)[:n]
    doubled = model.police.investigators(params, model.modifiers, 2 * model.expected_violence_per_month)[:n]
    share = 1.0 - doubled / before
    expected = np.minimum(params.reactive_demand_share * 2 ** params.reactive_demand_violence_elasticity,
                          params.reactive_demand_share_cap)
    violent = model.police.reference_violence > 1.0 / 12.0 + 1e-12  # areas above the floor respond in full
    assert violent.sum() > 30 and np.allclose(share[violent], expected)
    extreme = model.police.investigators(params, model.modifiers, 1e6 * model.expected_violence_per_month)[:n]
    assert np.allclose(1.0 - extreme[violent] / before[violent], params.reactive_demand_share_cap)


def _intelligence_after(months: int, decay: float, step_length: str = "month"):
    """Intelligence on the mapped, unencrypted active groups of a UK model after `months` of the
    intelligence phase alone (no operations running), from 0.3."""
    from twin import policing
    from twin.model import TwinModel
    from twin.parameters import Parameters

    model = TwinModel(params=Parameters({"intel_decay_per_month": decay}, where="test"), seed=3, n_steps=12,
                      step_length=step_length)
    ocgs = model.ocgs
    ocgs.operation_months_left[:] = 0
    ocgs.known[:] = True
    ocgs.intel[:] = 0.3
    model.force_capacity_ratio = np.ones(model.geography.n_areas)  # set by the step before intelligence
    steps = int(round(months / model.months_per_step))
    for _ in range(steps):
        policing.intelligence(model)
    chosen = ocgs.active & ~ocgs.encrypted
    return ocgs.intel[chosen], model.params


def test_intelligence_on_a_mapped_group_settles_where_gain_meets_staleness():
    # Gain and staleness act as continuous rates (gain -ln(1 - g), staleness -ln(1 - d)): the
    # fixed point gain / (gain + staleness) is about 0.73 with the defaults (g 0.08, d 0.03), not
    # the certainty intelligence reached without staleness; weekly steps reach the same point.
    for step_length in ("month", "week"):
        intel, params = _intelligence_after(400, decay=0.03, step_length=step_length)
        gain, stale = -np.log1p(-params.intel_gain_per_month), -np.log1p(-0.03)
        assert intel.size > 1000
        assert np.allclose(intel, gain / (gain + stale), rtol=1e-9, atol=0)
        assert 0.6 < gain / (gain + stale) < 0.8


def test_without_staleness_intelligence_closes_the_gap():
    intel, _ = _intelligence_after(400, decay=0.0)
    assert intel.min() > 0.999


def test_a_step_of_intelligence_does_not_depend_on_the_step_length():
    from twin.intelligence_kernels import intelligence_after_step

    start, gap_kept_month, kept_month = 0.2, 1 - 0.08, 1 - 0.03
    monthly = start
    for _ in range(12):
        monthly = intelligence_after_step(monthly, gap_kept_month, kept_month)
    weekly = start
    for _ in range(52):
        weekly = intelligence_after_step(weekly, gap_kept_month ** (12 / 52), kept_month ** (12 / 52))
    assert abs(weekly - monthly) < 1e-12
    # no staleness: the plain closing of the gap, exactly as before staleness was added
    assert intelligence_after_step(0.2, 0.92, 1.0) == 0.2 + 0.08 * 0.8


def test_members_of_mapped_groups_are_identified_in_proportion_to_the_intelligence_on_them():
    """Each active unknown member of a mapped group is identified in a step with chance
    `member_identification_prob_per_month` (per step) times the intelligence on the group after
    the step's gain: counted over groups held at two levels of intelligence, within 4 standard
    errors of the expected number at each (nothing pinned the intelligence's part before)."""
    from twin import policing
    from twin.model import TwinModel
    from twin.parameters import Parameters
    from twin.vocabulary import ACTIVE

    model = TwinModel(params=Parameters({"member_identification_prob_per_month": 0.2}, where="test"), seed=4,
                      n_steps=12)
    ocgs, members = model.ocgs, model.members
    ocgs.known[:] = True
    ocgs.operation_months_left[:] = 0
    low = np.arange(ocgs.n) % 2 == 0
    ocgs.intel[:] = np.where(low, 0.1, 0.7)
    model.force_capacity_ratio = np.ones(model.geography.n_areas)  # set by the step before intelligence
    unknown = (members.status == ACTIVE) & ~members.known & ocgs.active[members.ocg]
    policing.intelligence(model)
    chance = policing._intelligence_rates(model.params, 1.0)[policing.RATE_IDENTIFY] * ocgs.intel[members.ocg]
    identified = unknown & members.known
    for half in (low, ~low):
        at_risk = unknown & half[members.ocg]
        p = chance[at_risk]
        expected, se = p.sum(), np.sqrt((p * (1 - p)).sum())
        assert at_risk.sum() > 10_000 and se > 10
        assert abs(identified[at_risk].sum() - expected) < 4 * se, (identified[at_risk].sum(), expected, se)


def _opened_lengths(spread: float, step: str = "month", seed: int = 1,
                    mean: float = 6.0) -> tuple[np.ndarray, float]:
    """The lengths (months) of the operations tasking opens with every investigator free."""
    from twin import policing
    from twin.model import TwinModel

    params = Parameters({"operation_duration_spread": spread, "operation_duration_months": mean}, where="test")
    model = TwinModel(seed=seed, step_length=step, params=params)
    model.ocgs.operation_months_left[:] = 0.0
    policing.task(model, model.police.investigators(model.params, model.modifiers, model.expected_violence_per_month))
    left = model.ocgs.operation_months_left
    return left[left > 0], model.months_per_step


def test_operation_lengths_spread_evenly_in_whole_steps():
    """At spread 0.5 a six-month operation lasts round(6 x U(0.5, 1.5)) months: 3 and 9 with
    chance 1/12 each, 4 to 8 with 1/6 (a chi-square test at the 0.1% level), mean 6 within 4
    standard errors; weekly, whole weeks from 3 to 9 months."""
    from scipy.stats import chisquare

    lengths, _ = _opened_lengths(0.5)
    assert lengths.size > 500
    months, counts = np.unique(lengths, return_counts=True)
    assert list(months) == [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    expected = lengths.size * np.array([1, 2, 2, 2, 2, 2, 1]) / 12
    assert chisquare(counts, expected).pvalue > 0.001
    assert abs(lengths.mean() - 6.0) < 4 * lengths.std() / np.sqrt(lengths.size)
    weekly, months_per_step = _opened_lengths(0.5, step="week")
    weeks = weekly / months_per_step
    assert np.allclose(weeks, np.rint(weeks)) and weeks.min() >= 13 and weeks.max() <= 39
    assert abs(weekly.mean() - 6.0) < 4 * weekly.std() / np.sqrt(weekly.size)


def test_without_a_spread_every_operation_lasts_the_mean():
    lengths, _ = _opened_lengths(0.0)
    assert lengths.size > 500 and np.all(lengths == 6.0)


@pytest.mark.parametrize("mean, spread", [(7.4, 0.0), (7.4, 0.05), (4.6, 0.1)])
def test_operation_lengths_keep_their_mean_when_the_spread_is_narrower_than_a_step(mean, spread):
    """Whole months either side of the drawn length, by chances that keep the mean (within 4
    standard errors), where rounding to the nearest month would move it by up to half a month."""
    lengths, _ = _opened_lengths(spread, mean=mean)
    low = np.floor(mean * (1 - spread))
    assert lengths.size > 500 and set(np.unique(lengths)) <= {low, low + 1, low + 2}
    se = max(lengths.std(), 0.1) / np.sqrt(lengths.size)
    assert abs(lengths.mean() - mean) < 4 * se and abs(np.rint(mean) - mean) > 4 * se
