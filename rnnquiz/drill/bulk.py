"""Many problems at once, on every core the process may use, in the planned order.

Each problem depends only on its (template, variant seed) pair, so worker processes can make
them in any order; results come back in the plan's order, so the same seed still gives the
same problems and byte-identical exports. Small runs stay in this process.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal

from rnnquiz.drill.problems import generate

PARALLEL_FROM = 2000  # fewer problems than this: a pool costs more than it saves
CHUNK = 100


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _quiet():
    """A worker leaves Ctrl-C to the parent, which stops the pool (no worker tracebacks), and
    dies quietly on the SIGTERM the pool sends it at its end: the handler the CLI installs
    (SIGTERM and SIGHUP raise Terminated, for the parent's cleanup) is not inherited."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) not in (signal.SIG_DFL, signal.SIG_IGN):
            signal.signal(number, signal.SIG_DFL)


def _finish(pool) -> None:
    """End a pool whose work is done by letting its workers exit: the ``with`` block's
    terminate() would SIGTERM them, and a worker killed while it holds the task queue's lock
    can leave the pool's shutdown waiting forever (seen about 1 run in 10 on 2 cores). An
    interrupted pool (Ctrl-C, an error) is still terminated by the ``with``."""
    pool.close()
    pool.join()


def _make(pick, then=None):
    problem = generate(*pick)
    return problem if then is None else then(problem)


def generate_many(picks, workers: int | None = None, then=None):
    """Yield ``generate(template, seed)`` for each pick, in order (a ProblemError stops it).

    ``workers``: processes to use (default: the usable cores when there are at least
    PARALLEL_FROM picks, else 1, as it is where processes cannot be forked).
    ``then``: a module-level function applied to each problem where it is made (in a worker
    process), whose result is yielded instead of the problem: a writer's text for it, so that
    what comes back through the pipe is that text rather than the whole problem.
    """
    picks = list(picks)
    if workers is None:
        workers = _cores() if len(picks) >= PARALLEL_FROM else 1
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for pick in picks:
            yield _make(pick, then)
        return
    # fork: the workers start with the templates and modules already loaded
    with multiprocessing.get_context("fork").Pool(workers, initializer=_quiet) as pool:
        yield from pool.imap(functools.partial(_make, then=then), picks, chunksize=CHUNK)
        _finish(pool)


def map_in_order(fn, items, work: int) -> list:
    """``[fn(item) for item in items]``, on every usable core when ``work`` (the problems it
    makes) reaches PARALLEL_FROM; ``fn`` must be a module-level function (it is pickled)."""
    items = list(items)
    workers = min(_cores(), len(items)) if work >= PARALLEL_FROM else 1
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [fn(item) for item in items]
    with multiprocessing.get_context("fork").Pool(workers, initializer=_quiet) as pool:
        results = pool.map(fn, items, chunksize=1)
        _finish(pool)
        return results
