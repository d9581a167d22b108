"""Court listing: which ready cases the courts hear in a step, and whom they bail first when the
remand places run out (compiled; used by `justice_kernels.courts_stage`).

Courts list custody cases before bail cases and, within each, the earliest ready; when the remand
places are full they bail the least dangerous first. Both choose the first `count` by a stable
order without sorting (`shared_kernels.smallest_rows`) and merge row lists already in order
(`shared_kernels.merged_rows`).
"""

from __future__ import annotations

import numpy as np

from twin.compiled import kernel
from twin.shared_kernels import merged_rows, smallest_rows
from twin.vocabulary import EXPLOITED, LEADER


@kernel
def hearings(verdict_month, charged, bailed, mid_month, trial_slots):
    """The cases heard this step and those ready but left unheard, each in row order.

    Ready cases are those of `charged` (remanded) and `bailed` whose `verdict_month` is before
    `mid_month`. When they are more than `trial_slots`, custody cases are heard first, and within
    each list the earliest ready (ties in row order), as courts list custody cases first."""
    due_custody = np.empty(charged.size, np.int64)
    n_custody = 0
    for j in range(charged.size):
        due_custody[n_custody] = charged[j]
        n_custody += verdict_month[charged[j]] < mid_month
    due_bail = np.empty(bailed.size, np.int64)
    n_bail = 0
    for j in range(bailed.size):
        due_bail[n_bail] = bailed[j]
        n_bail += verdict_month[bailed[j]] < mid_month
    if n_custody + n_bail <= trial_slots:
        unheard = np.empty(0, np.int64)
        if n_bail == 0:
            return due_custody[:n_custody], unheard
        return merged_rows(due_custody[:n_custody], due_bail[:n_bail]), unheard
    custody_heard = smallest_rows(verdict_month, due_custody[:n_custody], min(n_custody, trial_slots), 1.0)
    bail_heard = smallest_rows(verdict_month, due_bail[:n_bail], max(trial_slots - n_custody, 0), 1.0)
    heard = merged_rows(custody_heard, bail_heard)
    due = merged_rows(due_custody[:n_custody], due_bail[:n_bail])
    unheard = np.empty(due.size - heard.size, np.int64)
    n_unheard = j = 0
    for r in due:  # both ascending: the due rows not heard
        if j < heard.size and heard[j] == r:
            j += 1
        else:
            unheard[n_unheard] = r
            n_unheard += 1
    return heard, unheard


@kernel
def bailed_first(role, verdict_month, remanded, count):
    """The `count` of the `remanded` rows (ascending) the courts bail first when the remand places
    run out, ascending: exploited members, then workers, core members and leaders (the least dangerous
    first), and within a role those whose case will be ready last (ties in row order). Whole roles
    are taken while they fit; the role they stop in gives the rest by a partition (`smallest_rows`)."""
    chosen = np.empty(0, np.int64)
    if count <= 0:
        return chosen
    for r_role in range(EXPLOITED, LEADER - 1, -1):
        in_role = np.empty(remanded.size, np.int64)
        n_in_role = 0
        for j in range(remanded.size):
            in_role[n_in_role] = remanded[j]
            n_in_role += role[remanded[j]] == r_role
        take = smallest_rows(verdict_month, in_role[:n_in_role], count - chosen.size, -1.0)
        chosen = merged_rows(chosen, take)
        if chosen.size == count:
            break
    return chosen
