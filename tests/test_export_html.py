"""The HTML worksheet: read back with the standard library's HTML parser, and printed to PDF by
headless Chromium where it is installed (the answer key must start on a new page)."""

import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from rnnquiz.cli import cli
from rnnquiz.drill.practice import plan
from rnnquiz.drill.problems import Problem
from rnnquiz.drill.templates import shipped_templates
from rnnquiz.export.html import to_html

COUNT, SEED = 24, 5


class Outline(HTMLParser):
    """The elements with a class, in order, and the text inside each <li>, <pre> and <code>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.classes, self.stack, self.texts, self.open = [], [], {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("class"):
            self.classes.append((tag, attrs["class"], attrs.get("id")))
        if tag not in ("meta", "br"):
            self.stack.append(tag)
            self.open.append(attrs.get("id") or tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()
        self.open.pop()

    def handle_data(self, data):
        if self.open:
            self.texts.setdefault(self.open[-1], []).append(data)


def html_export():
    result = CliRunner().invoke(cli, ["export", "--format", "html", "--count", str(COUNT),
                                      "--seed", str(SEED)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_numbered_question_and_an_answer_for_every_problem_and_a_name_line():
    text = html_export()
    outline = Outline()
    outline.feed(text)
    outline.close()
    assert not outline.stack, "unclosed elements"
    kinds = [c for _, c, _ in outline.classes]
    assert kinds.count("question") == COUNT == kinds.count("answer")
    assert kinds.count("answer-space") == COUNT and "name" in kinds
    assert kinds.index("answer-key") > max(i for i, k in enumerate(kinds) if k == "question")
    expected = [f"{t.id}@{s}" for t, s in plan(shipped_templates(), COUNT, SEED)]
    codes = [t for t in (outline.texts.get("code") or [])]
    assert codes == expected
    assert "break-before: page" in text and "@page" in text and "@media print" in text
    assert "<script" not in text and "http" not in text.split("</style>")[0]  # self-contained
    assert text == html_export()


def test_question_text_is_escaped_not_markup():
    p = Problem(title="a<b> & c", skill="shapes", difficulty=1, question='x <script>"1"</script>',
                choices=None, kind="integer", answer=3, decimals=None, variant_id="t@1",
                solution="h < n\nsecond line")
    text = to_html([p], {"seed": 1, "generator": "rnnquiz test"})
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "a&lt;b&gt; &amp; c" in text and "h &lt; n\nsecond line" in text


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.skipif(not (CHROMIUM and PDFTOTEXT), reason="needs chromium and poppler-utils")
def test_chromium_prints_it_with_the_answer_key_on_its_own_pages(tmp_path):
    page = tmp_path / "w.html"
    page.write_text(html_export(), encoding="utf-8")
    pdf = tmp_path / "w.pdf"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                        "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                       capture_output=True, timeout=120, check=False)
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    pages = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    key = next(i for i, p in enumerate(pages) if "Answer key" in p)
    assert pages[key].lstrip().startswith("Answer key")  # a new page, nothing before it
    assert key >= 1 and "rnnquiz worksheet" in pages[0] and "Name:" in pages[0]
    assert all(re.search(rf"\b{k}\s*/\s*{len(pages)}\b", page)
               for k, page in enumerate(pages, 1))
    questions = "".join(pages[:key])
    assert questions.count("Answer:") == COUNT
    assert all(f"{k}." in questions for k in range(1, COUNT + 1))
    answers = "".join(pages[key:])
    assert "Answer:" not in answers
    assert Path(pdf).stat().st_size > 10_000


def test_titles_stay_out_of_the_questions_and_name_the_key_entries():
    import html as html_lib

    from rnnquiz.drill.problems import generate
    from rnnquiz.drill.templates import shipped_templates
    from rnnquiz.export.html import to_html

    problems = [generate(t, s) for t, s in plan(shipped_templates(), 30, 3)]
    page = to_html(problems, {"seed": 3, "generator": "test"})
    questions, key = page.split('id="a1"', 1)
    headings = re.findall(r"<h2>(.*?) <span", questions)
    assert headings == [f"Question {k}" for k in range(1, len(problems) + 1)]
    assert all(html_lib.escape(p.title) in key for p in problems)
