"""Bulk export through the installed CLI: 10,000 problems, every answer checked by NumPy.

For each format, `rnnquiz export --count 10000` runs as users run it (wall time, peak memory
and CPU time), alternated with the same command under OpenBLAS/OMP/MKL's thread-per-core
default (the baseline: what the CLI did before it limited BLAS to one thread).

Goals (issue 11): json under 3 s wall and 150 MB peak; every other format under 4 s.

The machine's speed drifts (by a third within an hour on the 2-core test machine), so a figure
from another hour is no baseline: ``--compare-with VENV`` (a virtual environment with another
rnnquiz installed, e.g. an older commit: ``python3 -m venv /tmp/old && /tmp/old/bin/pip install
git+file://$PWD@REV``) makes the baseline that install's CLI instead, alternated with this one.

    python benchmarks/export_bulk.py [--count 10000] [--seed 1] [--runs 3] [--format json ...]
                                     [--compare-with VENV]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time

from installed import describe, rnnquiz_command

FORMATS = ("json", "markdown", "gift", "moodle", "anki")
BLAS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def run(cmd, env) -> tuple:
    """(wall seconds, peak resident MB, CPU seconds) of one run of ``cmd``: the peak is the
    main process's; the CPU time includes its worker processes."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    err = proc.stderr.read().decode()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {err.strip()}")
    return took, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # maxrss: kB


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--format", action="append", choices=FORMATS, dest="formats")
    parser.add_argument("--compare-with", metavar="VENV",
                        help="baseline: the rnnquiz installed in this virtual environment")
    args = parser.parse_args()
    tool = rnnquiz_command()
    print(describe(tool))
    ours_env = {k: v for k, v in os.environ.items() if k not in BLAS}
    cores = str(os.cpu_count() or 1)
    if args.compare_with:
        other = os.path.join(args.compare_with, "bin", "rnnquiz")
        if not os.access(other, os.X_OK):
            parser.error(f"--compare-with: no rnnquiz in {args.compare_with}/bin")
        base_tool, base_env, what = [other], ours_env, f"the rnnquiz in {args.compare_with}"
    else:
        base_tool, base_env = tool, dict(ours_env, **{k: cores for k in BLAS})
        what = f"BLAS threads = {cores} (thread per core)"
    print(f"rnnquiz export --count {args.count}: median of {args.runs} alternated pairs; "
          f"baseline: {what}; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats or FORMATS:
            out = os.path.join(tmp, "out.apkg" if fmt == "anki" else f"out.{fmt}")
            export = ["export", "--format", fmt, "--count", str(args.count), "--seed",
                      str(args.seed), "-o", out]
            ours, base = [], []
            for _ in range(args.runs):
                base.append(run(base_tool + export, base_env))
                ours.append(run(tool + export, ours_env))
            goal = "goal < 3 s, < 150 MB" if fmt == "json" else "goal < 4 s"
            print(f"{fmt:<9} {statistics.median(r[0] for r in ours):6.2f} s "
                  f"{max(r[1] for r in ours):5.0f} MB cpu "
                  f"{statistics.median(r[2] for r in ours):5.2f} s   baseline "
                  f"{statistics.median(r[0] for r in base):6.2f} s "
                  f"{max(r[1] for r in base):5.0f} MB cpu "
                  f"{statistics.median(r[2] for r in base):5.2f} s   ({goal})")

if __name__ == "__main__":
    main()
