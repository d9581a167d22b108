"""County lines (`county_lines.py`): destinations at set-up, and the closures other phases call."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from twin.county_lines import NO_REMAP, close_lines_of_disrupted, close_lines_of_inactive, line_destinations
from twin.geography import load_geography
from twin.model import TwinModel


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
