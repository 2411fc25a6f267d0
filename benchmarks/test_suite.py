"""How long the test suite takes without the optional frameworks, next to the same suite in one
process, in the same run.

Goal (issue 11): under 20 s of wall time on the 2-core machine, without Keras, JAX and
PyTorch (their cross-checks are skipped here even where they are installed: an import hook
refuses them). The baseline is `pytest -n 0`, every test in one process, as the suite ran
before it had a worker per core. Run from the repository's root:

    python benchmarks/test_suite.py [--baseline/--no-baseline]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = ("keras", "jax", "jaxlib", "torch", "tensorflow")

# Loaded in every test process through PYTHONPATH: the frameworks cannot be imported there.
# Nothing else is imported: the tests check which modules a command loads.
HIDE = f'''
import sys

class _Hidden:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {FRAMEWORKS!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (hidden by the benchmark)")
        return None

sys.meta_path.insert(0, _Hidden())
'''


NONE_SELECTED = ["-k", "no_test_is_named_this"]  # start-up and collection, then no test


def timed(args, env) -> tuple:
    """(wall seconds, CPU seconds of the run and its children, pytest's last line)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             *args], cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr
    if result.returncode != 0 and not (result.returncode == 5 and args[:2] == NONE_SELECTED):
        failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
        sys.exit("\n".join(["the test suite failed: " + last, *failed]))
    return wall, cpu, re.sub(r"\s+in [\d.]+s.*", "", last.strip("= "))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True,
                        help="also run the suite in one process (pytest -n 0)")
    baseline = parser.parse_args().baseline
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "sitecustomize.py").write_text(HIDE, encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [folder, *filter(None, [os.environ.get("PYTHONPATH")])]))
        load = os.getloadavg()[0]
        wall, cpu, summary = timed([], env)
        print(f"test suite without Keras, JAX and PyTorch ({os.cpu_count()} cores, "
              f"load {load:.1f}): {summary}")
        line("a worker per core", wall, cpu, "(goal < 20 s)")
        line("start, collection", *timed(NONE_SELECTED, env)[:2],
             "(the workers' and the controller's, before the first test)")
        line("the same, -n 0", *timed([*NONE_SELECTED, "-n", "0"], env)[:2])
        if baseline:
            line("one process", *timed(["-n", "0"], env)[:2], "(baseline)")
        print(f"  load after: {os.getloadavg()[0]:.1f}")
    if sys.flags.dont_write_bytecode:
        print("note: PYTHONDONTWRITEBYTECODE is set: pytest rewrites the test modules again on "
              "each run (with workers, once per run: the controller does it for them)")


def line(label, wall, cpu, note=""):
    print(f"  {label:<19}{wall:6.1f} s wall  {cpu:6.1f} s CPU   {note}".rstrip())


if __name__ == "__main__":
    main()
