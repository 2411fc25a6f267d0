"""What every writer shares: plain decimal numbers, the answer stated without its letter, and
worked solutions wrapped to a page or a phone.

Python writes small floats as ``5e-05``; some GIFT readers reject that and others read it as
5.0, so every number a writer puts in a file goes through :func:`plain`.
"""

from __future__ import annotations

import functools
import math
import textwrap
from decimal import Decimal

SOLUTION_WIDTH = 72  # characters of a worked-solution line, continuation indent included


def plain(value) -> str:
    """A number as a plain decimal: 5e-05 -> '0.00005', 1e-06 -> '0.000001', 725 -> '725'.

    The shortest decimal that reads back as the same float (Python's repr), never an exponent.
    """
    if isinstance(value, bool):
        raise TypeError("a yes/no answer is not a number")
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    if value == 0:
        return "0"
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def answer_text(p) -> str:
    """The answer as written, without a choice letter: for importers that shuffle choices."""
    if p.choices:
        return p.choices[p.correct_choice]
    return p.answer_text


def wrap_solution(solution: str, width: int = SOLUTION_WIDTH) -> list:
    """The worked solution's lines, each at most ``width`` characters where the words allow.

    A long line breaks at spaces (so ``a + b + c`` breaks before a ``+``); its continuation
    lines are indented by four spaces so the reader sees they belong together.
    """
    lines = []
    for line in solution.splitlines():
        if len(line) <= width:
            lines.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        if _spaces_only(line):
            lines += _wrap_at_spaces(line, width, indent + "    ")
        else:
            lines += _wrapper(width, indent + "    ").wrap(line)
    return lines


def _spaces_only(line: str) -> bool:
    """Whether the only whitespace in ``line`` is the plain space: every other whitespace
    character (tabs, line breaks, the no-break space and the other Unicode spaces, which
    textwrap drops at a break) is one Python does not count as printable."""
    return line.replace(" ", "").isprintable()


def _wrap_at_spaces(text: str, width: int, indent: str) -> list:
    """``_wrapper(width, indent).wrap(text)`` for a text whose only whitespace is the plain
    space, in a few string operations a line instead of textwrap's loop over every word and
    space (a third of a Markdown export's own time).

    Each line is the longest run of whole words (with the spaces between them) that fits,
    or one word alone when even that does not fit; the spaces at a break are dropped, and
    the first line keeps the text's leading spaces unless no word fits after them.
    """
    lines, rest, prefix = [], text, ""
    while rest:
        room = width - len(prefix)
        if len(rest) <= room:
            end = len(rest.rstrip(" "))  # everything fits: the trailing spaces are dropped
        else:
            space = rest.rfind(" ", 0, room + 1) if room > 0 else -1
            if space < 0:  # the first word alone is too long: it gets a line of its own
                end = rest.find(" ")
                end = len(rest) if end < 0 else end
            else:  # the end of the last word before the last space that fits
                end = len(rest[:space].rstrip(" "))
        if end:
            lines.append(prefix + rest[:end])
            prefix = indent
        rest = rest[end:].lstrip(" ")
    return lines


@functools.lru_cache(maxsize=64)
def _wrapper(width: int, indent: str) -> textwrap.TextWrapper:
    """``textwrap.wrap``'s wrapper for these options, made once (it holds no state between
    calls: wrap() is a pure function of the text)."""
    return textwrap.TextWrapper(width=width, subsequent_indent=indent, break_long_words=False,
                                break_on_hyphens=False)
