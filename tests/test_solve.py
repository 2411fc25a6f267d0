"""Inverse problems: a total given, one size wanted."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnquiz.calculator.inverse import polynomial, quadratic_steps, solve
from rnnquiz.calculator.rules import count
from rnnquiz.description.network import Network
from rnnquiz.errors import NoSolutionError


def test_exam_inverse_problems():
    assert solve("n", 725, m=10, p=5).value == 20
    assert solve("m", 725, n=20, p=5).value == 10
    assert solve("p", 725, m=10, n=20).value == 5
    assert solve("n", 700, m=10, p=5, bias=False).value == 20


def test_equation_is_stated():
    s = solve("n", 725, m=10, p=5)
    assert s.coefficients == (1, 16, 5)
    steps = quadratic_steps(s)
    assert steps[0] == "total(n) = n² + 16n + 5"
    assert steps[-1].endswith("= (-16 + 56) / 2 = 20")


def test_no_solution_is_explained():
    with pytest.raises(NoSolutionError, match="n = 20 gives 725 and n = 21 gives 782"):
        solve("n", 726, m=10, p=5)
    with pytest.raises(NoSolutionError, match="smallest"):
        solve("n", 3, m=10, p=5)


def test_polynomial_text():
    assert polynomial(1, 16, 5, "n") == "n² + 16n + 5"
    assert polynomial(4, 0, -3, "n") == "4n² - 3"
    assert polynomial(0, 21, 620, "p") == "21p + 620"


@given(st.integers(1, 500), st.integers(1, 500), st.integers(1, 500),
       st.sampled_from(["rnn", "lstm", "gru"]), st.sampled_from(["textbook", "pytorch", "keras"]),
       st.integers(1, 3), st.booleans(), st.sampled_from(["m", "n", "p"]))
def test_solve_inverts_count(m, n, p, cell, convention, layers, bidirectional, unknown):
    opts = {"cell": cell, "convention": convention, "layers": layers,
            "bidirectional": bidirectional}
    net = Network(m, n, p, **opts)
    known = {"m": m, "n": n, "p": p, **opts}
    solution = solve(unknown, count(net).total, **known)
    assert solution.value == {"m": m, "n": n, "p": p}[unknown]
    a, b, c = solution.coefficients
    x = solution.value
    assert a * x * x + b * x + c == count(net).total


def test_huge_total_is_solved_exactly():
    n = 10**20
    assert solve("n", count(Network(10, n, 5)).total, m=10, p=5).value == n
