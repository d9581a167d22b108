"""Members (nominals) of OCGs: one row per person, one array per attribute.

Roles: leader, core, worker, exploited (victims made offenders). Status: active, charged
(arrested and charged, awaiting trial), prison, released (out of prison, may return), exited.
Times are in months since the start of the run.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import kernel
from twin.tables import Table
from twin.vocabulary import ACTIVE, CORE, EXITED, EXPLOITED, LEADER, WORKER


class Members(Table):
    """The member population.

    Columns:
        ocg: index of the OCG the member belongs (or last belonged) to.
        role, status: indices into ROLES and STATUSES.
        child: a child (under 18; children exploited in county lines and other crime), until
            `adult_month`, when the member turns 18 (`recruitment.come_of_age`).
        known: a known SOC suspect.
        referred: referred to the National Referral Mechanism as a victim at least once (a
            member identified again is referred again, and counted as a repeat referral).
        verdict_month: month the trial ends (status charged).
        release_month: month of release at the normal point (status prison).
        sentence_months: sentence imposed (status prison).
        remand_months: time remanded in custody on the current case (a step's length for each
            step ending on remand, `justice.courts_and_prisons`), credited against the custodial
            part of the sentence at conviction; cleared when the case is heard.
        joined_step: step the member joined.
        adult_month: month a child member turns 18 (infinite for adults).
        on_bail: on bail awaiting trial (bailed at charge, or released from remand: a member with a
            case the courts have yet to hear, `justice.courts_and_prisons`, active or out of crime
            since); cleared when the case is heard, or dropped (an exploited member safeguarded).
    """

    columns = {
        # 32-bit group rows (far more than a run's groups): the step's passes over the member
        # rows (census, courts, investigations, succession, desistance) read this column most,
        # and 4 bytes a row instead of 8 made them a few per cent faster; same group numbers.
        "ocg": (np.int32, -1, ()),
        "role": (np.int8, WORKER, ()),
        "status": (np.int8, 0, ()),
        "child": (bool, False, ()),
        "known": (bool, False, ()),
        "referred": (bool, False, ()),
        "verdict_month": (float, np.inf, ()),
        "release_month": (float, np.inf, ()),
        "sentence_months": (float, 0.0, ()),
        "remand_months": (float, 0.0, ()),
        "joined_step": (np.int64, 0, ()),
        "adult_month": (float, np.inf, ()),
        "on_bail": (bool, False, ()),
    }

    def population(self) -> int:
        """Members not exited: the population that joiners and leavers change."""
        return self.n - self.exited_count()

    def active_rows(self) -> np.ndarray:
        """Rows of the active members, ascending (`(status == ACTIVE).nonzero()[0]`)."""
        return _active_rows(self.status)

    def compact(self, keep: np.ndarray) -> np.ndarray:
        """`Table.compact` (same result: rows where `keep` is true, in order; old index -> new index,
        -1 if dropped), with every column moved in one compiled pass (`_move_kept_member_rows`)
        instead of a gather per column. Every column of a member holds one value (no trailing shape)."""
        keep = np.asarray(keep, dtype=bool)
        d = self.__dict__
        blocks = [d["_" + name] for name in MEMBER_COLUMNS]
        new_index, n_kept = _move_kept_member_rows(keep, *blocks)
        for block, (dtype, default, shape) in zip(blocks, self.columns.values()):
            block[n_kept: self.n] = default  # rows past `n` hold the default (see `Table.append`)
        d["n"] = n_kept
        self._refresh_views()
        return new_index

    def exited_count(self) -> int:
        """Members exited (`count_nonzero(status == EXITED)`), by a compiled pass."""
        return int(_count_status(self.status, EXITED))


#: the member columns in the order `_move_kept_member_rows` takes them
MEMBER_COLUMNS = tuple(Members.columns)
assert MEMBER_COLUMNS == ("ocg", "role", "status", "child", "known", "referred", "verdict_month", "release_month",
                          "sentence_months", "remand_months", "joined_step", "adult_month", "on_bail")


def role_layout(size: np.ndarray, core_share: float, exploited_share: np.ndarray,
                rng: np.random.Generator, leaders: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Members for groups of the given sizes: (ocg position, role) per member, leader first.

    Each group has one leader (unless `leaders` is false: recruits joining existing groups);
    the rest are core, exploited or worker with the given shares.
    """
    size = np.asarray(size, dtype=np.int64)
    u = rng.random(int(size.sum()))  # a uniform per member, leaders included
    return roles_from_uniforms(size, u, core_share, np.asarray(exploited_share, dtype=float), leaders)


@kernel
def roles_from_uniforms(size, u, core_share, exploited_share, leaders):
    """`role_layout`'s owners and roles from the uniforms `u` (one per member, in order): core
    below `core_share`, exploited below `core_share + (1 - core_share) * share`, else worker;
    the first member of each group is its leader when `leaders`."""
    owner = np.empty(u.size, dtype=np.int64)
    role = np.empty(u.size, dtype=np.int8)
    exploited_above = 1.0 - core_share
    member = 0
    for group in range(size.size):
        share = exploited_share[group]
        for k in range(size[group]):
            owner[member] = group
            if leaders and k == 0:
                role[member] = LEADER
            elif u[member] < core_share:
                role[member] = CORE
            elif u[member] < core_share + exploited_above * share:
                role[member] = EXPLOITED
            else:
                role[member] = WORKER
            member += 1
    return owner, role


#: member classes for the area counts in the results: status (5) x role (4) x known (2) x child (2)
N_CLASSES = 80


@kernel
def member_class_byte(status, role, known, child) -> np.uint8:
    """A member's class code, status*16 + role*4 + known*2 + child (0 to N_CLASSES - 1), as a byte,
    from one row's columns (status and role int8, known and child bool)."""
    return (np.uint8(status) * np.uint8(16) + np.uint8(role) * np.uint8(4) + np.uint8(known) * np.uint8(2)
            + np.uint8(child))


def active_census(members: Members, ocg_area: np.ndarray, n_areas: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The census of the members, in one pass over the table.

    Args:
        ocg_area: home area of each OCG (its length is the number of OCGs).

    Returns:
        active_rows: rows of the active members, ascending.
        by_role: active members of each OCG by role, [ocg, role] (float: whole numbers).
        active_members: active members of each OCG (the sum of `by_role`'s row).
        by_area_class: members of each class (`member_class_byte`, any status) by the home area of
            their group, [area, class].
    """
    return _census(members.status, members.role, members.known, members.child, members.ocg, ocg_area, n_areas)


@kernel
def _census(status, role, known, child, ocg, ocg_area, n_areas):
    """`active_census` on the member columns; every member row belongs to a group (0 <= ocg < len(ocg_area))."""
    n_members, n_ocgs = status.size, ocg_area.size
    # First each row's class code as a byte, in a pass that reads the four byte columns and is
    # vectorised; the counting pass then reads one byte and the group per row (fewer loads per
    # row, which bound it, than reading the four columns there).
    code = np.empty(n_members, dtype=np.uint8)
    for row in range(n_members):
        code[row] = member_class_byte(status[row], role[row], known[row], child[row])
    active_rows = np.empty(n_members, dtype=np.int64)
    by_role = np.zeros(n_ocgs * 4, dtype=np.int64)  # flat [ocg, role]
    by_area_class = np.zeros(n_areas * N_CLASSES, dtype=np.int64)  # flat [area, class]
    # The loop is branch-free (whether a row is active is unpredictable: a mispredicted branch costs
    # more than writing every row's index and adding 0 or 1), and its indices are unsigned, so that
    # numba leaves out the wrap-around of negative indices (a fifth of the loop's time). Unsigned
    # and signed integers mixed would give floats in numba: every term below is uint64.
    u = np.uint64
    n_active = u(0)
    for row in range(n_members):
        i = u(row)
        member_code, group = u(code[i]), u(ocg[i])
        active = u((member_code >> u(4)) == u(ACTIVE))  # the status is the code's high bits
        active_rows[n_active] = row
        n_active += active
        by_role[group * u(4) + ((member_code >> u(2)) & u(3))] += np.int64(active)
        by_area_class[u(ocg_area[group]) * u(N_CLASSES) + member_code] += 1
    by_role_float = np.empty((n_ocgs, 4))  # float, as the step's OCG-level processes use it
    active_members = np.empty(n_ocgs)
    for group in range(n_ocgs):  # whole numbers: any order of addition gives the same sums
        for r in range(4):
            by_role_float[group, r] = by_role[4 * group + r]
        active_members[group] = (by_role[4 * group] + by_role[4 * group + 1] + by_role[4 * group + 2]
                                 + by_role[4 * group + 3])
    return active_rows[:n_active], by_role_float, active_members, by_area_class.reshape(n_areas, N_CLASSES)


@kernel
def _active_rows(status: np.ndarray) -> np.ndarray:
    """Rows whose status is active, ascending (`(status == ACTIVE).nonzero()[0]`); branch-free as in `_census`."""
    rows = np.empty(status.size, dtype=np.int64)
    n_active = 0
    for row in range(status.size):
        rows[n_active] = row
        n_active += np.int64(status[row] == ACTIVE)
    return rows[:n_active]


@kernel
def _count_status(status: np.ndarray, value: int) -> int:
    """Rows whose status is `value` (vectorised: one byte compared and added per row)."""
    count = 0
    for row in range(status.size):
        count += np.int64(status[row] == value)
    return count


@kernel
def _move_kept_member_rows(keep, ocg, role, status, child, known, referred, verdict_month, release_month,
                           sentence_months, remand_months, joined_step, adult_month, on_bail):
    """Move the kept rows of every member column (whole blocks; `keep` covers the first `keep.size`
    rows) to the top, in order, in place, in one pass; return (old row -> new row, -1 if dropped;
    the number kept).

    Branch-free: every row is written to the next free place, which advances only past kept rows.
    That place is never below the row read, so no row is overwritten before it is moved.
    """
    new_index = np.empty(keep.size, dtype=np.int64)
    n_kept = 0
    for row in range(keep.size):
        kept = np.int64(keep[row])
        new_index[row] = n_kept if kept else -1
        ocg[n_kept] = ocg[row]
        role[n_kept] = role[row]
        status[n_kept] = status[row]
        child[n_kept] = child[row]
        known[n_kept] = known[row]
        referred[n_kept] = referred[row]
        verdict_month[n_kept] = verdict_month[row]
        release_month[n_kept] = release_month[row]
        sentence_months[n_kept] = sentence_months[row]
        remand_months[n_kept] = remand_months[row]
        joined_step[n_kept] = joined_step[row]
        adult_month[n_kept] = adult_month[row]
        on_bail[n_kept] = on_bail[row]
        n_kept += kept
    return new_index, n_kept
