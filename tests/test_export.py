"""Every export format read back with a real parser (or the format's own rules)."""

import json
import re
import sqlite3
import sys
import xml.etree.ElementTree as ET
import zipfile

import pytest
from click.testing import CliRunner

from rnnquiz.cli import cli
from rnnquiz.cli.export import EXPORT_FORMATS
from rnnquiz.drill.practice import plan
from rnnquiz.drill.problems import generate
from rnnquiz.drill.templates import shipped_templates
from rnnquiz.export import FORMATS

COUNT, SEED = 60, 11


def export(*args):
    result = CliRunner().invoke(cli, ["export", *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def planned():
    """The shipped templates planned once for the module: variant id -> its problem."""
    return {f"{t.id}@{s}": generate(t, s) for t, s in plan(shipped_templates(), COUNT, SEED)}


@pytest.fixture(scope="module")
def expected_ids():
    return [f"{t.id}@{s}" for t, s in plan(shipped_templates(), COUNT, SEED)]


def test_the_cli_offers_every_format():
    assert tuple(EXPORT_FORMATS) == tuple(FORMATS)


def test_json_schema_and_order(expected_ids):
    data = json.loads(export("--format", "json", "--count", str(COUNT), "--seed",
                             str(SEED)).stdout)
    assert data["format"] == "rnnquiz-problems" and data["version"] == 1
    assert data["seed"] == SEED
    assert [p["variant_id"] for p in data["problems"]] == expected_ids
    for p in data["problems"]:
        assert set(p) >= {"variant_id", "skill", "question", "answer", "accepted",
                          "wrong_answers", "solution"}
        assert p["answer"]["kind"] in ("integer", "shape", "number", "yesno", "choice")
        for w in p["wrong_answers"]:
            assert set(w) == {"answer", "misconception", "name", "explanation"}


def test_markdown_has_as_many_answers_as_questions(expected_ids):
    text = export("--format", "markdown", "--count", str(COUNT), "--seed", str(SEED)).stdout
    questions, key = text.split("\n## Answer key\n")
    assert re.findall(r"^### Question (\d+)$", questions, re.M) == [
        str(k) for k in range(1, COUNT + 1)]
    assert questions.count("\nAnswer: ___") == COUNT
    assert re.findall(r"^### (\d+)\. ", key, re.M) == [str(k) for k in range(1, COUNT + 1)]
    answers = re.findall(r"^`([^`]+)` · ", key, re.M)
    assert answers == expected_ids
    assert key.count("```text") == COUNT


def test_moodle_xml_structure(expected_ids, planned):
    text = export("--format", "moodle", "--count", str(COUNT), "--seed", str(SEED)).stdout
    assert text.splitlines()[0] == '<?xml version="1.0" encoding="UTF-8"?>'
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "quiz"
    questions = [q for q in root if q.get("type") != "category"]
    assert [q.findtext("idnumber") for q in questions] == expected_ids
    category = None
    for q in root:
        if q.get("type") == "category":
            category = q.findtext("category/text")
            continue
        problem = planned[q.findtext("idnumber")]
        assert category == f"$course$/rnnquiz/{problem.skill}"
        assert q.find("generalfeedback/text").text.startswith("Answer: ")
        kind = q.get("type")
        if kind == "numerical":
            answers = q.findall("answer")
            assert answers[0].get("fraction") == "100"
            assert float(answers[0].findtext("text")) == pytest.approx(problem.answer)
            assert answers[-1].findtext("text") == "*"
            assert len(answers) == len(problem.wrong_answers) + 2
            assert all(a.get("fraction") == "0" for a in answers[1:])
        elif kind == "multichoice":
            assert q.findtext("single") == "true"
            fractions = [a.get("fraction") for a in q.findall("answer")]
            assert fractions.count("100") == 1
        elif kind == "cloze":
            body = q.find("questiontext/text").text
            blanks = re.findall(r"\{(\d+):NUMERICAL:=(\d+):0", body)
            assert tuple(int(b) for _, b in blanks) == problem.answer
            # Moodle's mark for a Cloze question is the sum of its blanks' weights
            assert sum(int(w) for w, _ in blanks) == int(q.findtext("defaultgrade"))
        else:
            pytest.fail(f"unexpected question type {kind}")


def test_moodle_cloze_names_the_transposed_dimension():
    t = next(t for t in shipped_templates() if t.id == "shape-wxh")
    from rnnquiz.export.moodle import question

    body = "\n".join(question(generate(t, 4)))
    p = generate(t, 4)
    rows, cols = p.answer
    assert f"{{1:NUMERICAL:={rows}:0#Right.~%0%{cols}:0#({cols}, {rows}) is the transpose" in (
        body.replace("{2:", "{1:"))


def _gift_blocks(text):
    return [b for b in text.strip().split("\n\n")
            if not b.startswith(("// rnnquiz:", "$CATEGORY: "))]


def _unescaped(text):
    return re.sub(r"\\.", "", text)


def test_gift_follows_the_format_rules(expected_ids):
    text = export("--format", "gift", "--count", str(COUNT), "--seed", str(SEED)).stdout
    blocks = _gift_blocks(text)
    assert len(blocks) == COUNT
    for block, variant in zip(blocks, expected_ids, strict=True):
        comment, body = block.split("\n", 1)
        assert comment.startswith(f"// {variant} ")
        assert "\n" not in body  # one question per block, no stray blank lines
        plain = _unescaped(body)
        m = re.fullmatch(r"::([^:{}]*)::\[html\]([^{}~=#:]*)\{(.*)\}", plain)
        assert m, body
        assert m.group(1).startswith(variant.replace(":", ""))
        answers, _, feedback = m.group(3).partition("####")
        assert feedback.strip().startswith("Answer")
        if answers.startswith("#"):
            for part in answers[1:].split("="):
                if not part.strip():
                    continue
                number = re.sub(r"^%\d+%", "", part.strip()).split("#")[0].split(":")[0]
                float(number)  # every numerical answer parses as a number
        else:
            assert answers.count("=") >= 1 and not answers.startswith("#")


def test_gift_escapes_special_characters():
    from rnnquiz.export.gift import escape

    assert escape("Answer: (20, 10) = {x} ~ #1 \\") == (
        "Answer\\: (20, 10) \\= \\{x\\} \\~ \\#1 \\\\")


def test_anki_package_is_a_zip_with_an_sqlite_collection(tmp_path, expected_ids):
    pytest.importorskip("genanki")
    import genanki

    path = tmp_path / "deck.apkg"
    export("--format", "anki", "--count", str(COUNT), "--seed", str(SEED), "-o", str(path))
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(path) as z:
        assert "collection.anki2" in z.namelist()
        z.extract("collection.anki2", folder)
    db = sqlite3.connect(folder / "collection.anki2")
    guids = [row[0] for row in db.execute("SELECT guid FROM notes ORDER BY id")]
    assert len(guids) == COUNT
    assert sorted(guids) == sorted(genanki.guid_for(v) for v in expected_ids)
    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    assert "1739046521" in models


def test_anki_without_genanki_writes_tsv_with_a_hint(monkeypatch, expected_ids):
    monkeypatch.setitem(sys.modules, "genanki", None)
    result = export("--format", "anki", "--count", str(COUNT), "--seed", str(SEED))
    lines = result.stdout.splitlines()
    assert lines[:5] == ["#separator:Tab", "#html:true", "#deck:rnnquiz", "#tags column:3",
                         "#guid column:4"]
    rows = [line.split("\t") for line in lines[5:]]
    assert [r[3] for r in rows] == expected_ids and all(len(r) == 4 for r in rows)
    assert 'pip install ".[anki]" in the rnnquiz checkout' in result.stderr


def test_the_same_seed_gives_the_same_problems_as_practice(tmp_path):
    text = export("--format", "json", "--count", "3", "--seed", "9", "--skill", "counts").stdout
    first = json.loads(text)["problems"][0]
    result = CliRunner().invoke(cli, ["practice", "--count", "3", "--seed", "9", "--skill",
                                      "counts", "--data-dir", str(tmp_path)], input="quit\n")
    assert f"Problem 1/3 · counts · {first['variant_id']}" in result.output
    assert first["question"] in result.output


def test_output_file_is_written_and_an_old_one_survives_a_failure(tmp_path):
    target = tmp_path / "quiz.xml"
    target.write_text("precious")
    result = CliRunner().invoke(cli, ["export", "--format", "moodle", "--skill", "nope",
                                      "-o", str(target)])
    assert result.exit_code == 2 and target.read_text() == "precious"
    result = CliRunner().invoke(cli, ["export", "--format", "moodle", "--count", "2", "--seed",
                                      "1", "-o", str(target)])
    assert result.exit_code == 0
    assert target.read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


def test_markdown_parts_separate_the_questions_from_the_key(expected_ids):
    base = ["--format", "markdown", "--count", "12", "--seed", str(SEED)]
    whole = export(*base).stdout
    questions = export(*base, "--part", "questions").stdout
    key = export(*base, "--part", "key").stdout
    assert "Answer key" not in questions and "```" not in questions
    assert re.findall(r"^### Question (\d+)$", questions, re.M) == [str(k) for k in range(1, 13)]
    assert "### Question" not in key and "Name: ___" not in key
    assert re.findall(r"^`([^`]+)` · ", key, re.M) == expected_ids[:12]
    assert whole.split("## Questions")[1].split("<div style=\"page-break-before")[0].strip() in (
        questions)
    assert whole.split("## Answer key")[1].strip() in key


def test_part_is_for_markdown_only():
    result = CliRunner().invoke(cli, ["export", "--format", "gift", "--part", "key"])
    assert result.exit_code == 2 and "--part applies to --format markdown only" in result.output
