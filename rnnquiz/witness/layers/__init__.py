"""The witness's layer catalogue: a module per layer family, a class per layer kind.

``make_layer(spec, name, maker, inner_name=None)`` turns one description
:class:`~rnnquiz.description.model.Layer` into its witness layer. None of these modules
imports the rules engine: each layer creates its tensors from its own equations.
"""

from __future__ import annotations

import re

from rnnquiz.witness.layers.base import Maker, TooLarge, WitnessLayer
from rnnquiz.witness.layers.convolutional import (
    Conv1D,
    Conv1d,
    ConvLSTM2D,
    GlobalPooling,
    KerasPooling,
    TorchPooling,
)
from rnnquiz.witness.layers.core import (
    Activation,
    Dense,
    Embedding,
    Flatten,
    Identity,
    Linear,
    Masking,
    RepeatVector,
    Reshape,
    TimeDistributed,
)
from rnnquiz.witness.layers.normalization import (
    BatchNorm1d,
    BatchNormalization,
    LayerNorm,
    LayerNormalization,
)
from rnnquiz.witness.layers.recurrent import (
    Bidirectional,
    KerasRecurrent,
    TorchCell,
    TorchRecurrent,
)

KERAS = {
    "Embedding": Embedding, "SimpleRNN": KerasRecurrent, "LSTM": KerasRecurrent,
    "GRU": KerasRecurrent, "Dense": Dense, "Dropout": Identity, "SpatialDropout1D": Identity,
    "Masking": Masking, "Activation": Activation, "RepeatVector": RepeatVector, "Flatten": Flatten,
    "Reshape": Reshape, "Conv1D": Conv1D, "MaxPooling1D": KerasPooling,
    "AveragePooling1D": KerasPooling, "GlobalMaxPooling1D": GlobalPooling,
    "GlobalAveragePooling1D": GlobalPooling, "BatchNormalization": BatchNormalization,
    "LayerNormalization": LayerNormalization, "ConvLSTM2D": ConvLSTM2D,
}
PYTORCH = {
    "Embedding": Embedding, "RNN": TorchRecurrent, "LSTM": TorchRecurrent,
    "GRU": TorchRecurrent, "RNNCell": TorchCell, "LSTMCell": TorchCell, "GRUCell": TorchCell,
    "Linear": Linear, "Dropout": Identity, "Identity": Identity, "LayerNorm": LayerNorm,
    "BatchNorm1d": BatchNorm1d, "Conv1d": Conv1d, "MaxPool1d": TorchPooling,
    "AvgPool1d": TorchPooling, "Flatten": Flatten, "ReLU": Activation, "Tanh": Activation,
    "Sigmoid": Activation, "GELU": Activation, "LeakyReLU": Activation, "Softmax": Activation,
    "LogSoftmax": Activation,
}


def keras_base_name(kind: str) -> str:
    """Keras's auto-name stem for a class: LSTM -> lstm, SimpleRNN -> simple_rnn,
    ConvLSTM2D -> conv_lstm2d (keras.src.utils.naming.to_snake_case)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", kind)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def make_layer(spec, name, maker: Maker, inner_name=None) -> WitnessLayer:
    """The witness layer for ``spec``; wrappers get their inner layer's name."""
    if spec.kind == "Bidirectional":
        return Bidirectional(spec, name, maker, inner_name=inner_name)
    if spec.kind == "TimeDistributed":
        return TimeDistributed(spec, name, maker,
                               inner=make_layer(spec.inner, inner_name, maker))
    table = KERAS if spec.framework == "keras" else PYTORCH
    cls = table.get(spec.kind)
    if cls is None:
        from rnnquiz.errors import ModelError

        raise ModelError(f"{spec.text or spec.kind}: the witness has no {spec.kind} layer")
    return cls(spec, name, maker)


__all__ = ["KERAS", "PYTORCH", "Maker", "TooLarge", "WitnessLayer", "keras_base_name",
           "make_layer"]
