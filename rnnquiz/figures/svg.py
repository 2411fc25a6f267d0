"""A small SVG writer: shapes, arrows and real text, the same bytes for the same drawing.

Coordinates are user units (pixels at 100 %); numbers are written rounded to 0.1 so the output
never depends on float noise. Text is real ``<text>`` (searchable, selectable), and every
drawing has a ``<title>`` and ``<desc>`` for screen readers.
"""

from __future__ import annotations

import functools
import re

from rnnquiz.errors import RnnquizError
from rnnquiz.xmltext import escape, quoteattr

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
MONO = "DejaVu Sans Mono, Menlo, Consolas, monospace"
CHAR = 0.6  # a monospace character's width in ems (DejaVu Sans Mono, Menlo, Consolas)


_SPECIAL = re.compile(r'[&<>"\n\r\t]')


# A figure writes the same few hundred numbers and colours thousands of times: both writers
# below are pure functions of their argument, so each value is worked out once per process.
@functools.lru_cache(maxsize=4096, typed=True)
def _attr(value) -> str:
    """An attribute value quoted, as ``quoteattr`` writes it (its fast path: most values are
    numbers and colours with nothing to escape)."""
    text = str(value)
    return quoteattr(text) if _SPECIAL.search(text) else f'"{text}"'


def _attrs(attrs: dict) -> str:
    """' name="value"' for each attribute that is not None, in order."""
    return "".join([f" {k}={_attr(v)}" for k, v in attrs.items() if v is not None])


# Each drawing repeats a few styles thousands of times: the part of an element after its
# coordinates is written once per style and process (the same bytes as _attrs writes).
@functools.lru_cache(maxsize=1024, typed=True)
def _rect_style(rx, fill, stroke, width, dash, cls) -> str:
    return _attrs({"rx": num(rx), "fill": fill, "stroke": stroke, "stroke-width": num(width),
                   "stroke-dasharray": dash, "class": cls})


@functools.lru_cache(maxsize=1024, typed=True)
def _line_style(cls, colour, width, dash, marker) -> str:
    """A line's attributes after its coordinates: class, the Style's, the marker."""
    return _attrs({"class": cls, **Style(None, colour, width, dash).attrs(),
                   "marker-end": marker})


@functools.lru_cache(maxsize=1024, typed=True)
def _circle_style(fill, stroke, width, cls) -> str:
    return _attrs({"fill": fill, "stroke": stroke, "stroke-width": num(width), "class": cls})


@functools.lru_cache(maxsize=1024, typed=True)
def _text_style(size, anchor, colour, mono, weight, halo, cls, italic) -> str:
    attrs = {"font-size": num(size), "text-anchor": anchor,
             "font-family": MONO if mono else FONT, "fill": colour,
             "font-weight": weight, "font-style": "italic" if italic else None, "class": cls}
    if halo:
        attrs.update({"stroke": "white", "stroke-width": "4", "paint-order": "stroke",
                      "stroke-linejoin": "round"})
    return _attrs(attrs)


@functools.lru_cache(maxsize=4096, typed=True)
def _escaped(content) -> str:
    """The text of a <text> element, escaped (labels repeat across a drawing's cells)."""
    return escape(str(content))


class FigureError(RnnquizError, ValueError):
    """A figure that cannot be drawn for this input (the message says why)."""


@functools.lru_cache(maxsize=4096)
def num(v) -> str:
    """A coordinate as written in the file: at most one decimal, never '-0'."""
    text = f"{round(float(v), 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def text_width(text: str, size: float) -> float:
    """The width of ``text`` set in the monospace label font at ``size``."""
    return len(text) * CHAR * size


class Style:
    """How one kind of line is drawn: colour, width and dash (so grey print tells them apart)."""

    __slots__ = ("colour", "width", "dash", "name")

    def __init__(self, name, colour, width, dash=None):
        self.name, self.colour, self.width, self.dash = name, colour, width, dash

    def attrs(self) -> dict:
        out = {"stroke": self.colour, "stroke-width": num(self.width)}
        if self.dash:
            out["stroke-dasharray"] = self.dash
        return out


class Drawing:
    """An SVG document built element by element; ``text()`` returns the finished file."""

    def __init__(self, width, height, title: str, desc: str):
        self.width, self.height = width, height
        self.title, self.desc = title, desc
        self.parts = []
        self.markers = {}

    def _element(self, tag, attrs, content=None):
        items = _attrs(attrs)
        if content is None:
            self.parts.append(f"<{tag}{items}/>")
        else:
            self.parts.append(f"<{tag}{items}>{content}</{tag}>")

    def _marker(self, colour) -> str:
        key = f"arrow-{colour.lstrip('#')}"
        self.markers[key] = colour
        return f"url(#{key})"

    def _glow(self, tag, attrs, glow):
        """A wide pale band under a highlighted arrow (drawn first, so the arrow sits on it)."""
        if glow:
            self._element(tag, {**attrs, "fill": "none" if tag == "path" else None,
                                "stroke": glow, "stroke-width": "11", "stroke-linecap": "round",
                                "opacity": "0.75", "class": "highlight"})

    def line(self, x1, y1, x2, y2, style, *, arrow=True, cls=None, glow=None):
        x1, y1, x2, y2 = num(x1), num(y1), num(x2), num(y2)
        if glow:
            self._glow("line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "class": cls}, glow)
        # the attributes as _element writes them: x1, y1, x2, y2, class, the style, the marker
        tail = _line_style(cls, style.colour, style.width, style.dash,
                           self._marker(style.colour) if arrow else None)
        self.parts.append(f"<line x1={_attr(x1)} y1={_attr(y1)} x2={_attr(x2)} y2={_attr(y2)}"
                          f"{tail}/>")

    def path(self, d, style, *, arrow=True, fill="none", cls=None, glow=None):
        attrs = {"d": d, "fill": fill, "class": cls}
        self._glow("path", attrs, glow)
        attrs.update(style.attrs())
        if arrow:
            attrs["marker-end"] = self._marker(style.colour)
        self._element("path", attrs)

    def polyline(self, points, style, *, arrow=True, cls=None, glow=None):
        d = "M " + " L ".join(f"{num(x)} {num(y)}" for x, y in points)
        self.path(d, style, arrow=arrow, cls=cls, glow=glow)

    def rect(self, x, y, w, h, *, fill="white", stroke="#333333", width=1.5, dash=None,
             rx=6, cls=None):
        # the attributes as _element writes them: x, y, width, height, then the style
        style = _rect_style(rx, fill, stroke, width, dash, cls)
        self.parts.append(f"<rect x={_attr(num(x))} y={_attr(num(y))} width={_attr(num(w))} "
                          f"height={_attr(num(h))}{style}/>")

    def circle(self, cx, cy, r, *, fill="white", stroke="#333333", width=1.5, cls=None):
        # the attributes as _element writes them: cx, cy, r, then the style
        self.parts.append(f"<circle cx={_attr(num(cx))} cy={_attr(num(cy))} r={_attr(num(r))}"
                          f"{_circle_style(fill, stroke, width, cls)}/>")

    def text(self, x, y, content, *, size=12, anchor="middle", colour="#222222", mono=False,
             weight=None, halo=False, cls=None, italic=False):
        """One line of real text; ``halo`` paints a white outline so it reads over lines."""
        # the attributes as _element writes them: x, y, then the style of the text
        self.parts.append(f"<text x={_attr(num(x))} y={_attr(num(y))}"
                          f"{_text_style(size, anchor, colour, mono, weight, halo, cls, italic)}>"
                          f"{_escaped(content)}</text>")

    def label(self, x, y, lines, *, size=11, anchor="middle", colour="#222222", cls=None):
        """A stacked label (name above shape), centred on ``y`` as a block."""
        top = y - (len(lines) - 1) * size * 1.15 / 2 + size * 0.35
        for k, line in enumerate(lines):
            self.text(x, top + k * size * 1.15, line, size=size, anchor=anchor, colour=colour,
                      mono=True, halo=True, cls=cls)

    def text_file(self) -> str:
        w, h = num(self.width), num(self.height)
        head = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
            f'viewBox="0 0 {w} {h}" role="img" aria-labelledby="title desc">',
            f'<title id="title">{escape(self.title)}</title>',
            f'<desc id="desc">{escape(self.desc)}</desc>',
        ]
        if self.markers:
            head.append("<defs>")
            for key in sorted(self.markers):
                head.append(
                    f'<marker id="{key}" viewBox="0 0 10 10" refX="9" refY="5" '
                    'markerWidth="11" markerHeight="11" markerUnits="userSpaceOnUse" '
                    'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
                    f'fill="{self.markers[key]}"/></marker>')
            head.append("</defs>")
        head.append(f'<rect width="{w}" height="{h}" fill="white"/>')
        return "\n".join(head + self.parts + ["</svg>"]) + "\n"
