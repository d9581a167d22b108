"""OCG adaptation: entry into vacated markets, county lines, displacement and learning.

- Entry: unmet demand in an area and market draws new groups at `entry_rate_per_month` (scaled by
  the unmet share and the area's size) unless someone holds the ground (the Hold lever lowers
  `entry_multiplier`). New groups are small, unmapped and mostly local (`NEW_OCG_REACH`).
- County lines: exporter-area drug groups open lines into areas with unmet heroin/crack demand;
  lines close for business reasons or when their group is disrupted or gone.
- Displacement: after an operation, a group may move to a neighbouring area or add a market.
  (Market-level displacement, supply from neighbouring areas into unmet demand, is in `markets.py`.)
- Learning: investigated groups insulate their leaders, adopt encryption and recruit enablers;
  insulation decays slowly without pressure. Cohesion and reputation recover towards their levels.
"""

from __future__ import annotations

import numpy as np

from twin.adaptation_kernels import (
    assign_leaders, close_lines_and_plan, displace_and_learn, entrants, entry_means, investigated_groups, open_lines,
    plan_displacement,
)
from twin.enablers import link_clients
from twin.members import role_layout
from twin.ocgs import BASE_COHESION
from twin.parameters import per_step_probability
from twin.recruitment import add_members
from twin.vocabulary import INSIDER, LEADER, PROFESSIONAL, TECHNICAL

NEW_OCG_REACH = (0.6, 0.3, 0.1)  # local, regional, national: new entrants start small (assumption)
NEW_OCG_SIZE_SIGMA = 0.5
MAX_ENTRANT_TARGET_SIZE = 40.0  # largest size a new group aims for (assumption)
NEW_OCG_LAUNDERING_SHARE = 0.95  # new groups that launder their own money (assumption, seed 004)
RECOVERY_PER_MONTH = 0.02  # cohesion and reputation return towards their baseline (assumption)


def entry(model) -> None:
    """New groups enter vacated markets (`entry_means`, `entrants`), with their members."""
    ocgs, params, markets, tally = model.ocgs, model.params, model.markets, model.tally
    rng = model.streams["entry"]
    counts = rng.poisson(entry_means(markets.vacancy(), model.geography.population, model.modifiers.entry_multiplier,
                                     params.entry_rate_per_month, model.months_per_step))
    n = int(counts.sum())
    if n == 0:
        return
    # Drawn in the numpy version's order: laundering, virtual, offline type and violence (one
    # uniform each per entrant), size, reach, score noise.
    uniforms = rng.random(4 * n)
    size_draws = rng.lognormal(np.log(params.entry_size_median), NEW_OCG_SIZE_SIGMA, n)
    reach_uniforms = rng.random(n)
    score_noise = rng.lognormal(0.0, params.harm_score_noise_sigma, n)
    area, portfolio, ocg_type, reach, violence, size, target, exploited = entrants(
        counts, uniforms, size_draws, reach_uniforms, markets.demand, markets.served, markets.productivity,
        BASE_COHESION, NEW_OCG_LAUNDERING_SHARE, params.share_type_cultural, params.share_type_proximity,
        params.share_type_family, params.share_violent, params.share_serious_violence, params.ocg_size_min,
        MAX_ENTRANT_TARGET_SIZE, _REACH_SHARES, params.exploited_member_share_drugs,
        params.exploited_member_share_other, _tally_row(tally, "ocgs_entered"))
    # Entrants start unmapped, without capital or enablers (scalars fill every new row).
    new = ocgs.add(area=area, ocg_type=ocg_type, reach=reach, violence=violence, markets=portfolio, known=False,
                   size=target, capital_gbp=0.0, encrypted=False, has_professional=False, has_insider=False,
                   score_noise=score_noise, step=model.steps_done)
    model.grow_ocg_arrays()
    owner, role = role_layout(size, params.core_member_share, exploited, rng)
    index = add_members(model, new[owner], role, rng, known_prob=0.0)
    assign_leaders(ocgs.leader, new, owner, role, index, LEADER)


_REACH_SHARES = np.array(NEW_OCG_REACH)


def _tally_row(tally, name: str) -> np.ndarray:
    """The tally's sums by area for `name`, as a view a kernel adds its counts to (as `StepTally.add`
    would). `row` comes first: a new name may enlarge the array."""
    row = tally.row(name)
    return tally.values[row]


def county_lines(model) -> None:
    """Close some lines for business reasons; open lines into unmet heroin/crack demand
    (`close_lines_and_plan`, `open_lines`)."""
    lines, params, markets, tally = model.county_lines, model.params, model.markets, model.tally
    rng = model.streams["county_lines"]
    dt = model.months_per_step
    openings = model.county_line_openings_per_exporter
    closure_rate = params.county_line_closure_prob_per_month + params.county_line_enforcement_closure_prob_per_month
    exporters, openings, expected, owner_cdf, dest_cdf = close_lines_and_plan(
        rng.random(lines.n), lines.active, lines.dest, per_step_probability(params.county_line_closure_prob_per_month, dt),
        model.ocgs.active, model.ocgs.markets, model.ocgs.area, model.geography.exporter, model.ocg_capacity,
        -1.0 if openings is None else openings, closure_rate, markets.demand, markets.vacancy(),
        params.county_line_vacancy_response, dt, model.modifiers.county_line_opening_multiplier,
        _tally_row(tally, "county_lines_closed"))
    if exporters.size == 0:
        return
    if model.county_line_openings_per_exporter is None:
        model.county_line_openings_per_exporter = openings
    n_new = rng.poisson(expected)
    if n_new == 0:
        return
    # Owners, then destinations, one uniform each (two `streams.choice` draws).
    owner, dest = open_lines(rng.random(2 * n_new), exporters, owner_cdf, dest_cdf,
                             _tally_row(tally, "county_lines_opened"))
    lines.append(n_new, ocg=owner, dest=dest, active=True, opened_step=model.steps_done)


def displacement_and_learning(model) -> None:
    """Groups that just faced an operation move, pivot, insulate and reorganise
    (`plan_displacement`, `displace_and_learn`)."""
    ocgs, params, markets, tally = model.ocgs, model.params, model.markets, model.tally
    rng = model.streams["adaptation"]
    dt = model.months_per_step
    hit = investigated_groups(model.investigated, ocgs.active)
    uniforms = rng.random((hit.size, 5))  # relocation, pivot, encryption, enabler, enabler kind
    movers, pivoting, appeal = plan_displacement(
        hit, uniforms, ocgs.area, ocgs.markets, model.neighbours, markets.demand, model.unit_price_gbp,
        markets.vacancy(), params.relocation_prob_after_operation, params.pivot_prob_after_operation)
    draws = rng.random(movers.size + pivoting.size)  # movers' new areas, then pivots' new markets
    lines = model.county_lines
    relocations_row, closed_row = tally.row("relocations"), tally.row("county_lines_closed")
    values = tally.values  # taken after `row`, which may enlarge it for a new name
    encrypt, professional, insider, n_recruit = displace_and_learn(
        hit, uniforms, draws, movers, pivoting, appeal, model.investigated, model.disrupted, ocgs.active, ocgs.area,
        ocgs.markets, ocgs.insulation, ocgs.encrypted, ocgs.cohesion, ocgs.reputation, ocgs.ocg_type, BASE_COHESION,
        model.neighbours, model.geography.exporter, lines.ocg, lines.dest, lines.active,
        params.insulation_learning_step, params.encryption_adoption_after_operation,
        params.enabler_acquisition_after_operation, 1.0 - per_step_probability(params.insulation_decay_per_month, dt),
        per_step_probability(RECOVERY_PER_MONTH, dt), values[relocations_row], values[closed_row])
    if pivoting.size:
        model.portfolios_changed(pivoting)
        tally.add_national("pivots", pivoting.size)
    link_clients(model.enablers, model.enabler_links, encrypt, TECHNICAL, rng)
    link_clients(model.enablers, model.enabler_links, professional, PROFESSIONAL, rng)
    link_clients(model.enablers, model.enabler_links, insider, INSIDER, rng)
    model.enablers_changed = model.enablers_changed or encrypt.size > 0 or n_recruit > 0
