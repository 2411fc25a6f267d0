"""rnnquiz stats: the practice history summarised."""

from __future__ import annotations

import click

from rnnquiz.cli.options import Folder


@click.command()
@click.option("--data-dir", type=Folder(), default=None,
              help="Where the history is kept.")
def stats(data_dir):
    """Your practice history: accuracy per skill, trend, frequent misconceptions.

    \b
    Example:
      rnnquiz stats
    """
    from rnnquiz.drill.history import History
    from rnnquiz.drill.practice import stats_lines

    history = History(data_dir)
    attempts = history.attempts()
    for warning in history.warnings:
        click.echo(f"warning: {warning}", err=True)
    history.close()
    for line in stats_lines(attempts):
        click.echo(line)
