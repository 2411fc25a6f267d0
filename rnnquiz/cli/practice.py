"""rnnquiz practice: the drill session at the terminal."""

from __future__ import annotations

import sys

import click

from rnnquiz.cli.options import Folder, all_templates, drill_options, selection


def _stdin_ask(prompt: str) -> str:
    click.echo(prompt, nl=False)
    line = sys.stdin.readline()
    if not line:
        click.echo()
        raise EOFError
    if not sys.stdin.isatty():
        click.echo(line.rstrip("\n"))  # show piped answers, so a transcript reads well
    return line.rstrip("\n")


@click.command()
@drill_options
@click.option("--data-dir", type=Folder(), default=None,
              help="Where the history is kept (default: $RNNQUIZ_DATA_DIR or the user data "
                   "folder).")
def practice(count_, skills, seed, convention, problem_dirs, data_dir):
    """Drill fresh exam problems, graded, with the mistake named.

    At the prompt type your answer, or hint, skip or quit. Ctrl-C or end of input ends the
    session with its summary. Works with piped input too.

    \b
    Example:
      rnnquiz practice --count 5 --skill shapes --seed 7
    """
    import random

    from rnnquiz.drill.history import History
    from rnnquiz.drill.practice import plan, problems_for, run_session

    templates = selection(all_templates(problem_dirs), skills, convention)
    history = History(data_dir)
    for warning in history.warnings:
        click.echo(f"warning: {warning}", err=True)
    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)
    attempts = [] if skills else history.attempts()
    picks = plan(templates, count_, seed, attempts)
    click.echo(f"rnnquiz practice: {len(picks)} problems, seed {seed} "
               f"(repeat with --seed {seed})")

    def warn(text):
        click.echo(f"warning: {text}", err=True)

    summary = run_session(problems_for(picks, warn), _stdin_ask, click.echo, history,
                          total=len(picks))
    for warning in history.warnings:
        click.echo(f"warning: {warning}", err=True)
    history.close()
    click.echo("")
    click.echo("Session ended early." if summary.ended_early else "Session complete.")
    for line in summary.lines():
        click.echo(line)
