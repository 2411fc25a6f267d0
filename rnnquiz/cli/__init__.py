"""The command line: the only package that imports click, prints or exits.

One module per command (or per family of commands), loaded only when that command runs, so
``rnnquiz count`` never pays for the drill or the exports. Library errors become one line on
stderr: exit 2 for bad usage, 1 for a runtime failure.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module

import click

from rnnquiz.errors import ModelError, RnnquizError

# command name -> "module:function"; the order is the order of `rnnquiz --help`.
COMMANDS = {
    "count": "rnnquiz.cli.calculate:count",
    "verify": "rnnquiz.cli.calculate:verify",
    "solve": "rnnquiz.cli.calculate:solve",
    "practice": "rnnquiz.cli.practice:practice",
    "stats": "rnnquiz.cli.stats:stats",
    "list": "rnnquiz.cli.listing:list_templates",
    "validate": "rnnquiz.cli.validate:validate",
    "trace": "rnnquiz.cli.trace:trace",
    "export": "rnnquiz.cli.export:export",
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is used or listed."""

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, cmd_name):
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(import_module(module), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rnnquiz", prog_name="rnnquiz")
def cli():
    """Learn, drill and teach how recurrent neural networks are sized.

    \b
    Example:
      rnnquiz count --m 10 --n 20 --p 5
    """


def main(argv=None) -> int:
    """Run the CLI; every error is one line on stderr and an exit code of 1 or 2."""
    args = sys.argv[1:] if argv is None else list(argv)
    if not args:
        args = ["--help"]
    try:
        rv = cli.main(args=args, prog_name="rnnquiz", standalone_mode=False)
    except click.UsageError as e:
        hint = f" (see '{e.ctx.command_path} --help')" if e.ctx is not None else ""
        click.echo(f"Error: {e.format_message()}{hint}", err=True)
        return 2
    except click.ClickException as e:
        click.echo(f"Error: {e.format_message()}", err=True)
        return 1
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except ModelError as e:  # a model line or file that cannot be read: bad usage
        click.echo(f"Error: {e}", err=True)
        return 2
    except RnnquizError as e:
        click.echo(f"Error: {e}", err=True)
        return 1
    except Exception as e:  # a bug of ours: still one line, never a traceback
        if os.environ.get("RNNQUIZ_DEBUG"):
            raise
        click.echo(f"Error: internal error ({type(e).__name__}: {e}); please report it "
                   "(RNNQUIZ_DEBUG=1 shows the traceback)", err=True)
        return 1
    return rv if isinstance(rv, int) else 0
