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
        entry_multiplier: [area] groups from outside taking up the area's markets: new groups entering,
            and the area's weight as a destination of relocating groups and new county lines (Hold).
        violence_multiplier: [area] violence rate (Hold presence).
        trust_change_per_month: [area] added to community trust (Build, Hold; powers without oversight).
        supply_multiplier: [market] supply reaching markets (border powers, fraud data sharing).
        county_line_opening_multiplier: new county lines.
        extra_fte: [unit] investigators added (Clear surge, funding, SOC fund).
        detection_multiplier, intel_multiplier, success_multiplier: [area] mapping, intelligence
            gain, operation success (powers, Hold, Clear).
        success_multiplier_by_reach: [reach] operation success by OCG reach (extra-territorial powers).
        insider_penalty_multiplier: how much corrupt insiders hurt operations (anti-corruption).
        cross_boundary_multiplier: [area] on the extra cost of cross-boundary groups (regional tier, Clear).
        seizure_multiplier: share of capital seized (financial sanctions).
        enabler_removal_multiplier: removal of enablers exposed by operations (enabler targeting).
        desistance_multiplier: [area] members leaving crime (prevention and diversion).
        reoffend_multiplier: return to crime after release (SOC register, prevention orders).
        prison_direction_multiplier: leaders directing from prison (prison restrictions).
        extra_prison_places: SOC prison places added to `soc_prison_places` (prison places).
        extra_court_trials_per_month: cases a month added to the courts' capacity (court capacity).
        group_detection_multiplier: [OCG row] mapping chance by group (fraud data sharing maps fraud
            groups), None when no lever sets one.
        investigators_hired_fte: [unit] investigators hired this step by the levers applied so far
            (funding, SOC fund), who share one hiring cap; None before the first.
        group_priority: [OCG row] weight on a group's tasking score (None: every group 1), set by
            levers with a group selection (`prioritise`): tasking works weighted groups first.
        powers_in_use: intensity of new powers in use this step; oversight: the share of the
            trust those powers cost that an independent reviewer spares (0 to 1: the oversight
            levers' intensities, at most 1). Powers without oversight cost community trust.
    """

    def __init__(self, n_areas: int, n_units: int):
        self.n_areas, self.n_units = n_areas, n_units
        n = n_areas
        # The array modifiers' neutral values end to end in one array: `reset` copies it (one call)
        # and hands out slices of the copy, so every step starts with fresh arrays as before.
        layout = (("demand_multiplier", (n, N_PRODUCT_MARKETS), 1.0), ("vulnerability_multiplier", (n,), 1.0),
                  ("entry_multiplier", (n,), 1.0), ("violence_multiplier", (n,), 1.0),
                  ("trust_change_per_month", (n,), 0.0), ("supply_multiplier", (N_PRODUCT_MARKETS,), 1.0),
                  ("extra_fte", (n_units,), 0.0), ("detection_multiplier", (n,), 1.0),
                  ("intel_multiplier", (n,), 1.0), ("success_multiplier", (n,), 1.0),
                  ("success_multiplier_by_reach", (len(REACH),), 1.0), ("cross_boundary_multiplier", (n,), 1.0),
                  ("desistance_multiplier", (n,), 1.0))
        self._slices, parts, start = [], [], 0
        for name, shape, neutral in layout:
            size = int(np.prod(shape))
            self._slices.append((name, slice(start, start + size), shape if len(shape) > 1 else None))
            parts.append(np.full(size, neutral))
            start += size
        self._neutral = np.concatenate(parts)
        self.reset()

    def reset(self) -> None:
        d = self.__dict__
        block = self._neutral.copy()
        for name, rows, shape in self._slices:
            d[name] = block[rows] if shape is None else block[rows].reshape(shape)
        d["county_line_opening_multiplier"] = 1.0
        d["insider_penalty_multiplier"] = 1.0
        d["seizure_multiplier"] = 1.0
        d["enabler_removal_multiplier"] = 1.0
        d["reoffend_multiplier"] = 1.0
        d["prison_direction_multiplier"] = 1.0
        d["extra_prison_places"] = 0.0
        d["extra_court_trials_per_month"] = 0.0
        d["powers_in_use"] = 0.0
        d["group_priority"] = None
        d["oversight"] = 0.0
        d["investigators_hired_fte"] = None
        d["group_detection_multiplier"] = None

    def prioritise(self, rows: np.ndarray, weight: float) -> None:
        """Multiply the tasking weight of the groups `rows` (bool over the OCG rows) by `weight`."""
        if self.group_priority is None:
            self.group_priority = np.ones(rows.size)
        self.group_priority[rows] *= weight
