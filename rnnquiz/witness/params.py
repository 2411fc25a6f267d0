"""Each convention's parameters, created in its own names, shapes and layout.

Written from the equations and the frameworks' documented storage, independently of
``rnnquiz.calculator.rules``. A parameter object owns the tensors of one layer in one
direction and turns them into canonical-order projections (LSTM i, f, g, o; GRU r, z, n)
for ``rnnquiz.witness.cells``.

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
        self.grads = {}
        self._rows = {}

    def zero_grad(self):
        """Fresh zero gradients, keyed like the parameters."""
        self.grads = {name: np.zeros(a.shape, dtype=a.dtype) for name, a in self._named}
        self._bind_grads()

    def _bind_grads(self):
        """Point the subclass's gradient handles at ``self.grads``."""

    def recur_backward(self, h, blocks, d):
        """h: the state the projection read, d: (batch, len(blocks)*n) its gradient -> dh;
        accumulates the recurrent weight (and bias) gradients."""
        self._recur_grad(blocks, h, d)
        return self._recur_dh(blocks, d)

    def start(self):
        """Called before each forward pass over a sequence (the weights may have changed)."""

    def recur_dh(self, blocks, d):
        """dh through the recurrent projection alone (no gradient accumulated)."""
        return self._recur_dh(blocks, d)

    def recur_grad(self, blocks, h, d):
        """Accumulate the recurrent weight (and bias) gradients of rows h: (N, width) whose
        projection's gradient is d: (N, len(blocks)*n); N may be every step's batch at once."""
        self._recur_grad(blocks, h, d)

    def _span(self, storage_blocks, n):
        """(slice, perm) for gate blocks given in storage order.

        The blocks a step asks for are always one contiguous run in storage, so the weights are
        taken as a slice (a view, no copy); ``perm`` (or None) reorders the product's columns
        when storage order differs from the order asked for (Keras's z, r vs r, z).
        """
        key = tuple(storage_blocks)
        if key not in self._rows:
            lo, hi = min(key), max(key) + 1
            if sorted(key) != list(range(lo, hi)):
                raise ValueError(f"gate blocks {key} are not contiguous")
            perm = None
            if list(key) != sorted(key):
                perm = np.concatenate([np.arange((k - lo) * n, (k - lo + 1) * n) for k in key])
            self._rows[key] = (slice(lo * n, hi * n), perm)
        return self._rows[key]

    def _add(self, name, array):
        self._named.append((name, array))
        return array

    def named(self):
        """(name, array) pairs in the convention's own order."""
        return list(self._named)

    def project(self, h):
        """The LSTM projection h -> W_hr h; the identity when there is none."""
        return h

    def project_backward(self, m, dh):
        """Gradient through ``project``: dh into its output -> gradient into its input m."""
        return dh

    def _mm(self, x, w):
        """x @ w, counting its multiply-adds: rows of x times the elements of w."""
        self.macs += x.shape[0] * w.size
        return x @ w

    def gate_matrices(self):
        """(w_in (G*n, ins), b (G*n,) or None, w_rec (G*n, width)): this layer's tensors as
        one input and one recurrent matrix in canonical gate order, rows = gate units, so that
        ``input_proj(x) + recur(h, all blocks) == x @ w_in.T + b + h @ w_rec.T`` for an RNN or
        LSTM (b holds every bias, recurrent-side ones included). Fresh arrays, never views of
        the parameters."""
        raise NotImplementedError

    def add_gate_grads(self, g_in, g_b, g_rec):
        """Accumulate gradients given for ``gate_matrices``' three arrays (g_b is ignored
        without biases; it is every bias's gradient, as they are summed there)."""
        raise NotImplementedError

    def recurrent_matrices(self):
        """(w_rec (G*n, width), b_rec (G*n,) or None): the recurrent side alone in canonical
        gate order, rows = gate units, so that ``recur(h, all blocks) == h @ w_rec.T + b_rec``
        for every cell, a GRU's included (its b_hn stays apart from the input biases: r
        multiplies it). To read only: either may be a parameter itself."""
        raise NotImplementedError


class TextbookLayer(_Layer):
    """One matrix per gate, as textbooks write them: W_x?, W_h?, b_? (one bias per gate).

    Layout ``out-in``: W_x? is (n, ins) and the step computes W x; ``in-out``: (ins, n), x W.
    """

    LETTERS = {"rnn": "h", "lstm": "ifco", "gru": "rzh"}

    def __init__(self, cell, ins, n, *, bias, layout, suffix, make):
        super().__init__()
        self.n, self.layout, self.bias = n, layout, bias
        self.wx, self.wh, self.b = [], [], []
        self.names = []  # (W_x?, W_h?, b_? or None) per gate
        for letter in self.LETTERS[cell]:
            names = (f"W_x{letter}{suffix}", f"W_h{letter}{suffix}",
                     f"b_{letter}{suffix}" if bias else None)
            self.names.append(names)
            self.wx.append(self._add(names[0], make(self._shape(n, ins))))
            self.wh.append(self._add(names[1], make(self._shape(n, n))))
            if bias:
                self.b.append(self._add(names[2], make((n,))))

    def _bind_grads(self):
        self.gwx = [self.grads[x] for x, _, _ in self.names]
        self.gwh = [self.grads[h] for _, h, _ in self.names]
        self.gb = [self.grads[b] for _, _, b in self.names if b]

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

    def _grad_in(self, x, d, w, gw, need_dx=True):
        """Accumulate the gradient of x·w (either layout) into gw; return dx (or None)."""
        if self.layout == "out-in":
            gw += d.T @ x
            return d @ w if need_dx else None
        gw += x.T @ d
        return d @ w.T if need_dx else None

    def input_proj_backward(self, x, dxp, need_dx=True):
        """x: (N, ins), dxp: (N, G*n) -> dx (N, ins), or None without ``need_dx``;
        accumulates W_x? and b_? gradients."""
        n = self.n
        dx = 0.0
        for k, w in enumerate(self.wx):
            d = dxp[:, k * n:(k + 1) * n]
            dx_k = self._grad_in(x, d, w, self.gwx[k], need_dx)
            if need_dx:
                dx = dx + dx_k
            if self.bias:
                self.gb[k] += d.sum(axis=0)
        return dx if need_dx else None

    def _recur_dh(self, blocks, d):
        n, dh = self.n, 0.0
        for j, k in enumerate(blocks):
            w = self.wh[k]
            dh = dh + d[:, j * n:(j + 1) * n] @ (w if self.layout == "out-in" else w.T)
        return dh

    def _recur_grad(self, blocks, h, d):
        n = self.n
        for j, k in enumerate(blocks):
            dk = d[:, j * n:(j + 1) * n]
            self.gwh[k] += dk.T @ h if self.layout == "out-in" else h.T @ dk

    def gate_matrices(self):
        axis = 0 if self.layout == "out-in" else 1
        w_in, w_rec = np.concatenate(self.wx, axis=axis), np.concatenate(self.wh, axis=axis)
        if axis:
            w_in, w_rec = w_in.T, w_rec.T
        return w_in, (np.concatenate(self.b) if self.bias else None), w_rec

    def recurrent_matrices(self):
        if self.layout == "out-in":
            return np.concatenate(self.wh, axis=0), None
        return np.concatenate(self.wh, axis=1).T, None  # textbooks: no recurrent bias

    def add_gate_grads(self, g_in, g_b, g_rec):
        n = self.n
        for k in range(len(self.wx)):
            block = slice(k * n, (k + 1) * n)
            for grad, g in ((self.gwx[k], g_in[block]), (self.gwh[k], g_rec[block])):
                grad += g if self.layout == "out-in" else g.T
            if self.bias:
                self.gb[k] += g_b[block]


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
        self.suffix, self.cell = suffix, cell
        self._w_hh_t, self._fold = None, False

    def start(self):
        # h W_hh^T is faster from a contiguous W_hh^T than from a transposed view, and every
        # step of an RNN or LSTM adds b_hh right after b_ih: add it once, in the input
        # projection of all steps (a GRU's b_hn is multiplied by r, so it stays per step).
        self._w_hh_t = np.ascontiguousarray(self.w_hh.T)
        self._fold = self.bias and self.cell != "gru"

    def _bind_grads(self):
        sfx = self.suffix
        self.g_ih, self.g_hh = self.grads[f"weight_ih{sfx}"], self.grads[f"weight_hh{sfx}"]
        if self.bias:
            self.g_bih, self.g_bhh = self.grads[f"bias_ih{sfx}"], self.grads[f"bias_hh{sfx}"]
        if self.w_hr is not None:
            self.g_hr = self.grads[f"weight_hr{sfx}"]

    def input_proj(self, x):
        """x: (N, ins) -> (N, G*n) = x W_ih^T + b_ih."""
        out = self._mm(x, self.w_ih.T)
        if self._fold:
            return out + (self.b_ih + self.b_hh)
        return out + self.b_ih if self.bias else out

    def recur(self, h, blocks):
        """h: (batch, n or r) -> (batch, len(blocks)*n) = h W_hh[blocks]^T + b_hh[blocks]
        (b_hh already in the input projection once ``start`` folded it there)."""
        rows, _ = self._span(blocks, self.n)  # canonical order is PyTorch's own
        w_t = self.w_hh[rows].T if self._w_hh_t is None else self._w_hh_t[:, rows]
        out = self._mm(h, w_t)
        return out + self.b_hh[rows] if self.bias and not self._fold else out

    def project(self, h):
        return h if self.w_hr is None else self._mm(h, self.w_hr.T)

    def input_proj_backward(self, x, dxp, need_dx=True):
        """x: (N, ins), dxp: (N, G*n) -> dx (or None without ``need_dx``); accumulates
        weight_ih and bias_ih gradients."""
        self.g_ih += dxp.T @ x
        if self.bias:
            self.g_bih += dxp.sum(axis=0)
        return dxp @ self.w_ih if need_dx else None

    def _recur_dh(self, blocks, d):
        rows, _ = self._span(blocks, self.n)
        return d @ self.w_hh[rows]

    def _recur_grad(self, blocks, h, d):
        rows, _ = self._span(blocks, self.n)
        self.g_hh[rows] += d.T @ h
        if self.bias:
            self.g_bhh[rows] += d.sum(axis=0)

    def project_backward(self, m, dh):
        if self.w_hr is None:
            return dh
        self.g_hr += dh.T @ m
        return dh @ self.w_hr

    def gate_matrices(self):
        b = self.b_ih + self.b_hh if self.bias else None
        return self.w_ih.copy(), b, self.w_hh.copy()

    def recurrent_matrices(self):
        return self.w_hh, (self.b_hh if self.bias else None)

    def add_gate_grads(self, g_in, g_b, g_rec):
        self.g_ih += g_in
        self.g_hh += g_rec
        if self.bias:
            self.g_bih += g_b
            self.g_bhh += g_b


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
        self.prefix, self.two_rows = prefix, bias and cell == "gru" and reset_after
        if bias:
            if self.two_rows:
                b = self._add(f"{prefix}/bias", make((2, g * n)))
                self.b_in, self.b_rec = b[0], b[1]
            else:
                self.b_in = self._add(f"{prefix}/bias", make((g * n,)))

    def _bind_grads(self):
        pre = self.prefix
        self.g_k = self.grads[f"{pre}/kernel"]
        self.g_rk = self.grads[f"{pre}/recurrent_kernel"]
        self.g_bin = self.g_brec = None
        if self.bias:
            gb = self.grads[f"{pre}/bias"]
            self.g_bin, self.g_brec = (gb[0], gb[1]) if self.two_rows else (gb, None)

    def _cols(self, blocks):
        """(slice, perm) of canonical ``blocks`` in Keras's storage (see ``_span``)."""
        return self._span([self.order[k] for k in blocks], self.n)

    def input_proj(self, x):
        """x: (N, ins) -> (N, G*n) in canonical order = (x kernel + b_in)[:, reordered]."""
        out = self._mm(x, self.kernel)
        if self.b_in is not None:
            out = out + self.b_in
        _, perm = self._cols(range(len(self.order)))
        return out if perm is None else out[:, perm]

    def recur(self, h, blocks):
        """h: (batch, n) -> (batch, len(blocks)*n) = h recurrent_kernel[:, blocks] (+ b_rec)."""
        cols, perm = self._cols(blocks)
        out = self._mm(h, self.recurrent_kernel[:, cols])
        if self.b_rec is not None:
            out = out + self.b_rec[cols]
        return out if perm is None else out[:, perm]

    def input_proj_backward(self, x, dxp, need_dx=True):
        """x: (N, ins), dxp: (N, G*n) canonical -> dx (or None without ``need_dx``); kernel
        and input-bias gradients."""
        _, perm = self._cols(range(len(self.order)))
        dk = dxp
        if perm is not None:
            dk = np.empty_like(dxp)
            dk[:, perm] = dxp
        self.g_k += x.T @ dk
        if self.g_bin is not None:
            self.g_bin += dk.sum(axis=0)
        return dk @ self.kernel.T if need_dx else None

    def _storage_order(self, blocks, d):
        cols, perm = self._cols(blocks)
        if perm is not None:
            storage = np.empty_like(d)
            storage[:, perm] = d
            d = storage
        return cols, d

    def _recur_dh(self, blocks, d):
        cols, d = self._storage_order(blocks, d)
        return d @ self.recurrent_kernel[:, cols].T

    def _recur_grad(self, blocks, h, d):
        cols, d = self._storage_order(blocks, d)
        self.g_rk[:, cols] += h.T @ d
        if self.g_brec is not None:
            self.g_brec[cols] += d.sum(axis=0)

    def gate_matrices(self):
        _, perm = self._cols(range(len(self.order)))
        keep = slice(None) if perm is None else perm
        b = None
        if self.b_in is not None:
            b = self.b_in if self.b_rec is None else self.b_in + self.b_rec
            b = b[keep].copy()
        return self.kernel.T[keep].copy(), b, self.recurrent_kernel.T[keep].copy()

    def recurrent_matrices(self):
        _, perm = self._cols(range(len(self.order)))
        keep = slice(None) if perm is None else perm
        b = None if self.b_rec is None else self.b_rec[keep]
        return self.recurrent_kernel[:, keep].T, b  # (its transpose contiguous: cheap to copy)

    def add_gate_grads(self, g_in, g_b, g_rec):
        _, perm = self._cols(range(len(self.order)))
        keep = slice(None) if perm is None else perm
        self.g_k[:, keep] += g_in.T
        self.g_rk[:, keep] += g_rec.T
        for grad in (self.g_bin, self.g_brec):
            if grad is not None:
                grad[keep] += g_b
