"""A complete NumPy recurrent network: stacked, optionally bidirectional, with an output layer.

Shapes: xs (T, batch, m) -> outputs (T, batch, p), or the last layer's hidden states
(T, batch, D*n) (D*r after a projected LSTM) when there is no output layer.
"""

from __future__ import annotations

import math

import numpy as np

from rnnquiz.description.network import Network, shown
from rnnquiz.errors import NetworkError
from rnnquiz.witness import gru_sequence, lstm_sequence, rnn_sequence
from rnnquiz.witness.cells import (
    ACTIVATIONS,
    activation_grad,
    gru_step,
    gru_step_backward,
    lstm_step,
    lstm_step_backward,
    rnn_step,
    rnn_step_backward,
)
from rnnquiz.witness.draws import replay
from rnnquiz.witness.params import KerasLayer, PyTorchLayer, TextbookLayer

KERAS_NAMES = {"rnn": "simple_rnn", "lstm": "lstm", "gru": "gru"}
NATIVE = {"textbook": "out-in", "pytorch": "out-in", "keras": "in-out"}


def _maker(rng, dtype, allocate, scale):
    """A function shape -> array: random uniform(-scale, scale), or a zero-stride placeholder.

    The placeholder (``allocate=False``) has the right shape and size but occupies one scalar,
    so a network with 10^10 weights can be counted without allocating them. It is one byte
    wide: NumPy refuses an array whose nominal bytes pass 2^63, and a (4n, 2n) tensor with
    n = 10^9 has 8·10^18 elements.
    """
    if not allocate:
        zero = bytes(1)  # read-only: the placeholder can never be written
        return lambda shape: np.ndarray(shape, np.uint8, zero, 0, (0,) * len(shape))

    def make(shape):  # rng.uniform(-scale, scale, size=shape), the same values, faster
        values = rng.random(shape)
        values *= 2 * scale
        values -= scale
        return values.astype(dtype, copy=False)
    return make


class Model:
    """A real recurrent network built from its equations, in one convention's storage.

    Parameters are created by this constructor alone (never from ``rnnquiz.calculator.rules``).
    ``activation`` is the vanilla RNN's phi (tanh, sigmoid, relu); ``output_activation`` is
    applied after the output layer (identity by default). ``rng`` is a numpy Generator.
    An LSTM without projection runs through ``lstm_sequence`` (whole-sequence arrays, the
    batch in the columns) unless ``fast_lstm`` is False: then one ``cells.lstm_step`` a step.
    A vanilla RNN or a GRU run forward only (no cache kept for BPTT) takes whole-sequence
    arrays too (``rnn_sequence``, ``gru_sequence``) unless ``fast_rnn`` / ``fast_gru`` is False.
    """

    fast_lstm = True
    fast_rnn = True
    fast_gru = True

    def __init__(self, m, n, p=None, *, cell="rnn", layers=1, bidirectional=False, bias=True,
                 convention="textbook", layout=None, reset_after=True, proj_size=0,
                 activation="tanh", output_activation="identity", rng=None,
                 dtype=np.float64, allocate=True):
        self.m, self.n, self.p = m, n, p
        self.cell, self.convention = cell, convention
        self.bidirectional, self.bias = bidirectional, bias
        self.layout = layout or NATIVE[convention]
        self.activation, self.output_activation = activation, output_activation
        self.proj_size = proj_size if (convention == "pytorch" and cell == "lstm") else 0
        # Which GRU form each convention computes: PyTorch resets after the recurrent product,
        # textbooks (Cho et al., d2l) before it, Keras as its flag says.
        self.reset_after = {"pytorch": True, "textbook": False}.get(convention, reset_after)
        self.allocated = allocate
        self.dtype = np.dtype(dtype)  # the weights' (a placeholder's bytes are not)
        if rng is None and allocate:  # a placeholder needs no random numbers
            rng = replay(0)
        make = _maker(rng, dtype, allocate, 1.0 / math.sqrt(n))
        directions = ("fwd", "bwd") if bidirectional else ("fwd",)
        width = self.proj_size or n  # what one direction of a layer outputs
        self.layers = []
        for k in range(layers):
            ins = m if k == 0 else len(directions) * width
            self.layers.append(tuple(self._layer(k, layers, d, ins, make) for d in directions))
        self.width = len(directions) * width
        self.head = self._head(make) if p is not None else []
        self.head_macs = 0

    def _layer(self, k, layers, direction, ins, make):
        cell, n, bias = self.cell, self.n, self.bias
        if self.convention == "textbook":
            tags = ([str(k + 1)] if layers > 1 else []) + (
                [direction] if self.bidirectional else [])
            suffix = f"^({','.join(tags)})" if tags else ""
            return TextbookLayer(cell, ins, n, bias=bias, layout=self.layout, suffix=suffix,
                                 make=make)
        if self.convention == "pytorch":
            suffix = f"_l{k}" + ("_reverse" if direction == "bwd" else "")
            return PyTorchLayer(cell, ins, n, bias=bias, suffix=suffix, make=make,
                                proj_size=self.proj_size)
        base, tag = KERAS_NAMES[cell], (f"_{k}" if k else "")
        if self.bidirectional:
            side = "forward" if direction == "fwd" else "backward"
            prefix = f"bidirectional{tag}/{side}_{base}{tag}"
        else:
            prefix = f"{base}{tag}"
        return KerasLayer(cell, ins, n, bias=bias, prefix=prefix, make=make,
                          reset_after=self.reset_after)

    def _head(self, make):
        p, w = self.p, self.width
        names = {"textbook": ("W_hy", "b_y"), "pytorch": ("linear.weight", "linear.bias"),
                 "keras": ("dense/kernel", "dense/bias")}[self.convention]
        shape = (p, w) if self.layout == "out-in" else (w, p)
        head = [(names[0], make(shape))]
        if self.bias:
            head.append((names[1], make((p,))))
        return head

    # --- parameters -----------------------------------------------------------------------

    def named_parameters(self) -> list:
        """(name, array) for every parameter, in the convention's order."""
        out = []
        for layer in self.layers:
            for params in layer:
                out.extend(params.named())
        return out + list(self.head)

    def parameters(self) -> list:
        """Every parameter array; ``sum(a.size for a in model.parameters())`` is the count."""
        return [a for _, a in self.named_parameters()]

    def count(self) -> int:
        return sum(int(a.size) for a in self.parameters())

    def macs(self) -> int:
        """Multiply-adds the matrix products have performed since the model was built."""
        return self.head_macs + sum(params.macs for layer in self.layers for params in layer)

    def layers_and_directions(self) -> tuple:
        """(layers, directions) as this model holds them."""
        return len(self.layers), len(self.layers[0])

    def load(self, values: dict) -> None:
        """Copy arrays in by name (shapes must match exactly); unknown names raise KeyError."""
        if not self.allocated:
            raise ValueError("a model built with allocate=False holds no weights to load")
        own = dict(self.named_parameters())
        for name, value in values.items():
            target = own[name]
            value = np.asarray(value, dtype=target.dtype)
            if value.shape != target.shape:
                raise ValueError(f"{name}: expected shape {target.shape}, got {value.shape}")
            target[...] = value

    # --- forward --------------------------------------------------------------------------

    def _run(self, params, xs, h0=None, c0=None, keep=False):
        """One layer, one direction. xs: (T, batch, ins) -> (hidden states (T, batch, width),
        what the backward pass needs or None).

        h0: (batch, width) and c0: (batch, n) initial states (zeros when None). With ``keep``,
        the second is the list of each step's cache (a ``lstm_sequence.LstmTape`` for an LSTM
        without projection: the same caches, and the whole-sequence arrays).
        """
        if self.cell == "lstm" and not self.proj_size and self.fast_lstm:
            hs, tape = lstm_sequence.forward(params, xs, h0, c0)
            return hs, (tape if keep else None)
        if self.cell == "rnn" and not keep and self.fast_rnn:
            w_in, b, w_rec = params.gate_matrices()
            if xs.dtype == w_rec.dtype:  # (the per-step path stores states in xs's dtype)
                return rnn_sequence.forward(w_in, b, w_rec, xs, h0, self.activation,
                                            params), None
        if self.cell == "gru" and not keep and self.fast_gru:
            if xs.dtype == params.named()[0][1].dtype:  # (as for the RNN)
                return gru_sequence.forward(params, xs, h0, reset_after=self.reset_after), None
        params.start()
        T, batch = xs.shape[:2]
        # The input projection of all T steps in one matrix product (explicit sizes: T or
        # batch may be 0).
        xp = params.input_proj(xs.reshape(T * batch, xs.shape[-1]))
        xp = xp.reshape(T, batch, xp.shape[-1])
        width = self.proj_size or self.n
        h = np.zeros((batch, width), dtype=xs.dtype) if h0 is None else h0
        c = np.zeros((batch, self.n), dtype=xs.dtype) if c0 is None else c0
        hs = np.empty((T, batch, width), dtype=xs.dtype)
        caches = [] if keep else None
        for t in range(T):
            if self.cell == "rnn":
                h, cache = rnn_step(xp[t], h, params, self.activation)
            elif self.cell == "lstm":
                h, c, cache = lstm_step(xp[t], h, c, params)
            else:
                h, cache = gru_step(xp[t], h, params, self.reset_after)
            hs[t] = h
            if keep:
                caches.append(cache)
        return hs, caches

    def _run_backward(self, params, xs, caches, dhs, need_dx=True):
        """Backpropagation through time for one layer and direction.

        xs: (T, batch, ins) its inputs, dhs: (T, batch, width) the gradient reaching each h_t
        from above. Accumulates the parameters' gradients; returns (dxs (T, batch, ins), or
        None without ``need_dx``, dh0 (batch, width), dc0 (batch, n) or None, dxp
        (T, batch, G*n), dh_into (T, batch, width): the total gradient into each h_t, from
        above and from t+1).
        """
        if isinstance(caches, lstm_sequence.LstmTape):
            return lstm_sequence.backward(params, caches, dhs, need_dx)
        T, batch = xs.shape[:2]
        dxp = np.empty((T, batch, self.layers_gates * self.n), dtype=xs.dtype)
        dh_into = np.empty_like(dhs)
        dh = np.zeros((batch, dhs.shape[-1]), dtype=dhs.dtype)
        dc = np.zeros((batch, self.n), dtype=xs.dtype) if self.cell == "lstm" else None
        # An LSTM's recurrent weight gradient: one product over every step after the loop
        # (measured faster; for an RNN or GRU the per-step products measured faster).
        deferred = [] if self.cell == "lstm" else None
        for t in reversed(range(T)):
            dh = dh + dhs[t]
            dh_into[t] = dh
            if self.cell == "rnn":
                dxp[t], dh = rnn_step_backward(dh, caches[t], params)
            elif self.cell == "lstm":
                _, dh, dc = lstm_step_backward(dh, dc, caches[t], params, deferred, out=dxp[t])
            else:
                dxp[t], dh = gru_step_backward(dh, caches[t], params)
        flat_dxp = dxp.reshape(T * batch, dxp.shape[-1])
        if self.cell == "lstm" and T:
            # Its recurrent projection's gradient at step t is dxp[t]: no copy of it needed.
            h_prev = np.concatenate([cache[0] for cache in caches])
            params.recur_grad((0, 1, 2, 3), h_prev, flat_dxp)
        dxs = params.input_proj_backward(xs.reshape(T * batch, xs.shape[-1]), flat_dxp, need_dx)
        return (None if dxs is None else dxs.reshape(xs.shape)), dh, dc, dxp, dh_into

    @property
    def layers_gates(self) -> int:
        return {"rnn": 1, "lstm": 4, "gru": 3}[self.cell]

    @staticmethod
    def _initial(state, k, dtype):
        """Layer-direction k's slice of an (L*D, batch, .) initial state, or None."""
        return None if state is None else np.asarray(state, dtype=dtype)[k]

    def hidden(self, xs, h0=None, c0=None, record=None) -> np.ndarray:
        """The last layer's outputs, both directions concatenated: (T, batch, D*n).

        h0: (L*D, batch, width), c0: (L*D, batch, n), ordered like PyTorch (layer by layer,
        forward before backward). ``record``, a list, receives each layer-direction's
        (params, inputs, caches) for ``backward``.
        """
        seq = self._promoted(np.asarray(xs))
        k = 0
        for layer in self.layers:
            outs = []
            for d, params in enumerate(layer):
                inputs = seq if d == 0 else seq[::-1]
                h_init = self._initial(h0, k, seq.dtype)
                c_init = self._initial(c0, k, seq.dtype)
                hs, caches = self._run(params, inputs, h_init, c_init, record is not None)
                if record is not None:
                    record.append((params, inputs, caches))
                outs.append(hs if d == 0 else hs[::-1])
                k += 1
            seq = np.concatenate(outs, axis=-1)
        return seq

    def _head_forward(self, hs):
        w = self.head[0][1]
        self.head_macs += hs.shape[0] * hs.shape[1] * w.size
        o = hs @ (w.T if self.layout == "out-in" else w)
        if self.bias:
            o = o + self.head[1][1]
        return o, ACTIVATIONS[self.output_activation](o)

    def forward(self, xs, h0=None, c0=None) -> np.ndarray:
        """xs: (T, batch, m) -> (T, batch, p) with an output layer, else (T, batch, D*n)."""
        xs = self._check(xs)
        hs = self.hidden(xs, h0, c0)
        return self._head_forward(hs)[1] if self.head else hs

    def _check(self, xs):
        xs = np.asarray(xs)
        if xs.ndim != 3 or xs.shape[-1] != self.m:
            raise ValueError(f"xs must be (T, batch, m={self.m}), got {xs.shape}")
        return self._promoted(xs)

    def _promoted(self, xs):
        """xs in the dtype the products give (NumPy's promotion of xs's and the weights'):
        every path stores the states in it, so integer inputs are not truncated and each path
        (whole-sequence or per-step) computes in the same precision."""
        if xs.dtype.kind in "biuf":
            xs = xs.astype(np.result_type(xs.dtype, self.dtype), copy=False)
        return xs

    # --- backpropagation through time -----------------------------------------------------

    def forward_cache(self, xs, h0=None, c0=None):
        """(outputs, cache): the forward pass, keeping what ``backward`` needs."""
        xs = self._check(xs)
        record = []
        hs = self.hidden(xs, h0, c0, record)
        cache = {"record": record, "hs": hs, "xs": xs}
        if not self.head:
            return hs, cache
        o, ys = self._head_forward(hs)
        cache.update(o=o, ys=ys)
        return ys, cache

    def backward(self, cache, d_outputs, *, input_grad=False) -> dict:
        """Gradients of a loss whose gradient w.r.t. the outputs is ``d_outputs``.

        d_outputs: (T, batch, p) (or (T, batch, D*n) without an output layer). Returns a dict
        keyed like the parameters, plus ``h0`` (L*D, batch, width) and, for an LSTM, ``c0``
        (L*D, batch, n): the gradients into the initial states. ``cache["steps"]`` receives,
        per layer-direction, the gradient into each h_t and each step's projections' gradient;
        with ``input_grad``, ``cache["dxs"]`` the gradient into the inputs (T, batch, m) (one
        more matrix product, skipped by default as a framework skips it for an input that
        does not require a gradient).
        """
        hs = cache["hs"]
        grads = {}
        if self.head:
            o, ys = cache["o"], cache["ys"]
            # In the outputs' dtype, as without an output layer: every path then runs
            # backward in the model's precision (a float64 gradient into a float32 model
            # made the per-step cells promote where the LSTM's whole-sequence path did not).
            d_o = np.asarray(d_outputs, dtype=o.dtype) * activation_grad(
                self.output_activation, o, ys)
            flat_h = hs.reshape(-1, hs.shape[-1])
            flat_d = d_o.reshape(-1, d_o.shape[-1])
            w = self.head[0][1]
            grads[self.head[0][0]] = flat_d.T @ flat_h if self.layout == "out-in" \
                else flat_h.T @ flat_d
            if self.bias:
                grads[self.head[1][0]] = flat_d.sum(axis=0)
            d_seq = d_o @ (w if self.layout == "out-in" else w.T)
        else:
            d_seq = np.asarray(d_outputs, dtype=hs.dtype)
        record = cache["record"]
        per = len(self.layers[0])
        width = self.proj_size or self.n
        dh0 = [None] * len(record)
        dc0 = [None] * len(record)
        steps = [None] * len(record)
        for li in reversed(range(len(self.layers))):
            d_in = 0.0
            for d in range(per):
                k = li * per + d
                params, inputs, caches = record[k]
                part = d_seq[..., d * width:(d + 1) * width]
                if d == 1:
                    part = part[::-1]
                params.zero_grad()
                need_dx = li > 0 or input_grad
                dxs, dh0[k], dc0[k], dxp, dh_into = self._run_backward(params, inputs, caches,
                                                                       part, need_dx)
                grads.update(params.grads)
                steps[k] = {"dh": dh_into, "dxp": dxp, "from_above": part}
                if need_dx:
                    d_in = d_in + (dxs if d == 0 else dxs[::-1])
            d_seq = d_in
        grads["h0"] = np.stack(dh0)
        if self.cell == "lstm":
            grads["c0"] = np.stack(dc0)
        cache["steps"] = steps
        if input_grad:
            cache["dxs"] = d_seq
        return grads

    def loss_and_grads(self, xs, targets, h0=None, c0=None):
        """Squared-error loss 0.5 * sum((outputs - targets)^2) over every step, and its
        gradients (see ``backward``)."""
        ys, cache = self.forward_cache(xs, h0, c0)
        diff = ys - np.asarray(targets, dtype=ys.dtype)
        return 0.5 * float(np.sum(diff * diff)), self.backward(cache, diff)


def build_model(net, *, rng=None, dtype=np.float64, allocate=True, activation="tanh",
                output_activation="identity") -> Model:
    """A :class:`Model` for a :class:`~rnnquiz.description.network.Network` (its fields only);
    anything else raises NetworkError (field ``network``), as ``count`` and ``verify`` do."""
    if not isinstance(net, Network):
        raise NetworkError("network", f"expected a Network description, got {shown(net)} "
                                      "(build one with rnnquiz.Network(m=..., n=...))")
    return Model(net.m, net.n, net.p, cell=net.cell, layers=net.layers,
                 bidirectional=net.bidirectional, bias=net.bias, convention=net.convention,
                 layout=net.layout, reset_after=net.reset_after, proj_size=net.proj_size,
                 activation=activation, output_activation=output_activation, rng=rng,
                 dtype=dtype, allocate=allocate)
