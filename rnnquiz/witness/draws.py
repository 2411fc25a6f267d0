"""The witness's random draws: what ``np.random.default_rng(seed)`` gives, the same values in
the same order, the first of them copied from one store per process instead of drawn again.

Every check builds its witness from the same seeds (0 for the weights, 1 for an input), so
the weights of every model are the first values of one and the same stream. Drawing them
anew took about a tenth of a problem's generation (a PCG64 double costs about 3 ns, copying
one about 0.3 ns). :func:`replay` returns a stand-in for ``np.random.default_rng(seed)``
whose ``random`` and ``standard_normal`` copy from the seed's store while the calls follow
one another from the stream's start; any other call (``integers``, a float32 draw, the
other kind after the first) goes to a real Generator brought to the same point of the
stream, and so does every call after it. Either way the values are the ones
``np.random.default_rng(seed)`` would have given to the same calls: no check sees anything
else.
"""

from __future__ import annotations

import _thread  # its lock: the threading module is 5 ms to import, and nothing else needs it
import copy
import math
import operator
import os
import weakref

import numpy as np

STORE_LIMIT = 1 << 20  # values of one kind kept per seed: 8 MB of float64
# Seeds and kinds kept at once, the oldest going first: the checks use two, (0, "random") for
# weights and (1, "standard_normal") for inputs. At most STORES x 8 MB per process, and those
# an older replay still holds (an evicted store lives on while a replay of it does).
STORES = 4


class _Store:
    """The first values of ``getattr(np.random.default_rng(seed), kind)()``, grown on demand
    (read-only: what a replay hands out is always a copy).

    The values are drawn into one buffer of STORE_LIMIT values, allocated at once but backed by
    memory only as far as it is drawn into (its pages are the system's until first written):
    growing it copies nothing, and a store that ends at 600,000 values holds 4.8 MB, not a
    doubling's 8 MB plus the copy's 4 MB (they raised an export's peak by 12 to 24 MB)."""

    def __init__(self, seed: int, kind: str):
        self._seed = seed
        self._generator = None  # made at the first growth (see upto)
        self._kind = kind
        self._lock = _thread.allocate_lock()  # two threads growing it at once would skip values
        self._buffer = np.empty(STORE_LIMIT)
        self.values = self._buffer[:0]
        _EVERY_STORE.add(self)

    def _after_fork(self):
        """In a forked child (one thread): a thread of the parent may have held the lock, or
        been halfway through a draw (the generator ahead of ``values``, its own lock held), at
        the fork. A new lock, and a generator brought again to the end of ``values``."""
        self._lock = _thread.allocate_lock()
        self._generator = None

    def upto(self, end: int) -> np.ndarray:
        """The store, holding at least ``end`` values."""
        values = self.values
        if end > len(values):
            with self._lock:
                values = self.values
                if end > len(values):
                    have = len(values)
                    # The generator is at the end of the values while it is kept; None from
                    # the draw to the new values' place (an exception there, Ctrl-C say, left
                    # it ahead of them: values skipped) and after a fork: then made again.
                    generator = self._generator or _generator_at(self._seed, self._kind, have)
                    self._generator = None
                    grow = max(min(2 * have, STORE_LIMIT), end, 4096)
                    if grow > len(self._buffer):  # (STORE_LIMIT was raised since)
                        buffer = np.empty(max(grow, STORE_LIMIT))
                        buffer[:have] = values
                        self._buffer = buffer
                    # Readers hold views of the values before ``have``: only past it is written.
                    getattr(generator, self._kind)(out=self._buffer[have:grow])
                    values = self._buffer[:grow]
                    values.flags.writeable = False
                    self.values = values
                    self._generator = generator
        return values


_STORES: dict = {}
_EVERY_STORE: weakref.WeakSet = weakref.WeakSet()  # the evicted ones that replays still hold too
_STORES_LOCK = _thread.allocate_lock()


def _after_fork_in_child():
    global _STORES_LOCK
    _STORES_LOCK = _thread.allocate_lock()
    for store in list(_EVERY_STORE):
        store._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _generator_at(seed: int, kind, used: int) -> np.random.Generator:
    """``np.random.default_rng(seed)`` after ``used`` draws of one value of ``kind``."""
    generator = np.random.default_rng(seed)
    if kind == "random":  # one 64-bit step per double
        generator.bit_generator.advance(used)
    elif kind == "standard_normal":  # a varying number of steps: draw them again
        generator.standard_normal(used)
    return generator


def _store(seed: int, kind: str) -> _Store:
    store = _STORES.get((seed, kind))
    if store is None:
        with _STORES_LOCK:
            store = _STORES.get((seed, kind))
            if store is None:
                if len(_STORES) >= STORES:
                    del _STORES[next(iter(_STORES))]
                store = _STORES[(seed, kind)] = _Store(seed, kind)
    return store


def _shape(size, out):
    """The shape a call asks for, or None when the call must go to a real Generator, which
    gives what numpy gives or raises what numpy raises: no size, an out array that is not an
    aligned, writable, C-contiguous float64 ndarray, a size that is not one (a bool, a float,
    a negative or a huge dimension)."""
    if out is not None:
        if size is not None or not isinstance(out, np.ndarray) or out.dtype != np.float64 \
                or not (out.flags.c_contiguous and out.flags.writeable and out.flags.aligned):
            return None
        return out.shape
    if size is None:
        return None
    sizes = size if isinstance(size, tuple | list) else (size,)
    try:
        shape = tuple(map(operator.index, sizes))
    except TypeError:
        return None
    for s, given in zip(shape, sizes, strict=False):  # (operator.index reads True as 1)
        if not 0 <= s <= STORE_LIMIT or given is True or given is False:
            return None
    return shape


class Replay:
    """A stand-in for ``np.random.default_rng(seed)`` (see the module's docstring): the same
    draws for the same calls, ``random`` and ``standard_normal`` from the store while they can.

    One replay belongs to one thread: two threads drawing from one replay at once may be given
    the same values (a Generator's draws take its bit generator's lock; a lock here would cost
    every draw). Replays of one seed in different threads are safe (the store has a lock).
    """

    def __init__(self, seed: int):
        self._seed = operator.index(seed)
        self._kind = None  # the one kind drawn so far, while every draw came from the store
        self._used = 0  # values of that kind drawn so far
        self._real = None  # the real Generator, once a call needed one
        self._store = None  # the store of that kind for this seed

    def random(self, size=None, dtype=np.float64, out=None):
        return self._draw("random", size, dtype, out)

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        return self._draw("standard_normal", size, dtype, out)

    def _draw(self, kind, size, dtype, out):
        if self._real is None and (self._kind is None or self._kind == kind) \
                and (dtype is np.float64 or dtype is float):
            shape = (size,) if type(size) is int and size >= 0 and out is None \
                else _shape(size, out)
            if shape is not None:
                start = self._used
                end = start + (shape[0] if len(shape) == 1 else math.prod(shape))
                if end <= STORE_LIMIT:
                    store = self._store
                    if store is None:
                        store = self._store = _store(self._seed, kind)
                    values = store.upto(end)[start:end]
                    self._kind, self._used = kind, end
                    if out is not None:
                        out.reshape(-1)[...] = values
                        return out
                    return values.reshape(shape).copy() if len(shape) != 1 else values.copy()
        return getattr(self.generator(), kind)(size, dtype=dtype, out=out)

    def generator(self) -> np.random.Generator:
        """The real Generator at the point of the stream this replay has reached; from now on
        every draw is its."""
        if self._real is None:
            self._real = _generator_at(self._seed, self._kind, self._used)
        return self._real

    def __getstate__(self):  # the store is found again from the seed (a lock cannot be pickled)
        return {**self.__dict__, "_store": None}

    def __copy__(self):  # as a Generator's copy: one of its own, from the same point on
        return copy.deepcopy(self)

    def __getattr__(self, name):  # integers, choice, ...: the real Generator's
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.generator(), name)


def replay(seed: int) -> Replay:
    """What ``np.random.default_rng(seed)`` gives, faster (see the module's docstring)."""
    return Replay(seed)
