"""Faults found by working exported problems as a student would (issue 8 acceptance): the key
as printed is graded right when typed, a number is rounded to the precision it is graded at,
and large numbers written with thousands separators read as rnnquiz writes them."""

import math
import re

import pytest

from rnnquiz.drill.answers import UnreadableAnswer, grouped_reading, parse_number
from rnnquiz.drill.grading import grade
from rnnquiz.drill.problems import generate
from rnnquiz.drill.soundness import Key, audit, unrounded
from rnnquiz.drill.templates import shipped_templates

TEMPLATES = {t.id: t for t in shipped_templates()}


@pytest.fixture
def unchecked(monkeypatch):
    """Generation without the NumPy check (test_problems runs it): the variants are the same."""
    monkeypatch.setattr("rnnquiz.drill.problems.check", lambda net, ask, solved: [])


def test_a_gradient_factor_above_1000_is_given_to_3_significant_figures():
    # bptt-gradient-scaling@3 drew w = 2, T = 12: the key said "4096 (3 significant figures)"
    # and a student typing 4,096 or 4,100 (rnnquiz's own way of writing it) was marked wrong.
    p = generate(TEMPLATES["bptt-gradient-scaling"], 3)
    assert "w = 2." in p.question and "h_12" in p.question
    assert p.answer == 4100 and p.answer_text == "4,100" and p.tolerance == 5
    assert "w^T = 2^12 = 4,096 ≈ 4,100 (3 significant figures)" in p.solution
    for typed in ("4,100", "4100", "4,096", "4096", "4 100"):
        assert grade(p, typed).correct, typed
    for typed in ("4,110", "4110", "4.1", "24"):
        assert not grade(p, typed).correct, typed


def test_every_gradient_factor_keeps_exactly_3_significant_figures(unchecked):
    for seed in range(300):
        p = generate(TEMPLATES["bptt-gradient-scaling"], seed)
        w = float(re.search(r"w = (-?[\d.]+)\. ", p.question).group(1))
        exact = w ** int(re.search(r"from h_(\d+) to h_0", p.question).group(1))
        digits = f"{abs(p.answer):.{p.decimals}f}".replace(".", "").lstrip("0")
        figures = len(digits.rstrip("0")) if p.answer >= 100 else len(digits)
        assert figures <= 3, (p.variant_id, p.answer_text)
        magnitude = math.floor(math.log10(abs(p.answer)))
        assert p.tolerance == pytest.approx(0.5 * 10.0 ** (magnitude - 2)), p.variant_id
        assert unrounded(Key("number", p.answer, p.tolerance)) == [], p.variant_id
        assert abs(exact - p.answer) <= p.tolerance, p.variant_id


def test_thousands_separators_in_a_number_answer():
    assert parse_number("0,62") == 0.62  # a lone comma stays a decimal comma
    assert parse_number("4,100") == 4.1
    assert grouped_reading("4,100") == 4100 and grouped_reading("0,62") is None
    assert grouped_reading("4.100") is None and grouped_reading("1,234,567") is None
    assert parse_number("1,234,567") == 1234567 and parse_number("4,100.5") == 4100.5
    with pytest.raises(UnreadableAnswer):
        parse_number("4,10,0")


def test_the_validator_flags_a_key_not_rounded_to_its_precision_or_not_graded_right():
    assert unrounded(Key("number", 4096.0, 5.0)) == [
        "the answer 4096 is not rounded to the precision it is graded at (± 5)"]
    assert unrounded(Key("number", 4100.0, 5.0)) == []
    assert unrounded(Key("number", 0.516, 0.0005)) == []
    assert unrounded(Key("number", 0.5162, 0.0005)) != []
    p = generate(TEMPLATES["forward-y2"], 3)
    assert audit(p) == []
    p.accepted = [*p.accepted, "0,5"]
    assert audit(p) == ["forward-y2@3: the answer written '0,5' is not graded as right"]


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_every_key_as_printed_and_every_accepted_form_is_graded_right(template_id, unchecked):
    for seed in range(0, 60 * 131, 131):
        p = generate(TEMPLATES[template_id], seed)
        assert audit(p) == [], p.variant_id


def test_every_practice_line_fits_a_narrow_terminal(tmp_path, monkeypatch):
    # In a 60-column tmux pane the header "rnnquiz practice: 6 problems, seed 11 (repeat with
    # --seed 11)" and the summary ran past the edge while the questions wrapped.
    from click.testing import CliRunner

    from rnnquiz.cli import cli

    monkeypatch.setattr("rnnquiz.cli.practice.terminal_width", lambda: 40)
    result = CliRunner().invoke(cli, ["practice", "--count", "3", "--seed", "123456789",
                                      "--data-dir", str(tmp_path)], input="1\nskip\nhint\n")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "rnnquiz practice: 3 problems, seed"
    too_long = [line for line in lines if len(line) > 40 and " " in line.strip()]
    assert too_long == []


def test_stats_per_skill_counts_what_was_answered_under_that_name():
    # "Attempts: 6 (1 answered, 5 skipped)" above a table whose "attempts" column summed to 1.
    from rnnquiz.drill.history import Attempt
    from rnnquiz.drill.practice import stats_lines

    attempts = [Attempt(time=float(k), variant_id="forward-y2@1", skill="forward",
                        answer="(skipped)" if k else "0.5", correct=False, misconception=None)
                for k in range(6)]
    lines = stats_lines(attempts)
    assert lines[0] == "Attempts: 6 (1 answered, 5 skipped)"
    assert lines[3].split()[:3] == ["skill", "answered", "accuracy"]
    assert lines[4].split()[:3] == ["forward", "1", "0%"]


def test_the_hidden_states_hint_does_not_list_them():
    # "h_0, h_1, ..., h_36." was the answer (37) written out as a list to count.
    from rnnquiz.drill.soundness import numbers_in

    for seed in range(50):
        p = generate(TEMPLATES["bptt-hidden-states"], seed)
        assert p.hints and all(p.network.T not in numbers_in(h) for h in p.hints), p.variant_id


@pytest.mark.parametrize("template_id, ident", [
    ("multiply-adds-last-output", "output-every-step"),
    ("multiply-adds-every-step", "output-once")])
def test_the_likeliest_multiply_add_mistake_is_named(template_id, ident, unchecked):
    # With one output at the end, the likeliest wrong count runs the output layer T times
    # (and the other way round); it was graded "Not quite." without a name.
    for seed in range(40):
        p = generate(TEMPLATES[template_id], seed)
        m, n, out = p.network.m, p.network.n, p.network.p
        recurrent, head = p.network.T * (n * m + n * n), out * n
        wrong = recurrent + (head if ident == "output-once" else p.network.T * head)
        g = grade(p, f"{wrong:,}")
        assert not g.correct and g.misconception.id == ident, p.variant_id


def test_one_keras_gru_bias_row_written_2d_is_named_and_reaches_the_cloze_blank(unchecked):
    from rnnquiz.export.moodle import question

    for seed in range(30):
        p = generate(TEMPLATES["keras-gru-bias-shape"], seed)
        rows = p.answer[1]
        for typed in (f"({rows},)", f"(1, {rows})"):
            g = grade(p, typed)
            assert not g.correct and g.misconception.name.startswith("one bias row"), typed
        xml = "\n".join(question(p))
        assert f"~%0%1:0#(1, {rows}) counts one bias row" in xml, p.variant_id


def test_validate_says_one_template_in_one_file(tmp_path):
    from click.testing import CliRunner

    from rnnquiz.cli import cli

    (tmp_path / "t.yaml").write_text(
        "templates:\n  - id: mine\n    skill: counts\n    title: Mine\n"
        "    params: {m: [2, 9], n: [10, 20], p: 3}\n"
        "    question: \"An RNN has {m} inputs and {n} hidden neurons. How many parameters?\"\n"
        "    hints: [\"Count every weight and bias.\"]\n    ask: {quantity: total}\n",
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path), "--seeds", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok: 1 template in 1 file, each rendered and checked with 1 seed\n"


@pytest.mark.parametrize("template_id", ["inverse-n", "inverse-n-no-bias", "inverse-m"])
def test_an_inverse_problem_names_the_output_layer_left_out(template_id, unchecked):
    # inverse-n@2677 had no named mistake at all: the biases left out round back to the answer.
    named = 0
    for seed in range(40):
        p = generate(TEMPLATES[template_id], seed)
        net, total = p.network, p.answer
        unknown = "m" if template_id == "inverse-m" else "n"
        given = net.n * net.m + net.n * net.n + (net.n + net.p if net.bias else 0) + net.p * net.n
        k = {"m": net.m, "n": net.n}[unknown]
        # solve the equation without W_hy (and b_y) for the unknown, then round
        a, b, c = (0, net.n, net.n * net.n + (net.n if net.bias else 0) - given) \
            if unknown == "m" else (1, net.m + (1 if net.bias else 0), -given)
        root = -c / b if a == 0 else (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)
        assert k == total or unknown == "m" and net.m == total
        if round(root) == p.answer:
            continue
        g = grade(p, str(round(root)))
        assert not g.correct and g.misconception.id == "inverse-output-left-out", p.variant_id
        assert ("b_y" in g.misconception.explanation) == net.bias
        named += 1
    assert named >= 30
