"""Writing the user's files safely."""

from __future__ import annotations

import os
import tempfile


def write_atomically(path, data) -> None:
    """Write ``data`` (str, bytes, or an iterable of str pieces) to a temporary file beside
    ``path``, then rename it over ``path``: an existing file is replaced only once the new one
    is complete (an error while the pieces are made leaves it untouched)."""
    folder = os.path.dirname(os.path.abspath(path))
    binary = isinstance(data, bytes)
    fd, tmp = tempfile.mkstemp(prefix=".rnnquiz-", dir=folder)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else
                                                        {"encoding": "utf-8"})) as f:
            if isinstance(data, str | bytes):
                f.write(data)
            else:
                f.writelines(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
