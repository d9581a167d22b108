"""Courts with a capacity (`justice.trial_slots`, `court_listing.hearings`), the custody time
limit, remand places within prison places shared by remand and sentence (bail, early release), and
the `court_capacity` lever."""

import numpy as np
import pytest

from twin.shared_kernels import merged_rows, smallest_rows
from twin.court_listing import bailed_first, hearings
from twin.model import TwinModel
from twin.parameters import Parameters
from twin.results import METRIC_NAMES
from twin.vocabulary import ACTIVE, CHARGED, PRISON

from test_levers import _run


def _reference_hearings(verdict_month, charged, bailed, mid_month, slots):
    """Ready cases heard custody first, each list earliest ready first (ties to the lower row)."""
    due = [(0, verdict_month[r], r) for r in charged if verdict_month[r] < mid_month]
    due += [(1, verdict_month[r], r) for r in bailed if verdict_month[r] < mid_month]
    heard = sorted(r for _, _, r in sorted(due)[:slots])
    return heard, sorted(set(r for _, _, r in due) - set(heard))


def test_hearings_take_custody_cases_first_and_the_earliest_ready():
    rng = np.random.default_rng(7)
    for trial in range(200):
        n = 300
        verdict_month = np.floor(rng.random(n) * 40) if trial % 2 else rng.random(n) * 40  # ties in half
        rows = rng.permutation(n)
        charged = np.sort(rows[: rng.integers(0, 200)])
        bailed = np.sort(rows[200: 200 + rng.integers(0, 100)])
        mid_month = 20.0
        slots = int(rng.integers(0, 250))
        heard, unheard = hearings(verdict_month, charged, bailed, mid_month, slots)
        expected_heard, expected_unheard = _reference_hearings(verdict_month, charged, bailed, mid_month, slots)
        assert list(heard) == expected_heard
        assert list(unheard) == expected_unheard
        assert heard.size <= slots


def test_remand_overflow_bails_exploited_and_workers_first_then_the_latest_ready():
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = 200
        role = rng.integers(0, 4, n).astype(np.int8)
        verdict_month = np.floor(rng.random(n) * 12)  # many ties: broken by row
        remanded = np.sort(rng.choice(n, size=int(rng.integers(1, n)), replace=False))
        count = int(rng.integers(0, remanded.size + 1))
        chosen = bailed_first(role, verdict_month, remanded, count)
        expected = sorted(remanded, key=lambda r: (-role[r], -verdict_month[r], r))[:count]
        assert list(chosen) == sorted(expected)  # the set the courts bail, in row order


def test_smallest_rows_chooses_as_a_stable_sort_does_ties_and_nan_included():
    rng = np.random.default_rng(11)
    for trial in range(300):
        n = 150
        values = np.floor(rng.random(n) * 10) if trial % 3 else rng.random(n) * 10  # ties in two thirds
        if trial % 5 == 0:
            values[rng.integers(0, n, 3)] = np.nan
        if trial % 7 == 0:
            values[rng.integers(0, n, 5)] = -0.0  # equal to 0.0 for the sort
        rows = np.sort(rng.choice(n, size=int(rng.integers(0, n)), replace=False))
        count = int(rng.integers(0, rows.size + 2))
        for sign in (1.0, -1.0):
            expected = np.sort(rows[np.argsort(sign * values[rows], kind="mergesort")[:count]])
            assert list(smallest_rows(values, rows, count, sign)) == list(expected)


def test_merged_rows_are_their_sorted_union():
    rng = np.random.default_rng(5)
    for _ in range(100):
        rows = rng.permutation(60)
        split = int(rng.integers(0, 60))
        a = np.sort(rows[: int(rng.integers(0, split + 1))])
        b = np.sort(rows[split:])
        assert list(merged_rows(a, b)) == sorted(np.concatenate((a, b)))


def _court_run(seed, n_steps=36, **params):
    """A run from the register (no spin-up), with the courts' invariants checked at every step."""
    p = Parameters(params)
    model = TwinModel(p, seed=seed, n_steps=n_steps)
    for _ in range(n_steps):
        month = model.month
        model.step()
        members = model.members
        status, verdict = members.status, members.verdict_month
        remanded = status == CHARGED
        # nobody remanded past the custody time limit, no more on remand than the remand places, and
        # no more on remand and in prison together than the prison places
        assert (month - verdict[remanded] <= p.custody_time_limit_months).all()
        assert remanded.sum() <= min(p.soc_remand_places, p.soc_prison_places)
        assert remanded.sum() + (status == PRISON).sum() <= p.soc_prison_places
        # defendants on bail are at liberty (or released, their group gone), none in prison awaiting trial
        bailed_active = members.on_bail & (status == ACTIVE)
        assert np.isfinite(verdict[bailed_active]).all()
    return model


def test_courts_at_capacity_build_a_backlog_and_bail_at_the_limits():
    """With capacity at a third of the ready cases, convictions a year are below what the courts
    could hear, a backlog of ready cases builds, and remanded defendants are bailed when remand
    places run out; with unlimited places, at the custody time limit."""
    capacity = 200
    tight = _court_run(seed=4, court_capacity_trials_per_month=capacity, soc_remand_places=1500)
    results = tight.results
    convictions = results.series("convictions")
    assert (convictions <= capacity).all() and convictions.sum() <= 36 * capacity
    assert results.series("court_backlog")[12:].min() > 1000
    assert results.series("bail_releases").sum() > 1000
    assert results.series("members_charged").max() <= 1500
    time_limit = _court_run(seed=4, court_capacity_trials_per_month=150, soc_remand_places=1e9,
                            soc_prison_places=1e9).results
    assert time_limit.series("bail_releases").sum() > 1000
    roomy = _run([], seed=4, n_steps=36, court_capacity_trials_per_month=1e12, soc_remand_places=1e12,
                 soc_prison_places=1e12)
    assert roomy.results.series("court_backlog").sum() == 0 == roomy.results.series("bail_releases").sum()
    assert convictions[12:].sum() < 0.5 * roomy.results.series("convictions")[12:].sum()


def test_remand_fills_the_prisons_and_sentenced_prisoners_go_out_early():
    """Remand and sentence share the places: with places below prisoners and remand together but
    above the prisoners alone, the prisons release sentenced prisoners early to make room (and, with
    no ceiling on remand, bail nobody for want of places), with no more in custody than the places
    at any step; with places for everyone, nobody goes out early."""
    places = 10_000  # the register's 8,700 prisoners fit, not with the ~1,800-3,000 remanded
    shared = _court_run(seed=8, n_steps=24, soc_prison_places=places, soc_remand_places=1e9).results
    roomy = _court_run(seed=8, n_steps=24, soc_prison_places=1e9, soc_remand_places=1e9).results
    # the premise: with room for all, the prisoners alone fit the places, not with the remanded
    assert roomy.series("members_prison").max() < places
    assert (roomy.series("members_prison") + roomy.series("members_charged")).min() > places
    assert (shared.series("members_prison") + shared.series("members_charged")).max() > 0.95 * places
    assert shared.series("early_releases").sum() > 1000
    assert roomy.series("early_releases").sum() == 0 == roomy.series("emergency_releases").sum()
    assert shared.series("bail_releases").sum() == roomy.series("bail_releases").sum() == 0


def test_a_remand_ceiling_bails_the_rest_and_leaves_its_places_to_prisoners():
    """With the courts holding at most 2,000 on remand, the remanded never exceed 2,000 and the
    rest are bailed; with places for the prisoners and that remand but not the register's remand,
    the ceiling spares the prisoners the early releases the unlimited remand forces on them."""
    places = 11_600
    ceiling = _court_run(seed=9, n_steps=24, soc_prison_places=places, soc_remand_places=2000).results
    unlimited = _court_run(seed=9, n_steps=24, soc_prison_places=places, soc_remand_places=1e9).results
    roomy = _court_run(seed=9, n_steps=24, soc_prison_places=1e9, soc_remand_places=1e9).results
    # the premise: with room for all, the prisoners and 2,000 on remand fit, the whole remand does not
    assert roomy.series("members_prison").max() + 2000 < places
    assert (roomy.series("members_prison") + roomy.series("members_charged")).max() > places
    assert ceiling.series("members_charged").max() <= 2000 < unlimited.series("members_charged").max()
    assert ceiling.series("bail_releases").sum() > 500
    assert ceiling.series("early_releases").sum() < 0.5 * unlimited.series("early_releases").sum()


def test_with_fewer_places_than_the_remand_ceiling_remand_takes_them_all():
    """Places below `soc_remand_places`: the courts hold on remand at most the places (bailing the
    rest), and the prisons release every sentenced prisoner to make room for them, a fractional
    place (a lever at part intensity) holding nobody."""
    results = _court_run(seed=10, n_steps=12, soc_prison_places=2000.5, soc_remand_places=3100).results
    remand, prisoners = results.series("members_charged"), results.series("members_prison")
    assert remand.max() == 2000 and (remand + prisoners <= 2000).all()
    assert (prisoners[remand == 2000] == 0).all()
    # the premise: remand at the places' limit in most steps (in a step where fewer are charged than
    # are heard it falls below, and the places it leaves hold sentenced prisoners)
    assert (remand[3:] == 2000).sum() >= 7
    assert results.series("emergency_releases").sum() > 5000
    assert results.series("bail_releases").sum() > 1000


def test_courts_below_capacity_change_nothing():
    """A small register's caseload never reaches the default capacity and prison places: the run
    is, draw for draw, the run with courts of unlimited capacity."""
    small = {"ocgs_known_uk": 50, "members_known_uk": 600, "soc_prisoners_initial": 100,
             "soc_awaiting_trial_initial": 50}
    default = _run([], seed=5, n_steps=60, **small).results
    unlimited = _run([], seed=5, n_steps=60, court_capacity_trials_per_month=1e12, soc_prison_places=1e12,
                     soc_remand_places=1e12, **small).results
    assert default.series("court_backlog").sum() == 0 == default.series("bail_releases").sum()
    for name in METRIC_NAMES:
        np.testing.assert_array_equal(default.series(name), unlimited.series(name), err_msg=name)


def test_weekly_and_monthly_courts_hear_the_same_cases_a_year():
    """Slots carry their fractions from step to step: 52 weekly steps hold what 12 monthly ones do."""
    monthly = _run([], seed=6, n_steps=24, court_capacity_trials_per_month=250.5)
    weekly = TwinModel(Parameters({"court_capacity_trials_per_month": 250.5}), seed=6, n_steps=104,
                       step_length="week")
    weekly.run()
    # at capacity at every step of the second year: every slot used
    assert monthly.results.series("court_backlog")[12:].min() > 0
    assert weekly.results.series("court_backlog")[52:].min() > 0
    # so each year's convictions are binomial(12 x 250.5 cases heard, conviction_prob)
    heard, p = 12 * 250.5, Parameters().conviction_prob
    sd = np.sqrt(heard * p * (1 - p))
    for convictions in (monthly.results.series("convictions")[12:].sum(),
                        weekly.results.series("convictions")[52:].sum()):
        assert abs(convictions - heard * p) < 4 * sd


def test_the_court_capacity_lever_adds_trials_and_is_costed():
    tight = dict(court_capacity_trials_per_month=300, n_steps=24)
    without = _run([], seed=2, **tight)
    more = _run([{"type": "court_capacity", "extra_trials_per_month": 200}], seed=2, **tight)
    assert more.results.series("convictions")[12:].sum() > 1.3 * without.results.series("convictions")[12:].sum()
    assert more.results.series("court_backlog")[-1] < without.results.series("court_backlog")[-1]
    cost = more.results.series("lever_cost_gbp_court_capacity").sum()
    assert cost == pytest.approx(2 * 12 * 200 * 15000)  # two years of 200 trials a month at £15,000 each


def test_a_charged_member_is_remanded_with_remand_prob_and_the_others_are_bailed():
    """Every arrested member charged (charge chance 1): remanded ones are binomial(n, remand_prob)
    within 3 standard errors; the others stay active, on bail, with the date their case is ready;
    only remanded leaders may direct their group from custody."""
    from twin.investigations import ARREST_CHARGE_PROB, ARREST_EXPLOITED_CHARGE_PROB, ARREST_P_DIRECTS, \
        ARREST_REMAND_PROB, arrest_kernel
    from twin.vocabulary import LEADER

    n, remand_prob = 20000, 0.3
    rng = np.random.default_rng(11)
    role = rng.integers(0, 4, n).astype(np.int8)
    status = np.zeros(n, np.int8)  # all active
    on_bail = np.zeros(n, bool)
    verdict = np.full(n, np.inf)
    ocg = np.arange(n)  # one group each: a leader's direction flag is its own
    directing = np.zeros(n, bool)
    terms = np.zeros(7)
    terms[ARREST_CHARGE_PROB] = terms[ARREST_EXPLOITED_CHARGE_PROB] = 1.0
    terms[ARREST_P_DIRECTS], terms[ARREST_REMAND_PROB] = 1.0, remand_prob
    tally = np.zeros((3, n))
    known = np.zeros(n, bool)
    arrest_kernel(rng, np.arange(n), ocg, role, status, known, verdict, on_bail, np.zeros(n, np.int64), directing,
                  np.full(n, np.nan), terms, tally, np.arange(3))
    assert known.all()  # police know whom they arrested
    remanded = status == CHARGED
    assert abs(remanded.sum() - n * remand_prob) < 3 * np.sqrt(n * remand_prob * (1 - remand_prob))
    assert (status[~remanded] == ACTIVE).all() and on_bail[~remanded].all() and not on_bail[remanded].any()
    assert np.isfinite(verdict).all()
    assert (directing == (remanded & (role == LEADER))).all()


def test_remand_is_paid_for_at_the_prison_cost_per_place():
    """With no prisoners ever (none at the start, nobody convicted) the prisons' cost is the remand
    at the end of each step, each place paid for the whole step at the cost per place."""
    cost_per_year = 60000.0
    model = _run([], seed=3, n_steps=24, soc_prisoners_initial=0, conviction_prob=0.0,
                 prison_cost_gbp_per_place_year=cost_per_year)
    results = model.results
    remanded = results.series("members_charged")
    assert remanded.min() > 500  # the pipeline holds defendants throughout
    assert results.series("members_prison").max() == 0
    np.testing.assert_allclose(results.series("response_cost_gbp_prisons"), remanded * cost_per_year / 12,
                               rtol=1e-12)


def test_a_leader_convicted_from_bail_directs_the_group_with_the_remanded_leaders_chance():
    """Leaders on bail whose cases are heard and who are convicted direct their group from prison
    with `leader_directs_from_prison_prob` (binomial, within 3 standard errors); a former leader
    already replaced decides nothing, and nobody else changes who directs."""
    from twin import justice

    p_directs = 0.3
    model = TwinModel(Parameters({"conviction_prob": 1.0, "leader_directs_from_prison_prob": p_directs,
                                  "court_capacity_trials_per_month": 1e12, "soc_prison_places": 1e9}),
                      seed=8, n_steps=1)
    members, ocgs = model.members, model.ocgs
    leaders = ocgs.leader[ocgs.active & (ocgs.leader >= 0)]
    leaders = leaders[members.status[leaders] == ACTIVE]
    assert leaders.size > 3000
    tried, replaced = leaders[: leaders.size - 500], leaders[leaders.size - 500:]
    members.on_bail[leaders] = True
    members.verdict_month[leaders] = model.month - 1.0  # ready: heard this step
    ocgs.leader[members.ocg[replaced]] = -1  # their groups have moved on
    ocgs.leader_directing[:] = False
    justice.courts_and_prisons(model)
    # all convicted; the few whose sentence ends within the step are back out and direct nothing
    assert (members.status[leaders] == PRISON).mean() > 0.99
    tried = tried[members.status[tried] == PRISON]
    directing = ocgs.leader_directing[members.ocg[tried]]
    se = np.sqrt(p_directs * (1 - p_directs) / tried.size)
    assert abs(directing.mean() - p_directs) < 3 * se
    assert not ocgs.leader_directing[members.ocg[replaced]].any()
    assert ocgs.leader_directing.sum() == directing.sum()


def test_a_member_on_bail_charged_again_has_one_case_ready_no_later_than_the_first():
    """Every arrested member charged: those already on bail count a charge but no second case's
    cost, and their case is ready by the earlier date, but not before now; the others' cases cost
    one each."""
    from twin.investigations import (ARREST_CHARGE_PROB, ARREST_COURT_COST_GBP, ARREST_COURT_DELAY_MONTHS,
                                     ARREST_EXPLOITED_CHARGE_PROB, ARREST_MONTH, ARREST_REMAND_PROB, arrest_kernel)

    n, month, cost = 10000, 5.0, 1000.0
    rng = np.random.default_rng(12)
    role = np.full(n, 2, np.int8)  # workers
    status = np.zeros(n, np.int8)  # all active
    on_bail = np.arange(n) % 2 == 0  # half already on bail
    first_ready = np.where(on_bail, month + rng.uniform(-6.0, 12.0, n), np.inf)  # some already waiting
    verdict = first_ready.copy()
    terms = np.zeros(7)
    terms[ARREST_CHARGE_PROB] = terms[ARREST_EXPLOITED_CHARGE_PROB] = 1.0
    terms[ARREST_MONTH], terms[ARREST_COURT_DELAY_MONTHS], terms[ARREST_COURT_COST_GBP] = month, 6.0, cost
    terms[ARREST_REMAND_PROB] = 0.5
    tally = np.zeros((3, 1))
    arrest_kernel(rng, np.arange(n), np.zeros(n, np.int64), role, status, np.zeros(n, bool), verdict, on_bail,
                  np.zeros(1, np.int64), np.zeros(1, bool), np.full(1, np.nan), terms, tally, np.arange(3))
    bailed_before = np.arange(n) % 2 == 0
    assert tally[1, 0] == n  # every charge counts
    assert tally[2, 0] == cost * (~bailed_before).sum()  # one case each: no second case for those on bail
    joined = verdict[bailed_before]
    assert (joined <= np.maximum(first_ready[bailed_before], month)).all()
    # a case already waiting is ready now, not earlier: it keeps no place ahead of the queue
    assert (joined >= month).all() and (joined[first_ready[bailed_before] < month] == month).all()
    # a new case is ready after an exponential delay (mean d = 6 months): the others' delays are exponential
    # with that mean (Kolmogorov-Smirnov), and a joined case is sooner than the first only where the first
    # is still to come (2/3 of them, u ~ U(0, 12) months ahead) and the delay shorter than u:
    # (2/3) (1 - (d/12)(1 - exp(-12/d)))
    from scipy import stats

    delay = verdict[~bailed_before] - month
    assert (delay > 0).all() and np.isfinite(verdict).all()
    assert stats.kstest(delay, "expon", args=(0, 6.0)).pvalue > 0.001
    sooner = (verdict[bailed_before] < first_ready[bailed_before]).mean()
    expected = 2 / 3 * (1 - 6.0 / 12 * (1 - np.exp(-12 / 6.0)))
    assert abs(sooner - expected) < 4 * np.sqrt(expected * (1 - expected) / bailed_before.sum())


def test_time_on_remand_counts_against_the_sentence():
    """Each step ending on remand adds the step's length to the member's time on remand; at
    conviction the custodial part (`served_share` of the sentence) runs from the hearing less that
    time, one whose remand covers it goes out in the same step, and a heard case's time is cleared.
    Checked on every member at every courts stage of a monthly and a weekly run, the bailed from
    remand (whose credit stays with them) included."""
    from twin import justice

    for step_length, seed in (("month", 5), ("week", 6)):
        model = TwinModel(seed=seed, n_steps=24 if step_length == "month" else 104, step_length=step_length)
        served, dt = model.params.served_share, model.months_per_step
        checked = {"convicted": 0, "credited": 0, "covered": 0, "accrued": 0}
        original = justice.courts_and_prisons

        def checked_courts(m):
            members = m.members
            status, remand, on_bail = members.status.copy(), members.remand_months.copy(), members.on_bail.copy()
            verdict, sentence, n_before = members.verdict_month.copy(), members.sentence_months.copy(), members.n
            original(m)
            after = members.status[:n_before]
            # only the remanded and the bailed awaiting trial carry time on remand
            assert (remand[(status != CHARGED) & ~on_bail] == 0).all()
            # the convicted: a sentence drawn this step (a gamma draw never repeats the old value)
            convicted = (members.sentence_months[:n_before] != sentence).nonzero()[0]
            assert ((status[convicted] == CHARGED) | on_bail[convicted]).all()
            heard = np.where(verdict[convicted] >= m.month - 0.5 * dt, verdict[convicted], m.month)
            expected = heard + np.maximum(members.sentence_months[convicted] * served - remand[convicted], 0.0)
            assert np.allclose(members.release_month[convicted], expected, rtol=0, atol=1e-9)
            assert (members.remand_months[convicted] == 0).all()
            covered = members.sentence_months[convicted] * served <= remand[convicted]
            assert (after[convicted[covered]] != PRISON).all()  # out in the step they were sentenced
            still = ((status == CHARGED) & (after == CHARGED)).nonzero()[0]
            assert np.allclose(members.remand_months[still], remand[still] + dt, rtol=0, atol=1e-9)
            checked["convicted"] += convicted.size
            checked["credited"] += int((remand[convicted] > 0).sum())
            checked["covered"] += int(covered.sum())
            checked["accrued"] += still.size

        justice.courts_and_prisons = checked_courts
        try:
            model.run()
        finally:
            justice.courts_and_prisons = original
        # the premise: many convictions, a good share of them after time on remand, some covered by it
        assert checked["convicted"] > 3000 and checked["credited"] > 0.3 * checked["convicted"]
        assert checked["covered"] > 50 and checked["accrued"] > 10000


def test_fines_are_paid_from_the_groups_capital_as_far_as_it_goes():
    """Each conviction's fine (`fine_gbp_per_conviction`) comes out of the convicted member's
    group's capital, as far as it goes: a group with k convictions in a step pays min(k * fine,
    its capital), and what is paid, no more, is tallied as assets recovered in its area. Half the
    groups start with under two fines' worth of capital, so the cap binds in many steps."""
    from twin import justice

    model = TwinModel(seed=9, n_steps=24)
    rng = np.random.default_rng(1)
    fine = model.params.fine_gbp_per_conviction
    poor = rng.random(model.ocgs.n) < 0.5
    model.ocgs.capital_gbp[poor] = rng.uniform(0.0, 2.0 * fine, poor.sum())
    checked = {"groups": 0, "capped": 0}
    original = justice.courts_and_prisons

    def checked_courts(m):
        capital, sentence, n = m.ocgs.capital_gbp.copy(), m.members.sentence_months.copy(), m.members.n
        group = m.members.ocg[:n].copy()  # the group fined: one released at once may move to another
        row = m.tally.row("assets_recovered_gbp")
        assets = m.tally.values[row].copy()
        original(m)
        convicted = (m.members.sentence_months[:n] != sentence).nonzero()[0]  # a new gamma draw each
        k = np.bincount(group[convicted], minlength=capital.size)
        paid = capital - m.ocgs.capital_gbp[:capital.size]
        assert np.allclose(paid, np.minimum(k * fine, np.maximum(capital, 0.0)), rtol=1e-12, atol=1e-6)
        by_area = np.bincount(m.ocgs.area[:capital.size], weights=paid, minlength=m.geography.n_areas)
        assert np.allclose(m.tally.values[row] - assets, by_area, rtol=1e-9, atol=1e-6)
        checked["groups"] += int((k > 0).sum())
        checked["capped"] += int(((k > 0) & (capital < k * fine)).sum())

    justice.courts_and_prisons = checked_courts
    try:
        model.run()
    finally:
        justice.courts_and_prisons = original
    # the premise: many fined groups, and the cap binding for a good number of them
    assert checked["groups"] > 5000 and checked["capped"] > 100


def test_defendants_who_leave_crime_on_bail_are_still_tried(monkeypatch):
    """A case does not lapse because its defendant leaves crime: members on bail whose group
    dissolves and who leave crime, and members bailed from remand whose group has gone and who
    decide to leave, are tried like the others. Convicted, they are back in the population, as
    prisoners, and counted among the joiners, so joiners less leavers is still the change in
    the population. Here every ready case is heard and convicted, and everyone released decides
    within the step and leaves crime."""
    from twin import justice, succession
    from twin.vocabulary import EXITED, LEADER, RELEASED

    params = Parameters({"conviction_prob": 1.0, "reoffend_prob_after_release": 0.0,
                         "released_decision_months": 0.01, "court_capacity_trials_per_month": 100000,
                         "dissolved_members_rejoin_share": 0.0}, where="test")
    model = TwinModel(params, seed=4, n_steps=12)
    members, ocgs = model.members, model.ocgs
    members.on_bail[:] = False
    # members of dissolving groups on bail (a third of them), their cases ready now or in months
    groups = np.flatnonzero(ocgs.active & (model.active_members >= 4) & ~ocgs.leader_directing)[::3][:300]
    in_groups = (np.isin(members.ocg, groups) & (members.status == ACTIVE)).nonzero()[0]
    dissolved_bail = in_groups[::3]
    # members of other groups made to wait as released (as one bailed from remand whose group has
    # gone waits), on bail and not
    released = np.setdiff1d((members.status == ACTIVE).nonzero()[0], in_groups)
    released = released[members.role[released] != LEADER][:3000]
    members.status[released] = RELEASED
    released_bail = released[:2000]
    on_bail = np.concatenate((dissolved_bail, released_bail))
    members.on_bail[on_bail] = True
    ready = np.arange(on_bail.size) % 2 == 0
    members.verdict_month[on_bail] = np.where(ready, model.month - 0.25, model.month + 6.0)
    members.remand_months[on_bail] = 0.0
    model.members_reactivated()
    row = {name: model.tally.row(name) for name in ("joiners", "leavers")}
    population = members.population()
    tally_before = {name: model.tally.values[r].sum() for name, r in row.items()}
    succession.dissolve(model, groups)
    assert (members.status[dissolved_bail] == EXITED).all() and members.on_bail[dissolved_bail].all()
    justice.courts_and_prisons(model)
    heard, waiting = on_bail[ready], on_bail[~ready]
    # the ready: convicted and in prison, or out already (a short sentence) and, leaving crime, gone
    out = members.release_month[heard] < model.month + 0.5 * model.months_per_step
    assert (members.status[heard] == np.where(out, EXITED, PRISON)).all() and out.sum() < 50
    assert not members.on_bail[heard].any()
    # the others have left crime (the released decided so) and are still to be tried
    assert (members.status[waiting] == EXITED).all() and members.on_bail[waiting].all()
    assert (members.status[released[2000:]] == EXITED).all()  # not on bail: simply gone
    # back in the population: the convicted who had left crime (the dissolved groups' defendants)
    returned = np.isin(heard, dissolved_bail) & ~out
    joiners, leavers = (model.tally.values[r].sum() - tally_before[name] for name, r in row.items())
    assert joiners == np.isin(heard, dissolved_bail).sum() and returned.sum() > 100
    assert members.population() - population == joiners - leavers
    # still to be tried, they survive the table's compaction
    monkeypatch.setattr("twin.model.COMPACTION_SHARE", 0.0)
    model._compact_members()
    assert (members.on_bail & (members.status == EXITED)).sum() == waiting.size


def test_defendants_on_bail_may_desist_and_keep_their_case_unless_safeguarded():
    """Members on bail desist at the rate others do, and their case stays to be heard (the flag
    kept); only an exploited member identified and safeguarded has the case dropped. Checked on
    every member at every exploitation-and-desistance stage of a run with a high desistance rate."""
    from twin import recruitment
    from twin.vocabulary import EXITED, EXPLOITED, LEADER

    model = TwinModel(Parameters({"desistance_prob_per_month": 0.02}, where="test"), seed=8, n_steps=24)
    seen = {"desisted": 0, "exposure": 0, "dropped": 0}
    original = recruitment.exploitation_and_desistance
    p_desist = 1 - (1 - 0.02) ** model.months_per_step

    def checked(m):
        members = m.members
        n = members.n
        status, bail, role = members.status.copy(), members.on_bail.copy(), members.role.copy()
        original(m)
        left = (status == ACTIVE) & (members.status[:n] == EXITED)
        candidates = bail & (status == ACTIVE) & (role != LEADER) & (role != EXPLOITED)
        assert members.on_bail[left & candidates].all()  # desisted, still to be tried
        dropped = left & bail & ~members.on_bail[:n]
        assert (role[dropped] == EXPLOITED).all() and (members.remand_months[:n][dropped] == 0).all()
        seen["desisted"] += int((left & candidates).sum())
        seen["exposure"] += int(candidates.sum())
        seen["dropped"] += int(dropped.sum())

    recruitment.exploitation_and_desistance = checked
    try:
        model.run()
    finally:
        recruitment.exploitation_and_desistance = original
    # on bail they desist at the others' rate (a binomial count, within 4 standard errors)
    expected = seen["exposure"] * p_desist
    assert abs(seen["desisted"] - expected) < 4 * np.sqrt(expected * (1 - p_desist))
    assert seen["dropped"] > 10  # the premise: some cases dropped
