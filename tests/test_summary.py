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
