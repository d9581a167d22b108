"""Succession, splits, absorption and dissolution of OCGs.

A group whose leader is gone (arrested and not directing from prison, or no longer active)
promotes a successor from its core, or from its workers if no core member is active. The
succession may be violently disputed. Instead of a plain succession the group may split in two
(both halves then promote a leader in the same step, and either succession may be disputed) or
be absorbed by the largest rival in its area. A group
left with fewer than `ocg_min_active_members` active members and no leader directing it
dissolves: its members join another group in the area or leave crime.
"""

from __future__ import annotations

import numpy as np

from twin.justice import random_active_ocg_in_area
from twin.vocabulary import ACTIVE, CORE, EXITED, LEADER, WORKER

COHESION_LOSS_IN_DISPUTE = 0.2


class GroupRows:
    """Member rows of the groups one phase works on: one pass over the member table, then lookups
    among those few rows (dissolution, absorption, splits and promotion each need a group's members).

    Built for a set of groups; every later query must be about those groups or groups split from
    them (their members are among the rows).
    """

    def __init__(self, model, groups: np.ndarray):
        members = model.members
        mask = np.zeros(model.ocgs.n, dtype=bool)
        mask[groups] = True
        self.members = members
        self.rows = mask[members.ocg].nonzero()[0] if groups.size else np.empty(0, dtype=np.int64)

    def of(self, groups: np.ndarray, n_ocgs: int) -> np.ndarray:
        """Rows (any status) of members of `groups`."""
        mask = np.zeros(n_ocgs, dtype=bool)
        mask[groups] = True
        return self.rows[mask[self.members.ocg[self.rows]]]


def groups_in_transition(model) -> None:
    """Step 10a: depleted groups dissolve, then leaderless groups are succeeded, split or absorbed."""
    ocgs, params = model.ocgs, model.params
    depleted = (ocgs.active & ~ocgs.leader_directing
                & (model.active_members < params.ocg_min_active_members)).nonzero()[0]
    leaderless_groups = leaderless(model)
    rows = GroupRows(model, np.union1d(depleted, leaderless_groups))
    dissolve(model, depleted, rows)
    succession(model, rows)


def leaderless(model) -> np.ndarray:
    ocgs, members = model.ocgs, model.members
    has_leader = ocgs.leader >= 0
    leader_active = np.zeros(ocgs.n, dtype=bool)
    leader_active[has_leader] = members.status[ocgs.leader[has_leader]] == ACTIVE
    return (ocgs.active & ~ocgs.leader_directing & ~leader_active).nonzero()[0]


def succession(model, rows: GroupRows | None = None) -> None:
    ocgs, params = model.ocgs, model.params
    rng = model.streams["succession"]
    index = leaderless(model)
    if index.size == 0:
        return
    rows = rows if rows is not None else GroupRows(model, index)
    u = rng.random(index.size)
    split = index[u < params.succession_split_prob]
    absorbed = index[(u >= params.succession_split_prob)
                     & (u < params.succession_split_prob + params.succession_absorb_prob)]
    _absorb(model, absorbed, rows)
    new = _split(model, split, rng, rows)
    still = np.concatenate([np.setdiff1d(index, absorbed), new])
    _promote(model, still, rng, rows)

    disputed = still[rng.random(still.size) < params.succession_violent_prob]
    disputed = disputed[ocgs.active[disputed]]
    incidents = rng.poisson(params.succession_violence_incidents, size=disputed.size)
    homicides = rng.binomial(incidents, params.homicide_per_serious_violence)
    model.tally.add("serious_violence", ocgs.area[disputed], incidents)
    model.tally.add("homicides", ocgs.area[disputed], homicides)
    model.tally.add("serious_violence_fatal", ocgs.area[disputed], homicides)  # costed as homicides
    ocgs.cohesion[disputed] = np.maximum(ocgs.cohesion[disputed] - COHESION_LOSS_IN_DISPUTE, 0.0)
    model.tally.add("successions", ocgs.area[still[ocgs.active[still]]])


def _promote(model, index: np.ndarray, rng: np.random.Generator, rows: GroupRows) -> None:
    """Promote one active core member (else a worker) of each OCG; dissolve those with none."""
    ocgs, members = model.ocgs, model.members
    if index.size == 0:
        return
    pool = rows.of(index, ocgs.n)
    pool = pool[(members.status[pool] == ACTIVE) & ((members.role[pool] == CORE) | (members.role[pool] == WORKER))]
    order = np.lexsort((rng.random(pool.size), members.role[pool] == WORKER, members.ocg[pool]))
    pool = pool[order]
    owners, first = np.unique(members.ocg[pool], return_index=True)
    successor = pool[first]
    members.role[successor] = LEADER
    ocgs.leader[owners] = successor
    ocgs.leader_directing[owners] = False
    dissolve(model, np.setdiff1d(index, owners), rows)


def _absorb(model, index: np.ndarray, rows: GroupRows) -> None:
    """Members of absorbed groups move to the largest other active group in their area."""
    ocgs, members = model.ocgs, model.members
    if index.size == 0:
        return
    eligible = ocgs.active.copy()
    eligible[index] = False
    candidates = eligible.nonzero()[0]
    # The largest group per area (ties: the latest founded, i.e. the highest index).
    area, size = ocgs.area[candidates], model.active_members[candidates]
    largest = np.full(model.geography.n_areas, -np.inf)
    np.maximum.at(largest, area, size)
    best = np.full(model.geography.n_areas, -1)
    top = size == largest[area]
    np.maximum.at(best, area[top], candidates[top])
    rival = best[ocgs.area[index]]
    index, rival = index[rival >= 0], rival[rival >= 0]
    remap = np.arange(ocgs.n)
    remap[index] = rival
    moving = rows.of(index, ocgs.n)
    members.role[moving[members.role[moving] == LEADER]] = CORE
    members.ocg[moving] = remap[members.ocg[moving]]
    np.add.at(ocgs.base_size, rival, ocgs.base_size[index])
    np.add.at(ocgs.capital_gbp, rival, ocgs.capital_gbp[index])
    np.logical_or.at(ocgs.markets, rival, ocgs.markets[index])
    model.portfolios_changed(rival)
    ocgs.capital_gbp[index] = 0.0
    lines = model.county_lines
    lines.ocg = remap[lines.ocg]
    _close(model, index)
    model.tally.add("absorptions", ocgs.area[index])


def _split(model, index: np.ndarray, rng: np.random.Generator, rows: GroupRows) -> np.ndarray:
    """Split each group in two; returns the new groups (leaderless until they promote)."""
    ocgs, members = model.ocgs, model.members
    if index.size == 0:
        return index
    new = ocgs.add(
        area=ocgs.area[index], ocg_type=ocgs.ocg_type[index], reach=ocgs.reach[index],
        violence=ocgs.violence[index], markets=ocgs.markets[index], known=np.zeros(index.size, dtype=bool),
        size=ocgs.base_size[index] / 2, capital_gbp=ocgs.capital_gbp[index] / 2,
        encrypted=ocgs.encrypted[index], has_professional=ocgs.has_professional[index],
        has_insider=ocgs.has_insider[index], score_noise=rng.lognormal(0.0, model.params.harm_score_noise_sigma, index.size),
        step=model.steps_done, insulation=ocgs.insulation[index],
    )
    ocgs.base_size[index] /= 2
    ocgs.capital_gbp[index] /= 2
    model.grow_ocg_arrays()
    target = np.full(ocgs.n, -1)
    target[index] = new
    candidates = rows.of(index, ocgs.n)
    candidates = candidates[(members.status[candidates] != EXITED) & (members.role[candidates] != LEADER)]
    moving = candidates[rng.random(candidates.size) < 0.5]
    members.ocg[moving] = target[members.ocg[moving]]
    model.tally.add("splits", ocgs.area[index])
    return new


def dissolve(model, index: np.ndarray, rows: GroupRows | None = None) -> None:
    """End groups: active members join another group in the area (half) or leave crime."""
    ocgs, members = model.ocgs, model.members
    if index.size == 0:
        return
    rng = model.streams["succession"]
    _close(model, index)
    loose = (rows if rows is not None else GroupRows(model, index)).of(index, ocgs.n)
    loose = loose[members.status[loose] == ACTIVE]
    stay = rng.random(loose.size) < 0.5
    joining = loose[stay]
    new_owner = random_active_ocg_in_area(model, ocgs.area[members.ocg[joining]], rng)
    placed = new_owner >= 0
    members.ocg[joining[placed]] = new_owner[placed]
    members.role[joining[placed & (members.role[joining] == LEADER)]] = CORE
    leaving = np.concatenate([loose[~stay], joining[~placed]])
    model.tally.add("leavers", ocgs.area[members.ocg[leaving]])
    members.status[leaving] = EXITED
    model.tally.add("ocgs_dissolved", ocgs.area[index])


def _close(model, index: np.ndarray) -> None:
    ocgs = model.ocgs
    ocgs.active[index] = False
    ocgs.leader_directing[index] = False
    lines = model.county_lines
    ended = lines.active & ~ocgs.active[lines.ocg]
    lines.active = lines.active & ~ended
    model.tally.add("county_lines_closed", lines.dest[ended])


