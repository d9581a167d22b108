"""Modifiers: the main channel through which policy levers act on the model's mechanisms.

Every process reads its lever-sensitive inputs from `Modifiers`. A few levers also act
directly on state while active: business disruption (cohesion and reputation of the groups it
targets), financial sanctions (capital frozen) and the enabler levers (enablers removed).
`county_line_opening_multiplier` is a hook no built-in lever sets yet. At the start of each step they
are reset to neutral (multipliers 1, additions 0) and every active lever then applies its
effect, multiplying or adding, so levers compose. With no levers the model is the documented
baseline. A lever changes inputs to mechanisms for its time window and targets; it never scales
outputs (harm, victims, counts).
"""

from __future__ import annotations

import numpy as np

from twin.vocabulary import MARKETS, REACH

N_PRODUCT_MARKETS = len(MARKETS) - 1


class Modifiers:
    """Lever-controlled inputs. Area arrays are indexed by area; unit arrays by tasking unit.

    Attributes:
        demand_multiplier: [area, market] local demand (Build, prevention).
        vulnerability_multiplier: [area] at-risk pool (Build, prevention).
        entry_multiplier: [area] new groups entering vacated markets (Hold).
        violence_multiplier: [area] violence rate (Hold presence).
        trust_change_per_month: [area] added to community trust (Build, Hold; powers without oversight).
        supply_multiplier: [market] supply reaching markets (border powers, fraud data sharing).
        county_line_opening_multiplier: new county lines.
        extra_fte: [unit] investigators added (Clear surge, funding, technology, SOC fund).
        detection_multiplier, intel_multiplier, success_multiplier: [area] mapping, intelligence
            gain, operation success (powers, Hold, Clear).
        success_multiplier_by_reach: [reach] operation success by OCG reach (extra-territorial powers).
        insider_penalty_multiplier: how much corrupt insiders hurt operations (anti-corruption).
        cross_boundary_multiplier: [area] on the extra cost of cross-boundary groups (regional tier, Clear).
        seizure_multiplier: share of capital seized (financial sanctions).
        enabler_removal_multiplier: removal of enablers exposed by operations (enabler targeting).
        desistance_multiplier: members leaving crime (prevention and diversion).
        reoffend_multiplier: return to crime after release (SOC register, prevention orders).
        prison_direction_multiplier: leaders directing from prison (prison restrictions).
        powers_in_use: intensity of new powers in use this step; oversight: an independent
            reviewer is in place. Powers without oversight cost community trust.
    """

    def __init__(self, n_areas: int, n_units: int):
        self.n_areas, self.n_units = n_areas, n_units
        self.reset()

    def reset(self) -> None:
        n = self.n_areas
        self.demand_multiplier = np.ones((n, N_PRODUCT_MARKETS))
        self.vulnerability_multiplier = np.ones(n)
        self.entry_multiplier = np.ones(n)
        self.violence_multiplier = np.ones(n)
        self.trust_change_per_month = np.zeros(n)
        self.supply_multiplier = np.ones(N_PRODUCT_MARKETS)
        self.county_line_opening_multiplier = 1.0
        self.extra_fte = np.zeros(self.n_units)
        self.detection_multiplier = np.ones(n)
        self.intel_multiplier = np.ones(n)
        self.success_multiplier = np.ones(n)
        self.success_multiplier_by_reach = np.ones(len(REACH))
        self.insider_penalty_multiplier = 1.0
        self.cross_boundary_multiplier = np.ones(n)
        self.seizure_multiplier = 1.0
        self.enabler_removal_multiplier = 1.0
        self.desistance_multiplier = 1.0
        self.reoffend_multiplier = 1.0
        self.prison_direction_multiplier = 1.0
        self.extra_prison_places = 0.0
        self.powers_in_use = 0.0
        self.oversight = False
