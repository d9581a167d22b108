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

from twin.compiled import add_to_tally, kernel, tally_rows
from twin.operations import ROLE_LABOUR
from twin.parameters import per_step_probability
from twin.policing import clip
from twin.streams import thinned_candidates, uniforms_between
from twin.vocabulary import ACTIVE, CHARGED, CORE, EXPLOITED, LEADER, WORKER

#: tally rows an arrest adds to, in `arrest_kernel`'s order
ARREST_TALLIES = ("arrests", "charges", "court_cost_gbp")
#: tally rows `complete_operations` adds to besides the arrests'
OPERATION_TALLIES = ("disruptions", "operations_succeeded", "assets_recovered_gbp", "county_lines_closed")
#: tally rows `street_arrests` adds to besides the arrests'
STREET_TALLIES = ("nrm_referrals", "nrm_referrals_criminal", "nrm_referrals_repeat")


def progress_operations(model) -> np.ndarray:
    """Advance operations by one step; return the OCGs whose operation ends now."""
    ocgs = model.ocgs
    return _progress_kernel(ocgs.operation_months_left, ocgs.operation_fte, ocgs.operation_unit, ocgs.active,
                            float(model.months_per_step))


@kernel
def _progress_kernel(operation_months_left, operation_fte, operation_unit, active, months_per_step):
    """Count down operations; free the investigators of those ending now or against groups that
    dissolved meanwhile (they end without result); return the OCGs (active) whose operation ends."""
    n_ending = 0
    ending = np.empty(active.size, np.int64)
    for ocg in range(active.size):
        if not operation_months_left[ocg] > 0:
            operation_months_left[ocg] = 0.0
            continue
        operation_months_left[ocg] = operation_months_left[ocg] - months_per_step
        ended = operation_months_left[ocg] <= 1e-9
        if ended or not active[ocg]:
            operation_months_left[ocg] = 0.0
            operation_fte[ocg] = 0.0
            operation_unit[ocg] = -1
        if ended and active[ocg]:
            ending[n_ending] = ocg
            n_ending += 1
    return ending[:n_ending].copy()


def _arrest_terms(model) -> tuple[float, float, float, float, float]:
    """The month and the scalars `arrest_kernel` takes: charge chance, mean court delay (months),
    court cost per case and the chance a charged leader keeps directing the group."""
    params = model.params
    p_directs = params.leader_directs_from_prison_prob * model.modifiers.prison_direction_multiplier
    return (float(model.month), float(params.charge_prob), float(params.court_delay_months),
            float(params.court_cost_gbp_per_case), float(min(max(p_directs, 0.0), 1.0)))


@kernel
def arrest_kernel(rng, arrested, member_ocg, member_role, member_status, verdict_month, ocg_area,
                  leader_directing, month, charge_prob, court_delay_months, court_cost_gbp_per_case,
                  p_directs, tally_values, rows):
    """Arrest members: a uniform each decides the charge; then an exponential delay (mean
    `court_delay_months`) for each charged member sets the verdict month; then a uniform for each
    charged leader decides whether the leader directs the group from remand and prison.
    `rows` are the tally rows of `ARREST_TALLIES`."""
    n_areas = tally_values.shape[1]
    arrests_by_area = np.zeros(n_areas)
    for member in arrested:
        arrests_by_area[ocg_area[member_ocg[member]]] += 1.0
    add_to_tally(tally_values, rows[0], arrests_by_area)

    charged = np.empty(arrested.size, np.int64)
    n_charged = 0
    for member in arrested:
        if rng.random() < charge_prob:
            charged[n_charged] = member
            n_charged += 1
    charges_by_area = np.zeros(n_areas)
    court_cost_by_area = np.zeros(n_areas)
    n_leaders = 0
    for k in range(n_charged):
        member = charged[k]
        member_status[member] = CHARGED
        area = ocg_area[member_ocg[member]]
        charges_by_area[area] += 1.0
        court_cost_by_area[area] += court_cost_gbp_per_case
        n_leaders += np.int64(member_role[member] == LEADER)
    for k in range(n_charged):
        verdict_month[charged[k]] = month + rng.exponential(court_delay_months)
    add_to_tally(tally_values, rows[1], charges_by_area)
    add_to_tally(tally_values, rows[2], court_cost_by_area)
    if n_leaders:
        for k in range(n_charged):
            member = charged[k]
            if member_role[member] == LEADER:
                leader_directing[member_ocg[member]] = rng.random() < p_directs


def complete_operations(model, ended: np.ndarray) -> None:
    """Resolve operations that end this step."""
    ocgs, members, params, mods = model.ocgs, model.members, model.params, model.modifiers
    rng = model.streams["investigations"]
    model.investigated = np.zeros(ocgs.n, dtype=bool)
    model.disrupted = np.zeros(ocgs.n, dtype=bool)
    if ended.size == 0:
        return
    model.investigated[ended] = True
    ocgs.investigated_step[ended] = model.steps_done
    # Arrest chances by role, on success and on failure.
    share_on_success = np.zeros(4)
    share_on_success[[LEADER, CORE, WORKER, EXPLOITED]] = [params.arrest_share_leader, params.arrest_share_core,
                                                         params.arrest_share_worker, params.arrest_share_exploited]
    share_on_failure = np.zeros(4)
    share_on_failure[[WORKER, EXPLOITED]] = params.failed_operation_arrest_share
    # Labour of each group before the operation, in numpy: the matrix product's order of addition.
    labour = model.active_by_role @ ROLE_LABOUR
    seizure_share = min(max(params.seizure_share_of_capital * mods.seizure_multiplier, 0.0), 1.0)
    p_remove = min(max(params.enabler_removal_prob_on_success * mods.enabler_removal_multiplier, 0.0), 1.0)
    tally = model.tally
    rows = tally_rows(tally, ARREST_TALLIES + OPERATION_TALLIES)
    links, enablers, lines = model.enabler_links, model.enablers, model.county_lines
    # One pass over the whole table: it finds the rows `active_rows` (a superset) would, faster.
    targeted = active_members_of(members.ocg, members.status, model.investigated)
    enablers_removed, first_line, end_line = _complete_kernel(
        rng, ended, targeted, model.disrupted,
        ocgs.area, ocgs.reach, ocgs.intel, ocgs.insulation, ocgs.has_insider, ocgs.capital_gbp, model.trust,
        model.trust_reference, mods.success_multiplier, mods.success_multiplier_by_reach,
        float(params.operation_success_base), float(params.insulation_success_penalty),
        float(params.insider_success_penalty * mods.insider_penalty_multiplier),
        members.ocg, members.role, members.status, members.known, share_on_success, share_on_failure,
        ROLE_LABOUR, labour, float(params.disruption_capacity_threshold), float(seizure_share),
        float(params.asset_realisation_share),
        links.active, links.ocg, links.enabler, enablers.active, enablers.known, float(p_remove),
        lines.active, lines.ocg, members.verdict_month, ocgs.leader_directing, *_arrest_terms(model),
        tally.values, rows)
    # A uniform per county line comes last in the stream. Only the lines from the first to the
    # last that can close (active, their group disrupted) need theirs: numpy draws those, and the
    # stream skips the others as if drawn (`uniforms_between`).
    u = uniforms_between(rng, first_line, end_line, lines.n)
    if u.size:
        _close_lines(u, first_line, float(params.line_closure_on_disruption_prob), lines.active, lines.ocg,
                     lines.dest, model.disrupted, tally.values, rows[-1])
    if enablers_removed >= 0:  # some enablers were exposed
        tally.add_national("enablers_removed", enablers_removed)
        model.enablers_changed = True


@kernel
def _complete_kernel(rng, ended, targeted, disrupted, ocg_area, reach, intel, insulation, has_insider,
                     capital_gbp, trust, trust_reference, success_multiplier, success_multiplier_by_reach,
                     operation_success_base, insulation_success_penalty, insider_penalty,
                     member_ocg, member_role, member_status, member_known, share_on_success, share_on_failure,
                     role_labour, labour, disruption_capacity_threshold, seizure_share, asset_realisation_share,
                     link_active, link_ocg, link_enabler, enabler_active, enabler_known, p_remove,
                     line_active, line_ocg, verdict_month, leader_directing, month, charge_prob, court_delay_months,
                     court_cost_gbp_per_case, p_directs, tally_values, rows):
    """Resolve the operations ending now (`ended`, increasing), drawing in this order: a uniform per
    operation (success), a uniform per active member of the investigated groups in row order
    (arrest), the arrests' draws (`arrest_kernel`) and a uniform per exposed enabler in row order
    (removal; see `_hit_enablers`). The county lines' draws follow (`_close_lines`).

    Returns the number of enablers removed (-1 when no enabler was exposed) and the range of
    county lines that need their uniform (`_lines_to_draw`). `rows` are the tally rows of
    `ARREST_TALLIES + OPERATION_TALLIES`.
    """
    n_ocgs = disrupted.size
    n_areas = tally_values.shape[1]
    success_by_ocg = np.zeros(n_ocgs, np.bool_)
    for ocg in ended:
        a = ocg_area[ocg]
        trust_factor = 0.7 + 0.3 * clip(trust[a] / trust_reference[a], 0.0, 2.0)
        p_success = (operation_success_base * (0.4 + 0.6 * intel[ocg])
                     * (1.0 - insulation_success_penalty * insulation[ocg])
                     * (1.0 - insider_penalty * (1.0 if has_insider[ocg] else 0.0))
                     * trust_factor * success_multiplier[a] * success_multiplier_by_reach[reach[ocg]])
        success_by_ocg[ocg] = rng.random() < clip(p_success, 0.0, 1.0)

    # Members of the investigated groups: arrest chances by role, outcome and whether police know them.
    arrested = np.empty(targeted.size, np.int64)
    n_arrested = 0
    for member in targeted:
        owner = member_ocg[member]
        role = member_role[member]
        p_arrest = share_on_success[role] if success_by_ocg[owner] else share_on_failure[role]
        if role == LEADER:
            p_arrest = p_arrest * (1.0 - 0.5 * insulation[owner])
        p_arrest *= 1.0 if member_known[member] else 0.5
        if rng.random() < p_arrest:
            arrested[n_arrested] = member
            n_arrested += 1
    arrested = arrested[:n_arrested]
    arrest_kernel(rng, arrested, member_ocg, member_role, member_status, verdict_month, ocg_area,
                  leader_directing, month, charge_prob, court_delay_months, court_cost_gbp_per_case,
                  p_directs, tally_values, rows[:3])

    # Disrupted: arrests removed at least the threshold share of the group's labour, or its leader.
    removed_labour = np.zeros(n_ocgs)
    leader_taken = np.zeros(n_ocgs, np.bool_)
    for member in arrested:
        removed_labour[member_ocg[member]] += role_labour[member_role[member]]
        if member_role[member] == LEADER:
            leader_taken[member_ocg[member]] = True
    disruptions_by_area = np.zeros(n_areas)
    succeeded_by_area = np.zeros(n_areas)
    recovered_gbp_by_area = np.zeros(n_areas)
    n_disrupted = 0
    for ocg in ended:
        group_labour = labour[ocg] if (labour[ocg] >= 1e-9 or labour[ocg] != labour[ocg]) else 1e-9
        if removed_labour[ocg] >= disruption_capacity_threshold * group_labour or leader_taken[ocg]:
            disrupted[ocg] = True
            disruptions_by_area[ocg_area[ocg]] += 1.0
            n_disrupted += 1
    for ocg in ended:
        if success_by_ocg[ocg]:
            succeeded_by_area[ocg_area[ocg]] += 1.0
            # Seizure and eventual recovery of criminal assets.
            seized_gbp = capital_gbp[ocg] * seizure_share
            capital_gbp[ocg] = capital_gbp[ocg] - seized_gbp
            recovered_gbp_by_area[ocg_area[ocg]] += seized_gbp * asset_realisation_share
    add_to_tally(tally_values, rows[3], disruptions_by_area)
    add_to_tally(tally_values, rows[4], succeeded_by_area)
    add_to_tally(tally_values, rows[5], recovered_gbp_by_area)

    # Police reach the enablers behind successful cases (the county lines of disrupted groups
    # close after this kernel: `_close_lines`).
    enablers_removed = _hit_enablers(rng, success_by_ocg, link_active, link_ocg, link_enabler, enabler_active,
                                     enabler_known, p_remove)
    first_line, end_line = _lines_to_draw(line_active, line_ocg, disrupted) if n_disrupted else (0, 0)
    return enablers_removed, first_line, end_line


@kernel
def active_members_of(member_ocg, member_status, flagged_ocg):
    """Rows (increasing) of the active members of the flagged OCGs, in one pass over the table.

    The pass only looks up each row's group (branch-free: each row is written at the next free
    slot and kept, the slot advanced, only when its group is flagged, which runs several times
    faster than a branch on every row); the status is checked on the few rows found. Unsigned
    indices spare numba the wrap-around of negative ones (see `members._census`).
    """
    flagged = flagged_ocg.view(np.uint8)
    u = np.uint64
    rows = np.empty(member_ocg.size + 1, np.int64)
    n_found = u(0)
    for member in range(member_ocg.size):
        rows[n_found] = member
        n_found += u(flagged[u(member_ocg[u(member)])])
    n_active = 0
    for k in range(n_found):
        member = rows[k]
        rows[n_active] = member
        n_active += np.int64(member_status[member] == ACTIVE)
    return rows[:n_active]


@kernel
def _lines_to_draw(line_active, line_ocg, disrupted):
    """The first county line that is active and whose group was disrupted, and one past the last
    (0, 0 if there is none)."""
    first_line, end_line = 0, 0
    for line in range(line_active.size):
        if line_active[line] and disrupted[line_ocg[line]]:
            if end_line == 0:
                first_line = line
            end_line = line + 1
    return first_line, end_line


@kernel
def _close_lines(u, first_line, line_closure_prob, line_active, line_ocg, line_dest, disrupted, tally_values,
                 row_closed):
    """Close the county lines of disrupted groups, each with chance `line_closure_prob` (`u`: a
    uniform for each line from `first_line` on), and count them by destination."""
    closed_by_area = np.zeros(tally_values.shape[1])
    for k in range(u.size):
        line = first_line + k
        if line_active[line] and disrupted[line_ocg[line]] and u[k] < line_closure_prob:
            line_active[line] = False
            closed_by_area[line_dest[line]] += 1.0
    add_to_tally(tally_values, row_closed, closed_by_area)


@kernel
def _hit_enablers(rng, success_by_ocg, link_active, link_ocg, link_enabler, enabler_active, enabler_known,
                  p_remove):
    """Enablers with an active link to a group whose operation succeeded become known and are
    removed with chance `p_remove` (a uniform each, in enabler order). Returns how many were
    removed, or -1 when none was exposed."""
    exposed = np.zeros(enabler_active.size, np.bool_)
    any_exposed = False
    for link in range(link_active.size):
        enabler = link_enabler[link]
        if link_active[link] and success_by_ocg[link_ocg[link]] and enabler_active[enabler]:
            exposed[enabler] = True
            any_exposed = True
    if not any_exposed:
        return -1
    removed = 0
    for enabler in range(exposed.size):
        if exposed[enabler]:
            enabler_known[enabler] = True
            if rng.random() < p_remove:
                enabler_active[enabler] = False
                removed += 1
    return removed


def street_arrests(model) -> None:
    """Reactive arrests of active workers and exploited members (unknown ones half as often)."""
    members, params, tally = model.members, model.params, model.tally
    rng = model.streams["street_policing"]
    p = per_step_probability(params.street_arrest_prob_per_month, model.months_per_step)
    rows = tally_rows(tally, STREET_TALLIES + ARREST_TALLIES)
    _street_kernel(rng, model.active_rows(), float(p), members.ocg, members.role, members.status, members.known,
                   members.referred, members.verdict_month, model.ocgs.area, model.ocgs.leader_directing,
                   *_arrest_terms(model), tally.values, rows)


@kernel
def _street_kernel(rng, active_rows, p, member_ocg, member_role, member_status, member_known, member_referred,
                   verdict_month, ocg_area, leader_directing, month, charge_prob, court_delay_months,
                   court_cost_gbp_per_case, p_directs, tally_values, rows):
    """Street arrests: thinned draws over the active rows with chance `p` (half for unknown
    members), workers and exploited members only; exploited people arrested are referred to the
    NRM as victims; then `arrest_kernel`. `rows` are the tally rows of `STREET_TALLIES + ARREST_TALLIES`."""
    candidate, u = thinned_candidates(rng, active_rows, p)
    arrested = np.empty(candidate.size, np.int64)
    n_arrested = 0
    for hit in range(candidate.size):
        member = candidate[hit]
        # as numpy computed it: where(known, p, p / 2) * (role >= WORKER) * (status == ACTIVE)
        p_each = ((p if member_known[member] else 0.5 * p) * (1.0 if member_role[member] >= WORKER else 0.0)
                  * (1.0 if member_status[member] == ACTIVE else 0.0))
        if u[hit] < p_each:
            arrested[n_arrested] = member
            n_arrested += 1
    arrested = arrested[:n_arrested]
    n_areas = tally_values.shape[1]
    referrals_by_area = np.zeros(n_areas)
    repeat_by_area = np.zeros(n_areas)
    for member in arrested:
        if member_role[member] == EXPLOITED:
            # Exploited people arrested are recognised as victims and referred (criminal exploitation).
            area = ocg_area[member_ocg[member]]
            referrals_by_area[area] += 1.0
            if member_referred[member]:
                repeat_by_area[area] += 1.0
            member_referred[member] = True
    add_to_tally(tally_values, rows[0], referrals_by_area)
    add_to_tally(tally_values, rows[1], referrals_by_area)
    add_to_tally(tally_values, rows[2], repeat_by_area)
    arrest_kernel(rng, arrested, member_ocg, member_role, member_status, verdict_month, ocg_area,
                  leader_directing, month, charge_prob, court_delay_months, court_cost_gbp_per_case,
                  p_directs, tally_values, rows[3:])
