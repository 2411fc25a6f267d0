"""Validate template files: the schema errors of every file, then every template rendered with
many seeds, each answer checked against the NumPy model and each problem audited (no named
mistake graded right, no answer too small to read or copied from the question, no hint that
gives the answer away, no figure that shows it); a template without a hint, or with a figure
but no text-only wording, is a warning."""

from __future__ import annotations

import os

from rnnquiz.drill.problems import ProblemError, generate
from rnnquiz.drill.soundness import audit
from rnnquiz.drill.templates import load_templates, yaml_files


class Report:
    """What was checked, every error found (an empty ``errors`` means all is well) and the
    warnings (a template without hints)."""

    def __init__(self, files, templates, errors, seeds, warnings=()):
        self.files = files
        self.templates = templates
        self.errors = errors
        self.seeds = seeds
        self.warnings = list(warnings)


def _first_fault(template, seeds) -> str | None:
    """The first failing seed's message (ProblemError or audit), or None."""
    for seed in range(seeds):
        try:
            problem = generate(template, seed)
        except ProblemError as e:
            return str(e)
        found = audit(problem)
        if found:
            return found[0]
    return None


def _clashes_with_shipped(templates) -> list:
    """An id also used by a shipped template: practice and export would refuse the folder."""
    from rnnquiz.resources import problems_dir

    folder = os.path.realpath(problems_dir())
    if all(os.path.dirname(os.path.realpath(t.source)) == folder for t in templates):
        return []  # the shipped templates themselves (a repeated id there is a load error)
    shipped, _ = load_templates([problems_dir()])
    where = {t.id: t.source for t in shipped}
    return [f"{t.source}: template id {t.id!r} is also defined in {where[t.id]} (a shipped "
            "template); practice and export would refuse it" for t in templates
            if t.id in where and os.path.realpath(t.source) != os.path.realpath(where[t.id])]


def _weight(template) -> int:
    """How long a template's seeds take, roughly: a whole model's check runs its witness
    forward; a figure is drawn for each variant."""
    return 6 if template.model is not None else 3 if template.figure else 1


def _fault_of(pair):
    """``_first_fault`` of a (template, seeds) pair (a worker process's task)."""
    return _first_fault(*pair)


def validate_paths(paths, seeds: int = 50) -> Report:
    """Check every YAML file under ``paths``; each template is rendered with seeds 0..seeds-1
    and the first failing seed of a template is reported."""
    errors = [f"{path}: no such file or folder" for path in paths if not os.path.exists(path)]
    files = yaml_files([p for p in paths if os.path.exists(p)])
    templates, schema_errors = load_templates(files)
    errors += schema_errors
    warnings = [f"{t.source}: {t.id}: no hint (a student who types hint is told 'This "
                "problem has no hint')" for t in templates if not t.hints]
    errors += _clashes_with_shipped(templates)
    from rnnquiz.drill.bulk import map_in_order

    # The slowest templates first (whole models, then figures), so that no worker is left
    # with one of them while the others are done; the faults come back in template order.
    order = sorted(range(len(templates)), key=lambda k: -_weight(templates[k]))
    found = map_in_order(_fault_of, [(templates[k], seeds) for k in order],
                         len(templates) * seeds)
    faults = [None] * len(templates)
    for k, fault in zip(order, found, strict=True):
        faults[k] = fault
    for template, fault in zip(templates, faults, strict=True):
        if fault:
            errors.append(f"{template.source}: {template.id}: {fault}")
    warnings += [f"{t.source}: {t.id}: figure without a text-only wording (figure.text): "
                 "left out of GIFT, Anki's text import and practice"
                 for t in templates if t.figure and not t.figure.get("text")]
    return Report(files, templates, errors, seeds, warnings)
