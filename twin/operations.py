"""OCG operations: capacity, supply into markets (including county lines), revenue and capital.

An OCG's capacity is the labour of its active members (weighted by role) scaled by its cohesion
and, when its leader directs it from prison, by `directed_from_prison_capacity`. Capacity is
split evenly over its markets. Each product market's productivity (units supplied per unit of
capacity) is set once at the start so that national supply is `supply_demand_ratio_initial`
times demand; from then on supply moves only with the OCGs.
"""

from __future__ import annotations

import numpy as np

from twin.markets import N_MARKETS
from twin.vocabulary import CORE, EXPLOITED, HEROIN_CRACK, LEADER, MONEY_LAUNDERING, WORKER

#: labour contributed by an active member of each role (leaders manage; exploited runners are less productive)
ROLE_LABOUR = np.zeros(4)
ROLE_LABOUR[[LEADER, CORE, WORKER, EXPLOITED]] = [0.5, 1.0, 1.0, 0.7]


def ocg_capacity(model) -> np.ndarray:
    """Capacity (labour units) of each OCG this step."""
    ocgs, params = model.ocgs, model.params
    labour = model.active_by_role @ ROLE_LABOUR
    direction = np.where(ocgs.leader_directing, params.directed_from_prison_capacity, 1.0)
    return labour * (0.5 + 0.5 * ocgs.cohesion) * direction * ocgs.active


def portfolio(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(owner, market) pairs of every OCG's product markets and each OCG's market count.

    Portfolios change rarely, so the pairs are cached: the entries of groups whose portfolio
    changed (`model.portfolios_changed`) are replaced, and groups added since are appended.
    """
    ocgs = model.ocgs
    cache = model.portfolio_cache
    if cache is None:
        model.take_portfolio_changes("entries")
        cache = _portfolio_entries(ocgs.markets, np.arange(ocgs.n))
    else:
        changed = model.take_portfolio_changes("entries")
        changed = changed[changed < cache[2].size]
        if changed.size:
            dirty = np.zeros(cache[2].size, dtype=bool)
            dirty[changed] = True
            keep = ~dirty[cache[0]]
            owner, market, n_markets = _portfolio_entries(ocgs.markets, changed)
            counts = cache[2].copy()
            counts[changed] = n_markets
            cache = (np.concatenate([cache[0][keep], owner]), np.concatenate([cache[1][keep], market]), counts)
        if cache[2].size < ocgs.n:
            added = _portfolio_entries(ocgs.markets, np.arange(cache[2].size, ocgs.n))
            cache = tuple(np.concatenate([old, new]) for old, new in zip(cache, added))
    model.portfolio_cache = cache
    return cache


def _portfolio_entries(markets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entries (owner, market) of the given OCG rows, and each row's market count (at least 1)."""
    chosen = markets[rows]
    position, market = np.divmod(np.flatnonzero(chosen[:, :MONEY_LAUNDERING]), MONEY_LAUNDERING)
    n_markets = np.maximum(chosen.view(np.uint8) @ np.ones(chosen.shape[1], dtype=np.uint8), 1).astype(np.int64)
    return rows[position], market, n_markets


def supply_entries(model, capacity: np.ndarray):
    """Supply entries (ocg, area, market, amount per month) from home markets and county lines."""
    ocgs, lines = model.ocgs, model.county_lines
    owner, market, n_markets = portfolio(model)
    selling = capacity[owner] > 0
    owner, market = owner[selling], market[selling]
    amount = (capacity[owner] / n_markets[owner] * model.markets.productivity[market]
              * model.modifiers.supply_multiplier[market])
    line_ids = lines.active.nonzero()[0]
    line_owner = lines.ocg[line_ids]
    health = (model.active_members[line_owner] / np.maximum(ocgs.target_size[line_owner], 1.0)).clip(0.0, 1.0)
    line_amount = (model.params.county_line_capacity_users * health * ocgs.active[line_owner]
                   * model.modifiers.supply_multiplier[HEROIN_CRACK])
    return (
        np.concatenate([owner, line_owner]),
        np.concatenate([ocgs.area[owner], lines.dest[line_ids]]),
        np.concatenate([market, np.full(line_ids.size, HEROIN_CRACK)]),
        np.concatenate([amount, line_amount]),
    )


def calibrate_productivity(model, capacity: np.ndarray) -> None:
    """Set each market's productivity so national supply starts at the chosen ratio to demand."""
    markets, ocgs = model.markets, model.ocgs
    ratio = model.params.supply_demand_ratio_initial
    n_markets = np.maximum(ocgs.markets.sum(axis=1), 1)
    share = (capacity / n_markets)[:, None] * ocgs.markets
    capacity_by_market = share.sum(axis=0)
    target = ratio * markets.demand.sum(axis=0)
    lines = model.params.county_line_capacity_users * np.count_nonzero(model.county_lines.active)
    target[HEROIN_CRACK] = max(target[HEROIN_CRACK] - lines, 0.1 * target[HEROIN_CRACK])
    with np.errstate(divide="ignore", invalid="ignore"):
        markets.productivity[:MONEY_LAUNDERING] = np.where(
            capacity_by_market[:MONEY_LAUNDERING] > 0,
            target[:MONEY_LAUNDERING] / capacity_by_market[:MONEY_LAUNDERING], 0.0)
    markets.productivity[MONEY_LAUNDERING] = np.nan  # set from the first step's profits


def operate(model) -> dict[str, np.ndarray]:
    """OCGs supply their markets; markets clear; revenue, profit and capital follow.

    Returns the step's per-OCG sales value (GBP per month) and harm per month for the harm score.
    """
    ocgs, markets, params, dt = model.ocgs, model.markets, model.params, model.months_per_step
    capacity = ocg_capacity(model)
    model.ocg_capacity = capacity
    if model.steps_done == 0 and markets.reference_ratio is None:
        calibrate_productivity(model, capacity)
    owner, area, market, amount = supply_entries(model, capacity)
    model.supply_entries = (owner, area, market, amount)
    # Each entry's [area, market] cell as a flat index: `array.take(cells)` reads the cells about
    # five times faster than the two-array fancy index `array[area, market]`.
    model.supply_cells = cells = area * N_MARKETS + market
    sold = markets.clear(area, market, amount, dt)
    unit_price = model.unit_price_gbp[market] * markets.price_index.take(cells)
    revenue_per_month = np.bincount(owner, weights=sold * unit_price, minlength=ocgs.n)
    harm_per_month = np.bincount(owner, weights=sold * model.harm.unit_per_month[market], minlength=ocgs.n)

    # Money laundering: a national service. Short supply lowers every group's laundering efficiency.
    profit_per_month = revenue_per_month * params.profit_margin
    n_markets = portfolio(model)[2]
    laundering_supply = (capacity / n_markets * ocgs.markets[:, MONEY_LAUNDERING]).sum()
    if np.isnan(markets.productivity[MONEY_LAUNDERING]):
        markets.productivity[MONEY_LAUNDERING] = (
            params.supply_demand_ratio_initial * profit_per_month.sum() / max(laundering_supply, 1e-9))
    laundering_supply *= markets.productivity[MONEY_LAUNDERING]
    laundering_demand = profit_per_month.sum()
    coverage = min(1.0, laundering_supply / laundering_demand) if laundering_demand > 0 else 1.0
    markets.clear_laundering()
    model.money_laundered_gbp = laundering_demand * coverage * dt
    efficiency = np.where(ocgs.has_professional, params.laundering_efficiency_professional,
                          params.laundering_efficiency_base) * (0.5 + 0.5 * coverage)
    inflow = profit_per_month * efficiency * dt
    spend = ocgs.capital_gbp * min(1.0, params.capital_spend_rate_per_month * dt)
    ocgs.capital_gbp = ocgs.capital_gbp + inflow - spend
    ocgs.revenue_gbp = revenue_per_month * dt
    ocgs.harm_gbp_per_month = harm_per_month
    return {"revenue_per_month": revenue_per_month, "harm_per_month": harm_per_month}


def initial_capital(model, revenue_per_month: np.ndarray) -> None:
    """Where the register gives no capital, start each OCG at its steady-state capital."""
    params, ocgs = model.params, model.ocgs
    efficiency = np.where(ocgs.has_professional, params.laundering_efficiency_professional,
                          params.laundering_efficiency_base)
    steady = revenue_per_month * params.profit_margin * efficiency / params.capital_spend_rate_per_month
    missing = model.register_capital_missing
    ocgs.capital_gbp = np.where(missing, steady, ocgs.capital_gbp)


def unit_prices(params) -> np.ndarray:
    """OCG revenue per unit sold per month, by market."""
    from twin.vocabulary import ACQUISITIVE, COCAINE, FIREARMS, FRAUD, IMMIGRATION, MODERN_SLAVERY

    price = np.zeros(N_MARKETS)
    price[HEROIN_CRACK] = params.price_heroin_crack_gbp_per_user_month
    price[COCAINE] = params.price_cocaine_gbp_per_user_month
    price[FRAUD] = params.price_fraud_gbp_per_offence
    price[MODERN_SLAVERY] = params.price_slavery_gbp_per_victim_month
    price[IMMIGRATION] = params.price_immigration_gbp_per_arrival
    price[FIREARMS] = params.price_firearm_gbp
    price[ACQUISITIVE] = params.price_acquisitive_gbp_per_offence
    return price
