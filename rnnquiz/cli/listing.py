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
    from rnnquiz.drill.listing import listing_lines

    templates = all_templates(problem_dirs)
    for line in listing_lines((t.skill, t.id, t.difficulty, t.title) for t in templates):
        click.echo(line)
