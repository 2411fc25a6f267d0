"""Problems from templates: determinism, checked answers, named mistakes."""

import generated
import pytest

from rnnquiz.drill.grading import grade
from rnnquiz.drill.problems import Problem, generate, parse_variant
from rnnquiz.drill.soundness import audit
from rnnquiz.drill.templates import Template, shipped_templates

TEMPLATES = {t.id: t for t in shipped_templates()}


def make(params, ask, question="Q {m} {n}"):
    return Template({"id": "t", "skill": "s", "title": "T", "params": params,
                     "question": question, "ask": ask}, "test.yaml")


def test_enough_shipped_templates_covering_every_topic():
    assert len(TEMPLATES) >= 30
    skills = {t.skill for t in TEMPLATES.values()}
    assert {"shapes", "counts", "time", "inverse", "gated", "conventions", "forward",
            "bptt", "models"} <= skills
    quantities = {t.ask["quantity"] for t in TEMPLATES.values()}
    assert quantities == {"shape", "parameters", "total", "size", "T_changes_count",
                          "activation_changes_count", "steps", "recurrent_applications",
                          "hidden_states", "multiply_adds", "forward", "gradient",
                          "gradient_factor", "stored_values", "gradient_terms",
                          "model_total", "layer_parameters", "output_shape", "in_features",
                          "embedding_share", "largest_layer"}


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_every_shipped_template_makes_checked_problems_for_50_seeds(template_id):
    """What `rnnquiz validate` does for the shipped templates (its default 50 seeds, each
    answer checked against the NumPy model and each problem audited), and more."""
    for seed in range(50):
        problem = generated.problem(template_id, seed)
        assert audit(problem) == [], problem.variant_id
        assert problem.variant_id == f"{template_id}@{seed}"
        assert "{" not in problem.question and problem.solution
        values = [w.value for w in problem.wrong_answers]
        assert problem.answer not in values and len(set(values)) == len(values)
        if problem.choices:
            assert len(set(problem.choices.values())) == len(problem.choices)


def test_the_same_seed_gives_the_same_problem():
    t = TEMPLATES["total-with-bias"]
    a, b = generate(t, 1234).as_dict(), generate(t, 1234).as_dict()
    assert a == b
    assert generate(t, 1235).as_dict() != a


def test_sizes_are_distinct_so_mistakes_can_be_told_apart():
    for seed in range(200):
        net = generate(TEMPLATES["shape-wxh"], seed).network
        assert len({net.m, net.n, net.p}) == 3


def test_variant_ids_parse():
    assert parse_variant("shape-wxh@1234") == ("shape-wxh", 1234)
    with pytest.raises(ValueError):
        parse_variant("shape-wxh")


def named(problem, text):
    result = grade(problem, text)
    assert not result.correct
    return result.misconception.id if result.misconception else None


def fixed(ask, **params):
    return generate(make(params, ask), 0)


def test_transposed_shape_is_named():
    p = fixed({"quantity": "shape", "tensor": "W_xh"}, m=10, n=20, p=5)
    assert p.answer == (20, 10)
    result = grade(p, "(10, 20)")
    assert result.misconception.id == "transposed"
    assert result.misconception.explanation == (
        "(10, 20) is the transpose: under this question's convention (out-in, W x) rows are "
        "the 20 hidden neurons")
    row = fixed({"quantity": "shape", "tensor": "W_xh"}, m=10, n=20, p=5, layout="in-out")
    assert grade(row, "(20, 10)").misconception.explanation == (
        "(20, 10) is the transpose: under this question's convention (in-out, x W) rows are "
        "the 10 inputs")
    torch = fixed({"quantity": "shape", "tensor": "weight_ih_l0"}, m=10, n=20, cell="lstm",
                  convention="pytorch")
    assert grade(torch, "(10, 80)").misconception.explanation.endswith(
        "rows are the 80 gate units (all gate blocks stacked)")
    assert named(p, "20 x 5") == "m-p-swapped"
    assert grade(p, "20 by 10").correct


def test_total_misconceptions_are_named():
    p = fixed({"quantity": "total"}, m=10, n=20, p=5, T=7)
    assert p.answer == 725
    assert named(p, "700") == "biases-left-out"
    assert named(p, "745") == "bias-counted-twice"
    assert named(p, "5075") == "multiplied-by-T"
    assert named(p, "620") == "output-layer-left-out"
    assert named(p, "345") == "n-for-n-squared"  # 725 - 400 + 20
    assert named(p, "730") == "m-p-swapped"  # 20*5 + 400 + 20 + 10*20 + 10
    assert named(p, "726") is None


def test_gate_bidirectional_and_layer_misconceptions():
    p = fixed({"quantity": "total"}, m=10, n=20, cell="lstm", convention="pytorch",
              bidirectional=True, layers=2)
    assert named(p, str(p.answer - 2 * 2 * 4 * 20)) == "second-bias-left-out"
    # gates: the same stack with RNN cells: 2 dirs * (640 + 20*40 + 400 + 40)
    assert named(p, str(2 * 640 + 2 * (20 * 40 + 400 + 40))) == "gate-multiplier-left-out"
    # layer 2 given input m = 10 instead of 2n = 40: 4 * 20 * 30 fewer per direction
    assert named(p, str(p.answer - 2 * 4 * 20 * 30)) == "deep-layer-input-m"
    # one direction: 2560 + 4*(20*20 + 400 + 40)
    assert named(p, str(2560 + 4 * (20 * 20 + 400 + 40))) == "bidirectional-left-out"


def test_keras_gru_pytorch_and_time_misconceptions():
    p = fixed({"quantity": "hidden_states", "include_h0": True}, m=3, n=4, T=9)
    assert p.answer == 10 and named(p, "9") == "h0-left-out"
    p = fixed({"quantity": "recurrent_applications"}, m=3, n=4, T=9)
    assert named(p, "8") == "h0-step-skipped"
    p = fixed({"quantity": "multiply_adds"}, m=3, n=4, p=2, T=9, bias=False)
    assert p.answer == 9 * (12 + 16 + 8) and named(p, "36") == "one-step-only"
    p = fixed({"quantity": "T_changes_count"}, m=3, n=4, T=9)
    assert p.answer is False and named(p, "yes") == "T-changes-count"
    p = fixed({"quantity": "activation_changes_count"}, m=3, n=4)
    assert named(p, "yes") == "activation-changes-count"
    p = fixed({"quantity": "parameters", "tensor": "W_hh"}, m=3, n=100)
    assert p.answer == 10_000 and named(p, "100") == "n-for-n-squared"


def test_forward_values_match_a_hand_computation():
    t = make({"m": 3, "n": 1, "p": 1, "T": 2, "bias": False, "activation": "sigmoid"},
             {"quantity": "forward", "of": "y_2", "decimals": 3},
             "W_xh = {W_xh}, W_hh = {W_hh}, W_hy = {W_hy}, x_1 = {x_1}, x_2 = {x_2}")
    p = generate(t, 5)
    assert p.kind == "number" and p.tolerance == 0.0005  # half a unit in the 3rd place
    assert grade(p, f"{p.answer:.3f}".replace(".", ",")).correct
    wrong = {w.id: w for w in p.wrong_answers}
    assert set(wrong) <= {"forward-no-activation", "forward-no-recurrence"}
    for w in wrong.values():
        assert grade(p, f"{w.value}").misconception.id == w.id


def test_choice_distractors_never_equal_the_answer():
    t = TEMPLATES["total-choice"]
    for seed in range(100):
        p = generate(t, seed)
        assert list(p.choices.values()).count(p.answer_text.split(") ", 1)[1]) == 1
        assert grade(p, p.correct_choice).correct
        wrong_letter = next(k for k in p.choices if k != p.correct_choice)
        result = grade(p, wrong_letter)
        assert not result.correct and result.misconception is not None


def test_problem_as_dict_is_complete():
    d = generate(TEMPLATES["shape-wxh"], 3).as_dict()
    assert set(d) >= {"variant_id", "skill", "question", "answer", "accepted", "wrong_answers",
                      "solution"}
    assert d["answer"]["kind"] == "shape" and isinstance(d["answer"]["value"], list)
    assert isinstance(generate(TEMPLATES["shape-wxh"], 3), Problem)


def test_bptt_misconceptions_are_named():
    p = fixed({"quantity": "gradient_factor"}, m=1, n=1, T=5, bias=False)
    w = float(p.solution.split("w = ")[1].split()[0])  # the drawn recurrent weight
    assert p.answer == pytest.approx(round(w ** 5, p.decimals))
    assert named(p, f"{w * 5:g}") == "factor-multiplied"
    p = fixed({"quantity": "stored_values"}, m=3, n=10, T=20)
    assert p.answer == 21 * 10 and named(p, "200") == "stored-h0-left-out"
    p = fixed({"quantity": "stored_values"}, m=3, n=10, T=20, cell="lstm")
    assert p.answer == 21 * 20  # hidden and cell states
    p = fixed({"quantity": "gradient_terms", "tensor": "W_xh"}, m=3, n=10, p=2, T=20)
    assert p.answer == 20 and named(p, "1") == "one-term-only"
    t = TEMPLATES["bptt-gradient-u-tanh"]
    ids = set()
    for seed in range(30):
        p = generate(t, seed)
        for w in p.wrong_answers:
            assert grade(p, f"{w.value}").misconception.id == w.id
            ids.add(w.id)
    assert ids == {"gradient-last-term-only", "gradient-no-slope"}
