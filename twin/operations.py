"""OCG operations: capacity, supply into markets (including county lines), revenue and capital.

An OCG's capacity is the labour of its active members (weighted by role) scaled by its cohesion
and, when its leader directs it from prison, by `directed_from_prison_capacity`. Capacity is
split evenly over its markets. Each product market's productivity (units supplied per unit of
capacity) is set once at the start so that national supply is `supply_demand_ratio_initial`
times demand; from then on supply moves only with the OCGs.

The row-by-row work (capacity, the portfolio cache, supply entries, sales, revenue and capital)
is done by compiled kernels (`twin.compiled`), at the end of this module.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import array_sum, kernel
from twin.markets import N_MARKETS
from twin.vocabulary import CORE, EXPLOITED, HEROIN_CRACK, LEADER, MONEY_LAUNDERING, WORKER

#: labour contributed by an active member of each role (leaders manage; exploited runners are less productive)
ROLE_LABOUR = np.zeros(4)
ROLE_LABOUR[[LEADER, CORE, WORKER, EXPLOITED]] = [0.5, 1.0, 1.0, 0.7]


def ocg_capacity(model) -> np.ndarray:
    """Capacity (labour units) of each OCG this step."""
    ocgs = model.ocgs
    return _capacity(model.active_by_role, ROLE_LABOUR, ocgs.leader_directing,
                     model.params.directed_from_prison_capacity, ocgs.cohesion, ocgs.active)


def portfolio(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(owner, market) pairs of every OCG's product markets and each OCG's market count.

    Portfolios change rarely, so the pairs are cached: the entries of groups whose portfolio
    changed (`model.portfolios_changed`) are replaced, and groups added since are appended.
    """
    ocgs = model.ocgs
    cache = model.portfolio_cache
    changed = model.take_portfolio_changes("entries")
    if cache is None:
        cache = _updated_portfolio(_NO_ENTRIES, _NO_ENTRIES, _NO_ENTRIES, _NO_ENTRIES, ocgs.markets)
    elif changed.size or cache[2].size < ocgs.n:
        cache = _updated_portfolio(*cache, changed, ocgs.markets)
    model.portfolio_cache = cache
    return cache


_NO_ENTRIES = np.empty(0, dtype=np.int64)


def _portfolio_entries(markets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entries (owner, market) of the given OCG rows, and each row's market count (at least 1).

    What `portfolio` caches, worked out afresh (the tests compare the two)."""
    chosen = markets[rows]
    position, market = np.divmod(np.flatnonzero(chosen[:, :MONEY_LAUNDERING]), MONEY_LAUNDERING)
    n_markets = np.maximum(chosen.view(np.uint8) @ np.ones(chosen.shape[1], dtype=np.uint8), 1).astype(np.int64)
    return rows[position], market, n_markets


def _supply_entries(model, capacity: np.ndarray, entries: tuple[np.ndarray, np.ndarray, np.ndarray]):
    """Supply entries (ocg, area, market, amount per month) from home markets and county lines,
    built from the portfolio `entries`, with each entry's [area, market] cell as a
    flat index, the supply [area, market] they add up to (`markets.supply_grid`) and each group's
    capacity per market."""
    ocgs, lines = model.ocgs, model.county_lines
    owner, market, n_markets = entries
    return _entries(owner, market, n_markets, capacity, model.markets.productivity,
                    model.modifiers.supply_multiplier, ocgs.area, ocgs.active, ocgs.target_size,
                    model.active_members, lines.ocg, lines.dest, lines.active,
                    model.params.county_line_capacity_users, model.geography.n_areas)


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
    entries = portfolio(model)
    owner, area, market, amount, cells, supply, capacity_per_market = _supply_entries(model, capacity, entries)
    model.supply_entries = (owner, area, market, amount)
    # Each entry's [area, market] cell as a flat index: `array.take(cells)` reads the cells about
    # five times faster than the two-array fancy index `array[area, market]`.
    model.supply_cells = cells
    markets.clear_supply(supply, dt)  # what `markets.clear(area, market, amount, dt)` does
    # Money laundering: a national service. Short supply lowers every group's laundering efficiency.
    revenue_per_month, harm_per_month, model.money_laundered_gbp = _settle(
        owner, cells, amount, markets.sold_share, model.unit_price_gbp, markets.price_index,
        model.harm.unit_per_month, capacity_per_market, ocgs.markets, markets.productivity,
        ocgs.has_professional, ocgs.capital_gbp, ocgs.revenue_gbp, ocgs.harm_gbp_per_month, params.profit_margin,
        params.supply_demand_ratio_initial, params.laundering_efficiency_professional,
        params.laundering_efficiency_base, params.capital_spend_rate_per_month, dt)
    markets.clear_laundering()
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


# ---------------------------------------------------------------- kernels
# Each does, row by row, what the numpy expressions it replaced did, with the same operations in
# the same order (so the results are the same to the last bit).


@kernel
def _capacity(active_by_role, role_labour, leader_directing, directed_capacity, cohesion, active):
    """Labour of each OCG's active members by role, scaled by cohesion and, when its leader
    directs it from prison, by `directed_capacity`; 0 for inactive groups."""
    n = active_by_role.shape[0]
    capacity = np.empty(n)
    by_role = active_by_role.reshape(4 * n)  # flat: faster to index than [g, role] (C order)
    w0, w1, w2, w3 = role_labour[0], role_labour[1], role_labour[2], role_labour[3]
    for g in range(n):
        # Added in role order, as the matrix product `active_by_role @ role_labour` adds.
        row = 4 * g
        labour = by_role[row] * w0 + by_role[row + 1] * w1 + by_role[row + 2] * w2 + by_role[row + 3] * w3
        direction = directed_capacity if leader_directing[g] else 1.0
        capacity[g] = labour * (0.5 + 0.5 * cohesion[g]) * direction * active[g]
    return capacity


@kernel
def _updated_portfolio(owner, market, n_markets, changed, ocg_markets):
    """The portfolio cache (entries owner, market; each group's market count) brought up to date:
    the entries of groups not in `changed` (sorted row numbers) in their order, then the entries of
    the changed groups, then those of groups added since (rows past the old counts). A group's
    entries are its product markets in market order; its count covers every market it is in
    (laundering too), at least 1."""
    n_old, n_groups = n_markets.shape[0], ocg_markets.shape[0]
    in_market = ocg_markets.reshape(ocg_markets.size)  # flat [group, market]: faster to index
    dirty = np.zeros(n_old, dtype=np.bool_)
    for r in changed:
        if r < n_old:  # rows added since are appended below anyway
            dirty[r] = True
    # Room for every entry there may be (returned cut to those there are).
    most = owner.shape[0] + MONEY_LAUNDERING * (changed.shape[0] + max(n_groups - n_old, 0))
    new_owner = np.empty(most, dtype=np.int64)
    new_market = np.empty(most, dtype=np.int64)
    new_n_markets = np.empty(n_groups, dtype=np.int64)
    k = 0
    for i in range(owner.shape[0]):
        if not dirty[owner[i]]:
            new_owner[k], new_market[k] = owner[i], market[i]
            k += 1
    new_n_markets[:n_old] = n_markets
    for r in changed:
        if r < n_old:
            k = _add_group_entries(r, in_market, new_owner, new_market, new_n_markets, k)
    for g in range(n_old, n_groups):
        k = _add_group_entries(g, in_market, new_owner, new_market, new_n_markets, k)
    return new_owner[:k], new_market[:k], new_n_markets


@kernel
def _add_group_entries(g, in_market, owner, market, n_markets, k):
    """Write group g's entries from place k (returning the next free place) and its market count
    (`in_market`: the groups' markets, flat [group, market])."""
    count = 0
    for m in range(N_MARKETS):
        if in_market[g * N_MARKETS + m]:
            count += 1
            if m < MONEY_LAUNDERING:
                owner[k], market[k] = g, m
                k += 1
    n_markets[g] = max(count, 1)
    return k


@kernel
def _entries(portfolio_owner, portfolio_market, n_markets, capacity, productivity, supply_multiplier,
             ocg_area, ocg_active, target_size, active_members, line_ocg, line_dest, line_active,
             line_capacity_users, n_areas):
    """Supply entries (owner, area, market, amount per month, flat [area, market] cell) and the
    supply [area, market] they add up to (in entry order, as `markets.supply_grid`), and each
    group's capacity per market (its capacity split evenly over its markets): first
    each portfolio entry of a group with capacity (its capacity split evenly over its markets),
    then each active county line (heroin/crack in its destination, scaled by the health of its
    group: active members over target size, at most 1)."""
    n_portfolio, n_lines_total = portfolio_owner.shape[0], line_active.shape[0]
    # Active lines listed without branching (which lines are active follows no pattern a branch
    # predictor could learn): each line is written at the next free place, which moves on only
    # if the line is active.
    active_lines = np.empty(n_lines_total + 1, dtype=np.int64)
    n_active_lines = 0
    for line in range(n_lines_total):
        active_lines[n_active_lines] = line
        n_active_lines += line_active[line]
    # Room for every portfolio entry and active line (returned cut to the entries there are).
    most = n_portfolio + n_active_lines
    owner = np.empty(most, dtype=np.int64)
    area = np.empty(most, dtype=np.int64)
    market = np.empty(most, dtype=np.int64)
    amount = np.empty(most)
    cells = np.empty(most, dtype=np.int64)
    supply = np.zeros(n_areas * N_MARKETS)  # flat [area, market], indexed by cell
    # Capacity per market, a group at a time (half as many divisions as entries).
    capacity_per_market = np.empty(capacity.shape[0])
    for g in range(capacity.shape[0]):
        capacity_per_market[g] = capacity[g] / n_markets[g]
    k = 0
    for i in range(n_portfolio):
        g, m = portfolio_owner[i], portfolio_market[i]
        if capacity[g] > 0:  # nearly always: a well-predicted branch
            owner[k], area[k], market[k] = g, ocg_area[g], m
            amount[k] = capacity_per_market[g] * productivity[m] * supply_multiplier[m]
            cell = ocg_area[g] * N_MARKETS + m
            cells[k] = cell
            supply[cell] += amount[k]
            k += 1
    n_selling = k
    n = n_selling + n_active_lines
    # A line's amount depends only on its group: worked out once per group that has lines.
    line_amount = np.empty(capacity.shape[0])
    line_amount_set = np.zeros(capacity.shape[0], dtype=np.bool_)
    for k in range(n_selling, n):
        line = active_lines[k - n_selling]
        g = line_ocg[line]
        if not line_amount_set[g]:
            health = active_members[g] / max(target_size[g], 1.0)
            if health < 0.0:  # written so that a NaN stays NaN, as in np.clip
                health = 0.0
            elif health > 1.0:
                health = 1.0
            line_amount[g] = line_capacity_users * health * ocg_active[g] * supply_multiplier[HEROIN_CRACK]
            line_amount_set[g] = True
        owner[k], area[k], market[k] = g, line_dest[line], HEROIN_CRACK
        amount[k] = line_amount[g]
        cell = line_dest[line] * N_MARKETS + HEROIN_CRACK
        cells[k] = cell
        supply[cell] += amount[k]
    return (owner[:n], area[:n], market[:n], amount[:n], cells[:n], supply.reshape((n_areas, N_MARKETS)),
            capacity_per_market)


@kernel
def _settle(owner, cells, amount, sold_share, unit_price_gbp, price_index, harm_per_unit_month,
            capacity_per_market, ocg_markets, productivity, has_professional, capital_gbp, revenue_gbp,
            harm_gbp_per_month, profit_margin, ratio_initial, efficiency_professional, efficiency_base,
            spend_rate_per_month, months_per_step):
    """Revenue and harm per OCG from the entries' sales (each entry sells its amount times the sold
    share of its cell, as `Markets.clear` returns); money laundering (a national service
    whose short supply lowers every group's efficiency); capital: laundered profit in, spending
    out. Writes the groups' capital, revenue and harm columns (and, the first time, laundering
    productivity). Returns revenue and harm per month by OCG and the pounds laundered this step."""
    n = capacity_per_market.shape[0]
    # [area, market] arrays read flat by cell, [group, market] too: faster than two indices.
    sold_by_cell, price_by_cell = sold_share.reshape(sold_share.size), price_index.reshape(price_index.size)
    in_market = ocg_markets.reshape(ocg_markets.size)
    unit_value_by_cell = np.empty(sold_by_cell.size)  # revenue per unit sold
    harm_by_cell = np.empty(sold_by_cell.size)
    for cell in range(sold_by_cell.size):
        unit_value_by_cell[cell] = unit_price_gbp[cell % N_MARKETS] * price_by_cell[cell]
        harm_by_cell[cell] = harm_per_unit_month[cell % N_MARKETS]
    revenue_per_month = np.zeros(n)
    harm_per_month = np.zeros(n)
    for i in range(owner.shape[0]):  # in entry order, as np.bincount adds
        g, cell = owner[i], cells[i]
        sold = amount[i] * sold_by_cell[cell]
        revenue_per_month[g] += sold * unit_value_by_cell[cell]
        harm_per_month[g] += sold * harm_by_cell[cell]
    profit_per_month = np.empty(n)
    laundering_capacity = np.empty(n)
    for g in range(n):
        profit_per_month[g] = revenue_per_month[g] * profit_margin
        laundering_capacity[g] = capacity_per_market[g] * in_market[g * N_MARKETS + MONEY_LAUNDERING]
    # Summed as numpy's `sum` adds (pairwise), not in row order.
    laundering_supply = array_sum(laundering_capacity)
    laundering_demand = array_sum(profit_per_month)
    if np.isnan(productivity[MONEY_LAUNDERING]):  # set from the first step's profits
        productivity[MONEY_LAUNDERING] = ratio_initial * laundering_demand / max(laundering_supply, 1e-9)
    laundering_supply *= productivity[MONEY_LAUNDERING]
    coverage = min(1.0, laundering_supply / laundering_demand) if laundering_demand > 0 else 1.0
    spend_share = min(1.0, spend_rate_per_month * months_per_step)
    for g in range(n):
        base = efficiency_professional if has_professional[g] else efficiency_base
        efficiency = base * (0.5 + 0.5 * coverage)
        inflow = profit_per_month[g] * efficiency * months_per_step
        spend = capital_gbp[g] * spend_share
        capital_gbp[g] = capital_gbp[g] + inflow - spend
        revenue_gbp[g] = revenue_per_month[g] * months_per_step
        harm_gbp_per_month[g] = harm_per_month[g]
    return revenue_per_month, harm_per_month, laundering_demand * coverage * months_per_step
