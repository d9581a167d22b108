"""Every option against every other: the paired gaps (`compare.pairwise_gaps`), their table and CSV,
and what the best option gains over the options whose levers it holds (`report_pairs`)."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from twin.compare import mean_interval, pairwise_gaps

KEY = "discounted_net_social_cost_gbp"


def _wide(seed: int = 3, reps: int = 20, drop: tuple = ()) -> pd.DataFrame:
    """Per-replicate outcomes of three scenarios sharing seeds: a common part (the seed's world) plus
    each scenario's own shift and noise; `drop` leaves out (scenario, replicate) runs that failed."""
    rng = np.random.default_rng(seed)
    common = rng.normal(40e9, 3e9, reps)
    rows = []
    for name, shift in (("base", 0.0), ("a", -5e9), ("b", -4e9)):
        net = common + shift + rng.normal(0, 0.5e9, reps)
        assets = rng.uniform(0.1e9, 0.3e9, reps)
        for rep in range(reps):
            if (name, rep) not in drop:
                rows.append({"scenario": name, "replicate": rep, KEY: net[rep], f"{KEY}_excluding_assets":
                             net[rep] + assets[rep]})
    return pd.DataFrame(rows).set_index(["scenario", "replicate"])


def test_pairwise_gaps_are_the_paired_differences_both_ways_over_the_runs_in_common():
    wide = _wide(drop=(("b", 4),))
    gaps = pairwise_gaps(wide, ["base", "a", "b", "missing"]).set_index(["scenario", "against"])
    assert len(gaps) == 6  # three scenarios, each against the two others; a scenario without runs has none
    a, b = wide.loc["a"][KEY], wide.loc["b"][KEY]
    common = a.index.intersection(b.index)
    expected = (a.loc[common] - b.loc[common]).to_numpy()
    row = gaps.loc[("a", "b")]
    assert row["pairs"] == 19 and row["gap_mean"] == pytest.approx(expected.mean(), rel=1e-12)
    assert (row["gap_low"], row["gap_high"]) == pytest.approx(mean_interval(expected), rel=1e-12)
    assert row["share_lower"] == pytest.approx((expected < 0).mean())
    back = gaps.loc[("b", "a")]  # the same gap seen from the other side
    assert back["gap_mean"] == pytest.approx(-row["gap_mean"]) and back["gap_low"] == pytest.approx(-row["gap_high"])
    assert back["share_lower"] == pytest.approx(1 - row["share_lower"])  # no ties in continuous outcomes
    green = (wide.loc["a"][f"{KEY}_excluding_assets"] - wide.loc["base"][f"{KEY}_excluding_assets"]).to_numpy()
    assert gaps.loc[("a", "base"), "green_gap_mean"] == pytest.approx(green.mean(), rel=1e-12)
    assert gaps.loc[("a", "base"), "green_share_lower"] == pytest.approx((green < 0).mean())  # was left blank
    # pairing removes the seeds' common part: the paired interval is far narrower than the spread of either
    assert row["gap_high"] - row["gap_low"] < 0.25 * a.std()


def test_the_pairwise_gap_is_told_from_zero_as_often_as_a_90_percent_interval_should_be():
    """Over many experiments with no true gap between a and b (same shift), the interval excludes zero
    about 10% of the time: within 3 standard errors of a binomial count."""
    misses, trials = 0, 400
    for seed in range(trials):
        wide = _wide(seed=seed, reps=12)
        wide.loc["b", KEY] = (wide.loc["b", KEY].to_numpy() - 1e9)  # b's shift now equals a's (-5bn)
        row = pairwise_gaps(wide, ["base", "a", "b"]).set_index(["scenario", "against"]).loc[("a", "b")]
        misses += not (row["gap_low"] <= 0 <= row["gap_high"])
    se = np.sqrt(trials * 0.1 * 0.9)
    assert abs(misses - 0.1 * trials) < 3 * se


def _comparison(wide: pd.DataFrame) -> SimpleNamespace:
    gaps = pairwise_gaps(wide, ["base", "a", "b"])
    ranking = pd.DataFrame({"rank": [1, 2], "scenario": ["a", "b"]})
    return SimpleNamespace(baseline="base", ranking=ranking, pairwise=gaps)


def test_the_pairwise_table_has_the_best_first_the_baseline_last_and_an_empty_diagonal():
    from twin.report_format import signed_bn
    from twin.report_pairs import pairwise_csv, pairwise_table

    comparison = _comparison(_wide())
    table = pairwise_table(comparison)
    first = "option (its net social cost less the column's)"
    assert list(table[first]) == ["a", "b", "base"]
    assert list(table.columns[1:]) == ["against a", "against b", "against base"]
    assert [table.iloc[k, k + 1] for k in range(3)] == ["", "", ""]
    gap = comparison.pairwise.set_index(["scenario", "against"]).loc[("a", "base")]
    assert table.iloc[0, 3] == (f"{signed_bn(gap['gap_mean'], True)} [{signed_bn(gap['gap_low'], True)}, "
                                f"{signed_bn(gap['gap_high'], True)}]")
    csv = pairwise_csv(comparison)
    assert len(csv) == 12 and set(csv.metric) == {KEY, f"{KEY}_excluding_assets"}
    assert csv.share_lower.notna().all() and csv.unit.str.startswith("GBP (").all()  # both measures


def test_the_best_option_is_set_against_each_option_whose_levers_it_holds_pair_by_pair():
    from twin.compare import lever_key
    from twin.report_pairs import parts_sentence

    wide = _wide()
    comparison = _comparison(wide)
    comparison.lever_keys = {"base": [], "a": [lever_key({"type": "chb"}), lever_key({"type": "funding"})],
                             "b": [lever_key({"type": "chb"})]}
    rows = [{"scenario": name, "net": gap, "net_low": gap - 1e8, "net_high": gap + 1e8}
            for name, gap in (("a", -5e9), ("b", -4e9))]
    said = parts_sentence(comparison, rows, rows[0], markup=False)
    gap = comparison.pairwise.set_index(["scenario", "against"]).loc[("a", "b")]
    from twin.report_format import bn

    assert (f"Pair by pair, a's net social cost is {bn(-gap['gap_mean'])} lower than b's (90% interval "
            f"{bn(-gap['gap_high'])} to {bn(-gap['gap_low'])} lower): what it gains over adopting that option alone."
            ) in said
    comparison.pairwise = comparison.pairwise.iloc[0:0]  # no pairwise gaps (an older store): nothing said of them
    assert "Pair by pair" not in parts_sentence(comparison, rows, rows[0], markup=False)


def test_a_small_amount_in_a_table_of_billions_is_about_nothing_and_in_a_sentence_in_millions():
    """'+£0.34m' stood among '-£0.49bn', '-£1.07bn' in the year-by-year table; then '+£0.00034bn', a
    precision the table's other figures do not have."""
    from twin.report_format import bn, signed_bn

    assert signed_bn(0.34e6) == "+£0.34m" and signed_bn(0.34e6, table=True) == "≈£0bn"
    assert signed_bn(-1.5e6, table=True) == "≈£0bn" and bn(4.99e6, table=True) == "≈£0bn"
    assert signed_bn(5.01e6, table=True) == "+£0.01bn" and signed_bn(-5.01e6, table=True) == "-£0.01bn"
    assert signed_bn(-0.49e9, table=True) == signed_bn(-0.49e9) == "-£0.49bn"  # above £5m: as before
    assert signed_bn(0.0, table=True) == "£0" and bn(float("nan"), table=True) == "n/a"
    assert signed_bn(99e3, table=True) == "≈£0bn" and bn(1.0, table=True) == "≈£0bn"
    assert signed_bn(-1.5e6) == "-£1.50m" and bn(4.2e6) == "£4.20m"


def test_a_target_far_from_the_runs_gets_the_hint_its_unit_needs():
    """A count and a share were told 'pounds, not £bn'."""
    from twin.targets import Target, fit_table, scale_warnings

    targets = [Target("money", 26.0, 1.0, "s", "harm_gbp_drugs", (1, 1), "annual_sum"),
               Target("people", 5.0, 1.0, "s", "arrests", (1, 1), "annual_sum"),
               Target("share", 0.002, 0.001, "s", "share_violent", (1, 1), "mean")]
    said = scale_warnings(fit_table(targets, pd.DataFrame([{"money": 26e9, "people": 5000.0, "share": 0.3}])))
    assert said[0].endswith("(GBP/year: pounds, not £bn or £m)")
    assert said[1].endswith("(people/year: the whole count, not thousands; a year's sum for an annual_sum)")
    assert said[2].endswith("(share: from 0 to 1, not a percentage)")
    # a year's total under 'mean' (a flow's figure a step): 12 times the runs', under the general factor
    yearly = [Target("harm", 47e9, 5e9, "s", "harm_gbp_total", (1, 1), "mean")]
    for step, per_step, runs in (("month", 3.9e9, "3.90bn"), ("week", 0.9e9, "900.00m")):
        said = scale_warnings(fit_table(yearly, pd.DataFrame([{"harm": per_step}]), step))
        assert said == [f"target 'harm': its value 47.00bn is some {47e9 / per_step:.0f} times what the runs give "
                        f"({runs}), and its aggregation 'mean' reads the metric's figure a {step} "
                        f"(GBP/{step}); for a year's total write aggregation = \"annual_sum\""], said
    assert scale_warnings(fit_table(yearly, pd.DataFrame([{"harm": 40e9}]))) == []  # near the runs: no remark


def test_the_fit_tables_unit_of_a_mean_flow_follows_the_step():
    from twin.targets import Target, fit_table

    target = [Target("arrests", 5.0, 1.0, "s", "arrests", (1, 1), "mean")]
    simulated = pd.DataFrame([{"arrests": 5.0}])
    assert fit_table(target, simulated)["unit"].iloc[0] == "people/month"
    assert fit_table(target, simulated, "week")["unit"].iloc[0] == "people/week"


def test_a_column_is_read_as_the_baseline_only_for_the_rows_holding_its_levers():
    """Clear-Hold-Build read as the policy under way: options without its levers are compared as in its place,
    not added to it, and the table's text says which (a package holding them all is not named)."""
    from twin.report_pairs import _in_place_of

    types = {"base": [], "chb": ["clear", "hold", "build"], "ct": ["border_powers"], "parity": ["funding"],
             "package": ["clear", "hold", "build", "border_powers", "funding"], "half": ["clear", "funding"]}
    comparison = SimpleNamespace(scenarios=list(types), baseline="base", lever_types=types)
    said = _in_place_of(comparison)
    assert said.endswith("(ct, parity and half lack some or all of chb's levers; "  # half holds clear only
                         "chb, parity and half lack ct's levers; "  # none of them holds a border lever
                         "chb and ct lack parity's levers; "  # half holds funding
                         "chb, ct and parity lack some or all of half's levers)")  # (package's: no other's part)
    # every option holding the column's levers (each adds to it): nothing to say
    nested = {"base": [], "chb": ["clear"], "package": ["clear", "funding"]}
    assert _in_place_of(SimpleNamespace(scenarios=list(nested), baseline="base", lever_types=nested)) == ""
    assert _in_place_of(SimpleNamespace(scenarios=["base", "a"], baseline="base", lever_types={})) == ""
