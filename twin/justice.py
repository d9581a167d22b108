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
"""

from __future__ import annotations

import numpy as np

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


def in_justice_system(members) -> np.ndarray:
    """Rows of members charged, in prison or released (one pass; statuses 1-3 are contiguous)."""
    return ((members.status - CHARGED).view(np.uint8) <= RELEASED - CHARGED).nonzero()[0]


def courts_and_prisons(model) -> None:
    """Step 9: courts, prisons and released members, on one pass over the member table.

    The three stages move members only among charged, prison, released, active and exited, so
    the rows found at the start hold everyone each stage looks at (in the same order as a fresh
    scan would find them).
    """
    rows = in_justice_system(model.members)
    status_before = model.members.status[rows]
    courts(model, rows)
    prisons(model, rows, status_before == CHARGED)
    released_decisions(model, rows, status_before == RELEASED)


def courts(model, rows: np.ndarray | None = None) -> None:
    """Verdicts for members whose trial ends this step."""
    members, params, ocgs = model.members, model.params, model.ocgs
    rng = model.streams["courts"]
    rows = in_justice_system(members) if rows is None else rows
    charged = np.compress(members.status[rows] == CHARGED, rows)
    verdicts = np.compress(due(model, members.verdict_month[charged]), charged)
    if verdicts.size == 0:
        return
    convicted = rng.random(verdicts.size) < params.conviction_prob
    guilty, acquitted = verdicts[convicted], verdicts[~convicted]
    imprison(model, guilty, rng, start_month=members.verdict_month[guilty])
    area = ocgs.area[members.ocg[guilty]]
    model.tally.add("convictions", area)
    model.tally.add("assets_recovered_gbp", area, np.full(guilty.size, params.fine_gbp_per_conviction))
    return_to_group(model, acquitted)


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


def prisons(model, rows: np.ndarray | None = None, charged_before: np.ndarray | None = None) -> None:
    """Releases at the normal point, early releases when full, prison costs. `charged_before`
    marks the `rows` that were awaiting trial at the start of the step: those now in prison came
    in during it, and are paid for half the step."""
    members, params = model.members, model.params
    rows = in_justice_system(members) if rows is None else rows
    is_prisoner = members.status[rows] == PRISON
    in_prison = np.compress(is_prisoner, rows)
    normal = due(model, members.release_month[in_prison])
    released = np.compress(normal, in_prison)
    remaining = np.compress(~normal, in_prison)
    places = params.soc_prison_places + model.modifiers.extra_prison_places
    excess = int(np.ceil(remaining.size - places))  # places may be fractional (a lever at part intensity)
    early = emergency = np.empty(0, dtype=np.int64)
    if excess > 0:
        left = members.release_month[remaining] - model.month
        eligible_gap = members.sentence_months[remaining] * (params.served_share - params.early_release_served_share)
        is_eligible = left <= eligible_gap
        early = nearest_release(members, np.compress(is_eligible, remaining), excess)
        if early.size < excess:  # still full: emergency release of the others nearest their date
            emergency = nearest_release(members, np.compress(~is_eligible, remaining), excess - early.size)
            early = np.concatenate([early, emergency])
    out = np.concatenate([released, early])
    area = model.ocgs.area[members.ocg[out]]
    model.tally.add("prison_releases", area)
    mid_step = model.month + 0.5 * model.months_per_step
    counted = members.release_month[early] - mid_step > EARLY_RELEASE_MIN_MONTHS
    model.tally.add("early_releases", model.ocgs.area[members.ocg[early[counted]]])
    emergency_counted = early[early.size - emergency.size:][counted[early.size - emergency.size:]]
    model.tally.add("emergency_releases", model.ocgs.area[members.ocg[emergency_counted]])
    return_to_group(model, out[members.role[out] == LEADER])
    others = out[members.role[out] != LEADER]
    members.status[others] = RELEASED

    # Places are paid for while occupied: those released or admitted this step for half of it.
    cost = params.prison_cost_gbp_per_place_year / 12 * model.months_per_step
    model.tally.add("prison_cost_gbp", model.ocgs.area[members.ocg[in_prison]], np.full(in_prison.size, cost))
    half_step = [area]  # released this step
    if charged_before is not None:
        half_step.append(model.ocgs.area[members.ocg[np.compress(is_prisoner & charged_before, rows)]])  # admitted this step
    half_step = np.concatenate(half_step)
    model.tally.add("prison_cost_gbp", half_step, np.full(half_step.size, -0.5 * cost))


def nearest_release(members, rows: np.ndarray, count: int) -> np.ndarray:
    """The `count` of `rows` nearest their release date (all when fewer; a partition, not a sort)."""
    if count >= rows.size:
        return rows
    return rows[np.argpartition(members.release_month[rows], count - 1)[:count]]


def released_decisions(model, rows: np.ndarray | None = None, released_before: np.ndarray | None = None) -> None:
    """Released members return to crime or leave it.

    `released_before` marks the `rows` released before this step: they decide at the step's
    rate; those released during the step have been out for half of it, and decide at that rate.
    """
    members, ocgs, params = model.members, model.ocgs, model.params
    rng = model.streams["release"]
    rows = in_justice_system(members) if rows is None else rows
    is_released = members.status[rows] == RELEASED
    released = np.compress(is_released, rows)
    if released.size == 0:
        return
    # Decisions come at a constant rate, a mean of RELEASED_DECISION_MONTHS after release.
    dt = model.months_per_step
    decide = np.full(released.size, -np.expm1(-dt / RELEASED_DECISION_MONTHS))
    if released_before is not None:
        decide[(~np.compress(is_released, released_before)).nonzero()[0]] = -np.expm1(
            -0.5 * dt / RELEASED_DECISION_MONTHS)
    u = rng.random(released.size)
    deciding = released[u < decide]
    reoffend = min(max(params.reoffend_prob_after_release * model.modifiers.reoffend_multiplier, 0.0), 1.0)
    returning = rng.random(deciding.size) < reoffend
    leaving = deciding[~returning]
    members.status[leaving] = EXITED
    model.tally.add("leavers", ocgs.area[members.ocg[leaving]])
    back = deciding[returning]
    # Back to the old group if it operates, otherwise to a random active group in the same area.
    owner = members.ocg[back]
    orphan = ~ocgs.active[owner]
    new_owner = random_active_ocg_in_area(model, ocgs.area[owner[orphan]], rng)
    owner[orphan] = new_owner
    placed = owner >= 0
    members.ocg[back[placed]] = owner[placed]
    members.status[back[placed]] = ACTIVE
    if placed.any():
        model.members_reactivated()
    demoted = back[placed & (members.role[back] == LEADER)]
    members.role[demoted[ocgs.leader[members.ocg[demoted]] != demoted]] = CORE
    unplaced = back[~placed]
    members.status[unplaced] = EXITED
    model.tally.add("leavers", ocgs.area[members.ocg[unplaced]])
    model.tally.add("reoffenders", ocgs.area[members.ocg[back[placed]]])


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
