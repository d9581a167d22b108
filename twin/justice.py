"""Courts, prisons and release.

Charged members are remanded in custody (`remand_prob`; the others are bailed at charge and carry
on in their group, `investigations.arrest_kernel`) until their case is ready (`court_delay_months`
on average) and heard. The courts hear at most `court_capacity_trials_per_month` cases (the
`court_capacity` lever adds more), custody cases first and the earliest ready first; a remanded
defendant whose ready case waits more than `custody_time_limit_months` unheard is released on bail
and goes back to crime until the case is heard (`Members.on_bail`). A conviction sends them to
prison for a sentence drawn around the mean for their role, of which they serve `served_share`.
Remand and sentence share the prison places (`soc_prison_places`): when SOC prisoners and the
remanded exceed them, the prisons make room by releasing sentenced prisoners: those nearest their
release date who have served at least `early_release_served_share` go out early (as under SDS40
in 2024), and if that is not enough, the others nearest their date (an emergency release, as
under End of Custody Supervised Licence in 2023-24; source 003: overcrowding means offences are
less likely to be punished by imprisonment; the remand population of England and Wales, 17,070
in June 2024, was a record). The courts hold at most `soc_remand_places` on remand: beyond it (or
beyond all the places) they bail exploited members and workers before core members and leaders.
The `prison_places` lever adds places. Released members return to crime (their old group if it
still operates, otherwise another in the same area) or leave it; the SOC register lever acts on
that chance (the prevention lever acts on desistance instead). A leader in prison may keep
directing the group: one remanded at charge decides at once (`investigations.arrest_kernel`), one
tried from bail when convicted, with the same chance (`directs_from_prison_prob`). A defendant on
bail who leaves crime (the group dissolved, or a decision after release from remand) is still tried
and, if convicted, is back in the population as a prisoner (counted among the `joiners`); only an
exploited defendant safeguarded out of crime has the case dropped. Defendants on
remand occupy places paid for at the prison cost per place (the remand at the end of a step, for
the whole step), counted in `response_cost_gbp_prisons`.

Timing does not depend on the step's length: a verdict or a release falls in the step whose
start is nearest its date (dated before the step's middle), a sentence runs from the
verdict's date, an early release is counted as early when it comes more than `EARLY_RELEASE_MIN_MONTHS` before the normal date,
prison places are paid for the part of the step they are occupied, and members released in a
step decide on their future over the half step they have been out.

The step is one compiled kernel (`justice_kernels.justice_step`) over the members charged, in
prison or released, drawing from the "courts" and "release" streams in the order the numpy version
drew them. `imprison` stays a numpy function for the set-up; `nearest_release` is the numpy rule
the kernel's choice of early releases is tested against.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import generator_argument
from twin.justice_kernels import justice_step
from twin.vocabulary import CHARGED, CORE, EXPLOITED, LEADER, PRISON, WORKER

#: a release counts as early when it comes more than this before the normal date (a month: releases
#: are scheduled by the month, so one a few days or weeks early is a normal release)
EARLY_RELEASE_MIN_MONTHS = 1.0


def sentence_means(params) -> np.ndarray:
    mean = np.zeros(4)
    mean[[LEADER, CORE, WORKER, EXPLOITED]] = [params.sentence_months_leader, params.sentence_months_core,
                                               params.sentence_months_worker, params.sentence_months_exploited]
    return mean


def imprison(model, index: np.ndarray, rng: np.random.Generator, already_inside: bool = False,
             start_month: np.ndarray | None = None) -> None:
    """Sentence members to prison, from `start_month` (the verdict's date; now when None).

    With `already_inside` (prisoners at the start of a run) the sentence is drawn length-biased,
    as a prisoner found inside at a random time is, and part of it is already served.
    """
    members, params = model.members, model.params
    mean = sentence_means(params)[members.role[index]]
    shape = params.sentence_gamma_shape + (1.0 if already_inside else 0.0)
    sentence = rng.gamma(shape, mean / params.sentence_gamma_shape)
    to_serve = sentence * params.served_share
    if already_inside:
        to_serve *= rng.random(index.size)
    members.status[index] = PRISON
    members.sentence_months[index] = sentence
    members.release_month[index] = (model.month if start_month is None else start_month) + to_serve


#: the step's tallies, in the order of the kernels' `tally_rows`
TALLIED = ("convictions", "assets_recovered_gbp", "prison_cost_gbp", "prison_releases", "early_releases",
           "emergency_releases", "leavers", "reoffenders", "bail_releases", "court_backlog", "joiners")


def courts_and_prisons(model) -> None:
    """Step 9: courts, prisons and released members, on one pass over the member table.

    Verdicts for members whose trial ends this step; releases at the normal point and early
    releases when prisons are full; prison costs; released members return to crime or leave it.
    The stages move members only among charged, prison, released, active and exited, so the rows
    found at the start (charged, in prison or released) hold everyone each stage looks at.
    """
    members, ocgs, params, modifiers, tally = model.members, model.ocgs, model.params, model.modifiers, model.tally
    tally_rows = tally.rows_of(TALLIED)
    values = tally.values  # after `row`, which may replace it
    mid_month = model.month + 0.5 * model.months_per_step  # events dated before it are `due`
    dt = model.months_per_step
    mean_sentence = sentence_means(params)  # by role index
    places = params.soc_prison_places + modifiers.extra_prison_places
    cost_gbp = params.prison_cost_gbp_per_place_year / 12 * model.months_per_step
    # Decisions after release come at a constant rate, a mean of `released_decision_months` after
    # release; those released during the step have been out for half of it.
    decide_full = float(-np.expm1(-dt / params.released_decision_months))
    decide_half = float(-np.expm1(-0.5 * dt / params.released_decision_months))
    reoffend = min(max(params.reoffend_prob_after_release * modifiers.reoffend_multiplier, 0.0), 1.0)
    if justice_step(
        status=members.status, ocg=members.ocg, role=members.role, verdict_month=members.verdict_month,
        release_month=members.release_month, sentence_months=members.sentence_months,
        remand_months=members.remand_months, on_bail=members.on_bail, ocg_area=ocgs.area, ocg_active=ocgs.active,
        ocg_leader=ocgs.leader, leader_directing=ocgs.leader_directing, direction_draw=ocgs.direction_draw,
        capital_gbp=ocgs.capital_gbp, tally=values, tally_rows=tally_rows, mean_sentence_months=mean_sentence,
        mid_month=mid_month, month=model.month, step_months=float(dt), conviction_prob=float(params.conviction_prob),
        p_directs=directs_from_prison_prob(model), served_share=float(params.served_share),
        early_gap_share=float(params.served_share - params.early_release_served_share), places=float(places),
        remand_places=float(params.soc_remand_places), trial_slots=trial_slots(model),
        custody_limit_months=float(params.custody_time_limit_months), fine_gbp=float(params.fine_gbp_per_conviction),
        cost_gbp=float(cost_gbp), decide_full=decide_full, decide_half=decide_half, reoffend_prob=float(reoffend),
        sentence_shape=float(params.sentence_gamma_shape), early_release_min_months=EARLY_RELEASE_MIN_MONTHS,
        courts_handle=generator_argument(model.streams["courts"]),
        release_handle=generator_argument(model.streams["release"])):
        model.members_reactivated()


def redraw_direction(model) -> None:
    """Re-read, when the chance of directing from prison has changed since the last step (a
    `prison_restrictions` lever starting, ramping or ending), which imprisoned leaders direct their
    groups: each remanded or imprisoned leader still in post directs while the uniform drawn when
    they were locked up (`OCGs.direction_draw`) is below the chance now in force. The same draws
    decide, so a lever acts on the leaders already inside as on those sent there later, and no
    stream draws more. Leaders locked up before any draw (the register's) keep their flag."""
    p_directs = directs_from_prison_prob(model)
    if p_directs == model.directs_prob_in_force:
        return
    model.directs_prob_in_force = p_directs
    ocgs, status = model.ocgs, model.members.status
    leader = ocgs.leader
    groups = (ocgs.active & (leader >= 0)).nonzero()[0]
    leaders = leader[groups]
    draws = ocgs.direction_draw[groups]
    inside = ((status[leaders] == PRISON) | (status[leaders] == CHARGED)) & ~np.isnan(draws)
    ocgs.leader_directing[groups[inside]] = draws[inside] < p_directs


def directs_from_prison_prob(model) -> float:
    """Chance a leader sent to remand or prison keeps directing the group (`prison_restrictions` act on it)."""
    p_directs = model.params.leader_directs_from_prison_prob * model.modifiers.prison_direction_multiplier
    return min(max(float(p_directs), 0.0), 1.0)


#: trial slots a step can hold at most (a capacity beyond any caseload: every ready case is heard)
MAX_TRIAL_SLOTS = 2**62


def trial_slots(model) -> int:
    """Cases the courts can hear this step: `court_capacity_trials_per_month` (plus what
    `court_capacity` levers add) over the step, in whole cases; the fraction left over is carried to
    the next step (`model.court_slot_carry`), so that weekly and monthly steps hear the same number
    a year. A slot not used is lost (a sitting day does not keep)."""
    capacity = ((model.params.court_capacity_trials_per_month + model.modifiers.extra_court_trials_per_month)
                * model.months_per_step + model.court_slot_carry)
    if not capacity < MAX_TRIAL_SLOTS:
        return MAX_TRIAL_SLOTS
    slots = int(capacity)
    model.court_slot_carry = capacity - slots
    return slots
