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
