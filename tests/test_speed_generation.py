"""Faster problem generation and export (issue 11): the same problems, the same bytes, every
answer still checked by the NumPy witness."""

import random

import numpy as np
import pytest

from rnnquiz.drill.misconceptions import diagnose, predict
from rnnquiz.drill.problems import _draw_fit, generate
from rnnquiz.drill.templates import shipped_templates
from rnnquiz.figures import svg
from rnnquiz.verification import verify_model
from rnnquiz.witness.layers import base


def _some_templates():
    """One template of every asked quantity (figures and whole models included)."""
    seen = {}
    for t in shipped_templates():
        key = (t.ask["quantity"], t.figure is not None, t.model is not None)
        seen.setdefault(key, t)
    return list(seen.values())


@pytest.mark.parametrize("template", _some_templates(), ids=lambda t: t.id)
def test_the_key_names_the_mistakes_predicted_once(template):
    """generate() predicts the named mistakes once, for both the audit and the key: the key
    still lists exactly what diagnose() finds afresh."""
    for seed in (0, 7):
        rng = random.Random(f"{template.id}@{seed}")
        _, net, solved, *_ = _draw_fit(template, seed, rng)
        fresh = diagnose(net, template.ask, solved)
        problem = generate(template, seed)
        texts = [w.text.split(") ", 1)[-1] if problem.choices else w.text
                 for w in problem.wrong_answers]
        assert [w.id for w in problem.wrong_answers] == [w.id for w in fresh]
        assert texts == [w.text for w in fresh]
        assert [w.id for w in diagnose(net, template.ask, solved,
                                       predict(net, template.ask, solved))] == \
            [w.id for w in fresh]


def test_a_model_whose_forward_pass_is_not_finite_is_still_caught(monkeypatch):
    """verify_model reads the forward pass that building the model ran (no second pass): a
    witness whose real weights make the output infinite is still a difference."""
    line = "Embedding(50, 4) > LSTM(3) > Dense(2)"
    assert verify_model(line).ok
    real = base.Maker.__call__

    def infinite(self, shape, scale=0.5, low=None):
        out = real(self, shape, scale, low)
        return np.full(out.shape, np.inf, dtype=out.dtype) if self.allocate else out

    monkeypatch.setattr(base.Maker, "__call__", infinite)
    with np.errstate(all="ignore"):
        result = verify_model(line)
    assert "forward pass: the output is not finite" in result.differences
    assert result.forward_input == (2, 3) and result.forward_output == (2, 2)


def test_remembered_svg_numbers_and_attributes_are_written_as_before():
    """num and _attr remember their results: the same text as working them out, and a bool is
    never taken for the int it equals."""
    for v in (0, -0.0, 0.04, -0.04, 0.05, 0.15, 0.25, 1, 1.0, 2.45, 1e-9, -3.96, 123456.789):
        expected = f"{round(float(v), 1):.1f}".rstrip("0").rstrip(".")
        assert svg.num(v) == ("0" if expected in ("-0", "") else expected)
        assert svg.num(v) == svg.num(v)
    assert svg._attr(1) == '"1"' and svg._attr(True) == '"True"' and svg._attr(1) == '"1"'
    assert svg._attr('a"<b') == "'a\"&lt;b'"
