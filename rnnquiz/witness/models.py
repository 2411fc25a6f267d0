"""A whole model as the NumPy witness builds it: the layers of a model line, each created from
its own equations on the input it actually receives, run forward on a real input.

Nothing here reads the rules engine. What each layer receives is found by running arrays
through the layers before it; its output shapes are read off the arrays it returns.

The input the witness feeds (batch B = 2 and T = 3 unless given):

- Keras: (B, *input_shape) from ``Input(shape=...)`` or the first layer's ``input_shape`` /
  ``input_dim``, an open first axis (T) filled with T; a model starting with Embedding and no
  input shape reads (B, T) indices.
- PyTorch (no input shape in the line; it follows from the first module that states a size):
  nn.Embedding reads indices, (B, T), or (T, B) when the first recurrent module has
  batch_first=False; nn.RNN/LSTM/GRU reads (B, T, input_size) with batch_first, else
  (T, B, input_size); a cell reads (B, input_size); nn.Conv1d reads (B, in_channels, T);
  nn.Linear, nn.LayerNorm and nn.BatchNorm1d read a sequence laid out for the first recurrent
  module when one follows (nn.BatchNorm1d: (B, C, T)), else (B, features).

Large models (``allocate=False``): every tensor is a zero-stride placeholder and the model runs
on a batch of zero examples, so shapes and counts are real and nothing is computed; the
reported shapes carry the requested batch size.

Built under ``limits`` (:class:`Limits`), a model whose input, parameters or work pass them
raises :class:`TooLarge` before any layer past the limit allocates its tensors or runs: a
caller can try the real model first and fall back to placeholders.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnnquiz.errors import ModelError
from rnnquiz.witness.draws import replay
from rnnquiz.witness.layers import Maker, TooLarge, keras_base_name, make_layer

DEFAULT_T = 3
DEFAULT_BATCH = 2
RECURRENT = ("RNN", "LSTM", "GRU")
_PASSIVE = ("Dropout", "Identity", "ReLU", "Tanh", "Sigmoid", "GELU", "LeakyReLU", "Softmax",
            "LogSoftmax")


class Limits(NamedTuple):
    """What a model built under limits may hold and do: at most ``parameters`` parameters,
    ``work`` parameter-steps (the parameters of every layer but Embedding, times T, times the
    batch) and ``steps`` along any axis of its input."""

    parameters: int
    work: int
    steps: int

    def fits(self, model) -> bool:
        """Whether a built model is within every limit (all of its layers counted)."""
        return self.allow(model, *_counts(model.layers))

    def allow(self, model, parameters, working) -> bool:
        """Whether ``parameters`` parameters, ``working`` of them outside Embedding layers,
        fit the limits for ``model``'s T, batch and input."""
        return (parameters <= self.parameters and working * model.T * model.batch <= self.work
                and max(model.input_shape, default=0) <= self.steps)


def _counts(layers):
    """(parameters, parameters outside Embedding layers) of ``layers``."""
    counts = [(layer.type, layer.count()) for layer in layers]
    return sum(c for _, c in counts), sum(c for kind, c in counts if kind != "Embedding")


class WitnessModel:
    """The built model: ``layers`` (each with ``name``, ``type``, ``parameters()``,
    ``trainable_names``, ``output_shapes``), the concrete ``T`` and ``batch`` it ran with,
    ``input_shape`` (batch axis included) and ``forward(x)``."""

    def __init__(self, spec, layers, *, T, batch, allocated, index_range=None, batch_axis=0):
        self.spec = spec
        self.framework = spec.framework
        self.layers = layers
        self.T, self.batch = T, batch
        self.allocated = allocated
        self.index_range = index_range  # (low, high) when the input is integer indices
        self.batch_axis = batch_axis  # 1 for a PyTorch time-major input (T, B, ...)
        self.input_shape = None
        self.limits = None  # Limits checked as each layer is built (see build_model)

    def forward(self, x):
        """x: the model's input (see the module's docstring) -> the last layer's output.

        Each layer's ``output_shapes`` is updated from the arrays it returns. Keras allows no
        layer after one that returns several tensors (return_state, merge_mode=None); a
        PyTorch module after a recurrent one receives its ``output``. A Keras
        Embedding(mask_zero=True) starts a mask that each layer passes on, uses or drops as
        Keras does (see ``WitnessLayer.MASK``).
        """
        if not self.allocated and x.size:
            raise ValueError("a model built with allocate=False holds no weights to run")
        mask = None
        built = [0, 0]  # the limits' counts of the layers built so far (see _counts)
        for k, layer in enumerate(self.layers):
            layer.mask = mask
            if self.limits is not None and not layer.built:
                layer.build_for(x)  # its tensors, counted before it runs
                built = [a + b for a, b in zip(built, _counts([layer]), strict=True)]
                if not self.limits.allow(self, *built):
                    raise TooLarge(f"{layer.label}: past the limits {self.limits}")
            x = layer(x)
            mask = {"pass": mask, "use": layer.mask_out}.get(layer.MASK) \
                if layer.type != "Embedding" else layer.mask_out
            if (self.framework == "keras" and len(layer.output_shapes) > 1
                    and k + 1 < len(self.layers)):
                raise ModelError(f"{layer.label} returns {len(layer.output_shapes)} tensors "
                                 "(return_state or merge_mode=None): no layer can follow it "
                                 "in a Sequential model")
        return x

    def example_input(self, rng=None, batch=None):
        """A valid input of ``input_shape`` (with ``batch`` examples if given): standard normal
        values, or integer indices for an Embedding first."""
        shape = list(self.input_shape)
        if batch is not None:
            shape[self.batch_axis] = batch
        if batch == 0:  # a shape-only pass: nothing to draw
            return np.zeros(shape, np.int64 if self.index_range is not None
                            else self.layers[0].maker.dtype)
        rng = rng if rng is not None else replay(1)
        if self.index_range is not None:
            ids = rng.integers(*self.index_range, size=shape)
            low, high = self.index_range
            if low == 0 and high > 1 and len(shape) == 2:
                # Every sequence keeps one real token: with mask_zero a row of padding only
                # has nothing to average (Keras's masked mean is 0/0 there, as ours).
                first = [slice(None)] * 2
                first[1 - self.batch_axis] = 0
                ids[tuple(first)] = rng.integers(1, high, size=shape[self.batch_axis])
            return ids
        dtype = self.layers[0].maker.dtype
        return rng.standard_normal(shape).astype(dtype, copy=False)

    def named_parameters(self) -> list:
        """((layer name, tensor name), array) for every tensor, in model order."""
        return [((layer.name, name), a) for layer in self.layers
                for name, a in layer.parameters().items()]

    def count(self) -> int:
        return sum(layer.count() for layer in self.layers)

    def trainable_count(self) -> int:
        return sum(layer.trainable_count() for layer in self.layers)


def _keras_names(spec):
    """(name, inner name) per layer, as Keras auto-names them in one fresh session: a
    wrapper's inner layer is constructed (and named) before the wrapper."""
    used = {}

    def auto(layer):
        if layer.args.get("name"):
            return layer.args["name"]
        stem = keras_base_name(layer.kind)
        k = used.get(stem, 0)
        used[stem] = k + 1
        return stem if k == 0 else f"{stem}_{k}"

    names = []
    for layer in spec.layers:
        inner = auto(layer.inner) if layer.inner is not None else None
        names.append((auto(layer), inner))
    return names


def _keras_input(spec, T):
    first = spec.layers[0]
    shape = spec.input_shape
    if shape is None:
        if first.kind == "Embedding":
            shape = (None,)
        else:
            raise ModelError(f"{first.text or first.kind}: no input size: start with "
                             "Input(shape=(T, m)) or give input_shape=(T, m)")
    shape = tuple(shape)
    # Only the time axis may be open: the first of a sequence, or the indices an Embedding reads.
    time_axis = len(shape) >= 2 or first.kind == "Embedding"
    if None in shape[1:] or (shape and shape[0] is None and not time_axis):
        raise ModelError(f"the input shape {shape} leaves a size other than T open: give "
                         "every feature size")
    if shape and shape[0] is None:
        shape = (T,) + shape[1:]
    index = None
    if first.kind == "Embedding":
        index = (0, first["input_dim"])
    return shape, index, 0


def _torch_input(spec, T):
    """(shape with the batch axis as -1, index range or None, batch axis)."""
    layers = spec.layers
    recurrent = next((layer for layer in layers if layer.kind in RECURRENT), None)
    time_major = recurrent is not None and not recurrent["batch_first"]
    first = next((layer for layer in layers if layer.kind not in _PASSIVE), None)
    where = first.text or first.kind if first is not None else "the model"

    def seq(features):
        return ((T, -1) if time_major else (-1, T)) + features

    later = layers[layers.index(first) + 1:] if first is not None else ()
    follows = any(layer.kind in RECURRENT for layer in later)
    if first is None or first.kind in ("MaxPool1d", "AvgPool1d", "Flatten"):
        raise ModelError(f"{where}: no input size: start with a module that states one "
                         "(nn.Embedding, nn.LSTM, nn.Linear, nn.Conv1d...)")
    kind = first.kind
    if kind == "Embedding":
        shape, index = seq(()), (0, first["num_embeddings"])
    elif kind in RECURRENT:
        shape, index = seq((first["input_size"],)), None
    elif kind in ("RNNCell", "LSTMCell", "GRUCell"):
        shape, index = (-1, first["input_size"]), None
    elif kind == "Conv1d":
        shape, index = (-1, first["in_channels"], T), None
    elif kind == "BatchNorm1d":
        sequence = any(layer.kind in RECURRENT + ("Conv1d", "MaxPool1d", "AvgPool1d")
                       for layer in later)
        shape = (-1, first["num_features"]) + ((T,) if sequence else ())
        index = None
    elif kind == "LayerNorm":
        norm = tuple(first["normalized_shape"])
        shape, index = (seq(norm) if follows else (-1,) + norm), None
    elif kind == "Linear":
        feats = (first["in_features"],)
        shape, index = (seq(feats) if follows else (-1,) + feats), None
    else:  # pragma: no cover - every PyTorch kind is handled above
        raise ModelError(f"{where}: no input size")
    return shape, index, shape.index(-1)


def build_model(spec, *, T=None, batch=None, rng=None, inputs=None, allocate=True,
                dtype=np.float64, limits: Limits | None = None) -> WitnessModel:
    """Build and run the witness for a model line or :class:`ModelSpec`.

    ``T`` fills an open time axis (default 3), ``batch`` the examples (default 2); ``rng`` (a
    numpy Generator) draws the weights, and the example input first unless ``inputs`` (another
    Generator) is given to draw it: then every draw from ``rng`` is a weight, which lets a
    :func:`~rnnquiz.witness.draws.replay` serve them all from its store. With ``allocate=False`` the
    tensors are zero-stride placeholders and the run has no elements (see the module's
    docstring). After this, every layer's ``output_shapes`` is set.

    ``limits``: raise TooLarge as soon as the input or the layers built so far pass them,
    before the next layer runs; a layer whose tensors are made when it runs (TimeDistributed's
    inner layer) is counted after, so check ``limits.fits(model)`` on the result too. The
    values made in all, buffers included, are at most ``limits.parameters``: nothing past it is
    allocated (so a model with buffers may raise TooLarge within the limits).
    """
    if isinstance(spec, str):
        from rnnquiz.description.model import parse_model

        spec = parse_model(spec)
    T = DEFAULT_T if T is None else int(T)
    batch = DEFAULT_BATCH if batch is None else int(batch)
    if T < 1 or batch < 1:
        raise ValueError("T and batch must be at least 1")
    if rng is None and allocate:  # placeholders draw nothing
        rng = replay(0)
    maker = Maker(rng, dtype, allocate, max_values=None if limits is None else limits.parameters)
    if spec.framework == "keras":
        names = _keras_names(spec)
        shape, index, axis = _keras_input(spec, T)
        shape = (-1,) + shape
    else:
        names = [(str(k), None) for k in range(len(spec.layers))]
        shape, index, axis = _torch_input(spec, T)
    layers = [make_layer(layer, name, maker, inner) for layer, (name, inner)
              in zip(spec.layers, names, strict=True)]
    model = WitnessModel(spec, layers, T=T, batch=batch, allocated=allocate,
                         index_range=index, batch_axis=axis)
    model.input_shape = tuple(batch if s == -1 else s for s in shape)
    if limits is not None:
        if max(model.input_shape, default=0) > limits.steps:
            raise TooLarge(f"an input of shape {model.input_shape}: past {limits.steps} steps")
        model.limits = limits
    x = model.example_input(rng if inputs is None else inputs, batch=batch if allocate else 0)
    model.forward(x)
    if not allocate:  # the run had no examples: report the batch asked for
        for layer in layers:
            layer.output_shapes = tuple(tuple(batch if s == 0 else s for s in out)
                                        for out in layer.output_shapes)
    return model
