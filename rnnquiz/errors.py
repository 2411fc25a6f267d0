"""The package's own exception types.

The library raises these and never prints or exits; ``cli.py`` turns them into a one-line
message and an exit code (2 for a bad description given on the command line, 1 otherwise).
"""

from __future__ import annotations


class RnnquizError(Exception):
    """Base class of every error rnnquiz raises on purpose."""


class NetworkError(RnnquizError, ValueError):
    """A network description that cannot exist; ``field`` names the offending option (``"n"``)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message

    def __reduce__(self):  # pickled by its own arguments (a worker process sends it back)
        return (type(self), (self.field, self.reason))


class NoSolutionError(RnnquizError):
    """An inverse problem (a total given, a size wanted) that has no positive integer answer."""


class VerificationError(RnnquizError):
    """The NumPy witness and the rules engine disagree; the message names the difference."""


class ModelError(RnnquizError, ValueError):
    """A model line (or file) that cannot be read or cannot exist.

    ``column`` is the 1-based column in the line where the fault starts (None when unknown,
    e.g. for a file); the message already names it.
    """

    def __init__(self, message: str, column: int | None = None):
        super().__init__(f"column {column}: {message}" if column else message)
        self.column = column
        self.reason = message

    def __reduce__(self):
        return (type(self), (self.reason, self.column))
