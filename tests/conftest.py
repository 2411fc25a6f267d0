"""Shared set-up and strategies for the tests."""

import sys

from rnnquiz.__main__ import limit_blas_threads

# One BLAS thread, as the CLI runs (before numpy loads): the tests' matrices are small, and
# with a pytest-xdist worker per core a thread per core each only makes them wait for each other.
limit_blas_threads()
if "numpy" in sys.modules:  # a plugin loaded it first: the setting came too late
    sys.stderr.write("tests/conftest.py: numpy was loaded before its BLAS threads were set\n")

from hypothesis import strategies as st  # noqa: E402

from rnnquiz.description.network import Network  # noqa: E402


@st.composite
def networks(draw, max_size=12, max_layers=3):
    """Random valid descriptions covering every cell, convention and option."""
    convention = draw(st.sampled_from(["textbook", "pytorch", "keras"]))
    cell = draw(st.sampled_from(["rnn", "lstm", "gru"]))
    n = draw(st.integers(min_value=2, max_value=max_size))
    proj = 0
    if convention == "pytorch" and cell == "lstm" and draw(st.booleans()):
        proj = draw(st.integers(min_value=1, max_value=n - 1))
    layout = draw(st.sampled_from([None, "in-out"])) if convention == "textbook" else None
    return Network(draw(st.integers(1, max_size)), n,
                   draw(st.one_of(st.none(), st.integers(1, max_size))),
                   T=draw(st.one_of(st.none(), st.integers(1, 5))), cell=cell,
                   layers=draw(st.integers(1, max_layers)), bidirectional=draw(st.booleans()),
                   bias=draw(st.booleans()), convention=convention,
                   reset_after=draw(st.booleans()), proj_size=proj, layout=layout)


def run_and_list_modules(args, modules) -> tuple:
    """Run ``rnnquiz ARGS`` through ``rnnquiz.__main__.main`` in a fresh Python; returns (its
    standard output, the names in ``modules`` it had loaded by the end)."""
    import json
    import subprocess

    code = ("import sys; from rnnquiz.__main__ import main; main(sys.argv[2:]); "
            f"print('\\0' + repr(sorted(m for m in {tuple(modules)!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code, "--", *map(str, args)],
                         capture_output=True, text=True, check=True).stdout
    text, _, loaded = out.rpartition("\0")
    return text, json.loads(loaded.replace("'", '"'))
