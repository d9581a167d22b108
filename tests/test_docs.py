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
    assert rows == set(LEVER_TYPES), (sorted(set(LEVER_TYPES) - rows), sorted(rows - set(LEVER_TYPES)))


def test_the_readme_counts_the_parameter_table_s_assumptions_as_it_stands():
    from twin.parameter_table import PARAMETER_TABLE

    assumptions = sum(1 for row in PARAMETER_TABLE if row.source.startswith("assumption"))
    assert f"table's {assumptions} assumptions" in (ROOT / "README.md").read_text()
