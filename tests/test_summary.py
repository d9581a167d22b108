"""The annual summary printed by `twin run`."""

import pytest

from twin.model import TwinModel
from twin.parameters import Parameters
from twin.summary import _year_span, format_annual_summary


def _summary(places: float) -> tuple[str, float]:
    model = TwinModel(params=Parameters({"soc_prison_places": places}, where="test"), seed=3, n_steps=24)
    model.run()
    return format_annual_summary(model.results, 12), float(model.results.series("early_releases").sum())


def test_full_prisons_are_named_with_their_early_releases():
    text, early = _summary(9000)  # fewer places than the baseline's 10,500 prisoners
    assert early > 0
    assert f"{early:,.0f} SOC prisoners were released early" in text and "Prisons were full in year" in text


def test_no_note_when_prisons_have_room():
    text, early = _summary(200000)
    assert early == 0 and "Prisons were full" not in text


@pytest.mark.parametrize("years, span", [([5], "5"), ([1, 2], "1-2"), ([2, 3, 4, 7], "2-4 and 7"),
                                         ([1, 3, 5], "1, 3 and 5")])
def test_year_spans(years, span):
    assert _year_span(years) == span


def _courts_summary(capacity: float) -> tuple[str, float, float]:
    params = Parameters({"court_capacity_trials_per_month": capacity, "soc_prison_places": 1e9,
                         "soc_remand_places": 1e9}, where="test")
    model = TwinModel(params=params, seed=3, n_steps=24)
    model.run()
    series = model.results.series
    return format_annual_summary(model.results, 12), float(series("bail_releases").sum()), float(series("court_backlog")[-1])


def test_full_courts_are_named_with_the_bailed_and_the_cases_waiting():
    text, bailed, waiting = _courts_summary(150)  # a quarter of the ready cases: the custody time limit binds
    assert bailed > 0 and waiting > 0
    assert "Courts or prisons were full in years 1-2" in text
    assert f"{bailed:,.0f} defendants were bailed" in text
    assert f"{waiting:,.0f} cases were waiting, ready for trial" in text


def test_no_courts_note_when_the_courts_keep_up():
    text, bailed, waiting = _courts_summary(1e9)
    assert bailed == 0 == waiting and "Courts or prisons" not in text


def test_every_column_is_explained_and_the_year_totals_are_the_runs():
    """The table names drug deaths and children recruited, says what each column is, and its
    numbers are the run's year totals."""
    import numpy as np

    text, _ = _summary(200000)
    header = text.splitlines()[0]
    assert "drug deaths" in header and "children" in header
    legend = " ".join(text.splitlines()[4:])
    for column in ("harm £bn:", "immigr. (organised immigration crime)", "other (firearms supply",
                   "recovered £m: assets recovered", "prison: SOC prisoners", "undiscounted"):
        assert column in legend, column
    model = TwinModel(params=Parameters({"soc_prison_places": 200000}, where="test"), seed=3, n_steps=24)
    model.run()
    deaths = np.asarray(model.results.series("drug_deaths"))[12:24].sum()
    year_two = text.splitlines()[3].split()
    assert year_two[0] == "2" and year_two[-2] == f"{deaths:,.0f}"


def test_counts_of_one_are_singular():
    from twin.summary import _count

    assert _count(1, "defendant") == "1 defendant was" and _count(0.6, "case") == "1 case was"
    assert _count(923, "defendant") == "923 defendants were" and _count(0, "case") == "0 cases were"


def test_a_value_far_beyond_its_range_keeps_the_table_readable():
    """harm per heroin/crack user at £1e300 (beyond its range, which the run warns of) printed the year's
    harm in full, a column hundreds of digits wide: three figures with an exponent instead. (Such a run
    now stops at its first step, `population_guard.RESULT_LIMIT`; the table is given the values.)"""
    model = TwinModel(seed=1, n_steps=12)
    model.run()
    for metric in ("harm_gbp_total", "harm_gbp_drugs"):
        model.results.values[:, :, model.results.index[metric]] = 1e300 / 12
    text = format_annual_summary(model.results, 12)
    row = next(line for line in text.splitlines() if line.split()[:1] == ["1"])
    assert max(len(cell) for cell in row.split()) <= 15 and "e+29" in row
    assert "e+" not in _summary(20000)[0]  # ordinary values as they were


def test_every_list_of_flows_and_stocks_agrees_with_the_metrics_units():
    """Whether a metric is summed (a flow, its unit per step) or read as a level (a stock) is written in
    several lists (the stored area results, the summary's totals and final levels, the annual table, the
    charts); each must agree with the metric's unit, or a new metric put in the wrong list is summed
    where it should be averaged, or the reverse, without a word."""
    from twin import ensemble, report, summary
    from twin.results import METRICS

    flow = {m.name: m.unit.endswith("/step") for m in METRICS}
    flows = set(ensemble.AREA_FLOWS) | set(ensemble.SUMMED) | {metric for _, metric, how, _, _ in
                                                              summary.ANNUAL_COLUMNS if how == "sum"}
    stocks = (set(ensemble.AREA_STOCKS) | set(ensemble.FINAL_STOCKS) | set(report.STOCKS)
              | {metric for _, metric, how, _, _ in summary.ANNUAL_COLUMNS if how == "last"})
    assert flows <= set(flow) and stocks <= set(flow)  # every name a metric
    assert [m for m in flows if not flow[m]] == [] and [m for m in stocks if flow[m]] == []
    assert {how for _, _, how, _, _ in summary.ANNUAL_COLUMNS} == {"sum", "last"}
