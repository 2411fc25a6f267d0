"""A whole model as a vertical stack of layer boxes, like Keras's plot_model, with the numbers
an exam asks for: each layer's constructor, output shape, parameters and formula, the total at
the bottom.
"""

from __future__ import annotations

import textwrap

from rnnquiz.figures.svg import Drawing, Style, text_width

BOX_W_MIN = 420
PAD = 24
LINE = 17
ARROW = 26
SIZE = 12.5
WRAP = 84  # characters a line: a box stays about 700 units wide, printable on a page
_ARROW_STYLE = Style("flow", "#444444", 1.6)


def _shape(shape) -> str:
    if shape is None:
        return "?"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def _box_lines(layer) -> list:
    """The text lines of one layer's box: title, output shape(s), parameters, formula."""
    spec = layer.layer
    title = f"{layer.name}: {spec.text if spec is not None and spec.text else layer.type}"
    lines = [(title, "bold")]
    out = f"output {_shape(layer.output_shape)}"
    if layer.h_n_shape is not None:
        out += f"   h_n {_shape(layer.h_n_shape)}"
    if layer.c_n_shape is not None:
        out += f"   c_n {_shape(layer.c_n_shape)}"
    lines.append((out, None))
    params = f"{layer.parameters:,} parameters"
    if layer.non_trainable:
        params += f" ({layer.trainable:,} trainable, {layer.non_trainable:,} non-trainable)"
    lines.append((params, None))
    if layer.formula:
        for piece in textwrap.wrap(layer.formula, WRAP, subsequent_indent="  ",
                                   break_on_hyphens=False):
            lines.append((piece, "formula"))
    return [(piece, kind) for text, kind in lines
            for piece in (textwrap.wrap(text, WRAP, subsequent_indent="  ",
                                        break_on_hyphens=False) if kind != "formula"
                          else [text])]


def model_svg(result) -> str:
    """The SVG of a counted model (:func:`rnnquiz.calculator.model.count_model`'s result)."""
    boxes = [_box_lines(layer) for layer in result.layers]
    input_text = f"input {_shape(result.input_shape)}" if result.input_shape is not None \
        else "input"
    widest = max([text_width(t, SIZE) for lines in boxes for t, _ in lines]
                 + [text_width(input_text, SIZE)])
    box_w = max(BOX_W_MIN, widest + 2 * 16)
    width = box_w + 2 * PAD
    heights = [len(lines) * LINE + 14 for lines in boxes]
    total_line = (f"total {result.total:,} parameters: {result.trainable:,} trainable, "
                  f"{result.non_trainable:,} non-trainable")
    height = PAD + 30 + ARROW + sum(h + ARROW for h in heights) + 40 + PAD
    framework = "Keras" if result.framework == "keras" else "PyTorch"
    title = f"{framework} model of {len(result.layers)} layers, {result.total:,} parameters"
    desc = "; ".join(f"{layer.name} {layer.type}: output {_shape(layer.output_shape)}, "
                     f"{layer.parameters:,} parameters" for layer in result.layers)
    d = Drawing(width, height, title, desc + f"; {total_line}")
    x = PAD
    y = PAD
    d.rect(x, y, box_w, 30, fill="#f2f2f2", dash="4 3")
    d.text(x + box_w / 2, y + 20, input_text, size=SIZE, mono=True)
    y += 30
    for lines, h in zip(boxes, heights, strict=True):
        d.line(x + box_w / 2, y, x + box_w / 2, y + ARROW - 2, _ARROW_STYLE)
        y += ARROW
        d.rect(x, y, box_w, h, fill="#ffffff")
        for k, (text, kind) in enumerate(lines):
            d.text(x + 16, y + 20 + k * LINE, text, size=SIZE, anchor="start", mono=True,
                   weight="bold" if kind == "bold" else None,
                   colour="#0b5394" if kind == "formula" else "#222222")
        y += h
    d.text(x + box_w / 2, y + 30, total_line, size=SIZE + 0.5, mono=True, weight="bold")
    return d.text_file()
