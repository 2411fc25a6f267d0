"""Model lines and files are read as data: bound to the framework's signature, never run."""

import json

import pytest

from rnnquiz.description.model import parse_model
from rnnquiz.description.modelfile import load_model_file
from rnnquiz.errors import ModelError


def test_the_issues_three_examples_bind_every_argument():
    spec = parse_model("Embedding(5000, 32, input_length=100) > LSTM(100) > "
                       "Dense(1, activation='sigmoid')")
    assert spec.framework == "keras" and spec.input_shape == (100,)
    emb, lstm, dense = spec.layers
    assert (emb["input_dim"], emb["output_dim"]) == (5000, 32)
    assert lstm["units"] == 100 and lstm["return_sequences"] is False
    assert dense["activation"] == "sigmoid" and dense["use_bias"] is True

    spec = parse_model("Input(shape=(16, 4096)) > Bidirectional(LSTM(64, return_sequences=True))"
                       " > TimeDistributed(Dense(10))")
    assert spec.input_shape == (16, 4096)
    bi, td = spec.layers
    assert bi["merge_mode"] == "concat" and bi.inner.kind == "LSTM"
    assert bi.inner["return_sequences"] is True and td.inner["units"] == 10

    spec = parse_model("nn.Embedding(10000, 300) > nn.LSTM(300, 128, num_layers=2, "
                       "bidirectional=True, batch_first=True) > nn.Linear(256, 5)")
    assert spec.framework == "pytorch" and spec.input_shape is None
    assert spec.layers[1]["proj_size"] == 0 and spec.layers[1]["num_layers"] == 2


@pytest.mark.parametrize("line, shape", [
    ("LSTM(8, input_shape=(10, 3))", (10, 3)),
    ("LSTM(8, input_dim=3)", (None, 3)),
    ("LSTM(8, input_dim=3, input_length=10)", (10, 3)),
    ("Dense(8, input_dim=3)", (3,)),
    ("Bidirectional(LSTM(8), input_shape=(5, 2))", (5, 2)),
    ("Bidirectional(LSTM(8, input_shape=(5, 2)))", (5, 2)),
    ("tf.keras.layers.GRU(4, batch_input_shape=(32, 7, 2))", (7, 2)),
    ("Input(batch_shape=(None, 9, 4)) > GRU(4)", (9, 4)),
    ("Embedding(100, 8)", None),
])
def test_keras_input_shapes_with_their_keras_2_meaning(line, shape):
    assert parse_model(line).input_shape == shape


@pytest.mark.parametrize("line, message", [
    ("LTSM(100)", "column 1: unknown Keras layer 'LTSM' (did you mean LSTM?)"),
    ("LSTM(units=100, unit=3)", "column 22: LSTM has no argument 'unit' (did you mean 'units'?)"),
    ("LSTM()", "column 1: LSTM needs 'units' (missing)"),
    ("LSTM(100, units=3)", "column 17: LSTM got two values for 'units'"),
    ("LSTM(100) > Dense(x)", "column 19: only literal arguments are read (numbers, strings, "
                             "True/False/None, tuples, lists), not 'x'"),
    ("Dense(1, activation=tf.nn.relu)", "column 21: only literal arguments are read (numbers, "
                                        "strings, True/False/None, tuples, lists), not "
                                        "'tf.nn.relu'"),
    ("__import__('os').system('ls')", "column 1: a layer is named by its class, e.g. LSTM or "
                                      "nn.LSTM"),
    ("LSTM(-3)", "column 6: LSTM: units must be a positive integer, got -3"),
    ("nn.Dense(3)", "column 1: unknown PyTorch module 'nn.Dense' (PyTorch calls it "
                    "nn.Linear(in_features, out_features))"),
    ("nn.LSTM(3, 4) > Dense(2)", "column 1: nn.LSTM(3, 4) is PyTorch but the model also has "
                                 "Keras layers: write one framework's layers"),
    ("LSTM(10) > Input(shape=(3,))", "column 12: Input(...) must come first: it gives the "
                                     "model's input shape, it is not a layer"),
    ("nn.Linear(**{'in_features': 3})", "column 11: **arguments are not read: write each "
                                        "argument"),
])
def test_errors_name_the_column_and_the_framework_names(line, message):
    with pytest.raises(ModelError) as e:
        parse_model(line)
    assert str(e.value) == message


def test_bare_names_follow_the_framework_given():
    spec = parse_model("LSTM(10, 20, batch_first=True)", "pytorch")
    assert spec.framework == "pytorch" and spec.layers[0]["hidden_size"] == 20


def test_files_yaml_json_and_keras_configs(tmp_path):
    y = tmp_path / "m.yaml"
    y.write_text("- Embedding(5000, 32, input_length=100)\n- {class_name: LSTM, units: 100}\n"
                 "- Dense: {units: 1}\n")
    spec = load_model_file(y)
    assert [layer.kind for layer in spec.layers] == ["Embedding", "LSTM", "Dense"]
    assert spec.layers[1]["units"] == 100 and spec.input_shape == (100,)

    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 12, 3], "dtype": "float32"}},
        {"module": "keras.layers", "class_name": "Bidirectional", "config": {
            "merge_mode": "sum", "layer": {"class_name": "GRU", "config": {
                "units": 5, "reset_after": False, "implementation": 2}}}},
        {"class_name": "Dense", "config": {"units": 2, "kernel_initializer": {"x": 1}}},
    ]}}
    j = tmp_path / "m.json"
    j.write_text(json.dumps(config))
    spec = load_model_file(j)
    assert spec.input_shape == (12, 3)
    assert spec.layers[0]["merge_mode"] == "sum" and spec.layers[0].inner["reset_after"] is False


def test_a_fifo_or_a_huge_file_is_refused_without_hanging(tmp_path):
    import os

    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ModelError, match="not a regular file"):
        load_model_file(fifo)
    big = tmp_path / "big.yaml"
    big.write_text("#" * (2 << 20))
    with pytest.raises(ModelError, match="larger than"):
        load_model_file(big)


def test_a_yaml_alias_bomb_in_a_model_file_is_refused(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + k)}: &{chr(98 + k)} [*{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, "
        f"*{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, "
        f"*{chr(97 + k)}, *{chr(97 + k)}]\n" for k in range(8))
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb)
    with pytest.raises(ModelError, match="expands to more than"):
        load_model_file(path)
