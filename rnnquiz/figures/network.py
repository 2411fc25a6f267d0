"""The network folded and unrolled over T steps (Goodfellow et al., fig. 10.3), every arrow
labelled with the engine's name and shape for the convention asked for.

Levels from the bottom: the inputs x_t, one row of cells per layer and direction (a backward
row runs right to left), a join of both directions when bidirectional, the outputs y_t.
"""

from __future__ import annotations

from rnnquiz.calculator.render import describe
from rnnquiz.calculator.rules import count
from rnnquiz.figures import labels
from rnnquiz.figures.labels import STYLES
from rnnquiz.figures.svg import Drawing, text_width

LABEL = 11  # label font size
BOX_H = 52
NODE_R = 17
DEFAULT_T = 3
ALL_STEPS = 10  # beyond this, steps 1, 2, 3, ..., T
LEVEL_GAP = 120
INNER_GAP = 92


def _width(lines, size=LABEL) -> float:
    return max(text_width(line, size) for line in lines)


class _Layout:
    """Where everything goes: computed once, then drawn."""

    def __init__(self, result, steps, last_output_only):
        net = result.network
        self.net, self.result, self.T = net, result, steps
        self.shown = list(range(1, steps + 1)) if steps <= ALL_STEPS else [1, 2, 3, None, steps]
        self.rows = labels.rows(result)
        self.head_w, self.head_b = labels.head(result)
        self.gates = labels.gate_letters(net)
        self.last_output_only = last_output_only
        self.short = net.convention == "keras"
        inside = [self.bias_text(r) for r in self.rows] + [self.proj_text(r) for r in self.rows]
        gate_w = len(self.gates) * 20 + 12
        self.box_w = max([84, gate_w] + [text_width(b, 10) + 14 for b in inside])
        self.box_h = BOX_H + (20 if net.proj_size else 0)
        x_lines = [r.groups["x"].lines(self.short) for r in self.rows]
        h_lines = [r.groups["h"].lines(self.short) for r in self.rows]
        if self.head_w:
            x_lines.append(self.head_lines())
        wx = max(_width(lines) for lines in x_lines)
        wh = max(_width(lines) for lines in h_lines)
        bypass = net.bidirectional
        need_vertical = (self.box_w / 2 + 64 + 2 * wx) if bypass else (wx + 30 + self.box_w / 2)
        self.pitch = max(self.box_w + wh + 30, need_vertical, 150)
        self.row_labels = [self.row_label(r) for r in self.rows]
        self.row_label_w = max(text_width(t, LABEL) for t in self.row_labels) + 16
        # folded column: loop on the left of the box, its label left of the loop
        self.fold_left = self.box_w / 2 + 52 + wh + 8
        self.fold_right = self.box_w / 2 + (2 * wx + 50 if bypass else wx + 30)
        self.margin = 16
        self.fold_x = self.margin + self.row_label_w + self.fold_left
        self.unfold_x = self.fold_x + self.fold_right + 24  # the "=" between the two views
        self.h0_x = self.unfold_x + 40 + NODE_R
        self.col_x = [self.h0_x + self.pitch * (k + 1) for k in range(len(self.shown))]
        self.end_x = self.col_x[-1] + self.pitch if net.bidirectional else None
        right = (self.end_x or self.col_x[-1]) + NODE_R + 12
        right = max(right, self.col_x[-1] + (wx + 2 * 30 if bypass else wx + 30))
        self.width = right + self.margin
        self._levels()

    def head_lines(self) -> list:
        """The output arrow's label: weight (+ bias) name, then the weight's shape."""
        lines = self.head_w.lines(self.short)
        if self.head_b is not None:
            lines = [lines[0] + " + " + self.head_b.name(self.short), lines[1]]
        return lines

    def proj_text(self, row) -> str:
        """PyTorch's projection of h_t (proj_size r), drawn inside the cell that applies it."""
        group = row.groups.get("proj")
        if group is None:
            return ""
        return f"proj {group.name().split('_l')[0]} {group.shape()}"

    def bias_text(self, row) -> str:
        group = row.groups.get("b")
        if group is None:
            return ""
        names = group.names
        if self.net.convention == "keras":
            names = [n.rsplit("/", 1)[-1] for n in names]
        elif self.net.convention == "pytorch":
            names = [n.split("_l")[0] for n in names]
        else:
            return "+ " + group.name()
        return "+ " + ", ".join(names)

    def row_label(self, row) -> str:
        net = self.net
        arrow = " ←" if row.backward else (" →" if net.bidirectional else "")
        if net.convention == "keras":
            return row.prefix.rstrip("/") + arrow
        if net.convention == "pytorch":
            return f"layer {row.layer - 1}" + (" reverse" if row.backward else "") + arrow
        if net.layers == 1 and not net.bidirectional:
            return "hidden"
        return f"layer {row.layer}" + (" backward" if row.backward else
                                       (" forward" if net.bidirectional else "")) + arrow

    def _levels(self):
        """Vertical positions, computed bottom-up then flipped (SVG y grows downwards)."""
        net = self.net
        up = 0.0
        self.x_level = up
        self.row_level = []
        self.join_level = {}
        for row in self.rows:
            if row.backward:
                up += INNER_GAP
            else:
                up += LEVEL_GAP
            self.row_level.append(up)
            if net.bidirectional and row.backward:
                up += INNER_GAP * 0.8
                self.join_level[row.layer] = up
        self.y_level = up + LEVEL_GAP if self.head_w else None
        top = (self.y_level if self.y_level is not None else up) + NODE_R + 60
        self.legend_groups = self._legend_groups()
        self.height_diagram = top + NODE_R + 40
        self.base = top  # SVG y of level 0 is base
        self.height = self.base + NODE_R + 56 + 18 * (len(self.legend_groups) + 2) + 24

    def y(self, level) -> float:
        return self.base - level

    def _legend_groups(self):
        out = []
        for row in self.rows:
            for key in ("x", "h", "b", "proj"):
                if key in row.groups:
                    out.append(row.groups[key])
        for g in (self.head_w, self.head_b):
            if g is not None:
                out.append(g)
        return out


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
                        (cx + lay.box_w / 2 - 10, bottom)], STYLES["x"])
            mid = (top + lay.y(lay.row_level[k - 1]) + lay.box_h / 2) / 2
            d.label(bx + 8, mid - 8, lines, anchor="start", colour=STYLES["x"].colour, cls="arrow")
        else:
            ax = cx - 8 if net.bidirectional else cx
            d.line(ax, top, ax, bottom, STYLES["x"])
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
    d.line(cx, top_src, cx, yy + NODE_R, STYLES["y"])
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
               f"{fx - w / 2 - 62:.1f} {cy + 48:.1f} {fx - w / 2 - 2:.1f} {cy + 14:.1f}", style)
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
            d.line(x1, cy, x2, cy, style)
            d.label((x1 + x2) / 2, cy - 22, lines, colour=style.colour, cls="arrow")
            prev, half = cx, here


def network_svg(net, *, steps=None, last_output_only=False) -> str:
    """The network folded (left) and unrolled over T steps (right) as SVG text.

    ``steps`` defaults to the description's T, else 3; beyond 10 steps, steps 4 .. T-1 are
    drawn as '⋯' (the same matrices, left out). ``last_output_only`` draws a single output y_T
    (sequence classification). A pure function: the same arguments give the same bytes.
    """
    result = count(net)
    steps = steps or net.T or DEFAULT_T
    lay = _Layout(result, steps, last_output_only)
    n_mats = len(result.tensors)
    title = f"{describe(net)}: folded and unrolled over {steps} steps"
    shared = (f"the same {n_mats} {'tensor' if n_mats == 1 else 'tensors'} at every step: T "
              f"changes the work, not the count ({result.total:,} parameters)")
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
        d.text(lay.margin + 68 + name_w + shape_w, y, f"{g.parameters:,}", size=LABEL,
               anchor="start", mono=True)
        y += 18
    bias = "with bias" if result.network.bias else "without bias"
    d.text(lay.margin, y + 4, f"total: {result.total:,} parameters ({bias}); with bias "
           f"{result.with_bias:,}, without {result.without_bias:,}", size=12, anchor="start",
           weight="bold")
