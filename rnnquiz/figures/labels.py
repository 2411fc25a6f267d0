"""The engine's tensors grouped the way the figures draw them, with their arrow labels.

Every name and shape on a figure comes from ``rnnquiz.calculator.rules.count``: the figures
agree with the answers because they never compute a shape of their own, except the stacked
shape of a textbook gated cell, which is the engine's per-gate shapes concatenated.
"""

from __future__ import annotations

from rnnquiz.calculator.render import shape_text
from rnnquiz.calculator.rules import GATE_ORDER
from rnnquiz.figures.svg import Style

HIGHLIGHT = "#FFE066"  # the pale band under a highlighted arrow (a problem's "this one")
KINDS = ("x", "h", "y", "b")  # what a problem's figure may highlight or hide

# One colour per matrix, the Okabe-Ito palette (colour-blind safe), and a dash pattern or
# width of its own so grey print still tells them apart.
STYLES = {
    "x": Style("input weights (W_xh)", "#0072B2", 2.2),
    "h": Style("recurrent weights (W_hh)", "#D55E00", 2.2, "8 4"),
    "y": Style("output weights (W_hy)", "#009E73", 3.2, "2 3"),
    "b": Style("biases", "#CC79A7", 1.6, "9 3 2 3"),
    "proj": Style("projection", "#E69F00", 2.2, "4 2 1 2"),
    "plain": Style("copy", "#555555", 1.2),
}


def kind(tensor) -> str:
    """Which of the styles a tensor is drawn in: x, h, y, b or proj."""
    if tensor.is_bias:
        return "b"
    if tensor.role == "hidden->output":
        return "y"
    if tensor.role == "projection":
        return "proj"
    return "x" if tensor.role.startswith("input") else "h"


class Group:
    """The tensors drawn as one arrow: a name, shape lines and the full names they stand for."""

    def __init__(self, tensors, layout, convention="textbook"):
        self.convention = convention
        self.tensors = list(tensors)
        self.kind = kind(self.tensors[0])
        self.layout = layout
        self.hidden = False  # drawn with "?" for its shape and count (a figure in a problem)

    @property
    def names(self) -> list:
        return [t.name for t in self.tensors]

    @property
    def parameters(self) -> int:
        return sum(t.parameters for t in self.tensors)

    def name(self, short=False) -> str:
        """'W_xh', 'W_x[ifco]' for a gated textbook cell, 'kernel' for short Keras names."""
        names = [n.rsplit("/", 1)[-1] for n in self.names] if short else self.names
        if len(names) == 1:
            return names[0]
        first = names[0]
        head = 0
        while all(len(n) > head and n[head] == first[head] for n in names):
            head += 1
        tail = 0
        while all(len(n) > tail + head and n[-1 - tail] == first[-1 - tail] for n in names):
            tail += 1
        middles = [n[head:len(n) - tail] for n in names]
        if self.convention != "textbook" or any(len(mid) != 1 for mid in middles):
            return ", ".join(names)
        return f"{first[:head]}[{''.join(middles)}]{first[len(first) - tail:]}"

    @property
    def gate_blocks(self) -> bool:
        """True for a textbook gated cell's per-gate tensors (W_xi, W_xf, ...), one per gate."""
        return len(self.tensors) > 1 and "[" in self.name()

    def shape(self) -> str:
        """'(4, 3)'; for gate blocks '4×(4, 3) = (16, 3)' (the stacked matrix); for PyTorch's
        two biases '2×(16,)'; '?' when hidden."""
        if self.hidden:
            return "?"
        shapes = [t.shape for t in self.tensors]
        k = len(shapes)
        if k == 1:
            return shape_text(shapes[0])
        if len(set(shapes)) > 1:
            return " + ".join(shape_text(s) for s in shapes)
        one = shapes[0]
        if not self.gate_blocks:
            return f"{k}×{shape_text(one)}"
        if len(one) == 1:
            stacked = (k * one[0],)
        elif self.layout == "out-in":
            stacked = (k * one[0], one[1])
        else:
            stacked = (one[0], k * one[1])
        return f"{k}×{shape_text(one)} = {shape_text(stacked)}"

    def count_text(self) -> str:
        """The parameter count as drawn: '1,200', or '?' when hidden."""
        return "?" if self.hidden else f"{self.parameters:,}"

    def lines(self, short=False) -> list:
        return [self.name(short), self.shape()]


class Row:
    """One recurrent layer in one direction: its input, recurrent, bias and projection groups."""

    def __init__(self, layer, direction, tensors, layout, convention):
        self.layer, self.direction = layer, direction
        by_kind = {}
        for t in tensors:
            by_kind.setdefault(kind(t), []).append(t)
        self.groups = {k: Group(v, layout, convention) for k, v in by_kind.items()}
        self.prefix = ""
        names = [t.name for t in tensors]
        if "/" in names[0]:
            self.prefix = names[0].rsplit("/", 1)[0] + "/"

    @property
    def backward(self) -> bool:
        return self.direction == "bwd"


def rows(result) -> list:
    """The recurrent rows of a Count, bottom (layer 1) to top, forward before backward."""
    net = result.network
    out = []
    seen = []
    for t in result.tensors:
        key = (t.layer, t.direction)
        if t.layer is not None and key not in seen:
            seen.append(key)
    for layer, direction in seen:
        tensors = [t for t in result.tensors if (t.layer, t.direction) == (layer, direction)]
        out.append(Row(layer, direction, tensors, net.effective_layout, net.convention))
    return out


def head(result):
    """The output layer's weight and bias groups (None when there is no output layer)."""
    net = result.network
    weights = [t for t in result.tensors if t.role == "hidden->output"]
    biases = [t for t in result.tensors if t.role == "output bias"]
    if not weights:
        return None, None
    layout, convention = net.effective_layout, net.convention
    return (Group(weights, layout, convention),
            Group(biases, layout, convention) if biases else None)


def mark(groups, highlight=None, hide=()) -> object:
    """Mark ``groups`` hidden when their kind is in ``hide``; the glow colour for the
    arrows of kind ``highlight`` (a function kind -> colour or None). Raises FigureError on
    an unknown kind."""
    from rnnquiz.figures.svg import FigureError

    for k in [highlight, *hide]:
        if k is not None and k not in KINDS:
            raise FigureError(f"highlight and hide take {', '.join(KINDS)}, got {k!r}")
    for g in groups:
        if g is not None and g.kind in hide:
            g.hidden = True
    return lambda k: HIGHLIGHT if k == highlight else None


def gate_letters(net) -> list:
    """The gate blocks of the cell in the convention's order (empty for a vanilla RNN)."""
    if net.cell == "rnn":
        return []
    return [letter for letter, _ in GATE_ORDER[(net.convention, net.cell)]]
