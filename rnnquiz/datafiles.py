"""Read a user's data file (a template file, a ``trace --weights`` file) without trusting it.

Only a regular file is read (a FIFO, a terminal, ``/dev/stdin`` or a device would hang or never
end), at most ``limit`` bytes, and the limit is enforced while reading, not from a size the file
could misstate. YAML is parsed with a SafeLoader subclass that refuses, before building
anything, a document nested deeper than MAX_DEPTH (the composer recurses; Python would stop
with RecursionError) or one that would expand, aliases counted, to more than MAX_NODES nodes
(a 670-byte "billion laughs" file expands to 10^9). Errors are :class:`DataFileError`, one line
naming the file (and line and column when the parser knows them).
"""

from __future__ import annotations

import os
import stat

from rnnquiz.errors import RnnquizError

MAX_FILE_BYTES = 1 << 20
MAX_DEPTH = 64
MAX_NODES = 1_000_000


class DataFileError(RnnquizError):
    """A data file that cannot be read or parsed; the message names the file."""


def read_text(path, limit: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of the regular file ``path``, at most ``limit`` bytes."""
    label = str(path)
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise DataFileError(f"{label}: cannot read: {e.strerror or e}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise DataFileError(f"{label}: is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise DataFileError(f"{label}: not a regular file (a pipe, a device or standard "
                                "input cannot be read; save it to a file first)")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError as e:
        raise DataFileError(f"{label}: cannot read: {e.strerror or e}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise DataFileError(f"{label}: file too large (more than {limit:,} bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise DataFileError(f"{label}: not UTF-8 text") from None


def load_yaml(text: str, label: str):
    """The YAML document in ``text`` (safe types only), bounded in depth and expanded size."""
    import yaml

    loader = _bounded_loader(yaml)(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise DataFileError(f"{label}{where}: YAML syntax error: {e.problem or e.context}") \
            from None
    except yaml.YAMLError as e:
        raise DataFileError(f"{label}: YAML error: {e}") from None
    except _Refused as e:
        mark = e.mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise DataFileError(f"{label}{where}: {e.reason}") from None
    except ValueError as e:  # a value the constructor cannot build: 2020-13-45, 5,000 digits
        reason = str(e).split(";")[0]
        raise DataFileError(f"{label}: YAML value error: {reason}") from None
    finally:
        loader.dispose()


class _Refused(Exception):
    def __init__(self, reason, mark):
        super().__init__(reason)
        self.reason = reason
        self.mark = mark


_LOADER = None


def _bounded_loader(yaml):
    """The SafeLoader subclass (built once, so that importing this module never loads yaml)."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER

    class BoundedLoader(yaml.SafeLoader):
        def __init__(self, stream):
            super().__init__(stream)
            self._depth = 0
            self._nodes = 0
            self._sizes = {}  # id(collection node) -> its size with aliases expanded

        def _grow(self, k, mark):
            self._nodes += k
            if self._nodes > MAX_NODES:
                raise _Refused(f"the document expands to more than {MAX_NODES:,} values "
                               "(aliases counted); refused", mark)

        def compose_node(self, parent, index):
            mark = self.peek_event().start_mark
            if self.check_event(yaml.AliasEvent):
                node = super().compose_node(parent, index)
                if isinstance(node, yaml.ScalarNode):
                    size = 1
                elif id(node) in self._sizes:
                    size = self._sizes[id(node)]
                else:
                    raise _Refused("an alias refers to a collection that contains it "
                                   "(a recursive document); refused", mark)
                self._grow(size, mark)
                return node
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nested more than {MAX_DEPTH} levels deep; refused", mark)
            nodes_before = self._nodes
            self._grow(1, mark)
            node = super().compose_node(parent, index)
            self._depth -= 1
            if not isinstance(node, yaml.ScalarNode):
                # the node stays alive (in the document) while composing, so its id is unique
                self._sizes[id(node)] = self._nodes - nodes_before
            return node

    _LOADER = BoundedLoader
    return _LOADER
