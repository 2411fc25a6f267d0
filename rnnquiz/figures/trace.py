"""The computation graph of ``rnnquiz trace`` through time, with the forward values; with the
backward pass, the gradient on each edge and the norm of dL/dh_t going back on a log scale,
beside the |w|^k curve that makes vanishing and exploding visible.

Draws a finished trace (``rnnquiz.witness.trace.Trace``): it reads the numbers, computes none
of the network's values itself, apart from the reference curves of the plot.
"""

from __future__ import annotations

import math

from rnnquiz.figures.labels import STYLES
from rnnquiz.figures.svg import Drawing, FigureError, Style, text_width

MAX_GRAPH_T = 8
PITCH = 230
GRAD = Style("gradient", "#6A3D9A", 1.6, "5 3")
ACT = Style("activation", "#555555", 1.4)
VALUES = 3  # entries shown of a vector


# phi'(a) from a and h = phi(a), for the reference curve of the plot
SLOPES = {"tanh": lambda a, h: 1.0 - h * h, "sigmoid": lambda a, h: h * (1.0 - h),
          "relu": lambda a, h: 1.0 if a > 0 else 0.0, "identity": lambda a, h: 1.0}


def _num(v) -> str:
    return f"{v + 0.0:.3g}"


def _vec(values) -> str:
    shown = ", ".join(_num(v) for v in values[:VALUES])
    return f"[{shown}{', …' if len(values) > VALUES else ''}]"


def _mat(rows, limit=3) -> str:
    """A small matrix in full; a larger one as its shape and Frobenius norm."""
    if len(rows) * len(rows[0]) > limit:
        norm = math.sqrt(sum(v * v for r in rows for v in r))
        return f"({len(rows)}×{len(rows[0])}, norm {_num(norm)})"
    return "[" + ", ".join(_vec(r) for r in rows) + "]"


def _node(d, cx, cy, name, values, *, fill="white", stroke="#333333"):
    text = _vec(values)
    w = max(text_width(text, 10), text_width(name, 12)) + 16
    d.rect(cx - w / 2, cy - 19, w, 38, fill=fill, stroke=stroke, width=1.4)
    d.text(cx, cy - 4, name, size=12, weight="bold")
    d.text(cx, cy + 12, text, size=10, mono=True)
    return w


def trace_svg(result) -> str:
    """The trace as SVG text: graph over the steps (T <= 8) and, with backward, the norm plot.

    A pure function of the trace: the same trace gives the same bytes.
    """
    a, steps, back = result.arrays, result.steps, result.backward
    T, has_y = a["T"], a["p"] is not None
    graph = T <= MAX_GRAPH_T
    if not graph and back is None:
        raise FigureError(f"the computation graph is drawn for T <= {MAX_GRAPH_T} steps (got "
                          f"T = {T}); add --backward for the gradient-norm plot alone")
    left = 70
    vectors = [_vec(s[k]) for s in steps for k in ("x", "a", "h", "y") if k in s]
    if back:
        vectors += [_vec(s[k]) for s in back["steps"] for k in ("dh_from_output",
                                                                "dh_from_next_step")]
    widest = max(text_width(v, 10) for v in vectors)
    pitch = max(PITCH, 1.5 * widest + 90)
    width = max(left + 60 + (T if graph else 0) * pitch + 170, 760)
    graph_h = 470 if graph else 0
    back_rows = 4 if (graph and back is not None) else 0
    plot_top = 90 + graph_h + back_rows * 18 + 30
    height = plot_top + (360 if back is not None else 0) + 20
    title = (f"rnnquiz trace: m = {a['m']}, n = {a['n']}, "
             + (f"p = {a['p']}" if has_y else "no output layer")
             + f", T = {T}, {a['activation']}" + (", forward and backward" if back else ""))
    desc = (f"{title}. Total loss {_num(result.loss)}."
            + (" Gradient norm going back: "
               + ", ".join(_num(s["dh_norm"]) for s in back["steps"])
               + f", then h_0 {_num(back['dh0_norm'])}." if back else ""))
    d = Drawing(width, height, title, desc)
    d.text(16, 22, title, size=14, anchor="start", weight="bold")
    weights = [f"W_xh = {_mat(a['W_xh'].tolist(), 4)}",
               f"W_hh = {_mat(a['W_hh'].tolist(), 4)}"]
    if has_y:
        weights.append(f"W_hy = {_mat(a['W_hy'].tolist(), 4)}")
    d.text(16, 44, "   ".join(weights), size=11, anchor="start", mono=True)
    if graph:
        _graph(d, result, left, pitch)
    else:
        d.text(16, 70, f"T = {T}: the graph is drawn for T <= {MAX_GRAPH_T}; the plot shows "
               "every step", size=12, anchor="start", italic=True)
    if back is not None:
        _plot(d, result, 60, plot_top, width - 120)
    return d.text_file()


def _graph(d, result, left, pitch):
    a, steps, back = result.arrays, result.steps, result.backward
    T, has_y = a["T"], a["p"] is not None
    y_loss, y_y, y_h, y_a, y_x = 90, 180, 300, 420, 530
    cols = [left + 60 + pitch * (t + 1) - pitch / 2 for t in range(T)]
    act, out_act = a["activation"], a["output_activation"]
    h0x = left
    _node(d, h0x, y_h, "h_0", a["h0"].tolist(), fill="#FDF1EA")
    lx = cols[-1] + pitch / 2 + 40
    d.circle(lx, y_loss, 22, fill="#FFF6D5")
    d.text(lx, y_loss - 2, "L", size=13, weight="bold")
    d.text(lx, y_loss + 12, _num(result.loss), size=10, mono=True)
    by_t = {s["t"]: s for s in back["steps"]} if back else {}
    prev_x, prev_w = h0x, text_width(_vec(a["h0"].tolist()), 10) + 16
    for t, (cx, s) in enumerate(zip(cols, steps, strict=True), 1):
        _node(d, cx, y_x, f"x_{t}", s["x"], fill="#EAF3FB")
        wa = _node(d, cx, y_a, f"a_{t}", s["a"])
        wh = _node(d, cx, y_h, f"h_{t}", s["h"], fill="#F4F4F4")
        d.line(cx, y_x - 19, cx, y_a + 19, STYLES["x"])
        d.label(cx + 6, (y_x + y_a) / 2, ["W_xh"], anchor="start", colour=STYLES["x"].colour,
                cls="arrow")
        x1, x2 = prev_x + prev_w / 2, cx - wa / 2
        d.line(x1, y_h + 8, x2, y_a - 8, STYLES["h"])
        d.label(x1 + (x2 - x1) * 0.3 + 8, y_h + 8 + (y_a - y_h - 16) * 0.3 - 10, ["W_hh"],
                anchor="start", colour=STYLES["h"].colour, cls="arrow")
        d.line(cx, y_a - 19, cx, y_h + 19, ACT)
        d.label(cx + 6, (y_a + y_h) / 2 + 6, [f"{act}"], anchor="start", colour="#555555")
        top = y_h - 19
        if has_y:
            d.line(cx, y_h - 19, cx, y_y + 19, STYLES["y"])
            d.label(cx - 6, (y_h + y_y) / 2, ["W_hy", out_act], anchor="end",
                    colour=STYLES["y"].colour, cls="arrow")
            _node(d, cx, y_y, f"y_{t}", s["y"], fill="#EAF7F1")
            top = y_y - 19
        d.line(cx, top, lx - 22 * (lx - cx) / math.hypot(lx - cx, top - y_loss),
               y_loss + 22 * (top - y_loss) / math.hypot(lx - cx, top - y_loss), ACT)
        d.text(cx - 4, top - 8, f"loss_{t} = {_num(s['loss'])}", size=10, anchor="end",
               mono=True, halo=True)
        if t in by_t:
            b = by_t[t]
            src = "y" if has_y else "loss"
            gx = cx + wh / 2 - 6
            d.path(f"M {gx + 14:.1f} {(y_y + 19) if has_y else y_h - 60:.1f} "
                   f"Q {gx + 30:.1f} {(y_h - 40):.1f} {gx:.1f} {y_h - 19:.1f}", GRAD)
            d.label(gx + 26, y_h - 50, [f"from {src}_{t}:", _vec(b["dh_from_output"])],
                    size=10, anchor="start", colour=GRAD.colour, cls="gradient")
            if t < len(steps):
                nx = cols[t]
                d.path(f"M {nx - 40:.1f} {y_a - 19:.1f} Q {cx + 40:.1f} {y_a - 10:.1f} "
                       f"{cx + wh / 2:.1f} {y_h + 14:.1f}", GRAD)
                d.label((cx + nx) / 2 - 6, y_a + 44, [f"from h_{t + 1}:",
                        _vec(b["dh_from_next_step"])], size=10, colour=GRAD.colour,
                        cls="gradient")
            rows = [f"dL/dh_{t} = {_vec(b['dh'])}", f"da_{t} = {_vec(b['da'])}",
                    f"+ dW_hh: {_mat(b['dW_hh_contribution'])}"]
            for k, line in enumerate(rows):
                d.text(cx, y_x + 42 + 18 * k, line, size=10, mono=True, colour=GRAD.colour,
                       cls="gradient")
        prev_x, prev_w = cx, wh
    if back:
        g = back["grads"]
        d.text(16, y_x + 42 + 18 * 3 + 6,
               f"dW_hh = sum of the {len(steps)} contributions (the same W_hh at every step) "
               f"= {_mat(g['W_hh'], 4)};  dL/dh_0 = {_vec(back['dh0'])}", size=11,
               anchor="start", mono=True, colour=GRAD.colour, cls="gradient")


def _power_curve(start: float, w: float, k: int) -> float:
    """start · w^k, inf past the float range (a curve, not an error), 0 when either is 0."""
    if start <= 0 or w <= 0 or not math.isfinite(start):
        return 0.0 if k else start
    log = math.log10(start) + k * math.log10(w)
    return math.inf if log > 308 else 10.0 ** log


def norm_curves(result) -> list:
    """(values for t = T .. 0, name, style, dots) of the plot: ||dL/dh_t|| and the references.

    The references start at ||dL/dh_T||: |w|^k (the largest singular value of W_hh for n > 1)
    and, for one neuron, the chain |w|^k · Π|phi'(a_t)|, which the gradient follows exactly
    when only the last step has a loss.
    """
    import numpy as np

    a, back = result.arrays, result.backward
    T = a["T"]
    norms = [s["dh_norm"] for s in back["steps"]] + [back["dh0_norm"]]  # t = T .. 0
    w_hh = np.asarray(a["W_hh"])
    n = w_hh.shape[0]
    w = abs(float(w_hh[0, 0])) if n == 1 else float(np.linalg.norm(w_hh, 2))
    wname = f"|w|^k (w = {_num(float(w_hh[0, 0]))})" if n == 1 else \
        f"‖W_hh‖₂^k (‖W_hh‖₂ = {_num(w)})"
    start = norms[0]
    reference = [_power_curve(start, w, k) for k in range(T + 1)]
    curves = [(norms, "||dL/dh_t||", GRAD, True),
              (reference, wname, Style("ref", "#777777", 1.4, "2 3"), False)]
    if n == 1 and start > 0:
        chain, value = [start], start
        for s in reversed(result.steps):
            value *= abs(float(w_hh[0, 0]) * SLOPES[a["activation"]](s["a"][0], s["h"][0]))
            chain.append(value)
        curves.append((chain, f"|w|^k · Π|{a['activation']}'(a_t)|",
                       Style("chain", "#333333", 1.2), False))
    return curves


def _plot(d, result, x0, y0, width):
    """||dL/dh_t|| against the steps gone back, log scale, with the reference curves."""
    T = result.arrays["T"]
    curves = norm_curves(result)
    positive = [v for c, *_ in curves for v in c if v > 0 and math.isfinite(v)]
    h = 250
    d.text(x0, y0, "the gradient travelling back: ||dL/dh_t|| for t = T .. 0 (log scale)",
           size=12, anchor="start", weight="bold")
    top, bottom = y0 + 20, y0 + 20 + h
    d.rect(x0, top, width, h, fill="none", stroke="#999999", width=1, rx=0)
    if not positive:
        overflow = any(not math.isfinite(v) for v in curves[0][0])
        d.text(x0 + width / 2, top + h / 2, "the gradient overflowed (inf or nan): nothing to "
               "plot" if overflow else "every gradient is exactly 0", size=12)
        return
    lo = math.floor(math.log10(min(positive)))
    hi = math.ceil(math.log10(max(positive)))
    if hi == lo:
        hi = lo + 1
    span = hi - lo
    step = max(1, math.ceil(span / 8))

    def py(v):
        return bottom - (math.log10(v) - lo) / span * h

    def px(k):
        return x0 + 30 + k * (width - 60) / max(T, 1)

    for e in range(lo, hi + 1, step):
        yy = bottom - (e - lo) / span * h
        d.line(x0, yy, x0 + width, yy, Style("grid", "#DDDDDD", 0.8), arrow=False)
        d.text(x0 - 6, yy + 4, f"1e{e}", size=10, anchor="end", mono=True)
    every = max(1, math.ceil(T / 12))
    for k in range(0, T + 1, every):
        d.text(px(k), bottom + 16, f"t={T - k}", size=10, mono=True)
    d.text(x0 + width / 2, bottom + 34, "steps gone back k = T - t", size=11, italic=True)
    zeros = 0
    for values, _name, style, dots in curves:
        points = [(px(k), py(v)) for k, v in enumerate(values) if v > 0 and math.isfinite(v)]
        zeros += dots * (len(values) - len(points))
        if len(points) > 1:
            d.polyline(points, style, arrow=False)
        if dots:
            for x, y in points:
                d.circle(x, y, 3.2, fill=style.colour, stroke=style.colour, width=1)
    lx, ly = x0, bottom + 56  # the key, in a row under the plot
    for _, name, style, _ in curves:
        d.line(lx, ly - 4, lx + 28, ly - 4, style, arrow=False)
        d.text(lx + 34, ly, name, size=11, anchor="start", mono=True)
        lx += 34 + text_width(name, 11) + 24
    if zeros:
        d.text(x0, ly + 18, f"{zeros} values not drawn (0 or too large for a float)", size=10,
               anchor="start", italic=True)
