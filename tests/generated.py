"""The shipped templates' problems, each made (and checked against the NumPy model) once per
test process however many test files read it.

Several files read the same template and seed: test_problems all of them for seeds 0 to 49,
test_export_files 0 to 24, test_polish 0 to 14, test_readers 0 to 7, test_problem_figures and
test_speed_generation the figure templates for 0 to 11, test_model_drill the model templates for
0 to 4. Making a problem is deterministic (test_problems checks that the same seed gives the
same problem), so a second ``generate`` of the same template and seed would only repeat the
first. Callers must not change a problem they get here (copy it first, as the export tests do).
Under pytest-xdist the files that import this module run in one worker (tests/conftest.py), so
each problem is made once per run, not once per worker.
"""

import functools

from rnnquiz.drill import problems as _problems
from rnnquiz.drill.templates import shipped_templates

_CHECK = getattr(_problems, "check", None)


@functools.cache
def templates() -> dict:
    """Template id -> the shipped template."""
    return {t.id: t for t in shipped_templates()}


def problem(template_id: str, seed: int):
    """``generate(template, seed)`` for a shipped template, made once."""
    if getattr(_problems, "check", None) is not _CHECK:  # a test's `unchecked` fixture
        raise RuntimeError("generated.problem() keeps checked problems only")
    return _made(template_id, seed)


@functools.cache
def _made(template_id, seed):
    return _problems.generate(templates()[template_id], seed)
