"""Figures inside problems: the template field, the same figure for the same seed, never the
answer in the figure, and the figure in every export that can hold it (and a text-only wording,
or nothing, in those that cannot)."""

import base64
import html
import json
import re
import shutil
import sqlite3
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import generated
import pytest
from click.testing import CliRunner

from rnnquiz.calculator.render import shape_text
from rnnquiz.cli import cli
from rnnquiz.description.network import Network
from rnnquiz.drill.figure import leak, svg_texts, text_only, without_images
from rnnquiz.drill.practice import problems_for
from rnnquiz.drill.problems import ProblemError, generate
from rnnquiz.drill.templates import Template, load_file, shipped_templates
from rnnquiz.export.gift import to_gift
from rnnquiz.export.html import inline_svg, to_html
from rnnquiz.export.jsonfmt import schema, to_json
from rnnquiz.export.markdown import to_markdown
from rnnquiz.export.moodle import to_moodle_xml
from rnnquiz.figures import FigureError, network_svg
from rnnquiz.figures.grid import grid_svg

META = {"seed": 3, "generator": "rnnquiz test"}
SVG = "{http://www.w3.org/2000/svg}"
SEEDS = range(12)


def figure_templates():
    return [t for t in shipped_templates() if t.figure]


@pytest.fixture(scope="module")
def problems():
    return [generated.problem(t.id, s) for t in figure_templates() for s in SEEDS]


def make(**fields):
    data = {"id": "my-figure", "skill": "figures", "title": "A figure",
            "params": {"m": [2, 6], "n": [2, 6], "p": [2, 6]},
            "question": "The figure shows an RNN. What is the shape of the highlighted matrix?",
            "hints": ["It maps h_(t-1) to h_t."],
            "ask": {"quantity": "shape", "tensor": "W_hh"},
            "figure": {"kind": "unrolled", "highlight": "W_hh", "hide": ["W_hh"]}}
    data.update(fields)
    return Template(data, "test.yaml")


def test_the_shipped_templates_include_figures_of_both_kinds():
    kinds = {t.figure["kind"] for t in figure_templates()}
    assert kinds == {"unrolled", "grid"}
    assert len(figure_templates()) >= 4
    assert all(t.figure.get("text") for t in figure_templates())


def test_figure_errors_name_file_and_field(tmp_path):
    path = tmp_path / "figs.yaml"
    path.write_text("""templates:
  - id: a
    skill: figures
    title: A
    params: {m: 3, n: 4}
    question: What is the shape?
    ask: {quantity: shape, tensor: W_hh}
    figure: {kind: folded, highlight: U, hide: W_hh, colour: red, text: "{nope}"}
  - id: b
    skill: figures
    title: B
    params: {m: 3, n: 4}
    question: What is the shape?
    ask: {quantity: shape, tensor: W_hh}
    figure: unrolled
  - id: c
    skill: figures
    title: C
    params: {m: 3, n: 4}
    question: How many biases?
    ask: {quantity: parameters, tensor: b_h}
    figure: {kind: grid, highlight: biases}
""", encoding="utf-8")
    templates, errors = load_file(path)
    assert templates == []
    text = "\n".join(errors)
    for field in ("templates[0].figure.kind", "templates[0].figure.highlight",
                  "templates[0].figure.hide", "templates[0].figure.colour",
                  "templates[0].figure.text", "templates[1].figure",
                  "templates[2].figure.highlight"):
        assert f"{path}: {field}:" in text, field


def test_a_figure_is_a_pure_function_of_template_and_seed(problems):
    for p in problems[:: len(SEEDS) // 3]:
        t = next(t for t in figure_templates() if t.id == p.template_id)
        again = generate(t, p.seed)
        assert again.figure.svg == p.figure.svg and again.figure.alt == p.figure.alt
        assert p.figure.name == f"fig-{p.template_id}-{p.seed}.svg"
    names = [p.figure.name for p in problems]
    assert len(set(names)) == len(names)


def test_every_figure_parses_and_never_shows_the_answer(problems):
    for p in problems:
        root = ET.fromstring(p.figure.svg)
        assert root.find(SVG + "title") is not None and root.find(SVG + "desc") is not None
        texts = svg_texts(p.figure.svg)
        spec = next(t for t in figure_templates() if t.id == p.template_id).figure
        if spec.get("highlight"):
            assert 'class="highlight"' in p.figure.svg
        if p.kind == "shape":
            assert not any(shape_text(tuple(p.answer)) in t for t in texts), p.variant_id
            assert shape_text(tuple(p.answer)) not in p.figure.svg
            assert shape_text(tuple(p.answer)) not in p.figure.alt
        if spec.get("hide"):
            assert "?" in texts
            assert not any(re.search(rf"(?<![\w.,]){p.answer}(?![\w])", t) for t in texts), \
                p.variant_id


def test_the_hidden_arrow_shows_its_name_and_a_question_mark():
    net = Network(m=3, n=5, p=2)
    svg = network_svg(net, highlight="h", hide=("h",))
    texts = svg_texts(svg)
    assert "(5, 5)" not in svg and "W_hh" in texts and "?" in texts
    assert "(5, 3)" in texts  # the other arrows keep their shapes, to be read off
    assert "total: ? parameters" in texts and "62" not in " ".join(texts)
    assert network_svg(net) == network_svg(net, highlight=None, hide=())  # default unchanged
    grid = grid_svg(net, highlight="x", hide=("x", "h", "b"))
    assert "15 connections" not in grid and "(5, 3)" not in grid
    with pytest.raises(FigureError):
        network_svg(net, highlight="W_hh")


def test_a_figure_that_would_show_the_answer_is_drawn_again_until_none_fits():
    # nothing hidden: the figure labels W_hh with its shape, which is the answer
    template = make(figure={"kind": "unrolled", "highlight": "W_hh"})
    with pytest.raises(ProblemError, match="the figure shows the answer"):
        generate(template, 1)
    p = generate(make(), 1)
    assert leak(p.figure, p.kind, p.answer, True) is None


def test_a_grid_too_large_is_a_clear_template_error():
    template = make(params={"m": [9, 12], "n": [2, 6]},
                    figure={"kind": "grid", "hide": ["W_hh"]})
    with pytest.raises(ProblemError, match="figure: the connection grid is drawn for m, n <= 8"):
        generate(template, 0)


def test_the_witness_checks_figure_problems_like_any_other():
    from rnnquiz.resources import problems_dir

    path = str(problems_dir() / "figures.yaml")
    result = CliRunner().invoke(cli, ["validate", path, "--seeds", "20"])
    assert result.exit_code == 0 and "ok: 7 templates" in result.output, result.output


def test_moodle_embeds_each_figure_in_its_question_and_references_it(problems):
    root = ET.fromstring(to_moodle_xml(problems, META))
    questions = [q for q in root.iter("question") if q.get("type") != "category"]
    by_name = {p.variant_id: p for p in problems}
    assert len(questions) == len(problems)
    for q in questions:
        p = by_name[q.find("idnumber").text]
        qt = q.find("questiontext")
        files = qt.findall("file")
        assert [(f.get("name"), f.get("path"), f.get("encoding")) for f in files] == \
            [(p.figure.name, "/", "base64")]
        assert base64.b64decode(files[0].text).decode("utf-8") == p.figure.svg
        body = qt.find("text").text
        refs = re.findall(r'src="@@PLUGINFILE@@/([^"]+)"', body)
        assert refs == [p.figure.name]
        assert f'alt="{html.escape(p.figure.alt)}"' in body


def test_anki_puts_each_figure_in_the_package_and_on_the_card(problems, tmp_path):
    pytest.importorskip("genanki")
    from rnnquiz.export.anki import write_apkg

    subset = problems[:: len(SEEDS)]
    package = tmp_path / "deck.apkg"
    write_apkg(subset, package)
    with zipfile.ZipFile(package) as z:
        media = json.loads(z.read("media"))
        assert sorted(media.values()) == sorted(p.figure.name for p in subset)
        for number, name in media.items():
            svg = next(p.figure.svg for p in subset if p.figure.name == name)
            assert z.read(number).decode("utf-8") == svg
        (tmp_path / "c.anki2").write_bytes(z.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "c.anki2") as db:
        fields = [row[0] for row in db.execute("select flds from notes")]
    for p in subset:
        assert any(f'<img src="{p.figure.name}"' in f for f in fields)


def test_html_inlines_every_figure_as_svg_that_parses_with_ids_of_its_own(problems):
    page = to_html(problems, META)
    svgs = re.findall(r"<svg .*?</svg>", page, re.S)
    assert len(svgs) == len(problems)
    ids = []
    for k, svg in enumerate(svgs, 1):
        root = ET.fromstring(svg)
        assert root.get("aria-labelledby") == f"q{k}-title q{k}-desc"
        ids += [el.get("id") for el in root.iter() if el.get("id")]
        for ref in re.findall(r"url\(#([^)]+)\)", svg):
            assert ref.startswith(f"q{k}-") and f'id="{ref}"' in svg
    assert len(ids) == len(set(ids))
    assert "<?xml" not in page
    assert inline_svg('<?xml version="1.0"?>\n<svg id="a"><text>id="x"</text></svg>\n',
                      "p-") == '<svg id="p-a"><text>id="x"</text></svg>'


def test_gift_asks_figure_problems_in_their_text_wording_or_leaves_them_out(problems):
    gift = to_gift(problems, META)
    for p in problems:
        assert p.variant_id in gift
        assert "The figure" not in gift and "highlighted" not in gift
    bare = generate(make(), 4)  # no figure.text
    assert bare.figure is not None and text_only(bare) is None
    gift = to_gift([bare, problems[0]], META)
    assert bare.variant_id not in gift and problems[0].variant_id in gift
    kept, notes = without_images([bare, problems[0]])
    assert [q.variant_id for q in kept] == [problems[0].variant_id]
    assert kept[0].question == problems[0].figure.text and kept[0].figure is None
    assert any("left out" in n and bare.variant_id in n for n in notes)
    assert problems[0].figure is not None  # the original is untouched


def test_markdown_refers_to_figure_files_only_when_it_has_a_folder(problems):
    with_files = to_markdown(problems, META, images=True)
    for p in problems:
        assert f"]({p.figure.name})" in with_files
    alone = to_markdown(problems, META)
    assert ".svg" not in alone and "The figure" not in alone


def test_json_names_and_carries_the_figure_and_matches_the_schema(problems):
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(to_json(problems, META))
    jsonschema.validate(data, schema())
    for p, d in zip(problems, data["problems"], strict=True):
        assert d["figure"] == {"file": p.figure.name, "kind": p.figure.kind,
                               "alt": p.figure.alt, "svg": p.figure.svg}


def test_the_cli_writes_figure_files_beside_markdown_and_json(tmp_path):
    runner = CliRunner()
    for fmt in ("markdown", "json"):
        out = tmp_path / fmt / f"sheet.{fmt}"
        out.parent.mkdir()
        result = runner.invoke(cli, ["export", "--format", fmt, "--skill", "figures",
                                     "--count", "4", "--seed", "2", "-o", str(out)])
        assert result.exit_code == 0, result.output
        text = out.read_text(encoding="utf-8")
        names = sorted(set(re.findall(r"fig-[a-z0-9-]+\.svg", text)))
        assert names and sorted(f.name for f in out.parent.glob("fig-*.svg")) == names
        for name in names:
            ET.fromstring((out.parent / name).read_bytes())
    result = runner.invoke(cli, ["export", "--format", "markdown", "--skill", "figures",
                                 "--count", "3", "--seed", "2"])
    assert result.exit_code == 0 and ".svg" not in result.output
    assert result.stderr == ""  # asked in words: nothing lost, nothing to say
    assert "The figure" not in result.stdout


def test_practice_asks_figure_problems_in_words():
    picks = [(t, 1) for t in figure_templates()] + [(make(), 1)]
    warned = []
    asked = list(problems_for(picks, warned.append))
    assert len(asked) == len(figure_templates())
    assert all(p.figure is None and "figure" not in p.question for p in asked)
    assert warned and "figure.text" in warned[0]


def test_anki_text_import_says_figures_are_not_included(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "genanki", None)
    result = CliRunner().invoke(cli, ["export", "--format", "anki", "--skill", "figures",
                                      "--count", "3", "--seed", "4"])
    assert result.exit_code == 0
    assert "the text import holds no figures: 3 figure problem(s)" in result.stderr
    assert ".svg" not in result.stdout and "<img" not in result.stdout
    assert len(result.stdout.splitlines()) == 5 + 3  # every shipped figure template has words


def bare_figure_folder(tmp_path):
    """A problems folder with one figure template that has no text-only wording."""
    folder = tmp_path / "problems"
    folder.mkdir()
    (folder / "fig.yaml").write_text("""templates:
  - id: bare-figure
    skill: bare
    title: A figure without words
    params: {m: [2, 6], n: [2, 6], p: [2, 6]}
    question: The figure shows an RNN. What is the shape of the highlighted matrix?
    hints: ["It maps h_(t-1) to h_t."]
    ask: {quantity: shape, tensor: W_hh}
    figure: {kind: unrolled, highlight: W_hh, hide: [W_hh]}
""", encoding="utf-8")
    return folder


def test_gift_leaves_out_a_figure_problem_without_words_and_says_so(tmp_path):
    folder = bare_figure_folder(tmp_path)
    out = tmp_path / "quiz.gift"
    result = CliRunner().invoke(cli, ["export", "--format", "gift", "--problems", str(folder),
                                      "--skill", "bare", "--count", "2", "--seed", "1",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 figure problem(s) left out" in result.stderr
    assert "wrote 0 problems" in result.stderr
    assert "bare-figure@" not in out.read_text(encoding="utf-8")
    checked = CliRunner().invoke(cli, ["validate", str(folder), "--seeds", "3"])
    assert checked.exit_code == 0 and "figure without a text-only wording" in checked.output
    moodle = CliRunner().invoke(cli, ["export", "--format", "moodle", "--problems",
                                      str(folder), "--skill", "bare", "--count", "2",
                                      "--seed", "1"])
    assert moodle.stdout.count("@@PLUGINFILE@@/fig-bare-figure-") == 2


def test_anki_itself_imports_the_figures_and_finds_none_missing(problems, tmp_path):
    """The official Anki backend (``pip install anki``; skipped without it): the figures land
    in the collection's media folder and its media check finds nothing missing or unused."""
    pytest.importorskip("genanki")
    collection = pytest.importorskip("anki.collection")
    from rnnquiz.export.anki import write_apkg

    subset = problems[:: len(SEEDS) // 2]
    package = tmp_path / "deck.apkg"
    write_apkg(subset, package)
    col = collection.Collection(str(tmp_path / "collection.anki2"))
    try:
        options = collection.ImportAnkiPackageOptions(with_scheduling=False)
        col.import_anki_package(collection.ImportAnkiPackageRequest(
            package_path=str(package), options=options))
        folder = Path(col.media.dir())
        for p in subset:
            assert (folder / p.figure.name).read_text(encoding="utf-8") == p.figure.svg
        check = col.media.check()
        assert list(check.missing) == [] and list(check.unused) == []
        questions = [col.get_note(nid).cards()[0].question() for nid in col.find_notes("")]
        for p in subset:
            assert any(f'<img src="{p.figure.name}"' in q for q in questions)
    finally:
        col.close()


@pytest.mark.parametrize("kind", ["x", "h", "y", "b"])
def test_every_kind_a_template_may_highlight_is_highlighted(kind):
    net = Network(m=3, n=4, p=2)
    assert 'class="highlight"' in network_svg(net, highlight=kind)
    assert 'class="highlight"' not in network_svg(net)
    if kind in ("x", "h"):
        assert 'class="highlight"' in grid_svg(net, highlight=kind)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.skipif(not (CHROMIUM and PDFTOTEXT), reason="needs chromium and poppler-utils")
def test_chromium_prints_the_inline_figures_as_real_text(problems, tmp_path):
    subset = [p for p in problems if p.figure.kind == "unrolled"][:: len(SEEDS)][:3]
    page = tmp_path / "w.html"
    page.write_text(to_html(subset, META), encoding="utf-8")
    pdf = tmp_path / "w.pdf"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                        "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                       capture_output=True, timeout=120, check=False)
    text = subprocess.run([PDFTOTEXT, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    key = text.index("Answer key")
    assert text[:key].count("unrolled over T =") == len(subset)  # each figure, as text
    for p in subset:
        assert p.figure.alt.split(":")[0] in text[:key]  # its title, e.g. "vanilla RNN, m = 3"


@pytest.mark.skipif(not shutil.which("pandoc"), reason="pandoc is not installed")
def test_pandoc_turns_each_figure_reference_into_an_image_of_the_file(tmp_path):
    out = tmp_path / "sheet.md"
    result = CliRunner().invoke(cli, ["export", "--format", "markdown", "--skill", "figures",
                                      "--count", "3", "--seed", "8", "-o", str(out)])
    assert result.exit_code == 0, result.output
    html_out = tmp_path / "sheet.html"
    subprocess.run(["pandoc", "-s", "--metadata", "pagetitle=w", str(out), "-o",
                    str(html_out)], check=True, capture_output=True, timeout=120)
    sources = re.findall(r'<img src="([^"]+)"', html_out.read_text(encoding="utf-8"))
    assert len(sources) == 3
    assert all((tmp_path / s).is_file() and s.startswith("fig-") for s in sources)


def test_the_figure_files_line_names_five_and_counts_the_rest(tmp_path):
    from click.testing import CliRunner

    from rnnquiz.cli import cli

    out = tmp_path / "p.json"
    run = CliRunner().invoke(cli, ["export", "--format", "json", "--skill", "figures",
                                   "--count", "8", "--seed", "1", "-o", str(out)])
    assert run.exit_code == 0, run.output
    line = next(x for x in run.output.splitlines() if "figure(s) beside" in x)
    written = sorted(x.name for x in tmp_path.glob("fig-*.svg"))
    assert line == (f"wrote {len(written)} figure(s) beside {out}: "
                    + ", ".join(written[:5]) + f" and {len(written) - 5} more")
