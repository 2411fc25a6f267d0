"""Normalisation at inference: Keras BatchNormalization and LayerNormalization, PyTorch
nn.BatchNorm1d and nn.LayerNorm.

y = (x - mean) / sqrt(var + eps) · gamma + beta. Batch normalisation at inference reads its
stored statistics (Keras's non-trainable moving_mean / moving_variance; PyTorch's
running_mean / running_var buffers, which are not parameters); layer normalisation computes
them over each example's normalised axes.
"""

from __future__ import annotations

import warnings

import numpy as np

from rnnquiz.witness.layers.base import WitnessLayer


def _axes(layer, axis, ndim):
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim or a % ndim == 0:
            raise layer.fail(f"axis {a} is not a feature axis of a {ndim}-D input")
        out.append(a % ndim)
    return tuple(sorted(set(out)))


def _broadcast(v, axes, ndim):
    """A parameter over ``axes`` shaped to broadcast against a ``ndim``-D input."""
    shape = [1] * ndim
    for a, size in zip(axes, v.shape, strict=True):
        shape[a] = size
    return v.reshape(shape)


class BatchNormalization(WitnessLayer):
    """keras.layers.BatchNormalization(axis=-1) on c features: gamma, beta (trainable, if
    scale / center), moving_mean, moving_variance (non-trainable): 4c in all."""

    MASK = "pass"  # at inference the mask changes nothing here

    def build(self, shape):
        spec = self.spec
        self.axes = _axes(self, spec["axis"], len(shape))
        dims = tuple(shape[a] for a in self.axes)
        make = self.maker
        if spec["scale"]:
            self.add("gamma", make(dims, 0.5, low=0.75))
        if spec["center"]:
            self.add("beta", make(dims, 0.2))
        self.add("moving_mean", make(dims, 0.2), trainable=False)
        self.add("moving_variance", make(dims, 1.0, low=0.5), trainable=False)

    def call(self, x):
        p, nd, eps = self._params, x.ndim, self.spec["epsilon"]
        b = lambda name: _broadcast(p[name], self.axes, nd)  # noqa: E731
        y = (x - b("moving_mean")) / np.sqrt(b("moving_variance") + eps)
        if "gamma" in p:
            y = y * b("gamma")
        return y + b("beta") if "beta" in p else y


class BatchNorm1d(WitnessLayer):
    """nn.BatchNorm1d(c) on (B, c) or (B, c, L): weight, bias (c,) if affine; running_mean,
    running_var are buffers (not parameters) used at inference when track_running_stats,
    else each batch's own statistics (biased variance over B and L)."""

    def build(self, shape):
        spec = self.spec
        self.need_rank(shape, (2, 3), "(B, C) or (B, C, L)")
        c = spec["num_features"]
        if shape[1] != c:
            raise self.fail(f"receives {shape[1]} features on axis 1, but num_features is {c}")
        if spec["affine"]:
            self.add("weight", self.maker((c,), 0.5, low=0.75))
            self.add("bias", self.maker((c,), 0.2))
        if spec["track_running_stats"]:
            self.buffers = {"running_mean": self.maker((c,), 0.2),
                            "running_var": self.maker((c,), 1.0, low=0.5)}

    def call(self, x):
        shape = (1, -1) + (1,) * (x.ndim - 2)
        eps = self.spec["eps"]
        if self.buffers:
            mean, var = self.buffers["running_mean"], self.buffers["running_var"]
        else:
            axes = (0,) + tuple(range(2, x.ndim))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                mean, var = x.mean(axis=axes), x.var(axis=axes)
        y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
        if self._params:
            y = y * self._params["weight"].reshape(shape) + self._params["bias"].reshape(shape)
        return y


class LayerNormalization(WitnessLayer):
    """keras.layers.LayerNormalization(axis=-1) on c features: gamma, beta (c,) each (2c);
    rms_scaling (deprecated in Keras) keeps gamma only and divides by sqrt(var + eps)."""

    MASK = "pass"  # at inference the mask changes nothing here

    def build(self, shape):
        spec = self.spec
        self.axes = _axes(self, spec["axis"], len(shape))
        dims = tuple(shape[a] for a in self.axes)
        if spec["scale"] or spec["rms_scaling"]:
            self.add("gamma", self.maker(dims, 0.5, low=0.75))
        if spec["center"] and not spec["rms_scaling"]:
            self.add("beta", self.maker(dims, 0.2))

    def call(self, x):
        p, nd, eps = self._params, x.ndim, self.spec["epsilon"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            var = x.var(axis=self.axes, keepdims=True)
            mean = x.mean(axis=self.axes, keepdims=True)
        if self.spec["rms_scaling"]:
            y = x / np.sqrt(var + eps)
        else:
            y = (x - mean) / np.sqrt(var + eps)
        if "gamma" in p:
            y = y * _broadcast(p["gamma"], self.axes, nd)
        return y + _broadcast(p["beta"], self.axes, nd) if "beta" in p else y


class LayerNorm(WitnessLayer):
    """nn.LayerNorm(shape) over the trailing dims equal to ``shape``: weight, bias of that
    shape if elementwise_affine (bias only if bias=True)."""

    def build(self, shape):
        spec = self.spec
        norm = tuple(spec["normalized_shape"])
        if tuple(shape[len(shape) - len(norm):]) != norm or len(shape) <= len(norm):
            raise self.fail(f"normalises the trailing dims {norm}, but receives an input of "
                            f"shape (B, {', '.join(map(str, shape[1:]))})")
        self.norm_axes = tuple(range(len(shape) - len(norm), len(shape)))
        if spec["elementwise_affine"]:
            self.add("weight", self.maker(norm, 0.5, low=0.75))
            if spec["bias"]:
                self.add("bias", self.maker(norm, 0.2))

    def call(self, x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = x.mean(axis=self.norm_axes, keepdims=True)
            var = x.var(axis=self.norm_axes, keepdims=True)
        y = (x - mean) / np.sqrt(var + self.spec["eps"])
        if "weight" in self._params:
            y = y * self._params["weight"]
        return y + self._params["bias"] if "bias" in self._params else y
