"""Compiled kernels of the courts-and-prisons step (`justice.courts_and_prisons`).

`justice_step` does the whole step in one call: `courts_stage` (verdicts, sentences, who leaves
prison) draws from the "courts" stream and `release_stage` (releases, prison costs, decisions
after release) from the "release" stream, each in the order the numpy version drew them.

The streams come in as handles (`compiled.generator_argument`).
"""

from __future__ import annotations

import numba
import numpy as np

from twin.compiled import as_generator, kernel, uniform
from twin.shared_kernels import active_groups_by_area, add_to_tally, random_active_group
from twin.court_listing import bailed_first, hearings
from twin.vocabulary import ACTIVE, CHARGED, CORE, EXITED, LEADER, PRISON, RELEASED

@kernel
def justice_step(status, ocg, role, verdict_month, release_month, sentence_months, remand_months, on_bail, ocg_area,
                 ocg_active, ocg_leader, leader_directing, direction_draw, capital_gbp, tally, tally_rows,
                 mean_sentence_months, mid_month, month, step_months, conviction_prob, p_directs, served_share,
                 early_gap_share, places, remand_places, trial_slots, custody_limit_months, fine_gbp, cost_gbp,
                 decide_full, decide_half, reoffend_prob, sentence_shape, early_release_min_months, courts_handle,
                 release_handle):
    """The whole step: `courts_stage`, then `release_stage`. Returns whether any member became
    active again."""
    (released, waiting, normal, early, n_emergency, half_step, reactivated) = courts_stage(
        status, ocg, role, verdict_month, release_month, sentence_months, remand_months, on_bail, ocg_area,
        ocg_active, ocg_leader, leader_directing, direction_draw, capital_gbp, tally, tally_rows, mean_sentence_months,
        mid_month, month, step_months, conviction_prob, p_directs, served_share, early_gap_share, places,
        remand_places, trial_slots, custody_limit_months, fine_gbp, cost_gbp, sentence_shape, courts_handle)
    if release_stage(status, ocg, role, release_month, ocg_area, ocg_active, ocg_leader, leader_directing, tally,
                     tally_rows, released, waiting, normal, early, n_emergency, half_step, mid_month, -0.5 * cost_gbp,
                     decide_full, decide_half, reoffend_prob, early_release_min_months, release_handle):
        reactivated = True
    return reactivated


@kernel
def courts_stage(status, ocg, role, verdict_month, release_month, sentence_months, remand_months, on_bail, ocg_area,
                 ocg_active, ocg_leader, leader_directing, direction_draw, capital_gbp, tally, tally_rows,
                 mean_sentence_months, mid_month, month, step_months, conviction_prob, p_directs, served_share,
                 early_gap_share, places, remand_places, trial_slots, custody_limit_months, fine_gbp, cost_gbp,
                 sentence_shape, rng_handle):
    """Verdicts, bail when the custody limit passes, and who leaves prison this step.

    Finds the members charged (remanded in custody), in prison and released (`released`: those
    released before this step), and the members on bail awaiting trial (active, released with their
    group gone, or out of crime since: a case does not lapse because its defendant has left crime),
    each in row order. One convicted after leaving crime is back in the population, as a prisoner
    (tallied among the `joiners`).
    A case is ready on its `verdict_month`; the courts hear at most `trial_slots` cases this step
    (`hearings`: custody cases first, each list earliest ready first). The heard are convicted
    with `conviction_prob` (one uniform each, in row order), then the convicted are sentenced (one
    gamma draw of shape `sentence_shape` each, as `justice.imprison` draws; the custodial part,
    `served_share` of it less the time on remand (`remand_months`, as time on remand counts as time
    served), runs from the hearing, and one whose remand covers it is released at once; a leader
    convicted from bail and still in post then draws a uniform: below `p_directs`, the leader
    directs the group from prison) and tallied; the acquitted on remand go
    back (`member_returns`; `waiting`: those whose group has gone, in row order), those on bail
    carry on. A remanded defendant whose ready case has waited more than `custody_limit_months`
    unheard is released on bail (the custody time limit) and goes back in the same way, and while
    the remanded exceed `remand_places` (or the `places`, if fewer), so are those the courts bail
    first (`bailed_first`). Remand and sentence share the `places`: prisoners due out are
    `normal`; if the others and the remanded exceed the places, the prisons make room by releasing
    sentenced prisoners: those nearest their date among those who have served the early-release
    share go `early`, then if needed those nearest among the rest (the last `n_emergency` of
    `early`). Tallies the convictions, assets recovered (a fine, `fine_gbp`, per conviction, paid from
    the group's `capital_gbp` as far as it goes), bail releases, the cases ready but unheard at the end of the
    step (`court_backlog`) and the cost of every place occupied for the whole step, and counts by area
    the prisoners admitted this step (`half_step`, paid for half of it); the remanded at the end of the
    courts' stage are paid for the whole step, and each adds the step's length (`step_months`) to its
    time on remand. A heard case's time on remand is cleared. With every ready case heard and nobody
    on bail (the courts' capacity not reached) this is the step without court capacity, draw for
    draw. Returns (released, waiting, normal, early, n_emergency, half_step, reactivated).
    """
    rng = as_generator(rng_handle)
    n_areas = tally.shape[1]
    convictions_row, assets_row, cost_row = tally_rows[0], tally_rows[1], tally_rows[2]
    bail_row, backlog_row, joiners_row = tally_rows[8], tally_rows[9], tally_rows[10]
    # Rows by status, in row order: those in the justice system (statuses 1-3 are contiguous) and
    # those on bail (active, released or out of crime since), then split by status. The
    # loops write each row and advance only where it belongs: no branch, which a mix of statuses
    # would mispredict. One pass, on unsigned indices (as `members._census`), reading the bail
    # flags as bytes (a byte OR, not a test of the status: a third of the pass's time).
    u = np.uint64
    bail_bytes = on_bail.view(np.uint8)
    rows = np.empty(status.size + 1, np.int64)
    k = u(0)
    for i in range(status.size):
        rows[k] = i
        k += u(np.uint8(np.uint8(status[u(i)] - CHARGED) <= RELEASED - CHARGED) | bail_bytes[u(i)])
    n_rows = np.int64(k)
    charged = np.empty(n_rows + 1, np.int64)
    prisoners = np.empty(n_rows + 1, np.int64)
    released = np.empty(n_rows + 1, np.int64)
    bailed = np.empty(n_rows + 1, np.int64)
    n_charged = n_prisoners = n_released = n_bailed = 0
    # Branch-free as the pass above (`or` and `and` would branch on each row's status, which
    # follows no pattern), on an unsigned row (no wrap-around of negative indices).
    for j in range(n_rows):
        r = rows[j]
        s = status[u(r)]
        charged[n_charged] = r
        n_charged += s == CHARGED
        prisoners[n_prisoners] = r
        n_prisoners += s == PRISON
        released[n_released] = r
        n_released += s == RELEASED
        bailed[n_bailed] = r
        n_bailed += np.int64(np.uint8(s == ACTIVE) | (np.uint8(s >= RELEASED) & bail_bytes[u(r)]))

    # Courts: the cases heard; every conviction draw first, then the sentences of the convicted
    # (the numpy order).
    verdicts, unheard = hearings(verdict_month, charged[:n_charged], bailed[:n_bailed], mid_month, trial_slots)
    n_verdicts = verdicts.size
    convicted = np.empty(n_verdicts, np.bool_)
    for k in range(n_verdicts):
        convicted[k] = uniform(rng) < conviction_prob
    guilty = np.empty(n_verdicts, np.int64)
    waiting = np.empty(n_verdicts + n_charged + 1, np.int64)
    n_guilty = n_waiting = 0
    reactivated = False
    earliest_due = 2.0 * month - mid_month  # a case ready before this step's start waited: heard now
    if n_verdicts > 0:  # (the numpy version tallied nothing when no verdict was due)
        convictions = np.zeros(n_areas)
        assets_gbp = np.zeros(n_areas)
        returning = np.zeros(n_areas)  # convicted after leaving crime: back in the population
        for k in range(n_verdicts):
            r = verdicts[k]
            on_bail[r] = False
            if convicted[k]:
                heard = verdict_month[r] if verdict_month[r] >= earliest_due else month
                sentence = rng.gamma(sentence_shape, mean_sentence_months[role[r]] / sentence_shape)
                if status[r] == ACTIVE and role[r] == LEADER and ocg_leader[ocg[r]] == r:
                    # a leader tried from bail still leads: directs from prison or not, as one remanded at
                    # charge (`investigations.arrest_kernel`)
                    draw = uniform(rng)
                    direction_draw[ocg[r]] = draw
                    leader_directing[ocg[r]] = draw < p_directs
                area = ocg_area[ocg[r]]
                returning[area] += status[r] == EXITED
                status[r] = PRISON
                sentence_months[r] = sentence
                release_month[r] = heard + max(sentence * served_share - remand_months[r], 0.0)
                convictions[area] += 1.0
                paid = min(fine_gbp, max(capital_gbp[ocg[r]], 0.0))  # the group's capital, as far as it goes
                capital_gbp[ocg[r]] -= paid
                assets_gbp[area] += paid
                guilty[n_guilty] = r
                n_guilty += 1
        add_to_tally(tally, convictions_row, convictions)
        add_to_tally(tally, assets_row, assets_gbp)
        add_to_tally(tally, joiners_row, returning)
        for k in range(n_verdicts):
            r = verdicts[k]
            remand_months[r] = 0.0  # the case is over (its credit taken above)
            if not convicted[k] and status[r] == CHARGED:  # acquitted on remand: back (on bail: carries on)
                if member_returns(r, status, ocg, role, ocg_active, ocg_leader, leader_directing):
                    reactivated = True
                else:
                    waiting[n_waiting] = r
                    n_waiting += 1
    n_still = 0  # the released convicted from bail are in prison now: they decide nothing this step
    for j in range(n_released):
        released[n_still] = released[j]
        n_still += status[released[j]] == RELEASED
    n_released = n_still
    # Bail: remanded defendants whose ready case has waited unheard past the custody time limit,
    # then, while the remanded exceed the remand places (or all places), those the courts would
    # bail first.
    to_bail = np.empty(n_charged + 1, np.int64)
    n_to_bail = 0
    backlog = np.zeros(n_areas)
    for k in range(unheard.size):
        r = unheard[k]
        backlog[ocg_area[ocg[r]]] += 1.0
        to_bail[n_to_bail] = r
        n_to_bail += status[r] == CHARGED and month - verdict_month[r] > custody_limit_months
    if unheard.size > 0:
        add_to_tally(tally, backlog_row, backlog)
    remanded = np.empty(n_charged + 1, np.int64)
    n_remanded = 0
    for j in range(n_charged):
        r = charged[j]
        remanded[n_remanded] = r
        n_remanded += status[r] == CHARGED and not month - verdict_month[r] > custody_limit_months
    remand_ceiling = min(remand_places, places)
    if n_remanded > remand_ceiling:
        overflow = bailed_first(role, verdict_month, remanded[:n_remanded], n_remanded - int(remand_ceiling))
        for r in overflow:
            to_bail[n_to_bail] = r
            n_to_bail += 1
    if n_to_bail > 0:
        bail_releases = np.zeros(n_areas)
        for k in range(n_to_bail):
            r = to_bail[k]
            on_bail[r] = True
            bail_releases[ocg_area[ocg[r]]] += 1.0
            if member_returns(r, status, ocg, role, ocg_active, ocg_leader, leader_directing):
                reactivated = True
            else:
                waiting[n_waiting] = r
                n_waiting += 1
        add_to_tally(tally, bail_row, bail_releases)
        waiting[:n_waiting].sort()  # the acquitted and the bailed, in row order
    # Remand places occupied at the end of the step are paid for the whole step (remand is held in
    # the same prisons, in the same places, at the same cost per place).
    remand_cost_gbp = np.zeros(n_areas)
    n_on_remand = 0
    for j in range(n_charged):
        r = charged[j]
        if status[r] == CHARGED:
            remand_cost_gbp[ocg_area[ocg[r]]] += cost_gbp
            remand_months[r] += step_months
            n_on_remand += 1
    add_to_tally(tally, cost_row, remand_cost_gbp)

    # Prisons (those inside at the start, then those just convicted): who is due out, who may go
    # early; the cost of every place occupied; admissions (paid for half the step).
    n_inside = n_prisoners + n_guilty
    normal = np.empty(n_inside + 1, np.int64)
    staying = np.empty(n_inside + 1, np.int64)  # not due out, in the same order
    n_normal = n_staying = 0
    full_step = np.zeros(n_areas, np.int64)
    half_step = np.zeros(n_areas, np.int64)
    for j in range(n_inside):
        r = prisoners[j] if j < n_prisoners else guilty[j - n_prisoners]
        area = ocg_area[ocg[r]]
        full_step[area] += 1
        if j >= n_prisoners:
            half_step[area] += 1
        is_due = release_month[r] < mid_month
        normal[n_normal] = r
        n_normal += is_due
        staying[n_staying] = r
        n_staying += not is_due
    for area in range(n_areas):
        tally[cost_row, area] += repeated_sum(cost_gbp, full_step[area])
    # remand and sentence share the places; places may be fractional (a lever at part intensity)
    excess = int(np.ceil((n_staying + n_on_remand) - places))

    early = np.empty(0, np.int64)
    n_emergency = 0
    if excess > 0:
        # Those staying who have served the early-release share, and the others (each in the same
        # order): read only when the places are exceeded (seldom), which spares a pass its gather of
        # `sentence_months` at every other step.
        eligible = np.empty(n_staying + 1, np.int64)
        ineligible = np.empty(n_staying + 1, np.int64)
        n_eligible = n_ineligible = 0
        for j in range(n_staying):
            r = staying[j]
            is_eligible = release_month[r] - month <= sentence_months[r] * early_gap_share
            eligible[n_eligible] = r
            n_eligible += is_eligible
            ineligible[n_ineligible] = r
            n_ineligible += not is_eligible
        early = nearest_release_rows(release_month, eligible[:n_eligible], excess)
        if early.size < excess:  # still full: emergency release of the others nearest their date
            emergency = nearest_release_rows(release_month, ineligible[:n_ineligible], excess - early.size)
            n_emergency = emergency.size
            early = np.concatenate((early, emergency))
    return released[:n_released], waiting[:n_waiting], normal[:n_normal], early, n_emergency, half_step, reactivated


@kernel
def release_stage(status, ocg, role, release_month, ocg_area, ocg_active, ocg_leader, leader_directing, tally,
                  tally_rows, released_before, waiting, normal, early, n_emergency, half_step, mid_month,
                  half_step_cost_gbp, decide_full, decide_half, reoffend_prob, early_release_min_months, rng_handle):
    """Releases from prison and the decisions of released members; returns whether any member
    became active again.

    Releases `normal` and `early` (the last `n_emergency` of them emergency releases) and tallies
    them; a leader goes back to the group if it operates (`member_returns`), everyone else is
    released. The places of those released and of those admitted this step (`half_step`, counts
    by area) are refunded for half the step. Then each released member, in row order, decides
    with probability `decide_full` (`released_before` this step) or `decide_half` (released
    during it: from prison, or acquitted and `waiting`), one uniform each; those deciding return
    to crime with `reoffend_prob` (one uniform each), else leave it (one on bail is still tried). A
    returning member rejoins the old group if it operates, else a random active group in the same
    area (one uniform each, as `reassign_orphans` draws), else leaves.
    """
    rng = as_generator(rng_handle)
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
        if release_month[r] - mid_month > early_release_min_months:
            area = ocg_area[ocg[r]]
            early_releases[area] += 1.0
            if k >= early.size - n_emergency:
                emergency_releases[area] += 1.0
    add_to_tally(tally, releases_row, releases)
    add_to_tally(tally, early_row, early_releases)
    add_to_tally(tally, emergency_row, emergency_releases)
    # Released during the step: the acquitted waiting, and those out of prison (but leaders back in post).
    released_now = np.empty(waiting.size + n_out, np.int64)
    released_now[: waiting.size] = waiting
    n_now = waiting.size
    reactivated = False
    for k in range(n_out):
        r = normal[k] if k < normal.size else early[k - normal.size]
        if role[r] == LEADER:
            if member_returns(r, status, ocg, role, ocg_active, ocg_leader, leader_directing):
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
        tally[cost_row, area] += repeated_sum(half_step_cost_gbp, half_step[area])

    # Decisions of the released, in row order (a merge of the two sorted lists).
    n_released = released_before.size + n_now
    if n_released == 0:
        return reactivated
    deciding = np.empty(n_released, np.int64)
    n_deciding = 0
    j_before = j_now = 0
    for _ in range(n_released):
        if j_now == n_now or (j_before < released_before.size and released_before[j_before] < released_now[j_now]):
            r = released_before[j_before]
            j_before += 1
            decide = decide_full
        else:
            r = released_now[j_now]
            j_now += 1
            decide = decide_half
        if uniform(rng) < decide:
            deciding[n_deciding] = r
            n_deciding += 1
    back = np.empty(n_deciding, np.int64)
    n_back = 0
    leavers = np.zeros(n_areas)
    for k in range(n_deciding):
        r = deciding[k]
        if uniform(rng) < reoffend_prob:
            back[n_back] = r
            n_back += 1
        else:
            status[r] = EXITED
            leavers[ocg_area[ocg[r]]] += 1.0
    add_to_tally(tally, leavers_row, leavers)

    # Back to the old group if it operates, otherwise to a random active group in the same area.
    owner = np.empty(n_back, np.int64)
    n_orphans = 0
    for k in range(n_back):
        owner[k] = ocg[back[k]]
        if not ocg_active[owner[k]]:
            n_orphans += 1
    if n_orphans > 0:
        reassign_orphans(owner, ocg_area, ocg_active, n_areas, rng)
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
    add_to_tally(tally, leavers_row, unplaced)
    add_to_tally(tally, reoffenders_row, reoffenders)
    return reactivated


@kernel
def repeated_sum(value, count):
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
def member_returns(r, status, ocg, role, ocg_active, ocg_leader, leader_directing):
    """A member back from court or prison rejoins the group if it operates, else waits as released
    (a returning leader who has been replaced comes back as core); returns whether the member
    became active."""
    group = ocg[r]
    if not ocg_active[group]:
        status[r] = RELEASED
        return False
    status[r] = ACTIVE
    if role[r] == LEADER:  # one still in post stops directing from prison
        if ocg_leader[group] != r:
            role[r] = CORE
        else:
            leader_directing[group] = False
    return True


def numpy_nearest_release(release_month, rows, count):
    """The numpy version's choice (`tests/reference_impl.nearest_release`): the `count` of `rows`
    (taken in row order, as the numpy version listed them) nearest their release date, by numpy's
    partition."""
    rows = np.sort(rows)
    return rows[np.argpartition(release_month[rows], count - 1)[:count]]


@kernel
def nearest_release_rows(release_month, rows, count):
    """The `count` of `rows` nearest their release date (all when fewer), as the numpy version chose them.

    They are the rows whose date is at most the `count`-th smallest. When another row has that
    same date (a tie at the boundary; or a date is NaN), which of them go depends on numpy's
    partition algorithm: numpy chooses (`numpy_nearest_release`, run as Python).
    """
    if count >= rows.size:
        return rows
    months = np.empty(rows.size)
    has_nan = False
    for j in range(rows.size):
        months[j] = release_month[rows[j]]
        has_nan |= np.isnan(months[j])
    if not has_nan:
        threshold = np.partition(months, count - 1)[count - 1]
        n_within = 0
        for j in range(rows.size):
            n_within += months[j] <= threshold
        if n_within == count:
            chosen = np.empty(count, np.int64)
            k = 0
            for j in range(rows.size):
                chosen[k] = rows[j]
                k += months[j] <= threshold
                if k == count:
                    break
            return chosen
    return _numpy_choice(release_month, rows, count)


# Compiled as a kernel, but holding the GIL (no `nogil`) that running Python needs (numba warns otherwise).
@numba.njit(cache=True, error_model="numpy", boundscheck=False)
def _numpy_choice(release_month, rows, count):
    """`numpy_nearest_release`, run as Python from a kernel."""
    with numba.objmode(chosen="int64[::1]"):
        chosen = numpy_nearest_release(release_month, rows, count)
    return chosen


@kernel
def reassign_orphans(owner, ocg_area, ocg_active, n_areas, rng):
    """In place: each inactive group in `owner` becomes a random active group in its area (-1 where
    the area has none), one uniform per inactive group in order (none when no group operates anywhere)."""
    by_area, start, in_area = active_groups_by_area(ocg_active, ocg_area, n_areas)
    for k in range(owner.size):
        if not ocg_active[owner[k]]:
            if by_area.size == 0:  # no group operates anywhere (a small register can die out): no draw
                owner[k] = -1
            else:
                owner[k] = random_active_group(rng, ocg_area[owner[k]], by_area, start, in_area)
