"""Whole models: walk a model line's layers, work out what each receives and returns, and count
its tensors the way Keras' ``model.summary()`` and PyTorch's ``named_parameters()`` do.

    >>> m = count_model("Embedding(5000, 32, input_length=100) > LSTM(100) > Dense(1)")
    >>> m.total, [layer.output_shape for layer in m.layers]
    (213301, [(None, 100, 32), (None, 100), (None, 1)])

Recurrent layers are counted by the rules engine (one engine: ``count --m --n --p`` is the
special case of one recurrent stack); the catalogue in :mod:`rnnquiz.calculator.layers` says
what every layer receives and returns. Standard library only: on ``rnnquiz count``'s fast path.
"""

from __future__ import annotations

from rnnquiz.calculator.layers import handle
from rnnquiz.calculator.layers.base import label, shape_text
from rnnquiz.errors import ModelError

# Keras' automatic layer names (keras.src.utils.naming.to_snake_case of the class name).
KERAS_NAMES = {
    "Embedding": "embedding", "SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru",
    "Dense": "dense", "Dropout": "dropout", "SpatialDropout1D": "spatial_dropout1d",
    "Activation": "activation", "RepeatVector": "repeat_vector", "Flatten": "flatten",
    "Reshape": "reshape", "Conv1D": "conv1d", "MaxPooling1D": "max_pooling1d",
    "AveragePooling1D": "average_pooling1d", "GlobalMaxPooling1D": "global_max_pooling1d",
    "GlobalAveragePooling1D": "global_average_pooling1d",
    "BatchNormalization": "batch_normalization", "LayerNormalization": "layer_normalization",
    "ConvLSTM2D": "conv_lstm2d", "Bidirectional": "bidirectional",
    "TimeDistributed": "time_distributed", "Masking": "masking",
}
SEQUENCE_MODULES = ("RNN", "LSTM", "GRU")
MAX_STACKED = 10_000  # layers in all, num_layers counted: every one's tensors are listed


class ModelCount:
    """A counted model: its layers (:class:`~rnnquiz.calculator.layers.base.LayerCount`), the
    input shape it starts from and the totals.

    ``with_bias`` counts every layer with its biases on, ``without_bias`` with none (as
    ``count`` does for one network); ``total`` is the model as written.
    """

    __slots__ = ("framework", "layers", "input_shape", "spec", "T", "batch", "notes")

    def __init__(self, framework, layers, input_shape, spec, T, batch, notes):  # noqa: N803
        self.framework = framework
        self.layers = layers
        self.input_shape = input_shape
        self.spec = spec
        self.T = T
        self.batch = batch
        self.notes = notes

    @property
    def total(self) -> int:
        return sum(layer.parameters for layer in self.layers)

    @property
    def trainable(self) -> int:
        return sum(layer.trainable for layer in self.layers)

    @property
    def non_trainable(self) -> int:
        return self.total - self.trainable

    @property
    def with_bias(self) -> int:
        return self.total + sum(layer.missing_bias for layer in self.layers)

    @property
    def without_bias(self) -> int:
        return self.total - sum(layer.bias_parameters for layer in self.layers)

    @property
    def output_shape(self):
        return self.layers[-1].output_shape

    def layer(self, name):
        """The layer called ``name`` (Keras' auto-name, or PyTorch's index as a string)."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)

    def as_dict(self) -> dict:
        return {
            "framework": self.framework,
            "input_shape": list(self.input_shape),
            "T": self.T,
            "batch": self.batch,
            "layers": [layer.as_dict(self.framework) for layer in self.layers],
            "parameters": {"total": self.total, "trainable": self.trainable,
                           "non_trainable": self.non_trainable,
                           "with_bias": self.with_bias, "without_bias": self.without_bias},
            "notes": list(self.notes),
        }

    def __repr__(self):
        return f"ModelCount({self.framework!r}, {len(self.layers)} layers, total={self.total})"


class _Walk:
    """What a handler may ask while the model is walked."""

    __slots__ = ("framework", "previous", "is_last", "names")

    def __init__(self, framework, names):
        self.framework = framework
        self.previous = None
        self.is_last = False
        self.names = names

    def inner_name(self, layer):
        return self.names[id(layer)]


def read_model(model, framework=None):
    """A ModelSpec from a spec, a model line, or a path to a model file (``os.PathLike``, or a
    string that names an existing file or has no parentheses: a model line always has them)."""
    from rnnquiz.description.model import ModelSpec, parse_model

    if isinstance(model, ModelSpec):
        return model
    if isinstance(model, str) and "(" in model and not _is_file(model):
        return parse_model(model, framework)
    if isinstance(model, str) and not model.strip():
        return parse_model(model, framework)  # the parser's own 'empty' message
    if isinstance(model, str) or hasattr(model, "__fspath__"):
        from rnnquiz.description.modelfile import load_model_file

        return load_model_file(model, framework)
    raise ModelError(f"a model is a line, a file or a ModelSpec, got {type(model).__name__}")


def _is_file(text):
    import os

    try:
        return len(text) < 4096 and os.path.isfile(text)
    except (OSError, ValueError):
        return False


def count_model(model, *, T=None, batch=None, framework=None) -> ModelCount:  # noqa: N803
    """Count a whole model: a model line, a file path or a parsed ModelSpec.

    ``T`` fills an open sequence length (Keras) or replaces the symbolic ``"T"`` (PyTorch);
    ``batch`` replaces PyTorch's symbolic ``"B"`` (Keras keeps None, as its summary does).
    ``framework`` ("keras" or "pytorch") decides bare layer names in a line.
    """
    for what, value in (("T", T), ("batch", batch)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 1):
            raise ModelError(f"{what} must be a positive integer, got {value!r}")
    spec = read_model(model, framework)
    stacked = sum(layer.args.get("num_layers", 1) for layer in spec.layers)
    if stacked > MAX_STACKED:
        raise ModelError(f"{stacked:,} recurrent layers in all (num_layers added up); the limit "
                         f"is {MAX_STACKED:,}")
    names = _names(spec)
    shape = _input_shape(spec, T, batch)
    walk = _Walk(spec.framework, names)
    counted = []
    notes = list(spec.notes)
    for k, layer in enumerate(spec.layers):
        walk.is_last = k == len(spec.layers) - 1
        lc = handle(layer, shape, walk)
        lc.name = names[id(layer)]
        lc.layer = layer
        lc.input_shape = shape
        if spec.framework == "keras" and (not layer["trainable"] or (
                layer.inner is not None and not layer.inner["trainable"])):
            for t in lc.tensors:
                t.trainable = False
            if lc.tensors:
                lc.notes.append("trainable=False: all its weights are non-trainable")
        lc.formula = f"{lc.formula} = {lc.parameters:,}"
        if (spec.framework == "pytorch" and walk.previous is not None
                and walk.previous.h_n_shape is not None):
            notes.append(f"{label(layer)} reads the whole output of {label(walk.previous.layer)}"
                         f", every step {shape_text(shape)} (out[:, -1] is not implied)")
        counted.append(lc)
        walk.previous = lc
        shape = lc.output_shape
    first_shape = counted[0].input_shape
    return ModelCount(spec.framework, counted, first_shape, spec, T, batch, notes)


def _names(spec):
    """Keras' auto-names in one fresh model (a wrapped layer is built, and named, first);
    PyTorch's nn.Sequential indices."""
    names = {}
    if spec.framework == "pytorch":
        for k, layer in enumerate(spec.layers):
            names[id(layer)] = str(k)
        return names
    seen = {}

    def name(layer):
        given = layer.args.get("name")
        if given:
            names[id(layer)] = given
            return
        base = KERAS_NAMES.get(layer.kind, layer.kind.lower())
        k = seen.get(base, 0)
        seen[base] = k + 1
        names[id(layer)] = base if k == 0 else f"{base}_{k}"

    for layer in spec.layers:
        if layer.inner is not None:
            name(layer.inner)
        name(layer)
    return names


def _input_shape(spec, T, batch):  # noqa: N803
    first = spec.layers[0]
    if spec.framework == "keras":
        shape = spec.input_shape
        if shape is None:
            if first.kind == "Embedding":
                shape = (None,)
            else:
                raise ModelError(
                    f"no input size: {label(first)} needs to know what it receives; start "
                    "the line with Input(shape=(T, features)) or give "
                    "input_shape=(T, features) on the first layer", first.column)
        if T is not None and shape and shape[0] is None:
            shape = (T, *shape[1:])
        return (None, *shape)
    B = batch if batch is not None else "B"
    steps = T if T is not None else "T"
    sequence = next((layer for layer in spec.layers if layer.kind in SEQUENCE_MODULES), None)
    batch_first = sequence is None or sequence["batch_first"]

    def seq(*features):
        return (B, steps, *features) if batch_first else (steps, B, *features)

    kind = first.kind
    if kind == "Embedding":
        return seq()
    if kind in SEQUENCE_MODULES:
        return seq(first["input_size"])
    if kind in ("RNNCell", "LSTMCell", "GRUCell"):
        return (B, first["input_size"])
    if kind == "Linear":
        return seq(first["in_features"]) if sequence is not None else (B, first["in_features"])
    if kind == "LayerNorm":
        dims = tuple(first["normalized_shape"])
        return seq(*dims) if sequence is not None else (B, *dims)
    if kind == "Conv1d":
        return (B, first["in_channels"], steps)
    if kind == "BatchNorm1d":
        return (B, first["num_features"])
    raise ModelError(f"no input size: a model line cannot say what {label(first)} receives; "
                     "start with a module that states it (nn.Embedding, nn.LSTM(input_size, "
                     "...), nn.Linear(in_features, ...), nn.Conv1d(in_channels, ...))",
                     first.column)
