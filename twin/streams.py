"""Named random streams: one independent generator per random process.

Each process (recruitment, tasking, courts, ...) draws from its own `numpy.random.Generator`
spawned from the run's seed and the process name. Adding a process, or a lever that draws
random numbers, therefore leaves every other process's draws unchanged, which keeps paired
scenario comparisons sharp (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np


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
