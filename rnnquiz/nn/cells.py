"""One time step of each cell, in canonical gate order (LSTM i, f, g, o; GRU r, z, n).

The parameter objects in ``rnnquiz.nn.params`` turn their own tensors into the two projections
a step needs, so the same step serves every convention:

- ``xp``: (batch, G*n) the input projection of this step, input-side biases included;
- ``params.recur(h, blocks)``: (batch, len(blocks)*n) the recurrent projection of ``h`` for the
  given canonical gate blocks, recurrent-side biases included.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function, computed without overflow for large |z|."""
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


ACTIVATIONS = {"tanh": np.tanh, "sigmoid": sigmoid, "relu": relu, "identity": lambda z: z}


def rnn_step(xp, h, params, activation="tanh"):
    """h_t = phi(W_xh x_t + b + W_hh h_{t-1}); xp, h: (batch, n) -> (batch, n)."""
    return ACTIVATIONS[activation](xp + params.recur(h, (0,)))


def lstm_step(xp, h, c, params):
    """LSTM step; xp: (batch, 4n), h: (batch, n or r), c: (batch, n) -> (h, c)."""
    n = c.shape[-1]
    z = xp + params.recur(h, (0, 1, 2, 3))
    i = sigmoid(z[:, :n])
    f = sigmoid(z[:, n:2 * n])
    g = np.tanh(z[:, 2 * n:3 * n])
    o = sigmoid(z[:, 3 * n:])
    c = f * c + i * g
    h = params.project(o * np.tanh(c))
    return h, c


def gru_step(xp, h, params, reset_after):
    """GRU step; xp: (batch, 3n), h: (batch, n) -> (batch, n).

    reset_after (PyTorch, Keras default): n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
    reset before (Cho et al., textbook, Keras reset_after=False):
    n = tanh(W_in x + b_n + W_hn (r * h)).
    """
    n = h.shape[-1]
    if reset_after:
        hp = params.recur(h, (0, 1, 2))
        r = sigmoid(xp[:, :n] + hp[:, :n])
        z = sigmoid(xp[:, n:2 * n] + hp[:, n:2 * n])
        cand = np.tanh(xp[:, 2 * n:] + r * hp[:, 2 * n:])
    else:
        hp = params.recur(h, (0, 1))
        r = sigmoid(xp[:, :n] + hp[:, :n])
        z = sigmoid(xp[:, n:2 * n] + hp[:, n:2 * n])
        cand = np.tanh(xp[:, 2 * n:] + params.recur(r * h, (2,)))
    return z * h + (1.0 - z) * cand
