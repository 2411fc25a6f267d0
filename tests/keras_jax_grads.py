"""Helper run in a subprocess by test_frameworks: Keras 3 on JAX, in float32, gives the
gradients of 0.5 * sum((outputs - targets)^2) for weights, inputs and targets read as JSON
from stdin; it prints the gradients, in model.trainable_variables order, as JSON."""

import json
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"

import jax  # noqa: E402, F401 - the backend keras will use
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

# float32: Keras's RNN loops on JAX do not run in float64 (SimpleRNN's scan returns float32).
spec = json.load(sys.stdin)
classes = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
xs = np.array(spec["xs"], dtype=np.float32)  # (batch, T, m)
inputs = keras.Input(xs.shape[1:])
x = inputs
for _ in range(spec["layers"]):
    kw = {"units": spec["n"], "return_sequences": True, "use_bias": spec["bias"]}
    if spec["cell"] == "gru":
        kw["reset_after"] = spec["reset_after"]
    layer = classes[spec["cell"]](**kw)
    x = (keras.layers.Bidirectional(layer) if spec["bidirectional"] else layer)(x)
if spec["p"]:
    x = keras.layers.Dense(spec["p"], use_bias=spec["bias"])(x)
model = keras.Model(inputs, x)
model.set_weights([np.array(w, dtype=np.float32) for w in spec["weights"]])
targets = jnp.array(spec["targets"], dtype=jnp.float32)
trainable = [v.value for v in model.trainable_variables]
fixed = [v.value for v in model.non_trainable_variables]


def loss(values):
    outputs, _ = model.stateless_call(values, fixed, jnp.array(xs))
    return 0.5 * jnp.sum((outputs - targets) ** 2)


grads = jax.grad(loss)(trainable)
print(json.dumps([np.asarray(g).tolist() for g in grads]))
