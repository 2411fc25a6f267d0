"""A figure written beside an export never replaces the export itself (-o naming the figure's
file): the worksheet replaced the figure it shows, and the CLI said it wrote both."""

import pytest
from click.testing import CliRunner

from rnnquiz.cli import cli


@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_an_output_named_as_one_of_its_figures_is_refused_and_the_old_file_kept(tmp_path,
                                                                                 monkeypatch,
                                                                                 fmt):
    monkeypatch.chdir(tmp_path)
    args = ["export", "--format", fmt, "--count", "1", "--seed", "7", "--skill", "figures"]
    first = CliRunner().invoke(cli, [*args, "-o", "sheet.out"])
    assert first.exit_code == 0, first.output
    (name,) = [p.name for p in tmp_path.glob("fig-*.svg")]
    (tmp_path / name).write_text("the teacher's own file", encoding="utf-8")
    result = CliRunner().invoke(cli, [*args, "-o", name])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: cannot write {name}: it is the output file itself; give -o another name")
    assert (tmp_path / name).read_text(encoding="utf-8") == "the teacher's own file"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "sheet.out"])
