"""The stable JSON form of a list of problems: ``problems.schema.json`` beside this module is
its JSON Schema (documented in the README), and numbers are plain decimals (0.00005, never
5e-05), as in every other format."""

from __future__ import annotations

import json
from importlib import resources

from rnnquiz.export.text import plain

SCHEMA_VERSION = 1
SCHEMA_FILE = "problems.schema.json"


def schema() -> dict:
    """The JSON Schema (draft 2020-12) that every ``to_json`` output satisfies."""
    return json.loads(resources.files("rnnquiz.export").joinpath(SCHEMA_FILE)
                      .read_text(encoding="utf-8"))


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
    """One value as compact JSON (``json.dumps``'s separators), its floats as plain decimals:
    the C encoder writes every part that holds no float, and only the containers on the way
    to a float are joined here. (A float written as a placeholder string, swapped for its
    decimal afterwards, also swapped any text that was that very placeholder.)"""
    if isinstance(value, float):
        return plain(value)
    if not _has_float(value):
        return _ENCODE(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {_encode(v)}" for k, v in value.items()) + "}"
    return "[" + ", ".join(map(_encode, value)) + "]"


def _key(key) -> str:
    """A mapping key as json writes it (a string; numbers, booleans and None as json turns
    them into one; TypeError for any other)."""
    if isinstance(key, str):
        return _ENCODE(key)
    return _ENCODE({key: None})[1:-len(": null}")]


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
    yield "\n  ]\n}\n" if sep != "\n    " else "]\n}\n"  # a text file ends its last line


def iter_json(problems, meta):
    """``to_json``'s text in pieces, one problem at a time (``problems`` may be a generator)."""
    return iter_json_lines(map(encode_problem, problems), meta)


def to_json(problems, meta) -> str:
    return "".join(iter_json(problems, meta))
