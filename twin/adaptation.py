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

from twin.enablers import link_clients
from twin.members import role_layout
from twin.ocgs import BASE_COHESION
from twin.parameters import per_step_probability, per_step_rate
from twin.recruitment import add_members
from twin.streams import choice
from twin.vocabulary import (
    COCAINE, FRAUD, HEROIN_CRACK, INSIDER, LEADER, MONEY_LAUNDERING, PROFESSIONAL, PROXIMITY, TECHNICAL,
    VIRTUAL,
)

NEW_OCG_REACH = (0.6, 0.3, 0.1)  # local, regional, national: new entrants start small (assumption)
NEW_OCG_SIZE_SIGMA = 0.5
MAX_ENTRANT_TARGET_SIZE = 40.0  # largest size a new group aims for (assumption)
NEW_OCG_LAUNDERING_SHARE = 0.95  # new groups that launder their own money (assumption, seed 004)
RECOVERY_PER_MONTH = 0.02  # cohesion and reputation return towards their baseline (assumption)


def entry(model) -> None:
    ocgs, params, geo = model.ocgs, model.params, model.geography
    rng = model.streams["entry"]
    vacancy = model.markets.vacancy()[:, :MONEY_LAUNDERING]
    size_weight = geo.population / geo.population.mean()
    expected = (params.entry_rate_per_month * vacancy * size_weight[:, None]
                * model.modifiers.entry_multiplier[:, None])
    counts = rng.poisson(per_step_rate(expected, model.months_per_step))
    area, market = np.nonzero(counts)  # row-major order, as counts[counts > 0] below
    repeats = counts[area, market]
    area, market = np.repeat(area, repeats), np.repeat(market, repeats)
    n = area.size
    if n == 0:
        return
    markets = np.zeros((n, ocgs.markets.shape[1]), dtype=bool)
    markets[np.arange(n), market] = True
    # Most groups launder their own money (96% of OCGs are multi-criminal, seed 004).
    markets[:, MONEY_LAUNDERING] = rng.random(n) < NEW_OCG_LAUNDERING_SHARE
    ocg_type = np.where(market == FRAUD, np.where(rng.random(n) < 0.3, VIRTUAL, PROXIMITY),
                        choice(rng, _offline_type_shares(params), n))
    serious, violent = params.share_serious_violence, params.share_violent
    violence = choice(rng, [1 - violent, violent - serious, serious], n)
    size = np.maximum(np.rint(rng.lognormal(np.log(params.entry_size_median), NEW_OCG_SIZE_SIGMA, n)),
                      params.ocg_size_min)
    # Entrants start small but aim at the vacancy they came for: their target size is the labour
    # that would serve their share of the unmet demand (they then grow by recruiting).
    unmet = (model.markets.demand - model.markets.served)[area, market]
    per_entrant = unmet / np.repeat(counts[counts > 0], counts[counts > 0])
    labour_per_member = 0.9  # mean of the role labour weights of a new group (operations.ROLE_LABOUR)
    n_markets = 1.0 + markets[:, MONEY_LAUNDERING]
    productivity = np.maximum(model.markets.productivity[market], 1e-9)
    aim = per_entrant * n_markets / (productivity * labour_per_member * 0.5 * (1 + BASE_COHESION[ocg_type]))
    target = aim.clip(size, MAX_ENTRANT_TARGET_SIZE)
    new = ocgs.add(area=area, ocg_type=ocg_type, reach=choice(rng, NEW_OCG_REACH, n), violence=violence,
                   markets=markets, known=np.zeros(n, dtype=bool), size=target, capital_gbp=np.zeros(n),
                   encrypted=np.zeros(n, dtype=bool), has_professional=np.zeros(n, dtype=bool),
                   has_insider=np.zeros(n, dtype=bool),
                   score_noise=rng.lognormal(0.0, params.harm_score_noise_sigma, n), step=model.steps_done)
    model.grow_ocg_arrays()
    drugs = markets[:, HEROIN_CRACK] | markets[:, COCAINE]
    exploited = np.where(drugs, params.exploited_member_share_drugs, params.exploited_member_share_other)
    owner, role = role_layout(size.astype(np.int64), params.core_member_share, exploited, rng)
    index = add_members(model, new[owner], role, rng, known_prob=0.0)
    ocgs.leader[new[owner[role == LEADER]]] = index[role == LEADER]
    model.tally.add("ocgs_entered", area)


def _offline_type_shares(params) -> np.ndarray:
    shares = np.array([params.share_type_cultural, params.share_type_proximity, params.share_type_family])
    return shares / shares.sum()


def county_lines(model) -> None:
    """Open lines into unmet heroin/crack demand; close some for business reasons."""
    ocgs, lines, params, geo = model.ocgs, model.county_lines, model.params, model.geography
    rng = model.streams["county_lines"]
    dt = model.months_per_step
    business = lines.active & (rng.random(lines.n) < per_step_probability(params.county_line_closure_prob_per_month, dt))
    lines.active = lines.active & ~business
    model.tally.add("county_lines_closed", lines.dest[business])

    exporters = (ocgs.active & ocgs.markets[:, HEROIN_CRACK] & geo.exporter[ocgs.area]
                 & (model.ocg_capacity > 0)).nonzero()[0]
    if exporters.size == 0:
        return
    if model.county_line_openings_per_exporter is None:
        # Openings replace closures at the start (business and police ones at their baseline
        # rates), so the stock holds under current policy; unmet demand then draws more.
        closure_rate = params.county_line_closure_prob_per_month + params.county_line_enforcement_closure_prob_per_month
        model.county_line_openings_per_exporter = lines.active.sum() * closure_rate / exporters.size
    demand = model.markets.demand[:, HEROIN_CRACK] * ~geo.exporter
    vacancy = model.markets.vacancy()[:, HEROIN_CRACK] * ~geo.exporter
    mean_vacancy = (vacancy * demand).sum() / max(demand.sum(), 1e-9)
    expected = per_step_rate(model.county_line_openings_per_exporter * exporters.size
                             * (1.0 + params.county_line_vacancy_response * mean_vacancy), dt)
    n_new = rng.poisson(expected * model.modifiers.county_line_opening_multiplier)
    if n_new == 0:
        return
    capacity = model.ocg_capacity[exporters]
    owner = exporters[choice(rng, capacity / capacity.sum(), n_new)]
    pull = demand * (0.1 + vacancy)
    dest = choice(rng, pull / pull.sum(), n_new)
    lines.append(n_new, ocg=owner, dest=dest, active=True, opened_step=model.steps_done)
    model.tally.add("county_lines_opened", dest)


def displacement_and_learning(model) -> None:
    """Groups that just faced an operation move, pivot, insulate and reorganise."""
    ocgs, params = model.ocgs, model.params
    rng = model.streams["adaptation"]
    dt = model.months_per_step
    hit = (model.investigated & ocgs.active).nonzero()[0]
    if hit.size:
        u = rng.random((hit.size, 5))
        mover = hit[u[:, 0] < params.relocation_prob_after_operation]
        weights = model.neighbours[ocgs.area[mover]]
        has_neighbour = weights.sum(axis=1) > 0
        mover, weights = mover[has_neighbour], weights[has_neighbour]
        if mover.size:
            pick = (weights.cumsum(axis=1) > rng.random(mover.size)[:, None]).argmax(axis=1)
            model.tally.add("relocations", pick)
            ocgs.area[mover] = pick
            # A county line runs from an exporter area into another area: lines of groups that
            # moved out of an exporter area, or into their own line's destination, end.
            lines = model.county_lines
            owner_area = ocgs.area[lines.ocg]
            broken = lines.active & (~model.geography.exporter[owner_area] | (owner_area == lines.dest))
            lines.active = lines.active & ~broken
            model.tally.add("county_lines_closed", lines.dest[broken])
        # Pivots go where the money is: markets weighted by their value and unmet demand.
        markets = model.markets
        value = (markets.demand * model.unit_price_gbp[None, :]).sum(axis=0)[:MONEY_LAUNDERING]
        unmet = markets.vacancy()[:, :MONEY_LAUNDERING].mean(axis=0)
        appeal = value * (0.1 + unmet)
        pivoting = hit[u[:, 1] < params.pivot_prob_after_operation]
        weights = appeal[None, :] * ~ocgs.markets[pivoting, :MONEY_LAUNDERING]
        # Groups without drugs pivot within economic crime and exploitation (assumption): the
        # 32% of economic groups (seed 004) keep their character as they adapt.
        no_drugs = ~(ocgs.markets[pivoting, HEROIN_CRACK] | ocgs.markets[pivoting, COCAINE])
        weights[np.ix_(no_drugs, [HEROIN_CRACK, COCAINE])] = 0.0
        pivoting, weights = pivoting[weights.sum(axis=1) > 0], weights[weights.sum(axis=1) > 0]
        if pivoting.size:
            cumulative = weights.cumsum(axis=1)
            draw = rng.random(pivoting.size) * cumulative[:, -1]
            ocgs.markets[pivoting, (cumulative > draw[:, None]).argmax(axis=1)] = True
            model.portfolios_changed(pivoting)
            model.tally.add_national("pivots", pivoting.size)
        ocgs.insulation[hit] += params.insulation_learning_step * (1.0 - ocgs.insulation[hit])
        encrypt = hit[(u[:, 2] < params.encryption_adoption_after_operation) & ~ocgs.encrypted[hit]]
        link_clients(model.enablers, model.enabler_links, encrypt, TECHNICAL, rng)
        recruit = hit[u[:, 3] < params.enabler_acquisition_after_operation]
        kinds = np.where(u[: recruit.size, 4] < 0.5, PROFESSIONAL, INSIDER) if recruit.size else recruit
        for kind in (PROFESSIONAL, INSIDER):
            link_clients(model.enablers, model.enabler_links, recruit[kinds == kind], kind, rng)
        model.enablers_changed = model.enablers_changed or encrypt.size > 0 or recruit.size > 0
        ocgs.reputation[model.disrupted & ocgs.active] *= 0.8
    calm = ~model.investigated
    ocgs.insulation[calm] *= 1.0 - per_step_probability(params.insulation_decay_per_month, dt)
    recover = per_step_probability(RECOVERY_PER_MONTH, dt)
    ocgs.cohesion += recover * (BASE_COHESION[ocgs.ocg_type] - ocgs.cohesion)
    ocgs.reputation += recover * (0.5 - ocgs.reputation)

