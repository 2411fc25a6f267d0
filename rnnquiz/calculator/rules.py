"""The rules engine: a network description -> named tensors, shapes, counts and unrolled figures.

Pure standard library (no numpy, no click, no typing): ``rnnquiz count`` runs this module on its
fast path. Every answer rnnquiz gives comes from here; the NumPy witness in ``rnnquiz.witness``
checks it independently.
"""

from __future__ import annotations

from rnnquiz.description.network import Network, shown
from rnnquiz.errors import NetworkError

# Gate blocks in each convention's own order, with the letter its documentation uses.
GATE_ORDER = {
    ("textbook", "lstm"): (("i", "input gate"), ("f", "forget gate"),
                           ("c", "candidate cell"), ("o", "output gate")),
    ("textbook", "gru"): (("r", "reset gate"), ("z", "update gate"), ("h", "candidate state")),
    ("pytorch", "lstm"): (("i", "input gate"), ("f", "forget gate"),
                          ("g", "cell candidate"), ("o", "output gate")),
    ("pytorch", "gru"): (("r", "reset gate"), ("z", "update gate"), ("n", "new gate")),
    ("keras", "lstm"): (("i", "input gate"), ("f", "forget gate"),
                        ("c", "cell candidate"), ("o", "output gate")),
    ("keras", "gru"): (("z", "update gate"), ("r", "reset gate"), ("h", "candidate")),
}

# Other names for the single-layer textbook RNN's five tensors (see CONVENTIONS.md).
TEXTBOOK_ALIASES = {
    "W_xh": ("U", "Wxh", "Wax", "A"),
    "W_hh": ("W", "Whh", "Waa"),
    "b_h": ("b", "bh", "ba"),
    "W_hy": ("V", "Why", "Wya"),
    "b_y": ("c", "by"),
}

KERAS_LAYER = {"rnn": "simple_rnn", "lstm": "lstm", "gru": "gru"}


class Tensor:
    """One named parameter tensor: its shape, role and the one-line reason for that shape."""

    __slots__ = ("name", "shape", "role", "reason", "aliases", "layer", "direction", "is_bias")

    def __init__(self, name, shape, role, reason, *, aliases=(), layer=None, direction=None,
                 is_bias=False):
        self.name = name
        self.shape = tuple(shape)
        self.role = role
        self.reason = reason
        self.aliases = tuple(aliases)
        self.layer = layer
        self.direction = direction
        self.is_bias = is_bias

    @property
    def parameters(self) -> int:
        """Number of scalars in the tensor: the product of its shape."""
        total = 1
        for dim in self.shape:
            total *= dim
        return total

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "shape": list(self.shape),
            "parameters": self.parameters,
            "role": self.role,
            "reason": self.reason,
            "aliases": list(self.aliases),
            "layer": self.layer,
            "direction": self.direction,
            "bias": self.is_bias,
        }

    def __repr__(self):
        return f"Tensor({self.name!r}, {self.shape!r})"


class Unrolled:
    """What T changes: the work of one forward pass and what BPTT keeps, never the count."""

    __slots__ = ("T", "copies", "multiply_adds", "multiply_adds_last_output", "hidden_states",
                 "stored_values", "unshared_parameters", "recurrent_applications")

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}


class Count:
    """The engine's answer for one description: tensors, both totals and the unrolled figures.

    ``tensors`` follow the description's bias setting; ``with_bias`` and ``without_bias`` are
    always both given, ``total`` is the one for the chosen setting.
    """

    __slots__ = ("network", "tensors", "with_bias", "without_bias", "unrolled")

    def __init__(self, network, tensors, with_bias, without_bias, unrolled):
        self.network = network
        self.tensors = tensors
        self.with_bias = with_bias
        self.without_bias = without_bias
        self.unrolled = unrolled

    @property
    def total(self) -> int:
        return self.with_bias if self.network.bias else self.without_bias

    def shapes(self) -> dict:
        """Tensor name -> shape, in the engine's order."""
        return {t.name: t.shape for t in self.tensors}

    def as_dict(self) -> dict:
        return {
            "network": self.network.as_dict(),
            "layout": self.network.effective_layout,
            "tensors": [t.as_dict() for t in self.tensors],
            "parameters": {
                "with_bias": self.with_bias,
                "without_bias": self.without_bias,
                "total": self.total,
            },
            "T_changes_count": False,
            "unrolled": self.unrolled.as_dict() if self.unrolled else None,
        }


def _plural(k: int, word: str) -> str:
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


def _input_words(net: Network, layer: int) -> str:
    """What layer ``layer`` (0-based) reads, in words."""
    if layer == 0:
        return _plural(net.m, "input")
    width = net.proj_size or net.n
    if net.bidirectional:
        return f"{2 * width} outputs of layer {layer}, both directions"
    return f"{_plural(width, 'output')} of layer {layer}"


def _layer_inputs(net: Network, layer: int) -> int:
    if layer == 0:
        return net.m
    return net.directions * (net.proj_size or net.n)


def _orient(net: Network, out_dim: int, in_dim: int) -> tuple:
    return (out_dim, in_dim) if net.effective_layout == "out-in" else (in_dim, out_dim)


# --- textbook ---------------------------------------------------------------------------------

def _textbook_suffix(net: Network, layer: int, direction: str | None) -> str:
    parts = []
    if net.layers > 1:
        parts.append(str(layer + 1))
    if direction:
        parts.append(direction)
    return f"^({','.join(parts)})" if parts else ""


def _textbook_layer(net: Network, layer: int, direction: str | None) -> list:
    n, ins = net.n, _layer_inputs(net, layer)
    sfx = _textbook_suffix(net, layer, direction)
    reads = _input_words(net, layer)
    simple = net.layers == 1 and not net.bidirectional
    out = []
    if net.cell == "rnn":
        gates = (("h", "hidden state"),)
    else:
        gates = GATE_ORDER[("textbook", net.cell)]
    for letter, gate in gates:
        who = "hidden neurons" if net.cell == "rnn" else f"{gate} neurons"
        xname, hname, bname = f"W_x{letter}{sfx}", f"W_h{letter}{sfx}", f"b_{letter}{sfx}"
        common = {"layer": layer + 1, "direction": direction}
        out.append(Tensor(
            xname, _orient(net, n, ins),
            "input->hidden" if net.cell == "rnn" else f"input->{gate}",
            f"each of the {n} {who} connects to each of the {reads}",
            aliases=TEXTBOOK_ALIASES.get(xname, ()) if simple else (), **common))
        out.append(Tensor(
            hname, _orient(net, n, n),
            "hidden->hidden" if net.cell == "rnn" else f"hidden->{gate}",
            f"each of the {n} {who} connects to every one of the {n} hidden neurons "
            "of the previous step, itself included",
            aliases=TEXTBOOK_ALIASES.get(hname, ()) if simple else (), **common))
        if net.bias:
            out.append(Tensor(
                bname, (n,), "hidden bias" if net.cell == "rnn" else f"{gate} bias",
                f"one bias per {who[:-1]}",
                aliases=TEXTBOOK_ALIASES.get(bname, ()) if simple else (), is_bias=True,
                **common))
    return out


def _head(net: Network, names: tuple, shape: tuple, reason: str, aliases=((), ())) -> list:
    """The output layer: its weight matrix and, with bias, one bias per output neuron."""
    out = [Tensor(names[0], shape, "hidden->output", reason, aliases=aliases[0])]
    if net.bias:
        out.append(Tensor(names[1], (net.p,), "output bias", "one bias per output neuron",
                          aliases=aliases[1], is_bias=True))
    return out


def _textbook_head(net: Network, width: int) -> list:
    simple = net.layers == 1 and not net.bidirectional
    feeds = f"{width} hidden neurons" + (" (both directions)" if net.bidirectional else "")
    aliases = (TEXTBOOK_ALIASES["W_hy"], TEXTBOOK_ALIASES["b_y"]) if simple else ((), ())
    return _head(net, ("W_hy", "b_y"), _orient(net, net.p, width),
                 f"each of the {net.p} outputs connects to each of the {feeds}", aliases)


# --- PyTorch ----------------------------------------------------------------------------------

def _gate_words(net: Network) -> str:
    if net.cell == "rnn":
        return ""
    letters = ", ".join(letter for letter, _ in GATE_ORDER[(net.convention, net.cell)])
    return f"{net.gates} gate blocks ({letters}) of {net.n} stacked: "


def _pytorch_layer(net: Network, layer: int, direction: str | None) -> list:
    n, g, r = net.n, net.gates, net.proj_size
    ins = _layer_inputs(net, layer)
    sfx = f"_l{layer}" + ("_reverse" if direction == "bwd" else "")
    rows = f"{_gate_words(net)}{g * n} rows"
    rec = r or n
    common = {"layer": layer + 1, "direction": direction}
    out = [
        Tensor(f"weight_ih{sfx}", (g * n, ins), "input->hidden",
               f"{rows}, one column per input ({_input_words(net, layer)})", **common),
        Tensor(f"weight_hh{sfx}", (g * n, rec), "hidden->hidden",
               f"{rows}, one column per previous hidden "
               + (f"output (projected to r = {r})" if r else f"neuron ({n})"), **common),
    ]
    if net.bias:
        if net.cell == "gru":
            why = "not redundant in the GRU: b_hn sits inside r * (W_hn h + b_hn)"
        else:
            why = "redundant with bias_ih (they add), kept for cuDNN compatibility"
        out.append(Tensor(f"bias_ih{sfx}", (g * n,), "input-side bias",
                          f"one bias per gate unit ({g * n})", is_bias=True, **common))
        out.append(Tensor(f"bias_hh{sfx}", (g * n,), "recurrent-side bias",
                          f"PyTorch's second bias, one per gate unit: {why}", is_bias=True,
                          **common))
    if r:
        out.append(Tensor(f"weight_hr{sfx}", (r, n), "projection",
                          f"projects the {n} hidden units down to r = {r} (no bias)", **common))
    return out


def _pytorch_head(net: Network, width: int) -> list:
    p = net.p
    return _head(net, ("linear.weight", "linear.bias"), (p, width),
                 f"nn.Linear({width}, {p}): one row per output ({p}), one column per hidden "
                 f"feature ({width})")


# --- Keras ------------------------------------------------------------------------------------

def _keras_prefix(net: Network, layer: int, direction: str | None) -> str:
    base = KERAS_LAYER[net.cell]
    tag = f"_{layer}" if layer else ""
    if direction is None:
        return f"{base}{tag}"
    side = "forward" if direction == "fwd" else "backward"
    return f"bidirectional{tag}/{side}_{base}{tag}"


def _keras_layer(net: Network, layer: int, direction: str | None) -> list:
    n, g = net.n, net.gates
    ins = _layer_inputs(net, layer)
    pre = _keras_prefix(net, layer, direction)
    cols = f"{_gate_words(net)}{g * n} columns"
    common = {"layer": layer + 1, "direction": direction}
    out = [
        Tensor(f"{pre}/kernel", (ins, g * n), "input->hidden",
               f"one row per input ({_input_words(net, layer)}), {cols}", **common),
        Tensor(f"{pre}/recurrent_kernel", (n, g * n), "hidden->hidden",
               f"one row per previous hidden neuron ({n}), {cols}", **common),
    ]
    if net.bias:
        if net.cell == "gru" and net.reset_after:
            out.append(Tensor(f"{pre}/bias", (2, g * n), "bias",
                              f"reset_after=True: an input bias row and a recurrent bias row, "
                              f"each of {g * n}", is_bias=True, **common))
        else:
            out.append(Tensor(f"{pre}/bias", (g * n,), "bias",
                              f"one bias per gate unit ({g * n})", is_bias=True, **common))
    return out


def _keras_head(net: Network, width: int) -> list:
    p = net.p
    return _head(net, ("dense/kernel", "dense/bias"), (width, p),
                 f"Dense({p}) on {width} features: one row per hidden feature ({width}), one "
                 f"column per output ({p})")


_BUILDERS = {
    "textbook": (_textbook_layer, _textbook_head),
    "pytorch": (_pytorch_layer, _pytorch_head),
    "keras": (_keras_layer, _keras_head),
}


def tensors(net: Network) -> list:
    """The network's parameter tensors, in the convention's order and vocabulary."""
    described(net)
    layer_fn, head_fn = _BUILDERS[net.convention]
    directions = ("fwd", "bwd") if net.bidirectional else (None,)
    out = []
    for layer in range(net.layers):
        for direction in directions:
            out.extend(layer_fn(net, layer, direction))
    if net.p is not None:
        out.extend(head_fn(net, net.directions * (net.proj_size or net.n)))
    return out


def _sums(items) -> tuple:
    """(all parameters, those of non-bias tensors, those of the output layer's weights), in
    one pass over the tensors."""
    total = weights = head = 0
    for t in items:
        k = 1
        for dim in t.shape:  # t.parameters, without a call
            k *= dim
        total += k
        if not t.is_bias:
            weights += k
        if t.role == "hidden->output":
            head += k
    return total, weights, head


def _unrolled(net: Network, without_bias: int, head_weights: int, total: int) -> Unrolled:
    T, ld = net.T, net.layers * net.directions
    u = Unrolled()
    u.T = T
    u.copies = T
    u.recurrent_applications = T
    # Every weight scalar is used in exactly one multiply-add per step it takes part in.
    u.multiply_adds = T * without_bias
    u.multiply_adds_last_output = T * (without_bias - head_weights) + head_weights
    u.hidden_states = (T + 1) * ld
    per_state = net.proj_size or net.n
    u.stored_values = (T + 1) * ld * (per_state + (net.n if net.cell == "lstm" else 0))
    u.unshared_parameters = T * total
    return u


def described(net) -> Network:
    """``net`` itself when it is a Network; else NetworkError (not an AttributeError later)."""
    if not isinstance(net, Network):
        raise NetworkError("network", f"expected a Network description, got {shown(net)} "
                                      "(build one with rnnquiz.Network(m=..., n=...))")
    return net


_MEMO: dict = {}
_MEMO_SIZE = 4096


def count(net: Network) -> Count:
    """Count the network's parameters: tensors for its bias setting, totals for both.

    Remembered per description (a Network is immutable and hashable): the drill counts the same
    few networks again and again. Each call returns its own Count and tensor list.
    """
    known = _MEMO.get(described(net))
    if known is None:
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.clear()
        known = _MEMO[net] = _count(net)
    return Count(net, list(known.tensors), known.with_bias, known.without_bias, known.unrolled)


def _count(net: Network) -> Count:
    listed = tensors(net)
    total, without, head = _sums(listed)
    with_bias = total if net.bias else _sums(tensors(net.replace(bias=True)))[0]
    unrolled = None
    if net.T is not None:
        unrolled = _unrolled(net, without, head, with_bias if net.bias else without)
    return Count(net, listed, with_bias, without, unrolled)
