"""The GRU's whole-sequence forward (witness/gru_sequence.py) against the per-step cells
(cells.gru_step), in every convention and form: PyTorch, Keras with reset_after True and
False, textbook (reset before) in both layouts; single networks and whole models."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_lstm_sequence import whole_model_paths_agree, whole_sequence_path_agrees

from rnnquiz.description.network import Network
from rnnquiz.witness import build_model, gru_sequence
from rnnquiz.witness.cells import gru_step, sigmoid
from rnnquiz.witness.params import KerasLayer, PyTorchLayer, TextbookLayer

GRUS = [
    Network(3, 4, 2, cell="gru", convention=conv, layers=layers, bidirectional=bidir,
            bias=bias, layout=layout, reset_after=reset_after)
    for conv, layout, reset_after in (("textbook", "out-in", True), ("textbook", "in-out", True),
                                      ("pytorch", None, True), ("keras", None, True),
                                      ("keras", None, False))
    for layers, bidir, bias in ((1, False, True), (2, True, True), (1, False, False))
] + [Network(5, 1, None, cell="gru", convention="pytorch"),  # n = 1: (3, 1) weights
     Network(2, 6, None, cell="gru", convention="keras", layers=3, bidirectional=True)]


def _per_step(params, xs, h0, reset_after, activation=np.tanh, recurrent_activation=sigmoid):
    """The reference: one cells.gru_step a step, written out here."""
    T, B, ins = xs.shape
    xp = params.input_proj(xs.reshape(T * B, ins)).reshape(T, B, 3 * h0.shape[-1])
    h = h0
    hs = []
    for t in range(T):
        h, _ = gru_step(xp[t], h, params, reset_after, activation, recurrent_activation)
        hs.append(h)
    return np.stack(hs) if hs else np.empty((0, B, h0.shape[-1]))


@pytest.mark.parametrize("net", GRUS, ids=repr)
def test_network_forward_equals_the_per_step_cells(net):
    """Model.forward and Model.hidden (with initial states) give the per-step outputs and
    count the same multiply-adds, in every convention, layout and reset form."""
    whole_sequence_path_agrees(net, "fast_gru")


def test_network_forward_takes_the_whole_sequence_path_and_bptt_the_cells(monkeypatch):
    from rnnquiz.witness import model as witness_model

    calls = []
    real = witness_model.gru_sequence.forward
    monkeypatch.setattr(witness_model.gru_sequence, "forward",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    model = build_model(Network(3, 4, 2, cell="gru", layers=2, bidirectional=True),
                        rng=np.random.default_rng(1))
    xs = np.ones((5, 2, 3))
    model.forward(xs)
    assert len(calls) == 4
    calls.clear()
    ys, cache = model.forward_cache(xs)  # BPTT keeps each step's cache: the per-step path
    model.backward(cache, np.ones_like(ys))
    assert calls == []


def _layer(convention, ins, n, bias, reset_after, layout, rng, dtype):
    def make(shape):
        return rng.uniform(-0.8, 0.8, size=shape).astype(dtype)
    if convention == "pytorch":
        return PyTorchLayer("gru", ins, n, bias=bias, suffix="", make=make)
    if convention == "keras":
        return KerasLayer("gru", ins, n, bias=bias, prefix="gru", make=make,
                          reset_after=reset_after)
    return TextbookLayer("gru", ins, n, bias=bias, layout=layout, suffix="", make=make)


@settings(max_examples=60, deadline=None)
@given(convention=st.sampled_from(["pytorch", "keras", "textbook"]),
       layout=st.sampled_from(["out-in", "in-out"]),
       reset_after=st.booleans(), bias=st.booleans(),
       T=st.integers(0, 7), B=st.integers(0, 4), ins=st.integers(1, 6), n=st.integers(1, 9),
       dtype=st.sampled_from([np.float64, np.float32]), seed=st.integers(0, 2**32 - 1))
def test_any_gru_layer_runs_as_the_per_step_cells(convention, layout, reset_after, bias, T, B,
                                                   ins, n, dtype, seed):
    """Any sizes (an empty sequence or batch too), either dtype, from zero or given states:
    the same states as cells.gru_step, the same multiply-adds, the parameters untouched."""
    rng = np.random.default_rng(seed)
    if convention == "pytorch":
        reset_after = True  # PyTorch has only this form
    if convention == "textbook":
        reset_after = False  # Cho et al.: reset before the recurrent product
    fast, slow = (_layer(convention, ins, n, bias, reset_after, layout,
                         np.random.default_rng(seed), dtype) for _ in range(2))
    before = [a.copy() for _, a in fast.named()]
    xs = rng.standard_normal((T, B, ins)).astype(dtype)
    h0 = (0.5 * rng.standard_normal((B, n))).astype(dtype)
    for start in (None, h0):
        got = gru_sequence.forward(fast, xs, start, reset_after=reset_after)
        want = _per_step(slow, xs, np.zeros((B, n), dtype) if start is None else start,
                         reset_after)
        assert got.shape == (T, B, n) and got.dtype == dtype
        tol = (1e-12, 1e-13) if dtype == np.float64 else (2e-5, 2e-6)
        assert np.allclose(got, want, rtol=tol[0], atol=tol[1])
    assert fast.macs == slow.macs
    assert all(np.array_equal(a, b) for (_, a), b in zip(fast.named(), before, strict=True))


@pytest.mark.parametrize("activation, gate", [("relu", "sigmoid"), ("tanh", "hard_sigmoid"),
                                              ("linear", "tanh")])
def test_other_activations_run_as_the_per_step_cells(activation, gate, monkeypatch):
    """Keras lets both activations be set: the whole-sequence path applies them as given."""
    from rnnquiz.witness.layers import recurrent
    from rnnquiz.witness.models import build_model as build_whole

    for reset_after in (True, False):
        line = (f"Input(shape=(6, 3)) > GRU(4, activation='{activation}', "
                f"recurrent_activation='{gate}', reset_after={reset_after}, "
                "return_sequences=True)")
        fast = build_whole(line, T=6, batch=3, rng=np.random.default_rng(2))
        monkeypatch.setattr(recurrent, "FAST_GRU", False)
        slow = build_whole(line, T=6, batch=3, rng=np.random.default_rng(2))
        monkeypatch.setattr(recurrent, "FAST_GRU", True)
        assert np.allclose(fast.layers[-1].outputs[0], slow.layers[-1].outputs[0],
                           rtol=1e-12, atol=1e-13)


WHOLE_MODELS = [
    "Input(shape=(6, 3)) > GRU(5, return_sequences=True) > GRU(4, return_state=True)",
    "Input(shape=(6, 3)) > GRU(5, reset_after=False, return_sequences=True) > "
    "GRU(4, use_bias=False, go_backwards=True) > Dense(2)",
    "Input(shape=(6, 3)) > Bidirectional(GRU(4, return_sequences=True)) > "
    "Bidirectional(GRU(3, reset_after=False, return_state=True), merge_mode=None)",
    "Input(shape=(6, 3)) > Bidirectional(GRU(4, use_bias=False), merge_mode='ave')",
    "nn.GRU(3, 5, num_layers=2, bidirectional=True) > nn.Linear(10, 2)",
    "nn.Embedding(9, 3) > nn.GRU(3, 4, num_layers=3, bidirectional=True, batch_first=True, "
    "bias=False)",
    "nn.GRUCell(3, 4)",
    "nn.GRUCell(3, 4, bias=False)",
]


@pytest.mark.parametrize("line", WHOLE_MODELS)
def test_whole_model_gru_layers_run_as_the_per_step_cells(line, monkeypatch):
    """Every layer's outputs (sequences, final states) are those of the per-step path."""
    whole_model_paths_agree(line, monkeypatch, "FAST_GRU")


@pytest.mark.parametrize("line, expected", [
    ("nn.GRU(3, 5, num_layers=2, bidirectional=True) > nn.Linear(10, 2)", 4),
    ("Input(shape=(6, 3)) > Bidirectional(GRU(4, reset_after=False))", 2),
    ("nn.GRUCell(3, 4)", 1),
    ("Input(shape=(6, 3)) > Masking() > GRU(4)", 0),  # a mask: the per-step path
    ("Input(shape=(6,), dtype='int32') > Embedding(9, 3, mask_zero=True) > GRU(4)", 0),
])
def test_whole_model_gru_layers_take_the_whole_sequence_path(line, expected, monkeypatch):
    from rnnquiz.witness.models import build_model as build_whole

    calls = []
    real = gru_sequence.forward
    monkeypatch.setattr(gru_sequence, "forward",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    build_whole(line, T=6, batch=3)
    assert len(calls) == expected
