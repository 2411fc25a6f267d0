"""Inverse problems: a total is given, one size (m, n or p) is wanted.

The total grows strictly with each of m, n and p, and is a polynomial of degree at most 2 in
the unknown; its coefficients are read off the engine (three evaluations) so the worked
solution can state the equation. The equation's integer root, confirmed by the engine, is the
answer; when there is none, an exact integer search over the rules engine finds the one answer
or proves there is none, for any convention and any size.
"""

from __future__ import annotations

from math import isqrt

from rnnquiz.calculator.rules import count
from rnnquiz.description.network import Network
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
    if isinstance(total, bool) or not isinstance(total, int) or total < 1:
        raise NetworkError("total", f"must be a positive integer, got {total!r}")
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
    found = _root(coefficients, total, lo)
    if found is not None and total_at(found) == total:
        # The total grows strictly with the unknown, so the root the engine confirms is the
        # only answer; the search below is the fallback that also explains a miss.
        return Solution(unknown, found, total, build(found), coefficients)
    hi = lo
    while total_at(hi) < total:
        hi *= 2
    while lo < hi:  # smallest x with total_at(x) >= total
        mid = (lo + hi) // 2
        if total_at(mid) < total:
            lo = mid + 1
        else:
            hi = mid
    if total_at(lo) != total:
        raise NoSolutionError(
            f"no positive integer {unknown} gives {total:,} parameters: "
            f"{unknown} = {lo - 1:,} gives {total_at(lo - 1):,} and {unknown} = {lo:,} "
            f"gives {total_at(lo):,}")
    return Solution(unknown, lo, total, build(lo), coefficients)


def _root(coefficients, total, lo):
    """The integer x >= lo nearest the positive root of a x^2 + b x + c = total, or None."""
    a, b, c = coefficients
    c0 = c - total
    if a:
        disc = b * b - 4 * a * c0
        if disc < 0:
            return None
        x = (-b + isqrt(disc)) // (2 * a)
        for candidate in (x, x + 1):
            if candidate >= lo and (a * candidate + b) * candidate + c0 == 0:
                return candidate
        return None
    if b > 0 and -c0 % b == 0 and -c0 // b >= lo:
        return -c0 // b
    return None


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
