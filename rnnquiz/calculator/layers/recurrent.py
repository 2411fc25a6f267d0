"""Recurrent layers: Keras SimpleRNN / LSTM / GRU, Bidirectional, ConvLSTM2D; PyTorch nn.RNN /
LSTM / GRU and their cells.

The tensors and counts of every recurrent layer come from the rules engine
(:func:`rnnquiz.calculator.rules.count` on a :class:`~rnnquiz.description.network.Network`):
the textbook's ``count --m --n --p`` is the special case of one stack, and there is no second
set of recurrent formulas here; this module only says what each layer receives and returns.
"""

from __future__ import annotations

from rnnquiz.calculator.layers.base import (
    LayerCount,
    ModelTensor,
    fail,
    features,
    is_int,
    label,
    shape_text,
    torch_input_mismatch,
)
from rnnquiz.calculator.rules import count
from rnnquiz.description.network import Network
from rnnquiz.errors import NetworkError

KERAS_CELLS = {"SimpleRNN": "rnn", "LSTM": "lstm", "GRU": "gru"}
TORCH_CELLS = {"RNN": "rnn", "LSTM": "lstm", "GRU": "gru"}
TORCH_STEP_CELLS = {"RNNCell": "rnn", "LSTMCell": "lstm", "GRUCell": "gru"}
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def _gates(g, inner):
    return f"{g} × ({inner})" if g > 1 else inner


def _engine(layer, m, n, cell, **options):
    """The rules engine's count for one recurrent stack (no output layer)."""
    try:
        net = Network(m, n, None, cell=cell, **options)
    except NetworkError as e:
        # Name the framework's own argument, not the engine's field.
        argument = _ARGUMENT.get((layer.framework, e.field), e.field)
        raise fail(layer, f"{label(layer)}: {argument} {e.reason}") from None
    return count(net)


# The engine's fields as the frameworks name them, for error messages.
_ARGUMENT = {("pytorch", "layers"): "num_layers (stacked layers)",
             ("pytorch", "m"): "input_size", ("pytorch", "n"): "hidden_size",
             ("pytorch", "proj_size"): "proj_size", ("keras", "n"): "units",
             ("keras", "m"): "the input's feature size"}


def _missing_bias(result, bias):
    return 0 if bias else result.with_bias - result.without_bias


# --- Keras ----------------------------------------------------------------------------

def sequence_input(layer, shape, ctx, needs="a sequence (batch, T, features)"):
    """Refuse a 2-D input where a sequence is needed, teaching return_sequences."""
    if len(shape) == 3:
        return
    prev = ctx.previous
    why = ""
    if prev is not None and prev.layer is not None:
        inner = prev.layer.inner or prev.layer
        if ctx.framework == "keras" and inner.kind in KERAS_CELLS and len(shape) == 2:
            why = (f": {label(prev.layer)} returns only its last output "
                   "(return_sequences=False); write return_sequences=True there to pass "
                   "every step on")
    raise fail(layer, f"{label(layer)} needs {needs} but receives {shape_text(shape)}{why}")


def keras_recurrent_tensors(layer, m, prefix=""):
    """(engine result, tensors named as Keras names them) for SimpleRNN / LSTM / GRU."""
    cell = KERAS_CELLS[layer.kind]
    result = _engine(layer, m, layer["units"], cell, bias=layer["use_bias"], convention="keras",
                     reset_after=layer.args.get("reset_after", True))
    tensors = [ModelTensor(prefix + t.name.rsplit("/", 1)[-1], t.shape, t.role, t.reason,
                           is_bias=t.is_bias) for t in result.tensors]
    return result, tensors


def keras_formula(layer, m, directions=1):
    u = layer["units"]
    g = GATES[KERAS_CELLS[layer.kind]]
    terms = [f"{u}·{m}", f"{u}·{u}"]
    if layer["use_bias"]:
        two = layer.kind == "GRU" and layer["reset_after"]
        terms.append(f"2·{u}" if two else f"{u}")
    body = _gates(g, " + ".join(terms))
    return f"{'2 × ' if directions == 2 else ''}{body}"


def keras_rnn(layer, shape, ctx):
    sequence_input(layer, shape, ctx)
    m = features(layer, shape)
    u = layer["units"]
    result, tensors = keras_recurrent_tensors(layer, m)
    out = _keras_outputs(layer, shape, u, ctx)
    lc = LayerCount(layer.kind, out, tensors, missing_bias=_missing_bias(result,
                                                                        layer["use_bias"]))
    lc.formula = f"{layer.kind}({u}) on {m} inputs: {keras_formula(layer, m)}"
    lc.notes.append(_sequences_note(layer, out))
    _keras_states(lc, layer, shape, u, ctx)
    return lc


def _sequences_note(layer, out):
    if layer["return_sequences"]:
        return f"return_sequences=True: an output at every step, {shape_text(out)}"
    return (f"return_sequences=False: the last step's output only, {shape_text(out)} (no time "
            "axis)")


def _keras_outputs(layer, shape, width, ctx):
    if layer["return_sequences"]:
        return (shape[0], shape[1], width)
    return (shape[0], width)


def _keras_states(lc, layer, shape, u, ctx, directions=1):
    if not layer["return_state"]:
        return
    if not ctx.is_last:
        raise fail(layer, f"{label(layer)}: return_state=True returns [output, states...], a "
                          "list a Sequential model cannot pass to the next layer")
    n_states = 2 if layer.kind == "LSTM" else 1
    lc.states = [(shape[0], u)] * (n_states * directions)
    lc.notes.append(f"return_state=True: also returns {len(lc.states)} state "
                    f"tensor{'s' if len(lc.states) > 1 else ''} of shape "
                    f"{shape_text((shape[0], u))}")


def bidirectional(layer, shape, ctx):
    inner = layer.inner
    if inner.kind not in KERAS_CELLS:
        raise fail(layer, f"Bidirectional wraps a recurrent layer (SimpleRNN, LSTM, GRU), not "
                          f"{inner.kind}")
    sequence_input(layer, shape, ctx)
    m = features(layer, shape)
    u = inner["units"]
    base = ctx.inner_name(inner)
    fw_result, forward = keras_recurrent_tensors(inner, m, f"forward_{base}/")
    _, backward = keras_recurrent_tensors(inner, m, f"backward_{base}/")
    mode = layer["merge_mode"]
    if mode not in ("concat", "sum", "mul", "ave", None):
        raise fail(layer, f"Bidirectional: merge_mode must be 'concat', 'sum', 'mul', 'ave' or "
                          f"None, got {mode!r}")
    width = 2 * u if mode == "concat" else u
    out = _keras_outputs(inner, shape, width, ctx)
    notes = []
    if mode is None:
        if not ctx.is_last:
            raise fail(layer, "Bidirectional(merge_mode=None) returns a list of the two "
                              "directions' outputs, which a Sequential model cannot pass on")
        notes.append(f"merge_mode=None: returns two outputs, each {shape_text(out)}")
    notes.append(_sequences_note(inner, out))
    lc = LayerCount("Bidirectional", out, forward + backward, notes=notes,
                    missing_bias=2 * _missing_bias(fw_result, inner["use_bias"]))
    merge = {"concat": f"the two directions side by side: 2 × {u} = {width} features",
             "sum": f"added: width stays {u}", "mul": f"multiplied: width stays {u}",
             "ave": f"averaged: width stays {u}", None: "merge_mode=None: two outputs"}[mode]
    lc.formula = (f"Bidirectional({inner.kind}({u})) on {m} inputs, two independent "
                  f"{inner.kind} layers: {keras_formula(inner, m, 2)}")
    lc.notes.append(f"merge_mode={mode!r} ({merge})" if mode else merge)
    if mode == "concat":
        lc.width_note = (f"the bidirectional {inner.kind} concatenates its two directions "
                         f"(2 × {u})")
    _keras_states(lc, inner, shape, u, ctx, directions=2)
    return lc


def _conv_length(size, k, stride, padding, dilation):
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    span = dilation * (k - 1) + 1
    if size < span:
        return 0
    return (size - span) // stride + 1


def conv_lstm2d(layer, shape, ctx):
    if layer["data_format"] not in (None, "channels_last"):
        raise fail(layer, "ConvLSTM2D: only data_format='channels_last' is read here")
    if len(shape) != 5:
        raise fail(layer, f"ConvLSTM2D needs (batch, T, rows, cols, channels) but receives "
                          f"{shape_text(shape)}")
    if layer["padding"] not in ("valid", "same"):
        raise fail(layer, f"ConvLSTM2D: padding must be 'valid' or 'same', got "
                          f"{layer['padding']!r}")
    c = features(layer, shape, "channels")
    f = layer["filters"]
    kh, kw = layer["kernel_size"]
    sizes = []
    pair = lambda v: (v, v) if is_int(v) else tuple(v)  # noqa: E731 - defaults are ints
    for size, k, s, d in zip(shape[2:4], (kh, kw), pair(layer["strides"]),
                             pair(layer["dilation_rate"]), strict=True):
        out = _conv_length(size, k, s, layer["padding"], d)
        if out == 0:
            raise fail(layer, f"ConvLSTM2D: a {kh}×{kw} kernel does not fit in "
                              f"{shape[2]}×{shape[3]} with padding='valid'")
        sizes.append(out)
    tensors = [
        ModelTensor("kernel", (kh, kw, c, 4 * f), "input->gates",
                    f"a {kh}×{kw} window over {c} input channels for each of the 4 gate "
                    f"blocks × {f} filters"),
        ModelTensor("recurrent_kernel", (kh, kw, f, 4 * f), "hidden->gates",
                    f"a {kh}×{kw} window over the {f} channels of the previous hidden state, "
                    f"for 4 × {f} gate filters"),
    ]
    if layer["use_bias"]:
        tensors.append(ModelTensor("bias", (4 * f,), "bias", f"one bias per gate filter "
                                   f"(4 × {f})", is_bias=True))
    tail = (sizes[0], sizes[1], f)
    out = (shape[0], shape[1], *tail) if layer["return_sequences"] else (shape[0], *tail)
    bias = f" + {f}" if layer["use_bias"] else ""
    lc = LayerCount("ConvLSTM2D", out, tensors, missing_bias=0 if layer["use_bias"] else 4 * f)
    lc.formula = (f"ConvLSTM2D({f}, ({kh}, {kw})) on {c} channels: "
                  f"4 × ({kh}·{kw}·{c}·{f} + {kh}·{kw}·{f}·{f}{bias})")
    if layer["return_state"]:
        if not ctx.is_last:
            raise fail(layer, "ConvLSTM2D: return_state=True returns a list a Sequential model "
                              "cannot pass to the next layer")
        lc.states = [(shape[0], *tail)] * 2
    return lc


# --- PyTorch --------------------------------------------------------------------------

def torch_rnn(layer, shape, ctx):
    if len(shape) != 3:
        raise fail(layer, f"{label(layer)} needs a sequence, (T, B, features) or with "
                          f"batch_first=True (B, T, features), but receives "
                          f"{shape_text(shape)}")
    got = features(layer, shape)
    m, n = layer["input_size"], layer["hidden_size"]
    cell = TORCH_CELLS[layer.kind]
    if got != m:
        fix = f"nn.{layer.kind}({got}, {n}, ...)"
        raise torch_input_mismatch(layer, got, m, ctx.previous, fix)
    L, D = layer["num_layers"], 2 if layer["bidirectional"] else 1
    r = layer.args.get("proj_size", 0) or 0
    if r and r >= n:
        raise fail(layer, f"nn.LSTM: proj_size must be smaller than hidden_size ({n}), got {r}")
    if layer.kind == "RNN" and layer["nonlinearity"] not in ("tanh", "relu"):
        raise fail(layer, f"nn.RNN: nonlinearity must be 'tanh' or 'relu', got "
                          f"{layer['nonlinearity']!r}")
    result = _engine(layer, m, n, cell, layers=L, bidirectional=D == 2, bias=layer["bias"],
                     convention="pytorch", proj_size=r)
    tensors = [ModelTensor(t.name, t.shape, t.role, t.reason, is_bias=t.is_bias)
               for t in result.tensors]
    h_out = r or n
    batch = shape[0] if layer["batch_first"] else shape[1]
    out = (*shape[:-1], D * h_out)
    lc = LayerCount(layer.kind, out, tensors, missing_bias=_missing_bias(result, layer["bias"]),
                    h_n_shape=(D * L, batch, h_out),
                    c_n_shape=(D * L, batch, n) if cell == "lstm" else None)
    lc.formula = f"{label(layer)}: {torch_formula(layer, cell, m, n, L, D, r)}"
    if D == 2:
        lc.width_note = (f"the bidirectional {layer.kind} concatenates its two directions "
                         f"(2 × {h_out})")
    elif r:
        lc.width_note = f"proj_size={r} projects the LSTM's output down to {r}"
    return lc


def torch_formula(layer, cell, m, n, L, D, r):
    g = GATES[cell]
    terms = []
    for k in range(L):
        ins = m if k == 0 else D * (r or n)
        parts = [f"{n}·{ins}", f"{n}·{r or n}"]
        if layer["bias"]:
            parts.append(f"2·{n}")
        body = _gates(g, " + ".join(parts))
        if r:
            body = f"{body} + {r}·{n}"
        if D == 2:
            body = f"2 × ({body})" if r else f"2 × {body}"
        terms.append(f"layer {k + 1}: {body}" if L > 1 else body)
    return " + ".join(terms) if L == 1 else "; ".join(terms)


def torch_cell(layer, shape, ctx):
    if len(shape) != 2:
        raise fail(layer, f"{label(layer)} takes one step, (batch, input_size), but receives "
                          f"{shape_text(shape)}: for a whole sequence use nn.{layer.kind[:-4]}")
    got = features(layer, shape)
    m, n = layer["input_size"], layer["hidden_size"]
    if got != m:
        raise torch_input_mismatch(layer, got, m, ctx.previous, f"nn.{layer.kind}({got}, {n})")
    cell = TORCH_STEP_CELLS[layer.kind]
    result = _engine(layer, m, n, cell, bias=layer["bias"], convention="pytorch")
    tensors = [ModelTensor(t.name.replace("_l0", ""), t.shape, t.role, t.reason,
                           is_bias=t.is_bias) for t in result.tensors]
    g = GATES[cell]
    parts = [f"{n}·{m}", f"{n}·{n}"] + ([f"2·{n}"] if layer["bias"] else [])
    lc = LayerCount(layer.kind, (shape[0], n), tensors,
                    missing_bias=_missing_bias(result, layer["bias"]))
    lc.formula = f"{label(layer)}: {_gates(g, ' + '.join(parts))}"
    if cell == "lstm":
        lc.notes.append(f"returns (h, c), each {shape_text((shape[0], n))}; the next module "
                        "reads h")
    return lc


def is_int_size(value):
    return is_int(value) and value > 0
