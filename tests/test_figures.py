"""SVG figures: valid XML, labels that are the engine's names and shapes, the same bytes for
the same input, and never imported on the plain `rnnquiz count` path."""

import itertools
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnquiz.__main__ import parse_fast
from rnnquiz.calculator.render import shape_text
from rnnquiz.calculator.rules import count
from rnnquiz.cli import cli
from rnnquiz.description.network import Network
from rnnquiz.figures import FigureError, network_svg
from rnnquiz.figures.grid import grid_svg

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str, cls=None) -> list:
    """Every <text> of the figure (of one class), parsed as XML (a parse error fails)."""
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")
            if cls is None or t.get("class") == cls]


def expand(label: str) -> set:
    """'W_x[ifco]^(1,fwd)' -> {'W_xi^(1,fwd)', ...}: the names a gate-block label stands for."""
    out = {label}
    for match in re.finditer(r"(\S*?)\[(\w+)\](\S*)", label):
        head, letters, tail = match.groups()
        out |= {head + c + tail for c in letters}
    return out


def names_on(svg: str) -> set:
    found = set()
    for text in texts(svg):
        for word in re.split(r",\s+|\s+", text):
            found |= expand(word)
    return found


NETWORKS = [
    Network(m, n, p, cell=cell, layers=layers, bidirectional=bidi, bias=bias, convention=conv)
    for (m, n, p), cell, layers, bidi, bias, conv in itertools.product(
        [(3, 4, 2), (10, 20, None)], ["rnn", "lstm", "gru"], [1, 2], [False, True],
        [True, False], ["textbook", "pytorch", "keras"])
]


@pytest.mark.parametrize("net", NETWORKS, ids=repr)
def test_every_tensor_of_the_engine_is_named_with_its_shape(net):
    svg = network_svg(net)
    names = names_on(svg)
    all_text = "\n".join(texts(svg))
    for t in count(net).tensors:
        assert t.name in names, t.name
        assert shape_text(t.shape) in all_text, (t.name, t.shape)
    assert f"total: {count(net).total:,} parameters" in all_text
    tensors = len(count(net).tensors)
    assert (f"The same {tensors} tensors at every step: T changes the work, not the count "
            f"({count(net).total:,} parameters)") in all_text


@pytest.mark.parametrize("convention, x, h, shapes", [
    ("textbook", "W_xh", "W_hh", ("(4, 3)", "(4, 4)")),
    ("pytorch", "weight_ih_l0", "weight_hh_l0", ("(4, 3)", "(4, 4)")),
    ("keras", "kernel", "recurrent_kernel", ("(3, 4)", "(4, 4)")),
])
def test_the_same_label_on_every_step_and_on_the_folded_view(convention, x, h, shapes):
    net = Network(3, 4, 2, T=5, convention=convention)
    svg = network_svg(net)
    labels, arrows = texts(svg), texts(svg, "arrow")
    # one arrow label per step and one on the folded view
    assert arrows.count(x) == 5 + 1 and arrows.count(h) == 5 + 1
    assert labels.count(shapes[0]) >= 6 and labels.count(shapes[1]) >= 6
    assert "x_5" in labels and "y_5" in labels and "x_6" not in labels
    if convention == "keras":  # the output layer has no row label: its full names
        assert arrows.count("dense/kernel + dense/bias") == 5 + 1
    if convention == "textbook":  # the other names a course may use
        assert {"W_xh = U", "W_hh = W", "W_hy = V"} <= set(labels)


def test_three_steps_when_T_is_not_given_and_one_output_for_classification():
    labels = texts(network_svg(Network(3, 4, 2)))
    assert {"x_1", "x_2", "x_3", "y_3"} <= set(labels) and "x_4" not in labels
    labels = texts(network_svg(Network(3, 4, 2, T=4), last_output_only=True))
    assert "y_4" in labels and not {"y_1", "y_2", "y_3"} & set(labels)


def test_gated_cells_show_their_gate_blocks_and_the_stacked_shape():
    labels = texts(network_svg(Network(3, 4, 2, cell="lstm")))
    assert {"i", "f", "c", "o"} <= set(labels)
    assert "4×(4, 3) = (16, 3)" in labels and "4×(4, 4) = (16, 4)" in labels
    labels = texts(network_svg(Network(3, 4, 2, cell="gru", convention="keras")))
    assert {"z", "r", "h"} <= set(labels) and "(3, 12)" in labels


def test_bidirectional_rows_join_both_directions():
    net = Network(3, 4, 2, bidirectional=True, convention="pytorch")
    labels = texts(network_svg(net))
    assert "[→;←] 8" in labels
    assert "layer 0 reverse ←" in labels
    assert "linear.weight + linear.bias" in labels and "(2, 8)" in labels


def test_the_same_input_gives_the_same_bytes_in_another_process():
    net = Network(3, 4, 2, cell="lstm", layers=2, bidirectional=True)
    code = ("import sys; from rnnquiz.description.network import Network; "
            "from rnnquiz.figures import network_svg; "
            "sys.stdout.write(network_svg(Network(3, 4, 2, cell='lstm', layers=2, "
            "bidirectional=True)))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": "123"}).stdout
    assert network_svg(net) == network_svg(net) == other
    assert grid_svg(Network(3, 4)) == grid_svg(Network(3, 4))


@pytest.mark.parametrize("steps", [0, -1, 2.5, True])
def test_a_step_count_that_is_not_a_positive_integer_is_refused(steps):
    with pytest.raises(FigureError, match="positive integer"):
        network_svg(Network(3, 4), steps=steps)


def test_a_long_sequence_draws_three_steps_then_the_last():
    svg = network_svg(Network(3, 4, 2, T=50))
    labels, arrows = texts(svg), texts(svg, "arrow")
    assert {"x_1", "x_2", "x_3", "x_50", "y_50", "steps 4 .. 49"} <= set(labels)
    assert "x_4" not in labels and "x_49" not in labels and labels.count("⋯") == 3
    assert arrows.count("W_hh") == 1 + 5  # folded, then into 1, 2, 3, ⋯, 50
    assert "unrolled over T = 50" in labels


# --- the connection grid ------------------------------------------------------------------

@pytest.mark.parametrize("net", [
    Network(3, 4, 2), Network(8, 8), Network(3, 2, cell="lstm", convention="keras"),
    Network(2, 3, 1, cell="gru", convention="pytorch"),
    Network(3, 4, layout="in-out"), Network(3, 4, bias=False, cell="gru")], ids=repr)
def test_the_grid_labels_every_block_with_the_engines_shape_and_count(net):
    svg = grid_svg(net)
    labels = texts(svg)
    joined = "\n".join(labels)
    rows = net.gates * net.n
    for t in count(net).tensors:
        if t.layer is None:
            continue
        assert t.name in names_on(svg)
        assert shape_text(t.shape) in joined
    assert f"{rows}·{net.m} = {rows * net.m} connections" in joined
    assert f"{rows}·{net.n} = {rows * net.n} connections" in joined
    layer = sum(t.parameters for t in count(net).tensors if t.layer == 1)
    assert f"= {layer:,} parameters in the recurrent layer" in joined
    # one dot per input and per previous hidden neuron, one per unit fed
    assert sum(label.startswith("x") and label[1:].isdigit() for label in labels) >= net.m
    assert sum(label.endswith("(t-1)") for label in labels) == net.n
    # the matrix view
    assert "(the vector is [x_t; h_(t-1)])" in labels or "[x_t h_(t-1)]" in labels


@pytest.mark.parametrize("net, message", [
    (Network(9, 4), "m, n <= 8"), (Network(3, 9), "m, n <= 8"),
    (Network(3, 4, layers=2), "one layer in one direction"),
    (Network(3, 4, bidirectional=True), "one layer in one direction")])
def test_the_grid_refuses_what_it_cannot_draw(net, message):
    with pytest.raises(FigureError, match=message):
        grid_svg(net)


# --- the command line ---------------------------------------------------------------------

def test_count_svg_writes_the_figure_and_keeps_its_output(tmp_path):
    path = tmp_path / "net.svg"
    plain = CliRunner().invoke(cli, ["count", "--m", "3", "--n", "4", "--p", "2"])
    result = CliRunner().invoke(cli, ["count", "--m", "3", "--n", "4", "--p", "2",
                                      "--svg", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == plain.stdout
    assert "W_xh" in texts(path.read_text(encoding="utf-8"))
    grid = tmp_path / "grid.svg"
    result = CliRunner().invoke(cli, ["count", "--m", "3", "--n", "4", "--svg", str(grid),
                                      "--grid"])
    assert result.exit_code == 0 and "12 connections" in grid.read_text(encoding="utf-8")


@pytest.mark.parametrize("args, code, message", [
    (["--m", "9", "--n", "4", "--grid", "--svg", "{tmp}/g.svg"], 2, "m, n <= 8"),
    (["--m", "3", "--n", "4", "--grid"], 2, "give --svg FILE"),
    (["--m", "3", "--n", "4", "--last-output"], 2, "give --svg FILE"),
    (["--m", "3", "--n", "4", "--svg", "{tmp}/missing/g.svg"], 1, "cannot write"),
])
def test_count_svg_errors_are_one_line(args, code, message, tmp_path, capsys):
    from rnnquiz.cli import main

    rv = main(["count", *[a.format(tmp=tmp_path) for a in args]])
    err = capsys.readouterr().err
    assert rv == code and message in err and "Traceback" not in err
    assert not (tmp_path / "g.svg").exists()


def test_the_fast_path_hands_svg_to_click_and_never_imports_the_figures():
    assert parse_fast(["--m", "3", "--n", "4", "--svg", "x.svg"]) is None
    assert parse_fast(["--m", "3", "--n", "4", "--grid"]) is None
    code = ("import sys; from rnnquiz.__main__ import main; from rnnquiz.cli import main as m; "
            "main(['count','--m','3','--n','4']); m(['count','--m','3','--n','4','--json']); "
            "print(sorted(k for k in sys.modules if k.startswith('rnnquiz.figures')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.rstrip().endswith("[]")


# --- the trace through time ---------------------------------------------------------------

def _trace(**kw):
    from rnnquiz.witness.trace import random_spec, trace

    backward = kw.pop("backward", True)
    return trace(random_spec(**kw), backward=backward)


def test_the_trace_figure_shows_the_forward_values_and_the_gradients():
    from rnnquiz.figures.trace import trace_svg

    result = _trace(seed=4)
    svg = trace_svg(result)
    labels = texts(svg)
    joined = "\n".join(labels)
    for node in ("x_1", "x_2", "a_1", "a_2", "h_0", "h_1", "h_2", "y_1", "y_2", "L"):
        assert node in labels
    for s in result.steps:
        assert f"{s['h'][0]:.3g}" in joined and f"loss_{s['t']} = {s['loss']:.3g}" in joined
    gradients = "\n".join(texts(svg, "gradient"))
    for s in result.backward["steps"]:
        assert f"dL/dh_{s['t']} = [{s['dh'][0]:.3g}]" in gradients
    assert "from y_1:" in gradients and "from h_2:" in gradients
    assert "from h_3:" not in gradients
    assert "dW_hh = sum of the 2 contributions" in gradients
    assert "|w|^k (w = " in joined and "log scale" in joined
    assert trace_svg(result) == svg


def test_the_trace_figure_without_backward_has_no_gradients():
    from rnnquiz.figures.trace import trace_svg

    svg = trace_svg(_trace(seed=1, n=3, p=2, T=3, backward=False))
    assert not texts(svg, "gradient") and "log scale" not in svg
    assert "h_3" in texts(svg)


def test_a_long_trace_draws_only_the_plot_and_needs_backward():
    from rnnquiz.figures.trace import trace_svg

    svg = trace_svg(_trace(m=1, n=1, p=0, T=30, seed=2))
    labels = texts(svg)
    assert "t=30" in labels and "t=0" in labels and "a_1" not in labels
    with pytest.raises(FigureError, match="T <= 8"):
        trace_svg(_trace(m=1, n=1, p=0, T=30, seed=2, backward=False))


def test_trace_svg_on_the_command_line(tmp_path):
    path = tmp_path / "t.svg"
    plain = CliRunner().invoke(cli, ["trace", "--seed", "4", "--backward"])
    result = CliRunner().invoke(cli, ["trace", "--seed", "4", "--backward", "--svg",
                                      str(path)])
    assert result.exit_code == 0 and result.stdout == plain.stdout
    assert "dW_hh = sum of the 2 contributions" in path.read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["trace", "--T", "20", "--svg", str(path)])
    assert result.exit_code == 2 and "T <= 8" in result.output


def test_the_readme_figures_are_up_to_date():
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "scripts" / "make_figures.py"
    if not script.is_file():
        pytest.skip("scripts/ is not beside the tests (installed elsewhere)")
    spec = importlib.util.spec_from_file_location("make_figures", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.stale() == [], "run python scripts/make_figures.py"
    readme = (script.parent.parent / "README.md").read_text(encoding="utf-8")
    for name in module.figures():
        assert f"](docs/figures/{name})" in readme


def _boxes(svg: str) -> list:
    """The extent of every monospace text (its width is known exactly: 0.6 em a character)."""
    root = ET.fromstring(svg.encode("utf-8"))
    out = []
    for t in root.iter(f"{SVG}text"):
        if "monospace" not in t.get("font-family", ""):
            continue
        text = "".join(t.itertext())
        size = float(t.get("font-size"))
        width = len(text) * 0.6 * size
        x, y = float(t.get("x")), float(t.get("y"))
        left = {"start": x, "middle": x - width / 2, "end": x - width}[t.get("text-anchor")]
        out.append((text, left, y - 0.75 * size, left + width, y + 0.2 * size))
    return out


def _overlaps(svg: str) -> list:
    boxes = _boxes(svg)
    found = []
    for a, b in itertools.combinations(boxes, 2):
        if a[1] < b[3] - 1 and b[1] < a[3] - 1 and a[2] < b[4] - 1 and b[2] < a[4] - 1:
            found.append((a[0], b[0]))
    return found


@pytest.mark.parametrize("net", NETWORKS[::3] + [
    Network(3, 6, 2, cell="lstm", convention="pytorch", proj_size=3, layers=2,
            bidirectional=True)], ids=repr)
def test_no_two_labels_of_the_network_figure_overlap(net):
    assert _overlaps(network_svg(net)) == []
    assert _overlaps(network_svg(net, last_output_only=True, steps=5)) == []


@pytest.mark.parametrize("net", [Network(3, 4, 2), Network(8, 8, 8), Network(1, 1, 1),
                                 Network(3, 2, cell="lstm", convention="keras"),
                                 Network(4, 3, 2, cell="gru", convention="pytorch"),
                                 Network(3, 8, cell="lstm", layout="in-out")], ids=repr)
def test_no_two_labels_of_the_grid_overlap(net):
    assert _overlaps(grid_svg(net)) == []


@pytest.mark.parametrize("kw", [dict(seed=4), dict(m=2, n=3, p=2, T=3, seed=1),
                                dict(m=1, n=1, p=0, T=8, seed=2), dict(m=5, n=5, p=5, T=4)],
                         ids=str)
def test_no_two_labels_of_the_trace_overlap(kw):
    from rnnquiz.figures.trace import trace_svg

    assert _overlaps(trace_svg(_trace(**kw))) == []


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "identity", "relu"])
def test_with_one_loss_at_the_end_the_gradient_follows_the_chain_curve(activation):
    from rnnquiz.figures.trace import norm_curves
    from rnnquiz.witness.trace import trace

    spec = {"W_xh": [[0.7, -0.4]], "W_hh": [[0.9]], "b_h": [0.3], "activation": activation,
            "xs": [[1, 0], [0, 1], [1, 1], [0, 0], [1, 0], [0, 1]]}
    spec["targets"] = [[h] for h in (s["h"][0] for s in trace(spec).steps)]
    spec["targets"][-1] = [0.0]  # every step's loss is 0 but the last one's
    result = trace(spec, backward=True)
    norms, reference, chain = (c[0] for c in norm_curves(result))
    assert norms == pytest.approx(chain, rel=1e-9, abs=1e-15)
    assert reference == pytest.approx([norms[0] * 0.9 ** k for k in range(7)])


def test_the_plot_survives_vanished_gradients():
    from rnnquiz.figures.trace import trace_svg
    from rnnquiz.witness.trace import trace

    spec = {"W_xh": [[0.5, -0.3]], "W_hh": [[0.5]], "activation": "relu", "xs": [[-1, 0]] * 5}
    svg = trace_svg(trace(spec, backward=True))
    assert "every gradient is exactly 0" in svg and texts(svg)


def test_an_overflowing_trace_is_refused_by_name_before_any_plot():
    from rnnquiz.witness.trace import TraceError, trace

    spec = {"W_xh": [[0.5, -0.3]], "W_hh": [[50.0]], "activation": "identity",
            "xs": [[-1, 0]] * 300}
    with pytest.raises(TraceError, match="overflows float64"):
        trace(spec, backward=True)


@st.composite
def networks(draw):
    cell = draw(st.sampled_from(["rnn", "lstm", "gru"]))
    convention = draw(st.sampled_from(["textbook", "pytorch", "keras"]))
    n = draw(st.integers(1, 300))
    proj = (draw(st.integers(0, n - 1)) if cell == "lstm" and convention == "pytorch" and n > 1
            else 0)
    return Network(draw(st.integers(1, 300)), n, draw(st.one_of(st.none(), st.integers(1, 99))),
                   draw(st.one_of(st.none(), st.integers(1, 40))), cell=cell,
                   layers=draw(st.integers(1, 3)), bidirectional=draw(st.booleans()),
                   bias=draw(st.booleans()), convention=convention,
                   reset_after=draw(st.booleans()), proj_size=proj,
                   layout=(draw(st.sampled_from([None, "in-out", "out-in"]))
                           if convention == "textbook" else None))


@settings(max_examples=40, deadline=None)
@given(networks(), st.booleans())
def test_any_description_draws_valid_labelled_unoverlapping_figures(net, last):
    svg = network_svg(net, last_output_only=last)
    names, joined = names_on(svg), "\n".join(texts(svg))
    for t in count(net).tensors:
        assert t.name in names and shape_text(t.shape) in joined
    assert _overlaps(svg) == []
    if net.m <= 8 and net.n <= 8 and net.layers == 1 and not net.bidirectional:
        assert _overlaps(grid_svg(net)) == []
