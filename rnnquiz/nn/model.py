"""A complete NumPy recurrent network: stacked, optionally bidirectional, with an output layer.

Shapes: xs (T, batch, m) -> outputs (T, batch, p), or the last layer's hidden states
(T, batch, D*n) (D*r after a projected LSTM) when there is no output layer.
"""

from __future__ import annotations

import numpy as np

from rnnquiz.nn.cells import ACTIVATIONS, gru_step, lstm_step, rnn_step
from rnnquiz.nn.params import KerasLayer, PyTorchLayer, TextbookLayer

KERAS_NAMES = {"rnn": "simple_rnn", "lstm": "lstm", "gru": "gru"}
NATIVE = {"textbook": "out-in", "pytorch": "out-in", "keras": "in-out"}


def _maker(rng, dtype, allocate, scale):
    """A function shape -> array: random uniform(-scale, scale), or a zero-stride placeholder.

    The placeholder (``allocate=False``) has the right shape and size but occupies one scalar,
    so a network with 10^10 weights can be counted without allocating them.
    """
    if not allocate:
        zero = np.zeros((), dtype=dtype)
        return lambda shape: np.broadcast_to(zero, shape)
    return lambda shape: rng.uniform(-scale, scale, size=shape).astype(dtype, copy=False)


class Model:
    """A real recurrent network built from its equations, in one convention's storage.

    Parameters are created by this constructor alone (never from ``rnnquiz.rules``).
    ``activation`` is the vanilla RNN's phi (tanh, sigmoid, relu); ``output_activation`` is
    applied after the output layer (identity by default). ``rng`` is a numpy Generator.
    """

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
        rng = rng if rng is not None else np.random.default_rng(0)
        make = _maker(rng, dtype, allocate, 1.0 / np.sqrt(n))
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

    def directions_and_layers(self) -> tuple:
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

    def _run(self, params, xs):
        """One layer, one direction. xs: (T, batch, ins) -> hidden states (T, batch, width)."""
        T, batch = xs.shape[:2]
        # The input projection of all T steps in one matrix product.
        xp = params.input_proj(xs.reshape(T * batch, -1)).reshape(T, batch, -1)
        width = self.proj_size or self.n
        h = np.zeros((batch, width), dtype=xs.dtype)
        c = np.zeros((batch, self.n), dtype=xs.dtype)
        hs = np.empty((T, batch, width), dtype=xs.dtype)
        for t in range(T):
            if self.cell == "rnn":
                h = rnn_step(xp[t], h, params, self.activation)
            elif self.cell == "lstm":
                h, c = lstm_step(xp[t], h, c, params)
            else:
                h = gru_step(xp[t], h, params, self.reset_after)
            hs[t] = h
        return hs

    def hidden(self, xs) -> np.ndarray:
        """The last layer's outputs, both directions concatenated: (T, batch, D*n)."""
        seq = np.asarray(xs)
        for layer in self.layers:
            outs = [self._run(layer[0], seq)]
            if len(layer) == 2:
                outs.append(self._run(layer[1], seq[::-1])[::-1])
            seq = np.concatenate(outs, axis=-1)
        return seq

    def forward(self, xs) -> np.ndarray:
        """xs: (T, batch, m) -> (T, batch, p) with an output layer, else (T, batch, D*n)."""
        xs = np.asarray(xs)
        if xs.ndim != 3 or xs.shape[-1] != self.m:
            raise ValueError(f"xs must be (T, batch, m={self.m}), got {xs.shape}")
        hs = self.hidden(xs)
        if not self.head:
            return hs
        w = self.head[0][1]
        self.head_macs += hs.shape[0] * hs.shape[1] * w.size
        ys = hs @ (w.T if self.layout == "out-in" else w)
        if self.bias:
            ys = ys + self.head[1][1]
        return ACTIVATIONS[self.output_activation](ys)


def build_model(net, *, rng=None, dtype=np.float64, allocate=True, activation="tanh",
                output_activation="identity") -> Model:
    """A :class:`Model` for a :class:`rnnquiz.network.Network` description (its fields only)."""
    return Model(net.m, net.n, net.p, cell=net.cell, layers=net.layers,
                 bidirectional=net.bidirectional, bias=net.bias, convention=net.convention,
                 layout=net.layout, reset_after=net.reset_after, proj_size=net.proj_size,
                 activation=activation, output_activation=output_activation, rng=rng,
                 dtype=dtype, allocate=allocate)
