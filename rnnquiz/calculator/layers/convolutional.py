"""Convolution and pooling along time: Keras Conv1D, MaxPooling1D, AveragePooling1D, the
global poolings; PyTorch nn.Conv1d, MaxPool1d, AvgPool1d.

Keras reads (batch, T, channels) (channels_last); PyTorch reads (batch, channels, length).
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
)


def keras_length(size, k, stride, padding, dilation=1):
    """Output steps of a Keras 1-D window: valid floor((T - span)/s) + 1, same/causal ceil(T/s)."""
    if size is None:
        return None
    if padding in ("same", "causal"):
        return -(-size // stride)
    span = dilation * (k - 1) + 1
    return (size - span) // stride + 1 if size >= span else 0


def torch_length(size, k, stride, pad, dilation=1, ceil_mode=False):
    """PyTorch's floor((L + 2·padding - dilation·(k - 1) - 1) / stride) + 1 (ceil with
    ceil_mode), symbolic when L is."""
    shift = 2 * pad - dilation * (k - 1) - 1
    if is_int(size):
        top = size + shift
        if top < 0:
            return 0
        out = (-(-top // stride) if ceil_mode else top // stride) + 1
        if ceil_mode and (out - 1) * stride >= size + pad:
            out -= 1
        return out
    size, offset = _symbol(str(size))
    shift += offset
    if stride == 1:
        delta = shift + 1
        return size if delta == 0 else f"{size}{delta:+d}"
    bracket = "⌈⌉" if ceil_mode else "⌊⌋"
    return f"{bracket[0]}({size}{shift:+d})/{stride}{bracket[1]}+1"


def _symbol(size):
    """'T-2' -> ('T', -2); anything else -> (size, 0)."""
    for sign in "+-":
        base, mark, rest = size.partition(sign)
        if mark and base and rest.isdigit() and "(" not in base:
            return base, int(mark + rest)
    return size, 0


def _too_short(layer, shape, what="window"):
    return fail(layer, f"{label(layer)}: the {what} is longer than the {shape_text(shape)} "
                       "input it slides over (padding='valid')")


def _keras_3d(layer, shape):
    if len(shape) != 3:
        raise fail(layer, f"{label(layer)} needs (batch, T, channels) but receives "
                          f"{shape_text(shape)}")
    if layer.args.get("data_format") not in (None, "channels_last"):
        raise fail(layer, f"{label(layer)}: only data_format='channels_last' is read here")


def conv1d(layer, shape, ctx):
    _keras_3d(layer, shape)
    c = features(layer, shape, "channels")
    f, k, s, d, g = (layer["filters"], layer["kernel_size"], layer["strides"],
                     layer["dilation_rate"], layer["groups"])
    if layer["padding"] not in ("valid", "same", "causal"):
        raise fail(layer, f"Conv1D: padding must be 'valid', 'same' or 'causal', got "
                          f"{layer['padding']!r}")
    if c % g or f % g:
        raise fail(layer, f"Conv1D: groups={g} must divide both the {c} input channels and "
                          f"the {f} filters")
    steps = keras_length(shape[1], k, s, layer["padding"], d)
    if steps == 0:
        raise _too_short(layer, shape, f"kernel (span {d * (k - 1) + 1})")
    tensors = [ModelTensor("kernel", (k, c // g, f), "filters",
                           f"{f} filters, each a window of {k} steps over {c // g} input "
                           "channels")]
    if layer["use_bias"]:
        tensors.append(ModelTensor("bias", (f,), "bias", f"one bias per filter ({f})",
                                   is_bias=True))
    lc = LayerCount("Conv1D", (shape[0], steps, f), tensors,
                    missing_bias=0 if layer["use_bias"] else f)
    lc.formula = (f"Conv1D({f}, {k}) on {c} channels: {k}·{c // g}·{f}"
                  + (f" + {f}" if layer["use_bias"] else ""))
    if shape[1] is not None:
        how = ("ceil(T / strides)" if layer["padding"] != "valid"
               else "floor((T - span) / strides) + 1")
        lc.notes.append(f"steps: {how} = {steps}")
    return lc


def keras_pooling(layer, shape, ctx):
    _keras_3d(layer, shape)
    p, s = layer["pool_size"], layer["strides"]
    if layer["padding"] not in ("valid", "same"):
        raise fail(layer, f"{layer.kind}: padding must be 'valid' or 'same'")
    steps = keras_length(shape[1], p, s, layer["padding"])
    if steps == 0:
        raise _too_short(layer, shape, f"pool of {p}")
    lc = LayerCount(layer.kind, (shape[0], steps, shape[2]))
    lc.formula = f"{layer.kind}({p}, strides={s}): no weights, 0"
    return lc


def global_pooling(layer, shape, ctx):
    _keras_3d(layer, shape)
    out = (shape[0], 1, shape[2]) if layer["keepdims"] else (shape[0], shape[2])
    lc = LayerCount(layer.kind, out)
    lc.formula = f"{layer.kind}: one value per channel over all steps, no weights, 0"
    return lc


# --- PyTorch ----------------------------------------------------------------------------

def _torch_channels(layer, shape, want, ctx):
    if len(shape) != 3:
        raise fail(layer, f"{label(layer)} needs (batch, channels, length) but receives "
                          f"{shape_text(shape)}")
    got = shape[1]
    if want is not None and got != want:
        last = (f"; its {want} features are on the last axis: the forward pass must swap "
                "them to axis 1 (x.transpose(1, 2)), which a model line cannot write"
                if shape[-1] == want else "")
        raise fail(layer, f"{label(layer)} reads channels on axis 1 of (batch, channels, "
                          f"length) and receives {shape_text(shape)}, {got} channels{last}")
    return got


def torch_conv1d(layer, shape, ctx):
    c, f, k = layer["in_channels"], layer["out_channels"], layer["kernel_size"]
    _torch_channels(layer, shape, c, ctx)
    s, d, g = layer["stride"], layer["dilation"], layer["groups"]
    pad = layer["padding"]
    if c % g or f % g:
        raise fail(layer, f"nn.Conv1d: groups={g} must divide in_channels ({c}) and "
                          f"out_channels ({f})")
    if pad == "valid":
        pad = 0
    if isinstance(pad, tuple) and len(pad) == 1:
        pad = pad[0]
    if pad == "same":
        if s != 1:
            raise fail(layer, "nn.Conv1d: padding='same' needs stride=1 (PyTorch refuses it)")
        length = shape[2]
    elif is_int(pad) and pad >= 0:
        length = torch_length(shape[2], k, s, pad, d)
    else:
        raise fail(layer, f"nn.Conv1d: padding must be an integer, 'valid' or 'same', got "
                          f"{pad!r}")
    if length == 0:
        raise _too_short(layer, shape, "kernel")
    tensors = [ModelTensor("weight", (f, c // g, k), "filters",
                           f"{f} filters, each {c // g} input channels × {k} steps")]
    if layer["bias"]:
        tensors.append(ModelTensor("bias", (f,), "bias", f"one bias per filter ({f})",
                                   is_bias=True))
    lc = LayerCount("Conv1d", (shape[0], f, length), tensors,
                    missing_bias=0 if layer["bias"] else f)
    lc.formula = f"{label(layer)}: {f}·{c // g}·{k}" + (f" + {f}" if layer["bias"] else "")
    return lc


def torch_pooling(layer, shape, ctx):
    _torch_channels(layer, shape, None, ctx)
    k, s, pad = layer["kernel_size"], layer["stride"], layer["padding"]
    if pad * 2 > k:
        raise fail(layer, f"{label(layer)}: padding must be at most half the kernel size")
    d = layer.args.get("dilation", 1)
    length = torch_length(shape[2], k, s, pad, d, layer["ceil_mode"])
    if length == 0:
        raise _too_short(layer, shape, "pool")
    lc = LayerCount(layer.kind, (shape[0], shape[1], length))
    lc.formula = f"{label(layer)}: no weights, 0"
    return lc
