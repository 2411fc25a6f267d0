"""The forked workers of rnnquiz/drill/bulk.py: results in order whatever finishes first,
every error brought back, no worker left behind, and no hang when a worker is killed."""

import os
import signal
import time

import pytest

from rnnquiz.drill import bulk

pytestmark = pytest.mark.skipif(not bulk._can_fork(), reason="forked workers need fork()")


@pytest.fixture(autouse=True)
def forked(monkeypatch):
    """The pids of the workers each test forks (the test process may have other children)."""
    pids, real = [], os.fork

    def fork():
        pid = real()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(bulk.os, "fork", fork)
    return pids


def _all_reaped(pids):
    """Every worker has ended and been waited for: none left running or as a zombie."""
    def reaped(pid):
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return True
        return False
    return bool(pids) and all(reaped(pid) for pid in pids)


def _slow_first(x):
    if x < 5:  # the first chunks finish last
        time.sleep(0.05)
    return x * x


@pytest.mark.parametrize("workers, chunk", [(2, 1), (3, 7), (2, 1000)])
def test_results_come_back_in_order_whatever_finishes_first(workers, chunk, forked):
    items = list(range(200))
    got = list(bulk._forked_map(_slow_first, items, workers, chunk))
    assert got == [x * x for x in items]
    assert _all_reaped(forked)


def test_more_chunks_than_the_task_pipe_holds_are_each_made_once(forked):
    # 40,000 chunk numbers are 160 KB, more than a pipe holds: written as the workers read
    items = list(range(40_000))
    assert list(bulk._forked_map(abs, items, 2, 1)) == items
    assert _all_reaped(forked)


def test_an_error_in_a_worker_is_raised_here_at_its_place_in_the_order(forked):
    def fail_at_7(x):
        if x == 7:
            raise ValueError("seven")
        return x

    seen = []
    with pytest.raises(ValueError, match="seven"):
        for x in bulk._forked_map(fail_at_7, list(range(50)), 2, 2):
            seen.append(x)
    assert seen == list(range(6))  # the chunks before the failing one (6, 7) came back
    assert _all_reaped(forked)


def test_an_error_that_cannot_be_pickled_still_comes_back_by_name(forked):
    class Local(Exception):  # a local class: pickle cannot find it by name
        pass

    def fail(x):
        raise Local("not picklable")

    with pytest.raises(RuntimeError, match="Local: not picklable"):
        list(bulk._forked_map(fail, [1, 2, 3], 2, 1))
    assert _all_reaped(forked)


def test_a_killed_worker_is_an_error_not_a_hang(forked):
    def die_at_3(x):
        if x == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return x

    with pytest.raises(bulk.WorkerLost, match="ended before sending back"):
        list(bulk._forked_map(die_at_3, list(range(20)), 2, 1))
    assert _all_reaped(forked)


def test_stopping_early_stops_and_reaps_every_worker(forked):
    def slow(x):
        time.sleep(0.01)
        return x

    made = bulk._forked_map(slow, list(range(10_000)), 2, 1)
    assert next(made) == 0
    made.close()  # the consumer is done (an error while writing, Ctrl-C...)
    assert _all_reaped(forked)


def test_workers_leave_ctrl_c_to_the_parent():
    def handler(x):
        return signal.getsignal(signal.SIGINT) == signal.SIG_IGN

    assert all(bulk._forked_map(handler, list(range(4)), 2, 1))


def test_workers_all_killed_while_the_work_is_still_being_handed_out(forked):
    # 40,000 chunk numbers do not fit in the task pipe; every worker dies on its first item
    def die(x):
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(bulk.WorkerLost):
        list(bulk._forked_map(die, list(range(40_000)), 2, 1))
    assert _all_reaped(forked)


def test_no_process_to_spare_makes_the_work_here(monkeypatch):
    """fork() refused (a process limit): the work is made in this process, in order; refused
    after the first worker: that one makes it all."""
    import errno

    real, allowed = os.fork, []

    def fork():
        if not allowed:
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        allowed.pop()
        return real()

    monkeypatch.setattr(bulk.os, "fork", fork)
    assert list(bulk._forked_map(abs, list(range(-50, 0)), 2, 3)) == list(range(50, 0, -1))
    allowed.append(1)
    assert list(bulk._forked_map(abs, list(range(-50, 0)), 2, 3)) == list(range(50, 0, -1))


def test_a_refused_fork_leaves_no_descriptor_open(monkeypatch):
    import errno

    def refuse():
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(bulk.os, "fork", refuse)
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    for _ in range(5):
        assert list(bulk._forked_map(abs, [-1, -2, -3], 2, 1)) == [1, 2, 3]
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before


def _errors():
    from rnnquiz.drill.problems import ProblemError
    from rnnquiz.drill.templates import TemplateError
    from rnnquiz.errors import ModelError, NetworkError

    return [NetworkError("n", "must be a positive integer, got 0"),
            ModelError("LSTM: units must be positive", column=7),
            TemplateError(["a.yaml: t: no question", "a.yaml: u: no ask"]),
            ProblemError("t@3: the NumPy model disagrees")]


@pytest.mark.parametrize("want", _errors(), ids=lambda e: type(e).__name__)
def test_an_error_in_a_worker_comes_back_as_itself(want, forked):
    """rnnquiz's own errors cross the pipe whole: same type, same message, same fields."""
    def fail(x):
        raise want

    with pytest.raises(type(want)) as got:
        list(bulk._forked_map(fail, [1, 2], 2, 1))
    assert str(got.value) == str(want)
    assert vars(got.value) == vars(want)
    assert _all_reaped(forked)


def _collector_state(_):
    import gc

    return gc.get_freeze_count() > 0, gc.get_threshold()[0]


def test_workers_keep_what_they_were_forked_with_out_of_the_collector(forked):
    import gc

    before = gc.get_freeze_count(), gc.get_threshold()
    got = list(bulk._forked_map(_collector_state, [0, 1, 2, 3], 2, 1))
    assert got == [(True, 5000)] * 4  # every worker froze the objects it was forked with
    assert (gc.get_freeze_count(), gc.get_threshold()) == before  # this process: untouched
    assert _all_reaped(forked)
