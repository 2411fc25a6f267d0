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
- every per-step buffer is preallocated and written with ``out=``;
- the input projection of all T steps is one product, and so are the recurrent and input weight
  gradients after the loop, from the (4n, T·batch) gradient of the gates (canonical order i, f,
  g, o) that the loop fills column block by column block.

Shapes: T steps, B the batch, ins the input width, n the hidden size.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Sequence

import numpy as np


class LstmTape(Sequence):
    """What the forward pass keeps for BPTT: the whole-sequence arrays, all transposed.

    As a sequence it is the list of per-step caches ``cells.lstm_step`` returns, each
    (h_prev, c_prev, i, f, g, o, tc, m) of (B, n) views, built on demand.
    """

    def __init__(self, xs, hs_rows, H, C, Z, TC, w_rec_t):
        self.xs = xs            # (T, B, ins) the inputs
        self.hs_rows = hs_rows  # (T+1, B, n): h_0 .. h_T, batch-major
        self.H = H              # (T+1, n, B): h_0 .. h_T
        self.C = C              # (T+1, n, B): c_0 .. c_T
        self.Z = Z              # (T, 4n, B): gates i, f, o, g after their activations
        self.TC = TC            # (T, n, B): tanh(c_t)
        self.w_rec_t = w_rec_t  # (n, 4n): the recurrent matrix transposed, canonical order

    def __len__(self):
        return self.Z.shape[0]

    def __getitem__(self, t):
        if isinstance(t, slice):
            return [self[k] for k in range(*t.indices(len(self)))]
        t = range(len(self))[t]
        n = self.TC.shape[1]
        z = self.Z[t]
        i, f, o, g = z[:n], z[n:2 * n], z[2 * n:3 * n], z[3 * n:]
        h = self.H[t + 1].T
        return (self.H[t].T, self.C[t].T, i.T, f.T, g.T, o.T, self.TC[t].T, h)


class Workspace:
    """Named arrays reused from one pass to the next, each only when nothing else holds it.

    Fresh arrays of a few MB cost page faults (the allocator returns big blocks to the system
    when they are freed): at batch 32, T 64, n 256 they took a sixth of the time. An array is
    handed out again only if its sole references are this workspace's (no tape, no view, no
    caller keeps it), so a result the caller still holds is never overwritten.
    """

    def __init__(self):
        self._arrays = {}

    def empty(self, name, shape, dtype):
        a = self._arrays.get(name)
        # References: the dict, ``a`` and getrefcount's argument; any other means in use.
        if a is None or a.shape != shape or a.dtype != dtype or sys.getrefcount(a) > 3:
            a = self._arrays[name] = np.empty(shape, dtype=dtype)
        return a


_WORKSPACES = weakref.WeakKeyDictionary()  # params -> Workspace


def _workspace(params):
    ws = _WORKSPACES.get(params)
    if ws is None:
        ws = _WORKSPACES[params] = Workspace()
    return ws


def _forward_order(n):
    """Row indices taking canonical gate rows (i, f, g, o) to the forward order (i, f, o, g)."""
    return np.r_[0:2 * n, 3 * n:4 * n, 2 * n:3 * n]


def forward(params, xs, h0=None, c0=None):
    """xs: (T, B, ins), h0, c0: (B, n) or None (zeros) -> (hs (T, B, n), tape).

    Counts the products' multiply-adds on ``params.macs``, as the per-step path does.
    """
    T, B, ins = xs.shape
    dtype = xs.dtype
    ws = _workspace(params)
    w_in, b, w_rec = params.gate_matrices()
    n = w_rec.shape[1]
    order = _forward_order(n)
    half = np.ones((4 * n, 1), dtype=dtype)
    half[:3 * n] = 0.5  # the sigmoid rows: sigmoid(z) = 0.5 * tanh(z / 2) + 0.5
    # The input weights with the bias as one more column, times x_t with a row of ones.
    wf_in = np.zeros((4 * n, ins + 1), dtype=dtype)
    wf_in[:, :ins] = w_in[order] * half
    if b is not None:
        wf_in[:, ins] = b[order] * half[:, 0]
    wf_rec = (w_rec[order] * half).astype(dtype, copy=False)
    X = ws.empty("X", (T, ins + 1, B), dtype)
    X[:, :ins] = xs.transpose(0, 2, 1)
    X[:, ins] = 1.0
    params.macs += T * B * (w_in.size + w_rec.size)

    H = ws.empty("H", (T + 1, n, B), dtype)
    C = ws.empty("C", (T + 1, n, B), dtype)
    H[0] = 0.0 if h0 is None else np.asarray(h0).T
    C[0] = 0.0 if c0 is None else np.asarray(c0).T
    Z = ws.empty("Z", (T, 4 * n, B), dtype)
    TC = ws.empty("TC", (T, n, B), dtype)
    zr = ws.empty("zr", (4 * n, B), dtype)
    ig = ws.empty("ig", (n, B), dtype)
    for t in range(T):
        z = Z[t]
        np.matmul(wf_in, X[t], out=z)
        np.matmul(wf_rec, H[t], out=zr)
        z += zr
        np.tanh(z, out=z)
        s = z[:3 * n]
        s *= 0.5
        s += 0.5
        c = C[t + 1]
        np.multiply(z[n:2 * n], C[t], out=c)             # f * c_(t-1)
        np.multiply(z[:n], z[3 * n:], out=ig)             # i * g
        c += ig
        np.tanh(c, out=TC[t])
        np.multiply(z[2 * n:3 * n], TC[t], out=H[t + 1])  # h_t = o * tanh(c_t)

    hs_rows = ws.empty("hs_rows", (T + 1, B, n), dtype)
    hs_rows[...] = H.transpose(0, 2, 1)
    w_rec_t = np.ascontiguousarray(w_rec.T, dtype=dtype)
    return hs_rows[1:], LstmTape(xs, hs_rows, H, C, Z, TC, w_rec_t)


def backward(params, tape, dhs, need_dx=True):
    """BPTT through ``forward``. dhs: (T, B, n) the gradient reaching each h_t from above.

    Accumulates the parameters' gradients (through ``params.recur_grad`` and
    ``params.input_proj_backward``); returns (dxs (T, B, ins) or None without ``need_dx``,
    dh0 (B, n), dc0 (B, n),
    dxp (T, B, 4n), dh_into (T, B, n)) as ``Model._run_backward`` does.
    """
    Z, TC, C = tape.Z, tape.TC, tape.C
    T, n4, B = Z.shape
    n = n4 // 4
    dtype = Z.dtype
    ws = _workspace(params)
    dhs_t = ws.empty("dhs_t", (T, n, B), dtype)  # the gradients from above, transposed
    dhs_t[...] = np.asarray(dhs).transpose(0, 2, 1)
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
    w_rec_t = tape.w_rec_t
    for t in reversed(range(T)):
        np.add(dh, dhs_t[t], out=DH[t])
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
    ins = tape.xs.shape[-1]
    d_rows = DZ.T  # (T*B, 4n), a view
    params.recur_grad((0, 1, 2, 3), tape.hs_rows[:-1].reshape(T * B, n), d_rows)
    dxs = params.input_proj_backward(tape.xs.reshape(T * B, ins), d_rows, need_dx)
    if dxs is not None:
        dxs = dxs.reshape(tape.xs.shape)
    return (dxs, dh.T.copy(), dc.T, d_rows.reshape(T, B, n4),
            DH.transpose(0, 2, 1))
