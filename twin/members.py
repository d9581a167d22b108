"""Members (nominals) of OCGs: one row per person, one array per attribute.

Roles: leader, core, worker, exploited (victims made offenders). Status: active, charged
(arrested and charged, awaiting trial), prison, released (out of prison, may return), exited.
Times are in months since the start of the run.
"""

from __future__ import annotations

import numpy as np

from twin.tables import Table
from twin.vocabulary import CORE, EXITED, EXPLOITED, LEADER, WORKER


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
        joined_step: step the member joined.
        adult_month: month a child member turns 18 (infinite for adults).
    """

    columns = {
        "ocg": (np.int64, -1, ()),
        "role": (np.int8, WORKER, ()),
        "status": (np.int8, 0, ()),
        "child": (bool, False, ()),
        "known": (bool, False, ()),
        "referred": (bool, False, ()),
        "verdict_month": (float, np.inf, ()),
        "release_month": (float, np.inf, ()),
        "sentence_months": (float, 0.0, ()),
        "joined_step": (np.int64, 0, ()),
        "adult_month": (float, np.inf, ()),
    }

    def population(self) -> int:
        """Members not exited: the population that joiners and leavers change."""
        return int(np.count_nonzero(self.status != EXITED))


def role_layout(size: np.ndarray, core_share: float, exploited_share: np.ndarray,
                rng: np.random.Generator, leaders: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Members for groups of the given sizes: (ocg position, role) per member, leader first.

    Each group has one leader (unless `leaders` is false: recruits joining existing groups);
    the rest are core, exploited or worker with the given shares.
    """
    size = np.asarray(size, dtype=np.int64)
    owner = np.repeat(np.arange(size.size), size)
    first = np.zeros(owner.size, dtype=bool)
    starts = np.concatenate(([0], np.cumsum(size)[:-1]))
    first[starts[size > 0]] = True
    u = rng.random(owner.size)
    share = exploited_share[owner]
    role = np.where(u < core_share, CORE, np.where(u < core_share + (1 - core_share) * share, EXPLOITED, WORKER))
    if leaders:
        role[first] = LEADER
    return owner, role.astype(np.int8)


#: member classes for the area counts in the results: status (5) x role (4) x known (2) x child (2)
N_CLASSES = 80


def member_class(members: Members) -> np.ndarray:
    """Each member's class code: status*16 + role*4 + known*2 + child (fits in int8)."""
    return (members.status * 16 + members.role * 4
            + members.known.view(np.int8) * 2 + members.child.view(np.int8))


def active_census(members: Members, active: np.ndarray, n_ocgs: int) -> np.ndarray:
    """Active members of each OCG by role, [ocg, role], counted over the rows `active` (the rows
    whose status is active): one pass over them, not over the whole table."""
    counts = np.bincount(members.ocg[active] * 4 + members.role[active], minlength=n_ocgs * 4)
    return counts[: n_ocgs * 4].reshape(n_ocgs, 4)
