"""Succession, splits, absorption and dissolution of OCGs.

A group whose leader is gone (arrested and not directing from prison, or no longer active)
promotes a successor from its core, or from its workers if no core member is active. Every
succession costs the group cohesion (`succession_cohesion_loss`: the new leader lacks the old
one's contacts, suppliers' trust and authority), and it may be violently disputed. Instead of a
plain succession the group may split in two (both halves then promote a leader in the same step,
and either succession may be disputed) or be absorbed by the largest rival in its area. A group
left with fewer than `ocg_min_active_members` active members and no leader directing it
dissolves: its members join another group in the area or leave crime (a defendant on bail who
leaves is still tried: `justice_kernels.courts_stage`).

The loops over groups and their members are compiled kernels (`compiled.py`, below the
functions that call them); only adding the new halves of split groups (`OCGs.add`) stays in
numpy. The kernels make their draws from the succession stream (passed as its handle,
`compiled.generator_argument`) one at a time, in the order of the numpy code they replaced (one uniform per member row in row order, groups in index order),
and add their counts by area to the step tally: a tally row gets a kernel call's sums (whole
numbers, so exact) as `StepTally.add` would add a `np.bincount`. `rows` are the member rows of
the groups the phase works on (`_member_rows_in`, one pass over the table), in ascending order.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import as_generator, generator_argument, kernel, uniform
from twin.shared_kernels import active_groups_by_area, add_to_tally, maximum, random_active_group
from twin.county_lines import NO_REMAP, close_lines_of_inactive
from twin.streams import poissons
from twin.vocabulary import ACTIVE, CORE, EXITED, LEADER, WORKER

#: the step-tally names the kernels add to; `tally_rows` holds their rows of `StepTally.values`
TALLIED = ("county_lines_closed", "leavers", "ocgs_dissolved", "absorptions", "splits", "successions",
           "serious_violence", "homicides_direct", "homicides", "succession_violence")
LINES_CLOSED, LEAVERS, DISSOLVED, ABSORPTIONS, SPLITS, SUCCESSIONS, SERIOUS_VIOLENCE, HOMICIDES_DIRECT, \
    HOMICIDES, SUCCESSION_VIOLENCE = range(len(TALLIED))


def groups_in_transition(model) -> None:
    """Step 10a: depleted groups dissolve, then leaderless groups are succeeded, split or absorbed.

    A uniform per leaderless group decides: a split (`succession_split_prob`), an absorption
    (`succession_absorb_prob`; a group whose area has no other active group stays leaderless this
    step) or a plain succession. Split groups and their new halves then promote like the others.
    One kernel does it all unless a group splits: the new halves are then added here, and a
    second kernel moves members and promotes.
    """
    ocgs, members, lines, params = model.ocgs, model.members, model.county_lines, model.params
    rng = model.streams["succession"]
    handle = generator_argument(rng)
    tally_rows = model.tally.rows_of(TALLIED)
    # the disputes' terms, then the share of a dissolved group's members who join another group
    dispute = (params.succession_violent_prob, float(params.succession_violence_incidents),
               params.homicide_per_serious_violence, float(params.succession_cohesion_loss),
               float(params.succession_dispute_cohesion_loss), float(params.dissolved_members_rejoin_share))
    rows, split, kept, absorbed_any, rival, halves = _transition(
        handle, ocgs.active, ocgs.leader_directing, model.active_members, float(params.ocg_min_active_members),
        ocgs.leader, ocgs.area, ocgs.base_size, ocgs.capital_gbp, ocgs.markets, ocgs.cohesion, lines.active,
        lines.ocg, lines.dest, members.ocg, members.status, members.role, params.succession_split_prob,
        params.succession_split_prob + params.succession_absorb_prob, *dispute, params.harm_score_noise_sigma,
        (ocgs.ocg_type, ocgs.reach, ocgs.violence, ocgs.encrypted, ocgs.has_professional, ocgs.has_insider,
         ocgs.insulation), model.tally.values, tally_rows)
    if absorbed_any:
        model.portfolios_changed(rival)
    if split.size == 0:
        return
    area, ocg_type, reach, violence, markets, size, capital_gbp, encrypted, professional, insider, insulation, \
        score_noise = halves
    new = ocgs.add(area=area, ocg_type=ocg_type, reach=reach, violence=violence, markets=markets, known=False,
                   size=size, capital_gbp=capital_gbp, encrypted=encrypted, has_professional=professional,
                   has_insider=insider, score_noise=score_noise, step=model.steps_done,
                   base_cohesion=model.base_cohesion, insulation=insulation)
    model.grow_ocg_arrays()  # the step's per-group arrays cover the halves (extended in place)
    _share_enablers(model, split, new)
    _split_then_promote(
        handle, split, new, kept, rows, ocgs.active, ocgs.leader_directing, ocgs.leader, ocgs.area, ocgs.base_size,
        ocgs.capital_gbp, ocgs.cohesion, lines.active, lines.ocg, lines.dest, members.ocg, members.status,
        members.role, *dispute, model.tally.values, tally_rows)


def _share_enablers(model, split: np.ndarray, new: np.ndarray) -> None:
    """Each half takes its parent's enablers: a copy of each of the parent's active links (one to an
    enabler removed since sends the half, like its parent, to look for another at the next
    `enablers.renew`, which recomputes the services from the links)."""
    links = model.enabler_links
    half_of = np.full(model.ocgs.n, -1, np.int64)
    half_of[split] = new
    shared = (links.active & (half_of[links.ocg] >= 0)).nonzero()[0]
    if shared.size:
        links.append(shared.size, enabler=links.enabler[shared], ocg=half_of[links.ocg[shared]])


def dissolve(model, index: np.ndarray) -> None:
    """End groups: active members join another group in the area (`dissolved_members_rejoin_share`)
    or leave crime."""
    ocgs, members, lines = model.ocgs, model.members, model.county_lines
    if index.size == 0:
        return
    index = np.asarray(index, dtype=np.int64)
    rows = _member_rows_in(members.ocg, index, ocgs.n)  # the groups' members, in one pass
    tally_rows = model.tally.rows_of(TALLIED)
    _dissolve_groups(
        rng=model.streams["succession"], groups=index, rows=rows, ocg_active=ocgs.active,
        directing=ocgs.leader_directing, ocg_area=ocgs.area, line_active=lines.active, line_ocg=lines.ocg,
        line_dest=lines.dest, member_ocg=members.ocg, status=members.status, role=members.role,
        rejoin_share=float(model.params.dissolved_members_rejoin_share), tally_values=model.tally.values,
        tally_rows=tally_rows)


# ------------------------------------------------------------------ kernels

@kernel
def _member_rows_in(member_ocg, groups, n_ocgs):
    """Member rows (ascending, any status) whose group is among `groups`: one pass over the table,
    branch-free and on unsigned indices (as `investigations.active_members_of`)."""
    if groups.size == 0:
        return np.empty(0, dtype=np.int64)
    chosen = np.zeros(n_ocgs, dtype=np.uint8)
    for g in groups:
        chosen[g] = 1
    u = np.uint64
    rows = np.empty(member_ocg.size + 1, dtype=np.int64)
    n = u(0)
    for m in range(member_ocg.size):
        rows[n] = m
        n += u(chosen[u(member_ocg[u(m)])])
    return rows[:n]


@kernel
def _rows_in(rows, member_ocg, groups, n_ocgs):
    """The members among `rows` (in their order) whose group is among `groups`."""
    chosen = np.zeros(n_ocgs, dtype=np.bool_)
    for g in groups:
        chosen[g] = True
    out = np.empty(rows.size, dtype=np.int64)
    n = 0
    for m in rows:
        if chosen[member_ocg[m]]:
            out[n] = m
            n += 1
    return out[:n]


@kernel
def _leader_missing(g, leader, status):
    """Group `g`'s leader is missing or not active."""
    return not (leader[g] >= 0 and status[leader[g]] == ACTIVE)


@kernel
def _leaderless_groups(ocg_active, directing, leader, status):
    """Active groups not directed from prison whose leader is missing or not active, ascending."""
    out = np.empty(ocg_active.size, dtype=np.int64)
    n = 0
    for g in range(ocg_active.size):
        if ocg_active[g] and not directing[g] and _leader_missing(g, leader, status):
            out[n] = g
            n += 1
    return out[:n]


@kernel
def _close(groups, ocg_active, directing, line_active, line_ocg, line_dest, tally_values, tally_rows):
    """End groups (no longer active or directed) and the county lines of every inactive group;
    counts the closed lines by destination."""
    for g in groups:
        ocg_active[g] = False
        directing[g] = False
    closed_by_area = close_lines_of_inactive(line_active, line_ocg, line_dest, ocg_active, NO_REMAP,
                                              tally_values.shape[1])
    add_to_tally(tally_values, tally_rows[LINES_CLOSED], closed_by_area)


@kernel
def _dissolve_groups(rng, groups, rows, ocg_active, directing, ocg_area, line_active, line_ocg, line_dest,
             member_ocg, status, role, rejoin_share, tally_values, tally_rows):
    """End `groups`: each active member (among `rows`) joins a random active group in the
    group's area with probability `rejoin_share` (a leader joining becomes core), or else leaves crime.

    Draws: a uniform per active member in row order (stay or leave), then, if anyone stays and any
    group is active, a uniform per member staying (the active
    groups of the area in index order, the one at `int(u * count)`).
    """
    n_areas = tally_values.shape[1]
    _close(groups, ocg_active, directing, line_active, line_ocg, line_dest, tally_values, tally_rows)
    chosen = np.zeros(ocg_active.size, dtype=np.bool_)
    for g in groups:
        chosen[g] = True
    loose = np.empty(rows.size, dtype=np.int64)
    n_loose = 0
    for m in rows:
        if chosen[member_ocg[m]] and status[m] == ACTIVE:
            loose[n_loose] = m
            n_loose += 1
    stays = np.empty(n_loose, dtype=np.bool_)
    n_joining = 0
    for k in range(n_loose):
        stays[k] = uniform(rng) < rejoin_share
        n_joining += stays[k]
    leavers_by_area = np.zeros(n_areas)
    if n_joining > 0:
        by_area, start, groups_in_area = active_groups_by_area(ocg_active, ocg_area, n_areas)
        for k in range(n_loose):
            if not stays[k]:
                continue
            m = loose[k]
            new_owner = -1
            if by_area.size > 0:  # no draw at all when no group is active anywhere
                new_owner = random_active_group(rng, ocg_area[member_ocg[m]], by_area, start, groups_in_area)
            if new_owner >= 0:
                member_ocg[m] = new_owner
                if role[m] == LEADER:
                    role[m] = CORE
            else:
                stays[k] = False  # leaves crime
    for k in range(n_loose):
        if not stays[k]:
            m = loose[k]
            leavers_by_area[ocg_area[member_ocg[m]]] += 1.0
            status[m] = EXITED
    add_to_tally(tally_values, tally_rows[LEAVERS], leavers_by_area)
    dissolved_by_area = np.zeros(n_areas)
    for g in groups:
        dissolved_by_area[ocg_area[g]] += 1.0
    add_to_tally(tally_values, tally_rows[DISSOLVED], dissolved_by_area)


@kernel
def _absorb(absorbed, rows, ocg_active, directing, ocg_area, active_members, base_size, capital_gbp, markets,
            line_active, line_ocg, line_dest, member_ocg, role, tally_values, tally_rows):
    """Absorbed groups join the largest other active group in their area (ties: the highest
    index); groups whose area has none stay as they are. Members move (leaders become core),
    sizes and capital are added (in the order of `absorbed`), portfolios merged, county lines
    handed over; the absorbed groups close. Returns the absorbing group of each absorbed one."""
    n_ocgs, n_areas = ocg_active.size, tally_values.shape[1]
    eligible = ocg_active.copy()
    for g in absorbed:
        eligible[g] = False
    largest = np.full(n_areas, -np.inf)
    best = np.full(n_areas, -1, dtype=np.int64)
    for g in range(n_ocgs):
        if eligible[g]:
            a = ocg_area[g]
            if active_members[g] > largest[a]:
                largest[a] = active_members[g]
                best[a] = g
            elif active_members[g] == largest[a]:
                best[a] = g
    taken = np.empty(absorbed.size, dtype=np.int64)
    rival = np.empty(absorbed.size, dtype=np.int64)
    n = 0
    for g in absorbed:
        if best[ocg_area[g]] >= 0:
            taken[n] = g
            rival[n] = best[ocg_area[g]]
            n += 1
    taken, rival = taken[:n], rival[:n]
    remap = np.arange(n_ocgs)
    for k in range(n):
        remap[taken[k]] = rival[k]
    moving = _rows_in(rows, member_ocg, taken, n_ocgs)
    for m in moving:
        if role[m] == LEADER:
            role[m] = CORE
        member_ocg[m] = remap[member_ocg[m]]
    for k in range(n):
        base_size[rival[k]] += base_size[taken[k]]
        capital_gbp[rival[k]] += capital_gbp[taken[k]]
        for market in range(markets.shape[1]):
            markets[rival[k], market] |= markets[taken[k], market]
    for g in taken:
        capital_gbp[g] = 0.0
        ocg_active[g] = False
        directing[g] = False
    # The absorbed groups' lines handed over, and the active lines of every inactive group closed.
    closed_by_area = close_lines_of_inactive(line_active, line_ocg, line_dest, ocg_active, remap, n_areas)
    add_to_tally(tally_values, tally_rows[LINES_CLOSED], closed_by_area)
    absorptions_by_area = np.zeros(n_areas)
    for g in taken:
        absorptions_by_area[ocg_area[g]] += 1.0
    add_to_tally(tally_values, tally_rows[ABSORPTIONS], absorptions_by_area)
    return rival


@kernel
def _transition(rng_handle, ocg_active, directing, active_members, min_active_members, leader, ocg_area, base_size,
               capital_gbp, markets, cohesion, line_active, line_ocg, line_dest, member_ocg, status, role,
               split_prob, split_or_absorb_prob, violent_prob, incidents_per_dispute, homicide_per_incident,
               succession_loss, cohesion_loss, rejoin_share, score_noise_sigma, inherited, tally_values, tally_rows):
    """Step 10a: depleted groups (fewer active members than the minimum, not directed from
    prison) dissolve; then each leaderless group draws a uniform: below `split_prob` it splits,
    below `split_or_absorb_prob` it is absorbed (`_absorb`), else it is succeeded. With no split
    the succession follows here (`_promote_and_dispute`); splits need new groups added first
    (`_split_then_promote`).

    Returns the member rows of the depleted and leaderless groups (one pass over the table), the
    groups to split (none: the phase is over), the groups to succeed (leaderless groups not drawn
    for absorption, ascending), whether any group was drawn for absorption, the absorbing groups,
    and the attributes of the split groups' new halves (`_halves`; `inherited` holds the group
    columns they copy).
    """
    rng = as_generator(rng_handle)
    n_ocgs = ocg_active.size
    # One pass over the groups finds the depleted and the leaderless ones (`_leaderless_groups`).
    candidates = np.empty(2 * n_ocgs, dtype=np.int64)  # depleted from the start, leaderless from the middle
    n_depleted, n_led = 0, 0
    for g in range(n_ocgs):
        if ocg_active[g] and not directing[g]:
            if active_members[g] < min_active_members:
                candidates[n_depleted] = g
                n_depleted += 1
            if _leader_missing(g, leader, status):
                candidates[n_ocgs + n_led] = g
                n_led += 1
    depleted = candidates[:n_depleted]
    led = candidates[n_ocgs:n_ocgs + n_led]
    rows = _member_rows_in(member_ocg, np.concatenate((depleted, led)), n_ocgs)
    if n_depleted > 0:
        _dissolve_groups(rng, depleted, rows, ocg_active, directing, ocg_area, line_active, line_ocg, line_dest,
                 member_ocg, status, role, rejoin_share, tally_values, tally_rows)
        led = _leaderless_groups(ocg_active, directing, leader, status)  # again: dissolution changed groups and members
    no_groups = np.empty(0, dtype=np.int64)
    if led.size == 0:
        return rows, no_groups, no_groups, False, no_groups, _halves(
            rng, no_groups, ocg_area, markets, base_size, capital_gbp, inherited, score_noise_sigma)
    split = np.empty(led.size, dtype=np.int64)
    absorbed = np.empty(led.size, dtype=np.int64)
    kept = np.empty(led.size, dtype=np.int64)
    n_split, n_absorbed, n_kept = 0, 0, 0
    for g in led:
        u = uniform(rng)
        if u < split_prob:
            split[n_split] = g
            n_split += 1
        if split_prob <= u < split_or_absorb_prob:
            absorbed[n_absorbed] = g
            n_absorbed += 1
        else:
            kept[n_kept] = g
            n_kept += 1
    split, kept = split[:n_split], kept[:n_kept]
    rival = no_groups
    if n_absorbed > 0:
        rival = _absorb(absorbed[:n_absorbed], rows, ocg_active, directing, ocg_area, active_members, base_size,
                        capital_gbp, markets, line_active, line_ocg, line_dest, member_ocg, role,
                        tally_values, tally_rows)
    if n_split == 0:
        _promote_and_dispute(rng, kept, no_groups, rows, ocg_active, directing, leader, ocg_area, cohesion,
                            line_active, line_ocg, line_dest, member_ocg, status, role, violent_prob,
                            incidents_per_dispute, homicide_per_incident, succession_loss, cohesion_loss,
                            rejoin_share, tally_values, tally_rows)
    return rows, split, kept, n_absorbed > 0, rival, _halves(
        rng, split, ocg_area, markets, base_size, capital_gbp, inherited, score_noise_sigma)


@kernel
def _halves(rng, split, ocg_area, markets, base_size, capital_gbp, inherited, score_noise_sigma):
    """The new halves of the `split` groups, as `OCGs.add` takes them: area, type, reach,
    violence, markets, half the size and capital, encryption, enablers and insulation of the
    group split, and a new lognormal score noise each (drawn in order)."""
    ocg_type, reach, violence, encrypted, has_professional, has_insider, insulation = inherited
    n = split.size
    halves = (np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64),
              np.empty(n, dtype=np.int64), np.empty((n, markets.shape[1]), dtype=np.bool_), np.empty(n),
              np.empty(n), np.empty(n, dtype=np.bool_), np.empty(n, dtype=np.bool_), np.empty(n, dtype=np.bool_),
              np.empty(n), np.empty(n))
    for k in range(n):
        g = split[k]
        halves[0][k], halves[1][k], halves[2][k], halves[3][k] = ocg_area[g], ocg_type[g], reach[g], violence[g]
        halves[4][k] = markets[g]
        halves[5][k], halves[6][k] = base_size[g] / 2, capital_gbp[g] / 2
        halves[7][k], halves[8][k], halves[9][k] = encrypted[g], has_professional[g], has_insider[g]
        halves[10][k] = insulation[g]
    for k in range(n):
        halves[11][k] = rng.lognormal(0.0, score_noise_sigma)
    return halves


@kernel
def _promote_and_dispute(rng, kept, new, rows, ocg_active, directing, leader, ocg_area, cohesion,
                        line_active, line_ocg, line_dest, member_ocg, status, role, violent_prob,
                        incidents_per_dispute, homicide_per_incident, succession_loss, cohesion_loss,
                        rejoin_share, tally_values, tally_rows):
    """Each group of `kept` then `new` promotes an active core member (else a worker): the one
    with the lowest uniform (drawn per candidate in row order; ties: the earlier row). Groups
    with no candidate dissolve. Then each group's succession is disputed with `violent_prob` (a
    uniform per group, in order); disputed groups still active draw Poisson incidents, then
    binomial homicides among them, and lose cohesion (`cohesion_loss`) on top of what every
    succession costs (`succession_loss`)."""
    n_ocgs, n_areas = ocg_active.size, tally_values.shape[1]
    succeeded = np.concatenate((kept, new))
    slot = np.full(n_ocgs, -1, dtype=np.int64)
    for k in range(succeeded.size):
        slot[succeeded[k]] = k
    best_core = np.full(succeeded.size, -1, dtype=np.int64)
    best_worker = np.full(succeeded.size, -1, dtype=np.int64)
    core_u = np.empty(succeeded.size)
    worker_u = np.empty(succeeded.size)
    for m in rows:
        k = slot[member_ocg[m]]
        if k < 0 or status[m] != ACTIVE or (role[m] != CORE and role[m] != WORKER):
            continue
        u = uniform(rng)
        if role[m] == CORE:
            if best_core[k] < 0 or u < core_u[k]:
                best_core[k], core_u[k] = m, u
        elif best_worker[k] < 0 or u < worker_u[k]:
            best_worker[k], worker_u[k] = m, u
    unled = np.empty(succeeded.size, dtype=np.int64)
    n_unled = 0
    for k in range(succeeded.size):
        g = succeeded[k]
        successor = best_core[k] if best_core[k] >= 0 else best_worker[k]
        if successor >= 0:
            role[successor] = LEADER
            leader[g] = successor
            directing[g] = False
            cohesion[g] = maximum(cohesion[g] - succession_loss, 0.0)  # a new leader lacks the old one's standing
        else:
            unled[n_unled] = g
            n_unled += 1
    if n_unled > 0:
        _dissolve_groups(rng, unled[:n_unled], rows, ocg_active, directing, ocg_area, line_active, line_ocg, line_dest,
                 member_ocg, status, role, rejoin_share, tally_values, tally_rows)

    disputed = np.empty(succeeded.size, dtype=np.int64)
    n_disputed = 0
    for g in succeeded:
        if uniform(rng) < violent_prob and ocg_active[g]:
            disputed[n_disputed] = g
            n_disputed += 1
    incidents = poissons(rng, np.full(n_disputed, incidents_per_dispute))
    incidents_by_area = np.zeros(n_areas)
    homicides_by_area = np.zeros(n_areas)
    for k in range(n_disputed):  # every Poisson draw first, then the binomials (numpy's array calls)
        g = disputed[k]
        homicides = rng.binomial(incidents[k], homicide_per_incident)
        incidents_by_area[ocg_area[g]] += incidents[k]
        homicides_by_area[ocg_area[g]] += homicides
        cohesion[g] = maximum(cohesion[g] - cohesion_loss, 0.0)
    add_to_tally(tally_values, tally_rows[SERIOUS_VIOLENCE], incidents_by_area)
    add_to_tally(tally_values, tally_rows[SUCCESSION_VIOLENCE], incidents_by_area)
    add_to_tally(tally_values, tally_rows[HOMICIDES], homicides_by_area)
    add_to_tally(tally_values, tally_rows[HOMICIDES_DIRECT], homicides_by_area)  # costed as homicides
    successions_by_area = np.zeros(n_areas)
    for g in succeeded:
        if ocg_active[g]:
            successions_by_area[ocg_area[g]] += 1.0
    add_to_tally(tally_values, tally_rows[SUCCESSIONS], successions_by_area)


@kernel
def _split_then_promote(rng_handle, split, new, kept, rows, ocg_active, directing, leader, ocg_area, base_size, capital_gbp,
                       cohesion, line_active, line_ocg, line_dest, member_ocg, status, role, violent_prob,
                       incidents_per_dispute, homicide_per_incident, succession_loss, cohesion_loss,
                       rejoin_share, tally_values, tally_rows):
    """After the new groups `new` are added for the groups `split`: halve the split groups' size
    and capital, and move each member not exited and not a leader to the new half with
    probability 1/2 (a uniform per such member, in row order). Then the succession of `kept`
    (which holds the split groups) and `new` (`_promote_and_dispute`)."""
    rng = as_generator(rng_handle)
    n_ocgs = ocg_area.size
    target = np.full(n_ocgs, -1, dtype=np.int64)
    for k in range(split.size):
        target[split[k]] = new[k]
        base_size[split[k]] /= 2
        capital_gbp[split[k]] /= 2
    for m in rows:
        if target[member_ocg[m]] >= 0 and status[m] != EXITED and role[m] != LEADER:
            if uniform(rng) < 0.5:
                member_ocg[m] = target[member_ocg[m]]
    splits_by_area = np.zeros(tally_values.shape[1])
    for g in split:
        splits_by_area[ocg_area[g]] += 1.0
    add_to_tally(tally_values, tally_rows[SPLITS], splits_by_area)
    _promote_and_dispute(rng, kept, new, rows, ocg_active, directing, leader, ocg_area, cohesion,
                        line_active, line_ocg, line_dest, member_ocg, status, role, violent_prob,
                        incidents_per_dispute, homicide_per_incident, succession_loss, cohesion_loss,
                        rejoin_share, tally_values, tally_rows)
