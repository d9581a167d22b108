"""Succession, splits, absorption and dissolution of OCGs.

A group whose leader is gone (arrested and not directing from prison, or no longer active)
promotes a successor from its core, or from its workers if no core member is active. The
succession may be violently disputed. Instead of a plain succession the group may split in two
(both halves then promote a leader in the same step, and either succession may be disputed) or
be absorbed by the largest rival in its area. A group
left with fewer than `ocg_min_active_members` active members and no leader directing it
dissolves: its members join another group in the area or leave crime.

The loops over groups and their members are compiled kernels (`succession_kernels.py`); only
adding the new halves of split groups (`OCGs.add`) stays in numpy.
"""

from __future__ import annotations

import numpy as np

from twin import succession_kernels as kernels

COHESION_LOSS_IN_DISPUTE = 0.2


class GroupRows:
    """Member rows of the groups one phase works on: one pass over the member table, then lookups
    among those few rows (dissolution, absorption, splits and promotion each need a group's members).

    Built for a set of groups; every later query must be about those groups or groups split from
    them (their members are among the rows).
    """

    def __init__(self, model, groups: np.ndarray):
        self.members = model.members
        self.rows = kernels.member_rows_in(model.members.ocg, np.asarray(groups, dtype=np.int64), model.ocgs.n)

    def of(self, groups: np.ndarray, n_ocgs: int) -> np.ndarray:
        """Rows (any status) of members of `groups`."""
        return kernels.rows_in(self.rows, self.members.ocg, np.asarray(groups, dtype=np.int64), n_ocgs)


def _tally_rows(model) -> np.ndarray:
    """Rows of the step tally for the names the kernels add to (`succession_kernels.TALLIED`);
    created first, since a new row may replace `tally.values`."""
    tally = model.tally
    return np.array([tally.row(name) for name in kernels.TALLIED], dtype=np.int64)


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
    tally_rows = _tally_rows(model)
    dispute = (params.succession_violent_prob, float(params.succession_violence_incidents),
               params.homicide_per_serious_violence, COHESION_LOSS_IN_DISPUTE)
    rows, split, kept, absorbed_any, rival, finished = kernels.transition(
        rng, ocgs.active, ocgs.leader_directing, model.active_members, float(params.ocg_min_active_members),
        ocgs.leader, ocgs.area, ocgs.base_size, ocgs.capital_gbp, ocgs.markets, ocgs.cohesion, lines.active,
        lines.ocg, lines.dest, members.ocg, members.status, members.role, params.succession_split_prob,
        params.succession_split_prob + params.succession_absorb_prob, *dispute, model.tally.values, tally_rows)
    if absorbed_any:
        model.portfolios_changed(rival)
    if finished:
        return
    new = ocgs.add(
        area=ocgs.area[split], ocg_type=ocgs.ocg_type[split], reach=ocgs.reach[split],
        violence=ocgs.violence[split], markets=ocgs.markets[split], known=np.zeros(split.size, dtype=bool),
        size=ocgs.base_size[split] / 2, capital_gbp=ocgs.capital_gbp[split] / 2,
        encrypted=ocgs.encrypted[split], has_professional=ocgs.has_professional[split],
        has_insider=ocgs.has_insider[split], score_noise=rng.lognormal(0.0, params.harm_score_noise_sigma, split.size),
        step=model.steps_done, insulation=ocgs.insulation[split],
    )
    model.grow_ocg_arrays()
    kernels.split_then_promote(
        rng, split, new, kept, rows, ocgs.active, ocgs.leader_directing, ocgs.leader, ocgs.area, ocgs.base_size,
        ocgs.capital_gbp, ocgs.cohesion, lines.active, lines.ocg, lines.dest, members.ocg, members.status,
        members.role, *dispute, model.tally.values, tally_rows)


def leaderless(model) -> np.ndarray:
    """Active groups not directed from prison whose leader is missing or not active."""
    ocgs = model.ocgs
    return kernels.leaderless(ocgs.active, ocgs.leader_directing, ocgs.leader, model.members.status)


def dissolve(model, index: np.ndarray, rows: GroupRows | None = None) -> None:
    """End groups: active members join another group in the area (half) or leave crime."""
    ocgs, members, lines = model.ocgs, model.members, model.county_lines
    if index.size == 0:
        return
    index = np.asarray(index, dtype=np.int64)
    rows = rows if rows is not None else GroupRows(model, index)
    tally_rows = _tally_rows(model)
    kernels.dissolve(model.streams["succession"], index, rows.rows, ocgs.active, ocgs.leader_directing, ocgs.area,
                     lines.active, lines.ocg, lines.dest, members.ocg, members.status, members.role,
                     model.tally.values, tally_rows)
