"""Named mistakes of inverse problems (a size found from the total): the count equation of
another convention, or of the network without its output layer, solved and rounded. Each rule
returns (wrong value, explanation) or None.
"""

from __future__ import annotations

from rnnquiz.calculator.rules import count
from rnnquiz.errors import NetworkError


def _real_root(net, unknown, total, which="total") -> float | None:
    """The real x > 0 with count(net with unknown = x) = total (a quadratic in x).

    ``which`` names the Count's total solved for: "total" (the network's own bias setting),
    "with_bias" or "without_bias" (one Count gives both, see ``rules.Count``: the network
    with its biases flipped is not made and counted again)."""
    try:
        a0, a1, a2 = (getattr(count(net.replace(**{unknown: x})), which) for x in (1, 2, 3))
    except NetworkError:
        return None
    a = (a2 - 2 * a1 + a0) / 2
    b = a1 - a0 - 3 * a
    c = a0 - a - b - total
    if a == 0:
        return -c / b if b else None
    disc = b * b - 4 * a * c
    return (-b + disc ** 0.5) / (2 * a) if disc >= 0 else None


def _other_equation(net, ask, solved, other, why, which="total"):
    """The whole number a student gets by solving the count equation of ``other`` (its
    ``which`` total, see ``_real_root``) for the unknown and rounding; None when it rounds back
    to the answer (no mistake to see)."""
    if ask["quantity"] != "size":
        return None
    unknown, given = ask["of"], solved.derived["total"]
    root = _real_root(other, unknown, given, which)
    if root is None or root < 0.5 or round(root) == solved.value:
        return None
    wrong = round(root)
    return wrong, (f"{wrong:,} solves the equation {why}: with {unknown} = {solved.value:,} "
                   f"the count is {given:,}")


def _asks_a_size(ask) -> bool:
    """Only an inverse problem has these mistakes: the other network is made for it alone."""
    return ask["quantity"] == "size"


def biases_left_out(net, ask, solved):
    if not _asks_a_size(ask) or not solved.total_bias:
        return None
    return _other_equation(net, ask, solved, net, "without the biases, which the total "
                           "includes", which="without_bias")


def biases_added(net, ask, solved):
    if not _asks_a_size(ask) or solved.total_bias is not False:
        return None
    return _other_equation(net, ask, solved, net, "with biases, which this network has none "
                           "of", which="with_bias")


def one_bias(net, ask, solved):
    if not _asks_a_size(ask) or net.convention != "pytorch" or not solved.total_bias:
        return None
    return _other_equation(net, ask, solved, net.replace(convention="textbook"),
                           "with one bias vector per gate block; PyTorch keeps two (bias_ih "
                           "and bias_hh)")


def output_layer_left_out(net, ask, solved):
    if not _asks_a_size(ask) or not net.p or ask.get("of") == "p":
        return None
    tensors = "W_hy and b_y" if net.bias else "W_hy"
    return _other_equation(net, ask, solved, net.replace(p=None),
                           f"without the output layer ({tensors}), which the total includes")
