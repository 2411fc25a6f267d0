"""A self-contained, print-ready HTML worksheet: name line, numbered questions with room to
answer, then the answer key with worked solutions starting on a new page.

One file, no scripts, no external fonts or images: print CSS lays it out for A4 or Letter, so
a browser prints it (or saves it as PDF) cleanly.
"""

from __future__ import annotations

import re
from html import escape

CSS = """
:root { color-scheme: light; }
body { font-family: "DejaVu Serif", Georgia, "Times New Roman", serif; font-size: 11.5pt;
       line-height: 1.4; color: #111; max-width: 46em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.5em; margin: 0 0 .2em; }
h2 { font-size: 1.05em; margin: 0 0 .3em; }
.meta { color: #555; font-size: .9em; margin: 0 0 1em; }
.name { display: flex; gap: 2em; margin: 1.2em 0 1.6em; }
.name span { flex: 1; border-bottom: 1px solid #111; padding-bottom: .2em; }
ol.questions, ol.key { padding-left: 1.8em; }
li.question { margin: 0 0 1.4em; break-inside: avoid; page-break-inside: avoid; }
.skill { font-weight: normal; color: #555; font-size: .9em; }
.text { white-space: pre-wrap; margin: 0 0 .5em; }
ul.choices { list-style: none; padding-left: .5em; margin: .3em 0 .6em; }
ul.choices li { margin: .15em 0; }
.answer-space { border: 1px solid #999; border-radius: 3px; height: 4.2em; margin-top: .4em;
                padding: .2em .5em; color: #777; font-size: .85em; }
section.answer-key { break-before: page; page-break-before: always; }
li.answer { margin: 0 0 1em; }
li.answer > p { margin: 0 0 .3em; break-after: avoid; page-break-after: avoid; }
figure.figure { margin: .4em 0 .6em; }
figure.figure svg { max-width: 100%; height: auto; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .85em; }
pre { white-space: pre-wrap; background: #f6f6f6; border-left: 3px solid #bbb; margin: 0;
      padding: .4em .7em; }
@page { size: A4; margin: 16mm 15mm;
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt;
                        color: #555; } }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  pre { background: none; }
  a { color: inherit; text-decoration: none; }
}
"""


def _text(text: str) -> str:
    return escape(str(text), quote=True)


_TAG = re.compile(r"<[^>]*>")
_ID = re.compile(r'(\s(?:id|aria-labelledby)=")([^"]*)(")|(url\(#)([^)]*)(\))')


def inline_svg(svg: str, prefix: str) -> str:
    """A figure's SVG file as an element of the page: no XML declaration, and every id (and
    each reference to one) prefixed, so several figures on one page keep their own markers,
    titles and descriptions. Only tags are rewritten, never the text."""
    body = svg.split("?>", 1)[1].lstrip() if svg.startswith("<?xml") else svg

    def ids(match):
        if match.group(1):
            names = " ".join(prefix + n for n in match.group(2).split())
            return match.group(1) + names + match.group(3)
        return match.group(4) + prefix + match.group(5) + match.group(6)

    return _TAG.sub(lambda tag: _ID.sub(ids, tag.group(0)), body).rstrip("\n")


def _question(k: int, p) -> list:
    out = [f'<li class="question" id="q{k}">',
           # No template title above the question: a title can give the answer away (as in
           # the Markdown worksheet); the key names each problem by its title.
           f'<h2>Question {k} <span class="skill">({_text(p.skill)}, difficulty '
           f'{_text(p.difficulty)})</span></h2>',
           f'<p class="text">{_text(p.question)}</p>']
    figure = getattr(p, "figure", None)
    if figure is not None:
        out += ['<figure class="figure">', inline_svg(figure.svg, f"q{k}-"), "</figure>"]
    if p.choices:
        out.append('<ul class="choices">')
        out += [f"<li>{_text(letter)}) {_text(text)}</li>" for letter, text in p.choices.items()]
        out.append("</ul>")
    out.append('<div class="answer-space">Answer:</div>')
    out.append("</li>")
    return out


def _answer(k: int, p) -> list:
    return [f'<li class="answer" id="a{k}">',
            f"<p><strong>{_text(p.answer_text)}</strong> <code>{_text(p.variant_id)}</code> "
            f"{_text(p.title)}</p>",
            f"<pre>{_text(p.solution)}</pre>",
            "</li>"]


def to_html(problems, meta) -> str:
    """The worksheet as one HTML document (UTF-8); the same problems give the same bytes."""
    summary = f"{len(problems)} problems · seed {meta['seed']} · {meta['generator']}"
    lines = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f'<meta name="generator" content="{_text(meta["generator"])}">',
             f"<title>rnnquiz worksheet (seed {_text(meta['seed'])})</title>",
             f"<style>{CSS}</style>", "</head>", "<body>",
             '<section class="worksheet">', "<h1>rnnquiz worksheet</h1>",
             f'<p class="meta">{_text(summary)}</p>',
             '<div class="name"><span>Name:</span><span>Date:</span></div>',
             '<ol class="questions">']
    for k, p in enumerate(problems, 1):
        lines += _question(k, p)
    lines += ["</ol>", "</section>", '<section class="answer-key">', "<h1>Answer key</h1>",
              f'<p class="meta">{_text(summary)}</p>', '<ol class="key">']
    for k, p in enumerate(problems, 1):
        lines += _answer(k, p)
    lines += ["</ol>", "</section>", "</body>", "</html>"]
    return "\n".join(lines) + "\n"
