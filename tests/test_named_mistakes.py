"""The named mistakes added for issue 8: each value hand-computed, each explanation read."""

from rnnquiz.description.network import Network
from rnnquiz.drill.grading import grade
from rnnquiz.drill.misconceptions import cell_name, gate_letters
from rnnquiz.drill.practice import run_session
from rnnquiz.drill.problems import generate
from rnnquiz.drill.templates import Template


def fixed(ask, question="Q {m} {n}", **params):
    return generate(Template({"id": "t", "skill": "s", "title": "T", "params": params,
                              "question": question, "ask": ask}, "test.yaml"), 0)


def mistake(problem, text):
    result = grade(problem, text)
    assert not result.correct
    return result.misconception


def test_keras_gru_reset_after_names_one_bias_row_not_a_counted_twice_bias():
    # 3 blocks x (n·m + n·n + 2n) = 3 x (20 + 16 + 8) = 132; one bias row: 132 - 12 = 120
    p = fixed({"quantity": "total"}, m=5, n=4, cell="gru", convention="keras",
              reset_after=True)
    assert p.answer == 132
    one_row = mistake(p, "120")
    assert one_row.id == "keras-one-bias-row"
    assert one_row.name == "one bias row (reset_after=False counted)"
    assert one_row.explanation == (
        "120 counts one bias row, as reset_after=False does; with reset_after=True (Keras 3's "
        "default) the bias is (2, 12): one row for the input side, one for the recurrent side")
    assert "bias-counted-twice" not in [w.id for w in p.wrong_answers]
    assert mistake(p, "144") is None  # 132 + 12 is nobody's mistake here
    shape = fixed({"quantity": "shape", "tensor": "gru/bias"}, m=5, n=4, cell="gru",
                  convention="keras", reset_after=True)
    assert shape.answer == (2, 12) and mistake(shape, "(12,)").id == "keras-one-bias-row"


def test_keras_gru_reset_before_names_the_second_row_as_reset_after_true():
    p = fixed({"quantity": "total"}, m=5, n=4, cell="gru", convention="keras",
              reset_after=False)
    assert p.answer == 120
    assert mistake(p, "132").explanation == (
        "132 counts two bias rows, as reset_after=True (Keras 3's default) does; with "
        "reset_after=False the bias is one row")


def test_a_gru_counted_with_four_gate_blocks():
    # textbook: 3 x (20 + 16 + 4) = 120; with 4 blocks 160
    p = fixed({"quantity": "total"}, m=5, n=4, cell="gru")
    assert p.answer == 120
    four = mistake(p, "160")
    assert four.id == "gru-four-blocks" and four.explanation == (
        "160 counts 4 gate blocks, as an LSTM has; a GRU has 3 (r, z, h), each with its own "
        "weights")
    torch = fixed({"quantity": "total"}, m=5, n=4, cell="gru", convention="pytorch")
    assert torch.answer == 132 and mistake(torch, "176").id == "gru-four-blocks"
    shape = fixed({"quantity": "shape", "tensor": "weight_ih_l0"}, m=5, n=4, cell="gru",
                  convention="pytorch")
    assert shape.answer == (12, 5) and mistake(shape, "(16, 5)").id == "gru-four-blocks"
    keras = fixed({"quantity": "total"}, m=5, n=4, cell="gru", convention="keras")
    assert "(z, r, h)" in mistake(keras, "176").explanation


def test_gate_letters_and_articles_follow_the_convention():
    assert gate_letters(Network(m=2, n=3, cell="gru", convention="keras")) == "z, r, h"
    assert gate_letters(Network(m=2, n=3, cell="gru", convention="pytorch")) == "r, z, n"
    assert gate_letters(Network(m=2, n=3, cell="lstm", convention="pytorch")) == "i, f, g, o"
    assert cell_name(Network(m=2, n=3, cell="gru")) == "a GRU"
    assert cell_name(Network(m=2, n=3, cell="lstm")) == "an LSTM"
    assert cell_name(Network(m=2, n=3)) == "an RNN"
    p = fixed({"quantity": "total"}, m=5, n=4, cell="gru", convention="keras")
    one_block = mistake(p, str(5 * 4 + 4 * 4 + 4))  # a SimpleRNN: one bias
    assert one_block.id == "gate-multiplier-left-out"
    assert "a GRU has 3 gate blocks (z, r, h)" in one_block.explanation


def test_gradient_terms_double_sum():
    p = fixed({"quantity": "gradient_terms"}, m=3, n=4, p=2, T=18)
    assert p.answer == 18
    double = mistake(p, "171")  # 18 * 19 / 2
    assert double.id == "terms-double-sum" and double.explanation == (
        "171 = T(T+1)/2 counts a double sum (each loss back to every earlier step); grouped by "
        "the step where the weights are used, dL/dW_hh has one term per time step: 18")


def test_a_bias_written_as_a_column_is_right_for_column_vectors_and_named_otherwise():
    textbook = fixed({"quantity": "shape", "tensor": "b_h"}, m=14, n=43, p=8)
    assert textbook.answer == (43,)
    assert grade(textbook, "(43, 1)").correct and "(43, 1)" in textbook.accepted
    assert "column vector, (43, 1)" in textbook.solution
    torch = fixed({"quantity": "shape", "tensor": "bias_ih_l0"}, m=14, n=43,
                  convention="pytorch")
    column = mistake(torch, "(43, 1)")
    assert column.id == "bias-as-column" and column.explanation == (
        "(43, 1) writes the bias as a column vector; in the pytorch convention it is a 1-D "
        "vector of 43: (43,)")
    rows = fixed({"quantity": "shape", "tensor": "b_h"}, m=14, n=43, p=8, layout="in-out")
    assert mistake(rows, "(43, 1)").id == "bias-as-column"


def test_inverse_problems_name_the_equation_without_biases():
    # n·8 + n·n + 18·n = 3552 gives n = 48; with biases n² + 27n + 18 = 3552 gives 47.46
    p = fixed({"quantity": "size", "of": "n", "bias": False}, "{total} weights", m=8, n=48,
              p=18, bias=False)
    assert p.answer == 48 and "3,552 weights" == p.question
    other = mistake(p, "47")
    assert other.id == "inverse-biases-added" and other.explanation == (
        "47 solves the equation with biases, which this network has none of: with n = 48 the "
        "count is 3,552")
    # With biases: n² + (m + p + 1)n + p = total; p > m, so leaving the biases out gives more.
    p = fixed({"quantity": "size", "of": "n", "bias": True}, "{total}", m=2, n=10, p=30)
    assert p.answer == 10 and p.question == "460"  # 20 + 100 + 10 + 300 + 30
    left_out = mistake(p, "11")  # n² + 32n = 460: n = 10.76
    assert left_out.id == "inverse-biases-left-out" and left_out.explanation == (
        "11 solves the equation without the biases, which the total includes: with n = 10 the "
        "count is 460")
    # torch.nn.LSTM(2, H): 4·(2H + H² + 2H) = 4H² + 16H; H = 40 gives 7,040. With one bias
    # 4H² + 12H = 7,040: H = 40.48, which rounds back to 40 (no mistake to see); without
    # biases 4H² + 8H = 7,040: H = 40.96 -> 41.
    p = fixed({"quantity": "size", "of": "n"}, "{total}", m=2, n=40, cell="lstm",
              convention="pytorch")
    assert p.answer == 40 and p.question == "7,040"
    assert mistake(p, "41").id == "inverse-biases-left-out"
    assert [w.id for w in p.wrong_answers] == ["inverse-biases-left-out"]
    # torch.nn.RNN(m, 10): 10m + 100 + 20 = 170 gives m = 5; one bias: 10m + 110 = 170, m = 6
    p = fixed({"quantity": "size", "of": "m"}, "{total}", m=5, n=10, convention="pytorch")
    assert p.answer == 5 and p.question == "170"
    one = mistake(p, "6")
    assert one.id == "inverse-one-bias" and one.explanation == (
        "6 solves the equation with one bias vector per gate block; PyTorch keeps two (bias_ih "
        "and bias_hh): with m = 5 the count is 170")
    assert mistake(p, "7").id == "inverse-biases-left-out"  # 10m + 100 = 170


def test_practice_says_when_a_problem_has_no_hint():
    problem = fixed({"quantity": "total"}, m=5, n=4, p=3)
    out = []
    answers = iter(["hint"])

    def ask(prompt):
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    run_session([problem], ask, out.append)
    assert "This problem has no hint." in out
