"""The LSTM's whole-sequence path (witness/lstm_sequence.py) against the per-step cells, the
gradient into the inputs, and the workspace that reuses its arrays."""

import weakref

import numpy as np
import pytest
from test_bptt import numeric_gradient, relative_error

from rnnquiz.description.network import Network
from rnnquiz.witness import build_model
from rnnquiz.witness.lstm_sequence import LstmTape, Workspace

LSTMS = [
    Network(3, 4, 2, cell="lstm", convention=conv, layers=layers, bidirectional=bidir,
            bias=bias, layout=layout)
    for conv, layout in (("textbook", "out-in"), ("textbook", "in-out"), ("pytorch", None),
                         ("keras", None))
    for layers, bidir, bias in ((1, False, True), (2, True, True), (1, False, False))
] + [Network(3, 4, None, cell="lstm", convention="keras", layers=2, bidirectional=True)]


def _run(model, xs, targets, h0, c0, fast):
    model.fast_lstm = fast
    ys, cache = model.forward_cache(xs, h0, c0)
    grads = model.backward(cache, ys - targets, input_grad=True)
    return ys, cache, grads


def _problem(net, dtype=np.float64, T=5, batch=3, seed=4):
    rng = np.random.default_rng(seed)
    ld = net.layers * net.directions
    xs = rng.standard_normal((T, batch, net.m)).astype(dtype)
    h0 = (0.5 * rng.standard_normal((ld, batch, net.n))).astype(dtype)
    c0 = (0.5 * rng.standard_normal((ld, batch, net.n))).astype(dtype)
    width = net.p if net.p is not None else net.directions * net.n
    targets = rng.standard_normal((T, batch, width)).astype(dtype)
    return xs, targets, h0, c0


@pytest.mark.parametrize("net", LSTMS, ids=repr)
def test_whole_sequence_path_equals_the_per_step_cells(net):
    """Outputs, every gradient, the per-step records and the multiply-adds of the fast path
    are those of cells.lstm_step / lstm_step_backward, in every convention and layout."""
    xs, targets, h0, c0 = _problem(net)
    fast_model = build_model(net, rng=np.random.default_rng(1))
    slow_model = build_model(net, rng=np.random.default_rng(1))
    ys_f, cache_f, g_f = _run(fast_model, xs, targets, h0, c0, True)
    ys_s, cache_s, g_s = _run(slow_model, xs, targets, h0, c0, False)
    assert all(isinstance(r[2], LstmTape) for r in cache_f["record"])
    assert not any(isinstance(r[2], LstmTape) for r in cache_s["record"])
    assert np.allclose(ys_f, ys_s, rtol=1e-12, atol=1e-13)
    assert set(g_f) == set(g_s)
    for name in g_s:
        assert g_f[name].shape == g_s[name].shape, name
        assert np.allclose(g_f[name], g_s[name], rtol=1e-11, atol=1e-13), name
    assert np.allclose(cache_f["dxs"], cache_s["dxs"], rtol=1e-11, atol=1e-13)
    for step_f, step_s in zip(cache_f["steps"], cache_s["steps"], strict=True):
        for key in ("dh", "dxp", "from_above"):
            assert step_f[key].shape == step_s[key].shape, key
            assert np.allclose(step_f[key], step_s[key], rtol=1e-11, atol=1e-13), key
    for (_, _, tape), (_, _, caches) in zip(cache_f["record"], cache_s["record"], strict=True):
        assert len(tape) == len(caches)
        for got, want in zip(tape, caches, strict=True):
            assert len(got) == len(want)
            for a, b in zip(got, want, strict=True):
                assert a.shape == b.shape and np.allclose(a, b, rtol=1e-12, atol=1e-13)
        assert [len(c) for c in tape[1:3]] == [8, 8] and tape[-1][0].shape == caches[-1][0].shape
    assert fast_model.macs() == slow_model.macs() > 0


@pytest.mark.parametrize("convention", ["textbook", "pytorch", "keras"])
def test_float32_gradients_agree_with_float64(convention):
    """sigmoid as 0.5 * tanh(z / 2) + 0.5 with the halving folded into the weights loses
    nothing measurable in float32: every gradient within 1e-4 (relative to its largest
    element) of the float64 one, the same as the per-step path in float32."""
    net = Network(8, 16, 3, cell="lstm", convention=convention, layers=2, bidirectional=True)
    xs, targets, h0, c0 = _problem(net, T=20, batch=4)
    reference = build_model(net, rng=np.random.default_rng(1))
    _, _, want = _run(reference, xs, targets, h0, c0, True)
    for fast in (True, False):
        model = build_model(net, rng=np.random.default_rng(1), dtype=np.float32)
        f32 = [a.astype(np.float32) for a in (xs, targets, h0, c0)]
        _, _, got = _run(model, *f32, fast)
        for name, g in want.items():
            assert got[name].dtype == np.float32, name
            scale = np.abs(g).max()
            assert np.abs(got[name] - g).max() <= 1e-4 * scale, (name, fast)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("fast", [True, False])
def test_gradient_into_the_inputs_matches_central_differences(cell, fast):
    net = Network(2, 3, 2, cell=cell, convention="pytorch", layers=2, bidirectional=True)
    model = build_model(net, rng=np.random.default_rng(5))
    model.fast_lstm = fast
    xs, targets, _, _ = _problem(net, T=3, batch=2)

    def loss():
        return 0.5 * float(np.sum((model.forward(xs) - targets) ** 2))

    ys, cache = model.forward_cache(xs)
    model.backward(cache, ys - targets, input_grad=True)
    assert relative_error(cache["dxs"], numeric_gradient(loss, xs)).max() < 1e-6
    ys, cache = model.forward_cache(xs)
    model.backward(cache, ys - targets)
    assert "dxs" not in cache  # not asked for: one matrix product saved


def test_results_held_by_the_caller_are_never_reused():
    """The workspace hands an array out again only when nothing holds it: outputs, tapes and
    per-step records of an earlier pass stay intact through later passes."""
    net = Network(3, 5, None, cell="lstm", convention="pytorch")
    model = build_model(net, rng=np.random.default_rng(2))
    rng = np.random.default_rng(3)
    xs1, xs2 = rng.standard_normal((2, 6, 2, 3))
    ys1 = model.forward(xs1)
    kept = ys1.copy()
    ys_a, cache_a = model.forward_cache(xs1)
    step = cache_a["record"][0][2][2]
    step_copy = [a.copy() for a in step]
    ys_b, cache_b = model.forward_cache(xs2)
    grads_b = model.backward(cache_b, np.ones_like(ys_b))
    grads_a = model.backward(cache_a, np.ones_like(ys_a))
    dh_a = cache_a["steps"][0]["dh"].copy()
    del ys_b, cache_b
    for _ in range(2):  # passes whose arrays are free again for the next one
        ys_c, cache_c = model.forward_cache(xs2)
        model.backward(cache_c, np.ones_like(ys_c))
        del ys_c, cache_c
    assert np.array_equal(ys1, kept)
    assert np.array_equal(ys_a, kept)
    assert all(np.array_equal(a, b) for a, b in zip(step, step_copy, strict=True))
    assert np.array_equal(cache_a["steps"][0]["dh"], dh_a)
    fresh = build_model(net, rng=np.random.default_rng(2))
    for xs, grads in ((xs1, grads_a), (xs2, grads_b)):
        ys, cache = fresh.forward_cache(xs)
        want = fresh.backward(cache, np.ones_like(ys))
        assert all(np.allclose(grads[k], want[k], rtol=1e-12, atol=1e-14) for k in want)


def test_workspace_reuses_only_free_arrays():
    ws = Workspace()
    a = ws.empty("a", (2, 3), np.float32)
    b = ws.empty("a", (2, 3), np.float32)
    assert b is not a  # a is held here
    view = b[0]
    del a, b
    c = ws.empty("a", (2, 3), np.float32)
    assert view.base is not c  # a view still held b
    del view
    free = weakref.ref(c)
    del c
    assert ws.empty("a", (2, 3), np.float32) is free()  # nothing holds it: reused
    assert ws.empty("a", (3, 2), np.float32).shape == (3, 2)
    assert ws.empty("a", (3, 2), np.float64).dtype == np.float64


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("T, batch", [(0, 2), (3, 0)])
def test_an_empty_sequence_or_batch_runs_on_both_paths(cell, T, batch):
    """No step or no sequence: empty outputs, zero gradients, no error, on either path."""
    net = Network(2, 3, 2, cell=cell, layers=2, bidirectional=True)
    for fast in (True, False):
        model = build_model(net, rng=np.random.default_rng(0))
        model.fast_lstm = fast
        ys, cache = model.forward_cache(np.ones((T, batch, 2)))
        assert ys.shape == (T, batch, 2)
        grads = model.backward(cache, np.ones_like(ys), input_grad=True)
        assert cache["dxs"].shape == (T, batch, 2)
        assert grads["h0"].shape == (4, batch, 3)
        assert all(not np.any(g) for g in grads.values()), fast


WHOLE_MODELS = [
    "Input(shape=(6, 3)) > LSTM(5, return_sequences=True) > LSTM(4, return_state=True)",
    "Input(shape=(6, 3)) > SimpleRNN(5, return_sequences=True) > SimpleRNN(4, "
    "activation='relu', use_bias=False) > Dense(2)",
    "Input(shape=(6, 3)) > Bidirectional(SimpleRNN(4, return_sequences=True)) > "
    "SimpleRNN(3, go_backwards=True, return_state=True)",
    "nn.RNN(3, 5, num_layers=2, bidirectional=True, nonlinearity='relu') > nn.Linear(10, 2)",
    "nn.RNNCell(3, 4, bias=False)",
    "Input(shape=(6, 3)) > Bidirectional(LSTM(4, return_sequences=True), merge_mode='sum') "
    "> LSTM(3, use_bias=False, go_backwards=True)",
    "Input(shape=(6, 3)) > LSTM(4, activation='relu') > Dense(2)",
    "nn.Embedding(9, 3) > nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)",
    "nn.LSTM(3, 5, bias=False) > nn.Linear(5, 2)",
    "nn.LSTM(3, 5, proj_size=2)",
    "nn.LSTMCell(3, 4)",
]


@pytest.mark.parametrize("line", WHOLE_MODELS)
def test_whole_model_recurrent_layers_run_as_the_per_step_cells_do(line, monkeypatch):
    """A whole model's LSTM or vanilla RNN layer (Keras or PyTorch) runs each direction through
    a whole-sequence path when nothing calls for the per-step cells (a mask, a projection, an
    LSTM's other activations): every layer's outputs are those of the per-step path."""
    whole_model_paths_agree(line, monkeypatch, "FAST_LSTM", "FAST_RNN")


def whole_model_paths_agree(line, monkeypatch, *flags):
    """The whole model ``line`` built as it is and with ``flags`` of
    rnnquiz.witness.layers.recurrent off (the per-step cells): every layer's outputs agree."""
    from rnnquiz.witness.layers import recurrent
    from rnnquiz.witness.models import build_model as build_whole

    fast = build_whole(line, T=6, batch=3, rng=np.random.default_rng(2))
    for flag in flags:
        monkeypatch.setattr(recurrent, flag, False)
    slow = build_whole(line, T=6, batch=3, rng=np.random.default_rng(2))
    for a, b in zip(fast.layers, slow.layers, strict=True):
        assert len(a.outputs) == len(b.outputs)
        for x, y in zip(a.outputs, b.outputs, strict=True):
            assert x.shape == y.shape
            assert np.allclose(x, y, rtol=1e-12, atol=1e-13), a.name


@pytest.mark.parametrize("module, line, expected", [
    ("lstm_sequence", "nn.Embedding(9, 3) > nn.LSTM(3, 4, num_layers=2, bidirectional=True, "
                      "batch_first=True)", 4),  # two layers, two directions
    ("lstm_sequence", "Input(shape=(6, 3)) > Masking() > LSTM(4)", 0),
    ("rnn_sequence", "nn.RNN(3, 5, num_layers=2, bidirectional=True) > nn.Linear(10, 2)", 4),
    ("rnn_sequence", "Input(shape=(6, 3)) > Masking() > SimpleRNN(4)", 0),
])
def test_whole_model_layers_take_the_whole_sequence_path(module, line, expected, monkeypatch):
    """Unless a mask asks for the per-step path (states carried over masked steps)."""
    import importlib

    from rnnquiz.witness.models import build_model as build_whole

    sequence = importlib.import_module(f"rnnquiz.witness.{module}")
    calls = []
    real = sequence.forward
    monkeypatch.setattr(sequence, "forward", lambda *a: calls.append(1) or real(*a))
    build_whole(line, T=6, batch=3)
    assert len(calls) == expected


RNNS = [
    Network(3, 4, 2, convention=conv, layers=layers, bidirectional=bidir, bias=bias,
            layout=layout)
    for conv, layout in (("textbook", "out-in"), ("textbook", "in-out"), ("pytorch", None),
                         ("keras", None))
    for layers, bidir, bias in ((1, False, True), (2, True, True), (1, False, False))
]


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "identity"])
@pytest.mark.parametrize("net", RNNS, ids=repr)
def test_vanilla_rnn_forward_over_whole_arrays_equals_the_per_step_cells(net, activation):
    """A vanilla RNN run forward only (the drill's time checks, --verify) takes whole-sequence
    arrays: the outputs and the multiply-adds counted are those of cells.rnn_step."""
    whole_sequence_path_agrees(net, "fast_rnn", activation=activation)


def whole_sequence_path_agrees(net, flag, **build):
    """Model.forward and Model.hidden (with initial states) with the whole-sequence path
    (``flag`` on: fast_rnn, fast_gru...) and with the per-step cells give the same outputs and
    count the same multiply-adds."""
    rng = np.random.default_rng(7)
    xs = rng.standard_normal((6, 3, net.m))
    h0 = 0.5 * rng.standard_normal((net.layers * net.directions, 3, net.n))
    outs = {}
    for fast in (True, False):
        model = build_model(net, rng=np.random.default_rng(1), **build)
        setattr(model, flag, fast)
        outs[fast] = (model.forward(xs), model.hidden(xs, h0=h0), model.macs())
    assert np.allclose(outs[True][0], outs[False][0], rtol=1e-12, atol=1e-14)
    assert np.allclose(outs[True][1], outs[False][1], rtol=1e-12, atol=1e-14)
    assert outs[True][2] == outs[False][2] > 0


def test_vanilla_rnn_forward_takes_the_whole_sequence_path(monkeypatch):
    from rnnquiz.witness import model as witness_model

    calls = []
    real = witness_model.rnn_sequence.forward
    monkeypatch.setattr(witness_model.rnn_sequence, "forward",
                        lambda *a: calls.append(1) or real(*a))
    model = build_model(Network(3, 4, 2, layers=2, bidirectional=True),
                        rng=np.random.default_rng(1))
    xs = np.ones((5, 2, 3))
    model.forward(xs)
    assert len(calls) == 4
    calls.clear()
    ys, cache = model.forward_cache(xs)  # BPTT keeps each step's cache: the per-step path
    model.backward(cache, np.ones_like(ys))
    assert calls == []
