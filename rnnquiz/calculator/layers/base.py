"""What every layer kind shares: the per-layer result, its tensors, shapes and the errors.

Shapes carry the batch axis first. Keras: ``None`` for the batch (and for a time axis the
model leaves open). PyTorch: ``"B"`` and ``"T"`` (symbolic) unless ``--batch`` / ``--T`` were
given, and expressions such as ``"T-2"`` after a convolution on a symbolic length.
Standard library only: ``rnnquiz count`` runs this on its fast path.
"""

from __future__ import annotations

from rnnquiz.errors import ModelError


class ModelTensor:
    """One parameter tensor of a layer: its framework name, shape, role and reason."""

    __slots__ = ("name", "shape", "role", "reason", "trainable", "is_bias")

    def __init__(self, name, shape, role, reason, *, trainable=True, is_bias=False):
        self.name = name
        self.shape = tuple(shape)
        self.role = role
        self.reason = reason
        self.trainable = trainable
        self.is_bias = is_bias

    @property
    def parameters(self) -> int:
        total = 1
        for dim in self.shape:
            total *= dim
        return total

    def as_dict(self) -> dict:
        return {"name": self.name, "shape": list(self.shape), "parameters": self.parameters,
                "role": self.role, "reason": self.reason, "trainable": self.trainable,
                "bias": self.is_bias}

    def __repr__(self):
        return f"ModelTensor({self.name!r}, {self.shape!r})"


class LayerCount:
    """One layer of a counted model: name, type, output shape, tensors and the formula.

    ``missing_bias`` is what the layer's biases would add if its bias option were on (0 when
    they are on): the model's ``with_bias`` total counts every layer with its biases.
    """

    __slots__ = ("name", "type", "output_shape", "h_n_shape", "c_n_shape", "tensors",
                 "formula", "notes", "missing_bias", "input_shape", "layer", "width_note",
                 "states")

    def __init__(self, type_, output_shape, tensors=(), formula="", *, notes=(),
                 missing_bias=0, h_n_shape=None, c_n_shape=None):
        self.name = None
        self.type = type_
        self.output_shape = tuple(output_shape)
        self.tensors = list(tensors)
        self.formula = formula
        self.notes = list(notes)
        self.missing_bias = missing_bias
        self.h_n_shape = h_n_shape
        self.c_n_shape = c_n_shape
        self.input_shape = None
        self.layer = None
        self.width_note = None  # why the last axis has its size, for error messages
        self.states = None  # Keras return_state=True: the state shapes returned as well

    @property
    def parameters(self) -> int:
        return sum(t.parameters for t in self.tensors)

    @property
    def trainable(self) -> int:
        return sum(t.parameters for t in self.tensors if t.trainable)

    @property
    def non_trainable(self) -> int:
        return self.parameters - self.trainable

    @property
    def bias_parameters(self) -> int:
        return sum(t.parameters for t in self.tensors if t.is_bias)

    def as_dict(self, framework=None) -> dict:
        data = {"name": self.name, "type": self.type,
                "input_shape": list(self.input_shape) if self.input_shape else None,
                "output_shape": list(self.output_shape), "parameters": self.parameters,
                "trainable": self.trainable, "non_trainable": self.non_trainable,
                "formula": self.formula, "tensors": [t.as_dict() for t in self.tensors]}
        if framework == "pytorch" and self.h_n_shape is not None:
            data["h_n_shape"] = list(self.h_n_shape)
            data["c_n_shape"] = list(self.c_n_shape) if self.c_n_shape else None
        if self.states:
            data["state_shapes"] = [list(shape) for shape in self.states]
        if self.notes:
            data["notes"] = list(self.notes)
        return data


# --- shapes -----------------------------------------------------------------------------

def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def dim_text(d) -> str:
    return "None" if d is None else str(d)


def shape_text(shape) -> str:
    """(None, 100, 32) -> '(None, 100, 32)'; a 1-tuple keeps its comma."""
    if shape is None:
        return "-"
    if len(shape) == 1:
        return f"({dim_text(shape[0])},)"
    return "(" + ", ".join(dim_text(d) for d in shape) + ")"


def product(dims):
    """The product of sizes: an int when all are known, None (Keras) if any is None, else a
    symbolic string such as 'T·64'."""
    if any(d is None for d in dims):
        return None
    known = 1
    symbols = []
    for d in dims:
        if is_int(d):
            known *= d
        else:
            symbols.append(str(d) if len(str(d)) <= 1 else f"({d})")
    if not symbols:
        return known
    return "·".join(([str(known)] if known != 1 else []) + symbols)


def label(layer) -> str:
    """How the user wrote the layer (its text), or its kind."""
    return layer.text or (layer.kind if layer.framework == "keras" else f"nn.{layer.kind}")


def words(k, word) -> str:
    return f"{k:,} {word}" if k == 1 else f"{k:,} {word}s"


def fail(layer, message):
    """A ModelError pointing at the layer's column."""
    return ModelError(message, layer.column)


def features(layer, shape, what="features", axis=-1):
    """The size of the input's feature axis, which must be known."""
    if len(shape) < 2:
        raise fail(layer, f"{label(layer)} receives {shape_text(shape)}: nothing to act on")
    d = shape[axis]
    if not is_int(d):
        raise fail(layer, f"{label(layer)} needs to know its number of {what}, but receives "
                          f"{shape_text(shape)}: give the input's size (Input(shape=...), "
                          "input_shape=..., or --T for an open length)")
    return d


def time_axis(shape):
    """(batch, T, ...) -> T; only used where the layout is batch-first."""
    return shape[1]


def torch_input_mismatch(layer, got, want, prev, fix):
    """The one-line lesson when a module's in-size does not match what it receives."""
    why = ""
    if prev is not None and prev.width_note:
        why = f": {prev.width_note}"
    elif prev is not None:
        why = f" from {label(prev.layer)} (its output is {shape_text(prev.output_shape)})"
    return fail(layer, f"{label(layer)} receives {got} features{why}; write {fix}")
