"""Moodle GIFT: a ``$CATEGORY:`` line per skill, one question per block, special characters
escaped, mistakes as 0% answers, numbers as plain decimals, the answer stated by its text
(GIFT multiple choice is shuffled, so a letter would point at another option)."""

from __future__ import annotations

import html

from rnnquiz.export.text import answer_text, plain

SPECIAL = "\\~=#{}:"


def escape(text: str) -> str:
    """Backslash GIFT's special characters (and the backslash itself)."""
    text = text.replace("\\", "\\\\")  # the backslash first: the others add backslashes
    for ch in SPECIAL.replace("\\", ""):
        text = text.replace(ch, "\\" + ch)
    return text


def _html(text: str) -> str:
    """Text as GIFT [html]: entities for < > &, line breaks as <br>, then GIFT escapes."""
    return escape(html.escape(text, quote=False).replace("\n", "<br>"))


def _answers(p) -> str:
    if p.choices:
        parts = []
        wrong_by_letter = {w.text.split(")", 1)[0]: w for w in p.wrong_answers}
        for letter, text in p.choices.items():
            if letter == p.correct_choice:
                parts.append(f"={_html(text)}#Right.")
            else:
                w = wrong_by_letter.get(letter)
                feedback = f"#{_html(w.explanation)}" if w else ""
                parts.append(f"~{_html(text)}{feedback}")
        return " ".join(parts)
    if p.kind in ("integer", "number"):
        tol = p.tolerance or 0
        parts = [f"#={plain(p.answer)}:{plain(tol)}#Right."]
        for w in p.wrong_answers:
            w_tol = tol / 2 if tol else 0
            parts.append(f"=%0%{plain(w.value)}:{plain(w_tol)}#{_html(w.explanation)}")
        return " ".join(parts)
    if p.kind == "shape":
        parts = [f"={_html(form)}" for form in p.accepted]
        parts += [f"=%0%{_html(w.text)}#{_html(w.explanation)}" for w in p.wrong_answers]
        return " ".join(parts)
    # yes/no as a two-way multiple choice, so each answer gets its feedback
    right, wrong = ("yes", "no") if p.answer else ("no", "yes")
    named = p.wrong_answers[0].explanation if p.wrong_answers else ""
    return f"={right}#Right. ~{wrong}#{_html(named)}"


def question(p) -> str:
    """One GIFT block: comment, ::title::, [html] text, {answers ####general feedback}."""
    title = escape(f"{p.variant_id} {p.title}")
    feedback = _html("Answer: " + answer_text(p) + "\n" + p.solution)
    return (f"// {p.variant_id} · skill {p.skill}\n"
            f"::{title}::[html]{_html(p.question)} {{{_answers(p)} ####{feedback}}}")


def piece(p) -> tuple:
    """(skill, GIFT block, variant id) of one problem as GIFT asks it: a figure problem in its
    text-only wording, its block None when it has none (left out). What a worker process sends
    back for an export (``rnnquiz.drill.bulk.generate_many``'s ``then``)."""
    from rnnquiz.drill.figure import text_only

    asked = text_only(p)
    return p.skill, (question(asked) if asked is not None else None), p.variant_id


def from_pieces(pieces, meta) -> str:
    """The GIFT file of the problems whose ``piece`` is given, in order."""
    return "".join(iter_from_pieces(pieces, meta))


def iter_from_pieces(pieces, meta):
    """``from_pieces``'s text in parts (a block at a time), for writing without first
    joining the whole file in memory."""
    kept = [(skill, block) for skill, block, _ in pieces if block is not None]
    yield f"// rnnquiz: {len(kept)} problems, seed {meta['seed']} ({meta['generator']})"
    category = None
    for skill, block in kept:
        if skill != category:  # order kept: a category line whenever the skill changes
            category = skill
            yield f"\n\n$CATEGORY: $course$/rnnquiz/{category}"
        yield "\n\n" + block
    yield "\n"


def to_gift(problems, meta) -> str:
    """GIFT cannot hold images: figure problems are asked in their text-only wording or left
    out (see ``rnnquiz.drill.figure.without_images``, whose notes the CLI prints)."""
    return from_pieces([piece(p) for p in problems], meta)
