"""Each convention's parameters, created in its own names, shapes and layout.

Written from the equations and the frameworks' documented storage, independently of
``rnnquiz.rules``. A parameter object owns the tensors of one layer in one direction and turns
them into canonical-order projections (LSTM i, f, g, o; GRU r, z, n) for ``rnnquiz.nn.cells``.

Shapes use the project's vocabulary: ``ins`` is the layer's input width (m for the first layer),
n the hidden size, G the gate blocks, r the LSTM projection size.
"""

from __future__ import annotations

import numpy as np

GATES = {"rnn": 1, "lstm": 4, "gru": 3}


class _Layer:
    """Common plumbing: an ordered list of (name, array) and the projection helpers."""

    def __init__(self):
        self._named = []
        self.macs = 0  # multiply-adds performed by this layer's matrix products so far

    def _add(self, name, array):
        self._named.append((name, array))
        return array

    def named(self):
        """(name, array) pairs in the convention's own order."""
        return list(self._named)

    def project(self, h):
        """The LSTM projection h -> W_hr h; the identity when there is none."""
        return h

    def _mm(self, x, w):
        """x @ w, counting its multiply-adds: rows of x times the elements of w."""
        self.macs += x.shape[0] * w.size
        return x @ w


class TextbookLayer(_Layer):
    """One matrix per gate, as textbooks write them: W_x?, W_h?, b_? (one bias per gate).

    Layout ``out-in``: W_x? is (n, ins) and the step computes W x; ``in-out``: (ins, n), x W.
    """

    LETTERS = {"rnn": "h", "lstm": "ifco", "gru": "rzh"}

    def __init__(self, cell, ins, n, *, bias, layout, suffix, make):
        super().__init__()
        self.n, self.layout, self.bias = n, layout, bias
        self.wx, self.wh, self.b = [], [], []
        for letter in self.LETTERS[cell]:
            self.wx.append(self._add(f"W_x{letter}{suffix}", make(self._shape(n, ins))))
            self.wh.append(self._add(f"W_h{letter}{suffix}", make(self._shape(n, n))))
            if bias:
                self.b.append(self._add(f"b_{letter}{suffix}", make((n,))))

    def _shape(self, out_dim, in_dim):
        return (out_dim, in_dim) if self.layout == "out-in" else (in_dim, out_dim)

    def _apply(self, x, w):
        return self._mm(x, w.T if self.layout == "out-in" else w)

    def input_proj(self, x):
        """x: (N, ins) -> (N, G*n), input biases included."""
        parts = [self._apply(x, w) for w in self.wx]
        if self.bias:
            parts = [p + b for p, b in zip(parts, self.b, strict=True)]
        return np.concatenate(parts, axis=-1)

    def recur(self, h, blocks):
        """h: (batch, n) -> (batch, len(blocks)*n); textbooks put no bias on this side."""
        return np.concatenate([self._apply(h, self.wh[k]) for k in blocks], axis=-1)


class PyTorchLayer(_Layer):
    """torch.nn.RNN/LSTM/GRU storage: stacked gate blocks, (out, in), two biases."""

    def __init__(self, cell, ins, n, *, bias, suffix, make, proj_size=0):
        super().__init__()
        g = GATES[cell]
        self.n, self.bias = n, bias
        rec = proj_size or n
        self.w_ih = self._add(f"weight_ih{suffix}", make((g * n, ins)))
        self.w_hh = self._add(f"weight_hh{suffix}", make((g * n, rec)))
        if bias:
            self.b_ih = self._add(f"bias_ih{suffix}", make((g * n,)))
            self.b_hh = self._add(f"bias_hh{suffix}", make((g * n,)))
        self.w_hr = self._add(f"weight_hr{suffix}", make((proj_size, n))) if proj_size else None

    def input_proj(self, x):
        """x: (N, ins) -> (N, G*n) = x W_ih^T + b_ih."""
        out = self._mm(x, self.w_ih.T)
        return out + self.b_ih if self.bias else out

    def recur(self, h, blocks):
        """h: (batch, n or r) -> (batch, len(blocks)*n) = h W_hh[blocks]^T + b_hh[blocks]."""
        n = self.n
        rows = np.concatenate([np.arange(k * n, (k + 1) * n) for k in blocks])
        out = self._mm(h, self.w_hh[rows].T)
        return out + self.b_hh[rows] if self.bias else out

    def project(self, h):
        return h if self.w_hr is None else self._mm(h, self.w_hr.T)


class KerasLayer(_Layer):
    """keras.layers.SimpleRNN/LSTM/GRU storage: (in, out) kernels, Keras gate order.

    Keras orders GRU blocks z, r, h; the canonical order is r, z, n, so blocks are re-indexed.
    GRU with reset_after=True keeps a (2, 3n) bias: row 0 input side, row 1 recurrent side.
    """

    CANONICAL_TO_KERAS = {"rnn": (0,), "lstm": (0, 1, 2, 3), "gru": (1, 0, 2)}

    def __init__(self, cell, ins, n, *, bias, prefix, make, reset_after=True):
        super().__init__()
        g = GATES[cell]
        self.n, self.bias = n, bias
        self.order = self.CANONICAL_TO_KERAS[cell]
        self.kernel = self._add(f"{prefix}/kernel", make((ins, g * n)))
        self.recurrent_kernel = self._add(f"{prefix}/recurrent_kernel", make((n, g * n)))
        self.b_in = self.b_rec = None
        if bias:
            if cell == "gru" and reset_after:
                b = self._add(f"{prefix}/bias", make((2, g * n)))
                self.b_in, self.b_rec = b[0], b[1]
            else:
                self.b_in = self._add(f"{prefix}/bias", make((g * n,)))

    def _cols(self, blocks):
        n = self.n
        return np.concatenate([np.arange(self.order[k] * n, (self.order[k] + 1) * n)
                               for k in blocks])

    def input_proj(self, x):
        """x: (N, ins) -> (N, G*n) in canonical order = (x kernel + b_in)[:, reordered]."""
        out = self._mm(x, self.kernel)
        if self.b_in is not None:
            out = out + self.b_in
        return out[:, self._cols(range(len(self.order)))]

    def recur(self, h, blocks):
        """h: (batch, n) -> (batch, len(blocks)*n) = h recurrent_kernel[:, blocks] (+ b_rec)."""
        cols = self._cols(blocks)
        out = self._mm(h, self.recurrent_kernel[:, cols])
        return out if self.b_rec is None else out + self.b_rec[cols]
