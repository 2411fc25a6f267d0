"""Shared strategies for the tests."""

from hypothesis import strategies as st

from rnnquiz.description.network import Network


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
