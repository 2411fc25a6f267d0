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
    from rnnquiz.drill.history import History, HistoryBusyError
    from rnnquiz.drill.practice import stats_lines

    history = History(data_dir)
    try:
        attempts = history.attempts()
    except HistoryBusyError as e:  # contention, not damage: say so and leave the file alone
        raise click.ClickException(str(e)) from None
    finally:
        history.close()
    for warning in history.warnings:
        click.echo(f"warning: {warning}", err=True)
    for line in stats_lines(attempts):
        click.echo(line)
