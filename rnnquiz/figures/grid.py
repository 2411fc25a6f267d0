"""The connection grid of one small recurrent layer: every connection into the hidden units
drawn, and the same weights as the matrix [W_xh W_hh] acting on [x_t; h_(t-1)].

Seed: a course's grid diagram for H_t = phi(X_t W_xh + H_(t-1) W_hh + b_h). Small sizes only
(m, n <= 8), one layer in one direction.
"""

from __future__ import annotations

from rnnquiz.calculator.render import describe
from rnnquiz.calculator.rules import count
from rnnquiz.figures import labels
from rnnquiz.figures.labels import STYLES
from rnnquiz.figures.svg import Drawing, FigureError, text_width

MAX_SIZE = 8
TINT = {"x": "#D4E6F4", "h": "#F7DCCB", "b": "#F2DCEA"}
DOT = 7


def _check(net):
    if net.m > MAX_SIZE or net.n > MAX_SIZE:
        raise FigureError(f"the connection grid is drawn for m, n <= {MAX_SIZE} (got m = "
                          f"{net.m}, n = {net.n}); use the network figure for larger sizes")
    if net.layers > 1 or net.bidirectional:
        raise FigureError("the connection grid shows one layer in one direction: drop "
                          "--layers and --bidirectional")


def _units(net) -> list:
    """The names of the G·n units the weights feed, in the stacked matrix's order."""
    letters = labels.gate_letters(net)
    if not letters:
        return [f"h{j}" for j in range(1, net.n + 1)]
    return [f"{g}{j}" for g in letters for j in range(1, net.n + 1)]


def grid_svg(net, *, highlight=None, hide=()) -> str:
    """The connection grid and matrix view of a one-layer network as SVG text (pure).

    For a figure inside a problem: ``highlight`` ('x', 'h', 'y' or 'b') outlines that block
    in the matrix view, and ``hide`` draws the shapes and counts of those kinds as '?' and
    leaves every total out; the connections themselves are all drawn, to be counted."""
    _check(net)
    result = count(net)
    row = labels.rows(result)[0]
    gx, gh, gb = row.groups["x"], row.groups["h"], row.groups.get("b")
    head_w, head_b = labels.head(result)
    glow = labels.mark([gx, gh, gb, head_w, head_b], highlight, tuple(hide))
    hiding = any(g is not None and g.hidden for g in (gx, gh, gb, head_w, head_b))
    units = _units(net)
    bias_nodes = (gb.parameters // len(units)) if gb else 0
    pitch = 22 if len(units) <= 16 else 16
    left = [(f"x{j}", "x") for j in range(1, net.m + 1)]
    left += [(f"h{j}(t-1)", "h") for j in range(1, net.n + 1)]
    left += [("1", "b")] * bias_nodes
    span = max(len(left) + 1, len(units)) * pitch
    top = 70
    lx, rx = 90, 330
    d_height = top + span + 40
    ly = {k: top + (span - len(left) * pitch) / 2 + k * pitch + pitch / 2 for k in range(len(left))}
    ry = {k: top + (span - len(units) * pitch) / 2 + k * pitch + pitch / 2
          for k in range(len(units))}
    # the output layer reads h_t: drawn when the units are h_t itself (a vanilla RNN)
    outputs = net.p if head_w is not None and net.p <= MAX_SIZE and net.cell == "rnn" else 0
    oy = {k: top + (span - outputs * pitch) / 2 + k * pitch + pitch / 2 for k in range(outputs)}
    ox = rx + 170
    # matrix view geometry
    cell = 18 if len(units) <= 16 else 14
    mx = (ox if outputs else rx) + 150
    out_in = net.effective_layout == "out-in"
    cols = net.m + net.n
    mat_h = max(len(units), cols) * cell if out_in else cols * cell
    tail = (f" + {gb.name()}" if gb else "") + f" = a_t ({_plural(len(units), 'value')})"
    if out_in:
        after = mx + cols * cell + 26 + cell * 2.4 + 12
    else:
        after = (mx + cols * cell + 26 + len(units) * cell + 16
                 + text_width(max(gx.name(), gh.name(), gx.shape(), key=len), 10))
    width = after + max(text_width(tail, 11), text_width("(the vector is [x_t; h_(t-1)])",
                                                         10)) + 20
    legend = [(gx, STYLES["x"]), (gh, STYLES["h"])] + ([(gb, STYLES["b"])] if gb else [])
    if outputs:
        legend.append((head_w, STYLES["y"]))
    height = max(d_height, top + mat_h + 120) + 30 + 40 * len(legend) + 20
    layer_total = sum(g.parameters for g, _ in legend[:3] if g.kind != "y")
    what = "hidden unit" if net.cell == "rnn" else "gate unit"
    title = f"{describe(net)}: every connection into the {_plural(len(units), what)}"
    desc = (f"{title}. {gx.name()} {gx.shape()}: {gx.count_text()} weights from the {net.m} "
            f"inputs; {gh.name()} {gh.shape()}: {gh.count_text()} weights from the {net.n} "
            "previous hidden neurons"
            + (f"; {gb.name()} {gb.shape()}: {gb.count_text()} biases" if gb else "")
            + ("" if hiding else f"; {layer_total} parameters in the recurrent layer")
            + ". Right: the same weights as one matrix acting on [x_t; h_(t-1)].")
    d = Drawing(width, height, title, desc)
    d.text(16, 22, title, size=14, anchor="start", weight="bold")
    d.text((lx + rx) / 2, 50, "connections", size=12, italic=True)
    d.text((mx + after) / 2, 50, "the same weights as a matrix", size=12, italic=True)
    for k, (_, kind) in enumerate(left):
        style = STYLES[kind]
        for j in range(len(units)):
            d.line(lx + DOT, ly[k], rx - DOT, ry[j], _thin(style), arrow=False)
    for k, (name, kind) in enumerate(left):
        d.circle(lx, ly[k], DOT, fill=TINT[kind], stroke=STYLES[kind].colour, width=1.5)
        d.text(lx - DOT - 6, ly[k] + 4, name, size=11, anchor="end", mono=True)
    for j, name in enumerate(units):
        d.circle(rx, ry[j], DOT, fill="#F4F4F4", stroke="#333333", width=1.5)
        d.text(rx + DOT + 6, ry[j] + 4, name, size=11, anchor="start", mono=True, halo=True)
    # block labels beside their bundles of lines
    xs = [ly[k] for k, (_, kind) in enumerate(left) if kind == "x"]
    hs = [ly[k] for k, (_, kind) in enumerate(left) if kind == "h"]
    d.label(lx + 60, min(xs) - 20, [gx.name(), f"{gx.shape()}"], anchor="start",
            colour=STYLES["x"].colour)
    d.label(lx + 60, max(hs) + 26 + (bias_nodes * pitch), [gh.name(), f"{gh.shape()}"],
            anchor="start", colour=STYLES["h"].colour)
    if outputs:
        for j in range(outputs):
            for k in range(net.n):
                d.line(rx + DOT, ry[k], ox - DOT, oy[j], _thin(STYLES["y"]), arrow=False)
        for j in range(outputs):
            d.circle(ox, oy[j], DOT, fill="#EAF7F1", stroke=STYLES["y"].colour, width=1.5)
            d.text(ox + DOT + 6, oy[j] + 4, f"y{j + 1}", size=11, anchor="start", mono=True)
        d.label((rx + ox) / 2 + 10, min(min(oy.values()), min(ry.values())) - 24,
                head_w.lines(),
                colour=STYLES["y"].colour)
    _matrix(d, net, mx, top + 20, cell, units, gx, gh, tail, out_in, after, glow, hiding)
    y = max(d_height, top + mat_h + 120) + 10
    for group, style in legend:
        d.line(16, y - 4, 50, y - 4, style, arrow=False)
        d.text(60, y, f"{group.name()} {group.shape()}: "
               + ("?" if group.hidden else _count_text(group, net, units)),
               size=12, anchor="start", mono=True)
        if not group.hidden:
            d.text(60, y + 18, _reason(group, net), size=11, anchor="start", colour="#444444")
        y += 40
    if hiding:
        return d.text_file()
    d.text(16, y, f"{_plural(len(units), 'unit')} × ({net.m} + {net.n}) = "
           f"{len(units) * (net.m + net.n)} weights"
           + (f" + {_plural(gb.parameters, 'bias')}" if gb else "")
           + f" = {layer_total:,} parameters in the recurrent layer", size=12, anchor="start",
           weight="bold")
    return d.text_file()


def _reason(group, net) -> str:
    """The engine's reason for the shape; for a textbook cell's gate blocks, said of each."""
    first = group.tensors[0]
    if not group.gate_blocks:
        return first.reason
    gate = first.role.split("->")[-1] if "->" in first.role else first.role[:-len(" bias")]
    letters = ", ".join(labels.gate_letters(net))
    return (f"in each of the {len(group.tensors)} gate blocks ({letters}): "
            + first.reason.replace(f"{gate} ", ""))


def _count_text(group, net, units) -> str:
    if group.kind == "b":
        return _plural(group.parameters, "bias")
    if group.kind == "y":
        return f"{net.p}·{net.n} = {_plural(group.parameters, 'connection')}"
    ins = net.m if group.kind == "x" else net.n
    return f"{len(units)}·{ins} = {_plural(group.parameters, 'connection')}"


def _plural(k: int, word: str) -> str:
    return f"{k} {word}" if k == 1 else f"{k} {word}{'es' if word.endswith('s') else 's'}"


def _thin(style):
    return labels.Style(style.name, style.colour, 0.8, style.dash and "4 3")


def _matrix(d, net, x0, y0, cell, units, gx, gh, tail, out_in, after, glow=None,
            hiding=False):
    """[W_xh W_hh] · [x_t; h_(t-1)] (+ b) = a_t, or [x_t h_(t-1)] · [W_xh; W_hh] for in-out."""
    m, n, rows = net.m, net.n, len(units)
    ins = [f"x{j}" for j in range(1, m + 1)] + [f"h{j}" for j in range(1, n + 1)]
    kinds = ["x"] * m + ["h"] * n
    if out_in:
        for i in range(rows):
            for j in range(m + n):
                d.rect(x0 + j * cell, y0 + i * cell, cell, cell, fill=TINT[kinds[j]],
                       stroke="#999999", width=0.6, rx=0)
        _block(d, x0, y0, m * cell, rows * cell, STYLES["x"], gx, glow=glow)
        _block(d, x0 + m * cell, y0, n * cell, rows * cell, STYLES["h"], gh, side="bottom",
               glow=glow)
        for i, u in enumerate(units):
            d.text(x0 - 4, y0 + i * cell + cell * 0.7, u, size=9, anchor="end", mono=True)
        vx = x0 + (m + n) * cell + 26
        d.text(vx - 13, y0 + rows * cell / 2 + 5, "·", size=20)
        for j, name in enumerate(ins):
            d.rect(vx, y0 + j * cell, cell * 2.4, cell, fill=TINT[kinds[j]], stroke="#999999",
                   width=0.6, rx=0)
            d.text(vx + cell * 1.2, y0 + j * cell + cell * 0.7, name, size=9, mono=True)
        d.text(after, y0 + cell * 1.5 + 16, "(the vector is [x_t; h_(t-1)])", size=10,
               anchor="start", mono=True)
        d.text(x0 + (m + n) * cell / 2, y0 + max(rows * cell + 64, (m + n) * cell + 20),
               f"[{gx.name()} {gh.name()}]: " + ("?" if hiding else f"({rows}, {m + n})"),
               size=11, mono=True)
    else:
        for j, name in enumerate(ins):
            d.rect(x0 + j * cell, y0, cell, cell * 2.4, fill=TINT[kinds[j]], stroke="#999999",
                   width=0.6, rx=0)
            d.text(x0 + j * cell + cell / 2, y0 + cell * 1.4, name, size=8, mono=True)
        d.text(x0 + (m + n) * cell / 2, y0 - 8, "[x_t h_(t-1)]", size=10, mono=True)
        mx = x0 + (m + n) * cell + 26
        d.text(mx - 13, y0 + cell * 1.5, "·", size=20)
        for i in range(m + n):
            for j in range(rows):
                d.rect(mx + j * cell, y0 + i * cell, cell, cell, fill=TINT[kinds[i]],
                       stroke="#999999", width=0.6, rx=0)
        for j, u in enumerate(units):
            d.text(mx + j * cell + cell / 2, y0 - 6, u, size=8, mono=True)
        _block(d, mx, y0, rows * cell, m * cell, STYLES["x"], gx, side="right", shift=-8,
               glow=glow)
        _block(d, mx, y0 + m * cell, rows * cell, n * cell, STYLES["h"], gh, side="right",
               shift=8, glow=glow)
        d.text(mx + rows * cell / 2, y0 + (m + n) * cell + 20,
               f"[{gx.name()}; {gh.name()}]: " + ("?" if hiding else f"({m + n}, {rows})"),
               size=11, mono=True)
    d.text(after, y0 + cell * 1.5, tail, size=11, anchor="start", mono=True)


def _block(d, x, y, w, h, style, group, side="top", shift=0, glow=None):
    band = glow(group.kind) if glow else None
    if band:
        d.rect(x - 5, y - 5, w + 10, h + 10, fill="none", stroke=band, width=8, rx=3,
               cls="highlight")
    d.rect(x, y, w, h, fill="none", stroke=style.colour, width=2.2, dash=style.dash, rx=0)
    if side in ("top", "bottom"):
        d.label(x + w / 2, y - 18 if side == "top" else y + h + 20, [group.name(),
                group.shape()], size=10, colour=style.colour)
    else:
        d.label(x + w + 6, y + h / 2 + shift, [group.name(), group.shape()], size=10,
                anchor="start", colour=style.colour)
