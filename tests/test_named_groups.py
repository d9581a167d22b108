"""Group selections by what users know of the groups: `ocg_ids` (a named target list from a user's
register) and `exploit_children` (groups with an active child member)."""


import numpy as np
import pytest

from twin.cli import main
from twin.errors import ScenarioError
from twin.geography import load_geography
from twin.group_selection import GroupSelection, selected_rows
from twin.scenario_levers import build_levers
from twin.model import TwinModel
from twin.parameters import Parameters
from twin.register import synthetic_register
from twin.scenario import Scenario
from twin.streams import RandomStreams
from twin.vocabulary import ACTIVE

from conftest import SCENARIOS, write

GEO = load_geography()


def _levers(*entries):
    return build_levers(Scenario(name="t", path="t.toml", levers=[dict(e) for e in entries]))


@pytest.fixture(scope="module")
def register():
    """The synthetic register of seed 3, as a user's register (its ids are SYN00000, ...)."""
    return synthetic_register(GEO, Parameters(), RandomStreams(3)["register"])


def _named(register, area: str, count: int) -> list[str]:
    """The first `count` groups of `area` known to police (the ones a lever's selection works on)."""
    rows = np.flatnonzero((register.area == GEO.area_names.index(area)) & register.known)
    return [register.ocg_id[row] for row in rows[:count]]


def test_named_groups_are_the_rows_of_the_register_active_and_in_the_levers_areas(register):
    ids = _named(register, "Merseyside", 6) + _named(register, "Kent", 4)
    entry = {"type": "business_disruption", "groups": {"ocg_ids": ids}, "areas": ["Merseyside"]}
    model = TwinModel(seed=2, n_steps=40, register=register, levers=_levers(entry))
    lever = model.levers[0]
    rows = [register.ocg_id.index(ocg_id) for ocg_id in ids]
    assert list(lever.named_rows) == rows  # found when the model is built, in the list's order
    mask = lever.named_areas(model.geography)
    for _ in range(30):
        model.step()
        chosen = selected_rows(lever, model, mask)
        ocgs = model.ocgs
        expected = np.zeros(ocgs.n, dtype=bool)
        expected[rows] = True
        expected &= ocgs.active & mask[ocgs.area]
        assert np.array_equal(chosen, expected)
    assert 0 < chosen.sum() <= 6  # the Kent groups are outside the lever's areas
    assert not chosen[register.size.size:].any()  # groups that entered or split later never join


def test_a_lever_acts_on_the_named_groups_only(register):
    ids = _named(register, "West Midlands", 12)
    model = TwinModel(seed=4, n_steps=20, register=register)
    for _ in range(6):
        model.step()
    everywhere = np.ones(GEO.n_areas, dtype=bool)
    named = np.zeros(model.ocgs.n, dtype=bool)
    named[[register.ocg_id.index(i) for i in ids]] = True
    lever = _levers({"type": "financial_sanctions", "groups": {"ocg_ids": ids}})[0]
    before = model.ocgs.capital_gbp.copy()
    lever.act(model, everywhere)
    changed = model.ocgs.capital_gbp != before
    assert changed.any() and not (changed & ~named).any()


def test_names_missing_from_the_register_or_without_one_are_scenario_errors(register):
    entry = {"type": "clear", "groups": {"ocg_ids": ["SYN00001", "SYN0003"]}}
    with pytest.raises(ScenarioError, match=r"groups.ocg_ids: 'SYN0003' is not an ocg_id of the register.*did you mean"):
        TwinModel(seed=1, n_steps=2, register=register, levers=_levers(entry))
    with pytest.raises(ScenarioError, match="synthetic register, whose groups differ with the seed"):
        TwinModel(seed=1, n_steps=2, levers=_levers(entry))
    # an id in another case, or with a space, is pointed to the register's spelling (not a far namesake)
    for written in ("syn00027", "SYN00027 "):
        entry = {"type": "clear", "groups": {"ocg_ids": ["SYN00001", written]}}
        with pytest.raises(ScenarioError, match=f"'{written}' is not an ocg_id of the register; did you mean "
                                                f"'SYN00027'\\? \\(ids match exactly, case and spaces too\\)"):
            TwinModel(seed=1, n_steps=2, register=register, levers=_levers(entry))
    wrong = {"type": "clear", "groups": {"ocg_ids": ["MPS-0012", "MPS-0207"]}}  # a list for another register
    with pytest.raises(ScenarioError, match="none of the 2 ids listed is an ocg_id of the register .the first listed "
                                            "is 'MPS-0012'; the register's first is 'SYN00000'"):
        TwinModel(seed=1, n_steps=2, register=register, levers=_levers(wrong))


def test_a_completed_register_keeps_the_users_rows_and_ids(register):
    """A force's own register completed with synthetic groups: the ids it shares with the synthetic
    register name the user's groups (its rows come first), not the synthetic namesakes."""
    from twin.register import _rows

    kent = _rows(register, register.area == GEO.area_names.index("Kent"))
    ids = kent.ocg_id[:5]
    entry = {"type": "clear_hold_build", "groups": {"ocg_ids": ids}}
    model = TwinModel(seed=1, n_steps=12, register=kent, levers=_levers(entry), complete_register=True)
    clear = [lever for lever in model.levers if lever.type_name == "clear"][0]
    assert list(clear.named_rows) == [0, 1, 2, 3, 4]  # the Clear phase has the selection, found at build
    assert model.register.ocg_id[:5] == ids and len(model.register) > len(kent)
    assert all(ocg_id in model.register.ocg_id for ocg_id in (f"{i}-synthetic" for i in ids))
    assert np.array_equal(model.ocgs.area[:5], kent.area[:5])


def test_a_tasking_priority_on_named_groups_puts_them_under_operation(register):
    """Paired seeds: the share of 60 named mapped groups under operation rises with a priority on
    them, by more than 4 standard errors of the paired differences."""
    rows = np.flatnonzero(register.known & (register.size >= 6))[:60]
    entry = {"type": "tasking_priority", "groups": {"ocg_ids": [register.ocg_id[r] for r in rows]},
             "priority_weight": 20}

    def share_worked(levers, seed):
        model = TwinModel(seed=seed, n_steps=24, register=register, levers=levers)
        shares = []
        for step in range(24):
            model.step()
            if step >= 6:
                named = model.ocgs.active[rows] & model.ocgs.known[rows]
                shares.append((model.ocgs.operation_months_left[rows] > 0)[named].mean())
        return np.mean(shares)

    differences = np.array([share_worked(_levers(entry), seed) - share_worked(None, seed) for seed in (1, 2, 3, 4)])
    assert differences.mean() > 4 * differences.std(ddof=1) / 2 and differences.mean() > 0.02, differences


def test_named_groups_outside_the_levers_areas_are_warned_before_the_run(register):
    from twin.runner import _check_ids

    kent, merseyside = _named(register, "Kent", 3), _named(register, "Merseyside", 2)
    for ids, areas, words in ((kent, ["Merseyside"], "none of the 3 groups named"),
                              (kent + merseyside, ["Merseyside"], "3 of the 5 groups named in groups.ocg_ids are based outside"),
                              (merseyside, ["Merseyside"], None), (kent, None, None)):
        entry = {"type": "clear", "groups": {"ocg_ids": ids}, **({"areas": areas} if areas else {})}
        warnings = _check_ids(_levers(entry), register, "r.csv", GEO)
        assert (warnings == []) if words is None else (len(warnings) == 1 and words in warnings[0]), warnings


def test_named_groups_unknown_to_police_or_in_areas_picked_later_are_warned(register):
    from twin.runner import _check_ids

    unknown = [register.ocg_id[row] for row in np.flatnonzero(~register.known)[:2]]
    kent = _named(register, "Kent", 3)
    warnings = _check_ids(_levers({"type": "financial_sanctions", "groups": {"ocg_ids": kent + unknown}}),
                          register, "r.csv", GEO)
    assert len(warnings) == 1 and "2 of the 5 groups named in groups.ocg_ids are not known to police" in warnings[0]
    warnings = _check_ids(_levers({"type": "clear", "top_harm_areas": 3, "groups": {"ocg_ids": kent}}),
                          register, "r.csv", GEO)
    assert len(warnings) == 1 and "picks its 3 areas by harm when it starts" in warnings[0], warnings


def test_a_misspelt_area_or_a_database_password_beside_named_groups(register):
    """The misspelt area is the error a run gives (not a crash of the pre-run check); a register
    read from a database is named without its password."""
    from twin.runner import _check_ids

    entry = {"type": "clear", "areas": ["Mersyside"], "groups": {"ocg_ids": _named(register, "Kent", 1)}}
    with pytest.raises(ScenarioError, match="#1 .clear.: unknown area 'Mersyside'; did you mean 'Merseyside'"):
        _check_ids(_levers(entry), register, "r.csv", GEO)
    selection = GroupSelection.parse({"ocg_ids": ["NOPE1"]}, "t")
    with pytest.raises(ScenarioError) as error:
        selection.check_ids(register, "t", "postgresql://analyst:s3cret@db.example/intel")
    assert "s3cret" not in str(error.value) and "'postgresql://analyst:***@db.example/intel'" in str(error.value)
    with pytest.raises(ScenarioError) as error:  # a password given as the URL's query option (libpq's)
        selection.check_ids(register, "t", "postgresql://analyst@db.example/intel?sslmode=require&password=s3cret")
    assert "s3cret" not in str(error.value)
    assert "'postgresql://analyst@db.example/intel?sslmode=require&password=***'" in str(error.value)


def test_the_pre_run_check_reads_a_register_rewritten_within_the_clocks_resolution(tmp_path, register):
    """`check_named_groups` keeps the register it read; a file rewritten with the same time (a
    coarse clock, `cp -p`) and the same size is still read again."""
    import os

    from twin.runner import check_named_groups
    from twin.scenario import load_scenario

    reg = tmp_path / "register.csv"
    assert main(["register", "--out", str(reg)]) == 0
    scenario = write(tmp_path / "s.toml", '[scenario]\nname = "s"\nregister = "register.csv"\n\n[[levers]]\n'
                     'type = "clear"\ngroups = { ocg_ids = ["SYN00010"] }\n')
    check_named_groups(load_scenario(scenario))
    stat = reg.stat()
    reg.write_bytes(reg.read_bytes().replace(b"SYN00010,", b"SYN99910,"))
    os.utime(reg, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert reg.stat().st_size == stat.st_size
    with pytest.raises(ScenarioError, match="'SYN00010' is not an ocg_id"):
        check_named_groups(load_scenario(scenario))


@pytest.mark.parametrize("groups, words", [
    ({"ocg_ids": "targets.csv"}, "a file of ids .'targets.csv'. is read only in a scenario file's"),
    ({"ocg_ids": [10, 11]}, "ids are text: quote them"),
    ({"ocg_ids": []}, "expected a list of the register's ocg_id values"),
    ({"ocg_ids": ["SYN00001", " "]}, "expected a list of the register's ocg_id values"),
    ({"ocg_ids": ["A", "B", "A"]}, "'A' is listed twice"),
    ({"exploit_children": 1}, "groups.exploit_children: expected true or false"),
    ({"ocg_id": ["A"]}, "did you mean 'ocg_ids'"),
])
def test_selection_mistakes_are_named(groups, words):
    with pytest.raises(ScenarioError, match=words):
        GroupSelection.parse(groups, "t.toml: levers[1]")


def test_exploit_children_selects_the_groups_with_an_active_child_member():
    model = TwinModel(seed=5, n_steps=20)
    for _ in range(12):
        model.step()
    members, ocgs = model.members, model.ocgs
    with_child = np.zeros(ocgs.n, dtype=bool)
    for row in range(members.n):  # one member at a time, as the docs state it
        if members.status[row] == ACTIVE and members.child[row]:
            with_child[members.ocg[row]] = True
    chosen = GroupSelection(exploit_children=True).matches(model)
    assert np.array_equal(chosen, with_child & ocgs.active)
    assert np.array_equal(GroupSelection(exploit_children=False).matches(model), ~with_child & ocgs.active)
    assert 0 < chosen.sum() < ocgs.active.sum()


def test_the_report_names_the_listed_groups():
    words = GroupSelection.parse({"ocg_ids": [f"G{i}" for i in range(8)], "exploit_children": True}, "t").describe()
    assert words == "the groups exploiting children, named in the register (G0, G1, G2, G3, G4 and 3 more)"


def test_commands_report_a_misspelt_id_before_any_run(tmp_path, capsys):
    reg = tmp_path / "register.csv"
    assert main(["register", "--out", str(reg)]) == 0
    capsys.readouterr()
    scenario = write(tmp_path / "named.toml", f'[scenario]\nbase = "{SCENARIOS / "baseline.toml"}"\n'
                     'register = "register.csv"\n\n[[levers]]\ntype = "clear"\n'
                     'groups = { ocg_ids = ["SYN00010", "SYN0011"] }\n')
    for argv in (["run", str(scenario), "--out", str(tmp_path / "run")],
                 ["compare", str(SCENARIOS / "baseline.toml"), str(scenario), "--reps", "1",
                  "--db", f"sqlite:///{tmp_path / 't.db'}", "--out", str(tmp_path / "cmp")]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert "'SYN0011' is not an ocg_id of the register '" in err[-1]
        assert "register.csv'; did you mean 'SYN0" in err[-1]
        assert "Traceback" not in "\n".join(err)
    assert not (tmp_path / "run").exists() and not (tmp_path / "t.db").exists()
    # the research commands check before they make anything
    fit_out = tmp_path / "fit"
    assert main(["fit", str(scenario), "--reps", "1", "--out", str(fit_out)]) == 2
    assert "'SYN0011' is not an ocg_id" in capsys.readouterr().err and not fit_out.exists()
    config = write(tmp_path / "sens.toml", f'[sensitivity]\nscenario = "named.toml"\nout = "{tmp_path / "sens"}"\n'
                   '[[parameter]]\nname = "remand_prob"\n')
    assert main(["sensitivity", str(config)]) == 2
    assert "'SYN0011' is not an ocg_id" in capsys.readouterr().err and not (tmp_path / "sens").exists()
    sweep = write(tmp_path / "sweep.toml", '[experiment]\nname = "t"\nbase = "named.toml"\nyears = 1\n'
                  '[[uncertainty]]\nname = "remand_prob"\nlow = 0.5\nhigh = 0.7\n'
                  '[[outcome]]\nname = "harm"\nmetric = "harm_gbp_total"\nyears = [1, 1]\n')
    assert main(["sweep", str(sweep)]) == 2
    assert "'SYN0011' is not an ocg_id" in capsys.readouterr().err
    # the same file with --register on the command line instead
    plain = write(tmp_path / "plain.toml", scenario.read_text().replace('register = "register.csv"\n', ""))
    assert main(["run", str(plain), "--register", str(reg), "--out", str(tmp_path / "run2")]) == 2
    assert "'SYN0011' is not an ocg_id" in capsys.readouterr().err


def test_ids_can_come_from_a_csv_file_next_to_the_scenario(tmp_path):
    from twin.scenario import load_scenario

    (tmp_path / "lists").mkdir()
    write(tmp_path / "lists" / "targets.csv", "ocg_id,why\nSYN00010,top of the matrix\nSYN00042,\n")
    scenario_text = '[scenario]\nname = "x"\n\n[[levers]]\ntype = "clear"\ngroups = {{ ocg_ids = "{}" }}\n'
    scenario = load_scenario(write(tmp_path / "x.toml", scenario_text.format("lists/targets.csv")))
    assert scenario.levers[0]["groups"]["ocg_ids"] == ["SYN00010", "SYN00042"]
    assert build_levers(scenario)[0].groups.ocg_ids == ("SYN00010", "SYN00042")
    first = scenario.spec_hash()  # the ids, not the file's name, make the scenario
    write(tmp_path / "lists" / "targets.csv", "ocg_id\nSYN00010\nSYN00043\n")
    assert load_scenario(tmp_path / "x.toml").spec_hash() != first
    for text, words in (("ocg_id\n", "lists no groups below its header"), ("", "has no ocg_id column .it is empty"),
                        ("id,why\nSYN1,x\n", r"has no ocg_id column \(its columns: id, why"),
                        ("ocg_id,x\nSYN1,1\n\n ,2\n", "line 4: ocg_id is empty"), ("ocg_id\nA\nA\n", "'A' is listed twice")):
        write(tmp_path / "lists" / "targets.csv", text)
        with pytest.raises(ScenarioError, match=words):
            load_scenario(tmp_path / "x.toml")
    # as a spreadsheet saves it: the header in any case, a row left empty (',')
    write(tmp_path / "lists" / "targets.csv", "OCG_ID ,Why\nSYN00010,a\n,\nSYN00042,\n")
    assert load_scenario(tmp_path / "x.toml").levers[0]["groups"]["ocg_ids"] == ["SYN00010", "SYN00042"]
    with pytest.raises(ScenarioError, match=r"#1 \(clear\): groups.ocg_ids: file 'lists/target.csv' not found next to the scenario"):
        load_scenario(write(tmp_path / "y.toml", scenario_text.format("lists/target.csv")))
