"""A worksheet a teacher can hand out: a name line, the questions with space to answer, then
the answer key with worked solutions, starting on a new page.

Written to read well as plain Markdown and to print after ``pandoc`` to HTML or PDF: questions
are headings (a numbered list loses its indentation from question 10 on), worked solutions are
wrapped to fit a printed page, and template titles stay out of the questions (a title may state
the answer, e.g. "torch.nn.RNN counts two biases"); they appear in the key only.
"""

from __future__ import annotations

import re

from rnnquiz.export.text import wrap_solution

SOLUTION_WIDTH = 60  # characters: fits a printed page in pandoc's default HTML (36em wide)
ANSWER_LINE = "Answer: " + "_" * 40
# Both forms of a page break: pandoc passes the <div> to HTML (and so to a browser's or
# wkhtmltopdf's PDF) and \newpage to LaTeX, and drops each where it does not belong.
PAGE_BREAK = ['<div style="page-break-before: always; break-before: page;"></div>', "",
              "\\newpage", ""]
KEEP_TOGETHER = '<div style="page-break-inside: avoid; break-inside: avoid;">'


def _escape(text: str) -> str:
    """Keep Markdown from reading a question's symbols as markup (a<t> as HTML, * as emphasis)."""
    for ch in ("\\", "`", "*", "<", ">", "[", "]"):
        text = text.replace(ch, "\\" + ch)
    return re.sub(r"(?<![A-Za-z0-9])_", r"\\_", text)  # h_t stays: an inner _ is no markup


def _paragraphs(text: str) -> list:
    """Each line of ``text`` as its own paragraph (Markdown would run them together)."""
    lines = []
    for line in text.splitlines():
        if line.strip():
            lines += [_escape(line), ""]
    return lines


def _alt(text: str) -> str:
    return " ".join(text.replace("[", "(").replace("]", ")").replace("\\", "/").split())


def _question_lines(p) -> list:
    """One problem's question block after its heading."""
    lines = [f"*{_escape(p.skill)} · difficulty {p.difficulty}*", ""]
    lines += _paragraphs(p.question)
    figure = getattr(p, "figure", None)
    if figure is not None:
        lines += [f"![{_alt(figure.alt)}]({figure.name})", ""]
    if p.choices:
        lines += [f"- **{letter})** {_escape(text)}" for letter, text in p.choices.items()]
        lines.append("")
    return lines + [ANSWER_LINE, "", "</div>", ""]


def _key_lines(p) -> list:
    """One problem's answer-key block after ``### k. ``: its answer, then the rest."""
    return [_escape(p.answer_text), "", f"`{p.variant_id}` · {_escape(p.title)}", "",
            "```text", *wrap_solution(p.solution, SOLUTION_WIDTH), "```", ""]


def _numbered_question(k: int, block) -> list:
    return [KEEP_TOGETHER, "", f"### Question {k}", "", *block]


def _numbered_answer(k: int, block) -> list:
    return [f"### {k}. {block[0]}", *block[1:]]


def _numbered_questions(blocks) -> list:
    return [line for k, block in enumerate(blocks, 1) for line in _numbered_question(k, block)]


def _numbered_key(blocks) -> list:
    return [line for k, block in enumerate(blocks, 1) for line in _numbered_answer(k, block)]


def questions(problems) -> list:
    """The question pages: one block per problem, kept on one page, with an answer line; a
    figure as an image of its SVG file (written beside the Markdown file)."""
    return _numbered_questions(_question_lines(p) for p in problems)


def key(problems) -> list:
    """The answer key: each answer with its variant id, title and wrapped worked solution."""
    return _numbered_key(_key_lines(p) for p in problems)


PARTS = ("all", "questions", "key")


def piece(p, images: bool = False) -> tuple:
    """(question block, key block, figure, variant id) of one problem, unnumbered: what a
    worker process sends back for an export (``rnnquiz.drill.bulk.generate_many``'s
    ``then``). ``figure`` is (file name, SVG text) when ``images`` and the problem has one.
    Without ``images`` a figure problem is asked in its text-only wording, its blocks None
    when it has none (left out)."""
    figure = getattr(p, "figure", None)
    if not images and figure is not None:
        from rnnquiz.drill.figure import text_only

        asked = text_only(p)
        if asked is None:
            return None, None, None, p.variant_id
        p, figure = asked, None
    return (_question_lines(p), _key_lines(p),
            (figure.name, figure.svg) if figure is not None else None, p.variant_id)


def from_pieces(pieces, meta, part: str = "all") -> str:
    """The worksheet (see ``to_markdown``) of the problems whose ``piece`` is given."""
    return "".join(iter_from_pieces(pieces, meta, part))


def iter_from_pieces(pieces, meta, part: str = "all", count: int | None = None):
    """``from_pieces``'s text in parts, for writing as the pieces come: each question as soon
    as its piece is there, the answer key's blocks (one string each) kept until the questions
    are done; so memory holds the key, never the whole worksheet.

    ``count``: how many pieces will come, for ``pieces`` an iterator (the header states it
    before the first question); every one must then be kept (not left out, as a figure
    problem without images may be: with ``images``, none is). Without it ``pieces`` is read
    whole first."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}, not {part!r}")
    if count is None:
        pieces = [one for one in pieces if one[0] is not None]
        count = len(pieces)
    sep = ""  # the text is the lines joined by line breaks: each part is whole lines
    for lines in _parts(pieces, meta, part, count):
        yield sep + "\n".join(lines)
        sep = "\n"


def _parts(pieces, meta, part, count):
    """The worksheet's lines in lists, none empty (see ``iter_from_pieces``)."""
    about = f"{count} problems · seed {meta['seed']} · {meta['generator']}."
    asks = part in ("all", "questions")
    if asks:
        yield ["# rnnquiz worksheet", "",
               "Name: " + "_" * 30 + " Date: " + "_" * 14, "",
               about + " Write each answer on its line"
               + ("; the answer key starts on a new page." if part == "all" else "."), "",
               "## Questions", ""]
    keys, k = [], 0
    for question_block, key_block, *_ in pieces:
        if question_block is None:
            raise ValueError("a problem left out of a worksheet whose count was given")
        k += 1
        if asks:
            yield _numbered_question(k, question_block)
        if part != "questions":
            keys.append("\n".join(_numbered_answer(k, key_block)))
    if k != count:
        raise ValueError(f"{k} problems for a worksheet of {count}")
    if part == "all":
        yield PAGE_BREAK
    if part == "key":
        yield ["# rnnquiz worksheet: answer key", "", about, ""]
    if part != "questions":
        yield ["## Answer key", "", f"Seed {meta['seed']}: `rnnquiz practice --seed "
               f"{meta['seed']}` asks the same problems in the same order.", ""]
        for block in keys:
            yield [block]


def to_markdown(problems, meta, part: str = "all", images: bool = False) -> str:
    """The worksheet: ``all`` (questions, then the key on a new page), or only the questions
    (to hand out) or only the key (for the teacher).

    ``images``: figures are referenced by file name (the caller writes the SVG files beside
    the Markdown file); without, figure problems are asked in their text-only wording or left
    out (see ``rnnquiz.drill.figure.without_images``)."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}, not {part!r}")
    return from_pieces([piece(p, images) for p in problems], meta, part)
