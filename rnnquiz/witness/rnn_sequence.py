"""A vanilla RNN layer-direction run forward over a whole sequence (no cache for BPTT).

The equations of ``cells.rnn_step``, h_t = phi(x_t W_in^T + b + h_(t-1) W_rec^T): the input
projection of every step in one product, then one product a step into a buffer reused for
every step. The network witness (``Model``, forward only) and the whole models' recurrent
layers (no mask) take it; tests compare it with the per-step cells.

Shapes: T steps, batch examples, ins the input width, n the hidden size.
"""

from __future__ import annotations

import numpy as np

from rnnquiz.witness.cells import ACTIVATIONS


def forward(w_in, b, w_rec, xs, h0, activation, params):
    """A vanilla RNN layer-direction forward, the whole sequence at once: xs: (T, batch, ins)
    -> hs (T, batch, n), h_t = phi(x_t W_in^T + b + h_(t-1) W_rec^T) with ``gate_matrices``'
    w_in (n, ins), b (n,) or None and w_rec (n, n); h0: (batch, n) or None (zeros).

    The equations of ``cells.rnn_step``, each step one product into a buffer reused for every
    step; the multiply-adds counted on ``params.macs`` as the per-step path counts them."""
    T, batch, ins = xs.shape
    n = w_rec.shape[0]
    xp = xs.reshape(T * batch, ins) @ w_in.T
    if b is not None:
        xp += b
    xp = xp.reshape(T, batch, n)
    params.macs += T * batch * (w_in.size + w_rec.size)
    w_t = np.ascontiguousarray(w_rec.T)
    phi = activation if callable(activation) else ACTIVATIONS[activation]
    hs = np.empty((T, batch, n), dtype=xp.dtype)
    h = np.zeros((batch, n), dtype=xp.dtype) if h0 is None else h0
    a = np.empty((batch, n), dtype=xp.dtype)
    for t in range(T):
        np.dot(h, w_t, out=a)  # (np.dot: as matmul, less overhead per call)
        a += xp[t]
        h = hs[t]
        if phi is np.tanh:
            np.tanh(a, out=h)
        else:
            h[...] = phi(a)
    return hs
