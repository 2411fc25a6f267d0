"""Faster problem generation and export (issue 11): the same problems, the same bytes, every
answer still checked by the NumPy witness."""

import random
import re

import generated
import numpy as np
import pytest
from conftest import networks, run_and_list_modules
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnquiz.drill.misconceptions import diagnose, predict
from rnnquiz.drill.problems import _draw_fit, generate
from rnnquiz.drill.templates import shipped_templates
from rnnquiz.figures import svg
from rnnquiz.verification import _every_bias_on, bias_counts, verify_model
from rnnquiz.witness.layers import base


def _some_templates():
    """One template of every asked quantity (figures and whole models included)."""
    seen = {}
    for t in shipped_templates():
        key = (t.ask["quantity"], t.figure is not None, t.model is not None)
        seen.setdefault(key, t)
    return list(seen.values())


@pytest.mark.parametrize("template", _some_templates(), ids=lambda t: t.id)
def test_the_key_names_the_mistakes_predicted_once(template):
    """generate() predicts the named mistakes once, for both the audit and the key: the key
    still lists exactly what diagnose() finds afresh."""
    for seed in (0, 7):
        rng = random.Random(f"{template.id}@{seed}")
        _, net, solved, *_ = _draw_fit(template, seed, rng)
        fresh = diagnose(net, template.ask, solved)
        problem = generated.problem(template.id, seed)
        texts = [w.text.split(") ", 1)[-1] if problem.choices else w.text
                 for w in problem.wrong_answers]
        assert [w.id for w in problem.wrong_answers] == [w.id for w in fresh]
        assert texts == [w.text for w in fresh]
        assert [w.id for w in diagnose(net, template.ask, solved,
                                       predict(net, template.ask, solved))] == \
            [w.id for w in fresh]


def test_a_model_whose_forward_pass_is_not_finite_is_still_caught(monkeypatch):
    """verify_model reads the forward pass that building the model ran (no second pass): a
    witness whose real weights make the output infinite is still a difference."""
    line = "Embedding(50, 4) > LSTM(3) > Dense(2)"
    assert verify_model(line).ok
    real = base.Maker.__call__

    def infinite(self, shape, scale=0.5, low=None):
        out = real(self, shape, scale, low)
        return np.full(out.shape, np.inf, dtype=out.dtype) if self.allocate else out

    monkeypatch.setattr(base.Maker, "__call__", infinite)
    with np.errstate(all="ignore"):
        result = verify_model(line)
    assert "forward pass: the output is not finite" in result.differences
    assert result.forward_input == (2, 3) and result.forward_output == (2, 2)


def test_remembered_svg_numbers_and_attributes_are_written_as_before():
    """num and _attr remember their results: the same text as working them out, and a bool is
    never taken for the int it equals."""
    for v in (0, -0.0, 0.04, -0.04, 0.05, 0.15, 0.25, 1, 1.0, 2.45, 1e-9, -3.96, 123456.789):
        expected = f"{round(float(v), 1):.1f}".rstrip("0").rstrip(".")
        assert svg.num(v) == ("0" if expected in ("-0", "") else expected)
        assert svg.num(v) == svg.num(v)
    assert svg._attr(1) == '"1"' and svg._attr(True) == '"True"' and svg._attr(1) == '"1"'
    assert svg._attr('a"<b') == "'a\"&lt;b'"


def test_workers_send_back_each_problems_json_line_and_figure():
    """An export's worker processes encode each problem where it is made: the same lines and
    figures, in the same order, as encoding the problems in one process."""
    from rnnquiz.drill.bulk import generate_many
    from rnnquiz.drill.practice import plan
    from rnnquiz.export.jsonfmt import iter_json_lines, piece, to_json

    templates = shipped_templates()
    picks = plan(templates, 30, 3) + [(t, 1) for t in templates if t.figure][:3]
    problems = [generate(t, s) for t, s in picks]
    pooled = list(generate_many(picks, workers=2, then=piece))
    assert pooled == list(generate_many(picks, workers=1, then=piece))
    assert pooled == [piece(p) for p in problems]
    assert any(figure for _, figure in pooled)
    meta = {"seed": 3, "generator": "test"}
    assert "".join(iter_json_lines((line for line, _ in pooled), meta)) == \
        to_json(problems, meta)


@pytest.mark.parametrize("fmt", ["moodle", "gift", "markdown", "json"])
def test_a_file_written_a_part_at_a_time_is_the_whole_file(tmp_path, fmt):
    from click.testing import CliRunner

    from rnnquiz import __version__
    from rnnquiz.cli import cli
    from rnnquiz.drill.practice import plan
    from rnnquiz.export.gift import to_gift
    from rnnquiz.export.jsonfmt import to_json
    from rnnquiz.export.markdown import to_markdown
    from rnnquiz.export.moodle import to_moodle_xml

    out = tmp_path / f"quiz.{fmt}"
    result = CliRunner().invoke(cli, ["export", "--format", fmt, "--count", "40",
                                       "--seed", "4", "-o", str(out)])
    assert result.exit_code == 0, result.output
    problems = [generate(t, s) for t, s in plan(shipped_templates(), 40, 4)]
    meta = {"seed": 4, "generator": f"rnnquiz {__version__}"}
    whole = {"moodle": to_moodle_xml, "gift": to_gift, "json": to_json,
             "markdown": lambda ps, m: to_markdown(ps, m, images=True)}[fmt](problems, meta)
    assert out.read_text(encoding="utf-8") == whole and whole.endswith("\n")
    if fmt != "markdown":  # (without a file, Markdown asks figure problems in words)
        result = CliRunner().invoke(cli, ["export", "--format", fmt, "--count", "40",
                                           "--seed", "4"])
        assert result.stdout == whole  # the same text, its last line ended, as a file


def test_moodle_questions_made_before_the_files_marks_get_them_filled_in():
    """A worker writes each question before the file's marks are known (they depend on every
    question): the file is the one written with the marks known from the start."""
    from rnnquiz.export import moodle

    templates = shipped_templates()
    problems = [generate(t, s) for t in templates for s in (1, 2)]
    shapes = {len(p.answer) for p in problems if p.kind == "shape" and not p.choices}
    assert {2, 3} <= shapes  # so the marks are 6: each blank of a 3-D shape worth 2 or 3
    meta = {"seed": 1, "generator": "rnnquiz test"}
    marks = moodle.grade(problems)
    expected = ['<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<!-- rnnquiz: {len(problems)} problems, seed 1 (rnnquiz test) -->\n<quiz>"]
    category = None
    for p in problems:  # the file as written with every question's marks known at once
        lines = []
        if p.skill != category:
            category = p.skill
            lines += ['  <question type="category">',
                      f"    <category><text>$course$/rnnquiz/{category}</text></category>",
                      "  </question>"]
        expected.append("\n" + "\n".join(lines + moodle.question(p, marks) + ["  </question>"]))
    expected.append("\n</quiz>\n")
    assert marks == 6 and moodle.to_moodle_xml(problems, meta) == "".join(expected)
    assert "rnnquiz marks" not in moodle.to_moodle_xml(problems[:5], meta)
    # a question quoting the placeholder itself is written escaped, like any other text
    odd = type(problems[0])(**{**vars(problems[0]), "question": "<?rnnquiz marks?> {m}"})
    _, text, _ = moodle.piece(odd)
    assert "&lt;?rnnquiz marks?&gt; {m}" in moodle.to_moodle_xml([odd], meta)


def _package_contents(path, tmp_path):
    """An .apkg's notes, cards, collection row and media, the times and time-based ids
    left out (each package is stamped with the time it is written)."""
    import json
    import sqlite3
    import zipfile

    with zipfile.ZipFile(path) as package:
        package.extract("collection.anki2", tmp_path / path.stem)
        media = json.loads(package.read("media"))
        files = {name: package.read(k) for k, name in media.items()}
        members = package.namelist()
    db = sqlite3.connect(tmp_path / path.stem / "collection.anki2")
    try:
        notes = db.execute("SELECT guid, mid, tags, flds, sfld, csum, flags, data "
                           "FROM notes ORDER BY id").fetchall()
        cards = db.execute("SELECT nid - (SELECT MIN(id) FROM notes), id - nid, did, ord, "
                           "type, queue, due, ivl, factor, reps, lapses, left, odue, odid, "
                           "flags, data FROM cards ORDER BY id").fetchall()
        row = db.execute("SELECT * FROM col").fetchone()
        schema = db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    finally:
        db.close()
    stamp = re.compile(r'"(mod|id)": \d{10,}')
    return notes, cards, [stamp.sub("", str(v)) for v in row[1:]], schema, members, files


def test_an_apkg_written_a_note_at_a_time_holds_what_genanki_writes_whole(tmp_path):
    genanki = pytest.importorskip("genanki")
    from rnnquiz.export import anki

    problems = [generate(t, 3) for t in shipped_templates()[::7]]
    problems += [generate(t, 5) for t in shipped_templates() if t.figure][:3]
    pieces = [anki.note_piece(p) for p in problems]
    ours = tmp_path / "ours.apkg"
    assert anki.write_apkg_pieces(iter(pieces), ours) == len(pieces)
    # the same deck as genanki's own Package.write_to_file writes it
    model = genanki.Model(
        anki.MODEL_ID, "rnnquiz problem", fields=[{"name": name} for name in anki.FIELDS],
        templates=[{"name": "Card 1", "qfmt": "{{Question}}",
                    "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}{{Solution}}'
                            '<p style="font-size:small">{{VariantId}}</p>'}])
    deck = genanki.Deck(anki.DECK_ID, anki.DECK_NAME)
    for fields, skill, variant_id, _ in pieces:
        deck.add_note(genanki.Note(model=model, fields=fields, tags=[skill],
                                   guid=genanki.guid_for(variant_id)))
    figures = dict(figure for *_, figure in pieces if figure is not None)
    (tmp_path / "media").mkdir()
    for name, text in figures.items():
        (tmp_path / "media" / name).write_text(text, encoding="utf-8")
    whole = tmp_path / "whole.apkg"
    genanki.Package(deck, media_files=[str(tmp_path / "media" / name)
                                       for name in sorted(figures)]).write_to_file(whole)
    assert _package_contents(ours, tmp_path) == _package_contents(whole, tmp_path)


def _worksheet_as_lists(problems, meta, part):
    """The worksheet as one list of lines, from the public question and key blocks: what
    to_markdown wrote before it was streamed (the reference for the streamed text)."""
    from rnnquiz.export import markdown

    about = f"{len(problems)} problems · seed {meta['seed']} · {meta['generator']}."
    lines = []
    if part in ("all", "questions"):
        lines += ["# rnnquiz worksheet", "", "Name: " + "_" * 30 + " Date: " + "_" * 14, "",
                  about + " Write each answer on its line"
                  + ("; the answer key starts on a new page." if part == "all" else "."), "",
                  "## Questions", "", *markdown.questions(problems)]
    if part == "all":
        lines += markdown.PAGE_BREAK
    if part == "key":
        lines += ["# rnnquiz worksheet: answer key", "", about, ""]
    if part in ("all", "key"):
        lines += ["## Answer key", "", f"Seed {meta['seed']}: `rnnquiz practice --seed "
                  f"{meta['seed']}` asks the same problems in the same order.", "",
                  *markdown.key(problems)]
    return "\n".join(lines)


@pytest.mark.parametrize("part", ["all", "questions", "key"])
def test_a_streamed_worksheet_is_the_whole_worksheet_a_question_at_a_time(part):
    from rnnquiz.export import markdown

    meta = {"seed": 5, "generator": "rnnquiz test"}
    templates = shipped_templates()
    picks = [(t, 3) for t in templates[::4]] + [(t, 1) for t in templates if t.figure][:2]
    problems = [generate(t, s) for t, s in picks]
    pieces = [markdown.piece(p, images=True) for p in problems]
    whole = _worksheet_as_lists(problems, meta, part)
    assert markdown.from_pieces(pieces, meta, part) == whole
    assert markdown.to_markdown(problems, meta, part, images=True) == whole
    taken = []

    def arriving():
        for one in pieces:
            taken.append(one)
            yield one
    parts = markdown.iter_from_pieces(arriving(), meta, part, count=len(pieces))
    text = next(parts)
    if part != "key":  # the header, then each question before the next piece is taken
        text += next(parts)
        assert len(taken) == 1 and "### Question 1" in text
    assert text + "".join(parts) == whole
    assert markdown.from_pieces([], meta, part) == _worksheet_as_lists([], meta, part)
    for wrong in (pieces[:-1], pieces + [(None, None, None, "x@1")]):
        with pytest.raises(ValueError):
            "".join(markdown.iter_from_pieces(iter(wrong), meta, part, count=len(pieces)))


def test_figure_texts_found_by_pattern_are_what_an_xml_parser_reads():
    """The leak check and the alt text read a figure's texts with a pattern fitted to the SVG
    writer: on every shipped figure template it finds exactly what ElementTree finds, and
    anything laid out otherwise goes to the parser."""
    from rnnquiz.drill.figure import parsed_svg_texts, svg_texts

    figures = [t for t in shipped_templates() if t.figure]
    assert figures
    for template in figures:
        for seed in range(12):
            svg_text = generated.problem(template.id, seed).figure.svg
            assert svg_texts(svg_text) == parsed_svg_texts(svg_text)
    nested = ('<svg xmlns="http://www.w3.org/2000/svg"><title>t</title><desc>d &amp; e</desc>'
              '<text x="1">a<tspan>12</tspan></text><text>b &lt; c</text></svg>')
    assert svg_texts(nested) == ("t", "d & e", "a12", "b < c")
    assert svg.Drawing(10, 10, "a <b> & c", "d").text_file()
    drawing = svg.Drawing(10, 10, "a <b> & c", 'say "x"')
    drawing.text(1, 2, "W_hh & <n, n>")
    assert svg_texts(drawing.text_file()) == ("a <b> & c", 'say "x"', "W_hh & <n, n>")


@pytest.mark.parametrize("shape", [(), (1,), (7, 3), (4, 200, 5), (255, 256), (256, 256),
                                   (20000, 64), (3, 65537)])
def test_witness_weights_are_uniform_draws_a_large_tensor_repeating_one_block(shape):
    """The witness draws its weights as random() scaled in place: bit for bit the values
    rng.uniform gives (scale and low as the layers pass them); a tensor of more than BLOCK
    values repeats the first BLOCK of them, row-major, in an array of its own."""
    block = base.Maker.BLOCK
    size = int(np.prod(shape))
    for scale, low in ((0.5, None), (0.1, None), (0.5, 0.5)):
        lo, hi = (-scale, scale) if low is None else (low, low + scale)
        draws = np.random.default_rng(3).uniform(lo, hi, size=min(size, block))
        want = np.resize(draws, shape)
        got = base.Maker(np.random.default_rng(3))(shape, scale, low)
        assert got.shape == want.shape and got.dtype == np.float64
        assert got.flags.writeable
        assert np.array_equal(got, want)
        if size > block:  # every value of the block is there, and it starts over after it
            flat = got.reshape(-1)
            assert np.array_equal(flat[:block], draws) and flat[block] == draws[0]
            assert len(np.unique(flat)) == block
    got32 = base.Maker(np.random.default_rng(3), np.float32)(shape)
    assert np.array_equal(got32, np.resize(np.random.default_rng(3).uniform(
        -0.5, 0.5, size=min(size, block)).astype(np.float32), shape))
    got[...] = 0.0  # its own memory: a padding row or max_norm may write to it


def test_large_witness_tensors_have_no_two_gate_blocks_alike():
    """The repeated block never lines up with a layer's gate blocks: an LSTM(256, 256)'s four
    gates differ, so a gate-order mistake still shows against a framework."""
    from rnnquiz.witness.models import build_model as build_whole

    model = build_whole("nn.LSTM(256, 256, bias=False)", T=1, batch=1,
                        rng=np.random.default_rng(0))
    for (_, name), w in model.named_parameters():
        blocks = w.reshape(4, -1)
        for a in range(4):
            for b in range(a):
                assert not np.array_equal(blocks[a], blocks[b]), name


def test_validate_names_each_fault_by_its_own_template_in_any_order(monkeypatch):
    """validate runs the slowest templates first; every fault still goes to its template, in
    the templates' order, with or without worker processes."""
    from rnnquiz.drill import bulk, validate
    from rnnquiz.resources import problems_dir

    monkeypatch.setattr(validate, "_first_fault",
                        lambda t, seeds: f"fault of {t.id}" if len(t.id) % 3 == 0 else None)
    alone = validate.validate_paths([problems_dir()], seeds=2)
    monkeypatch.setattr(bulk, "PARALLEL_FROM", 1)
    monkeypatch.setattr(bulk, "_cores", lambda: 2)
    pooled = validate.validate_paths([problems_dir()], seeds=2)
    expected = [f"{t.source}: {t.id}: fault of {t.id}" for t in alone.templates
                if len(t.id) % 3 == 0]
    assert expected and alone.errors == expected and pooled.errors == expected
    assert any(t.model is not None for t in alone.templates)


def test_workers_send_back_each_formats_text_as_one_process_writes_it():
    """GIFT blocks, Markdown blocks and Anki notes made in worker processes: the same pieces,
    in order, as from the problems made in this process."""
    import functools

    from rnnquiz.drill.bulk import generate_many
    from rnnquiz.drill.practice import plan
    from rnnquiz.export import anki, gift, markdown, moodle

    templates = shipped_templates()
    picks = plan(templates, 24, 6) + [(t, 2) for t in templates if t.figure][:3]
    problems = [generate(t, s) for t, s in picks]
    with_images = functools.partial(markdown.piece, images=True)
    for then in (gift.piece, markdown.piece, with_images, moodle.piece, anki.note_piece,
                 anki.tsv_piece):
        assert list(generate_many(picks, workers=2, then=then)) == [then(p) for p in problems]
    assert any(figure for _, _, figure, _ in map(with_images, problems))


def test_markdown_without_a_file_leaves_out_a_figure_problem_without_words(tmp_path):
    from click.testing import CliRunner
    from test_problem_figures import bare_figure_folder

    from rnnquiz.cli import cli

    folder = bare_figure_folder(tmp_path)
    args = ["export", "--format", "markdown", "--problems", str(folder), "--skill", "bare",
            "--count", "4", "--seed", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "figure problem(s) left out" in result.stderr
    assert "(give -o to write the figure files beside it)" in result.stderr
    assert "bare-figure@" not in result.stdout
    out = tmp_path / "sheet.md"
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 0 and "left out" not in result.stderr
    assert out.read_text(encoding="utf-8").count("](fig-") == \
        len(list(tmp_path.glob("fig-*.svg"))) > 0


def test_the_witness_of_a_network_is_built_once_and_a_changed_network_anew(monkeypatch):
    """checking remembers the placeholder witness per network: the same network is counted
    once in a process, any changed field builds and counts a new one, and a wrong engine
    value is still caught."""
    from rnnquiz.description.network import Network
    from rnnquiz.drill import checking

    built = []
    real = checking.build_model

    def counting(net, **kw):
        built.append(net)
        return real(net, **kw)

    monkeypatch.setattr(checking, "build_model", counting)
    checking._witness.cache_clear()
    net = Network(7, 11, 3, cell="gru", convention="keras")
    first = checking._witness(net)
    assert checking._witness(Network(7, 11, 3, cell="gru", convention="keras")) == first
    assert built == [net]
    for changed in (net.replace(m=8), net.replace(reset_after=False), net.replace(bias=False),
                    net.replace(bidirectional=True)):
        assert checking._witness(changed) != first
    assert len(built) == 5
    assert first[0] == real(net, allocate=False).count()
    assert first[1]["gru/recurrent_kernel"] == (11, 33)
    from types import SimpleNamespace

    from rnnquiz.calculator.rules import count

    template = next(t for t in shipped_templates() if t.ask["quantity"] == "shape")
    problem = generate(template, 3)
    tensor = next(t for t in count(problem.network).tensors
                  if t.shape == tuple(problem.answer))
    right = SimpleNamespace(kind="shape", value=tuple(problem.answer), tensor=tensor)
    wrong = SimpleNamespace(kind="shape", value=tuple(d + 1 for d in problem.answer),
                            tensor=tensor)
    assert checking.check(problem.network, template.ask, right) == []
    assert checking.check(problem.network, template.ask, wrong)  # remembered, still checked
    checking._witness.cache_clear()


@settings(max_examples=200, deadline=None)
@given(networks(max_size=9, max_layers=3))
def test_one_count_gives_the_totals_of_both_bias_settings(net):
    """The named mistakes read both totals off one Count: the engine's contract that they are
    the totals of the network with and without biases."""
    from rnnquiz.calculator.rules import count
    from rnnquiz.drill.misconceptions import _total

    for bias in (True, False):
        assert _total(net, bias) == count(net.replace(bias=bias)).total


@pytest.mark.parametrize("line", [
    "Embedding(50, 4) > LSTM(3) > Dense(2)",
    "nn.Embedding(30, 4) > nn.GRU(4, 3, batch_first=True) > nn.Linear(3, 2)",
    "Input(shape=(3, 4)) > Bidirectional(GRU(3)) > LayerNormalization() > Dense(2)",
    "Input(shape=(3, 4)) > Bidirectional(GRU(3, use_bias=False)) > Dense(2)",
    "Input(shape=(3, 4)) > LayerNormalization(center=False)",
    "nn.Linear(5, 3, bias=False) > nn.BatchNorm1d(3) > nn.LayerNorm(3, bias=False)",
    "nn.GRU(4, 3, bidirectional=True, bias=False)",
])
def test_bias_counts_of_a_model_already_built_are_the_counts_built_afresh(line):
    """verify_model hands bias_counts the witness it built: counted as it is when every bias
    is on already, the model with every bias on built otherwise; the same figures."""
    from rnnquiz.description.model import parse_model
    from rnnquiz.witness.models import build_model as build_whole

    spec = parse_model(line)
    built = build_whole(spec, allocate=False)
    assert bias_counts(spec, built=built) == bias_counts(spec)
    assert _every_bias_on(spec) == ("False" not in line)
    assert verify_model(line).ok


_JSON_LEAVES = (st.none() | st.booleans() | st.integers(-10**20, 10**20)
                | st.floats(allow_nan=True, allow_infinity=True)
                | st.sampled_from([0.0, -0.0, 1.0, 5e-05, 1e16, 1e-07, 0.1, 2.5, 123456.0])
                | st.text(max_size=8)
                | st.sampled_from(["1.0", "x 1.0, y", "3e-05", "NaN", "[2.0]", "e+1"]))
_JSON_VALUES = st.recursive(
    _JSON_LEAVES, lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_json_text_is_the_placeholder_encoders_for_any_value(value):
    """The JSON writer's shortcut (the C encoder's text for every part without a float) gives
    what json's own algorithm gives with each float written by plain(), or the same error
    (NaN and infinities are refused)."""
    from json.encoder import _make_iterencode, encode_basestring

    from rnnquiz.export.jsonfmt import _encode
    from rnnquiz.export.text import plain

    plain_json = _make_iterencode({}, None, encode_basestring, None, plain, ": ", ", ", False,
                                  False, True)
    try:
        want = "".join(plain_json(value, 0))
    except ValueError as e:
        with pytest.raises(ValueError, match=re.escape(str(e))):
            _encode(value)
        return
    assert _encode(value) == want


@pytest.mark.parametrize("shape", [(), (3,), (7, 3), (400, 300)])
def test_network_witness_weights_are_the_uniform_draws_bit_for_bit(shape):
    """The network witness (rnnquiz.witness.model) draws random() scaled in place: the very
    values rng.uniform(-scale, scale) gives, so every seeded witness is what it was."""
    from rnnquiz.witness.model import _maker

    for scale in (0.5, 1 / 3, 0.07):
        got = _maker(np.random.default_rng(5), np.float64, True, scale)(shape)
        assert np.array_equal(got, np.random.default_rng(5).uniform(-scale, scale, size=shape))
    got32 = _maker(np.random.default_rng(5), np.float32, True, 0.5)(shape)
    assert got32.dtype == np.float32
    assert np.array_equal(got32, np.random.default_rng(5).uniform(-0.5, 0.5, size=shape)
                          .astype(np.float32))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab&<>\"'\n\r\t ;#x1é"), max_size=20) | st.text())
def test_xml_escaping_is_saxutils_own(text):
    """rnnquiz.xmltext writes what xml.sax.saxutils writes (which imports urllib: 20 ms)."""
    from xml.sax import saxutils

    from rnnquiz import xmltext

    assert xmltext.escape(text) == saxutils.escape(text)
    assert xmltext.quoteattr(text) == saxutils.quoteattr(text)
    assert xmltext.unescape(text) == saxutils.unescape(text)
    assert xmltext.unescape(xmltext.escape(text)) == text


def test_figures_and_exports_start_without_urllib():
    out, loaded = run_and_list_modules(
        ["export", "--format", "moodle", "--count", "3", "--seed", "1", "--skill", "figures"],
        ("urllib.request", "http.client", "xml.sax.saxutils", "yaml"))
    assert loaded == [] and "<quiz>" in out


def _textwrap_solution(solution, width):
    """wrap_solution as it was written first: textwrap for every line longer than the width."""
    import textwrap

    lines = []
    for line in solution.splitlines():
        if len(line) <= width:
            lines.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        lines += textwrap.TextWrapper(width=width, subsequent_indent=indent + "    ",
                                      break_long_words=False,
                                      break_on_hyphens=False).wrap(line)
    return lines


_WORDS = st.sampled_from(["a", "bb", "W_hh", "(4, 512)", "=", "2,048", "x" * 30, "é", "\u00a0",
                          "a\u00a0b", "\t", "\u2003", "\u200b", "\n", ""])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_WORDS, st.sampled_from(["", " ", " ", "  ", "   "])), max_size=30),
       st.sampled_from(["", "", "  ", "         "]), st.integers(1, 90))
def test_worked_solutions_wrap_as_textwrap_wraps_them(words, lead, width):
    """The plain-space fast path gives textwrap's lines for any line, any width (lines with
    tabs, breaks or other Unicode spaces go to textwrap itself)."""
    from rnnquiz.export.text import wrap_solution

    text = lead + "".join(w + s for w, s in words)
    assert wrap_solution(text, width) == _textwrap_solution(text, width)


def test_the_shipped_solutions_wrap_as_textwrap_wraps_them():
    from rnnquiz.export.text import wrap_solution

    for template_id in sorted(generated.templates()):
        solution = generated.problem(template_id, 0).solution
        for width in (30, 60, 72):
            assert wrap_solution(solution, width) == _textwrap_solution(solution, width)
