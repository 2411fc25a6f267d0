"""Follow a small vanilla RNN step by step, forward and (BPTT) backward, the way a student
checks a hand computation. Numbers come from the NumPy model's forward and backward passes.

A network is a plain mapping (from YAML, JSON or ``random_spec``)::

    W_xh: [[0.5, -0.3, 0.8]]     # (n, m), rows are hidden neurons
    W_hh: [[0.4]]                # (n, n)
    W_hy: [[1.2]]                # (p, n), optional: no output layer without it
    b_h: [0.1]                   # optional (n,); b_y (p,) likewise
    activation: sigmoid          # tanh (default), sigmoid, relu, identity
    output_activation: sigmoid   # identity (default), sigmoid, tanh, relu
    xs: [[1, 0, 1], [0, 1, 1]]   # T inputs of m values
    targets: [[1], [0]]          # optional, T targets (zeros when not given)
    h0: [0]                      # optional initial state (zeros)

The loss is 0.5 * sum over t of ||y_t - target_t||^2 (h_t in place of y_t without W_hy).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np

from rnnquiz.errors import RnnquizError
from rnnquiz.witness import Model

ACTIVATION_NAMES = ("tanh", "sigmoid", "relu", "identity")
KEYS = {"W_xh", "W_hh", "W_hy", "b_h", "b_y", "activation", "output_activation", "xs",
        "targets", "h0"}
MAX_SIZE = 64
MAX_T = 1000
# A trace prints every value of every step; T = 1000 with 64-wide layers forward is about
# 525,000 numbers, and --backward adds n·(n + m) a step (8.2 million there: 270 MB of JSON).
MAX_VALUES = 600_000


class TraceError(RnnquizError):
    """A network description that does not fit together; the message names the tensor."""


def _short(value) -> str:
    """repr for an error message, at most a line (an input may be a megabyte of numbers)."""
    try:
        text = repr(value)
    except ValueError:  # an integer of more than 4,300 digits
        return "a number too long to show"
    return text if len(text) <= 80 else text[:77] + "..."


def _matrix(spec, name, rows=None, cols=None, *, what=""):
    value = spec.get(name)
    try:
        array = np.array(value, dtype=np.float64)
    except OverflowError:
        raise TraceError(f"{name}: a number is too large for a float64") from None
    except (TypeError, ValueError, RecursionError):
        raise TraceError(f"{name}: expected a list of rows of numbers, got "
                         f"{_short(value)}") from None
    if array.ndim == 1 and rows == 1:
        array = array[None, :]
    if array.ndim != 2 or 0 in array.shape:
        raise TraceError(f"{name}: expected a matrix (a list of rows of numbers), got "
                         f"{_short(value)}")
    if not np.all(np.isfinite(array)):
        raise TraceError(f"{name}: every entry must be a finite number")
    expected = (rows if rows is not None else array.shape[0],
                cols if cols is not None else array.shape[1])
    if array.shape != expected:
        raise TraceError(f"{name}: expected shape {expected}{what}, got {array.shape}")
    return array


def _vector(spec, name, size, what):
    value = spec.get(name)
    try:
        array = np.array(value, dtype=np.float64).reshape(-1)
    except OverflowError:
        raise TraceError(f"{name}: a number is too large for a float64") from None
    except (TypeError, ValueError, RecursionError):
        raise TraceError(f"{name}: expected a list of numbers, got {_short(value)}") from None
    if array.shape != (size,):
        raise TraceError(f"{name}: expected shape ({size},){what}, got "
                         f"{np.shape(value)}")
    if not np.all(np.isfinite(array)):
        raise TraceError(f"{name}: every entry must be a finite number")
    return array


def check_spec(spec) -> dict:
    """Validate a network mapping; returns the arrays. Raises TraceError naming the tensor."""
    if not isinstance(spec, dict):
        raise TraceError("expected a mapping with W_xh, W_hh, xs (and optionally W_hy, ...)")
    unknown = sorted(set(map(str, spec)) - KEYS)
    if unknown:
        raise TraceError(f"unknown key(s) {', '.join(unknown)} (expected "
                         f"{', '.join(sorted(KEYS))})")
    for key in ("W_xh", "W_hh", "xs"):
        if key not in spec:
            raise TraceError(f"{key}: missing")
    w_hh = _matrix(spec, "W_hh")
    n = w_hh.shape[0]
    if w_hh.shape != (n, n):
        raise TraceError(f"W_hh: expected a square (n, n) matrix, got {w_hh.shape}")
    w_xh = _matrix(spec, "W_xh", n, None, what=f": n = {n} rows, to match W_hh")
    m = w_xh.shape[1]
    xs = _matrix(spec, "xs", None, m, what=f": T inputs of m = {m} values, to match W_xh")
    T = xs.shape[0]
    out = {"W_xh": w_xh, "W_hh": w_hh, "xs": xs, "m": m, "n": n, "T": T, "p": None}
    if n > MAX_SIZE or m > MAX_SIZE or T > MAX_T:
        raise TraceError(f"trace is for small networks: at most {MAX_SIZE} neurons a layer and "
                         f"{MAX_T} steps")
    if spec.get("W_hy") is not None:
        out["W_hy"] = _matrix(spec, "W_hy", None, n, what=f": p rows of n = {n}, to match W_hh")
        out["p"] = out["W_hy"].shape[0]
    elif spec.get("b_y") is not None:
        raise TraceError("b_y: given without W_hy (no output layer)")
    width = out["p"] if out["p"] is not None else n
    out["b_h"] = _vector(spec, "b_h", n, f" to match n = {n}") if spec.get("b_h") is not None \
        else None
    if out["p"] is not None:
        out["b_y"] = _vector(spec, "b_y", out["p"], f" to match p = {out['p']}") \
            if spec.get("b_y") is not None else None
    out["targets"] = (_matrix(spec, "targets", T, width,
                              what=f": T = {T} targets of {width} values")
                      if spec.get("targets") is not None else np.zeros((T, width)))
    out["h0"] = _vector(spec, "h0", n, f" to match n = {n}") if spec.get("h0") is not None \
        else np.zeros(n)
    for key, default in (("activation", "tanh"), ("output_activation", "identity")):
        value = spec.get(key, default)
        if value not in ACTIVATION_NAMES:
            raise TraceError(f"{key}: expected one of {', '.join(ACTIVATION_NAMES)}, got "
                             f"{_short(value)}")
        out[key] = value
    return out


def load_spec(path) -> dict:
    """A network mapping from a .json, .yaml or .yml file (safe, bounded loading).

    Only a regular file of at most 1 MiB is read; YAML aliases and nesting are bounded (see
    ``rnnquiz.datafiles``), and so is the nesting of JSON.
    """
    from rnnquiz.datafiles import DataFileError, load_yaml, read_text

    path = Path(path)
    try:
        text = read_text(path)
        if path.suffix.lower() != ".json":
            return load_yaml(text, str(path))
        return json.loads(text)
    except DataFileError as e:
        raise TraceError(str(e)) from None
    except json.JSONDecodeError as e:
        raise TraceError(f"{path}:{e.lineno}:{e.colno}: JSON error: {e.msg}") from None
    except RecursionError:
        raise TraceError(f"{path}: JSON nested too deeply; refused") from None
    except ValueError:  # Python reads at most 4,300 digits of an integer
        raise TraceError(f"{path}: JSON error: a number of more than 4,300 digits") from None


def random_spec(m=3, n=1, p=1, T=2, seed=0, activation="sigmoid") -> dict:
    """A network with one-decimal weights and 0/1 inputs, easy to follow by hand."""
    rng = random.Random(seed)
    values = [k / 10 for k in range(-10, 11) if k]

    def matrix(rows, cols):
        return [[rng.choice(values) for _ in range(cols)] for _ in range(rows)]

    spec = {"W_xh": matrix(n, m), "W_hh": matrix(n, n), "activation": activation,
            "xs": [[rng.choice((0, 1)) for _ in range(m)] for _ in range(T)]}
    if p:
        spec.update(W_hy=matrix(p, n), output_activation=activation,
                    targets=[[rng.choice((0.0, 1.0)) for _ in range(p)] for _ in range(T)])
    return spec


class Trace:
    """Every step's values forward, and with ``backward`` the gradients, as plain lists."""

    def __init__(self, arrays, steps, loss, backward=None):
        self.arrays = arrays
        self.steps = steps
        self.loss = loss
        self.backward = backward

    def as_dict(self) -> dict:
        a = self.arrays
        network = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in a.items()}
        return {"network": network, "steps": self.steps, "loss": self.loss,
                "backward": self.backward}


def printed_values(a, backward: bool) -> int:
    """How many numbers the trace of the checked arrays ``a`` prints (its JSON form)."""
    m, n, T = a["m"], a["n"], a["T"]
    p = a["p"] or 0
    width = p or n
    weights = n * m + n * n + p * n + n + p
    forward = weights + n + T * (2 * m + 2 * n + 2 * p + 2 * width + 1)
    if not backward:
        return forward
    return forward + T * (4 * n + n * n + n * m) + weights + n


def trace(spec, *, backward=False) -> Trace:
    """Run the network of ``spec`` forward (and backward) and record every step.

    Refuses (TraceError) a trace that would print more than MAX_VALUES numbers.
    """
    a = check_spec(spec)
    printed = printed_values(a, backward)
    if printed > MAX_VALUES:
        per_step = (f"; --backward prints n·(n + m) = {a['n'] * (a['n'] + a['m']):,} numbers "
                    "a step for the dW contributions" if backward else "")
        raise TraceError(f"this trace would print {printed:,} numbers (at most "
                         f"{MAX_VALUES:,}): use fewer steps or neurons{per_step}")
    bias = a["b_h"] is not None or (a["p"] is not None and a.get("b_y") is not None)
    model = Model(a["m"], a["n"], a["p"], bias=bias, activation=a["activation"],
                  output_activation=a["output_activation"])
    values = {"W_xh": a["W_xh"], "W_hh": a["W_hh"]}
    if a["p"] is not None:
        values["W_hy"] = a["W_hy"]
    if bias:
        values["b_h"] = a["b_h"] if a["b_h"] is not None else np.zeros(a["n"])
        if a["p"] is not None:
            values["b_y"] = a["b_y"] if a.get("b_y") is not None else np.zeros(a["p"])
    model.load(values)
    xs = a["xs"][:, None, :]
    h0 = a["h0"][None, None, :]
    outputs, cache = model.forward_cache(xs, h0=h0)
    caches = cache["record"][0][2]
    diff = outputs - a["targets"][:, None, :]
    steps = []
    for t in range(a["T"]):
        _, pre, h, _ = caches[t]
        row = {"t": t + 1, "x": a["xs"][t].tolist(), "a": pre[0].tolist(), "h": h[0].tolist()}
        if a["p"] is not None:
            row["o"] = cache["o"][t, 0].tolist()
            row["y"] = outputs[t, 0].tolist()
        row["target"] = a["targets"][t].tolist()
        row["loss"] = 0.5 * float(np.sum(diff[t] ** 2))
        steps.append(row)
    loss = sum(s["loss"] for s in steps)
    result = Trace(a, steps, loss)
    if backward:
        grads = model.backward(cache, diff)
        info = cache["steps"][0]
        hs_prev = [a["h0"]] + [np.array(s["h"]) for s in steps[:-1]]
        back = []
        for t in reversed(range(a["T"])):
            dh = info["dh"][t, 0]
            from_output = info["from_above"][t, 0]
            da = info["dxp"][t, 0]
            back.append({
                "t": t + 1, "dh": dh.tolist(), "dh_norm": float(np.linalg.norm(dh)),
                "dh_from_output": from_output.tolist(),
                "dh_from_next_step": (dh - from_output).tolist(),
                "da": da.tolist(),
                "dW_hh_contribution": np.outer(da, hs_prev[t]).tolist(),
                "dW_xh_contribution": np.outer(da, a["xs"][t]).tolist(),
            })
        dh0 = grads["h0"][0, 0]
        result.backward = {
            "steps": back,
            "dh0": dh0.tolist(), "dh0_norm": float(np.linalg.norm(dh0)),
            "grads": {k: v.tolist() for k, v in grads.items() if k not in ("h0",)},
        }
    _require_finite(result)
    return result


# Overflow shows as inf or NaN, which _require_finite names in one error: no NumPy warnings.
trace = np.errstate(over="ignore", invalid="ignore", divide="ignore")(trace)


def _first_not_finite(named):
    for name, value in named:
        if not np.all(np.isfinite(np.asarray(value, dtype=np.float64))):
            return name
    return None


def _require_finite(result: Trace) -> None:
    """Raise TraceError naming the first value, in the order computed, that overflowed float64:
    a trace never holds NaN or inf (JSON has neither)."""
    named = []
    for s in result.steps:
        named += [(f"{key}_{s['t']}", s[key]) for key in ("a", "h", "o", "y", "loss") if key in s]
    named.append(("the total loss", result.loss))
    if result.backward is not None:
        for s in result.backward["steps"]:
            named += [(f"{key} at t = {s['t']}", s[key]) for key in
                      ("dh_from_output", "dh", "dh_norm", "da", "dW_hh_contribution",
                       "dW_xh_contribution")]
        named += [(f"d{key}", value) for key, value in result.backward["grads"].items()]
        named += [("dh0", result.backward["dh0"]), ("dh0_norm", result.backward["dh0_norm"])]
    name = _first_not_finite(named)
    if name is not None:
        raise TraceError(f"{name} overflows float64 (it is not a finite number): the weights "
                         "or inputs are too large to trace")


def _num(v) -> str:
    return f"{v + 0.0:.6g}"  # + 0.0 turns -0.0 into 0.0


def _vec(values) -> str:
    return "[" + ", ".join(_num(v) for v in values) + "]"


def _mat(rows) -> str:
    return "[" + ", ".join(_vec(r) for r in rows) + "]"


def trace_lines(result: Trace) -> list:
    """The trace as text: every step forward, then (if computed) backward through time."""
    a = result.arrays
    act, out_act = a["activation"], a["output_activation"]
    has_bias = a["b_h"] is not None
    desc = (f"vanilla RNN, m = {a['m']}, n = {a['n']}, "
            + (f"p = {a['p']}" if a["p"] is not None else "no output layer")
            + f", T = {a['T']}, {act} hidden units"
            + (f", {out_act} output" if a["p"] is not None else "")
            + (", with bias" if has_bias else ", no bias"))
    lines = [desc, f"W_xh = {_mat(a['W_xh'])}   W_hh = {_mat(a['W_hh'])}"
             + (f"   W_hy = {_mat(a['W_hy'])}" if a["p"] is not None else "")]
    if has_bias:
        lines.append(f"b_h = {_vec(a['b_h'])}"
                     + (f"   b_y = {_vec(a['b_y'])}" if a.get("b_y") is not None else ""))
    lines.append(f"h_0 = {_vec(a['h0'])}; loss = 0.5 · Σ_t ||"
                 + ("y_t" if a["p"] is not None else "h_t") + " - target_t||²")
    lines.append("")
    bias_h = " + b_h" if has_bias else ""
    for s in result.steps:
        t = s["t"]
        lines.append(f"t = {t}   x_{t} = {_vec(s['x'])}")
        lines.append(f"  a_{t} = W_xh·x_{t} + W_hh·h_{t - 1}{bias_h} = {_vec(s['a'])}")
        lines.append(f"  h_{t} = {act}(a_{t}) = {_vec(s['h'])}")
        if a["p"] is not None:
            lines.append(f"  y_{t} = {out_act}(W_hy·h_{t}"
                         + (" + b_y" if a.get("b_y") is not None else "")
                         + f") = {_vec(s['y'])}")
        lines.append(f"  target {_vec(s['target'])}   loss_{t} = {_num(s['loss'])}")
    lines.append(f"total loss = {_num(result.loss)}")
    if result.backward is None:
        return lines
    b = result.backward
    lines += ["", "Backward through time (t = T .. 1): the gradient reaching h_t comes from "
              "its output and from step t+1"]
    for s in b["steps"]:
        t = s["t"]
        paths = f" = from y_{t} {_vec(s['dh_from_output'])}" if a["p"] is not None else ""
        if t < a["T"]:
            paths += f" + from h_{t + 1} {_vec(s['dh_from_next_step'])}"
        lines.append(f"t = {t}   dL/dh_{t} = {_vec(s['dh'])}  (norm {_num(s['dh_norm'])})"
                     + paths)
        lines.append(f"  da_{t} = dL/dh_{t} ⊙ {act}'(a_{t}) = {_vec(s['da'])}")
        lines.append(f"  step {t} adds to dW_hh: da_{t} · h_{t - 1}ᵀ = "
                     f"{_mat(s['dW_hh_contribution'])}")
    g = b["grads"]
    lines.append("")
    lines.append(f"dW_hh = sum of the {len(b['steps'])} contributions (the same W_hh is used "
                 f"at every step) = {_mat(g['W_hh'])}")
    lines.append(f"dW_xh = {_mat(g['W_xh'])}")
    if "W_hy" in g:
        lines.append(f"dW_hy = {_mat(g['W_hy'])}")
    for name in ("b_h", "b_y"):
        if name in g:
            lines.append(f"d{name} = {_vec(g[name])}")
    norms = " -> ".join(f"{_num(s['dh_norm'])}" for s in b["steps"])
    lines.append(f"dL/dh_0 = {_vec(b['dh0'])}")
    lines.append(f"gradient norm travelling back, |dL/dh_t| for t = {a['T']} .. 1, then h_0: "
                 f"{norms} -> {_num(b['dh0_norm'])}")
    return lines
