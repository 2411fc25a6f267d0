"""Template + seed -> one problem: question, typed answer, accepted forms, named wrong answers,
worked solution. The same template id and seed give the same problem everywhere (its variant
id, ``shape-wxh@1234``), and every answer is checked against the NumPy model before use.
"""

from __future__ import annotations

import random

from rnnquiz.description.network import Network
from rnnquiz.drill.checking import check
from rnnquiz.drill.misconceptions import diagnose, predict
from rnnquiz.drill.models import DrawnModel, is_model
from rnnquiz.drill.quantities import QuantityError, answer, display
from rnnquiz.drill.soundness import Key, faults
from rnnquiz.drill.templates import same_as
from rnnquiz.drill.wording import fill
from rnnquiz.errors import ModelError, NetworkError, RnnquizError

DRAW_ATTEMPTS = 200
REDRAWS = 50  # draws a variant may take to avoid every fault of rnnquiz.drill.soundness
NETWORK_FIELDS = ("m", "n", "p", "T", "cell", "layers", "bidirectional", "bias", "convention",
                  "reset_after", "proj_size", "layout")
LETTERS = "abcdefgh"


class ProblemError(RnnquizError):
    """A template that cannot make a checked problem for a seed (the message says why)."""


class Problem:
    """One concrete question with its typed answer; see ``as_dict`` for the exported form."""

    def __init__(self, **fields):
        for key, value in fields.items():
            setattr(self, key, value)

    @property
    def answer_text(self) -> str:
        if self.choices:
            return f"{self.correct_choice}) {self.choices[self.correct_choice]}"
        return display(self.kind, self.answer, self.decimals)

    def as_dict(self) -> dict:
        answer = self.answer
        if self.kind == "shape":
            answer = list(answer)
        return {
            "variant_id": self.variant_id,
            "template_id": self.template_id,
            "seed": self.seed,
            "skill": self.skill,
            "title": self.title,
            "difficulty": self.difficulty,
            "question": self.question,
            "answer": {"kind": "choice" if self.choices else self.kind, "value": answer,
                       "text": self.answer_text, "tolerance": self.tolerance,
                       "decimals": self.decimals},
            "choices": ([{"letter": k, "text": v} for k, v in self.choices.items()]
                        if self.choices else None),
            "correct_choice": self.correct_choice,
            "accepted": list(self.accepted),
            "wrong_answers": [w.as_dict() for w in self.wrong_answers],
            "solution": self.solution,
            "hints": list(self.hints),
            "network": self.network.as_dict() if self.network else None,
            "figure": self.figure.as_dict() if getattr(self, "figure", None) else None,
        }


def draw_values(template, rng) -> tuple:
    """Parameter values and their network (a DrawnModel for a template with a model line),
    redrawn until distinct where asked and valid."""
    last_error = "no draw attempted"
    for _ in range(DRAW_ATTEMPTS):
        values = {}
        for name, spec in template.params.items():
            if isinstance(spec, list):
                values[name] = rng.randint(spec[0], spec[1])
            elif isinstance(spec, dict) and not same_as(spec):
                values[name] = rng.choice(spec["choices"])
            else:
                values[name] = spec
        for name, spec in template.params.items():
            if same_as(spec):  # copies a value drawn above
                values[name] = values[spec["same_as"]]
        distinct = [values[k] for k in template.distinct]
        if len(set(distinct)) != len(distinct):
            last_error = f"values of {', '.join(template.distinct)} must differ"
            continue
        try:
            if template.model is not None:
                net = DrawnModel(template.model.format_map(values), T=values.get("T"),
                                 batch=values.get("batch"))
            else:
                net = Network(**{k: v for k, v in values.items() if k in NETWORK_FIELDS})
        except (NetworkError, ModelError) as e:
            last_error = str(e)
            continue
        return values, net
    raise ProblemError(f"{template.id}: no valid draw in {DRAW_ATTEMPTS} attempts "
                       f"({last_error})")


def accepted_forms(kind, value, decimals) -> list:
    """Spellings an LMS should accept (rnnquiz's own parser accepts many more)."""
    if kind == "shape":
        if len(value) == 1:
            return [f"({value[0]},)", f"{value[0]}", f"[{value[0]}]"]
        dims = [str(d) for d in value]  # every axis: a 3-D shape is not its first two
        return [f"({', '.join(dims)})", f"({','.join(dims)})", "x".join(dims),
                " x ".join(dims), "×".join(dims), f"[{', '.join(dims)}]", " by ".join(dims)]
    if kind == "yesno":
        return ["yes", "true"] if value else ["no", "false"]
    if kind == "number":
        return [f"{value:z.{decimals}f}"]
    if kind == "text":
        return [value]
    forms = [str(value)]
    if value >= 1000:
        forms.append(f"{value:,}")
    return forms


def _choices(solved, wrongs, rng) -> tuple:
    """Up to four choices (the right one and named wrong ones), shuffled by the seed."""
    options = [(display(solved.kind, solved.value, solved.decimals), None)]
    options += [(w.text, w) for w in wrongs[:3]]
    rng.shuffle(options)
    choices = {LETTERS[k]: text for k, (text, _) in enumerate(options)}
    correct = next(LETTERS[k] for k, (_, w) in enumerate(options) if w is None)
    for k, (_, w) in enumerate(options):
        if w is not None:
            w.text = LETTERS[k] + ") " + w.text
    return choices, correct


def _render(template, seed, values, net, solved) -> tuple:
    """(question, hints, names): the texts with this variant's values filled in."""
    names = dict(values)
    if is_model(net):
        names["model"] = net.line
    elif solved.result is not None:
        r = solved.result
        names.update(total=r.with_bias if net.bias else r.without_bias,
                     total_with_bias=r.with_bias, total_without_bias=r.without_bias)
    names.update(solved.derived)  # e.g. the total an inverse problem gives
    try:
        question = fill(template.question, names)
        hints = tuple(fill(h, names) for h in template.hints)
    except KeyError as e:
        raise ProblemError(f"{template.id}@{seed}: placeholder {{{e.args[0]}}} has no value "
                           "in this variant") from None
    return question, hints, names


def _figure(template, seed, net, names, solved):
    """(figure or None, fault or None): the template's figure for this variant, and why it
    would give the answer away (then the variant is redrawn)."""
    if template.figure is None:
        return None, None
    from rnnquiz.drill.figure import draw, leak
    from rnnquiz.figures import FigureError

    try:
        figure = draw(template, seed, net, names)
    except FigureError as e:
        raise ProblemError(f"{template.id}@{seed}: figure: {e}") from None
    return figure, leak(figure, solved.kind, solved.value, bool(template.figure.get("hide")))


def _draw_fit(template, seed, rng) -> tuple:
    """(values, net, solved, question, hints, figure, predicted): the first draw with no
    fault (see soundness, and a figure that would show the answer); ``predicted`` is its
    named mistakes (``misconceptions.predict``), made once for both the audit and the key.

    Redraws continue from the same seeded generator, so a seed is still one variant."""
    last = []
    for _ in range(REDRAWS):
        values, net = draw_values(template, rng)
        try:
            solved = answer(net, template.ask, values, rng)
        except (QuantityError, NetworkError) as e:
            raise ProblemError(f"{template.id}@{seed}: {e}") from None
        question, hints, names = _render(template, seed, values, net, solved)
        key = Key(solved.kind, solved.value, solved.tolerance, solved.alternatives,
                  solved.decimals)
        predicted = predict(net, template.ask, solved)
        last = faults(key, solved, predicted, template, names, hints)
        if last:
            continue
        figure, leaked = _figure(template, seed, net, names, solved)
        if leaked:
            last = [leaked]
            continue
        return values, net, solved, question, hints, figure, predicted
    raise ProblemError(f"{template.id}@{seed}: no variant of {template.id} fits in {REDRAWS} "
                       f"draws; the last: {last[0]}")


def generate(template, seed: int) -> Problem:
    """The problem ``template.id@seed``; raises ProblemError when none can be made."""
    rng = random.Random(f"{template.id}@{seed}")
    ask = template.ask
    values, net, solved, question, hints, figure, predicted = _draw_fit(template, seed, rng)
    differences = check(net, ask, solved)
    if differences:
        raise ProblemError(f"{template.id}@{seed}: the NumPy model disagrees: "
                           + "; ".join(differences))
    wrongs = diagnose(net, ask, solved, predicted)
    choices, correct = (None, None)
    if ask.get("format") == "choice":
        if solved.kind == "yesno":
            raise ProblemError(f"{template.id}: a yes/no question cannot be multiple choice")
        choices, correct = _choices(solved, wrongs, rng)
    return Problem(
        variant_id=f"{template.id}@{seed}", template_id=template.id, seed=seed,
        skill=template.skill, title=template.title, difficulty=template.difficulty,
        question=question, kind=solved.kind, answer=solved.value, decimals=solved.decimals,
        tolerance=solved.tolerance, alternatives=solved.alternatives, choices=choices,
        correct_choice=correct,
        accepted=[form for v in (solved.value, *solved.alternatives)
                  for form in accepted_forms(solved.kind, v, solved.decimals)],
        wrong_answers=wrongs, solution="\n".join(solved.solution), hints=hints,
        network=None if is_model(net) else net, figure=figure)


def parse_variant(variant_id: str) -> tuple:
    """'shape-wxh@1234' -> ('shape-wxh', 1234); raises ValueError otherwise."""
    template_id, at, seed = variant_id.rpartition("@")
    if not at or not template_id or not seed.isdigit():
        raise ValueError(f"not a variant id (template@seed): {variant_id!r}")
    return template_id, int(seed)
