"""The courts-and-prisons kernels' building blocks give numpy's results (`twin/justice_kernels.py`)."""

from __future__ import annotations

import numpy as np
import pytest

from reference_impl import nearest_release
from twin.justice_kernels import nearest_release_rows, numpy_nearest_release, repeated_sum


@pytest.mark.parametrize("ties", [False, True])
def test_nearest_release_rows_chooses_as_numpy_does(ties):
    rng = np.random.default_rng(3)
    for trial in range(30):
        release_month = rng.random(400) * 100
        if ties:  # whole months: many rows share a date, at the boundary too
            release_month = np.floor(release_month / 10)
        if trial % 7 == 6:
            release_month[rng.integers(400)] = np.nan
        rows = rng.choice(400, size=150, replace=False)  # not in row order, as the kernel lists them
        count = int(rng.integers(1, 160))
        chosen = nearest_release_rows(release_month, rows, count)
        numpy_chosen = nearest_release(release_month, np.sort(rows), count)
        assert sorted(chosen) == sorted(numpy_chosen)
        if count < rows.size and (ties or trial % 7 == 6):
            assert np.array_equal(numpy_nearest_release(release_month, rows, count), numpy_chosen)


def test_repeated_sum_is_the_sum_of_one_addition_after_another():
    for value in (4250.0, -2125.0, 4250.0 * 12 / 52, -0.5 * 4250.0 * 12 / 52, 0.0, -0.0, 0.1, 2.0 ** 52):
        for count in (0, 1, 2, 7, 3000):
            total = 0.0
            for _ in range(count):
                total += value
            result = repeated_sum(value, count)
            assert result == total and np.signbit(result) == np.signbit(total), (value, count)
