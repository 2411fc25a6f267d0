"""README.md stays true: every `$ rnnquiz ...` example's shown lines appear in the real output."""

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from rnnquiz.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text(encoding="utf-8") if README.is_file() else ""
EXAMPLES = re.findall(r"```\n\$ (rnnquiz[^\n]*)\n(.*?)```", TEXT, re.S)


def _answers(transcript: str) -> str:
    """The answers a practice transcript shows, then quit."""
    shown = re.findall(r"answer \(or hint, skip, quit\)> (.*)", transcript)
    return "\n".join(shown + ["quit"]) + "\n"


@pytest.mark.skipif(not TEXT, reason="README.md is not beside the tests (installed elsewhere)")
@pytest.mark.parametrize("command, expected", EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_example(command, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    net = re.search(r"`net\.yaml`:\n\n```yaml\n(.*?)```", TEXT, re.S)
    (tmp_path / "net.yaml").write_text(net.group(1), encoding="utf-8")
    args = shlex.split(command)[1:]
    answers = None
    if args[0] == "practice":
        args += ["--data-dir", str(tmp_path)]
        answers = _answers(expected)
    if args[0] == "stats":  # the history the README's practice sessions leave behind
        args += ["--data-dir", str(tmp_path)]
        for practice, shown in EXAMPLES:
            if practice.startswith("rnnquiz practice"):
                CliRunner().invoke(cli, shlex.split(practice)[1:] + ["--data-dir", str(tmp_path)],
                                   input=_answers(shown))
    output = CliRunner().invoke(cli, args, input=answers).output
    missing = [line for line in expected.splitlines()
               if line.strip() and line.strip() != "..." and line not in output]
    assert not missing, "\n".join(missing)


def test_the_readme_has_examples():
    if TEXT:
        assert len(EXAMPLES) >= 8


@pytest.mark.skipif(not TEXT, reason="README.md is not beside the tests (installed elsewhere)")
def test_the_readme_lists_every_skill_with_a_line():
    from rnnquiz.drill.templates import shipped_templates
    listed = set(re.findall(r"^  - \*\*(\w+)\*\*: ", TEXT, re.M))
    assert listed == {t.skill for t in shipped_templates()}
