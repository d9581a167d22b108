"""The kernels of operations, markets and enablers give exactly what the numpy code they replaced
gave (the whole-model check is tests/test_compiled.py: the compiled run against the same run uncompiled)."""

from __future__ import annotations

import numpy as np
import pytest

from twin.enablers import EnablerLinks, Enablers, refresh_services
from twin.markets import N_MARKETS
from twin.operations import _refresh_portfolio
from twin.vocabulary import INSIDER, MONEY_LAUNDERING, PROFESSIONAL, TECHNICAL

from reference_impl import portfolio_entries


def _updated_portfolio(owner, market, n_markets, changed, ocg_markets):
    """The portfolio cache (entries owner, market; each group's market count) brought up to date
    by the step's kernel `_refresh_portfolio`, in new arrays."""
    n_old, n_groups = n_markets.shape[0], ocg_markets.shape[0]
    most = owner.shape[0] + MONEY_LAUNDERING * (changed.shape[0] + max(n_groups - n_old, 0))
    portfolio = np.empty((2, most), dtype=np.int64)
    portfolio[0, : owner.shape[0]] = owner
    portfolio[1, : owner.shape[0]] = market
    new_n_markets = np.empty(max(n_groups, n_old), dtype=np.int64)
    new_n_markets[:n_old] = n_markets
    k = _refresh_portfolio(portfolio, owner.shape[0], new_n_markets, n_old, changed, ocg_markets)
    return portfolio[0, :k].copy(), portfolio[1, :k].copy(), new_n_markets[:n_groups].copy()


def _numpy_update(cache, changed, markets):
    """The portfolio cache update as numpy did it before it was compiled."""
    changed = changed[changed < cache[2].size]
    if changed.size:
        dirty = np.zeros(cache[2].size, dtype=bool)
        dirty[changed] = True
        keep = ~dirty[cache[0]]
        owner, market, n_markets = portfolio_entries(markets, changed)
        counts = cache[2].copy()
        counts[changed] = n_markets
        cache = (np.concatenate([cache[0][keep], owner]), np.concatenate([cache[1][keep], market]), counts)
    if cache[2].size < markets.shape[0]:
        added = portfolio_entries(markets, np.arange(cache[2].size, markets.shape[0]))
        cache = tuple(np.concatenate([old, new]) for old, new in zip(cache, added))
    return cache


def test_portfolio_cache_update_keeps_the_order_of_entries():
    rng = np.random.default_rng(1)
    markets = rng.random((300, N_MARKETS)) < 0.3
    none = np.empty(0, dtype=np.int64)
    cache = _updated_portfolio(none, none, none, none, markets[:200])
    expected = portfolio_entries(markets[:200], np.arange(200))
    assert all(np.array_equal(a, b) for a, b in zip(cache, expected))
    for n in (200, 230, 230, 300):
        markets[rng.integers(0, n, 10)] = rng.random((10, N_MARKETS)) < 0.4
        changed = np.unique(rng.integers(0, n + 5, 12))
        expected = _numpy_update(cache, changed, markets[:n])
        cache = _updated_portfolio(*cache, changed, markets[:n])
        assert all(np.array_equal(a, b) and a.dtype == b.dtype for a, b in zip(cache, expected))
    assert (cache[1] < MONEY_LAUNDERING).all()  # laundering is no supply entry


class _Groups:
    def __init__(self, n):
        self.n = n
        self.has_professional = np.ones(n, dtype=bool)
        self.has_insider = np.ones(n, dtype=bool)
        self.encrypted = np.ones(n, dtype=bool)


def test_services_follow_active_links_to_active_enablers():
    rng = np.random.default_rng(2)
    enablers = Enablers(capacity=64)
    enablers.append(60, kind=rng.integers(0, 3, 60), active=rng.random(60) < 0.7)
    links = EnablerLinks(capacity=500)
    links.append(400, enabler=rng.integers(0, 60, 400), ocg=rng.integers(0, 150, 400), active=rng.random(400) < 0.6)
    groups = _Groups(150)
    refresh_services(groups, enablers, links)
    live = links.active & enablers.active[links.enabler]
    for kind, flags in ((PROFESSIONAL, groups.has_professional), (INSIDER, groups.has_insider),
                        (TECHNICAL, groups.encrypted)):
        served = np.zeros(150, dtype=bool)
        served[links.ocg[live & (enablers.kind[links.enabler] == kind)]] = True
        assert np.array_equal(flags, served)


def test_capacity_is_role_weighted_labour_scaled_by_cohesion_and_by_direction_from_prison():
    """ODD 3.3: a group's capacity is its active members' labour by role (leader 0.5, core 1, worker
    1, exploited 0.7), times (0.5 + 0.5 cohesion), times `directed_from_prison_capacity` while its
    leader directs it from prison; 0 for a group no longer active. Written out here, group by group."""
    from twin.operations import _capacity_into

    rng = np.random.default_rng(7)
    n = 500
    by_role = rng.integers(0, 30, (n, 4)).astype(np.float64)  # columns: leader, core, worker, exploited
    directing, cohesion, active = rng.random(n) < 0.3, rng.random(n), rng.random(n) < 0.9
    capacity = np.full(n, np.nan)
    _capacity_into(capacity, by_role, directing, 0.4, cohesion, active)
    for g in range(n):
        labour = 0.5 * by_role[g, 0] + 1.0 * by_role[g, 1] + 1.0 * by_role[g, 2] + 0.7 * by_role[g, 3]
        expected = labour * (0.5 + 0.5 * cohesion[g]) * (0.4 if directing[g] else 1.0) * active[g]
        assert abs(capacity[g] - expected) <= 1e-12 * max(expected, 1.0)
    assert directing[active].any() and (~directing[active]).any() and (~active).any()  # each case met



@pytest.mark.parametrize("scale", [1.0, 0.3])
def test_capital_takes_laundered_profit_at_the_services_coverage_and_spends_its_share(scale):
    """ODD 3.3 (operations): a group's capital gains its profit (revenue x `profit_margin`) laundered at
    its efficiency (`laundering_efficiency_professional` with a professional enabler, else `_base`) x
    (`laundering_coverage_floor` + (1 - floor) x coverage), and spends `capital_spend_rate_per_month`
    of itself. Coverage is the laundering service's supply over the profit to launder, at most 1: the
    service's productivity is set so that it starts at `supply_demand_ratio_initial` (above 1: full
    coverage); cut to `scale` of that, the same groups' profits are covered scale x the ratio."""
    from twin import operations
    from twin.model import TwinModel

    model = TwinModel(seed=1, n_steps=1)
    ocgs, p, dt = model.ocgs, model.params, model.months_per_step
    model.markets.productivity[MONEY_LAUNDERING] *= scale
    before = ocgs.capital_gbp.copy()
    operations.operate(model)
    profit = ocgs.revenue_gbp_per_step / dt * p.profit_margin
    coverage = min(1.0, scale * p.supply_demand_ratio_initial)
    assert model.money_laundered_gbp == pytest.approx(profit.sum() * coverage * dt, rel=1e-9)
    efficiency = np.where(ocgs.has_professional, p.laundering_efficiency_professional, p.laundering_efficiency_base)
    assert 0 < ocgs.has_professional.mean() < 1
    floor = p.laundering_coverage_floor
    expected = (before + profit * efficiency * (floor + (1 - floor) * coverage) * dt
                - before * min(1.0, p.capital_spend_rate_per_month * dt))
    np.testing.assert_allclose(ocgs.capital_gbp[:before.size], expected, rtol=1e-9, atol=1e-6)
