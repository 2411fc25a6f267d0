"""Plain text for a counted model: the summary table (as ``model.summary()`` prints it, with
the formula and each tensor's reason under every layer) and the exam-style worked solution.

Standard library only: on ``rnnquiz count``'s fast path.
"""

from __future__ import annotations

from rnnquiz.calculator.layers.base import shape_text

FRAMEWORK_NAMES = {"keras": "Keras model (keras.layers)",
                   "pytorch": "PyTorch model (torch.nn, as in nn.Sequential)"}


def _type(layer, framework):
    return layer.type if framework == "keras" else f"nn.{layer.type}"


def _row(layer, framework):
    return (f"{layer.name} ({_type(layer, framework)})", shape_text(layer.output_shape),
            f"{layer.parameters:,}")


def _input_words(result):
    shape = shape_text(result.input_shape)
    if result.framework == "keras":
        open_T = " and T" if None in result.input_shape[1:] else ""  # noqa: N806
        return f"input {shape}; None: the batch{open_T}, any size"
    symbols = []
    if result.batch is None:
        symbols.append("B the batch")
    if result.T is None and "T" in result.input_shape:
        symbols.append("T the time steps")
    if not symbols:
        return f"input {shape}"
    return f"input {shape}; {', '.join(symbols)} (--batch, --T set them)"


def model_text(result) -> str:
    """The default ``rnnquiz count MODEL`` output."""
    fw = result.framework
    rows = [("Layer (type)", "Output Shape", "Param #")]
    rows += [_row(layer, fw) for layer in result.layers]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    lines = [f"{FRAMEWORK_NAMES[fw]}, {_input_words(result)}", ""]
    head = rows[0]
    lines.append(f"{head[0]:<{w0}}  {head[1]:<{w1}}  {head[2]:>{w2}}")
    for layer, row in zip(result.layers, rows[1:], strict=True):
        lines.append(f"{row[0]:<{w0}}  {row[1]:<{w1}}  {row[2]:>{w2}}")
        lines += ["    " + line for line in layer_details(layer, fw)]
    lines.append("")
    lines += totals(result)
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines)


def layer_details(layer, framework) -> list:
    """The lines under a layer's row: formula, PyTorch's states, tensors with reasons, notes."""
    out = [layer.formula]
    if framework == "pytorch" and layer.h_n_shape is not None:
        states = f"h_n {shape_text(layer.h_n_shape)}"
        if layer.c_n_shape is not None:
            states += f", c_n {shape_text(layer.c_n_shape)}"
        out.append(f"returns output {shape_text(layer.output_shape)}, {states}")
    if layer.tensors:
        wn = max(len(t.name) for t in layer.tensors)
        ws = max(len(shape_text(t.shape)) for t in layer.tensors)
        wp = max(len(f"{t.parameters:,}") for t in layer.tensors)
        for t in layer.tensors:
            frozen = "" if t.trainable else " [non-trainable]"
            out.append(f"{t.name:<{wn}}  {shape_text(t.shape):<{ws}}  "
                       f"{t.parameters:>{wp},}  {t.role}: {t.reason}{frozen}")
    out += layer.notes
    return out


def _states_words(layer):
    """PyTorch's h_n and c_n, with the rule that sizes them."""
    text = (f"It also returns h_n {shape_text(layer.h_n_shape)}: one final hidden state per "
            "layer and direction (D·L), per sequence in the batch")
    if layer.c_n_shape is not None:
        text += f"; and c_n {shape_text(layer.c_n_shape)}, the final cell states"
    return text


def totals(result) -> list:
    return [f"Total params: {result.total:,}",
            f"Trainable params: {result.trainable:,}",
            f"Non-trainable params: {result.non_trainable:,}",
            f"with every bias: {result.with_bias:,}; without any bias: "
            f"{result.without_bias:,}"]


def worked_solution(result) -> str:
    """An exam-style solution of the whole model, layer by layer, then the sum."""
    fw = result.framework
    lines = ["Worked solution", "",
             f"The model receives {shape_text(result.input_shape)}. Go through it layer by "
             "layer: what each layer receives fixes its weight shapes, and its output is what "
             "the next one receives.", ""]
    for k, layer in enumerate(result.layers, 1):
        who = layer.name if fw == "keras" else f"module {layer.name}"
        lines.append(f"{k}. {who} ({_type(layer, fw)}) receives "
                     f"{shape_text(layer.input_shape)} and returns "
                     f"{shape_text(layer.output_shape)}.")
        if layer.h_n_shape is not None:
            lines.append(f"   {_states_words(layer)}.")
        if layer.tensors:
            for t in layer.tensors:
                lines.append(f"   {t.name} {shape_text(t.shape)}: {t.reason}.")
            lines.append(f"   {layer.formula}")
        else:
            lines.append("   No weights: 0 parameters.")
        lines += [f"   {note}." if not note.endswith(".") else f"   {note}"
                  for note in layer.notes]
    parts = [f"{layer.parameters:,}" for layer in result.layers]
    lines.append("")
    lines.append(f"Total: {' + '.join(parts)} = {result.total:,} parameters "
                 f"({result.trainable:,} trainable, {result.non_trainable:,} non-trainable).")
    lines.append("The sequence length never changes a count: the same weights serve every "
                 "step.")
    return "\n".join(lines)


def model_report(result, *, explain=False) -> str:
    """The text of ``rnnquiz count MODEL``: the summary, then the worked solution if asked."""
    parts = [model_text(result)]
    if explain:
        parts.append(worked_solution(result))
    return "\n\n".join(parts)
