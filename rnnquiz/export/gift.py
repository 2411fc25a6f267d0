"""Moodle GIFT: one question per block, special characters escaped, mistakes as 0% answers."""

from __future__ import annotations

import html

SPECIAL = "\\~=#{}:"


def escape(text: str) -> str:
    """Backslash GIFT's special characters (and the backslash itself)."""
    return "".join("\\" + ch if ch in SPECIAL else ch for ch in text)


def _html(text: str) -> str:
    """Text as GIFT [html]: entities for < > &, line breaks as <br>, then GIFT escapes."""
    return escape(html.escape(text, quote=False).replace("\n", "<br>"))


def _number(value) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


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
        parts = [f"#={_number(p.answer)}:{_number(tol)}#Right."]
        for w in p.wrong_answers:
            w_tol = tol / 2 if tol else 0
            parts.append(f"=%0%{_number(w.value)}:{_number(w_tol)}#{_html(w.explanation)}")
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
    feedback = _html("Answer: " + p.answer_text + "\n" + p.solution)
    return (f"// {p.variant_id} · skill {p.skill}\n"
            f"::{title}::[html]{_html(p.question)} {{{_answers(p)} ####{feedback}}}")


def to_gift(problems, meta) -> str:
    head = f"// rnnquiz: {len(problems)} problems, seed {meta['seed']} ({meta['generator']})"
    blocks = [head] + [question(p) for p in problems]
    return "\n\n".join(blocks) + "\n"
