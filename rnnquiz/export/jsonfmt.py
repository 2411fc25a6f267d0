"""The stable JSON form of a list of problems: ``problems.schema.json`` beside this module is
its JSON Schema (documented in the README), and numbers are plain decimals (0.00005, never
5e-05), as in every other format."""

from __future__ import annotations

import json
import re
from importlib import resources

from rnnquiz.export.text import plain

SCHEMA_VERSION = 1
SCHEMA_FILE = "problems.schema.json"
_FLOAT = "\x00float{}\x00"  # a placeholder no text can hold: json escapes control characters


def schema() -> dict:
    """The JSON Schema (draft 2020-12) that every ``to_json`` output satisfies."""
    return json.loads(resources.files("rnnquiz.export").joinpath(SCHEMA_FILE)
                      .read_text(encoding="utf-8"))


def _mark_floats(value, floats: list):
    """``value`` with each float replaced by a placeholder string (kept in ``floats``)."""
    if isinstance(value, float):
        floats.append(value)
        return _FLOAT.format(len(floats) - 1)
    if isinstance(value, dict):
        return {k: _mark_floats(v, floats) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mark_floats(v, floats) for v in value]
    return value


_FLOAT_RE = re.compile(r'"\\u0000float(\d+)\\u0000"')
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # no indent: the C encoder


def _has_float(value) -> bool:
    """Whether ``value`` holds a float anywhere (most problems hold none)."""
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, list | tuple):
        return False
    for item in value:
        if type(item) is not str and _has_float(item):  # strings: the most, and the cheapest
            return True
    return False


def _encode(value) -> str:
    """One value as compact JSON, its floats as plain decimals."""
    if not _has_float(value):
        return _ENCODE(value)  # what the placeholder path gives when it finds no float
    return _encode_marked(value)


def _encode_marked(value) -> str:
    """``_encode`` for a value holding floats: each float replaced by a placeholder, then the
    placeholder by plain()."""
    floats: list = []
    text = _ENCODE(_mark_floats(value, floats))
    if not floats:
        return text
    return _FLOAT_RE.sub(lambda m: plain(floats[int(m.group(1))]), text)


def encode_problem(p) -> str:
    """One problem as the one line of JSON ``to_json`` writes for it."""
    return _encode(p.as_dict())


def piece(p) -> tuple:
    """(the problem's JSON line, (figure file name, SVG text) or None): what a worker process
    sends back for an export (``rnnquiz.drill.bulk.generate_many``'s ``then``)."""
    figure = getattr(p, "figure", None)
    return encode_problem(p), (figure.name, figure.svg) if figure is not None else None


def iter_json_lines(lines, meta):
    """``to_json``'s text in pieces from each problem's line (``encode_problem``), one
    problem at a time (``lines`` may be a generator).

    The header fields indented, then one problem per line: readable, diffable, and written
    by the C encoder (an ``indent`` would force Python's pure-Python one).
    """
    yield "{\n"
    for key, value in (("format", "rnnquiz-problems"), ("version", SCHEMA_VERSION),
                       ("generator", meta["generator"]), ("seed", meta["seed"])):
        yield f'  {_ENCODE(key)}: {_encode(value)},\n'
    yield '  "problems": ['
    sep = "\n    "
    for line in lines:
        yield sep + line
        sep = ",\n    "
    yield "\n  ]\n}" if sep != "\n    " else "]\n}"


def iter_json(problems, meta):
    """``to_json``'s text in pieces, one problem at a time (``problems`` may be a generator)."""
    return iter_json_lines(map(encode_problem, problems), meta)


def to_json(problems, meta) -> str:
    return "".join(iter_json(problems, meta))
