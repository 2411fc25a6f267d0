"""Plain-text rendering of the engine's answers: the tensor table, the totals and the T note.

Standard library only (string work): it is on ``rnnquiz count``'s fast path.
"""

from __future__ import annotations

from rnnquiz.calculator.words import counted, each_of, times

CELL_NAMES = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU"}
CONVENTION_NAMES = {
    "textbook": "textbook convention",
    "pytorch": "PyTorch convention (torch.nn)",
    "keras": "Keras convention (keras.layers)",
}


def shape_text(shape) -> str:
    """(20, 10) -> '(20, 10)'; (20,) -> '(20,)'."""
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(d) for d in shape) + ")"


def describe(net) -> str:
    """A one-line description: 'vanilla RNN, m = 10, n = 20, p = 5, 1 layer'."""
    parts = [CELL_NAMES[net.cell], f"m = {net.m:,}", f"n = {net.n:,}"]
    parts.append(f"p = {net.p:,}" if net.p is not None else "no output layer")
    if net.T is not None:
        parts.append(f"T = {net.T:,}")
    if net.layers > 1:
        parts.append(f"{net.layers:,} layers")
    if net.bidirectional:
        parts.append("bidirectional")
    if net.proj_size:
        parts.append(f"proj_size r = {net.proj_size:,}")
    if net.cell == "gru" and net.convention == "keras":
        parts.append(f"reset_after={net.reset_after}")
    parts.append("with bias" if net.bias else "no bias")
    return ", ".join(parts)


def layout_line(net) -> str:
    if net.effective_layout == "out-in":
        how = "out x in: rows are the layer's outputs, columns its inputs (W x)"
    else:
        how = "in x out: rows are the layer's inputs, columns its outputs (x W)"
    return f"{CONVENTION_NAMES[net.convention]}; weights stored {how}"


def table(tensors) -> list:
    """The tensor table as lines: name, shape, parameters, role."""
    rows = [("tensor", "shape", "parameters", "role")]
    rows += [(t.name, shape_text(t.shape), f"{t.parameters:,}", t.role) for t in tensors]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = []
    for name, shape, params, role in rows:
        lines.append(f"{name:<{widths[0]}}  {shape:<{widths[1]}}  {params:>{widths[2]}}  {role}")
    return lines


def aliases_line(tensors) -> str | None:
    named = [t for t in tensors if t.aliases]
    if not named:
        return None
    return "also written: " + "; ".join(
        f"{t.name} = " + " = ".join(t.aliases) for t in named)


def t_note(result) -> list:
    """What T does and does not change, with the unrolled figures when T is given."""
    u = result.unrolled
    if u is None:
        return ["T (sequence length) not given: it never changes the count, because the same "
                "weights are applied at every time step."]
    T = u.T
    net = result.network
    if net.p is None:
        forward = (f"one forward pass: {u.multiply_adds:,} multiply-adds in the weight-matrix "
                   "products")
    else:
        forward = (f"one forward pass: {u.multiply_adds:,} multiply-adds with an output at "
                   f"every step ({u.multiply_adds_last_output:,} with an output at the last "
                   "step only)")
    cells = " and as many LSTM cell states" if net.cell == "lstm" else ""
    return [
        f"T = {T:,} does not change the count ({result.total:,}): the same weights are "
        + (f"shared by {each_of(T, 'step')}." if T > 1 else
           "used at its one step, as they would be at every step of a longer sequence."),
        f"unrolled: {counted(T, 'copy')} of the cell sharing one set of weights; every "
        f"recurrent matrix is applied {times(T)}",
        forward,
        f"BPTT keeps {counted(u.hidden_states, 'hidden state')} (h_0..h_{T} for each layer and "
        f"direction){cells}, {u.stored_values:,} numbers per sequence",
        f"without weight sharing, {counted(T, 'separate copy', 'separate copies')} would need "
        f"{u.unshared_parameters:,} parameters",
    ]


def count_text(result) -> str:
    """The default ``rnnquiz count`` output."""
    net = result.network
    lines = [describe(net), layout_line(net), ""]
    lines += table(result.tensors)
    alias = aliases_line(result.tensors)
    if alias:
        lines.append(alias)
    lines.append("")
    lines.append(f"parameters: {result.with_bias:,} with bias, {result.without_bias:,} without "
                 f"bias (this network: {result.total:,})")
    lines += t_note(result)
    return "\n".join(lines)
