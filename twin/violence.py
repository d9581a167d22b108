"""Competition and violence between OCGs.

Each violent OCG commits serious violence at a base rate that rises with the pressure of rival
supply in its home markets (rivals' supply over demand, relative to the start). Some serious
incidents end in a homicide (`homicide_per_serious_violence`); indirectly linked homicides are
added in the proportion seed 004 reports for London (8% indirect against 25% direct).
Succession disputes add their own incidents (see `succession.py`).

The work is two compiled kernels (`compiled.py`): rival pressure and each group's weight, then
rates, draws and the sums by area.
"""

from __future__ import annotations

import math

import numpy as np

from twin.compiled import kernel
from twin.vocabulary import SERIOUS_VIOLENCE, SOME_VIOLENCE

MAX_RELATIVE_PRESSURE = 3.0  # assumption


@kernel
def _pressure_and_weight(owner, cells, amount, supply, demand, national, n_ocgs, violence_level, weight_by_level,
                         active, capacity):
    """Each OCG's rival pressure (rivals' supply over demand where it sells, averaged over its
    supply entries) and its violence weight (the weight of its violence level, zero unless it is
    active with some capacity). `cells` are the entries' flat [area, market] cells.

    Supply and demand of a national market are its sums over areas, in area order (as numpy's
    `sum(axis=0)` adds the rows of a C-ordered table). Each OCG's entries are summed in entry
    order, as `np.bincount` does.
    """
    n_areas, n_markets = supply.shape
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


#: numpy's largest Poisson mean (`poisson_lam_max`: the int64 range less 10 standard deviations)
POISSON_MEAN_MAX = float(np.iinfo(np.int64).max - np.sqrt(np.iinfo(np.int64).max) * 10)


@kernel
def poissons(rng, means):
    """`rng.poisson(means)`: numpy's algorithms (numpy/random/src/distributions), the same counts
    from the same draws. (numba's own `Generator.poisson` differs from numpy's for means of 10
    or more: it truncates where numpy floors.) One call for all the means: a call per draw
    that passes the generator costs more than the draw.

    Below a mean of 10 numpy counts uniforms until their running product falls to exp(-mean),
    one uniform for a zero; a zero mean draws nothing. Since exp(-x) >= 1 - x, a first uniform
    clearly below 1 - mean (by far more than exp's rounding error) is a zero without computing
    exp, which is most of the cost when means are small; otherwise exp(-mean) is the C
    library's, as numpy's is.
    """
    counts = np.zeros(means.size, dtype=np.int64)
    for i in range(means.size):
        mean = means[i]
        if not 0.0 <= mean <= POISSON_MEAN_MAX:  # numpy raises on these too (NaN fails the test)
            raise ValueError("Poisson mean negative, not a number or too large")
        if mean >= 10.0:
            counts[i] = _poisson_ptrs(rng, mean)
            continue
        if mean == 0.0:
            continue
        product = rng.random()
        if product <= (1.0 - mean) - 1e-9:
            continue
        limit = math.exp(-mean)
        count = 0
        while product > limit:
            count += 1
            product *= rng.random()
        counts[i] = count
    return counts


@kernel
def _poisson_ptrs(rng, mean):
    """numpy's `random_poisson_ptrs` (Hoermann's transformed rejection), for means of 10 or more."""
    slam = math.sqrt(mean)
    loglam = math.log(mean)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = rng.random() - 0.5
        v = rng.random()
        us = 0.5 - abs(u)
        k = np.int64(math.floor((2 * a / us + b) * u + mean + 0.43))
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        # C's log(0.0) is -inf (Python's math.log would raise): `_log`
        if (_log(v) + math.log(invalpha) - math.log(a / (us * us) + b)) <= (-mean + k * loglam - _loggam(k + 1.0)):
            return k


@kernel
def _log(x):
    """log(x), -inf at 0 (as C's log)."""
    return math.log(x) if x > 0 else -np.inf


@kernel
def _loggam(x):
    """numpy's `random_loggam`, expression for expression: log-gamma (SPECFUN, Zhang and Jin)."""
    coefficients = (8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04,
                    -5.952380952380952e-04, 8.417508417508418e-04, -1.917526917526918e-03,
                    6.410256410256410e-03, -2.955065359477124e-02, 1.796443723688307e-01,
                    -1.39243221690590e+00)
    if x == 1.0 or x == 2.0:
        return 0.0
    n = np.int64(7 - x) if x < 7.0 else 0
    x0 = x + n
    x2 = (1.0 / x0) * (1.0 / x0)
    log_2pi = 1.8378770664093453e+00
    gl0 = coefficients[9]
    for k in range(8, -1, -1):
        gl0 *= x2
        gl0 += coefficients[k]
    gl = gl0 / x0 + 0.5 * log_2pi + (x0 - 0.5) * math.log(x0) - x0
    if x < 7.0:
        for _ in range(n):
            gl -= math.log(x0 - 1.0)
            x0 -= 1.0
    return gl


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


def _weight_by_level(params) -> np.ndarray:
    by_level = np.zeros(max(SERIOUS_VIOLENCE, SOME_VIOLENCE) + 1)
    by_level[SERIOUS_VIOLENCE] = 1.0
    by_level[SOME_VIOLENCE] = params.violence_rate_multiplier_some
    return by_level


def _pressure_and_weights(model) -> tuple[np.ndarray, np.ndarray]:
    ocgs, markets = model.ocgs, model.markets
    owner, _, _, amount = model.supply_entries
    return _pressure_and_weight(owner, model.supply_cells, amount, markets.supply, markets.demand, markets.national,
                                ocgs.n, ocgs.violence, _weight_by_level(model.params), ocgs.active,
                                model.ocg_capacity)


def violence(model) -> None:
    """Draw serious violence and homicides for this step and record them by area."""
    ocgs, params = model.ocgs, model.params
    pressure, weight = _pressure_and_weights(model)
    if model.violence_reference_pressure is None:
        violent = weight > 0
        model.violence_reference_pressure = max(float(pressure[violent].mean()) if violent.any() else 1.0, 1e-6)
    # Capped: a handful of groups crowded into a tiny market should not dominate national violence.
    elasticity = params.competition_violence_elasticity
    if elasticity == 1.0:
        factor = np.empty(0)
    else:  # numpy's power (its SIMD code can differ from libm's in the last bit)
        factor = np.minimum(pressure / model.violence_reference_pressure, MAX_RELATIVE_PRESSURE) ** elasticity
    # Expected harm per incident: non-fatal incidents at the serious-violence cost; homicides
    # (direct, and the indirect ones that come with them) at the homicide cost.
    p_fatal, share = params.homicide_per_serious_violence, params.indirect_homicide_share
    homicides_per_incident = p_fatal / (1.0 - share) if share < 1 else p_fatal
    harm_gbp_per_rate = ((1.0 - p_fatal) * params.harm_gbp_per_serious_violence
                         + homicides_per_incident * params.harm_gbp_per_homicide)
    expected_by_area, harm, incidents, direct, homicides = _draw_violence(
        model.streams["violence"], pressure, weight, model.violence_reference_pressure, MAX_RELATIVE_PRESSURE,
        factor, params.serious_violence_rate_per_month, model.months_per_step,
        model.modifiers.violence_multiplier, ocgs.area, model.geography.n_areas, p_fatal, share, harm_gbp_per_rate)
    model.expected_violence_per_month = expected_by_area
    model.ocg_violence_harm_per_month = harm
    model.tally.add_by_area("serious_violence", incidents)
    model.tally.add_by_area("serious_violence_fatal", direct)  # costed as homicides, not twice
    model.tally.add_by_area("homicides", homicides)
