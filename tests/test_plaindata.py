"""Model files read without json or yaml give what json and the YAML loader give, or are left
to them; `rnnquiz count FILE` on the fast path prints what click's path prints."""

import json
import math

import pytest
from click.testing import CliRunner
from conftest import run_and_list_modules
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnquiz.__main__ import fast_count, main
from rnnquiz.cli import cli
from rnnquiz.datafiles import DataFileError, load_yaml
from rnnquiz.description.plaindata import UNSURE, loads


def _typed(value):
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, repr(value))


def check_yaml(text):
    mine = loads(text, as_json=False)
    if mine is UNSURE:
        return False
    theirs = load_yaml(text, "model.yaml")  # DataFileError: the plain reader took too much
    assert _typed(mine) == _typed(theirs), text
    return True


def check_json(text):
    mine = loads(text, as_json=True)
    if mine is UNSURE:
        return False
    assert _typed(mine) == _typed(json.loads(text)), text
    return True


FILES = [
    "- Embedding(5000, 32, input_length=100)\n- LSTM(100)\n- Dense(1, activation='sigmoid')\n",
    "# a model\nlayers:\n  - nn.LSTM(3, 4)   \n  - nn.Linear(4, 2)\nframework: pytorch\n",
    "framework: keras\n\nlayers:\n- Input(shape=(3, 2))\n- \"GRU(4)\"\n"
    "- 'Dense(1, activation=''relu'')'\n",
    "- Bidirectional(LSTM(64, return_sequences=True), merge_mode='sum')\n# end\n",
]


@pytest.mark.parametrize("text", FILES)
def test_the_usual_files_are_read_plainly(text):
    assert check_yaml(text)


@pytest.mark.parametrize("text", [
    "- LSTM(3)\n  - Dense(1)\n",  # YAML reads one item, 'LSTM(3) - Dense(1)'
    "- LSTM(3)\n  continued(4)\n", "- LSTM(3) # a comment\n", "- Dense(1, name=a: b)\n",
    "- LSTM(3)\n---\n", "- &a LSTM(3)\n", "- !!str LSTM(3)\n", "[LSTM(3)]\n", "- LSTM\n",
    "- yes\n", "layers:\nframework: keras\n", "layers: [LSTM(3)]\n", "- 'a'b'\n",
    "- \"a\\tb()\"\n", "- LSTM(3)\r\n", "\ufeff- LSTM(3)\n", "- LSTM(3)\n\tx\n",
    "layers:\n  - LSTM(3)\n - Dense(1)\n", "layers:\n  - LSTM(3)\nlayers:\n  - LSTM(3)\n",
    "framework: jax\nlayers:\n- LSTM(3)\n", "- LSTM(é)\n", "other: 1\nlayers:\n- LSTM(3)\n",
])
def test_anything_else_is_left_to_the_yaml_loader(text):
    assert loads(text, as_json=False) is UNSURE


_line = st.sampled_from(["LSTM(3)", "Dense(1, activation='relu')", "nn.Linear(4, 2)", "x(",
                         "LSTM(3) # c", "a: b(1)", "a:b(1)", "yes", "null", "1(2)", "True()",
                         "-x(1)", "[LSTM(3)]", "{a: 1}", "LSTM(3):", "'q()'", "\"q()\"",
                         "'it''s()'", "\"a\\\"b()\"", "&x LSTM(3)", "*x", "!t LSTM(3)",
                         "% x()", "@x()", "LSTM(3)  ", "Dense (1)", "e(1) #", "Ä()"]
                        + ["LSTM(3)", "GRU(4, return_sequences=True)", "Dense(2)"] * 30)


# Each strategy made once: hypothesis checks a new strategy object before its first draw, which
# cost more than the drawing.
_HEADER = st.sampled_from(["layers:"] * 4 + ["layers: ", "layers:  # x", "layers: []",
                                             "layers:x"])
_INDENT = st.sampled_from(["", "  ", "    "])
_EXTRA = st.sampled_from(["", "# c", "  # c", "  more", "---", "...", "framework: keras",
                          "framework: pytorch", "framework: 'keras'", "framework: x"])
_FRAMEWORK = st.sampled_from(["framework: keras", "framework: pytorch", "framework:keras"])
_NEWLINE = st.sampled_from(["\n"] * 6 + ["\r\n", "\n\n"])
_END = st.sampled_from(["", "\n", "\n\n", " "])
_DASH = st.sampled_from(["- "] * 8 + ["-  ", "-", "- - ", "? "])
_MARGINS = {indent: st.sampled_from([indent] * 8 + ["", " ", "   "])
            for indent in ("", "  ", "    ")}


@st.composite
def yaml_files(draw):
    lines = []
    if draw(st.booleans()):
        lines.append(draw(_HEADER))
    indent = draw(_INDENT)
    for _ in range(draw(st.integers(0, 4))):
        lines.append(draw(_MARGINS[indent]) + draw(_DASH) + draw(_line))
        if draw(st.integers(0, 8)) == 0:
            lines.append(draw(_EXTRA))
    if draw(st.booleans()):
        k = draw(st.integers(0, len(lines)))
        lines.insert(k, draw(_FRAMEWORK))
    return draw(_NEWLINE).join(lines) + draw(_END)


@settings(max_examples=400, deadline=None)
@given(yaml_files())
def test_generated_yaml_is_read_as_the_loader_reads_it_or_left(text):
    try:
        check_yaml(text)
    except DataFileError:
        raise AssertionError(f"the loader refuses what the plain reader read: {text!r}") \
            from None


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                max_size=3), max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(_json_values, st.sampled_from([None, 0, 2]), st.integers(0, 60),
       st.sampled_from(["", " ", "x", "]", "}", ",", "\ufeff", "\n", "\\", '"', "NaN", "-"]))
def test_json_is_read_as_json_loads_reads_it_or_left(value, indent, where, char):
    text = json.dumps(value, indent=indent)
    assert check_json(text) or text.strip() == ""
    k = where % (len(text) + 1)
    check_json(text[:k] + char + text[k:])


# --- rnnquiz count FILE -----------------------------------------------------------------------

def _click(args):
    result = CliRunner().invoke(cli, ["count", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("name, text", [
    ("model.yaml", FILES[0]), ("model.yml", FILES[1]), ("plain", FILES[2]),
    ("model (1).json", '["Input(shape=(3, 2))", "GRU(4)"]'),
    ("keras.json", json.dumps({"layers": ["Embedding(50, 8)", "SimpleRNN(4)", "Dropout(0.5)",
                                          "Dense(2)"], "framework": "keras"})),
    ("config.json", json.dumps({"class_name": "Sequential", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 5, 3]}},
        {"class_name": "LSTM", "config": {"units": 4, "dropout": 0.25,
                                          "kernel_initializer": {"class_name": "Zeros"}}},
        {"class_name": "Dense", "config": {"units": 1}}]}})),
])
@pytest.mark.parametrize("options", [[], ["--json"], ["--explain"], ["--json", "--explain"],
                                     ["--T", "7"], ["--batch=2", "--convention", "pytorch"]])
def test_a_model_file_on_the_fast_path_prints_what_click_prints(tmp_path, monkeypatch, name,
                                                                text, options):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(text)
    fast = fast_count([name, *options])
    status, output = _click([name, *options])
    if fast is None:
        assert status != 0 or "--convention" in options, (name, options)
        return
    assert status == 0 and output == fast + "\n"


@pytest.mark.parametrize("text", ["- LSTM(3)\n- Dens(1)\n", "- LSTM(3\n", "[1, 2]",
                                  "{\"layers\": [\"LSTM(3)\"], \"framework\": \"jax\"}",
                                  "- LSTM(3)\n  - Dense(1)\n", "layers: 3\n", "\xff"])
def test_a_faulty_model_file_is_left_to_click(tmp_path, capsys, text):
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="latin-1")
    assert fast_count([str(path)]) is None
    assert main(["count", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and err.count("\n") == 1


def test_a_file_count_imports_no_json_yaml_click_or_numpy(tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text(FILES[0])
    out, loaded = run_and_list_modules(["count", path, "--json"],
                                       ("click", "numpy", "yaml", "json", "_ast"))
    assert loaded == [] and '"total": 213301' in out


@pytest.mark.parametrize("extra", [["--bogus"], ["--json", "--diagram"], ["--m", "3"],
                                   ["--T", "0"], ["--T=x"], ["--convention", "textbook"],
                                   ["--batch"], ["--explain=1"], ["--json", "--grid"],
                                   ["--T", "9" * 5000]])
@pytest.mark.parametrize("model", ["line", "file"])
def test_a_bad_option_is_still_clicks_one_line_usage_error(tmp_path, capsys, model, extra):
    path = tmp_path / "model.yaml"
    path.write_text(FILES[0])
    args = ["Embedding(50, 8) > LSTM(4)" if model == "line" else str(path), *extra]
    assert fast_count(args) is None
    assert main(["count", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("Error: ")
    assert captured.err.count("\n") == 1


@pytest.mark.parametrize("extra", [["--T", "9" * 5000], ["--batch", "1" * 4400], ["--T"]])
def test_options_alone_are_clicks_one_line_usage_error(capsys, extra):
    assert fast_count(extra) is None
    assert main(["count", *extra]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("Error: ") and captured.err.count("\n") == 1


@pytest.mark.parametrize("model", ["a\0b", "LSTM(3)\0", "x" * 100_000, "(" * 5000, "/", "."])
def test_odd_model_arguments_are_clicks_one_line_error(capsys, model):
    assert fast_count([model]) is None
    assert main(["count", model]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("Error: ") and captured.err.count("\n") == 1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.text(max_size=20),
    st.sampled_from(["--json", "--explain", "--T", "--batch", "--convention", "pytorch", "--m",
                     "3", "--n", "LSTM(3)", "Dense(1) > Dense(2)", "9" * 200, "-", "--",
                     "model.yaml", "/dev/null", "/", "\0", "(("])), max_size=5))
def test_the_fast_path_never_raises(args):
    text = fast_count(args)
    assert text is None or isinstance(text, str)
