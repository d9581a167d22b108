"""Harm accounting after the Home Office method for the social and economic cost of organised crime.

Harm is counted per area and step in pounds (2023-24 prices) in six categories: drugs, economic
crime, modern slavery, organised immigration crime, violence, and other (firearms, organised
acquisitive crime). Each category's cost splits into costs in anticipation (security, insurance),
as a consequence (victims' physical, emotional and financial harm, lost output) and in response
(health and criminal-justice response outside the modelled SOC policing budget). The modelled
response (SOC policing, courts, prisons, levers) is counted separately as `response_cost_gbp`.
"""

from __future__ import annotations

import numpy as np

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
    """Harm in pounds per unit served per month, by market (stocks per month, flows per event)."""
    unit = np.zeros(len(MARKETS))
    unit[HEROIN_CRACK] = params.harm_gbp_per_heroin_crack_user_year / 12
    unit[COCAINE] = params.harm_gbp_per_cocaine_user_year / 12
    unit[FRAUD] = params.harm_gbp_per_fraud_offence
    unit[MODERN_SLAVERY] = params.harm_gbp_per_slavery_victim_year / 12
    unit[IMMIGRATION] = params.harm_gbp_per_immigration_arrival
    unit[FIREARMS] = params.harm_gbp_per_firearm
    unit[ACQUISITIVE] = params.harm_gbp_per_acquisitive_offence
    return unit


def category_matrix() -> np.ndarray:
    """[market, category] one-hot map from markets to harm categories."""
    matrix = np.zeros((len(MARKETS), len(HARM_CATEGORIES)))
    for market, category in MARKET_CATEGORY.items():
        matrix[market, category] = 1.0
    return matrix


class HarmAccounts:
    """Turns served volumes, exploitation and violence into harm by area, category and cost type."""

    def __init__(self, params: Parameters):
        self.unit_per_month = harm_gbp_per_unit_month(params)
        self.to_category = category_matrix()
        self.exploited_harm_per_month = params.harm_gbp_per_slavery_victim_year / 12
        self.homicide_gbp = params.harm_gbp_per_homicide
        self.serious_violence_gbp = params.harm_gbp_per_serious_violence
        self.anticipation_share = np.array([params[f"anticipation_share_{c}"] for c in HARM_CATEGORIES])
        self.response_share = np.array([params[f"response_share_{c}"] for c in HARM_CATEGORIES])

    def by_category(self, served_per_month: np.ndarray, exploited_active: np.ndarray,
                    homicides: np.ndarray, serious_incidents: np.ndarray, months_per_step: float) -> np.ndarray:
        """Harm in pounds this step [area, category].

        Args:
            served_per_month: [area, market] volumes served per month.
            exploited_active: [area] exploited members (victims of criminal exploitation) active.
            homicides, serious_incidents: [area] network-linked homicides and non-fatal serious
                violence this step (an incident that ends in a homicide is costed once, as a homicide).
            months_per_step: step length in months.
        """
        harm = (served_per_month * self.unit_per_month[None, :]) @ self.to_category * months_per_step
        harm[:, SLAVERY] += exploited_active * self.exploited_harm_per_month * months_per_step
        harm[:, VIOLENCE_HARM] += homicides * self.homicide_gbp + serious_incidents * self.serious_violence_gbp
        return harm

    def by_cost_type(self, harm_by_category: np.ndarray) -> np.ndarray:
        """[area, 3] harm in anticipation, as a consequence and in response."""
        anticipation = harm_by_category @ self.anticipation_share
        response = harm_by_category @ self.response_share
        consequence = harm_by_category.sum(axis=1) - anticipation - response
        return np.stack([anticipation, consequence, response], axis=1)
