"""What a template can ask, answered by the rules engine with a worked solution.

Each quantity turns (network, ask options, drawn values) into a typed answer: ``integer``,
``shape``, ``number`` (with decimals and tolerance), ``yesno`` or ``text`` (a layer, asked as a
choice); questions about whole models are answered in ``rnnquiz.drill.models``.
``rnnquiz.drill.checking`` checks every answer against the NumPy model independently.
"""

from __future__ import annotations

import math

from rnnquiz.calculator.explain import textbook_formula
from rnnquiz.calculator.inverse import quadratic_steps, solve
from rnnquiz.calculator.render import shape_text
from rnnquiz.calculator.rules import count
from rnnquiz.calculator.words import counted, each_of, number
from rnnquiz.drill.models import SOLVERS as MODEL_SOLVERS
from rnnquiz.errors import NoSolutionError
from rnnquiz.witness import handcalc

WEIGHT_CHOICES = [k / 10 for k in range(-10, 11) if k]


class QuantityError(ValueError):
    """A template asks for something its network cannot answer (a missing tensor, ...)."""


class Solved:
    """A computed answer: kind, value, how to show it, and the worked solution."""

    def __init__(self, kind, value, solution, *, decimals=None, tolerance=None, tensor=None,
                 result=None, derived=None, steps=None, total_bias=None, alternatives=(),
                 figure=None, echoes=()):
        self.kind = kind
        self.value = value
        self.solution = solution
        self.decimals = decimals
        self.tolerance = tolerance
        self.tensor = tensor
        self.result = result
        self.derived = derived or {}
        self.steps = steps
        self.total_bias = total_bias
        # Other values graded right (a bias written (n, 1) in a column-vector course).
        self.alternatives = tuple(alternatives)
        # The number a yes/no answer rests on (the count), checked against the question's.
        self.figure = figure
        # Parameters the answer equals by definition (steps = T), not by coincidence.
        self.echoes = tuple(echoes)


def half_unit(decimals: int) -> float:
    """The tolerance of "to k decimal places": half a unit in the k-th place (k=3 -> 0.0005)."""
    return 0.5 * 10.0 ** -decimals


def display(kind: str, value, decimals=None) -> str:
    """How an answer is written: 725 -> '725', (20, 10) -> '(20, 10)', False -> 'no'."""
    if kind == "shape":
        return shape_text(value)
    if kind == "yesno":
        return "yes" if value else "no"
    if kind == "number":
        return f"{value:z,.{decimals}f}"
    if kind == "text":
        return str(value)
    return number(value)


def find_tensor(result, name: str):
    """A tensor by its name or one of its aliases (U, Wxh, Wax, A, ...)."""
    for t in result.tensors:
        if t.name == name or name in t.aliases:
            return t
    names = ", ".join(t.name for t in result.tensors)
    raise QuantityError(f"this network has no tensor {name!r} (it has {names})")


def _sum_solution(result, bias: bool) -> list:
    listed = [t for t in result.tensors if bias or not t.is_bias]
    lines = [f"{t.name} {shape_text(t.shape)}: {t.parameters:,}" for t in listed]
    total = sum(t.parameters for t in listed)
    lines.append(f"total = {' + '.join(f'{t.parameters:,}' for t in listed)} = {total:,}")
    return lines


def _called(ask, t) -> str:
    """'U is W_xh' when the question used another name, else just the name."""
    return t.name if ask["tensor"] == t.name else f"{ask['tensor']} (that is {t.name})"


def _shape(net, ask, values, rng):
    result = count(net)
    t = find_tensor(result, ask["tensor"])
    layout = ("rows are outputs, columns inputs" if net.effective_layout == "out-in"
              else "rows are inputs, columns outputs")
    why = (f"{_called(ask, t)} is {shape_text(t.shape)} because {t.reason} "
           f"({net.effective_layout}: {layout})")
    lines, alternatives = [why], ()
    if column_vectors(net) and len(t.shape) == 1:
        alternatives = ((t.shape[0], 1),)
        lines.append(f"written as a column vector, ({t.shape[0]}, 1), as column-vector courses "
                     "do, it is the same bias")
    return Solved("shape", t.shape, lines, tensor=t, result=result, alternatives=alternatives)


def column_vectors(net) -> bool:
    """Whether the question's convention writes vectors as columns (textbook, W x)."""
    return net.convention == "textbook" and net.effective_layout == "out-in"


def _parameters(net, ask, values, rng):
    result = count(net)
    t = find_tensor(result, ask["tensor"])
    dims = " × ".join(map(str, t.shape))
    lines = [f"{_called(ask, t)} is {shape_text(t.shape)} because {t.reason}",
             f"its parameters: {dims} = {t.parameters:,}"]
    return Solved("integer", t.parameters, lines, tensor=t, result=result)


def _total(net, ask, values, rng):
    bias = ask.get("bias", net.bias)
    result = count(net.replace(bias=True))
    value = result.with_bias if bias else result.without_bias
    lines = _sum_solution(result, bias)
    formula = textbook_formula(count(net.replace(bias=bias)))
    if formula:
        lines.append(formula)
    if net.cell != "rnn" and net.p is None and net.layers == 1 and not net.bidirectional \
            and not net.proj_size:
        g = net.gates
        lines.append(f"= {g} gate blocks × {value // g:,} each (every block has its own input "
                     "weights, recurrent weights and biases)")
    lines.append("T and the activation never change the count: the weights are shared by "
                 "every time step.")
    return Solved("integer", value, lines, result=result, total_bias=bias)


def _size(net, ask, values, rng):
    bias = ask.get("bias", net.bias)
    unknown = ask["of"]
    given = count(net.replace(bias=bias)).total
    known = {k: v for k, v in net.as_dict().items() if k != unknown}
    known["bias"] = bias
    solution = solve(unknown, given, **known)
    lines = [f"write the count as a function of {unknown}:"] + quadratic_steps(solution)
    return Solved("integer", solution.value, lines, result=count(net),
                  derived={"total": given}, total_bias=bias)


def _t_changes(net, ask, values, rng):
    T = net.T or 10
    a, b = count(net.replace(T=T)).total, count(net.replace(T=2 * T)).total
    lines = [f"with T = {T} the network has {a:,} parameters; with T = {2 * T}, {b:,}.",
             "The same weights are applied at every time step (parameter sharing): T changes "
             "how often they are used, never how many there are."]
    return Solved("yesno", a != b, lines, result=count(net), figure=a)


def _activation_changes(net, ask, values, rng):
    # The description has no activation at all: the count is a function of the sizes alone.
    result = count(net)
    lines = [f"the count is {result.total:,} whatever the activation: tanh, sigmoid and ReLU "
             "act on each neuron's value and have no weights of their own."]
    return Solved("yesno", False, lines, result=result, figure=result.total)


def _need_T(net):
    if net.T is None:
        raise QuantityError("this quantity needs T among the template's params")
    return count(net).unrolled


def _steps(net, ask, values, rng):
    u = _need_T(net)
    lines = [f"one copy of the cell per time step (one per word or token): T = {u.T:,}, so "
             f"{counted(u.copies, 'copy')}, " + ("all sharing the same weights" if u.copies > 1
                                                 else "with the weights any step would use")]
    return Solved("integer", u.copies, lines, result=count(net), echoes=("T",))


def _applications(net, ask, values, rng):
    u = _need_T(net)
    lines = [f"W_hh maps h_(t-1) to h_t once per step, t = 1..{u.T}: "
             f"{counted(u.recurrent_applications, 'application')} of the same matrix"]
    return Solved("integer", u.recurrent_applications, lines, result=count(net), echoes=("T",))


def _hidden_states(net, ask, values, rng):
    u = _need_T(net)
    per = net.layers * net.directions
    with_h0 = ask.get("include_h0", True)
    value = u.hidden_states if with_h0 else u.T * per
    states = f"h_0..h_{u.T}" if with_h0 else f"h_1..h_{u.T}"
    lines = [f"BPTT needs every hidden state of the forward pass: {states}, "
             f"{u.T + 1 if with_h0 else u.T} per layer and direction"]
    if per > 1:
        lines.append(f"{per} layer-directions: {value}")
    return Solved("integer", value, lines, result=count(net))


def _multiply_adds(net, ask, values, rng):
    u = _need_T(net)
    result = count(net)
    last = ask.get("output", "every") == "last"
    value = u.multiply_adds_last_output if last else u.multiply_adds
    lines = [f"every weight takes part in one multiply-add each time its matrix is applied; "
             f"the weights (no biases) number {result.without_bias:,}"]
    if last and net.p is not None:
        head = sum(t.parameters for t in result.tensors if t.role == "hidden->output")
        lines.append(f"recurrent part {u.T} × {result.without_bias - head:,}, output layer "
                     f"once ({head:,}): {value:,}")
    else:
        lines.append(f"{counted(u.T, 'step')} × {result.without_bias:,} = {value:,}")
    return Solved("integer", value, lines, result=result)


def _matrix_text(rows) -> str:
    if len(rows) == 1 and len(rows[0]) == 1:
        return f"{rows[0][0]:g}"
    if len(rows) == 1:
        return "[" + ", ".join(f"{v:g}" for v in rows[0]) + "]"
    return "[" + "; ".join(", ".join(f"{v:g}" for v in row) for row in rows) + "]"


def draw_forward_values(net, rng) -> dict:
    """Short-decimal weights and 0/1 inputs for a hand-computable network."""
    def matrix(rows, cols):
        return [[rng.choice(WEIGHT_CHOICES) for _ in range(cols)] for _ in range(rows)]

    xs = []
    for _ in range(net.T):
        x = [rng.choice((0, 1)) for _ in range(net.m)]
        if not any(x):
            x[rng.randrange(net.m)] = 1
        xs.append(x)
    return {"W_xh": matrix(net.n, net.m), "W_hh": matrix(net.n, net.n),
            "W_hy": matrix(net.p, net.n), "xs": xs}


def _forward(net, ask, values, rng):
    if (net.convention, net.cell, net.layers, net.bidirectional, net.bias) != (
            "textbook", "rnn", 1, False, False) or net.p is None or net.T is None:
        raise QuantityError("forward questions need a bias-free, single-layer textbook RNN "
                            "with p and T")
    if net.m * net.n + net.n * net.n + net.p * net.n > 12 or net.T > 3:
        raise QuantityError("forward questions are computed by hand: at most 12 weights and "
                            "T <= 3")
    which, t = ask["of"].split("_")
    t = int(t)
    if t > net.T:
        raise QuantityError(f"asks for {ask['of']} but T = {net.T}")
    decimals = ask.get("decimals", 3)
    act = values.get("activation", "sigmoid")
    w = draw_forward_values(net, rng)
    steps = handcalc.forward(w["W_xh"], w["W_hh"], w["W_hy"], w["xs"], activation=act,
                             output_activation=act)
    exact = (steps[t - 1].h if which == "h" else steps[t - 1].y)[0]
    lines = []
    for s in steps[:t]:
        lines.append(f"t = {s.t}: a_{s.t} = W_xh·x_{s.t} + W_hh·h_{s.t - 1} = {s.a[0]:z.4f}; "
                     f"h_{s.t} = {act}(a_{s.t}) = {s.h[0]:z.4f}; "
                     f"y_{s.t} = {act}(W_hy·h_{s.t}) = {s.y[0]:z.4f}")
    lines.append(f"{ask['of']} = {exact:z.{decimals}f} (to {decimals} decimals)")
    derived = {"W_xh": _matrix_text(w["W_xh"]), "W_hh": _matrix_text(w["W_hh"]),
               "W_hy": _matrix_text(w["W_hy"])}
    for k, x in enumerate(w["xs"], 1):
        derived[f"x_{k}"] = _matrix_text([x])
    return Solved("number", round(exact, decimals), lines, decimals=decimals,
                  tolerance=half_unit(decimals), derived=derived,
                  steps={"weights": w, "steps": steps, "which": which, "t": t,
                         "activation": act, "exact": exact})


GRADIENT_INPUTS = (-1.0, -0.5, 0.5, 1.0, 2.0)
GRADIENT_TARGETS = (0.0, 0.5, 1.0)
FACTOR_WEIGHTS = (0.5, 0.8, 0.9, 1.1, 1.2, 1.5, 2.0)


def _one_neuron(net):
    if (net.m, net.n, net.p, net.bias, net.layers, net.bidirectional, net.convention,
            net.cell) != (1, 1, None, False, 1, False, "textbook", "rnn") or net.T is None:
        raise QuantityError("gradient questions need a one-neuron RNN: m = 1, n = 1, no p, "
                            "no bias, textbook rnn, with T")


def _gradient(net, ask, values, rng):
    _one_neuron(net)
    if net.T > 3:
        raise QuantityError("gradients by hand are for T <= 3")
    u, w = rng.choice(WEIGHT_CHOICES), rng.choice(WEIGHT_CHOICES)
    xs = [rng.choice(GRADIENT_INPUTS) for _ in range(net.T)]
    target = rng.choice(GRADIENT_TARGETS)
    # h_0 != 0 gives the first step a term of its own (with h_0 = 0 it is zero).
    h0 = rng.choice(GRADIENT_INPUTS) if ask.get("h0") else 0.0
    act = values.get("activation", "identity")
    calc = handcalc.one_neuron_bptt(u, w, xs, target, act, h0=h0)
    decimals = ask.get("decimals", 4)
    exact = calc["d" + ask["of"]]
    lines = ["forward:"] + calc["lines"][:net.T] + ["backward, t = T .. 1:"] \
        + calc["lines"][net.T:]
    name = {"W_hh": "w", "W_xh": "u"}[ask["of"]]
    lines.append(f"dL/d{name} = {exact:z.{decimals}f}: the sum of one term per step, because the "
                 "same weight is used at every step")
    derived = {"W_xh": f"{u:g}", "W_hh": f"{w:g}", "target": f"{target:g}", "h_0": f"{h0:g}"}
    derived.update({f"x_{k}": f"{x:g}" for k, x in enumerate(xs, 1)})
    info = {"u": u, "w": w, "xs": xs, "target": target, "activation": act, "exact": exact,
            "h0": h0,
            "of": ask["of"], "last": calc["last"]["d" + ask["of"]]}
    return Solved("number", round(exact, decimals), lines, decimals=decimals,
                  tolerance=half_unit(decimals), derived=derived, steps=info)


def _gradient_factor(net, ask, values, rng):
    _one_neuron(net)
    w, T = rng.choice(FACTOR_WEIGHTS), net.T
    exact = w ** T
    magnitude = math.floor(math.log10(abs(exact)))
    decimals = max(0, 2 - magnitude)  # three significant figures
    value = round(exact, 2 - magnitude)  # 4096 -> 4100.0: three figures above 1,000 too
    trend = "vanishes" if abs(w) < 1 else "explodes"
    exactly = "" if value == exact else f"{display('number', exact, 12).rstrip('0').rstrip('.')} ≈ "
    lines = [f"each step back multiplies the gradient by dh_t/dh_(t-1) = w = {w:g}",
             f"after T = {T} steps: w^T = {w:g}^{T} = {exactly}"
             f"{display('number', value, decimals)} (3 significant figures): the gradient "
             f"{trend} because |w| {'<' if abs(w) < 1 else '>'} 1"]
    return Solved("number", value, lines, decimals=decimals,
                  tolerance=0.5 * 10.0 ** (magnitude - 2), derived={"W_hh": f"{w:g}"},
                  steps={"w": w, "exact": exact})


def _stored_values(net, ask, values, rng):
    u = _need_T(net)
    per = net.layers * net.directions
    width = net.proj_size or net.n
    lines = [f"BPTT keeps h_0..h_{u.T}: {u.T + 1} hidden states of {width} numbers per layer "
             f"and direction ({per})"]
    if net.cell == "lstm":
        lines.append(f"an LSTM also keeps its cell states c_0..c_{u.T}: {u.T + 1} more of "
                     f"{net.n} numbers")
    lines.append(f"{u.stored_values:,} numbers per sequence: the memory grows linearly with T")
    return Solved("integer", u.stored_values, lines, result=count(net))


def _gradient_terms(net, ask, values, rng):
    u = _need_T(net)
    tensor = ask.get("tensor", "W_hh")
    lines = [f"{tensor} is used at {each_of(u.T, 'step')} (T = {u.T:,}), so dL/d{tensor} is "
             f"the sum of {counted(u.T, 'per-step term')} (one per use of the shared weights)"]
    return Solved("integer", u.T, lines, result=count(net), echoes=("T",))


SOLVERS = {
    "shape": _shape, "parameters": _parameters, "total": _total, "size": _size,
    "T_changes_count": _t_changes, "activation_changes_count": _activation_changes,
    "steps": _steps, "recurrent_applications": _applications, "hidden_states": _hidden_states,
    "multiply_adds": _multiply_adds, "forward": _forward, "gradient": _gradient,
    "gradient_factor": _gradient_factor, "stored_values": _stored_values,
    "gradient_terms": _gradient_terms,
}


def answer(net, ask: dict, values: dict, rng) -> Solved:
    """The engine's answer to ``ask`` for ``net``; raises QuantityError if it has none."""
    if ask["quantity"] in MODEL_SOLVERS:
        return MODEL_SOLVERS[ask["quantity"]](net, ask, values, rng)
    try:
        return SOLVERS[ask["quantity"]](net, ask, values, rng)
    except NoSolutionError as e:
        raise QuantityError(str(e)) from None
