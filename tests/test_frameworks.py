"""Optional cross-checks against real frameworks: same weights in, same outputs and counts out.

Skipped when Keras 3 (with its numpy backend's needs: jax, scipy) or PyTorch is not installed;
`.ci/run` installs them so these run in CI.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnquiz.calculator.rules import count
from rnnquiz.description.network import Network
from rnnquiz.witness import build_model

os.environ.setdefault("KERAS_BACKEND", "numpy")


def _keras():
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "numpy":
        pytest.skip("keras was imported with another backend")
    return keras


def _keras_model(keras, net, T):
    classes = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM,
               "gru": keras.layers.GRU}
    inputs = keras.Input((T, net.m))
    x = inputs
    for _ in range(net.layers):
        kw = {"units": net.n, "return_sequences": True, "use_bias": net.bias}
        if net.cell == "gru":
            kw["reset_after"] = net.reset_after
        layer = classes[net.cell](**kw)
        x = (keras.layers.Bidirectional(layer) if net.bidirectional else layer)(x)
    if net.p is not None:
        x = keras.layers.Dense(net.p, use_bias=net.bias)(x)
    return keras.Model(inputs, x)


KERAS_CASES = [
    Network(4, 5, 3, cell=cell, convention="keras", reset_after=ra, layers=layers,
            bidirectional=bidir, bias=bias)
    for cell, ra in (("rnn", True), ("lstm", True), ("gru", True), ("gru", False))
    for layers, bidir, bias in ((1, False, True), (2, True, True), (1, False, False))
]


@pytest.mark.parametrize("net", KERAS_CASES, ids=repr)
def test_keras_same_weights_same_outputs_same_count(net):
    keras = _keras()
    T, batch = 4, 3
    kmodel = _keras_model(keras, net, T)
    assert kmodel.count_params() == count(net).total
    ours = build_model(net, rng=np.random.default_rng(7))
    theirs_shapes = [tuple(w.shape) for w in kmodel.get_weights()]
    assert [a.shape for a in ours.parameters()] == theirs_shapes
    kmodel.set_weights([np.asarray(a) for a in ours.parameters()])
    xs = np.random.default_rng(8).standard_normal((T, batch, net.m))
    theirs = np.asarray(kmodel.predict(xs.transpose(1, 0, 2), verbose=0)).transpose(1, 0, 2)
    mine = ours.forward(xs)
    assert np.allclose(mine, theirs, atol=1e-5), f"mine vs theirs:\n{mine}\n{theirs}"


def _keras_from_textbook(net, model):
    """Textbook per-gate (out, in) matrices -> one Keras kernel (in, G*n) in Keras gate order."""
    p = dict(model.named_parameters())
    letters = {"rnn": "h", "lstm": "ifco", "gru": "zrh"}[net.cell]
    kernel = np.concatenate([p[f"W_x{g}"].T for g in letters], axis=1)
    recurrent = np.concatenate([p[f"W_h{g}"].T for g in letters], axis=1)
    bias = np.concatenate([p[f"b_{g}"] for g in letters])
    return [kernel, recurrent, bias, p["W_hy"].T, p["b_y"]]


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_textbook_cells_compute_what_keras_computes(cell):
    """The textbook GRU is the reset-before form: Keras's reset_after=False."""
    keras = _keras()
    net = Network(4, 5, 3, cell=cell)
    T = 4
    ours = build_model(net, rng=np.random.default_rng(3))
    kmodel = _keras_model(keras, net.replace(convention="keras", reset_after=False), T)
    kmodel.set_weights(_keras_from_textbook(net, ours))
    xs = np.random.default_rng(4).standard_normal((T, 2, net.m))
    theirs = np.asarray(kmodel.predict(xs.transpose(1, 0, 2), verbose=0)).transpose(1, 0, 2)
    assert np.allclose(ours.forward(xs), theirs, atol=1e-5)


def _torch_modules(torch, net):
    """torch.nn.RNN/LSTM/GRU for ``net`` (float64), and its nn.Linear head or None."""
    classes = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
    kw = {"num_layers": net.layers, "bias": net.bias, "bidirectional": net.bidirectional}
    if net.proj_size:
        kw["proj_size"] = net.proj_size
    rnn = classes[net.cell](net.m, net.n, **kw).double()
    width = net.directions * (net.proj_size or net.n)
    linear = torch.nn.Linear(width, net.p, bias=net.bias).double() if net.p else None
    return rnn, linear


TORCH_CASES = [
    Network(4, 5, 3, cell=cell, convention="pytorch", layers=layers, bidirectional=bidir,
            bias=bias)
    for cell in ("rnn", "lstm", "gru")
    for layers, bidir, bias in ((1, False, True), (2, True, True), (2, False, False))
] + [Network(4, 5, 3, cell="lstm", convention="pytorch", proj_size=2, layers=2,
             bidirectional=True),
     Network(4, 5, None, cell="gru", convention="pytorch", layers=3)]


@pytest.mark.parametrize("net", TORCH_CASES, ids=repr)
def test_pytorch_same_weights_same_outputs_same_count(net):
    torch = pytest.importorskip("torch")
    rnn, linear = _torch_modules(torch, net)
    theirs_count = sum(p.numel() for p in rnn.parameters())
    if linear is not None:
        theirs_count += sum(p.numel() for p in linear.parameters())
    assert theirs_count == count(net).total
    ours = build_model(net, rng=np.random.default_rng(5))
    params = dict(ours.named_parameters())
    state = {k: torch.from_numpy(np.array(v)) for k, v in params.items()
             if not k.startswith("linear.")}
    assert list(state) == list(rnn.state_dict())
    rnn.load_state_dict(state)
    xs = np.random.default_rng(6).standard_normal((4, 2, net.m))
    with torch.no_grad():
        out, _ = rnn(torch.from_numpy(xs))
        if linear is not None:
            linear.load_state_dict({"weight": torch.from_numpy(np.array(params["linear.weight"])),
                                    **({"bias": torch.from_numpy(np.array(params["linear.bias"]))}
                                       if net.bias else {})})
            out = linear(out)
    assert np.allclose(ours.forward(xs), out.numpy(), atol=1e-10)


# --- counts over random descriptions -----------------------------------------------------


@st.composite
def torch_networks(draw):
    cell = draw(st.sampled_from(["rnn", "lstm", "gru"]))
    n = draw(st.integers(2, 40))
    proj = draw(st.integers(1, n - 1)) if cell == "lstm" and draw(st.booleans()) else 0
    return Network(draw(st.integers(1, 40)), n, draw(st.one_of(st.none(), st.integers(1, 20))),
                   cell=cell, layers=draw(st.integers(1, 3)), bidirectional=draw(st.booleans()),
                   bias=draw(st.booleans()), convention="pytorch", proj_size=proj)


@settings(max_examples=60, deadline=None)
@given(torch_networks())
def test_pytorch_agrees_with_the_engine_tensor_by_tensor(net):
    torch = pytest.importorskip("torch")
    rnn, linear = _torch_modules(torch, net)
    shapes = [(k, tuple(v.shape)) for k, v in rnn.state_dict().items()]
    if linear is not None:
        shapes += [(f"linear.{k}", tuple(v.shape)) for k, v in linear.state_dict().items()]
    assert shapes == [(t.name, t.shape) for t in count(net).tensors]


@st.composite
def keras_networks(draw):
    return Network(draw(st.integers(1, 12)), draw(st.integers(2, 12)),
                   draw(st.one_of(st.none(), st.integers(1, 6))),
                   cell=draw(st.sampled_from(["rnn", "lstm", "gru"])),
                   layers=draw(st.integers(1, 2)), bidirectional=draw(st.booleans()),
                   bias=draw(st.booleans()), convention="keras",
                   reset_after=draw(st.booleans()))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keras_networks())
def test_keras_agrees_with_the_engine_tensor_by_tensor(net):
    keras = _keras()
    model = _keras_model(keras, net, 3)
    assert model.count_params() == count(net).total
    assert [tuple(w.shape) for w in model.weights] == [t.shape for t in count(net).tensors]


@pytest.mark.parametrize("net", [
    Network(3, 4, 2, cell="gru", convention="keras", reset_after=True, layers=2,
            bidirectional=True),
    Network(3, 4, 2, cell="gru", convention="keras", reset_after=False),
    Network(3, 4, None, cell="lstm", convention="keras", layers=2),
    Network(3, 4, 2, cell="rnn", convention="keras", bidirectional=True),
], ids=repr)
def test_keras_on_jax_gives_the_same_gradients(net):
    """Keras's numpy backend cannot differentiate; its JAX backend can (in a subprocess, since
    a process keeps the backend it started with)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("keras")
    pytest.importorskip("jax")
    rng = np.random.default_rng(4)
    model = build_model(net, rng=rng)
    T, batch = 4, 2
    xs = rng.standard_normal((T, batch, net.m))
    width = net.p if net.p is not None else net.directions * net.n
    targets = rng.standard_normal((T, batch, width))
    _, grads = model.loss_and_grads(xs, targets)
    spec = {"xs": xs.transpose(1, 0, 2).tolist(), "targets": targets.transpose(1, 0, 2).tolist(),
            "weights": [np.asarray(a).tolist() for a in model.parameters()], "m": net.m,
            "n": net.n, "p": net.p, "cell": net.cell, "layers": net.layers,
            "bidirectional": net.bidirectional, "bias": net.bias,
            "reset_after": net.reset_after}
    helper = Path(__file__).with_name("keras_jax_grads.py")
    run = subprocess.run([sys.executable, str(helper)], input=json.dumps(spec),
                         capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        pytest.fail(f"Keras on JAX failed:\n{run.stderr[-2000:]}")
    theirs = json.loads(run.stdout.strip().splitlines()[-1])
    names = [name for name, _ in model.named_parameters()]
    assert len(theirs) == len(names)
    # Keras's RNNs on JAX run in float32 (they cannot run in float64), so agreement is to
    # float32 precision; a wrong gradient differs at O(1). The float64 central differences in
    # test_bptt.py are the precise check.
    for name, g in zip(names, theirs, strict=True):
        assert np.allclose(grads[name], np.array(g), rtol=1e-4, atol=1e-6), \
            f"{name}: mine vs theirs\n{grads[name]}\n{np.array(g)}"
