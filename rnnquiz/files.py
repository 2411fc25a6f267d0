"""Writing the user's files safely: complete or not at all, with the mode the user expects.

A regular file is written to a temporary file in the same folder, then renamed over the target,
so an existing file is replaced only once the new one is complete. The new file follows the
umask (a replaced file keeps its mode); through a symlink the link's target is replaced and the
link kept; a target that is not a regular file (a FIFO, a device such as /dev/null, a terminal)
is written to directly and never replaced.

Temporary files still in progress are listed, so that a signal handler (the CLI installs them
for SIGTERM and SIGHUP) can remove them with ``remove_temporary_files()`` before it exits.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile

TEMP_PREFIX = ".rnnquiz-"
_pending: set = set()  # temporary files and folders not yet renamed or removed


def remove_temporary_files() -> None:
    """Remove every temporary file or folder this process is still writing (signal handlers)."""
    for path in list(_pending):
        _remove(path)


def _remove(path) -> None:
    _pending.discard(path)
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:  # already gone, or not ours to remove any more: nothing to clean
        pass


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def is_special(path) -> bool:
    """Whether ``path`` (after symlinks) exists and is not a regular file or a folder: a FIFO,
    a device, a socket. Such a target is written to, never replaced."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def temporary_folder():
    """A private temporary folder, removed on leaving the block and by
    ``remove_temporary_files()``; yields its path."""
    folder = tempfile.mkdtemp(prefix=TEMP_PREFIX)
    _pending.add(folder)
    try:
        yield folder
    finally:
        _remove(folder)


@contextlib.contextmanager
def replacing(path):
    """Yield a temporary path to write in full; on success it becomes ``path``.

    For a regular (or new) target the temporary file sits beside the real target (symlinks
    followed) and is renamed over it with the old file's mode, owner and group (a new file's
    mode from the umask); for a FIFO or a device its content is copied into the target. On
    any exception, signals included, the temporary file is removed.
    Raises OSError when the folder cannot be written or the existing file is read-only (the
    caller names ``path``).
    """
    if is_special(path):  # os.stat follows every link, /proc's (/dev/stdout) included
        with temporary_folder() as folder:
            tmp = os.path.join(folder, "output")
            yield tmp
            with open(tmp, "rb") as src, open(path, "wb") as dst:
                shutil.copyfileobj(src, dst)
        return
    target, old = _replaceable(path)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=os.path.dirname(target))
    _pending.add(tmp)
    try:
        os.close(fd)
        yield tmp
        _put_in_place(tmp, target, old)
        _pending.discard(tmp)
    finally:
        if tmp in _pending:
            _remove(tmp)


def _replaceable(path) -> tuple:
    """(the real target of ``path``, its os.stat or None when it does not exist yet); raises
    PermissionError when the user made it read-only (the folder may allow the rename)."""
    target = os.path.realpath(path)
    try:
        old = os.stat(target)
    except FileNotFoundError:
        old = None
    if old is not None and not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
    return target, old


def _put_in_place(tmp, target, old) -> None:
    """Rename the finished ``tmp`` over ``target`` with the old file's mode, owner and group
    (a new file's mode from the umask)."""
    if old is not None:
        _keep_owner(tmp, old)
    os.chmod(tmp, stat.S_IMODE(old.st_mode) if old is not None else 0o666 & ~_umask())
    os.replace(tmp, target)


@contextlib.contextmanager
def staged_files():
    """Yield ``stage(path, text)``: each file is written at once into one temporary folder
    beside the targets, and every one is renamed into place (as ``replacing`` would, mode and
    owner kept) when the block ends without an error, in the order staged; an error or a
    signal removes the folder and leaves every target as it was, and a process killed outright
    leaves that one folder, not a file per target. A path staged again keeps its first text; a
    FIFO or a device is written when the block ends.

    For many files made one by one (an export's figures): each is written while the rest are
    still being made, and only the renames wait for the end. Raises OSError: while staging,
    as ``replacing`` does (the caller knows which file it was staging); at the end, with the
    staged path as its ``filename``."""
    folders = {}  # target folder -> the temporary folder in it
    staged = {}  # path -> (temporary file, real target, its old stat) or the text, if special

    def stage(path, text: str) -> None:
        if path in staged:
            return
        if is_special(path):
            staged[path] = text
            return
        target, old = _replaceable(path)
        if os.path.isdir(target):  # refused now, before anything lands, not at the rename
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        where = os.path.dirname(target)
        if where not in folders:
            folders[where] = tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=where)
            _pending.add(folders[where])
        tmp = os.path.join(folders[where], str(len(staged)))
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        staged[path] = (tmp, target, old)

    try:
        yield stage
        for path, item in staged.items():
            try:
                if isinstance(item, str):
                    write_atomically(path, item)
                else:
                    _put_in_place(*item)
            except OSError as e:  # named by the path staged, not the temporary file's
                raise OSError(e.errno, e.strerror, str(path)) from None
    finally:
        for folder in folders.values():
            _remove(folder)


def _keep_owner(tmp, old) -> None:
    """Give the new file the old one's owner and group, as far as we may (root replacing a
    user's file must not take it over)."""
    new = os.stat(tmp)
    if (new.st_uid, new.st_gid) != (old.st_uid, old.st_gid) and hasattr(os, "chown"):
        try:
            os.chown(tmp, old.st_uid, old.st_gid)
        except OSError:
            try:  # a user may still keep the group, if they belong to it
                os.chown(tmp, -1, old.st_gid)
            except OSError:
                pass


def write_atomically(path, data) -> None:
    """Write ``data`` (str, as UTF-8, bytes, or an iterable of str pieces) to ``path``
    completely or not at all (see ``replacing``; an error while the pieces are made leaves the
    old file untouched). Raises OSError."""
    binary = isinstance(data, bytes)
    with replacing(path) as tmp:
        with open(tmp, "wb" if binary else "w",
                  **({} if binary else {"encoding": "utf-8"})) as f:
            if isinstance(data, str | bytes):
                f.write(data)
            else:
                f.writelines(data)
