"""Investigations: operations run their course and end in arrests, charges, seizures and disruptions.

An operation succeeds with a chance that rises with intelligence and falls with the leaders'
insulation and corrupt insiders. A success arrests shares of the members by role, seizes part
of the capital and may take out the leader; a failure still picks up some workers. A
disruption is counted when the arrests remove at least `disruption_capacity_threshold` of the
group's capacity or its leader (source 004 s.20). Reactive (street) policing also arrests active
workers and exploited members at a low monthly rate.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import as_generator, generator_argument, kernel, uniform
from twin.shared_kernels import add_to_tally, clip
from twin.county_lines import close_lines_of_disrupted
from twin.justice import directs_from_prison_prob
from twin.operations import ROLE_LABOUR
from twin.parameters import per_step_probability
from twin.streams import thinned_listed
from twin.vocabulary import ACTIVE, CHARGED, CORE, ENABLER_TYPES, EXPLOITED, LEADER, PROFESSIONAL, WORKER

#: tally rows an arrest adds to, in `arrest_kernel`'s order
ARREST_TALLIES = ("arrests", "charges", "court_cost_gbp")
#: tally rows `complete_operations` adds to besides the arrests'
OPERATION_TALLIES = ("disruptions", "operations_succeeded", "assets_recovered_gbp", "county_lines_closed")
#: tally rows of the NRM referrals of exploited people arrested (`refer_exploited`), on the street
#: and in operations
STREET_TALLIES = ("nrm_referrals", "nrm_referrals_criminal", "nrm_referrals_repeat")
# Where each sits among the rows `complete_operations` looks up (arrests', operations', street
# referrals', in that order), from the tuples: a name added to one moves the others with it, and
# one added to OPERATION_TALLIES fails here until its row is named.
_FIRST_OPERATION_ROW = len(ARREST_TALLIES)
_FIRST_STREET_ROW = _FIRST_OPERATION_ROW + len(OPERATION_TALLIES)
_END_STREET_ROW = _FIRST_STREET_ROW + len(STREET_TALLIES)
_DISRUPTIONS_ROW, _SUCCEEDED_ROW, _RECOVERED_ROW, _LINES_CLOSED_ROW = range(_FIRST_OPERATION_ROW, _FIRST_STREET_ROW)
_N_STREET_TALLIES = len(STREET_TALLIES)  # `street_arrests` looks up the street referrals' rows first


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


#: the scalars of `_complete_kernel` in the order it unpacks them (`complete_operations` fills them by name)
COMPLETION_TERMS = ("operation_success_base", "insulation_success_penalty", "insider_penalty", "share_leader",
                    "share_core", "share_worker", "share_exploited", "share_failed", "disruption_capacity_threshold",
                    "seizure_share", "asset_realisation_share", "line_closure_prob", "intel_weight",
                    "trust_weight", "leader_insulation_cut", "unknown_arrest_ratio")
#: positions in `arrest_kernel`'s scalars (`_arrest_terms`)
ARREST_MONTH, ARREST_CHARGE_PROB, ARREST_COURT_DELAY_MONTHS, ARREST_COURT_COST_GBP, ARREST_P_DIRECTS, \
    ARREST_EXPLOITED_CHARGE_PROB, ARREST_REMAND_PROB = range(7)


def _arrest_terms(model) -> np.ndarray:
    """The scalars `arrest_kernel` takes, by name: the month, the charge chance, the mean court
    delay (months), the court cost per case, the chance a charged leader keeps directing the
    group, the charge chance of an exploited member (`exploited_charge_multiplier`) and the chance a
    charged member is remanded in custody."""
    params = model.params
    terms = np.empty(7)
    terms[ARREST_MONTH] = model.month
    terms[ARREST_CHARGE_PROB] = params.charge_prob
    terms[ARREST_COURT_DELAY_MONTHS] = params.court_delay_months
    terms[ARREST_COURT_COST_GBP] = params.court_cost_gbp_per_case
    terms[ARREST_P_DIRECTS] = directs_from_prison_prob(model)
    terms[ARREST_EXPLOITED_CHARGE_PROB] = params.charge_prob * params.exploited_charge_multiplier
    terms[ARREST_REMAND_PROB] = params.remand_prob
    return terms


@kernel
def arrest_kernel(rng, arrested, member_ocg, member_role, member_status, member_known, verdict_month, on_bail,
                  ocg_area, leader_directing, direction_draw, arrest_terms, tally_values, rows):
    """Arrest members (each becomes known to police): a uniform each decides the charge (exploited members, victims made
    offenders, at their own lower chance: the Modern Slavery Act's section 45 defence); then an
    exponential delay (mean court delay) for each charged member sets the month the case is ready
    (one already on bail has the two cases heard as one: no second case cost, ready when the
    earlier case is if sooner, but not before this step); then a uniform for each charged member decides remand in custody
    (`remand_prob`; the others are bailed and carry on, `on_bail`, until the courts hear them); then a uniform for each remanded
    leader decides whether the leader directs the group from remand and prison. `arrest_terms` are
    the scalars of `_arrest_terms`; `rows` are the tally rows of `ARREST_TALLIES`."""
    month, charge_prob = arrest_terms[ARREST_MONTH], arrest_terms[ARREST_CHARGE_PROB]
    court_delay_months = arrest_terms[ARREST_COURT_DELAY_MONTHS]
    court_cost_gbp_per_case, p_directs = arrest_terms[ARREST_COURT_COST_GBP], arrest_terms[ARREST_P_DIRECTS]
    n_areas = tally_values.shape[1]
    arrests_by_area = np.zeros(n_areas)
    for member in arrested:
        arrests_by_area[ocg_area[member_ocg[member]]] += 1.0
        member_known[member] = True
    add_to_tally(tally_values, rows[0], arrests_by_area)

    charged = np.empty(arrested.size, np.int64)
    n_charged = 0
    exploited_charge_prob = arrest_terms[ARREST_EXPLOITED_CHARGE_PROB]
    for member in arrested:
        p_charge = exploited_charge_prob if member_role[member] == EXPLOITED else charge_prob
        if uniform(rng) < p_charge:
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
        if not on_bail[member]:  # one on bail charged again has the two cases heard as one: one case's cost
            court_cost_by_area[area] += court_cost_gbp_per_case
        n_leaders += np.int64(member_role[member] == LEADER)
    for k in range(n_charged):
        member = charged[k]
        ready = month + rng.exponential(court_delay_months)
        # the joined case is ready when the earlier one is, if that is sooner, but not before now: a
        # case already waiting keeps no place ahead of the queue it waited in, and the custody time
        # limit of one remanded on it runs from now
        verdict_month[member] = max(min(ready, verdict_month[member]), month) if on_bail[member] else ready
    remand_prob = arrest_terms[ARREST_REMAND_PROB]
    for k in range(n_charged):
        member = charged[k]
        if not uniform(rng) < remand_prob:  # bailed: at liberty until the trial
            member_status[member] = ACTIVE
            on_bail[member] = True
            n_leaders -= np.int64(member_role[member] == LEADER)
        else:  # remanded: in custody, no longer on bail (one bailed before, charged again)
            on_bail[member] = False
    add_to_tally(tally_values, rows[1], charges_by_area)
    add_to_tally(tally_values, rows[2], court_cost_by_area)
    if n_leaders:
        for k in range(n_charged):
            member = charged[k]
            if member_role[member] == LEADER and member_status[member] == CHARGED:
                draw = uniform(rng)
                direction_draw[member_ocg[member]] = draw
                leader_directing[member_ocg[member]] = draw < p_directs


def complete_operations(model, ended: np.ndarray) -> None:
    """Resolve operations that end this step."""
    ocgs, members, params, mods = model.ocgs, model.members, model.params, model.modifiers
    if ended.size == 0:
        model.investigated = np.zeros(ocgs.n, dtype=bool)
        model.disrupted = np.zeros(ocgs.n, dtype=bool)
        return
    rng = model.streams["investigations"]
    tally = model.tally
    rows = tally.rows_of(ARREST_TALLIES + OPERATION_TALLIES + STREET_TALLIES)  # first: a new name may replace `tally.values`
    links, enablers, lines = model.enabler_links, model.enablers, model.county_lines
    terms = np.empty(len(COMPLETION_TERMS))  # the kernel's scalars, by name
    for name, value in (
            ("operation_success_base", params.operation_success_base),
            ("insulation_success_penalty", params.insulation_success_penalty),
            ("insider_penalty", params.insider_success_penalty * mods.insider_penalty_multiplier),
            ("share_leader", params.arrest_share_leader), ("share_core", params.arrest_share_core),
            ("share_worker", params.arrest_share_worker), ("share_exploited", params.arrest_share_exploited),
            ("share_failed", params.failed_operation_arrest_share),
            ("disruption_capacity_threshold", params.disruption_capacity_threshold),
            ("seizure_share", min(max(params.seizure_share_of_capital * mods.seizure_multiplier, 0.0), 1.0)),
            ("asset_realisation_share", params.asset_realisation_share),
            ("line_closure_prob", params.line_closure_on_disruption_prob),
            ("intel_weight", params.operation_intelligence_weight), ("trust_weight", params.operation_trust_weight),
            ("leader_insulation_cut", params.leader_insulation_arrest_cut),
            ("unknown_arrest_ratio", params.unknown_member_arrest_ratio)):
        terms[COMPLETION_TERMS.index(name)] = value
    # enabler targeting raises the removal of professional enablers only (not insiders', not encryption's)
    p_remove_by_kind = np.full(len(ENABLER_TYPES), min(max(params.enabler_removal_prob_on_success, 0.0), 1.0))
    p_remove_by_kind[PROFESSIONAL] = min(max(params.enabler_removal_prob_on_success * mods.enabler_removal_multiplier,
                                             0.0), 1.0)
    model.investigated, model.disrupted, enablers_removed = _complete_kernel(
        rng_handle=generator_argument(rng), ended=ended, step=model.steps_done, terms=terms,
        arrest_terms=_arrest_terms(model), ocg_area=ocgs.area, reach=ocgs.reach, intel=ocgs.intel,
        insulation=ocgs.insulation, has_insider=ocgs.has_insider, capital_gbp=ocgs.capital_gbp,
        investigated_step=ocgs.investigated_step, leader_directing=ocgs.leader_directing,
        direction_draw=ocgs.direction_draw, active_by_role=model.active_by_role, trust=model.trust, trust_reference=model.trust_reference,
        success_multiplier=mods.success_multiplier, success_multiplier_by_reach=mods.success_multiplier_by_reach,
        member_ocg=members.ocg, member_role=members.role, member_status=members.status,
        member_known=members.known, member_referred=members.referred, verdict_month=members.verdict_month,
        on_bail=members.on_bail, link_active=links.active,
        link_ocg=links.ocg, link_enabler=links.enabler, enabler_active=enablers.active, enabler_kind=enablers.kind,
        p_remove_by_kind=p_remove_by_kind,
        enabler_known=enablers.known, line_active=lines.active, line_ocg=lines.ocg, line_dest=lines.dest,
        tally_values=tally.values, rows=rows)
    if enablers_removed >= 0:  # some enablers were exposed
        tally.add_national("enablers_removed", enablers_removed)
        model.enablers_changed = True


@kernel
def _complete_kernel(rng_handle, ended, step, terms, arrest_terms, ocg_area, reach, intel, insulation, has_insider,
                     capital_gbp, investigated_step, leader_directing, direction_draw, active_by_role, trust, trust_reference,
                     success_multiplier, success_multiplier_by_reach, member_ocg, member_role, member_status,
                     member_known, member_referred, verdict_month, on_bail, link_active, link_ocg, link_enabler, enabler_active,
                     enabler_kind, p_remove_by_kind, enabler_known, line_active, line_ocg, line_dest, tally_values, rows):
    """Resolve the operations ending now (`ended`, increasing, not empty), drawing in this order:
    a uniform per operation (success), a uniform per active member of the investigated groups in
    row order (arrest), the arrests' draws (`arrest_kernel`) and a uniform per exposed enabler in
    row order (removal; see `_hit_enablers`) and a uniform per county line (closure; see `close_lines_of_disrupted`).

    `terms` are the scalars `complete_operations` lists; `arrest_terms` `arrest_kernel`'s.
    Returns the groups investigated and disrupted (flags by OCG) and the number of enablers
    removed (-1 when no enabler was exposed). `rows` are the tally rows of
    `ARREST_TALLIES + OPERATION_TALLIES`.
    """
    rng = as_generator(rng_handle)
    # `terms` in the order of COMPLETION_TERMS (`complete_operations` fills it by name); the enablers'
    # removal chance comes by kind (`p_remove_by_kind`)
    (operation_success_base, insulation_success_penalty, insider_penalty, share_leader, share_core, share_worker,
     share_exploited, share_failed, disruption_capacity_threshold, seizure_share, asset_realisation_share,
     line_closure_prob, intel_weight, trust_weight, leader_insulation_cut, unknown_arrest_ratio) = (terms[0],
        terms[1], terms[2], terms[3], terms[4], terms[5], terms[6], terms[7], terms[8], terms[9], terms[10], terms[11],
        terms[12], terms[13], terms[14], terms[15])
    n_ocgs = ocg_area.size
    n_areas = tally_values.shape[1]
    investigated = np.zeros(n_ocgs, np.bool_)
    disrupted = np.zeros(n_ocgs, np.bool_)
    # Arrest chances by role, on success and on failure.
    share_on_success = np.zeros(4)
    share_on_success[LEADER], share_on_success[CORE] = share_leader, share_core
    share_on_success[WORKER], share_on_success[EXPLOITED] = share_worker, share_exploited
    share_on_failure = np.zeros(4)
    share_on_failure[WORKER], share_on_failure[EXPLOITED] = share_failed, share_failed

    success_by_ocg = np.zeros(n_ocgs, np.bool_)
    for ocg in ended:
        investigated[ocg] = True
        investigated_step[ocg] = step
        a = ocg_area[ocg]
        trust_factor = (1.0 - trust_weight) + trust_weight * clip(trust[a] / trust_reference[a], 0.0, 2.0)
        p_success = (operation_success_base * ((1.0 - intel_weight) + intel_weight * intel[ocg])
                     * (1.0 - insulation_success_penalty * insulation[ocg])
                     * (1.0 - insider_penalty * (1.0 if has_insider[ocg] else 0.0))
                     * trust_factor * success_multiplier[a] * success_multiplier_by_reach[reach[ocg]])
        success_by_ocg[ocg] = uniform(rng) < clip(p_success, 0.0, 1.0)

    # Members of the investigated groups: arrest chances by role, outcome and whether police know them.
    targeted = active_members_of(member_ocg, member_status, investigated)
    arrested = np.empty(targeted.size, np.int64)
    n_arrested = 0
    for member in targeted:
        owner = member_ocg[member]
        role = member_role[member]
        p_arrest = share_on_success[role] if success_by_ocg[owner] else share_on_failure[role]
        if role == LEADER:
            p_arrest = p_arrest * (1.0 - leader_insulation_cut * insulation[owner])
        p_arrest *= 1.0 if member_known[member] else unknown_arrest_ratio
        if uniform(rng) < p_arrest:
            arrested[n_arrested] = member
            n_arrested += 1
    arrested = arrested[:n_arrested]
    refer_exploited(arrested, member_ocg, member_role, member_referred, ocg_area, tally_values,
                    rows[_FIRST_STREET_ROW:_END_STREET_ROW])
    arrest_kernel(rng, arrested, member_ocg, member_role, member_status, member_known, verdict_month, on_bail, ocg_area,
                  leader_directing, direction_draw, arrest_terms, tally_values, rows[:_FIRST_OPERATION_ROW])

    # Disrupted: arrests removed at least the threshold share of the group's labour, or its leader.
    removed_labour = np.zeros(n_ocgs)
    leader_taken = np.zeros(n_ocgs, np.bool_)
    for member in arrested:
        removed_labour[member_ocg[member]] += ROLE_LABOUR[member_role[member]]
        if member_role[member] == LEADER:
            leader_taken[member_ocg[member]] = True
    disruptions_by_area = np.zeros(n_areas)
    succeeded_by_area = np.zeros(n_areas)
    recovered_gbp_by_area = np.zeros(n_areas)
    n_disrupted = 0
    for ocg in ended:
        # The group's labour before the operation, as numpy's `active_by_role @ ROLE_LABOUR` gives it
        # (whole-number counts: the sum of the first three products is exact; the fourth is added last).
        labour = (((active_by_role[ocg, 0] * ROLE_LABOUR[0] + active_by_role[ocg, 1] * ROLE_LABOUR[1])
                   + active_by_role[ocg, 2] * ROLE_LABOUR[2]) + active_by_role[ocg, 3] * ROLE_LABOUR[3])
        group_labour = labour if (labour >= 1e-9 or labour != labour) else 1e-9
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
    add_to_tally(tally_values, rows[_DISRUPTIONS_ROW], disruptions_by_area)
    add_to_tally(tally_values, rows[_SUCCEEDED_ROW], succeeded_by_area)
    add_to_tally(tally_values, rows[_RECOVERED_ROW], recovered_gbp_by_area)

    # Police reach the enablers behind successful cases; the county lines of disrupted groups close.
    enablers_removed = _hit_enablers(rng, success_by_ocg, link_active, link_ocg, link_enabler, enabler_active,
                                     enabler_kind, enabler_known, p_remove_by_kind)
    close_lines_of_disrupted(rng, line_closure_prob, line_active, line_ocg, line_dest, disrupted, n_disrupted > 0,
                              tally_values, rows[_LINES_CLOSED_ROW])
    return investigated, disrupted, enablers_removed


@kernel
def active_members_of(member_ocg, member_status, flagged_ocg):
    """Rows (increasing) of the active members of the flagged OCGs, in one pass over the table.

    The pass reads the rows eight at a time and looks closer only at a block where some row's
    group is flagged (few are: the loads of a block are independent and the branch is nearly
    always the same, where a branch or a write on every row would cost several times more); a
    block's rows are then written without a branch, each at the next free place.
    Unsigned indices spare numba the wrap-around of negative ones (see `members._census`).
    """
    flagged = flagged_ocg.view(np.uint8)
    u = np.uint64
    n_rows = member_ocg.size
    rows = np.empty(n_rows, np.int64)
    n_active = 0
    end_of_eights = n_rows - n_rows % 8
    for block in range(0, end_of_eights, 8):
        b = u(block)
        hit = (flagged[u(member_ocg[b])] | flagged[u(member_ocg[b + u(1)])] | flagged[u(member_ocg[b + u(2)])]
               | flagged[u(member_ocg[b + u(3)])] | flagged[u(member_ocg[b + u(4)])]
               | flagged[u(member_ocg[b + u(5)])] | flagged[u(member_ocg[b + u(6)])]
               | flagged[u(member_ocg[b + u(7)])])
        if hit:  # then branch-free too: which of the block's rows qualify follows no pattern
            for member in range(block, block + 8):
                m = u(member)
                rows[n_active] = member
                n_active += np.int64(flagged[u(member_ocg[m])] & np.uint8(member_status[m] == ACTIVE))
    for member in range(end_of_eights, n_rows):
        if flagged[member_ocg[member]] and member_status[member] == ACTIVE:
            rows[n_active] = member
            n_active += 1
    return rows[:n_active]


@kernel
def _hit_enablers(rng, success_by_ocg, link_active, link_ocg, link_enabler, enabler_active, enabler_kind,
                  enabler_known, p_remove_by_kind):
    """Enablers with an active link to a group whose operation succeeded become known and are
    removed with chance `p_remove` (of their kind) per such group (1 - (1 - p_remove)^k for an enabler exposed by
    k successes this step: the same chance in a monthly step as in the weekly steps that share its
    successes; a uniform each, in enabler order). Returns how many were removed, or -1 when none
    was exposed."""
    exposures = np.zeros(enabler_active.size, np.int64)
    any_exposed = False
    for link in range(link_active.size):
        enabler = link_enabler[link]
        if link_active[link] and success_by_ocg[link_ocg[link]] and enabler_active[enabler]:
            exposures[enabler] += 1
            any_exposed = True
    if not any_exposed:
        return -1
    removed = 0
    for enabler in range(exposures.size):
        k = exposures[enabler]
        if k > 0:
            enabler_known[enabler] = True
            p_remove = p_remove_by_kind[enabler_kind[enabler]]
            chance = p_remove if k == 1 else 1.0 - (1.0 - p_remove) ** k
            if uniform(rng) < chance:
                enabler_active[enabler] = False
                removed += 1
    return removed


@kernel
def refer_exploited(arrested, member_ocg, member_role, member_referred, ocg_area, tally_values, rows):
    """Exploited people arrested, on the street or in an operation, are recognised as victims and
    referred to the NRM (criminal exploitation); `rows` are the tally rows of `STREET_TALLIES`."""
    n_areas = tally_values.shape[1]
    referrals_by_area = np.zeros(n_areas)
    repeat_by_area = np.zeros(n_areas)
    for member in arrested:
        if member_role[member] == EXPLOITED:
            area = ocg_area[member_ocg[member]]
            referrals_by_area[area] += 1.0
            if member_referred[member]:
                repeat_by_area[area] += 1.0
            member_referred[member] = True
    add_to_tally(tally_values, rows[0], referrals_by_area)
    add_to_tally(tally_values, rows[1], referrals_by_area)
    add_to_tally(tally_values, rows[2], repeat_by_area)


def street_arrests(model) -> None:
    """Reactive arrests of active workers and exploited members (unknown ones less often:
    `unknown_member_arrest_ratio`)."""
    members, params, tally = model.members, model.params, model.tally
    p = per_step_probability(params.street_arrest_prob_per_month, model.months_per_step)
    rows = tally.rows_of(STREET_TALLIES + ARREST_TALLIES)  # first: a new name may replace `tally.values`
    _street_kernel(rng_handle=generator_argument(model.streams["street_policing"]), active_row_parts=model.active_row_parts(),
                   p=float(p), unknown_ratio=float(params.unknown_member_arrest_ratio), member_ocg=members.ocg, member_role=members.role, member_status=members.status,
                   member_known=members.known, member_referred=members.referred,
                   verdict_month=members.verdict_month, on_bail=members.on_bail, ocg_area=model.ocgs.area,
                   leader_directing=model.ocgs.leader_directing, direction_draw=model.ocgs.direction_draw,
                   arrest_terms=_arrest_terms(model),
                   tally_values=tally.values, rows=rows)


@kernel
def _street_kernel(rng_handle, active_row_parts, p, unknown_ratio, member_ocg, member_role, member_status, member_known, member_referred,
                   verdict_month, on_bail, ocg_area, leader_directing, direction_draw, arrest_terms, tally_values, rows):
    """Street arrests: thinned draws over the active rows with chance `p` (`unknown_ratio` x `p`
    for unknown members), workers and exploited members only; exploited people arrested are referred to the
    NRM as victims; then `arrest_kernel` (`arrest_terms`: its scalars). `rows` are the tally rows
    of `STREET_TALLIES + ARREST_TALLIES`."""
    rng = as_generator(rng_handle)
    census_rows, first_new_row = active_row_parts  # `TwinModel.active_row_parts`
    candidate, u = thinned_listed(rng, census_rows, first_new_row, member_status.size, p)
    arrested = np.empty(candidate.size, np.int64)
    n_arrested = 0
    for hit in range(candidate.size):
        member = candidate[hit]
        # as numpy computed it: where(known, p, unknown_ratio * p) * (role >= WORKER) * (status == ACTIVE)
        p_each = ((p if member_known[member] else unknown_ratio * p) * (1.0 if member_role[member] >= WORKER else 0.0)
                  * (1.0 if member_status[member] == ACTIVE else 0.0))
        if u[hit] < p_each:
            arrested[n_arrested] = member
            n_arrested += 1
    arrested = arrested[:n_arrested]
    refer_exploited(arrested, member_ocg, member_role, member_referred, ocg_area, tally_values,
                    rows[:_N_STREET_TALLIES])
    arrest_kernel(rng, arrested, member_ocg, member_role, member_status, member_known, verdict_month, on_bail, ocg_area,
                  leader_directing, direction_draw, arrest_terms, tally_values, rows[_N_STREET_TALLIES:])
