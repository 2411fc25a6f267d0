"""Keeping the user's history safe on disk: files moved aside, unsaved attempts, row checks.

Nothing here deletes or overwrites a file the user may want: a damaged history is moved aside
by hard-linking it to a name nobody has (``os.link`` never overwrites) and only then removing
the old name, under a lock on the folder so that two sessions moving the same file cannot both
do it. Attempts a session could not write go to a new ``unsaved-*.jsonl`` file (created with
O_EXCL), which the next session that can write the history imports under the same lock.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no folder lock; names stay unique through pid, time, counter
    fcntl = None

SIDECARS = ("-wal", "-shm", "-journal")  # SQLite's companions: they travel with the file
_counter = 0


def identity(path: Path):
    """(device, inode) of ``path``, or None when it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class FolderLock:
    """An exclusive lock on a folder (flock on the folder itself: no lock file left behind),
    waited for at most a given time, so a stuck session never hangs another."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.fd = None

    def acquire(self, timeout: float) -> bool:
        """True when held (or when the platform has no such lock); False after ``timeout``
        seconds or when the folder cannot be locked."""
        if fcntl is None:
            return True
        try:
            fd = os.open(self.folder, os.O_RDONLY)
        except OSError:
            return False
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.fd = fd
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.02)
            except OSError:
                break
        os.close(fd)
        return False

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock
            self.fd = None


def _fresh_name(path: Path, tag: str, suffix: str = "") -> Path:
    """``<name>.<tag>-<date-time>-<pid>-<counter><suffix>``: unique per process and call."""
    global _counter
    _counter += 1
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.name}.{tag}-{stamp}-{os.getpid()}-{_counter}{suffix}")


def _link_no_clobber(source: Path, target_for) -> Path:
    """Give ``source`` a second name from ``target_for()``, never replacing an existing file."""
    for _ in range(100):
        target = target_for()
        try:
            os.link(source, target)
            return target
        except FileExistsError:
            continue
        except OSError as e:
            if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                raise
            # no hard links on this file system: rename, having checked under our lock
            if os.path.lexists(target):
                continue
            os.rename(source, target)
            return target
    raise FileExistsError(errno.EEXIST, "no free name to move the history aside to")


def move_aside(path: Path, expected) -> Path | None:
    """Move the damaged file at ``path`` (with its -wal/-shm/-journal) to a unique name.

    ``expected`` is the identity the caller saw before finding the file damaged: if ``path``
    now names another file (someone moved it first, or started a new history), nothing is
    moved and None is returned, so a healthy file is never taken for the damaged one. The
    caller holds the FolderLock.
    """
    if expected is None or identity(path) != expected:
        return None
    aside = _link_no_clobber(path, lambda: _fresh_name(path, "corrupt"))
    for suffix in SIDECARS:
        companion = path.with_name(path.name + suffix)
        if os.path.lexists(companion):
            _link_no_clobber(companion, lambda s=suffix: aside.with_name(aside.name + s))
            with contextlib.suppress(FileNotFoundError):
                os.unlink(companion)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    return aside


def valid_row(row) -> bool:
    """(time, variant_id, skill, answer, correct, misconception) of the right types."""
    if len(row) != 6:
        return False
    when, variant_id, skill, answer, correct, misconception = row
    return (isinstance(when, (int, float)) and not isinstance(when, bool)
            and math.isfinite(when)
            and all(isinstance(s, str) for s in (variant_id, skill, answer))
            and type(correct) is int and correct in (0, 1)
            and (misconception is None or isinstance(misconception, str)))


def row_json(row) -> str:
    return json.dumps(list(row), ensure_ascii=False)


def write_unsaved(path: Path, rows) -> Path:
    """A new file beside ``path`` holding ``rows`` as JSON lines; nothing left if it fails."""
    target = _fresh_name(path, "unsaved", ".jsonl")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(row_json(row) + "\n")
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(target)
        raise
    return target


def _read_unsaved(file: Path) -> tuple:
    """(valid rows, how many lines were not a valid row)."""
    rows, bad = [], 0
    with open(file, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                row = tuple(json.loads(line))
            except (ValueError, TypeError):
                row = ()
            if valid_row(row):
                rows.append(row)
            elif line.strip():
                bad += 1
    return rows, bad


def import_unsaved(path: Path, insert, timeout: float) -> int:
    """Pass the rows of every ``unsaved-*.jsonl`` beside ``path`` to ``insert(rows)`` (one
    transaction each), then remove the file (or keep it as ``*.unreadable`` when some of its
    lines are not attempts); returns how many rows were taken in. Without
    the folder lock within ``timeout`` seconds, nothing is done (a later session does it)."""
    taken = 0
    files = sorted(path.parent.glob(f"{path.name}.unsaved-*.jsonl"))
    if not files:
        return 0
    lock = FolderLock(path.parent)
    if not lock.acquire(timeout):
        return 0
    try:
        for file in files:
            try:
                rows, bad = _read_unsaved(file)
            except FileNotFoundError:
                continue  # another session took it in first
            insert(rows)
            if bad:  # keep what could not be read, out of the way of the next import
                os.rename(file, file.with_name(file.name + ".unreadable"))
            else:
                os.unlink(file)
            taken += len(rows)
    finally:
        lock.release()
    return taken
