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
        assert len(path.read_text().splitlines()) <= 520, path.name
