"""Courts, prisons and release.

Charged members wait for their verdict (`court_delay_months` on average). A conviction sends
them to prison for a sentence drawn around the mean for their role, of which they serve
`served_share`. The places available bind: when SOC prisoners exceed them, those nearest their
release date who have served at least `early_release_served_share` go out early (as under SDS40
in 2024), and if that is not enough, the others nearest their date (an emergency release, as
under End of Custody Supervised Licence in 2023-24; seed 003: overcrowding means offences are
less likely to be punished by imprisonment). The `prison_places` lever adds places. Released
members return to crime (their old group if it still operates, otherwise another in the same
area) or leave it; the SOC register lever acts on that chance (the prevention lever acts on
desistance instead). A leader in prison may keep directing the group
(see `investigations.arrest`).

Timing does not depend on the step's length: a verdict or a release falls in the step whose
start is nearest its date (`due`: dated before the step's middle), a sentence runs from the
verdict's date, an early release is counted as early when it comes more than `EARLY_RELEASE_MIN_MONTHS` before the normal date,
prison places are paid for the part of the step they are occupied, and members released in a
step decide on their future over the half step they have been out.

The step's work is two compiled kernels (`twin.compiled`) over the rows of members charged, in
prison or released: `_courts_kernel` (verdicts, sentences, who leaves prison) draws from the
"courts" stream and `_release_kernel` (releases, prison costs, decisions after release) from the
"release" stream, in the order the numpy version drew them. `imprison`, `return_to_group`,
`nearest_release` and `random_active_ocg_in_area` stay numpy functions for the other callers
(set-up, succession) and do the same things as the kernels.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import kernel
from twin.vocabulary import ACTIVE, CHARGED, CORE, EXITED, EXPLOITED, LEADER, PRISON, RELEASED, WORKER

SENTENCE_GAMMA_SHAPE = 2.0  # spread of sentences around the mean for a role (assumption)
RELEASED_DECISION_MONTHS = 6.0  # mean time until a released member returns to crime or leaves it
#: a release counts as early when it comes more than this before the normal date (a month: releases
#: are scheduled by the month, so one a few days or weeks early is a normal release)
EARLY_RELEASE_MIN_MONTHS = 1.0


def due(model, month: np.ndarray) -> np.ndarray:
    """Events dated `month` that fall in this step: those dated before the step's middle (events
    due later in the step fall in the next one, so on average events happen on their date)."""
    return month < model.month + 0.5 * model.months_per_step


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
    shape = SENTENCE_GAMMA_SHAPE + (1.0 if already_inside else 0.0)
    sentence = rng.gamma(shape, mean / SENTENCE_GAMMA_SHAPE)
    to_serve = sentence * params.served_share
    if already_inside:
        to_serve *= rng.random(index.size)
    members.status[index] = PRISON
    members.sentence_months[index] = sentence
    members.release_month[index] = (model.month if start_month is None else start_month) + to_serve


#: the step's tallies, in the order of the kernels' `tally_rows`
TALLIED = ("convictions", "assets_recovered_gbp", "prison_cost_gbp", "prison_releases", "early_releases",
           "emergency_releases", "leavers", "reoffenders")


def courts_and_prisons(model) -> None:
    """Step 9: courts, prisons and released members, on one pass over the member table.

    Verdicts for members whose trial ends this step; releases at the normal point and early
    releases when prisons are full; prison costs; released members return to crime or leave it.
    The stages move members only among charged, prison, released, active and exited, so the rows
    found at the start (charged, in prison or released) hold everyone each stage looks at.
    """
    members, ocgs, params, modifiers, tally = model.members, model.ocgs, model.params, model.modifiers, model.tally
    tally_rows = tuple([tally.row(name) for name in TALLIED])
    values = tally.values  # after `row`, which may replace it
    mid_month = model.month + 0.5 * model.months_per_step  # events dated before it are `due`
    dt = model.months_per_step
    mean_sentence = (float(params.sentence_months_leader), float(params.sentence_months_core),  # by role index
                     float(params.sentence_months_worker), float(params.sentence_months_exploited))
    places = params.soc_prison_places + modifiers.extra_prison_places
    cost_gbp = params.prison_cost_gbp_per_place_year / 12 * model.months_per_step
    # Decisions after release come at a constant rate, a mean of RELEASED_DECISION_MONTHS after
    # release; those released during the step have been out for half of it.
    decide_full = float(-np.expm1(-dt / RELEASED_DECISION_MONTHS))
    decide_half = float(-np.expm1(-0.5 * dt / RELEASED_DECISION_MONTHS))
    reoffend = min(max(params.reoffend_prob_after_release * modifiers.reoffend_multiplier, 0.0), 1.0)
    status, ocg, role, release_month = members.status, members.ocg, members.role, members.release_month
    area, active, leader, leader_directing = ocgs.area, ocgs.active, ocgs.leader, ocgs.leader_directing
    release_rng = model.streams["release"]
    (chosen, released, waiting, normal, eligible, ineligible, excess, half_step, reactivated) = _justice_kernel(
        status, ocg, role, members.verdict_month, release_month, members.sentence_months, area, active, leader,
        leader_directing, values, tally_rows, mean_sentence, mid_month, model.month, float(params.conviction_prob),
        float(params.served_share), float(params.served_share - params.early_release_served_share), float(places),
        float(params.fine_gbp_per_conviction), float(cost_gbp), decide_full, decide_half, float(reoffend),
        model.streams["courts"], release_rng)
    if not chosen:
        # A tie at the boundary: numpy's partition decides who goes early, on the rows in row
        # order as the numpy version had them; then the releases and decisions.
        early = nearest_release(members, np.sort(eligible), excess)
        emergency = early[:0]
        if early.size < excess:
            emergency = nearest_release(members, np.sort(ineligible), excess - early.size)
            early = np.concatenate([early, emergency])
        reactivated |= _release_kernel(
            status, ocg, role, release_month, area, active, leader, leader_directing, values, tally_rows, released,
            waiting, normal, early, emergency.size, half_step, mid_month, float(-0.5 * cost_gbp), decide_full,
            decide_half, float(reoffend), release_rng)
    if reactivated:
        model.members_reactivated()


@kernel
def _justice_kernel(status, ocg, role, verdict_month, release_month, sentence_months, ocg_area, ocg_active,
                    ocg_leader, leader_directing, tally, tally_rows, mean_sentence_months, mid_month, month,
                    conviction_prob, served_share, early_gap_share, places, fine_gbp, cost_gbp, decide_full,
                    decide_half, reoffend_prob, courts_rng, release_rng):
    """The whole step: `_courts_kernel`, then `_release_kernel` unless a tie at the boundary
    leaves the choice of early releases to numpy (`chosen` false: the caller chooses them and
    calls `_release_kernel`).

    Returns (chosen, released, waiting, normal, eligible, ineligible, excess, half_step,
    reactivated), as `_courts_kernel` returns them.
    """
    (released, waiting, normal, eligible, ineligible, early, n_emergency, excess, chosen, half_step,
     reactivated) = _courts_kernel(status, ocg, role, verdict_month, release_month, sentence_months, ocg_area,
                                   ocg_active, ocg_leader, leader_directing, tally, tally_rows, mean_sentence_months,
                                   mid_month, month, conviction_prob, served_share, early_gap_share, places,
                                   fine_gbp, cost_gbp, courts_rng)
    if chosen:
        if _release_kernel(status, ocg, role, release_month, ocg_area, ocg_active, ocg_leader, leader_directing,
                           tally, tally_rows, released, waiting, normal, early, n_emergency, half_step, mid_month,
                           -0.5 * cost_gbp, decide_full, decide_half, reoffend_prob, release_rng):
            reactivated = True
    return chosen, released, waiting, normal, eligible, ineligible, excess, half_step, reactivated


@kernel
def _courts_kernel(status, ocg, role, verdict_month, release_month, sentence_months, ocg_area, ocg_active,
                   ocg_leader, leader_directing, tally, tally_rows, mean_sentence_months, mid_month, month,
                   conviction_prob, served_share, early_gap_share, places, fine_gbp, cost_gbp, rng):
    """Verdicts, and who leaves prison this step.

    Finds the members charged, in prison and released (`released`: those released before this
    step), each in row order. Members whose verdict is due are convicted with `conviction_prob`
    (one uniform each, in row order), then the convicted are sentenced (one gamma draw each, as
    `imprison` does) and tallied, and the acquitted go back (`return_to_group`; `waiting`: those
    whose group has gone, in row order). Prisoners due out are `normal`; if the others exceed the
    places, the `excess` nearest their date among those who have served the early-release share
    (`eligible`) go early, then if needed those nearest among the rest (`ineligible`; the last
    `n_emergency` of `early`). Tallies the convictions, assets recovered and the cost of every
    place occupied for the whole step, and counts by area the prisoners admitted this step
    (`half_step`, paid for half of it).

    Returns (released, waiting, normal, eligible, ineligible, early, n_emergency, excess, chosen,
    half_step, reactivated); `chosen` is false when a tie at the boundary left the early releases
    to numpy's partition (`nearest_release`). Only the order of `released` and `waiting` matters.
    """
    n_areas = tally.shape[1]
    convictions_row, assets_row, cost_row = tally_rows[0], tally_rows[1], tally_rows[2]
    # Rows by status, in row order: those in the justice system (statuses 1-3 are contiguous),
    # then split by status. The loops write each row and advance only where it belongs: no
    # branch, which a mix of statuses would mispredict.
    n_rows = 0
    for i in range(status.size):
        n_rows += np.uint8(status[i] - CHARGED) <= RELEASED - CHARGED
    rows = np.empty(n_rows + 1, np.int64)
    k = 0
    for i in range(status.size):
        rows[k] = i
        k += np.uint8(status[i] - CHARGED) <= RELEASED - CHARGED
    charged = np.empty(n_rows + 1, np.int64)
    prisoners = np.empty(n_rows + 1, np.int64)
    released = np.empty(n_rows + 1, np.int64)
    n_charged = 0
    n_prisoners = 0
    n_released = 0
    for j in range(n_rows):
        r = rows[j]
        charged[n_charged] = r
        n_charged += status[r] == CHARGED
        prisoners[n_prisoners] = r
        n_prisoners += status[r] == PRISON
        released[n_released] = r
        n_released += status[r] == RELEASED

    # Courts: every conviction draw first, then the sentences of the convicted (the numpy order).
    verdicts = np.empty(n_charged + 1, np.int64)
    n_verdicts = 0
    for j in range(n_charged):
        verdicts[n_verdicts] = charged[j]
        n_verdicts += verdict_month[charged[j]] < mid_month
    convicted = np.empty(n_verdicts, np.bool_)
    for k in range(n_verdicts):
        convicted[k] = rng.random() < conviction_prob
    guilty = np.empty(n_verdicts, np.int64)
    n_guilty = 0
    waiting = np.empty(n_verdicts, np.int64)
    n_waiting = 0
    reactivated = False
    if n_verdicts > 0:  # (the numpy version tallied nothing when no verdict was due)
        convictions = np.zeros(n_areas)
        assets_gbp = np.zeros(n_areas)
        for k in range(n_verdicts):
            r = verdicts[k]
            if convicted[k]:
                sentence = rng.gamma(SENTENCE_GAMMA_SHAPE, mean_sentence_months[role[r]] / SENTENCE_GAMMA_SHAPE)
                status[r] = PRISON
                sentence_months[r] = sentence
                release_month[r] = verdict_month[r] + sentence * served_share
                area = ocg_area[ocg[r]]
                convictions[area] += 1.0
                assets_gbp[area] += fine_gbp
                guilty[n_guilty] = r
                n_guilty += 1
        for area in range(n_areas):
            tally[convictions_row, area] += convictions[area]
        for area in range(n_areas):
            tally[assets_row, area] += assets_gbp[area]
        for k in range(n_verdicts):
            if not convicted[k]:
                r = verdicts[k]
                if _return_to_group(r, status, ocg, role, ocg_active, ocg_leader, leader_directing):
                    reactivated = True
                else:
                    waiting[n_waiting] = r
                    n_waiting += 1

    # Prisons (those inside at the start, then those just convicted): who is due out, who may go
    # early; the cost of every place occupied; admissions (paid for half the step).
    n_inside = n_prisoners + n_guilty
    normal = np.empty(n_inside + 1, np.int64)
    eligible = np.empty(n_inside + 1, np.int64)
    ineligible = np.empty(n_inside + 1, np.int64)
    n_normal = 0
    n_eligible = 0
    n_ineligible = 0
    full_step = np.zeros(n_areas, np.int64)
    half_step = np.zeros(n_areas, np.int64)
    for j in range(n_inside):
        r = prisoners[j] if j < n_prisoners else guilty[j - n_prisoners]
        area = ocg_area[ocg[r]]
        full_step[area] += 1
        if j >= n_prisoners:
            half_step[area] += 1
        is_due = release_month[r] < mid_month
        # served the early-release share (only used when the places are exceeded)
        is_eligible = release_month[r] - month <= sentence_months[r] * early_gap_share
        normal[n_normal] = r
        n_normal += is_due
        eligible[n_eligible] = r
        n_eligible += (not is_due) and is_eligible
        ineligible[n_ineligible] = r
        n_ineligible += (not is_due) and not is_eligible
    for area in range(n_areas):
        tally[cost_row, area] += _repeated_sum(cost_gbp, full_step[area])
    excess = int(np.ceil((n_eligible + n_ineligible) - places))  # places may be fractional (a lever at part intensity)

    early = np.empty(0, np.int64)
    n_emergency = 0
    chosen = True
    if excess > 0:
        early, chosen = _nearest_release(release_month, eligible[:n_eligible], excess)
        if chosen and early.size < excess:  # still full: emergency release of the others nearest their date
            emergency, chosen = _nearest_release(release_month, ineligible[:n_ineligible], excess - early.size)
            n_emergency = emergency.size
            early = np.concatenate((early, emergency))
    return (released[:n_released], waiting[:n_waiting], normal[:n_normal], eligible[:n_eligible],
            ineligible[:n_ineligible], early, n_emergency, excess, chosen, half_step, reactivated)


@kernel
def _release_kernel(status, ocg, role, release_month, ocg_area, ocg_active, ocg_leader, leader_directing, tally,
                    tally_rows, released_before, waiting, normal, early, n_emergency, half_step, mid_month,
                    half_step_cost_gbp, decide_full, decide_half, reoffend_prob, rng):
    """Releases from prison and the decisions of released members; returns whether any member
    became active again.

    Releases `normal` and `early` (the last `n_emergency` of them emergency releases) and tallies
    them; a leader goes back to the group if it operates (`return_to_group`), everyone else is
    released. The places of those released and of those admitted this step (`half_step`, counts
    by area) are refunded for half the step. Then each released member, in row order, decides
    with probability `decide_full` (`released_before` this step) or `decide_half` (released
    during it: from prison, or acquitted and `waiting`), one uniform each; those deciding return
    to crime with `reoffend_prob` (one uniform each), else leave it. A returning member rejoins
    the old group if it operates, else a random active group in the same area (one uniform each,
    as `random_active_ocg_in_area` draws), else leaves.
    """
    n_areas = tally.shape[1]
    cost_row, releases_row, early_row, emergency_row = tally_rows[2], tally_rows[3], tally_rows[4], tally_rows[5]
    leavers_row, reoffenders_row = tally_rows[6], tally_rows[7]
    releases = np.zeros(n_areas)
    early_releases = np.zeros(n_areas)
    emergency_releases = np.zeros(n_areas)
    n_out = normal.size + early.size
    for k in range(n_out):
        r = normal[k] if k < normal.size else early[k - normal.size]
        area = ocg_area[ocg[r]]
        releases[area] += 1.0
        half_step[area] += 1
    for k in range(early.size):
        r = early[k]
        if release_month[r] - mid_month > EARLY_RELEASE_MIN_MONTHS:
            area = ocg_area[ocg[r]]
            early_releases[area] += 1.0
            if k >= early.size - n_emergency:
                emergency_releases[area] += 1.0
    for area in range(n_areas):
        tally[releases_row, area] += releases[area]
    for area in range(n_areas):
        tally[early_row, area] += early_releases[area]
    for area in range(n_areas):
        tally[emergency_row, area] += emergency_releases[area]
    # Released during the step: the acquitted waiting, and those out of prison (but leaders back in post).
    released_now = np.empty(waiting.size + n_out, np.int64)
    released_now[: waiting.size] = waiting
    n_now = waiting.size
    reactivated = False
    for k in range(n_out):
        r = normal[k] if k < normal.size else early[k - normal.size]
        if role[r] == LEADER:
            if _return_to_group(r, status, ocg, role, ocg_active, ocg_leader, leader_directing):
                reactivated = True
            # As the numpy version did: a leader replaced while inside rejoins as core, and is then
            # released with the non-leaders (and decides on his future with them).
            if role[r] != LEADER:
                status[r] = RELEASED
        else:
            status[r] = RELEASED
        if status[r] == RELEASED:
            released_now[n_now] = r
            n_now += 1
    released_now = np.sort(released_now[:n_now])
    for area in range(n_areas):  # the places of those released and admitted, refunded for half the step
        tally[cost_row, area] += _repeated_sum(half_step_cost_gbp, half_step[area])

    # Decisions of the released, in row order (a merge of the two sorted lists).
    n_released = released_before.size + n_now
    if n_released == 0:
        return reactivated
    deciding = np.empty(n_released, np.int64)
    n_deciding = 0
    j_before = 0
    j_now = 0
    for _ in range(n_released):
        if j_now == n_now or (j_before < released_before.size and released_before[j_before] < released_now[j_now]):
            r = released_before[j_before]
            j_before += 1
            decide = decide_full
        else:
            r = released_now[j_now]
            j_now += 1
            decide = decide_half
        if rng.random() < decide:
            deciding[n_deciding] = r
            n_deciding += 1
    back = np.empty(n_deciding, np.int64)
    n_back = 0
    leavers = np.zeros(n_areas)
    for k in range(n_deciding):
        r = deciding[k]
        if rng.random() < reoffend_prob:
            back[n_back] = r
            n_back += 1
        else:
            status[r] = EXITED
            leavers[ocg_area[ocg[r]]] += 1.0
    for area in range(n_areas):
        tally[leavers_row, area] += leavers[area]

    # Back to the old group if it operates, otherwise to a random active group in the same area.
    owner = np.empty(n_back, np.int64)
    n_orphans = 0
    for k in range(n_back):
        owner[k] = ocg[back[k]]
        if not ocg_active[owner[k]]:
            n_orphans += 1
    if n_orphans > 0:
        _random_active_ocg_in_area(owner, ocg_area, ocg_active, n_areas, rng)
    unplaced = np.zeros(n_areas)
    reoffenders = np.zeros(n_areas)
    for k in range(n_back):
        r = back[k]
        group = owner[k]
        if group >= 0:
            ocg[r] = group
            status[r] = ACTIVE
            reactivated = True
            if role[r] == LEADER and ocg_leader[group] != r:
                role[r] = CORE
            reoffenders[ocg_area[group]] += 1.0
        else:
            status[r] = EXITED
            unplaced[ocg_area[ocg[r]]] += 1.0
    for area in range(n_areas):
        tally[leavers_row, area] += unplaced[area]
    for area in range(n_areas):
        tally[reoffenders_row, area] += reoffenders[area]
    return reactivated


@kernel
def _repeated_sum(value, count):
    """`value` added `count` times from zero, one addition after another (as `np.bincount` adds
    equal weights): `count * value` when every partial sum is exact (a whole number below 2**53),
    else the additions themselves."""
    if count == 0 or value == 0.0:
        return 0.0  # 0.0 + 0.0 (or + -0.0) is 0.0, where count * value may be -0.0
    if value == np.floor(value) and count * abs(value) < 2.0 ** 53:
        return count * value
    total = 0.0
    for _ in range(count):
        total += value
    return total


@kernel
def _return_to_group(r, status, ocg, role, ocg_active, ocg_leader, leader_directing):
    """`return_to_group` for one member `r`; returns whether the member became active."""
    group = ocg[r]
    if not ocg_active[group]:
        status[r] = RELEASED
        return False
    status[r] = ACTIVE
    if role[r] == LEADER:
        # A returning leader who has been replaced comes back as core; one still in post stops directing from prison.
        if ocg_leader[group] != r:
            role[r] = CORE
        else:
            leader_directing[group] = False
    return True


@kernel
def _nearest_release(release_month, rows, count):
    """`nearest_release` without numpy's argpartition: the `count` of `rows` nearest their
    release date, in row order, and whether they are the only possible choice.

    They are all the rows whose date is at most the `count`-th smallest. When another row has
    that same date (a tie at the boundary; or a NaN date) the choice depends on the partition
    algorithm: returns (empty, False) and the caller asks numpy (`nearest_release`).
    """
    if count >= rows.size:
        return rows, True
    months = np.empty(rows.size)
    for j in range(rows.size):
        months[j] = release_month[rows[j]]
        if np.isnan(months[j]):
            return np.empty(0, np.int64), False
    threshold = np.partition(months, count - 1)[count - 1]
    n_within = 0
    for j in range(rows.size):
        if months[j] <= threshold:
            n_within += 1
    if n_within != count:
        return np.empty(0, np.int64), False
    chosen = np.empty(count, np.int64)
    k = 0
    for j in range(rows.size):
        if months[j] <= threshold:
            chosen[k] = rows[j]
            k += 1
    return chosen, True


@kernel
def _random_active_ocg_in_area(owner, ocg_area, ocg_active, n_areas, rng):
    """`random_active_ocg_in_area` in place: each inactive group in `owner` becomes a random active
    group in its area (-1 where the area has none), one uniform per inactive group in order (none
    when no group operates anywhere)."""
    in_area = np.zeros(n_areas, np.int64)
    n_active = 0
    for group in range(ocg_active.size):
        if ocg_active[group]:
            in_area[ocg_area[group]] += 1
            n_active += 1
    if n_active == 0:  # no group operates anywhere (a small register can die out)
        for k in range(owner.size):
            if not ocg_active[owner[k]]:
                owner[k] = -1
        return
    # Active groups ordered by area, in index order within an area (the stable sort's order).
    start = np.zeros(n_areas, np.int64)
    for area in range(1, n_areas):
        start[area] = start[area - 1] + in_area[area - 1]
    filled = start.copy()
    order = np.empty(n_active, np.int64)
    for group in range(ocg_active.size):
        if ocg_active[group]:
            order[filled[ocg_area[group]]] = group
            filled[ocg_area[group]] += 1
    for k in range(owner.size):
        if not ocg_active[owner[k]]:
            area = ocg_area[owner[k]]
            n = in_area[area]
            pick = start[area] + np.int64(rng.random() * max(n, 1))
            owner[k] = order[min(pick, n_active - 1)] if n > 0 else -1


def return_to_group(model, index: np.ndarray) -> None:
    """Members back from court or prison rejoin their group if it operates, else wait as released."""
    members, ocgs = model.members, model.ocgs
    owner = members.ocg[index]
    back = ocgs.active[owner]
    rejoin, wait = index[back], index[~back]
    members.status[rejoin] = ACTIVE
    members.status[wait] = RELEASED
    if rejoin.size:
        model.members_reactivated()
    # A returning leader who has been replaced comes back as core; one still in post stops directing from prison.
    returning_leader = rejoin[members.role[rejoin] == LEADER]
    replaced = ocgs.leader[members.ocg[returning_leader]] != returning_leader
    members.role[returning_leader[replaced]] = CORE
    ocgs.leader_directing[members.ocg[returning_leader[~replaced]]] = False


def nearest_release(members, rows: np.ndarray, count: int) -> np.ndarray:
    """The `count` of `rows` nearest their release date (all when fewer; a partition, not a sort)."""
    if count >= rows.size:
        return rows
    return rows[np.argpartition(members.release_month[rows], count - 1)[:count]]


def random_active_ocg_in_area(model, area: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random active OCG in each given area (-1 where the area has none)."""
    ocgs = model.ocgs
    if area.size == 0:
        return np.empty(0, dtype=np.int64)
    active = ocgs.active.nonzero()[0]
    if active.size == 0:  # no group operates anywhere (a small register can die out)
        return np.full(area.size, -1, dtype=np.int64)
    order = active[np.argsort(ocgs.area[active].astype(np.int16), kind="stable")]  # radix sort on areas
    counts = np.bincount(ocgs.area[order], minlength=model.geography.n_areas)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    n = counts[area]
    pick = starts[area] + (rng.random(area.size) * np.maximum(n, 1)).astype(np.int64)
    return np.where(n > 0, order[np.minimum(pick, order.size - 1)], -1)
