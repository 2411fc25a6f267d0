"""Files every importer reads: every shipped template over many seeds in every format.

Plain decimals, answers stated by text where the importer shuffles, Cloze feedback exactly as
Moodle shows it, a Cloze question worth what the others are, GIFT categories, the Anki
solution field, and every JSON export valid against the schema shipped in the package.
"""

import copy
import html
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import generated
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnquiz.drill.templates import shipped_templates
from rnnquiz.export import TEXT_FORMATS
from rnnquiz.export.anki import MODEL_ID, front, solution, to_anki_tsv
from rnnquiz.export.gift import to_gift
from rnnquiz.export.jsonfmt import schema, to_json
from rnnquiz.export.markdown import to_markdown
from rnnquiz.export.moodle import cloze_feedback, grade, to_moodle_xml
from rnnquiz.export.text import plain, wrap_solution

SEEDS = range(25)
META = {"seed": 7, "generator": "rnnquiz test"}
EXPONENT = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+(?![\w.])")


@pytest.fixture(scope="module")
def problems():
    """Every shipped template, many seeds: the problems a teacher may export."""
    return [generated.problem(t.id, s) for t in shipped_templates() for s in SEEDS]


# -- plain decimals ---------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "text"), [
    (5e-05, "0.00005"), (1e-06, "0.000001"), (0.0001, "0.0001"), (1.43e-05, "0.0000143"),
    (-0.000143, "-0.000143"), (0.5, "0.5"), (2.0, "2"), (0.0, "0"), (-0.0, "0"), (725, "725"),
    (1e16, "10000000000000000"), (0.1 + 0.2, "0.30000000000000004")])
def test_plain_writes_no_exponent(value, text):
    assert plain(value) == text


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_plain_reads_back_as_the_same_number(x):
    text = plain(x)
    assert "e" not in text.lower() and float(text) == x
    assert Decimal(text) == Decimal(repr(x)) or x == 0


@pytest.mark.parametrize("fmt", sorted(TEXT_FORMATS))
def test_no_format_writes_an_exponent(problems, fmt):
    text = TEXT_FORMATS[fmt](problems, META)
    # figures are not numbers: an SVG's colours (#009E73) and a file's base64 can look like one
    text = re.sub(r"<svg.*?</svg>|<file [^>]*>[^<]*</file>|\"svg\": \"[^\"]*\"", "", text,
                  flags=re.S)
    assert not EXPONENT.findall(text)


def test_small_tolerances_are_plain_in_every_format(problems):
    """The numbers that came out as 5e-05 before: made small on purpose, in every writer."""
    p = copy.copy(next(p for p in problems if p.kind == "number" and p.wrong_answers))
    p.tolerance = 5e-05
    for fmt, writer in TEXT_FORMATS.items():
        text = writer([p], META)
        assert not EXPONENT.findall(text), fmt
    assert "0.00005" in to_gift([p], META) and "0.00005" in to_moodle_xml([p], META)
    assert json.loads(to_json([p], META))["problems"][0]["answer"]["tolerance"] == 5e-05
    assert '"tolerance": 0.00005' in to_json([p], META)


def test_anki_fields_write_no_exponent(problems):
    assert not EXPONENT.findall(to_anki_tsv(problems, META))


# -- the answer by its text where the importer shuffles ---------------------------------------

LETTER = re.compile(r"(?<![\w(])[a-h]\)")


def _choice_problems(problems):
    chosen = [p for p in problems if p.choices]
    assert len(chosen) >= 50
    return chosen


def test_moodle_multiple_choice_feedback_names_no_letter(problems):
    chosen = _choice_problems(problems)
    root = ET.fromstring(to_moodle_xml(chosen, META).encode())
    questions = [q for q in root if q.get("type") == "multichoice"]
    assert len(questions) == len(chosen)
    for q, p in zip(questions, chosen, strict=True):
        assert q.findtext("shuffleanswers") == "true"
        general = q.findtext("generalfeedback/text")
        right = html.escape(p.choices[p.correct_choice], quote=False)
        assert general.startswith(f"Answer: {right}<br>")
        assert not LETTER.search(general)
        for a in q.findall("answer"):
            assert not LETTER.search(a.findtext("text") + a.findtext("feedback/text"))


def test_gift_multiple_choice_feedback_names_no_letter(problems):
    chosen = _choice_problems(problems)
    blocks = [b for b in to_gift(chosen, META).split("\n\n") if b.startswith("// ")][1:]
    assert len(blocks) == len(chosen)
    for block, p in zip(blocks, chosen, strict=True):
        feedback = block.rsplit("####", 1)[1]
        right = p.choices[p.correct_choice].replace(",", ",")
        assert feedback.startswith(f"Answer\\: {right}<br>")
        assert not LETTER.search(block.split("\n", 1)[1])


def test_letters_stay_where_the_order_is_fixed(problems):
    chosen = _choice_problems(problems)[:5]
    md = to_markdown(chosen, META)
    data = json.loads(to_json(chosen, META))
    for p, d in zip(chosen, data["problems"], strict=True):
        assert f"### {chosen.index(p) + 1}. {p.correct_choice}) " in md
        assert d["correct_choice"] == p.correct_choice
        assert d["answer"]["value"] == (list(p.answer) if p.kind == "shape" else p.answer)
        assert p.choices[p.correct_choice] == d["answer"]["text"].split(") ", 1)[1]
        assert f"<b>{p.correct_choice}) " in to_anki_tsv([p], META)


# -- Moodle Cloze, read as qtype_multianswer reads it -----------------------------------------
# Ported from qtype_multianswer_extract_question (question/type/multianswer/questiontype.php):
# an answer ends at an unescaped ~ # or }; feedback ends at an unescaped ~ or }, is HTML-decoded
# and then only \} and \# are un-escaped.

NUMBER = r"-?(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?"
ALTERNATIVE = (r"(=|%(-?[0-9]+(?:[.,][0-9]*)?)%)?"
               r"(.+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$))"
               r"(#(.*?(?<!\\)(?=[~}]|$)))?")
BLANK = re.compile(r"\{([0-9]*):(NUMERICAL|NM|SHORTANSWER|SA|MW|MULTICHOICE|MC):"
                   r"(" + ALTERNATIVE + r"(?:~" + ALTERNATIVE + r")*)\}", re.S)


def moodle_cloze_blanks(text):
    """[(mark, [(fraction, answer, shown feedback)])] as Moodle imports a Cloze text."""
    blanks = []
    while m := BLANK.search(text):
        mark = int(m.group(1) or 1)
        alternatives, rest = [], m.group(3)
        while a := re.match(r"~?" + ALTERNATIVE, rest, re.S):
            fraction = 1.0 if a.group(1) == "=" else (float(a.group(2)) / 100 if a.group(2)
                                                        else 0.0)
            shown = html.unescape(a.group(5) or "").replace("\\}", "}").replace("\\#", "#")
            alternatives.append((fraction, a.group(3), shown))
            rest = rest[len(a.group(0)):]
        blanks.append((mark, alternatives))
        text = text.replace(m.group(0), "{#}", 1)
    return blanks


@pytest.mark.parametrize("text", [
    "keras gru/bias has shape (2, 3n)", 'the "bias" ~ not {it} #1 \\ 50% <b> & ;', "a\\}b\\#c"])
def test_cloze_feedback_is_shown_exactly_as_written(text):
    body = f"{{1:NUMERICAL:=20:0#Right.~%0%10:0#{cloze_feedback(text)}}}"
    [(mark, alternatives)] = moodle_cloze_blanks(body)
    assert mark == 1
    shown = html.escape(text, quote=False)  # the HTML that shows ``text``
    assert alternatives == [(1.0, "20:0", "Right."), (0.0, "10:0", shown)]


def test_every_cloze_reads_back_with_its_feedback_and_marks(problems):
    shapes = [p for p in problems if p.kind == "shape" and not p.choices]
    assert len(shapes) >= 300
    root = ET.fromstring(to_moodle_xml(problems, META).encode())
    clozes = [q for q in root if q.get("type") == "cloze"]
    assert len(clozes) == len(shapes)
    marks = grade(problems)
    dims = {len(p.answer) for p in shapes}
    # 1-D and 2-D shapes: every question is worth 2; with 3-D shapes (whole models) 6
    assert marks == (6 if 3 in dims else 2) and 3 in dims
    for q in root:
        if q.get("type") != "category":
            assert q.findtext("defaultgrade") == str(marks)
    for q, p in zip(clozes, shapes, strict=True):
        blanks = moodle_cloze_blanks(q.findtext("questiontext/text"))
        assert sum(mark for mark, _ in blanks) == marks  # Moodle's mark for the question
        assert [float(alts[0][1].split(":")[0]) for _, alts in blanks] == list(p.answer)
        explanations = {html.escape(w.explanation, quote=False).replace("\n", "<br>")
                        for w in p.wrong_answers}  # the HTML that shows each explanation
        for _, alts in blanks:
            assert alts[0][0] == 1.0
            for fraction, _, shown in alts[1:]:
                assert fraction == 0.0 and shown in explanations, shown
                assert "\\" not in shown


def test_cloze_question_text_cannot_make_a_blank(problems):
    p = copy.copy(next(p for p in problems
                       if p.kind == "shape" and len(p.answer) == 2 and not p.choices))
    p.question = "A teacher's text with {1:NUMERICAL:=5:0} and {braces} in it."
    root = ET.fromstring(to_moodle_xml([p], META).encode())
    body = root.find("question[@type='cloze']/questiontext/text").text
    blanks = moodle_cloze_blanks(body)
    assert [float(alts[0][1].split(":")[0]) for _, alts in blanks] == list(p.answer)
    assert html.unescape(body).startswith("<p>A teacher's text with {1:NUMERICAL:=5:0} and {b")


# -- GIFT categories --------------------------------------------------------------------------

def test_gift_has_a_category_line_before_each_skill(problems):
    text = to_gift(problems[::7], META)
    category = None
    seen = 0
    for block in text.strip().split("\n\n")[1:]:
        if block.startswith("$CATEGORY: "):
            assert block != f"$CATEGORY: $course$/rnnquiz/{category}"  # only on a change
            category = block.removeprefix("$CATEGORY: $course$/rnnquiz/")
            continue
        skill = re.match(r"// \S+ · skill (\S+)", block).group(1)
        assert skill == category
        seen += 1
    assert seen == len(problems[::7])


# -- Anki -------------------------------------------------------------------------------------

def anki_solution_lines(field):
    """The solution's lines as a card shows them: one wrapping block each."""
    assert field.startswith('<div class="solution"') and "<pre" not in field
    blocks = re.findall(r'<div style="([^"]*)">(.*?)</div>', field)
    assert blocks and all("text-indent: -2em" in style for style, _ in blocks)
    assert all("white-space: pre" not in style for style, _ in blocks)
    return [html.unescape(text) for _, text in blocks]


def test_anki_solution_field_wraps_at_any_width(problems):
    for p in problems[::5]:
        lines = anki_solution_lines(solution(p))
        assert lines == p.solution.splitlines()
        assert "<pre" not in front(p)


def test_anki_note_type_is_unchanged():
    """Changing the note type breaks updates of decks already imported: keep it fixed."""
    pytest.importorskip("genanki")
    import rnnquiz.export.anki as anki

    assert MODEL_ID == 1739046521 and anki.DECK_ID == 2085934417
    assert anki.FIELDS == ("Question", "Answer", "Solution", "VariantId", "Skill")


# -- JSON schema ------------------------------------------------------------------------------

def test_every_json_export_is_valid_against_the_shipped_schema(problems):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(schema())
    jsonschema.Draft202012Validator.check_schema(schema())
    data = json.loads(to_json(problems, META))
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(data)]
    assert not errors, errors[:5]
    assert len(data["problems"]) == len(problems)


def test_the_schema_rejects_what_it_should(problems):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(schema())
    good = json.loads(to_json(problems[:3], META))
    for spoil in (lambda d: d["problems"][0]["answer"].update(kind="float"),
                  lambda d: d["problems"][0].pop("solution"),
                  lambda d: d["problems"][0]["answer"].update(value="(20, 10)"),
                  lambda d: d.update(version=2)):
        bad = json.loads(json.dumps(good))
        spoil(bad)
        assert list(validator.iter_errors(bad))


# -- wrapping ---------------------------------------------------------------------------------

def test_wrapped_solutions_keep_every_word(problems):
    for p in problems[::3]:
        lines = wrap_solution(p.solution, 60)
        assert " ".join(" ".join(lines).split()) == " ".join(p.solution.split())
        assert all(len(line) <= 60 or len(line.split()) == 1 for line in lines)
