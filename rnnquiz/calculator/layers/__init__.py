"""The layer catalogue: for each (framework, layer kind), the function that works out what the
layer holds and returns from what it receives.

A handler takes ``(layer, shape, ctx)``: the bound :class:`~rnnquiz.description.model.Layer`,
the full input shape (batch axis first) and the walk's context (framework, previous layer,
whether it is the last one), and returns a :class:`~rnnquiz.calculator.layers.base.LayerCount`
or raises :class:`~rnnquiz.errors.ModelError` with a one-line lesson.

A family's module is imported when a model first uses one of its layers (``rnnquiz count``
stays light: a model without convolutions never loads them).
"""

from __future__ import annotations

from rnnquiz.calculator.layers.base import fail

_PASS = "core.passthrough"

KERAS = {
    "Embedding": "core.embedding", "Dense": "core.dense", "Dropout": _PASS,
    "SpatialDropout1D": _PASS, "Masking": _PASS, "Activation": _PASS,
    "RepeatVector": "core.repeat_vector",
    "Flatten": "core.flatten", "Reshape": "core.reshape",
    "SimpleRNN": "recurrent.keras_rnn", "LSTM": "recurrent.keras_rnn",
    "GRU": "recurrent.keras_rnn", "Bidirectional": "recurrent.bidirectional",
    "ConvLSTM2D": "recurrent.conv_lstm2d",
    "Conv1D": "convolutional.conv1d", "MaxPooling1D": "convolutional.keras_pooling",
    "AveragePooling1D": "convolutional.keras_pooling",
    "GlobalMaxPooling1D": "convolutional.global_pooling",
    "GlobalAveragePooling1D": "convolutional.global_pooling",
    "BatchNormalization": "normalization.batch_normalization",
    "LayerNormalization": "normalization.layer_normalization",
}

PYTORCH = {
    "Embedding": "core.embedding", "Linear": "core.dense", "Dropout": _PASS,
    "RNN": "recurrent.torch_rnn", "LSTM": "recurrent.torch_rnn", "GRU": "recurrent.torch_rnn",
    "RNNCell": "recurrent.torch_cell", "LSTMCell": "recurrent.torch_cell",
    "GRUCell": "recurrent.torch_cell", "LayerNorm": "normalization.torch_layer_norm",
    "BatchNorm1d": "normalization.torch_batch_norm", "Conv1d": "convolutional.torch_conv1d",
    "MaxPool1d": "convolutional.torch_pooling", "AvgPool1d": "convolutional.torch_pooling",
    "Flatten": "core.flatten", "ReLU": _PASS, "Tanh": _PASS, "Sigmoid": _PASS, "GELU": _PASS,
    "LeakyReLU": _PASS, "Softmax": _PASS, "LogSoftmax": _PASS, "Identity": _PASS,
}

CATALOGUE = {"keras": KERAS, "pytorch": PYTORCH}
RECURRENT_WRAPPED = ("SimpleRNN", "LSTM", "GRU", "Bidirectional", "TimeDistributed")


def handler(framework, kind):
    """The function that handles ``kind`` in ``framework`` (its module imported on first use)."""
    module, function = CATALOGUE[framework][kind].split(".")
    family = __import__(f"rnnquiz.calculator.layers.{module}", fromlist=[function])
    return getattr(family, function)


def handle(layer, shape, ctx):
    """The LayerCount of ``layer`` receiving ``shape``."""
    if layer.kind == "TimeDistributed":
        if layer.inner.kind in RECURRENT_WRAPPED:
            raise fail(layer, f"TimeDistributed({layer.inner.kind}) is not read here: wrap a "
                              "Dense or another per-step layer")
        from rnnquiz.calculator.layers.core import time_distributed

        return time_distributed(layer, shape, ctx, handle)
    try:
        function = handler(layer.framework, layer.kind)
    except KeyError:
        raise fail(layer, f"{layer.kind} is not in the calculator's catalogue") from None
    return function(layer, shape, ctx)
