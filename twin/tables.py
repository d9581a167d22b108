"""Growable struct-of-arrays tables: one numpy array per attribute, shared by every population.

A population (OCGs, members, enablers, county lines) is a `Table` whose columns are declared once
with their dtype and default. Rows are appended in bulk (`append`) and the arrays grow by doubling,
so the monthly step never loops over agents in Python. `compact` drops rows that are finished
(exited members) and returns the old-to-new index map so that links can be remapped.
"""

from __future__ import annotations

import numpy as np


#: Python scalars `Table.append` compares with a column's default (not arrays or numpy scalars)
_PLAIN_SCALARS = frozenset((bool, int, float))


class Table:
    """Columns of equal length `n` (used rows) backed by arrays of length `capacity`."""

    #: column name -> (dtype, default value, trailing shape)
    columns: dict[str, tuple[type, object, tuple[int, ...]]] = {}
    #: (column, backing array) attribute names, set for each subclass
    _backing_names: tuple[tuple[str, str], ...] = ()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._backing_names = tuple((name, "_" + name) for name in cls.columns)

    def __init__(self, capacity: int = 16):
        self.__dict__["n"] = 0
        self._capacity = max(int(capacity), 16)
        for name, (dtype, default, shape) in self.columns.items():
            self.__dict__["_" + name] = np.full((self._capacity, *shape), default, dtype=dtype)
        self._refresh_views()

    # Each column is read as a plain attribute holding a view of its backing array's used rows
    # (kept in the instance dictionary and refreshed whenever `n` or a backing array changes).
    # A descriptor would cost a Python call on each of the few hundred column reads in a step.
    def _refresh_views(self) -> None:
        d, n = self.__dict__, self.n
        for name, backing in self._backing_names:
            d[name] = d[backing][:n]

    def __setstate__(self, state: dict) -> None:  # copies and unpickled tables: views of their own arrays
        self.__dict__.update(state)
        self._refresh_views()

    def __setattr__(self, name: str, value) -> None:
        if name in self.columns:
            self.__dict__[name][...] = value  # assigning a column writes into its rows
        elif name == "n":
            raise AttributeError("the row count changes only through append and compact")
        else:
            object.__setattr__(self, name, value)

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
        self._refresh_views()

    def append(self, count: int, **values) -> np.ndarray:
        """Add `count` rows; columns not given take their default. Returns the new row indices."""
        columns = self.columns
        if not values.keys() <= columns.keys():
            unknown = set(values) - set(columns)
            raise KeyError(f"{type(self).__name__}: unknown column(s) {sorted(unknown)}")
        start, end = self.n, self.n + count
        if end > self._capacity:
            self._grow(end)
        d = self.__dict__
        d["n"] = end
        # Rows past `n` hold their column's default (`__init__`, `_grow` and `compact` see to it),
        # so only the columns given are written, and a plain scalar equal to the default is not.
        for name, value in values.items():
            if type(value) in _PLAIN_SCALARS and value == columns[name][1]:
                continue
            d["_" + name][start:end] = value
        self._refresh_views()
        return np.arange(start, end)

    def compact(self, keep: np.ndarray) -> np.ndarray:
        """Keep only rows where `keep` is true. Returns old index -> new index (-1 if dropped)."""
        keep = np.asarray(keep, dtype=bool)
        new_index = np.full(self.n, -1, dtype=np.int64)
        kept = np.flatnonzero(keep)
        new_index[kept] = np.arange(kept.size)
        for name, (dtype, default, shape) in self.columns.items():
            block = self.__dict__["_" + name]
            block[: kept.size] = block[kept]
            block[kept.size: self.n] = default  # rows past `n` hold the default (see `append`)
        self.__dict__["n"] = kept.size
        self._refresh_views()
        return new_index
