"""Where each part of the folded-and-unrolled figure goes: rows, levels, columns and widths,
computed from the engine's tensors before anything is drawn (so labels never overlap)."""

from __future__ import annotations

from rnnquiz.figures import labels
from rnnquiz.figures.svg import text_width

LABEL = 11  # label font size
BOX_H = 52
NODE_R = 17
DEFAULT_T = 3
ALL_STEPS = 10  # beyond this, steps 1, 2, 3, ..., T
LEVEL_GAP = 120
INNER_GAP = 92


def _width(lines, size=LABEL) -> float:
    return max(text_width(line, size) for line in lines)


class Layout:
    """Where everything goes: computed once, then drawn."""

    def __init__(self, result, steps, last_output_only, highlight=None, hide=()):
        net = result.network
        self.net, self.result, self.T = net, result, steps
        self.shown = list(range(1, steps + 1)) if steps <= ALL_STEPS else [1, 2, 3, None, steps]
        self.rows = labels.rows(result)
        self.head_w, self.head_b = labels.head(result)
        self.gates = labels.gate_letters(net)
        groups = [g for r in self.rows for g in r.groups.values()] + [self.head_w, self.head_b]
        self.glow = labels.mark(groups, highlight, tuple(hide))
        self.hiding = any(g is not None and g.hidden for g in groups)
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
        """The output arrow's label: weight (+ bias) name, then the weight's shape. Full names
        (dense/kernel), as the output layer has no row label to carry its Keras prefix."""
        lines = self.head_w.lines()
        if self.head_b is not None:
            lines = [lines[0] + " + " + self.head_b.name(), lines[1]]
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
