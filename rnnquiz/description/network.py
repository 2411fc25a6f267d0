"""The description of a recurrent network: sizes m, n, p, T and every option that changes a count.

Pure standard library, and only the cheapest of it: ``rnnquiz count`` imports this module on
its fast path, so it must not pull in typing, dataclasses, enum, re or json.
"""

from __future__ import annotations

from rnnquiz.errors import NetworkError

CELLS = ("rnn", "lstm", "gru")
CONVENTIONS = ("textbook", "pytorch", "keras")
LAYOUTS = ("out-in", "in-out")
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
NATIVE_LAYOUT = {"textbook": "out-in", "pytorch": "out-in", "keras": "in-out"}
# The rules engine lists every tensor of every layer, so the depth is bounded. Sizes and T only
# enter exact closed forms; their bound keeps every figure printable (Python refuses to print
# integers of more than 4,300 digits, and a count is a product of two sizes).
MAX_LAYERS = 1000
MAX_SIZE = 10**100

_FIELDS = (
    "m", "n", "p", "T", "cell", "layers", "bidirectional", "bias", "convention",
    "reset_after", "proj_size", "layout",
)


def shown(value) -> str:
    """A value for an error message: short even when it is an integer of a million digits."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"a {'negative ' if value < 0 else ''}number of about " \
               f"{int(value.bit_length() * 0.30103) + 1:,} digits"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def integer(field: str, value, *, low: int = 1, high: int | None = None) -> int:
    """``value`` as a plain int in [low, high]: any integral number (NumPy's too), never a bool.

    Raises NetworkError naming ``field``; ``high`` None means no upper bound.
    """
    kind = "a positive integer" if low == 1 else f"an integer of at least {low}"
    index = getattr(type(value), "__index__", None)
    if isinstance(value, bool) or index is None:
        raise NetworkError(field, f"must be {kind}, got {shown(value)}")
    value = int(index(value))
    if value < low:
        raise NetworkError(field, f"must be {kind}, got {shown(value)}")
    if high is not None and value > high:
        limit = "10^100" if high == MAX_SIZE else f"{high:,}"
        raise NetworkError(field, f"must be at most {limit}, got {shown(value)}")
    return value


def _positive(field: str, value, *, optional: bool = False, high: int | None = None):
    if type(value) is int and value >= 1 and (high is None or value <= high):
        return value  # integer()'s answer for a plain int in range, without its checks
    if value is None and optional:
        return None
    return integer(field, value, high=high)


def _choice(field: str, value, choices) -> str:
    if type(value) is str and value in choices:
        return value  # already one of the lower-case choices
    text = str(value).lower() if isinstance(value, str) else value
    if text not in choices:
        raise NetworkError(field, f"must be one of {', '.join(choices)}, got {value!r}")
    return text


def _flag(field: str, value) -> bool:
    if not isinstance(value, bool):
        raise NetworkError(field, f"must be true or false, got {value!r}")
    return value


_REPLACED: dict = {}  # (fields, changes) -> the Network they make (see Network.replace)


class Network:
    """An RNN described the way an exam (or a framework) describes it.

    m input size, n hidden size, p output size (None: no output layer), T sequence length
    (None: not given; it never changes a count), each a positive integer up to MAX_SIZE (an
    ``int`` or any integral number such as ``numpy.int64``; never a bool), cell
    ``rnn|lstm|gru``, ``layers`` stacked layers (1 to MAX_LAYERS), ``bidirectional`` (D = 2),
    ``bias`` (B), ``convention`` ``textbook|pytorch|keras``,
    ``reset_after`` (Keras GRU only), ``proj_size`` r (PyTorch LSTM only, 0 < r < n; 0 = none)
    and ``layout`` (``out-in``: W_xh is (n, m); ``in-out``: (m, n); None = the convention's own).

    Immutable; invalid descriptions raise :class:`NetworkError` naming the field.
    """

    __slots__ = (*_FIELDS, "_key")

    def __init__(
        self,
        m: int,
        n: int,
        p: int | None = None,
        T: int | None = None,  # noqa: N803 - T is the project's name for sequence length
        cell: str = "rnn",
        layers: int = 1,
        bidirectional: bool = False,
        bias: bool = True,
        convention: str = "textbook",
        reset_after: bool = True,
        proj_size: int = 0,
        layout: str | None = None,
    ):
        s = object.__setattr__
        s(self, "m", _positive("m", m, high=MAX_SIZE))
        s(self, "n", _positive("n", n, high=MAX_SIZE))
        s(self, "p", _positive("p", p, optional=True, high=MAX_SIZE))
        s(self, "T", _positive("T", T, optional=True, high=MAX_SIZE))
        cell = _choice("cell", cell, CELLS)
        s(self, "cell", cell)
        s(self, "layers", _positive("layers", layers, high=MAX_LAYERS))
        s(self, "bidirectional", _flag("bidirectional", bidirectional))
        s(self, "bias", _flag("bias", bias))
        convention = _choice("convention", convention, CONVENTIONS)
        s(self, "convention", convention)
        s(self, "reset_after", _flag("reset_after", reset_after))
        if proj_size is None:
            proj_size = 0
        index = getattr(type(proj_size), "__index__", None)
        if isinstance(proj_size, bool) or index is None or index(proj_size) < 0:
            raise NetworkError("proj_size", f"must be a non-negative integer, got "
                                            f"{shown(proj_size)}")
        proj_size = int(index(proj_size))
        if proj_size:
            if convention != "pytorch" or cell != "lstm":
                raise NetworkError(
                    "proj_size", "applies only to a PyTorch LSTM (--cell lstm --convention pytorch)"
                )
            if proj_size >= self.n:
                raise NetworkError("proj_size", f"must be smaller than the hidden size "
                                                f"n = {self.n}, got {shown(proj_size)}")
        s(self, "proj_size", proj_size)
        if layout is not None:
            layout = _choice("layout", layout, LAYOUTS)
            native = NATIVE_LAYOUT[convention]
            if convention != "textbook" and layout != native:
                raise NetworkError(
                    "layout",
                    f"{convention} always stores weights {native}; "
                    "a layout override is for the textbook convention",
                )
        s(self, "layout", layout)
        s(self, "_key", (self.m, self.n, self.p, self.T, cell, self.layers, bidirectional,
                         bias, convention, reset_after, proj_size, layout))

    def __reduce__(self):  # pickled by its fields (a process pool sends problems back)
        return (Network, self._key)

    def __setattr__(self, name, value):
        raise AttributeError("Network is immutable; use .replace(...)")

    @property
    def gates(self) -> int:
        """G: gate blocks of the cell (RNN 1, LSTM 4, GRU 3)."""
        return GATES[self.cell]

    @property
    def directions(self) -> int:
        """D: 2 when bidirectional, else 1."""
        return 2 if self.bidirectional else 1

    @property
    def effective_layout(self) -> str:
        """``out-in`` or ``in-out``: the layout the weights are stated in."""
        return self.layout or NATIVE_LAYOUT[self.convention]

    def as_dict(self) -> dict:
        """The description as plain values, in a stable order."""
        return {f: getattr(self, f) for f in _FIELDS}

    def replace(self, **changes) -> Network:
        """A copy with some fields changed (validated again); itself when nothing changes.

        Networks are immutable, so the drill's many identical replacements share one result.
        """
        try:  # the types too: replace(bias=1) is refused, replace(bias=True) is not
            key = (self._key, tuple(changes.items()), tuple(map(type, changes.values())))
            known = _REPLACED.get(key)
        except TypeError:  # an unhashable value: validation below says what is wrong
            key = known = None
        if known is not None:
            return known
        values = dict(zip(_FIELDS, self._key, strict=True))
        if all(k in values and values[k] == v and type(values[k]) is type(v)
               for k, v in changes.items()):
            made = self
        else:
            values.update(changes)
            made = Network(**values)
        if key is not None:
            if len(_REPLACED) >= 4096:
                _REPLACED.clear()
            _REPLACED[key] = made
        return made

    def __eq__(self, other):
        if not isinstance(other, Network):
            return NotImplemented
        return self._key == other._key

    def __hash__(self):
        return hash(self._key)

    def __repr__(self):
        defaults = Network(1, 1).as_dict()
        parts = [f"m={self.m}", f"n={self.n}"]
        for f in _FIELDS[2:]:
            value = getattr(self, f)
            if value != defaults[f]:
                parts.append(f"{f}={value!r}")
        return f"Network({', '.join(parts)})"
