"""Group selections (`groups = {...}` on levers that act on groups): who is selected, that the
levers act on those groups only, and that a tasking priority moves operations onto them."""

import numpy as np
import pytest

from twin.group_selection import GroupSelection, selected_rows
from twin.scenario_levers import build_levers
from twin.model import TwinModel
from twin.errors import ScenarioError
from twin.scenario import Scenario
from twin.vocabulary import COCAINE, FRAUD, HEROIN_CRACK, NATIONAL, PROXIMITY, CULTURAL, SERIOUS_VIOLENCE


def _levers(*entries):
    return build_levers(Scenario(name="t", path="test.toml", levers=[dict(e) for e in entries]))


@pytest.fixture(scope="module")
def running_model():
    """A model 24 steps in: county lines opened and closed, groups entered and pivoted."""
    model = TwinModel(seed=5, n_steps=30)
    for _ in range(24):
        model.step()
    return model


def _by_row(model, markets=None, types=None, reach=None, violence=None, county_lines=None):
    """The selection worked out one group at a time, as the docs state it."""
    ocgs, lines = model.ocgs, model.county_lines
    running = {int(lines.ocg[k]) for k in range(lines.n) if lines.active[k]}
    out = np.zeros(ocgs.n, dtype=bool)
    for g in range(ocgs.n):
        ok = bool(ocgs.active[g])
        ok &= markets is None or any(ocgs.markets[g, m] for m in markets)
        ok &= types is None or ocgs.ocg_type[g] in types
        ok &= reach is None or ocgs.reach[g] in reach
        ok &= violence is None or ocgs.violence[g] in violence
        ok &= county_lines is None or ((g in running) == county_lines)
        out[g] = ok
    return out


@pytest.mark.parametrize("criteria", [
    {"markets": (HEROIN_CRACK, COCAINE)}, {"markets": (FRAUD,), "reach": (NATIONAL,)},
    {"types": (CULTURAL, PROXIMITY), "violence": (SERIOUS_VIOLENCE,)}, {"county_lines": True},
    {"county_lines": False, "markets": (HEROIN_CRACK,)},
])
def test_a_selection_holds_the_active_groups_meeting_every_criterion(running_model, criteria):
    selection = GroupSelection(**criteria)
    matched = selection.matches(running_model)
    expected = _by_row(running_model, **criteria)
    assert np.array_equal(matched, expected)
    assert 0 < matched.sum() < running_model.ocgs.active.sum()  # the criteria select, and not everything


def test_a_top_harm_list_is_chosen_once_among_mapped_groups_and_only_shrinks():
    model = TwinModel(seed=6, n_steps=40)
    for _ in range(12):
        model.step()
    lever = _levers({"type": "business_disruption", "groups": {"markets": ["heroin_crack"], "top_harm": 25}})[0]
    mask = np.zeros(model.geography.n_areas, dtype=bool)
    mask[: model.geography.n_areas // 2] = True
    first = selected_rows(lever, model, mask)
    ocgs = model.ocgs
    eligible = np.flatnonzero(ocgs.active & ocgs.known & ocgs.markets[:, HEROIN_CRACK] & mask[ocgs.area])
    harm = ocgs.harm_gbp_per_month[eligible] + model.ocg_violence_harm_per_month[eligible]
    score = harm * ocgs.score_noise[eligible] ** (1.0 - ocgs.intel[eligible])
    # the 25 highest scores: no eligible group left out scores above the lowest listed
    assert first.sum() == 25 and set(np.flatnonzero(first)) <= set(eligible)
    listed = np.isin(eligible, np.flatnonzero(first))
    assert score[~listed].max() <= score[listed].min()
    listed_rows = set(np.flatnonzero(first))
    for _ in range(24):
        model.step()
    ocgs = model.ocgs
    gone = sorted(row for row in listed_rows if ocgs.active[row])[0]
    ocgs.active[gone] = False  # a listed group dissolved (whether any does in two years turns on the seed)
    later = selected_rows(lever, model, mask)
    assert set(np.flatnonzero(later)) <= listed_rows  # nobody joins the list
    assert np.array_equal(later, np.isin(np.arange(ocgs.n), list(listed_rows)) & ocgs.active & mask[ocgs.area])
    assert not later[gone] and later.sum() < 25  # a dissolved group leaves the list
    # a listed group that moves out of the lever's areas leaves its reach
    moved = np.flatnonzero(later)[0]
    ocgs.area[moved] = model.geography.n_areas - 1
    assert not selected_rows(lever, model, mask)[moved] and selected_rows(lever, model, mask).sum() == later.sum() - 1


def test_levers_act_only_on_their_selection(running_model):
    """Business disruption (cohesion), financial sanctions (capital) and Clear (tasking weight):
    each changes the selected groups, some of them, and no other."""
    import copy

    everywhere = np.ones(running_model.geography.n_areas, dtype=bool)
    groups = {"markets": ["cocaine"], "reach": ["regional", "national"]}
    selected = GroupSelection.parse(groups, "test").matches(running_model)

    model = copy.deepcopy(running_model)
    before = model.ocgs.cohesion.copy()
    _levers({"type": "business_disruption", "groups": groups, "groups_per_area": 30})[0].act(model, everywhere)
    changed = model.ocgs.cohesion != before
    assert changed.any() and not (changed & ~selected).any()

    model = copy.deepcopy(running_model)
    before = model.ocgs.capital_gbp.copy()
    _levers({"type": "financial_sanctions", "groups": groups})[0].act(model, everywhere)
    changed = model.ocgs.capital_gbp != before
    assert changed.any() and not (changed & ~(selected & model.ocgs.known)).any()
    assert changed.sum() > 0.5 * (selected & model.ocgs.known & (before > 0)).sum()

    model = copy.deepcopy(running_model)
    model.modifiers.reset()
    _levers({"type": "clear", "groups": groups, "selection_priority": 8, "intensity": 0.5})[0].act(model, everywhere)
    weight = model.modifiers.group_priority
    assert np.array_equal(weight == 4.5, selected) and np.all(weight[~selected] == 1.0)


def test_a_neutral_tasking_priority_leaves_the_run_unchanged():
    """At intensity 0 the weight is 1 and the cost 0: the same table as no lever, to the last bit
    (the weighting passes through the tasking's ranking without changing it)."""
    entry = {"type": "tasking_priority", "groups": {"county_lines": True}, "intensity": 0.0}
    with_lever = TwinModel(seed=3, n_steps=24, levers=_levers(entry))
    without = TwinModel(seed=3, n_steps=24)
    with_lever.run()
    without.run()
    shared = len(without.results.metric_names)
    assert with_lever.results.metric_names[:shared] == without.results.metric_names
    assert np.array_equal(with_lever.results.values[:, :, :shared], without.results.values, equal_nan=True)


def _share_of_line_groups_under_operation(levers, seed, steps=30, from_step=6):
    """Mean over steps of the share of the mapped groups running a county line that are under
    operation, and the same share for the other mapped groups."""
    model = TwinModel(seed=seed, n_steps=steps, levers=levers)
    shares = []
    for step in range(steps):
        model.step()
        if step < from_step:
            continue
        ocgs, lines = model.ocgs, model.county_lines
        running = np.zeros(ocgs.n, dtype=bool)
        running[lines.ocg[lines.active]] = True
        mapped = ocgs.active & ocgs.known
        worked = ocgs.operation_months_left > 0
        shares.append(((worked & mapped & running).sum() / max((mapped & running).sum(), 1),
                       (worked & mapped & ~running).sum() / max((mapped & ~running).sum(), 1)))
    return np.mean(shares, axis=0)


def test_a_tasking_priority_puts_more_of_the_selected_groups_under_operation():
    """Paired seeds: the share of line-running groups under operation rises with the priority, and
    the other groups' share falls (the same investigators); both by more than 4 standard errors
    of the paired differences."""
    seeds = (1, 2, 3, 4)
    entry = {"type": "tasking_priority", "groups": {"county_lines": True}, "priority_weight": 20}
    differences = np.array([_share_of_line_groups_under_operation(_levers(entry), seed)
                            - _share_of_line_groups_under_operation(None, seed) for seed in seeds])
    mean, se = differences.mean(axis=0), differences.std(axis=0, ddof=1) / np.sqrt(len(seeds))
    assert mean[0] > 4 * se[0] and mean[0] > 0.02, differences
    assert mean[1] < -4 * se[1], differences


def test_the_report_describes_a_levers_selection_in_words():
    from twin.report_levers import lever_block

    block = lever_block({"type": "clear", "areas": ["Merseyside"],
                          "groups": {"markets": ["fraud"], "reach": ["national"], "top_harm": 20}})
    assert ("the groups in the fraud market, of national reach; of them, the 20 mapped groups with the most harm "
            "when it starts (a fixed list)") in block
    assert "{&quot;markets" not in block and '"markets"' not in block  # not the raw table


def test_a_county_lines_selection_where_no_such_group_is_based_is_warned_before_the_run():
    from twin.group_selection import selection_warnings

    def warnings(**target):
        entry = {"type": "tasking_priority", "groups": {"county_lines": True}, **target}
        return selection_warnings(Scenario(name="t", path="t.toml", levers=[entry]))

    assert len(warnings(areas=["Cumbria", "Lancashire"])) == 1
    assert "based in the exporter areas (" in warnings(areas=["Cumbria"])[0]
    assert warnings(areas=["Cumbria", "Merseyside"]) == [] and warnings() == []
    assert warnings(regions=["North West"]) == [] and len(warnings(regions=["South West"])) == 1
    assert selection_warnings(Scenario(name="t", path="t.toml", levers=[
        {"type": "tasking_priority", "groups": {"markets": ["fraud"]}, "areas": ["Cumbria"]}])) == []
    # what the lever still does is said: a Clear's surge acts area-wide whatever its selection (the
    # warning said it would act on no group, and a user would drop a lever that acts and is paid for)
    assert warnings(areas=["Cumbria"])[0].endswith("so it will reorder no group's tasking and still be paid for")
    clear = selection_warnings(Scenario(name="t", path="t.toml", levers=[
        {"type": "clear", "groups": {"county_lines": True}, "areas": ["Devon and Cornwall"]}]))
    assert clear[0].endswith("its selection moves no group up the tasking lists: only its area-wide surge acts, "
                             "and is paid for")


def test_a_top_harm_list_longer_than_the_mapped_groups_is_warned_and_a_decimal_count_explained(tmp_path):
    """groups = { top_harm = 100000000 } ran without a word (about 4,800 groups are mapped), while 500 of the
    45 areas is refused; top_harm = 100.0 was refused as 'expected a whole number, got 100.0'."""
    from twin.group_selection import selection_warnings
    from twin.parameters import Parameters

    mapped = int(Parameters()["ocgs_known_uk"])

    def warnings(top, **scenario):
        return selection_warnings(Scenario(name="t", path="t.toml", levers=[
            {"type": "clear", "areas": ["Kent"], "groups": {"top_harm": top}}], **scenario))

    assert warnings(mapped - 1) == []
    said = warnings(mapped)
    assert len(said) == 1 and said[0] == (
        f"t.toml: [[levers]] #1 (clear): groups.top_harm = {mapped:,} is at least the number of mapped groups the run "
        f"starts with (about {mapped:,}): it selects every mapped group meeting its other criteria")
    # a user's register: its own count of mapped groups, not the UK's estimate
    from twin.geography import load_geography
    from twin.register import synthetic_register
    from twin.register_sources import write_register_csv
    from twin.streams import RandomStreams

    register = synthetic_register(load_geography(), Parameters(), RandomStreams(3)["register"])
    known = int(register.known.sum())
    write_register_csv(register, load_geography(), tmp_path / "r.csv")
    assert known != mapped and warnings(known - 1, register=str(tmp_path / "r.csv")) == []
    assert f"the run starts with ({known:,}):" in warnings(known, register=str(tmp_path / "r.csv"))[0]
    # completed with the synthetic register's groups where it has none: about the UK's count, not its own
    completed = {"register": str(tmp_path / "r.csv"), "complete_register": True}
    assert warnings(mapped - 1, **completed) == [] and f"(about {mapped:,})" in warnings(mapped, **completed)[0]
    with pytest.raises(ScenarioError, match=r"groups\.top_harm: expected a whole number >= 1, got 100\.0 \(write "
                                            r"100: TOML reads 100\.0 and 1e9 as decimal numbers\)"):
        warnings(100.0)


def test_business_disruption_with_a_selection_pays_only_where_it_finds_a_selected_group(running_model):
    import copy

    model = copy.deepcopy(running_model)
    everywhere = np.ones(model.geography.n_areas, dtype=bool)
    groups = {"county_lines": True}
    lever = _levers({"type": "business_disruption", "groups": groups})[0]
    lever.act(model, everywhere)
    ocgs = model.ocgs
    holding = np.zeros(model.geography.n_areas, dtype=bool)
    holding[ocgs.area[GroupSelection.parse(groups, "t").matches(model) & ocgs.known]] = True
    assert 0 < holding.sum() < model.geography.n_areas
    cost = lever.cost_gbp_per_year(model, everywhere)
    assert np.array_equal(cost > 0, holding) and np.all(cost[holding] == lever.values["cost_gbp_per_area_year"])


def test_groups_added_after_the_weights_were_set_weigh_one_in_tasking(running_model):
    """A weight array shorter than the group table (groups added after the levers acted) is padded
    with ones: tasking opens exactly the operations it opens with no weights at all."""
    import copy

    from twin import policing

    opened = []
    for priority in (None, np.ones(running_model.ocgs.n - 7)):
        model = copy.deepcopy(running_model)
        model.modifiers.reset()
        model.modifiers.group_priority = priority
        policing.task(model, 3 * model.investigators_fte)  # free investigators to open operations with
        opened.append(model.ocgs.operation_months_left.copy())
    assert np.array_equal(opened[0], opened[1]) and (opened[0] != running_model.ocgs.operation_months_left).any()
