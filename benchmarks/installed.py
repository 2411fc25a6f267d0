"""Which `rnnquiz` a benchmark times: the one installed beside the Python running it.

`shutil.which("rnnquiz")` finds whatever comes first on PATH: with a virtual environment's
Python run without activating it, that was another install's script or a version manager's
shim (which starts a shell and a second program first: `count` then measured 1.8x `python -c
pass` instead of 1.0x). The entry point in the interpreter's own scripts folder is the
install the benchmark's `python -c pass` belongs to.
"""

from __future__ import annotations

import os
import sys
import sysconfig


def rnnquiz_command() -> list:
    """The command that runs this interpreter's rnnquiz: its console script, else
    ``python -m rnnquiz``."""
    for folder in (os.path.dirname(sys.executable), sysconfig.get_path("scripts")):
        script = os.path.join(folder, "rnnquiz")
        if os.path.isfile(script) and os.access(script, os.X_OK):
            return [script]
    return [sys.executable, "-m", "rnnquiz"]


def describe(command) -> str:
    """One line naming what is timed, for the benchmark's header."""
    return f"timing {' '.join(command)}"
