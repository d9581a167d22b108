"""Enablers: professional enablers, corrupt insiders and technical enablers, and their clients.

Each enabler serves several OCGs through links (one row per enabler-OCG link). The services an
OCG gets follow from its active links: a professional enabler raises its laundering efficiency,
a corrupt insider lowers the success of operations against it, and a technical enabler
(encrypted platform, crypto service) lowers detection and intelligence gain.

Enablers removed by operations and levers are replaced (`renew`): the services are a market, and
after EncroChat and Sky ECC groups moved to other platforms, as struck-off launderers are
replaced by others. Each kind's pool returns towards its starting size, and groups that lost an
enabler find another.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import as_generator, generator_argument, kernel, uniform
from twin.shared_kernels import array_sum
from twin.parameters import per_step_probability
from twin.streams import choice_cdf, search_right
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


KINDS = (PROFESSIONAL, INSIDER, TECHNICAL)
assert KINDS == (0, 1, 2)  # `_service_flags` uses bit k (and 3 + k) for kind k


def build_enablers(counts: tuple[int, int, int], rng: np.random.Generator, pareto_shape: float) -> Enablers:
    """The starting enablers: `counts` of each kind (in `KINDS` order), their pull on clients
    1 + a Pareto draw of shape `pareto_shape` (`enabler_client_pareto_shape`)."""
    enablers = Enablers(capacity=2 * sum(counts))
    _add_enablers(enablers, counts, rng, pareto_shape)
    return enablers


def _add_enablers(enablers: Enablers, counts, rng: np.random.Generator, pareto_shape: float) -> None:
    """Append `counts[kind]` new active enablers of each kind, kind by kind, in one append (one
    draw of all their pulls: the same numbers as a draw per kind in turn)."""
    total = int(sum(counts))
    # A few enablers serve many clients (EncroChat served thousands): heavy-tailed pull.
    enablers.append(total, kind=np.repeat(np.arange(len(KINDS)), counts),
                    reach_weight=rng.pareto(pareto_shape, size=total) + 1.0)


def starting_counts(params) -> tuple[int, int, int]:
    """Enablers of each kind at the start (`KINDS` order): the pool `renew` restores."""
    return int(params.enablers_professional), int(params.enablers_insider), int(params.enablers_technical)


def renew(model) -> None:
    """Enabler turnover (step 4, before the services are read), from the "enablers" stream.

    Entry: each enabler a kind is short of its starting count (`starting_counts`) is replaced with
    chance `enabler_entry_prob_per_month` (a binomial draw per kind), the new ones drawn as at
    set-up. Re-linking: each active group that lost its enabler of a kind (a link to a removed
    enabler, none to an active one of that kind) links to an active enabler of that kind, chosen
    by pull (`link_clients`, so new enablers gain clients), with chance `enabler_relink_prob_per_month`.
    Removal (operations, levers) thus depletes the pool for a while; without it, the pool and the
    services stay near their starting levels. Then each group's services are refreshed if anything
    this step changed them (`model.enablers_changed`: removals, entry, new links).

    One kernel (`_relink`) makes the pass over the links that finds the groups that lost a service,
    draws which of them find another, picks the enablers, and gives the services and the count of
    dead links that `drop_spent_links` needs: separate passes cost about twice as much.
    """
    params, dt = model.params, model.months_per_step
    enablers, links, ocgs = model.enablers, model.enabler_links, model.ocgs
    rng = model.streams["enablers"]
    active_by_kind = _active_by_kind(enablers.kind, enablers.active)
    entry = per_step_probability(params.enabler_entry_prob_per_month, dt)
    # One scalar draw per kind gives the numbers one draw on the array of shortfalls gives, at a
    # fifth of the cost; numpy's binomial draws nothing for n = 0, so a kind not short skips it.
    entering = [rng.binomial(short, entry) if short > 0 else 0
                for short in (start - int(active) for start, active in zip(starting_counts(params), active_by_kind))]
    if any(entering):
        _add_enablers(enablers, entering, rng, params.enabler_client_pareto_shape)
    relink = per_step_probability(params.enabler_relink_prob_per_month, dt)
    enabler, client, flags, n_seeking, dead = _relink(
        generator_argument(rng), relink, links.enabler, links.ocg, links.active, enablers.kind, enablers.active,
        enablers.reach_weight, ocgs.active)
    if client.size:
        links.append(client.size, enabler=enabler, ocg=client)
    if model.enablers_changed or any(entering) or n_seeking:
        _set_services(flags, ocgs.has_professional, ocgs.has_insider, ocgs.encrypted)
        model.enablers_changed = False
    drop_spent_links(ocgs.active, enablers, links, (flags, dead))


#: spent links are dropped once they are this share of the link table (each drop is a pass over it)
SPENT_LINK_SHARE = 0.25


def drop_spent_links(ocg_active: np.ndarray, enablers: Enablers, links: EnablerLinks,
                     service_flags: tuple[np.ndarray, int] | None = None) -> None:
    """Drop the links no process reads any more, once they are `SPENT_LINK_SHARE` of the table: links
    to a removed enabler from a group that has since found another of that kind, or that no longer
    operates. Services, exposure in operations and `lost_service` read only links to active
    enablers and the removed enablers' links of groups still without one, so nothing else changes;
    without this the table grew by about 3,000 spent links a year and every pass over it with it.
    `service_flags` are the links' `_service_flags` (flags, dead links) when the caller has them."""
    flags, dead_links = service_flags if service_flags is not None else _service_flags(
        links.enabler, links.ocg, links.active, enablers.kind, enablers.active, ocg_active.size)
    if dead_links <= SPENT_LINK_SHARE * links.n:
        return  # spent links are among the dead ones: nothing to gain yet
    spent, n_spent = _spent_links(links.enabler, links.ocg, enablers.kind, enablers.active, ocg_active, flags)
    if n_spent > SPENT_LINK_SHARE * links.n:
        links.compact(~spent)


@kernel
def _active_by_kind(enabler_kind, enabler_active):
    """Active enablers of each kind (`KINDS` order)."""
    counts = np.zeros(3, dtype=np.int64)
    for e in range(enabler_kind.size):
        if enabler_active[e]:
            counts[enabler_kind[e]] += 1
    return counts


@kernel
def _spent_links(link_enabler, link_ocg, enabler_kind, enabler_active, ocg_active, flags):
    """`drop_spent_links`' test for each link, and the number that pass it: to a removed enabler,
    from a group that is inactive or has an active link to an active enabler of that kind (bit
    `kind` of the links' `_service_flags`)."""
    spent = np.zeros(link_enabler.size, dtype=np.bool_)
    n_spent = 0
    for i in range(link_enabler.size):
        e, g = link_enabler[i], link_ocg[i]
        spent[i] = not enabler_active[e] and (not ocg_active[g] or (flags[g] >> enabler_kind[e]) & 1 == 1)
        n_spent += spent[i]
    return spent, n_spent


@kernel
def _service_flags(link_enabler, link_ocg, link_active, enabler_kind, enabler_active, n_ocgs):
    """One byte per group: bit k set if it has an active link to an active enabler of kind k
    (`KINDS` order), bit 3 + k if it has one to a removed enabler of kind k; and the number of
    active links to removed enablers (links to rows past `n_ocgs` are left out). One byte per
    group, not a [kind, group] array of flags: about half the time."""
    bit = np.empty(enabler_kind.size, dtype=np.uint8)  # each enabler's bit: one load per link below
    for e in range(enabler_kind.size):
        bit[e] = (1 if enabler_active[e] else 8) << enabler_kind[e]
    flags = np.zeros(n_ocgs, dtype=np.uint8)
    dead = 0
    for i in range(link_enabler.size):
        if link_active[i] and link_ocg[i] < n_ocgs:
            b = bit[link_enabler[i]]
            flags[link_ocg[i]] |= b
            dead += b >= 8
    return flags, dead


@kernel
def _orphans(flags, ocg_active):
    """For each kind (`KINDS` order), the active groups (ascending) whose `_service_flags` say they
    lost their enabler of that kind (a link to a removed one) and have no active one; one pass."""
    rows = np.empty((3, flags.size), dtype=np.int64)
    n = np.zeros(3, dtype=np.int64)
    for g in range(flags.size):
        f = flags[g]
        if f >= 8 and ocg_active[g]:  # linked to a removed enabler of some kind
            for kind in range(3):
                if (f >> kind) & 9 == 8:
                    rows[kind, n[kind]] = g
                    n[kind] += 1
    return rows[0, :n[0]].copy(), rows[1, :n[1]].copy(), rows[2, :n[2]].copy()


def lost_service(ocg_active: np.ndarray, enablers: Enablers, links: EnablerLinks) -> tuple[np.ndarray, ...]:
    """For each kind (`KINDS` order), the active groups (rows, ascending) with an active link to a
    removed enabler of that kind and none to an active one: the groups that lost that service."""
    flags = _service_flags(links.enabler, links.ocg, links.active, enablers.kind, enablers.active,
                           ocg_active.size)[0]
    return _orphans(flags, ocg_active)


@kernel
def _relink(rng_handle, relink, link_enabler, link_ocg, link_active, enabler_kind, enabler_active, reach_weight,
            ocg_active):
    """`renew`'s re-linking: the groups that lost a service (`_service_flags`, `_orphans`), kind by
    kind, each seeking a new enabler with chance `relink` (one uniform per group in row order, as
    `rng.random(groups.size) < relink` draws them); then their new links (`_new_links`). Returns
    the new links' enablers and groups, the service flags with the new links set, the number of
    groups seeking, and the number of active links to removed enablers."""
    flags, dead = _service_flags(link_enabler, link_ocg, link_active, enabler_kind, enabler_active, ocg_active.size)
    rng = as_generator(rng_handle)
    seeking = []
    n_seeking = 0
    for groups in _orphans(flags, ocg_active):
        chosen = np.empty(groups.size, dtype=np.int64)
        n = 0
        for g in groups:
            if uniform(rng) < relink:
                chosen[n] = g
                n += 1
        seeking.append(chosen[:n].copy())
        n_seeking += n
    enabler, client = _new_links(rng_handle, (seeking[0], seeking[1], seeking[2]), np.arange(3), enabler_kind,
                                 enabler_active, reach_weight)
    for i in range(client.size):
        flags[client[i]] |= np.uint8(1 << enabler_kind[enabler[i]])
    return enabler, client, flags, n_seeking, dead


@kernel
def _set_services(flags, has_professional, has_insider, encrypted):
    """Each group's service flags (written in place) from bits 0-2 of its `_service_flags`."""
    for g in range(flags.size):
        has_professional[g] = flags[g] & (1 << PROFESSIONAL) != 0
        has_insider[g] = flags[g] & (1 << INSIDER) != 0
        encrypted[g] = flags[g] & (1 << TECHNICAL) != 0


def link_clients(enablers: Enablers, links: EnablerLinks, clients: tuple[np.ndarray, ...], kinds: tuple[int, ...],
                 rng: np.random.Generator) -> None:
    """Give each OCG of each list in `clients` (int64 rows) one new link to an active enabler of
    the list's kind in `kinds`, chosen by client pull; the links are appended list by list."""
    if not any(groups.size for groups in clients):
        return
    enabler, client = _new_links(generator_argument(rng), clients, np.array(kinds, dtype=np.int64), enablers.kind,
                                 enablers.active, enablers.reach_weight)
    if client.size:
        links.append(client.size, enabler=enabler, ocg=client)


@kernel
def _new_links(rng_handle, clients, kinds, enabler_kind, enabler_active, reach_weight):
    """The enablers and groups of `link_clients`' new links. A list whose kind has an active
    enabler draws a uniform per group and picks by pull as `streams.choice` does with
    p = weights / weights.sum() (`_pool_cdf` is its cumulative sum); a list without one draws
    nothing."""
    rng = as_generator(rng_handle)
    n_total = 0
    for groups in clients:
        n_total += groups.size
    enabler = np.empty(n_total, dtype=np.int64)
    client = np.empty(n_total, dtype=np.int64)
    n = 0
    for k in range(len(clients)):
        groups = clients[k]
        if groups.size == 0:
            continue
        pool, cdf = _pool_cdf(enabler_kind, enabler_active, reach_weight, kinds[k])
        if pool.size == 0:
            continue
        for i in range(groups.size):
            enabler[n] = pool[search_right(cdf, uniform(rng))]
            client[n] = groups[i]
            n += 1
    return enabler[:n], client[:n]


@kernel
def _pool_cdf(enabler_kind, enabler_active, reach_weight, kind):
    """The active enablers of `kind` (ascending) and the cumulative distribution of their pull,
    as `streams.choice` builds it from `weights / weights.sum()` (the sum in numpy's pairwise
    order; `choice_cdf`)."""
    pool = np.empty(enabler_kind.size, dtype=np.int64)  # one pass, then cut to size
    weights = np.empty(enabler_kind.size)
    n_pool = 0
    for enabler in range(enabler_kind.size):
        if enabler_kind[enabler] == kind and enabler_active[enabler]:
            pool[n_pool] = enabler
            weights[n_pool] = reach_weight[enabler]
            n_pool += 1
    if n_pool == 0:
        return pool[:0].copy(), np.empty(0)
    weights = weights[:n_pool].copy()
    return pool[:n_pool].copy(), choice_cdf(weights / array_sum(weights))


def refresh_services(ocgs, enablers: Enablers, links: EnablerLinks) -> None:
    """Recompute each OCG's enabler services from its active links to active enablers."""
    flags = _service_flags(links.enabler, links.ocg, links.active, enablers.kind, enablers.active, ocgs.n)[0]
    _set_services(flags, ocgs.has_professional, ocgs.has_insider, ocgs.encrypted)


def initial_links(ocgs, enablers: Enablers, links: EnablerLinks, rng: np.random.Generator) -> None:
    """Link each group to one enabler of each kind whose service the register gives it."""
    clients = tuple(flags.nonzero()[0] for flags in (ocgs.has_professional, ocgs.has_insider, ocgs.encrypted))
    link_clients(enablers, links, clients, KINDS, rng)
