"""The plain model-line reader reads exactly what Python's parser reads, or leaves the line."""

import _ast
import functools
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnquiz.description import modelsyntax
from rnnquiz.description.model import Layer, parse_layers, python_layers
from rnnquiz.errors import ModelError

ROOT = Path(__file__).resolve().parent.parent


class Unreadable(Exception):
    pass


def _typed(value):
    """A value with every leaf's type kept (1, 1.0 and True differ; so do 0.0 and -0.0)."""
    if isinstance(value, tuple):
        return tuple(_typed(v) for v in value)
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, repr(value))


def _ast_value(node):
    if isinstance(node, _ast.Call):
        return _ast_call(node)
    if isinstance(node, _ast.Constant) and (
            node.value is None or type(node.value) in (bool, int, float, str)):
        return node.value
    if isinstance(node, (_ast.Tuple, _ast.List)):
        return tuple(_ast_value(e) for e in node.elts)
    if (isinstance(node, _ast.UnaryOp) and isinstance(node.op, (_ast.USub, _ast.UAdd))
            and isinstance(node.operand, _ast.Constant)
            and type(node.operand.value) in (int, float)):
        return -node.operand.value if isinstance(node.op, _ast.USub) else node.operand.value
    raise Unreadable


def _ast_call(node):
    if not isinstance(node, _ast.Call):
        raise Unreadable
    parts, func = [], node.func
    while isinstance(func, _ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, _ast.Name):
        raise Unreadable
    parts.append(func.id)
    if any(isinstance(a, _ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords):
        raise Unreadable
    return ("call", ".".join(reversed(parts)), node.col_offset, node.end_col_offset,
            [(_ast_value(a), a.col_offset) for a in node.args],
            [(k.arg, _ast_value(k.value), k.value.col_offset) for k in node.keywords])


def python_reading(source):
    """The calls of a line as Python's parser reads them (SyntaxError if it cannot)."""
    body = compile(source, "<model>", "eval", _ast.PyCF_ONLY_AST).body
    if isinstance(body, _ast.Compare):
        if not all(isinstance(op, _ast.Gt) for op in body.ops):
            raise Unreadable
        nodes = [body.left, *body.comparators]
    else:
        nodes = [body]
    return [_ast_call(n) for n in nodes]


def _plain(value):
    if isinstance(value, modelsyntax.Call):
        return ("call", value.name, value.start, value.end,
                [(_plain(v), s) for v, s in value.args],
                [(k, _plain(v), s) for k, v, s in value.keywords])
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def plain_reading(source):
    found = modelsyntax.calls(source)
    return None if found is None else [_plain(c) for c in found]


def check_same_reading(source):
    """The plain reader leaves the line, or Python's parser reads the very same calls."""
    mine = plain_reading(source)
    if mine is None:
        return False
    theirs = python_reading(source)  # a SyntaxError here: the plain reader accepted too much
    assert _typed(mine) == _typed(theirs), source
    return True


# --- lines people write ----------------------------------------------------------------------

def _corpus():
    """Every model line in the README, the shipped templates (placeholders filled) and
    problems/README.md."""
    lines = set()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines.update(re.findall(r'rnnquiz count "([^"]+\))"', readme))
    for path in [*(ROOT / "problems").glob("*.yaml"), ROOT / "problems" / "README.md"]:
        for line in re.findall(r"model: ['\"]?(.+?\))['\"]?\s*$", path.read_text("utf-8"),
                               re.MULTILINE):
            line = line.replace("{cell}", "LSTM").replace("{bi}", "True").replace(
                "{first}", "False").replace("{mode}", "sum")
            lines.add(re.sub(r"\{\w+\}", "7", line).replace("''", "'"))
    return sorted(lines)


CORPUS = _corpus()


def test_the_corpus_is_real():
    assert len(CORPUS) >= 10
    assert any("Bidirectional(" in line for line in CORPUS)


@pytest.mark.parametrize("line", CORPUS)
def test_every_line_people_write_is_read_plainly_and_as_python_reads_it(line):
    assert check_same_reading(line), f"the plain reader left {line!r} to Python's parser"


def _layer(layer):
    """Everything a bound layer holds (a wrapper's inner layer is its 'layer' argument)."""
    assert layer.inner is None or layer.inner is layer.args["layer"]
    return (layer.kind, layer.framework, sorted(layer.given), layer.column, layer.text,
            {k: _layer(v) if isinstance(v, Layer) else _typed(v)
             for k, v in sorted(layer.args.items())}, layer.inner is not None)


@pytest.mark.parametrize("line", CORPUS)
@pytest.mark.parametrize("framework", [None, "pytorch"])
def test_the_bound_layers_are_those_of_pythons_reading(line, framework):
    try:
        expected = [_layer(x) for x in python_layers(line, framework)]
    except ModelError as e:
        with pytest.raises(ModelError) as raised:
            parse_layers(line, framework)
        assert str(raised.value) == str(e)
        return
    assert [_layer(x) for x in parse_layers(line, framework)[0]] == expected


@pytest.mark.parametrize("line", [
    "LSTM(100) > Dense(1, activation='sigmoid', activation='relu')", "LSTM(units=3, 4)",
    "LSTM(3) > Dense(1, activation=relu)", "Bidirectional(3)", "LSTM(3) > Dense(1)(2)",
    "Dense(1, kernel_initializer=Zeros())", "LSTM(3, return_sequences=1)",
    "LSTM(3) >> Dense(1)", "LSTM(007)", "Dense(1, activation='relux')", "LTSM(3)",
    "nn.Dense(3)", "LSTM()", "Bidirectional(LSTM(3), merge_mode=2)",
])
def test_errors_are_worded_by_pythons_reading(line):
    with pytest.raises(ModelError) as raised:
        parse_layers(line)
    with pytest.raises(ModelError) as again:
        python_layers(line)
    assert str(raised.value) == str(again.value)
    assert raised.value.column == again.value.column


def test_lines_outside_the_plain_form_are_left_to_python():
    for line in ["LSTM(1_000)", "LSTM(0x10)", "Dense(1e3)", "LSTM(3,\n4)", "LSTM(3)\t",
                 "Dense(1, activation='t\\x61nh')", "Dense(1, activation='ta' 'nh')",
                 "Bidirectional((LSTM(3)))", "LSTM(*[3])", "LSTM(**{})", "f(x)(3)",
                 "LSTM(3) # comment", "LSTM(3) if True else 1", "Dense(ü)", "LSTM(--3)",
                 "LSTM(lambda=3)", "True(3)", "LSTM(3, __debug__=1)", "Dense(.5)", "Dense(1.)"]:
        assert modelsyntax.calls(line) is None, line


# --- generated lines, valid and near misses ----------------------------------------------

# Mostly what people write, sometimes what Python reads otherwise or not at all.
SPACE = st.sampled_from(["", " ", "", " ", "  ", "", " ", "\t", "\n", ""])
NUMBER = st.sampled_from(["0", "1", "7", "10", "300", "00", "007", "1_000", "0x1F", "1e3",
                          "2.5", "0.0", "1.", ".5", "1.5e2", "3j", "9" * 30, "12.50", "3", "64",
                          "128", "0.25", "1", "2"])
WORD = st.sampled_from(["'relu'", '"tanh"', "'sigmoid'", "''", "'a\\'b'", "r'x'", "b'x'",
                        "'a' 'b'", "'''x'''", "relu", "True", "False", "None", "Truex",
                        "'#'", "'>'", "'('", "\"'\"", "'relu'", "True", "False", "None",
                        "'same'", "\"causal\""])
NAME = st.sampled_from(["LSTM", "nn.LSTM", "Dense", "layers.Dense", "torch.nn.GRU", "x1",
                        "_a", "True", "lambda", "__debug__", "if", "nn .LSTM", "nn. LSTM",
                        "a.b.c", "1x", "print", "LSTM", "GRU", "nn.Linear", "Dense", "Embedding",
                        "Bidirectional", "nn.LSTM"])
KEY = st.sampled_from(["units", "activation", "return_sequences", "x", "lambda", "None",
                       "input_shape", "a_1", "__debug__", "units", "merge_mode", "batch_first",
                       "activation", "layer", "input_size"])


# Every strategy a composite draws from is made once, here (or once per depth): hypothesis checks
# each new strategy object before its first draw, which costs more than the drawing itself, and
# a list argument keeps it from reusing one made with the same arguments.
SIGN = st.sampled_from(["-", "+", "- ", "-", "--", "-+"])
BRACKETS = st.sampled_from([("(", ")"), ("[", "]")])
TRAILING_COMMA = st.sampled_from(["", ",", " ,", ", "])
ITEM_SEP = st.sampled_from([", ", ",", " , "])
ASSIGN = st.sampled_from(["=", "=", "=", "==", ":="])
ARG_SEP = st.sampled_from([", ", ",", " , ", ",  "])
ARG_TRAILING = st.sampled_from(["", "", "", ",", ", ", ",,"])
ARROW = st.sampled_from([">"] * 6 + [">>", ">=", "<", "> >", "|", ""])


@st.composite
def values(draw, depth=0):
    kind = draw(st.integers(0, 5 if depth < 2 else 3))
    if kind == 0:
        return draw(NUMBER)
    if kind == 1:
        return draw(WORD)
    if kind == 2:
        return draw(SIGN) + draw(NUMBER)
    if kind == 3:
        items = draw(items_at(depth + 1))
        opener, closer = draw(BRACKETS)
        comma = draw(TRAILING_COMMA)
        sep = draw(ITEM_SEP)
        return opener + sep.join(items) + comma + closer
    return draw(calls_at(depth + 1))


@st.composite
def calls(draw, depth=0):
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        value = draw(values_at(depth))
        if draw(st.booleans()):
            value = draw(KEY) + draw(SPACE) + draw(ASSIGN) + draw(SPACE) + value
        parts.append(value)
    sep = draw(ARG_SEP)
    trailing = draw(ARG_TRAILING)
    return (draw(NAME) + draw(SPACE) + "(" + draw(SPACE) + sep.join(parts)
            + (trailing if parts else "") + draw(SPACE) + ")")


# One strategy object per depth, drawn from again and again.
values_at = functools.cache(values)
calls_at = functools.cache(calls)
items_at = functools.cache(lambda depth: st.lists(values_at(depth), max_size=3))
CALL_LISTS = st.lists(calls_at(0), min_size=1, max_size=4)


@st.composite
def lines(draw):
    items = draw(CALL_LISTS)
    out = items[0]
    for item in items[1:]:
        out += draw(SPACE) + draw(ARROW) + draw(SPACE) + item
    return out.strip()


@settings(max_examples=400, deadline=None)
@given(lines())
def test_generated_lines_are_read_as_python_reads_them_or_left(line):
    check_same_reading(line)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CORPUS), st.integers(0, 10_000), st.sampled_from(
    list("()[],.=>'\" -+_0123456789aTxé#\\\t") + ["", "((", "))", "=="]),
    st.sampled_from(["insert", "replace", "delete"]))
def test_mutated_lines_are_read_as_python_reads_them_or_left(line, where, char, how):
    k = where % (len(line) + 1)
    if how == "insert":
        line = line[:k] + char + line[k:]
    elif how == "replace":
        line = line[:k] + char + line[k + 1:]
    else:
        line = line[:k] + line[k + 1:]
    line = line.strip()
    if line:
        check_same_reading(line)


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(CORPUS), st.lists(st.sampled_from(
    [("--json",), ("--explain",), ("--T", "5"), ("--batch=2",), ("--convention", "pytorch"),
     ("--convention", "keras"), ("--T", "0"), ("--diagram",)]), max_size=3, unique=True))
def test_the_fast_path_prints_what_click_prints_for_every_line(line, options):
    from click.testing import CliRunner

    from rnnquiz.__main__ import fast_count
    from rnnquiz.cli import cli

    args = [line, *(word for option in options for word in option)]
    fast = fast_count(args)
    result = CliRunner().invoke(cli, ["count", *args])
    if fast is not None:
        assert result.exit_code == 0 and result.output == fast + "\n"
    elif ("--diagram",) not in options and ("--T", "0") not in options:
        assert result.exit_code != 0, args  # the fast path left a line click can count


@pytest.mark.parametrize("line", [
    "Dense(" + "[" * 3000 + "]" * 3000 + ")", "Dense(" + "(1," * 3000 + ")" * 3000 + ")",
    "A(" * 3000 + ")" * 3000, "Dense(" + "-" * 3000 + "1)",
    "Bidirectional(" * 70 + "LSTM(3)" + ")" * 70, "Dense(1, x=" + "[" * 70 + "]" * 70 + ")",
])
def test_deep_lines_are_left_to_python_and_never_overflow(line):
    assert modelsyntax.calls(line) is None

    def outcome(read):
        try:
            return [_layer(x) for x in read(line)]
        except ModelError as e:
            return str(e)

    assert outcome(lambda x: parse_layers(x)[0]) == outcome(python_layers)
