"""Bulk export: 10,000 problems, every answer checked against the NumPy model, on one core.

Goal (issue 4): under 5 s for the problems plus each format's rendering.

    python benchmarks/export_bulk.py [--count 10000] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    start = time.perf_counter()
    from rnnquiz.drill.practice import plan
    from rnnquiz.drill.problems import generate
    from rnnquiz.drill.templates import shipped_templates
    from rnnquiz.export import TEXT_FORMATS
    from rnnquiz.export.anki import write_apkg

    templates = shipped_templates()
    imported = time.perf_counter()
    problems = [generate(t, s) for t, s in plan(templates, args.count, args.seed)]
    generated = time.perf_counter()
    print(f"import and load templates   {imported - start:6.2f} s")
    print(f"{args.count} problems, checked  {generated - imported:6.2f} s  "
          f"({1e6 * (generated - imported) / args.count:.0f} us each)")
    meta = {"seed": args.seed, "generator": "benchmark"}
    for name, render in TEXT_FORMATS.items():
        t0 = time.perf_counter()
        text = render(problems, meta)
        t1 = time.perf_counter()
        total = (generated - imported) + (t1 - t0)
        print(f"{name:<9} render {t1 - t0:6.2f} s  {len(text) / 1e6:5.1f} MB  "
              f"problems + render {total:5.2f} s  (goal < 5 s)")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            write_apkg(problems, os.path.join(tmp, "deck.apkg"))
            t1 = time.perf_counter()
        print(f"anki      write  {t1 - t0:6.2f} s            problems + write  "
              f"{(generated - imported) + (t1 - t0):5.2f} s  (goal < 5 s)")
    except ImportError:
        print("anki      skipped (genanki not installed)")


if __name__ == "__main__":
    main()
