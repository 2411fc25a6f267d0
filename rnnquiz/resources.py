"""Where the shipped problem templates live, in a wheel or in a source checkout."""

from __future__ import annotations

import os

_PACKAGE = os.path.dirname(os.path.realpath(__file__))


def problems_path() -> str:
    """The folder of shipped templates, as a string (no pathlib: ``rnnquiz list`` runs this
    on its fast path).

    Installed from a wheel it is ``rnnquiz/problems`` inside the package; in a source or
    editable checkout it is the top-level ``problems/`` beside the package.
    """
    inside = os.path.join(_PACKAGE, "problems")
    beside = os.path.join(os.path.dirname(_PACKAGE), "problems")
    for candidate in (inside, beside):
        if os.path.isdir(candidate):
            return candidate
    raise FileNotFoundError(
        f"rnnquiz's problems folder is missing (looked in {inside} and {beside}): reinstall "
        "rnnquiz")


def problems_dir():
    """The folder of shipped templates (a :class:`pathlib.Path`)."""
    from pathlib import Path

    return Path(problems_path())
