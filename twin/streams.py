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


def thinned_bernoulli(rng: np.random.Generator, index: np.ndarray, p_max: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidates for rare events among `index`, by thinning.

    Draws each element with probability `p_max` (as a binomial count and a sample without
    replacement, so the cost grows with the number of events, not the population) and returns
    the candidates with a uniform number `u * p_max` for each. An event with probability
    `p <= p_max` happens to a candidate exactly when its number is below `p`, which makes every
    element's event probability exactly `p`.
    """
    if index.size == 0 or p_max <= 0:
        return index[:0], np.empty(0)
    count = rng.binomial(index.size, min(p_max, 1.0))
    chosen = index[rng.choice(index.size, size=count, replace=False)]
    return chosen, rng.random(count) * min(p_max, 1.0)
