"""Worked solutions and ASCII diagrams, built only from the rules engine's output."""

from __future__ import annotations

from rnnquiz.calculator.render import CONVENTION_NAMES, shape_text
from rnnquiz.calculator.rules import count
from rnnquiz.calculator.words import counted, noun
from rnnquiz.description.network import CONVENTIONS

OTHER_NAMES = {
    "textbook": "textbook (one bias per gate)",
    "pytorch": "PyTorch (nn.RNN/LSTM/GRU + nn.Linear)",
    "keras": "Keras (SimpleRNN/LSTM/GRU + Dense)",
}


def _product(shape) -> str:
    return " × ".join(str(d) for d in shape)


def compact_formula(result) -> str | None:
    """The exam formula of a one-layer, one-direction network, with the numbers put in.

    Cell part G·(n·m + n·n + B·n) with G gate blocks and B bias vectors per block as the
    network's convention counts them (read off the engine's tensors), then p·n + p for the
    output layer: 'formula: 4·(n·m + n·n + n) + p·n + p = 4·(20·10 + ...) + 5·20 + 5 = 2,585'.
    None when the network is deeper, bidirectional or projected, or when the formula would
    not give the engine's total (it is never shown wrong).
    """
    net = result.network
    if net.layers != 1 or net.bidirectional or net.proj_size:
        return None
    m, n, p, G = net.m, net.n, net.p, net.gates
    cell_bias = sum(t.parameters for t in result.tensors
                    if t.is_bias and t.role != "output bias")
    if cell_bias % (G * n):
        return None
    B = cell_bias // (G * n)
    sym, num = ["n·m", "n·n"], [f"{n:,}·{m:,}", f"{n:,}·{n:,}"]
    if B:
        sym.append("n" if B == 1 else f"{B}n")
        num.append(f"{n:,}" if B == 1 else f"{B}·{n:,}")
    sym_text, num_text = " + ".join(sym), " + ".join(num)
    if G > 1:
        sym_text, num_text = f"{G}·({sym_text})", f"{G}·({num_text})"
    expected = G * (n * m + n * n + B * n)
    if p is not None:
        has_bias = any(t.role == "output bias" for t in result.tensors)
        sym_text += " + p·n" + (" + p" if has_bias else "")
        num_text += f" + {p:,}·{n:,}" + (f" + {p:,}" if has_bias else "")
        expected += p * n + (p if has_bias else 0)
    if expected != result.total:
        return None
    return f"formula: {sym_text} = {num_text} = {result.total:,}"


textbook_formula = compact_formula  # its older name, still imported by the drill


def _comparable(net, convention):
    """The same sizes under another convention, or None when it cannot describe them."""
    if net.proj_size and convention != "pytorch":
        return None
    return net.replace(convention=convention, layout=None)


def _difference_words(net, other, diff: int) -> str:
    if diff == 0:
        words = "the same count"
        if other.effective_layout != net.effective_layout:
            words += ", every weight matrix stored transposed"
        return words
    sign = "more" if diff > 0 else "fewer"
    why = ""
    per = net.layers * net.directions * net.gates * net.n
    if other.convention == "pytorch" and net.convention != "pytorch" and diff == per:
        why = ": PyTorch's second bias vector (bias_hh) in every layer and direction"
    elif net.convention == "pytorch" and other.convention != "pytorch" and -diff == per:
        why = ": no second recurrent-side bias (PyTorch keeps both bias_ih and bias_hh)"
    elif other.convention == "keras" and net.cell == "gru" and other.reset_after:
        why = ": Keras GRU's reset_after=True keeps a second (recurrent) bias row"
    elif net.convention == "keras" and net.cell == "gru" and net.reset_after:
        why = ": no second bias row (Keras GRU's reset_after=True has one)"
    return f"{abs(diff):,} {sign}{why}"


def other_conventions(result) -> list:
    """One line per other convention: its total for the same sizes and why it differs."""
    net = result.network
    lines = []
    for convention in CONVENTIONS:
        if convention == net.convention:
            continue
        other = _comparable(net, convention)
        if other is None:
            lines.append(f"- {OTHER_NAMES[convention]}: cannot express proj_size")
            continue
        total = count(other).total
        words = _difference_words(net, other, total - result.total)
        lines.append(f"- {OTHER_NAMES[convention]}: {total:,} ({words})")
    if not net.bias:
        lines.append("  (without bias every convention agrees: there is no bias to count twice)")
    return lines


def worked_solution(result) -> str:
    """An exam-style answer: each shape with its reason, the sum, T, the other conventions."""
    net = result.network
    lines = [f"Worked solution ({CONVENTION_NAMES[net.convention]}, layout "
             f"{net.effective_layout})", ""]
    for k, t in enumerate(result.tensors, 1):
        size = (f"{_product(t.shape)} = {t.parameters:,}" if len(t.shape) > 1
                else f"{t.parameters:,}")
        lines.append(f"{k}. {t.name} is {shape_text(t.shape)} because {t.reason}: {size}")
    lines.append("")
    parts = " + ".join(f"{t.parameters:,}" for t in result.tensors)
    lines.append(f"sum: {parts} = {result.total:,}")
    formula = compact_formula(result)
    if formula:
        lines.append(formula)
    biases = result.with_bias - result.without_bias
    lines.append(f"with bias {result.with_bias:,}, without bias {result.without_bias:,} "
                 f"(the biases add {biases:,})")
    lines.append("")
    lines.append("T never changes the count: the same weights are applied at every time step "
                 "(parameter sharing).")
    lines.append("The activation function (tanh, sigmoid, ReLU) never changes the count either.")
    if result.unrolled is not None:
        u = result.unrolled
        copies = "the one copy" if u.T == 1 else f"the {counted(u.T, 'copy')}"
        lines.append(f"With T = {u.T:,}: {u.multiply_adds:,} multiply-adds per forward pass "
                     f"(= T × {result.without_bias:,} weights, an output at every step); "
                     f"{u.unshared_parameters:,} parameters if {copies} shared nothing.")
    lines.append("")
    lines.append("Other conventions, same sizes:")
    lines += other_conventions(result)
    return "\n".join(lines)


# --- diagram ----------------------------------------------------------------------------------

def _first(result, role_start: str, layer: int | None = None, direction=None):
    for t in result.tensors:
        if t.role.startswith(role_start) and (layer is None or t.layer == layer) and (
                direction is None or t.direction == direction):
            return t
    return None


def _label(t) -> str:
    return f"{t.name} {shape_text(t.shape)}" if t else "?"


def _steps(T: int) -> list:
    """The step numbers to draw: all when few, else the first two, '...', and the last."""
    if T <= 4:
        return list(range(1, T + 1))
    return [1, 2, None, T]


def diagram(result) -> str:
    """The network folded (one cell with its loop) and unrolled over T steps (3 if not given)."""
    net = result.network
    fwd = "fwd" if net.bidirectional else None
    x_in = _first(result, "input->", 1, fwd)
    rec = _first(result, "hidden->h", 1, fwd) or _first(result, "hidden->", 1, fwd)
    out = _first(result, "hidden->output")
    cell = {"rnn": "h_t", "lstm": "LSTM", "gru": "GRU"}[net.cell]
    lines = ["Folded (one cell, one loop):", ""]
    if out:
        lines += ["        y_t", f"         ^  {_label(out)}", "         |"]
    lines += ["     +-------+", f"     |  {cell:<4} |--+  {_label(rec)}  (h_(t-1) -> h_t)",
              "     +-------+  |", "         ^  ^---+", f"         |  {_label(x_in)}",
              "        x_t"]
    if net.cell != "rnn":
        lines.append(f"     (the {net.gates} gate blocks live inside the {cell} box; "
                     "each matrix holds all of them)")
    if net.layers > 1 or net.bidirectional:
        extra = []
        if net.layers > 1:
            extra.append(f"{net.layers} such layers are stacked, layer k+1 reading layer k")
        if net.bidirectional:
            extra.append("each layer runs twice, forward and backward, with its own weights")
        lines.append("     (" + "; ".join(extra) + ")")
    T = net.T or 3
    lines += ["", f"Unrolled over T = {T:,} {noun(T, 'step')}"
              + ("" if net.T else " (T not given: 3 shown)")
              + ", time flowing down; the same matrices at every step:", ""]
    xw = len(f"x_{T}")
    left = f"{'x_t':<{xw}} --{_label(x_in)}--> "
    pad = " " * len(left)
    right = f" --{_label(out)}--> y_t" if out else ""
    lines += [f"{pad}[h_0]", f"{pad}  |", f"{pad}  | {_label(rec)}", f"{pad}  v"]
    for step in _steps(T):
        if step is None:
            lines += [f"{pad} ...", f"{pad}  |", f"{pad}  | {_label(rec)}", f"{pad}  v"]
            continue
        lines.append(f"{left.replace('x_t'.ljust(xw), f'x_{step}'.ljust(xw))}[h_{step}]"
                     + right.replace("y_t", f"y_{step}"))
        if step != T:
            lines += [f"{pad}  |", f"{pad}  | {_label(rec)}", f"{pad}  v"]
    lines.append("")
    lines.append(f"{counted(T, 'copy')} of the cell, one set of weights: the count stays "
                 f"{result.total:,}.")
    return "\n".join(lines)
