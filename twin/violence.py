"""Competition and violence between OCGs.

Each violent OCG commits serious violence at a base rate that rises with the pressure of rival
supply where it sells (rivals' supply over demand in each of its supply entries, county-line
destinations included, relative to the start). Some serious
incidents end in a homicide (`homicide_per_serious_violence`); indirectly linked homicides are
added in the proportion source 004 reports for London (8% indirect against 25% direct).
Succession disputes add their own incidents (see `succession.py`).

The work is one compiled kernel (`compiled.py`), `_violence_step`: rival pressure and each group's
weight (`_pressure_and_weight`), then rates, draws from the violence stream (passed as a handle,
`compiled.generator_argument`) and the sums by area, added to the step's tally (`_draw_violence`).
The first call, which sets the reference pressure, and an elasticity other than 1 (its power taken in
numpy) take the pressure from `_pressure_and_weight` first, and the kernel uses it as it is.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import NOT_GIVEN, as_generator, generator_argument, kernel
from twin.shared_kernels import add_to_tally
from twin.streams import poissons
from twin.vocabulary import SERIOUS_VIOLENCE, SOME_VIOLENCE



def homicides_per_incident(params) -> float:
    """Homicides an incident of the groups' violence brings on average: the direct ones
    (`homicide_per_serious_violence`) and the indirect ones drawn with them, in the share
    `indirect_homicide_share` of all (none when it is 1 or more, as `_draw_violence` draws them)."""
    p_fatal, share = params.homicide_per_serious_violence, params.indirect_homicide_share
    return p_fatal / (1.0 - share) if share < 1 else p_fatal


def violence(model) -> None:
    """Draw serious violence and homicides for this step and record them by area."""
    ocgs, params, tally = model.ocgs, model.params, model.tally
    owner, _, _, amount = model.supply_entries
    group_inputs = (owner, model.supply_cells, amount, model.markets.supply, model.markets.demand,
                    model.markets.national, ocgs.violence, params.violence_rate_multiplier_some, ocgs.active,
                    model.ocg_capacity)
    # Capped: a handful of groups crowded into a tiny market should not dominate national violence.
    elasticity = params.competition_violence_elasticity
    # Elasticity 1 after the first call: the kernel finds the pressure and caps the relative pressure
    # itself (x ** 1 is x).
    pressure = weight = factor = NOT_GIVEN
    if model.violence_reference_pressure is None or elasticity != 1.0:
        pressure, weight = _pressure_and_weight(*group_inputs)
        if model.violence_reference_pressure is None:
            violent = weight > 0
            model.violence_reference_pressure = max(float(pressure[violent].mean()) if violent.any() else 1.0, 1e-6)
        if elasticity != 1.0:  # numpy's power (its SIMD code can differ from libm's in the last bit)
            capped = np.minimum(pressure / model.violence_reference_pressure, params.violence_pressure_cap_ratio)
            factor = capped ** elasticity
    # Expected harm per incident: non-fatal incidents at the serious-violence cost; homicides
    # (direct, and the indirect ones that come with them) at the homicide cost.
    p_fatal, share = params.homicide_per_serious_violence, params.indirect_homicide_share
    harm_gbp_per_rate = ((1.0 - p_fatal) * params.harm_gbp_per_serious_violence
                         + homicides_per_incident(params) * params.harm_gbp_per_homicide)
    # homicides_direct: the fatal incidents, costed as homicides, not twice as serious violence too
    rows = (tally.row("serious_violence"), tally.row("homicides_direct"), tally.row("homicides"))
    model.expected_violence_per_month, model.ocg_violence_harm_per_month = _violence_step(
        *group_inputs, pressure, weight, model.violence_reference_pressure, params.violence_pressure_cap_ratio, factor,
        params.serious_violence_rate_per_month, model.months_per_step, model.modifiers.violence_multiplier,
        ocgs.area, p_fatal, share, harm_gbp_per_rate, tally.values, rows, generator_argument(model.streams["violence"]))


@kernel
def _violence_step(owner, cells, amount, supply, demand, national, violence_level, weight_some, active, capacity,
                   given_pressure, given_weight, reference_pressure, max_relative, factor, rate_per_month,
                   months_per_step, violence_multiplier, area, p_fatal, indirect_share, harm_gbp_per_rate, tally,
                   tally_rows, rng_handle):
    """The violence phase: `_pressure_and_weight` (unless the caller found them: `given_pressure`
    and `given_weight`, empty when not), then `_draw_violence` drawing from the stream of
    `rng_handle`. Adds the incidents, direct homicides and all homicides by area to the tally rows
    `tally_rows` (in that order). Returns per-month expected violence by area and each OCG's harm
    per month of violence."""
    pressure, weight = given_pressure, given_weight
    if given_weight.size == 0:
        pressure, weight = _pressure_and_weight(owner, cells, amount, supply, demand, national, violence_level,
                                                weight_some, active, capacity)
    expected_by_area, harm_per_month, incidents, direct, homicides = _draw_violence(
        as_generator(rng_handle), pressure, weight, reference_pressure, max_relative, factor, rate_per_month,
        months_per_step, violence_multiplier, area, tally.shape[1], p_fatal, indirect_share, harm_gbp_per_rate)
    add_to_tally(tally, tally_rows[0], incidents)
    add_to_tally(tally, tally_rows[1], direct)
    add_to_tally(tally, tally_rows[2], homicides)
    return expected_by_area, harm_per_month


@kernel
def _pressure_and_weight(owner, cells, amount, supply, demand, national, violence_level, weight_some, active,
                         capacity):
    """Each OCG's rival pressure (rivals' supply over demand where it sells, averaged over its
    supply entries) and its violence weight (1 for serious violence, `weight_some` for some, 0 for
    none; zero unless it is active with some capacity). `cells` are the entries' flat [area,
    market] cells.

    Supply and demand of a national market are its sums over areas, in area order (as numpy's
    `sum(axis=0)` adds the rows of a C-ordered table). Each OCG's entries are summed in entry
    order, as `np.bincount` does.
    """
    n_areas, n_markets = supply.shape
    n_ocgs = violence_level.size
    weight_by_level = np.zeros(max(SERIOUS_VIOLENCE, SOME_VIOLENCE) + 1)
    weight_by_level[SERIOUS_VIOLENCE] = 1.0
    weight_by_level[SOME_VIOLENCE] = weight_some
    supply_seen = np.empty(n_areas * n_markets)
    inverse_demand = np.empty(n_areas * n_markets)  # once per cell, not once per entry
    for m in range(n_markets):
        supply_total, demand_total = 0.0, 0.0
        if national[m]:
            for a in range(n_areas):
                supply_total += supply[a, m]
                demand_total += demand[a, m]
        for a in range(n_areas):
            supply_cell = supply_total if national[m] else supply[a, m]
            demand_cell = demand_total if national[m] else demand[a, m]
            supply_seen[a * n_markets + m] = supply_cell
            inverse_demand[a * n_markets + m] = 1.0 / demand_cell if demand_cell > 0 else 0.0
    rivals_total = np.zeros(n_ocgs)
    entries = np.zeros(n_ocgs, dtype=np.int64)
    for e in range(owner.size):
        rivals_supply = supply_seen[cells[e]] - amount[e]
        if rivals_supply < 0.0:  # np.maximum(x, 0.0): NaN and -0.0 pass through
            rivals_supply = 0.0
        rivals_total[owner[e]] += rivals_supply * inverse_demand[cells[e]]
        entries[owner[e]] += 1
    pressure = np.empty(n_ocgs)
    weight = np.empty(n_ocgs)
    for g in range(n_ocgs):
        pressure[g] = rivals_total[g] / max(entries[g], 1)
        operating = 1.0 if active[g] and capacity[g] > 0 else 0.0
        weight[g] = weight_by_level[violence_level[g]] * operating
    return pressure, weight


@kernel
def _draw_violence(rng, pressure, weight, reference_pressure, max_relative, factor, rate_per_month,
                   months_per_step, violence_multiplier, area, n_areas, p_fatal, indirect_share,
                   harm_gbp_per_rate):
    """Rates, expected violence by area, and this step's incidents and homicides.

    `factor` is `relative ** elasticity` computed by numpy, or empty when the elasticity is 1
    (x ** 1 is x). Draws in numpy's order for the array calls: a Poisson draw of incidents for
    each group with a positive expectation, then a binomial draw of direct homicides for each
    of them with incidents, then a Poisson draw of indirect homicides for each of those with
    direct ones (no draw where numpy would draw from a zero mean or zero trials: it consumes none).
    Returns per-month expected violence by area, each OCG's harm per month of violence, and the
    incidents, direct homicides and all homicides by area (whole numbers: any order sums exactly).
    """
    n = pressure.size
    expected_by_area = np.zeros(n_areas)
    harm_per_month = np.empty(n)
    violent = np.empty(n, dtype=np.int64)  # groups with a positive expectation, and their means
    expected = np.empty(n)
    n_violent = 0
    for g in range(n):
        if factor.size == 0:
            relative = pressure[g] / reference_pressure
            grow = relative if relative <= max_relative or relative != relative else max_relative
        else:
            grow = factor[g]
        rate = rate_per_month * weight[g] * grow
        multiplier = violence_multiplier[area[g]]
        expected_by_area[area[g]] += rate * multiplier
        harm_per_month[g] = rate * harm_gbp_per_rate
        expected_per_step = rate * months_per_step * multiplier  # parameters.per_step_rate, then the modifier
        if expected_per_step > 0:
            violent[n_violent] = g
            expected[n_violent] = expected_per_step
            n_violent += 1
    # numba's `Generator.binomial` makes numpy's draws (tests/test_violence_draws.py); its Poisson
    # does not for large means, hence `poissons`.
    incidents = poissons(rng, expected[:n_violent])
    direct = np.zeros(n_violent, dtype=np.int64)
    n_killing = 0
    for k in range(n_violent):
        if incidents[k] > 0:
            direct[k] = rng.binomial(incidents[k], p_fatal)
            n_killing += direct[k] > 0 and indirect_share < 1
    incidents_by_area = np.zeros(n_areas)
    direct_by_area = np.zeros(n_areas)
    homicides_by_area = np.zeros(n_areas)
    indirect_mean = np.empty(n_killing)
    killing = np.empty(n_killing, dtype=np.int64)
    j = 0
    for k in range(n_violent):
        a = area[violent[k]]
        incidents_by_area[a] += incidents[k]
        direct_by_area[a] += direct[k]
        homicides_by_area[a] += direct[k]
        if direct[k] > 0 and indirect_share < 1:
            killing[j] = a
            indirect_mean[j] = direct[k] * indirect_share / (1.0 - indirect_share)
            j += 1
    indirect = poissons(rng, indirect_mean)  # none when indirect_share is 1 or more
    for j in range(n_killing):
        homicides_by_area[killing[j]] += indirect[j]
    return expected_by_area, harm_per_month, incidents_by_area, direct_by_area, homicides_by_area
