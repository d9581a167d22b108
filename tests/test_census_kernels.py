"""The census, compaction and metrics kernels give what the numpy expressions they replaced give, exactly."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from twin.members import N_CLASSES, active_census
from twin.metrics import SHARE_NAMES
from twin.model import TwinModel
from twin.parameters import Parameters
from twin.tables import Table
from twin.vocabulary import ACTIVE, COCAINE, EXITED, FIREARMS, FRAUD, HEROIN_CRACK, MONEY_LAUNDERING

from reference_impl import share_profiles


@pytest.fixture(scope="module")
def model():
    params = Parameters({"ocgs_known_uk": 80, "members_known_uk": 1000, "soc_prisoners_initial": 150,
                         "soc_awaiting_trial_initial": 80}, where="test")
    model = TwinModel(params=params, seed=7, n_steps=24)
    for _ in range(24):
        model.step()
    return model


def test_census_counts_as_bincount(model):
    members, ocgs = model.members, model.ocgs
    assert (members.status != ACTIVE).any() and (members.status == ACTIVE).any()
    rows, by_role, active_members, by_area_class = active_census(members, ocgs.area, model.geography.n_areas)
    active = members.status == ACTIVE
    np.testing.assert_array_equal(rows, active.nonzero()[0])
    expected = np.bincount(members.ocg[active] * 4 + members.role[active], minlength=ocgs.n * 4).reshape(ocgs.n, 4)
    assert by_role.dtype == float and by_role.flags.c_contiguous
    np.testing.assert_array_equal(by_role, expected)
    np.testing.assert_array_equal(active_members, expected.sum(axis=1))
    code = (members.status * 16 + members.role * 4 + members.known.view(np.int8) * 2 + members.child.view(np.int8))
    key = ocgs.area[members.ocg] * N_CLASSES + code
    n_areas = model.geography.n_areas
    np.testing.assert_array_equal(by_area_class,
                                  np.bincount(key, minlength=n_areas * N_CLASSES).reshape(n_areas, N_CLASSES))
    np.testing.assert_array_equal(members.active_rows(), active.nonzero()[0])


def test_members_compact_as_table_compact(model):
    keep = model.members.status != EXITED
    keep[::5] = False
    compiled, generic = copy.deepcopy(model.members), copy.deepcopy(model.members)
    np.testing.assert_array_equal(compiled.compact(keep), Table.compact(generic, keep))
    assert compiled.n == generic.n == keep.sum()
    for name in compiled.columns:  # used rows and the defaults past them
        np.testing.assert_array_equal(compiled.__dict__["_" + name], generic.__dict__["_" + name])
        np.testing.assert_array_equal(getattr(compiled, name), getattr(generic, name))


def test_share_profiles_as_numpy(model):
    ocgs = model.ocgs
    rows = np.arange(ocgs.n)[::-1]
    markets = ocgs.markets[rows]
    drugs = markets[:, HEROIN_CRACK] | markets[:, COCAINE]
    multi = markets.sum(axis=1) > 1
    expected = np.column_stack([
        ocgs.ocg_type[rows, None] == np.arange(4), ocgs.reach[rows, None] == np.arange(3), multi,
        (drugs | markets[:, FIREARMS]) & markets[:, MONEY_LAUNDERING], markets[:, FRAUD] & ~drugs,
        drugs & ~multi, ocgs.violence[rows] > 0, ocgs.violence[rows] == 2]).astype(float)
    assert expected.shape[1] == len(SHARE_NAMES)
    np.testing.assert_array_equal(share_profiles(ocgs, rows), expected)


def test_group_metrics_as_bincount(model):
    from twin.metrics import METRIC_INDEX, compute_metrics

    model.take_census()
    out, _ = compute_metrics(model)
    ocgs, lines, n = model.ocgs, model.county_lines, model.geography.n_areas
    for name, weights in (("ocgs_active", ocgs.active), ("ocgs_known", ocgs.active & ocgs.known),
                          ("ocg_revenue_gbp", ocgs.revenue_gbp_per_step * ocgs.active),
                          ("ocg_capital_gbp", ocgs.capital_gbp * ocgs.active)):
        np.testing.assert_array_equal(out[:, METRIC_INDEX[name]], np.bincount(ocgs.area, weights=weights, minlength=n))
    np.testing.assert_array_equal(out[:, METRIC_INDEX["county_lines_active"]],
                                  np.bincount(lines.dest, weights=lines.active, minlength=n))
