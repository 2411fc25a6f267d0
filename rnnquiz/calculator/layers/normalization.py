"""Normalisation: Keras BatchNormalization and LayerNormalization, PyTorch nn.BatchNorm1d and
nn.LayerNorm.

Keras keeps BatchNormalization's moving mean and variance as (non-trainable) weights, so they
count; PyTorch keeps its running statistics as buffers, which are not parameters.
"""

from __future__ import annotations

from rnnquiz.calculator.layers.base import (
    LayerCount,
    ModelTensor,
    fail,
    is_int,
    label,
    shape_text,
)


def _axes(layer, shape):
    axis = layer["axis"]
    axes = axis if isinstance(axis, tuple) else (axis,)
    rank = len(shape)
    sizes, seen = [], {}
    for a in axes:
        if not -rank <= a < rank or a % rank == 0:
            raise fail(layer, f"{label(layer)}: axis {a} is not a feature axis of "
                              f"{shape_text(shape)}")
        if a % rank in seen:  # Keras builds it, then refuses to run it
            twice = (f"names axis {a} twice" if seen[a % rank] == a else
                     f"names one axis of {shape_text(shape)} twice (axis {seen[a % rank]} "
                     f"and axis {a})")
            raise fail(layer, f"{label(layer)} {twice}; name each axis once")
        seen[a % rank] = a
        d = shape[a]
        if not is_int(d):
            raise fail(layer, f"{label(layer)} normalises axis {a}, whose size is open in "
                              f"{shape_text(shape)}: give the input's size")
        sizes.append(d)
    return tuple(sizes)


def _size(dims):
    total = 1
    for d in dims:
        total *= d
    return total


def batch_normalization(layer, shape, ctx):
    dims = _axes(layer, shape)
    c = _size(dims)
    tensors = []
    if layer["scale"]:
        tensors.append(ModelTensor("gamma", dims, "scale", f"one learned scale per feature "
                                   f"({c})"))
    if layer["center"]:
        tensors.append(ModelTensor("beta", dims, "shift", f"one learned shift per feature "
                                   f"({c})", is_bias=True))
    tensors.append(ModelTensor("moving_mean", dims, "statistic",
                               "running mean per feature, updated by training, not by "
                               "gradients: non-trainable", trainable=False))
    tensors.append(ModelTensor("moving_variance", dims, "statistic",
                               "running variance per feature, not learned by gradients: "
                               "non-trainable", trainable=False))
    lc = LayerCount("BatchNormalization", shape, tensors,
                    missing_bias=0 if layer["center"] else c)
    learned = [t.name for t in tensors if t.trainable]
    lc.formula = f"BatchNormalization on {c} features: {len(learned)}·{c} + 2·{c}"
    lc.notes.append(f"{' and '.join(learned) or 'nothing'} learned by gradients; moving_mean "
                    "and moving_variance are weights Keras counts but as non-trainable")
    return lc


def layer_normalization(layer, shape, ctx):
    dims = _axes(layer, shape)
    c = _size(dims)
    tensors = []
    if layer["scale"] or layer["rms_scaling"]:
        tensors.append(ModelTensor("gamma", dims, "scale", f"one learned scale per feature "
                                   f"({c})"))
    if layer["center"] and not layer["rms_scaling"]:
        tensors.append(ModelTensor("beta", dims, "shift", f"one learned shift per feature "
                                   f"({c})", is_bias=True))
    lc = LayerCount("LayerNormalization", shape, tensors,
                    missing_bias=0 if (layer["center"] and not layer["rms_scaling"]) else c)
    lc.formula = f"LayerNormalization on {c} features: {len(tensors)}·{c}"
    return lc


def torch_batch_norm(layer, shape, ctx):
    c = layer["num_features"]
    if len(shape) not in (2, 3) or shape[1] != c:
        last = (" (its features are on the last axis; BatchNorm1d reads axis 1 of (batch, "
                "channels, length))" if len(shape) == 3 and shape[-1] == c else "")
        raise fail(layer, f"{label(layer)} reads {c} channels on axis 1 but receives "
                          f"{shape_text(shape)}{last}")
    tensors = []
    if layer["affine"]:
        tensors = [ModelTensor("weight", (c,), "scale", f"one learned scale per channel ({c})"),
                   ModelTensor("bias", (c,), "shift", f"one learned shift per channel ({c})",
                               is_bias=True)]
    # affine switches weight and bias together, so it is not a bias switch: "with every bias"
    # adds nothing to a BatchNorm1d(affine=False) (as verify_model's witness counts it).
    lc = LayerCount("BatchNorm1d", shape, tensors, missing_bias=0)
    lc.formula = f"{label(layer)}: 2·{c}" if layer["affine"] else f"{label(layer)}: 0"
    if layer["track_running_stats"]:
        lc.notes.append(f"running_mean and running_var ({c} each) are buffers, not parameters: "
                        "PyTorch does not count them")
    return lc


def torch_layer_norm(layer, shape, ctx):
    dims = tuple(layer["normalized_shape"])
    if tuple(shape[len(shape) - len(dims):]) != dims or len(dims) >= len(shape):
        raise fail(layer, f"{label(layer)} normalises the last axes {shape_text(dims)} but "
                          f"receives {shape_text(shape)}")
    c = _size(dims)
    tensors = []
    if layer["elementwise_affine"]:
        tensors.append(ModelTensor("weight", dims, "scale", f"one learned scale per feature "
                                   f"({c})"))
        if layer["bias"]:
            tensors.append(ModelTensor("bias", dims, "shift", f"one learned shift per feature "
                                       f"({c})", is_bias=True))
    lc = LayerCount("LayerNorm", shape, tensors,
                    missing_bias=c if layer["elementwise_affine"] and not layer["bias"] else 0)
    lc.formula = f"{label(layer)}: {len(tensors)}·{c}"
    return lc
