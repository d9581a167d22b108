import numpy as np

from twin.tables import Table


class Things(Table):
    columns = {"value": (np.int64, -1, ()), "flags": (bool, False, (3,))}


def test_append_grow_and_views():
    things = Things(capacity=2)
    index = things.append(40, value=np.arange(40))
    assert list(index[:3]) == [0, 1, 2] and len(things) == 40
    assert things.flags.shape == (40, 3)
    things.value[5] = 99  # columns are views: writes stick
    assert things.value[5] == 99
    things.append(2)
    assert list(things.value[-2:]) == [-1, -1]  # defaults


def test_compact_returns_index_map():
    things = Things()
    things.append(6, value=np.arange(6))
    new_index = things.compact(things.value % 2 == 0)
    assert list(things.value) == [0, 2, 4]
    assert list(new_index) == [0, -1, 1, -1, 2, -1]
