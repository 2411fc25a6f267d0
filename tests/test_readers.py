"""Exports read back by real readers nobody on the team wrote; each test runs when its reader
is installed and is skipped otherwise (.ci/run installs them as optional steps).

- gift-pegjs (npm), a widely used GIFT parser, run with node; found in
  $RNNQUIZ_READERS/node_modules (default ~/.cache/rnnquiz-readers).
- the official Anki backend (``pip install anki``): the .apkg imported into a fresh collection.
- pandoc (and wkhtmltopdf + pdftotext for the PDF): the Markdown worksheet as a teacher prints it.
"""

import copy
import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import generated
import pytest

from rnnquiz.drill.templates import shipped_templates
from rnnquiz.export.gift import to_gift
from rnnquiz.export.markdown import SOLUTION_WIDTH, to_markdown
from rnnquiz.export.text import answer_text, plain

SEEDS = range(8)
META = {"seed": 3, "generator": "rnnquiz test"}
READERS = Path(os.environ.get("RNNQUIZ_READERS", Path.home() / ".cache" / "rnnquiz-readers"))


@pytest.fixture(scope="module")
def problems():
    return [generated.problem(t.id, s) for t in shipped_templates() for s in SEEDS]


# -- gift-pegjs -------------------------------------------------------------------------------

GIFT_READER = """
const {parse} = require("gift-pegjs");
const text = require("fs").readFileSync(process.argv[1], "utf8");
process.stdout.write(JSON.stringify(parse(text)));
"""


def gift_pegjs(path):
    node = shutil.which("node")
    modules = READERS / "node_modules"
    if not node or not (modules / "gift-pegjs").is_dir():
        pytest.skip("gift-pegjs is not installed (npm install --prefix "
                    "~/.cache/rnnquiz-readers gift-pegjs)")
    result = subprocess.run([node, "-e", GIFT_READER, str(path)], capture_output=True,
                            text=True, env={**os.environ, "NODE_PATH": str(modules)},
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]  # a parse error rejects the file
    return json.loads(result.stdout)


def test_gift_pegjs_reads_every_question(tmp_path, problems):
    path = tmp_path / "quiz.gift"
    text = to_gift(problems, META)
    path.write_text(text, encoding="utf-8")
    parsed = gift_pegjs(path)
    categories = [q for q in parsed if q["type"] == "Category"]
    questions = [q for q in parsed if q["type"] != "Category"]
    assert len(categories) == text.count("\n$CATEGORY: ")
    assert len(questions) == len(problems)
    for q, p in zip(questions, problems, strict=True):
        assert q["title"].startswith(p.variant_id)
        assert html.unescape(q["globalFeedback"]["text"]).startswith(
            f"Answer: {answer_text(p)}<br>")
        if p.choices:
            assert q["type"] == "MC"
            right = [c["text"]["text"] for c in q["choices"] if c["isCorrect"]]
            assert right == [p.choices[p.correct_choice]]
        elif p.kind in ("integer", "number"):
            assert q["type"] == "Numerical"
            first = q["choices"][0]["text"]
            assert first["number"] == pytest.approx(p.answer, abs=0)
            assert first["range"] == pytest.approx(p.tolerance or 0, abs=0)
            assert all(c["weight"] == 0 for c in q["choices"][1:])
            assert len(q["choices"]) == len(p.wrong_answers) + 1
        elif p.kind == "shape":
            assert q["type"] == "Short"
            right = [c["text"]["text"] for c in q["choices"] if c["weight"] in (None, 100)]
            assert right == list(p.accepted)
        else:
            assert q["type"] == "MC"
            right = [c["text"]["text"] for c in q["choices"] if c["isCorrect"]]
            assert right == ["yes" if p.answer else "no"]


def test_gift_pegjs_reads_plain_tolerances(tmp_path, problems):
    """5e-05 made gift-pegjs reject the whole file: small tolerances must read back."""
    p = copy.copy(next(p for p in problems if p.kind == "number" and p.wrong_answers))
    p.tolerance = 0.00005
    path = tmp_path / "small.gift"
    path.write_text(to_gift([p], META), encoding="utf-8")
    [_, q] = gift_pegjs(path)
    assert q["choices"][0]["text"]["range"] == 0.00005
    assert plain(q["choices"][1]["text"]["range"]) == "0.000025"


# -- the Anki backend -------------------------------------------------------------------------

def anki_solution_lines(field):
    """The Solution field's lines: one wrapping block each, no <pre>."""
    assert "<pre" not in field
    return [html.unescape(text) for text in re.findall(r'<div style="[^"]*">(.*?)</div>', field)]


def test_anki_imports_the_package_and_updates_it_in_place(tmp_path, problems):
    pytest.importorskip("genanki")
    collection = pytest.importorskip("anki.collection")
    from rnnquiz.export.anki import MODEL_ID, write_apkg

    subset = problems[::4]
    package = tmp_path / "deck.apkg"
    write_apkg(subset, package)
    col = collection.Collection(str(tmp_path / "collection.anki2"))
    try:
        options = collection.ImportAnkiPackageOptions(with_scheduling=False)
        request = collection.ImportAnkiPackageRequest(package_path=str(package),
                                                      options=options)
        col.import_anki_package(request)
        notes = [col.get_note(nid) for nid in col.find_notes("")]
        assert len(notes) == len(subset)
        assert {n.note_type()["id"] for n in notes} == {MODEL_ID}
        by_id = {n["VariantId"]: n for n in notes}
        for p in subset:
            note = by_id[html.escape(p.variant_id)]
            card = note.cards()[0]
            answer = card.answer()
            assert "<pre" not in answer and 'class="solution"' in answer
            assert html.escape(p.answer_text, quote=False) in answer
            assert anki_solution_lines(note["Solution"]) == p.solution.splitlines()
        # the same export again: the guids match, so the notes are updated, not duplicated
        col.import_anki_package(request)
        assert len(col.find_notes("")) == len(subset)
    finally:
        col.close()


# -- pandoc: the worksheet as a teacher prints it ---------------------------------------------

def _pandoc_html(tmp_path, problems):
    if not shutil.which("pandoc"):
        pytest.skip("pandoc is not installed")
    source = tmp_path / "worksheet.md"
    source.write_text(to_markdown(problems, META), encoding="utf-8")
    target = tmp_path / "worksheet.html"
    subprocess.run(["pandoc", "-s", "--metadata", "pagetitle=worksheet", str(source), "-o",
                    str(target)], check=True, capture_output=True, timeout=120)
    return target


def test_pandoc_html_worksheet_is_printable(tmp_path, problems):
    subset = problems[::9]
    assert len(subset) > 12  # past question 10, where a numbered list lost its indentation
    page = _pandoc_html(tmp_path, subset).read_text(encoding="utf-8")
    body_questions, body_key = page.split('id="answer-key"')
    numbers = re.findall(r"<h3[^>]*>Question (\d+)</h3>", body_questions)
    assert numbers == [str(k) for k in range(1, len(subset) + 1)]
    assert body_questions.count("Answer: ____") == len(subset)
    assert "Name: ____" in body_questions
    assert re.search(r'page-break-before: always[^>]*>\s*</div>\s*<h2[^>]*$', body_questions)
    for p in subset:  # a title may give the answer away: it stays in the key
        if p.title not in p.question:
            assert html.escape(p.title, quote=False) not in body_questions
    for block in re.findall(r"<pre[^>]*>(.*?)</pre>", body_key, re.S):
        for line in html.unescape(re.sub(r"<[^>]+>", "", block)).splitlines():
            assert len(line) <= SOLUTION_WIDTH or len(line.split()) == 1, line
    assert len(re.findall(r"<pre", body_key)) == len(subset)


def test_pdf_worksheet_key_starts_on_a_new_page(tmp_path, problems):
    if not (shutil.which("wkhtmltopdf") and shutil.which("pdftotext")):
        pytest.skip("wkhtmltopdf or pdftotext is not installed")
    subset = problems[::20]
    page = _pandoc_html(tmp_path, subset)
    pdf = tmp_path / "worksheet.pdf"
    result = subprocess.run(["wkhtmltopdf", "-q", str(page), str(pdf)], capture_output=True,
                            timeout=300, check=False)
    if not pdf.exists():
        pytest.skip(f"wkhtmltopdf could not run here: {result.stderr[-300:]!r}")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True, timeout=120).stdout
    pages = text.split("\f")
    key_page = next(k for k, page_text in enumerate(pages) if "Answer key" in page_text)
    assert key_page > 0 and pages[key_page].strip().startswith("Answer key")
    assert "Question 1" not in "".join(pages[key_page:])
