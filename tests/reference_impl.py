"""Reference implementations the tests check the compiled step against (nothing in `twin` uses them).

- `portfolio`: the operations room's portfolio cache brought up to date on its own (as `operate`'s
  first kernel does), and `portfolio_entries`: the same entries worked out afresh in numpy;
- `share_profiles`: each group's 0/1 population-share profile, from the kernel `metrics.share_bits`
  (what `metrics.population_shares` caches);
- `clear_markets`: a whole clearing of the product markets for a list of supply entries (the
  clearing `operations.operate` does around its kernels), for tests of the clearing alone;
- `nearest_release`: the prisoners nearest release chosen as the numpy version of the courts did.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import kernel
from twin.markets import N_MARKETS, _local_clearing_into, _update_prices
from twin.metrics import SHARE_NAMES, share_bits
from twin.operations import _refresh_portfolio, _room
from twin.vocabulary import MONEY_LAUNDERING


def portfolio(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(owner, market) pairs of every OCG's product markets and each OCG's market count, from the
    cache `operate` keeps (`operations.OperationsRoom`): the entries of groups whose portfolio
    changed (`model.portfolios_changed`) are replaced, and groups added since are appended."""
    room = _room(model)
    markets = model.ocgs.markets
    changed = model.take_portfolio_changes("entries")
    room.fit(markets.shape[0], changed.size, 0)
    room.n_portfolio = _refresh_portfolio(room.portfolio, room.n_portfolio, room.n_markets, room.n_groups, changed,
                                          markets)
    room.n_groups = markets.shape[0]
    return room.portfolio[0, : room.n_portfolio], room.portfolio[1, : room.n_portfolio], room.n_markets[: room.n_groups]


def portfolio_entries(markets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entries (owner, market) of the given OCG rows, and each row's market count (at least 1):
    what `portfolio` caches, worked out afresh."""
    chosen = markets[rows]
    position, market = np.divmod(np.flatnonzero(chosen[:, :MONEY_LAUNDERING]), MONEY_LAUNDERING)
    n_markets = np.maximum(chosen.view(np.uint8) @ np.ones(chosen.shape[1], dtype=np.uint8), 1).astype(np.int64)
    return rows[position], market, n_markets


def share_profiles(ocgs, rows: np.ndarray) -> np.ndarray:
    """The 0/1 profile [row, share] (columns in the order of SHARE_NAMES) of the OCGs at `rows`."""
    bits = np.empty(rows.size, dtype=np.uint16)
    _fill_share_bits(bits, rows, ocgs.ocg_type, ocgs.reach, ocgs.markets, ocgs.violence)
    return ((bits[:, None] >> np.arange(len(SHARE_NAMES))) & 1).astype(float)


@kernel
def _fill_share_bits(bits, rows, ocg_type, reach, markets, violence):
    """The profile bits (`metrics.share_bits`) of the groups at `rows`, into `bits`."""
    for i in range(rows.size):
        bits[i] = share_bits(rows[i], ocg_type, reach, markets, violence)


def clear_markets(markets, area: np.ndarray, market: np.ndarray, amount: np.ndarray,
                  months_per_step: float) -> np.ndarray:
    """Clear the product markets for supply entries (area, market, amount per month): the supply
    [area, market] they add up to (in entry order), the local clearing, `Markets.clear_cells` and
    the price update. Updates the markets' supply, served, sold_share and prices; returns the
    amount each entry sells per month (its amount times the sold share of its cell)."""
    n_areas = markets.demand.shape[0]
    supply = np.bincount(area * N_MARKETS + market, weights=amount,
                         minlength=n_areas * N_MARKETS).reshape(n_areas, N_MARKETS)
    local_served, unmet, surplus = np.empty_like(supply), np.empty_like(supply), np.empty_like(supply)
    _local_clearing_into(supply, markets.demand, local_served, unmet, surplus)
    target = markets.clear_cells(supply, local_served, unmet, surplus)
    _update_prices(markets.price_index, target, markets.price_step(months_per_step), markets.params.price_index_min,
                   markets.params.price_index_max)
    return amount * markets.sold_share[area, market]


def nearest_release(release_month: np.ndarray, rows: np.ndarray, count: int) -> np.ndarray:
    """The `count` of `rows` nearest their release date (all when fewer; a partition, not a sort),
    as the courts' numpy version chose them."""
    if count >= rows.size:
        return rows
    return rows[np.argpartition(release_month[rows], count - 1)[:count]]
