"""rnnquiz validate: check template files, every error named."""

from __future__ import annotations

import click

from rnnquiz.cli.options import Integers


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--seeds", type=Integers(1, 10_000), default=50, show_default=True,
              help="Render each template with this many seeds and check every answer.")
def validate(paths, seeds):
    """Check template files: every error, naming file and field; then every answer.

    Each template is rendered with every seed; a seed fails when its answer disagrees with
    the NumPy model or when no variant avoids a named mistake graded right, an answer too
    small to read, a number copied from the question or a hint giving the answer away.
    A template without hints is a warning. Without PATHS, checks the templates shipped with
    rnnquiz. Exits 1 if anything is wrong.

    \b
    Example:
      rnnquiz validate my-problems/ --seeds 100
    """
    from rnnquiz.drill.validate import validate_paths
    from rnnquiz.resources import problems_dir

    report = validate_paths(paths or (str(problems_dir()),), seeds)
    for error in report.errors:
        click.echo(error, err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.errors:
        raise click.ClickException(f"{len(report.errors)} error(s) in {len(report.files)} "
                                   "file(s)")
    from rnnquiz.calculator.words import counted

    click.echo(f"ok: {counted(len(report.templates), 'template')} in "
               f"{counted(len(report.files), 'file')}, each rendered and checked with "
               f"{counted(seeds, 'seed')}")
