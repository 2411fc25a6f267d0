"""Read answers the way people type them: (20, 10), 20x10, torch.Size([20, 10]), 1,440, 0,62.

Parsers never raise anything but :class:`UnreadableAnswer`, whose message says what form is
expected; an unreadable answer is asked again, never marked wrong.
"""

from __future__ import annotations

import re

from rnnquiz.errors import RnnquizError


class UnreadableAnswer(RnnquizError):
    """The text is not an answer of the expected kind; the message says what is expected."""


EXPECTED = {
    "integer": "a whole number, such as 725 or 1,440",
    "shape": "a shape, such as (20, 10), 20x10 or 20 by 10",
    "number": "a number, such as 0.62 or 0,62",
    "yesno": "yes or no",
    "text": "one of the choices, by its letter or its text",
}

_INT = re.compile(r"^[+]?\d{1,3}(?:([,' _\u00a0\u202f])\d{3})*$|^[+]?\d+$")
_SHAPE_WRAPPERS = re.compile(r"^(?:torch\.size|shape|size)?\s*[\(\[\{]*\s*(.*?)\s*[\)\]\}]*$")
_SHAPE_SEPARATORS = re.compile(r"\s*(?:,|x|×|\*|by)\s*|\s+")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:e[+-]?\d+)?$")
# Thousands grouped with commas: '4,096', '1,234,567', '4,100.5'.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_TRAILING_WORDS = re.compile(r"\s*(?:parameters|parameter|params|weights|steps|states|"
                             r"multiply-adds|times)\.?$")
YES = {"yes", "y", "true", "t", "yes it does", "it does", "ja", "oui", "si"}
NO = {"no", "n", "false", "f", "no it does not", "it does not", "no it doesn't",
      "it doesn't", "nein", "non"}


def _clean(text) -> str:
    if not isinstance(text, str):
        raise UnreadableAnswer("expected text")
    return " ".join(text.strip().lower().split())


def parse_integer(text) -> int:
    """'725', '1,440', '1 440', "1'440", '725 parameters' -> int."""
    s = _TRAILING_WORDS.sub("", _clean(text)).rstrip(".")
    if s.endswith(".0"):
        s = s[:-2]
    m = _INT.match(s)
    if not m or len(s) > 400:
        raise UnreadableAnswer(f"expected {EXPECTED['integer']}")
    return int(re.sub(r"[^\d]", "", s))


def parse_shape(text) -> tuple:
    """'(20, 10)', '20x10', '20 × 10', '[20,10]', '20 by 10', 'torch.Size([20, 10])', '(20,)'."""
    s = _clean(text)
    if len(s) > 200:
        raise UnreadableAnswer(f"expected {EXPECTED['shape']}")
    m = _SHAPE_WRAPPERS.match(s)
    inner = m.group(1) if m else s
    parts = [p for p in _SHAPE_SEPARATORS.split(inner.strip(", ")) if p]
    if not parts or len(parts) > 4 or not all(p.isascii() and p.isdigit() for p in parts):
        raise UnreadableAnswer(f"expected {EXPECTED['shape']}")
    return tuple(int(p) for p in parts)


def parse_number(text) -> float:
    """'0.62', '0,62', '.62', '-1.5e-3', '1,234,567', '4,100.5' -> float.

    A lone comma is a decimal comma ('4,100' -> 4.1); see ``grouped_reading`` for the other
    way to read it.
    """
    s = _clean(text).replace(" ", "")
    if len(s) <= 100 and _GROUPED.match(s) and (s.count(",") > 1 or "." in s):
        return float(s.replace(",", ""))
    if not _NUMBER.match(s) or len(s) > 100:
        raise UnreadableAnswer(f"expected {EXPECTED['number']}")
    return float(s.replace(",", "."))


def grouped_reading(text) -> float | None:
    """'4,100' read with a thousands separator (4100.0) when ``parse_number`` reads its lone
    comma as a decimal comma (4.1); None when the text has no such second reading."""
    s = _clean(text).replace(" ", "")
    if _GROUPED.match(s) and s.count(",") == 1 and "." not in s:
        return float(s.replace(",", ""))
    return None


def parse_yesno(text) -> bool:
    s = _clean(text).rstrip(".!")
    s = s.replace(",", "")
    if s in YES:
        return True
    if s in NO:
        return False
    raise UnreadableAnswer(f"expected {EXPECTED['yesno']}")


def parse_text(text) -> str:
    """A choice written out ('layer 2 (LSTM)'), compared without case or extra spaces."""
    return _clean(text)


PARSERS = {"integer": parse_integer, "shape": parse_shape, "number": parse_number,
           "yesno": parse_yesno, "text": parse_text}


def parse_choice(text, choices: dict, kind: str) -> str:
    """A letter ('b', 'b)', '(b)') or the text or value of a choice -> its letter."""
    s = _clean(text)
    letter = s.strip("().] ")
    if letter in choices:
        return letter
    for key, shown in choices.items():
        if s == _clean(shown):
            return key
    try:
        value = PARSERS[kind](text)
    except UnreadableAnswer:
        value = None
    if value is not None:
        for key, shown in choices.items():
            try:
                if PARSERS[kind](shown) == value:
                    return key
            except UnreadableAnswer:
                continue
    letters = ", ".join(choices)
    raise UnreadableAnswer(f"expected one of the letters {letters}, or the choice itself")


def parse(text, kind: str, choices: dict | None = None):
    """Parse ``text`` as an answer of ``kind`` (or a choice letter when ``choices``)."""
    if choices:
        return parse_choice(text, choices, kind)
    return PARSERS[kind](text)
