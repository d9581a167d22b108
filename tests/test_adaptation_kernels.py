"""The adaptation kernels' helpers reproduce the numpy operations they replace, bit for bit."""

from __future__ import annotations

import numpy as np

from twin.adaptation_kernels import choice_cdf, first_above, search_right
from twin.streams import choice


def test_choice_cdf_and_search_right_draw_as_streams_choice():
    rng = np.random.default_rng(5)
    for size in (1, 3, 7, 45, 300):
        weights = rng.random(size) * 10.0 ** rng.integers(-2, 4, size)
        p = weights / weights.sum()
        state = rng.bit_generator.state
        expected = choice(rng, p, 50)
        rng.bit_generator.state = state
        cdf = choice_cdf(p)
        got = np.array([search_right(cdf, u) for u in rng.random(50)])
        assert np.array_equal(got, expected)


def test_first_above_is_argmax_of_the_comparison():
    cumulative = np.array([0.0, 0.2, 0.2, 0.7, 1.0])
    for draw in (-1.0, 0.0, 0.1, 0.2, 0.5, 0.99, 1.0, 2.0):
        assert first_above(cumulative, draw) == (cumulative > draw).argmax()
