"""The command-line fuzz (tests/fuzz_cli.py) in a process of its own, under a memory cap."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

FUZZ = Path(__file__).with_name("fuzz_cli.py")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc: Linux")
def test_fuzzed_command_lines_end_cleanly_in_bounded_time_and_memory(tmp_path):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               RNNQUIZ_FUZZ_EXAMPLES="150", TMPDIR=str(tmp_path))
    result = subprocess.run([sys.executable, str(FUZZ)], capture_output=True, text=True,
                            env=env, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    assert "150 command lines fuzzed" in result.stdout
