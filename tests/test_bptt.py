"""Backpropagation through time, checked element by element against central differences."""

import numpy as np
import pytest

from rnnquiz.description.network import Network
from rnnquiz.witness import build_model

CASES = [
    Network(2, 3, 2, cell=cell, convention=conv, layers=layers, bidirectional=bidir,
            reset_after=ra, bias=bias)
    for conv in ("textbook", "pytorch", "keras")
    for cell in ("rnn", "lstm", "gru")
    for layers, bidir, bias in ((1, False, True), (2, True, True), (1, False, False))
    for ra in ((True, False) if (conv, cell) == ("keras", "gru") else (True,))
] + [
    Network(2, 3, 2, cell="lstm", convention="pytorch", proj_size=2, layers=2,
            bidirectional=True),
    Network(2, 3, 2, cell="gru", layout="in-out", layers=2),
    Network(2, 3, None, cell="lstm", convention="keras", layers=2),
]


def relative_error(a, b):
    """|a - b| / max(|a|, |b|), per element; for elements below 1e-6 (where round-off in the
    numeric derivative dominates) the denominator is 1e-6, i.e. an absolute error of 1e-12."""
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-6)


def numeric_gradient(f, array, eps=1e-3):
    """Fourth-order central differences: (-f(x+2e) + 8f(x+e) - 8f(x-e) + f(x-2e)) / 12e.

    Truncation error O(e^4) ~ 1e-12 and round-off ~ 1e-13 at e = 1e-3, so a relative error
    above 1e-6 means a wrong gradient, not a noisy check.
    """
    grad = np.zeros_like(array)
    flat, g = array.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        values = []
        for step in (2, 1, -1, -2):
            flat[k] = old + step * eps
            values.append(f())
        flat[k] = old
        g[k] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * eps)
    return grad


@pytest.mark.parametrize("net", CASES, ids=repr)
def test_gradients_match_central_differences(net):
    rng = np.random.default_rng(3)
    model = build_model(net, rng=rng)
    T, batch = 3, 2
    layers_dirs = net.layers * net.directions
    width = net.proj_size or net.n
    xs = rng.standard_normal((T, batch, net.m))
    h0 = 0.5 * rng.standard_normal((layers_dirs, batch, width))
    c0 = 0.5 * rng.standard_normal((layers_dirs, batch, net.n)) if net.cell == "lstm" else None
    out_width = net.p if net.p is not None else net.directions * width
    targets = rng.standard_normal((T, batch, out_width))

    def loss():
        ys = model.forward(xs, h0, c0)
        return 0.5 * float(np.sum((ys - targets) ** 2))

    value, grads = model.loss_and_grads(xs, targets, h0, c0)
    assert value == pytest.approx(loss(), rel=1e-12)
    params = dict(model.named_parameters())
    assert set(grads) == set(params) | {"h0"} | ({"c0"} if net.cell == "lstm" else set())
    checked = {**params, "h0": h0}
    if c0 is not None:
        checked["c0"] = c0
    for name, array in checked.items():
        assert grads[name].shape == array.shape, name
        numeric = numeric_gradient(loss, array)
        worst = relative_error(grads[name], numeric).max()
        assert worst < 1e-6, f"{name}: relative error {worst:.2e}\n{grads[name]}\n{numeric}"


def test_one_neuron_gradient_by_hand():
    """h_t = w h_(t-1) + u x_t (identity), L = 0.5 (h_2 - y)^2: dL/dw = (h_2 - y) h_1."""
    model = build_model(Network(1, 1, bias=False), rng=np.random.default_rng(0))
    model.activation = "identity"
    w, u = 0.5, 2.0
    model.load({"W_xh": [[u]], "W_hh": [[w]]})
    xs = np.array([[[1.0]], [[3.0]]])
    h1 = u * 1.0
    h2 = w * h1 + u * 3.0
    y = 1.0
    ys, cache = model.forward_cache(xs)
    d = np.zeros_like(ys)
    d[-1] = ys[-1] - y
    grads = model.backward(cache, d)
    assert grads["W_hh"][0, 0] == pytest.approx((h2 - y) * h1)
    assert grads["W_xh"][0, 0] == pytest.approx((h2 - y) * (3.0 + w * 1.0))
    assert grads["h0"][0, 0, 0] == pytest.approx((h2 - y) * w * w)


def test_gradient_through_T_steps_scales_as_w_to_the_T():
    for w in (0.5, 1.5):
        model = build_model(Network(1, 1, bias=False))
        model.activation = "identity"
        model.load({"W_xh": [[1.0]], "W_hh": [[w]]})
        T = 12
        ys, cache = model.forward_cache(np.zeros((T, 1, 1)), h0=np.ones((1, 1, 1)))
        d = np.zeros_like(ys)
        d[-1] = 1.0
        assert model.backward(cache, d)["h0"][0, 0, 0] == pytest.approx(w ** T)


def test_torch_autograd_agrees():
    torch = pytest.importorskip("torch")
    net = Network(3, 4, 2, cell="lstm", convention="pytorch", layers=2, bidirectional=True)
    model = build_model(net, rng=np.random.default_rng(9))
    rnn = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True).double()
    linear = torch.nn.Linear(8, 2).double()
    params = dict(model.named_parameters())
    rnn.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in params.items()
                         if not k.startswith("linear")})
    linear.load_state_dict({"weight": torch.from_numpy(np.array(params["linear.weight"])),
                            "bias": torch.from_numpy(np.array(params["linear.bias"]))})
    rng = np.random.default_rng(10)
    xs, targets = rng.standard_normal((5, 2, 3)), rng.standard_normal((5, 2, 2))
    h0, c0 = rng.standard_normal((4, 2, 4)), rng.standard_normal((4, 2, 4))
    th0 = torch.from_numpy(h0).requires_grad_()
    tc0 = torch.from_numpy(c0).requires_grad_()
    out, _ = rnn(torch.from_numpy(xs), (th0, tc0))
    loss = 0.5 * ((linear(out) - torch.from_numpy(targets)) ** 2).sum()
    loss.backward()
    value, grads = model.loss_and_grads(xs, targets, h0, c0)
    assert value == pytest.approx(loss.item(), rel=1e-12)
    for name, p in rnn.named_parameters():
        assert np.allclose(grads[name], p.grad.numpy(), atol=1e-10), name
    assert np.allclose(grads["linear.weight"], linear.weight.grad.numpy(), atol=1e-10)
    assert np.allclose(grads["h0"], th0.grad.numpy(), atol=1e-10)
    assert np.allclose(grads["c0"], tc0.grad.numpy(), atol=1e-10)
