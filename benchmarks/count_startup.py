"""How fast `rnnquiz count` answers, next to `python -c pass`, in the same run.

Goal (issue 11): the median of `rnnquiz count --m 10 --n 20 --p 5` at most 1.3x the median of
`python -c pass` (benchmarks/cli_speed.py times the other forms, in alternated pairs).
Also checks that the count path imported neither numpy nor yaml (nor click).

    python benchmarks/count_startup.py [--runs 40]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time


def median_ms(cmd, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    runs = parser.parse_args().runs
    script = shutil.which("rnnquiz")
    count_cmd = ([script] if script else [sys.executable, "-m", "rnnquiz"])
    count_cmd += ["count", "--m", "10", "--n", "20", "--p", "5"]
    probe = (
        "import sys; from rnnquiz.__main__ import fast_count; "
        "fast_count(['--m','10','--n','20','--p','5']); "
        "print(','.join(m for m in ('numpy','yaml','click','json') if m in sys.modules))"
    )
    heavy = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True).stdout.strip()
    median_ms([sys.executable, "-c", "pass"], 5)  # warm the file cache
    median_ms(count_cmd, 5)
    base = median_ms([sys.executable, "-c", "pass"], runs)
    ours = median_ms(count_cmd, runs)
    print(f"python -c pass         median {base:6.1f} ms  ({runs} runs)")
    print(f"{' '.join(os.path.basename(c) for c in count_cmd[:2])} ...  median {ours:6.1f} ms")
    print(f"ratio                  {ours / base:6.2f}x  (goal <= 1.3x)")
    print(f"heavy modules imported by the count path: {heavy or 'none'}")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set, so an editable install compiles rnnquiz's "
              "modules again on every run; unset it for an installed rnnquiz's figures")
    if script:
        with open(script, encoding="utf-8", errors="replace") as f:
            if "import re" in f.read():
                print("note: this rnnquiz launcher was written by an old pip and imports re "
                      "(about 5 ms) before rnnquiz runs; pip install -U pip, then reinstall")


if __name__ == "__main__":
    main()
