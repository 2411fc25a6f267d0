"""Reading answers the way people type them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnquiz.drill.answers import UnreadableAnswer, parse, parse_choice


@pytest.mark.parametrize("text", ["(20, 10)", "20x10", "20 × 10", "[20,10]", "20 by 10",
                                  "torch.Size([20, 10])", " ( 20 ,10 ) ", "20 X 10", "20*10",
                                  "20, 10", "shape (20, 10)"])
def test_shapes(text):
    assert parse(text, "shape") == (20, 10)


def test_one_dimensional_shapes():
    assert parse("(20,)", "shape") == (20,)
    assert parse("20", "shape") == (20,)


@pytest.mark.parametrize("text, value", [("725", 725), ("1,440", 1440), ("1 440", 1440),
                                         ("1'440", 1440), ("1_440", 1440), ("725 parameters", 725),
                                         ("10,000", 10_000), ("725.0", 725), ("+725", 725)])
def test_integers(text, value):
    assert parse(text, "integer") == value


@pytest.mark.parametrize("text", ["1,44", "seven", "7 2 5", "1.5", "", "-3", "12,34,567"])
def test_unreadable_integers(text):
    with pytest.raises(UnreadableAnswer, match="whole number"):
        parse(text, "integer")


@pytest.mark.parametrize("text, value", [("0.62", 0.62), ("0,62", 0.62), (".62", 0.62),
                                         ("-1.5e-3", -0.0015), ("1", 1.0)])
def test_numbers(text, value):
    assert parse(text, "number") == pytest.approx(value)


@pytest.mark.parametrize("text, value", [("yes", True), ("No", False), ("true", True),
                                         ("FALSE", False), ("n", False),
                                         ("no, it does not", False)])
def test_yes_no(text, value):
    assert parse(text, "yesno") is value


def test_choices_by_letter_text_or_value():
    choices = {"a": "(10, 20)", "b": "(20, 10)", "c": "(5, 20)"}
    for text in ["b", "B)", "(b)", "(20, 10)", "20x10"]:
        assert parse_choice(text, choices, "shape") == "b"
    with pytest.raises(UnreadableAnswer, match="letters a, b, c"):
        parse_choice("d", choices, "shape")


@given(st.text(max_size=300), st.sampled_from(["integer", "shape", "number", "yesno"]))
def test_the_parser_never_raises_anything_else(text, kind):
    try:
        parse(text, kind)
    except UnreadableAnswer:
        pass


@given(st.text(max_size=100))
def test_choice_parser_never_raises_anything_else(text):
    try:
        parse(text, "integer", {"a": "725", "b": "700"})
    except UnreadableAnswer:
        pass
