import re
from pathlib import Path

import pytest

from twin.errors import ScenarioError
from twin.scenario import load_scenario

from conftest import SCENARIOS, write


def test_baseline_loads():
    scenario = load_scenario(SCENARIOS / "baseline.toml")
    assert scenario.name == "baseline" and scenario.years == 10 and scenario.step == "month"
    assert scenario.n_steps == 120
    assert scenario.build_parameters().soc_budget_gbp_per_year == 860e6


def test_base_inheritance_merges_and_overrides(tmp_path):
    write(tmp_path / "base.toml", '[scenario]\nname = "base"\nyears = 5\n[parameters]\ncharge_prob = 0.6\n'
          'soc_budget_gbp_per_year = 1e9\n')
    child = write(tmp_path / "child.toml", '[scenario]\nname = "child"\nbase = "base.toml"\nstep = "week"\n'
                  '[parameters]\nsoc_budget_gbp_per_year = 2e9\n')
    scenario = load_scenario(child)
    assert scenario.name == "child" and scenario.years == 5 and scenario.step == "week"
    assert scenario.parameters == {"charge_prob": 0.6, "soc_budget_gbp_per_year": 2e9}
    assert scenario.n_steps == 5 * 52
    assert scenario.chain[0].endswith("base.toml")


@pytest.mark.parametrize("body, words", [
    ('[scenario]\nyeras = 10\n', r"\[scenario\]: unknown key 'yeras'; did you mean 'years'\?"),
    ('[scenario]\nhorizon_years = 10\n', r"\[scenario\]: unknown key 'horizon_years'; did you mean 'years'\?"),
    ('[scenario]\nsoc_budget_gbp_per_year = 1e9\n',
     r"\[scenario\]: 'soc_budget_gbp_per_year' is a parameter \(`twin params`\); set it under \[parameters\]"),
    ('[scenario]\nstep_length = "week"\n', r"\[scenario\]: unknown key 'step_length'; did you mean 'step'\?"),
    ('[scenaro]\nyears = 10\n', r"top level: unknown key 'scenaro'; did you mean 'scenario'\?"),
    ('[parameters]\nsoc_budget_gbp_per_yer = 1e9\n', r"unknown parameter 'soc_budget_gbp_per_yer'; did you mean"),
    ('[parameters]\ncharge_prob = 2\n', r"charge_prob' must be a probability"),
    ('[scenario]\nstep = "fortnight"\n', r"step: expected one of month, week"),
    ('[scenario]\nstep = "weak"\n', r"did you mean 'week'"),
    ('[scenario]\nyears = -1\n', r"years: expected a number of years"),
    ('[scenario]\nyears = "ten"\n', r"years: expected a number of years"),
    ('[scenario]\nstart_date = "April"\n', r"start_date: expected a date YYYY-MM-DD"),
    ('[scenario]\nbase = "missing.toml"\n', r"base: file 'missing.toml' not found"),
    ('[scenario\nyears = 10\n', r"not valid TOML"),
    ('parameters = 3\n', r"'parameters' must be a table"),
    ('[[levers]]\nkind = "clear"\n', r"\[\[levers\]\] #1: missing key 'type'"),
    ('[[levers]]\ntype = "no_such_lever"\n', r"unknown lever type 'no_such_lever'"),
    # values valid one by one that cannot hold together
    ('[parameters]\nshare_reach_local = 0\nshare_reach_regional = 0\nshare_reach_national = 0\n',
     r"\[parameters\]: the OCG reach shares \(share_reach_local, .*\) are all 0; at least one must be above 0"),
    ('[parameters]\nocg_known_share = 0\n', r"ocg_known_share = 0 leaves no OCG known to police; expected a share above 0"),
    ('[parameters]\nshare_serious_violence = 0.95\n',
     r"share_serious_violence = 0.95 is above share_violent = 0.7; expected at most share_violent"),
    ('[parameters]\nearly_release_served_share = 0.9\n', r"early_release_served_share = 0.9 is above served_share = 0.5"),
    ('[parameters]\nocg_size_min = 0\n', r"'ocg_size_min' must be a whole number >= 1 \(people\), got 0"),
    ('[parameters]\ndrug_demand_price_elasticity = 0.5\n',
     r"'drug_demand_price_elasticity' must be a number <= 0 \(elasticity\), got 0.5"),
    ('[parameters]\nocg_size_min = 3.5\n', r"'ocg_size_min' must be a whole number >= 1 \(people\), got 3.5"),
    ('[scenario]\nareas_file = "."\n', r"\[scenario\] areas_file: '\.' is a folder; expected a CSV file \(of areas\)"),
    ('[calibration]\nmethod = "abc"\n',
     r"unknown key 'calibration' .*; the file looks like a calibration config, which `twin calibrate` reads"),
    ('', r"the file is empty"),
    ('# only a comment\n', r"the file is empty"),
    # the shape of the file
    ('[scenario]\nname = 3\n', r"\[scenario\] name: expected a string, got 3"),
    ('[scenario]\nregister = ["a.csv"]\n', r"\[scenario\] register: expected a string"),
    ('scenario = 3\n', r"'scenario' must be a table \(\[scenario\]\)"),
    ('levers = 3\n', r"'levers' must be an array of tables \(\[\[levers\]\]\)"),
    ('[levers]\ntype = "clear"\n', r"'levers' must be an array of tables"),
    # lever settings
    ('[[levers]]\ntype = "clear"\nregions = "London"\n', r"regions: expected a list of region names"),
    ('[[levers]]\ntype = "funding"\nmulti_year = 2\n', r"\(funding\): multi_year: expected 0 or 1, got 2"),
    # group selections
    ('[[levers]]\ntype = "clear"\ngroups = { market = ["fraud"] }\n',
     r"\(clear\): groups: unknown key 'market'; did you mean 'markets'\?"),
    ('[[levers]]\ntype = "clear"\ngroups = { markets = ["frad"] }\n',
     r"\(clear\): groups.markets: unknown name 'frad'; did you mean 'fraud'\?"),
    ('[[levers]]\ntype = "clear"\ngroups = { markets = "fraud" }\n', r"groups.markets: expected a list of names"),
    ('[[levers]]\ntype = "clear"\ngroups = { types = ["cultral"] }\n', r"did you mean 'cultural'\?"),
    ('[[levers]]\ntype = "clear"\ngroups = {}\n', r"groups: expected at least one of markets"),
    ('[[levers]]\ntype = "clear"\ngroups = "county lines"\n', r"groups: expected a table"),
    ('[[levers]]\ntype = "clear"\ngroups = { county_lines = 1 }\n', r"groups.county_lines: expected true or false"),
    ('[[levers]]\ntype = "clear"\ngroups = { top_harm = 0 }\n', r"groups.top_harm: expected a whole number >= 1"),
    ('[[levers]]\ntype = "hold"\ngroups = { county_lines = true }\n',
     r"\(hold\): 'groups' does not apply: this lever does not act on a selection of groups \(levers that do: clear,"),
    ('[[levers]]\ntype = "tasking_priority"\n', r"\(tasking_priority\): give the groups it prioritises"),
    ('[[levers]]\ntype = "clear_hold_build"\nclear_years = 0\ngroups = { county_lines = true }\n',
     r"groups applies to Clear, which has clear_years = 0"),
    ('[[levers]]\ntype = "clear"\ntop_harm = 50\n', r"'top_harm' is a group criterion: give groups = \{ top_harm = N \}"),
    ('[[levers]]\ntype = "clear"\ngroups = { top_harm_areas = 5 }\n', r"'top_harm_areas' is not a group criterion"),
    ('[[levers]]\ntype = "clear"\ngroups = { areas = ["Kent"] }\n', r"'areas' is not a group criterion"),
    ('[[levers]]\ntype = "clear"\ngroups = { markets = ["county_lines"] }\n', r"give county_lines = true beside markets"),
    ('[[levers]]\ntype = "clear"\ngroups = { markets = ["drugs"] }\n', r"the drug markets are heroin_crack and cocaine"),
    ('[[levers]]\ntype = ["clear"]\n', r"\[\[levers\]\] #1: type: expected one lever type in quotes .*got \['clear'\]"),
    ('[[levers]]\ntype = "clear"\nduration_years = 100000000000000000000\n',
     r"levers\[0\].duration_years = 100000000000000000000: a whole number larger than any this tool takes"),
    ('[scenario]\nname = "a\\u0000b"\n', r"scenario.name: text with a NUL character in it"),
    ('[scenario]\nname = "a\\nb"\n', r"\[scenario\] name: expected a name on one line, without control characters"),
    ("x = " + "[" * 3000 + "]" * 3000 + "\n", r"arrays or tables nested too deeply to read"),
])
def test_scenario_errors_name_file_key_and_fix(tmp_path, body, words):
    path = write(tmp_path / "bad.toml", body)
    with pytest.raises(ScenarioError, match=words) as error:
        load_scenario(path)
    assert str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_inheritance_cycle_is_reported(tmp_path):
    write(tmp_path / "a.toml", '[scenario]\nbase = "b.toml"\n')
    write(tmp_path / "b.toml", '[scenario]\nbase = "a.toml"\n')
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.toml")


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="scenario file not found$"):  # nothing near it to suggest
        load_scenario("no/such/file.toml")
    write(tmp_path / "baseline.toml", '[scenario]\nname = "b"\n')
    with pytest.raises(ScenarioError, match=r"baselin.toml: scenario file not found; did you mean '.*/baseline.toml'"):
        load_scenario(tmp_path / "baselin.toml")
    with pytest.raises(ScenarioError, match=r"baseline.tml: scenario file not found; did you mean '.*/baseline.toml'"):
        load_scenario(tmp_path / "baseline.tml")  # the suffix mistyped
    # a name like none of the folder's: no hint, though the paths share their folder and suffix
    with pytest.raises(ScenarioError, match="scenario file not found$"):
        load_scenario(tmp_path / "nonexist.toml")
    # nor an unrelated name a loose likeness would have offered ('baselin' for 'badsection', 'none' for 'nostep')
    other = tmp_path / "other"
    other.mkdir()
    write(other / "badsection.toml", "")
    write(other / "nostep.toml", "")
    for missing in ("baselin.toml", "none.toml"):
        with pytest.raises(ScenarioError, match="scenario file not found$"):
            load_scenario(other / missing)
    write(tmp_path / "option.toml", '[scenario]\nbase = "baselin.toml"\n')
    with pytest.raises(ScenarioError, match=r"base: file 'baselin.toml' not found next to this scenario; did you mean "
                                            r"'baseline.toml'\?"):  # as the base key would name it
        load_scenario(tmp_path / "option.toml")
    # an absolute path is suggested as written, absolute (it was '../../<folder>/baseline.toml')
    (other / "elsewhere.toml").write_text(f'[scenario]\nbase = "{tmp_path / "baselin.toml"}"\n')
    with pytest.raises(ScenarioError, match=f"did you mean '{re.escape(str(tmp_path / 'baseline.toml'))}'"):
        load_scenario(other / "elsewhere.toml")
    (tmp_path / "scenarios").mkdir()
    write(tmp_path / "folder.toml", '[scenario]\nbase = "scenarios"\n')
    with pytest.raises(ScenarioError, match=r"folder.toml: \[scenario\] base: 'scenarios' is a folder; expected a "
                                            r"scenario file \(.toml\) in it, such as 'scenarios/baseline.toml'"):
        load_scenario(tmp_path / "folder.toml")


def test_spec_hash_ignores_paths_but_not_parameters(tmp_path):
    a = load_scenario(write(tmp_path / "a.toml", '[parameters]\ncharge_prob = 0.6\n'))
    b = load_scenario(write(tmp_path / "b.toml", '[parameters]\ncharge_prob = 0.6\n'))
    c = load_scenario(write(tmp_path / "c.toml", '[parameters]\ncharge_prob = 0.5\n'))
    a.name = b.name = c.name = "same"
    assert a.spec_hash() == b.spec_hash() != c.spec_hash()


def test_spec_hash_follows_what_the_register_holds(tmp_path):
    """Stored runs are found by the hash: a register edited between two commands must not find the
    runs made from its old content, and the same content under the same name finds them."""
    header = "ocg_id,area,type,reach,markets,size,violence,enablers,known\n"
    register = write(tmp_path / "register.csv", header + "A,Kent,family,local,fraud,4,none,,1\n")
    scenario = write(tmp_path / "s.toml", '[scenario]\nregister = "register.csv"\n')
    first = load_scenario(scenario).spec_hash()
    assert load_scenario(scenario).spec_hash() == first
    write(register, header + "A,Kent,family,local,fraud,5,none,,1\n")
    assert load_scenario(scenario).spec_hash() != first


def test_a_scenario_saved_with_a_byte_order_mark_loads(tmp_path):
    """Windows editors save "UTF-8 with BOM"; it was 'not valid TOML (Invalid statement (at line 1, column 1))'."""
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + f'[scenario]\nname = "bom"\nbase = "{SCENARIOS / "baseline.toml"}"\n'.encode())
    assert load_scenario(path).name == "bom"


@pytest.mark.parametrize("name", ["", "../../elsewhere", "a/b", "a" * 201, "é" * 101])
def test_a_scenario_name_must_be_a_folder_name(tmp_path, name):
    """The name names the default output folder (results/<name>/seed-N): it may not be empty, leave
    results/, or be too long for a folder's name (at most 200 bytes: a run failed with "File name too
    long" and exit status 1, naming neither the file nor the key)."""
    path = tmp_path / "s.toml"
    path.write_text(f'[scenario]\nname = "{name}"\n')
    with pytest.raises(ScenarioError, match=r"\[scenario\] name: expected a"):
        load_scenario(path)
    path.write_text(f'[scenario]\nname = "{"a" * 200}"\n')
    assert load_scenario(path).name == "a" * 200


def test_a_parameter_mistake_in_a_base_scenario_names_the_base_file(tmp_path):
    """A misspelt parameter in a base scenario was blamed on the child that names it as its base (whose
    file has no [parameters] table); an override in the child is still the child's."""
    from twin.errors import UserError

    base = tmp_path / "base.toml"
    base.write_text(f'[scenario]\nname = "b"\nbase = "{SCENARIOS / "baseline.toml"}"\n'
                    f'[parameters]\nprice_supply_elasticty = 1.2\n')
    child = tmp_path / "child.toml"
    child.write_text('[scenario]\nname = "child"\nbase = "base.toml"\n')
    with pytest.raises(UserError, match=rf"^{re.escape(str(base))}: \[parameters\]: unknown parameter "
                                             r"'price_supply_elasticty'; did you mean 'price_supply_elasticity'"):
        load_scenario(child).build_parameters()
    base.write_text(base.read_text().replace("price_supply_elasticty", "price_supply_elasticity"))
    child.write_text(child.read_text() + "[parameters]\nprice_supply_elasticty = 1.3\n")  # the base sets the hint's
    with pytest.raises(UserError, match=rf"^{re.escape(str(child))}: \[parameters\]: unknown parameter "
                                        r"'price_supply_elasticty'"):
        load_scenario(child).build_parameters()
    child.write_text(child.read_text().replace("price_supply_elasticty = 1.3", "charge_prob = 1.5"))
    with pytest.raises(UserError, match=rf"^{re.escape(str(child))}: \[parameters\]: parameter 'charge_prob'"):
        load_scenario(child).build_parameters()


def test_lever_errors_number_the_entry_within_the_file_that_gives_it(tmp_path):
    """A derived scenario's levers follow its base's: an error in its first lever says #1 of its own
    file, not #2 of the merged list."""
    base = write(tmp_path / "base.toml", '[[levers]]\ntype = "clear"\n')
    write(tmp_path / "derived.toml", '[scenario]\nbase = "base.toml"\n\n[[levers]]\ntype = "hold"\nareas = ["Kentt"]\n'
                                     '\n[[levers]]\ntype = "bulid"\n')
    with pytest.raises(ScenarioError, match=r"derived.toml: \[\[levers\]\] #2: unknown lever type 'bulid'"):
        load_scenario(tmp_path / "derived.toml")
    assert load_scenario(base).levers[0]["type"] == "clear"
    # a warning about a setting numbers the entry as the errors do
    from twin.scenario_levers import settings_beyond_plausible

    write(tmp_path / "strong.toml", '[scenario]\nbase = "base.toml"\n\n[[levers]]\ntype = "hold"\nintensity = 9\n')
    warnings = settings_beyond_plausible(load_scenario(tmp_path / "strong.toml"))
    assert len(warnings) == 1 and "strong.toml: [[levers]] #1 (hold): intensity = 9" in warnings[0], warnings


def test_a_missing_areas_or_register_file_and_a_database_register_are_named_at_load(tmp_path):
    write(tmp_path / "areas.csv", "force_area,nation,region,population_thousands,county_lines_exporter\nA,England,R,10,0\n")
    with pytest.raises(ScenarioError, match=r"s.toml: \[scenario\] areas_file: file 'area.csv' not found next to this "
                                            r"scenario; did you mean 'areas.csv'"):
        load_scenario(write(tmp_path / "s.toml", '[scenario]\nareas_file = "area.csv"\n'))
    with pytest.raises(ScenarioError, match=r"\[scenario\] register: file 'reg.csv' not found next to this scenario"):
        load_scenario(write(tmp_path / "s.toml", '[scenario]\nregister = "reg.csv"\n'))
    # a database register is read with its table (test_register), without a password in the file
    with pytest.raises(ScenarioError, match=r"\[scenario\] register: the URL holds a password; leave it out"):
        load_scenario(write(tmp_path / "s.toml", '[scenario]\nregister = "postgresql://a:b@host/db"\n'))
    with pytest.raises(ScenarioError, match=r"\[scenario\] register: the URL holds a password; leave it out"):
        load_scenario(write(tmp_path / "s.toml", '[scenario]\nregister = "postgresql://a@host/db?password=b"\n'))
    with pytest.raises(ScenarioError, match=r"\[scenario\] areas_file: expected a CSV file next to the scenario, "
                                            r"got a URL"):
        load_scenario(write(tmp_path / "s.toml", '[scenario]\nareas_file = "postgresql://a@host/db"\n'))
    assert load_scenario(write(tmp_path / "s.toml", '[scenario]\nareas_file = "areas.csv"\n')).areas_file == str(
        tmp_path / "areas.csv")


def test_a_scenario_as_a_dictionary_is_what_asdict_gives_with_its_containers_copied():
    """`Scenario.to_dict` copies containers itself (`dataclasses.asdict` took 18 of a sweep's 40 s of
    planning at 48,000 points): the same dictionary, and editing it leaves the scenario alone."""
    import glob
    from dataclasses import asdict

    for path in sorted(glob.glob(str(Path(__file__).resolve().parent.parent / "scenarios" / "*.toml"))):
        scenario = load_scenario(path)
        as_dict = scenario.to_dict()
        assert as_dict == asdict(scenario), path
        as_dict["parameters"]["x"] = 1.0
        for lever in as_dict["levers"]:
            lever["x"] = 1
        assert "x" not in scenario.parameters and all("x" not in lever for lever in scenario.levers)


def test_a_run_from_python_warns_as_the_command_remarks_and_refuses_a_step_it_has_not(tmp_path):
    """`twin run` remarks on a value beyond its plausible range; from Python the run said nothing.
    A step length it does not have gave a bare KeyError."""
    from dataclasses import replace

    from twin.errors import ScenarioError
    from twin.runner import run_scenario

    scenario = load_scenario(Path(__file__).parent / "scenarios" / "baseline_no_spin_up.toml")
    steep = replace(scenario, parameters={**scenario.parameters, "price_supply_elasticity": 50.0})
    with pytest.warns(UserWarning, match="price_supply_elasticity = 50 is beyond its plausible range"):
        run_scenario(steep, 1, years=0.25)
    with pytest.raises(ScenarioError, match="step: expected one of month, week, got 'Month'; did you mean 'month'"):
        run_scenario(scenario, 1, years=0.25, step="Month")


def test_a_chain_of_bases_too_long_is_refused_in_one_line(tmp_path):
    from twin.scenario import MAX_BASE_DEPTH

    write(tmp_path / "s0.toml", '[scenario]\nname = "s0"\n')
    for k in range(1, MAX_BASE_DEPTH + 2):
        write(tmp_path / f"s{k}.toml", f'[scenario]\nname = "s{k}"\nbase = "s{k - 1}.toml"\n')
    assert load_scenario(tmp_path / f"s{MAX_BASE_DEPTH - 1}.toml").name == f"s{MAX_BASE_DEPTH - 1}"
    with pytest.raises(ScenarioError, match=rf"s{MAX_BASE_DEPTH + 1}\.toml: \[scenario\] base: a chain of more than "
                                            rf"{MAX_BASE_DEPTH} scenario files"):
        load_scenario(tmp_path / f"s{MAX_BASE_DEPTH + 1}.toml")


def test_a_title_names_the_scenario_in_reports_only(tmp_path):
    """A title is what reports call a scenario: it is not inherited, and it changes nothing that is run
    (the hash that finds stored runs stays), like its description."""
    base = load_scenario(SCENARIOS / "baseline.toml")
    assert base.title == "Current policy without Clear-Hold-Build"
    based = f'base = "{SCENARIOS / "baseline.toml"}"\n'
    child = load_scenario(write(tmp_path / "child.toml", '[scenario]\nname = "child"\n' + based))
    assert child.title == ""  # not the base's: two scenarios would share it
    titled = load_scenario(write(tmp_path / "t.toml", f'[scenario]\nname = "child"\ntitle = "  A   child "\n'
                                 f'base = "{SCENARIOS / "baseline.toml"}"\n'))
    assert titled.title == "A child" and titled.spec_hash() == child.spec_hash()


@pytest.mark.parametrize("value, words", [
    ("7", "expected a string, got 7"),
    ('""', r"expected a short name for reports, 1 to 40 characters"),
    ('"' + "x" * 41 + '"', "expected a short name for reports, 1 to 40 characters"),
    ('"=HYPERLINK(1)"', "a spreadsheet opening the results would read it as a formula"),
    ('"Clear, Hold, Build"', "without commas .* such as \"Clear-Hold-Build\""),
    ('"the `x` option"', "without commas .*or backticks"),
])
def test_a_bad_title_is_refused_in_one_line(tmp_path, value, words):
    path = write(tmp_path / "t.toml", f'[scenario]\nname = "t"\ntitle = {value}\n')
    with pytest.raises(ScenarioError, match=words) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"{path}: [scenario] title") and "\n" not in str(caught.value)


def test_a_parameter_set_in_code_is_not_blamed_on_the_scenario_file():
    """`dataclasses.replace` of a loaded scenario with a misspelt or bad parameter: the error says it was set
    in code (the file it was read from does not hold the mistake); one the file sets is the file's."""
    from dataclasses import replace

    from twin.errors import ParameterError

    baseline = load_scenario(SCENARIOS / "baseline.toml")
    for name, value, words in (("price_supply_elasticty", 1.2, "did you mean 'price_supply_elasticity'"),
                               ("charge_prob", 1.5, "'charge_prob' must be a probability")):
        with pytest.raises(ParameterError) as error:
            replace(baseline, parameters={**baseline.parameters, name: value}).build_parameters()
        assert str(error.value).startswith(f"scenario 'baseline' (read from {baseline.path}): its parameters as set "
                                           f"in code: ") and words in str(error.value)


def test_a_file_value_changed_in_code_is_blamed_on_the_code(tmp_path):
    from dataclasses import replace

    from twin.errors import ParameterError

    scenario = load_scenario(write(tmp_path / "s.toml", '[scenario]\nname = "s"\n[parameters]\ncharge_prob = 0.5\n'))
    with pytest.raises(ParameterError, match=r"^scenario 's' \(read from .*s\.toml\): its parameters as set in code"):
        replace(scenario, parameters={"charge_prob": 1.5}).build_parameters()
    # nan in the file is the file's mistake (nan is not equal to itself, which read it as set in code)
    from twin.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"^.*n\.toml: \[parameters\]: parameter 'price_supply_elasticity' must be "
                                            r"finite, got nan$"):
        load_scenario(write(tmp_path / "n.toml", f'[scenario]\nname = "n"\nbase = "{SCENARIOS / "baseline.toml"}"\n'
                            '[parameters]\nprice_supply_elasticity = nan\n'))
    (tmp_path / "s.toml").rename(tmp_path / "moved.toml")  # the file gone since: the error as it is, not a lookup's
    with pytest.raises(ParameterError, match="'charge_prob' must be a probability"):
        replace(scenario, parameters={"charge_prob": 1.5}).build_parameters()


def test_a_scenario_named_after_a_file_name_too_long_for_a_name_says_to_give_one(tmp_path):
    """A file name of up to 255 bytes is a scenario name of more than the 200 a [scenario] name may
    have (it names results folders and is stored in a column of 200): refused in words, a name given
    is the fix."""
    path = write(tmp_path / f"{'s' * 230}.toml", "[scenario]\nyears = 1\n")
    with pytest.raises(ScenarioError, match=r"the scenario is named after its file, whose name is 230 bytes long: "
                                            r"give it a \[scenario\] name of at most 200 bytes"):
        load_scenario(path)
    path.write_text('[scenario]\nname = "budget"\nyears = 1\n')
    assert load_scenario(path).name == "budget"


@pytest.mark.parametrize("stem", ["+10pc budget", "=cut", "@home"])
def test_a_scenario_named_after_a_file_a_spreadsheet_would_read_as_a_formula_is_refused(tmp_path, capsys, monkeypatch,
                                                                                         stem):
    """Without a [scenario] name the file's name names the scenario in the results' CSV files: one a
    spreadsheet would run as a formula is refused in one line, before any run; a name given is the fix."""
    import twin.precompile
    import twin.runner
    from twin.cli import main

    for module, function in ((twin.precompile, "warm_up"), (twin.runner, "run_scenario")):
        monkeypatch.setattr(module, function, lambda *a, **k: pytest.fail("went on to run the scenario"))

    path = write(tmp_path / f"{stem}.toml", "[scenario]\nyears = 1\n")
    assert main(["run", str(path), "--quiet", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"twin: error: {path}: the scenario is named after its file: give it a [scenario] name, "
                          f"expected a name not starting with '{stem[0]}' (a spreadsheet opening the results would "
                          f"read it as a formula), got '{stem}'") and len(err.splitlines()) == 1, err
    assert "Traceback" not in err and not (tmp_path / "out").exists()
    path.write_text('[scenario]\nname = "budget"\nyears = 1\n')
    assert load_scenario(path).name == "budget"
