"""Modifiers: the one channel through which policy levers act on the model's mechanisms.

Every process reads its lever-sensitive inputs from `Modifiers`; with no levers all are neutral
(multipliers 1, extras 0), and the baseline is the model as documented. A lever changes a
modifier for its time window and targets; it never scales outputs (harm, victims, counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twin.vocabulary import MARKETS, TIERS


@dataclass
class Modifiers:
    """Lever-controlled inputs. Area arrays are indexed by area; unit arrays by tasking unit."""

    n_areas: int
    n_units: int
    # markets and communities
    demand_multiplier: np.ndarray = field(init=False)  # [area, market] local demand (Build, prevention)
    vulnerability_multiplier: np.ndarray = field(init=False)  # [area] at-risk pool (Build, prevention)
    entry_multiplier: np.ndarray = field(init=False)  # [area] new groups entering vacated markets (Hold)
    violence_multiplier: np.ndarray = field(init=False)  # [area] violence rate (Hold presence)
    trust_change_per_month: np.ndarray = field(init=False)  # [area] added to community trust (Build, oversight)
    county_line_opening_multiplier: float = 1.0
    # policing
    budget_multiplier: np.ndarray = field(init=False)  # [tier] SOC budget by tier (funding)
    extra_fte: np.ndarray = field(init=False)  # [unit] surge investigators (Clear)
    detection_multiplier: np.ndarray = field(init=False)  # [area] mapping of unknown groups
    intel_multiplier: np.ndarray = field(init=False)  # [area] intelligence gain
    success_multiplier: np.ndarray = field(init=False)  # [area] operation success
    cross_boundary_multiplier: float = 1.0  # on the force cost of cross-boundary groups (UK-wide tier)
    seizure_multiplier: float = 1.0  # share of capital seized (financial sanctions)
    # justice
    reoffend_multiplier: float = 1.0  # return to crime after release (SOC register, prevention orders)
    prison_direction_multiplier: float = 1.0  # leaders directing from prison (prison restrictions)
    prison_places_multiplier: float = 1.0

    def __post_init__(self) -> None:
        self.demand_multiplier = np.ones((self.n_areas, len(MARKETS) - 1))
        self.vulnerability_multiplier = np.ones(self.n_areas)
        self.entry_multiplier = np.ones(self.n_areas)
        self.violence_multiplier = np.ones(self.n_areas)
        self.trust_change_per_month = np.zeros(self.n_areas)
        self.budget_multiplier = np.ones(len(TIERS))
        self.extra_fte = np.zeros(self.n_units)
        self.detection_multiplier = np.ones(self.n_areas)
        self.intel_multiplier = np.ones(self.n_areas)
        self.success_multiplier = np.ones(self.n_areas)
