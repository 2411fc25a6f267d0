"""Core layers: Embedding, Dense / nn.Linear, TimeDistributed, Dropout, Activation,
RepeatVector, Flatten, Reshape and PyTorch's parameter-free modules."""

from __future__ import annotations

from rnnquiz.calculator.layers.base import (
    LayerCount,
    ModelTensor,
    fail,
    features,
    is_int,
    label,
    product,
    shape_text,
    torch_input_mismatch,
)


def embedding(layer, shape, ctx):
    keras = layer.framework == "keras"
    V, d = (layer["input_dim"], layer["output_dim"]) if keras else (
        layer["num_embeddings"], layer["embedding_dim"])
    trainable = not layer["_freeze"] if not keras else True
    pad = None if keras else layer["padding_idx"]
    if pad is not None and not -V <= pad < V:
        raise fail(layer, f"{label(layer)}: padding_idx must be within num_embeddings ({V}): "
                          f"from {-V} to {V - 1}, got {pad}")
    name = "embeddings" if keras else "weight"
    tensor = ModelTensor(name, (V, d), "lookup table",
                         f"one {d}-number vector for each of the {V:,} tokens of the "
                         "vocabulary (a lookup, not a matrix product: no bias)",
                         trainable=trainable)
    lc = LayerCount("Embedding", (*shape, d), [tensor])
    lc.formula = f"{label(layer)}: {V}·{d}"
    lc.width_note = (f"{label(layer)} gives each token a {d}-number vector")
    if pad is not None:
        row = f" (row {pad % V})" if pad < 0 else ""
        lc.notes.append(f"padding_idx={pad}{row}: that row stays zero and gets no "
                        "gradient, but it is still a parameter")
    if keras and layer["mask_zero"]:
        lc.notes.append("mask_zero=True: index 0 is padding, masked downstream; the count is "
                        "unchanged")
    return lc


def dense(layer, shape, ctx):
    """Dense(u) / nn.Linear(k, u): acts on the last axis, whatever comes before it."""
    keras = layer.framework == "keras"
    k = features(layer, shape)
    if keras:
        u, bias = layer["units"], layer["use_bias"]
    else:
        u, bias = layer["out_features"], layer["bias"]
        if k != layer["in_features"]:
            raise torch_input_mismatch(layer, k, layer["in_features"], ctx.previous,
                                       f"nn.Linear({k}, {u})")
    if keras:
        tensors = [ModelTensor("kernel", (k, u), "weights",
                               f"one row per input feature ({k}), one column per unit ({u})")]
    else:
        tensors = [ModelTensor("weight", (u, k), "weights",
                               f"one row per output ({u}), one column per input feature ({k})")]
    if bias:
        tensors.append(ModelTensor("bias", (u,), "bias", f"one bias per unit ({u})",
                                   is_bias=True))
    out = (*shape[:-1], u)
    lc = LayerCount("Dense" if keras else "Linear", out, tensors,
                    missing_bias=0 if bias else u)
    head = f"Dense({u}) on {k} features" if keras else f"nn.Linear({k}, {u})"
    lc.formula = f"{head}: {k}·{u}" + (f" + {u}" if bias else "")
    if len(shape) > 2:
        lc.notes.append(f"on a {len(shape)}-D input it acts on the last axis only, the same "
                        f"weights at every position: {shape_text(shape)} -> {shape_text(out)}; "
                        "it does not flatten")
    return lc


def time_distributed(layer, shape, ctx, handler):
    if len(shape) < 3:
        raise fail(layer, f"TimeDistributed needs (batch, T, ...) but receives "
                          f"{shape_text(shape)}")
    inner = handler(layer.inner, (shape[0], *shape[2:]), ctx)
    out = (shape[0], shape[1], *inner.output_shape[1:])
    steps = shape[1] if shape[1] is not None else "T"
    lc = LayerCount("TimeDistributed", out, inner.tensors, missing_bias=inner.missing_bias,
                    notes=[f"the same {inner.type} weights at each of the {steps} steps "
                           "(shared, counted once)"])
    head, expression = inner.formula.split(":", 1)
    lc.formula = f"TimeDistributed({head}):{expression}"
    return lc


def passthrough(layer, shape, ctx):
    """Dropout, SpatialDropout1D, Masking, Activation, nn.ReLU...: no parameters, shape
    unchanged."""
    if layer.kind == "SpatialDropout1D" and len(shape) != 3:
        raise fail(layer, f"SpatialDropout1D needs (batch, T, channels) but receives "
                          f"{shape_text(shape)}")
    lc = LayerCount(layer.kind, shape)
    lc.formula = f"{label(layer)}: no weights, 0"
    lc.width_note = ctx.previous.width_note if ctx.previous else None
    if layer.kind == "Masking":
        lc.notes.append(f"Masking: the steps whose features all equal {layer['mask_value']!r} "
                        "are skipped by the layers after it; the count is unchanged")
    return lc


def repeat_vector(layer, shape, ctx):
    if len(shape) != 2:
        raise fail(layer, f"RepeatVector needs (batch, features) but receives "
                          f"{shape_text(shape)}")
    lc = LayerCount("RepeatVector", (shape[0], layer["n"], shape[1]))
    lc.formula = f"RepeatVector({layer['n']}): copies its input {layer['n']} times, 0"
    return lc


def flatten(layer, shape, ctx):
    if layer.framework == "keras":
        out = (shape[0], product(shape[1:])) if len(shape) > 1 else (shape[0], 1)
    else:
        start, end = layer["start_dim"], layer["end_dim"]
        if not (is_int(start) and is_int(end)):
            raise fail(layer, "nn.Flatten: start_dim and end_dim must be integers")
        rank = len(shape)
        lo, hi = start % rank if -rank <= start < rank else None, (
            end % rank if -rank <= end < rank else None)
        if lo is None or hi is None or lo > hi:
            raise fail(layer, f"nn.Flatten({start}, {end}) does not fit an input of "
                              f"{rank} axes {shape_text(shape)}")
        out = (*shape[:lo], product(shape[lo:hi + 1]), *shape[hi + 1:])
    lc = LayerCount("Flatten", out)
    lc.formula = f"{label(layer)}: {shape_text(shape)} -> {shape_text(out)}, 0"
    return lc


def reshape(layer, shape, ctx):
    target = tuple(layer["target_shape"])
    size = product(shape[1:])
    wanted = [d for d in target if d != -1]
    if any(not is_int(d) for d in wanted) or target.count(-1) > 1:
        raise fail(layer, "Reshape: target_shape holds positive sizes and at most one -1")
    known = 1
    for d in wanted:
        known *= d
    if -1 in target:
        if is_int(size):
            if size % known:
                raise fail(layer, f"Reshape{target}: {size} values cannot fill it")
            target = tuple(size // known if d == -1 else d for d in target)
        else:
            target = tuple(None if d == -1 else d for d in target)
    elif is_int(size) and size != known:
        raise fail(layer, f"Reshape{target} holds {known} values but receives "
                          f"{shape_text(shape)}: {size} per example")
    lc = LayerCount("Reshape", (shape[0], *target))
    lc.formula = f"Reshape{tuple(layer['target_shape'])}: 0"
    return lc
