"""One time step of each cell, forward and backward side by side, in canonical gate order
(LSTM i, f, g, o; GRU r, z, n).

The parameter objects in ``rnnquiz.witness.params`` turn their own tensors into the projections a
step needs, and take the projections' gradients back, so one step serves every convention:

- ``xp``: (batch, G*n) this step's input projection, input-side biases included;
- ``params.recur(h, blocks)``: (batch, len(blocks)*n), the recurrent projection of ``h`` for
  the given canonical blocks, recurrent-side biases included; ``params.recur_backward(h,
  blocks, d)`` accumulates its weight gradients and returns dh.

Each ``*_step`` returns the new state and a cache; each ``*_step_backward`` takes the gradient
flowing into the new state and the cache, and returns (dxp, gradient into the old state).
With ``deferred`` (a list), a backward step does not accumulate the recurrent weight gradients
itself: it appends (h, blocks, d) for each recurrent projection, and the caller takes all of
them in one matrix product per block set after the loop (the same sum, far fewer products).
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function as 0.5 * (1 + tanh(z / 2)): the same function, one vectorised call,
    and no overflow for large |z| (1 / (1 + exp(-z)) overflows exp for z < -709)."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


ACTIVATIONS = {"tanh": np.tanh, "sigmoid": sigmoid, "relu": relu, "identity": lambda z: z}


def activation_grad(name: str, a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """d phi(a) / da, from the pre-activation ``a`` and the output ``out``."""
    if name == "tanh":
        return 1.0 - out * out
    if name == "sigmoid":
        return out * (1.0 - out)
    if name == "relu":
        return (a > 0).astype(a.dtype)
    return np.ones_like(a)


def _recur_back(params, h, blocks, d, deferred):
    """dh through ``params.recur(h, blocks)``; the weight gradients now or deferred."""
    if deferred is None:
        return params.recur_backward(h, blocks, d)
    deferred.append((h, blocks, d))
    return params.recur_dh(blocks, d)


# --- vanilla RNN ------------------------------------------------------------------------------

def rnn_step(xp, h, params, activation="tanh"):
    """h_t = phi(W_xh x_t + b + W_hh h_(t-1)); xp, h: (batch, n) -> (h_t, cache)."""
    a = xp + params.recur(h, (0,))
    h_new = (activation if callable(activation) else ACTIVATIONS[activation])(a)
    return h_new, (h, a, h_new, activation)


def rnn_step_backward(dh, cache, params, deferred=None):
    """dh: (batch, n) into h_t -> (dxp (batch, n), dh_(t-1))."""
    h_prev, a, h_new, activation = cache
    da = dh * activation_grad(activation, a, h_new)
    return da, _recur_back(params, h_prev, (0,), da, deferred)


# --- LSTM -------------------------------------------------------------------------------------

def lstm_step(xp, h, c, params, activation=np.tanh, recurrent_activation=sigmoid):
    """xp: (batch, 4n), h: (batch, n or r), c: (batch, n) -> (h_t, c_t, cache).

    ``activation`` (tanh) and ``recurrent_activation`` (the gates' sigmoid) can be other
    functions for a forward pass (Keras lets them be set); the backward pass assumes the
    defaults.
    """
    n = c.shape[-1]
    z = xp + params.recur(h, (0, 1, 2, 3))
    if activation is np.tanh and recurrent_activation is sigmoid:
        # The gates in place in z (a fresh array): the same operations as sigmoid() and tanh.
        for gates in (z[:, :2 * n], z[:, 3 * n:]):
            gates *= 0.5
            np.tanh(gates, out=gates)
            gates += 1.0
            gates *= 0.5
        np.tanh(z[:, 2 * n:3 * n], out=z[:, 2 * n:3 * n])
        i, f, g, o = z[:, :n], z[:, n:2 * n], z[:, 2 * n:3 * n], z[:, 3 * n:]
    else:
        i = recurrent_activation(z[:, :n])
        f = recurrent_activation(z[:, n:2 * n])
        g = activation(z[:, 2 * n:3 * n])
        o = recurrent_activation(z[:, 3 * n:])
    c_new = f * c + i * g
    tc = activation(c_new)
    m = o * tc
    h_new = params.project(m)
    return h_new, c_new, (h, c, i, f, g, o, tc, m)


def lstm_step_backward(dh, dc, cache, params, deferred=None, out=None):
    """dh into h_t, dc into c_t -> (dxp (batch, 4n), dh_(t-1), dc_(t-1)).

    ``out``, a (batch, 4n) array, receives dxp (which is then returned), saving a copy."""
    h_prev, c_prev, i, f, g, o, tc, m = cache
    n = i.shape[-1]
    dm = params.project_backward(m, dh)
    do = dm * tc
    dc = dc + dm * o * (1.0 - tc * tc)
    dz = np.empty((i.shape[0], 4 * n), dtype=i.dtype) if out is None else out
    np.multiply(dc * g * i, 1.0 - i, out=dz[:, :n])
    np.multiply(dc * c_prev * f, 1.0 - f, out=dz[:, n:2 * n])
    np.multiply(dc * i, 1.0 - g * g, out=dz[:, 2 * n:3 * n])
    np.multiply(do * o, 1.0 - o, out=dz[:, 3 * n:])
    return dz, _recur_back(params, h_prev, (0, 1, 2, 3), dz, deferred), dc * f


# --- GRU --------------------------------------------------------------------------------------

def gru_step(xp, h, params, reset_after, activation=np.tanh, recurrent_activation=sigmoid):
    """xp: (batch, 3n), h: (batch, n) -> (h_t, cache).

    reset_after (PyTorch, Keras default): n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
    reset before (Cho et al., textbook, Keras reset_after=False):
    n = tanh(W_in x + b_n + W_hn (r * h)).
    h_t = z * h_(t-1) + (1 - z) * n. ``activation`` (tanh) and ``recurrent_activation``
    (sigmoid) as in ``lstm_step``: other functions for a forward pass only.
    """
    n = h.shape[-1]
    if reset_after:
        hp = params.recur(h, (0, 1, 2))
        if recurrent_activation is sigmoid:  # elementwise: both gates in one call
            rz = sigmoid(xp[:, :2 * n] + hp[:, :2 * n])
            r, z = rz[:, :n], rz[:, n:]
        else:
            r = recurrent_activation(xp[:, :n] + hp[:, :n])
            z = recurrent_activation(xp[:, n:2 * n] + hp[:, n:2 * n])
        hn = hp[:, 2 * n:]
        cand = activation(xp[:, 2 * n:] + r * hn)
        rh = None
    else:
        hp = params.recur(h, (0, 1))
        if recurrent_activation is sigmoid:
            rz = sigmoid(xp[:, :2 * n] + hp)
            r, z = rz[:, :n], rz[:, n:]
        else:
            r = recurrent_activation(xp[:, :n] + hp[:, :n])
            z = recurrent_activation(xp[:, n:2 * n] + hp[:, n:2 * n])
        rh = r * h
        hn = None
        cand = activation(xp[:, 2 * n:] + params.recur(rh, (2,)))
    return z * h + (1.0 - z) * cand, (h, r, z, cand, hn, rh, reset_after)


def gru_step_backward(dh, cache, params, deferred=None):
    """dh into h_t -> (dxp (batch, 3n), dh_(t-1))."""
    h_prev, r, z, cand, hn, rh, reset_after = cache
    dz = dh * (h_prev - cand) * z * (1.0 - z)
    dn = dh * (1.0 - z) * (1.0 - cand * cand)
    dh_prev = dh * z
    if reset_after:
        dr = dn * hn * r * (1.0 - r)
        dh_prev = dh_prev + _recur_back(
            params, h_prev, (0, 1, 2), np.concatenate([dr, dz, dn * r], axis=-1), deferred)
    else:
        drh = _recur_back(params, rh, (2,), dn, deferred)
        dr = drh * h_prev * r * (1.0 - r)
        dh_prev = dh_prev + drh * r + _recur_back(
            params, h_prev, (0, 1), np.concatenate([dr, dz], axis=-1), deferred)
    return np.concatenate([dr, dz, dn], axis=-1), dh_prev
