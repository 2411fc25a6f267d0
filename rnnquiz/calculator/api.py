"""Convenience functions for programmers: one call, one number or one dict."""

from __future__ import annotations

from rnnquiz.calculator.rules import count
from rnnquiz.description.network import Network


def count_parameters(m: int, n: int, p: int | None = None, *, bias: bool = True,
                     **options) -> int:
    """Total parameters of the described network.

    ``options`` are any other :class:`rnnquiz.Network` fields (T, cell, layers, bidirectional,
    convention, reset_after, proj_size, layout). ``count_parameters(m=10, n=20, p=5) == 725``.
    """
    return count(Network(m, n, p, bias=bias, **options)).total


def weight_shapes(m: int, n: int, p: int | None = None, **options) -> dict:
    """Tensor name -> shape tuple in the convention's vocabulary.

    ``weight_shapes(m=10, n=20, p=5)["W_xh"] == (20, 10)``: (n, m), rows are the n hidden
    neurons. With ``convention="keras"`` the names are Keras's and the shapes (in, out).
    """
    return count(Network(m, n, p, **options)).shapes()
