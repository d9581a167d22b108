"""Investigations: operations run their course and end in arrests, charges, seizures and disruptions.

An operation succeeds with a chance that rises with intelligence and falls with the leaders'
insulation and corrupt insiders. A success arrests shares of the members by role, seizes part
of the capital and may take out the leader; a failure still picks up some workers. A
disruption is counted when the arrests remove at least `disruption_capacity_threshold` of the
group's capacity or its leader (seed 004 s.20). Reactive (street) policing also arrests active
workers and exploited members at a low monthly rate.
"""

from __future__ import annotations

import numpy as np

from twin.operations import ROLE_LABOUR
from twin.parameters import per_step_probability
from twin.streams import thinned_bernoulli
from twin.vocabulary import ACTIVE, CHARGED, CORE, EXPLOITED, LEADER, WORKER


def progress_operations(model) -> np.ndarray:
    """Advance operations by one step; return the OCGs whose operation ends now."""
    ocgs = model.ocgs
    ongoing = ocgs.operation_months_left > 0
    ocgs.operation_months_left = np.where(ongoing, ocgs.operation_months_left - model.months_per_step, 0.0)
    ended = ongoing & (ocgs.operation_months_left <= 1e-9)
    # Operations against groups that dissolved meanwhile end without result.
    cancelled = ongoing & ~ocgs.active
    finished = (ended | cancelled).nonzero()[0]
    ocgs.operation_months_left[finished] = 0.0
    ocgs.operation_fte[finished] = 0.0
    ocgs.operation_unit[finished] = -1
    return (ended & ocgs.active).nonzero()[0]


def arrest(model, index: np.ndarray, rng: np.random.Generator) -> None:
    """Arrest members (indices); some are charged and await trial, the rest are released."""
    members, params = model.members, model.params
    area = model.ocgs.area[members.ocg[index]]
    model.tally.add("arrests", area)
    charged = rng.random(index.size) < params.charge_prob
    charged_index = index[charged]
    members.status[charged_index] = CHARGED
    delay = rng.exponential(params.court_delay_months, size=charged_index.size)
    members.verdict_month[charged_index] = model.month + delay
    model.tally.add("charges", area[charged])
    model.tally.add("court_cost_gbp", area[charged], np.full(charged_index.size, params.court_cost_gbp_per_case))
    leaders = charged_index[members.role[charged_index] == LEADER]
    if leaders.size:
        # A charged leader may keep directing the group from remand and then from prison.
        owner = members.ocg[leaders]
        p_directs = params.leader_directs_from_prison_prob * model.modifiers.prison_direction_multiplier
        directs = rng.random(leaders.size) < min(max(p_directs, 0.0), 1.0)
        model.ocgs.leader_directing[owner] = directs


def complete_operations(model, ended: np.ndarray) -> None:
    """Resolve operations that end this step."""
    ocgs, members, params = model.ocgs, model.members, model.params
    rng = model.streams["investigations"]
    model.investigated = np.zeros(ocgs.n, dtype=bool)
    model.disrupted = np.zeros(ocgs.n, dtype=bool)
    if ended.size == 0:
        return
    model.investigated[ended] = True
    ocgs.investigated_step[ended] = model.steps_done
    trust_factor = 0.7 + 0.3 * (model.trust[ocgs.area[ended]] / model.trust_reference[ocgs.area[ended]]).clip(0, 2)
    p_success = (params.operation_success_base * (0.4 + 0.6 * ocgs.intel[ended])
                 * (1.0 - params.insulation_success_penalty * ocgs.insulation[ended])
                 * (1.0 - params.insider_success_penalty * model.modifiers.insider_penalty_multiplier
                    * ocgs.has_insider[ended])
                 * trust_factor * model.modifiers.success_multiplier[ocgs.area[ended]]
                 * model.modifiers.success_multiplier_by_reach[ocgs.reach[ended]])
    success = rng.random(ended.size) < p_success.clip(0.0, 1.0)
    success_by_ocg = np.zeros(ocgs.n, dtype=bool)
    success_by_ocg[ended[success]] = True

    # Members of the investigated groups: arrest chances by role, outcome and whether police know them.
    # One pass over the whole table: cheaper than gathering `active_rows` (a superset of the active
    # rows, in the same order), and it finds the same rows.
    targeted = (model.investigated[members.ocg] & (members.status == ACTIVE)).nonzero()[0]
    owner = members.ocg[targeted]
    role = members.role[targeted]
    share_on_success = np.zeros(4)
    share_on_success[[LEADER, CORE, WORKER, EXPLOITED]] = [params.arrest_share_leader, params.arrest_share_core,
                                                         params.arrest_share_worker, params.arrest_share_exploited]
    share_on_failure = np.zeros(4)
    share_on_failure[[WORKER, EXPLOITED]] = params.failed_operation_arrest_share
    p_arrest = np.where(success_by_ocg[owner], share_on_success[role], share_on_failure[role])
    p_arrest = np.where(role == LEADER, p_arrest * (1.0 - 0.5 * ocgs.insulation[owner]), p_arrest)
    p_arrest *= np.where(members.known[targeted], 1.0, 0.5)
    arrested = targeted[rng.random(targeted.size) < p_arrest]
    arrest(model, arrested, rng)

    # Capacity removed: arrested labour over the group's labour before the operation.
    removed = np.bincount(members.ocg[arrested], weights=ROLE_LABOUR[members.role[arrested]], minlength=ocgs.n)
    labour = model.active_by_role @ ROLE_LABOUR
    leader_taken = np.zeros(ocgs.n, dtype=bool)
    leader_taken[members.ocg[arrested[members.role[arrested] == LEADER]]] = True
    disrupted = ended[(removed[ended] >= params.disruption_capacity_threshold * np.maximum(labour[ended], 1e-9))
                      | leader_taken[ended]]
    model.disrupted[disrupted] = True
    model.tally.add("disruptions", ocgs.area[disrupted])
    model.tally.add("operations_succeeded", ocgs.area[ended[success]])

    # Seizure and eventual recovery of criminal assets.
    won = ended[success]
    seizure_share = min(max(params.seizure_share_of_capital * model.modifiers.seizure_multiplier, 0.0), 1.0)
    seized = ocgs.capital_gbp[won] * seizure_share
    ocgs.capital_gbp[won] -= seized
    model.tally.add("assets_recovered_gbp", ocgs.area[won], seized * params.asset_realisation_share)

    # Police reach the enablers behind successful cases and close the county lines of disrupted groups.
    _hit_enablers(model, success_by_ocg, rng)
    lines = model.county_lines
    hit = lines.active & model.disrupted[lines.ocg]
    closed = hit & (rng.random(lines.n) < params.line_closure_on_disruption_prob)
    lines.active = lines.active & ~closed
    model.tally.add("county_lines_closed", lines.dest[closed])


def _hit_enablers(model, success_by_ocg: np.ndarray, rng: np.random.Generator) -> None:
    links, enablers = model.enabler_links, model.enablers
    exposed = links.active & success_by_ocg[links.ocg] & enablers.active[links.enabler]
    if not exposed.any():
        return
    candidates = np.unique(links.enabler[exposed])
    enablers.known[candidates] = True
    p_remove = model.params.enabler_removal_prob_on_success * model.modifiers.enabler_removal_multiplier
    p_remove = min(max(p_remove, 0.0), 1.0)
    removed = candidates[rng.random(candidates.size) < p_remove]
    enablers.active[removed] = False
    model.tally.add_national("enablers_removed", removed.size)
    model.enablers_changed = True


def street_arrests(model) -> None:
    """Reactive arrests of active workers and exploited members (unknown ones half as often)."""
    members, params = model.members, model.params
    rng = model.streams["street_policing"]
    p = per_step_probability(params.street_arrest_prob_per_month, model.months_per_step)
    candidate, u = thinned_bernoulli(rng, model.active_rows(), p)
    p_each = (np.where(members.known[candidate], p, 0.5 * p) * (members.role[candidate] >= WORKER)
              * (members.status[candidate] == ACTIVE))
    arrested = candidate[u < p_each]
    exploited = arrested[members.role[arrested] == EXPLOITED]
    area = model.ocgs.area[members.ocg[exploited]]
    # Exploited people arrested are recognised as victims and referred (criminal exploitation).
    model.tally.add("nrm_referrals", area)
    model.tally.add("nrm_referrals_criminal", area)
    model.tally.add("nrm_referrals_repeat", area[members.referred[exploited]])
    members.referred[exploited] = True
    arrest(model, arrested, rng)
