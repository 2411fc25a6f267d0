"""Recurrent layers: Keras SimpleRNN / LSTM / GRU and Bidirectional, PyTorch nn.RNN / LSTM /
GRU (stacked, bidirectional, projected) and the cells nn.RNNCell / LSTMCell / GRUCell.

The tensors are the parameter objects of :mod:`rnnquiz.witness.params` (each framework's
storage) and a time step is :mod:`rnnquiz.witness.cells`' step, so a whole model's recurrent
layers are the same witness that checks single networks. States start at zero.
"""

from __future__ import annotations

import numpy as np

from rnnquiz.witness import gru_sequence, lstm_sequence, rnn_sequence
from rnnquiz.witness.cells import gru_step, lstm_step, rnn_step, sigmoid
from rnnquiz.witness.layers.base import WitnessLayer, fan_scale, keras_activation
from rnnquiz.witness.params import KerasLayer, PyTorchLayer

CELL = {"SimpleRNN": "rnn", "LSTM": "lstm", "GRU": "gru", "RNN": "rnn",
        "RNNCell": "rnn", "LSTMCell": "lstm", "GRUCell": "gru"}
KERAS_RECURRENT = ("SimpleRNN", "LSTM", "GRU")
FAST_LSTM = True  # an LSTM direction without mask or projection runs through lstm_sequence
FAST_RNN = True  # a vanilla RNN direction without mask runs through rnn_sequence
FAST_GRU = True  # a GRU direction without mask runs through gru_sequence


def run_direction(cell, params, xs, *, width, n, activation=np.tanh,
                  recurrent_activation=sigmoid, reset_after=True, mask=None,
                  zero_output_for_mask=False):
    """One layer in one direction from zero states.

    xs: (T, B, ins) -> (hs (T, B, width), h_T (B, width), c_T (B, n) for an LSTM else None);
    width is n, or the projection size of a projected LSTM. With B = 0 (a shape-only pass)
    the steps are not run: the arrays have their shapes and no elements.

    mask: (T, B) bools (Keras): at a masked step the states are carried over unchanged and
    the output repeats the previous one (zeros with ``zero_output_for_mask``).
    """
    T, B, ins = xs.shape
    if xs.dtype.kind in "biuf":  # states in the products' dtype: integers are not truncated
        xs = xs.astype(np.result_type(xs.dtype, params.named()[0][1].dtype), copy=False)
    if (FAST_LSTM and cell == "lstm" and mask is None and width == n and B and T
            and activation is np.tanh and recurrent_activation is sigmoid
            and xs.dtype == params.named()[0][1].dtype):  # (it would promote xs's dtype)
        # The whole sequence at once: the same equations, one product a step (the tests
        # compare the two paths); h_T is the last output, c_T the tape's last cell state.
        hs, tape = lstm_sequence.forward(params, xs)
        return hs, hs[-1], tape.C[T].T
    if FAST_RNN and cell == "rnn" and mask is None and B and T:
        w_in, b, w_rec = params.gate_matrices()
        if xs.dtype == w_rec.dtype:  # (the per-step path stores states in xs's dtype)
            hs = rnn_sequence.forward(w_in, b, w_rec, xs, None, activation, params)
            return hs, hs[-1], None
    if (FAST_GRU and cell == "gru" and mask is None and B and T
            and xs.dtype == params.named()[0][1].dtype):  # (as for the RNN)
        hs = gru_sequence.forward(params, xs, reset_after=reset_after, activation=activation,
                                  recurrent_activation=recurrent_activation)
        return hs, hs[-1], None
    xp = params.input_proj(xs.reshape(T * B, ins))
    xp = xp.reshape(T, B, xp.shape[-1])
    h = np.zeros((B, width), dtype=xs.dtype)
    c = np.zeros((B, n), dtype=xs.dtype)
    hs = np.empty((T, B, width), dtype=xs.dtype)
    for t in range(T if B else 0):
        h_old, c_old = h, c
        if cell == "rnn":
            h, _ = rnn_step(xp[t], h, params, activation)
        elif cell == "lstm":
            h, c, _ = lstm_step(xp[t], h, c, params, activation, recurrent_activation)
        else:
            h, _ = gru_step(xp[t], h, params, reset_after, activation, recurrent_activation)
        if mask is not None:
            keep = mask[t][:, None]
            out = np.where(keep, h, 0.0) if zero_output_for_mask else None
            h, c = np.where(keep, h, h_old), np.where(keep, c, c_old)
            hs[t] = h if out is None else out
        else:
            hs[t] = h
    return hs, h, (c if cell == "lstm" else None)


# --- Keras ---------------------------------------------------------------------------------

class KerasRecurrent(WitnessLayer):
    """keras.layers.SimpleRNN / LSTM / GRU on (B, T, m): kernel (m, G·u), recurrent_kernel
    (u, G·u), bias (G·u,) or (2, 3u) for a GRU with reset_after=True.

    Output (B, u), or (B, T, u) with return_sequences; with return_state also the final
    states (h, and c for an LSTM), each (B, u). ``prefix`` names the tensors
    "<prefix>/kernel" (Bidirectional's forward_lstm/kernel); without it, "kernel".
    """

    MASK = "use"

    def __init__(self, spec, name, maker, *, prefix=None, go_backwards=None):
        super().__init__(spec, name, maker)
        self.cell = CELL[spec.kind]
        self.units = spec["units"]
        self.prefix = prefix
        self.go_backwards = spec["go_backwards"] if go_backwards is None else go_backwards
        self.reset_after = spec["reset_after"] if self.cell == "gru" else True
        self.phi = keras_activation(self, spec["activation"])
        self.gate = (keras_activation(self, spec["recurrent_activation"])
                     if self.cell != "rnn" else None)

    def build(self, shape):
        self.need_rank(shape, (3,), "a sequence (B, T, features)")
        m, u = shape[-1], self.units
        tag = self.prefix or "_"
        self.params = KerasLayer(self.cell, m, u, bias=self.spec["use_bias"], prefix=tag,
                                 make=self.maker.uniform(fan_scale(m + u)),
                                 reset_after=self.reset_after)
        for full, array in self.params.named():
            self.add(full if self.prefix else full.split("/", 1)[1], array)

    def run(self, x, mask=None, zero_output_for_mask=False):
        """x: (B, T, m), mask: (B, T) or None -> (output (B, u) or (B, T, u),
        [h (B, u), c (B, u) for an LSTM])."""
        xs = np.swapaxes(x, 0, 1)
        steps = None if mask is None else np.swapaxes(mask, 0, 1)
        if self.go_backwards:
            xs = xs[::-1]
            steps = None if steps is None else steps[::-1]
        kw = {"activation": self.phi, "mask": steps,
              "zero_output_for_mask": zero_output_for_mask}
        if self.gate is not None:
            kw["recurrent_activation"] = self.gate
        hs, h, c = run_direction(self.cell, self.params, np.ascontiguousarray(xs),
                                 width=self.units, n=self.units, reset_after=self.reset_after,
                                 **kw)
        out = np.swapaxes(hs, 0, 1) if self.spec["return_sequences"] else hs[-1]
        states = [h] + ([c] if c is not None else [])
        return out, states

    def call(self, x):
        out, states = self.run(x, self.mask)
        self.mask_out = self.mask if self.spec["return_sequences"] else None
        return (out, *states) if self.spec["return_state"] else out


class Bidirectional(WitnessLayer):
    """keras.layers.Bidirectional(layer, merge_mode): a forward copy of the layer and a
    backward one, tensors "forward_<name>/kernel" then "backward_<name>/kernel". The backward
    copy reads the steps last to first (Keras sets its go_backwards, and refuses a wrapped
    layer that already has it); its outputs are put back in time order before merging:
    concat (width 2u), sum, mul, ave (width u); None returns both."""

    MASK = "use"

    def __init__(self, spec, name, maker, *, inner_name):
        super().__init__(spec, name, maker)
        inner = spec.inner
        if inner.kind not in KERAS_RECURRENT:
            raise self.fail(f"the witness wraps SimpleRNN, LSTM or GRU, not {inner.kind}")
        if inner["go_backwards"]:
            raise self.fail("Keras refuses a wrapped layer with go_backwards=True (its backward "
                            "copy always reads backwards)")
        self.inner_name = inner_name
        self.sides = [KerasRecurrent(inner, inner_name, maker, prefix=f"{side}_{inner_name}",
                                     go_backwards=side == "backward")
                      for side in ("forward", "backward")]
        self.merge = spec["merge_mode"]
        if self.merge not in ("concat", "sum", "mul", "ave", None):
            raise self.fail(f"merge_mode must be concat, sum, mul, ave or None, "
                            f"got {self.merge!r}")

    def build(self, shape):
        for side in self.sides:
            side.build(shape)
            frozen = side.spec.args.get("trainable") is False
            for name, array in side.parameters().items():
                self.add(name, array, trainable=not frozen)

    def call(self, x):
        sequences = self.spec.inner["return_sequences"]
        # Keras sets zero_output_for_mask on both copies when they return sequences
        (yf, sf), (yb, sb) = (side.run(x, self.mask, zero_output_for_mask=sequences)
                              for side in self.sides)
        self.mask_out = self.mask if sequences else None
        if sequences:
            yb = yb[:, ::-1]
        if self.merge is None:
            outs = (yf, yb)
        else:
            merged = {"concat": lambda: np.concatenate([yf, yb], axis=-1),
                      "sum": lambda: yf + yb, "mul": lambda: yf * yb,
                      "ave": lambda: (yf + yb) / 2}[self.merge]()
            outs = (merged,)
        if self.spec.inner["return_state"]:
            outs = outs + tuple(sf) + tuple(sb)
        return outs


# --- PyTorch -------------------------------------------------------------------------------

class TorchRecurrent(WitnessLayer):
    """torch.nn.RNN / LSTM / GRU: L layers, D directions, optional projection.

    Input (T, B, input_size), or (B, T, input_size) with batch_first. Returns output
    (T, B, D·H_out) (batch_first: (B, T, D·H_out)), h_n (D·L, B, H_out) and for an LSTM c_n
    (D·L, B, hidden_size); H_out is proj_size if set, else hidden_size. A module after it
    receives ``output``. Dropout between layers is off at inference.
    """

    def __init__(self, spec, name, maker):
        super().__init__(spec, name, maker)
        self.cell = CELL[spec.kind]
        self.n = spec["hidden_size"]
        self.proj = spec.args.get("proj_size", 0) or 0
        if self.proj and self.proj >= self.n:
            raise self.fail("proj_size has to be smaller than hidden_size (PyTorch refuses it)")
        self.width = self.proj or self.n
        self.directions = 2 if spec["bidirectional"] else 1
        nonlinearity = spec.args.get("nonlinearity", "tanh")
        if nonlinearity not in ("tanh", "relu"):
            raise self.fail(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.phi = np.tanh if nonlinearity == "tanh" else (lambda z: np.maximum(z, 0.0))

    def build(self, shape):
        spec = self.spec
        self.need_rank(shape, (3,), "a sequence (3-D input)")
        if shape[-1] != spec["input_size"]:
            raise self.fail(f"receives {shape[-1]} features per step, but input_size is "
                            f"{spec['input_size']}")
        make = self.maker.uniform(fan_scale(self.n))
        self.stack = []
        for k in range(spec["num_layers"]):
            ins = spec["input_size"] if k == 0 else self.directions * self.width
            layer = []
            for d in range(self.directions):
                params = PyTorchLayer(self.cell, ins, self.n, bias=spec["bias"],
                                      suffix=f"_l{k}" + ("_reverse" if d else ""), make=make,
                                      proj_size=self.proj)
                layer.append(params)
                for name, array in params.named():
                    self.add(name, array)
            self.stack.append(layer)

    def call(self, x):
        seq = np.swapaxes(x, 0, 1) if self.spec["batch_first"] else x
        h_n, c_n = [], []
        for layer in self.stack:
            outs = []
            for d, params in enumerate(layer):
                inputs = np.ascontiguousarray(seq if d == 0 else seq[::-1])
                hs, h, c = run_direction(self.cell, params, inputs, width=self.width, n=self.n,
                                         activation=self.phi)
                outs.append(hs if d == 0 else hs[::-1])
                h_n.append(h)
                c_n.append(c)
            seq = np.concatenate(outs, axis=-1)
        out = np.swapaxes(seq, 0, 1) if self.spec["batch_first"] else seq
        result = (out, np.stack(h_n))
        return result + (np.stack(c_n),) if self.cell == "lstm" else result


class TorchCell(WitnessLayer):
    """torch.nn.RNNCell / LSTMCell / GRUCell: one step from zero states on x (B, input_size):
    weight_ih (G·n, m), weight_hh (G·n, n), bias_ih, bias_hh (G·n,). Returns h (B, n), and
    for an LSTMCell also c (B, n); a module after it receives h."""

    def __init__(self, spec, name, maker):
        super().__init__(spec, name, maker)
        self.cell = CELL[spec.kind]
        self.n = spec["hidden_size"]
        nonlinearity = spec.args.get("nonlinearity", "tanh")
        if nonlinearity not in ("tanh", "relu"):
            raise self.fail(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.phi = np.tanh if nonlinearity == "tanh" else (lambda z: np.maximum(z, 0.0))

    def build(self, shape):
        self.need_rank(shape, (2,), "one step (B, input_size)")
        if shape[-1] != self.spec["input_size"]:
            raise self.fail(f"receives {shape[-1]} features, but input_size is "
                            f"{self.spec['input_size']}")
        self.params = PyTorchLayer(self.cell, shape[-1], self.n, bias=self.spec["bias"],
                                   suffix="", make=self.maker.uniform(fan_scale(self.n)))
        for name, array in self.params.named():
            self.add(name, array)

    def call(self, x):
        _, h, c = run_direction(self.cell, self.params, x[None], width=self.n, n=self.n,
                                activation=self.phi)
        return (h, c) if self.cell == "lstm" else h
