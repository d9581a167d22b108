"""OCG adaptation: entry into vacated markets, displacement and learning, market exit.

- Entry: unmet demand in an area and market draws new groups at `entry_rate_per_month` (scaled by
  the unmet share, the area's size and the market's profit: its price over the recent norm to
  `entry_price_elasticity`, `Markets.profit_pull`) unless someone holds the ground (the Hold lever lowers
  `entry_multiplier`, which also weighs the area down as a destination of relocating groups and
  of new county lines). New groups are small, unmapped and mostly local (`entrant_share_reach_*`).
- County lines open and close in their own phase (`county_lines.py`).
- Displacement: after an operation, a group may move to a neighbouring area or add a market.
  (Market-level displacement, supply from neighbouring areas into unmet demand, is in `markets.py`.)
- Learning: investigated groups insulate their leaders, adopt encryption and recruit enablers;
  every group's insulation decays slowly but for `insulation_guard_months` after an operation
  against it ended (those under an operation still running decay too).
  Cohesion and reputation recover towards their levels.
- Exit: a group in several markets leaves one it took up after its founding (not its core business,
  `OCGs.core_markets`) when national supply there is over its starting balance, at
  `market_exit_rate_per_month` x the glut (`Markets.glut`); entry (below balance) and exit (above
  the start) leave a band of stable supply between them.
"""

from __future__ import annotations

import numpy as np

from twin.adaptation_kernels import assign_leaders, displacement_step, market_exit_step, plan_entry
from twin.compiled import generator_argument
from twin.enablers import link_clients
from twin.parameters import per_step_probability
from twin.population_guard import population_error, population_room
from twin.recruitment import add_members
from twin.vocabulary import INSIDER, LEADER, PROFESSIONAL, TECHNICAL



def entry(model) -> None:
    """New groups enter vacated markets (`plan_entry`: every draw but the new members'), with their
    members; then the model's per-group arrays grow for every group added this step."""
    ocgs, params, markets = model.ocgs, model.params, model.markets
    rng = model.streams["entry"]
    rows = model.tally.rows_of(ENTRY_TALLIES)  # first: a new name may replace `tally.values`
    vacancy, pull = markets.vacancy(), markets.profit_pull()  # against the norm up to the last step
    markets.advance_price_norm(model.months_per_step)
    if pull is not None:  # vacancies where prices are above their norm draw more entrants
        vacancy = vacancy * pull
        vacancy.flags.writeable = False  # read-only as `Markets.vacancy`'s: one kernel signature either way
    room_groups, room_members = population_room(model)
    area, portfolio, ocg_type, reach, violence, target, score_noise, owner, role, over_groups, over_members = plan_entry(
        rng_handle=generator_argument(rng), vacancy=vacancy, population=model.geography.population,
        entry_multiplier=model.modifiers.entry_multiplier, entry_rate_per_month=params.entry_rate_per_month,
        months_per_step=model.months_per_step, log_size_median=np.log(params.entry_size_median),
        size_sigma=params.entrant_size_sigma, score_noise_sigma=params.harm_score_noise_sigma, demand=markets.demand,
        served=markets.served, productivity=markets.productivity, base_cohesion=model.base_cohesion,
        laundering_share=params.new_ocg_laundering_share, share_cultural=params.share_type_cultural,
        share_proximity=params.share_type_proximity, share_family=params.share_type_family,
        share_violent=params.share_violent, share_serious_violence=params.share_serious_violence,
        size_min=params.ocg_size_min, max_target_size=float(params.entrant_target_size_max), reach_shares=model.entrant_reach_shares,
        exploited_share_drugs=params.exploited_member_share_drugs,
        exploited_share_other=params.exploited_member_share_other, core_share=params.core_member_share,
        fraud_virtual_share=params.fraud_entrant_virtual_share, tally=model.tally.values, tally_rows=rows,
        room_groups=room_groups, room_members=room_members)
    if over_groups or over_members:  # stopped before the memory is asked for
        raise population_error(model, ocgs.n + over_groups, model.members.n + over_members, entering=True)
    if area.size:
        # Entrants start unmapped, without capital or enablers (scalars fill every new row).
        new = ocgs.add(area=area, ocg_type=ocg_type, reach=reach, violence=violence, markets=portfolio, known=False,
                       size=target, capital_gbp=0.0, encrypted=False, has_professional=False, has_insider=False,
                       score_noise=score_noise, step=model.steps_done, base_cohesion=model.base_cohesion)
        index = add_members(model, new[owner], role, rng, known_prob=0.0)
        assign_leaders(ocgs.leader, new, owner, role, index, LEADER)
        model.grow_ocg_arrays()  # the step's per-group arrays cover the entrants


#: the tally rows each phase's kernel adds to, in the order it takes them
ENTRY_TALLIES = ("ocgs_entered",)
DISPLACEMENT_TALLIES = ("relocations", "county_lines_closed")


def displacement_and_learning(model) -> None:
    """Groups that just faced an operation move, pivot, insulate and reorganise (`displacement_step`)."""
    ocgs, params, markets, tally = model.ocgs, model.params, model.markets, model.tally
    rng = model.streams["adaptation"]
    dt = model.months_per_step
    lines = model.county_lines
    rows = tally.rows_of(DISPLACEMENT_TALLIES)  # first: a new name may replace `tally.values`
    pivoting, encrypt, professional, insider, n_recruit = displacement_step(
        rng_handle=generator_argument(rng), investigated=model.investigated, disrupted=model.disrupted,
        active=ocgs.active, area=ocgs.area, markets=ocgs.markets, insulation=ocgs.insulation,
        encrypted=ocgs.encrypted, cohesion=ocgs.cohesion, reputation=ocgs.reputation, ocg_type=ocgs.ocg_type,
        base_cohesion=model.base_cohesion, relocation=model.relocation, relocation_scale=model.relocation_scale,
        entry_multiplier=model.modifiers.entry_multiplier, demand=markets.demand,
        unit_price_gbp=model.unit_price_gbp, vacancy=markets.vacancy(), exporter=model.geography.exporter,
        line_ocg=lines.ocg, line_dest=lines.dest, line_active=lines.active,
        relocation_prob=params.relocation_prob_after_operation, pivot_prob=params.pivot_prob_after_operation,
        learning_step=params.insulation_learning_step, encryption_prob=params.encryption_adoption_after_operation,
        enabler_prob=params.enabler_acquisition_after_operation,
        professional_share=params.acquired_enabler_professional_share, pull_floor=params.vacancy_pull_floor,
        calm_keep=1.0 - per_step_probability(params.insulation_decay_per_month, dt),
        recover=per_step_probability(params.cohesion_recovery_per_month, dt),
        reputation_kept=params.reputation_after_disruption_ratio, tally=tally.values, tally_rows=rows,
        guard=(model.steps_done, ocgs.investigated_step, float(dt), float(params.insulation_guard_months)))
    if pivoting.size:
        model.portfolios_changed(pivoting)
        tally.add_national("pivots", pivoting.size)
    if encrypt.size or n_recruit:
        link_clients(model.enablers, model.enabler_links, (encrypt, professional, insider),
                     (TECHNICAL, PROFESSIONAL, INSIDER), rng)
        model.enablers_changed = True


def market_exit(model) -> None:
    """Groups leave glutted markets (`market_exit_step`), from their own stream so no other draw shifts;
    caches built on portfolios update the groups that left one, and exits are tallied (`market_exits`)."""
    lines, tally = model.county_lines, model.tally
    row = tally.rows_of(EXIT_TALLIES)[0]  # first: a new name may replace `tally.values`
    left, n_exits = market_exit_step(
        rng_handle=generator_argument(model.streams["market_exit"]), active=model.ocgs.active,
        markets=model.ocgs.markets, core_markets=model.ocgs.core_markets, glut=model.markets.glut(),
        line_ocg=lines.ocg, line_dest=lines.dest, line_active=lines.active,
        rate_per_month=model.params.market_exit_rate_per_month, months_per_step=model.months_per_step,
        tally=tally.values, closed_row=row)
    if left.size:
        model.portfolios_changed(left)
        tally.add_national("market_exits", n_exits)


EXIT_TALLIES = ("county_lines_closed",)
