"""A model file in its usual shapes, read without importing json or yaml (``import json``
costs about 8 ms, PyYAML 20 ms and more to parse: several times Python's start-up, on
``rnnquiz count FILE``'s fast path).

:func:`loads` returns the value ``json.loads`` or the bounded YAML loader would return, or
:data:`UNSURE` for anything outside these shapes, which the full readers then read (and whose
errors they word):

- JSON, through CPython's own C scanner (``_json``, the one ``json.loads`` uses): the same
  values, or UNSURE wherever ``json.loads`` might fail;
- YAML, only the shape model files take: a list of constructor lines (``- LSTM(100)``), at the
  top or under ``layers:``, with an optional ``framework: keras|pytorch``; comments and blank
  lines anywhere. Every line is plain ASCII; an item is an unquoted line that starts with a
  letter and holds a parenthesis (so YAML reads it as that very string), or a quoted one
  without escapes. Anything else (flow style, anchors, tags, multi-line values...) is UNSURE.
"""

from __future__ import annotations

UNSURE = object()
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_JSON_SPACE = " \t\n\r"
_FRAMEWORKS = ("keras", "pytorch")


def loads(text: str, as_json: bool):
    """The value of a model file's text (JSON when ``as_json``, else YAML), or UNSURE."""
    return _json(text) if as_json else _yaml(text)


class _Decoder:
    """What the C scanner reads from its context: json.JSONDecoder's defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int

    @staticmethod
    def parse_constant(name):
        return {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}[name]


def _json(text):
    try:
        from _json import make_scanner
    except ImportError:
        return UNSURE
    start = len(text) - len(text.lstrip(_JSON_SPACE))
    try:
        value, end = make_scanner(_Decoder())(text, start)
    except Exception:  # noqa: BLE001 - any failure: json.loads says what it is
        return UNSURE
    if text[end:].strip(_JSON_SPACE):
        return UNSURE
    return value


def _item(value):
    """The string a sequence item's text stands for, or UNSURE."""
    if value[0] == '"':
        inner = value[1:-1]
        if len(value) < 2 or value[-1] != '"' or '"' in inner or "\\" in inner:
            return UNSURE
        return inner
    if value[0] == "'":
        inner = value[1:-1]
        if len(value) < 2 or value[-1] != "'" or "'" in inner.replace("''", ""):
            return UNSURE
        return inner.replace("''", "'")
    if (value[0] not in _LETTERS or "(" not in value or "#" in value or ": " in value
            or value.endswith(":")):
        return UNSURE
    return value


def _yaml(text):
    if not text.isascii() or "\r" in text or "\t" in text:
        return UNSURE
    items, mapping = [], {}
    indent = None  # the items' column
    state = "start"  # start, items (top-level list), layers (after 'layers:'), mapping
    for raw in text.split("\n"):
        line = raw.rstrip(" ")
        if not raw.isprintable():
            return UNSURE
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        column = len(line) - len(stripped)
        if stripped.startswith("- "):
            if state == "start" and column == 0:
                state = "items"
            elif state not in ("items", "layers") or (state == "items" and column != 0):
                return UNSURE
            if indent is None:
                indent = column
            elif column != indent:
                return UNSURE
            item = _item(stripped[2:].lstrip(" "))
            if item is UNSURE:
                return UNSURE
            items.append(item)
            continue
        if column != 0 or state == "items" or "#" in line:
            return UNSURE
        key, colon, value = line.partition(":")
        if not colon or key in mapping or value[:1] not in ("", " "):
            return UNSURE
        value = value.strip(" ")
        if state == "layers" and indent is None:
            return UNSURE  # 'layers:' with no item under it
        if key == "layers" and not value:
            mapping[key], state, indent = items, "layers", None
        elif key == "framework" and value in _FRAMEWORKS:
            mapping[key], state = value, "mapping"
        else:
            return UNSURE
    if state == "items":
        return items
    if "layers" not in mapping or not items:
        return UNSURE
    return mapping
