"""The NumPy witness: built from the equations, it must agree with the engine everywhere."""

import math
import tracemalloc

import numpy as np
import pytest
from conftest import networks
from hypothesis import given, settings

import rnnquiz.verification as verify_module
from rnnquiz.calculator.rules import Tensor, count
from rnnquiz.description.network import Network
from rnnquiz.verification import verify
from rnnquiz.witness import Model, build_model


@settings(max_examples=150, deadline=None)
@given(networks(max_size=40))
def test_engine_and_model_agree_tensor_by_tensor(net):
    model = build_model(net, allocate=False)
    engine = count(net)
    assert [(name, a.shape) for name, a in model.named_parameters()] == [
        (t.name, t.shape) for t in engine.tensors]
    assert sum(a.size for a in model.parameters()) == engine.total


@settings(max_examples=40, deadline=None)
@given(networks(max_size=6))
def test_verify_passes_and_the_forward_pass_runs(net):
    v = verify(net)
    assert v.ok, v.differences
    assert v.forward_ran
    width = net.p if net.p is not None else net.directions * (net.proj_size or net.n)
    assert v.forward_output == (net.T or 3, 2, width)


DEAD_CASES = [
    Network(2, 3, 2, T=3, cell=cell, convention=conv, layers=layers, bidirectional=bidir,
            reset_after=ra)
    for conv in ("textbook", "pytorch", "keras")
    for cell in ("rnn", "lstm", "gru")
    for layers, bidir in ((1, False), (2, True))
    for ra in ((True, False) if (conv, cell) == ("keras", "gru") else (True,))
] + [Network(2, 3, 2, T=3, cell="lstm", convention="pytorch", proj_size=2, layers=2,
             bidirectional=True),
     Network(2, 3, 2, T=3, layout="in-out", cell="gru")]


@pytest.mark.parametrize("net", DEAD_CASES, ids=repr)
def test_every_parameter_changes_the_output(net):
    rng = np.random.default_rng(1)
    model = build_model(net, rng=rng)
    xs = rng.standard_normal((3, 2, net.m))
    base = model.forward(xs)
    for name, array in model.named_parameters():
        flat = array.reshape(-1)
        for k in range(flat.size):
            old = flat[k]
            flat[k] = old + 0.5
            changed = np.max(np.abs(model.forward(xs) - base))
            flat[k] = old
            assert changed > 1e-9, f"{name}[{k}] does not influence the output"


def test_hand_computable_3_1_1_sigmoid_network():
    """CONVENTIONS.md's worked example: m=3, n=1, p=1, sigmoid, T=2, h_0 = 0, no bias."""
    model = Model(3, 1, 1, bias=False, activation="sigmoid", output_activation="sigmoid")
    w_xh, w_hh, w_hy = [0.5, -0.3, 0.8], 0.4, 1.2
    model.load({"W_xh": [w_xh], "W_hh": [[w_hh]], "W_hy": [[w_hy]]})
    x1, x2 = [1.0, 0.0, 1.0], [0.0, 1.0, 1.0]

    def sig(z):
        return 1 / (1 + math.exp(-z))

    h1 = sig(sum(w * x for w, x in zip(w_xh, x1, strict=True)) + w_hh * 0.0)
    h2 = sig(sum(w * x for w, x in zip(w_xh, x2, strict=True)) + w_hh * h1)
    y1, y2 = sig(w_hy * h1), sig(w_hy * h2)
    assert round(h1, 4) == 0.7858  # sig(1.3), by hand
    assert round(h2, 4) == 0.6930  # sig(0.5 + 0.4 * 0.7858) = sig(0.8143)
    ys = model.forward(np.array([[x1], [x2]]))
    assert ys.shape == (2, 1, 1)
    assert ys[0, 0, 0] == pytest.approx(y1, abs=1e-15)
    assert ys[1, 0, 0] == pytest.approx(y2, abs=1e-15)
    assert model.hidden(np.array([[x1], [x2]]))[:, 0, 0] == pytest.approx([h1, h2], abs=1e-15)


def test_the_exam_example_in_numpy():
    model = build_model(Network(10, 20, 5))
    assert {name: a.shape for name, a in model.named_parameters()} == {
        "W_xh": (20, 10), "W_hh": (20, 20), "b_h": (20,), "W_hy": (5, 20), "b_y": (5,)}
    assert sum(a.size for a in model.parameters()) == 725
    assert build_model(Network(10, 20, 5, bias=False)).count() == 700


def test_huge_network_is_verified_without_allocating_the_weights():
    net = Network(100_000, 100_000, 100_000)
    tracemalloc.start()
    try:
        v = verify(net)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert v.ok and not v.forward_ran
    assert v.with_bias == 3 * 10**10 + 2 * 10**5
    assert peak < 200 * 2**20


def test_verification_reports_a_disagreement(monkeypatch):
    real = verify_module.count

    def wrong(net):
        result = real(net)
        t = result.tensors[0]
        result.tensors[0] = Tensor(t.name, t.shape[::-1], t.role, t.reason)
        return result

    monkeypatch.setattr(verify_module, "count", wrong)
    v = verify(Network(10, 20, 5))
    assert not v.ok
    assert v.differences == ["W_xh: engine says (10, 20), NumPy model has (20, 10)"]
    with pytest.raises(Exception, match="verification failed: W_xh"):
        v.raise_for_differences()


def test_forward_rejects_the_wrong_input_width():
    with pytest.raises(ValueError, match="m=10"):
        build_model(Network(10, 20, 5)).forward(np.zeros((3, 2, 7)))
