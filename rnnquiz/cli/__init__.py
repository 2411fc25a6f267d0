"""The command line: the only package that imports click, prints or exits.

One module per command (or per family of commands), loaded only when that command runs, so
``rnnquiz count`` never pays for the drill or the exports. Library errors become one line on
stderr: exit 2 for bad usage, 1 for a runtime failure.
"""

from __future__ import annotations

import contextlib
import os
import signal
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

    def invoke(self, ctx):
        from rnnquiz import streams

        try:
            return super().invoke(ctx)
        except OSError as e:  # click would end a broken pipe itself, with its own exit status
            stream = streams.failed_stream(e)
            if stream is None:
                raise
            raise streams.StreamError(stream, e) from e


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rnnquiz", prog_name="rnnquiz")
def cli():
    """Learn, drill and teach how recurrent neural networks are sized.

    \b
    Example:
      rnnquiz count --m 10 --n 20 --p 5
    """


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived. Raised by the handler, so every ``finally`` and ``with`` runs
    as it does for Ctrl-C: temporary files are removed, the history is closed."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def _terminate(signum, frame):
    _stop_listening()
    raise Terminated(signum)


def _interrupt(signum, frame):
    _stop_listening()
    raise KeyboardInterrupt


_HANDLERS = {"SIGINT": (_interrupt, signal.default_int_handler),
             "SIGTERM": (_terminate, signal.SIG_DFL), "SIGHUP": (_terminate, signal.SIG_DFL)}


def _stop_listening():
    """The first of these signals ends the command: the ones after it (an impatient second
    Ctrl-C, a second SIGTERM) are ignored from then on, so the cleanup the first one started
    (temporary files removed, worker processes stopped and reaped, the history closed) is
    never cut short and no traceback follows "Aborted."."""
    for handler, _ in _HANDLERS.values():
        for number in _numbers(handler):
            signal.signal(number, signal.SIG_IGN)


def _numbers(handler):
    """The signals whose handler is now ``handler``."""
    numbers = (getattr(signal, name, None) for name in _HANDLERS)
    return [n for n in numbers if n is not None and signal.getsignal(n) is handler]


@contextlib.contextmanager
def _signals_end_cleanly():
    """Turn Ctrl-C into KeyboardInterrupt and SIGTERM and SIGHUP into Terminated while a
    command runs, unless someone chose another handler (nohup ignores SIGHUP: keep it
    ignored); after the first, the others are ignored (see ``_stop_listening``) until the
    command has ended."""
    installed = {}
    for name, (handler, default) in _HANDLERS.items():
        number = getattr(signal, name, None)
        try:
            if number is not None and signal.getsignal(number) == default:
                installed[number] = signal.signal(number, handler)
        except ValueError:  # not the main thread: signals stay the caller's business
            pass
    try:
        yield
    finally:
        for number, previous in installed.items():
            if signal.getsignal(number) is not signal.SIG_IGN:  # else: a signal came, and
                signal.signal(number, previous)  # the command is ending (see __main__)


def _error(message) -> None:
    """The one line on stderr for a failure (click's own messages may span lines). When stderr
    itself cannot be written there is nobody to tell: the exit status says it."""
    try:
        click.echo("Error: " + " ".join(str(message).split()), err=True)
    except OSError:
        from rnnquiz import streams

        streams.silence(2)


def main(argv=None) -> int:
    """Run the CLI; every error is one line on stderr and an exit code of 1 or 2.

    Standard output that cannot be written: see ``rnnquiz.streams`` (status 1). SIGTERM and
    SIGHUP remove temporary files and end with the shell's status for them (143, 129).
    """
    from rnnquiz import streams
    from rnnquiz.files import remove_temporary_files

    args = sys.argv[1:] if argv is None else list(argv)
    if not args:
        args = ["--help"]
    if any("\0" in str(arg) for arg in args):  # no shell can pass one; main([...]) can
        _error("an argument holds a NUL character (see 'rnnquiz --help')")
        return 2
    try:
        with _signals_end_cleanly():
            rv = cli.main(args=args, prog_name="rnnquiz", standalone_mode=False)
    except Terminated as e:  # the shell's status for a command ended by that signal
        remove_temporary_files()
        return 128 + e.signum
    except click.UsageError as e:
        hint = f" (see '{e.ctx.command_path} --help')" if e.ctx is not None else ""
        _error(f"{e.format_message()}{hint}")
        return 2
    except click.ClickException as e:
        _error(e.format_message())
        return 1
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except ModelError as e:  # a model line or file that cannot be read: bad usage
        _error(e)
        return 2
    except RnnquizError as e:
        _error(e)
        return 1
    except SystemExit:  # how click ends a broken pipe while it prints --help
        streams.silence(1)
        return streams.EXIT_OUTPUT_FAILED
    except Exception as e:  # a bug of ours: still one line, never a traceback
        if streams.failed_stream(e) is not None:
            return streams.give_up(e)
        if os.environ.get("RNNQUIZ_DEBUG"):
            raise
        _error(f"internal error ({type(e).__name__}: {e}); please report it "
               "(RNNQUIZ_DEBUG=1 shows the traceback)")
        return 1
    return rv if isinstance(rv, int) else 0
