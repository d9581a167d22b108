from twin.odd import generated_blocks, render

from conftest import ROOT


def test_odd_generated_parts_match_the_code():
    text = (ROOT / "docs" / "ODD.md").read_text()
    assert render(text) == text, "docs/ODD.md is out of date: run `twin docs`"
    for name in generated_blocks():
        assert f"<!-- BEGIN GENERATED: {name} -->" in text


def test_readme_lists_every_module():
    readme = (ROOT / "README.md").read_text()
    modules = sorted(p.stem for p in (ROOT / "twin").glob("*.py") if p.stem not in ("__init__", "__main__"))
    missing = [m for m in modules if f"`{m}.py`" not in readme]
    assert not missing, f"README does not list: {missing}"


def test_no_module_is_too_long():
    for path in (ROOT / "twin").glob("*.py"):
        n = len(path.read_text().splitlines())
        assert n <= 520, (f"twin/{path.name}: {n} lines, over the limit of 520: split a concept out into a module of "
                          f"its own and list it in the README's module table (docs/EXTENDING.md)")


def test_docs_path_that_is_not_the_odd_is_a_user_error(tmp_path, capsys):
    from twin.cli import main

    other = tmp_path / "notes.md"
    other.write_text("# Notes\nnothing generated here\n")
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\xff\xfe<!--")
    for path, expected in ((tmp_path, "is a folder"), (other, "no generated blocks"), (binary, "not UTF-8")):
        assert main(["docs", "--path", str(path)]) == 2
        error = capsys.readouterr().err
        assert f"--path '{path}'" in error and expected in error and "Traceback" not in error
    assert other.read_text() == "# Notes\nnothing generated here\n"


def test_a_misspelt_or_unclosed_block_marker_is_an_error_not_up_to_date(tmp_path, capsys):
    """A block whose marker was misspelt or left unclosed was left as it stood, stale, and the file
    said to be 'already up to date' (exit 0)."""
    from twin.cli import main

    odd = (ROOT / "docs" / "ODD.md").read_text()
    cases = (
        (odd.replace("GENERATED: levers -->", "GENERATED: lever -->"), "unknown generated block 'lever'; did you mean "
                                                                         "'levers'"),
        (odd.replace("<!-- END GENERATED: metrics -->", ""), "block 'metrics' has no <!-- END GENERATED: metrics -->"),
        (odd.replace("<!-- END GENERATED: levers -->", ""), "block 'parameters' begun inside block 'levers'"),
        (odd.replace("<!-- BEGIN GENERATED: metrics -->", ""), "<!-- END GENERATED: metrics --> with no BEGIN"),
        (odd.replace("<!-- BEGIN GENERATED: levers -->", "<!-- BEGIN GENERATED:levers -->"),
         "'<!-- BEGIN GENERATED:levers -->': expected '<!-- BEGIN GENERATED: levers -->'"),
    )
    for number, (text, expected) in enumerate(cases):
        path = tmp_path / f"odd{number}.md"
        path.write_text(text)
        assert main(["docs", "--path", str(path)]) == 2
        error = capsys.readouterr().err
        assert f"--path '{path}', line " in error and expected in error, error
        assert path.read_text() == text  # left as it was
    same = tmp_path / "same.md"
    same.write_text(odd)
    assert main(["docs", "--path", str(same)]) == 0 and same.read_text() == odd


def test_docs_updates_this_projects_odd_from_any_folder(tmp_path, monkeypatch):
    """Run elsewhere (another checkout's folder), `twin docs` names this project's ODD, not the
    folder's own docs/ODD.md, which would get this code's tables."""
    from twin.cli_reference import default_odd_path

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "ODD.md").write_text("another checkout's ODD\n")
    monkeypatch.chdir(tmp_path)
    assert default_odd_path() == ROOT / "docs" / "ODD.md"


def test_every_lever_type_has_a_row_in_the_odd_table_of_mechanisms():
    """The table of levers and the mechanism each changes (ODD section 3.4) is written by hand."""
    from twin.interventions import LEVER_TYPES

    odd = (ROOT / "docs" / "ODD.md").read_text()
    table = odd[odd.index("| lever | mechanism it changes |"):]
    table = table[:table.index("\n\n")]
    rows = {line.split("|")[1].strip().strip("`") for line in table.splitlines()[2:]}
    assert rows == set(LEVER_TYPES), (
        f"docs/ODD.md, section 3.4, the table '| lever | mechanism it changes |' (written by hand): add a row for "
        f"{sorted(set(LEVER_TYPES) - rows)}, remove the row of {sorted(rows - set(LEVER_TYPES))}")


def test_the_readme_counts_the_parameter_table_s_assumptions_as_it_stands():
    from twin.parameter_table import PARAMETER_TABLE

    assumptions = sum(1 for row in PARAMETER_TABLE if row.source.startswith("assumption"))
    for path in ("README.md", "calibration/screening.toml"):
        assert f"table's {assumptions} assumptions" in " ".join((ROOT / path).read_text().replace("#", " ").split()), \
            f"{path}: write the table's count as 'table's {assumptions} assumptions' (and the runs it makes)"


def test_the_readme_s_python_example_runs_and_agrees_with_the_command(tmp_path):
    """The README's "Using twin from Python" code, run as a user's script from the repository's
    folder (its database moved to a temporary folder): it runs, warns of nothing, and its one run
    is the table `twin run` writes for the same scenario, seed and years."""
    import re
    import subprocess
    import sys

    import pandas as pd

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Using twin from Python"):text.index("## The model")]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert "sqlite:///results/notebook.db" in code
    code = code.replace("sqlite:///results/notebook.db", f"sqlite:///{tmp_path / 'notebook.db'}")
    check = (f"\nimport warnings\nframe.to_csv({str(tmp_path / 'frame.csv')!r}, index=False)\n"
             "assert len(net) == 2 and net.diff_mean.notna().sum() == 1\n"
             "assert groups > 1000 and in_prison > 1000 and len(sources) > 100\n")
    script = tmp_path / "example.py"
    script.write_text(code + check, encoding="utf-8")
    done = subprocess.run([sys.executable, "-W", "error::UserWarning", str(script)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert subprocess.run([sys.executable, "-m", "twin", "run", "scenarios/baseline.toml", "--seed", "1", "--years",
                           "2", "--out", str(tmp_path / "run"), "--quiet"], cwd=ROOT, timeout=600).returncode == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "frame.csv"), pd.read_csv(tmp_path / "run" / "trajectories.csv"))
