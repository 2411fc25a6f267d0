"""The stable JSON schema of a list of problems (documented in the README)."""

from __future__ import annotations

import json

SCHEMA_VERSION = 1


def to_json(problems, meta) -> str:
    return json.dumps({
        "format": "rnnquiz-problems",
        "version": SCHEMA_VERSION,
        "generator": meta["generator"],
        "seed": meta["seed"],
        "problems": [p.as_dict() for p in problems],
    }, indent=2, ensure_ascii=False)
