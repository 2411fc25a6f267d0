"""Where the shipped problem templates live, in a wheel or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def problems_dir() -> Path:
    """The folder of shipped templates.

    Installed from a wheel it is ``rnnquiz/problems`` inside the package; in a source or
    editable checkout it is the top-level ``problems/`` beside the package.
    """
    for candidate in (_PACKAGE / "problems", _PACKAGE.parent / "problems"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"rnnquiz's problems folder is missing (looked in {_PACKAGE / 'problems'} and "
        f"{_PACKAGE.parent / 'problems'}): reinstall rnnquiz")
