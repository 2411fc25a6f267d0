"""Convolution and pooling along time: Keras Conv1D, MaxPooling1D, AveragePooling1D, the
global poolings and ConvLSTM2D; PyTorch nn.Conv1d, MaxPool1d, AvgPool1d.

Every sliding window is gathered explicitly (``windows``): output step o reads input steps
o·s - left + j·d for j < k, where s is the stride, d the dilation and ``left`` the padding
before the first step; steps outside the input are padding (zero for a convolution, left out
of a max or of an average that excludes padding).
"""

from __future__ import annotations

import numpy as np

from rnnquiz.witness.layers.base import WitnessLayer, fan_scale, keras_activation


def windows(x, out, k, s, d, left):
    """x: (B, L, C) -> (values (B, out, k, C) with padding as 0, inside (out, k) bools)."""
    L = x.shape[1]
    idx = np.arange(out)[:, None] * s - left + np.arange(k)[None, :] * d
    inside = (idx >= 0) & (idx < L)
    vals = x[:, np.clip(idx, 0, max(L - 1, 0)), :] if L else np.zeros(
        (x.shape[0], out, k, x.shape[2]), dtype=x.dtype)
    return np.where(inside[None, :, :, None], vals, 0), inside


def keras_padding(layer, L, k, s, d, padding):
    """(out, left) for Keras padding valid / same / causal (TensorFlow's rule for same)."""
    span = d * (k - 1) + 1
    if padding == "valid":
        out, left = (L - span) // s + 1, 0
    elif padding == "same":
        out = -(-L // s)
        left = max((out - 1) * s + span - L, 0) // 2
    elif padding == "causal":
        out, left = (L + d * (k - 1) - span) // s + 1, d * (k - 1)
    else:
        raise layer.fail(f"padding must be 'valid', 'same' or 'causal', got {padding!r}")
    if out < 1:
        raise layer.fail(f"receives {L} steps, fewer than its window spans ({span})")
    return out, left


def conv(x, w, s, d, left, out, groups=1):
    """x: (B, L, c), w: (k, c/groups, f) -> (B, out, f) = sum_j,c x[o·s - left + j·d] w[j]."""
    vals, _ = windows(x, out, w.shape[0], s, d, left)
    cg, fg = w.shape[1], w.shape[2] // groups
    parts = [np.einsum("botc,tcf->bof", vals[..., g * cg:(g + 1) * cg],
                       w[:, :, g * fg:(g + 1) * fg]) for g in range(groups)]
    return np.concatenate(parts, axis=-1)


def _channels_last(layer, x):
    return np.moveaxis(x, 1, -1) if layer.spec["data_format"] == "channels_first" else x


def _back(layer, y):
    return np.moveaxis(y, -1, 1) if layer.spec["data_format"] == "channels_first" else y


class Conv1D(WitnessLayer):
    """keras.layers.Conv1D(f, k) on (B, T, c): kernel (k, c/groups, f), bias (f,); padding
    valid: floor((T - d(k-1) - 1)/s) + 1 steps, same: ceil(T/s), causal: T (s = 1)."""

    def build(self, shape):
        self.need_rank(shape, (3,), "a sequence (B, T, channels)")
        spec = self.spec
        if spec["strides"] > 1 and spec["dilation_rate"] > 1:
            raise self.fail("strides > 1 together with dilation_rate > 1 is refused by Keras")
        c = shape[1] if spec["data_format"] == "channels_first" else shape[-1]
        g, f, k = spec["groups"], spec["filters"], spec["kernel_size"]
        if c % g or f % g:
            raise self.fail(f"{c} channels and {f} filters must both divide by groups={g}")
        self.phi = keras_activation(self, spec["activation"])
        self.kernel = self.add("kernel", self.maker((k, c // g, f), fan_scale(k * c // g)))
        self.bias = self.add("bias", self.maker((f,), 0.1)) if spec["use_bias"] else None

    def call(self, x):
        spec = self.spec
        x = _channels_last(self, x)
        k, s, d = spec["kernel_size"], spec["strides"], spec["dilation_rate"]
        out, left = keras_padding(self, x.shape[1], k, s, d, spec["padding"])
        y = conv(x, self.kernel, s, d, left, out, spec["groups"])
        if self.bias is not None:
            y = y + self.bias
        return _back(self, self.phi(y))


class Conv1d(WitnessLayer):
    """nn.Conv1d(c, f, k) on (B, c, L): weight (f, c/groups, k), bias (f,);
    L_out = floor((L + 2p - d(k-1) - 1)/s) + 1; padding 'same' keeps L (stride 1)."""

    MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge",
             "circular": "wrap"}

    def build(self, shape):
        spec = self.spec
        self.need_rank(shape, (3,), "(B, channels, L)")
        c, f, g = spec["in_channels"], spec["out_channels"], spec["groups"]
        if shape[1] != c:
            raise self.fail(f"receives {shape[1]} channels (axis 1 of (B, C, L)), but "
                            f"in_channels is {c}")
        if c % g or f % g:
            raise self.fail(f"in_channels and out_channels must both divide by groups={g}")
        if spec["padding_mode"] not in self.MODES:
            raise self.fail(f"unknown padding_mode {spec['padding_mode']!r}")
        k = spec["kernel_size"]
        self.weight = self.add("weight", self.maker((f, c // g, k), fan_scale(k * c // g)))
        self.bias = self.add("bias", self.maker((f,), fan_scale(k * c // g))) \
            if spec["bias"] else None

    def _pads(self, L):
        spec = self.spec
        k, s, d, p = spec["kernel_size"], spec["stride"], spec["dilation"], spec["padding"]
        if p == "valid":
            return 0, 0
        if p == "same":
            if s != 1:
                raise self.fail("padding='same' is not supported for strided convolutions")
            total = d * (k - 1)
            return total // 2, total - total // 2
        if isinstance(p, tuple) and len(p) == 1:
            p = p[0]
        if not isinstance(p, int) or isinstance(p, bool) or p < 0:
            raise self.fail(f"padding must be an integer >= 0, 'valid' or 'same', got {p!r}")
        return p, p

    def call(self, x):
        spec = self.spec
        k, s, d = spec["kernel_size"], spec["stride"], spec["dilation"]
        xs = np.moveaxis(x, 1, -1)
        lo, hi = self._pads(xs.shape[1])
        xs = np.pad(xs, ((0, 0), (lo, hi), (0, 0)), mode=self.MODES[spec["padding_mode"]]) \
            if (lo or hi) and xs.size else np.pad(xs, ((0, 0), (lo, hi), (0, 0)))
        out = (xs.shape[1] - d * (k - 1) - 1) // s + 1
        if out < 1:
            raise self.fail(f"receives {x.shape[2]} steps, too few for its kernel")
        y = conv(xs, np.transpose(self.weight, (2, 1, 0)), s, d, 0, out, spec["groups"])
        if self.bias is not None:
            y = y + self.bias
        return np.moveaxis(y, -1, 1)


def _reduce(vals, inside, how, include_pad=None):
    """Max or mean over each window's k steps; padding never wins a max, and is left out of a
    mean unless ``include_pad`` (a divisor per window) is given."""
    if how == "max":
        return np.where(inside[None, :, :, None], vals, -np.inf).max(axis=2)
    total = vals.sum(axis=2)
    count = include_pad if include_pad is not None else inside.sum(axis=1)
    return total / count[None, :, None]


class KerasPooling(WitnessLayer):
    """keras.layers.MaxPooling1D / AveragePooling1D(pool, strides=pool, padding) on (B, T, c):
    valid: floor((T - pool)/s) + 1 steps; same: ceil(T/s) (an average leaves padding out)."""

    def build(self, shape):
        self.need_rank(shape, (3,), "a sequence (B, T, channels)")

    def call(self, x):
        spec = self.spec
        x = _channels_last(self, x)
        k, s = spec["pool_size"], spec["strides"]
        if spec["padding"] not in ("valid", "same"):
            raise self.fail("padding must be 'valid' or 'same'")
        out, left = keras_padding(self, x.shape[1], k, s, 1, spec["padding"])
        vals, inside = windows(x, out, k, s, 1, left)
        how = "max" if spec.kind.startswith("Max") else "mean"
        return _back(self, _reduce(vals, inside, how))


class TorchPooling(WitnessLayer):
    """nn.MaxPool1d / AvgPool1d(k, stride=k, padding) on (B, C, L):
    L_out = floor((L + 2p - d(k-1) - 1)/s) + 1 (ceil with ceil_mode, the last window starting
    inside the input or its left padding)."""

    def build(self, shape):
        self.need_rank(shape, (3,), "(B, channels, L)")

    def call(self, x):
        spec = self.spec
        k, s, p = spec["kernel_size"], spec["stride"], spec["padding"]
        d = spec.args.get("dilation", 1)
        if p > k // 2:
            raise self.fail(f"padding should be at most half of the kernel size, got {p}")
        L = x.shape[2]
        span = L + 2 * p - d * (k - 1) - 1
        out = (-(-span // s) if spec["ceil_mode"] else span // s) + 1
        if spec["ceil_mode"] and (out - 1) * s >= L + p:
            out -= 1
        if out < 1:
            raise self.fail(f"receives {L} steps, too few for its window")
        vals, inside = windows(np.moveaxis(x, 1, -1), out, k, s, d, p)
        if spec.kind == "MaxPool1d":
            return np.moveaxis(_reduce(vals, inside, "max"), -1, 1)
        starts = np.arange(out) * s - p
        ends = np.minimum(starts + k, L + p)
        divisor = (ends - starts) if spec["count_include_pad"] else None
        return np.moveaxis(_reduce(vals, inside, "mean", divisor), -1, 1)


class GlobalPooling(WitnessLayer):
    """keras.layers.GlobalMaxPooling1D / GlobalAveragePooling1D: (B, T, c) -> (B, c)
    ((B, 1, c) with keepdims). The average reads a mask (masked steps left out); the max
    ignores it."""

    MASK = "use"

    def build(self, shape):
        self.need_rank(shape, (3,), "a sequence (B, T, channels)")

    def call(self, x):
        axis = 2 if self.spec["data_format"] == "channels_first" else 1
        if self.mask is not None and self.spec.kind == "GlobalAveragePooling1D":
            # Keras averages the steps the mask keeps (0/0 when it keeps none)
            m = np.expand_dims(self.mask, 2 if axis == 1 else 1).astype(x.dtype)
            with np.errstate(invalid="ignore", divide="ignore"):
                return (np.sum(x * m, axis=axis, keepdims=self.spec["keepdims"])
                        / np.sum(m, axis=axis, keepdims=self.spec["keepdims"]))
        fn = np.max if self.spec.kind.startswith("GlobalMax") else np.mean
        if not x.size:
            shape = list(x.shape)
            shape[axis] = 1
            y = np.zeros(shape, dtype=x.dtype)
            return y if self.spec["keepdims"] else y.squeeze(axis)
        return fn(x, axis=axis, keepdims=self.spec["keepdims"])


def _conv2d(x, w, strides, dilation, padding):
    """x: (B, H, W, c), w: (kh, kw, c, f) -> (B, H', W', f) with Keras padding valid / same."""
    (kh, kw), (sh, sw), (dh, dw) = w.shape[:2], strides, dilation
    H, W = x.shape[1:3]

    def axis(L, k, s, d):
        span = d * (k - 1) + 1
        if padding == "valid":
            return (L - span) // s + 1, 0
        out = -(-L // s)
        return out, max((out - 1) * s + span - L, 0) // 2

    (oh, lh), (ow, lw) = axis(H, kh, sh, dh), axis(W, kw, sw, dw)
    if oh < 1 or ow < 1:
        return None
    ih = np.arange(oh)[:, None] * sh - lh + np.arange(kh)[None, :] * dh
    iw = np.arange(ow)[:, None] * sw - lw + np.arange(kw)[None, :] * dw
    inside = (((ih >= 0) & (ih < H))[:, None, :, None] & ((iw >= 0) & (iw < W))[None, :, None, :])
    vals = x[:, np.clip(ih, 0, H - 1)[:, None, :, None], np.clip(iw, 0, W - 1)[None, :, None, :]]
    vals = np.where(inside[None, ..., None], vals, 0)
    return np.einsum("bhwijc,ijcf->bhwf", vals, w)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


class ConvLSTM2D(WitnessLayer):
    """keras.layers.ConvLSTM2D(f, (kh, kw)) on (B, T, H, W, c): an LSTM whose products are
    convolutions. kernel (kh, kw, c, 4f), recurrent_kernel (kh, kw, f, 4f) (stride 1, same
    padding), bias (4f,); gates i, f, c, o. Output (B, H', W', f), (B, T, H', W', f) with
    return_sequences; return_state adds h and c."""

    def build(self, shape):
        self.need_rank(shape, (5,), "(B, T, rows, cols, channels)")
        spec = self.spec
        if spec["data_format"] == "channels_first":
            raise self.fail("the witness reads ConvLSTM2D channels_last only")
        self.strides, self.dilation = _pair(spec["strides"]), _pair(spec["dilation_rate"])
        if max(self.strides) > 1 and max(self.dilation) > 1:
            raise self.fail("strides > 1 together with dilation_rate > 1 is refused by Keras")
        if spec["padding"] not in ("valid", "same"):
            raise self.fail("padding must be 'valid' or 'same'")
        (kh, kw), c, f = _pair(spec["kernel_size"]), shape[-1], spec["filters"]
        self.phi = keras_activation(self, spec["activation"])
        self.gate = keras_activation(self, spec["recurrent_activation"])
        self.kernel = self.add("kernel", self.maker((kh, kw, c, 4 * f), fan_scale(kh * kw * c)))
        self.recurrent_kernel = self.add("recurrent_kernel",
                                         self.maker((kh, kw, f, 4 * f), fan_scale(kh * kw * f)))
        self.bias = self.add("bias", self.maker((4 * f,), 0.1)) if spec["use_bias"] else None

    def call(self, x):
        spec = self.spec
        B, T = x.shape[:2]
        f = spec["filters"]
        frames = x[:, ::-1] if spec["go_backwards"] else x
        flat = frames.reshape((B * T,) + x.shape[2:])
        xp = _conv2d(flat, self.kernel, self.strides, self.dilation, spec["padding"])
        if xp is None:
            raise self.fail(f"receives frames of {x.shape[2]}x{x.shape[3]}, smaller than its "
                            "kernel")
        if self.bias is not None:
            xp = xp + self.bias
        xp = xp.reshape((B, T) + xp.shape[1:])
        h = np.zeros(xp.shape[:1] + xp.shape[2:4] + (f,), dtype=x.dtype)
        c = np.zeros_like(h)
        hs = []
        for t in range(T if B else 0):
            z = xp[:, t] + _conv2d(h, self.recurrent_kernel, (1, 1), (1, 1), "same")
            i, fg, g, o = (z[..., j * f:(j + 1) * f] for j in range(4))
            c = self.gate(fg) * c + self.gate(i) * self.phi(g)
            h = self.gate(o) * self.phi(c)
            hs.append(h)
        seq = np.stack(hs, axis=1) if hs else np.zeros((B, T) + h.shape[1:], dtype=x.dtype)
        out = seq if spec["return_sequences"] else (hs[-1] if hs else h)
        return (out, h, c) if spec["return_state"] else out

