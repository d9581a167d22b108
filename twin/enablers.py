"""Enablers: professional enablers, corrupt insiders and technical enablers, and their clients.

Each enabler serves several OCGs through links (one row per enabler-OCG link). The services an
OCG gets follow from its active links: a professional enabler raises its laundering efficiency,
a corrupt insider lowers the success of operations against it, and a technical enabler
(encrypted platform, crypto service) lowers detection and intelligence gain.
"""

from __future__ import annotations

import numpy as np

from twin.adaptation_kernels import choice_cdf
from twin.compiled import array_sum, kernel
from twin.tables import Table
from twin.vocabulary import INSIDER, PROFESSIONAL, TECHNICAL


class Enablers(Table):
    """Enablers. Columns: kind (index into ENABLER_TYPES), active, known, reach_weight (client pull)."""

    columns = {
        "kind": (np.int64, 0, ()),
        "active": (bool, True, ()),
        "known": (bool, False, ()),
        "reach_weight": (float, 1.0, ()),
    }


class EnablerLinks(Table):
    """Links between enablers and the OCGs they serve."""

    columns = {
        "enabler": (np.int64, -1, ()),
        "ocg": (np.int64, -1, ()),
        "active": (bool, True, ()),
    }


def build_enablers(counts: tuple[int, int, int], rng: np.random.Generator) -> Enablers:
    enablers = Enablers(capacity=2 * sum(counts))
    for kind, count in enumerate(counts):
        # A few enablers serve many clients (EncroChat served thousands): heavy-tailed pull.
        enablers.append(int(count), kind=kind, reach_weight=rng.pareto(1.5, size=int(count)) + 1.0)
    return enablers


def link_clients(enablers: Enablers, links: EnablerLinks, ocg_index: np.ndarray, kind: int,
                 rng: np.random.Generator) -> None:
    """Give each listed OCG one new link to an active enabler of `kind`, chosen by client pull."""
    if ocg_index.size == 0:
        return
    pool, cdf = _pool_cdf(enablers.kind, enablers.active, enablers.reach_weight, kind)
    if pool.size == 0:
        return
    # `streams.choice` with p = weights / weights.sum(): its cumulative sum is `cdf`.
    chosen = pool[cdf.searchsorted(rng.random(ocg_index.size), side="right")]
    links.append(ocg_index.size, enabler=chosen, ocg=ocg_index)


@kernel
def _pool_cdf(enabler_kind, enabler_active, reach_weight, kind):
    """The active enablers of `kind` (ascending) and the cumulative distribution of their pull,
    as `streams.choice` builds it from `weights / weights.sum()` (the sum in numpy's pairwise
    order; `choice_cdf`)."""
    n_pool = 0
    for enabler in range(enabler_kind.size):
        if enabler_kind[enabler] == kind and enabler_active[enabler]:
            n_pool += 1
    pool = np.empty(n_pool, dtype=np.int64)
    weights = np.empty(n_pool)
    k = 0
    for enabler in range(enabler_kind.size):
        if enabler_kind[enabler] == kind and enabler_active[enabler]:
            pool[k] = enabler
            weights[k] = reach_weight[enabler]
            k += 1
    if n_pool == 0:
        return pool, np.empty(0)
    return pool, choice_cdf(weights / array_sum(weights))


def refresh_services(ocgs, enablers: Enablers, links: EnablerLinks) -> None:
    """Recompute each OCG's enabler services from its active links to active enablers."""
    _refresh_services(links.enabler, links.ocg, links.active, enablers.kind, enablers.active,
                      ocgs.has_professional, ocgs.has_insider, ocgs.encrypted)


@kernel
def _refresh_services(link_enabler, link_ocg, link_active, enabler_kind, enabler_active,
                      has_professional, has_insider, encrypted):
    """Set each OCG's service flags (written in place): true where it has at least one active
    link to an active enabler of that kind."""
    has_professional[:] = False
    has_insider[:] = False
    encrypted[:] = False
    n_ocgs = has_professional.shape[0]
    for link in range(link_ocg.shape[0]):
        enabler, ocg = link_enabler[link], link_ocg[link]
        if not (link_active[link] and enabler_active[enabler]) or ocg >= n_ocgs:
            continue
        kind = enabler_kind[enabler]
        if kind == PROFESSIONAL:
            has_professional[ocg] = True
        elif kind == INSIDER:
            has_insider[ocg] = True
        elif kind == TECHNICAL:
            encrypted[ocg] = True


def initial_links(ocgs, enablers: Enablers, links: EnablerLinks, rng: np.random.Generator) -> None:
    for kind, flags in ((PROFESSIONAL, ocgs.has_professional), (INSIDER, ocgs.has_insider),
                        (TECHNICAL, ocgs.encrypted)):
        link_clients(enablers, links, np.flatnonzero(flags), kind, rng)
