"""How fast `rnnquiz count` answers, next to `python -c pass`, in the same run.

Goals (issues 2, 10 and 11): the median of `rnnquiz count --m 10 --n 20 --p 5`, and of a whole
model (`rnnquiz count "Embedding(5000, 32, input_length=100) > LSTM(100) > Dense(1)"`, the same
model as a YAML file, and with `--json`), at most 1.3x `python -c pass`, timed in rounds (the
median of the per-round ratios, so that a loaded machine slows both alike). Also
checks that no path imported numpy, yaml, click, json or Python's parser (_ast).

    python benchmarks/count_startup.py [--runs 40]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from installed import describe, rnnquiz_command


def wall(cmd) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


MODEL = "Embedding(5000, 32, input_length=100) > LSTM(100) > Dense(1, activation='sigmoid')"


def _heavy(args):
    probe = (f"import sys; from rnnquiz.__main__ import fast_count; "
             f"assert fast_count({args!r}) is not None; "
             "print(','.join(m for m in ('numpy','yaml','click','json','_ast') "
             "if m in sys.modules))")
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    runs = parser.parse_args().runs
    base_cmd = rnnquiz_command()
    print(describe(base_cmd))
    folder = tempfile.TemporaryDirectory()
    model_file = Path(folder.name) / "model.yaml"
    model_file.write_text("".join(f"- {layer.strip()}\n" for layer in MODEL.split(">")))
    cases = {"count --m 10 --n 20 --p 5": ["count", "--m", "10", "--n", "20", "--p", "5"],
             "count MODEL (whole model)": ["count", MODEL],
             "count MODEL --json": ["count", MODEL, "--json"],
             "count model.yaml": ["count", str(model_file)]}
    pypass = [sys.executable, "-c", "pass"]
    for cmd in [pypass] + [base_cmd + args for args in cases.values()]:
        for _ in range(3):
            wall(cmd)  # warm the file cache
    # Rounds: python -c pass, then each case, so a loaded machine slows all of them alike; each
    # case's ratio is the median of its per-round ratios.
    base, ours = [], {label: [] for label in cases}
    for _ in range(runs):
        base.append(wall(pypass))
        for label, args in cases.items():
            ours[label].append(wall(base_cmd + args))
    print(f"{'python -c pass':<34} median {1e3 * statistics.median(base):6.1f} ms  ({runs} "
          "rounds)")
    for label, args in cases.items():
        ratio = statistics.median(o / b for o, b in zip(ours[label], base, strict=True))
        heavy = _heavy(args[1:])
        print(f"{'rnnquiz ' + label:<34} median {1e3 * statistics.median(ours[label]):6.1f} ms"
              f"  ratio {ratio:5.2f}x (goal <= 1.3x); heavy modules imported: "
              f"{heavy or 'none'}")
    if sys.flags.dont_write_bytecode:
        print("note: PYTHONDONTWRITEBYTECODE is set, so each run compiles rnnquiz from source "
              "unless 'python -m compileall rnnquiz' wrote the .pyc files first (pip does)")
    if len(base_cmd) == 1:
        with open(base_cmd[0], encoding="utf-8", errors="replace") as f:
            if "import re" in f.read():
                print("note: this rnnquiz launcher was written by an old pip and imports re "
                      "(about 5 ms) before rnnquiz runs; pip install -U pip, then reinstall")


if __name__ == "__main__":
    main()
