"""Moodle XML: one category per skill, numerical questions with the mistakes as 0% answers and
a catch-all, multiple choice, and shapes as Cloze with one numerical blank per dimension."""

from __future__ import annotations

import html
from xml.sax.saxutils import escape as xml_escape

CLOZE_SPECIAL = "}#~/\"\\"


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _html(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def _text(tag: str, text: str, fmt: str = "html") -> str:
    return f'<{tag} format="{fmt}"><text>{_cdata(_html(text))}</text></{tag}>'


def _cloze_escape(text: str) -> str:
    return "".join("\\" + ch if ch in CLOZE_SPECIAL else ch for ch in text)


def _num(value) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def _common(p, qtype: str, body_html: str) -> list:
    return [
        f'  <question type="{qtype}">',
        f"    <name><text>{xml_escape(p.variant_id + ' ' + p.title)}</text></name>",
        f'    <questiontext format="html"><text>{_cdata(body_html)}</text></questiontext>',
        "    " + _text("generalfeedback",
                       "Answer: " + p.answer_text + "\n\n" + p.solution),
        "    <defaultgrade>1</defaultgrade>",
        "    <penalty>0.3333333</penalty>",
        "    <hidden>0</hidden>",
        f"    <idnumber>{xml_escape(p.variant_id)}</idnumber>",
    ]


def _answer(fraction, text, feedback, tolerance=None) -> str:
    tol = f"<tolerance>{_num(tolerance)}</tolerance>" if tolerance is not None else ""
    return (f'    <answer fraction="{fraction}" format="html"><text>{xml_escape(text)}</text>'
            f"{tol}{_text('feedback', feedback)}</answer>")


def _numerical(p) -> list:
    out = _common(p, "numerical", f"<p>{_html(p.question)}</p>")
    tol = p.tolerance or 0
    out.append(_answer(100, _num(p.answer), "Right.", tol))
    for w in p.wrong_answers:
        out.append(_answer(0, _num(w.value), w.explanation, tol / 2 if tol else 0))
    out.append(_answer(0, "*", f"The answer is {p.answer_text}.", 0))
    return out


def _multichoice(p, options) -> list:
    """options: (text, is_right, feedback) in order."""
    body = f"<p>{_html(p.question)}</p>"
    out = _common(p, "multichoice", body)
    out += ["    <single>true</single>", "    <shuffleanswers>true</shuffleanswers>",
            "    <answernumbering>abc</answernumbering>"]
    for text, right, feedback in options:
        out.append(f'    <answer fraction="{100 if right else 0}" format="html">'
                   f"<text>{_cdata(_html(text))}</text>{_text('feedback', feedback)}</answer>")
    return out


def _choices(p) -> list:
    wrong_by_letter = {w.text.split(")", 1)[0]: w for w in p.wrong_answers}
    options = []
    for letter, text in p.choices.items():
        w = wrong_by_letter.get(letter)
        right = letter == p.correct_choice
        options.append((text, right, "Right." if right else (w.explanation if w else "")))
    return _multichoice(p, options)


def _yesno(p) -> list:
    named = p.wrong_answers[0].explanation if p.wrong_answers else ""
    return _multichoice(p, [("yes", p.answer, "Right." if p.answer else named),
                            ("no", not p.answer, named if p.answer else "Right.")])


def _cloze(p) -> list:
    """One NUMERICAL blank per dimension; a transposed dimension gets its own feedback."""
    dims = list(p.answer)
    wrong_dims = {}
    for w in p.wrong_answers:
        if len(w.value) == len(dims):
            for k, (right, wrong) in enumerate(zip(dims, w.value, strict=True)):
                if wrong != right:
                    wrong_dims.setdefault(k, {}).setdefault(wrong, w.explanation)
    blanks = []
    for k, d in enumerate(dims):
        parts = f"{{1:NUMERICAL:={d}:0#Right."
        for wrong, why in wrong_dims.get(k, {}).items():
            parts += f"~%0%{wrong}:0#{_cloze_escape(why)}"
        blanks.append(parts + "}")
    shape = "(" + ", ".join(blanks) + (",)" if len(dims) == 1 else ")")
    body = f"<p>{_html(p.question)}</p><p>Shape: {shape}</p>"
    return _common(p, "cloze", body)


def question(p) -> list:
    if p.choices:
        return _choices(p)
    if p.kind in ("integer", "number"):
        return _numerical(p)
    if p.kind == "shape":
        return _cloze(p)
    return _yesno(p)


def to_moodle_xml(problems, meta) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f"<!-- rnnquiz: {len(problems)} problems, seed {meta['seed']} "
             f"({xml_escape(meta['generator'])}) -->",
             "<quiz>"]
    category = None
    for p in problems:
        if p.skill != category:  # order kept: a category element whenever the skill changes
            category = p.skill
            lines += ['  <question type="category">',
                      f"    <category><text>$course$/rnnquiz/{xml_escape(category)}</text>"
                      "</category>",
                      "  </question>"]
        lines += question(p)
        lines.append("  </question>")
    lines.append("</quiz>")
    return "\n".join(lines) + "\n"
