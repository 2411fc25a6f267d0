"""Whole models counted by the calculator: hand-computed cases (CONVENTIONS.md, "Whole
models"), the issue's three examples, the teaching errors and the command line."""

import _ast
import json
import os
import re
import subprocess
import sys

import forked_cli
import pytest
from click.testing import CliRunner

from rnnquiz import count_model
from rnnquiz.__main__ import fast_count, main
from rnnquiz.calculator.rules import count
from rnnquiz.cli import cli
from rnnquiz.description.network import Network
from rnnquiz.errors import ModelError

EXAMPLE_1 = "Embedding(5000, 32, input_length=100) > LSTM(100) > Dense(1, activation='sigmoid')"
EXAMPLE_2 = ("Input(shape=(16, 4096)) > Bidirectional(LSTM(64, return_sequences=True)) > "
             "TimeDistributed(Dense(10))")
EXAMPLE_3 = ("nn.Embedding(10000, 300) > nn.LSTM(300, 128, num_layers=2, bidirectional=True, "
             "batch_first=True) > nn.Linear(256, 5)")


def rows(result):
    return [(layer.name, layer.type, layer.output_shape, layer.parameters)
            for layer in result.layers]


# --- the issue's three examples, by hand -------------------------------------------------

def test_example_1_embedding_lstm_dense():
    m = count_model(EXAMPLE_1)
    assert rows(m) == [("embedding", "Embedding", (None, 100, 32), 5000 * 32),
                       ("lstm", "LSTM", (None, 100), 4 * (100 * 32 + 100 * 100 + 100)),
                       ("dense", "Dense", (None, 1), 100 + 1)]
    assert (m.total, m.trainable, m.non_trainable) == (213_301, 213_301, 0)
    assert m.without_bias == 213_301 - 400 - 1 and m.with_bias == 213_301
    assert m.layers[1].formula == ("LSTM(100) on 32 inputs: 4 × (100·32 + 100·100 + 100) "
                                   "= 53,200")
    assert [t.name for t in m.layers[1].tensors] == ["kernel", "recurrent_kernel", "bias"]


def test_example_2_bidirectional_time_distributed():
    m = count_model(EXAMPLE_2)
    lstm = 4 * (64 * 4096 + 64 * 64 + 64)
    assert rows(m) == [("bidirectional", "Bidirectional", (None, 16, 128), 2 * lstm),
                       ("time_distributed", "TimeDistributed", (None, 16, 10), 128 * 10 + 10)]
    assert m.total == 2_131_722
    names = [t.name for t in m.layers[0].tensors]
    assert names[0] == "forward_lstm/kernel" and names[3] == "backward_lstm/kernel"


def test_example_3_pytorch_two_layer_bidirectional():
    m = count_model(EXAMPLE_3)
    layer1 = 2 * 4 * (128 * 300 + 128 * 128 + 2 * 128)
    layer2 = 2 * 4 * (128 * 256 + 128 * 128 + 2 * 128)
    assert rows(m) == [("0", "Embedding", ("B", "T", 300), 3_000_000),
                       ("1", "LSTM", ("B", "T", 256), layer1 + layer2),
                       ("2", "Linear", ("B", "T", 5), 256 * 5 + 5)]
    assert m.layers[1].h_n_shape == (4, "B", 128) and m.layers[1].c_n_shape == (4, "B", 128)
    m = count_model(EXAMPLE_3, T=7, batch=3)
    assert m.layers[1].output_shape == (3, 7, 256) and m.layers[1].h_n_shape == (4, 3, 128)
    assert "weight_ih_l1_reverse" in [t.name for t in m.layers[1].tensors]


def test_one_engine_the_recurrent_layers_come_from_the_rules_engine():
    """count --m --n --p is the special case: the same numbers, tensor for tensor."""
    m = count_model("Input(shape=(9, 10)) > SimpleRNN(20) > Dense(5)")
    assert m.total == count(Network(10, 20, 5, convention="keras")).total
    m = count_model("nn.GRU(10, 20, num_layers=3, bidirectional=True) > nn.Linear(40, 5)")
    net = count(Network(10, 20, 5, cell="gru", layers=3, bidirectional=True,
                        convention="pytorch"))
    assert m.total == net.total
    assert [t.shape for t in m.layers[0].tensors] == [t.shape for t in net.tensors[:-2]]


# --- every layer of CONVENTIONS.md "Whole models" ------------------------------------------

@pytest.mark.parametrize("line, shapes, counts", [
    ("Input(shape=(7, 3)) > GRU(4)", [(None, 4)], [3 * (4 * 3 + 4 * 4 + 2 * 4)]),
    ("Input(shape=(7, 3)) > GRU(4, reset_after=False, return_sequences=True)",
     [(None, 7, 4)], [3 * (4 * 3 + 4 * 4 + 4)]),
    ("Input(shape=(7, 3)) > LSTM(4, use_bias=False)", [(None, 4)], [4 * (4 * 3 + 4 * 4)]),
    ("Input(shape=(7, 3)) > Bidirectional(GRU(4), merge_mode='sum')", [(None, 4)],
     [2 * 3 * (12 + 16 + 8)]),
    ("Input(shape=(7, 3)) > Bidirectional(SimpleRNN(4, return_sequences=True), "
     "merge_mode='ave')", [(None, 7, 4)], [2 * (12 + 16 + 4)]),
    ("Input(shape=(7, 3)) > Dense(5) > Dropout(0.5) > Activation('relu')",
     [(None, 7, 5)] * 3, [3 * 5 + 5, 0, 0]),
    ("Input(shape=(6,)) > Dense(4) > RepeatVector(3) > LSTM(2, return_sequences=True)",
     [(None, 4), (None, 3, 4), (None, 3, 2)], [28, 0, 4 * (8 + 4 + 2)]),
    ("Input(shape=(7, 3)) > Flatten() > Dense(2)", [(None, 21), (None, 2)], [0, 44]),
    ("Input(shape=(20, 8)) > Conv1D(16, 3) > MaxPooling1D(2) > GlobalAveragePooling1D()",
     [(None, 18, 16), (None, 9, 16), (None, 16)], [3 * 8 * 16 + 16, 0, 0]),
    ("Input(shape=(20, 8)) > Conv1D(4, 5, strides=2, padding='same') > "
     "AveragePooling1D(3, strides=2)", [(None, 10, 4), (None, 4, 4)], [5 * 8 * 4 + 4, 0]),
    ("Input(shape=(20, 8)) > Conv1D(4, 3, dilation_rate=2, padding='causal')",
     [(None, 20, 4)], [3 * 8 * 4 + 4]),
    ("Input(shape=(5, 6)) > BatchNormalization() > LayerNormalization()",
     [(None, 5, 6)] * 2, [4 * 6, 2 * 6]),
    ("Input(shape=(5, 6)) > SpatialDropout1D(0.2) > Reshape((3, 10))",
     [(None, 5, 6), (None, 3, 10)], [0, 0]),
    ("Input(shape=(6, 5)) > Reshape((-1, 10)) > Reshape((30,))",
     [(None, 3, 10), (None, 30)], [0, 0]),
    ("Input(shape=(4, 10, 10, 3)) > ConvLSTM2D(8, (3, 3))", [(None, 8, 8, 8)],
     [4 * (3 * 3 * 3 * 8 + 3 * 3 * 8 * 8 + 8)]),
    ("Input(shape=(4, 10, 10, 3)) > ConvLSTM2D(8, 3, padding='same', return_sequences=True)",
     [(None, 4, 10, 10, 8)], [4 * (3 * 3 * 3 * 8 + 3 * 3 * 8 * 8 + 8)]),
    ("LSTM(8, input_shape=(10, 3))", [(None, 8)], [4 * (24 + 64 + 8)]),
    ("LSTM(8, input_dim=3)", [(None, 8)], [4 * (24 + 64 + 8)]),
    ("nn.LSTM(10, 20, proj_size=5, batch_first=True) > nn.Linear(5, 1)",
     [("B", "T", 5), ("B", "T", 1)], [4 * (20 * 10 + 20 * 5 + 2 * 20) + 5 * 20, 6]),
    ("nn.RNNCell(3, 4) > nn.Linear(4, 2)", [("B", 4), ("B", 2)], [12 + 16 + 8, 10]),
    ("nn.LSTMCell(3, 4)", [("B", 4)], [4 * (12 + 16 + 8)]),
    ("nn.GRUCell(3, 4, bias=False)", [("B", 4)], [3 * (12 + 16)]),
    ("nn.Embedding(50, 8, padding_idx=0) > nn.GRU(8, 6) > nn.LayerNorm(6) > nn.Dropout()",
     [("T", "B", 8), ("T", "B", 6), ("T", "B", 6), ("T", "B", 6)],
     [400, 3 * (48 + 36 + 12), 12, 0]),
    ("nn.Conv1d(4, 8, 3) > nn.BatchNorm1d(8) > nn.ReLU() > nn.MaxPool1d(2) > nn.Flatten()",
     [("B", 8, "T-2"), ("B", 8, "T-2"), ("B", 8, "T-2"), ("B", 8, "⌊(T-4)/2⌋+1"),
      ("B", "8·(⌊(T-4)/2⌋+1)")], [8 * 4 * 3 + 8, 16, 0, 0, 0]),
])
def test_layers_by_hand(line, shapes, counts):
    m = count_model(line)
    assert [layer.output_shape for layer in m.layers] == shapes
    assert [layer.parameters for layer in m.layers] == counts


def test_conv_pool_with_concrete_length():
    m = count_model("nn.Conv1d(4, 8, 3, stride=2, padding=1) > nn.AvgPool1d(2) > nn.Flatten() "
                    "> nn.Linear(40, 3)", T=20, batch=2)
    assert [layer.output_shape for layer in m.layers] == [(2, 8, 10), (2, 8, 5), (2, 40),
                                                          (2, 3)]


def test_batch_normalization_moving_statistics_are_non_trainable():
    m = count_model("Input(shape=(5, 6)) > BatchNormalization()")
    bn = m.layers[0]
    assert (bn.parameters, bn.trainable, bn.non_trainable) == (24, 12, 12)
    assert (m.trainable, m.non_trainable) == (12, 12)
    assert count_model("nn.Linear(3, 6) > nn.BatchNorm1d(6)").layers[1].parameters == 12


def test_frozen_embedding_is_non_trainable():
    m = count_model("Embedding(100, 8, trainable=False) > LSTM(4)")
    assert (m.total, m.trainable, m.non_trainable) == (800 + 4 * (32 + 16 + 4),
                                                       4 * (32 + 16 + 4), 800)


def test_keras_auto_names_count_the_wrapped_layers():
    m = count_model("Input(shape=(5, 3)) > LSTM(4, return_sequences=True) > "
                    "Bidirectional(LSTM(4, return_sequences=True)) > LSTM(2) > Dense(3) > "
                    "Dense(1, name='out')")
    assert [layer.name for layer in m.layers] == ["lstm", "bidirectional", "lstm_2", "dense",
                                                  "out"]
    assert m.layers[1].tensors[0].name == "forward_lstm_1/kernel"


def test_T_fills_an_open_keras_length():
    assert count_model("Embedding(10, 4) > LSTM(2, return_sequences=True)").layers[
        1].output_shape == (None, None, 2)
    assert count_model("Embedding(10, 4) > LSTM(2, return_sequences=True)", T=9).layers[
        1].output_shape == (None, 9, 2)


# --- formulas: the numbers in them give the count -------------------------------------------

def _arith(node):
    if isinstance(node, _ast.Expression):
        return _arith(node.body)
    if isinstance(node, _ast.Constant):
        return node.value
    if isinstance(node, _ast.BinOp):
        a, b = _arith(node.left), _arith(node.right)
        return a + b if isinstance(node.op, _ast.Add) else a * b
    raise AssertionError(node)


FORMULA_MODELS = [EXAMPLE_1, EXAMPLE_2, EXAMPLE_3,
                  "nn.LSTM(10, 20, num_layers=3, proj_size=5, bidirectional=True)",
                  "Input(shape=(7, 3)) > GRU(4, return_sequences=True) > "
                  "Bidirectional(GRU(4, use_bias=False, reset_after=False)) > Dense(2)",
                  "Input(shape=(5, 6)) > BatchNormalization() > LayerNormalization() > "
                  "Conv1D(3, 2) > TimeDistributed(Dense(4, use_bias=False))",
                  "Input(shape=(4, 10, 10, 3)) > ConvLSTM2D(8, (3, 2), use_bias=False)",
                  "nn.GRUCell(3, 4) > nn.Linear(4, 2, bias=False)",
                  "nn.Conv1d(4, 8, 3, groups=2) > nn.BatchNorm1d(8)"]


@pytest.mark.parametrize("line", FORMULA_MODELS)
def test_every_formula_computes_its_layer_count(line):
    for layer in count_model(line).layers:
        if not layer.tensors:
            continue
        expr, total = layer.formula.rsplit(" = ", 1)
        expr = expr.split(": ", 1)[1]
        expr = re.sub(r"layer \d+: ", "", expr).replace(";", " +")
        expr = expr.replace("×", "*").replace("·", "*")
        value = _arith(compile(expr, "<formula>", "eval", _ast.PyCF_ONLY_AST))
        assert value == layer.parameters == int(total.replace(",", "")), layer.formula


# --- teaching errors --------------------------------------------------------------------------

@pytest.mark.parametrize("line, message", [
    ("nn.Embedding(10000, 300) > nn.LSTM(300, 128, bidirectional=True) > nn.Linear(128, 5)",
     "nn.Linear(128, 5) receives 256 features: the bidirectional LSTM concatenates its two "
     "directions (2 × 128); write nn.Linear(256, 5)"),
    ("nn.Embedding(10000, 200) > nn.LSTM(300, 128)",
     "nn.LSTM(300, 128) receives 200 features: nn.Embedding(10000, 200) gives each token a "
     "200-number vector; write nn.LSTM(200, 128, ...)"),
    ("Embedding(100, 8) > LSTM(16) > LSTM(8)",
     "LSTM(8) needs a sequence (batch, T, features) but receives (None, 16): LSTM(16) returns "
     "only its last output (return_sequences=False); write return_sequences=True there"),
    ("LSTM(8) > Dense(1)", "no input size: LSTM(8) needs to know what it receives"),
    ("nn.Dropout() > nn.Linear(3, 1)", "no input size"),
    ("nn.Linear(4, 3) > nn.LSTM(4, 2)", "nn.LSTM(4, 2) receives 3 features from "
     "nn.Linear(4, 3)"),
    ("Input(shape=(7, 3)) > LSTM(4, return_state=True) > Dense(1)", "return_state=True"),
    ("Input(shape=(3, 2)) > Conv1D(2, 5)", "longer than"),
    ("nn.Embedding(10, 4) > nn.Conv1d(4, 2, 3)", "x.transpose(1, 2)"),
    ("Input(shape=(None, 3)) > Flatten() > Dense(2)", "needs to know its number of features"),
    ("nn.LSTMCell(3, 4) > nn.LSTM(4, 2)", "needs a sequence"),
    ("Input(shape=(6, 5)) > AveragePooling1D()", "AveragePooling1D needs 'pool_size'"),
    ("nn.LSTM(3, 4, num_layers=5000)",
     "num_layers (stacked layers) must be at most 1,000, got 5000"),
    ("nn.LSTM(3, 4, num_layers=100000000)", "the limit is 10,000"),
    (" > ".join(["nn.LSTM(3, 3, num_layers=900)"] * 12), "10,800 recurrent layers in all"),
    ("Input(shape=(6, 5)) > Reshape((-1, -1))", "one of which may be -1"),
    ("Input(shape=(6, 5)) > Reshape((4, 10))", "holds 40 values"),
])
def test_errors_teach_the_mistake(line, message):
    with pytest.raises(ModelError) as info:
        count_model(line)
    assert message in str(info.value)


def test_cli_errors_are_one_line_exit_2():
    for line in ("nn.Linear(3, 2) > nn.Linear(3, 1)", "LSTM(3)", "Dense(", "nofile.yaml",
                 "Input(shape=(8, 1))"):
        result = forked_cli.run(["count", line], env=os.environ)  # as `python -m rnnquiz`
        assert result.returncode == 2, (line, result.stderr)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    for args in (["LSTM(3, input_dim=2)", "--m", "3"], ["LSTM(3, input_dim=2)", "--diagram"],
                 ["LSTM(3, input_dim=2)", "--convention", "textbook"]):
        result = CliRunner().invoke(cli, ["count", *args])
        assert result.exit_code == 2, args


# --- command line -------------------------------------------------------------------------

def test_count_model_text_and_json():
    out = CliRunner().invoke(cli, ["count", EXAMPLE_3, "--batch", "2", "--T", "3"]).output
    assert "1 (nn.LSTM)" in out and "returns output (2, 3, 256), h_n (4, 2, 128), c_n " \
        "(4, 2, 128)" in out and "Total params: 3,836,869" in out
    data = json.loads(CliRunner().invoke(cli, ["count", EXAMPLE_3, "--json"]).output)
    assert data["framework"] == "pytorch"
    assert data["parameters"] == {"total": 3_836_869, "trainable": 3_836_869,
                                  "non_trainable": 0, "with_bias": 3_836_869,
                                  "without_bias": 3_836_869 - 8 * 512 - 5}
    lstm = data["layers"][1]
    assert lstm["h_n_shape"] == [4, "B", 128] and lstm["output_shape"] == ["B", "T", 256]
    assert set(lstm["tensors"][0]) >= {"name", "shape", "parameters", "role", "reason"}


def test_bare_names_follow_convention():
    out = CliRunner().invoke(cli, ["count", "LSTM(4, 3) > Linear(3, 1)", "--convention",
                                   "pytorch"]).output
    assert "0 (nn.LSTM)" in out


def test_count_model_from_a_file(tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text("- Embedding(5000, 32, input_length=100)\n- LSTM(100)\n- Dense(1)\n")
    result = CliRunner().invoke(cli, ["count", str(path)])
    assert result.exit_code == 0 and "Total params: 213,301" in result.output
    assert count_model(path).total == 213_301
    odd = tmp_path / "model (1).json"
    odd.write_text('["Input(shape=(3, 2))", "GRU(4)"]')
    assert count_model(str(odd)).total == 3 * (4 * 2 + 4 * 4 + 2 * 4)
    assert fast_count([str(odd)]) == CliRunner().invoke(cli, ["count", str(odd)]).output[:-1]


@pytest.mark.parametrize("args", [
    [EXAMPLE_1], [EXAMPLE_2, "--explain"], [EXAMPLE_3, "--T", "4"],
    [EXAMPLE_3, "--batch=3", "--explain"], ["LSTM(4, 3)", "--convention", "pytorch"],
    [EXAMPLE_1, "--json"], [EXAMPLE_2, "--json", "--explain"], [EXAMPLE_3, "--json"],
    ["nn.Conv1d(4, 8, 3) > nn.MaxPool1d(2)", "--T", "9"],
])
def test_fast_path_prints_what_click_prints(args):
    fast = fast_count(args)
    assert fast is not None
    result = CliRunner().invoke(cli, ["count", *args])
    assert result.exit_code == 0
    assert result.output == fast + "\n"


@pytest.mark.parametrize("args", [
    [EXAMPLE_1, "--diagram"], [EXAMPLE_1, "--m", "3"], ["LSTM(3)"], [EXAMPLE_1, EXAMPLE_1],
    [EXAMPLE_1, "--convention", "textbook"], [EXAMPLE_1, "--verify"],
])
def test_fast_path_leaves_the_rest_to_click(args):
    assert fast_count(args) is None


def test_the_model_path_imports_no_click_numpy_or_yaml():
    code = ("import sys; from rnnquiz.__main__ import main; main(['count', " + repr(EXAMPLE_3)
            + "]); print(sorted(m for m in ('click','numpy','yaml','json') if m in "
            "sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.rstrip().endswith("[]") and "Total params: 3,836,869" in out


def test_main_runs_the_model_path(capsys):
    assert main(["count", EXAMPLE_1]) == 0
    assert "Total params: 213,301" in capsys.readouterr().out


def test_api_object():
    m = count_model(EXAMPLE_1)
    assert m.layer("lstm").parameters == 53_200
    data = m.as_dict()
    assert data["parameters"]["total"] == 213_301 and len(data["layers"]) == 3
    assert data["layers"][0]["output_shape"] == [None, 100, 32]


# --- --verify: the witness itself, then the hook's plumbing -----------------------------------

@pytest.mark.parametrize("line", [EXAMPLE_1, EXAMPLE_2, EXAMPLE_3])
def test_verify_runs_the_real_witness_on_the_issues_examples(line):
    result = CliRunner().invoke(cli, ["count", line, "--verify"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith(
        "verified: the NumPy witness model agrees on every tensor, count and output shape")


def test_verify_names_a_difference_when_the_engine_is_wrong(monkeypatch):
    from rnnquiz.calculator.layers import base

    real = base.LayerCount.parameters.fget
    monkeypatch.setattr(base.LayerCount, "parameters",
                        property(lambda self: real(self) + (1 if self.type == "LSTM" else 0)))
    result = CliRunner().invoke(cli, ["count", EXAMPLE_1, "--verify"])
    assert result.exit_code == 1
    assert str(result.exception).startswith(
        "verification failed: layer 1 (lstm): parameters: engine says 53201, the witness has "
        "53200")

class _StubVerification:
    def __init__(self, ok):
        self.ok = ok

    def as_dict(self):
        return {"verified": self.ok}

    def raise_for_differences(self):
        from rnnquiz.errors import VerificationError

        if not self.ok:
            raise VerificationError("stub: layer lstm differs")


@pytest.mark.parametrize("ok", [True, False])
def test_verify_hook_passes_the_spec_T_and_batch(ok, monkeypatch):
    import rnnquiz.verification as verification

    seen = {}

    def verify_model(spec, *, T=None, batch=None):  # noqa: N803
        seen.update(spec=spec, T=T, batch=batch)
        return _StubVerification(ok)

    monkeypatch.setattr(verification, "verify_model", verify_model, raising=False)
    result = CliRunner().invoke(cli, ["count", EXAMPLE_3, "--verify", "--T", "4", "--batch",
                                      "2"])
    assert seen["T"] == 4 and seen["batch"] == 2 and len(seen["spec"].layers) == 3
    assert (result.exit_code == 0) == ok
    data = json.loads(CliRunner().invoke(cli, ["count", EXAMPLE_1, "--verify",
                                               "--json"]).output.split("\nError")[0])
    assert data["verification"] == {"verified": ok}


def test_every_layer_the_description_knows_is_in_the_catalogue():
    from rnnquiz.calculator.layers import CATALOGUE, handler
    from rnnquiz.description.signatures import FRAMEWORKS

    for framework, table in FRAMEWORKS.items():
        missing = set(table) - set(CATALOGUE[framework]) - {"Input", "TimeDistributed"}
        assert not missing, (framework, missing)
        for kind in CATALOGUE[framework]:
            assert callable(handler(framework, kind))
