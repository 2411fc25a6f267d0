"""Grade a parsed answer and name the mistake behind a wrong one."""

from __future__ import annotations

from rnnquiz.drill.answers import grouped_reading, parse


class Grade:
    """The verdict on one answer: right or not, and the named misconception when known."""

    __slots__ = ("correct", "given", "misconception")

    def __init__(self, correct, given, misconception=None):
        self.correct = correct
        self.given = given
        self.misconception = misconception


def within(kind, tolerance, a, b) -> bool:
    """Whether ``a`` is graded as ``b``: numbers within the tolerance, others equal."""
    if kind == "number":
        return abs(a - b) <= tolerance + 1e-12
    return a == b


def accepts(problem, value) -> bool:
    """Whether the problem's own grading takes ``value`` (parsed) as the right answer."""
    return within(problem.kind, problem.tolerance, value, problem.answer) or any(
        within(problem.kind, problem.tolerance, value, alt)
        for alt in getattr(problem, "alternatives", ()))


def _same(problem, a, b) -> bool:
    return within(problem.kind, problem.tolerance, a, b)


def grade(problem, text: str) -> Grade:
    """Grade ``text``; raises UnreadableAnswer (ask again) when it cannot be read."""
    given = parse(text, problem.kind, problem.choices)
    if problem.choices:
        if given == problem.correct_choice:
            return Grade(True, given)
        prefix = f"{given}) "
        named = next((w for w in problem.wrong_answers if w.text.startswith(prefix)), None)
        return Grade(False, given, named)
    if accepts(problem, given):
        return Grade(True, given)
    if problem.kind == "number":
        # '4,096' is 4.096 with a decimal comma but 4096 with a thousands separator, the way
        # rnnquiz itself writes large numbers: the reading the key accepts wins.
        grouped = grouped_reading(text)
        if grouped is not None and accepts(problem, grouped):
            return Grade(True, grouped)
    # A wrong answer closer to a named mistake than to anything else gets its name.
    for wrong in problem.wrong_answers:
        if _same(problem, given, wrong.value):
            return Grade(False, given, wrong)
    return Grade(False, given)
