"""Inverse problems: a total is given, one size (m, n or p) is wanted.

The total grows strictly with each of m, n and p, and is a polynomial of degree at most 2 in
the unknown; its coefficients are read off the engine (three evaluations), the quadratic
formula in exact integers gives the candidate, and the engine confirms it (or its neighbour
proves there is no answer). The work does not grow with the size of the answer.
"""

from __future__ import annotations

from math import isqrt

from rnnquiz.calculator.rules import count
from rnnquiz.description.network import MAX_SIZE, Network, integer
from rnnquiz.errors import NetworkError, NoSolutionError

UNKNOWNS = ("m", "n", "p")


class Solution:
    """``unknown`` = ``value`` gives ``total``; ``coefficients`` (a, b, c): a x^2 + b x + c."""

    __slots__ = ("unknown", "value", "total", "network", "coefficients")

    def __init__(self, unknown, value, total, network, coefficients):
        self.unknown = unknown
        self.value = value
        self.total = total
        self.network = network
        self.coefficients = coefficients

    def as_dict(self) -> dict:
        a, b, c = self.coefficients
        return {"unknown": self.unknown, "value": self.value, "total": self.total,
                "equation": {"a": a, "b": b, "c": c},
                "network": self.network.as_dict()}


def polynomial(a: int, b: int, c: int, x: str) -> str:
    """'n² + 16n + 5' for (1, 16, 5); 'n² + 1,760n' for (1, 1760, 0)."""
    terms = []
    for coef, power in ((a, 2), (b, 1), (c, 0)):
        if coef == 0:
            continue
        sign = "-" if coef < 0 else "+"
        mag = abs(coef)
        body = {2: f"{x}²", 1: x, 0: ""}[power]
        text = f"{mag:,}{body}" if (mag != 1 or power == 0) else body
        terms.append((sign, text))
    if not terms:
        return "0"
    first_sign, first = terms[0]
    out = ("-" if first_sign == "-" else "") + first
    for sign, text in terms[1:]:
        out += f" {sign} {text}"
    return out


def solve(unknown: str, total: int, **known) -> Solution:
    """Find the positive integer ``unknown`` (m, n or p) whose network has ``total`` parameters.

    ``known`` holds the other Network fields (``bias`` selects which total is meant). Raises
    :class:`NoSolutionError` when no positive integer fits, :class:`NetworkError` for a bad
    description.
    """
    if unknown not in UNKNOWNS:
        raise NetworkError("unknown", f"must be one of m, n, p, got {unknown!r}")
    total = integer("total", total)
    known = dict(known)
    known.pop(unknown, None)
    for size in UNKNOWNS:
        if size != unknown and size != "p" and known.get(size) is None:
            raise NetworkError(size, "is needed: give every size but the unknown one")

    def build(x):
        return Network(**{**known, unknown: x})

    def total_at(x):
        return count(build(x)).total

    lo = 1
    if unknown == "n" and known.get("proj_size"):
        lo = known["proj_size"] + 1
    build(lo)  # validates the rest of the description
    values = [total_at(lo + k) for k in range(3)]
    a2 = values[2] - 2 * values[1] + values[0]
    a = a2 // 2
    b = values[1] - values[0] - a * (2 * lo + 1)
    c = values[0] - a * lo * lo - b * lo
    coefficients = (a, b, c)
    if values[0] > total:
        raise NoSolutionError(
            f"no positive integer {unknown} gives {total:,} parameters: "
            f"the smallest, {unknown} = {lo:,}, already gives {values[0]:,}")
    if total_at(MAX_SIZE) < total:
        raise NoSolutionError(
            f"no {unknown} up to 10^100 (the largest size rnnquiz describes) gives {total:,} "
            "parameters")
    guess = min(_root(coefficients, total, lo), MAX_SIZE)
    lo = _smallest_reaching(total_at, total, lo, guess)
    if total_at(lo) != total:
        raise NoSolutionError(
            f"no positive integer {unknown} gives {total:,} parameters: "
            f"{unknown} = {lo - 1:,} gives {total_at(lo - 1):,} and {unknown} = {lo:,} "
            f"gives {total_at(lo):,}")
    return Solution(unknown, lo, total, build(lo), coefficients)


def _root(coefficients, total: int, lo: int) -> int:
    """The x >= lo where a x² + b x + c first reaches ``total``, by the quadratic formula in
    exact integers (a guess: the engine confirms it)."""
    a, b, c = coefficients
    if a > 0:
        disc = b * b + 4 * a * (total - c)
        x = (isqrt(max(disc, 0)) - b) // (2 * a)
    elif b > 0:
        x = (total - c) // b
    else:
        x = lo
    return max(x, lo)


def _smallest_reaching(total_at, total: int, lo: int, guess: int) -> int:
    """The smallest x >= lo with total_at(x) >= total (total_at grows strictly).

    Starts from ``guess`` and steps to the answer; a guess that is off by more than a few steps
    (which an exact polynomial never is) falls back to a search by bisection, so the count
    is evaluated a handful of times, never once per unit of x.
    """
    x = guess
    for _ in range(4):
        if total_at(x) < total:
            x += 1
        elif x > lo and total_at(x - 1) >= total:
            x -= 1
        else:
            return x
    hi = max(lo, guess)
    while total_at(hi) < total:  # total_at(MAX_SIZE) >= total: checked by the caller
        hi = min(2 * hi, MAX_SIZE)
    while lo < hi:
        mid = (lo + hi) // 2
        if total_at(mid) < total:
            lo = mid + 1
        else:
            hi = mid
    return lo


def quadratic_steps(solution: Solution) -> list:
    """The worked steps of the equation, one line each (quadratic formula when degree 2)."""
    a, b, c = solution.coefficients
    x, total = solution.unknown, solution.total
    lines = [f"total({x}) = {polynomial(a, b, c, x)}",
             f"{polynomial(a, b, c, x)} = {total:,}"]
    if a:
        c0 = c - total
        disc = b * b - 4 * a * c0
        root = isqrt(disc)
        lines.append(f"{polynomial(a, b, c0, x)} = 0")
        lines.append(f"{x} = (-{b:,} + sqrt({b:,}² + 4·{a:,}·{-c0:,})) / (2·{a:,}) "
                     f"= (-{b:,} + {root:,}) / {2 * a:,} = {solution.value:,}")
    else:
        minus = f" - {c:,}" if c >= 0 else f" + {-c:,}"
        lines.append(f"{x} = ({total:,}{minus}) / {b:,} = {solution.value:,}")
    return lines
