"""``json.dumps(value, indent=2)`` for the plain data of a count, without importing json.

``import json`` costs about 8 ms (its decoder loads ``re``): more than a third of Python's own
start-up, so ``rnnquiz count --json`` writes its object with this instead. Handles dict (str
keys), list, tuple, str, int, float, bool and None, byte for byte as
``json.dumps(..., indent=2)``; anything else raises TypeError so the caller can fall back to
json itself.
"""

from __future__ import annotations

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
            "\f": "\\f"}


_INF = float("inf")


def _string(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:  # a surrogate pair, as json's ensure_ascii writes it
            code -= 0x10000
            out.append(f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}")
    return '"' + "".join(out) + '"'


def _encode(value, depth: int, out: list) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif type(value) is int:
        out.append(str(value))
    elif type(value) is float:  # as json's encoder writes a float (allow_nan, its default)
        out.append("NaN" if value != value else "Infinity" if value == _INF else
                   "-Infinity" if value == -_INF else float.__repr__(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = "\n" + "  " * (depth + 1)
        out.append("{")
        first = True
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"key {key!r} is not a string")
            out.append(inner if first else "," + inner)
            first = False
            out.append(_string(key) + ": ")
            _encode(item, depth + 1, out)
        out.append("\n" + "  " * depth + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = "\n" + "  " * (depth + 1)
        out.append("[")
        for k, item in enumerate(value):
            out.append(inner if k == 0 else "," + inner)
            _encode(item, depth + 1, out)
        out.append("\n" + "  " * depth + "]")
    else:
        raise TypeError(f"{type(value).__name__} is not plain count data")


def dumps(value) -> str:
    """The text of ``json.dumps(value, indent=2)``; TypeError for what it does not handle."""
    out: list = []
    _encode(value, 0, out)
    return "".join(out)
