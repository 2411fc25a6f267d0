"""Anki: a real .apkg through genanki (the optional ``anki`` extra), or a tab-separated file
with Anki's import header lines when genanki is not installed.

Model and deck ids are fixed once here, and each note's guid comes from its variant id, so
exporting again updates the cards instead of duplicating them. The note type (fields and
card template) is unchanged since the first release: the worked solution goes in the Solution
field that the card template always showed, so decks made before keep updating in place.
"""

from __future__ import annotations

import html
import os
import tempfile

MODEL_ID = 1739046521  # chosen once; never change (Anki tracks the note type by it)
DECK_ID = 2085934417  # chosen once; never change
DECK_NAME = "rnnquiz"
FIELDS = ("Question", "Answer", "Solution", "VariantId", "Skill")


class AnkiUnavailable(ImportError):
    """genanki is not installed (``pip install ".[anki]"`` in the rnnquiz checkout)."""


def _html(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def front(p) -> str:
    """The question (and its figure, an <img> of the media file of that name in the .apkg)."""
    text = f"<p>{_html(p.question)}</p>"
    figure = getattr(p, "figure", None)
    if figure is not None:
        text += (f'<p><img src="{html.escape(figure.name)}" '
                 f'alt="{html.escape(figure.alt)}"></p>')
    if p.choices:
        text += "<ol type=\"a\">" + "".join(f"<li>{_html(c)}</li>" for c in p.choices.values())
        text += "</ol>"
    return text


def back(p) -> str:
    """The answer; the choice letter is kept, Anki shows the choices in a fixed order."""
    return f"<p><b>{_html(p.answer_text)}</b></p>"


SOLUTION_STYLE = "font-family: monospace; font-size: 0.8em; text-align: left"
# Each line of the solution is its own block that wraps at the card's width (a phone's too),
# its continuation indented under it; no <pre>, which would run off a narrow card.
LINE_STYLE = "padding-left: 2em; text-indent: -2em; overflow-wrap: anywhere"


def solution(p) -> str:
    """The worked solution as HTML for the Solution field: one wrapping block per line."""
    lines = "".join(f'<div style="{LINE_STYLE}">{_html(line) or "&nbsp;"}</div>'
                    for line in p.solution.splitlines())
    return f'<div class="solution" style="{SOLUTION_STYLE}">{lines}</div>'


def note_piece(p) -> tuple:
    """(fields, skill, variant id, figure (file name, SVG text) or None): one problem's note,
    what a worker process sends back for an export (``generate_many``'s ``then``)."""
    figure = getattr(p, "figure", None)
    return ([front(p), back(p), solution(p), _html(p.variant_id), _html(p.skill)], p.skill,
            p.variant_id, (figure.name, figure.svg) if figure is not None else None)


def write_apkg(problems, path) -> int:
    """Write an .apkg to ``path``; returns the number of notes. Raises AnkiUnavailable."""
    return write_apkg_pieces([note_piece(p) for p in problems], path)


def write_apkg_pieces(pieces, path) -> int:
    """``write_apkg`` of the problems whose ``note_piece`` is given, a list or an iterator.

    What ``genanki.Package.write_to_file`` does, a note at a time: the collection database
    (genanki's schema, deck and note type) is made first, and each note is written into it,
    and its figure to a scratch folder, as its piece comes (in an export, while the workers
    make the rest), so that when the last one is there only the zip is left to write (the
    whole package at the end took half a second for 10,000 notes). genanki's own writers do
    every part (``Package.write_to_db`` with no note yet, ``Note.write_to_db``), in the order
    and with the ids ``write_to_file`` gives; the zip is laid out as it lays it out."""
    try:
        import genanki
    except ImportError as e:
        raise AnkiUnavailable(str(e)) from None
    import itertools
    import json
    import sqlite3
    import time
    import zipfile

    model = genanki.Model(
        MODEL_ID, "rnnquiz problem",
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Card 1", "qfmt": "{{Question}}",
                    "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}{{Solution}}'
                            '<p style="font-size:small">{{VariantId}}</p>'}])
    deck = genanki.Deck(DECK_ID, DECK_NAME)
    deck.add_model(model)
    timestamp = time.time()
    ids = itertools.count(int(timestamp * 1000))  # notes and cards, in the order written
    notes = 0
    with tempfile.TemporaryDirectory() as tmp:
        database = os.path.join(tmp, "collection.anki2")
        connection = sqlite3.connect(database)
        try:
            cursor = connection.cursor()
            genanki.Package(deck).write_to_db(cursor, timestamp, ids)
            media = {}  # file name -> its path in tmp
            for fields, skill, variant_id, figure in pieces:
                note = genanki.Note(model=model, fields=fields, tags=[skill],
                                    guid=genanki.guid_for(variant_id))
                note.write_to_db(cursor, timestamp, deck.deck_id, ids)
                notes += 1
                # a name seen before is the same variant (template and seed): the same figure
                if figure is not None and figure[0] not in media:
                    name, svg = figure
                    media[name] = os.path.join(tmp, "media-" + str(len(media)))
                    with open(media[name], "w", encoding="utf-8") as f:
                        f.write(svg)
            connection.commit()
        finally:
            connection.close()
        names = sorted(media)
        with zipfile.ZipFile(path, "w") as package:
            package.write(database, "collection.anki2")
            package.writestr("media", json.dumps({k: name for k, name in enumerate(names)}))
            for k, name in enumerate(names):
                package.write(media[name], str(k))
    return notes


def to_anki_tsv(problems, meta) -> str:
    """Anki's plain-text import: front, back, tags, guid (the variant id). A text file cannot
    carry media: figure problems are asked in their text-only wording or left out (see
    ``rnnquiz.drill.figure.without_images``, whose notes the CLI prints)."""
    return tsv_from_pieces([tsv_piece(p) for p in problems])


def tsv_piece(p) -> tuple:
    """(the problem's line of the text import, variant id): the line None when it is a figure
    problem without a text-only wording (left out)."""
    from rnnquiz.drill.figure import text_only

    asked = text_only(p)
    if asked is None:
        return None, p.variant_id
    cells = [front(asked), back(asked) + solution(asked) + f"<p>{_html(asked.variant_id)}</p>",
             asked.skill, asked.variant_id]
    return "\t".join(c.replace("\t", " ").replace("\n", "<br>") for c in cells), p.variant_id


def tsv_from_pieces(pieces) -> str:
    """``to_anki_tsv``'s text from each problem's ``tsv_piece``."""
    lines = ["#separator:Tab", "#html:true", f"#deck:{DECK_NAME}", "#tags column:3",
             "#guid column:4"]
    lines += [line for line, _ in pieces if line is not None]
    return "\n".join(lines) + "\n"
