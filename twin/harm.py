"""Harm accounting after the Home Office method for the social and economic cost of organised crime.

Harm is counted per area and step in pounds (2023-24 prices) in six categories: drugs, economic
crime, modern slavery, organised immigration crime, violence, and other (firearms, organised
acquisitive crime). Each category's cost splits into costs in anticipation (security, insurance),
as a consequence (victims' physical, emotional and financial harm, lost output) and in response
(health and criminal-justice response outside the modelled SOC policing budget). The modelled
response (SOC policing, courts, prisons, levers) is counted separately as `response_cost_gbp`;
the courts and prisons in it are criminal justice too, which the Home Office unit costs also
hold (docs/ODD.md, section 4: what that counts twice).
"""

from __future__ import annotations

import numpy as np

from twin.compiled import kernel
from twin.markets import per_market
from twin.parameters import Parameters
from twin.vocabulary import (
    ACQUISITIVE, COCAINE, FIREARMS, FRAUD, HARM_CATEGORIES, HEROIN_CRACK, IMMIGRATION, MARKETS,
    MODERN_SLAVERY,
)

PRICE_YEAR = "2023-24"
DRUGS, ECONOMIC, SLAVERY, IMMIGRATION_HARM, VIOLENCE_HARM, OTHER = range(len(HARM_CATEGORIES))

#: harm category of each market (money laundering has no harm of its own: its harm is the predicate crime)
MARKET_CATEGORY = {HEROIN_CRACK: DRUGS, COCAINE: DRUGS, FRAUD: ECONOMIC, MODERN_SLAVERY: SLAVERY,
                   IMMIGRATION: IMMIGRATION_HARM, FIREARMS: OTHER, ACQUISITIVE: OTHER}


def harm_gbp_per_unit_month(params: Parameters) -> np.ndarray:
    """Harm in pounds per unit served per month, by market (stocks per month, flows per event;
    `markets.MARKET_PARAMETERS`)."""
    return per_market(params, "harm", "harm_months")


class HarmAccounts:
    """Turns served volumes, exploitation and violence into harm by area, category and cost type."""

    def __init__(self, params: Parameters):
        self.unit_per_month = harm_gbp_per_unit_month(params)
        #: harm category of each market (-1: none)
        self.market_category = np.array([MARKET_CATEGORY.get(m, -1) for m in range(len(MARKETS))], dtype=np.int64)
        self.exploited_harm_per_month = params.harm_gbp_per_slavery_victim_year / 12
        self.homicide_gbp = params.harm_gbp_per_homicide
        self.serious_violence_gbp = params.harm_gbp_per_serious_violence
        self.anticipation_share = np.array([params[f"anticipation_share_{c}"] for c in HARM_CATEGORIES])
        self.response_share = np.array([params[f"response_share_{c}"] for c in HARM_CATEGORIES])

    def by_category(self, served_per_month: np.ndarray, exploited_active: np.ndarray,
                    homicides: np.ndarray, serious_violence: np.ndarray, serious_violence_fatal: np.ndarray,
                    months_per_step: float) -> np.ndarray:
        """Harm in pounds this step [area, category].

        Args:
            served_per_month: [area, market] volumes served per month.
            exploited_active: [area] exploited members (victims of criminal exploitation) active.
            homicides, serious_violence, serious_violence_fatal: [area] network-linked homicides,
                serious violence and the serious violence that was fatal this step (an incident
                that ends in a homicide is costed once, as a homicide).
            months_per_step: step length in months.
        """
        harm = np.empty((served_per_month.shape[0], len(HARM_CATEGORIES)))
        _by_category(harm, served_per_month, self.unit_per_month, self.market_category, exploited_active,
                     homicides, serious_violence, serious_violence_fatal, self.exploited_harm_per_month,
                     self.homicide_gbp, self.serious_violence_gbp, months_per_step)
        return harm

    def by_cost_type(self, harm_by_category: np.ndarray) -> np.ndarray:
        """[area, 3] harm in anticipation, as a consequence and in response."""
        # Matrix-vector products stay in numpy (BLAS: their order of additions is its own).
        anticipation = harm_by_category @ self.anticipation_share
        response = harm_by_category @ self.response_share
        by_cost_type = np.empty((harm_by_category.shape[0], 3))
        _by_cost_type(by_cost_type, harm_by_category, anticipation, response)
        return by_cost_type


@kernel
def category_total(harm_gbp, area):
    """Harm of all categories in `area` (row of `harm_gbp` [area, category]), added in category
    order: numpy's sum along a short last axis (at most 8) is sequential from -0.0."""
    total = -0.0
    for category in range(harm_gbp.shape[1]):
        total += harm_gbp[area, category]
    return total


@kernel
def _by_category(harm_gbp, served_per_month, unit_gbp_per_month, market_category, exploited_active, homicides,
                 serious_violence, serious_violence_fatal, exploited_gbp_per_month, homicide_gbp, serious_violence_gbp,
                 months_per_step):
    """`HarmAccounts.by_category` into `harm_gbp` [area, category].

    Volumes times unit harm are added up by category, as the numpy version's product with the
    one-hot [market, category] map did (each market adds its value times 1.0 to its category and
    times 0.0 to the others): a category gets at most two markets (drugs: heroin/crack and cocaine;
    other: firearms and acquisitive), so the sum is the same in any order.
    Then the step's length, exploitation (slavery) and violence.
    """
    for area in range(harm_gbp.shape[0]):
        for category in range(harm_gbp.shape[1]):
            harm_gbp[area, category] = 0.0
        for market in range(market_category.size):
            value = served_per_month[area, market] * unit_gbp_per_month[market]
            for category in range(harm_gbp.shape[1]):
                # x * 1.0 for its category, x * 0.0 for the others, as in the matrix product
                harm_gbp[area, category] += value * (1.0 if market_category[market] == category else 0.0)
        for category in range(harm_gbp.shape[1]):
            harm_gbp[area, category] *= months_per_step
        harm_gbp[area, SLAVERY] += exploited_active[area] * exploited_gbp_per_month * months_per_step
        serious_incidents = serious_violence[area] - serious_violence_fatal[area]
        harm_gbp[area, VIOLENCE_HARM] += homicides[area] * homicide_gbp + serious_incidents * serious_violence_gbp


@kernel
def _by_cost_type(by_cost_type, harm_gbp, anticipation, response):
    """[area, 3] anticipation, consequence (the rest of the total) and response."""
    for area in range(harm_gbp.shape[0]):
        by_cost_type[area, 0] = anticipation[area]
        by_cost_type[area, 1] = category_total(harm_gbp, area) - anticipation[area] - response[area]
        by_cost_type[area, 2] = response[area]
