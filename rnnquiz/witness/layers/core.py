"""Core layers: Embedding, Dense / Linear, TimeDistributed, dropouts and activations,
RepeatVector, Flatten, Reshape — each from its own equation, in its framework's storage."""

from __future__ import annotations

import math

import numpy as np

from rnnquiz.witness.layers.base import (
    WitnessLayer,
    fan_scale,
    gelu,
    keras_activation,
    log_softmax,
    sigmoid,
    softmax,
    torch_softmax_dim,
)


class Embedding(WitnessLayer):
    """keras.layers.Embedding(V, d) "embeddings" (V, d) / nn.Embedding(V, d) "weight" (V, d):
    integer indices of any shape (B, ...) -> (B, ..., d), a row per index. No bias. Keras
    ``mask_zero`` marks the steps reading index 0 as padding for the layers after it (the mask
    is ``mask_out``); PyTorch ``padding_idx``'s row starts at zero, ``max_norm`` renormalises
    the rows it looks up (in place, as PyTorch does), ``_freeze`` makes it non-trainable."""

    def __init__(self, spec, name, maker):
        super().__init__(spec, name, maker)
        torch = self.framework == "pytorch"
        self.V = spec["num_embeddings"] if torch else spec["input_dim"]
        self.d = spec["embedding_dim"] if torch else spec["output_dim"]
        if not torch and spec.args.get("lora_rank") is not None:
            raise self.fail("lora_rank is not modelled by the witness")

    def build(self, shape):
        torch = self.framework == "pytorch"
        w = self.maker((self.V, self.d), 0.05 if not torch else 1.0)
        pad = self.spec["padding_idx"] if torch else None
        if pad is not None:
            if not -self.V <= pad < self.V:
                raise self.fail(f"padding_idx must be within num_embeddings ({self.V})")
            if self.maker.allocate:
                w[pad] = 0.0
        frozen = torch and self.spec["_freeze"]
        self.add("weight" if torch else "embeddings", w, trainable=not frozen)

    def call(self, x):
        if x.dtype.kind not in "iu":
            raise self.fail(f"receives {x.dtype} values; an embedding reads integer indices "
                            "(it must come first, or after layers that keep indices)")
        if x.size and (x.min() < 0 or x.max() >= self.V):
            raise self.fail(f"indices must lie in 0..{self.V - 1}")
        w = next(iter(self._params.values()))
        self.mask_out = (x != 0) if self.framework == "keras" and self.spec["mask_zero"] \
            else None
        max_norm = self.spec.args.get("max_norm") if self.framework == "pytorch" else None
        if max_norm is not None and x.size and self.maker.allocate:
            rows = np.unique(x)
            p = self.spec["norm_type"]
            norms = np.sum(np.abs(w[rows]) ** p, axis=-1) ** (1.0 / p)
            scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
            w[rows] *= scale[:, None]
        return w[x]


class Dense(WitnessLayer):
    """keras.layers.Dense(u) on (B, ..., k): kernel (k, u), bias (u,), y = phi(x kernel + b)
    on the last axis (a 3-D input keeps its time axis: (B, T, u))."""

    MASK = "pass"

    def __init__(self, spec, name, maker):
        super().__init__(spec, name, maker)
        if spec["lora_rank"] is not None:
            raise self.fail("lora_rank is not modelled by the witness")
        self.phi = keras_activation(self, spec["activation"])

    def build(self, shape):
        if len(shape) < 2:
            raise self.fail("needs an input with a feature axis")
        k, u = shape[-1], self.spec["units"]
        self.kernel = self.add("kernel", self.maker((k, u), fan_scale(k)))
        self.bias = self.add("bias", self.maker((u,), 0.1)) if self.spec["use_bias"] else None

    def call(self, x):
        y = x @ self.kernel
        return self.phi(y + self.bias if self.bias is not None else y)


class Linear(WitnessLayer):
    """nn.Linear(k, u) on (*, k): weight (u, k), bias (u,), y = x W^T + b on the last axis."""

    def build(self, shape):
        k, u = self.spec["in_features"], self.spec["out_features"]
        if not shape or shape[-1] != k:
            got = shape[-1] if shape else "no"
            raise self.fail(f"receives {got} features, but in_features is {k}")
        self.weight = self.add("weight", self.maker((u, k), fan_scale(k)))
        self.bias = self.add("bias", self.maker((u,), fan_scale(k))) if self.spec["bias"] \
            else None

    def call(self, x):
        y = x @ self.weight.T
        return y + self.bias if self.bias is not None else y


class TimeDistributed(WitnessLayer):
    """keras.layers.TimeDistributed(layer) on (B, T, ...): the wrapped layer (its own tensors
    and names) applied to each of the T steps: (B·T, ...) in, (B, T, ...) out."""

    MASK = "pass"

    def __init__(self, spec, name, maker, *, inner):
        super().__init__(spec, name, maker)
        self.inner = inner

    def build(self, shape):
        if len(shape) < 3:
            raise self.fail(f"needs (B, T, ...) input, receives {len(shape)}-D")

    def call(self, x):
        B, T = x.shape[:2]
        y = self.inner(x.reshape((B * T,) + x.shape[2:]))
        if not self._params:
            for name, array in self.inner.parameters().items():
                self.add(name, array, trainable=name in self.inner.trainable_names)
        return y.reshape((B, T) + y.shape[1:])


class Identity(WitnessLayer):
    """Dropout, SpatialDropout1D, nn.Dropout, nn.Identity: the identity at inference."""

    MASK = "pass"

    def call(self, x):
        return x


class Masking(WitnessLayer):
    """keras.layers.Masking(mask_value): (B, T, F) -> (B, T, F), no parameters. A step whose
    F features all equal ``mask_value`` is masked for the layers after it (``mask_out``, (B, T))
    and its features are zeroed, as Keras's Masking.call does."""

    MASK = "use"

    def call(self, x):
        keep = np.any(x != self.spec["mask_value"], axis=-1)
        self.mask_out = keep
        return x * keep[..., None].astype(x.dtype)


class Activation(WitnessLayer):
    """keras.layers.Activation(name) and PyTorch's activation modules: no parameters,
    elementwise (softmax along its axis); the shape is unchanged."""

    MASK = "pass"

    def call(self, x):
        spec, kind = self.spec, self.spec.kind
        if kind == "Activation":
            return keras_activation(self, spec["activation"])(x)
        if kind == "ReLU":
            return np.maximum(x, 0.0)
        if kind == "Tanh":
            return np.tanh(x)
        if kind == "Sigmoid":
            return sigmoid(x)
        if kind == "GELU":
            if spec["approximate"] not in ("none", "tanh"):
                raise self.fail("approximate must be 'none' or 'tanh'")
            return gelu(x, approximate=spec["approximate"] == "tanh")
        if kind == "LeakyReLU":
            return np.where(x > 0, x, spec["negative_slope"] * x)
        fn = softmax if kind == "Softmax" else log_softmax
        return fn(x, axis=torch_softmax_dim(spec["dim"], x.ndim))


class RepeatVector(WitnessLayer):
    """keras.layers.RepeatVector(k): (B, d) -> (B, k, d)."""

    def build(self, shape):
        self.need_rank(shape, (2,), "a 2-D input (B, features)")

    def call(self, x):
        return np.repeat(x[:, None, :], self.spec["n"], axis=1)


class Flatten(WitnessLayer):
    """keras.layers.Flatten: (B, ...) -> (B, product); nn.Flatten(start_dim=1, end_dim=-1)
    merges the axes from start_dim to end_dim."""

    def call(self, x):
        if self.framework == "keras":
            if self.spec["data_format"] == "channels_first" and x.ndim > 2:
                x = np.moveaxis(x, 1, -1)
            return x.reshape(x.shape[0], math.prod(x.shape[1:]))
        start, end = self.spec["start_dim"], self.spec["end_dim"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise self.fail("start_dim and end_dim must be integers")
        nd = x.ndim
        s, e = start % nd if -nd <= start < nd else None, end % nd if -nd <= end < nd else None
        if s is None or e is None or s > e:
            raise self.fail(f"cannot flatten dims {start}..{end} of a {nd}-D input")
        shape = x.shape[:s] + (math.prod(x.shape[s:e + 1]),) + x.shape[e + 1:]
        return x.reshape(shape)


class Reshape(WitnessLayer):
    """keras.layers.Reshape(target_shape): (B, ...) -> (B, *target_shape), same elements."""

    def call(self, x):
        target = tuple(-1 if v is None else v for v in self.spec["target_shape"])
        have = math.prod(x.shape[1:])
        known = math.prod(v for v in target if v != -1)
        if target.count(-1) > 1 or (-1 not in target and known != have) or (
                -1 in target and have % known):
            raise self.fail(f"cannot reshape {have} values per example into {target}")
        target = tuple(have // known if v == -1 else v for v in target)
        return x.reshape((x.shape[0],) + target)
