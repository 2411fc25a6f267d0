"""Run ``rnnquiz ARGS`` in a new process each time without paying for Python's, numpy's and
click's start-up each time (about 150 ms of CPU a command line).

A small server process loads what every command loads, then forks a child per command line:
the child sets the working folder, the environment, the address-space cap and the standard
streams, runs ``rnnquiz.__main__.main(ARGS)`` as ``python -m rnnquiz ARGS`` would, and exits
with its status. Each command line still runs in a process of its own, so a memory cap, a hang
(killed at the timeout) or a crash is that process's alone, and nothing one command leaves in
memory reaches the next. What this does not test is Python's start-up itself: the tests of the
entry point and of what it imports start real processes (tests/test_cli.py, test_speed.py).

Used as ``run(args, env=..., cwd=..., memory=..., timeout=..., umask=...)``, which returns a
``subprocess.CompletedProcess`` with text output, or raises ``subprocess.TimeoutExpired``;
``run_python(code, ...)`` runs test code as ``python SCRIPT`` runs a script, the same way.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile

_server = None


def run(args, *, env, cwd=None, memory=None, timeout=30, stdin=None, umask=None):
    """``python -m rnnquiz ARGS`` in a forked process; ``stdin`` is a path (default: /dev/null),
    ``umask`` the child's file mode mask (default: this process's)."""
    return _forked({"args": [str(a) for a in args]}, [sys.executable, "-m", "rnnquiz", *args],
                   env=env, cwd=cwd, memory=memory, timeout=timeout, stdin=stdin, umask=umask)


def run_python(code, *, env, cwd=None, memory=None, timeout=30, stdin=None, umask=None):
    """``python SCRIPT`` for a script holding ``code``, in a forked process (what the server
    loaded is loaded already)."""
    with tempfile.TemporaryDirectory() as folder:
        script = os.path.join(folder, "script.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write(code)
        return _forked({"script": script}, [sys.executable, script], env=env, cwd=cwd,
                       memory=memory, timeout=timeout, stdin=stdin, umask=umask)


def _forked(what, command, *, env, cwd, memory, timeout, stdin, umask):
    if umask is None:
        umask = os.umask(0o022)
        os.umask(umask)
    global _server
    if _server is None or _server.poll() is not None:
        _server = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True, env=env)
        atexit.register(_stop, _server)
    with tempfile.TemporaryDirectory() as folder:
        out, err = os.path.join(folder, "out"), os.path.join(folder, "err")
        request = {**what, "env": dict(env), "memory": memory,
                   "cwd": str(cwd) if cwd is not None else os.getcwd(), "timeout": timeout,
                   "stdin": str(stdin) if stdin is not None else os.devnull,
                   "out": out, "err": err, "umask": umask}
        _server.stdin.write(json.dumps(request) + "\n")
        _server.stdin.flush()
        reply = json.loads(_server.stdout.readline())
        stdout, stderr = _read(out), _read(err)
    command = [str(a) for a in command]
    if reply["status"] is None:
        raise subprocess.TimeoutExpired(command, timeout, stdout, stderr)
    return subprocess.CompletedProcess(command, reply["status"], stdout, stderr)


def _read(path) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:  # killed before it got that far
        return ""


def _stop(server):
    if server.poll() is None:
        server.stdin.close()
        server.wait(timeout=10)


def _child(request):
    """In the forked child: become ``python -m rnnquiz ARGS`` (or ``python SCRIPT``) and never
    return."""
    import resource

    try:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        tempfile.tempdir = None  # found again from TMPDIR, as a new process finds it
        os.umask(request["umask"])
        if request["memory"]:
            resource.setrlimit(resource.RLIMIT_AS, (request["memory"], request["memory"]))
        for fd, path, flags in ((1, request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                (2, request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                (0, request["stdin"], os.O_RDONLY)):  # a FIFO's may wait
            new = os.open(path, flags, 0o600)
            os.dup2(new, fd)
            os.close(new)
        if "script" in request:
            import runpy

            sys.argv = [request["script"]]
            runpy.run_path(request["script"], run_name="__main__")
            status = 0
        else:
            sys.argv = [sys.argv[0], *request["args"]]
            from rnnquiz.__main__ import main

            status = main(request["args"])
    except SystemExit as e:
        if e.code is not None and not isinstance(e.code, int):
            print(e.code, file=sys.stderr)  # as Python prints sys.exit("message")
        status = 0 if e.code is None else e.code if isinstance(e.code, int) else 1
    except BaseException:  # as an uncaught exception ends a real process
        import traceback

        traceback.print_exc()
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(status if isinstance(status, int) else 1)


def _wait(pid, timeout):
    """The child's status as subprocess reports it, or None after killing it at ``timeout``.

    Where the system gives a descriptor for a process (Linux 5.3 on), the server sleeps on it
    until the child ends or the timeout comes, and answers at once; elsewhere it looks every
    few milliseconds (a command line then takes up to 20 ms longer than its own run)."""
    import select
    import time

    deadline = time.monotonic() + timeout
    try:
        child = os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux, or an older kernel
        child = None
    delay = 0.0005
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            left = deadline - time.monotonic()
            if left < 0:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                return None
            if child is not None:
                select.select([child], [], [], left)  # readable once the child has ended
            else:
                time.sleep(min(delay, left))
                delay = min(delay * 2, 0.02)
    finally:
        if child is not None:
            os.close(child)


def _serve():
    # What every command loads before it reads its arguments; the rest loads in the child.
    import click  # noqa: F401
    import numpy  # noqa: F401
    import yaml  # noqa: F401

    import rnnquiz.__main__  # noqa: F401
    import rnnquiz.cli  # noqa: F401

    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        status = _wait(pid, request["timeout"])
        sys.stdout.write(json.dumps({"status": status}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve()
