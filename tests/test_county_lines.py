"""County lines (`county_lines.py`): destinations at set-up, supply, the county-lines phase's
closures and openings, and the closures other phases call."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from twin.compiled import generator_argument
from twin.county_lines import (
    NO_REMAP, CountyLines, close_lines_of_disrupted, close_lines_of_inactive, county_lines_step, line_destinations,
    line_supply, step,
)
from twin.geography import load_geography
from twin.model import TwinModel
from twin.parameters import Parameters
from twin.results import StepTally
from twin.vocabulary import COCAINE, HEROIN_CRACK, MARKETS

WEEK = 12 / 52  # months in a weekly step


def _owners_model(owner_areas: np.ndarray):
    """What `line_destinations` reads: the geography and each owner's area."""
    return SimpleNamespace(geography=load_geography(), ocgs=SimpleNamespace(area=owner_areas))


def test_destinations_are_never_exporter_areas_and_favour_the_owners_region_two_to_one():
    geo = load_geography()
    origin = int(np.flatnonzero(geo.exporter)[0])
    n = 200_000
    dest = line_destinations(_owners_model(np.full(n, origin)), np.arange(n), np.random.default_rng(5))
    assert not geo.exporter[dest].any()
    weights = np.where(geo.exporter, 0.0, geo.population) * np.where(
        geo.area_region == geo.area_region[origin], 2.0, 1.0)
    expected = weights / weights.sum()
    observed = np.bincount(dest, minlength=geo.n_areas) / n
    se = np.sqrt(expected * (1 - expected) / n)
    assert np.all(np.abs(observed - expected) <= 4 * se + 1e-12)
    # the same-region weighting matters: without it the home region's share is lower by many errors
    home = geo.area_region == geo.area_region[origin]
    unweighted = np.where(geo.exporter, 0.0, geo.population)
    unweighted_share = unweighted[home].sum() / unweighted.sum()
    share = observed[home].sum()
    assert share - unweighted_share > 10 * np.sqrt(share * (1 - share) / n)


def test_no_owners_no_destinations_and_no_draw():
    rng = np.random.default_rng(1)
    before = rng.bit_generator.state
    assert line_destinations(_owners_model(np.zeros(0, dtype=np.int64)), np.zeros(0, dtype=np.int64), rng).size == 0
    assert rng.bit_generator.state == before


def test_lines_of_inactive_groups_close_and_absorbed_groups_lines_are_handed_over():
    line_ocg = np.array([0, 1, 2, 2, 3])
    line_dest = np.array([0, 1, 1, 2, 0])
    line_active = np.array([True, True, True, False, True])
    ocg_active = np.array([True, False, True, False])
    # without a remap: the lines of the inactive groups 1 and 3 close (the closed line of 2 stays closed)
    active = line_active.copy()
    closed = close_lines_of_inactive(active, line_ocg.copy(), line_dest, ocg_active, NO_REMAP, 3)
    assert active.tolist() == [True, False, True, False, False]
    assert closed.tolist() == [1.0, 1.0, 0.0]
    # group 3 absorbed by group 0: its line is handed over and stays open; group 1's closes
    active, owners = line_active.copy(), line_ocg.copy()
    closed = close_lines_of_inactive(active, owners, line_dest, ocg_active, np.array([0, 1, 2, 0]), 3)
    assert owners.tolist() == [0, 1, 2, 2, 0]
    assert active.tolist() == [True, False, True, False, True]
    assert closed.tolist() == [0.0, 1.0, 0.0]


@pytest.mark.parametrize("prob", [0.2, 0.6])
def test_lines_of_disrupted_groups_close_at_their_chance_and_the_stream_moves_one_uniform_a_line(prob):
    n_lines, n_groups = 20_000, 4
    rng = np.random.default_rng(11)
    line_ocg = rng.integers(0, n_groups, n_lines)
    line_dest = rng.integers(0, 3, n_lines)
    disrupted = np.array([True, False, True, False])
    line_active = np.ones(n_lines, dtype=bool)
    tally = np.zeros((2, 3))
    stream = np.random.default_rng(3)
    close_lines_of_disrupted(stream, prob, line_active, line_ocg, line_dest, disrupted, True, tally, 1)
    exposed = disrupted[line_ocg]
    assert line_active[~exposed].all()
    n_exposed = np.count_nonzero(exposed)
    share_closed = np.count_nonzero(~line_active) / n_exposed
    assert abs(share_closed - prob) <= 4 * np.sqrt(prob * (1 - prob) / n_exposed)
    assert tally[0].sum() == 0
    assert tally[1].tolist() == np.bincount(line_dest[~line_active], minlength=3).astype(float).tolist()
    # a uniform per line whether it could close or not: the stream is where `n_lines` draws leave it
    reference = np.random.default_rng(3)
    reference.random(n_lines)
    assert stream.random() == reference.random()


def test_no_disruption_closes_nothing_and_tallies_nothing():
    line_active = np.ones(50, dtype=bool)
    tally = np.zeros((1, 2))
    close_lines_of_disrupted(np.random.default_rng(1), 1.0, line_active, np.zeros(50, dtype=np.int64),
                             np.zeros(50, dtype=np.int64), np.zeros(1, dtype=bool), False, tally, 0)
    assert line_active.all() and not tally.any()


def test_a_run_tallies_every_opening_and_closure_by_destination():
    """Lines open and close in several phases; what the step tally counts is what the table shows."""
    model = TwinModel(seed=4, n_steps=6)
    lines = model.county_lines
    counted = np.zeros(2)
    for _ in range(6):
        n_before, open_before = lines.n, np.count_nonzero(lines.active)
        model.step()
        opened = model.tally.values[model.tally.rows_of(("county_lines_opened",))[0]].sum()
        closed = model.tally.values[model.tally.rows_of(("county_lines_closed",))[0]].sum()
        counted += opened, closed
        assert lines.n - n_before == opened
        assert np.count_nonzero(lines.active) - open_before == opened - closed
        assert not lines.active[:lines.n][~model.ocgs.active[lines.ocg[:lines.n]]].any()
    assert counted.min() > 0  # lines did open and close


# A small world for the county-lines phase, by hand. Areas 0 and 3 export lines; areas 1, 2 and 4
# are where lines go. Only heroin/crack demand and vacancy count: the other markets' are set far
# apart from them, so that a kernel reading another market's column gives other numbers.
EXPORTER = np.array([True, False, False, True, False])
HEROIN_DEMAND = np.array([400.0, 200.0, 300.0, 900.0, 500.0])
HEROIN_VACANCY = np.array([0.9, 0.5, 0.0, 0.8, 0.2])
#: demand-weighted vacancy outside exporter areas: (0.5 x 200 + 0 x 300 + 0.2 x 500) / (200 + 300 + 500)
MEAN_VACANCY = 0.2
# Groups 0-2 are the exporters (active heroin/crack groups with capacity in an exporter area);
# 3 is inactive, 4 sells cocaine only, 5 is in a non-exporter area, 6 has no capacity: none of
# them opens lines, though 3-5 have the most capacity.
GROUP_ACTIVE = np.array([True, True, True, False, True, True, True])
GROUP_AREA = np.array([0, 3, 0, 0, 3, 1, 3])
GROUP_CAPACITY = np.array([2.0, 6.0, 12.0, 50.0, 50.0, 50.0, 0.0])
EXPORTERS = np.array([0, 1, 2])


def _group_markets() -> np.ndarray:
    markets = np.zeros((GROUP_ACTIVE.size, len(MARKETS)), dtype=bool)
    markets[:, HEROIN_CRACK] = True
    markets[4, HEROIN_CRACK], markets[4, COCAINE] = False, True
    return markets


def _market_arrays():
    """[area, market] demand and vacancy: heroin/crack's as above, the other markets' otherwise."""
    demand = np.full((EXPORTER.size, len(MARKETS)), 1e5)
    vacancy = np.full((EXPORTER.size, len(MARKETS)), 0.95)
    demand[:, HEROIN_CRACK], vacancy[:, HEROIN_CRACK] = HEROIN_DEMAND, HEROIN_VACANCY
    return demand, vacancy


def _step_kernel(rng, openings_per_exporter, vacancy_response=0.0, months_per_step=1.0, opening_multiplier=1.0,
                 entry_multiplier=None, pull_floor=0.1, line_active=None, line_dest=None, closure_prob=0.0,
                 ocg_active=GROUP_ACTIVE):
    """`county_lines_step` on the small world; returns what it returns and the tally [closed, opened]."""
    demand, vacancy = _market_arrays()
    line_active = np.zeros(0, dtype=bool) if line_active is None else line_active
    line_dest = np.zeros(line_active.size, dtype=np.int64) if line_dest is None else line_dest
    tally = np.zeros((2, EXPORTER.size))
    returned = county_lines_step(
        rng_handle=generator_argument(rng), line_active=line_active, line_dest=line_dest, closure_prob=closure_prob,
        ocg_active=ocg_active, ocg_markets=_group_markets(), ocg_area=GROUP_AREA, exporter=EXPORTER,
        ocg_capacity=GROUP_CAPACITY, openings_per_exporter=openings_per_exporter, start_closures=0.0,
        demand=demand, vacancy=vacancy, vacancy_response=vacancy_response, months_per_step=months_per_step,
        opening_multiplier=opening_multiplier,
        entry_multiplier=np.ones(EXPORTER.size) if entry_multiplier is None else entry_multiplier,
        pull_floor=pull_floor, tally=tally, tally_rows=np.array([0, 1]))
    return returned, tally


@pytest.mark.parametrize("vacancy_response, months_per_step, opening_multiplier",
                         [(0.0, 1.0, 1.0), (5.0, 1.0, 1.0), (5.0, WEEK, 1.5)],
                         ids=["no_response", "response", "weekly_and_multiplied"])
def test_openings_are_poisson_with_a_mean_that_rises_with_unmet_demand(vacancy_response, months_per_step,
                                                                       opening_multiplier):
    """Openings a step are Poisson with mean openings-per-exporter x exporters x (1 + the vacancy
    response x the demand-weighted heroin/crack vacancy outside exporter areas) x months a step x
    the opening multiplier. Guards the response to unmet demand (`county_line_vacancy_response`
    ignored, or the vacancy of exporter areas counted) and the count of exporters (an inactive,
    cocaine-only, non-exporter-area or idle group counted); the variance guards the draw's being
    Poisson rather than the mean rounded."""
    n, per_exporter = 4000, 0.5
    expected = (per_exporter * EXPORTERS.size * (1 + vacancy_response * MEAN_VACANCY) * months_per_step
                * opening_multiplier)
    rng = np.random.default_rng(21)
    counts = np.empty(n)
    for i in range(n):
        (n_exporters, returned_rate, owner, dest), tally = _step_kernel(
            rng, per_exporter, vacancy_response, months_per_step, opening_multiplier)
        counts[i] = owner.size
    assert n_exporters == EXPORTERS.size and returned_rate == per_exporter
    se = np.sqrt(expected / n)
    assert abs(counts.mean() - expected) < 4 * se, (counts.mean(), expected)
    # a Poisson count's variance is its mean (the sample variance's se: sqrt((mean + 2 mean^2) / n))
    assert abs(counts.var(ddof=1) - expected) < 4 * np.sqrt((expected + 2 * expected ** 2) / n)


def test_new_lines_belong_to_exporters_in_proportion_to_their_capacity():
    """Each new line's owner is an exporter drawn with probability its capacity over all the
    exporters' (2, 6 and 12 here: a tenth, three tenths, six tenths); groups that are not exporters
    never own one, however much capacity they have."""
    (_, _, owner, _), _ = _step_kernel(np.random.default_rng(8), openings_per_exporter=10_000.0)
    n = owner.size
    assert n > 20_000
    assert np.isin(owner, EXPORTERS).all()
    expected = GROUP_CAPACITY[EXPORTERS] / GROUP_CAPACITY[EXPORTERS].sum()
    observed = np.bincount(owner, minlength=GROUP_ACTIVE.size)[EXPORTERS] / n
    assert np.all(np.abs(observed - expected) < 4 * np.sqrt(expected * (1 - expected) / n)), observed


def test_new_lines_go_outside_exporter_areas_by_demand_vacancy_and_entry_and_are_tallied_there():
    """A new line's destination is an area outside the exporter areas drawn with weight heroin/crack
    demand x (`vacancy_pull_floor` + vacancy) x the area's entry multiplier; every opening is
    tallied by destination in the opened row, none in the closed row."""
    floor = 0.1
    entry = np.array([1.0, 1.0, 0.5, 1.0, 2.0])
    (_, _, _, dest), tally = _step_kernel(np.random.default_rng(9), openings_per_exporter=10_000.0,
                                          entry_multiplier=entry, pull_floor=floor)
    n = dest.size
    assert n > 20_000
    weights = np.where(EXPORTER, 0.0, HEROIN_DEMAND * (floor + HEROIN_VACANCY) * entry)  # 0, 120, 15, 0, 300
    expected = weights / weights.sum()
    observed = np.bincount(dest, minlength=EXPORTER.size) / n
    assert not observed[EXPORTER].any()
    assert np.all(np.abs(observed - expected) < 4 * np.sqrt(expected * (1 - expected) / n) + 1e-12), observed
    assert tally[1].tolist() == np.bincount(dest, minlength=EXPORTER.size).astype(float).tolist()
    assert not tally[0].any()


def test_lines_close_for_business_reasons_at_their_chance_and_are_tallied_by_destination():
    """Every active line closes with the step's closure chance; a line already closed stays closed
    and is not counted again; closures are tallied by destination. With no exporters (every group
    inactive) nothing opens."""
    n_lines, prob = 20_000, 0.3
    rng = np.random.default_rng(12)
    line_dest = rng.integers(0, EXPORTER.size, n_lines)
    was_active = rng.random(n_lines) < 0.8
    line_active = was_active.copy()
    (n_exporters, _, owner, _), tally = _step_kernel(
        np.random.default_rng(13), 1.0, line_active=line_active, line_dest=line_dest, closure_prob=prob,
        ocg_active=np.zeros(GROUP_ACTIVE.size, dtype=bool))
    assert n_exporters == 0 and owner.size == 0
    assert not line_active[~was_active].any()
    closed = was_active & ~line_active
    n_exposed = np.count_nonzero(was_active)
    share = np.count_nonzero(closed) / n_exposed
    assert abs(share - prob) < 4 * np.sqrt(prob * (1 - prob) / n_exposed)
    assert tally[0].tolist() == np.bincount(line_dest[closed], minlength=EXPORTER.size).astype(float).tolist()
    assert not tally[1].any()


def _phase_model(params: Parameters, openings_per_exporter: float, months_per_step: float):
    """What the county-lines phase (`step`) reads of a model: the small world above."""
    demand, vacancy = _market_arrays()
    return SimpleNamespace(
        county_lines=CountyLines(), params=params, months_per_step=months_per_step,
        county_line_openings_per_exporter=openings_per_exporter, tally=StepTally(EXPORTER.size),
        markets=SimpleNamespace(demand=demand, vacancy=lambda: vacancy),
        streams={"county_lines": np.random.default_rng(31)},
        ocgs=SimpleNamespace(active=GROUP_ACTIVE, markets=_group_markets(), area=GROUP_AREA),
        geography=SimpleNamespace(exporter=EXPORTER), ocg_capacity=GROUP_CAPACITY,
        modifiers=SimpleNamespace(county_line_opening_multiplier=1.0, entry_multiplier=np.ones(EXPORTER.size)),
        steps_done=0)


def test_the_phase_opens_lines_at_the_rate_the_vacancy_response_parameter_and_step_length_give():
    """`step` hands the kernel the model's `county_line_vacancy_response`, step length and opening
    rate, and appends the lines it opens (owned by exporters, opened this step): over many weekly
    steps the lines opened a step average openings-per-exporter x exporters x (1 + response x
    vacancy) x 12/52. Guards the parameter's reaching the openings (the audit found setting it to
    0 passed every test)."""
    response, per_exporter, n_steps = 3.0, 2.0, 1000
    params = Parameters({"county_line_vacancy_response": response})
    model = _phase_model(params, per_exporter, WEEK)
    opened = np.empty(n_steps)
    for i in range(n_steps):
        model.steps_done = i
        before = model.county_lines.n
        model.tally.reset()
        step(model)
        opened[i] = model.county_lines.n - before
        assert model.tally.get("county_lines_opened").sum() == opened[i]
    expected = per_exporter * EXPORTERS.size * (1 + response * MEAN_VACANCY) * WEEK
    assert abs(opened.mean() - expected) < 4 * np.sqrt(expected / n_steps), (opened.mean(), expected)
    lines = model.county_lines
    assert np.isin(lines.ocg, EXPORTERS).all() and not EXPORTER[lines.dest].any()
    assert lines.opened_step.tolist() == np.repeat(np.arange(n_steps), opened.astype(int)).tolist()
    # lines close at the weekly chance of the monthly one: the share still open is about what it gives
    weekly = 1 - (1 - params.county_line_closure_prob_per_month) ** WEEK
    survival = (1 - weekly) ** (n_steps - 1 - lines.opened_step)
    open_expected = survival.sum()
    assert abs(np.count_nonzero(lines.active) - open_expected) < 4 * np.sqrt((survival * (1 - survival)).sum())


def test_a_line_supplies_its_capacity_times_its_group_s_staffing_when_the_line_and_group_are_active():
    """`line_supply`: each active line (and only those) supplies `county_line_capacity_users` x its
    group's active members over its target size (at most 1; a target under 1 counts as 1, so a
    group without one supplies nothing rather than NaN) x 1 for
    an active group, 0 for an inactive one x the heroin/crack supply multiplier."""
    params = Parameters({"county_line_capacity_users": 50})
    lines = CountyLines()
    lines.append(6, ocg=np.array([0, 1, 1, 3, 0, 2]), dest=np.array([1, 2, 2, 4, 4, 1]),
                 active=np.array([True, True, False, True, True, True]))
    multiplier = np.ones(len(MARKETS) - 1)
    multiplier[HEROIN_CRACK], multiplier[COCAINE] = 0.8, 0.1
    model = SimpleNamespace(
        county_lines=lines, params=params,
        ocgs=SimpleNamespace(target_size=np.array([10.0, 4.0, 0.0, 8.0]), active=np.array([True, True, True, False])),
        active_members=np.array([5.0, 8.0, 0.0, 6.0]),  # group 1 over-staffed, group 2 without target or members
        modifiers=SimpleNamespace(supply_multiplier=multiplier))
    # active lines: of groups 0, 1, 3 (inactive), 0, 2; staffing 5/10, 8/4 -> 1, -, 5/10, 0/max(0, 1) = 0 (not 0/0)
    expected = 50 * np.array([0.5, 1.0, 0.0, 0.5, 0.0]) * 0.8
    np.testing.assert_allclose(line_supply(model), expected, rtol=1e-15)
