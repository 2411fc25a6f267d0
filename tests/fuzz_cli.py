"""Command lines fuzzed through ``rnnquiz.__main__.main()``, in a process of their own under a
memory cap (run by tests/test_fuzz_cli.py; run it directly for a longer hunt:
``RNNQUIZ_FUZZ_EXAMPLES=2000 python tests/fuzz_cli.py``).

Every command line, however hostile, must end with status 0, 1 or 2, print no traceback, say
what went wrong in one ``Error:`` line (the last one on stderr), never report an internal error,
and finish in bounded time and memory. The options come from the CLI itself, so a new option is
fuzzed as soon as it exists.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import signal
import sys
import tempfile

import click
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnquiz.__main__ import main
from rnnquiz.cli import COMMANDS, cli

EXAMPLES = int(os.environ.get("RNNQUIZ_FUZZ_EXAMPLES", "150"))
MEMORY_MB = int(os.environ.get("RNNQUIZ_FUZZ_MEMORY_MB", "768"))  # above the start-up size
SECONDS = int(os.environ.get("RNNQUIZ_FUZZ_SECONDS", "20"))  # per command line

WORK = tempfile.mkdtemp(prefix="rnnquiz-fuzz-")
os.chdir(WORK)
os.environ["RNNQUIZ_DATA_DIR"] = os.path.join(WORK, "data")
os.environ.pop("RNNQUIZ_DEBUG", None)
os.makedirs("folder", exist_ok=True)
FILES = {
    "net.yaml": "W_xh: [[0.5, -0.3]]\nW_hh: [[0.4]]\nW_hy: [[1.2]]\nxs: [[1, 0], [0, 1]]\n",
    "net.json": '{"W_xh": [[1]], "W_hh": [[0.5]], "xs": [[1]], "b_h": [0.1]}',
    "bad.yaml": "W_xh: [[1, 2]\n  - : :\n",
    "list.yaml": "- 1\n- 2\n",
    "text.txt": "not a network\n",
    "empty.yaml": "",
    "template.yaml": "id: fuzz-count\nskill: counts\n",
}
for name, text in FILES.items():
    with open(name, "w", encoding="utf-8") as f:
        f.write(text)

# Values for any option: numbers that are too small, too large, not integers, not ASCII.
NUMBERS = ["0", "1", "2", "3", "5", "7", "12", "64", "65", "1000", "-1", "-0", "+3", " 4", "4 ",
           "1e3", "2.0", "0x10", "1_000", "٣", "１２", "nan", "inf", "",
           "1" + "0" * 30, "9" * 400, str(2**63), str(2**64 + 1)]
PATHS = [*FILES, "folder", "folder/out.md", "missing/out.md", "missing.yaml", "", ".", "..",
         "out.md", "out.apkg", "out.json", "-", "a\nb", "\x00"]
JUNK = ["", "-", "--", "---", "-x", "--nope", "=", "--=", "\x00", "é", " ", "--m=--n"]


def _options():
    """Each command's options, each with the values its type suggests (None for a flag)."""
    ctx = click.Context(cli)
    options = {}
    for name in COMMANDS:
        mine = options[name] = {}
        for param in cli.get_command(ctx, name).params:
            if isinstance(param, click.Argument):
                continue
            values = SMALL + NUMBERS
            if isinstance(param.type, click.Choice):
                values = [*param.type.choices, *param.type.choices,
                          *(c.upper() for c in param.type.choices), "", "nope"]
            elif isinstance(param.type, click.Path):
                values = PATHS
            elif not isinstance(param.type, click.IntRange):
                values = ["counts", "shapes", "bptt", "nope", "", "é"]
            for opt in param.opts + param.secondary_opts:
                mine[opt] = None if getattr(param, "is_flag", False) else values
    return options


SMALL = ["1", "2", "3", "4", "5", "8", "10", "20"]  # valid, so a command gets past its parsing
OPTIONS = _options()
# Valid starts, so that what follows is fuzzed past the first missing option.
BASES = {
    "count": [["--m", "10", "--n", "20"], ["--m", "3", "--n", "4", "--cell", "lstm"]],
    "verify": [["--m", "3", "--n", "4"], ["--m", "2", "--n", "3", "--cell", "gru", "--p", "2"]],
    "solve": [["--total", "725", "--m", "10", "--p", "5"], ["--total", "100", "--n", "4"]],
    "export": [["--format", f, "--count", "2", "--seed", "1"]
               for f in ("markdown", "json", "gift", "moodle", "anki")],
    "practice": [["--count", "2", "--seed", "1"]],
    "trace": [["--seed", "1"], ["--weights", "net.yaml"], ["--weights", "net.json"]],
}
EVERY_OPTION = sorted({opt for mine in OPTIONS.values() for opt in mine})


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from([*COMMANDS, *COMMANDS, *COMMANDS, "--help", "--version",
                                    "nope", ""]))
    args = [command] if command else []
    if command in BASES and draw(st.booleans()):
        args += draw(st.sampled_from(BASES[command]))
    mine = OPTIONS.get(command, {})
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.integers(0, 19))
        if kind == 0:
            args.append(draw(st.sampled_from(JUNK + PATHS + NUMBERS)))
            continue
        if kind == 1:
            args.append(draw(st.text(max_size=6)))
            continue
        if kind == 2 or not mine:
            opt = draw(st.sampled_from(EVERY_OPTION))  # often another command's option
            values = SMALL + NUMBERS + PATHS
        else:
            opt = draw(st.sampled_from(sorted(mine)))
            values = mine[opt]
        if values is None:
            args.append(opt)
        elif kind == 3:
            args.append(opt)  # the value is missing, or is the next option
        elif kind == 4:
            args.append(f"{opt}={draw(st.sampled_from(values))}")
        else:
            args += [opt, draw(st.sampled_from(values))]
    return args


class Hang(BaseException):
    """A command line that ran past its time (a BaseException, so main() cannot swallow it)."""


def _alarm(signum, frame):
    raise Hang(f"still running after {SECONDS} s")


def run_one(args, answers):
    """Run ``rnnquiz ARGS`` in this process; returns (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(answers), out, err
    signal.alarm(SECONDS)
    try:
        status = main(args)
    except SystemExit as e:
        status = f"SystemExit({e.code!r}) escaped main()"
    except Hang as e:
        status = f"hang: {e}"
    finally:
        signal.alarm(0)
        sys.stdin, sys.stdout, sys.stderr = saved
    return status, out.getvalue(), err.getvalue()


def _option_values(args, name):
    for k, arg in enumerate(args):
        if arg == name and k + 1 < len(args):
            yield args[k + 1]
        elif arg.startswith(name + "="):
            yield arg[len(name) + 1:]


def check(args, answers):
    if args[:1] == ["validate"]:
        args = ["validate", "template.yaml", *args[1:]]  # not the 58 shipped templates each time
    status, out, err = run_one(args, answers)
    where = f"rnnquiz {args!r} -> {status!r}\nstderr: {err[-600:]!r}"
    assert status in (0, 1, 2), where
    assert "Traceback" not in out + err, where
    assert "internal error" not in err, where
    if status != 0:
        lines = err.splitlines()
        errors = [line for line in lines if line.startswith(("Error: ", "Aborted."))]
        assert len(errors) == 1 and lines[-1] == errors[0], where


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(command_lines(), st.sampled_from(["", "quit\n", "hint\n1\n", "(2, 3)\nskip\n", "\x00\n"]))
def fuzz(args, answers):
    check(args, answers)


def cap_memory():
    """Limit this process's address space to its present size plus MEMORY_MB."""
    with open("/proc/self/statm") as f:
        size = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = size + MEMORY_MB * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


if __name__ == "__main__":
    import numpy  # noqa: F401 - loaded before the cap, as the commands load it
    import yaml  # noqa: F401

    signal.signal(signal.SIGALRM, _alarm)
    cap_memory()
    try:
        fuzz()
    finally:
        os.chdir("/")
        shutil.rmtree(WORK, ignore_errors=True)
    print(f"{EXAMPLES} command lines fuzzed")
