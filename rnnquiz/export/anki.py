"""Anki: a real .apkg through genanki (the optional ``anki`` extra), or a tab-separated file
with Anki's import header lines when genanki is not installed.

Model and deck ids are fixed once here, and each note's guid comes from its variant id, so
exporting again updates the cards instead of duplicating them. The note type (fields and
card template) is unchanged since the first release: the worked solution goes in the Solution
field that the card template always showed, so decks made before keep updating in place.
"""

from __future__ import annotations

import html

from rnnquiz.export.text import wrap_solution

MODEL_ID = 1739046521  # chosen once; never change (Anki tracks the note type by it)
DECK_ID = 2085934417  # chosen once; never change
DECK_NAME = "rnnquiz"
FIELDS = ("Question", "Answer", "Solution", "VariantId", "Skill")


class AnkiUnavailable(ImportError):
    """genanki is not installed (``pip install "rnnquiz[anki]"``)."""


def _html(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def front(p) -> str:
    text = f"<p>{_html(p.question)}</p>"
    if p.choices:
        text += "<ol type=\"a\">" + "".join(f"<li>{_html(c)}</li>" for c in p.choices.values())
        text += "</ol>"
    return text


def back(p) -> str:
    """The answer; the choice letter is kept, Anki shows the choices in a fixed order."""
    return f"<p><b>{_html(p.answer_text)}</b></p>"


SOLUTION_WIDTH = 44  # characters: a phone-width card; the CSS wraps anything longer too
SOLUTION_STYLE = ("white-space: pre-wrap; overflow-wrap: anywhere; text-align: left; "
                  "font-family: monospace; font-size: 0.85em")


def solution(p) -> str:
    """The worked solution, wrapped for a phone: no <pre>, which would run off the card."""
    text = "\n".join(wrap_solution(p.solution, SOLUTION_WIDTH))
    return f'<div class="solution" style="{SOLUTION_STYLE}">{_html(text)}</div>'


def write_apkg(problems, path) -> int:
    """Write an .apkg to ``path``; returns the number of notes. Raises AnkiUnavailable."""
    try:
        import genanki
    except ImportError as e:
        raise AnkiUnavailable(str(e)) from None
    model = genanki.Model(
        MODEL_ID, "rnnquiz problem",
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Card 1", "qfmt": "{{Question}}",
                    "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}{{Solution}}'
                            '<p style="font-size:small">{{VariantId}}</p>'}])
    deck = genanki.Deck(DECK_ID, DECK_NAME)
    for p in problems:
        deck.add_note(genanki.Note(
            model=model, fields=[front(p), back(p), solution(p), _html(p.variant_id),
                                     _html(p.skill)],
            tags=[p.skill], guid=genanki.guid_for(p.variant_id)))
    genanki.Package(deck).write_to_file(str(path))
    return len(problems)


def to_anki_tsv(problems, meta) -> str:
    """Anki's plain-text import: front, back, tags, guid (the variant id)."""
    lines = ["#separator:Tab", "#html:true", f"#deck:{DECK_NAME}", "#tags column:3",
             "#guid column:4"]
    for p in problems:
        cells = [front(p), back(p) + solution(p) + f"<p>{_html(p.variant_id)}</p>", p.skill,
                 p.variant_id]
        lines.append("\t".join(c.replace("\t", " ").replace("\n", "<br>") for c in cells))
    return "\n".join(lines) + "\n"
