"""The whole-model witness: hand-computed forward values, every parameter influencing the
output, and shapes / counts that do not depend on whether weights were allocated."""

import numpy as np
import pytest

from rnnquiz.errors import ModelError
from rnnquiz.witness.models import build_model


def _set(model, layer_index, **values):
    params = model.layers[layer_index].parameters()
    for name, value in values.items():
        params[name][...] = np.asarray(value, dtype=float).reshape(params[name].shape)


def test_dense_on_a_3d_input_acts_on_the_last_axis():
    model = build_model("Input(shape=(2, 2)) > Dense(2)")
    _set(model, 0, kernel=[[1, 2], [3, 4]], bias=[0.5, -0.5])
    x = np.array([[[1.0, 0.0], [1.0, 1.0]]])
    assert np.allclose(model.forward(x), [[[1.5, 1.5], [4.5, 5.5]]])
    assert model.layers[0].output_shapes == ((1, 2, 2),)


def test_embedding_looks_up_rows_in_keras_and_pytorch():
    for line, name in (("Embedding(4, 2)", "embeddings"), ("nn.Embedding(4, 2)", "weight")):
        model = build_model(line)
        _set(model, 0, **{name: [[0, 0], [1, 2], [3, 4], [5, 6]]})
        out = model.forward(np.array([[3, 1]]))
        assert np.allclose(out, [[[5, 6], [1, 2]]]), line


def test_pytorch_padding_idx_row_starts_at_zero():
    model = build_model("nn.Embedding(5, 3, padding_idx=2)", rng=np.random.default_rng(1))
    w = model.layers[0].parameters()["weight"]
    assert np.all(w[2] == 0) and np.all(w[[0, 1, 3, 4]] != 0)


@pytest.mark.parametrize("padding, kernel, strides, expected", [
    ("causal", [1, 10], 1, [10, 21, 32, 43, 54]),   # y_t = x_(t-1) + 10 x_t
    ("same", [1, 1, 1], 2, [3, 9, 9]),               # pad 1 left, 1 right; windows at -1, 1, 3
    ("valid", [1, 0, -1], 1, [-2, -2, -2]),          # x_t - x_(t+2)
])
def test_conv1d_padding_by_hand(padding, kernel, strides, expected):
    model = build_model(f"Input(shape=(5, 1)) > Conv1D(1, {len(kernel)}, strides={strides}, "
                        f"padding='{padding}')")
    _set(model, 0, kernel=kernel, bias=[0])
    x = np.arange(1.0, 6.0).reshape(1, 5, 1)
    assert np.allclose(model.forward(x)[0, :, 0], expected)


def test_keras_pooling_same_leaves_padding_out_of_the_average():
    x = np.array([1.0, 5.0, 3.0]).reshape(1, 3, 1)
    assert np.allclose(build_model("Input(shape=(3, 1)) > MaxPooling1D(2, padding='same')")
                       .forward(x)[0, :, 0], [5, 3])
    assert np.allclose(build_model("Input(shape=(3, 1)) > AveragePooling1D(2, padding='same')")
                       .forward(x)[0, :, 0], [3, 3])


@pytest.mark.parametrize("include, expected", [(True, [1, 3]), (False, [1.5, 3])])
def test_torch_avgpool_count_include_pad(include, expected):
    model = build_model(f"nn.Conv1d(1, 1, 1, bias=False) > nn.AvgPool1d(3, stride=2, padding=1, "
                        f"count_include_pad={include})")
    _set(model, 0, weight=[1])
    x = np.arange(1.0, 5.0).reshape(1, 1, 4)
    assert np.allclose(model.forward(x)[0, 0], expected)


def test_batch_normalization_uses_its_moving_statistics():
    model = build_model("Input(shape=(2,)) > BatchNormalization()")
    _set(model, 0, gamma=[2, 3], beta=[0.5, 0], moving_mean=[0, 1], moving_variance=[3.999, 0.999])
    assert np.allclose(model.forward(np.array([[4.0, 2.0]])), [[4.5, 3.0]])
    layer = model.layers[0]
    assert layer.trainable_names == {"gamma", "beta"} and layer.count() == 8


def test_batchnorm1d_buffers_are_not_parameters():
    model = build_model("nn.Linear(3, 2, bias=False) > nn.BatchNorm1d(2)")
    bn = model.layers[1]
    assert set(bn.parameters()) == {"weight", "bias"} and bn.count() == 4
    assert set(bn.buffers) == {"running_mean", "running_var"}


def test_layer_normalization_by_hand():
    model = build_model("Input(shape=(2,)) > LayerNormalization(epsilon=0.0)")
    _set(model, 0, gamma=[1, 2], beta=[0, 1])
    assert np.allclose(model.forward(np.array([[1.0, 3.0]])), [[-1.0, 3.0]])


def test_simple_rnn_steps_by_hand_and_go_backwards():
    line = "Input(shape=(2, 1)) > SimpleRNN(1, return_sequences=True{})"
    x = np.array([[[1.0], [-2.0]]])
    fwd = build_model(line.format(""))
    _set(fwd, 0, kernel=[0.5], recurrent_kernel=[2.0], bias=[0.1])
    h1 = np.tanh(0.5 + 0.1)
    assert np.allclose(fwd.forward(x)[0, :, 0], [h1, np.tanh(-1.0 + 0.1 + 2 * h1)])
    back = build_model(line.format(", go_backwards=True"))
    _set(back, 0, kernel=[0.5], recurrent_kernel=[2.0], bias=[0.1])
    g1 = np.tanh(-1.0 + 0.1)  # reads step 2 first; outputs stay in reading order
    assert np.allclose(back.forward(x)[0, :, 0], [g1, np.tanh(0.5 + 0.1 + 2 * g1)])


@pytest.mark.parametrize("mode", ["concat", "sum", "mul", "ave"])
def test_bidirectional_merges_the_backward_pass_in_time_order(mode):
    line = ("Input(shape=(3, 2)) > Bidirectional(SimpleRNN(2, return_sequences=True, "
            f"activation='linear'), merge_mode='{mode}')")
    model = build_model(line, rng=np.random.default_rng(3))
    p = model.layers[0].parameters()
    x = np.random.default_rng(4).standard_normal((1, 3, 2))

    def run(seq, side):
        h, out = np.zeros(2), []
        for t in range(seq.shape[0]):
            h = seq[t] @ p[f"{side}_simple_rnn/kernel"] + h @ p[
                f"{side}_simple_rnn/recurrent_kernel"] + p[f"{side}_simple_rnn/bias"]
            out.append(h)
        return np.array(out)

    f, b = run(x[0], "forward"), run(x[0][::-1], "backward")[::-1]
    want = {"concat": np.concatenate([f, b], -1), "sum": f + b, "mul": f * b,
            "ave": (f + b) / 2}[mode]
    assert np.allclose(model.forward(x)[0], want)


def test_pytorch_lstm_reports_output_h_n_c_n():
    model = build_model("nn.LSTM(3, 4, num_layers=2, batch_first=True)", T=5, batch=2)
    layer = model.layers[0]
    assert layer.output_shapes == ((2, 5, 4), (2, 2, 4), (2, 2, 4))
    out = model.forward(model.example_input())
    _, h_n, _ = layer.call(model.example_input())
    assert np.allclose(out[:, -1], h_n[-1])


def test_linear_after_a_bidirectional_lstm_must_read_2n():
    with pytest.raises(ModelError, match="receives 256 features, but in_features is 128"):
        build_model("nn.LSTM(10, 128, bidirectional=True) > nn.Linear(128, 5)")


def test_keras_names_count_wrappers_inner_layers():
    model = build_model("Input(shape=(3, 2)) > LSTM(4, return_sequences=True) > "
                        "Bidirectional(LSTM(3, return_sequences=True)) > TimeDistributed(Dense(2))"
                        " > Dense(1)")
    assert [layer.name for layer in model.layers] == [
        "lstm", "bidirectional", "time_distributed", "dense_1"]
    assert list(model.layers[1].parameters())[0] == "forward_lstm_1/kernel"


@pytest.mark.parametrize("line", ["Input(shape=(None,)) > Dense(3)",
                                  "Input(shape=(4, None)) > LSTM(3)", "LSTM(3)"])
def test_keras_needs_every_size_but_T(line):
    with pytest.raises(ModelError, match="open|no input size"):
        build_model(line)


def test_keras_open_T_is_filled():
    model = build_model("Input(shape=(None, 2)) > LSTM(3, return_sequences=True)", T=7)
    assert model.input_shape == (2, 7, 2) and model.layers[0].output_shapes == ((2, 7, 3),)


def test_a_masked_step_carries_the_state_over():
    """Keras: with Embedding(mask_zero=True), a step reading index 0 leaves h (and c) as they
    were and repeats the previous output; GlobalAveragePooling1D averages the kept steps."""
    model = build_model("Embedding(5, 2, mask_zero=True) > LSTM(3, return_sequences=True) > "
                        "GlobalAveragePooling1D()", T=4)
    x = np.array([[0, 2, 0, 3]])
    seq = model.layers[1]
    model.forward(x)
    out = seq.outputs[0][0]
    assert np.all(out[0] == 0) and np.all(out[2] == out[1])
    plain = build_model("Embedding(5, 2) > LSTM(3, return_sequences=True)", T=2)
    for (_, a), (_, b) in zip(plain.named_parameters(), model.named_parameters(), strict=True):
        a[...] = b
    want = plain.forward(np.array([[2, 3]]))[0]
    assert np.allclose(out[[1, 3]], want)
    assert np.allclose(model.layers[2].outputs[0][0], want.mean(axis=0))


def test_keras_allows_no_layer_after_return_state():
    with pytest.raises(ModelError, match="no layer can follow it"):
        build_model("Input(shape=(3, 2)) > LSTM(4, return_state=True) > Dense(1)")


# --- every layer kind: shapes without weights, every parameter matters -------------------

SMALL = [
    "Embedding(6, 3) > LSTM(4) > Dense(2, activation='tanh')",
    "Embedding(6, 3, mask_zero=True) > GRU(3, return_sequences=True) > "
    "GlobalAveragePooling1D()",
    "Input(shape=(5, 2)) > GRU(3, reset_after=False, return_sequences=True) > "
    "TimeDistributed(Dense(2)) > GlobalMaxPooling1D()",
    "Input(shape=(4, 2)) > Bidirectional(LSTM(2, return_sequences=True), merge_mode='sum') > "
    "Flatten() > Dense(1)",
    "Input(shape=(6, 2)) > Conv1D(3, 2, padding='same') > AveragePooling1D(2) > "
    "BatchNormalization() > SimpleRNN(2)",
    "Input(shape=(6, 2)) > Conv1D(2, 3, dilation_rate=2, padding='causal') > "
    "LayerNormalization() > GlobalAveragePooling1D() > RepeatVector(2) > LSTM(2)",
    "Input(shape=(3, 4)) > Reshape((4, 3)) > SpatialDropout1D(0.1) > Activation('tanh') > "
    "Dropout(0.3) > SimpleRNN(2, return_sequences=True) > MaxPooling1D(2)",
    "Input(shape=(3, 4, 4, 1)) > ConvLSTM2D(2, (2, 2), padding='same')",
    "nn.Embedding(6, 3) > nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2) > "
    "nn.Linear(4, 2)",
    "nn.Embedding(6, 3, padding_idx=0) > nn.GRU(3, 2, batch_first=True) > nn.LayerNorm(2) > "
    "nn.Tanh() > nn.Linear(2, 1)",
    "nn.Linear(3, 4) > nn.RNN(4, 3, nonlinearity='tanh', bidirectional=True) > nn.Linear(6, 2)",
    "nn.Conv1d(2, 3, 2, padding=1) > nn.MaxPool1d(2) > nn.BatchNorm1d(3) > nn.Sigmoid() > "
    "nn.Flatten() > nn.Linear(6, 2)",
    "nn.Linear(3, 4) > nn.GELU() > nn.RNNCell(4, 3)",
    "nn.LSTMCell(3, 2)",
    "nn.GRUCell(3, 2) > nn.Linear(2, 2) > nn.Softmax(dim=-1)",
]


@pytest.mark.parametrize("line", SMALL)
def test_shapes_and_counts_do_not_need_allocated_weights(line):
    real = build_model(line, T=4, batch=3)
    placeholder = build_model(line, T=4, batch=3, allocate=False)
    assert [lay.output_shapes for lay in real.layers] == \
        [lay.output_shapes for lay in placeholder.layers]
    assert [(k, a.shape) for k, a in real.named_parameters()] == \
        [(k, a.shape) for k, a in placeholder.named_parameters()]
    assert all(a.strides == (0,) * a.ndim for _, a in placeholder.named_parameters())


def _zero_state_rows(model, layer, name, array, k):
    """A cell in a Sequential runs one step from h = c = 0: weight_hh multiplies zeros, and an
    LSTMCell's forget gate multiplies c = 0 (rows n..2n of its input-side tensors)."""
    if not layer.isdigit() or "Cell" not in model.layers[int(layer)].type:
        return False
    if name == "weight_hh":
        return True
    kind = model.layers[int(layer)].type
    n = array.shape[0] // 4
    row = k // (array.shape[1] if array.ndim == 2 else 1)
    return kind == "LSTMCell" and n <= row < 2 * n


@pytest.mark.parametrize("line", SMALL)
def test_every_parameter_element_influences_the_output(line):
    model = build_model(line, T=4, batch=3, rng=np.random.default_rng(2))
    x = model.example_input(np.random.default_rng(5))
    if model.index_range is not None:  # look every row up
        lo, hi = model.index_range
        x = (np.arange(x.size) % (hi - lo) + lo).reshape(x.shape)[:, ::-1]
    first = model.layers[0]
    mask_zero = first.type == "Embedding" and first.framework == "keras" and \
        first.spec["mask_zero"]
    base = model.forward(x)
    dead = []
    for (layer, name), array in model.named_parameters():
        flat = array.reshape(-1)
        for k in range(flat.size):
            old = flat[k]
            flat[k] = old + 0.1
            moved = not np.allclose(model.forward(x), base, rtol=0, atol=1e-12)
            flat[k] = old
            masked = name == "embeddings" and k < array.shape[1] and mask_zero  # index 0
            zero_state = _zero_state_rows(model, layer, name, array, k)
            if not moved and not masked and not zero_state:
                dead.append(f"{layer}/{name}[{k}]")
    assert not dead, f"{line}: no influence from {dead[:10]}"


def test_a_large_model_is_counted_without_allocating():
    model = build_model("Embedding(2000000, 3000) > LSTM(4000) > Dense(1000)", T=50,
                        allocate=False)
    assert model.count() == 2_000_000 * 3000 + 4 * (4000 * 3000 + 4000 * 4000 + 4000) \
        + 4000 * 1000 + 1000
    assert model.layers[1].output_shapes == ((2, 4000),)


# --- the CONVENTIONS.md table ("Whole models"), row by row ---------------------------------

V, d, T, m, u, c, f, k = 50, 6, 7, 5, 4, 3, 8, 3
CONVENTIONS = [
    # line, layer index, parameters, trainable, output shape (Keras batch None -> B = 2)
    (f"Embedding({V}, {d})", 0, V * d, V * d, (2, 3, d)),
    (f"Embedding({V}, {d}, mask_zero=True, trainable=False)", 0, V * d, 0, (2, 3, d)),
    (f"nn.Embedding({V}, {d}, padding_idx=0)", 0, V * d, V * d, (2, 3, d)),
    (f"Input(shape=({T}, {m})) > SimpleRNN({u})", 0, u * m + u * u + u, None, (2, u)),
    (f"Input(shape=({T}, {m})) > LSTM({u}, return_sequences=True)", 0,
     4 * (u * m + u * u + u), None, (2, T, u)),
    (f"Input(shape=({T}, {m})) > GRU({u})", 0, 3 * (u * m + u * u + 2 * u), None, (2, u)),
    (f"Input(shape=({T}, {m})) > GRU({u}, reset_after=False)", 0, 3 * (u * m + u * u + u),
     None, (2, u)),
    (f"Input(shape=({T}, {m})) > Bidirectional(LSTM({u}, return_sequences=True))", 0,
     2 * 4 * (u * m + u * u + u), None, (2, T, 2 * u)),
    (f"Input(shape=({T}, {m})) > Bidirectional(GRU({u}), merge_mode='sum')", 0,
     2 * 3 * (u * m + u * u + 2 * u), None, (2, u)),
    (f"Input(shape=({T}, {m})) > Dense({u})", 0, m * u + u, None, (2, T, u)),
    (f"Input(shape=({m},)) > Dense({u})", 0, m * u + u, None, (2, u)),
    (f"nn.Linear({m}, {u})", 0, m * u + u, None, (2, u)),
    (f"Input(shape=({T}, {m})) > TimeDistributed(Dense({u}))", 0, m * u + u, None, (2, T, u)),
    (f"Input(shape=({T}, {m})) > SpatialDropout1D(0.5)", 0, 0, 0, (2, T, m)),
    (f"Input(shape=({m},)) > RepeatVector({k})", 0, 0, 0, (2, k, m)),
    (f"Input(shape=({T}, {m})) > Flatten()", 0, 0, 0, (2, T * m)),
    (f"Input(shape=({T}, {c})) > Conv1D({f}, {k})", 0, k * c * f + f, None,
     (2, (T - k) // 1 + 1, f)),
    (f"Input(shape=({T}, {c})) > Conv1D({f}, {k}, strides=2, padding='same')", 0,
     k * c * f + f, None, (2, -(-T // 2), f)),
    (f"Input(shape=({T}, {c})) > MaxPooling1D(2)", 0, 0, 0, (2, (T - 2) // 2 + 1, c)),
    (f"Input(shape=({T}, {c})) > GlobalAveragePooling1D()", 0, 0, 0, (2, c)),
    (f"Input(shape=({T}, {c})) > BatchNormalization()", 0, 4 * c, 2 * c, (2, T, c)),
    (f"Input(shape=({T}, {c})) > LayerNormalization()", 0, 2 * c, 2 * c, (2, T, c)),
    (f"nn.Linear({m}, {c}) > nn.LayerNorm({c})", 1, 2 * c, 2 * c, (2, c)),
    (f"nn.Linear({m}, {c}) > nn.BatchNorm1d({c})", 1, 2 * c, 2 * c, (2, c)),
    (f"Input(shape=({T}, 6, 6, {c})) > ConvLSTM2D({f}, (3, 2))", 0,
     4 * (3 * 2 * c * f + 3 * 2 * f * f + f), None, (2, 4, 5, f)),
    (f"nn.RNNCell({m}, {u})", 0, u * m + u * u + 2 * u, None, (2, u)),
    (f"nn.LSTMCell({m}, {u})", 0, 4 * (u * m + u * u + 2 * u), None, (2, u)),
    (f"nn.GRUCell({m}, {u})", 0, 3 * (u * m + u * u + 2 * u), None, (2, u)),
]


@pytest.mark.parametrize("line, index, count, trainable, shape", CONVENTIONS)
def test_the_conventions_table(line, index, count, trainable, shape):
    layer = build_model(line).layers[index]
    assert layer.count() == count
    assert layer.trainable_count() == (count if trainable is None else trainable)
    assert layer.output_shapes[0] == shape


def test_pytorch_recurrent_output_h_n_c_n_as_conventions_states():
    """output (B, T, D·H_out) with batch_first, else (T, B, D·H_out); h_n (D·L, B, H_out);
    c_n (D·L, B, n); H_out = proj_size if set."""
    first = build_model("nn.LSTM(5, 6, num_layers=3, bidirectional=True, proj_size=2, "
                        "batch_first=True)", T=7, batch=4).layers[0]
    assert first.output_shapes == ((4, 7, 4), (6, 4, 2), (6, 4, 6))
    second = build_model("nn.GRU(5, 6, num_layers=2)", T=7, batch=4).layers[0]
    assert second.output_shapes == ((7, 4, 6), (2, 4, 6))
