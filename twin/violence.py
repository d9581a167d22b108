"""Competition and violence between OCGs.

Each violent OCG commits serious violence at a base rate that rises with the pressure of rival
supply in its home markets (rivals' supply over demand, relative to the start). Some serious
incidents end in a homicide (`homicide_per_serious_violence`); indirectly linked homicides are
added in the proportion seed 004 reports for London (8% indirect against 25% direct).
Succession disputes add their own incidents (see `succession.py`).
"""

from __future__ import annotations

import numpy as np

from twin.parameters import per_step_rate
from twin.vocabulary import SERIOUS_VIOLENCE, SOME_VIOLENCE

MAX_RELATIVE_PRESSURE = 3.0  # assumption


def rival_pressure(model) -> np.ndarray:
    """Rivals' supply over demand where each OCG sells, averaged over its supply entries."""
    owner, _, _, amount = model.supply_entries
    markets = model.markets
    # National markets (fraud, immigration) compete across the country, local ones in the area.
    supply = np.where(markets.national[None, :], markets.supply.sum(axis=0), markets.supply)
    demand = np.where(markets.national[None, :], markets.demand.sum(axis=0), markets.demand)
    cells = model.supply_cells  # [area, market] of each entry, flat (see operations.operate)
    inverse_demand = np.divide(1.0, demand, out=np.zeros_like(demand), where=demand > 0).take(cells)
    rivals = np.maximum(supply.take(cells) - amount, 0.0) * inverse_demand
    n = model.ocgs.n
    total = np.bincount(owner, weights=rivals, minlength=n)
    return total / np.maximum(np.bincount(owner, minlength=n), 1)


def violence(model) -> None:
    """Draw serious violence and homicides for this step and record them by area."""
    ocgs, params, rng = model.ocgs, model.params, model.streams["violence"]
    by_level = np.zeros(max(SERIOUS_VIOLENCE, SOME_VIOLENCE) + 1)  # a lookup: 5 times faster than masks
    by_level[SERIOUS_VIOLENCE] = 1.0
    by_level[SOME_VIOLENCE] = params.violence_rate_multiplier_some
    weight = by_level.take(ocgs.violence)
    weight *= ocgs.active & (model.ocg_capacity > 0)
    pressure = rival_pressure(model)
    if model.violence_reference_pressure is None:
        violent = weight > 0
        model.violence_reference_pressure = max(float(pressure[violent].mean()) if violent.any() else 1.0, 1e-6)
    # Capped: a handful of groups crowded into a tiny market should not dominate national violence.
    relative = np.minimum(pressure / model.violence_reference_pressure, MAX_RELATIVE_PRESSURE)
    rate = params.serious_violence_rate_per_month * weight * relative ** params.competition_violence_elasticity
    monthly = rate * model.modifiers.violence_multiplier[ocgs.area]
    model.expected_violence_per_month = np.bincount(ocgs.area, weights=monthly, minlength=model.geography.n_areas)
    expected = per_step_rate(rate, model.months_per_step) * model.modifiers.violence_multiplier[ocgs.area]
    # Draws only where they can be non-zero: numpy's Poisson and binomial consume no random
    # numbers for a zero mean or zero trials, so the results are those of drawing for every group.
    incidents = np.zeros(ocgs.n, dtype=np.int64)
    violent = (expected > 0).nonzero()[0]
    incidents[violent] = rng.poisson(expected[violent])
    direct = np.zeros(ocgs.n, dtype=np.int64)
    involved = violent[incidents[violent] > 0]
    direct[involved] = rng.binomial(incidents[involved], params.homicide_per_serious_violence)
    share = params.indirect_homicide_share
    indirect = np.zeros(ocgs.n, dtype=np.int64)
    if share < 1:
        killed = involved[direct[involved] > 0]
        indirect[killed] = rng.poisson(direct[killed] * share / (1.0 - share))
    # Expected harm per incident: non-fatal incidents at the serious-violence cost; homicides
    # (direct, and the indirect ones that come with them) at the homicide cost.
    p_fatal = params.homicide_per_serious_violence
    homicides_per_incident = p_fatal / (1.0 - share) if share < 1 else p_fatal
    model.ocg_violence_harm_per_month = rate * ((1.0 - p_fatal) * params.harm_gbp_per_serious_violence
                                                + homicides_per_incident * params.harm_gbp_per_homicide)
    model.tally.add("serious_violence", ocgs.area, incidents)
    model.tally.add("serious_violence_fatal", ocgs.area, direct)  # costed as homicides, not twice
    model.tally.add("homicides", ocgs.area, direct + indirect)
