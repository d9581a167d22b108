"""Named random streams and thinned rare-event draws.

Each process (recruitment, tasking, courts, ...) draws from its own `numpy.random.Generator`
spawned from the run's seed and the process name. Adding a process, or a lever that draws
random numbers, therefore leaves every other process's draws unchanged, which keeps paired
scenario comparisons sharp (common random numbers).

Rare events among many rows are drawn by thinning (`bernoulli_positions`, `thinned_bernoulli`):
geometric gaps between hits, so the cost grows with the number of events, not the rows. The
draws written as kernels, which take a stream and give numpy's numbers from it, live here too:
`thinned_listed` (`thinned_bernoulli`'s draws, for kernels and for speed), `poissons`
(numpy's Poisson algorithms; numba's own differs for means of 10 or more), and `choice_cdf` with
`search_right` (`choice`'s draws: its cumulative distribution, then one uniform per draw).
"""

from __future__ import annotations

import math
import zlib

import numpy as np

from twin.compiled import kernel, uniform


class RandomStreams:
    """Generators keyed by process name, all derived from one root seed."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        stream = self._streams.get(name)
        if stream is None:
            # The key depends on the name only, never on creation order.
            key = zlib.crc32(name.encode("utf-8"))
            sequence = np.random.SeedSequence(entropy=self.seed, spawn_key=(key,))
            stream = np.random.Generator(np.random.PCG64(sequence))
            self._streams[name] = stream
        return stream


def bernoulli_positions(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Positions in `range(n)` hit by independent Bernoulli(p) trials, in increasing order.

    Drawn as geometric gaps between hits, so the cost grows with the number of hits (about
    `n * p`), not with `n`: 100,000 members and p = 0.01 cost about 1,000 draws, not 100,000.
    """
    if n <= 0 or p <= 0:
        return np.empty(0, dtype=np.int64)
    if p >= 1:
        return np.arange(n)
    chunks, end = [], -1
    while True:
        expected = (n - 1 - end) * p
        gaps = rng.geometric(p, size=int(expected + 4.0 * np.sqrt(expected) + 16))
        positions = end + np.cumsum(gaps)
        chunks.append(positions)
        end = int(positions[-1])
        if end >= n - 1:
            break
    positions = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
    return positions[: np.searchsorted(positions, n)]


def thinned_bernoulli(rng: np.random.Generator, index: np.ndarray, p_max: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidates for rare events among `index`, by thinning.

    Draws each element with probability `p_max` (`bernoulli_positions`, so the cost grows with
    the number of events, not the population) and returns the candidates with a uniform number
    `u * p_max` for each. An event with probability `p <= p_max` happens to a candidate exactly
    when its number is below `p`, which makes every element's event probability exactly `p`.
    """
    if index.size == 0 or p_max <= 0:
        return index[:0], np.empty(0)
    p_max = min(p_max, 1.0)
    chosen = index[bernoulli_positions(rng, index.size, p_max)]
    return chosen, rng.random(chosen.size) * p_max


def choice(rng: np.random.Generator, p, size: int) -> np.ndarray:
    """`rng.choice(len(p), size=size, p=p)`: the same draws (numpy's own method: cumulative sum,
    one uniform per draw, `searchsorted`) without its input checks, which cost about 6 us a call.
    `p` must be non-negative and sum to 1."""
    cdf = np.asarray(p, dtype=float).cumsum()
    cdf /= cdf[-1]
    return cdf.searchsorted(rng.random(size), side="right")


@kernel
def choice_cdf(probabilities):
    """The cumulative distribution `choice` draws from (in a kernel): cumulative sum, divided by its last value."""
    cdf = np.empty(probabilities.size)
    running = 0.0
    for i in range(probabilities.size):
        running = probabilities[i] if i == 0 else running + probabilities[i]
        cdf[i] = running
    last = cdf[cdf.size - 1]
    for i in range(cdf.size):
        cdf[i] /= last
    return cdf


@kernel
def search_right(cdf, u):
    """`np.searchsorted(cdf, u, side="right")` on a non-decreasing `cdf`: the first index whose value exceeds u."""
    low, high = 0, cdf.size
    while low < high:
        middle = (low + high) // 2
        if cdf[middle] <= u:
            low = middle + 1
        else:
            high = middle
    return low


@kernel
def geometric_gaps(rng, p, size, out, start):
    """`rng.geometric(p, size)` written into `out[start:start + size]` (p < 1/3: numpy's
    inversion, ceil(-E / log1p(-p)) for a standard exponential E, with log1p(-p) taken once)."""
    if p >= 0.333333333333333333333333:  # numpy's search method
        for k in range(size):
            out[start + k] = rng.geometric(p)
        return
    log_q = np.log1p(-p)
    for k in range(size):
        gap = np.ceil(-rng.standard_exponential() / log_q)
        out[start + k] = 9223372036854775807 if gap >= 9.223372036854775807e18 else np.int64(gap)


@kernel
def thinned_listed(rng, listed_rows, first_new_row, n_rows, p_max):
    """`streams.thinned_bernoulli(rng, rows, p_max)` with the same draws, over a list of rows kept
    in two parts (`TwinModel.active_row_parts`): `listed_rows`, then every row from `first_new_row`
    to `n_rows` (an empty `listed_rows` and `first_new_row = n_rows` for a plain list). The rows
    hit by Bernoulli(p_max) trials, found as geometric gaps drawn in the chunks of
    `streams.bernoulli_positions` (each chunk drawn whole, even past the last row), then a uniform
    for each row hit, times p_max; the two parts are never joined (a copy of the whole list)."""
    n_listed = listed_rows.size
    positions, count, u = _thinned_positions(rng, n_listed + max(n_rows - first_new_row, 0), p_max)
    chosen = np.empty(count, dtype=np.int64)
    for k in range(count):
        position = positions[k]
        chosen[k] = listed_rows[position] if position < n_listed else first_new_row + (position - n_listed)
    return chosen, u


@kernel
def _thinned_positions(rng, n, p_max):
    """The draws of `thinned_listed` for a list of `n` rows: the positions hit (the first
    `count` of `positions`), `count`, and a uniform times p_max for each."""
    if n == 0 or p_max <= 0.0:
        return np.empty(0, dtype=np.int64), 0, np.empty(0)
    p = min(p_max, 1.0)
    if p >= 1.0:
        positions = np.arange(n)
        count = n
    else:
        positions = np.empty(0, dtype=np.int64)
        drawn = 0
        end = -1
        while True:
            expected = (n - 1 - end) * p
            chunk = int(expected + 4.0 * np.sqrt(expected) + 16)
            if drawn + chunk > positions.size:
                grown = np.empty(max(drawn + chunk, 2 * positions.size), dtype=np.int64)
                grown[:drawn] = positions[:drawn]
                positions = grown
            geometric_gaps(rng, p, chunk, positions, drawn)
            for k in range(drawn, drawn + chunk):
                end += positions[k]
                positions[k] = end
            drawn += chunk
            if end >= n - 1:
                break
        count = np.searchsorted(positions[:drawn], n)
    u = np.empty(count)
    for k in range(count):
        u[k] = uniform(rng) * p
    return positions, count, u


#: numpy's largest Poisson mean (`poisson_lam_max`: the int64 range less 10 standard deviations)
POISSON_MEAN_MAX = float(np.iinfo(np.int64).max - np.sqrt(np.iinfo(np.int64).max) * 10)


@kernel
def poissons(rng, means):
    """`rng.poisson(means)`: numpy's algorithms (numpy/random/src/distributions), the same counts
    from the same draws. (numba's own `Generator.poisson` differs from numpy's for means of 10
    or more: it truncates where numpy floors.) One call for all the means: a call per draw
    that passes the generator costs more than the draw.

    Below a mean of 10 numpy counts uniforms until their running product falls to exp(-mean),
    one uniform for a zero; a zero mean draws nothing. Since exp(-x) >= 1 - x, a first uniform
    clearly below 1 - mean (by far more than exp's rounding error) is a zero without computing
    exp, which is most of the cost when means are small; otherwise exp(-mean) is the C
    library's, as numpy's is.
    """
    counts = np.zeros(means.size, dtype=np.int64)
    for i in range(means.size):
        mean = means[i]
        if not 0.0 <= mean <= POISSON_MEAN_MAX:  # numpy raises on these too (NaN fails the test)
            raise ValueError("Poisson mean negative, not a number or too large")
        if mean >= 10.0:
            counts[i] = _poisson_ptrs(rng, mean)
            continue
        if mean == 0.0:
            continue
        product = uniform(rng)
        if product <= (1.0 - mean) - 1e-9:
            continue
        limit = math.exp(-mean)
        count = 0
        while product > limit:
            count += 1
            product *= uniform(rng)
        counts[i] = count
    return counts


@kernel
def _poisson_ptrs(rng, mean):
    """numpy's `random_poisson_ptrs` (Hoermann's transformed rejection), for means of 10 or more."""
    slam = math.sqrt(mean)
    loglam = math.log(mean)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = uniform(rng) - 0.5
        v = uniform(rng)
        us = 0.5 - abs(u)
        k = np.int64(math.floor((2 * a / us + b) * u + mean + 0.43))
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        # C's log(0.0) is -inf (Python's math.log would raise): `_log`
        if (_log(v) + math.log(invalpha) - math.log(a / (us * us) + b)) <= (-mean + k * loglam - _loggam(k + 1.0)):
            return k


@kernel
def _log(x):
    """log(x), -inf at 0 (as C's log)."""
    return math.log(x) if x > 0 else -np.inf


@kernel
def _loggam(x):
    """numpy's `random_loggam`, expression for expression: log-gamma (SPECFUN, Zhang and Jin)."""
    coefficients = (8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04,
                    -5.952380952380952e-04, 8.417508417508418e-04, -1.917526917526918e-03,
                    6.410256410256410e-03, -2.955065359477124e-02, 1.796443723688307e-01,
                    -1.39243221690590e+00)
    if x == 1.0 or x == 2.0:
        return 0.0
    n = np.int64(7 - x) if x < 7.0 else 0
    x0 = x + n
    x2 = (1.0 / x0) * (1.0 / x0)
    log_2pi = 1.8378770664093453e+00
    gl0 = coefficients[9]
    for k in range(8, -1, -1):
        gl0 *= x2
        gl0 += coefficients[k]
    gl = gl0 / x0 + 0.5 * log_2pi + (x0 - 0.5) * math.log(x0) - x0
    if x < 7.0:
        for _ in range(n):
            gl -= math.log(x0 - 1.0)
            x0 -= 1.0
    return gl
