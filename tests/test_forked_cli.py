"""tests/forked_cli.py runs a command line as a process of its own would: the same output,
status and errors as ``python -m rnnquiz``, a timeout that kills, a memory cap that holds."""

import os
import subprocess
import sys

import forked_cli
import pytest

ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}


@pytest.mark.parametrize("args", [["count", "--m", "10", "--n", "20", "--p", "5"],
                                  ["count", "--m", "ten"],
                                  ["solve", "--total", "7", "--m", "10"],
                                  ["list"]])
def test_the_same_output_and_status_as_a_new_python(args, tmp_path):
    real = subprocess.run([sys.executable, "-m", "rnnquiz", *args], capture_output=True,
                          text=True, env=ENV, cwd=tmp_path, stdin=subprocess.DEVNULL)
    forked = forked_cli.run(args, env=ENV, cwd=tmp_path)
    assert (forked.returncode, forked.stdout, forked.stderr) == \
        (real.returncode, real.stdout, real.stderr)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_command_still_running_at_the_timeout_is_killed(tmp_path):
    fifo = tmp_path / "answers"
    os.mkfifo(fifo)  # nobody writes: the child waits in open()
    with pytest.raises(subprocess.TimeoutExpired):
        forked_cli.run(["practice", "--count", "1"], env=ENV, timeout=0.2, stdin=fifo)
    assert forked_cli.run(["count", "--m", "1", "--n", "1"], env=ENV).returncode == 0


def test_the_memory_cap_holds_in_the_child_only():
    # a cap below what the loaded process already maps: the child's first large allocation fails
    args = ["trace", "--T", "50", "--m", "64", "--n", "64", "--p", "64", "--json"]
    assert forked_cli.run(args, env=ENV, memory=2**20).returncode != 0
    assert forked_cli.run(args, env=ENV).returncode == 0


@pytest.mark.parametrize("code", ["print('ok')", "raise SystemExit(3)", "1 / 0",
                                  "import sys; sys.exit('bye')", "import sys; sys.exit()",
                                  "import sys; print(sys.argv[1:], __name__)"])
def test_a_script_ends_as_in_a_new_python(code, tmp_path):
    script = tmp_path / "script.py"
    script.write_text(code)
    real = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=ENV, cwd=tmp_path, stdin=subprocess.DEVNULL)
    forked = forked_cli.run_python(code, env=ENV, cwd=tmp_path)
    assert (forked.returncode, forked.stdout) == (real.returncode, real.stdout)
    assert forked.stderr.splitlines()[-1:] == real.stderr.splitlines()[-1:]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600)])
def test_the_child_creates_files_under_the_umask_it_is_given(umask, mode, tmp_path):
    args = ["export", "--format", "json", "--count", "1", "--seed", "1", "-o", "out.json"]
    assert forked_cli.run(args, env=ENV, cwd=tmp_path, umask=umask).returncode == 0
    assert (tmp_path / "out.json").stat().st_mode & 0o777 == mode
