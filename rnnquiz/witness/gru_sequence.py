"""A GRU layer-direction run forward over a whole sequence (no cache for BPTT).

The equations of ``cells.gru_step``, gates in canonical order r, z, n:

- r, z = sigma(W_ir x_t + b_ir + W_hr h_(t-1) + b_hr), likewise z;
- reset after (PyTorch, Keras's default): n = phi(W_in x_t + b_in + r * (W_hn h_(t-1) + b_hn));
  reset before (Cho et al., textbooks, Keras reset_after=False):
  n = phi(W_in x_t + b_in + W_hn (r * h_(t-1)));
- h_t = z * h_(t-1) + (1 - z) * n,

arranged for speed: the input projection of every step in one product (``params.input_proj``,
as the per-step path), the r and z parts of the recurrent bias added there once, then each
step one recurrent product and a dozen in-place operations on buffers reused for every step.
With the default sigmoid, its halving (sigma(a) = 0.5 * tanh(a / 2) + 0.5) is folded into the
r and z columns of the weights and the projection (exact: a power of two). The network
witness (``Model``, forward only) and the whole models' GRU layers (no mask) take it; the
tests compare it with the per-step cells in every convention.

Shapes: T steps, B the batch, ins the input width, n the hidden size.
"""

from __future__ import annotations

import numpy as np

from rnnquiz.witness.cells import sigmoid


def forward(params, xs, h0=None, *, reset_after=True, activation=np.tanh,
            recurrent_activation=sigmoid):
    """xs: (T, B, ins), h0: (B, n) or None (zeros) -> hs (T, B, n).

    ``activation`` (phi, tanh by default) and ``recurrent_activation`` (sigma) are functions
    of an array, as ``cells.gru_step`` takes them. The states are stored in xs's dtype, which
    must be the weights' (the caller checks). Counts the products' multiply-adds on
    ``params.macs`` as the per-step path does.
    """
    T, B, ins = xs.shape
    xp = params.input_proj(xs.reshape(T * B, ins))  # (T*B, 3n), the input-side biases in
    w_rec, b_rec = params.recurrent_matrices()
    n = w_rec.shape[1]
    xp = xp.reshape(T, B, 3 * n)
    params.macs += T * B * w_rec.size
    dtype = xp.dtype
    w_t = np.array(w_rec.T, dtype=dtype, order="C")  # (n, 3n): a copy, scaled below
    halve = recurrent_activation is sigmoid
    if b_rec is not None:
        xp[..., :2 * n] += b_rec[:2 * n]
        b_n = b_rec[2 * n:]
    if halve:
        xp[..., :2 * n] *= 0.5
        w_t[:, :2 * n] *= 0.5
    hs = np.empty((T, B, n), dtype=dtype)
    h = np.zeros((B, n), dtype=dtype) if h0 is None else np.asarray(h0, dtype=dtype)
    rz = np.empty((B, 2 * n), dtype=dtype)
    r, z = rz[:, :n], rz[:, n:]
    cand = np.empty((B, n), dtype=dtype)
    diff = np.empty((B, n), dtype=dtype)
    if reset_after:
        hp = np.empty((B, 3 * n), dtype=dtype)
        hp_rz, hp_n = hp[:, :2 * n], hp[:, 2 * n:]
    else:
        w_rz, w_n = np.ascontiguousarray(w_t[:, :2 * n]), np.ascontiguousarray(w_t[:, 2 * n:])
        hp_rz = np.empty((B, 2 * n), dtype=dtype)
        rh = np.empty((B, n), dtype=dtype)
    for t in range(T):
        if reset_after:
            np.dot(h, w_t, out=hp)  # (np.dot: as matmul, less overhead per call)
        else:
            np.dot(h, w_rz, out=hp_rz)
        np.add(xp[t, :, :2 * n], hp_rz, out=rz)
        if halve:
            np.tanh(rz, out=rz)
            rz *= 0.5
            rz += 0.5
        else:
            rz[...] = recurrent_activation(rz)
        if reset_after:
            if b_rec is not None:
                hp_n += b_n
            np.multiply(r, hp_n, out=cand)
        else:
            np.multiply(r, h, out=rh)
            np.dot(rh, w_n, out=cand)
        cand += xp[t, :, 2 * n:]
        if activation is np.tanh:
            np.tanh(cand, out=cand)
        else:
            cand[...] = activation(cand)
        # h_t = z * h + (1 - z) * n = n + z * (h - n)
        np.subtract(h, cand, out=diff)
        diff *= z
        h = hs[t]
        np.add(cand, diff, out=h)
    return hs
