"""Compiled kernels of OCG adaptation (`adaptation.py`): entry, displacement and learning, exit.

Each phase is one kernel call (`plan_entry`, `displacement_step`, `market_exit_step`)
that takes the phase's stream as a handle (`compiled.generator_argument`) and draws from it in the order
the numpy version drew (a whole array of uniforms is drawn one number at a time, in its row order),
then writes the group, line and tally arrays in place. What stays in Python is what other modules
own: appending rows (`OCGs.add`, `CountyLines.append`, `EnablerLinks.append`) and adding members; the
enablers chosen for new links are drawn by `enablers.link_clients`.

Sums over arrays keep numpy's order: `np.sum` of more than 8 elements adds pairwise
(`pairwise_sum`), a sum down the rows of a matrix adds row by row, and a tally adds whole counts
per area (`shared_kernels.add_to_tally`, as `StepTally.add` does with `np.bincount`) to the step tally's
rows, which the caller looks up (`StepTally.rows_of`) and passes with the tally's values.
"""

from __future__ import annotations

import numpy as np

from twin.compiled import as_generator, kernel, uniform
from twin.register import MAX_GROUP_SIZE
from twin.shared_kernels import add_to_tally, maximum, minimum, pairwise_sum
from twin.members import roles_from_uniforms
from twin.operations import ENTRANT_LABOUR_PER_MEMBER
from twin.streams import choice_cdf, poissons, search_right
from twin.vocabulary import COCAINE, FRAUD, HEROIN_CRACK, MONEY_LAUNDERING, PROXIMITY, VIRTUAL

#: the largest entrant: a register's largest group (a float, as the sizes drawn are)
ENTRANT_SIZE_MAX = float(MAX_GROUP_SIZE)


@kernel
def first_above(cumulative, draw):
    """`(cumulative > draw).argmax()`: the first index whose value exceeds `draw`, 0 when none does."""
    for i in range(cumulative.size):
        if cumulative[i] > draw:
            return i
    return 0


@kernel
def entry_means(vacancy, population, entry_multiplier, entry_rate_per_month, months_per_step):
    """Expected entrants this step [area, product market]: rate x vacancy x the area's population
    relative to the mean x the entry multiplier (Hold lowers it)."""
    n_areas = vacancy.shape[0]
    mean_population = pairwise_sum(population, 0, n_areas) / n_areas
    means = np.empty((n_areas, MONEY_LAUNDERING))
    for a in range(n_areas):
        size_weight = population[a] / mean_population
        for m in range(MONEY_LAUNDERING):
            means[a, m] = (entry_rate_per_month * vacancy[a, m] * size_weight * entry_multiplier[a]) * months_per_step
    return means


@kernel
def entrants(counts, uniforms, size_draws, reach_uniforms, demand, served, productivity, base_cohesion,
             laundering_share, share_cultural, share_proximity, share_family, share_violent, share_serious_violence,
             size_min, max_target_size, reach_shares, exploited_share_drugs, exploited_share_other,
             fraud_virtual_share, tally, entered_row):
    """The attributes of new groups, one row per entrant (area by area, market by market, as
    `counts` [area, product market] lists them).

    `uniforms` holds four blocks of one number per entrant (laundering, virtual for fraud entrants,
    offline type, violence), `size_draws` the lognormal starting sizes and `reach_uniforms` the
    reach. Adds the entrants by area to the tally row `entered_row` ("ocgs_entered"). Returns area,
    portfolio, type, reach, violence, members to lay out, target size and the exploited share of
    members.
    """
    n_areas, n_products = counts.shape
    n = size_draws.size
    area = np.empty(n, dtype=np.int64)
    market = np.empty(n, dtype=np.int64)
    entrants_in_cell = np.empty(n, dtype=np.int64)
    entrants_by_area = np.zeros(n_areas, dtype=np.int64)
    i = 0
    for a in range(n_areas):
        for m in range(n_products):
            for _ in range(counts[a, m]):
                area[i], market[i], entrants_in_cell[i] = a, m, counts[a, m]
                i += 1
            entrants_by_area[a] += counts[a, m]
    add_to_tally(tally, entered_row, entrants_by_area)

    offline_shares = np.array([share_cultural, share_proximity, share_family])
    offline_cdf = choice_cdf(offline_shares / pairwise_sum(offline_shares, 0, 3))
    violence_cdf = choice_cdf(np.array([1 - share_violent, share_violent - share_serious_violence,
                                        share_serious_violence]))
    reach_cdf = choice_cdf(reach_shares)
    # Entrants start small but aim at the vacancy they came for: their target size is the labour
    # that would serve their share of the unmet demand (they then grow by recruiting).
    labour_per_member = ENTRANT_LABOUR_PER_MEMBER  # about the mean role labour weight of a new group
    markets = np.zeros((n, MONEY_LAUNDERING + 1), dtype=np.bool_)
    ocg_type = np.empty(n, dtype=np.int64)
    violence = np.empty(n, dtype=np.int64)
    reach = np.empty(n, dtype=np.int64)
    members = np.empty(n, dtype=np.int64)
    target_size = np.empty(n)
    exploited_share = np.empty(n)
    for i in range(n):
        markets[i, market[i]] = True
        # Most groups launder their own money (96% of OCGs are multi-criminal, source 004).
        markets[i, MONEY_LAUNDERING] = uniforms[i] < laundering_share
        if market[i] == FRAUD:
            ocg_type[i] = VIRTUAL if uniforms[n + i] < fraud_virtual_share else PROXIMITY
        else:  # cultural, proximity, family: the first three OCG types
            ocg_type[i] = search_right(offline_cdf, uniforms[2 * n + i])
        violence[i] = search_right(violence_cdf, uniforms[3 * n + i])
        # no larger than a register's largest group: a size parameter far beyond its range draws sizes
        # beyond any integer (never reached within the plausible ranges)
        size = minimum(maximum(np.rint(size_draws[i]), size_min), ENTRANT_SIZE_MAX)
        unmet = demand[area[i], market[i]] - served[area[i], market[i]]
        per_entrant = unmet / entrants_in_cell[i]
        n_markets = 1.0 + markets[i, MONEY_LAUNDERING]
        units_per_member = maximum(productivity[market[i]], 1e-9)
        aim = per_entrant * n_markets / (units_per_member * labour_per_member * 0.5 * (1 + base_cohesion[ocg_type[i]]))
        # `aim.clip(size, max_target_size)`: numpy's clip, a NaN stays NaN
        if np.isnan(aim):
            target_size[i] = aim
        else:
            low = aim if aim > size else size
            target_size[i] = low if low < max_target_size else max_target_size
        reach[i] = search_right(reach_cdf, reach_uniforms[i])
        members[i] = np.int64(size)
        drugs = markets[i, HEROIN_CRACK] or markets[i, COCAINE]
        exploited_share[i] = exploited_share_drugs if drugs else exploited_share_other
    return area, markets, ocg_type, reach, violence, members, target_size, exploited_share


@kernel
def plan_entry(rng_handle, vacancy, population, entry_multiplier, entry_rate_per_month, months_per_step,
               log_size_median, size_sigma, score_noise_sigma, demand, served, productivity, base_cohesion,
               laundering_share, share_cultural, share_proximity, share_family, share_violent,
               share_serious_violence, size_min, max_target_size, reach_shares, exploited_share_drugs,
               exploited_share_other, core_share, fraud_virtual_share, tally, tally_rows, room_groups, room_members):
    """The whole draw of the entry phase: entrants per [area, product market] (Poisson with
    `entry_means`, in the matrix's row order), then for the entrants four uniforms each in blocks
    (`entrants`), their lognormal sizes, a reach uniform each and their lognormal score noise,
    then a uniform per member for its role (`members.role_layout`: the first member of each group
    leads; core below `core_share`, exploited below core_share + (1 - core_share) x the group's
    exploited share, else worker). Adds the entrants by area to the tally row `tally_rows[0]`
    ("ocgs_entered").

    Returns area, portfolio, type, reach, violence, target size and score noise of each entrant,
    the group position and role of each member to add (no rows when nobody enters), and the groups
    and members that would have entered beyond `room_groups` or `room_members` (0 and 0 within
    them; beyond them nobody enters and the caller stops the run: a parameter far beyond its range
    would otherwise ask for more memory than the machine has in one step).
    """
    rng = as_generator(rng_handle)
    means = entry_means(vacancy, population, entry_multiplier, entry_rate_per_month, months_per_step)
    n_areas, n_products = means.shape
    counts = poissons(rng, means.ravel()).reshape((n_areas, n_products))
    n = 0
    for a in range(n_areas):
        for m in range(n_products):
            n += counts[a, m]
    too_many_groups = 0
    if n > room_groups:
        too_many_groups, n = n, 0
        counts[:, :] = 0
    uniforms = np.empty(4 * n)
    for i in range(4 * n):
        uniforms[i] = uniform(rng)
    size_draws = np.empty(n)
    for i in range(n):
        size_draws[i] = rng.lognormal(log_size_median, size_sigma)
    reach_uniforms = np.empty(n)
    for i in range(n):
        reach_uniforms[i] = uniform(rng)
    score_noise = np.empty(n)
    for i in range(n):
        score_noise[i] = rng.lognormal(0.0, score_noise_sigma)
    area, portfolio, ocg_type, reach, violence, size, target, exploited = entrants(
        counts, uniforms, size_draws, reach_uniforms, demand, served, productivity, base_cohesion,
        laundering_share, share_cultural, share_proximity, share_family, share_violent, share_serious_violence,
        size_min, max_target_size, reach_shares, exploited_share_drugs, exploited_share_other, fraud_virtual_share, tally,
        tally_rows[0])
    n_members = 0
    for i in range(n):
        n_members += size[i]
    too_many_members = 0
    if n_members > room_members:
        too_many_members, n_members = n_members, 0
        size[:] = 0
    u = np.empty(n_members)  # a uniform per member, leaders included (`members.role_layout`)
    for member in range(n_members):
        u[member] = uniform(rng)
    owner, role = roles_from_uniforms(size, u, core_share, exploited, True)
    return area, portfolio, ocg_type, reach, violence, target, score_noise, owner, role, too_many_groups, too_many_members


@kernel
def assign_leaders(leader, new_ocg, owner, role, member_index, leader_role):
    """Each new group's leader: the member laid out first with the leader role."""
    for k in range(owner.size):
        if role[k] == leader_role:
            leader[new_ocg[owner[k]]] = member_index[k]


@kernel
def investigated_groups(investigated, active):
    """Rows of active groups an operation against which ended this step, in row order."""
    hit = np.empty(active.size, dtype=np.int64)
    n_hit = 0
    for o in range(active.size):
        hit[n_hit] = o  # kept only when the group was hit: the next free place moves on (no branch)
        n_hit += investigated[o] & active[o]
    return hit[:n_hit].copy()


@kernel
def pivot_weights(appeal, markets, o, weights):
    """Weights of the product markets group `o` could add (into `weights`); returns their sum
    (numpy's order: fewer than 8 terms, added in turn)."""
    for m in range(weights.size):
        weights[m] = appeal[m] * (0.0 if markets[o, m] else 1.0)
    # Groups without drugs pivot within economic crime and exploitation (assumption): the
    # 32% of economic groups (source 004) keep their character as they adapt.
    if not (markets[o, HEROIN_CRACK] or markets[o, COCAINE]):
        weights[HEROIN_CRACK] = 0.0
        weights[COCAINE] = 0.0
    return pairwise_sum(weights, 0, weights.size)


@kernel
def open_relocation(relocation, entry_multiplier):
    """The relocation weights [origin, destination] as Hold leaves them: each destination's column
    times its `entry_multiplier` (Hold keeps displaced groups out as it keeps new ones out), so a
    mover picks a held area less often; the same weights where no area is held."""
    out = np.empty_like(relocation)
    for i in range(relocation.shape[0]):
        for a in range(relocation.shape[1]):
            out[i, a] = relocation[i, a] * entry_multiplier[a]
    return out


@kernel
def plan_displacement(hit, uniforms, area, markets, relocation, relocation_scale, demand, unit_price_gbp, vacancy,
                      relocation_prob, pivot_prob, pull_floor):
    """Who moves and who pivots after an operation, from the first two of each investigated
    group's five uniforms: movers are those below `relocation_prob` x their area's
    `relocation_scale` with somewhere to go (a non-zero row of `relocation`: from
    `geography.relocation_weights`, as Hold leaves it, `open_relocation`); pivoting
    groups those below `pivot_prob` with a market to add. Returns (movers, pivoting groups,
    appeal of each product market: its value x (`pull_floor` + mean vacancy))."""
    n_hit = hit.size
    n_areas = relocation.shape[0]
    movers = np.empty(n_hit, dtype=np.int64)
    n_movers = 0
    for i in range(n_hit):
        origin = area[hit[i]]
        if uniforms[i, 0] < relocation_prob * relocation_scale[origin] and pairwise_sum(relocation[origin], 0,
                                                                                          n_areas) > 0:
            movers[n_movers] = hit[i]
            n_movers += 1
    # Pivots go where the money is: markets weighted by their value and unmet demand.
    appeal = np.empty(MONEY_LAUNDERING)
    for m in range(MONEY_LAUNDERING):  # sums down the area rows, in row order (numpy's axis-0 sum)
        value = demand[0, m] * unit_price_gbp[m]
        unmet = vacancy[0, m]
        for a in range(1, n_areas):
            value += demand[a, m] * unit_price_gbp[m]
            unmet += vacancy[a, m]
        appeal[m] = value * (pull_floor + unmet / n_areas)
    pivoting = np.empty(n_hit, dtype=np.int64)
    n_pivoting = 0
    weights = np.empty(MONEY_LAUNDERING)
    for i in range(n_hit):
        if uniforms[i, 1] < pivot_prob and pivot_weights(appeal, markets, hit[i], weights) > 0:
            pivoting[n_pivoting] = hit[i]
            n_pivoting += 1
    return movers[:n_movers].copy(), pivoting[:n_pivoting].copy(), appeal


@kernel
def insulation_kept(steps_since, months_per_step, guard_months, calm_keep):
    """The share of a group's insulation kept over a step, `steps_since` steps after the step in
    which an operation against it ended (0 for that step; a huge number for a group never
    investigated). A group is on guard for `guard_months` from the start of that step, and its
    insulation does not decay meanwhile; after it, the step's share `calm_keep` is kept, and a step
    partly on guard keeps `calm_keep` to the power of its share after the guard. With a month's
    guard a monthly run keeps all in the operation's step and `calm_keep` after, as the model
    always did; a weekly run keeps all for four steps and two thirds of a week's decay in the
    fifth, the same month (the monthly run skipped a month's decay where the weekly one skipped a
    week's: 5% more disruptions weekly, 1.3% with the guard; docs/ODD.md section 1.2)."""
    guard_left = guard_months - steps_since * months_per_step  # months of guard left at the step's start
    if guard_left <= 1e-9:
        return calm_keep
    if guard_left >= months_per_step - 1e-9:
        return 1.0
    return calm_keep ** ((months_per_step - guard_left) / months_per_step)


@kernel
def displace_and_learn(hit, uniforms, draws, movers, pivoting, appeal, guard, disrupted, active, area, markets,
                       insulation, encrypted, cohesion, reputation, ocg_type, base_cohesion, relocation, exporter,
                       line_ocg, line_dest, line_active, learning_step, encryption_prob, enabler_prob,
                       professional_share, calm_keep, recover, reputation_kept, tally, tally_rows):
    """Groups that just faced an operation move, pivot and learn; every group's insulation decays
    without pressure and its cohesion and reputation recover.

    `draws` holds one uniform per mover (its new area, by its area's row of `relocation`, as Hold
    leaves it: `open_relocation`), then one
    per pivoting group (its new market, by appeal). Moves end the lines they break; moves and
    closures are tallied by area (tally rows `tally_rows`: relocations, then lines closed). Of
    each investigated group's five `uniforms`, the third decides encryption, the fourth an
    enabler, and the fifth of the first rows (one per recruiting group, as the numpy version did)
    its kind. Every group's insulation then decays but while it is on guard after an operation
    (`insulation_kept`; `guard` is the step, the groups' `investigated_step`, the months per step and
    `insulation_guard_months`). Returns the groups to link to a technical enabler, to a
    professional enabler and to an insider, and the number linking to an enabler.
    """
    n_ocgs = active.size
    n_areas = exporter.size
    n_hit = hit.size
    n_movers = movers.size
    if n_movers:
        moved_in = np.zeros(n_areas, dtype=np.int64)
        cumulative = np.empty(n_areas)
        for k in range(n_movers):
            o = movers[k]
            weights = relocation[area[o]]
            running = 0.0
            for a in range(n_areas):
                running = weights[a] if a == 0 else running + weights[a]
                cumulative[a] = running
            # the draw scaled to the weights' total (1 but for rounding while no area is held)
            pick = first_above(cumulative, draws[k] * cumulative[n_areas - 1])
            moved_in[pick] += 1
            area[o] = pick
        add_to_tally(tally, tally_rows[0], moved_in)
        # A county line runs from an exporter area into another area: lines of groups that
        # moved out of an exporter area, or into their own line's destination, end.
        closed = np.zeros(n_areas, dtype=np.int64)
        for line in range(line_active.size):
            owner_area = area[line_ocg[line]]
            # & and | (see `close_lines_and_plan`): no branch on the active flag
            if line_active[line] & ((exporter[owner_area] == False) | (owner_area == line_dest[line])):  # noqa: E712
                line_active[line] = False
                closed[line_dest[line]] += 1
        add_to_tally(tally, tally_rows[1], closed)

    weights = np.empty(MONEY_LAUNDERING)
    cumulative = np.empty(MONEY_LAUNDERING)
    for k in range(pivoting.size):
        o = pivoting[k]
        pivot_weights(appeal, markets, o, weights)
        running = 0.0
        for m in range(MONEY_LAUNDERING):
            running = weights[m] if m == 0 else running + weights[m]
            cumulative[m] = running
        markets[o, first_above(cumulative, draws[n_movers + k] * cumulative[MONEY_LAUNDERING - 1])] = True

    # Learning: insulate leaders, adopt encryption, recruit enablers.
    encrypt = np.empty(n_hit, dtype=np.int64)
    recruit = np.empty(n_hit, dtype=np.int64)
    n_encrypt, n_recruit = 0, 0
    for i in range(n_hit):
        o = hit[i]
        insulation[o] += learning_step * (1.0 - insulation[o])
        if uniforms[i, 2] < encryption_prob and not encrypted[o]:
            encrypt[n_encrypt] = o
            n_encrypt += 1
        if uniforms[i, 3] < enabler_prob:
            recruit[n_recruit] = o
            n_recruit += 1
    professional = np.empty(n_recruit, dtype=np.int64)
    insider = np.empty(n_recruit, dtype=np.int64)
    n_professional, n_insider = 0, 0
    for k in range(n_recruit):
        if uniforms[k, 4] < professional_share:
            professional[n_professional] = recruit[k]
            n_professional += 1
        else:
            insider[n_insider] = recruit[k]
            n_insider += 1

    # Every group: separate branch-free loops the compiler can vectorise. A factor of 1.0 leaves
    # a value exactly as it is, so multiplying every row equals multiplying the selected rows.
    if n_hit:
        for o in range(n_ocgs):
            reputation[o] *= reputation_kept if disrupted[o] & active[o] else 1.0
    step, investigated_step, months_per_step, guard_months = guard
    for o in range(n_ocgs):
        insulation[o] *= insulation_kept(step - investigated_step[o], months_per_step, guard_months, calm_keep)
    for o in range(n_ocgs):
        cohesion[o] += recover * (base_cohesion[ocg_type[o]] - cohesion[o])
    for o in range(n_ocgs):
        # 0.5 is every group's starting reputation (`OCGs` column default): a normalisation, not an
        # assumption, as recruitment scales with 0.5 + reputation and its fill rate is set at 0.5.
        reputation[o] += recover * (0.5 - reputation[o])
    return encrypt[:n_encrypt].copy(), professional[:n_professional].copy(), insider[:n_insider].copy(), n_recruit


@kernel
def displacement_step(rng_handle, investigated, disrupted, active, area, markets, insulation, encrypted, cohesion,
                      reputation, ocg_type, base_cohesion, relocation, relocation_scale, entry_multiplier, demand,
                      unit_price_gbp, vacancy, exporter,
                      line_ocg, line_dest, line_active, relocation_prob, pivot_prob, learning_step, encryption_prob,
                      enabler_prob, professional_share, pull_floor, calm_keep, recover, reputation_kept, tally,
                      tally_rows, guard):
    """The whole displacement and learning phase: the investigated groups (`investigated_groups`)
    draw five uniforms each (relocation, pivot, encryption, enabler, enabler kind, row by row),
    then one uniform per mover and per pivoting group (`plan_displacement`); `displace_and_learn`
    applies them, adding to the tally rows `tally_rows` (relocations, then lines closed), and decays
    insulation but where `guard` (see there) keeps it. Returns
    (pivoting groups, groups to link to a technical enabler, to a professional enabler, to an
    insider, number linking to an enabler)."""
    rng = as_generator(rng_handle)
    hit = investigated_groups(investigated, active)
    uniforms = np.empty((hit.size, 5))
    for i in range(hit.size):
        for j in range(5):
            uniforms[i, j] = uniform(rng)
    relocation = open_relocation(relocation, entry_multiplier)
    movers, pivoting, appeal = plan_displacement(hit, uniforms, area, markets, relocation, relocation_scale, demand,
                                                 unit_price_gbp, vacancy, relocation_prob, pivot_prob, pull_floor)
    draws = np.empty(movers.size + pivoting.size)  # movers' new areas, then pivots' new markets
    for i in range(draws.size):
        draws[i] = uniform(rng)
    encrypt, professional, insider, n_recruit = displace_and_learn(
        hit, uniforms, draws, movers, pivoting, appeal, guard, disrupted, active, area, markets, insulation,
        encrypted, cohesion, reputation, ocg_type, base_cohesion, relocation, exporter, line_ocg, line_dest,
        line_active, learning_step, encryption_prob, enabler_prob, professional_share, calm_keep, recover,
        reputation_kept, tally, tally_rows)
    return pivoting, encrypt, professional, insider, n_recruit


@kernel
def market_exit_step(rng_handle, active, markets, core_markets, glut, line_ocg, line_dest, line_active,
                     rate_per_month, months_per_step, tally, closed_row):
    """Groups leave glutted markets (`glut` [product market], `Markets.glut`). In row order, every active
    group in more than one product market draws a uniform for each market with a glut that it took up
    after it was founded (not in `core_markets`; in market order), and leaves it below
    1 - (1 - min(rate x glut, 1)) ** months_per_step; its core business and its last product market it
    keeps, whatever the glut. A county line is the heroin/crack business of its group, so the lines of
    a group that left heroin/crack close (tallied by destination in the tally row `closed_row`).
    Returns (groups that left a market, number of markets left)."""
    rng = as_generator(rng_handle)
    n_ocgs = active.size
    # Each market's chance, taken once (the same power of the same number as per draw, at a
    # fraction of the cost: a power per draw was most of this kernel's time).
    exit_prob = np.empty(MONEY_LAUNDERING)
    for m in range(MONEY_LAUNDERING):
        exit_prob[m] = 1.0 - (1.0 - min(rate_per_month * glut[m], 1.0)) ** months_per_step
    glutted = np.empty(MONEY_LAUNDERING, dtype=np.uint8)
    for m in range(MONEY_LAUNDERING):
        glutted[m] = glut[m] > 0
    left = np.empty(n_ocgs, dtype=np.int64)
    left_drugs = np.zeros(n_ocgs, dtype=np.bool_)
    n_left, n_exits = 0, 0
    for o in range(n_ocgs):
        # Only a group in a glutted market it took up after its founding may leave one (and draw):
        # a few per cent of the groups, found without a branch per market (which markets a group
        # holds follows no pattern a branch predictor could learn).
        exposed = np.uint8(0)
        for m in range(MONEY_LAUNDERING):
            exposed |= np.uint8(markets[o, m] > core_markets[o, m]) & glutted[m]
        if not exposed:
            continue
        n_products = 0
        for m in range(MONEY_LAUNDERING):
            n_products += markets[o, m]
        if not active[o] or n_products < 2:
            continue
        before = n_products
        for m in range(MONEY_LAUNDERING):
            if markets[o, m] and not core_markets[o, m] and n_products > 1 and glut[m] > 0:
                if uniform(rng) < exit_prob[m]:
                    markets[o, m] = False
                    n_products -= 1
                    left_drugs[o] |= m == HEROIN_CRACK
        n_exits += before - n_products
        left[n_left] = o  # kept only when the group left a market: the next free place moves on
        n_left += n_products < before
    closed = np.zeros(tally.shape[1], dtype=np.int64)
    for line in range(line_active.size):
        if line_active[line] & left_drugs[line_ocg[line]]:
            line_active[line] = False
            closed[line_dest[line]] += 1
    add_to_tally(tally, closed_row, closed)
    return left[:n_left].copy(), n_exits
