"""Validate template files: the schema errors of every file, then every answer of every
template rendered with many seeds and checked against the NumPy model."""

from __future__ import annotations

import os

from rnnquiz.drill.problems import ProblemError, generate
from rnnquiz.drill.templates import load_templates, yaml_files


class Report:
    """What was checked and every error found (an empty ``errors`` means all is well)."""

    def __init__(self, files, templates, errors, seeds):
        self.files = files
        self.templates = templates
        self.errors = errors
        self.seeds = seeds


def _clashes_with_shipped(templates) -> list:
    """An id also used by a shipped template: practice and export would refuse the folder."""
    from rnnquiz.resources import problems_dir

    shipped, _ = load_templates([problems_dir()])
    where = {t.id: t.source for t in shipped}
    return [f"{t.source}: template id {t.id!r} is also defined in {where[t.id]} (a shipped "
            "template); practice and export would refuse it" for t in templates
            if t.id in where and os.path.realpath(t.source) != os.path.realpath(where[t.id])]


def validate_paths(paths, seeds: int = 50) -> Report:
    """Check every YAML file under ``paths``; each template is rendered with seeds 0..seeds-1
    and the first failing seed of a template is reported."""
    errors = [f"{path}: no such file or folder" for path in paths if not os.path.exists(path)]
    files = yaml_files([p for p in paths if os.path.exists(p)])
    templates, schema_errors = load_templates(files)
    errors += schema_errors
    errors += _clashes_with_shipped(templates)
    for template in templates:
        for seed in range(seeds):
            try:
                generate(template, seed)
            except ProblemError as e:
                errors.append(f"{template.source}: {template.id}: {e}")
                break
    return Report(files, templates, errors, seeds)
