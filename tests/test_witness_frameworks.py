"""The whole-model witness against real Keras 3 and PyTorch: the SAME weights copied into the
framework's model give the same outputs, and the names, shapes, counts, trainable split and
every output shape agree, over random model lines. Skipped without the framework.

A failure prints the model line, "ours" and "theirs".
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnquiz.description.model import parse_model
from rnnquiz.description.signatures import KERAS
from rnnquiz.witness.models import build_model

os.environ.setdefault("KERAS_BACKEND", "numpy")
KERAS2_INPUT = {"input_shape", "input_dim", "input_length", "batch_input_shape"}
SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                      HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def keras():
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "numpy":
        pytest.skip("keras was imported with another backend")
    old = keras.config.floatx()
    keras.config.set_floatx("float64")
    yield keras
    keras.config.set_floatx(old)


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _mismatch(line, what, ours, theirs):
    if isinstance(ours, np.ndarray):
        gap = np.max(np.abs(ours - theirs)) if ours.shape == np.shape(theirs) else "shapes differ"
        what = f"{what} (largest difference {gap})"
        ours, theirs = (np.array2string(np.asarray(a).ravel()[:8], precision=6) + " ..."
                        for a in (ours, theirs))
    return f"{line}\n{what}\n  ours:   {ours}\n  theirs: {theirs}"


# --- Keras ---------------------------------------------------------------------------------

def _keras_layer(keras, layer):
    own = {p[0] for p in KERAS[layer.kind]}
    kwargs = {k: layer.args[k] for k in layer.given if k not in KERAS2_INPUT or k in own}
    if layer.inner is not None:
        kwargs["layer"] = _keras_layer(keras, layer.inner)
    return getattr(keras.layers, layer.kind)(**kwargs)


def _keras_names(layer):
    """The contract's tensor names for one Keras layer: w.name, and for Bidirectional
    "forward_<inner>/<name>"."""
    names = []
    for w in layer.weights:
        parts = w.path.split("/")
        side = parts[parts.index(layer.name) + 1] if layer.__class__.__name__ == \
            "Bidirectional" else None
        names.append(f"{side}/{w.name}" if side else w.name)
    return names


def check_keras(keras, line, T=4, batch=3, seed=0, x=None):
    spec = parse_model(line)
    ours = build_model(spec, T=T, batch=batch, rng=np.random.default_rng(seed))
    keras.utils.clear_session()
    inputs = keras.Input(shape=ours.input_shape[1:],
                         dtype="int32" if ours.index_range else "float64")
    model = keras.Sequential([inputs] + [_keras_layer(keras, layer) for layer in spec.layers])
    assert [w.name for w in ours.layers] == [k.name for k in model.layers], _mismatch(
        line, "layer names", [w.name for w in ours.layers], [k.name for k in model.layers])
    for mine, theirs in zip(ours.layers, model.layers, strict=True):
        here = f"layer {mine.name}"
        got = [(k, a.shape) for k, a in mine.parameters().items()]
        want = list(zip(_keras_names(theirs), [tuple(w.shape) for w in theirs.weights],
                        strict=True))
        assert got == want, _mismatch(line, f"{here} tensors", got, want)
        # the layer's own view (Keras 3.15's model.summary() still counts the weights of a
        # Bidirectional(..., trainable=False) as trainable: the flag is not passed on to the
        # copies the wrapper makes, though layer.trainable_weights is empty)
        own = {id(w) for w in theirs.trainable_weights}
        trainable = sorted(k for k, w in zip(_keras_names(theirs), theirs.weights, strict=True)
                           if id(w) in own)
        assert sorted(mine.trainable_names) == trainable, _mismatch(
            line, f"{here} trainable", sorted(mine.trainable_names), trainable)
        outs = theirs.output if isinstance(theirs.output, (list, tuple)) else [theirs.output]
        want_shapes = [tuple(o.shape) for o in outs]
        got_shapes = [(None,) + s[1:] for s in mine.output_shapes]
        assert got_shapes == want_shapes, _mismatch(line, f"{here} output shapes", got_shapes,
                                                    want_shapes)
        theirs.set_weights([np.array(a) for a in mine.parameters().values()])
    assert ours.count() == model.count_params()
    x = ours.example_input(np.random.default_rng(seed + 1)) if x is None else x
    ours.forward(x)
    theirs = model.predict(x, verbose=0)
    theirs = list(theirs) if isinstance(theirs, (list, tuple)) else [theirs]
    for k, (mine, their) in enumerate(zip(ours.layers[-1].outputs, theirs, strict=True)):
        # Keras's numpy backend computes parts in float32 even with floatx float64, and a
        # normalisation over a few features of small variance amplifies that rounding (seen:
        # 8.5e-6 after log_softmax > BatchNormalization x2 > LayerNormalization on 2 features).
        assert np.allclose(mine, their, rtol=1e-4, atol=1e-5, equal_nan=True), _mismatch(
            line, f"output {k}", mine, their)


KERAS_LINES = [
    "Embedding(5000, 32, input_length=10) > LSTM(100) > Dense(1, activation='sigmoid')",
    "Input(shape=(16, 40)) > Bidirectional(LSTM(6, return_sequences=True)) > "
    "TimeDistributed(Dense(10))",
    "Embedding(20, 4, trainable=False) > GRU(3, reset_after=False, return_sequences=True) > "
    "Bidirectional(SimpleRNN(2, activation='relu'), merge_mode='mul')",
    "Input(shape=(7, 3)) > Conv1D(4, 3, padding='causal', dilation_rate=2, "
    "activation='relu') > MaxPooling1D(2, padding='same') > BatchNormalization() > "
    "GRU(3, go_backwards=True)",
    "Input(shape=(8, 2)) > Conv1D(4, 3, strides=2, padding='same', groups=2) > "
    "AveragePooling1D(2, strides=1, padding='same') > LayerNormalization() > "
    "GlobalMaxPooling1D() > RepeatVector(3) > LSTM(2, return_sequences=True) > Flatten() > "
    "Dense(2, activation='softmax')",
    "Input(shape=(6,)) > Dense(6, activation='gelu') > Reshape((3, 2)) > "
    "SpatialDropout1D(0.3) > Activation('swish') > Dropout(0.2) > "
    "GlobalAveragePooling1D(keepdims=True) > BatchNormalization(center=False) > "
    "LayerNormalization(scale=False)",
    "Input(shape=(4, 3)) > LSTM(3, return_state=True)",
    "Input(shape=(4, 3)) > Bidirectional(GRU(2, return_sequences=True, return_state=True))",
    "Input(shape=(3, 5, 5, 2)) > ConvLSTM2D(3, (3, 3), padding='same', "
    "return_sequences=True) > Flatten()",
    "Input(shape=(3, 6, 5, 1)) > ConvLSTM2D(2, (2, 3), strides=(2, 1), use_bias=False)",
    "Input(shape=(5, 3)) > SimpleRNN(4, use_bias=False, return_sequences=True) > "
    "LSTM(2, activation='softsign', recurrent_activation='hard_sigmoid')",
    "LSTM(8, input_dim=3, return_sequences=True) > GRU(2, input_shape=(9, 9))",
    "Bidirectional(GRU(4), input_shape=(None, 2), trainable=False) > Dense(3, use_bias=False)",
]


@pytest.mark.parametrize("line", KERAS_LINES)
def test_keras_same_weights_same_everything(keras, line):
    check_keras(keras, line)


MASKED = [
    "Embedding(9, 3, mask_zero=True) > LSTM(2, return_sequences=True) > Dense(1)",
    "Embedding(9, 3, mask_zero=True) > Bidirectional(GRU(2, return_sequences=True)) > "
    "GlobalAveragePooling1D()",
    "Embedding(9, 3, mask_zero=True) > SpatialDropout1D(0.1) > SimpleRNN(2, go_backwards=True, "
    "return_sequences=True) > LayerNormalization() > LSTM(2)",
    "Embedding(9, 3, mask_zero=True) > Bidirectional(LSTM(2), merge_mode='sum') > Dense(1)",
    "Embedding(9, 3, mask_zero=True) > Conv1D(2, 2, padding='same') > LSTM(2)",
    "Embedding(9, 3, mask_zero=True) > TimeDistributed(Dense(2)) > Dropout(0.2) > "
    "GRU(2, reset_after=False, return_state=True)",
]


@pytest.mark.filterwarnings("ignore:.*does not support masking")
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("line", MASKED)
def test_keras_masks_steps_reading_index_zero(keras, line):
    """Leading, inner and trailing padding, and a row that is all padding."""
    x = np.array([[0, 0, 3, 4, 1], [5, 0, 6, 0, 0], [7, 8, 2, 1, 3], [0, 0, 0, 0, 0]])
    check_keras(keras, line, T=5, batch=4, x=x)


ACTS = ["None", "'relu'", "'tanh'", "'sigmoid'", "'softmax'", "'elu'", "'selu'", "'softplus'",
        "'softsign'", "'swish'", "'hard_sigmoid'", "'leaky_relu'", "'mish'", "'gelu'",
        "'linear'", "'relu6'", "'exponential'", "'log_softmax'"]


@st.composite
def keras_lines(draw):
    """(line, T): T is the input's time steps (the witness fills an open T with it)."""
    T = T0 = draw(st.integers(2, 6))
    parts = []
    if draw(st.booleans()):
        V = draw(st.integers(2, 12))
        length = draw(st.sampled_from(["", f", input_length={T}"]))
        mask = draw(st.sampled_from(["", ", mask_zero=True"]))
        parts.append(f"Embedding({V}, {draw(st.integers(1, 4))}{length}{mask})")
        state, width = "seq", int(parts[0].split(",")[1].strip(" )"))
    else:
        width = draw(st.integers(1, 4))
        parts.append(f"Input(shape=({T}, {width}))")
        state = "seq"
    for _ in range(draw(st.integers(1, 4))):
        if state == "seq":
            op = draw(st.sampled_from(["rnn", "bi", "dense", "td", "conv", "pool", "gpool",
                                       "norm", "same", "flatten"]))
        else:
            op = draw(st.sampled_from(["dense", "repeat", "norm", "same", "reshape"]))
        u = draw(st.integers(1, 4))
        if op in ("rnn", "bi"):
            cls = draw(st.sampled_from(["SimpleRNN", "LSTM", "GRU"]))
            rs = draw(st.booleans())
            opts = [str(u), f"return_sequences={rs}", f"use_bias={draw(st.booleans())}"]
            if cls == "GRU":
                opts.append(f"reset_after={draw(st.booleans())}")
            if op == "rnn" and draw(st.booleans()):
                opts.append("go_backwards=True")
            if cls == "SimpleRNN":
                opts.append(f"activation={draw(st.sampled_from(['tanh', 'relu', 'sigmoid']))!r}")
            text = f"{cls}({', '.join(opts)})"
            if op == "bi":
                mode = draw(st.sampled_from(["concat", "sum", "mul", "ave"]))
                text = f"Bidirectional({text}, merge_mode='{mode}')"
                u = 2 * u if mode == "concat" else u
            parts.append(text)
            state, width = ("seq" if rs else "vec"), u
        elif op == "dense":
            parts.append(f"Dense({u}, activation={draw(st.sampled_from(ACTS))}, "
                         f"use_bias={draw(st.booleans())})")
            width = u
        elif op == "td":
            parts.append(f"TimeDistributed(Dense({u}))")
            width = u
        elif op == "conv":
            k = draw(st.integers(1, T))
            pad = draw(st.sampled_from(["valid", "same", "causal"]))
            s, d = draw(st.integers(1, 2)), 1
            if s == 1:
                d = draw(st.integers(1, 2))
            if pad == "valid" and d * (k - 1) + 1 > T:
                d = 1
            parts.append(f"Conv1D({u}, {k}, strides={s}, padding='{pad}', dilation_rate={d})")
            span = d * (k - 1) + 1
            T = (T - span) // s + 1 if pad == "valid" else -(-T // s)
            width = u
        elif op == "pool":
            kind = draw(st.sampled_from(["MaxPooling1D", "AveragePooling1D"]))
            p = draw(st.integers(1, T))
            s = draw(st.integers(1, 2))
            pad = draw(st.sampled_from(["valid", "same"]))
            parts.append(f"{kind}({p}, strides={s}, padding='{pad}')")
            T = (T - p) // s + 1 if pad == "valid" else -(-T // s)
        elif op == "gpool":
            parts.append(draw(st.sampled_from(["GlobalMaxPooling1D()",
                                               "GlobalAveragePooling1D()"])))
            state = "vec"
        elif op == "norm":
            # (LayerNormalization of one feature is beta plus Keras's float32 rounding / 0.03)
            parts.append(draw(st.sampled_from(["BatchNormalization()", "LayerNormalization()"]
                                              if width > 1 else ["BatchNormalization()"])))
        elif op == "same":
            parts.append(draw(st.sampled_from(["Dropout(0.5)", "SpatialDropout1D(0.2)"
                                               if state == "seq" else "Dropout(0.1)",
                                               "Activation('tanh')"])))
        elif op == "flatten":
            parts.append("Flatten()")
            state, width = "vec", T * width
        elif op == "repeat":
            T = draw(st.integers(1, 4))
            parts.append(f"RepeatVector({T})")
            state = "seq"
        elif op == "reshape":
            a = draw(st.sampled_from([k for k in range(1, width + 1) if width % k == 0]))
            parts.append(f"Reshape(({a}, {width // a}))")
            state, T, width = "seq", a, width // a
    return " > ".join(parts), T0


@pytest.mark.filterwarnings("ignore:.*does not support masking")
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@settings(SLOW, max_examples=12)
@given(keras_lines(), st.integers(0, 1000))
def test_keras_random_models(keras, line_and_T, seed):
    line, T = line_and_T
    check_keras(keras, line, T=T, seed=seed)


# --- PyTorch -------------------------------------------------------------------------------

def check_torch(torch, line, T=4, batch=3, seed=0):
    spec = parse_model(line)
    ours = build_model(spec, T=T, batch=batch, rng=np.random.default_rng(seed))
    modules = [getattr(torch.nn, layer.kind)(**{k: layer.args[k] for k in layer.given})
               .double().eval() for layer in spec.layers]
    for mine, module in zip(ours.layers, modules, strict=True):
        got = [(k, a.shape) for k, a in mine.parameters().items()]
        want = [(k, tuple(p.shape)) for k, p in module.named_parameters()]
        assert got == want, _mismatch(line, f"module {mine.name} tensors", got, want)
        trainable = {k for k, p in module.named_parameters() if p.requires_grad}
        assert mine.trainable_names == trainable, _mismatch(
            line, f"module {mine.name} trainable", mine.trainable_names, trainable)
        state = module.state_dict()
        for k, a in list(mine.parameters().items()) + list(mine.buffers.items()):
            state[k] = torch.from_numpy(np.array(a))
        module.load_state_dict(state)
    x = ours.example_input(np.random.default_rng(seed + 1))
    ours.forward(x)
    h = torch.from_numpy(x)
    with torch.no_grad():
        for layer, module in zip(ours.layers, modules, strict=True):
            out = module(h)
            if isinstance(out, tuple):  # (output, h_n), (output, (h_n, c_n)), (h, c)
                flat = [out[0]] + (list(out[1]) if isinstance(out[1], tuple) else [out[1]])
            else:
                flat = [out]
            shapes = tuple(tuple(t.shape) for t in flat)
            assert layer.output_shapes == shapes, _mismatch(
                line, f"module {layer.name} output shapes", layer.output_shapes, shapes)
            for k, (mine, theirs) in enumerate(zip(layer.outputs, flat, strict=True)):
                assert np.allclose(mine, theirs.numpy(), rtol=1e-6, atol=1e-10), _mismatch(
                    line, f"module {layer.name} output {k}", mine, theirs.numpy())
            h = flat[0]


TORCH_LINES = [
    "nn.Embedding(10000, 30) > nn.LSTM(30, 12, num_layers=2, bidirectional=True, "
    "batch_first=True) > nn.Linear(24, 5)",
    "nn.Embedding(50, 6, padding_idx=0, max_norm=1.0) > nn.GRU(6, 4, bias=False) > "
    "nn.LayerNorm(4) > nn.GELU(approximate='tanh') > nn.Linear(4, 3)",
    "nn.Embedding(50, 6, _freeze=True) > nn.RNN(6, 4, num_layers=3, nonlinearity='relu', "
    "dropout=0.3, batch_first=True)",
    "nn.LSTM(5, 6, proj_size=2, num_layers=2, bidirectional=True) > nn.Dropout(0.2) > "
    "nn.Linear(4, 2) > nn.Softmax(dim=-1)",
    "nn.Conv1d(3, 4, 3, padding=1, padding_mode='reflect') > nn.MaxPool1d(2, ceil_mode=True) > "
    "nn.BatchNorm1d(4) > nn.ReLU() > nn.Conv1d(4, 2, 2, dilation=2, padding='same', "
    "padding_mode='circular') > nn.AvgPool1d(3, stride=1, padding=1, "
    "count_include_pad=False) > nn.Flatten() > nn.Linear(4, 2)",
    "nn.Linear(3, 5) > nn.BatchNorm1d(5, affine=False) > nn.LeakyReLU(0.2) > "
    "nn.BatchNorm1d(5, track_running_stats=False) > nn.GRUCell(5, 4) > nn.Tanh() > "
    "nn.LSTMCell(4, 3)",
    "nn.Linear(4, 6) > nn.LayerNorm(6, elementwise_affine=False) > nn.RNNCell(6, 2, bias=False)"
    " > nn.Sigmoid() > nn.LogSoftmax(dim=1) > nn.Identity()",
    "nn.Linear(3, 4) > nn.GRU(4, 3, batch_first=True) > nn.Flatten() > nn.Linear(12, 1)",
]


@pytest.mark.parametrize("line", TORCH_LINES)
def test_pytorch_same_weights_same_everything(torch, line):
    check_torch(torch, line)


CONV_T = 5


@st.composite
def torch_lines(draw):
    kind = draw(st.sampled_from(["seq", "seq", "conv", "vec"]))
    parts = []
    if kind == "seq":
        bf = draw(st.booleans())
        start = draw(st.sampled_from(["emb", "linear", "rec"]))
        width = draw(st.integers(1, 5))
        if start == "emb":
            parts.append(f"nn.Embedding({draw(st.integers(2, 12))}, {width})")
        elif start == "linear":
            m = draw(st.integers(1, 4))
            parts.append(f"nn.Linear({m}, {width})")
        steps = draw(st.lists(st.sampled_from(["rec", "linear", "norm", "act"]), min_size=0,
                              max_size=3))
        for op in ["rec"] + steps:
            if op == "rec":
                cls = draw(st.sampled_from(["RNN", "LSTM", "GRU"]))
                n, L = draw(st.integers(2, 5)), draw(st.integers(1, 2))
                bi, bias = draw(st.booleans()), draw(st.booleans())
                opts = [f"{width}", f"{n}", f"num_layers={L}", f"bidirectional={bi}",
                        f"bias={bias}", f"batch_first={bf}"]
                out = n
                if cls == "LSTM" and draw(st.booleans()):
                    out = draw(st.integers(1, n - 1))
                    opts.append(f"proj_size={out}")
                if cls == "RNN":
                    opts.append(f"nonlinearity={draw(st.sampled_from(['tanh', 'relu']))!r}")
                parts.append(f"nn.{cls}({', '.join(opts)})")
                width = (2 if bi else 1) * out
            elif op == "linear":
                u = draw(st.integers(1, 4))
                parts.append(f"nn.Linear({width}, {u}, bias={draw(st.booleans())})")
                width = u
            elif op == "norm":
                parts.append(f"nn.LayerNorm({width})")
            else:
                parts.append(draw(st.sampled_from(["nn.ReLU()", "nn.Tanh()", "nn.Dropout()",
                                                   "nn.GELU()", "nn.Softmax(dim=-1)"])))
        return " > ".join(parts)
    if kind == "conv":
        c = draw(st.integers(1, 3))
        f = draw(st.integers(1, 3))
        k = draw(st.integers(1, 3))
        parts.append(f"nn.Conv1d({c}, {f}, {k}, stride={draw(st.integers(1, 2))}, "
                     f"padding={draw(st.integers(0, 2))})")
        for op in draw(st.lists(st.sampled_from(["max", "avg", "bn", "act"]), max_size=2)):
            if op == "max":
                kk = draw(st.integers(1, 2))
                pad = draw(st.integers(0, kk // 2))
                parts.append(f"nn.MaxPool1d({kk}, stride=1, padding={pad}, "
                             f"ceil_mode={draw(st.booleans())})")
            elif op == "avg":
                parts.append(f"nn.AvgPool1d(2, stride={draw(st.integers(1, 2))}, padding=1, "
                             f"ceil_mode={draw(st.booleans())}, "
                             f"count_include_pad={draw(st.booleans())})")
            elif op == "bn":
                parts.append(f"nn.BatchNorm1d({f})")
            else:
                parts.append("nn.ReLU()")
        parts.append("nn.Flatten()")
        # the Linear reads what the witness says arrives: torch refuses it if that is wrong
        width = build_model(" > ".join(parts), T=CONV_T, allocate=False).layers[-1] \
            .output_shapes[0][1]
        parts.append(f"nn.Linear({width}, 2)")
        return " > ".join(parts)
    width = draw(st.integers(1, 4))
    u = draw(st.integers(1, 4))
    parts.append(f"nn.Linear({width}, {u})")
    for op in draw(st.lists(st.sampled_from(["linear", "bn", "ln", "act", "cell"]),
                            max_size=3)):
        if op == "linear":
            v = draw(st.integers(1, 4))
            parts.append(f"nn.Linear({u}, {v})")
            u = v
        elif op == "bn":
            parts.append(f"nn.BatchNorm1d({u})")
        elif op == "ln":
            parts.append(f"nn.LayerNorm({u})")
        elif op == "act":
            parts.append("nn.Sigmoid()")
        else:
            cls = draw(st.sampled_from(["RNNCell", "GRUCell", "LSTMCell"]))
            v = draw(st.integers(1, 4))
            parts.append(f"nn.{cls}({u}, {v})")
            u = v
    return " > ".join(parts)


@settings(SLOW, max_examples=40)
@given(torch_lines(), st.integers(0, 1000), st.integers(1, 6), st.integers(1, 3))
def test_pytorch_random_models(torch, line, seed, T, batch):
    check_torch(torch, line, T=CONV_T if "Conv1d" in line else T, batch=batch, seed=seed)
