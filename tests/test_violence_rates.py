"""Violence rates: incidents follow rival pressure up to its cap, homicides split as stated.

`violence._draw_violence` on synthetic groups, against the formulas of docs/ODD.md (section 3.3,
Competition and violence): a group's expected incidents a month are `rate x weight x
min(pressure / reference, cap)` (elasticity 1) times the area's lever multiplier; each incident
is fatal with `p_fatal`, and each fatal incident brings `share / (1 - share)` indirect
homicides on average. Counts are checked against their expectations in standard errors.
"""

from __future__ import annotations

import numpy as np

from twin.violence import _draw_violence

N_GROUPS = 4_000
N_AREAS = 4
CAP = 2.0
RATE = 0.05
P_FATAL = 0.04
INDIRECT_SHARE = 0.3


def _groups():
    rng = np.random.default_rng(11)
    pressure = rng.uniform(0.0, 4.0, N_GROUPS)  # half the groups above the cap (reference 1)
    weight = rng.choice([0.0, 0.5, 1.0], N_GROUPS)  # non-violent, violent, serious violence
    area = rng.integers(0, N_AREAS, N_GROUPS)
    multiplier = np.array([1.0, 1.0, 0.5, 1.0])  # a lever halving violence in area 2
    return pressure, weight, area, multiplier


def _draw(seed, months_per_step=1.0, cap=CAP):
    pressure, weight, area, multiplier = _groups()
    return _draw_violence(np.random.default_rng(seed), pressure, weight, 1.0, cap, np.empty(0), RATE,
                          months_per_step, multiplier, area, N_AREAS, P_FATAL, INDIRECT_SHARE, 1000.0)


def _expected_by_area(cap=CAP):
    pressure, weight, area, multiplier = _groups()
    rate = RATE * weight * np.minimum(pressure, cap) * multiplier[area]
    return np.bincount(area, weights=rate, minlength=N_AREAS)


def test_expected_violence_follows_pressure_up_to_the_cap_and_the_lever():
    expected, harm_per_month, *_ = _draw(1)
    assert np.allclose(expected, _expected_by_area())
    # raising the cap raises expected violence only through the groups above it
    higher = _draw(1, cap=3.0)[0]
    assert np.all(higher > expected) and np.allclose(higher, _expected_by_area(cap=3.0))
    pressure, weight, *_ = _groups()
    # harm is priced on the rate before the area's lever multiplier (the multiplier acts on the draws)
    assert np.allclose(harm_per_month, RATE * weight * np.minimum(pressure, CAP) * 1000.0)


def test_incidents_and_homicides_match_their_expectations():
    reps = 200
    incidents = np.zeros((reps, N_AREAS))
    direct = np.zeros((reps, N_AREAS))
    homicides = np.zeros((reps, N_AREAS))
    for seed in range(reps):
        _, _, incidents[seed], direct[seed], homicides[seed] = _draw(seed + 100)
    mean_incidents = _expected_by_area()
    # Poisson incidents: the mean over replicates within 4 standard errors, area by area
    se = np.sqrt(mean_incidents / reps)
    assert np.all(np.abs(incidents.mean(axis=0) - mean_incidents) < 4 * se)
    # direct homicides: binomial on the incidents drawn
    total_incidents, total_direct = incidents.sum(), direct.sum()
    assert abs(total_direct - P_FATAL * total_incidents) < 4 * np.sqrt(total_incidents * P_FATAL * (1 - P_FATAL))
    # indirect homicides: Poisson with mean direct x share / (1 - share)
    indirect = homicides.sum() - total_direct
    mean_indirect = total_direct * INDIRECT_SHARE / (1 - INDIRECT_SHARE)
    assert abs(indirect - mean_indirect) < 4 * np.sqrt(mean_indirect)


def test_weekly_steps_draw_a_quarter_of_a_month_or_so():
    reps = 200
    monthly = np.array([_draw(seed)[2].sum() for seed in range(reps)])
    weekly = np.array([_draw(seed, months_per_step=12 / 52)[2].sum() for seed in range(reps)])
    expected = _expected_by_area().sum()
    assert abs(monthly.mean() - expected) < 4 * np.sqrt(expected / reps)
    assert abs(weekly.mean() - expected * 12 / 52) < 4 * np.sqrt(expected * 12 / 52 / reps)
