"""Communities: vulnerability (the at-risk pool) and community trust per area.

Trust is people's willingness to report and give evidence (seed 004 s.5). It falls with
network-linked homicides, rises a little with visible disruptions, and returns towards its
starting level. Trust scales the mapping of unknown groups, the success of operations (witnesses)
and the share of fraud that is reported.
"""

from __future__ import annotations

import numpy as np

from twin.parameters import per_step_probability


def initial_vulnerability(geography, params) -> np.ndarray:
    return np.where(geography.exporter, params.exporter_vulnerability_multiplier, 1.0)


def initial_trust(geography, params) -> np.ndarray:
    return np.where(geography.exporter, params.community_trust_initial_exporter, params.community_trust_initial)


def update_trust(model) -> None:
    params = model.params
    per_100k = model.geography.population / 1e5
    homicides = model.tally.get("homicides")
    disruptions = model.tally.get("disruptions")
    recovery = per_step_probability(params.trust_recovery_rate_per_month, model.months_per_step)
    trust = (model.trust + recovery * (model.trust_reference - model.trust)
             - params.trust_loss_per_homicide_per_100k * homicides / per_100k
             + params.trust_gain_per_disruption_per_100k * disruptions / per_100k
             + model.modifiers.trust_change_per_month * model.months_per_step)
    model.trust = trust.clip(0.01, 1.0)
