"""The drill: plan a session, run it through injected input/output, summarise, report stats.

``plan`` draws (template, seed) pairs from a seeded RNG, favouring skills with lower recent
accuracy and skills not practised for a while. With no history every skill weighs the same, so
``practice --seed S`` on a fresh history and ``export --seed S`` give the same problems.
"""

from __future__ import annotations

import itertools
import random
import textwrap
from collections import Counter, defaultdict

from rnnquiz.drill.answers import EXPECTED, UnreadableAnswer
from rnnquiz.drill.grading import grade
from rnnquiz.drill.models import template_framework
from rnnquiz.drill.problems import ProblemError, generate

RECENT = 20  # attempts per skill that count as recent
SEED_RANGE = 10_000  # variant seeds are drawn from 0..9999
PROMPT = "answer (or hint, skip, quit)> "


def skill_weights(skills, attempts) -> dict:
    """Skill -> weight: 3 for never practised, else 1 + 2 * (1 - recent accuracy) plus up to 1
    for staleness (weeks since last practised, measured from the newest attempt in the
    history, so the same history always gives the same weights)."""
    by_skill = defaultdict(list)
    for a in attempts:
        by_skill[a.skill].append(a)
    newest = max((a.time for a in attempts), default=0.0)
    weights = {}
    for skill in skills:
        done = by_skill.get(skill)
        if not done:
            weights[skill] = 3.0
            continue
        recent = done[-RECENT:]
        accuracy = sum(a.correct for a in recent) / len(recent)
        stale_weeks = (newest - done[-1].time) / (7 * 86400)
        weights[skill] = 1.0 + 2.0 * (1.0 - accuracy) + min(stale_weeks, 1.0)
    return weights


# Quantities whose answer is the same under every convention.
CONVENTION_FREE = {"T_changes_count", "activation_changes_count", "steps",
                   "recurrent_applications", "gradient_terms", "gradient_factor"}


def filter_templates(templates, skills=(), convention=None) -> list:
    """Templates of the given skills (all when none) that can be asked in ``convention``.

    A template without a convention parameter is in the textbook convention (one with a model
    line in its framework, keras or pytorch); questions whose
    answer does not depend on the convention are kept for every convention.
    """
    out = []
    for t in templates:
        if skills and t.skill not in skills:
            continue
        if convention and t.ask["quantity"] not in CONVENTION_FREE:
            allowed = t.choices_of("convention") if "convention" in t.params else ["textbook"]
            if t.model is not None:  # a whole model is in its line's framework
                allowed = [template_framework(t)]
            if convention not in allowed:
                continue
        out.append(t)
    return out


def restrict_convention(template, convention):
    """The template with its convention fixed to ``convention`` when it offers a choice."""
    if not convention or not isinstance(template.params.get("convention"), dict):
        return template
    clone = object.__new__(type(template))
    for slot in type(template).__slots__:
        setattr(clone, slot, getattr(template, slot))
    clone.params = {**template.params, "convention": convention}
    return clone


def plan(templates, count: int, seed: int, attempts=()) -> list:
    """``count`` (template, variant seed) pairs, reproducible from ``seed`` and the history;
    no pair twice while its template has variants left."""
    pools = defaultdict(list)
    for t in sorted(templates, key=lambda t: t.id):
        pools[t.skill].append(t)
    skills = sorted(pools)
    if not skills:
        return []
    weights = skill_weights(skills, list(attempts)) if attempts else {s: 1.0 for s in skills}
    # choices() turns weights into these running sums on every call: made once, the same
    # draws (a plan of 10,000 in a third of the time, before an export's workers start).
    cumulative = list(itertools.accumulate(weights[s] for s in skills))
    rng = random.Random(seed)
    picks = []
    planned = set()  # (template id, variant seed) pairs already in the plan
    per_template = Counter()
    for _ in range(count):
        skill = rng.choices(skills, cum_weights=cumulative)[0]
        template = rng.choice(pools[skill])
        variant = rng.randrange(SEED_RANGE)
        # A variant already planned is drawn again: an export (a question bank, a deck whose
        # notes are keyed by variant id) holds each problem once, until every variant of its
        # template is in. A plan that met no repeat draws exactly what it did before.
        while (template.id, variant) in planned and per_template[template.id] < SEED_RANGE:
            variant = rng.randrange(SEED_RANGE)
        planned.add((template.id, variant))
        per_template[template.id] += 1
        picks.append((template, variant))
    return picks


def problems_for(picks, warn=None):
    """Generate each planned problem; a template that fails is reported and skipped. A
    terminal shows no figure: a figure problem is asked in its text-only wording, or skipped
    (reported) when its template has none."""
    from rnnquiz.drill.figure import text_only

    for template, seed in picks:
        try:
            problem = generate(template, seed)
        except ProblemError as e:
            if warn:
                warn(f"skipped {template.id}@{seed}: {e}")
            continue
        asked = text_only(problem)
        if asked is None:
            if warn:
                warn(f"skipped {template.id}@{seed}: its figure cannot be shown here and "
                     "the template has no text-only wording (figure.text)")
            continue
        yield asked


class Summary:
    """What a session did: attempts, score, per-skill results and misconceptions seen."""

    def __init__(self):
        self.right = 0
        self.answered = 0
        self.skipped = 0
        self.per_skill = defaultdict(lambda: [0, 0])  # skill -> [right, answered]
        self.misconceptions = Counter()
        self.ended_early = False

    def lines(self) -> list:
        out = [f"Score: {self.right:,}/{self.answered:,}"
               + (f" ({self.skipped:,} skipped)" if self.skipped else "")]
        for skill in sorted(self.per_skill):
            right, done = self.per_skill[skill]
            out.append(f"  {skill:<14} {right:,}/{done:,}")
        if self.misconceptions:
            out.append("Misconceptions seen:")
            for name, k in self.misconceptions.most_common():
                out.append(f"  {name} ({k:,}x)")
        return out


def _show(problem, index, total, say):
    say("")
    say(f"Problem {index}/{total} · {problem.skill} · {problem.variant_id}")
    say(problem.question)
    if problem.choices:
        for letter, text in problem.choices.items():
            say(f"  {letter}) {text}")


def _feedback(problem, result, say):
    if result.correct:
        say(f"Right: {problem.answer_text}.")
    else:
        say("Not quite.")
        if result.misconception is not None:
            say(f"That looks like: {result.misconception.name}. "
                f"{result.misconception.explanation}.")
        say(f"The answer: {problem.answer_text}")
    _solution(problem, say)


def _solution(problem, say):
    say("Worked solution:")
    for line in problem.solution.splitlines():
        say(f"  {line}")


def wrap(text: str, width=None) -> str:
    """``text`` with each line longer than ``width`` broken between words (never inside one);
    an indented line's continuation is indented two more spaces. None: unchanged."""
    if not width:
        return text
    out = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        indent = line[:len(line) - len(line.lstrip())]
        out.append(textwrap.fill(line, width, subsequent_indent=indent + "  " if indent else "",
                                 break_long_words=False, break_on_hyphens=False))
    return "\n".join(out)


def run_session(problems, ask, say, history=None, total=None, summary=None,
                width=None) -> Summary:
    """Drill ``problems``: ``ask(prompt) -> str`` reads a line (EOFError or KeyboardInterrupt
    end the session), ``say(text)`` shows a line. Each attempt is recorded when answered.

    ``summary`` (a Summary to fill, made when not given) lets a caller show the score even
    when something unexpected stops the session; ``width`` (the terminal's columns) wraps
    long lines between words."""
    summary = Summary() if summary is None else summary
    if width:
        show = say

        def say(text):
            show(wrap(text, width))
    problems = list(problems) if total is None else problems
    total = total if total is not None else len(problems)
    try:
        for index, problem in enumerate(problems, 1):
            _show(problem, index, total, say)
            hints = list(problem.hints)
            expected = "one of the letters " + ", ".join(problem.choices) if problem.choices \
                else EXPECTED[problem.kind]
            while True:
                text = ask(PROMPT)
                command = text.strip().lower()
                if command == "quit":
                    summary.ended_early = True
                    return summary
                if command == "hint":
                    say(f"Hint: {hints.pop(0)}" if hints else
                        "No more hints for this one." if problem.hints else
                        "This problem has no hint.")
                    continue
                if command == "skip":
                    summary.skipped += 1
                    if history is not None:
                        history.record(problem.variant_id, problem.skill, "(skipped)", False)
                    say(f"Skipped. The answer: {problem.answer_text}")
                    _solution(problem, say)
                    break
                if not command:
                    say(f"Type {expected} (or hint, skip, quit).")
                    continue
                try:
                    result = grade(problem, text)
                except UnreadableAnswer as e:
                    say(f"I could not read {text.strip()!r}: {e}. Try again.")
                    continue
                named = result.misconception
                summary.answered += 1
                summary.right += result.correct
                cell = summary.per_skill[problem.skill]
                cell[0] += result.correct
                cell[1] += 1
                if named is not None:
                    summary.misconceptions[named.name] += 1
                if history is not None:
                    history.record(problem.variant_id, problem.skill, text.strip(),
                                   result.correct, named.id if named else None)
                _feedback(problem, result, say)
                break
    except (EOFError, KeyboardInterrupt):
        summary.ended_early = True
    return summary


def misconception_names() -> dict:
    """Misconception id -> its name, for every named mistake rnnquiz knows."""
    from rnnquiz.drill.misconceptions import CATALOGUE
    return {ident: name for ident, name, _ in CATALOGUE}


def stats_lines(attempts, top=5) -> list:
    """Attempts, accuracy and trend per skill, and the ``top`` most frequent misconceptions
    by name (how many more there are, when more)."""
    if not attempts:
        return ["No attempts yet: run 'rnnquiz practice' first."]
    answered = [a for a in attempts if a.answer != "(skipped)"]
    right = sum(a.correct for a in answered)
    out = [f"Attempts: {len(attempts):,} ({len(answered):,} answered, "
           f"{len(attempts) - len(answered):,} skipped)"]
    if answered:
        out.append(f"Accuracy: {right:,}/{len(answered):,} = "
                   f"{100 * right / len(answered):.0f}%")
    by_skill = defaultdict(list)
    for a in answered:
        by_skill[a.skill].append(a.correct)
    out.append("")
    out.append(f"{'skill':<14} {'answered':>8} {'accuracy':>9}  trend (last 10 vs the 10 before)")
    for skill in sorted(by_skill):
        marks = by_skill[skill]
        acc = 100 * sum(marks) / len(marks)
        last, before = marks[-10:], marks[-20:-10]
        if before:
            delta = 100 * (sum(last) / len(last) - sum(before) / len(before))
            trend = "up" if delta > 0 else "down" if delta < 0 else "steady"
            trend += f" ({delta:+.0f} points)"
        else:
            trend = "not enough attempts yet"
        out.append(f"{skill:<14} {len(marks):>8,} {acc:>8.0f}%  {trend}")
    names = misconception_names()
    named = Counter(names.get(a.misconception, a.misconception)
                    for a in answered if a.misconception)
    if named:
        out.append("")
        out.append("Most frequent misconceptions:")
        shown = named.most_common(top)
        for name, k in shown:
            out.append(f"  {name} ({k:,}x)")
        if len(named) > len(shown):
            rest = sum(named.values()) - sum(k for _, k in shown)
            out.append(f"  +{len(named) - len(shown):,} more ({rest:,}x in all)")
    return out
