"""Communities: vulnerability (the at-risk pool) and community trust per area.

Trust is people's willingness to report and give evidence (source 004 s.5). It falls with
network-linked homicides, rises a little with visible disruptions, falls while powers are used
without an independent reviewer (`powers_trust_loss_per_month`), and returns towards its
starting level. Trust scales the mapping of unknown groups, the success of operations (witnesses)
and the share of fraud that is reported.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import kernel
from twin.parameters import per_step_probability


def initial_vulnerability(geography, params) -> np.ndarray:
    """Each area's at-risk pool per head, relative: `exporter_vulnerability_multiplier` in the
    county-lines exporter areas and 1 elsewhere, or the areas file's `vulnerability_index`
    rescaled to the same population-weighted mean as that rule gives on the same areas (only the
    index's ratios between areas count, so the calibrated UK totals hold)."""
    by_flag = np.where(geography.exporter, params.exporter_vulnerability_multiplier, 1.0)
    index = geography.vulnerability_index
    if index is None:
        return by_flag
    population = geography.population
    return index * (float(population @ by_flag) / float(population @ index))


def initial_trust(geography, params) -> np.ndarray:
    """Community trust at the start: the parameters by exporter flag, or the areas file's `community_trust`."""
    if geography.community_trust is not None:
        return geography.community_trust.astype(float)
    return np.where(geography.exporter, params.community_trust_initial_exporter, params.community_trust_initial)


def powers_trust_loss_per_month(powers_in_use: float, params) -> float:
    """Trust lost each month while `powers_in_use` (summed intensities) are used without oversight:
    `trust_loss_per_month_powers_without_oversight` x (1 - exp(-powers / `trust_loss_powers_scale`)).
    It saturates: the public hardly tells one intrusive power from the next, so a sixth power costs
    little more than a third; at equilibrium trust sits loss / `trust_recovery_rate_per_month` below
    where it would be, at most a tenth of the index with the defaults, however many powers."""
    if powers_in_use <= 0:
        return 0.0
    saturation = 1.0 - np.exp(-powers_in_use / params.trust_loss_powers_scale)
    return params.trust_loss_per_month_powers_without_oversight * saturation


def update_trust(model) -> None:
    params, tally = model.params, model.tally
    homicide_row, disruption_row = tally.row("homicides"), tally.row("disruptions")
    homicides, disruptions = tally.values[homicide_row], tally.values[disruption_row]  # this step's sums by area
    recovery = per_step_probability(params.trust_recovery_rate_per_month, model.months_per_step)
    model.trust = next_trust(model.trust, model.trust_reference, model.geography.population, homicides, disruptions,
                             model.modifiers.trust_change_per_month, recovery, params.trust_loss_per_homicide_per_100k,
                             params.trust_gain_per_disruption_per_100k, model.months_per_step)


@kernel
def next_trust(trust, reference, population, homicides, disruptions, trust_change_per_month, recovery,
               loss_per_homicide_per_100k, gain_per_disruption_per_100k, months_per_step):
    """Trust per area after one step (a new array): recovery towards the reference, minus the loss
    from homicides and plus the gain from disruptions (both per 100,000 people), plus the levers'
    change; kept within [0.01, 1] (numpy's clip: a NaN stays NaN)."""
    new_trust = np.empty(trust.size)
    for a in range(trust.size):
        per_100k = population[a] / 1e5
        value = (trust[a] + recovery * (reference[a] - trust[a])
                 - loss_per_homicide_per_100k * homicides[a] / per_100k
                 + gain_per_disruption_per_100k * disruptions[a] / per_100k
                 + trust_change_per_month[a] * months_per_step)
        if not np.isnan(value):
            value = value if value > 0.01 else 0.01
            value = value if value < 1.0 else 1.0
        new_trust[a] = value
    return new_trust
