"""Figures as SVG text: pure functions of a description (or a trace), the same bytes for the
same input. Loaded only by ``--svg`` and by exports, never on ``rnnquiz count``'s plain path.
"""

from __future__ import annotations

from rnnquiz.figures.network import network_svg
from rnnquiz.figures.svg import FigureError

__all__ = ["FigureError", "network_svg"]
