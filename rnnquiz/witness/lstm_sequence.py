"""An LSTM layer-direction over a whole sequence: forward pass and BPTT with the batch in the
columns (the default activations: sigmoid gates, tanh candidate and cell output).

The same equations as ``cells.lstm_step`` / ``lstm_step_backward`` (``Model`` takes this path
for an LSTM without projection and the tests compare the two), arranged for speed:

- every state is stored transposed, (n, batch), so each step's recurrent product is
  ``W_hh (4n, n) @ h (n, batch)``, the operand order single-threaded BLAS runs fastest at
  these sizes (about 25% faster than ``h @ W_hh^T``);
- the three sigmoid gates are computed as 0.5 * tanh(z / 2) + 0.5, with the halving folded into
  their rows of the weights and biases (exact: a power of two), so one ``np.tanh`` call covers
  all four gates; the forward pass keeps the gates in the order i, f, o, g so that the three
  sigmoids are one contiguous block;
- every per-step buffer is preallocated and written with ``out=``; c_(t-1) is stored right
  after the gates (rows [i; f; o; g; c_(t-1)] of one array), so that one product gives both
  i * g and f * c_(t-1): seven array operations a step besides the product;
- a step's input and recurrent projections and its bias are one product, ``[W_hh | W_ih | b]
  @ [h; x_t; 1]``, and after the loop every weight and bias gradient is one product too, of the
  (4n, T·batch) gradient of the gates (canonical order i, f, g, o), filled a column block per
  step, by the rows [h_(t-1), x_t, 1].

Shapes: T steps, B the batch, ins the input width, n the hidden size.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Sequence

import numpy as np


class LstmTape(Sequence):
    """What the forward pass keeps for BPTT: the whole-sequence arrays.

    As a sequence it is the list of per-step caches ``cells.lstm_step`` returns, each
    (h_prev, c_prev, i, f, g, o, tc, m) of (B, n) views, built on demand.
    """

    def __init__(self, xs, rows, HX, C, Z, TC, w_in, w_rec):
        self.xs = xs      # (T, B, ins) the inputs
        self.HX = HX      # (T+1, n+ins+1, B): block s = [h_s; x_(s+1); 1], h_0 the initial
        #                   state; block T holds h_T only
        self.rows = rows  # (T+1, B, n+ins+1): the same, batch-major (the rows of HX[s].T)
        self.C = C        # (T+1, n, B): c_0 .. c_T
        self.Z = Z        # (T, 4n, B): gates i, f, o, g after their activations (C and Z
        #                   are views of one array: see ``forward``)
        self.TC = TC      # (T, n, B): tanh(c_t)
        self.w_in = w_in    # (4n, ins) canonical order (i, f, g, o)
        self.w_rec = w_rec  # (4n, n)

    def __len__(self):
        return self.Z.shape[0]

    def __getitem__(self, t):
        if isinstance(t, slice):
            return [self[k] for k in range(*t.indices(len(self)))]
        return self._step(range(len(self))[t])

    def __iter__(self):
        return map(self._step, range(len(self)))

    def _step(self, t):
        n = self.TC.shape[1]
        z = self.Z[t]
        i, f, o, g = z[:n], z[n:2 * n], z[2 * n:3 * n], z[3 * n:]
        h_prev, h = self.HX[t, :n], self.HX[t + 1, :n]
        return (h_prev.T, self.C[t].T, i.T, f.T, g.T, o.T, self.TC[t].T, h.T)


def _references(arrays, name):
    """How many references ``arrays[name]`` has, counted the same way whatever the Python
    version (no local variable holds it here: interpreters differ in counting those)."""
    return sys.getrefcount(arrays[name])


_FREE = _references({"probe": object()}, "probe")  # an object its dict alone holds


class Workspace:
    """Named arrays reused from one pass to the next, each only when nothing else holds it.

    Fresh arrays of a few MB cost page faults (the allocator returns big blocks to the system
    when they are freed): at batch 32, T 64, n 256 they took 11% of forward + BPTT. An array is
    handed out again only if this workspace holds its sole reference (no tape, no view, no
    caller keeps it), so a result the caller still holds is never overwritten.
    """

    def __init__(self):
        self._arrays = {}

    def empty(self, name, shape, dtype):
        if name in self._arrays and _references(self._arrays, name) == _FREE:
            a = self._arrays[name]
            if a.shape == shape and a.dtype == dtype:
                return a
        a = self._arrays[name] = np.empty(shape, dtype=dtype)
        return a


_WORKSPACES = weakref.WeakKeyDictionary()  # params -> Workspace


def _workspace(params):
    ws = _WORKSPACES.get(params)
    if ws is None:
        ws = _WORKSPACES[params] = Workspace()
    return ws


def _forward_blocks(n):
    """(forward rows, canonical rows) pairs taking the canonical gate rows (i, f, g, o) to the
    forward order (i, f, o, g): three block copies (a fancy index copies row by row)."""
    return ((slice(0, 2 * n), slice(0, 2 * n)), (slice(2 * n, 3 * n), slice(3 * n, 4 * n)),
            (slice(3 * n, 4 * n), slice(2 * n, 3 * n)))


def forward(params, xs, h0=None, c0=None):
    """xs: (T, B, ins), h0, c0: (B, n) or None (zeros) -> (hs (T, B, n), tape).

    Counts the products' multiply-adds on ``params.macs``, as the per-step path does.
    """
    T, B, ins = xs.shape
    ws = _workspace(params)
    w_in, b, w_rec = params.gate_matrices()
    dtype = np.result_type(xs.dtype, w_rec.dtype)  # as NumPy would promote the products
    n = w_rec.shape[1]
    k = n + ins + 1
    # One product a step: [W_hh | W_ih | b] (4n, n+ins+1) @ [h_(t-1); x_t; 1] (n+ins+1, B),
    # gate rows in the forward order, the sigmoid rows halved.
    w = np.empty((4 * n, k), dtype=dtype)
    for rows, canonical in _forward_blocks(n):
        w[rows, :n] = w_rec[canonical]
        w[rows, n:n + ins] = w_in[canonical]
        w[rows, -1] = 0.0 if b is None else b[canonical]
    w[:3 * n] *= 0.5  # sigmoid(z) = 0.5 * tanh(z / 2) + 0.5
    params.macs += T * B * (w_in.size + w_rec.size)

    HX = ws.empty("HX", (T + 1, k, B), dtype)
    HX[0, :n] = 0.0 if h0 is None else np.asarray(h0).T
    HX[:T, n:n + ins] = xs.transpose(0, 2, 1)
    HX[:, -1] = 1.0
    HX[T, n:] = 0.0  # no step T+1: h_T only
    # Block t holds step t's gates i, f, o, g (after their activations) then c_(t-1); block T
    # holds c_T only.
    ZC = ws.empty("ZC", (T + 1, 5 * n, B), dtype)
    C = ZC[:, 4 * n:]
    C[0] = 0.0 if c0 is None else np.asarray(c0).T
    TC = ws.empty("TC", (T, n, B), dtype)
    prod = ws.empty("prod", (2 * n, B), dtype)
    ig, fc = prod[:n], prod[n:]
    for t in range(T):
        zc = ZC[t]
        z = zc[:4 * n]
        np.dot(w, HX[t], out=z)  # (np.dot: the same product, less overhead per call)
        np.tanh(z, out=z)
        s = z[:3 * n]
        s *= 0.5
        s += 0.5
        np.multiply(z[:2 * n], zc[3 * n:], out=prod)  # [i; f] * [g; c_(t-1)]
        c = ZC[t + 1, 4 * n:]
        np.add(ig, fc, out=c)
        tc = TC[t]
        np.tanh(c, out=tc)
        np.multiply(z[2 * n:3 * n], tc, out=HX[t + 1, :n])  # h = o * tanh(c)

    rows = ws.empty("rows", (T + 1, B, k), dtype)
    rows[...] = HX.transpose(0, 2, 1)
    tape = LstmTape(xs, rows, HX, C, ZC[:T, :4 * n], TC, w_in.astype(dtype, copy=False),
                    w_rec.astype(dtype, copy=False))
    return rows[1:, :, :n], tape


def backward(params, tape, dhs, need_dx=True):
    """BPTT through ``forward``. dhs: (T, B, n) the gradient reaching each h_t from above.

    Accumulates the parameters' gradients (``params.add_gate_grads``); returns (dxs
    (T, B, ins) or None without ``need_dx``, dh0 (B, n), dc0 (B, n), dxp (T, B, 4n),
    dh_into (T, B, n)) as ``Model._run_backward`` does.
    """
    Z, TC, C = tape.Z, tape.TC, tape.C
    T, n4, B = Z.shape
    n = n4 // 4
    ins = tape.xs.shape[-1]
    dtype = Z.dtype
    ws = _workspace(params)
    dhs = np.asarray(dhs)
    DH = ws.empty("DH", (T, n, B), dtype)   # the total gradient into each h_t
    # The gates' pre-activation gradients (canonical order i, f, g, o), column block t for
    # step t: one matrix for the weight gradients after the loop.
    DZ = ws.empty("DZ", (n4, T * B), dtype)
    dz = ws.empty("dz", (n4, B), dtype)  # this step's, contiguous for its product
    dzi, dzf, dzg, dzo = dz[:n], dz[n:2 * n], dz[2 * n:3 * n], dz[3 * n:]
    dh = ws.empty("dh", (n, B), dtype)
    dh[...] = 0.0
    dc = np.zeros((n, B), dtype=dtype)
    tmp = ws.empty("tmp", (n, B), dtype)
    # W_hh^T contiguous: its transposed view runs each step's product about 5% slower.
    w_rec_t = np.ascontiguousarray(tape.w_rec.T)
    for t in reversed(range(T)):
        np.add(dh, dhs[t].T, out=DH[t])
        dht = DH[t]
        z, tc = Z[t], TC[t]
        i, f, o, g = z[:n], z[n:2 * n], z[2 * n:3 * n], z[3 * n:]
        # dc_t += dh * o * (1 - tanh(c_t)^2)
        np.multiply(tc, tc, out=tmp)
        np.subtract(1.0, tmp, out=tmp)
        tmp *= o
        tmp *= dht
        dc += tmp
        # o: dh * tanh(c_t) * o (1 - o)
        np.subtract(1.0, o, out=dzo)
        dzo *= o
        dzo *= tc
        dzo *= dht
        # i: dc * g * i (1 - i)
        np.subtract(1.0, i, out=dzi)
        dzi *= i
        dzi *= g
        dzi *= dc
        # f: dc * c_(t-1) * f (1 - f)
        np.subtract(1.0, f, out=dzf)
        dzf *= f
        dzf *= C[t]
        dzf *= dc
        # g: dc * i * (1 - g^2)
        np.multiply(g, g, out=dzg)
        np.subtract(1.0, dzg, out=dzg)
        dzg *= i
        dzg *= dc
        dc *= f
        np.matmul(w_rec_t, dz, out=dh)
        DZ[:, t * B:(t + 1) * B] = dz
    # Every weight and bias gradient in one product: DZ (4n, T*B) @ rows [h_(t-1), x_t, 1].
    grad = DZ @ tape.rows[:T].reshape(T * B, n + ins + 1)
    params.add_gate_grads(grad[:, n:n + ins], grad[:, -1], grad[:, :n])
    d_rows = DZ.T  # (T*B, 4n), a view
    dxs = (d_rows @ tape.w_in).reshape(tape.xs.shape) if need_dx else None
    return dxs, dh.T.copy(), dc.T, d_rows.reshape(T, B, n4), DH.transpose(0, 2, 1)
