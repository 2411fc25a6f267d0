"""Standard streams for the command line, handled the way a good Unix tool handles them.

- A closed pipe on standard output (``rnnquiz export ... | head``) ends the command quietly,
  exit status 1 (the output is incomplete; no message, no traceback).
- Any other failure to write standard output (``> /dev/full``, a closed ``>&-`` descriptor, an
  I/O error) is one line on standard error and exit status 1.
- A standard descriptor closed at start gets /dev/null (standard output read-only, so writing
  to it fails instead of vanishing), so no file opened later takes its number and receives
  what was meant for the terminal.

Used by ``rnnquiz.__main__`` (the click-free fast path) and ``rnnquiz.cli``: standard library
only, and it never imports click.
"""

from __future__ import annotations

import errno
import os
import sys

EXIT_OUTPUT_FAILED = 1


class StreamError(Exception):
    """Writing standard output or standard error failed; ``stream`` names which, ``error`` is
    the OSError."""

    def __init__(self, stream: str, error: OSError):
        super().__init__(f"cannot write to standard {stream[3:]}: "
                         f"{error.strerror or error}")
        self.stream = stream
        self.error = error


def reopen_closed() -> None:
    """Give /dev/null to descriptors 0, 1 and 2 when they are closed (see the module's note)."""
    for fd, flags, name in ((0, os.O_RDONLY, "stdin"), (1, os.O_RDONLY, "stdout"),
                            (2, os.O_WRONLY, "stderr")):
        try:
            os.fstat(fd)
            continue
        except OSError:
            pass
        try:
            null = os.open(os.devnull, flags)
        except OSError:  # pragma: no cover - no /dev/null: nothing better to do
            continue
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
        if getattr(sys, name, None) is None:
            setattr(sys, name, open(fd, "r" if fd == 0 else "w", encoding="utf-8",
                                    errors="backslashreplace", closefd=False))


CHUNK = 8192  # characters; see write_stdout


def write_stdout(text: str) -> None:
    """Write ``text`` to standard output and flush (OSError when that fails).

    Long text goes in chunks the size of the stream's buffer: handed a single long string, a
    buffered writer whose first write to a pipe is cut short by the reader closing (``| head``)
    was seen to return without an error, ending the command with status 0 and half its output.
    """
    for start in range(0, len(text), CHUNK):
        sys.stdout.write(text[start:start + CHUNK])
    sys.stdout.flush()


def failed_stream(error: BaseException):
    """``"stdout"`` or ``"stderr"`` when ``error`` (an OSError) was raised writing that standard
    stream, through ``write_stdout`` or click's ``echo``; None for any other error."""
    if isinstance(error, StreamError):
        return error.stream
    if not isinstance(error, OSError):
        return None
    tb = error.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code is write_stdout.__code__:
            return "stdout"
        if frame.f_code.co_name == "echo" and frame.f_globals.get("__name__") == "click.utils":
            return "stderr" if frame.f_locals.get("err") else "stdout"
        tb = tb.tb_next
    return None


def silence(fd: int) -> None:
    """Point ``fd`` at /dev/null, so what is still buffered for it goes nowhere at exit instead
    of failing again ("Exception ignored ... BrokenPipeError")."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except OSError:  # pragma: no cover
        pass


def _fd(stream, default: int) -> int:
    try:
        return stream.fileno()
    except Exception:  # a replaced stream (tests, an embedding program) has no descriptor
        return default


def give_up(error: BaseException) -> int:
    """End a command whose standard output or error failed: quietly for a closed pipe, else one
    line on standard error. Returns the exit status."""
    stream = failed_stream(error)
    cause = error.error if isinstance(error, StreamError) else error
    broken = isinstance(cause, BrokenPipeError) or getattr(cause, "errno", None) == errno.EPIPE
    target = sys.stdout if stream == "stdout" else sys.stderr
    if _fd(target, -1) >= 0:
        silence(_fd(target, -1))
    if not broken and stream == "stdout":
        try:
            sys.stderr.write(f"Error: cannot write to standard output: "
                             f"{cause.strerror or cause}\n")
            sys.stderr.flush()
        except (OSError, ValueError, AttributeError):
            pass
    return EXIT_OUTPUT_FAILED
