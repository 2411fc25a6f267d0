"""No variant a student can be graded right for a named mistake, nor one too small to read, nor
one that repeats the question's numbers or whose hint gives the answer away."""

import functools
import math
import re

import pytest
from click.testing import CliRunner

from rnnquiz.cli import cli
from rnnquiz.drill.grading import grade
from rnnquiz.drill.problems import ProblemError, generate
from rnnquiz.drill.soundness import audit, numbers_in
from rnnquiz.drill.templates import Template, placeholders, shipped_templates

TEMPLATES = {t.id: t for t in shipped_templates()}
SEEDS = range(0, 200 * 97, 97)  # 200 seeds spread over 0..19,303
# Quantities whose answer is T by definition ("how many steps"), not by coincidence.
ANSWER_IS_T = {"steps", "recurrent_applications", "gradient_terms"}


def make(params, ask, question="Q {m} {n}", hints=(), id="t"):
    return Template({"id": id, "skill": "s", "title": "T", "params": params,
                     "question": question, "ask": ask, "hints": list(hints)}, "test.yaml")


def _given_numbers(template, problem) -> list:
    """The numbers the question gives through its placeholders, read back from its text."""
    names = set(placeholders(template.question))
    if template.ask["quantity"] in ANSWER_IS_T:
        names.discard("T")
    found = _question_pattern(template.question).fullmatch(" ".join(problem.question.split()))
    assert found, problem.question
    return [x for name in names for x in numbers_in(found.group(name))]


@functools.cache  # one per template, not one per variant
def _question_pattern(question):
    """Each placeholder's value sits where the template had it: the question text with the
    template text around it."""
    pattern = re.escape(question)
    for name in dict.fromkeys(placeholders(question)):
        pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>.+?)", 1)
        pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P={name})")
    return re.compile(pattern, flags=re.S)


@pytest.fixture
def unchecked(monkeypatch):
    """Generation without the NumPy check, which test_problems runs on 50 seeds of every
    template: here 200 seeds test what a student is shown, and the check would double the
    time. The check draws nothing from the seeded generator, so the variants are the same."""
    monkeypatch.setattr("rnnquiz.drill.problems.check", lambda net, ask, solved: [])


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_no_named_mistake_transpose_tiny_answer_echo_or_giveaway(template_id, unchecked):
    template = TEMPLATES[template_id]
    assert template.hints, f"{template_id} has no hint"
    for seed in SEEDS:
        p = generate(template, seed)
        where = p.variant_id
        for w in p.wrong_answers:  # every named mistake, typed as a student would
            if p.choices:
                assert not math.isclose(w.value, p.answer) if p.kind == "number" \
                    else w.value != p.answer, where
            else:
                assert not grade(p, w.text).correct, (where, w.id, w.text)
        if p.kind == "shape" and len(p.answer) == 2:
            rows, cols = p.answer
            if rows == cols:  # only W_hh is square by nature
                assert rows == p.network.n, where
            else:
                assert not grade(p, f"({cols}, {rows})").correct, where
        if p.kind == "number":
            assert p.tolerance == pytest.approx(0.5 * 10.0 ** -p.decimals) \
                or template.ask["quantity"] == "gradient_factor", where
            assert abs(p.answer) >= 10 * 10.0 ** -p.decimals - 1e-12, (where, p.answer)
        if p.kind in ("integer", "number"):
            tolerance = p.tolerance if p.kind == "number" else 0
            given = _given_numbers(template, p)
            assert not any(abs(g - p.answer) <= tolerance for g in given), \
                (where, p.answer, given)
            for hint in p.hints:
                assert not any(abs(g - p.answer) <= tolerance for g in numbers_in(hint)), \
                    (where, hint)
        if p.kind == "shape":
            for hint in p.hints:
                assert p.answer_text.replace(" ", "") not in hint.replace(" ", ""), where


def test_to_k_decimal_places_means_half_a_unit_in_the_kth_place():
    assert generate(TEMPLATES["forward-y2"], 0).tolerance == 0.0005
    assert generate(TEMPLATES["bptt-gradient-u-tanh"], 0).tolerance == 0.00005
    # A gradient factor to 3 significant figures: half a unit in the third figure.
    p = generate(TEMPLATES["bptt-gradient-scaling"], 0)
    assert p.tolerance == 0.5 * 10.0 ** -p.decimals


def test_the_variants_the_issue_found_are_fixed():
    p = generate(TEMPLATES["forward-y2"], 8889)
    dropped = next(w for w in p.wrong_answers if w.id == "forward-no-recurrence")
    assert abs(dropped.value - p.answer) > p.tolerance
    assert abs(generate(TEMPLATES["bptt-gradient-u-tanh"], 8010).answer) >= 0.001
    for seed in range(300):  # the count never equals T
        p = generate(TEMPLATES["t-changes-count"], seed)
        assert p.network.T not in numbers_in(p.solution.split(";")[0].split("has")[1])
        p = generate(TEMPLATES["bptt-gradient-w"], seed)
        last = next(w for w in p.wrong_answers if w.id == "gradient-last-term-only")
        assert not grade(p, last.text).correct


def test_a_redrawn_seed_is_still_one_variant():
    t = make({"m": [2, 12], "n": [2, 12], "p": 3, "bias": False},
             {"quantity": "total"}, "An RNN with {m} inputs and {n} hidden neurons, T = 24.",
             id="echo")
    firsts = [generate(t, seed) for seed in range(40)]
    again = [generate(t, seed) for seed in range(40)]
    assert [p.question for p in firsts] == [p.question for p in again]
    assert all(p.answer not in (p.network.m, p.network.n) for p in firsts)


def test_a_square_transpose_exhausts_the_redraws_with_a_clear_error():
    t = make({"m": 5, "n": 5, "p": 3}, {"quantity": "shape", "tensor": "W_xh"}, id="square")
    with pytest.raises(ProblemError) as e:
        generate(t, 7)
    assert str(e.value) == (
        "square@7: no variant of square fits in 50 draws; the last: the named mistake "
        "transposed (transposed shape) gives (5, 5), which the grading accepts as the answer "
        "(5, 5)")


def test_the_old_bptt_gradient_w_is_caught_by_the_collision_check():
    # Two steps from h_0 = 0: the first term is zero, so "the last term only" is the key.
    t = make({"m": 1, "n": 1, "T": 2, "bias": False, "activation": "identity"},
             {"quantity": "gradient", "of": "W_hh", "decimals": 4}, "u = {W_xh}",
             id="two-steps")
    with pytest.raises(ProblemError, match=r"^two-steps@0: no variant of two-steps fits in 50 "
                       r"draws; the last: the named mistake gradient-last-term-only \(only the "
                       r"last step's term\) gives -?\d\.\d{4}, which the grading accepts as "
                       r"the answer -?\d\.\d{4} ± 0\.00005$"):
        generate(t, 0)


def test_audit_grades_each_named_mistake_with_the_real_grader():
    p = generate(TEMPLATES["forward-y2"], 3)
    assert audit(p) == []
    p.tolerance = 1.0
    w = p.wrong_answers[0]
    assert audit(p)[0] == (f"forward-y2@3: the named mistake {w.id} ({w.name}) gives {w.text}, "
                           f"which the grading accepts as the answer {p.answer_text} ± 1")


FAULTY = """\
templates:
  - id: square
    skill: shapes
    title: A square W_xh
    params: {m: 5, n: 5, p: 3}
    question: "What is the shape of W_xh?"
    hints: ["Rows for outputs."]
    ask: {quantity: shape, tensor: W_xh}
  - id: tiny
    skill: forward
    title: One decimal
    params: {m: 1, n: 1, p: 1, T: 1, bias: false, activation: sigmoid}
    question: "W_xh = {W_xh}, W_hh = {W_hh}, W_hy = {W_hy}, x_1 = {x_1}: h_1 to 1 place?"
    hints: ["Sigmoid."]
    ask: {quantity: forward, of: h_1, decimals: 1}
  - id: echo
    skill: counts
    title: T equals the count
    params: {m: 2, n: 2, p: 2, T: 16}
    question: "An RNN with {m} inputs, {n} hidden and {p} outputs reads T = {T} steps. Count?"
    hints: ["Count the weights and biases."]
    ask: {quantity: total}
  - id: giveaway
    skill: shapes
    title: A hint that answers
    params: {m: [2, 9], n: [10, 20], p: 3}
    question: "An RNN has {m} inputs and {n} hidden neurons. Shape of W_xh?"
    hints: ["It is ({n}, {m})."]
    ask: {quantity: shape, tensor: W_xh}
  - id: no-hint
    skill: counts
    title: Fine, but no hint
    params: {m: [2, 9], n: [10, 20], p: 3}
    question: "An RNN has {m} inputs and {n} hidden neurons. Shape of W_xh?"
    ask: {quantity: shape, tensor: W_xh}
"""


def test_validate_names_template_seed_and_fault_and_warns_about_missing_hints(tmp_path):
    path = tmp_path / "faulty.yaml"
    path.write_text(FAULTY, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path), "--seeds", "3"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"{path}: square: square@0: no variant of square fits in 50 draws; the last: the "
        "named mistake transposed (transposed shape) gives (5, 5), which the grading accepts "
        "as the answer (5, 5)")
    assert lines[1] == (
        f"{path}: tiny: tiny@0: no variant of tiny fits in 50 draws; the last: the answer 0.6 "
        "keeps fewer than two significant digits at the asked precision")
    assert lines[2] == (
        f"{path}: echo: echo@0: no variant of echo fits in 50 draws; the last: the answer "
        "equals {T} = 16, a number the question gives")
    assert lines[3] == (
        f"{path}: giveaway: giveaway@0: no variant of giveaway fits in 50 draws; the last: "
        "hint 1 gives the answer away ('It is (15, 8).' contains (15, 8))")
    assert lines[4] == (f"warning: {path}: no-hint: no hint (a student who types hint is told "
                        "'This problem has no hint')")
    assert lines[5] == "Error: 4 error(s) in 1 file(s)"
