"""Moodle XML: one category per skill, numerical questions with the mistakes as 0% answers and
a catch-all, multiple choice (shuffled, so the feedback states the answer by its text), and
shapes as Cloze with one numerical blank per dimension.

Every question is worth ``grade(problems)`` marks: Moodle reads a Cloze question's mark as the
sum of its blanks' integer weights and ignores ``<defaultgrade>``, so the other questions get
that many marks too and each blank of a shape an equal share. A file is written a question at
a time (``iter_moodle_xml``), never held whole; an export's worker processes write each
question (``piece``), its marks filled in when every question is made.
"""

from __future__ import annotations

import base64
import html
import math

from rnnquiz.export.text import answer_text, plain
from rnnquiz.xmltext import escape as xml_escape

# Written as HTML entities inside a Cloze blank: Moodle ends an answer's feedback at an
# unescaped ~ or }, HTML-decodes it and then un-escapes only \} and \#, so a backslash escape
# of anything else would be shown to the student.
CLOZE_ENTITIES = {"~": "&#126;", "}": "&#125;", "{": "&#123;", "#": "&#35;", "\\": "&#92;"}


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _html(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def _text(tag: str, text: str, fmt: str = "html") -> str:
    return f'<{tag} format="{fmt}"><text>{_cdata(_html(text))}</text></{tag}>'


def cloze_feedback(text: str) -> str:
    """Feedback for a Cloze blank, written so that Moodle shows exactly ``text``.

    Moodle HTML-decodes the feedback and then turns \\} and \\# into } and #, and keeps the
    result as HTML. So the HTML we want shown (< > & escaped, lines joined by <br>) is escaped
    once more, a backslash before } or # is doubled, and the characters that would end the
    feedback or look like markup to the Cloze parser are written as numeric entities.
    """
    shown = _html(text).replace("\\}", "\\\\}").replace("\\#", "\\\\#")
    return "".join(CLOZE_ENTITIES.get(ch, ch) for ch in html.escape(shown, quote=False))


# Moodle reads an XML import whole with PHP's xml_parse_into_struct (lib/xmlize.php), and
# libxml2 without XML_PARSE_HUGE refuses a document of more than this many bytes in one call
# ("No memory"): a larger file does not import. tests/test_moodle_size.py checks the figure
# against PHP's own parser when PHP is installed.
PARSER_LIMIT = 10_000_000


def size_note(size: int, count: int) -> str | None:
    """The note for a Moodle XML file of ``size`` bytes holding ``count`` questions, when it
    is too large for Moodle's importer; None when it is not."""
    if size <= PARSER_LIMIT:
        return None
    fits = max(1, count * PARSER_LIMIT * 9 // (size * 10))  # a tenth to spare
    return (f"{size / 1e6:.1f} MB: Moodle's XML import (PHP's libxml2 parser) stops at "
            f"{PARSER_LIMIT / 1e6:.0f} MB; export at most about {fits:,} problems per file "
            "(different --seed values give different problems)")


GRADE = 2  # marks per question: a 2-D shape's two blanks are worth 1 each


def grade(problems) -> int:
    """Marks per question: GRADE, or a multiple of it that every shape's blanks divide.

    Every question of a file gets the same marks: 2, or 6 when a shape has three
    dimensions (a whole model's sequence output, (batch, T, units)), so that each of its
    blanks is worth a whole mark."""
    return _marks_for(_blanks(p) for p in problems)


def _blanks(p):
    """The number of Cloze blanks of the problem's question (a shape's dimensions), or None
    when it is not a Cloze question."""
    return len(p.answer) if p.kind == "shape" and not p.choices else None


def _marks_for(blanks) -> int:
    """``grade`` of the questions with these ``_blanks``."""
    marks = GRADE
    for count in blanks:
        if count is not None:
            marks = math.lcm(marks, count)
    return marks


def _figure(p) -> tuple:
    """(HTML, file element) of the problem's figure: an <img> of @@PLUGINFILE@@/name and, in
    the same <questiontext>, the SVG as a base64 <file> of that name (empty without one)."""
    figure = getattr(p, "figure", None)
    if figure is None:
        return "", ""
    img = (f'<p><img src="@@PLUGINFILE@@/{html.escape(figure.name)}" '
           f'alt="{html.escape(figure.alt)}"></p>')
    data = base64.b64encode(figure.svg.encode("utf-8")).decode("ascii")
    return img, (f'<file name="{xml_escape(figure.name)}" path="/" encoding="base64">'
                 f"{data}</file>")


def _common(p, qtype: str, body_html: str, marks: int = 1) -> list:
    img, file = _figure(p)
    body_html = body_html.replace("</p>", "</p>" + img, 1)  # the figure under the question
    return [
        f'  <question type="{qtype}">',
        f"    <name><text>{xml_escape(p.variant_id + ' ' + p.title)}</text></name>",
        f'    <questiontext format="html"><text>{_cdata(body_html)}</text>{file}'
        "</questiontext>",
        "    " + _text("generalfeedback",
                       "Answer: " + answer_text(p) + "\n\n" + p.solution),
        f"    <defaultgrade>{marks}</defaultgrade>",
        "    <penalty>0.3333333</penalty>",
        "    <hidden>0</hidden>",
        f"    <idnumber>{xml_escape(p.variant_id)}</idnumber>",
    ]


def _answer(fraction, text, feedback, tolerance=None) -> str:
    tol = f"<tolerance>{plain(tolerance)}</tolerance>" if tolerance is not None else ""
    return (f'    <answer fraction="{fraction}" format="html"><text>{xml_escape(text)}</text>'
            f"{tol}{_text('feedback', feedback)}</answer>")


def _numerical(p, marks) -> list:
    out = _common(p, "numerical", f"<p>{_html(p.question)}</p>", marks)
    tol = p.tolerance or 0
    out.append(_answer(100, plain(p.answer), "Right.", tol))
    for w in p.wrong_answers:
        out.append(_answer(0, plain(w.value), w.explanation, tol / 2 if tol else 0))
    out.append(_answer(0, "*", f"The answer is {p.answer_text}.", 0))
    return out


def _multichoice(p, options, marks) -> list:
    """options: (text, is_right, feedback) in order."""
    body = f"<p>{_html(p.question)}</p>"
    out = _common(p, "multichoice", body, marks)
    out += ["    <single>true</single>", "    <shuffleanswers>true</shuffleanswers>",
            "    <answernumbering>abc</answernumbering>"]
    for text, right, feedback in options:
        out.append(f'    <answer fraction="{100 if right else 0}" format="html">'
                   f"<text>{_cdata(_html(text))}</text>{_text('feedback', feedback)}</answer>")
    return out


def _choices(p, marks) -> list:
    wrong_by_letter = {w.text.split(")", 1)[0]: w for w in p.wrong_answers}
    options = []
    for letter, text in p.choices.items():
        w = wrong_by_letter.get(letter)
        right = letter == p.correct_choice
        options.append((text, right, "Right." if right else (w.explanation if w else "")))
    return _multichoice(p, options, marks)


def _yesno(p, marks) -> list:
    named = p.wrong_answers[0].explanation if p.wrong_answers else ""
    return _multichoice(p, [("yes", p.answer, "Right." if p.answer else named),
                            ("no", not p.answer, named if p.answer else "Right.")], marks)


def _cloze(p, marks) -> list:
    """One NUMERICAL blank per dimension, each worth an equal share of ``marks``; a transposed
    dimension gets its own feedback."""
    dims = list(p.answer)
    wrong_dims = {}
    for w in p.wrong_answers:
        if len(w.value) == len(dims):
            for k, (right, wrong) in enumerate(zip(dims, w.value, strict=True)):
                if wrong != right:
                    wrong_dims.setdefault(k, {}).setdefault(wrong, w.explanation)
    if marks % len(dims):
        raise ValueError(f"{marks} marks cannot be shared by {len(dims)} blanks")
    weight = marks // len(dims)
    blanks = []
    for k, d in enumerate(dims):
        parts = f"{{{weight}:NUMERICAL:={plain(d)}:0#Right."
        for wrong, why in wrong_dims.get(k, {}).items():
            parts += f"~%0%{plain(wrong)}:0#{cloze_feedback(why)}"
        blanks.append(parts + "}")
    shape = "(" + ", ".join(blanks) + (",)" if len(dims) == 1 else ")")
    # braces in the question's own text as entities, so none of it can be read as a blank
    text = _html(p.question).replace("{", "&#123;").replace("}", "&#125;")
    body = f"<p>{text}</p><p>Shape: {shape}</p>"
    return _common(p, "cloze", body, marks)


def question(p, marks: int | None = None) -> list:
    """The XML lines of one question worth ``marks`` (default: ``grade([p])``)."""
    if marks is None:
        marks = grade([p])
    if p.choices:
        return _choices(p, marks)
    if p.kind in ("integer", "number"):
        return _numerical(p, marks)
    if p.kind == "shape":
        return _cloze(p, marks)
    return _yesno(p, marks)


# A question made before the file's marks are known (in an export's worker process: the
# marks depend on every question) is written with these in their place, filled in by
# ``iter_moodle_pieces``. Every text a question holds reaches the XML escaped, so no "<" of
# its own: they cannot occur anywhere else (``piece`` counts them to be sure).
_MARKS = "<?rnnquiz marks?>"
_SHARE = "<?rnnquiz share?>"


class _Later:
    """The marks of a question written before the file's are known: printed as _MARKS; the
    share of each of its blanks as _SHARE (that the blanks divide the marks is checked when
    they are filled in)."""

    def __format__(self, spec: str) -> str:
        return _MARKS

    def __mod__(self, blanks: int) -> int:
        return 0

    def __floordiv__(self, blanks: int) -> str:
        return _SHARE


def piece(p) -> tuple:
    """(skill, the question's XML with its marks still open, its Cloze blanks or None): what
    a worker process sends back for an export (``generate_many``'s ``then``)."""
    blanks = _blanks(p)
    text = "\n".join(question(p, _Later()))
    if text.count(_MARKS) != 1 or text.count(_SHARE) != (blanks or 0):
        raise ValueError(f"{p.variant_id}: its marks cannot be filled in later")
    return p.skill, text, blanks


def _with_marks(text: str, marks: int, blanks) -> str:
    text = text.replace(_MARKS, str(marks))
    if blanks is None:
        return text
    if marks % blanks:
        raise ValueError(f"{marks} marks cannot be shared by {blanks} blanks")
    return text.replace(_SHARE, str(marks // blanks))


def iter_moodle_xml(problems, meta):
    """``to_moodle_xml``'s text in pieces, one question at a time, for writing as it is made
    (``problems`` is a list: the header counts them and every question's marks depend on
    them all)."""
    return iter_moodle_pieces([piece(p) for p in problems], meta)


def iter_moodle_pieces(pieces, meta):
    """``iter_moodle_xml`` of the problems whose ``piece`` is given (a list)."""
    marks = _marks_for(blanks for _, _, blanks in pieces)
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n'
           f"<!-- rnnquiz: {len(pieces)} problems, seed {meta['seed']} "
           f"({xml_escape(meta['generator'])}) -->\n"
           "<quiz>")
    category = None
    for skill, text, blanks in pieces:
        lines = []
        if skill != category:  # order kept: a category element whenever the skill changes
            category = skill
            lines += ['  <question type="category">',
                      f"    <category><text>$course$/rnnquiz/{xml_escape(category)}</text>"
                      "</category>",
                      "  </question>"]
        lines += [_with_marks(text, marks, blanks), "  </question>"]
        yield "\n" + "\n".join(lines)
    yield "\n</quiz>\n"


def to_moodle_xml(problems, meta) -> str:
    return "".join(iter_moodle_xml(problems, meta))
