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

from twin.compiled import kernel
from twin.shared_kernels import array_sum
from twin.county_lines import line_supply
from twin.markets import N_MARKETS, _clear_laundering_column, _local_clearing_into, _update_prices, per_market
from twin.vocabulary import CORE, EXPLOITED, HEROIN_CRACK, LEADER, MONEY_LAUNDERING, WORKER

#: labour contributed by an active member of each role (leaders manage; exploited runners are less productive)
ROLE_LABOUR = np.zeros(4)
ROLE_LABOUR[[LEADER, CORE, WORKER, EXPLOITED]] = [0.5, 1.0, 1.0, 0.7]
#: labour per member a new group plans its size with: about the mean of `ROLE_LABOUR` over a new
#: group's roles (its leader and recruits of the usual role shares), which lies between 0.86 (a
#: six-member drugs group) and 0.98 (a large group in other markets); a structural constant,
#: tested to stay in that span of the weights above (docs/ODD.md, structural constants)
ENTRANT_LABOUR_PER_MEMBER = 0.9


def ocg_capacity(model) -> np.ndarray:
    """Capacity (labour units) of each OCG this step (a new array)."""
    ocgs = model.ocgs
    capacity = np.empty(model.active_by_role.shape[0])
    _capacity_into(capacity, model.active_by_role, ocgs.leader_directing, model.params.directed_from_prison_capacity,
                   ocgs.cohesion, ocgs.active)
    return capacity


def calibrate_productivity(model, capacity: np.ndarray) -> None:
    """Set each market's productivity so national supply starts at the chosen ratio to demand."""
    markets, ocgs = model.markets, model.ocgs
    ratio = model.params.supply_demand_ratio_initial
    n_markets = np.maximum(ocgs.markets.sum(axis=1), 1)
    share = (capacity / n_markets)[:, None] * ocgs.markets
    capacity_by_market = share.sum(axis=0)
    target = ratio * markets.demand.sum(axis=0)
    lines = array_sum(line_supply(model))
    floor = model.params.heroin_home_supply_floor_share
    target[HEROIN_CRACK] = max(target[HEROIN_CRACK] - lines, floor * target[HEROIN_CRACK])
    with np.errstate(divide="ignore", invalid="ignore"):
        markets.productivity[:MONEY_LAUNDERING] = np.where(
            capacity_by_market[:MONEY_LAUNDERING] > 0,
            target[:MONEY_LAUNDERING] / capacity_by_market[:MONEY_LAUNDERING], 0.0)
    markets.productivity[MONEY_LAUNDERING] = np.nan  # set from the first step's profits


def operate(model) -> dict[str, np.ndarray]:
    """OCGs supply their markets; markets clear; revenue, profit and capital follow.

    Two kernel calls around the market clearing's products with the neighbour matrix and its
    price response (`Markets.clear_cells`, kept in numpy): `_supply` (capacity, the portfolio
    cache, supply entries, local clearing) and `_settle` (prices, sales, revenue, laundering,
    capital). Returns the step's per-OCG sales value (GBP per month) and harm per month (views
    of working arrays the next step rewrites).
    """
    ocgs, markets, lines = model.ocgs, model.markets, model.county_lines
    if markets.reference_ratio is None:  # the first clearing, at set-up
        calibrate_productivity(model, ocg_capacity(model))
    room = _room(model)
    changed = model.take_portfolio_changes("entries")
    room.fit(max(ocgs.n, model.active_by_role.shape[0]), changed.size, lines.n)
    room.n_portfolio, n = _supply(
        active_by_role=model.active_by_role, leader_directing=ocgs.leader_directing, cohesion=ocgs.cohesion,
        ocg_active=ocgs.active, ocg_area=ocgs.area, target_size=ocgs.target_size,
        active_members=model.active_members, ocg_markets=ocgs.markets, portfolio=room.portfolio,
        n_portfolio=room.n_portfolio, n_markets=room.n_markets, n_old_groups=room.n_groups, changed=changed,
        productivity=markets.productivity, supply_multiplier=model.modifiers.supply_multiplier,
        line_ocg=lines.ocg, line_dest=lines.dest, line_active=lines.active, demand=markets.demand,
        scalars=room.scalars, entries=room.entries, amount=room.amount, groups=room.groups, lines=room.lines,
        cells=room.cells)
    room.n_groups = ocgs.n
    entries, amount, n_groups = room.entries, room.amount[:n], model.active_by_role.shape[0]
    # Published as views of the room's buffers: valid for this step only (the next `operate`
    # rewrites them); copy one to keep it.
    model.supply_entries = (entries[E_OWNER, :n], entries[E_AREA, :n], entries[E_MARKET, :n], amount)
    # Each entry's [area, market] cell as a flat index: `array.take(cells)` reads the cells about
    # five times faster than the two-array fancy index `array[area, market]`.
    model.supply_cells = entries[E_CELL, :n]
    model.ocg_capacity = room.groups[CAPACITY, :n_groups]
    target = markets.clear_cells(*room.grids)  # the clearing after `_supply`'s local one
    # Money laundering: a national service. Short supply lowers every group's laundering efficiency.
    model.money_laundered_gbp = _settle(
        price_index=markets.price_index, target=target, entries=entries, amount=amount,
        sold_share=markets.sold_share, unit_price_gbp=model.unit_price_gbp,
        harm_per_unit_month=model.harm.unit_per_month, groups=room.groups, n_groups=n_groups,
        ocg_markets=ocgs.markets, productivity=markets.productivity, has_professional=ocgs.has_professional,
        capital_gbp=ocgs.capital_gbp, revenue_gbp_per_step=ocgs.revenue_gbp_per_step,
        harm_gbp_per_month=ocgs.harm_gbp_per_month, demand=markets.demand, served=markets.served, scalars=room.scalars)
    markets.cleared_laundering()
    return {"revenue_per_month": room.groups[REVENUE, :n_groups], "harm_per_month": room.groups[HARM, :n_groups]}


#: rows of `OperationsRoom.entries` (the supply entries)
E_OWNER, E_AREA, E_MARKET, E_CELL = range(4)
#: rows of `OperationsRoom.groups` (per group)
CAPACITY, CAPACITY_PER_MARKET, REVENUE, HARM, PROFIT, LAUNDERING_CAPACITY = range(6)
#: planes of `OperationsRoom.cells` ([area, market] grids)
SUPPLY, LOCAL_SERVED, UNMET, SURPLUS = range(4)
#: entries of `OperationsRoom.scalars` (the run's parameters the kernels read)
(DIRECTED_CAPACITY, LINE_CAPACITY_USERS, PROFIT_MARGIN, RATIO_INITIAL, EFFICIENCY_PROFESSIONAL, EFFICIENCY_BASE,
 SPEND_RATE, MONTHS_PER_STEP, PRICE_STEP, PRICE_MIN, PRICE_MAX, LAUNDERING_FLOOR) = range(12)


class OperationsRoom:
    """`operate`'s working arrays, kept from step to step and grown (doubling) when the groups,
    entries or county lines outgrow them, so that a step allocates none of them: the portfolio
    cache (entries owner, market: `portfolio`; each group's market count), the supply entries,
    sums per group and the [area, market] grids of the clearing. What `operate` publishes
    (`model.supply_entries`, `supply_cells`, `ocg_capacity`, `markets.supply`) are views of them,
    valid until the next step rewrites them. Kept as `model.operations_room`."""

    def __init__(self, model):
        params, dt = model.params, model.months_per_step
        self.portfolio = np.empty((2, 0), np.int64)
        self.n_portfolio = 0  # entries in the portfolio cache
        self.n_markets = np.empty(0, np.int64)
        self.n_groups = 0  # groups the portfolio cache covers
        self.entries = np.empty((4, 0), np.int64)
        self.amount = np.empty(0)
        self.groups = np.empty((6, 0))
        self.lines = np.empty(0, np.int64)
        self.cells = np.zeros((4, model.geography.n_areas, N_MARKETS))
        self.grids = tuple(self.cells)  # views: supply, local served, unmet, surplus
        # Parameters are fixed for a run: read once, passed as one array.
        self.scalars = np.array([
            params.directed_from_prison_capacity, params.county_line_capacity_users, params.profit_margin,
            params.supply_demand_ratio_initial, params.laundering_efficiency_professional,
            params.laundering_efficiency_base, params.capital_spend_rate_per_month, dt,
            model.markets.price_step(dt), params.price_index_min, params.price_index_max,
            params.laundering_coverage_floor])

    def __setstate__(self, state: dict) -> None:  # a copy's grids are views of its own cells
        self.__dict__.update(state)
        self.grids = tuple(self.cells)

    def fit(self, n_groups: int, n_changed: int, n_lines: int) -> None:
        """Make room for a step with this many groups, changed portfolios and county lines."""
        most_portfolio = self.n_portfolio + MONEY_LAUNDERING * (n_changed + max(n_groups - self.n_groups, 0))
        if most_portfolio > self.portfolio.shape[1]:
            self.portfolio = _larger(self.portfolio, most_portfolio)
        if n_groups > self.groups.shape[1]:
            self.n_markets = _larger(self.n_markets, n_groups)
            self.groups = _larger(self.groups, n_groups)
        if most_portfolio + n_lines > self.amount.shape[0]:
            self.entries = _larger(self.entries, most_portfolio + n_lines)
            self.amount = _larger(self.amount, most_portfolio + n_lines)
        if n_lines + 1 > self.lines.shape[0]:
            self.lines = _larger(self.lines, n_lines + 1)


def _room(model) -> OperationsRoom:
    room = model.operations_room
    if room is None:
        room = model.operations_room = OperationsRoom(model)
    return room


def _larger(array: np.ndarray, needed: int) -> np.ndarray:
    """`array` copied into a new one whose last axis is at least `needed` and twice what it was."""
    new = np.empty((*array.shape[:-1], max(needed, 2 * array.shape[-1])), array.dtype)
    new[..., : array.shape[-1]] = array
    return new


def initial_capital(model, revenue_per_month: np.ndarray, capital_given: np.ndarray) -> None:
    """Start each OCG with the capital the register gives (`capital_given`, as read, before the
    set-up clearing), or where it gives none at its steady-state capital."""
    params, ocgs = model.params, model.ocgs
    efficiency = np.where(ocgs.has_professional, params.laundering_efficiency_professional,
                          params.laundering_efficiency_base)
    steady = revenue_per_month * params.profit_margin * efficiency / params.capital_spend_rate_per_month
    missing = model.register_capital_missing
    ocgs.capital_gbp = np.where(missing, steady, capital_given)


def unit_prices(params) -> np.ndarray:
    """OCG revenue per unit sold per month, by market (`markets.MARKET_PARAMETERS`)."""
    return per_market(params, "price")


# ---------------------------------------------------------------- kernels
# Each does, row by row, what the numpy expressions it replaced did, with the same operations in
# the same order (so the results are the same to the last bit).


@kernel
def _capacity_into(capacity, active_by_role, leader_directing, directed_capacity, cohesion, active):
    """Write to `capacity` the labour of each OCG's active members by role (`ROLE_LABOUR`), scaled
    by cohesion and, when its leader directs it from prison, by `directed_capacity`; 0 for
    inactive groups."""
    n = active_by_role.shape[0]
    by_role = active_by_role.reshape(4 * n)  # flat: faster to index than [g, role] (C order)
    w0, w1, w2, w3 = ROLE_LABOUR[0], ROLE_LABOUR[1], ROLE_LABOUR[2], ROLE_LABOUR[3]
    for g in range(n):
        # Added in role order, as the matrix product `active_by_role @ role_labour` adds.
        row = 4 * g
        labour = by_role[row] * w0 + by_role[row + 1] * w1 + by_role[row + 2] * w2 + by_role[row + 3] * w3
        direction = directed_capacity if leader_directing[g] else 1.0
        capacity[g] = labour * (0.5 + 0.5 * cohesion[g]) * direction * active[g]


@kernel
def _refresh_portfolio(portfolio, n_entries, n_markets, n_old, changed, ocg_markets):
    """Bring the portfolio cache up to date in place and return its new number of entries: the
    entries (`portfolio` rows owner, market) of groups not in `changed` (sorted row numbers) kept
    in their order, then the entries of the changed groups, then those of groups added since
    (rows from `n_old`, the groups the cache covered). A group's entries are its product markets
    in market order; its count (`n_markets`) covers every market it is in (laundering too), at
    least 1. The arrays have room for every entry there may be (`OperationsRoom.fit`)."""
    n_groups = ocg_markets.shape[0]
    in_market = ocg_markets.reshape(ocg_markets.size)  # flat [group, market]: faster to index
    owner, market = portfolio[0], portfolio[1]
    dirty = np.zeros(n_old, dtype=np.bool_)
    any_dirty = False
    for r in changed:
        if r < n_old:  # rows added since are appended below anyway
            dirty[r] = True
            any_dirty = True
    k = n_entries
    if any_dirty:
        k = 0
        for i in range(n_entries):  # kept entries move down in place (k <= i)
            if not dirty[owner[i]]:
                owner[k], market[k] = owner[i], market[i]
                k += 1
        for r in changed:
            if r < n_old:
                k = _add_group_entries(r, in_market, owner, market, n_markets, k)
    for g in range(n_old, n_groups):
        k = _add_group_entries(g, in_market, owner, market, n_markets, k)
    return k


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
def _supply(active_by_role, leader_directing, cohesion, ocg_active, ocg_area, target_size, active_members,
            ocg_markets, portfolio, n_portfolio, n_markets, n_old_groups, changed, productivity, supply_multiplier,
            line_ocg, line_dest, line_active, demand, scalars, entries, amount, groups, lines, cells):
    """The supply side of `operate`, written into the working arrays of `OperationsRoom`: each
    group's capacity (`groups` row CAPACITY), the portfolio cache brought up to date
    (`_refresh_portfolio`), the supply entries (`_write_entries`) and the local clearing of the
    supply they add up to (`cells`: supply, local served, unmet, surplus). Returns the number of
    portfolio entries and of supply entries."""
    n_portfolio = _refresh_portfolio(portfolio, n_portfolio, n_markets, n_old_groups, changed, ocg_markets)
    capacity, capacity_per_market = groups[CAPACITY], groups[CAPACITY_PER_MARKET]
    _capacity_into(capacity, active_by_role, leader_directing, scalars[DIRECTED_CAPACITY], cohesion, ocg_active)
    # Capacity per market: each group's capacity split evenly over its markets.
    for g in range(active_by_role.shape[0]):
        capacity_per_market[g] = capacity[g] / n_markets[g]
    n = _write_entries(portfolio[0], portfolio[1], n_portfolio, capacity, capacity_per_market, productivity,
                       supply_multiplier, ocg_area, ocg_active, target_size, active_members, line_ocg, line_dest,
                       line_active, scalars[LINE_CAPACITY_USERS], entries, amount, lines, cells[SUPPLY])
    _local_clearing_into(cells[SUPPLY], demand, cells[LOCAL_SERVED], cells[UNMET], cells[SURPLUS])
    return n_portfolio, n


@kernel
def _write_entries(portfolio_owner, portfolio_market, n_portfolio, capacity, capacity_per_market, productivity,
                   supply_multiplier, ocg_area, ocg_active, target_size, active_members, line_ocg, line_dest,
                   line_active, line_capacity_users, entries, amount, active_lines, supply):
    """Supply entries (`entries` rows owner, area, market, flat [area, market] cell; `amount` per
    month) and the supply [area, market] they add up to (in entry order, as `np.bincount` adds):
    first each portfolio entry of a group with capacity, then each active county line (heroin/crack in its
    destination, scaled by the health of its group: active members over target size, at most
    1). Returns the number of entries."""
    owner, area, market, cells = entries[E_OWNER], entries[E_AREA], entries[E_MARKET], entries[E_CELL]
    # Active lines listed without branching (which lines are active follows no pattern a branch
    # predictor could learn): each line is written at the next free place, which moves on only
    # if the line is active.
    n_active_lines = 0
    for line in range(line_active.shape[0]):
        active_lines[n_active_lines] = line
        n_active_lines += line_active[line]
    supply[:] = 0.0  # flat [area, market], indexed by cell
    flat_supply = supply.reshape(supply.size)
    # Rows and cells as unsigned indices (numba leaves out the wrap-around of negative ones, see
    # `members._census`), and each amount added from the register it was computed in, not read
    # back from `amount` (which the compiler must assume `flat_supply` may overlap): the same
    # numbers, the same additions.
    u = np.uint64
    k = 0
    for i in range(n_portfolio):
        g, m = u(portfolio_owner[i]), u(portfolio_market[i])
        if capacity[g] > 0:  # nearly always: a well-predicted branch
            group_area = ocg_area[g]
            owner[k], area[k], market[k] = g, group_area, m
            supplied = capacity_per_market[g] * productivity[m] * supply_multiplier[m]
            amount[k] = supplied
            cell = group_area * N_MARKETS + np.int64(m)
            cells[k] = cell
            flat_supply[u(cell)] += supplied
            k += 1
    for j in range(n_active_lines):
        line = u(active_lines[j])
        g = u(line_ocg[line])
        health = active_members[g] / max(target_size[g], 1.0)
        if health < 0.0:  # written so that a NaN stays NaN, as in np.clip
            health = 0.0
        elif health > 1.0:
            health = 1.0
        destination = line_dest[line]
        owner[k], area[k], market[k] = g, destination, HEROIN_CRACK
        supplied = line_capacity_users * health * ocg_active[g] * supply_multiplier[HEROIN_CRACK]
        amount[k] = supplied
        cell = destination * N_MARKETS + HEROIN_CRACK
        cells[k] = cell
        flat_supply[u(cell)] += supplied
        k += 1
    return k


@kernel
def _settle(price_index, target, entries, amount, sold_share, unit_price_gbp, harm_per_unit_month, groups, n_groups,
            ocg_markets, productivity, has_professional, capital_gbp, revenue_gbp_per_step, harm_gbp_per_month, demand,
            served, scalars):
    """The rest of `operate` once the product markets are cleared: prices move towards their
    `target` (`markets._update_prices`); revenue and harm per OCG from the entries' sales (each
    entry sells its amount times the sold share of its cell; `groups`
    rows REVENUE, HARM); money laundering (a national service whose short supply lowers every
    group's efficiency); capital: laundered profit in, spending out. Writes the groups' capital,
    revenue and harm columns (and, the first time, laundering productivity), and empties the
    laundering column of demand and served (`markets._clear_laundering_column`). Returns the pounds
    laundered this step."""
    _update_prices(price_index, target, scalars[PRICE_STEP], scalars[PRICE_MIN], scalars[PRICE_MAX])
    months_per_step = scalars[MONTHS_PER_STEP]
    n = n_groups
    owner, cells = entries[E_OWNER], entries[E_CELL]
    # [area, market] arrays read flat by cell, [group, market] too: faster than two indices.
    sold_by_cell, price_by_cell = sold_share.reshape(sold_share.size), price_index.reshape(price_index.size)
    in_market = ocg_markets.reshape(ocg_markets.size)
    unit_value_by_cell = np.empty(sold_by_cell.size)  # revenue per unit sold
    harm_by_cell = np.empty(sold_by_cell.size)
    for cell in range(sold_by_cell.size):
        unit_value_by_cell[cell] = unit_price_gbp[cell % N_MARKETS] * price_by_cell[cell]
        harm_by_cell[cell] = harm_per_unit_month[cell % N_MARKETS]
    revenue_per_month, harm_per_month = groups[REVENUE], groups[HARM]
    revenue_per_month[:n] = 0.0
    harm_per_month[:n] = 0.0
    for i in range(amount.shape[0]):  # in entry order, as np.bincount adds
        g, cell = owner[i], cells[i]
        sold = amount[i] * sold_by_cell[cell]
        revenue_per_month[g] += sold * unit_value_by_cell[cell]
        harm_per_month[g] += sold * harm_by_cell[cell]
    profit_per_month, laundering_capacity = groups[PROFIT, :n], groups[LAUNDERING_CAPACITY, :n]
    capacity_per_market = groups[CAPACITY_PER_MARKET]
    profit_margin = scalars[PROFIT_MARGIN]
    for g in range(n):
        profit_per_month[g] = revenue_per_month[g] * profit_margin
        laundering_capacity[g] = capacity_per_market[g] * in_market[g * N_MARKETS + MONEY_LAUNDERING]
    # Summed as numpy's `sum` adds (pairwise), not in row order.
    laundering_supply = array_sum(laundering_capacity)
    laundering_demand = array_sum(profit_per_month)
    if np.isnan(productivity[MONEY_LAUNDERING]):  # set from the first step's profits
        productivity[MONEY_LAUNDERING] = scalars[RATIO_INITIAL] * laundering_demand / max(laundering_supply, 1e-9)
    laundering_supply *= productivity[MONEY_LAUNDERING]
    coverage = min(1.0, laundering_supply / laundering_demand) if laundering_demand > 0 else 1.0
    spend_share = min(1.0, scalars[SPEND_RATE] * months_per_step)
    efficiency_professional, efficiency_base = scalars[EFFICIENCY_PROFESSIONAL], scalars[EFFICIENCY_BASE]
    floor = scalars[LAUNDERING_FLOOR]
    for g in range(n):
        base = efficiency_professional if has_professional[g] else efficiency_base
        efficiency = base * (floor + (1.0 - floor) * coverage)
        inflow = profit_per_month[g] * efficiency * months_per_step
        spend = capital_gbp[g] * spend_share
        capital_gbp[g] = capital_gbp[g] + inflow - spend
        revenue_gbp_per_step[g] = revenue_per_month[g] * months_per_step
        harm_gbp_per_month[g] = harm_per_month[g]
    _clear_laundering_column(demand, served)
    return laundering_demand * coverage * months_per_step
