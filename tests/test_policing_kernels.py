"""The policing and investigations kernels give what the numpy code they replaced gave."""

import numpy as np
import pytest

from twin.investigations import active_members_of
from twin.policing import ranked_order, select_positions, stable_descending
from twin.vocabulary import ACTIVE


def _numpy_descending(values):
    order = np.argsort(-values)
    ranked = values[order]
    if np.any(ranked[1:] == ranked[:-1]):
        order = np.argsort(-values, kind="stable")
    return order


def _numpy_select(unit, cost, free):
    order = np.argsort(unit.astype(np.int16), kind="stable")
    sorted_unit, sorted_cost = unit[order], cost[order]
    cumulative = np.cumsum(sorted_cost)
    starts = np.concatenate(([True], sorted_unit[1:] != sorted_unit[:-1])).nonzero()[0]
    group_start = np.repeat((cumulative - sorted_cost)[starts], np.diff(np.append(starts, order.size)))
    return order[cumulative - group_start <= free[sorted_unit]]


def test_descending_matches_numpy_with_ties_zeros_and_nans():
    rng = np.random.default_rng(7)
    for trial in range(200):
        n = int(rng.integers(1, 400))
        values = rng.integers(0, 30, n).astype(float) if trial % 2 else rng.random(n)
        special = rng.random(n)
        values[special < 0.05] = np.nan
        values[(special >= 0.05) & (special < 0.08)] = -0.0
        values[(special >= 0.08) & (special < 0.1)] = np.inf
        assert np.array_equal(stable_descending(values, np.argsort(-values)), _numpy_descending(values))


def test_ranked_order_is_the_ranking_stable_descending_makes_of_numpys_sort():
    """`task` ranks with `ranked_order` (a radix sort): the order `stable_descending` gives numpy's
    argsort, for scores as a run has them, ties, zeros of both signs, infinities, one NaN, clusters
    that the counting passes leave tied (sorted by insertion or merge sort) and sizes from 1 up;
    two NaNs or more give an empty order (the caller then sorts in numpy)."""
    rng = np.random.default_rng(9)
    for trial in range(400):
        n = int(rng.integers(1, 5000 if trial % 10 == 0 else 300))
        kind = trial % 7
        if kind == 0:
            values = -np.exp(rng.normal(12.0, 1.2, n)) * rng.lognormal(0.0, 0.3, n) ** rng.random(n)
        elif kind == 1:
            values = np.round(rng.normal(0.0, 3.0, n), int(rng.integers(0, 3)))
        elif kind == 2:
            values = -rng.integers(0, 5, n).astype(float)
        elif kind == 3:
            values = rng.normal(0.0, 1.0, n) * 10.0 ** rng.integers(-300, 300, n)
        elif kind == 4:
            values = np.r_[1e300, 1.0 + rng.integers(0, 50, n) * 1e-12]
        elif kind == 5:
            values = np.r_[-1e30, -rng.random(n) * 1e-3]
        else:
            values = np.full(n, -3.5)
        special = rng.random(values.size)
        values[special < 0.03] = -0.0
        values[(special >= 0.03) & (special < 0.05)] = 0.0
        values[(special >= 0.05) & (special < 0.06)] = -np.inf
        if trial % 3 == 0:
            values[int(rng.integers(0, values.size))] = np.nan
        expected = stable_descending(values, np.argsort(values))
        assert np.array_equal(ranked_order(values), expected)
        assert np.array_equal(expected, np.argsort(values, kind="stable"))
    assert ranked_order(np.array([np.nan, 1.0, np.nan])).size == 0


def test_select_within_capacity_matches_the_cumulative_sum_rule():
    rng = np.random.default_rng(8)
    for _ in range(200):
        n = int(rng.integers(1, 300))
        n_units = int(rng.integers(1, 12))
        unit = rng.integers(0, n_units, n)
        cost = rng.uniform(0.01, 3.0, n)
        free = rng.uniform(0.0, 20.0, n_units)
        assert np.array_equal(select_positions(unit, cost, free), _numpy_select(unit, cost, free))



def test_active_members_of_finds_the_active_rows_of_flagged_groups():
    rng = np.random.default_rng(9)
    ocg = rng.integers(0, 500, 20_000)
    status = rng.integers(0, 5, 20_000).astype(np.int8)
    flagged = rng.random(500) < 0.3  # thousands of rows: counts past 255
    expected = (flagged[ocg] & (status == ACTIVE)).nonzero()[0]
    assert np.array_equal(active_members_of(ocg, status, flagged), expected)


def test_the_completion_kernel_unpacks_its_scalars_in_their_named_order():
    """`complete_operations` fills the kernel's scalars by name (`COMPLETION_TERMS`); the kernel
    unpacks them by position: the names it unpacks into, and the positions, must be that order."""
    import inspect
    import re

    from twin.investigations import COMPLETION_TERMS, _complete_kernel

    source = inspect.getsource(_complete_kernel.py_func)
    match = re.search(r"\(([a-z_,\s]+)\)\s*=\s*\(((?:terms\[\d+\],?\s*)+)\)", source)
    names = tuple(name.strip() for name in match.group(1).split(",") if name.strip())
    positions = [int(k) for k in re.findall(r"terms\[(\d+)\]", match.group(2))]
    assert names == COMPLETION_TERMS
    assert positions == list(range(len(COMPLETION_TERMS)))


def test_the_chance_of_mapping_a_group_and_the_intelligence_gained_follow_their_formulas():
    """ODD 3.3: a group's monthly chance of being mapped is detection x (trust / its reference) x
    (the encryption factor, if encrypted) x the force's capacity ratio x the levers' detection
    multipliers (the area's, and the group's where a lever sets one); its intelligence gain, the
    month's share of the gap, is the gain (higher under an operation) x the encryption factor x the
    area's intelligence multiplier. Both chances clipped to 0-1; the kernel returns their complements."""
    from twin.intelligence_kernels import intelligence_complements

    area = np.array([0, 1, 1, 0])
    encrypted = np.array([False, True, False, True])
    months_left = np.array([0.0, 0.0, 3.0, 0.0])  # the third under an operation
    trust, reference = np.array([0.3, 0.5]), np.array([0.6, 0.5])
    capacity, detection, intel = np.array([1.2, 0.8]), np.array([1.0, 1.5]), np.array([1.0, 2.0])
    for group_multiplier in (np.empty(0), np.array([1.0, 2.0, 1.0, 2000.0])):
        stay, kept = intelligence_complements(encrypted, area, months_left, trust, reference, capacity, detection,
                                              group_multiplier, intel, 0.006, 0.5, 0.08, 0.2)
        each = group_multiplier if group_multiplier.size else np.ones(4)
        p = np.minimum(0.006 * trust[area] / reference[area] * np.where(encrypted, 0.5, 1.0) * capacity[area]
                       * detection[area] * each, 1.0)
        gain = np.where(months_left > 0, 0.2, 0.08) * np.where(encrypted, 0.5, 1.0) * intel[area]
        assert np.allclose(stay, 1 - p, rtol=1e-12, atol=0) and np.allclose(kept, 1 - gain, rtol=1e-12, atol=0)
    assert stay[3] == 0.0 and stay[0] == pytest.approx(1 - 0.006 * 0.5 * 1.2, rel=1e-12)  # clipped; trust halved


def test_tasking_candidates_are_the_free_mapped_groups_with_capacity_scored_on_market_and_violence_harm():
    """ODD 3.3 (tasking): police can task against active, mapped groups not under operation and with
    capacity; each is scored on its harm a month, market and violence harm together (`task` ranks on
    minus it), with its score noise raised to 1 - intelligence and its size in tens of members (at least
    one member). Investigators on an operation are not free (never below none)."""
    from twin.policing import task_candidates

    months_left = np.array([0.0, 2.0, 0.0, 0.0, 0.0])  # group 1 under operation by unit 0
    unit, fte = np.array([0, 0, 0, 0, 0]), np.array([0.0, 3.0, 0.0, 0.0, 0.0])
    active = np.array([True, True, True, False, True])
    known = np.array([True, True, True, True, False])
    capacity = np.array([1.0, 1.0, 2.0, 1.0, 1.0])
    harm, violence_harm = np.array([1e5, 9e5, 1e5, 1e5, 1e5]), np.array([0.0, 0.0, 1e6, 0.0, 0.0])
    free, candidates, harm_lost, noise, exponent, size = task_candidates(
        months_left, unit, fte, active, known, capacity, np.array([10.0, 2.0]), harm, violence_harm,
        np.array([1.1, 1.2, 1.3, 1.4, 1.5]), np.array([0.2, 0.0, 0.7, 0.0, 0.0]), np.array([25.0, 5, 0.5, 5, 5]))
    assert list(free) == [7.0, 2.0] and list(candidates) == [0, 2]  # 3 and 4: inactive, unmapped
    assert list(harm_lost) == [-1e5, -1.1e6]  # the violent group's violence harm counts
    assert list(noise) == [1.1, 1.3] and np.allclose(exponent, [0.8, 0.3]) and list(size) == [2.5, 0.1]
    free = task_candidates(months_left, unit, fte, active, known, capacity, np.array([2.0, 2.0]), harm, violence_harm,
                           np.ones(5), np.zeros(5), np.ones(5))[0]
    assert list(free) == [0.0, 2.0]  # more in use than the unit has: none free, not fewer than none


def test_an_operation_ties_up_investigators_by_size_and_insulation_and_cross_boundary_at_the_extra_cost():
    """ODD 3.3 (tasking): an operation ties up `operation_investigator_months` x (size / 10) **
    exponent x (1 + insulation) / the mean length investigators of its tier's unit (force, ROCU or
    NCA) for its length; a group beyond a force whose tier has no room is taken by its area's force
    at the cost times 1 + `cross_boundary_cost_multiplier` - 1 (scaled by the area's levers)."""
    from twin.compiled import generator_argument
    from twin.policing import task_open
    from twin.vocabulary import LOCAL, NATIONAL, REGIONAL

    insulation = np.array([0.5, 0.0, 0.25, 0.1])
    size_power = np.array([1.0, 2.0, 1.0, 3.0])
    area, reach = np.array([0, 1, 0, 1]), np.array([LOCAL, LOCAL, REGIONAL, NATIONAL])
    months_left, fte = np.zeros(4), np.zeros(4)
    unit, cross = np.full(4, -1, np.int64), np.zeros(4, bool)
    tally = np.zeros((1, 2))
    negated = -np.array([4.0, 3.0, 2.0, 1.0])
    task_open(negated_score=negated, order=np.argsort(negated), candidates=np.arange(4), size_power=size_power,
              free_fte=np.array([100.0, 100.0, 0.0, 100.0]), investigator_months=12.0, length=(6.0, 0.0, 1.0),
              length_rng_handle=generator_argument(np.random.default_rng(0)), cross_boundary_extra=0.5,
              insulation=insulation, area=area, reach=reach, area_region=np.array([0, 0]),
              cross_boundary_multiplier=np.array([2.0, 1.0]), operation_months_left=months_left, operation_fte=fte,
              operation_unit=unit, operation_cross_boundary=cross, tally_values=tally, row_started=0)
    expected = 12.0 * size_power * (1 + insulation) / 6.0
    expected[2] *= 1 + 0.5 * 2.0  # the region had no room: area 0's force at the extra cost
    np.testing.assert_allclose(fte, expected, rtol=1e-12)
    assert list(unit) == [0, 1, 0, 3] and list(cross) == [False, False, True, False]
    assert list(months_left) == [6.0] * 4 and list(tally[0]) == [2.0, 2.0]


def test_tasking_ranks_on_harm_times_noise_to_the_power_of_one_less_intelligence(monkeypatch):
    """ODD 3.3 (tasking): the score a unit ranks on is a group's harm a month (market and violence)
    times its score noise to the power 1 - intelligence: full intelligence sees the true harm."""
    from twin import policing
    from twin.model import TwinModel

    model = TwinModel(seed=4, n_steps=3)
    model.step()
    ocgs = model.ocgs
    rng = np.random.default_rng(4)
    ocgs.intel[: ocgs.n] = rng.choice([0.0, 0.5, 1.0], ocgs.n)
    ocgs.score_noise[: ocgs.n] = rng.uniform(0.5, 2.0, ocgs.n)
    seen = {}
    monkeypatch.setattr(policing, "task_open", lambda **kwargs: seen.update(kwargs))
    policing.task(model, model.investigators_fte.copy())
    g = seen["candidates"]
    assert g.size > 1000
    harm = ocgs.harm_gbp_per_month[g] + model.ocg_violence_harm_per_month[g]
    np.testing.assert_allclose(-seen["negated_score"], harm * ocgs.score_noise[g] ** (1 - ocgs.intel[g]), rtol=1e-12)
    full = ocgs.intel[g] == 1.0
    assert full.any() and np.array_equal(-seen["negated_score"][full], harm[full])


def test_operations_arrest_each_role_at_its_share_on_success_and_failure():
    """ODD 3.3 (investigations): an operation ending arrests each active member of its group with the
    role's share (`arrest_share_leader`, `_core`, `_worker`, `_exploited`) if it succeeded, and workers
    and exploited members at `failed_operation_arrest_share` if it failed (leaders and core never); a
    leader's chance is cut by `leader_insulation_arrest_cut` x the group's insulation, and a member
    police do not know is arrested at `unknown_member_arrest_ratio` of the chance. Every group of the
    register is worked at once, its members unknown (an arrest makes one known: that is how arrests
    are read); a success is read off the seizure (the group's capital falls only then). Counts within
    4 standard errors of the sum of the members' chances, by role and outcome."""
    from twin.investigations import complete_operations
    from twin.model import TwinModel
    from twin.vocabulary import CORE, EXPLOITED, LEADER, WORKER

    model = TwinModel(seed=1, n_steps=1)
    ocgs, members, p = model.ocgs, model.members, model.params
    ended = np.flatnonzero(ocgs.active & (ocgs.capital_gbp > 0))
    ocgs.insulation[:] = np.random.default_rng(5).uniform(0.4, 1.0, ocgs.n)  # (the cut then matters)
    members.known[:] = False
    targeted = (members.status == ACTIVE) & np.isin(members.ocg, ended)
    role, owner, capital = members.role.copy(), members.ocg.copy(), ocgs.capital_gbp.copy()
    complete_operations(model, ended)
    succeeded, arrested = ocgs.capital_gbp < capital, targeted & members.known
    assert 0.2 < succeeded[ended].mean() < 0.8  # both outcomes, many times over
    shares = {True: {LEADER: p.arrest_share_leader, CORE: p.arrest_share_core, WORKER: p.arrest_share_worker,
                     EXPLOITED: p.arrest_share_exploited},
              False: {LEADER: 0.0, CORE: 0.0, WORKER: p.failed_operation_arrest_share,
                      EXPLOITED: p.failed_operation_arrest_share}}
    for outcome, by_role in shares.items():
        for kind, share in by_role.items():
            rows = targeted & (role == kind) & (succeeded[owner] == outcome)
            cut = 1 - p.leader_insulation_arrest_cut * ocgs.insulation[owner[rows]] if kind == LEADER else 1.0
            chance = np.broadcast_to(share * cut * p.unknown_member_arrest_ratio, rows.sum())
            assert rows.sum() > 200
            expected, sd = chance.sum(), np.sqrt((chance * (1 - chance)).sum())
            assert abs(arrested[rows].sum() - expected) <= 4 * sd, (outcome, kind, arrested[rows].sum(), expected, sd)
