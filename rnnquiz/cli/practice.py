"""rnnquiz practice: the drill session at the terminal."""

from __future__ import annotations

import shutil
import sys

import click

from rnnquiz.cli.options import Folder, all_templates, drill_options, selection


def _stdin_ask(prompt: str) -> str:
    """One line from standard input; closed, unreadable or at its end: EOFError."""
    click.echo(prompt, nl=False)
    try:
        line = sys.stdin.readline() if sys.stdin is not None else ""
    except (OSError, ValueError):  # closed or undecodable input ends the session
        line = ""
    if not line:
        click.echo()
        raise EOFError
    if not sys.stdin.isatty():
        click.echo(line.rstrip("\n"))  # show piped answers, so a transcript reads well
    return line.rstrip("\n")


def terminal_width(stream=None, size=shutil.get_terminal_size):
    """Columns to wrap practice text to: the terminal's (one spare), or None when the output is
    not a terminal (a transcript or a pipe is left unwrapped)."""
    stream = sys.stdout if stream is None else stream
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return max(size().columns - 1, 20)


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

    from rnnquiz.calculator.words import counted
    from rnnquiz.drill.history import History, HistoryBusyError
    from rnnquiz.drill.practice import Summary, plan, problems_for, run_session, wrap

    def warn(text):
        click.echo(f"warning: {text}", err=True)

    templates = selection(all_templates(problem_dirs), skills, convention)
    history = History(data_dir, warn=warn)
    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)
    try:
        attempts = [] if skills else history.attempts()
    except HistoryBusyError:
        warn("planning this session without your history (it is locked)")
        attempts = []
    picks = plan(templates, count_, seed, attempts)
    width = terminal_width()
    click.echo(wrap(f"rnnquiz practice: {counted(len(picks), 'problem')}, seed {seed} "
                    f"(repeat with --seed {seed})", width))
    summary, finished = Summary(), False
    try:
        run_session(problems_for(picks, warn), _stdin_ask, click.echo, history,
                    total=len(picks), summary=summary, width=width)
        finished = True
    finally:  # the summary is shown whatever stopped the session
        try:
            history.close()
        except KeyboardInterrupt:  # pending attempts are already in their side file
            pass
        click.echo("")
        click.echo("Session complete." if finished and not summary.ended_early
                   else "Session ended early.")
        for line in summary.lines():
            click.echo(wrap(line, width))
