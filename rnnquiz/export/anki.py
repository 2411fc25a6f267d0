"""Anki: a real .apkg through genanki (the optional ``anki`` extra), or a tab-separated file
with Anki's import header lines when genanki is not installed.

Model and deck ids are fixed once here, and each note's guid comes from its variant id, so
exporting again updates the cards instead of duplicating them.
"""

from __future__ import annotations

import html

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
    return f"<p><b>{_html(p.answer_text)}</b></p><pre>{_html(p.solution)}</pre>"


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
            model=model, fields=[front(p), back(p), "", _html(p.variant_id), _html(p.skill)],
            tags=[p.skill], guid=genanki.guid_for(p.variant_id)))
    genanki.Package(deck).write_to_file(str(path))
    return len(problems)


def to_anki_tsv(problems, meta) -> str:
    """Anki's plain-text import: front, back, tags, guid (the variant id)."""
    lines = ["#separator:Tab", "#html:true", f"#deck:{DECK_NAME}", "#tags column:3",
             "#guid column:4"]
    for p in problems:
        cells = [front(p), back(p) + f"<p>{_html(p.variant_id)}</p>", p.skill, p.variant_id]
        lines.append("\t".join(c.replace("\t", " ").replace("\n", "<br>") for c in cells))
    return "\n".join(lines) + "\n"
