"""Template text with its numbers filled in: separators in prose, none inside code.

'An RNN with {m} inputs has {total} parameters' gets 'has 5,638 parameters', while a library
call such as 'torch.nn.LSTM(input_size={m}, hidden_size={n})' keeps plain digits, so the code
a question quotes still runs.
"""

from __future__ import annotations

import functools
import re

# A call as a question quotes it: torch.nn.LSTM(...), nn.Linear(...), keras.layers.GRU(...).
CODE_CALL = re.compile(r"[A-Za-z_][\w.]*\([^()]*\)")
FIELD = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")


class _Separated:
    """An integer that formats with thousands separators, but str() gives plain digits."""

    __slots__ = ("value",)

    def __init__(self, value: int):
        self.value = value

    def __format__(self, spec: str) -> str:
        return f"{self.value:,}" if not spec else format(self.value, spec)

    def __str__(self) -> str:
        return str(self.value)


def fill(text: str, values: dict) -> str:
    """``text.format_map(values)``, integers in prose written 1,440 and in code 1440.

    Raises KeyError for a placeholder without a value, as format_map does.
    """
    shown = {k: _Separated(v) if isinstance(v, int) and not isinstance(v, bool) else v
             for k, v in values.items()}
    return _plain_in_code(text).format_map(shown)


@functools.lru_cache(maxsize=1024)
def _plain_in_code(text: str) -> str:
    """``text`` with each placeholder inside a quoted call asking for plain digits (``!s``);
    a template's texts are filled again and again, so each is rewritten once."""
    return CODE_CALL.sub(lambda c: FIELD.sub(r"{\1!s}", c.group(0)), text)
