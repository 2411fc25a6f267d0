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


def to_json(problems, meta) -> str:
    floats: list = []
    data = _mark_floats({
        "format": "rnnquiz-problems",
        "version": SCHEMA_VERSION,
        "generator": meta["generator"],
        "seed": meta["seed"],
        "problems": [p.as_dict() for p in problems],
    }, floats)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return re.sub(r'"\\u0000float(\d+)\\u0000"', lambda m: plain(floats[int(m.group(1))]),
                  text)
