"""Many problems at once, on every core the process may use, in the planned order.

Each problem depends only on its (template, variant seed) pair, so worker processes can make
them in any order; results come back in the plan's order, so the same seed still gives the
same problems and byte-identical exports. Small runs stay in this process.

The workers are forked from this process, so they start with the templates, the work list and
every module already loaded, and nothing is pickled on the way in. The work is cut into chunks
whose numbers wait in one pipe: an idle worker reads the next number (a read of a few bytes
from a pipe is atomic, so no chunk is taken twice and no lock is held) and sends the chunk's
results back through a pipe of its own; this process reads whichever pipe has something and
yields the chunks in order. (multiprocessing.Pool did the same with three threads, one of
which spun while a large result was in transit: a fifth of a second per 10,000 problems.)
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal

from rnnquiz.drill.problems import generate
from rnnquiz.errors import RnnquizError

PARALLEL_FROM = 2000  # fewer problems than this: workers cost more than they save
CHUNK = 100  # problems a worker makes before it sends them back
_NUMBER = 4  # bytes of a chunk number in the task pipe
# A write of at most PIPE_BUF bytes to a pipe is never split (POSIX): 4,096 on Linux, 512 on
# macOS, at least 512 anywhere; a whole number of chunk numbers.
_ATOMIC = getattr(select, "PIPE_BUF", 512) // _NUMBER * _NUMBER


class WorkerLost(RnnquizError, RuntimeError):
    """A worker process ended without sending back its work (killed from outside)."""


_LOST = ("a worker process ended before sending back its problems (killed from outside, or "
         "out of memory?)")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _quiet():
    """A worker leaves Ctrl-C to the parent, which stops the workers (no worker tracebacks),
    and dies quietly on the SIGTERM the parent sends an unfinished one: the handlers the CLI
    installs (SIGTERM and SIGHUP raise Terminated, for the parent's cleanup) are not
    inherited."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) not in (signal.SIG_DFL, signal.SIG_IGN):
            signal.signal(number, signal.SIG_DFL)


def _make(pick, then=None):
    problem = generate(*pick)
    return problem if then is None else then(problem)


def _collect_less() -> None:
    """In a worker: the objects it was forked with (modules, templates, the work list) leave
    the cyclic garbage collector's view, and the collector runs less often. Generation makes
    many short-lived objects; the collector kept traversing the long-lived ones (about 5% of a
    worker's CPU time for 10,000 problems, measured). Only the worker's own process is changed.
    """
    gc.freeze()
    gc.set_threshold(5000, 20, 10)


def _can_fork() -> bool:
    return hasattr(os, "fork") and hasattr(signal, "pthread_sigmask")


# The signals a worker must not take with its parent's handlers (see _fork_worker).
_HELD = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
         if hasattr(signal, name)}


def _send(fd, data: bytes) -> None:
    """One message: its length, then its bytes (os.write may write less than asked)."""
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(fd, view):]


def _read_exactly(fd, size: int) -> bytes | None:
    """``size`` bytes from ``fd``, or None at its end."""
    parts, left = [], size
    while left:
        part = os.read(fd, min(left, 1 << 20))
        if not part:
            return None
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _serve(tasks: int, out: int, fn, items, chunk: int) -> None:
    """In a worker: take chunk numbers from ``tasks`` until it ends, send each chunk's results
    (or the exception that stopped it) through ``out``."""
    while True:
        number = os.read(tasks, _NUMBER)
        if len(number) < _NUMBER:
            return
        k = int.from_bytes(number, "little")
        try:
            message = (k, True, [fn(item) for item in items[k * chunk:(k + 1) * chunk]])
        except Exception as e:  # the parent raises it when it reaches this chunk
            message = (k, False, e)
        try:
            data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
            if not message[1]:
                pickle.loads(data)  # an exception must come back whole, not as another one
        except Exception as e:  # an exception (or result) that does not survive the pipe
            error = message[2] if not message[1] else e
            data = pickle.dumps((k, False, RuntimeError(f"{type(error).__name__}: {error}")))
        _send(out, data)


def _fork_worker(tasks_read: int, fn, items, chunk: int, close: list) -> tuple:
    """(pid, read end of its result pipe) of a new worker process."""
    read, write = os.pipe()
    # A signal in the instant after fork() would run the caller's handlers in the child
    # (unwinding through the caller's frames, removing its temporary files): held back until
    # the child has set its own, and in this process until fork() has returned.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(read)
        os.close(write)
        raise
    if pid == 0:  # the worker: never returns into the caller's frames
        status = 1
        try:
            _quiet()
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            os.close(read)
            for fd in close:
                os.close(fd)
            _collect_less()
            _serve(tasks_read, write, fn, items, chunk)
            status = 0
        finally:
            os._exit(status)
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    os.close(write)
    return pid, read


def _forked_map(fn, items: list, workers: int, chunk: int):
    """Yield ``fn(item)`` for each item, in order, made by ``workers`` forked processes."""
    import selectors

    chunks = -(-len(items) // chunk)
    tasks_read, tasks_write = os.pipe()
    # Every chunk number fits in the pipe at once (a pipe holds 64 KiB on Linux: 16,384
    # numbers); beyond that the writes continue while the workers read.
    numbers = b"".join(k.to_bytes(_NUMBER, "little") for k in range(chunks))
    procs, results, finished = [], [], False
    selector = selectors.DefaultSelector()
    try:
        for _ in range(min(workers, chunks)):
            try:
                pid, read = _fork_worker(tasks_read, fn, items, chunk,
                                         [tasks_write] + [r for _, r in procs])
            except OSError:  # no more processes allowed: go on with those there are
                break
            procs.append((pid, read))
            selector.register(read, selectors.EVENT_READ)
        if not procs:  # not even one: make them here
            yield from map(fn, items)
            finished = True
            return
        os.close(tasks_read)
        tasks_read = None
        _send_all(tasks_write, numbers, selector, results)
        os.close(tasks_write)
        tasks_write = None
        done, next_k = {}, 0
        while next_k < chunks:
            while next_k not in done:
                if not results:
                    if not selector.get_map():  # every worker's pipe has ended
                        raise WorkerLost(_LOST)
                    _collect(selector, results)
                    continue
                k, ok, payload = results.pop()
                done[k] = (ok, payload)
            ok, payload = done.pop(next_k)
            if not ok:
                raise payload
            yield from payload
            next_k += 1
        finished = True
    finally:
        for fd in (tasks_read, tasks_write):
            if fd is not None:
                os.close(fd)
        selector.close()
        for _, read in procs:
            os.close(read)
        _reap([pid for pid, _ in procs], stop=not finished)


def _send_all(fd, data: bytes, selector, results: list) -> None:
    """Write the chunk numbers to the task pipe in writes of at most _ATOMIC bytes, each
    whole or not at all (so a worker never reads part of a number), collecting results
    meanwhile when the pipe is full."""
    view = memoryview(data)
    os.set_blocking(fd, False)
    try:
        while view:
            try:
                view = view[os.write(fd, view[:_ATOMIC]):]
            except BlockingIOError:
                _collect(selector, results, timeout=0.01)
            except BrokenPipeError:  # no worker left to read them
                raise WorkerLost(_LOST) from None
    finally:
        os.set_blocking(fd, True)


def _collect(selector, results: list, timeout=None) -> None:
    """Read one message from each worker pipe that has one into ``results``; a pipe that has
    ended (its worker is gone) leaves the selector."""
    for key, _ in selector.select(timeout):
        fd = key.fd
        size = _read_exactly(fd, 8)
        data = None if size is None else _read_exactly(fd, int.from_bytes(size, "little"))
        if data is None:
            selector.unregister(fd)
        else:
            results.append(pickle.loads(data))


def _reap(pids, stop: bool) -> None:
    """Wait for every worker. With ``stop`` (the caller stopped early, or an error or Ctrl-C
    did) one still working is sent SIGTERM first; else each is ending by itself (its task
    pipe has ended)."""
    for pid in pids:
        try:
            if stop and not os.waitpid(pid, os.WNOHANG)[0]:
                os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        except (ChildProcessError, ProcessLookupError):  # already reaped
            pass


def generate_many(picks, workers: int | None = None, then=None):
    """Yield ``generate(template, seed)`` for each pick, in order (a ProblemError stops it).

    ``workers``: processes to use (default: the usable cores when there are at least
    PARALLEL_FROM picks, else 1, as it is where processes cannot be forked).
    ``then``: a function applied to each problem where it is made (in a worker process),
    whose result is yielded instead of the problem: a writer's text for it, so that what comes
    back through the pipe is that text rather than the whole problem.
    """
    picks = list(picks)
    if workers is None:
        workers = _cores() if len(picks) >= PARALLEL_FROM else 1
    if workers <= 1 or not _can_fork():
        for pick in picks:
            yield _make(pick, then)
        return
    yield from _forked_map(lambda pick: _make(pick, then), picks, workers, CHUNK)


def map_in_order(fn, items, work: int) -> list:
    """``[fn(item) for item in items]``, on every usable core when ``work`` (the problems it
    makes) reaches PARALLEL_FROM, an item at a time."""
    items = list(items)
    workers = min(_cores(), len(items)) if work >= PARALLEL_FROM else 1
    if workers <= 1 or not _can_fork():
        return [fn(item) for item in items]
    return list(_forked_map(fn, items, workers, 1))
