"""The network folded and unrolled over T steps (Goodfellow et al., fig. 10.3), every arrow
labelled with the engine's name and shape for the convention asked for.

Levels from the bottom: the inputs x_t, one row of cells per layer and direction (a backward
row runs right to left), a join of both directions when bidirectional, the outputs y_t.
"""

from __future__ import annotations

from rnnquiz.calculator.render import describe
from rnnquiz.calculator.rules import count
from rnnquiz.figures.labels import STYLES
from rnnquiz.figures.layout import DEFAULT_T, LABEL, NODE_R, Layout
from rnnquiz.figures.svg import Drawing, FigureError, text_width


def _box(d, lay, cx, cy, name, row):
    w, h = lay.box_w, lay.box_h
    d.rect(cx - w / 2, cy - h / 2, w, h, fill="#F4F4F4", stroke="#333333", width=1.6)
    d.text(cx, cy - h / 2 + 15, name, size=13, weight="bold")
    if lay.gates:
        k = len(lay.gates)
        x0 = cx - (k * 20 - 4) / 2
        for j, letter in enumerate(lay.gates):
            d.rect(x0 + j * 20, cy - 6, 16, 15, fill="white", stroke="#777777", width=1, rx=2)
            d.text(x0 + j * 20 + 8, cy + 5.5, letter, size=10, mono=True)
    bias = lay.bias_text(row)
    if bias and lay.glow("b"):  # biases have no arrow: the band goes under their text
        d.rect(cx - w / 2 + 4, cy + 9, w - 8, 15, fill=lay.glow("b"), stroke="none", width=0,
               rx=3, cls="highlight")
    if bias:
        d.text(cx, cy + 20, bias, size=10, mono=True, colour=STYLES["b"].colour)
    proj = lay.proj_text(row)
    if proj:
        d.text(cx, cy + 32, proj, size=10, mono=True, colour=STYLES["proj"].colour)


def _node(d, cx, cy, name, *, fill="white"):
    d.circle(cx, cy, NODE_R, fill=fill, stroke="#333333", width=1.4)
    d.text(cx, cy + 4.5, name, size=12)


def _state(row, t, lay):
    """h_t, or h_t^(1,→) for a layer and direction (layers 0-based in PyTorch, as its names)."""
    net = lay.net
    if net.layers == 1 and not net.bidirectional:
        return f"h_{t}"
    parts = []
    if net.layers > 1:
        parts.append(str(row.layer - 1 if net.convention == "pytorch" else row.layer))
    if net.bidirectional:
        parts.append("←" if row.backward else "→")
    return f"h_{t}^({','.join(parts)})"


def _sources(lay, k):
    """Where row k reads its input from: ('x', None) or ('row', i) or ('join', layer)."""
    row = lay.rows[k]
    if row.layer == 1:
        return ("x", None)
    if lay.net.bidirectional:
        return ("join", row.layer - 1)
    return ("row", k - 1)


def _source_top(lay, src, cx):
    kind, ref = src
    if kind == "x":
        return lay.y(lay.x_level) - NODE_R
    if kind == "join":
        return lay.y(lay.join_level[ref]) - 11
    return lay.y(lay.row_level[ref]) - lay.box_h / 2


def _draw_column(d, lay, cx, t, folded):
    """Everything of one time step (or of the folded view) except the recurrent arrows."""
    net = lay.net
    xname = "x" if folded else f"x_{t}"
    _node(d, cx, lay.y(lay.x_level), xname, fill="#EAF3FB")
    for k, row in enumerate(lay.rows):
        cy = lay.y(lay.row_level[k])
        _box(d, lay, cx, cy, "h" if folded and net.layers == 1 and not net.bidirectional
             else (_state(row, "t" if folded else t, lay)), row)
        src = _sources(lay, k)
        top = _source_top(lay, src, cx)
        group = row.groups["x"]
        lines = group.lines(lay.short)
        bottom = cy + lay.box_h / 2
        if row.backward and src[0] != "row":
            # bypass the forward box on its right
            bx = cx + lay.box_w / 2 + 12
            d.polyline([(cx + 8, top), (bx, top - 14), (bx, bottom + 12),
                        (cx + lay.box_w / 2 - 10, bottom)], STYLES["x"], glow=lay.glow("x"))
            mid = (top + lay.y(lay.row_level[k - 1]) + lay.box_h / 2) / 2
            d.label(bx + 8, mid - 8, lines, anchor="start", colour=STYLES["x"].colour, cls="arrow")
        else:
            ax = cx - 8 if net.bidirectional else cx
            d.line(ax, top, ax, bottom, STYLES["x"], glow=lay.glow("x"))
            anchor_x = ax - 8 if net.bidirectional else ax + 8
            d.label(anchor_x, (top + bottom) / 2 + 8, lines,
                    anchor="end" if net.bidirectional else "start", colour=STYLES["x"].colour,
                    cls="arrow")
        if net.bidirectional and row.backward:
            jy = lay.y(lay.join_level[row.layer])
            d.rect(cx - 30, jy - 11, 60, 22, fill="white", stroke="#555555", width=1.2, rx=11)
            width = 2 * (net.proj_size or net.n)
            d.text(cx, jy + 4, f"[→;←] {width}", size=10, mono=True)
            fwd_top = lay.y(lay.row_level[k - 1]) - lay.box_h / 2
            bx = cx + lay.box_w / 2 + 26
            d.polyline([(cx + lay.box_w / 2 - 6, fwd_top), (bx, fwd_top - 12), (bx, jy),
                        (cx + 30, jy)], STYLES["plain"])
            d.line(cx, cy - lay.box_h / 2, cx, jy + 11, STYLES["plain"])
    if lay.head_w is None or (lay.last_output_only and not folded and t != lay.T):
        return
    yy = lay.y(lay.y_level)
    _node(d, cx, yy, "y" if folded else f"y_{t}", fill="#EAF7F1")
    last = len(lay.rows) - 1
    top_src = (lay.y(lay.join_level[lay.rows[last].layer]) - 11 if net.bidirectional
               else lay.y(lay.row_level[last]) - lay.box_h / 2)
    d.line(cx, top_src, cx, yy + NODE_R, STYLES["y"], glow=lay.glow("y"))
    d.label(cx + 8, (top_src + yy + NODE_R) / 2, lay.head_lines(), anchor="start",
            colour=STYLES["y"].colour, cls="arrow")


def _elided(d, lay, cx):
    """The steps left out of a long sequence: '⋯' on every level, the same matrices."""
    levels = [lay.x_level, *lay.row_level]
    if lay.head_w is not None and not lay.last_output_only:
        levels.append(lay.y_level)
    for level in levels:
        d.text(cx, lay.y(level) + 6, "⋯", size=22, colour="#555555")
    d.text(cx, lay.y(lay.x_level) + NODE_R + 16, f"steps 4 .. {lay.T - 1}", size=10,
           italic=True, colour="#555555")


def _recurrent(d, lay):
    """h_(t-1) -> h_t arrows (right to left on backward rows), the loops of the folded view."""
    for k, row in enumerate(lay.rows):
        cy = lay.y(lay.row_level[k])
        group = row.groups["h"]
        lines = group.lines(lay.short)
        style = STYLES["h"]
        # folded: a loop on the left of the box
        fx, w = lay.fold_x, lay.box_w
        d.path(f"M {fx - w / 2:.1f} {cy - 14:.1f} C {fx - w / 2 - 62:.1f} {cy - 48:.1f} "
               f"{fx - w / 2 - 62:.1f} {cy + 48:.1f} {fx - w / 2 - 2:.1f} {cy + 14:.1f}", style,
               glow=lay.glow("h"))
        d.label(fx - w / 2 - 52, cy, lines, anchor="end", colour=style.colour, cls="arrow")
        start = lay.end_x if row.backward else lay.h0_x
        _node(d, start, cy, "h_0", fill="#FDF1EA")
        columns = list(zip(lay.col_x, lay.shown, strict=True))
        if row.backward:
            columns.reverse()
        sign = -1 if row.backward else 1
        prev, half = start, NODE_R
        for cx, t in columns:
            here = w / 2 if t is not None else 16  # an elided stretch is only "⋯"
            x1, x2 = prev + sign * half, cx - sign * here
            d.line(x1, cy, x2, cy, style, glow=lay.glow("h"))
            d.label((x1 + x2) / 2, cy - 22, lines, colour=style.colour, cls="arrow")
            prev, half = cx, here


def network_svg(net, *, steps=None, last_output_only=False, highlight=None, hide=()) -> str:
    """The network folded (left) and unrolled over T steps (right) as SVG text.

    ``steps`` defaults to the description's T, else 3; beyond 10 steps, steps 4 .. T-1 are
    drawn as '⋯' (the same matrices, left out). ``last_output_only`` draws a single output y_T
    (sequence classification). For a figure inside a problem, ``highlight`` lays a pale band
    under the arrows of one kind ('x' input, 'h' recurrent, 'y' output weights, 'b' biases)
    and ``hide`` draws the shapes and counts of those kinds as '?' (and leaves the totals
    out), so the figure does not give the answer away. A pure function: the same arguments
    give the same bytes.
    """
    result = count(net)
    steps = (net.T or DEFAULT_T) if steps is None else steps
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise FigureError(f"steps must be a positive integer, got {steps!r}")
    lay = Layout(result, steps, last_output_only, highlight, hide)
    n_mats = len(result.tensors)
    title = f"{describe(net)}: folded and unrolled over {steps} steps"
    shared = (f"the same {n_mats} {'tensor' if n_mats == 1 else 'tensors'} at every step: T "
              "changes the work, not the count"
              + ("" if lay.hiding else f" ({result.total:,} parameters)"))
    names = "; ".join(f"{g.name()} {g.shape()}" for g in lay.legend_groups)
    d = Drawing(lay.width, lay.height, title, f"{title}. Arrows carry {names}. {shared}.")
    d.text(lay.margin, 22, title, size=14, anchor="start", weight="bold")
    d.text(lay.fold_x, 46, "folded", size=12, italic=True)
    d.text((lay.h0_x + (lay.end_x or lay.col_x[-1])) / 2, 46, f"unrolled over T = {steps}",
           size=12, italic=True)
    for k, text in enumerate(lay.row_labels):
        d.text(lay.margin, lay.y(lay.row_level[k]) + 4, text, size=LABEL, anchor="start",
               mono=True, colour="#444444")
    _draw_column(d, lay, lay.fold_x, "t", folded=True)
    for t, cx in zip(lay.shown, lay.col_x, strict=True):
        if t is None:
            _elided(d, lay, cx)
        else:
            _draw_column(d, lay, cx, t, folded=False)
    _recurrent(d, lay)
    mid = lay.y(lay.row_level[0])
    d.text(lay.unfold_x, mid + 8, "=", size=28, colour="#777777")
    _legend(d, lay, result, shared)
    return d.text_file()


def _legend_name(group) -> str:
    """The full name, with the textbook's other names (W_xh = U) for a simple network."""
    aliases = group.tensors[0].aliases if len(group.tensors) == 1 else ()
    return group.name() + (f" = {aliases[0]}" if aliases else "")


def _legend(d, lay, result, shared):
    y = lay.base + NODE_R + 34
    d.text(lay.margin, y, shared[0].upper() + shared[1:], size=12, anchor="start", italic=True)
    y += 24
    name_w = max(text_width(_legend_name(g), LABEL) for g in lay.legend_groups)
    shape_w = max(text_width(g.shape(), LABEL) for g in lay.legend_groups)
    for g in lay.legend_groups:
        style = STYLES[g.kind]
        d.line(lay.margin, y - 4, lay.margin + 34, y - 4, style, arrow=False)
        d.text(lay.margin + 44, y, _legend_name(g), size=LABEL, anchor="start", mono=True)
        d.text(lay.margin + 56 + name_w, y, g.shape(), size=LABEL, anchor="start", mono=True)
        d.text(lay.margin + 68 + name_w + shape_w, y, g.count_text(), size=LABEL,
               anchor="start", mono=True)
        y += 18
    bias = "with bias" if result.network.bias else "without bias"
    if lay.hiding:
        d.text(lay.margin, y + 4, "total: ? parameters", size=12, anchor="start",
               weight="bold")
        return
    d.text(lay.margin, y + 4, f"total: {result.total:,} parameters ({bias}); with bias "
           f"{result.with_bias:,}, without {result.without_bias:,}", size=12, anchor="start",
           weight="bold")
