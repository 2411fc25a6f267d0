"""What every witness layer shares: its own parameters, made when it first receives an input.

A layer is built (Keras style) on the first array it is called with: it reads the sizes it
needs off that array's shape and creates its tensors from its own equations, in its
framework's names and storage. Calling it returns the array the next layer receives; its
``output_shapes`` are read off the arrays it returned (PyTorch recurrent modules: output, h_n
and for an LSTM c_n; Keras ``return_state``: output and the states).

Shapes: ``B`` the batch, ``T`` the time steps, ``F`` features (channels last unless a
PyTorch module says otherwise).
"""

from __future__ import annotations

import math

import numpy as np

from rnnquiz.errors import ModelError
from rnnquiz.witness import cells
from rnnquiz.witness.draws import replay


class TooLarge(Exception):
    """A witness built under limits (``build_model(limits=...)``) passed one of them: it
    stops before allocating or running more. Not a ModelError: the model may be valid."""


class Maker:
    """Creates arrays for parameters: random uniform(-scale, scale) from ``rng``, or zero-stride
    placeholders (``allocate=False``: the right shape and size in one scalar, for counting
    models too large to hold).

    A tensor of more than ``BLOCK`` values (an Embedding table of 30,000 words, say) repeats
    one block of ``BLOCK`` random draws, in row-major order: a real array of its own, its
    values drawn as any other's, for a quarter of the time (drawing every value of a
    million-value table took most of a whole model's check, whose forward pass reads a few of
    its rows). Tensors up to ``BLOCK`` values are drawn value by value. ``BLOCK`` is prime, so
    the repeats never line up with rows or gate blocks (with 2^16, an LSTM(256, 256)'s four
    gate blocks were the same numbers: a gate-order mistake could not have shown).

    With ``max_values``, making more than that many values in all (placeholders aside)
    raises TooLarge before they are made: how ``build_model(limits=...)`` bounds memory.
    """

    BLOCK = 65_521  # the largest prime below 2^16

    def __init__(self, rng=None, dtype=np.float64, allocate=True, max_values=None):
        if rng is None and allocate:  # placeholders draw nothing
            rng = replay(0)
        self.rng = rng
        self.dtype = np.dtype(dtype)
        self.allocate = allocate
        self._zero = bytes(self.dtype.itemsize)  # what every placeholder element reads
        # With ``max_values``, making more values than that in all raises TooLarge first.
        self.max_values = max_values
        self.made = 0

    def __call__(self, shape, scale=0.5, low=None):
        """An array of ``shape``: uniform(-scale, scale), or uniform(low, low + scale) when
        ``low`` is given (variances and scales stay positive)."""
        shape = tuple(map(int, shape))
        if not self.allocate:  # read-only, every element the one zero
            return np.ndarray(shape, self.dtype, self._zero, 0, (0,) * len(shape))
        lo, hi = (-scale, scale) if low is None else (low, low + scale)
        size = math.prod(shape)
        if self.max_values is not None:
            self.made += size
            if self.made > self.max_values:
                raise TooLarge(f"more than {self.max_values:,} values")
        if size <= self.BLOCK:
            # rng.uniform(lo, hi, size=...), the same values, a third faster for large tensors
            values = self.rng.random(size)
            values *= hi - lo
            values += lo
            return values.astype(self.dtype, copy=False).reshape(shape)
        return self._tiled(shape, size, lo, hi)

    def _tiled(self, shape, size, lo, hi):
        """One block of BLOCK draws repeated row-major over ``size`` values: what
        ``np.resize(block, shape)`` gives, written block by block from the first (a cache-warm
        source, the draws straight into it: no temporary, and a fifth faster)."""
        k = self.BLOCK
        out = np.empty(size, self.dtype)
        first = out[:k]
        # The draws and their scaling in float64 (as rng.uniform), straight into the first
        # block when that is the dtype.
        block = first if self.dtype == np.float64 else np.empty(k)
        self.rng.random(out=block)
        block *= hi - lo
        block += lo
        if block is not first:
            first[...] = block
        full = size // k
        rows = out[:full * k].reshape(full, k)
        rows[1:] = first
        out[full * k:] = first[:size - full * k]
        return out.reshape(shape)

    def uniform(self, scale):
        """The one-argument form the recurrent parameter objects call: shape -> array."""
        return lambda shape: self(shape, scale)


def fan_scale(fan_in: int) -> float:
    """A weight scale that keeps activations of order one: 1/sqrt(fan_in)."""
    return 1.0 / math.sqrt(max(int(fan_in), 1))


class WitnessLayer:
    """One layer of a witness model.

    ``MASK`` says what a Keras layer does with the mask an Embedding(mask_zero=True) starts:
    "pass" it on unchanged (layers that support masking), "use" it (recurrent layers, global
    average pooling: they set ``mask_out``), or "drop" it (layers that do not support masking).

    ``spec`` is the description's :class:`~rnnquiz.description.model.Layer` (arguments by the
    framework's own names); ``name`` the framework's name for the layer in the model (Keras
    auto-name, or the PyTorch ``nn.Sequential`` index).
    """

    MASK = "drop"

    def __init__(self, spec, name, maker: Maker):
        self.spec = spec
        self.name = name
        self.type = spec.kind
        self.framework = spec.framework
        self.maker = maker
        self._params = {}
        self.trainable_names = set()
        self.buffers = {}
        self.built = False
        self.input_shape = None
        self.output_shapes = None
        self.outputs = ()  # the arrays the last call returned
        # Keras masks (B, T) bools, True where a step is read: the one this layer receives,
        # and the one it passes on (see MASK).
        self.mask = None
        self.mask_out = None

    # --- parameters -----------------------------------------------------------------------

    @property
    def label(self) -> str:
        return self.spec.text or self.spec.kind

    def add(self, name, array, *, trainable=True):
        """Register a tensor (created by the caller) under the framework's own name."""
        self._params[name] = array
        if trainable:
            self.trainable_names.add(name)
        return array

    def parameters(self) -> dict:
        """Tensor name -> array, in the framework's order (the arrays themselves: writing into
        them changes the layer)."""
        return dict(self._params)

    def count(self) -> int:
        return sum(int(a.size) for a in self._params.values())

    def trainable_count(self) -> int:
        return sum(int(a.size) for k, a in self._params.items() if k in self.trainable_names)

    # --- running --------------------------------------------------------------------------

    def build_for(self, x):
        """Create the parameters for the array ``x`` (once: the first array decides)."""
        if not self.built:
            self.input_shape = tuple(x.shape)
            self.build(tuple(x.shape))
            if self.framework == "keras" and self.spec.args.get("trainable") is False:
                self.trainable_names.clear()
            self.built = True

    def __call__(self, x):
        """x: the array this layer receives -> the array the next layer receives."""
        self.build_for(x)
        outs = self.call(x)
        if not isinstance(outs, tuple):
            outs = (outs,)
        self.outputs = outs
        self.output_shapes = tuple(tuple(o.shape) for o in outs)
        return outs[0]

    def build(self, shape):
        """Create the parameters for an input of ``shape`` (batch axis first)."""

    def call(self, x):
        raise NotImplementedError

    # --- helpers --------------------------------------------------------------------------

    def fail(self, message):
        return ModelError(f"{self.label}: {message}")

    def need_rank(self, shape, ranks, what):
        if len(shape) not in ranks:
            raise self.fail(f"expects {what}, receives an input of shape {_show(shape)}")


def _show(shape):
    return "(" + ", ".join("B" if k == 0 else str(s) for k, s in enumerate(shape)) + ")"


# --- activation functions by name ------------------------------------------------------------

sigmoid = cells.sigmoid  # 0.5 * (1 + tanh(z / 2)): the cells' own, so they know it by name


def softmax(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True)) if z.size else z
    return e / np.sum(e, axis=axis, keepdims=True) if z.size else z


def log_softmax(z, axis=-1):
    if not z.size:
        return z
    s = z - np.max(z, axis=axis, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))


_erf = np.vectorize(math.erf, otypes=[float])


def gelu(z, approximate=False):
    if approximate:
        return 0.5 * z * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (z + 0.044715 * z ** 3)))
    return (0.5 * z * (1.0 + _erf(z / math.sqrt(2.0)))).astype(z.dtype, copy=False)


def _elu(z, alpha=1.0):
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def _softplus(z):
    return np.logaddexp(0.0, z)


_SELU = (1.6732632423543772848170429916717, 1.0507009873554804934193349852946)

# Keras 3's activation names (keras.activations), each from its documented formula.
KERAS_ACTIVATIONS = {
    None: lambda z: z,
    "linear": lambda z: z,
    "tanh": np.tanh,
    "sigmoid": sigmoid,
    "relu": lambda z: np.maximum(z, 0.0),
    "relu6": lambda z: np.clip(z, 0.0, 6.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.2 * z),
    "elu": _elu,
    "selu": lambda z: _SELU[1] * _elu(z, _SELU[0]),
    "softplus": _softplus,
    "softsign": lambda z: z / (1.0 + np.abs(z)),
    "swish": lambda z: z * sigmoid(z),
    "silu": lambda z: z * sigmoid(z),
    "gelu": gelu,
    "hard_sigmoid": lambda z: np.clip(z + 3.0, 0.0, 6.0) / 6.0,
    "hard_silu": lambda z: z * np.clip(z + 3.0, 0.0, 6.0) / 6.0,
    "hard_swish": lambda z: z * np.clip(z + 3.0, 0.0, 6.0) / 6.0,
    "mish": lambda z: z * np.tanh(_softplus(z)),
    "exponential": np.exp,
    "softmax": softmax,
    "log_softmax": log_softmax,
}


def keras_activation(layer: WitnessLayer, name):
    """The function Keras applies for ``name``; an unknown name is refused, never guessed."""
    if name not in KERAS_ACTIVATIONS:
        raise layer.fail(f"the witness does not know the activation {name!r}; it knows "
                         + ", ".join(sorted(k for k in KERAS_ACTIVATIONS if k)))
    return KERAS_ACTIVATIONS[name]


def torch_softmax_dim(dim, ndim):
    """PyTorch's legacy choice when Softmax(dim=None): 0 for 0-, 1- and 3-D input, else 1."""
    if dim is not None:
        return dim
    return 0 if ndim in (0, 1, 3) else 1

