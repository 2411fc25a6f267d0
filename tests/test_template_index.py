"""The index of the shipped templates: current, looked up by content, never stale; `rnnquiz
list` from it prints what the full path prints."""

import importlib.util
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import run_and_list_modules

from rnnquiz.__main__ import main
from rnnquiz.cli import cli
from rnnquiz.drill import listing, template_index
from rnnquiz.drill.listing import shipped_listing
from rnnquiz.drill.templates import load_file, load_templates, yaml_files
from rnnquiz.resources import problems_dir

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location(
        "make_template_index", ROOT / "scripts" / "make_template_index.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_index_is_current():
    assert not _script().stale(), "run python scripts/make_template_index.py"


def test_every_shipped_file_is_in_the_index():
    assert len(template_index.FILES) == len(yaml_files([problems_dir()])) >= 10


def _attributes(template):
    return {slot: getattr(template, slot) for slot in type(template).__slots__}


def test_indexed_templates_are_those_read_from_yaml(monkeypatch):
    indexed, errors = load_templates([problems_dir()])
    assert not errors
    monkeypatch.setattr(template_index, "FILES", {})
    parsed, errors = load_templates([problems_dir()])
    assert not errors
    assert [_attributes(t) for t in indexed] == [_attributes(t) for t in parsed]


def test_a_template_from_the_index_cannot_change_the_index():
    path = yaml_files([problems_dir()])[0]
    first = load_file(path)[0][0]
    first.params.clear()
    first.ask["quantity"] = "changed"
    again = load_file(path)[0][0]
    assert again.params and again.ask["quantity"] != "changed"


def test_the_fast_listing_is_the_full_listing(capsys):
    fast = shipped_listing()
    assert fast is not None
    assert main(["list"]) == 0
    assert capsys.readouterr().out == "\n".join(fast) + "\n"
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code == 0 and result.output == "\n".join(fast) + "\n"


@pytest.fixture
def copy(tmp_path, monkeypatch):
    folder = tmp_path / "problems"
    shutil.copytree(problems_dir(), folder)
    monkeypatch.setattr("rnnquiz.resources.problems_path", lambda: str(folder))
    return folder


def test_a_copy_of_the_shipped_files_is_listed_from_the_index(copy):
    assert shipped_listing() is not None


def test_an_edited_file_is_read_from_its_yaml(copy):
    path = sorted(copy.glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: ", "title: Edited ", 1), encoding="utf-8")
    assert shipped_listing() is None  # never the index's old title
    templates, errors = load_file(path)
    assert not errors and any(t.title.startswith("Edited ") for t in templates)


@pytest.mark.parametrize("change", ["added", "duplicate", "unreadable", "folder"])
def test_any_other_change_leaves_the_listing_to_the_full_path(copy, change):
    first = sorted(copy.glob("*.yaml"))[0]
    if change == "added":
        (copy / "extra.yml").write_text("templates: []\n")
    elif change == "duplicate":
        shutil.copy(first, copy / "zz-copy.yaml")
    elif change == "unreadable":
        first.write_bytes(b"\xff\xfe")
    else:
        (copy / "folder.yaml").mkdir()
    assert shipped_listing() is None


def test_a_user_folder_is_still_listed(tmp_path):
    (tmp_path / "mine.yaml").write_text((ROOT / "problems" / "counts.yaml").read_text(
        encoding="utf-8").replace("id: ", "id: mine-"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["list", "--problems", str(tmp_path)])
    assert result.exit_code == 0 and "  mine-" in result.output


def test_list_with_a_bad_option_is_clicks_usage_error(capsys):
    assert main(["list", "--bogus"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: No such option '--bogus'") and err.count("\n") == 1


def test_list_imports_no_yaml_click_or_numpy():
    out, loaded = run_and_list_modules(["list"], ("click", "numpy", "yaml", "json", "hashlib",
                                                  "pathlib"))
    assert loaded == [] and "counts (" in out


def test_the_listing_module_is_what_list_prints():
    lines = listing.listing_lines([("b", "y", 2, "Y"), ("a", "long-id", 1, "T"),
                                   ("b", "x", 1, "X")])
    assert lines == ["a (1)", "  long-id  [1] T", "b (2)", "  x  [1] X", "  y  [2] Y"]
