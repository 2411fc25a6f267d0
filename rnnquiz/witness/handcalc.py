"""A forward pass the way a student computes it by hand: scalars, lists, one step at a time.

Pure Python (no numpy): this is the rules side of forward-value questions; the NumPy model
checks it. Matrices are lists of rows in (out, in) layout: W_xh is n rows of m numbers.
"""

from __future__ import annotations

import math


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1.0 + ez)


ACTIVATIONS = {"sigmoid": sigmoid, "tanh": math.tanh, "relu": lambda z: max(z, 0.0),
               "identity": lambda z: z}


def _matvec(w, v):
    return [sum(a * b for a, b in zip(row, v, strict=True)) for row in w]


class Step:
    """One time step: a_t = W_xh x_t + W_hh h_(t-1), h_t = phi(a_t), o_t = W_hy h_t, y_t."""

    __slots__ = ("t", "x", "a", "h", "o", "y")

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}


def forward(w_xh, w_hh, w_hy, xs, *, activation="sigmoid", output_activation="sigmoid",
            h0=None) -> list:
    """Steps t = 1..T of a bias-free vanilla RNN. xs: T input vectors of m numbers."""
    phi = ACTIVATIONS[activation]
    out = ACTIVATIONS[output_activation]
    h = list(h0) if h0 is not None else [0.0] * len(w_hh)
    steps = []
    for t, x in enumerate(xs, 1):
        s = Step()
        s.t, s.x = t, list(x)
        s.a = [u + v for u, v in zip(_matvec(w_xh, x), _matvec(w_hh, h), strict=True)]
        s.h = [phi(a) for a in s.a]
        s.o = _matvec(w_hy, s.h) if w_hy is not None else None
        s.y = [out(o) for o in s.o] if s.o is not None else None
        h = s.h
        steps.append(s)
    return steps


ACTIVATION_SLOPES = {"tanh": lambda a, h: 1.0 - h * h, "sigmoid": lambda a, h: h * (1.0 - h),
                     "relu": lambda a, h: 1.0 if a > 0 else 0.0, "identity": lambda a, h: 1.0}


def _f(v: float, digits: int | None = None) -> str:
    """A number as written in a hand calculation: (-0.5) in parentheses, never -0.0000."""
    text = f"{v:g}" if digits is None else f"{v:.{digits}f}"
    if not text.lstrip("-").strip("0."):  # zero, perhaps written -0.0000
        return text.lstrip("-")
    return f"({text})" if text.startswith("-") else text


def one_neuron_bptt(u, w, xs, target, activation="identity", h0=0.0, *,
                    ignore_slope=False) -> dict:
    """h_t = phi(u x_t + w h_(t-1)), L = 0.5 (h_T - target)^2, backpropagated by hand.

    Returns the states, dL/dw, dL/du, dL/dh_0, the last step's terms alone and the worked
    lines. ``ignore_slope`` forgets phi' (a student's mistake, for the misconceptions).
    """
    phi, slope = ACTIVATIONS[activation], ACTIVATION_SLOPES[activation]
    if ignore_slope:
        slope = ACTIVATION_SLOPES["identity"]
    hs, pre = [h0], []
    lines = []
    for t, x in enumerate(xs, 1):
        a = u * x + w * hs[-1]
        pre.append(a)
        hs.append(phi(a))
        lines.append(f"h_{t} = {activation}({_f(u)}·{_f(x)} + {_f(w)}·{_f(hs[-2], 4)}) = "
                     f"{hs[-1]:z.4f}")
    T = len(xs)
    delta = hs[-1] - target
    lines.append(f"dL/dh_{T} = h_{T} - target = {_f(hs[-1], 4)} - {_f(target)} = "
                 f"{delta:z.4f}")
    dw = du = 0.0
    last = None
    for t in range(T, 0, -1):
        da = delta * slope(pre[t - 1], hs[t])
        dw += da * hs[t - 1]
        du += da * xs[t - 1]
        if last is None:
            last = {"dW_hh": da * hs[t - 1], "dW_xh": da * xs[t - 1]}
        deriv = "" if activation == "identity" else f" · {activation}'(a_{t})"
        lines.append(f"t = {t}: da_{t} = dL/dh_{t}{deriv} = {da:z.4f}; adds "
                     f"{_f(da, 4)}·h_{t - 1} = {da * hs[t - 1]:z.4f} to dL/dw and "
                     f"{_f(da, 4)}·x_{t} = {da * xs[t - 1]:z.4f} to dL/du")
        delta = da * w
        lines.append(f"       dL/dh_{t - 1} = da_{t} · w = {delta:z.4f}")
    return {"h": hs, "dW_hh": dw, "dW_xh": du, "dh0": delta, "last": last, "lines": lines}
