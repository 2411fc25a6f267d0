"""Check a problem's answer against the NumPy model, never against the rules engine.

Counts and shapes come from a model built to the problem's description, unrolled figures from
running it (its states and its measured multiply-adds), forward values from its forward pass.
Every check takes bounded time and memory whatever the template's sizes and T (see
``_over_time``).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from rnnquiz.drill.models import is_model
from rnnquiz.verification import FORWARD_LIMIT
from rnnquiz.witness import Model, build_model
from rnnquiz.witness.draws import replay

SMALL = 2  # sizes of the stand-in network when the real one is too large to run
# A check runs the model over at most this many cell-steps (T x layers x directions) and
# multiply-adds (T x parameters); beyond, it runs the real sizes over T = 2, 3 and 4 and
# extends the measured figure to T (see _over_time). Templates allow T up to 10^6.
STEP_LIMIT = 2_000
WORK_LIMIT = 20_000_000
SHORT = (2, 3, 4)


class _Disagreement(Exception):
    """The model's own measurements do not fit together (reported as a difference)."""


@functools.lru_cache(maxsize=2048)
def _witness(net, activation="tanh") -> tuple:
    """(parameter count, {tensor name: shape}) of the witness built to ``net`` on placeholders.

    Remembered per network in this process: a Network is immutable and the witness a pure
    function of it, so the same network is built and counted once, not once per check or per
    problem (the same check, done once, is not a check removed); a network differing in any
    field is a new key, built and counted anew.
    """
    model = build_model(net, activation=activation, allocate=False)
    return model.count(), {name: tuple(a.shape) for name, a in model.named_parameters()}


def _witness_count(net, activation="tanh") -> int:
    return _witness(net, activation)[0]


def _too_large(net) -> bool:
    """True when the network's weights are too many to allocate and run."""
    return _witness_count(net) > FORWARD_LIMIT


def _runnable(net):
    """The network itself when it is small enough to run, else the same architecture shrunk.

    Time-related figures (steps, applications, states) do not depend on the sizes.
    """
    if not _too_large(net):
        return net
    return net.replace(m=SMALL, n=SMALL + 1, p=SMALL if net.p else None,
                       proj_size=SMALL if net.proj_size else 0)


def _run(net, with_head=True):
    """(model, outputs) after one forward pass of a batch of 1 over T steps."""
    model = build_model(net, rng=replay(0))
    xs = replay(1).standard_normal((net.T, 1, net.m))
    out = model.forward(xs) if with_head else model.hidden(xs)
    return model, out


def _over_time(net, measure) -> int:
    """``measure(net)``, a figure of the model run over net.T steps, in bounded time and memory.

    When T steps are affordable the model runs them all. Otherwise it runs T = 2, 3 and 4: every
    figure checked this way (steps, states, values kept, multiply-adds) grows by the same amount
    at each step, which the three runs must confirm, and the figure at T follows exactly.
    """
    layers_directions = net.layers * net.directions
    work = net.T * _witness_count(net)
    if net.T * layers_directions <= STEP_LIMIT and work <= WORK_LIMIT:
        return measure(net)
    a, b, c = (measure(net.replace(T=t)) for t in SHORT)
    if b - a != c - b:
        raise _Disagreement(f"the NumPy model's figure does not grow by the same amount each "
                            f"step ({a}, {b}, {c} at T = 2, 3, 4)")
    return a + (net.T - SHORT[0]) * (b - a)


def check(net, ask: dict, solved) -> list:
    """The differences between the engine's answer and the model's (empty when they agree)."""
    if is_model(net):
        from rnnquiz.drill.model_checking import check_model

        return check_model(net, ask, solved)
    try:
        return _check(net, ask, solved)
    except _Disagreement as e:
        return [f"{ask['quantity']}: {e}"]


def _check(net, ask: dict, solved) -> list:
    q = ask["quantity"]
    value = solved.value
    if q in ("shape", "parameters"):
        shapes = _witness(net)[1]
        name = solved.tensor.name
        if name not in shapes:
            return [f"the NumPy model has no tensor {name}"]
        got = shapes[name] if q == "shape" else math.prod(shapes[name])
    elif q == "total":
        got = _witness_count(net.replace(bias=solved.total_bias))
    elif q == "size":
        solved_net = net.replace(**{ask["of"]: value, "bias": solved.total_bias})
        got_total = _witness_count(solved_net)
        if got_total != solved.derived["total"]:
            return [f"with {ask['of']} = {value} the NumPy model has {got_total:,} parameters, "
                    f"not {solved.derived['total']:,}"]
        return []
    elif q == "T_changes_count":
        # The model has no T at all: build it, run it over two lengths, count again.
        small = _runnable(net.replace(T=2))
        model, _ = _run(small)
        before = model.count()
        model.forward(np.zeros((7, 1, small.m)))
        got = model.count() != before
    elif q == "activation_changes_count":
        counts = {_witness_count(net, a) for a in ("tanh", "sigmoid", "relu")}
        got = len(counts) > 1
    elif q in ("steps", "recurrent_applications", "hidden_states"):
        h0 = 1 if ask.get("include_h0", True) else 0

        def measure(small):
            model, hs = _run(small, with_head=False)
            if q != "hidden_states":
                return hs.shape[0]
            layers, directions = model.layers_and_directions()
            return (hs.shape[0] + h0) * layers * directions
        got = _over_time(_runnable(net), measure)
    elif q == "multiply_adds":
        if _too_large(net):
            return []  # too large to run; the count itself is checked by the 'total' path
        last = ask.get("output", "every") == "last"

        def measure(small):
            model, _ = _run(small, with_head=not last)
            macs = model.macs()
            if last and model.head:
                macs += model.head[0][1].size
            return macs
        got = _over_time(net, measure)
    elif q == "forward":
        info = solved.steps
        w = info["weights"]
        model = Model(net.m, net.n, net.p, bias=False, activation=info["activation"],
                      output_activation=info["activation"])
        model.load({"W_xh": w["W_xh"], "W_hh": w["W_hh"], "W_hy": w["W_hy"]})
        xs = np.array(w["xs"], dtype=float)[:, None, :]
        t = info["t"] - 1
        out = model.hidden(xs)[t, 0, 0] if info["which"] == "h" else model.forward(xs)[t, 0, 0]
        if abs(out - info["exact"]) > 1e-9:
            return [f"forward value: hand calculation {info['exact']!r}, NumPy model {out!r}"]
        if abs(round(float(out), solved.decimals) - value) > solved.tolerance + 1e-12:
            return [f"forward value: answer {value} is not the model's {out!r}"]
        return []
    elif q == "gradient":
        info = solved.steps
        model = Model(1, 1, None, bias=False, activation=info["activation"])
        model.load({"W_xh": [[info["u"]]], "W_hh": [[info["w"]]]})
        hs, cache = model.forward_cache(np.array(info["xs"], dtype=float)[:, None, None],
                                        h0=np.full((1, 1, 1), info["h0"]))
        d = np.zeros_like(hs)
        d[-1] = hs[-1] - info["target"]
        got_exact = float(model.backward(cache, d)[info["of"]][0, 0])
        if abs(got_exact - info["exact"]) > 1e-9:
            return [f"gradient: hand calculation {info['exact']!r}, NumPy BPTT {got_exact!r}"]
        return []
    elif q == "gradient_factor":
        w = solved.steps["w"]
        model = Model(1, 1, None, bias=False, activation="identity")
        model.load({"W_xh": [[1.0]], "W_hh": [[w]]})
        hs, cache = model.forward_cache(np.zeros((net.T, 1, 1)), h0=np.ones((1, 1, 1)))
        d = np.zeros_like(hs)
        d[-1] = 1.0
        got_exact = float(model.backward(cache, d)["h0"][0, 0, 0])
        if abs(got_exact - value) > solved.tolerance + 1e-12:
            return [f"gradient factor: answer {value}, NumPy BPTT {got_exact!r}"]
        return []
    elif q == "stored_values":
        if _too_large(net):
            return []  # a stand-in would have other sizes; the count was checked by the engine

        def measure(small):
            model = build_model(small, rng=replay(0))
            _, cache = model.forward_cache(np.zeros((small.T, 1, small.m)))
            kept = 0
            for _, _, caches in cache["record"]:
                kept += sum(c[0].size for c in caches) + caches[-1][0].shape[-1]  # h_0..h_T
                if small.cell == "lstm":
                    kept += sum(c[1].size for c in caches) + small.n  # c_0..c_T
            return kept
        got = _over_time(net, measure)
    elif q == "gradient_terms":
        def measure(small):
            model = build_model(small, rng=replay(0))
            ys, cache = model.forward_cache(np.ones((small.T, 1, small.m)))
            model.backward(cache, np.ones_like(ys))
            return cache["steps"][0]["dxp"].shape[0]  # one per-step term per use of weights
        got = _over_time(_runnable(net), measure)
    else:
        return [f"no NumPy check for quantity {q}"]
    if got != value:
        return [f"{q}: engine says {value!r}, NumPy model gives {got!r}"]
    return []
