"""rnnquiz list: the skills and templates available."""

from __future__ import annotations

import click

from rnnquiz.cli.options import all_templates


@click.command(name="list")
@click.option("--problems", "problem_dirs", multiple=True,
              type=click.Path(exists=True), help="Extra template files or folders.")
def list_templates(problem_dirs):
    """The skills and templates available, with their ids.

    \b
    Example:
      rnnquiz list
    """
    templates = all_templates(problem_dirs)
    by_skill = {}
    for t in templates:
        by_skill.setdefault(t.skill, []).append(t)
    for skill in sorted(by_skill):
        group = sorted(by_skill[skill], key=lambda t: t.id)
        click.echo(f"{skill} ({len(group)})")
        width = max(len(t.id) for t in group)
        for t in group:
            click.echo(f"  {t.id:<{width}}  [{t.difficulty}] {t.title}")
