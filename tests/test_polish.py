"""Practice, stats, solve and explain read well (issue 8, section 5): numbers written one way,
counted nouns that agree with T = 1, misconceptions by name, text wrapped between words, a
compact formula for every cell and convention."""

import ast
import operator
import os
import random
import re
import sqlite3

import generated
import pytest
from click.testing import CliRunner

from rnnquiz.calculator.explain import compact_formula, diagram, worked_solution
from rnnquiz.calculator.render import count_text
from rnnquiz.calculator.rules import count
from rnnquiz.calculator.words import counted, each_of, noun, number, times
from rnnquiz.cli import cli
from rnnquiz.cli.practice import terminal_width
from rnnquiz.description.network import Network
from rnnquiz.drill.misconceptions import CATALOGUE
from rnnquiz.drill.practice import run_session, stats_lines, wrap
from rnnquiz.drill.problems import generate
from rnnquiz.drill.templates import shipped_templates

TEMPLATES = {t.id: t for t in shipped_templates()}
# A bare number of four or more digits, i.e. one written without thousands separators.
UNSEPARATED = re.compile(r"(?<![\d.,_^@A-Za-z])\d{4,}(?![\d.])")


def test_counted_nouns_agree_with_their_number():
    assert counted(1, "copy") == "1 copy" and counted(3, "copy") == "3 copies"
    assert counted(1_000, "step") == "1,000 steps" and noun(1, "step") == "step"
    assert [times(k) for k in (1, 2, 3)] == ["once", "twice", "3 times"]
    assert [each_of(k, "step") for k in (1, 2, 9)] == ["the one step", "both steps",
                                                       "all 9 steps"]
    assert number(3450) == "3,450" and number(0.5) == "0.5"


BAD_SINGULAR = re.compile(r"(?<![\d,])1 (copies|times|steps|states|terms|applications)\b"
                          r"|all step\b|T = 1 steps")


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_t_equal_to_one_reads_as_one(cell):
    result = count(Network(m=3, n=4, p=2, T=1, cell=cell))
    text = "\n".join([count_text(result), worked_solution(result), diagram(result)])
    assert not BAD_SINGULAR.search(text), BAD_SINGULAR.search(text).group(0)
    assert "1 copy of the cell" in text and "applied once" in text


def test_drill_solutions_with_t_equal_to_one_read_as_one():
    from rnnquiz.drill import quantities
    net = Network(m=3, n=4, p=2, T=1)
    for quantity in ("steps", "recurrent_applications", "multiply_adds", "gradient_terms"):
        solved = quantities.SOLVERS[quantity](net, {"quantity": quantity}, {}, random.Random(1))
        text = "\n".join(solved.solution)
        assert not BAD_SINGULAR.search(text), (quantity, text)


OPS = {ast.Add: operator.add, ast.Mult: operator.mul}


def _evaluate(expression: str) -> int:
    """Sums and products of integers only (the formula line's right-hand side)."""
    def walk(node):
        if isinstance(node, ast.BinOp) and type(node.op) in OPS:
            return OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        raise ValueError(ast.dump(node))
    return walk(ast.parse(expression, mode="eval").body)


def _symbols_to_numbers(symbolic: str, net) -> str:
    text = re.sub(r"(\d)([nmp])", r"\1·\2", symbolic)
    for name in "nmp":
        text = text.replace(name, str(getattr(net, name)))
    return text


def test_the_compact_formula_gives_the_engine_total_for_every_cell_and_convention():
    rng = random.Random(5)
    seen = set()
    for _ in range(300):
        net = Network(m=rng.randint(1, 3000), n=rng.randint(1, 3000),
                      p=rng.choice([None, rng.randint(1, 3000)]),
                      cell=rng.choice(["rnn", "lstm", "gru"]),
                      convention=rng.choice(["textbook", "pytorch", "keras"]),
                      bias=rng.random() < 0.8, reset_after=rng.random() < 0.5)
        result = count(net)
        line = compact_formula(result)
        assert line is not None, net
        symbolic, numeric, total = line.removeprefix("formula: ").split(" = ")
        assert total == f"{result.total:,}"
        assert _evaluate(numeric.replace(",", "").replace("·", "*")) == result.total
        assert _evaluate(_symbols_to_numbers(symbolic, net).replace("·", "*")) == result.total
        seen.add((net.cell, symbolic.split("·(")[0] if "·(" in symbolic else "1"))
    assert ("lstm", "4") in seen and ("gru", "3") in seen


def test_explain_shows_the_lstm_formula():
    result = CliRunner().invoke(cli, ["count", "--m", "10", "--n", "20", "--p", "5", "--cell",
                                      "lstm", "--explain"])
    assert "formula: 4·(n·m + n·n + n) + p·n + p = 4·(20·10 + 20·20 + 20) + 5·20 + 5 = 2,585" \
        in result.output
    torch = CliRunner().invoke(cli, ["count", "--m", "10", "--n", "20", "--cell", "gru",
                                     "--convention", "pytorch", "--explain"])
    assert "formula: 3·(n·m + n·n + 2n) = 3·(20·10 + 20·20 + 2·20) = 1,920" in torch.output


def test_no_formula_where_it_would_not_hold():
    deep = count(Network(m=10, n=20, p=5, cell="lstm", layers=2))
    assert compact_formula(deep) is None


@pytest.mark.parametrize("args", [
    ["--total", "3845", "--n", "40", "--p", "5"],  # linear in m: (3,845 - 1,845) / 40
    ["--total", "4205845", "--m", "10", "--p", "5"],  # quadratic in n
    ["--total", "2000725", "--m", "10", "--p", "5"],  # no solution: the message's numbers
])
def test_solve_writes_every_number_with_separators(args):
    result = CliRunner().invoke(cli, ["solve", *args])
    text = result.output + result.stderr
    assert not UNSEPARATED.search(text), text


def test_solve_linear_step_reads_the_same_way():
    result = CliRunner().invoke(cli, ["solve", "--total", "3845", "--n", "40", "--p", "5"])
    assert "m = (3,845 - 1,845) / 40 = 50" in result.output


def test_practice_answers_use_separators():
    problem = generate(TEMPLATES["total-with-bias"], 3)
    assert problem.answer > 999 and problem.answer_text == f"{problem.answer:,}"


class A:
    def __init__(self, misconception, correct=False, skill="counts", time=1.0):
        self.misconception, self.correct, self.skill, self.time = (misconception, correct,
                                                                   skill, time)
        self.answer = "1"


def test_stats_names_misconceptions_and_says_how_many_more():
    ids = [ident for ident, _, _ in CATALOGUE[:7]]
    attempts = [A(ident) for k, ident in enumerate(ids) for _ in range(10 - k)]
    lines = stats_lines(attempts)
    names = dict((ident, name) for ident, name, _ in CATALOGUE)
    assert [f"  {names[i]} ({10 - k}x)" for k, i in enumerate(ids[:5])] == lines[-6:-1]
    assert not any(line.startswith(f"  {i} (") for i in ids if i != names[i] for line in lines)
    assert lines[-1] == "  +2 more (9x in all)"  # 5 + 4 attempts behind the 2 not shown
    assert len([line for line in lines if line.endswith("x)")]) == 5


def test_stats_through_the_cli_shows_names(tmp_path):
    db = sqlite3.connect(tmp_path / "history.sqlite3")
    db.execute("CREATE TABLE attempts (id INTEGER PRIMARY KEY, time REAL NOT NULL, "
               "variant_id TEXT NOT NULL, skill TEXT NOT NULL, answer TEXT NOT NULL, "
               "correct INTEGER NOT NULL, misconception TEXT)")
    db.executemany("INSERT INTO attempts (time, variant_id, skill, answer, correct, "
                   "misconception) VALUES (?, 'shape-wxh@1', 'shapes', '(3, 2)', 0, ?)",
                   [(float(k), "transposed") for k in range(1200)]
                   + [(2000.0, "someday-a-new-id")])
    db.commit()
    db.close()
    out = CliRunner().invoke(cli, ["stats", "--data-dir", str(tmp_path)]).output
    assert "Attempts: 1,201 (1,201 answered, 0 skipped)" in out
    assert "  transposed shape (1,200x)" in out and "  someday-a-new-id (1x)" in out
    assert not UNSEPARATED.search(out), out


def test_long_lines_wrap_between_words():
    problem = generate(TEMPLATES["shape-figure-a"], 6468)
    out = []
    answers = iter(["hint", "(1, 1)"])
    run_session([problem], lambda prompt: next(answers), out.append, width=40)
    lines = "\n".join(out).splitlines()
    assert all(len(line) <= 40 or " " not in line.strip() for line in lines)
    shown = " ".join("\n".join(out).split())
    assert " ".join(problem.question.split()) in shown  # no word broken or lost


def test_wrap_keeps_indentation_and_short_lines():
    assert wrap("short", 40) == "short" and wrap("x " * 30, None) == "x " * 30
    wrapped = wrap("  " + "word " * 20, 30).splitlines()
    assert wrapped[0].startswith("  word") and all(w.startswith("    ") for w in wrapped[1:])


class Stream:
    def __init__(self, tty):
        self.tty = tty

    def isatty(self):
        return self.tty


def test_the_terminal_width_is_used_only_on_a_terminal():
    size = lambda: os.terminal_size((72, 24))  # noqa: E731
    assert terminal_width(Stream(True), size) == 71
    assert terminal_width(Stream(False), size) is None


def test_question_numbers_have_separators_in_prose_and_none_in_code():
    from rnnquiz.drill.wording import fill
    text = fill("torch.nn.LSTM(input_size={m}, hidden_size={n}) has {total} parameters; "
                "b_h ({n}), w = {w:g}", {"m": 1500, "n": 20000, "total": 123456, "w": 0.5})
    assert text == ("torch.nn.LSTM(input_size=1500, hidden_size=20000) has 123,456 parameters; "
                    "b_h (20,000), w = 0.5")
    with pytest.raises(KeyError):
        fill("{missing}", {})


def test_shipped_questions_and_hints_write_numbers_one_way():
    from rnnquiz.drill.wording import CODE_CALL
    for template in TEMPLATES.values():
        for seed in range(15):
            problem = generated.problem(template.id, seed)
            for text in (problem.question, *problem.hints):
                prose = CODE_CALL.sub("", text)
                assert not UNSEPARATED.search(prose), (problem.variant_id, text)


# A number written with decimals that reads as a negative zero: -0.0000, -0.00 (never -0.5).
NEGATIVE_ZERO = re.compile(r"(?<![\d.])-0\.0+(?![0-9])")


def _texts(problem):
    yield from (problem.question, problem.answer_text, problem.solution, *problem.hints,
                *problem.accepted)
    for w in problem.wrong_answers:
        yield from (w.text, w.explanation)


def test_no_problem_writes_a_negative_zero():
    """A named mistake, a worked solution or a key rounded to zero reads 0.0000, never
    -0.0000 (bptt-gradient-w@5973: the last step's term alone is (-1.2)·0 = -0.0)."""
    from rnnquiz.drill.quantities import display

    assert display("number", -0.0, 4) == "0.0000" and display("number", -4e-6, 4) == "0.0000"
    assert display("number", -0.25, 2) == "-0.25"
    problems = [generate(TEMPLATES["bptt-gradient-w"], 5973)]
    problems += [generated.problem(t.id, seed) for t in TEMPLATES.values() for seed in range(15)]
    for problem in problems:
        for text in _texts(problem):
            assert not NEGATIVE_ZERO.search(text), (problem.variant_id, text)
