"""The constructors a model line may call, as Keras 3 and PyTorch 2 declare them.

Data only: for each layer class, its parameters in positional order as ``(name, kind,
default)``. ``REQUIRED`` marks a parameter without default. The kinds say what a value may be
(checked in :mod:`rnnquiz.description.model`):

``int`` positive integer; ``int0`` integer >= 0; ``index`` any integer (a position that may
count from the end, checked against its size by the engine); ``int?`` positive integer or None;
``act`` a Keras activation name (``KERAS_ACTIVATION_NAMES``), ``act?`` or None; ``num`` number;
``rate`` a number from 0 to 1 (a dropout probability; Keras recurrent layers clamp theirs, so
those stay ``num``); ``num?`` number or None; ``bool``; ``str``; ``str?`` string or None;
``shape`` a tuple or list of positive integers (None allowed where a size is left open);
``shape?`` the same or None; ``size1`` an integer or a 1-tuple (Conv1D); ``size2`` an integer
or a 2-tuple (ConvLSTM2D); ``axis`` an integer or a tuple of integers; ``normshape`` a positive
integer or a tuple of them (nn.LayerNorm); ``target`` a tuple of positive integers, one of
which may be -1 (Reshape); ``layer`` a nested layer constructor; ``any`` any literal, kept as
given (initialisers, regularisers: they never change a count or a shape).
"""

from __future__ import annotations

REQUIRED = object()

# The activation names Keras 3 reads (keras.activations), all elementwise. 'glu' is left
# out: it halves the last axis, which no layer here accounts for; an unknown name is refused
# as Keras refuses it, instead of being counted and then failing the witness.
KERAS_ACTIVATION_NAMES = frozenset((
    "celu", "elu", "exponential", "gelu", "hard_shrink", "hard_sigmoid", "hard_silu",
    "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish",
    "relu", "relu6", "selu", "sigmoid", "silu", "soft_shrink", "softmax", "softplus",
    "softsign", "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh",
    "tanh_shrink", "threshold"))

_DROPOUTS = (("dropout", "num", 0.0), ("recurrent_dropout", "num", 0.0))
_SEQUENCE = (("return_sequences", "bool", False), ("return_state", "bool", False),
             ("go_backwards", "bool", False), ("stateful", "bool", False),
             ("unroll", "bool", False))
_REGS = ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
         "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint")


def _any(*names):
    return tuple((name, "any", None) for name in names)


# Keyword arguments every Keras layer takes (the Keras 2 input keywords with their old meaning).
KERAS_COMMON = (("name", "str?", None), ("trainable", "bool", True), ("dtype", "any", None),
                ("input_shape", "shape?", None), ("batch_input_shape", "shape?", None),
                ("batch_size", "int?", None), ("input_dim", "int?", None),
                ("input_length", "int?", None))

KERAS = {
    "Input": (("shape", "shape?", None), ("batch_size", "int?", None), ("dtype", "any", None),
              ("sparse", "any", None), ("batch_shape", "shape?", None), ("name", "str?", None),
              ("tensor", "any", None), ("optional", "bool", False)),
    "Embedding": (("input_dim", "int", REQUIRED), ("output_dim", "int", REQUIRED),
                  *_any("embeddings_initializer", "embeddings_regularizer",
                        "embeddings_constraint"),
                  ("mask_zero", "bool", False), ("weights", "any", None),
                  ("lora_rank", "int?", None)),
    "SimpleRNN": (("units", "int", REQUIRED), ("activation", "act?", "tanh"),
                  ("use_bias", "bool", True),
                  *_any("kernel_initializer", "recurrent_initializer", "bias_initializer",
                        *_REGS),
                  *_DROPOUTS, *_SEQUENCE, ("seed", "any", None)),
    "LSTM": (("units", "int", REQUIRED), ("activation", "act?", "tanh"),
             ("recurrent_activation", "act?", "sigmoid"), ("use_bias", "bool", True),
             *_any("kernel_initializer", "recurrent_initializer", "bias_initializer"),
             ("unit_forget_bias", "bool", True), *_any(*_REGS), *_DROPOUTS,
             ("seed", "any", None), *_SEQUENCE, ("use_cudnn", "any", "auto")),
    "GRU": (("units", "int", REQUIRED), ("activation", "act?", "tanh"),
            ("recurrent_activation", "act?", "sigmoid"), ("use_bias", "bool", True),
            *_any("kernel_initializer", "recurrent_initializer", "bias_initializer", *_REGS),
            *_DROPOUTS, ("seed", "any", None), *_SEQUENCE, ("reset_after", "bool", True),
            ("use_cudnn", "any", "auto")),
    "ConvLSTM2D": (("filters", "int", REQUIRED), ("kernel_size", "size2", REQUIRED),
                   ("strides", "size2", 1), ("padding", "str", "valid"),
                   ("data_format", "str?", None), ("dilation_rate", "size2", 1),
                   ("activation", "act?", "tanh"), ("recurrent_activation", "act?", "sigmoid"),
                   ("use_bias", "bool", True),
                   *_any("kernel_initializer", "recurrent_initializer", "bias_initializer"),
                   ("unit_forget_bias", "bool", True), *_any(*_REGS), *_DROPOUTS,
                   ("seed", "any", None), *_SEQUENCE[:4]),
    "Bidirectional": (("layer", "layer", REQUIRED), ("merge_mode", "str?", "concat"),
                      ("weights", "any", None), ("backward_layer", "any", None)),
    "TimeDistributed": (("layer", "layer", REQUIRED),),
    "Dense": (("units", "int", REQUIRED), ("activation", "act?", None),
              ("use_bias", "bool", True),
              *_any("kernel_initializer", "bias_initializer", "kernel_regularizer",
                    "bias_regularizer", "activity_regularizer", "kernel_constraint",
                    "bias_constraint"),
              ("lora_rank", "int?", None)),
    "Dropout": (("rate", "rate", REQUIRED), ("noise_shape", "any", None), ("seed", "any", None)),
    "SpatialDropout1D": (("rate", "rate", REQUIRED), ("seed", "any", None)),
    "Masking": (("mask_value", "num", 0.0),),
    "Activation": (("activation", "act", REQUIRED),),
    "RepeatVector": (("n", "int", REQUIRED),),
    "Flatten": (("data_format", "str?", None),),
    "Reshape": (("target_shape", "target", REQUIRED),),
    "Conv1D": (("filters", "int", REQUIRED), ("kernel_size", "size1", REQUIRED),
               ("strides", "size1", 1), ("padding", "str", "valid"),
               ("data_format", "str?", None), ("dilation_rate", "size1", 1),
               ("groups", "int", 1), ("activation", "act?", None), ("use_bias", "bool", True),
               *_any("kernel_initializer", "bias_initializer", "kernel_regularizer",
                     "bias_regularizer", "activity_regularizer", "kernel_constraint",
                     "bias_constraint")),
    "MaxPooling1D": (("pool_size", "size1", 2), ("strides", "size1?", None),
                     ("padding", "str", "valid"), ("data_format", "str?", None)),
    "AveragePooling1D": (("pool_size", "size1", REQUIRED), ("strides", "size1?", None),
                         ("padding", "str", "valid"), ("data_format", "str?", None)),
    "GlobalMaxPooling1D": (("data_format", "str?", None), ("keepdims", "bool", False)),
    "GlobalAveragePooling1D": (("data_format", "str?", None), ("keepdims", "bool", False)),
    "BatchNormalization": (("axis", "axis", -1), ("momentum", "num", 0.99),
                           ("epsilon", "num", 0.001), ("center", "bool", True),
                           ("scale", "bool", True),
                           *_any("beta_initializer", "gamma_initializer",
                                 "moving_mean_initializer", "moving_variance_initializer",
                                 "beta_regularizer", "gamma_regularizer", "beta_constraint",
                                 "gamma_constraint"),
                           ("synchronized", "bool", False)),
    "LayerNormalization": (("axis", "axis", -1), ("epsilon", "num", 0.001),
                           ("center", "bool", True), ("scale", "bool", True),
                           ("rms_scaling", "bool", False),
                           *_any("beta_initializer", "gamma_initializer", "beta_regularizer",
                                 "gamma_regularizer", "beta_constraint", "gamma_constraint")),
}

# Keras's own second names for the same classes.
KERAS_ALIASES = {
    "InputLayer": "Input", "MaxPool1D": "MaxPooling1D", "AvgPool1D": "AveragePooling1D",
    "GlobalMaxPool1D": "GlobalMaxPooling1D", "GlobalAvgPool1D": "GlobalAveragePooling1D",
    "Convolution1D": "Conv1D",
}

_TORCH_DEVICE = (("device", "any", None), ("dtype", "any", None))
_TORCH_RECURRENT_TAIL = (("batch_first", "bool", False), ("dropout", "rate", 0.0),
                         ("bidirectional", "bool", False))

PYTORCH = {
    "Embedding": (("num_embeddings", "int", REQUIRED), ("embedding_dim", "int", REQUIRED),
                  ("padding_idx", "index?", None), ("max_norm", "num?", None),
                  ("norm_type", "num", 2.0), ("scale_grad_by_freq", "bool", False),
                  ("sparse", "bool", False), ("_weight", "any", None), ("_freeze", "bool", False),
                  *_TORCH_DEVICE),
    "RNN": (("input_size", "int", REQUIRED), ("hidden_size", "int", REQUIRED),
            ("num_layers", "int", 1), ("nonlinearity", "str", "tanh"), ("bias", "bool", True),
            *_TORCH_RECURRENT_TAIL, *_TORCH_DEVICE),
    "LSTM": (("input_size", "int", REQUIRED), ("hidden_size", "int", REQUIRED),
             ("num_layers", "int", 1), ("bias", "bool", True), *_TORCH_RECURRENT_TAIL,
             ("proj_size", "int0", 0), *_TORCH_DEVICE),
    "GRU": (("input_size", "int", REQUIRED), ("hidden_size", "int", REQUIRED),
            ("num_layers", "int", 1), ("bias", "bool", True), *_TORCH_RECURRENT_TAIL,
            *_TORCH_DEVICE),
    "RNNCell": (("input_size", "int", REQUIRED), ("hidden_size", "int", REQUIRED),
                ("bias", "bool", True), ("nonlinearity", "str", "tanh"), *_TORCH_DEVICE),
    "LSTMCell": (("input_size", "int", REQUIRED), ("hidden_size", "int", REQUIRED),
                 ("bias", "bool", True), *_TORCH_DEVICE),
    "GRUCell": (("input_size", "int", REQUIRED), ("hidden_size", "int", REQUIRED),
                ("bias", "bool", True), *_TORCH_DEVICE),
    "Linear": (("in_features", "int", REQUIRED), ("out_features", "int", REQUIRED),
               ("bias", "bool", True), *_TORCH_DEVICE),
    "Dropout": (("p", "rate", 0.5), ("inplace", "bool", False)),
    "LayerNorm": (("normalized_shape", "normshape", REQUIRED), ("eps", "num", 1e-05),
                  ("elementwise_affine", "bool", True), ("bias", "bool", True),
                  *_TORCH_DEVICE),
    "BatchNorm1d": (("num_features", "int", REQUIRED), ("eps", "num", 1e-05),
                    ("momentum", "num?", 0.1), ("affine", "bool", True),
                    ("track_running_stats", "bool", True), *_TORCH_DEVICE),
    "Conv1d": (("in_channels", "int", REQUIRED), ("out_channels", "int", REQUIRED),
               ("kernel_size", "size1", REQUIRED), ("stride", "size1", 1),
               ("padding", "any", 0), ("dilation", "size1", 1), ("groups", "int", 1),
               ("bias", "bool", True), ("padding_mode", "str", "zeros"), *_TORCH_DEVICE),
    "MaxPool1d": (("kernel_size", "size1", REQUIRED), ("stride", "size1?", None),
                  ("padding", "int0", 0), ("dilation", "size1", 1),
                  ("return_indices", "bool", False), ("ceil_mode", "bool", False)),
    "AvgPool1d": (("kernel_size", "size1", REQUIRED), ("stride", "size1?", None),
                  ("padding", "int0", 0), ("ceil_mode", "bool", False),
                  ("count_include_pad", "bool", True)),
    "Flatten": (("start_dim", "any", 1), ("end_dim", "any", -1)),
    "ReLU": (("inplace", "bool", False),),
    "Tanh": (),
    "Sigmoid": (),
    "GELU": (("approximate", "str", "none"),),
    "LeakyReLU": (("negative_slope", "num", 0.01), ("inplace", "bool", False)),
    "Softmax": (("dim", "any", None),),
    "LogSoftmax": (("dim", "any", None),),
    "Identity": (),
}

FRAMEWORKS = {"keras": KERAS, "pytorch": PYTORCH}
