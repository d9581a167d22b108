"""Illicit markets per area and commodity: demand, supply, clearing and prices (county lines: `county_lines.py`).

Quantities are per month. Stock markets (drug users, people in exploitation) count the people
supplied or held at a time; flow markets (fraud offences, arrivals, firearms, acquisitive
offences) count events per month. Money laundering is a service priced in pounds laundered.

Clearing, per commodity:
- local markets: each area's own suppliers serve its demand first; a share
  (`regional_displacement_share`) of the demand left unmet is served by surplus suppliers in
  neighbouring areas (displacement across force boundaries);
- national markets (fraud, immigration): supply and demand are pooled across the country and
  victims fall where the demand is (population). Demand here is the volume at the start, not a
  ceiling: the victim pool for fraud is vast (source 003: the internet multiplies the potential
  victims) and crossings need organisers and boats, so the volume follows supply as a matching
  function, served = demand x (s / s0) ** e, where s is supply over demand now, s0 at the start
  and e the market's supply elasticity (`fraud_supply_elasticity`,
  `immigration_supply_elasticity`); never more than is supplied. At the start served equals demand;
  groups disrupted or supply cut by a lever lower the volume until others fill the gap.
Prices rise when supply falls short of demand relative to the starting balance, and drug demand
responds to price.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from twin.compiled import kernel
from twin.shared_kernels import array_sum, maximum, minimum
from twin.geography import Geography
from twin.parameters import Parameters, per_step_probability
from twin.vocabulary import (
    ACQUISITIVE, COCAINE, DRUG_MARKETS, FIREARMS, FRAUD, HEROIN_CRACK, IMMIGRATION, MARKETS,
    MODERN_SLAVERY, MONEY_LAUNDERING, NATIONAL_MARKETS,
)

N_MARKETS = len(MARKETS)


class MarketParameters(NamedTuple):
    """The parameters that size, price and cost a product market: demand (`demand_months`: 1 for a
    stock of users or victims, 12 for a yearly count of events, read per month), the groups' price
    per unit, and the harm per unit (`harm_months` likewise: 12 for a yearly harm per person)."""

    demand: str
    demand_months: int
    price: str
    harm: str
    harm_months: int


#: every product market's parameters, in one place (`base_demand_per_month`, `operations.unit_prices`,
#: `harm.harm_gbp_per_unit_month`); money laundering is a service priced from the others' profits
MARKET_PARAMETERS = {
    HEROIN_CRACK: MarketParameters("heroin_crack_users_uk", 1, "price_heroin_crack_gbp_per_user_month",
                                   "harm_gbp_per_heroin_crack_user_year", 12),
    COCAINE: MarketParameters("cocaine_users_uk", 1, "price_cocaine_gbp_per_user_month",
                              "harm_gbp_per_cocaine_user_year", 12),
    FRAUD: MarketParameters("fraud_offences_per_year", 12, "price_fraud_gbp_per_offence",
                            "harm_gbp_per_fraud_offence", 1),
    MODERN_SLAVERY: MarketParameters("modern_slavery_victims_uk", 1, "price_slavery_gbp_per_victim_month",
                                     "harm_gbp_per_slavery_victim_year", 12),
    IMMIGRATION: MarketParameters("immigration_arrivals_per_year", 12, "price_immigration_gbp_per_arrival",
                                  "harm_gbp_per_immigration_arrival", 1),
    FIREARMS: MarketParameters("firearms_trafficked_per_year", 12, "price_firearm_gbp", "harm_gbp_per_firearm", 1),
    ACQUISITIVE: MarketParameters("acquisitive_offences_per_year", 12, "price_acquisitive_gbp_per_offence",
                                  "harm_gbp_per_acquisitive_offence", 1),
}


def per_market(params: Parameters, field: str, months: str | None = None) -> np.ndarray:
    """One `MarketParameters` field's values by market (0 for money laundering), each divided by
    its months (`months`: the field holding them) to give a month's worth."""
    values = np.zeros(N_MARKETS)
    for market, spec in MARKET_PARAMETERS.items():
        value = params[getattr(spec, field)]
        values[market] = value / getattr(spec, months) if months else value  # x / 1 is x, to the bit
    return values


def base_demand_per_month(geography: Geography, params: Parameters, vulnerability: np.ndarray) -> np.ndarray:
    """Demand at starting prices [area, market] from the UK totals in the parameter table."""
    uk_totals = per_market(params, "demand", "demand_months")
    weights = np.tile(geography.population[:, None], (1, N_MARKETS))
    vulnerable = list(DRUG_MARKETS) + [MODERN_SLAVERY, ACQUISITIVE]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # (said below, in one line)
        weights[:, vulnerable] *= vulnerability[:, None] ** params.demand_vulnerability_elasticity
        demand = weights / weights.sum(axis=0, keepdims=True) * uk_totals[None, :]
    if not np.isfinite(demand).all():  # (a kernel given NaN demand could write out of bounds)
        from twin.errors import ParameterError

        raise ParameterError(f"demand_vulnerability_elasticity = {params.demand_vulnerability_elasticity:g} spreads "
                             f"drug demand over the areas beyond what numbers can hold (expected "
                             f"{params.spec('demand_vulnerability_elasticity').low:g} to "
                             f"{params.spec('demand_vulnerability_elasticity').high:g})")
    demand[:, MONEY_LAUNDERING] = 0.0  # set from OCG profits each step
    return demand


class Markets:
    """Market state [area, market] and the clearing of supply against demand."""

    def __init__(self, geography: Geography, params: Parameters, vulnerability: np.ndarray):
        self.params = params
        self.neighbours = geography.neighbour_weights()
        self.base_demand = base_demand_per_month(geography, params, vulnerability)
        self.demand = self.base_demand.copy()
        self.supply = np.zeros_like(self.demand)  # in a run, a view `operate` rewrites each step (`clear_cells`)
        self.served = np.zeros_like(self.demand)
        self.price_index = np.ones_like(self.demand)
        #: the recent norm of each price index, an exponential average over `price_norm_months`
        #: (`profit_pull`): what would-be entrants judge today's price against
        self.price_norm = np.ones_like(self.demand)
        self.productivity = np.ones(N_MARKETS)  # units per month per unit of OCG capacity
        self.sold_share = np.zeros_like(self.demand)
        self.national = np.zeros(N_MARKETS, dtype=bool)
        self.national[list(NATIONAL_MARKETS)] = True
        self.is_drug = np.zeros(N_MARKETS, dtype=bool)
        self.is_drug[list(DRUG_MARKETS)] = True
        #: [market] supply elasticity of the volume served in national markets (0 elsewhere)
        self.supply_elasticity = np.zeros(N_MARKETS)
        self.supply_elasticity[FRAUD] = params.fraud_supply_elasticity
        self.supply_elasticity[IMMIGRATION] = params.immigration_supply_elasticity
        #: [market] national supply over demand at the first clearing (s0; NaN until then)
        self.national_reference_ratio = np.full(N_MARKETS, np.nan)
        # Supply/demand balance at the start, per area and market: the price index is 1 there.
        self.reference_ratio: np.ndarray | None = None
        #: [product market] national supply over demand at the first clearing, every market (see `glut`)
        self.start_ratio: np.ndarray | None = None
        self._vacancy: np.ndarray | None = None  # see `vacancy`

    def update_demand(self, demand_multiplier: np.ndarray) -> None:
        """Demand this step: base demand x lever multipliers x price response (drugs only)."""
        self._vacancy = None
        # The power is taken by numpy (see `clear_cells`), for every product as before.
        powered = self.price_index[:, :MONEY_LAUNDERING] ** self.params.drug_demand_price_elasticity
        _product_demand(self.demand, self.base_demand, demand_multiplier, powered, self.is_drug)

    def clear_cells(self, supply: np.ndarray, local_served: np.ndarray, unmet: np.ndarray,
                    surplus: np.ndarray) -> np.ndarray:
        """The clearing after the local one (`_local_clearing_into`: demand served locally, unmet,
        surplus): displacement to neighbouring areas, national markets pooled. Sets supply, served
        and sold_share; returns the price index each product cell moves towards (which
        `_update_prices` then applies, in `operations.operate`). The cell-by-cell work is done by kernels;
        the products with the neighbour matrix and the price response (a non-integer power) stay
        in numpy, whose results a kernel would not reproduce to the last bit (BLAS and SIMD code).
        """
        self._vacancy = None
        self.supply = supply
        reachable = self.neighbours @ surplus  # surplus next door, per area
        share = self.params.regional_displacement_share
        inflow, pull = _displacement_pull(unmet, reachable, share)
        drawn = self.neighbours.T @ pull  # share of each supplier's surplus its neighbours ask for
        set_reference = self.reference_ratio is None
        if set_reference:
            self.reference_ratio = np.empty_like(self.demand)
            self.start_ratio = self._national_ratio()
        arguments = (self.demand, supply, local_served, surplus, reachable, drawn, self.national, share,
                     self.served, self.sold_share, self.reference_ratio, set_reference, self.supply_elasticity,
                     self.national_reference_ratio)
        relative, scale = _clear_cells(*arguments, inflow, _UNSCALED)
        if relative.size == 0:
            # Several neighbours ask a supplier for more than its surplus (rare): they share it,
            # every supplier's surplus scaled by `scale`, and the clearing is done again.
            inflow = pull * (self.neighbours @ (surplus * scale))
            relative, scale = _clear_cells(*arguments, inflow, scale)
        return relative ** self.params.price_supply_elasticity

    def profit_pull(self) -> np.ndarray | None:
        """Entry's response to profit [area, market]: the price index over its recent norm to
        `entry_price_elasticity` (a shortage's price rise is the profit a vacancy offers; a price
        that has stood high for years is the norm). None when the elasticity is 0 (entry follows
        the vacancy alone). Bounded by the price bounds: at most (price_index_max /
        price_index_min) ** elasticity, reached only by a price jumping from its floor to its cap."""
        elasticity = self.params.entry_price_elasticity
        return (self.price_index / self.price_norm) ** elasticity if elasticity else None

    def advance_price_norm(self, months_per_step: float) -> None:
        """Move each price norm towards today's price: an exponential average with a mean age of
        `price_norm_months`, the same over a month of weekly or of monthly steps. Once per step."""
        kept = np.exp(-months_per_step / self.params.price_norm_months)
        self.price_norm = self.price_index + (self.price_norm - self.price_index) * kept

    def price_step(self, months_per_step: float) -> float:
        """Share of the gap to the clearing price a price index closes in one step."""
        return per_step_probability(self.params.price_adjustment_per_month, months_per_step)

    def cleared_laundering(self) -> None:
        """The laundering column was emptied (by `operations.operate`'s kernel, `_clear_laundering_column`)."""
        self._vacancy = None

    def _national_ratio(self) -> np.ndarray:
        """[product market] supply over demand summed over the areas (1 where there is no demand)."""
        supply, demand = self.supply[:, :MONEY_LAUNDERING].sum(axis=0), self.demand[:, :MONEY_LAUNDERING].sum(axis=0)
        return np.divide(supply, demand, out=np.ones_like(supply), where=demand > 0)

    def glut(self) -> np.ndarray:
        """[product market] how far national supply is over its starting balance at the last clearing:
        max(0, 1 - s0 / s), s supply over demand summed over the areas, s0 the same at the first clearing.
        0 at the start, towards 1 as a market floods; 0 wherever supply is at or below its start. Summed
        over the country rather than per area: an area's balance swings with every entry, arrest and
        move in it, and a response to its upswings alone would drain markets that are on balance."""
        return np.maximum(0.0, 1.0 - self.start_ratio / np.maximum(self._national_ratio(), 1e-12))

    def vacancy(self) -> np.ndarray:
        """Share of demand left unserved [area, market] (0 where there is no demand). Read-only.

        Demand and served change only in `update_demand`, `clear_cells` (through
        `operations.operate`) and in the laundering column's clearing
        (`operate`'s kernel, then `cleared_laundering`), each of which resets
        this, so the four phases that ask after the clearing share one computation.
        """
        if self._vacancy is None:
            self._vacancy = _vacancy(self.demand, self.served)
            self._vacancy.flags.writeable = False
        return self._vacancy


# ---------------------------------------------------------------- kernels
# Each does, cell by cell, what the numpy expressions it replaced did, with the same operations
# in the same order (so the results are the same to the last bit).


@kernel
def _local_clearing_into(supply, demand, local_served, unmet, surplus):
    """Per cell, written to the last three arrays: demand served by the area's own suppliers,
    demand left unmet, supply left over."""
    for a in range(supply.shape[0]):
        for m in range(supply.shape[1]):
            wanted, offered = demand[a, m], supply[a, m]
            served = minimum(wanted, offered)  # np.minimum(demand, supply)
            local_served[a, m] = served
            unmet[a, m] = wanted - served
            surplus[a, m] = offered - served


@kernel
def _displacement_pull(unmet, reachable, share):
    """Demand served from next door (`share` of the unmet demand, at most what is reachable) and
    the share of the reachable surplus it pulls (0 where nothing is reachable)."""
    inflow = np.empty_like(unmet)
    pull = np.zeros_like(unmet)
    for a in range(unmet.shape[0]):
        for m in range(unmet.shape[1]):
            want, near = unmet[a, m], reachable[a, m]
            inflow[a, m] = share * minimum(want, near)  # np.minimum(unmet, reachable)
            if near > 0:
                pull[a, m] = inflow[a, m] / near
    return inflow, pull


_UNSCALED = np.empty((0, 0))  # `_clear_cells` before any supplier's surplus is scaled down


@kernel
def _clear_cells(demand, supply, local_served, surplus, reachable, drawn, national, share, served_out,
                 sold_share_out, reference_ratio, set_reference, supply_elasticity, national_reference_ratio,
                 inflow, scale):
    """Served demand and sold shares of supply per cell (local markets with displacement, national
    markets pooled, their volume demand x (s / s0) ** `supply_elasticity` with s0 in
    `national_reference_ratio`, written there when `set_reference`), written to the product
    columns of `served_out` and `sold_share_out`; returns
    each cell's starting supply/demand balance over its current one (written first to
    `reference_ratio` when `set_reference`), the base of the price response.

    Neighbours may ask a supplier for more than its surplus (`drawn` > 1). Called with no `scale`
    (an empty array) it then writes nothing and returns an empty balance and the factor
    1 / max(drawn, 1) that scales every supplier's surplus down; the caller works out the inflow
    from the scaled surpluses and calls again with that scale.
    """
    n_areas, n_markets = demand.shape
    n_products = n_markets - 1  # the last column, money laundering, is cleared apart
    scaled = scale.size > 0
    if not scaled:
        over = False
        for a in range(n_areas):
            for m in range(n_markets):
                if drawn[a, m] > 1:
                    over = True
        if over:
            scale = np.empty_like(drawn)
            for a in range(n_areas):
                for m in range(n_markets):
                    scale[a, m] = 1.0 / maximum(drawn[a, m], 1.0)
            return np.empty((0, 0)), scale
    effective_supply = np.empty_like(demand)
    for m in range(n_markets):
        if national[m]:
            # Pooled across the country; victims fall where the demand is.
            total_demand, total_supply = array_sum(demand[:, m]), array_sum(supply[:, m])
            served_share = 0.0
            if total_demand > 0:
                ratio = total_supply / total_demand
                if set_reference:
                    national_reference_ratio[m] = ratio
                start = national_reference_ratio[m]
                served_share = (ratio / start) ** supply_elasticity[m] if start > 0 else 1.0
                if served_share > ratio:  # never more than is supplied
                    served_share = ratio
            total_served = total_demand * served_share
            sold_share = total_served / total_supply if total_supply > 0 else 0.0
            for a in range(n_areas):
                if m < n_products:
                    served_out[a, m] = demand[a, m] * served_share
                    sold_share_out[a, m] = sold_share
                effective_supply[a, m] = total_supply * demand[a, m] / total_demand if total_demand > 0 else 0.0
            continue
        for a in range(n_areas):
            offered = supply[a, m]
            exported = surplus[a, m] * drawn[a, m]
            if scaled:
                exported *= scale[a, m]
            if m < n_products:
                served_out[a, m] = local_served[a, m] + inflow[a, m]
                sold_share_out[a, m] = (local_served[a, m] + exported) / offered if offered > 0 else 0.0
            effective_supply[a, m] = offered + share * reachable[a, m]
    relative = np.empty_like(demand)
    for a in range(n_areas):
        for m in range(n_markets):
            ratio = effective_supply[a, m] / demand[a, m] if demand[a, m] > 0 else 1.0
            if ratio < 1e-6:  # written so that a NaN stays NaN, as in np.maximum
                ratio = 1e-6
            if set_reference:
                reference_ratio[a, m] = ratio
            relative[a, m] = reference_ratio[a, m] / ratio
    return relative, scale


@kernel
def _update_prices(price_index, target, step, low, high):
    """Move each product's price index `step` of the way to its target, bounded to [low, high]."""
    for a in range(price_index.shape[0]):
        for m in range(price_index.shape[1] - 1):  # not money laundering
            bounded = target[a, m]
            if bounded < low:
                bounded = low
            elif bounded > high:
                bounded = high
            price_index[a, m] += step * (bounded - price_index[a, m])


@kernel
def _product_demand(demand, base_demand, demand_multiplier, powered_price, is_drug):
    """Demand for each product (written to `demand`): base demand x multiplier x the price
    response `powered_price` (price index to the demand elasticity) for drugs, 1 for the others."""
    for a in range(demand.shape[0]):
        for m in range(demand.shape[1] - 1):  # not money laundering
            response = powered_price[a, m] if is_drug[m] else 1.0
            demand[a, m] = base_demand[a, m] * demand_multiplier[a, m] * response


@kernel
def _clear_laundering_column(demand, served):
    """No demand or sales left in the money-laundering column."""
    for a in range(demand.shape[0]):
        demand[a, MONEY_LAUNDERING] = 0.0
        served[a, MONEY_LAUNDERING] = 0.0


@kernel
def _vacancy(demand, served):
    """Share of demand left unserved per cell, between 0 and 1 (0 where there is no demand)."""
    vacancy = np.zeros_like(demand)
    for a in range(demand.shape[0]):
        for m in range(demand.shape[1]):
            if demand[a, m] > 0:
                share = (demand[a, m] - served[a, m]) / demand[a, m]
                if share < 0.0:
                    share = 0.0
                elif share > 1.0:
                    share = 1.0
                vacancy[a, m] = share
    return vacancy
