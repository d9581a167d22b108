"""Illicit markets per area and commodity: demand, supply, clearing, prices, and county lines.

Quantities are per month. Stock markets (drug users, people in exploitation) count the people
supplied or held at a time; flow markets (fraud offences, arrivals, firearms, acquisitive
offences) count events per month. Money laundering is a service priced in pounds laundered.

Clearing, per commodity:
- local markets: each area's own suppliers serve its demand first; a share
  (`regional_displacement_share`) of the demand left unmet is served by surplus suppliers in
  neighbouring areas (displacement across force boundaries);
- national markets (fraud, immigration): supply and demand are pooled across the country and
  victims fall where the demand is (population).
Prices rise when supply falls short of demand relative to the starting balance, and drug demand
responds to price.
"""

from __future__ import annotations

import numpy as np

from twin.geography import Geography
from twin.parameters import Parameters, per_step_probability
from twin.tables import Table
from twin.vocabulary import (
    ACQUISITIVE, COCAINE, DRUG_MARKETS, FIREARMS, FRAUD, HEROIN_CRACK, IMMIGRATION, MARKETS,
    MODERN_SLAVERY, MONEY_LAUNDERING, NATIONAL_MARKETS,
)

N_MARKETS = len(MARKETS)
PRICE_INDEX_BOUNDS = (0.25, 4.0)
PRICE_ADJUSTMENT_PER_MONTH = 0.5  # share of the gap to the clearing price closed each month


class CountyLines(Table):
    """County lines: an OCG in an exporter area supplying heroin/crack in another area."""

    columns = {
        "ocg": (np.int64, -1, ()),
        "dest": (np.int64, 0, ()),
        "active": (bool, True, ()),
        "opened_step": (np.int64, 0, ()),
    }


def base_demand_per_month(geography: Geography, params: Parameters, vulnerability: np.ndarray) -> np.ndarray:
    """Demand at starting prices [area, market] from the UK totals in the parameter table."""
    uk_totals = np.zeros(N_MARKETS)
    uk_totals[HEROIN_CRACK] = params.heroin_crack_users_uk
    uk_totals[COCAINE] = params.cocaine_users_uk
    uk_totals[FRAUD] = params.fraud_offences_per_year / 12
    uk_totals[MODERN_SLAVERY] = params.modern_slavery_victims_uk
    uk_totals[IMMIGRATION] = params.immigration_arrivals_per_year / 12
    uk_totals[FIREARMS] = params.firearms_trafficked_per_year / 12
    uk_totals[ACQUISITIVE] = params.acquisitive_offences_per_year / 12
    weights = np.tile(geography.population[:, None], (1, N_MARKETS))
    vulnerable = list(DRUG_MARKETS) + [MODERN_SLAVERY, ACQUISITIVE]
    weights[:, vulnerable] *= vulnerability[:, None] ** params.demand_vulnerability_elasticity
    demand = weights / weights.sum(axis=0, keepdims=True) * uk_totals[None, :]
    demand[:, MONEY_LAUNDERING] = 0.0  # set from OCG profits each step
    return demand


class Markets:
    """Market state [area, market] and the clearing of supply against demand."""

    def __init__(self, geography: Geography, params: Parameters, vulnerability: np.ndarray):
        self.params = params
        self.neighbours = geography.neighbour_weights()
        self.base_demand = base_demand_per_month(geography, params, vulnerability)
        self.demand = self.base_demand.copy()
        self.supply = np.zeros_like(self.demand)
        self.served = np.zeros_like(self.demand)
        self.price_index = np.ones_like(self.demand)
        self.productivity = np.ones(N_MARKETS)  # units per month per unit of OCG capacity
        self.sold_share = np.zeros_like(self.demand)
        self.national = np.zeros(N_MARKETS, dtype=bool)
        self.national[list(NATIONAL_MARKETS)] = True
        self.is_drug = np.zeros(N_MARKETS, dtype=bool)
        self.is_drug[list(DRUG_MARKETS)] = True
        # Supply/demand balance at the start, per area and market: the price index is 1 there.
        self.reference_ratio: np.ndarray | None = None
        self._vacancy: np.ndarray | None = None  # see `vacancy`

    def update_demand(self, demand_multiplier: np.ndarray) -> None:
        """Demand this step: base demand x lever multipliers x price response (drugs only)."""
        self._vacancy = None
        products = slice(0, MONEY_LAUNDERING)
        response = np.where(self.is_drug[None, products],
                            self.price_index[:, products] ** self.params.drug_demand_price_elasticity, 1.0)
        self.demand[:, products] = self.base_demand[:, products] * demand_multiplier * response

    def clear(self, area: np.ndarray, market: np.ndarray, amount: np.ndarray, months_per_step: float) -> np.ndarray:
        """Clear the product markets for supply entries (area, market, amount per month).

        Returns the amount each entry sells per month. Updates supply, served, sold_share, prices.
        """
        self._vacancy = None
        n_areas = self.demand.shape[0]
        key = area * N_MARKETS + market
        self.supply = np.bincount(key, weights=amount, minlength=n_areas * N_MARKETS).reshape(n_areas, N_MARKETS)
        demand, supply = self.demand, self.supply
        local_served = np.minimum(demand, supply)
        unmet = demand - local_served
        surplus = supply - local_served
        reachable = self.neighbours @ surplus  # surplus next door, per area
        share = self.params.regional_displacement_share
        inflow = share * np.minimum(unmet, reachable)
        pull = np.divide(inflow, reachable, out=np.zeros_like(inflow), where=reachable > 0)
        drawn = self.neighbours.T @ pull  # share of each supplier's surplus its neighbours ask for
        scale = 1.0
        if (drawn > 1).any():  # several neighbours ask for more than a supplier has: scale them down
            scale = 1.0 / np.maximum(drawn, 1.0)
            inflow = pull * (self.neighbours @ (surplus * scale))
        exported = surplus * drawn * scale
        served = local_served + inflow
        sold = np.divide(local_served + exported, supply, out=np.zeros_like(supply), where=supply > 0)
        effective_supply = supply + share * reachable

        # National markets: pooled supply and demand.
        for m in self.national.nonzero()[0]:
            total_demand, total_supply = demand[:, m].sum(), supply[:, m].sum()
            total_served = min(total_demand, total_supply)
            served[:, m] = demand[:, m] * (total_served / total_demand if total_demand > 0 else 0.0)
            sold[:, m] = total_served / total_supply if total_supply > 0 else 0.0
            effective_supply[:, m] = total_supply * demand[:, m] / total_demand if total_demand > 0 else 0.0

        self.served[:, :MONEY_LAUNDERING] = served[:, :MONEY_LAUNDERING]
        self.sold_share[:, :MONEY_LAUNDERING] = sold[:, :MONEY_LAUNDERING]
        ratio = np.divide(effective_supply, demand, out=np.ones_like(demand), where=demand > 0)
        if self.reference_ratio is None:
            self.reference_ratio = np.maximum(ratio, 1e-6)
        target = (self.reference_ratio / np.maximum(ratio, 1e-6)) ** self.params.price_supply_elasticity
        target = target.clip(*PRICE_INDEX_BOUNDS)
        step = per_step_probability(PRICE_ADJUSTMENT_PER_MONTH, months_per_step)
        self.price_index[:, :MONEY_LAUNDERING] += step * (target - self.price_index)[:, :MONEY_LAUNDERING]
        return amount * self.sold_share.take(key)  # [area, market], faster (see operations.operate)

    def clear_laundering(self) -> None:
        """Money laundering is a national service priced apart (`operations.operate`): no local
        demand or sales are left in its column."""
        self._vacancy = None
        self.demand[:, MONEY_LAUNDERING] = 0.0
        self.served[:, MONEY_LAUNDERING] = 0.0

    def vacancy(self) -> np.ndarray:
        """Share of demand left unserved [area, market] (0 where there is no demand). Read-only.

        Demand and served change only in `update_demand`, `clear` and `clear_laundering` (each
        resets this), so the four phases that ask after the clearing share one computation.
        """
        if self._vacancy is None:
            self._vacancy = np.divide(self.demand - self.served, self.demand, out=np.zeros_like(self.demand),
                                      where=self.demand > 0).clip(0.0, 1.0)
            self._vacancy.flags.writeable = False
        return self._vacancy
