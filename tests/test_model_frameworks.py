"""Whole models cross-checked with Keras 3 and PyTorch: random model lines, built in the real
framework, must agree with count_model layer by layer (count, trainable split, tensor names
and shapes, output shapes; PyTorch's h_n and c_n). Skipped when a framework is missing.

A failure prints the spec, "ours" and "theirs".
"""

import os

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rnnquiz.calculator.model import count_model
from rnnquiz.description.model import parse_model
from rnnquiz.errors import ModelError

os.environ.setdefault("KERAS_BACKEND", "numpy")
SETTINGS = settings(max_examples=int(os.environ.get("RNNQUIZ_EXAMPLES", "40")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
KERAS2_INPUT = ("input_shape", "input_dim", "input_length", "batch_input_shape")


def _keras():
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "numpy":
        pytest.skip("keras was imported with another backend")
    return keras


def _torch():
    return pytest.importorskip("torch")


def _disagree(line, ours, theirs):
    return f"\nspec:   {line}\nours:   {ours}\ntheirs: {theirs}"


# --- Keras ---------------------------------------------------------------------------------

def _keras_layer(keras, layer):
    kwargs = {}
    for name in layer.given:
        if name in KERAS2_INPUT and not (layer.kind == "Embedding" and name == "input_dim"):
            continue
        value = layer.args[name]
        kwargs[name] = _keras_layer(keras, value) if name == "layer" else value
    return getattr(keras.layers, layer.kind)(**kwargs)


def _keras_path(path):
    """'sequential/bidirectional/forward_lstm/lstm_cell/kernel' -> 'forward_lstm/kernel',
    'sequential/lstm/lstm_cell/kernel' -> 'kernel' (our names within a layer)."""
    parts = [p for p in path.split("/")[2:] if not p.endswith("_cell")]
    if parts and not parts[0].startswith(("forward_", "backward_")):
        parts = parts[-1:]
    return "/".join(parts)


def keras_check(line, T):  # noqa: N803
    keras = _keras()
    import numpy as np

    ours = count_model(line, T=T)
    spec = parse_model(line)
    keras.backend.clear_session()
    built = [_keras_layer(keras, layer) for layer in spec.layers]
    model = keras.Sequential([keras.Input(shape=ours.input_shape[1:]), *built])
    assert len(model.layers) == len(ours.layers)
    for mine, theirs in zip(ours.layers, model.layers, strict=True):
        trainable = sum(int(np.prod(w.shape)) for w in theirs.trainable_weights)
        outputs = theirs.output if isinstance(theirs.output, list) else [theirs.output]
        got = (mine.name, mine.parameters, mine.trainable,
               [mine.output_shape, *(mine.states or ())],
               [(t.name, t.shape) for t in mine.tensors])
        want = (theirs.name, theirs.count_params(), trainable,
                [tuple(o.shape) for o in outputs],
                [(_keras_path(w.path), tuple(w.shape)) for w in theirs.weights])
        assert got == want, _disagree(line, got, want)
    assert (ours.total, ours.trainable) == (
        model.count_params(), sum(int(np.prod(w.shape)) for w in model.trainable_weights))


@st.composite
def keras_recurrent(draw, last=False):
    kind = draw(st.sampled_from(["SimpleRNN", "LSTM", "GRU"]))
    args = [str(draw(st.integers(1, 6)))]
    if not last:
        args.append("return_sequences=True")
    if draw(st.booleans()):
        args.append(f"use_bias={draw(st.booleans())}")
    if kind == "GRU" and draw(st.booleans()):
        args.append(f"reset_after={draw(st.booleans())}")
    text = f"{kind}({', '.join(args)})"
    if draw(st.booleans()):
        mode = draw(st.sampled_from(["concat", "sum", "mul", "ave"]))
        text = f"Bidirectional({text}, merge_mode='{mode}')"
    return text


@st.composite
def keras_lines(draw):
    T = draw(st.integers(8, 14))  # noqa: N806
    if draw(st.booleans()):
        frozen = ", trainable=False" if draw(st.integers(0, 3)) == 0 else ""
        parts = [f"Embedding({draw(st.integers(2, 30))}, {draw(st.integers(1, 6))}{frozen})"]
    else:
        parts = [f"Input(shape=({T}, {draw(st.integers(1, 6))}))"]
    middle = st.one_of(
        keras_recurrent(),
        st.builds(lambda f, k, s, p: f"Conv1D({f}, {k}, strides={s}, padding='{p}')",
                  st.integers(1, 5), st.integers(1, 3), st.integers(1, 2),
                  st.sampled_from(["valid", "same", "causal"])),
        st.builds(lambda kind, p: f"{kind}({p})", st.sampled_from(
            ["MaxPooling1D", "AveragePooling1D"]), st.integers(1, 2)),
        st.builds(lambda c, s: f"BatchNormalization(center={c}, scale={s})", st.booleans(),
                  st.booleans()),
        st.just("LayerNormalization()"), st.just("Dropout(0.1)"),
        st.just("SpatialDropout1D(0.2)"), st.just("Activation('relu')"),
        st.builds(lambda u, b: f"TimeDistributed(Dense({u}, use_bias={b}))",
                  st.integers(1, 5), st.booleans()),
        st.builds(lambda u: f"Dense({u})", st.integers(1, 5)),
    )
    parts += draw(st.lists(middle, max_size=3))
    end = draw(st.sampled_from(["recurrent", "global", "flatten", "none"]))
    if end == "recurrent":
        parts.append(draw(keras_recurrent(last=True)))
        if draw(st.booleans()):
            parts += [f"RepeatVector({draw(st.integers(1, 4))})",
                      draw(keras_recurrent())]
    elif end == "global":
        parts.append(draw(st.sampled_from(["GlobalMaxPooling1D()",
                                           "GlobalAveragePooling1D()"])))
    elif end == "flatten":
        parts.append("Flatten()")
    if draw(st.booleans()):
        parts.append(f"Dense({draw(st.integers(1, 4))}, use_bias={draw(st.booleans())})")
    return " > ".join(parts), T


@SETTINGS
@given(keras_lines())
def test_random_keras_models_agree_with_keras(case):
    line, T = case  # noqa: N806
    try:
        count_model(line, T=T)
    except ModelError:
        assume(False)  # a window longer than the sequence: drawn again
    keras_check(line, T)


@pytest.mark.parametrize("line", [
    "Embedding(5000, 32, input_length=100) > LSTM(100) > Dense(1, activation='sigmoid')",
    "Input(shape=(16, 4096)) > Bidirectional(LSTM(64, return_sequences=True)) > "
    "TimeDistributed(Dense(10))",
    "Input(shape=(4, 10, 10, 3)) > ConvLSTM2D(8, (3, 3))",
    "Input(shape=(4, 9, 9, 2)) > ConvLSTM2D(3, (3, 2), strides=2, padding='same', "
    "return_sequences=True, use_bias=False) > BatchNormalization()",
    "Input(shape=(6, 5)) > Reshape((3, 10)) > LSTM(4, return_sequences=True) > Flatten()",
    "Input(shape=(6, 5)) > Reshape((-1, 10)) > Dense(3, use_bias=False) > Reshape((9,))",
    "Input(shape=(6, 5)) > LayerNormalization(center=False, scale=False)",
    "Input(shape=(12, 3)) > Conv1D(4, 3, dilation_rate=2) > Conv1D(4, 3, groups=2, "
    "padding='same') > AveragePooling1D(2, strides=1, padding='same')",
    "Input(shape=(7, 3)) > GlobalMaxPooling1D(keepdims=True) > GRU(2)",
    "Input(shape=(7, 3)) > LSTM(4, return_sequences=True) > Bidirectional(LSTM(3, "
    "return_sequences=True)) > LSTM(2, return_state=True)",
])
def test_keras_fixed_models(line):
    keras_check(line, 5)


# --- PyTorch -------------------------------------------------------------------------------

def torch_check(line, T, batch):  # noqa: N803
    torch = _torch()
    ours = count_model(line, T=T, batch=batch)
    spec = parse_model(line)
    modules = []
    for layer in spec.layers:
        kwargs = {name: layer.args[name] for name in layer.given}
        modules.append(getattr(torch.nn, layer.kind)(**kwargs))
    first = spec.layers[0]
    if first.kind == "Embedding":
        x = torch.randint(0, first["num_embeddings"], ours.input_shape)
    else:
        x = torch.randn(ours.input_shape)
    with torch.no_grad():
        for mine, layer, module in zip(ours.layers, spec.layers, modules, strict=True):
            out = module(x)
            h_n = c_n = None
            if isinstance(out, tuple):
                if layer.kind == "LSTMCell":
                    out = out[0]
                else:
                    out, states = out
                    h_n, c_n = states if isinstance(states, tuple) else (states, None)
            params = list(module.named_parameters())
            got = (mine.parameters, mine.trainable, mine.output_shape, mine.h_n_shape,
                   mine.c_n_shape, [(t.name, t.shape) for t in mine.tensors])
            want = (sum(p.numel() for _, p in params),
                    sum(p.numel() for _, p in params if p.requires_grad), tuple(out.shape),
                    tuple(h_n.shape) if h_n is not None else None,
                    tuple(c_n.shape) if c_n is not None else None,
                    [(name, tuple(p.shape)) for name, p in params])
            assert got == want, _disagree(line, got, want)
            x = out


@st.composite
def torch_lines(draw):
    T, batch = draw(st.integers(6, 12)), draw(st.integers(1, 3))  # noqa: N806
    start = draw(st.sampled_from(["embedding", "recurrent", "linear", "conv", "cell"]))
    width = draw(st.integers(1, 6))
    parts = []
    if start == "embedding":
        parts.append(f"nn.Embedding({draw(st.integers(2, 30))}, {width}"
                     + (", _freeze=True)" if draw(st.integers(0, 3)) == 0 else ")"))
    elif start == "linear":
        out = draw(st.integers(1, 6))
        parts.append(f"nn.Linear({width}, {out})")
        width = out
    elif start == "conv":
        f, k = draw(st.integers(1, 5)), draw(st.integers(1, 3))
        parts.append(f"nn.Conv1d({width}, {f}, {k}, stride={draw(st.integers(1, 2))}, "
                     f"padding={draw(st.integers(0, 1))}, bias={draw(st.booleans())})")
        if draw(st.booleans()):
            parts.append(f"nn.BatchNorm1d({f})")
        parts.append(draw(st.sampled_from(["nn.ReLU()", "nn.Tanh()", "nn.Identity()"])))
        if draw(st.booleans()):
            kind = draw(st.sampled_from(["MaxPool1d", "AvgPool1d"]))
            parts.append(f"nn.{kind}({draw(st.integers(1, 2))})")
        parts.append("nn.Flatten()")
        width = count_model(" > ".join(parts), T=T, batch=batch).output_shape[-1]
        parts.append(f"nn.Linear({width}, {draw(st.integers(1, 4))})")
        return " > ".join(parts), T, batch
    elif start == "cell":
        kind = draw(st.sampled_from(["RNNCell", "LSTMCell", "GRUCell"]))
        n = draw(st.integers(1, 6))
        parts += [f"nn.{kind}({width}, {n}, bias={draw(st.booleans())})",
                  f"nn.Linear({n}, {draw(st.integers(1, 4))})"]
        return " > ".join(parts), T, batch
    for k in range(draw(st.integers(1 if start == "recurrent" else 0, 3))):
        step = draw(st.sampled_from(["recurrent", "recurrent", "linear", "norm", "act"]))
        if start == "recurrent" and k == 0:
            step = "recurrent"
        if step == "recurrent":
            kind = draw(st.sampled_from(["RNN", "LSTM", "GRU"]))
            n = draw(st.integers(2, 6))
            args = [f"{width}", f"{n}", f"num_layers={draw(st.integers(1, 2))}",
                    f"bias={draw(st.booleans())}", f"batch_first={draw(st.booleans())}"]
            bidirectional = draw(st.booleans())
            args.append(f"bidirectional={bidirectional}")
            r = 0
            if kind == "LSTM" and draw(st.booleans()):
                r = draw(st.integers(1, n - 1))
                args.append(f"proj_size={r}")
            if kind == "RNN" and draw(st.booleans()):
                args.append("nonlinearity='relu'")
            parts.append(f"nn.{kind}({', '.join(args)})")
            width = (2 if bidirectional else 1) * (r or n)
        elif step == "linear":
            out = draw(st.integers(1, 6))
            parts.append(f"nn.Linear({width}, {out}, bias={draw(st.booleans())})")
            width = out
        elif step == "norm":
            parts.append(f"nn.LayerNorm({width}, elementwise_affine={draw(st.booleans())})")
        else:
            parts.append(draw(st.sampled_from(["nn.Dropout(0.1)", "nn.ReLU()", "nn.GELU()",
                                               "nn.Softmax(dim=-1)"])))
    if draw(st.booleans()):
        parts.append(f"nn.Linear({width}, {draw(st.integers(1, 4))})")
    return " > ".join(parts), T, batch


@pytest.mark.filterwarnings("ignore:LSTM with projections")
@SETTINGS
@given(torch_lines())
def test_random_pytorch_models_agree_with_pytorch(case):
    torch_check(*case)


@pytest.mark.parametrize("line", [
    "nn.Embedding(10000, 300) > nn.LSTM(300, 128, num_layers=2, bidirectional=True, "
    "batch_first=True) > nn.Linear(256, 5)",
    "nn.Embedding(50, 8, padding_idx=0) > nn.GRU(8, 6) > nn.LayerNorm(6, bias=False)",
    "nn.Conv1d(4, 8, 3, groups=2, padding='same') > nn.MaxPool1d(3, stride=2, padding=1, "
    "ceil_mode=True) > nn.Flatten(1, 2)",
    "nn.LSTM(10, 20, num_layers=3, proj_size=5, bidirectional=True) > nn.Linear(10, 1)",
    "nn.Linear(6, 4) > nn.BatchNorm1d(4, affine=False) > nn.LSTMCell(4, 3)",
])
@pytest.mark.filterwarnings("ignore:LSTM with projections")
def test_pytorch_fixed_models(line):
    torch_check(line, 7, 2)


@pytest.mark.parametrize("line", [
    "Embedding(500, 16, input_length=12) > Bidirectional(GRU(8, return_sequences=True)) > "
    "Conv1D(4, 3) > BatchNormalization() > GlobalAveragePooling1D() > Dense(2)",
    "Input(shape=(10, 3)) > LSTM(5, return_sequences=True) > TimeDistributed(Dense(4)) > "
    "Flatten() > Dense(1)",
])
def test_keras_configs_read_without_keras_agree_with_keras(line, tmp_path):
    """model.to_json() and a saved .keras file, read by rnnquiz, count as Keras counts."""
    keras = _keras()
    ours_line = count_model(line, T=12)
    spec = parse_model(line)
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input(shape=ours_line.input_shape[1:]),
                              *[_keras_layer(keras, layer) for layer in spec.layers]])
    (tmp_path / "model.json").write_text(model.to_json(), encoding="utf-8")
    model.save(tmp_path / "model.keras")
    for path in (tmp_path / "model.json", tmp_path / "model.keras"):
        ours = count_model(path)
        got = [(m.name, m.parameters, m.output_shape) for m in ours.layers]
        want = [(k.name, k.count_params(), tuple(k.output.shape)) for k in model.layers]
        assert got == want, _disagree(path.name, got, want)
        assert ours.total == model.count_params()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(keras_lines(), torch_lines().map(lambda case: case[:2])),
       st.booleans(), st.booleans())
def test_the_fast_path_prints_what_click_prints_for_random_models(case, explain, batch):
    from click.testing import CliRunner

    from rnnquiz.__main__ import fast_count
    from rnnquiz.cli import cli

    line, T = case  # noqa: N806
    args = [line, "--T", str(T)] + (["--explain"] if explain else []) + (
        ["--batch", "2"] if batch else [])
    fast = fast_count(args)
    result = CliRunner().invoke(cli, ["count", *args])
    if fast is None:  # an error: the entry point says it in one line, exit 2
        import contextlib
        import io

        from rnnquiz.cli import main

        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["count", *args])
        assert code == 2 and err.getvalue().startswith("Error: ")
        assert err.getvalue().count("\n") == 1
    else:
        assert result.exit_code == 0 and result.output == fast + "\n"
