"""Whole models from an adversary's side: the faults a fuzzing pass found, each pinned.

Huge sizes under --verify (the witness cannot hold them, even as placeholders), PyTorch's
negative padding_idx, dropout probabilities outside [0, 1], unknown Keras activation names:
each is a one-line error with exit 2 where the frameworks refuse it, and counted (and
verified) where they accept it."""

import os
import re
import subprocess
import sys

import forked_cli
import pytest

from rnnquiz.calculator.model import count_model
from rnnquiz.description.model import parse_model
from rnnquiz.description.signatures import KERAS_ACTIVATION_NAMES
from rnnquiz.errors import ModelError
from rnnquiz.verification import verify_model
from rnnquiz.witness.layers.base import KERAS_ACTIVATIONS

BIG = 10**22

# Each line counts, but its witness would need an axis or a tensor NumPy cannot index (the
# first five), or an index array of 10^11 steps (the last two): --verify refuses it cleanly.
TOO_LARGE_TO_VERIFY = (
    f"Input(shape=({BIG}, 3)) > LSTM(4)",
    f"Input(shape=(5, {BIG})) > LSTM(4)",
    f"Input(shape=(5, 3)) > Dense({BIG})",
    f"Embedding({BIG}, 3, input_length=5) > LSTM(2)",
    "Input(shape=(10, 99999999999)) > LSTM(99999999)",
    "Input(shape=(99999999999, 3)) > Conv1D(4, 3) > MaxPooling1D(2) > LSTM(4)",
    "Input(shape=(5, 3)) > Flatten() > RepeatVector(99999999999) > LSTM(3)",
)


@pytest.mark.parametrize("line", TOO_LARGE_TO_VERIFY)
def test_verify_refuses_what_the_witness_cannot_hold(line):
    count_model(line)  # the count itself stands
    with pytest.raises(ModelError, match="too large for the NumPy witness"):
        verify_model(line)


def test_cli_verify_of_a_huge_model_is_one_line_exit_2():
    for line in TOO_LARGE_TO_VERIFY[::3]:
        for extra in ([], ["--json"], ["--explain"]):
            result = forked_cli.run(["count", line, "--verify", *extra], env=os.environ,
                                    timeout=60)
            assert result.returncode == 2, (line, extra, result.stderr)
            assert result.stderr.count("\n") == 1, result.stderr
            assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_large_but_holdable_models_still_verify_on_placeholders():
    assert verify_model("Input(shape=(5, 3)) > Dense(100000000)").ok
    assert verify_model("Embedding(1000000000, 2, input_length=4) > LSTM(3)").ok
    # A long repeated sequence: too many values to run forward, still checked in shape.
    assert verify_model("Input(shape=(5, 3)) > Flatten() > RepeatVector(2000000) > "
                        "LSTM(3)").ok


@pytest.mark.parametrize("pad, row", [(-1, 9), (-10, 0), (0, 0), (9, 9)])
def test_torch_padding_idx_counts_from_the_end_as_pytorch_does(pad, row):
    line = f"nn.Embedding(10, 3, padding_idx={pad})"
    result = count_model(line)
    assert result.total == 30
    assert verify_model(line).ok
    if pad < 0:
        assert f"(row {row})" in " ".join(result.layers[0].notes)


@pytest.mark.parametrize("pad", [10, -11, 1000])
def test_torch_padding_idx_outside_the_table_is_refused_by_the_engine(pad):
    with pytest.raises(ModelError, match=r"padding_idx must be within num_embeddings \(10\)"):
        count_model(f"nn.Embedding(10, 3, padding_idx={pad})")


@pytest.mark.parametrize("line", [
    "Input(shape=(5, 3)) > Dropout(1.5)",
    "Input(shape=(5, 3)) > Dropout(-0.1)",
    "Input(shape=(5, 3)) > Dropout(1e999)",
    "Input(shape=(5, 3)) > SpatialDropout1D(2)",
    "nn.Dropout(1.5)",
    "nn.LSTM(3, 4, num_layers=2, dropout=2)",
    "nn.GRU(3, 4, dropout=-1)",
])
def test_dropout_probabilities_outside_0_1_are_refused(line):
    with pytest.raises(ModelError, match="a probability from 0 to 1"):
        parse_model(line)


def test_dropout_probabilities_the_frameworks_accept():
    for line in ("Input(shape=(5, 3)) > Dropout(0)", "Input(shape=(5, 3)) > Dropout(1)",
                 "nn.Linear(3, 4) > nn.Dropout(0.5)", "nn.LSTM(3, 4, num_layers=2, dropout=0.5)",
                 # Keras's recurrent layers clamp their dropout to [0, 1] instead of refusing
                 "Input(shape=(5, 3)) > LSTM(3, dropout=2, recurrent_dropout=-1)"):
        assert count_model(line).total >= 0


@pytest.mark.parametrize("line, hint", [
    ("Input(shape=(5, 3)) > LSTM(3, activation='nope')", "unknown activation 'nope'"),
    ("Input(shape=(5, 3)) > Activation('Relu')", "did you mean 'relu'"),
    ("Input(shape=(5, 3)) > GRU(3, recurrent_activation='sigmod')", "did you mean 'sigmoid'"),
    ("Input(shape=(5, 3)) > Dense(4, activation='glu')", "halves the features"),
])
def test_unknown_keras_activations_are_refused_by_the_engine(line, hint):
    with pytest.raises(ModelError, match=hint):
        count_model(line)


def test_every_activation_the_witness_runs_is_one_the_description_reads():
    assert {k for k in KERAS_ACTIVATIONS if k} <= KERAS_ACTIVATION_NAMES
    assert "glu" not in KERAS_ACTIVATION_NAMES


def test_keras_reads_the_same_activation_names():
    activations = pytest.importorskip("keras.activations")
    for name in KERAS_ACTIVATION_NAMES:
        assert callable(activations.get(name)), name
    with pytest.raises(ValueError):
        activations.get("nope")


def test_pytorch_agrees_on_padding_idx_and_dropout():
    nn = pytest.importorskip("torch.nn")
    assert nn.Embedding(10, 3, padding_idx=-1).padding_idx == 9
    for bad in (lambda: nn.Embedding(10, 3, padding_idx=10),
                lambda: nn.Embedding(10, 3, padding_idx=-11),
                lambda: nn.Dropout(1.5), lambda: nn.LSTM(3, 4, num_layers=2, dropout=2)):
        with pytest.raises((ValueError, AssertionError)):  # nn.Embedding asserts its range
            bad()


# --- .keras files: the archive holds the weights too ----------------------------------------

_CONFIG = ('{"class_name": "Sequential", "config": {"name": "s", "layers": ['
           '{"class_name": "InputLayer", "config": {"batch_shape": [null, 10, 8]}},'
           '{"class_name": "LSTM", "config": {"name": "lstm", "units": 64}},'
           '{"class_name": "Dense", "config": {"name": "dense", "units": 1}}]}}')


def _keras_archive(path, weights_bytes):
    import os
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("metadata.json", '{"keras_version": "3.0.0"}')
        z.writestr("config.json", _CONFIG)
        z.writestr("model.weights.h5", os.urandom(weights_bytes))
    return path


def test_a_keras_file_whose_weights_are_megabytes_is_read(tmp_path):
    """A real model's .keras file holds its weights: a 266,501-parameter model saved by Keras
    is over 1 MiB. Only config.json's size matters."""
    path = _keras_archive(tmp_path / "big.keras", 3 << 20)
    assert count_model(path).total == 4 * (64 * 8 + 64 * 64 + 64) + 65
    result = subprocess.run([sys.executable, "-m", "rnnquiz", "count", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_broken_keras_files_are_one_line_errors(tmp_path):
    empty = tmp_path / "empty.keras"
    empty.write_bytes(b"")
    fake = tmp_path / "fake.yaml"
    fake.write_bytes(b"PK\x03\x04 not a zip")
    for path in (empty, fake):
        result = subprocess.run([sys.executable, "-m", "rnnquiz", "count", str(path)],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and "not a .keras archive" in result.stderr, result.stderr


# --- Masking: common in real Keras sequence models, was an unknown layer --------------------

def test_masking_counts_nothing_and_keeps_the_shape():
    result = count_model("Input(shape=(10, 4)) > Masking(mask_value=0.0) > LSTM(8) > Dense(1)")
    assert [layer.name for layer in result.layers] == ["masking", "lstm", "dense"]
    assert result.layers[0].parameters == 0 and result.layers[0].output_shape == (None, 10, 4)
    assert result.total == 4 * (8 * 4 + 8 * 8 + 8) + 9
    assert verify_model("Input(shape=(10, 4)) > Masking() > GRU(3) > Dense(1)").ok


def test_witness_masking_skips_the_masked_steps():
    """Steps whose features all equal mask_value are skipped: the LSTM's output for a sequence
    padded with them is its output for the unpadded sequence."""
    import numpy as np

    from rnnquiz.witness.models import build_model

    line = "Input(shape=(6, 3)) > Masking(mask_value=-1.0) > LSTM(4)"
    model = build_model(parse_model(line), T=6, batch=2, rng=np.random.default_rng(1))
    x = np.random.default_rng(2).normal(size=(2, 6, 3))
    padded = x.copy()
    padded[:, 4:, :] = -1.0
    short = build_model(parse_model(line.replace("(6, 3)", "(4, 3)")), T=4, batch=2,
                        rng=np.random.default_rng(1))
    for name, array in model.layers[1]._params.items():  # the same LSTM weights
        short.layers[1]._params[name][...] = array
    assert np.allclose(model.forward(padded), short.forward(x[:, :4, :]))
    assert not np.allclose(model.forward(padded), model.forward(x))


def test_keras_counts_masking_models_as_we_do():
    keras = pytest.importorskip("keras")
    layers = keras.layers
    model = keras.Sequential([keras.Input((10, 4)), layers.Masking(0.0), layers.LSTM(8),
                              layers.Dense(1)])
    ours = count_model("Input(shape=(10, 4)) > Masking(0.0) > LSTM(8) > Dense(1)")
    assert ours.total == model.count_params()
    assert [layer.output_shape for layer in ours.layers] == [
        tuple(layer.output.shape) for layer in model.layers]


# --- normalisation over the same axis twice: Keras builds it, then refuses to run it -------

@pytest.mark.parametrize("line, words", [
    ("Input(shape=(5, 3)) > LayerNormalization(axis=(1, 1))", "names axis 1 twice"),
    ("Input(shape=(5, 3)) > LayerNormalization(axis=(2, -1))", "(axis 2 and axis -1)"),
    ("Input(shape=(5, 3)) > BatchNormalization(axis=(-1, 2))", "(axis -1 and axis 2)"),
])
def test_normalising_one_axis_twice_is_refused(line, words):
    with pytest.raises(ModelError, match=re.escape(words)):
        count_model(line)


def test_keras_refuses_to_run_layer_normalization_over_one_axis_twice():
    keras = pytest.importorskip("keras")
    import numpy as np

    model = keras.Sequential([keras.Input((5, 3)), keras.layers.LayerNormalization(axis=(2, -1))])
    with pytest.raises(ValueError, match="duplicate"):
        model(np.ones((2, 5, 3), dtype="float32"))
