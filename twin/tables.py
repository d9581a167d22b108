"""Growable struct-of-arrays tables: one numpy array per attribute, shared by every population.

A population (OCGs, members, enablers, county lines) is a `Table` whose columns are declared once
with their dtype and default. Rows are appended in bulk (`append`) and the arrays grow by doubling,
so the monthly step never loops over agents in Python. `compact` drops rows that are finished
(exited members) and returns the old-to-new index map so that links can be remapped.
"""

from __future__ import annotations

import numpy as np


class _Column:
    """Descriptor giving the used part of a column's backing array (a view, so writes stick)."""

    def __init__(self, name: str):
        self.private = "_" + name

    def __get__(self, table, owner=None):
        if table is None:
            return self
        return table.__dict__[self.private][: table.n]

    def __set__(self, table, value) -> None:
        table.__dict__[self.private][: table.n] = value


class Table:
    """Columns of equal length `n` (used rows) backed by arrays of length `capacity`."""

    #: column name -> (dtype, default value, trailing shape)
    columns: dict[str, tuple[type, object, tuple[int, ...]]] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        for name in cls.columns:
            setattr(cls, name, _Column(name))

    def __init__(self, capacity: int = 16):
        self.n = 0
        self._capacity = max(int(capacity), 16)
        for name, (dtype, default, shape) in self.columns.items():
            self.__dict__["_" + name] = np.full((self._capacity, *shape), default, dtype=dtype)

    def __len__(self) -> int:
        return self.n

    def _grow(self, needed: int) -> None:
        if needed <= self._capacity:
            return
        new_capacity = max(needed, 2 * self._capacity)
        for name, (dtype, default, shape) in self.columns.items():
            old = self.__dict__["_" + name]
            new = np.full((new_capacity, *shape), default, dtype=dtype)
            new[: self.n] = old[: self.n]
            self.__dict__["_" + name] = new
        self._capacity = new_capacity

    def append(self, count: int, **values) -> np.ndarray:
        """Add `count` rows; columns not given take their default. Returns the new row indices."""
        unknown = set(values) - set(self.columns)
        if unknown:
            raise KeyError(f"{type(self).__name__}: unknown column(s) {sorted(unknown)}")
        start = self.n
        self._grow(start + count)
        self.n = start + count
        for name, (dtype, default, shape) in self.columns.items():
            block = self.__dict__["_" + name]
            block[start: self.n] = values[name] if name in values else default
        return np.arange(start, self.n)

    def compact(self, keep: np.ndarray) -> np.ndarray:
        """Keep only rows where `keep` is true. Returns old index -> new index (-1 if dropped)."""
        keep = np.asarray(keep, dtype=bool)
        new_index = np.full(self.n, -1, dtype=np.int64)
        kept = np.flatnonzero(keep)
        new_index[kept] = np.arange(kept.size)
        for name in self.columns:
            block = self.__dict__["_" + name]
            block[: kept.size] = block[kept]
        self.n = kept.size
        return new_index
