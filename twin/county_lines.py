"""County lines: groups in exporter areas supplying heroin/crack in other areas, from set-up to closure.

A line belongs to one group (`ocg`) and supplies one destination area (`dest`). What the model
does with lines is here, in the order a run meets it, but for two closures other phases' passes
over the groups make (named last):
- set-up: the register's lines (its `county_lines` column) go to non-exporter areas by population,
  twice as likely in the owner's region (`line_destinations`);
- supply: each active line supplies `county_line_capacity_users` heroin/crack users in its
  destination, scaled by its group's staffing (`line_supply`; `operations.py` adds the supply);
- the county-lines phase (`step`, one kernel: `county_lines_step`): lines close for business
  reasons, and exporter-area heroin/crack groups open new ones into unmet demand;
- closures by enforcement: a disrupted group's lines close with `line_closure_on_disruption_prob`
  (`close_lines_of_disrupted`, called by the investigations kernel);
- closures when a group ends or is absorbed (its lines handed to the absorbing group;
  `close_lines_of_inactive`, called by the succession kernels);
- a group that moves out of an exporter area, or into one of its lines' destinations, loses those
  lines (`adaptation_kernels.displace_and_learn`), and a group that leaves the heroin/crack market
  closes its lines (`adaptation_kernels.market_exit_step`).
Every closure and opening is tallied by destination area (`county_lines_closed`, `county_lines_opened`).
"""

from __future__ import annotations

import numpy as np

from twin.compiled import as_generator, generator_argument, kernel, uniform
from twin.shared_kernels import add_to_tally, pairwise_sum
from twin.parameters import per_step_probability
from twin.streams import choice_cdf, poissons, search_right
from twin.tables import Table
from twin.vocabulary import HEROIN_CRACK

#: the tally rows the county-lines phase's kernel adds to, in the order it takes them
COUNTY_LINE_TALLIES = ("county_lines_closed", "county_lines_opened")


class CountyLines(Table):
    """County lines: an OCG in an exporter area supplying heroin/crack in another area."""

    columns = {
        "ocg": (np.int64, -1, ()),
        "dest": (np.int64, 0, ()),
        "active": (bool, True, ()),
        "opened_step": (np.int64, 0, ()),
    }


def line_destinations(model, owners: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """County-line destinations: non-exporter areas, by population, twice as likely in the owner's region."""
    geo = model.geography
    if owners.size == 0:
        return owners
    origin_region = geo.area_region[model.ocgs.area[owners]]
    weights = np.where(geo.exporter, 0.0, geo.population)[None, :] * np.where(
        geo.area_region[None, :] == origin_region[:, None], 2.0, 1.0)
    cumulative = weights.cumsum(axis=1)
    draw = rng.random(owners.size) * cumulative[:, -1]
    return (cumulative > draw[:, None]).argmax(axis=1)


def line_supply(model) -> np.ndarray:
    """Heroin/crack users each active county line supplies this step, as `_write_entries` adds them:
    `county_line_capacity_users` x its group's staffing (active members over target size, at most 1)."""
    lines, ocgs = model.county_lines, model.ocgs
    owner = lines.ocg[lines.active]
    staffing = np.clip(model.active_members[owner] / np.maximum(ocgs.target_size[owner], 1.0), 0.0, 1.0)
    return (model.params.county_line_capacity_users * staffing * ocgs.active[owner]
            * model.modifiers.supply_multiplier[HEROIN_CRACK])


def step(model) -> None:
    """Close some lines for business reasons; open lines into unmet heroin/crack demand (`county_lines_step`)."""
    lines, params, markets = model.county_lines, model.params, model.markets
    dt = model.months_per_step
    openings = model.county_line_openings_per_exporter
    # The starting stock: until the opening rate is set no line has opened, so every line is one
    # the run started with (counted before the step's closures, which a monthly step has more of).
    start_lines = float(lines.n) if openings is None else 0.0
    rows = model.tally.rows_of(COUNTY_LINE_TALLIES)  # first: a new name may replace `tally.values`
    n_exporters, openings, owner, dest = county_lines_step(
        rng_handle=generator_argument(model.streams["county_lines"]), line_active=lines.active, line_dest=lines.dest,
        closure_prob=per_step_probability(params.county_line_closure_prob_per_month, dt),
        ocg_active=model.ocgs.active, ocg_markets=model.ocgs.markets, ocg_area=model.ocgs.area,
        exporter=model.geography.exporter, ocg_capacity=model.ocg_capacity,
        openings_per_exporter=-1.0 if openings is None else openings,
        start_closures=start_lines * (params.county_line_closure_prob_per_month
                                      + params.county_line_enforcement_closure_prob_per_month),
        demand=markets.demand, vacancy=markets.vacancy(), vacancy_response=params.county_line_vacancy_response,
        months_per_step=dt, opening_multiplier=model.modifiers.county_line_opening_multiplier,
        entry_multiplier=model.modifiers.entry_multiplier, pull_floor=params.vacancy_pull_floor,
        tally=model.tally.values, tally_rows=rows)
    if n_exporters > 0 and model.county_line_openings_per_exporter is None:
        model.county_line_openings_per_exporter = openings
    if owner.size:
        lines.append(owner.size, ocg=owner, dest=dest, active=True, opened_step=model.steps_done)


@kernel
def county_lines_step(rng_handle, line_active, line_dest, closure_prob, ocg_active, ocg_markets, ocg_area, exporter,
                      ocg_capacity, openings_per_exporter, start_closures, demand, vacancy, vacancy_response,
                      months_per_step, opening_multiplier, entry_multiplier, pull_floor, tally, tally_rows):
    """County lines closing for business reasons, and new ones opening.

    Every line draws a uniform (in row order): an active line below `closure_prob` closes
    (tallied by destination in the tally row `tally_rows[0]`, "county_lines_closed").
    Exporters are active heroin/crack groups with capacity in exporter areas; openings are Poisson
    with mean `openings_per_exporter` x exporters x (1 + response x demand-weighted vacancy
    outside exporter areas) x the opening multiplier. `openings_per_exporter` < 0 means not yet
    set: it is set to `start_closures` (the lines the starting stock loses a month at the baseline
    closure rates) over the exporters (so the stock holds). The
    number of openings is drawn only when there are exporters; then `open_lines` draws the new
    lines' owners (by capacity) and destinations (by demand x (`pull_floor` + vacancy) x the area's
    `entry_multiplier`: Hold keeps new lines out as it keeps new groups out), tallied by
    destination in `tally_rows[1]` ("county_lines_opened").
    Returns (number of exporters, openings per exporter, owners and destinations of new lines).
    """
    rng = as_generator(rng_handle)
    # Conditions are combined with & and | rather than `and`/`or` in the loops over rows: a branch
    # on a flag that is true for a fraction of rows (active lines, drug groups) is mispredicted
    # often, a branch on the rare event is not.
    n_areas = exporter.size
    closed = np.zeros(n_areas, dtype=np.int64)
    for line in range(line_active.size):
        if line_active[line] & (uniform(rng) < closure_prob):
            line_active[line] = False
            closed[line_dest[line]] += 1
    add_to_tally(tally, tally_rows[0], closed)

    candidates = np.empty(ocg_active.size, dtype=np.int64)
    n_exporters = 0
    for o in range(ocg_active.size):
        # Every row is written at the next free place, which moves on only for an exporter (no branch).
        candidates[n_exporters] = o
        n_exporters += ocg_active[o] & ocg_markets[o, HEROIN_CRACK] & exporter[ocg_area[o]] & (ocg_capacity[o] > 0)
    exporters = candidates[:n_exporters].copy()
    capacity = np.empty(n_exporters)
    for k in range(n_exporters):
        capacity[k] = ocg_capacity[exporters[k]]
    no_lines = np.empty(0, dtype=np.int64)
    if n_exporters == 0:
        return 0, openings_per_exporter, no_lines, no_lines
    if openings_per_exporter < 0:
        # Openings replace closures at the start (business and police ones at their baseline
        # rates), so the stock holds under current policy; unmet demand then draws more.
        openings_per_exporter = start_closures / n_exporters

    line_demand = np.empty(n_areas)  # heroin/crack demand outside exporter areas
    line_vacancy = np.empty(n_areas)
    weighted = np.empty(n_areas)
    pull = np.empty(n_areas)
    for a in range(n_areas):
        outside = 0.0 if exporter[a] else 1.0
        line_demand[a] = demand[a, HEROIN_CRACK] * outside
        line_vacancy[a] = vacancy[a, HEROIN_CRACK] * outside
        weighted[a] = line_vacancy[a] * line_demand[a]
        pull[a] = line_demand[a] * (pull_floor + line_vacancy[a]) * entry_multiplier[a]
    total_demand = pairwise_sum(line_demand, 0, n_areas)
    mean_vacancy = pairwise_sum(weighted, 0, n_areas) / (1e-9 if 1e-9 > total_demand else total_demand)
    expected_per_step = ((openings_per_exporter * n_exporters * (1.0 + vacancy_response * mean_vacancy))
                         * months_per_step)
    owner_cdf = choice_cdf(capacity / pairwise_sum(capacity, 0, n_exporters))
    dest_cdf = choice_cdf(pull / pairwise_sum(pull, 0, n_areas))
    n_new = poissons(rng, np.full(1, expected_per_step * opening_multiplier))[0]
    if n_new == 0:
        return n_exporters, openings_per_exporter, no_lines, no_lines
    owner, dest = open_lines(rng, n_new, exporters, owner_cdf, dest_cdf, tally, tally_rows[1])
    return n_exporters, openings_per_exporter, owner, dest


@kernel
def open_lines(rng, n_new, exporters, owner_cdf, dest_cdf, tally, opened_row):
    """`n_new` new lines: a uniform per line for its owner, then one per line for its destination
    (two `streams.choice` draws); tallied by destination in the tally row `opened_row`.
    Returns (owners, destinations)."""
    owner = np.empty(n_new, dtype=np.int64)
    dest = np.empty(n_new, dtype=np.int64)
    opened = np.zeros(tally.shape[1], dtype=np.int64)
    for i in range(n_new):
        owner[i] = exporters[search_right(owner_cdf, uniform(rng))]
    for i in range(n_new):
        dest[i] = search_right(dest_cdf, uniform(rng))
        opened[dest[i]] += 1
    add_to_tally(tally, opened_row, opened)
    return owner, dest


@kernel
def close_lines_of_disrupted(rng, line_closure_prob, line_active, line_ocg, line_dest, disrupted, any_disrupted,
                              tally_values, row_closed):
    """Close the county lines of disrupted groups, each with chance `line_closure_prob`, and count
    them by destination. A uniform is drawn for every line, in row order, whether it can close or
    not: the stream moves on as drawing them all (numpy's `random(n)` fills an array faster, but
    a call from Python to draw or skip only the lines that can close costs as much)."""
    closed_by_area = np.zeros(tally_values.shape[1])
    for line in range(line_active.size):
        u = uniform(rng)
        if any_disrupted and line_active[line] and disrupted[line_ocg[line]] and u < line_closure_prob:
            line_active[line] = False
            closed_by_area[line_dest[line]] += 1.0
    if any_disrupted:
        add_to_tally(tally_values, row_closed, closed_by_area)


NO_REMAP = np.empty(0, dtype=np.int64)  # `close_lines_of_inactive` without handing lines over


@kernel
def close_lines_of_inactive(line_active, line_ocg, line_dest, ocg_active, remap, n_areas):
    """Close the active county lines of every inactive group, each line first handed to
    `remap[owner]` when `remap` is given (absorptions; one pass either way). Returns the lines
    closed by destination area."""
    closed_by_area = np.zeros(n_areas)
    for line in range(line_ocg.size):
        owner = line_ocg[line]
        if remap.size:
            owner = remap[owner]
            if owner != line_ocg[line]:
                line_ocg[line] = owner
        if line_active[line] and not ocg_active[owner]:
            line_active[line] = False
            closed_by_area[line_dest[line]] += 1.0
    return closed_by_area
