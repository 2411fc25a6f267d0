"""The figure a problem is about: drawn from the variant's own network (so a pure function of
template and seed), with the asked-about matrix highlighted and its shape drawn as "?", and
checked never to show the answer.

A problem's figure travels into every export that can hold an image (Moodle XML, Anki .apkg,
HTML, Markdown and JSON beside their files); the others use ``text_only``: the template's
wording without the figure, or nothing.
"""

from __future__ import annotations

import functools
import re

from rnnquiz.calculator.render import shape_text
from rnnquiz.drill.wording import fill
from rnnquiz.xmltext import unescape

# A template names matrices as the textbook does; the figures draw them by kind.
KIND_OF = {"W_xh": "x", "W_hh": "h", "W_hy": "y", "biases": "b"}
SVG_NS = "{http://www.w3.org/2000/svg}"


class Figure:
    """A problem's figure: ``name`` (fig-<template>-<seed>.svg), ``svg`` (the file's text),
    ``alt`` (what it shows, for screen readers and as the image's alt text; never the
    answer), ``kind`` (unrolled or grid) and ``text`` (the wording without the figure, or
    None)."""

    __slots__ = ("name", "svg", "alt", "kind", "text")

    def __init__(self, name, svg, alt, kind, text=None):
        self.name, self.svg, self.alt, self.kind, self.text = name, svg, alt, kind, text

    def as_dict(self) -> dict:
        return {"file": self.name, "kind": self.kind, "alt": self.alt, "svg": self.svg}


def file_name(template_id: str, seed: int) -> str:
    """'fig-unrolled-shape-whh-12.svg': the variant id with '@' as '-', safe in every LMS."""
    return f"fig-{template_id}-{seed}.svg"


def draw(template, seed: int, net, names: dict) -> Figure:
    """The figure of ``template`` for this variant's network; raises FigureError when the
    network cannot be drawn that way (the grid is for small single layers)."""
    from rnnquiz.figures import network_svg
    from rnnquiz.figures.grid import grid_svg

    spec = template.figure
    highlight = KIND_OF.get(spec.get("highlight"))
    hide = tuple(KIND_OF[h] for h in spec.get("hide", ()))
    if spec["kind"] == "grid":
        svg = grid_svg(net, highlight=highlight, hide=hide)
    else:
        svg = network_svg(net, highlight=highlight, hide=hide)
    texts = svg_texts(svg)
    alt = texts[1] if len(texts) > 1 else texts[0]
    text = fill(spec["text"], names) if spec.get("text") else None
    return Figure(file_name(template.id, seed), svg, alt, spec["kind"], text)


# rnnquiz.figures.svg writes each title, desc and text element on one line, its content
# escaped with xmltext.escape (and no element inside), every attribute value quoted with >
# escaped: so a pattern finds them all, and unescape gives back what an XML parser reads.
# tests/test_speed_generation.py checks that on every shipped figure template.
_TEXT_ELEMENT = re.compile(r"<(title|desc|text)\b[^>]*>([^<]*)</\1>")


@functools.lru_cache(maxsize=8)
def svg_texts(svg: str) -> tuple:
    """The title, the description and every text of the figure, in document order (title
    and description first, as rnnquiz's SVG writer puts them)."""
    found = _TEXT_ELEMENT.findall(svg)
    if ([tag for tag, _ in found[:2]] == ["title", "desc"] and svg.count("<title") == 1
            and svg.count("<desc") == 1 and len(found) == 2 + svg.count("<text")):
        return tuple(unescape(text) for _, text in found)
    return parsed_svg_texts(svg)  # not laid out as our writer does: ask an XML parser


def parsed_svg_texts(svg: str) -> tuple:
    """``svg_texts`` as an XML parser reads them (any well-formed SVG)."""
    import xml.etree.ElementTree as ET  # here only: practice starts without XML

    root = ET.fromstring(svg.encode("utf-8"))
    out = []
    for tag in ("title", "desc"):
        el = root.find(SVG_NS + tag)
        if el is not None:
            out.append("".join(el.itertext()))
    out += ["".join(el.itertext()) for el in root.iter(SVG_NS + "text")]
    return tuple(out)


def _token(value: str) -> re.Pattern:
    return re.compile(rf"(?<![\w.,]){re.escape(value)}(?![\w]|[.,]\d)")


def leak(figure: Figure, kind: str, value, hiding: bool) -> str | None:
    """Why the figure gives the answer away, or None. A shape is never to be read off the
    figure; a number only when the template hides something (a count to be worked out)."""
    texts = svg_texts(figure.svg)
    if kind == "shape":
        needle = shape_text(tuple(value))
        if any(needle in t for t in texts):
            return f"the figure shows the answer {needle}"
    elif kind == "integer" and hiding:
        for form in {str(value), f"{value:,}"}:
            if any(_token(form).search(t) for t in texts):
                return f"the figure shows the answer {form}"
    return None


def text_only(problem):
    """The problem for a format without images: itself when it has no figure, else a copy
    asked in the template's text-only wording, else None (the problem is left out)."""
    figure = getattr(problem, "figure", None)
    if figure is None:
        return problem
    if not figure.text:
        return None
    fields = dict(vars(problem))
    fields.update(question=figure.text, figure=None)
    return type(problem)(**fields)


def without_images(problems) -> tuple:
    """(problems, notes): each problem text-only or left out, and a note naming the problems
    left out (for the CLI to say on stderr). A problem asked in its text-only wording is no
    loss, so it gets no note: standard error stays quiet on an ordinary export."""
    kept, left_out = [], []
    for p in problems:
        q = text_only(p)
        if q is None:
            left_out.append(p.variant_id)
        else:
            kept.append(q)
    return kept, [left_out_note(left_out)] if left_out else []


def left_out_note(variant_ids) -> str:
    """The note naming the figure problems a format without images leaves out."""
    return (f"{len(variant_ids)} figure problem(s) left out (this format cannot hold images "
            "and the template has no text-only wording): " + ", ".join(variant_ids))
