"""Check a problem's answer against the NumPy model, never against the rules engine.

Counts and shapes come from a model built to the problem's description, unrolled figures from
running it (its states and its measured multiply-adds), forward values from its forward pass.
"""

from __future__ import annotations

import numpy as np

from rnnquiz.verification import FORWARD_LIMIT
from rnnquiz.witness import Model, build_model

SMALL = 2  # sizes of the stand-in network when the real one is too large to run


def _runnable(net):
    """The network itself when it is small enough to run, else the same architecture shrunk.

    Time-related figures (steps, applications, states) do not depend on the sizes.
    """
    model = build_model(net, allocate=False)
    if model.count() <= FORWARD_LIMIT and (net.T or 1) <= 1000:
        return net
    return net.replace(m=SMALL, n=SMALL + 1, p=SMALL if net.p else None,
                       proj_size=SMALL if net.proj_size else 0)


def _run(net, with_head=True):
    """(model, outputs) after one forward pass of a batch of 1 over T steps."""
    model = build_model(net, rng=np.random.default_rng(0))
    xs = np.random.default_rng(1).standard_normal((net.T, 1, net.m))
    out = model.forward(xs) if with_head else model.hidden(xs)
    return model, out


def check(net, ask: dict, solved) -> list:
    """The differences between the engine's answer and the model's (empty when they agree)."""
    q = ask["quantity"]
    value = solved.value
    if q in ("shape", "parameters"):
        arrays = dict(build_model(net, allocate=False).named_parameters())
        name = solved.tensor.name
        if name not in arrays:
            return [f"the NumPy model has no tensor {name}"]
        got = tuple(arrays[name].shape) if q == "shape" else int(arrays[name].size)
    elif q == "total":
        got = build_model(net.replace(bias=solved.total_bias), allocate=False).count()
    elif q == "size":
        solved_net = net.replace(**{ask["of"]: value, "bias": solved.total_bias})
        got_total = build_model(solved_net, allocate=False).count()
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
        counts = {build_model(net, activation=a, allocate=False).count()
                  for a in ("tanh", "sigmoid", "relu")}
        got = len(counts) > 1
    elif q in ("steps", "recurrent_applications", "hidden_states"):
        model, hs = _run(_runnable(net), with_head=False)
        got = hs.shape[0]
        if q == "hidden_states":
            layers, directions = model.layers_and_directions()
            h0 = 1 if ask.get("include_h0", True) else 0
            got = (got + h0) * layers * directions
    elif q == "multiply_adds":
        if _runnable(net) != net:
            return []  # too large to run; the count itself is checked by the 'total' path
        last = ask.get("output", "every") == "last"
        model, _ = _run(net, with_head=not last)
        got = model.macs()
        if last and model.head:
            got += model.head[0][1].size
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
        small = _runnable(net)
        model = build_model(small, rng=np.random.default_rng(0))
        _, cache = model.forward_cache(np.zeros((small.T, 1, small.m)))
        got = 0
        for _, _, caches in cache["record"]:
            got += sum(c[0].size for c in caches) + caches[-1][0].shape[-1]  # h_0..h_T
            if small.cell == "lstm":
                got += sum(c[1].size for c in caches) + small.n  # c_0..c_T
        if small != net:
            return []  # the stand-in has other sizes; the count was checked by the engine
    elif q == "gradient_terms":
        model, _ = _run(_runnable(net))
        ys, cache = model.forward_cache(np.ones((net.T, 1, model.m)))
        model.backward(cache, np.ones_like(ys))
        got = cache["steps"][0]["dxp"].shape[0]  # one per-step term per use of the weights
    else:
        return [f"no NumPy check for quantity {q}"]
    if got != value:
        return [f"{q}: engine says {value!r}, NumPy model gives {got!r}"]
    return []
