"""Entry point for ``rnnquiz`` and ``python -m rnnquiz``.

``rnnquiz count`` with plain options, or with a model line or model file (``--json`` and
``--explain`` too), is answered here without importing click, numpy, json or yaml, so it runs
about as fast as Python starts; so is plain ``rnnquiz list``, from the index of the shipped
templates (``rnnquiz.drill.indexed``). Anything else, including every error and ``--help``,
goes to the click CLI in ``rnnquiz.cli``, which owns the command line's behaviour; the fast
path only ever reproduces its successful output (tests compare the two).
"""

from __future__ import annotations

import sys

_INTS = {"--m": "m", "--n": "n", "--p": "p", "--T": "T", "--layers": "layers",
         "--proj-size": "proj_size"}
_CHOICES = {"--cell": ("cell", ("rnn", "lstm", "gru")),
            "--convention": ("convention", ("textbook", "pytorch", "keras")),
            "--layout": ("layout", ("out-in", "in-out"))}
_FLAGS = {"--bidirectional": ("bidirectional", True), "--bias": ("bias", True),
          "--no-bias": ("bias", False), "--reset-after": ("reset_after", True),
          "--no-reset-after": ("reset_after", False), "--explain": ("explain", True),
          "--diagram": ("diagram", True), "--json": ("json", True)}


def _option_value(args, k, eq, inline):
    """(the value of the option at ``args[k]``, the index after it), or None when it is
    missing: ``--x=V`` or ``--x V``."""
    if eq:
        return inline, k + 1
    if k + 1 < len(args):
        return args[k + 1], k + 2
    return None


def _size(text):
    """A positive size written in decimal digits, or None for click to word the error (a
    number longer than any valid size, 10^100, too: int() refuses 4,300 digits)."""
    if not (text.isascii() and text.isdigit()) or len(text) > 101 or int(text) < 1:
        return None
    return int(text)


def parse_fast(args):
    """Options of a plain ``count`` call as a dict, or None when click must handle it."""
    values = {}
    k = 0
    while k < len(args):
        arg = args[k]
        name, eq, inline = arg.partition("=")
        if name in _FLAGS and not eq:
            key, value = _FLAGS[name]
            values[key] = value
            k += 1
            continue
        if name not in _INTS and name not in _CHOICES:
            return None
        found = _option_value(args, k, eq, inline)
        if found is None:
            return None
        value, k = found
        if name in _INTS:
            size = _size(value)
            if size is None:
                return None
            values[_INTS[name]] = size
        else:
            key, choices = _CHOICES[name]
            if value not in choices:
                return None
            values[key] = value
    if "m" not in values or "n" not in values:
        return None
    return values


_MODEL_INTS = {"--T": "T", "--batch": "batch"}


def _is_file(path):
    """What ``rnnquiz.calculator.model`` asks of a MODEL containing parentheses."""
    import os

    try:
        return len(path) < 4096 and os.path.isfile(path)
    except (OSError, ValueError):
        return False


def parse_fast_model(args):
    """(model line or file, options) of a plain ``count MODEL`` call, or None when click must
    handle it. ``options["file"]`` says MODEL is read as a file, as click's path reads it: a
    MODEL without parentheses, or one that names an existing file."""
    model = None
    values = {}
    k = 0
    while k < len(args):
        arg = args[k]
        name, eq, inline = arg.partition("=")
        if not arg.startswith("-"):
            if model is not None or not arg.strip() or "\0" in arg:
                return None  # click's path says what is wrong
            model = arg
            values["file"] = "(" not in arg or _is_file(arg)
            k += 1
            continue
        if name in ("--explain", "--json") and not eq:
            values[name[2:]] = True
            k += 1
            continue
        if name not in _MODEL_INTS and name != "--convention":
            return None
        found = _option_value(args, k, eq, inline)
        if found is None:
            return None
        value, k = found
        if name == "--convention":
            if value not in ("keras", "pytorch"):
                return None
            values["framework"] = value
        else:
            size = _size(value)
            if size is None:
                return None
            values[_MODEL_INTS[name]] = size
    if model is None:
        return None
    return model, values


def fast_count_model(args):
    """The output of ``rnnquiz count MODEL ...`` when the fast path can give it, else None."""
    parsed = parse_fast_model(args)
    if parsed is None:
        return None
    model, options = parsed
    explain = options.pop("explain", False)
    as_json = options.pop("json", False)
    from rnnquiz.calculator.model import count_model
    from rnnquiz.errors import ModelError

    if options.pop("file"):
        from rnnquiz.description.modelfile import plain_model_file

        model = plain_model_file(model, options.get("framework"))
        if model is None:
            return None  # click's path reads it with json or yaml, or says what is wrong
    try:
        result = count_model(model, **options)
    except ModelError:
        return None  # click says it, one line, exit 2
    from rnnquiz.calculator import summary

    if not as_json:
        return summary.model_report(result, explain=explain)
    data = result.as_dict()
    if explain:
        data["explanation"] = summary.worked_solution(result)
    from rnnquiz.calculator.plainjson import dumps

    try:
        return dumps(data)
    except TypeError:
        return None


def fast_count(args):
    """The output of ``rnnquiz count ARGS`` when the fast path can give it, else None."""
    options = parse_fast(args)
    if options is None:
        return fast_count_model(args)
    from rnnquiz.calculator.rules import count
    from rnnquiz.description.network import Network
    from rnnquiz.errors import NetworkError

    explain = options.pop("explain", False)
    diagram = options.pop("diagram", False)
    as_json = options.pop("json", False)
    try:
        net = Network(**options)
    except NetworkError:
        return None
    if as_json:
        return _json_text(count(net), explain, diagram)
    from rnnquiz.calculator.render import count_text

    parts = [count_text(count(net))]
    if explain or diagram:
        from rnnquiz.calculator import explain as ex
        result = count(net)
        if explain:
            parts.append(ex.worked_solution(result))
        if diagram:
            parts.append(ex.diagram(result))
    return "\n\n".join(parts)


# NumPy's BLAS would start a thread per core for matrices of a few dozen rows: slower on a
# shared machine and twice the CPU on a quiet one. One thread unless the user chose otherwise.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def limit_blas_threads(environ=None):
    """Set each BLAS thread variable the user left unset to 1 (before numpy loads)."""
    if environ is None:
        from os import environ
    for name in BLAS_THREAD_VARIABLES:
        environ.setdefault(name, "1")


def _json_text(result, explain, diagram):
    """What ``count --json`` prints (the click path's object), or None to let click do it."""
    data = result.as_dict()
    if explain or diagram:
        from rnnquiz.calculator import explain as ex
        if explain:
            data["explanation"] = ex.worked_solution(result)
        if diagram:
            data["diagram"] = ex.diagram(result)
    from rnnquiz.calculator.plainjson import dumps

    try:
        return dumps(data)
    except TypeError:
        return None


def _leave_now():
    """End the process with status 0 at once, its output written and flushed.

    Python's tear-down at exit (every module's namespace cleared, every object freed) costs
    more than a fast-path answer takes to compute: about 2 ms on a quiet machine, several
    under load. Nothing is left to do at that point: no file open, no thread, no exit hook.
    """
    import os

    try:
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass
    os._exit(0)


def main(argv=None) -> int:
    """Run ``rnnquiz ARGS``; returns the exit status (0, 1 runtime failure, 2 bad usage).

    Standard output that cannot be written ends the command with status 1: quietly for a
    closed pipe, else with one line on standard error (see ``rnnquiz.streams``). Run as the
    program (``argv`` None: the ``rnnquiz`` launcher, ``python -m rnnquiz``), an answer from the
    fast path ends the process as soon as it is flushed (see ``_leave_now``); called with a
    list of arguments, main always returns.

    Ctrl-C anywhere, even while the CLI's modules are still loading (before click can turn it
    into its "Aborted."), ends with click's words and status, not a traceback; run as the
    program, a Ctrl-C after the command has ended (while Python shuts down) is ignored.
    """
    try:
        return _run(argv)
    except KeyboardInterrupt:
        if argv is None:  # (called with arguments, the caller's handlers stay as they are)
            _ignore_interrupts()
        return _aborted()
    finally:
        if argv is None:
            _ignore_interrupts()


def _ignore_interrupts() -> None:
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        pass


def _aborted() -> int:
    """What click prints for Ctrl-C (an empty line, then "Aborted."); status 1."""
    try:
        sys.stderr.write("\nAborted.\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass
    return 1


def _run(argv) -> int:
    from rnnquiz import streams

    streams.reopen_closed()
    args = sys.argv[1:] if argv is None else list(argv)
    text = None
    if args and args[0] == "count":
        text = fast_count(args[1:])
    elif args == ["list"]:
        from rnnquiz.drill.listing import shipped_listing

        lines = shipped_listing()
        text = None if lines is None else "\n".join(lines)
    if text is not None:
        try:
            data = (text + "\n").encode(sys.stdout.encoding or "utf-8")
        except UnicodeEncodeError:
            data = None  # click's echo knows how to degrade; let it print
        if data is not None:
            try:
                streams.write_stdout(text + "\n")
            except OSError as e:
                return streams.give_up(e)
            if argv is None:
                _leave_now()
            return 0
    limit_blas_threads()
    from rnnquiz.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
