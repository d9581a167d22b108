import numpy as np
import pytest

from twin.model import TwinModel
from twin.parameters import Parameters
from twin.results import METRIC_NAMES, METRICS
from twin.scenario import SPIN_UP_YEARS
from twin.vocabulary import ACTIVE, CHARGED, EXITED, EXPLOITED, LEADER, STATUSES

from conftest import ROOT

NON_NEGATIVE = [m for m in METRIC_NAMES if m != "net_social_cost_gbp"]


def _check_invariants(model, previous_population):
    members, ocgs = model.members, model.ocgs
    row = model.results.values[model.steps_done - 1]
    uk = row[-1]
    values = row[:, [METRIC_NAMES.index(m) for m in NON_NEGATIVE]]
    # NaN exactly where a metric is national-only and the row is an area's, nowhere else
    national_only = np.array([not METRICS[METRIC_NAMES.index(m)].per_area for m in NON_NEGATIVE])
    expected_nan = np.zeros(values.shape, dtype=bool)
    expected_nan[:-1, national_only] = True
    np.testing.assert_array_equal(np.isnan(values), expected_nan)
    assert np.all(values[~expected_nan] >= 0), "negative count, cost or harm"
    # net social cost = harm + response cost - assets recovered, area by area (and the UK row)
    net, harm, response, recovered = (row[:, METRIC_NAMES.index(m)] for m in (
        "net_social_cost_gbp", "harm_gbp_total", "response_cost_gbp", "assets_recovered_gbp"))
    np.testing.assert_allclose(net, harm + response - recovered, rtol=1e-12, atol=1e-6)
    population = members.population()
    joiners = uk[METRIC_NAMES.index("joiners")]
    leavers = uk[METRIC_NAMES.index("leavers")]
    assert population - previous_population == joiners - leavers, "members not conserved"
    assert np.all((members.status >= 0) & (members.status < len(STATUSES)))
    # on bail means outside custody: one on bail charged again and remanded was left flagged
    assert not np.any(members.on_bail & (members.status == CHARGED)), "remanded on bail"
    active = members.status == ACTIVE
    assert np.all(ocgs.active[members.ocg[active]]), "active member of a dissolved group"
    led = np.flatnonzero(ocgs.active & (ocgs.leader >= 0))
    leader = ocgs.leader[led]
    assert np.all(members.ocg[leader] == led), "leader belongs to another group"
    assert np.all(members.role[leader] == LEADER)
    assert np.all(members.status[leader] != EXITED)
    assert np.all(ocgs.capital_gbp >= -1e-6)
    assert np.all((model.trust > 0) & (model.trust <= 1))
    assert np.all(model.markets.sold_share <= 1 + 1e-9), "a supplier sold more than it supplied"
    _check_caches(model)
    return population


def _check_caches(model):
    """What the step keeps cached agrees with a fresh computation from the state."""
    from twin.metrics import SHARE_NAMES, population_shares

    from reference_impl import portfolio, portfolio_entries, share_profiles

    members, ocgs = model.members, model.ocgs
    assert np.isin(np.flatnonzero(members.status == ACTIVE), model.active_rows()).all()
    owner, market, n_markets = portfolio(model)
    fresh = portfolio_entries(ocgs.markets, np.arange(ocgs.n))
    assert sorted(zip(owner.tolist(), market.tolist())) == sorted(zip(fresh[0].tolist(), fresh[1].tolist()))
    assert np.array_equal(n_markets, fresh[2])
    shares = population_shares(model)
    expected = ocgs.active.astype(float) @ share_profiles(ocgs, np.arange(ocgs.n)) / max(ocgs.active.sum(), 1)
    assert np.allclose([shares[name] for name in SHARE_NAMES], expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("step_length, n_steps", [("month", 60), ("week", 104)])
def test_invariants_hold_every_step(step_length, n_steps):
    model = TwinModel(seed=3, n_steps=n_steps, step_length=step_length)
    population = model.members.population()
    for _ in range(n_steps):
        model.step()
        population = _check_invariants(model, population)


def test_invariants_hold_every_step_with_every_lever_acting_after_a_spin_up():
    # every lever type at once, area levers in every area (cohesion cuts, capital freezes, forced
    # releases, extra places and courts, prevention...), from a spun-up state
    from twin.bench import _all_levers

    model = TwinModel(seed=4, n_steps=36, levers=_all_levers(), spin_up_years=1)
    while model.steps_done < 0:  # the spin-up records nothing: check from the first reported step
        model.step()
    population = model.members.population()
    for _ in range(36):
        model.step()
        population = _check_invariants(model, population)


def test_same_seed_same_table_different_seed_different_table():
    a = TwinModel(seed=5, n_steps=24).run().values
    b = TwinModel(seed=5, n_steps=24).run().values
    c = TwinModel(seed=6, n_steps=24).run().values
    assert np.array_equal(a, b, equal_nan=True)
    assert not np.array_equal(a, c, equal_nan=True)


def test_uk_row_is_the_sum_of_the_areas(baseline_run):
    values = baseline_run.results.values
    total = METRIC_NAMES.index("harm_gbp_total")
    assert np.allclose(values[:, :-1, total].sum(axis=1), values[:, -1, total])
    harm_parts = [METRIC_NAMES.index(f"harm_gbp_{c}") for c in
                  ("drugs", "economic", "modern_slavery", "immigration", "violence", "other")]
    assert np.allclose(values[:, -1, harm_parts].sum(axis=1), values[:, -1, total])
    cost_types = [METRIC_NAMES.index(f"harm_gbp_{c}") for c in ("anticipation", "consequence", "response")]
    assert np.allclose(values[:, -1, cost_types].sum(axis=1), values[:, -1, total])


def test_policing_spending_by_tier_adds_up_to_the_policing_budget_and_each_tier_to_its_units():
    """Forces, ROCUs and NCA columns: each area's three add up to its policing cost; the UK row of
    each tier is that tier's budget; within a region, the areas' ROCU shares add up to that
    region's ROCU budget (computed here from the units, not the metric's formula)."""
    from twin.policing import Police

    params = Parameters({"budget_share_forces": 0.3, "budget_share_rocu": 0.3, "budget_share_nca": 0.4},
                        where="test")
    model = TwinModel(params=params, seed=2, n_steps=3)
    model.run()
    values, geo = model.results.values, model.geography
    column = {name: METRIC_NAMES.index(f"response_cost_gbp_{name}") for name in ("policing", "forces", "rocus", "nca")}
    tiers = values[:, :, column["forces"]] + values[:, :, column["rocus"]] + values[:, :, column["nca"]]
    assert np.allclose(tiers, values[:, :, column["policing"]], rtol=1e-12)
    units = Police(geo, params).budget_gbp_per_month(params)
    n_areas, n_regions = geo.n_areas, geo.n_regions
    assert np.allclose(values[:, -1, column["forces"]], units[:n_areas].sum(), rtol=1e-12)
    assert np.allclose(values[:, -1, column["rocus"]], units[n_areas:n_areas + n_regions].sum(), rtol=1e-12)
    assert np.allclose(values[:, -1, column["nca"]], units[-1], rtol=1e-12)
    assert values[0, -1, column["nca"]] == pytest.approx(0.4 * 860e6 / 12, rel=1e-9)
    by_region = np.zeros((values.shape[0], n_regions))
    for area in range(n_areas):
        by_region[:, geo.area_region[area]] += values[:, area, column["rocus"]]
    assert np.allclose(by_region, units[n_areas:n_areas + n_regions], rtol=1e-12)


def _annual(model, metric):
    series = model.results.series(metric)
    return series.reshape(-1, 12).sum(axis=1)


def test_baseline_harm_lands_in_the_brief_ranges(baseline_run):
    """Issue 2's pre-calibration ranges, every year of the run."""
    total = _annual(baseline_run, "harm_gbp_total")
    assert np.all((35e9 <= total) & (total <= 60e9))
    for metric, target in (("harm_gbp_drugs", 26e9), ("harm_gbp_economic", 11e9),
                           ("harm_gbp_modern_slavery", 3e9)):
        annual = _annual(baseline_run, metric)
        assert np.all(np.abs(annual / target - 1) <= 0.30), metric


@pytest.mark.parametrize("seed", range(1, 7))
def test_spun_up_baseline_harm_lands_in_the_brief_ranges(seed):
    """The same ranges for what `twin run scenarios/baseline.toml` reports: every year of ten after
    the default spin-up, six seeds."""
    model = TwinModel(seed=seed, n_steps=120, spin_up_years=SPIN_UP_YEARS)
    model.run()
    test_baseline_harm_lands_in_the_brief_ranges(model)


def test_baseline_counts_are_plausible(baseline_run):
    """The starting picture reproduces the register targets, and the yearly counts stay within the
    targets' tolerances every year of a run from the register (calibration/targets.toml: the
    values and tolerances are read from there, not typed in)."""
    from twin.targets import load_targets

    targets = {t.name: t for t in load_targets(ROOT / "calibration" / "targets.toml")}
    first = lambda metric: baseline_run.results.series(metric)[0]
    for name, metric in (("ocgs_mapped", "ocgs_known"), ("known_suspects", "members_known")):
        assert abs(first(metric) - targets[name].value) < targets[name].tolerance, name
    nrm = _annual(baseline_run, "nrm_referrals")
    assert np.all(np.abs(nrm - targets["nrm_referrals"].value) < targets["nrm_referrals"].tolerance)
    fraud_share = _annual(baseline_run, "fraud_reported") / _annual(baseline_run, "fraud_offences")
    share = targets["fraud_reported_share"]
    assert np.all(np.abs(fraud_share - share.value) < share.tolerance)


def test_higher_budget_disrupts_more_on_the_same_seeds():
    """Paired seeds, 4 replicates: tripling the budget raises disruptions in every pair."""
    for seed in range(4):
        base = TwinModel(seed=seed, n_steps=24).run()
        rich = TwinModel(Parameters({"soc_budget_gbp_per_year": 2.6e9}), seed=seed, n_steps=24).run()
        assert rich.series("disruptions").sum() > 1.5 * base.series("disruptions").sum()
        assert rich.series("response_cost_gbp").sum() > base.series("response_cost_gbp").sum()


def test_desistance_rate_matches_its_parameter():
    """Exits among active non-leaders match the monthly probability (tolerance in standard errors)."""
    from twin import recruitment

    p = 0.05
    model = TwinModel(Parameters({"desistance_prob_per_month": p, "exploited_identification_prob_per_month": 0.0}),
                      seed=9, n_steps=2)
    members = model.members
    eligible = (members.status == ACTIVE) & (members.role != LEADER)
    n = int(eligible.sum())
    model.tally.reset()
    recruitment.exploitation_and_desistance(model)
    exits = int((eligible & (members.status == EXITED)).sum())
    assert abs(exits - n * p) < 4 * np.sqrt(n * p * (1 - p))


def test_identified_exploited_members_are_referred_and_safeguarded_and_slavery_victims_referred():
    """ODD 3.3 (exploitation): each active exploited member is identified with
    `exploited_identification_prob_per_month` and referred to the NRM (a repeat referral when referred
    before), and an identified one is safeguarded out of the group with `identified_exploited_exit_prob`;
    victims served in the slavery market are referred with `slavery_victim_referral_prob_per_month`
    (a binomial of the whole people served in each area). Desistance off, so that only safeguarding
    ends membership. Each count within 4 standard errors of its binomial's mean."""
    from twin import recruitment
    from twin.vocabulary import MODERN_SLAVERY

    model = TwinModel(Parameters({"desistance_prob_per_month": 0.0, "identified_exploited_exit_prob": 0.3}),
                      seed=9, n_steps=2)  # (an exit chance of 0.3, not 0.5: a draw read the wrong way round shows)
    members, p, tally = model.members, model.params, model.tally
    exploited = (members.status == ACTIVE) & (members.role == EXPLOITED)
    others = (members.status == ACTIVE) & (members.role != EXPLOITED)
    members.referred[:] = np.random.default_rng(3).random(members.referred.size) < 0.5  # half referred before
    before = members.referred.copy()
    served = np.rint(model.markets.served[:, MODERN_SLAVERY])
    tally.reset()
    recruitment.exploitation_and_desistance(model)
    criminal, repeat = tally.get("nrm_referrals_criminal").sum(), tally.get("nrm_referrals_repeat").sum()
    victims = tally.get("nrm_referrals").sum() - criminal

    def within(count, n, q):
        n = np.asarray(n, dtype=float)
        assert abs(count - (n * q).sum()) <= 4 * np.sqrt((n * q * (1 - q)).sum()), (count, (n * q).sum())

    assert exploited.sum() > 5000 and criminal > 200
    within(criminal, exploited.sum(), p.exploited_identification_prob_per_month)
    within(repeat, (exploited & before).sum(), p.exploited_identification_prob_per_month)
    assert criminal == repeat + (exploited & ~before & members.referred).sum()  # the new ones, now referred
    within((exploited & (members.status == EXITED)).sum(), criminal, p.identified_exploited_exit_prob)
    assert not (others & (members.status != ACTIVE)).any()  # none desists
    assert served.sum() > 1000
    within(victims, served, p.slavery_victim_referral_prob_per_month)


def test_weekly_and_monthly_runs_agree():
    """The same seeds run weekly and monthly show no gap beyond 1% in any metric over years 2-5 from the
    register: each flow (a unit per step) summed, each stock averaged. The 1% is the acceptance limit
    (docs/ODD.md section 1.2): the test fails when six paired seeds show a larger gap, i.e. when the
    mean paired ratio is more than 4 standard errors beyond it; it does not show agreement within 1%
    where the noise is larger than that (succession, splits, entry: se 5-13%). A metric zero in both
    runs (early releases, which the baseline's prisons never need) is skipped; a rare count zero in some
    seeds (bail releases) has no ratio: the paired differences of its totals, seed by seed, must show no
    gap beyond 1% of the monthly mean by more than 4 standard errors estimated from their own spread.
    Bail releases come in bursts of 20-80 when the remand places bind, so Poisson errors on the totals
    were far too narrow (seeds 13-18 failed on unchanged code); with the paired errors they pass for
    seeds 1-30 in sets of six (seeds 25-30 failed on successful operations, +2.5%, se 0.36%, until a
    group's guard after an operation was a month whatever the step, `insulation_guard_months`).
    Measured: -0.06% (se 0.11%) for harm, -0.36% (se 0.60%) for arrests, +0.82% (se 0.48%) for repeat
    NRM referrals, +20% (se 7.6%) for absorptions, the largest against its noise (40 a run); an NRM
    referral chance left monthly in a weekly step gave 2.1 times the referrals, firearms' flow missing
    the step's length 4.3 times, and prison costs charged on the stock before releases were 3.4% apart
    when events were settled up to a step early (each caught here). Every metric is checked, not a list:
    a new one's conversion is tested too."""
    from twin.results import METRICS

    pairs: dict[str, list[tuple[float, float]]] = {m.name: [] for m in METRICS}  # (monthly, weekly) per seed
    for seed in range(1, 7):
        monthly = TwinModel(seed=seed, n_steps=60).run()
        weekly = TwinModel(seed=seed, n_steps=260, step_length="week").run()
        for metric in METRICS:
            m, w = monthly.series(metric.name)[12:], weekly.series(metric.name)[52:]
            pairs[metric.name].append((m.sum(), w.sum()) if metric.unit.endswith("/step") else (m.mean(), w.mean()))
    checked, gaps = 0, []
    for name, values in pairs.items():
        m, w = np.array(values).T
        if not m.any() and not w.any():
            continue
        checked += 1
        if m.all():  # the paired ratios, seed by seed
            ratios = w / m
            se = ratios.std(ddof=1) / np.sqrt(ratios.size)
            if not abs(ratios.mean() - 1) < 0.01 + 4 * se:
                gaps.append((name, ratios.mean(), se))
        else:  # a rare count (bail releases: none in most seeds): the paired differences of the totals
            differences = w - m
            se = differences.std(ddof=1) / np.sqrt(differences.size)
            if not abs(differences.mean()) <= 0.01 * m.mean() + 4 * se:
                gaps.append((name, m.tolist(), w.tolist(), se))
    assert not gaps, gaps
    assert checked > 60


def test_county_lines_supply_other_areas(baseline_run):
    lines = baseline_run.county_lines
    geo = baseline_run.geography
    origin = baseline_run.ocgs.area[lines.ocg[lines.active]]
    assert np.all(geo.exporter[origin])
    assert not np.any(geo.exporter[lines.dest[lines.active]])
    # ODD 3.3: openings replace closures at the starting rate, so the baseline's lines stay within 20% of the
    # start (every step of this 10-year run)
    active = baseline_run.results.series("county_lines_active")
    start = baseline_run.params.county_lines_initial
    assert np.all(np.abs(active / start - 1) < 0.2), (active.min(), active.max())


def test_every_county_line_opening_and_closure_is_counted(baseline_run):
    """Lines active change by exactly the lines opened minus the lines closed, every step."""
    results = baseline_run.results
    active = results.series("county_lines_active")
    flow = results.series("county_lines_opened") - results.series("county_lines_closed")
    np.testing.assert_array_equal(np.diff(active), flow[1:])


@pytest.mark.parametrize("step_length", ["month", "week"])
def test_county_line_openings_replace_the_starting_stock_closures(monkeypatch, step_length):
    """The opening rate is set in the first step so that openings replace what the starting stock
    of lines loses a month at the baseline closure rates (business and police): counted before the
    step's closures, so that a monthly step, which closes four times a week's lines first, sets the
    same rate as a weekly one."""
    import twin.county_lines as county_lines

    seen = []
    original = county_lines.county_lines_step

    def spy(*args, **kwargs):
        returned = original(*args, **kwargs)
        seen.append(returned[:2])  # exporters, openings per exporter
        return returned
    monkeypatch.setattr(county_lines, "county_lines_step", spy)
    model = TwinModel(seed=1, n_steps=2, step_length=step_length)
    start_lines = model.county_lines.n
    assert start_lines > 0 and model.county_lines.active.all()
    model.step()
    n_exporters, openings_per_exporter = seen[0]
    p = model.params
    assert n_exporters > 0
    assert openings_per_exporter * n_exporters == pytest.approx(
        start_lines * (p.county_line_closure_prob_per_month + p.county_line_enforcement_closure_prob_per_month))
    assert model.county_line_openings_per_exporter == openings_per_exporter


def test_baseline_holds_its_starting_picture():
    """Under current policy the stocks calibrated at the start hold through the spin-up and ten
    reported years (mean of 8 seeds, reported years 8-10): known suspects, mapped OCGs and SOC
    prisoners within the calibration tolerances of their late targets (read from
    calibration/targets.toml, not typed in), with the places binding rarely: early releases under a
    tenth of releases in the reported years (SDS40-style release is an emergency measure, not current
    policy). From the register's start without the spin-up, the prison stock's hump in years 3-5
    makes 13% of releases early. County lines have no target: they must not fall (source 003: lines
    have expanded), and their drift is the one the parameter table states (16% above the register's,
    se 2.9%, under county_line_enforcement_closure_prob_per_month), within 3 standard errors: a
    regression pin, since the table's figure was measured on these seeds; it keeps the table's
    statement true of the code (the independent check is the first, that lines do not fall)."""
    params = Parameters()
    from twin.targets import load_targets

    targets = {t.name: t for t in load_targets(ROOT / "calibration" / "targets.toml")}
    stocks = ("soc_prisoners_late", "known_suspects_late", "ocgs_mapped_late")
    late = {"county_lines_active": [], **{targets[name].metric: [] for name in stocks}}
    early_share = []
    for seed in range(1, 9):
        results = TwinModel(params, seed=seed, n_steps=120, spin_up_years=SPIN_UP_YEARS).run()
        for metric, values in late.items():
            values.append(results.series(metric)[84:].mean())
        early_share.append(results.series("early_releases").sum() / results.series("prison_releases").sum())
    for name in stocks:  # each against its target's metric (SOC prisoners: custody, remand included)
        assert abs(np.mean(late[targets[name].metric]) - targets[name].value) < targets[name].tolerance, name
    assert np.mean(early_share) < 0.1
    drift = np.array(late["county_lines_active"]) / params.county_lines_initial - 1
    se = drift.std(ddof=1) / np.sqrt(drift.size)
    assert drift.mean() - 3 * se > 0, (drift, se)  # not falling
    stated = "16% on average"  # the drift the parameter table states
    assert stated in params.spec("county_line_enforcement_closure_prob_per_month").source
    assert abs(drift.mean() - 0.16) < 3 * se, (drift, se)


def test_adaptation_happens(baseline_run):
    for metric in ("successions", "splits", "ocgs_entered", "ocgs_dissolved", "county_lines_opened",
                   "reoffenders", "recruits_children", "relocations", "pivots", "market_exits"):
        assert baseline_run.results.series(metric).sum() > 0, metric


def test_full_prisons_release_early_and_hold_the_stock_at_the_places():
    """With fewer places than the baseline's prisoners and remanded defendants, who share them
    (9,000 against 10,700-12,700 from the register), prisoners go out early from the first year and
    the stock in custody stays at the places at every step's end."""
    places = 9000
    results = TwinModel(Parameters({"soc_prison_places": places}), seed=1, n_steps=36).run()
    in_custody = results.series("members_prison") + results.series("members_charged")
    assert results.series("early_releases")[:12].sum() > 0
    assert in_custody.max() <= places
    assert in_custody[12:].min() > 0.97 * places  # held at the places, not drained below them


def test_repeat_nrm_referrals_are_counted_apart():
    """Repeat referrals are a subset of criminal-exploitation referrals. In the first step the
    people flagged as referred are the referrals less the repeats (a member identified and then
    arrested in the same step is referred twice); later repeats are common, as members not
    safeguarded are identified again."""
    model = TwinModel(seed=3, n_steps=24)
    model.step()
    first_repeat, first_criminal = (model.results.series(name)[0] for name in ("nrm_referrals_repeat",
                                                                               "nrm_referrals_criminal"))
    assert model.members.referred[: model.members.n].sum() == first_criminal - first_repeat > 0
    assert first_repeat < 0.05 * first_criminal
    model.run()
    repeat = model.results.series("nrm_referrals_repeat")
    criminal = model.results.series("nrm_referrals_criminal")
    assert (repeat <= criminal).all() and repeat[12:].sum() > 0.1 * criminal[12:].sum()


def test_exploited_people_arrested_in_operations_are_referred_as_victims():
    """With no street arrests and no identification by other routes, the criminal-exploitation
    referrals are those of exploited members arrested in operations: there are some, and each
    person referred is flagged."""
    params = Parameters({"street_arrest_prob_per_month": 0.0, "exploited_identification_prob_per_month": 0.0})
    model = TwinModel(params, seed=3, n_steps=6)
    model.run()
    criminal = model.results.series("nrm_referrals_criminal").sum()
    repeat = model.results.series("nrm_referrals_repeat").sum()
    assert criminal > 0
    assert model.members.referred[: model.members.n].sum() == criminal - repeat


def test_an_incident_ending_in_a_homicide_is_costed_once():
    """Violence harm = homicides x homicide cost + non-fatal incidents x serious-violence cost. With
    no indirect homicides every homicide ends an incident (in gang violence and in succession
    disputes, made common here), so exactly that many incidents are left out of the
    serious-violence cost."""
    params = Parameters({"indirect_homicide_share": 0.0, "succession_violent_prob": 0.9})
    model = TwinModel(params, seed=2, n_steps=36)
    model.run()
    results = model.results
    homicides, incidents = results.series("homicides"), results.series("serious_violence")
    fatal = (homicides * params.harm_gbp_per_homicide + incidents * params.harm_gbp_per_serious_violence
             - results.series("harm_gbp_violence")) / params.harm_gbp_per_serious_violence
    np.testing.assert_allclose(fatal, homicides, atol=1e-3)
    assert homicides.sum() > 0 and results.series("successions").sum() > 0
    # and, with no indirect ones, every homicide is direct, area by area
    np.testing.assert_array_equal(results.values[:, :, results.index["homicides_direct"]],
                                  results.values[:, :, results.index["homicides"]])


def test_direct_homicides_are_the_fatal_incidents_and_the_indirect_ones_their_share():
    """`homicides_direct` are the incidents that end in a homicide (costed as homicides, so they
    are the incidents left out of the serious-violence cost); the rest of `homicides` are indirect,
    in the share `indirect_homicide_share` of gang violence's homicides (succession disputes, made
    rare here, add direct ones only). Over 4 seeds the indirect count is within 4 Poisson standard
    errors of direct x share / (1 - share)."""
    params = Parameters({"succession_violent_prob": 0.0})
    share = params.indirect_homicide_share
    direct_total = indirect_total = 0.0
    for seed in (1, 2, 3, 4):
        model = TwinModel(params, seed=seed, n_steps=36)
        model.run()
        results = model.results
        homicides, direct = results.series("homicides"), results.series("homicides_direct")
        incidents = results.series("serious_violence")
        assert np.all(results.values[:, :, results.index["homicides_direct"]]
                      <= results.values[:, :, results.index["homicides"]])
        fatal = (homicides * params.harm_gbp_per_homicide + incidents * params.harm_gbp_per_serious_violence
                 - results.series("harm_gbp_violence")) / params.harm_gbp_per_serious_violence
        np.testing.assert_allclose(fatal, direct, atol=1e-3)
        direct_total += direct.sum()
        indirect_total += (homicides - direct).sum()
    expected = direct_total * share / (1 - share)
    assert direct_total > 100 and abs(indirect_total - expected) < 4 * np.sqrt(expected), (direct_total, indirect_total)


def test_children_turn_18_when_due():
    """Recruits' months of turning 18 spread evenly over the next (18 - youngest age) years (KS
    test); each step, those due before the step's middle are adults. Children found at the start
    were recruited a while ago, so the stock starts near where it settles: the children's share of
    the exploited dips in years 1-2 (by 14-17% at the end of each, seeds 4 and 5), while recruits
    catch up with the first years' arrests, and settles in years 4-5 about 9% below its start
    (seeds 4-9: 6-13% below, mean 9.4%, se 1.1%). Tested: the share holds rather than drains, the
    mean of seeds 4-9 within 15% of its start with three standard errors to spare."""
    from scipy import stats

    model = TwinModel(Parameters({"child_recruit_age_min_years": 15.0}), seed=4, n_steps=60)
    members = model.members
    years_left = 3.0
    assert np.all((members.adult_month[members.child] > 0) & (members.adult_month[members.child] <= 12 * years_left))
    assert np.all(np.isinf(members.adult_month[~members.child]))
    exploited = members.role == EXPLOITED
    start_share = members.child[exploited].mean()
    assert 0.2 < start_share < 0.6 * Parameters().child_share_of_exploited  # those who turned 18 since are adults
    recruited_children = []
    for _ in range(18):
        start = model.month
        model.step()
        m = model.members
        new = m.child & (m.joined_step == model.steps_done - 1)
        if model.steps_done > 1:  # members there at the start also have joined_step 0
            recruited_children.append(m.adult_month[new] - start)
        assert np.all(m.adult_month[m.child & ~new] >= start + 0.5), "a child past 18 still counted"
        grown = ~m.child & np.isfinite(m.adult_month)
        assert np.all(m.adult_month[grown] < start + 0.5), "an adult who is still under 18"
    drawn = np.concatenate(recruited_children)
    assert drawn.size > 500 and stats.kstest(drawn / (12 * years_left), "uniform").pvalue > 1e-3
    def settled_change(model, start_share):  # the share in years 4-5 against its start
        settled = []
        while model.steps_done < 60:  # to the end of year 5
            model.step()
            if model.steps_done > 36:
                m = model.members
                exploited = (m.role == EXPLOITED) & (m.status == ACTIVE)
                settled.append(m.child[exploited].mean())
        return np.mean(settled) / start_share - 1

    changes = [settled_change(model, start_share)]
    for seed in range(5, 10):
        other = TwinModel(Parameters({"child_recruit_age_min_years": 15.0}), seed=seed, n_steps=60)
        changes.append(settled_change(other, other.members.child[other.members.role == EXPLOITED].mean()))
    se = np.std(changes, ddof=1) / np.sqrt(len(changes))
    assert abs(np.mean(changes)) + 3 * se < 0.15, (changes, se)  # a share of exploited members that holds


def test_per_group_step_arrays_grow_keeping_their_values_and_zeroing_new_rows():
    """Groups added twice in a step (splits, then entry): the step's per-group arrays keep their
    values and give the new groups zeros; an array a phase replaced wholesale is copied, and the
    arrays a step held before are not changed by the buffers' reuse."""
    from twin.ocgs import STEP_ARRAYS

    params = Parameters({"ocgs_known_uk": 50, "members_known_uk": 600, "soc_prisoners_initial": 100,
                         "soc_awaiting_trial_initial": 50}, where="test")
    model = TwinModel(params=params, seed=2, n_steps=4)
    model.step()
    model.active_members = model.active_members + 1.0  # replaced wholesale, as the census does
    before = {name: getattr(model, name) for name in STEP_ARRAYS}
    kept = {name: array.copy() for name, array in before.items()}
    n, ocgs = model.ocgs.n, model.ocgs
    for added in (3, 2):
        rows = np.arange(added)
        ocgs.add(area=ocgs.area[rows], ocg_type=ocgs.ocg_type[rows], reach=ocgs.reach[rows],
                 violence=ocgs.violence[rows], markets=ocgs.markets[rows], known=False, size=ocgs.base_size[rows],
                 capital_gbp=0.0, encrypted=False, has_professional=False, has_insider=False,
                 score_noise=ocgs.score_noise[rows], step=model.steps_done, base_cohesion=model.base_cohesion)
        model.grow_ocg_arrays()
    for name in STEP_ARRAYS:
        grown = getattr(model, name)
        assert grown.shape[0] == n + 5
        assert np.array_equal(grown[:n], kept[name]) and not grown[n:].any()
        assert np.array_equal(before[name], kept[name])  # what was held before is unchanged
    model.step()
    model.step()
    for name in STEP_ARRAYS:
        assert getattr(model, name).shape[0] == model.ocgs.n


def test_exploited_members_are_charged_at_their_own_lower_chance():
    """Arrested exploited members (victims made offenders) are charged with charge_prob x
    exploited_charge_multiplier, the others with charge_prob (binomial counts, 4 standard errors).
    Every charged member is remanded here (`remand_prob` 1), so the charged are those remanded."""
    from twin.investigations import _arrest_terms, arrest_kernel
    from twin.vocabulary import CHARGED, EXPLOITED

    model = TwinModel(Parameters({"exploited_charge_multiplier": 0.4, "remand_prob": 1.0}), seed=11, n_steps=2)
    members, p = model.members, model.params
    active = np.flatnonzero(members.status[: members.n] == ACTIVE)
    exploited = members.role[active] == EXPLOITED
    rows = model.tally.rows_of(("arrests", "charges", "court_cost_gbp"))
    arrest_kernel(model.streams["investigations"], active, members.ocg, members.role, members.status, members.known,
                  members.verdict_month, members.on_bail, model.ocgs.area, model.ocgs.leader_directing,
                  model.ocgs.direction_draw, _arrest_terms(model),
                  model.tally.values, rows)
    for chosen, chance in ((exploited, p.charge_prob * 0.4), (~exploited, p.charge_prob)):
        n = int(chosen.sum())
        charged = int((members.status[active[chosen]] == CHARGED).sum())
        assert n > 5000
        assert abs(charged - n * chance) < 4 * np.sqrt(n * chance * (1 - chance)), (charged, n, chance)


def test_step_dates_follow_the_model_s_clock():
    """52 weekly steps are the model's year: each year's weeks start on the start date's anniversary
    (they were 7 days apart throughout, so the years drifted a day or two a year from the clock and
    from the summary's years). A monthly start on the 31st gives each month's last day."""
    import datetime

    weekly = TwinModel(seed=1, n_steps=52 * 12, step_length="week", start_date="2025-04-01").results.dates
    assert [weekly[52 * year] for year in (1, 2, 11)] == ["2026-04-01", "2027-04-01", "2036-04-01"]
    gaps = np.diff([datetime.date.fromisoformat(d).toordinal() for d in weekly])
    assert set(gaps[np.arange(gaps.size) % 52 != 51]) == {7} and set(gaps[51::52]) <= {8, 9}
    monthly = TwinModel(seed=1, n_steps=14, start_date="2024-01-31").results.dates
    assert monthly[:4] == ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"] and monthly[13] == "2025-02-28"


def test_a_seed_is_any_whole_number_in_range_numpy_s_included():
    """A replicate's seed read back from a comparison is a numpy integer: mesa's random.Random refused
    it deep inside; a float was truncated silently."""
    import numpy as np

    from twin.errors import UserError

    a = TwinModel(seed=np.int64(7), n_steps=1)
    b = TwinModel(seed=7, n_steps=1)
    a.run(), b.run()
    assert np.array_equal(a.results.values, b.results.values, equal_nan=True)
    for bad in (1.5, "1", -1, 2**32):
        with pytest.raises(UserError, match=r"seed: expected a whole number from 0 to 4294967295"):
            TwinModel(seed=bad, n_steps=1)


def test_a_finished_model_is_freed_at_once_not_left_to_the_cycle_collector():
    """No reference cycle holds a model (Mesa's own `step` wrapper made one): a worker running many
    runs frees each run's arrays when it is done with it, rather than when Python's cyclic collector
    next runs, which numpy's allocations seldom trigger (workers grew to about 3 GB over a sensitivity
    analysis). Mesa's step count still counts every step, spin-up included."""
    import gc
    import weakref

    from twin.runner import build_model
    from twin.scenario import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "national_security_package.toml")
    scenario.years = 0.25
    collecting = gc.isenabled()
    gc.disable()
    try:
        model = build_model(scenario, seed=5)
        model.run()
        assert model.steps == model.spin_up_steps + model.n_steps
        gone = weakref.ref(model)
        del model
        assert gone() is None
    finally:
        if collecting:
            gc.enable()


def test_a_ctrl_c_that_a_callback_from_c_swallowed_is_raised_at_the_next_step(capfd):
    """A Ctrl-C whose handler raised inside a ctypes callback (numba's compiler and cache call back
    into Python) was printed as 'Exception ignored ...' with a traceback and lost: the command, no
    longer listening for Ctrl-C, ran on. The `twin` command's hook notes it; the next step raises it."""
    import ctypes
    import sys

    from twin.errors import note_unraisable_interrupt
    from twin.parameters import Parameters

    def interrupted():
        raise KeyboardInterrupt

    params = Parameters({"ocgs_known_uk": 50, "members_known_uk": 600, "soc_prisoners_initial": 100,
                         "soc_awaiting_trial_initial": 50})
    model = TwinModel(params=params, seed=1, n_steps=3)
    previous = sys.unraisablehook
    sys.unraisablehook = note_unraisable_interrupt
    try:
        ctypes.CFUNCTYPE(None)(interrupted)()  # Python cannot raise it from here: it goes to the hook
        assert "Exception ignored" not in capfd.readouterr().err
        with pytest.raises(KeyboardInterrupt):
            model.step()
        model.step()  # raised once
        assert model.steps_done == 1
    finally:
        sys.unraisablehook = previous


def test_every_metric_is_written_by_some_process():
    """A metric declared in `results.METRICS` but never written (left out of the tally's copy, the
    census or the metrics kernel) records zeros without a word. Every metric, the levers' cost
    columns included, is non-zero somewhere in one of three runs: every lever type acting, the same
    without the funding lever (which fills the hiring cap the SOC fund shares), and a baseline with
    prisons too small (early and emergency releases) whose product markets are all glutted, for
    market exits: the border powers' cut in supply leaves no glut, and the baseline's gluts of a few
    per cent, now and then, gave exits by a seed's luck (none in some seeds; unrelated changes to
    the draws failed the test). The glut is max(0, 1 - s0 / s) against the balance s0 of the first
    clearing (docs/ODD.md 3.3), so s0 halved after it is a glut of about 0.5 in every product market:
    groups leave the markets they took up after their founding at about 10% a month, hundreds of
    exits in two years. s0 is read by the glut alone: only the exits, and what follows from them, change."""
    from twin.bench import _all_levers

    written: set[str] = set()
    names: set[str] = set()
    without_funding = [lever for lever in _all_levers() if lever.type_name != "funding"]
    glutted = TwinModel(seed=1, n_steps=24, params=Parameters({"soc_prison_places": 6000}, where="test"))
    glutted.markets.start_ratio = glutted.markets.start_ratio / 2  # set at the first clearing, in the set-up
    for model in (TwinModel(seed=1, n_steps=60, levers=_all_levers()),
                  TwinModel(seed=1, n_steps=36, levers=without_funding), glutted):
        model.run()
        frame = model.results.to_frame()
        names |= set(frame["metric"])
        written |= set(frame.loc[frame["value"] != 0, "metric"])
    assert set(METRIC_NAMES) <= names
    assert sorted(names - written) == []
