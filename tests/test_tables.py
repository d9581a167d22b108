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


def test_assigning_a_column_writes_its_rows_and_survives_growth():
    things = Things(capacity=2)
    things.append(3)
    things.value = np.array([7, 8, 9])  # assignment writes into the rows, not a new attribute
    things.flags = True
    things.append(30)  # the backing arrays grow: the values move with them
    assert list(things.value[:4]) == [7, 8, 9, -1]
    assert things.flags[:3].all() and not things.flags[3:].any()
    with np.testing.assert_raises(ValueError):
        things.value = np.arange(5)  # wrong length: an error, never a silently resized column


def test_row_count_changes_only_through_append_and_compact():
    things = Things()
    things.append(4)
    with np.testing.assert_raises(AttributeError):
        things.n = 10
    assert len(things) == 4 and things.value.size == 4


def test_a_copy_owns_its_columns():
    import copy

    things = Things()
    things.append(3, value=np.arange(3))
    twin = copy.deepcopy(things)
    twin.value[0] = 42
    assert things.value[0] == 0
    twin.append(1, value=5)
    assert list(twin.value) == [42, 1, 2, 5] and list(things.value) == [0, 1, 2]
