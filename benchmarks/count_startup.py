"""How fast `rnnquiz count` answers, next to `python -c pass`, in the same run.

Goals (issues 2, 10 and 11): the median of `rnnquiz count --m 10 --n 20 --p 5`, and of a whole
model (`rnnquiz count "Embedding(5000, 32, input_length=100) > LSTM(100) > Dense(1)"`, the same
model as a YAML file, and with `--json`), at most 1.3x the median of `python -c pass`. Also
checks that no path imported numpy, yaml, click, json or Python's parser (_ast).

    python benchmarks/count_startup.py [--runs 40]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def median_ms(cmd, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


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
    script = shutil.which("rnnquiz")
    base_cmd = [script] if script else [sys.executable, "-m", "rnnquiz"]
    folder = tempfile.TemporaryDirectory()
    model_file = Path(folder.name) / "model.yaml"
    model_file.write_text("".join(f"- {layer.strip()}\n" for layer in MODEL.split(">")))
    cases = {"count --m 10 --n 20 --p 5": ["count", "--m", "10", "--n", "20", "--p", "5"],
             "count MODEL (whole model)": ["count", MODEL],
             "count MODEL --json": ["count", MODEL, "--json"],
             "count model.yaml": ["count", str(model_file)]}
    median_ms([sys.executable, "-c", "pass"], 5)  # warm the file cache
    for args in cases.values():
        median_ms(base_cmd + args, 5)
    base = median_ms([sys.executable, "-c", "pass"], runs)
    print(f"{'python -c pass':<34} median {base:6.1f} ms  ({runs} runs)")
    for label, args in cases.items():
        ours = median_ms(base_cmd + args, runs)
        heavy = _heavy(args[1:])
        print(f"{'rnnquiz ' + label:<34} median {ours:6.1f} ms  ratio {ours / base:5.2f}x "
              f"(goal <= 1.3x); heavy modules imported: {heavy or 'none'}")
    if sys.flags.dont_write_bytecode:
        print("note: PYTHONDONTWRITEBYTECODE is set, so each run compiles rnnquiz from source "
              "unless 'python -m compileall rnnquiz' wrote the .pyc files first (pip does)")
    if script:
        with open(script, encoding="utf-8", errors="replace") as f:
            if "import re" in f.read():
                print("note: this rnnquiz launcher was written by an old pip and imports re "
                      "(about 5 ms) before rnnquiz runs; pip install -U pip, then reinstall")


if __name__ == "__main__":
    main()
