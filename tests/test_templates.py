"""Template validation: every error, naming file and field, asserted whole."""

import textwrap

import pytest
from click.testing import CliRunner

from rnnquiz.cli import cli
from rnnquiz.drill.problems import ProblemError, generate
from rnnquiz.drill.templates import Template, load_file, placeholders

GOOD = """\
  - id: good-one
    skill: counts
    title: A good template
    params: {m: [2, 10], n: [2, 10], p: [2, 10]}
    question: "An RNN with {m} inputs, {n} hidden and {p} outputs: how many parameters?"
    ask: {quantity: total}
"""


def write(tmp_path, body, name="counts.yaml"):
    path = tmp_path / name
    path.write_text("templates:\n" + textwrap.dedent(body), encoding="utf-8")
    return path


def errors_of(tmp_path, body):
    path = write(tmp_path, body)
    _, errors = load_file(path)
    return [e.replace(str(path), "counts.yaml") for e in errors]


def test_a_good_template_loads(tmp_path):
    templates, errors = load_file(write(tmp_path, GOOD))
    assert errors == [] and [t.id for t in templates] == ["good-one"]


def test_every_error_names_file_and_field(tmp_path):
    body = GOOD + """\
  - id: bad
    skill: counts
    title: Bad
    params: {m: ten, n: [5, 2], p: {choices: []}, cell: [rnn, lstm], colour: red}
    question: "{m.__class__} and {secret}"
    ask: {quantity: total, tensor: W_xh}
  - id: Bad Id
    title: ""
    params: {m: [1, 99999999999], n: 4}
    question: "fine"
    ask: {quantity: volume}
"""
    assert errors_of(tmp_path, body) == [
        "counts.yaml: templates[1].params.m: expected positive integers up to 1,000,000,000, "
        "[low, high] or {choices: [...]}, got 'ten'",
        "counts.yaml: templates[1].params.n: expected [low, high] with low <= high, got [5, 2]",
        "counts.yaml: templates[1].params.p: expected {choices: [...]} with a non-empty list",
        "counts.yaml: templates[1].params.cell: expected a value or {choices: [...]}, got a list "
        "(ranges [low, high] are for integers)",
        "counts.yaml: templates[1].params.colour: unknown parameter (expected one of m, n, p, T, "
        "layers, proj_size, cell, convention, layout, activation, bidirectional, bias, "
        "reset_after)",
        "counts.yaml: templates[1].question: placeholder {m.__class__} may only name a value of "
        "this template (W_hh, W_hy, W_xh, cell, colour, h_0, m, n, p, target, total, "
        "total_with_bias, total_without_bias, x_1, x_2, x_3); use {{ and }} for literal braces",
        "counts.yaml: templates[1].ask.tensor: not an option of quantity total",
        "counts.yaml: templates[2]: missing required key skill",
        "counts.yaml: templates[2].id: expected lowercase letters, digits and dashes, "
        "got 'Bad Id'",
        "counts.yaml: templates[2].title: expected non-empty text, got ''",
        "counts.yaml: templates[2].params.m: expected [low, high] of positive integers up to "
        "1,000,000,000, got [1, 99999999999]",
        "counts.yaml: templates[2].ask.quantity: expected one of shape, parameters, total, size, "
        "T_changes_count, activation_changes_count, steps, recurrent_applications, "
        "hidden_states, multiply_adds, forward, gradient, gradient_factor, stored_values, "
        "gradient_terms, got 'volume'",
    ]


def test_m_and_n_are_required(tmp_path):
    body = GOOD.replace("{m: [2, 10], n: [2, 10], p: [2, 10]}", "{p: [2, 10]}").replace(
        "{m} inputs, {n} hidden and ", "")
    assert errors_of(tmp_path, body) == [
        "counts.yaml: templates[0].params: missing m (every network needs m and n)",
        "counts.yaml: templates[0].params: missing n (every network needs m and n)"]


def test_unknown_placeholder_is_rejected(tmp_path):
    body = GOOD.replace("how many parameters?", "{secret}?")
    assert errors_of(tmp_path, body) == [
        "counts.yaml: templates[0].question: placeholder {secret} is not a value of this "
        "template (allowed: W_hh, W_hy, W_xh, h_0, m, n, p, target, total, total_with_bias, "
        "total_without_bias, x_1, x_2, x_3)"]


@pytest.mark.parametrize("text", ["{m.__class__}", "{m[0]}", "{m!r}", "{m:>{n}}", "{0}", "{}"])
def test_placeholders_only_name_values(text):
    with pytest.raises(ValueError):
        placeholders(text)


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("templates:\n  - id: x\n    params: {m: [1, 2}\n", encoding="utf-8")
    _, errors = load_file(path)
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:3:")
    assert "YAML syntax error" in errors[0]


def test_yaml_is_loaded_safely(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("templates: !!python/object/apply:os.system ['echo pwned']\n")
    _, errors = load_file(path)
    assert len(errors) == 1 and "YAML" in errors[0]


def test_impossible_draws_fail_cleanly():
    t = Template({"id": "t", "skill": "s", "title": "T", "params": {"m": 3, "n": 3, "p": 3},
                  "distinct": ["m", "n"], "question": "q", "ask": {"quantity": "total"}}, "x")
    with pytest.raises(ProblemError, match="no valid draw in 200 attempts"):
        generate(t, 0)


def test_validate_command_reports_every_error_and_exits_1(tmp_path):
    write(tmp_path, GOOD.replace("[2, 10]}", "[2, 10], T: huge}"), "a.yaml")
    write(tmp_path, GOOD.replace("good-one", "another"), "b.yaml")
    (tmp_path / "c.yaml").write_text("templates: [", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (f"{tmp_path / 'a.yaml'}: templates[0].params.T: expected positive "
                        "integers up to 1,000,000, [low, high] or {choices: [...]}, got 'huge'")
    assert lines[1].startswith(f"{tmp_path / 'c.yaml'}:1:")
    assert lines[-1] == "Error: 2 error(s) in 3 file(s)"


def test_validate_renders_answers_and_reports_templates_that_cannot_be_answered(tmp_path):
    write(tmp_path, GOOD.replace("{quantity: total}", "{quantity: shape, tensor: W_zz}"))
    result = CliRunner().invoke(cli, ["validate", str(tmp_path), "--seeds", "5"])
    assert result.exit_code == 1
    assert "good-one@0: this network has no tensor 'W_zz'" in result.stderr


def test_validate_the_shipped_templates():
    # 3 seeds here: test_problems renders, checks and audits 50 seeds of each, as validate does
    result = CliRunner().invoke(cli, ["validate", "--seeds", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ") and "3 seeds" in result.output


def test_same_as_copies_a_drawn_value_and_is_checked(tmp_path):
    body = GOOD.replace("p: [2, 10]}", "p: {same_as: m}}")
    templates, errors = load_file(write(tmp_path, body))
    assert errors == [] and templates[0].distinct == ("m", "n")
    problem = generate(templates[0], 3)
    assert problem.network.p == problem.network.m
    for bad, got in (("{same_as: p}", "{'same_as': 'p'}"), ("{same_as: T}", "{'same_as': 'T'}"),
                     ("{same_as: m, x: 1}", "{'same_as': 'm', 'x': 1}")):
        assert errors_of(tmp_path, GOOD.replace("p: [2, 10]}", f"p: {bad}}}")) == [
            "counts.yaml: templates[0].params.p: expected {same_as: NAME} naming another "
            f"parameter of the same kind, got {got}"]
