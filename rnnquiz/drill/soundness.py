"""What makes a variant unfit to hand out, so the generator draws another one.

A variant is unfit when the problem's own grading would accept a named mistake (the transposed
shape among them) as the right answer; when the answer rounds to zero, keeps fewer than two
significant digits at the asked precision or is not rounded to it; when the answer (or, for a
yes/no question about the count, the count) repeats a number the question gives; or when a
hint contains the answer. ``faults`` checks a candidate before the problem is made; ``audit``
checks a finished problem again through the grader itself, the key as printed included
(``rnnquiz validate`` runs both).
"""

from __future__ import annotations

import re

from rnnquiz.drill.answers import UnreadableAnswer
from rnnquiz.drill.grading import accepts, grade, within
from rnnquiz.drill.quantities import display
from rnnquiz.drill.templates import placeholders

# A number standing alone in a text: '20', '1,440', '-0.5'; not the 0 of h_0 nor the 3 of 3n.
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?(?!\w)")


class Key:
    """The answer as the grading sees it: kind, value, tolerance, other accepted values."""

    def __init__(self, kind, answer, tolerance, alternatives=(), decimals=None):
        self.kind = kind
        self.answer = answer
        self.tolerance = tolerance
        self.alternatives = tuple(alternatives)
        self.decimals = decimals


def numbers_in(text: str) -> list:
    """Every number written in ``text``, as floats: 'W_xh = [0.5, -1]' -> [0.5, -1.0]."""
    return [float(s.replace(",", "")) for s in _NUMBER.findall(str(text))]


def plain(x: float) -> str:
    """A tolerance as a plain decimal: 0.0005, never 5e-04."""
    return f"{x:.12f}".rstrip("0").rstrip(".")


def key_text(key) -> str:
    text = display(key.kind, key.answer, key.decimals)
    return f"{text} ± {plain(key.tolerance)}" if key.kind == "number" else text


def collisions(key, predicted) -> list:
    """A fault for each named mistake the grading would accept as the answer."""
    return [f"the named mistake {w.id} ({w.name}) gives {w.text}, which the grading accepts "
            f"as the answer {key_text(key)}" for w in predicted if accepts(key, w.value)]


def too_small(key) -> list:
    """A fault when the answer rounds to zero or keeps fewer than two significant digits."""
    if key.kind == "integer" and key.answer == 0:
        return ["the answer is 0"]
    if key.kind != "number":
        return []
    unit = 2 * key.tolerance  # one unit in the last asked place
    units = round(abs(key.answer) / unit)
    text = display(key.kind, key.answer, key.decimals)
    if units == 0:
        return [f"the answer rounds to zero ({text})"]
    if units < 10:
        return [f"the answer {text} keeps fewer than two significant digits at the asked "
                "precision"]
    return []


def unrounded(key) -> list:
    """A fault when a number answer is not rounded to the precision it is graded at (4096
    asked to 3 significant figures, ± 5): the key would show figures the question does not
    ask for, and a student's correctly rounded answer would not match it."""
    if key.kind != "number" or not key.tolerance:
        return []
    units = key.answer / (2 * key.tolerance)
    if abs(units - round(units)) > 1e-6 * max(1.0, abs(units)):
        return [f"the answer {plain(key.answer)} is not rounded to the precision it is graded "
                f"at (± {plain(key.tolerance)})"]
    return []


def tie(key, exact) -> list:
    """A fault when the exact answer lies halfway between two roundings (0.03125 to 4
    places): a student rounding half up and the key rounding half to even would disagree."""
    if key.kind != "number" or exact is None:
        return []
    units = abs(exact) / (2 * key.tolerance)
    if abs(units - int(units) - 0.5) < 1e-6:
        return [f"the exact answer {plain(exact)} lies halfway between two roundings"]
    return []


def echoes(key, figure, question_template, values, allowed=()) -> list:
    """A fault when the answer (or the figure a yes/no answer rests on) equals a number the
    question gives through a placeholder, other than those it equals by definition."""
    what = "the answer"
    if figure is not None:
        what = f"the count it rests on, {figure:,},"
    elif key.kind in ("integer", "number"):
        figure = key.answer
    else:
        return []
    kind = "number" if key.kind == "number" else "integer"
    out = []
    for name in dict.fromkeys(placeholders(question_template)):
        value = values.get(name)
        if name in allowed or value is None or isinstance(value, bool):
            continue
        given = [float(value)] if isinstance(value, int | float) else numbers_in(value)
        if any(within(kind, key.tolerance, g, figure) for g in given):
            shown = value if not isinstance(value, int) else f"{value:,}"
            out.append(f"{what} equals {{{name}}} = {shown}, a number the question gives")
    return out


def _forms(key) -> list:
    values = [key.answer, *key.alternatives]
    if key.kind == "shape":
        return [display("shape", v) for v in values] + [
            "x".join(map(str, v)) for v in values if len(v) > 1]
    return []


def giveaways(key, hints) -> list:
    """A fault for each hint whose text contains the answer."""
    out = []
    for k, hint in enumerate(hints, 1):
        if key.kind in ("integer", "number"):
            found = any(accepts(key, x) for x in numbers_in(hint))
        elif key.kind == "shape":
            squeezed = hint.replace(" ", "")
            found = any(f.replace(" ", "") in squeezed for f in _forms(key))
        else:
            found = False
        if found:
            out.append(f"hint {k} gives the answer away ({hint!r} contains "
                       f"{display(key.kind, key.answer, key.decimals)})")
    return out


def faults(key, solved, predicted, template, values, hints) -> list:
    """Everything that makes this candidate variant unfit (an empty list: hand it out)."""
    exact = solved.steps.get("exact") if isinstance(solved.steps, dict) else None
    return (collisions(key, predicted) + too_small(key) + unrounded(key) + tie(key, exact)
            + echoes(key, solved.figure, template.question, values, solved.echoes)
            + giveaways(key, hints))


def audit(problem) -> list:
    """The same checks on a finished problem, each named mistake graded as a student's typed
    answer by the grader itself; messages start with the variant id."""
    key = Key(problem.kind, problem.answer, problem.tolerance,
              getattr(problem, "alternatives", ()), problem.decimals)
    found = []
    if not problem.choices:
        # The key as printed (answer key, feedback) and every form offered to an LMS must be
        # graded right when a student types it.
        for text in dict.fromkeys([problem.answer_text, *problem.accepted]):
            try:
                right = grade(problem, text).correct
            except UnreadableAnswer:
                right = False
            if not right:
                found.append(f"the answer written {text!r} is not graded as right")
    for w in problem.wrong_answers:
        if problem.choices:
            graded_right = accepts(key, w.value)
        else:
            try:
                graded_right = grade(problem, w.text).correct
            except UnreadableAnswer:
                found.append(f"the named mistake {w.id} ({w.name}) is written {w.text!r}, "
                             "which the grading cannot read")
                continue
        if graded_right:
            found.append(f"the named mistake {w.id} ({w.name}) gives {w.text}, which the "
                         f"grading accepts as the answer {key_text(key)}")
    found += too_small(key) + unrounded(key) + giveaways(key, problem.hints)
    return [f"{problem.variant_id}: {f}" for f in found]
