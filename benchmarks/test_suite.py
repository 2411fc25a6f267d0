"""How long the test suite takes without the optional frameworks, next to the same suite in one
process, in the same run.

Goal (issue 11): under 20 s of wall time on the 2-core machine, without Keras, JAX and
PyTorch (their cross-checks are skipped here even where they are installed: an import hook
refuses them). The baseline is `pytest -n 0`, every test in one process, as the suite ran
before it had a worker per core. Run from the repository's root:

    python benchmarks/test_suite.py [--baseline/--no-baseline] [--by-file N]

``--by-file N`` also prints, from the one-process run (made even with --no-baseline), the N test
files that take the most CPU time (the test process's own and its child processes', the fork
server of tests/forked_cli.py included), each with its heaviest test: where the time goes.
"""

from __future__ import annotations

import argparse
import json
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


# Loaded with ``-p`` in the --by-file run: each test's CPU time, its set-up and tear-down included,
# added up per file and written as JSON where RNNQUIZ_SUITE_COSTS says.
COSTS = '''
import json, os, resource, sys, time
import pytest

_TICK = os.sysconf("SC_CLK_TCK")
_files = {}


def _server_cpu():
    """The CPU time so far of tests/forked_cli.py's server and of the children it has waited
    for: it lives through the run, so its time reaches RUSAGE_CHILDREN only at the end."""
    server = getattr(sys.modules.get("forked_cli"), "_server", None)
    try:
        with open(f"/proc/{server.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (AttributeError, OSError, IndexError):
        return 0.0
    return sum(int(x) for x in fields[11:15]) / _TICK  # utime, stime, cutime, cstime


def _cpu():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (own.ru_utime + own.ru_stime,
            children.ru_utime + children.ru_stime + _server_cpu())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    own, children = _cpu()
    start = time.perf_counter()
    yield
    wall = time.perf_counter() - start
    own_after, children_after = _cpu()
    own, children = own_after - own, children_after - children
    path, test = item.nodeid.split("::", 1)
    row = _files.setdefault(path,
                            {"own": 0.0, "children": 0.0, "wall": 0.0, "tests": 0,
                             "heaviest": ["", 0.0]})
    row["own"] += own
    row["children"] += children
    row["wall"] += wall
    row["tests"] += 1
    if own + children > row["heaviest"][1]:
        row["heaviest"] = [test, own + children]


def pytest_sessionfinish(session):
    with open(os.environ["RNNQUIZ_SUITE_COSTS"], "w", encoding="utf-8") as f:
        json.dump(_files, f)
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
    parser.add_argument("--by-file", type=int, default=0, metavar="N",
                        help="also print the N test files that take the most CPU time")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "sitecustomize.py").write_text(HIDE, encoding="utf-8")
        Path(folder, "rnnquiz_suite_costs.py").write_text(COSTS, encoding="utf-8")
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
        costs = Path(folder, "costs.json")
        if options.baseline or options.by_file > 0:
            # One run in one process gives both: adding up the costs takes a few µs a test.
            costs_plugin = ["-p", "rnnquiz_suite_costs"] if options.by_file > 0 else []
            one_process = timed(["-n", "0", *costs_plugin],
                                dict(env, RNNQUIZ_SUITE_COSTS=str(costs)))[:2]
        if options.baseline:
            line("one process", *one_process, "(baseline)")
        print(f"  load after: {os.getloadavg()[0]:.1f}")
        if options.by_file > 0:
            by_file(one_process, json.loads(costs.read_text(encoding="utf-8")), options.by_file)
    if sys.flags.dont_write_bytecode:
        print("note: PYTHONDONTWRITEBYTECODE is set: pytest rewrites the test modules again on "
              "each run (with workers, once per run: the controller does it for them)")


def by_file(run, files, shown):
    """The files that took the most CPU time in a one-process run, with their share of it."""
    wall, cpu = run

    def cost(row):
        return row["own"] + row["children"]

    tests = sum(map(cost, files.values()))
    print(f"CPU time by test file, one process: {wall:.1f} s wall, {cpu:.1f} s CPU, of which "
          f"{tests:.1f} s in the {sum(row['tests'] for row in files.values())} tests (set-up and "
          f"tear-down included) and {cpu - tests:.1f} s in start-up, collection and the end")
    print("   CPU s  children s  wall s   share  total  tests  file: heaviest test (CPU s)")
    total = 0.0
    for name, row in sorted(files.items(), key=lambda kv: cost(kv[1]), reverse=True)[:shown]:
        total += cost(row)
        test, heaviest = row["heaviest"]
        test = test if len(test) <= 60 else test[:57] + "..."
        print(f"  {cost(row):6.2f}  {row['children']:10.2f}  {row['wall']:6.2f}  "
              f"{cost(row) / cpu:6.1%}"
              f"  {total / cpu:5.0%}  {row['tests']:5d}  {name}: {test} ({heaviest:.2f})")


def line(label, wall, cpu, note=""):
    print(f"  {label:<19}{wall:6.1f} s wall  {cpu:6.1f} s CPU   {note}".rstrip())


if __name__ == "__main__":
    main()
