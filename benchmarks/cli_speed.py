"""How fast `rnnquiz` commands answer through the installed CLI, next to `python -c pass`.

Each command line runs alternately with `python -c pass` (pairs, so a loaded machine slows both
alike); the figure is the median of the per-pair ratios, and the medians of both. Practice is
timed to its first question (the answer prompt on standard output).

Goals (issue 11): `count` in every form within 1.3x of `python -c pass` (the `list` command
too); practice's first question within 250 ms; `validate` of the shipped templates within
1.5 s.

    python benchmarks/cli_speed.py [--runs 20] [--cmd "count --m 3 --n 4 --json" ...]
                                   [--compare-with VENV]

Each --cmd adds a command line (the words after `rnnquiz`; e.g. a whole-model count).
The machine's speed drifts (by a third within an hour on the 2-core test machine):
``--compare-with VENV`` (a virtual environment with another rnnquiz installed, e.g. an older
commit) also runs that install's CLI in each pair, for a before-and-after in the same minutes.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

from installed import describe, rnnquiz_command

MODEL = "Embedding(5000, 32, input_length=100) > LSTM(100) > Dense(1, activation='sigmoid')"
DEFAULT = [
    ("count --m 10 --n 20 --p 5", 1.3),
    ("count --m 10 --n 20 --p 5 --json", 1.3),
    ("count --m 10 --n 20 --p 5 --cell lstm --explain", 1.3),
    (f'count "{MODEL}"', 1.3),
    (f'count "{MODEL}" --json --explain', 1.3),
    ("count MODEL.yaml", 1.3),
    ("list", 1.3),
    ("validate", None),
]
PROMPT = b"answer ("


def rnnquiz():
    return rnnquiz_command()


def wall(cmd, env=None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env)
    return time.perf_counter() - start


def first_question(cmd, env) -> float:
    """Seconds from starting practice to its first answer prompt."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env)
    seen = b""
    while PROMPT not in seen:
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            raise RuntimeError("practice ended before its first question")
        seen += chunk
    took = time.perf_counter() - start
    proc.stdin.write(b"quit\n")
    proc.stdin.close()
    proc.wait()
    proc.stdout.close()
    return took


def paired(run_ours, run_base, runs, run_other=None):
    """(median of ours, of the baseline, of the per-pair ratios, and of ``run_other``'s runs
    or None), each run alternated with the others."""
    ours, base, ratios, other = [], [], [], []
    for _ in range(runs):
        b = run_base()
        if run_other is not None:
            other.append(run_other())
        o = run_ours()
        base.append(b)
        ours.append(o)
        ratios.append(o / b)
    return (statistics.median(ours), statistics.median(base), statistics.median(ratios),
            statistics.median(other) if other else None)


def _other(ms) -> str:
    return "" if ms is None else f"   compared install {1e3 * ms:7.1f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cmd", action="append", default=[],
                        help="another rnnquiz command line to time (repeatable)")
    parser.add_argument("--compare-with", metavar="VENV",
                        help="also time the rnnquiz installed in this virtual environment")
    args = parser.parse_args()
    pypass = [sys.executable, "-c", "pass"]
    tool = rnnquiz()
    other_tool = None
    if args.compare_with:
        other_tool = [os.path.join(args.compare_with, "bin", "rnnquiz")]
        if not os.access(other_tool[0], os.X_OK):
            parser.error(f"--compare-with: no rnnquiz in {args.compare_with}/bin")
    print(describe(tool))
    print(f"{args.runs} alternated pairs each, against `python -c pass`; load: "
          f"{os.getloadavg()[0]:.1f} (1-minute average, {os.cpu_count()} cores)")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set, so an editable install compiles rnnquiz's "
              "modules again on every run (about 2x python's start-up); unset it for the "
              "figures an installed rnnquiz gives")
    wall(pypass)
    folder = tempfile.TemporaryDirectory()
    model_file = os.path.join(folder.name, "model.yaml")
    with open(model_file, "w", encoding="utf-8") as f:
        f.write("".join(f"- {layer.strip()}\n" for layer in MODEL.split(">")))
    for line, goal in DEFAULT + [(c, 1.3) for c in args.cmd]:
        words = [model_file if word == "MODEL.yaml" else word for word in shlex.split(line)]
        cmd = tool + words
        wall(cmd)  # warm the file cache
        other = None
        if other_tool:
            wall(other_tool + words)
            other = lambda w=words: wall(other_tool + w)  # noqa: E731
        ours, base, ratio, theirs = paired(lambda c=cmd: wall(c), lambda: wall(pypass),
                                           args.runs, other)
        note = f"(goal <= {goal}x)" if goal else "(goal <= 1.5 s)"
        if len(line) > 48:
            line = line[:45] + "..."
        print(f"rnnquiz {line:<48} {1e3 * ours:7.1f} ms   python -c pass {1e3 * base:6.1f} ms"
              f"   ratio {ratio:5.2f}x {note}{_other(theirs)}")
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, RNNQUIZ_DATA_DIR=data)
        words = ["practice", "--count", "3", "--seed", "1", "--data-dir", data]
        first_question(tool + words, env)
        other = None
        if other_tool:
            first_question(other_tool + words, env)
            other = lambda: first_question(other_tool + words, env)  # noqa: E731
        ours, base, ratio, theirs = paired(lambda: first_question(tool + words, env),
                                           lambda: wall(pypass), args.runs, other)
        print(f"rnnquiz practice: first question {'':>26} {1e3 * ours:7.1f} ms   "
              f"python -c pass {1e3 * base:6.1f} ms   ratio {ratio:5.2f}x (goal <= 250 ms)"
              f"{_other(theirs)}")


if __name__ == "__main__":
    main()
