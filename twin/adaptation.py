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

from twin.adaptation_kernels import assign_leaders, county_lines_kernel, displacement_kernel, entry_kernel
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
    """New groups enter vacated markets (draws and attributes in `entry_kernel`), with their members."""
    ocgs, params, geo, markets = model.ocgs, model.params, model.geography, model.markets
    rng = model.streams["entry"]
    tally = model.tally
    entered_by_area = tally.values[tally.row("ocgs_entered")]
    area, portfolio, ocg_type, reach, violence, size, target, score_noise, exploited = entry_kernel(
        rng, markets.vacancy(), geo.population, model.modifiers.entry_multiplier, markets.demand, markets.served,
        markets.productivity, BASE_COHESION, params.entry_rate_per_month, model.months_per_step,
        NEW_OCG_LAUNDERING_SHARE, params.share_type_cultural, params.share_type_proximity,
        params.share_type_family, params.share_violent, params.share_serious_violence,
        np.log(params.entry_size_median), NEW_OCG_SIZE_SIGMA, params.ocg_size_min, MAX_ENTRANT_TARGET_SIZE,
        _REACH_SHARES, params.harm_score_noise_sigma, params.exploited_member_share_drugs,
        params.exploited_member_share_other, entered_by_area)
    n = area.size
    if n == 0:
        return
    new = ocgs.add(area=area, ocg_type=ocg_type, reach=reach, violence=violence, markets=portfolio,
                   known=np.zeros(n, dtype=bool), size=target, capital_gbp=np.zeros(n),
                   encrypted=np.zeros(n, dtype=bool), has_professional=np.zeros(n, dtype=bool),
                   has_insider=np.zeros(n, dtype=bool), score_noise=score_noise, step=model.steps_done)
    model.grow_ocg_arrays()
    owner, role = role_layout(size, params.core_member_share, exploited, rng)
    index = add_members(model, new[owner], role, rng, known_prob=0.0)
    assign_leaders(ocgs.leader, new, owner, role, index, LEADER)


_REACH_SHARES = np.array(NEW_OCG_REACH)


def county_lines(model) -> None:
    """Open lines into unmet heroin/crack demand; close some for business reasons (`county_lines_kernel`)."""
    lines, params, markets, tally = model.county_lines, model.params, model.markets, model.tally
    rng = model.streams["county_lines"]
    dt = model.months_per_step
    closed_row, opened_row = tally.row("county_lines_closed"), tally.row("county_lines_opened")
    values = tally.values  # after `row`, which may enlarge it
    openings = model.county_line_openings_per_exporter
    closure_rate = params.county_line_closure_prob_per_month + params.county_line_enforcement_closure_prob_per_month
    n_exporters, openings, owner, dest = county_lines_kernel(
        rng, lines.active, lines.dest, per_step_probability(params.county_line_closure_prob_per_month, dt),
        model.ocgs.active, model.ocgs.markets, model.ocgs.area, model.geography.exporter, model.ocg_capacity,
        -1.0 if openings is None else openings, closure_rate, markets.demand, markets.vacancy(),
        params.county_line_vacancy_response, dt, model.modifiers.county_line_opening_multiplier,
        values[closed_row], values[opened_row])
    if n_exporters and model.county_line_openings_per_exporter is None:
        model.county_line_openings_per_exporter = openings
    if owner.size:
        lines.append(owner.size, ocg=owner, dest=dest, active=True, opened_step=model.steps_done)


def displacement_and_learning(model) -> None:
    """Groups that just faced an operation move, pivot, insulate and reorganise (`displacement_kernel`)."""
    ocgs, params, markets, tally = model.ocgs, model.params, model.markets, model.tally
    rng = model.streams["adaptation"]
    dt = model.months_per_step
    relocations_row, closed_row = tally.row("relocations"), tally.row("county_lines_closed")
    values = tally.values  # after `row`, which may enlarge it
    lines = model.county_lines
    pivoted, encrypt, professional, insider, n_recruit = displacement_kernel(
        rng, model.investigated, model.disrupted, ocgs.active, ocgs.area, ocgs.markets, ocgs.insulation,
        ocgs.encrypted, ocgs.cohesion, ocgs.reputation, ocgs.ocg_type, BASE_COHESION, model.neighbours,
        model.geography.exporter, lines.ocg, lines.dest, lines.active, markets.demand, model.unit_price_gbp,
        markets.vacancy(), params.relocation_prob_after_operation, params.pivot_prob_after_operation,
        params.insulation_learning_step, params.encryption_adoption_after_operation,
        params.enabler_acquisition_after_operation,
        1.0 - per_step_probability(params.insulation_decay_per_month, dt), per_step_probability(RECOVERY_PER_MONTH, dt),
        values[relocations_row], values[closed_row])
    if pivoted.size:
        model.portfolios_changed(pivoted)
        tally.add_national("pivots", pivoted.size)
    link_clients(model.enablers, model.enabler_links, encrypt, TECHNICAL, rng)
    link_clients(model.enablers, model.enabler_links, professional, PROFESSIONAL, rng)
    link_clients(model.enablers, model.enabler_links, insider, INSIDER, rng)
    model.enablers_changed = model.enablers_changed or encrypt.size > 0 or n_recruit > 0
