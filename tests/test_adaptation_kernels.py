"""The adaptation kernels' helpers reproduce the numpy operations they replace, bit for bit."""

from __future__ import annotations

import numpy as np

from twin.adaptation_kernels import first_above


def test_first_above_is_argmax_of_the_comparison():
    cumulative = np.array([0.0, 0.2, 0.2, 0.7, 1.0])
    for draw in (-1.0, 0.0, 0.1, 0.2, 0.5, 0.99, 1.0, 2.0):
        assert first_above(cumulative, draw) == (cumulative > draw).argmax()


def test_link_clients_draws_for_several_lists_as_for_each_list_in_turn():
    """Lists linked in one call get the links, in the order, and leave the stream as, one call per
    list would (a list with no active enabler of its kind draws nothing)."""
    from twin.enablers import EnablerLinks, build_enablers, link_clients
    from twin.vocabulary import INSIDER, PROFESSIONAL, TECHNICAL

    enablers = build_enablers((30, 20, 10), np.random.default_rng(3), 1.5)
    enablers.active[::4] = False
    clients = (np.array([5, 9, 2]), np.array([], dtype=np.int64), np.array([7, 1, 1, 4]))
    kinds = (TECHNICAL, PROFESSIONAL, INSIDER)
    for seed in range(5):
        for inactive_kind in (None, INSIDER):
            active = enablers.active.copy()
            if inactive_kind is not None:
                enablers.active[enablers.kind == inactive_kind] = False
            one_by_one, rng = EnablerLinks(capacity=16), np.random.default_rng(seed)
            for kind, groups in zip(kinds, clients):
                link_clients(enablers, one_by_one, (groups,), (kind,), rng)
            expected_next = rng.random()
            together, rng = EnablerLinks(capacity=16), np.random.default_rng(seed)
            link_clients(enablers, together, clients, kinds, rng)
            assert np.array_equal(together.enabler, one_by_one.enabler)
            assert np.array_equal(together.ocg, one_by_one.ocg)
            assert rng.random() == expected_next
            enablers.active[:] = active


def test_groups_move_after_operations_at_their_areas_chances():
    """`plan_displacement`: an investigated group moves when its first uniform is below
    `relocation_prob` x its area's scale (`geography.relocation_weights`); counted by area over
    many groups, movers match the chances within 4 standard errors."""
    from twin.adaptation_kernels import plan_displacement
    from twin.geography import load_geography
    from twin.vocabulary import MONEY_LAUNDERING

    geo = load_geography()
    relocation, scale = geo.relocation_weights(geo.population)
    rng = np.random.default_rng(4)
    n = 200_000
    area = rng.integers(0, geo.n_areas, n)
    hit = np.arange(n)
    uniforms = rng.random((n, 5))
    markets = np.zeros((n, MONEY_LAUNDERING + 1), dtype=bool)
    markets[:, 0] = True
    zeros = np.zeros((geo.n_areas, MONEY_LAUNDERING))
    movers, _, _ = plan_displacement(hit, uniforms, area, markets, relocation, scale, zeros + 1.0,
                                     np.ones(MONEY_LAUNDERING), zeros, 0.2, 0.0, 0.1)
    counts = np.bincount(area[movers], minlength=geo.n_areas)
    groups = np.bincount(area, minlength=geo.n_areas)
    p = 0.2 * scale
    assert np.all(np.abs(counts - groups * p) < 4 * np.sqrt(groups * p * (1 - p)) + 1e-9)
    assert np.corrcoef(counts / groups, scale)[0, 1] > 0.9  # areas with populous neighbours lose more
