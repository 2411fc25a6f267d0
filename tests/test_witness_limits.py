"""A whole-model witness built under limits (models.Limits, TooLarge), and verify_model, which
builds the real model at once and falls back to placeholders only past a limit: its outcome is
the one of building placeholders first and the real model after (the order it replaced)."""

import numpy as np
import pytest

import rnnquiz.verification as verification
from rnnquiz.witness.layers import Maker, TooLarge
from rnnquiz.witness.models import Limits, build_model

LINES = [
    "Input(shape=(6, 3)) > LSTM(5, return_sequences=True) > GRU(4) > Dense(2)",
    "Embedding(400, 8) > Bidirectional(GRU(6, return_sequences=True)) > "
    "TimeDistributed(Dense(300))",
    "Input(shape=(5, 4)) > TimeDistributed(Dense(600)) > SimpleRNN(3)",
    "nn.Embedding(300, 6) > nn.LSTM(6, 8, num_layers=2, bidirectional=True) > "
    "nn.Linear(16, 3)",
    "nn.BatchNorm1d(900, affine=False) > nn.Tanh()",  # 1,800 values of buffers, no parameters
    "nn.Linear(7, 5, bias=False) > nn.BatchNorm1d(5) > nn.GRUCell(5, 4)",
    "Input(shape=(40, 2)) > Conv1D(4, 3) > MaxPooling1D(2) > LSTM(3)",
]


def _placeholders_first(spec, T, batch, seed=0):
    """verify_model as it was: placeholders first, then the real model when within limits."""
    from rnnquiz.calculator.model import count_model
    from rnnquiz.description.model import parse_model
    from rnnquiz.errors import ModelError

    spec = parse_model(spec)
    engine = count_model(spec, T=T, batch=batch)
    try:
        shapes = build_model(spec, T=T, batch=batch, allocate=False)
        with_bias, without_bias = verification.bias_counts(spec, T=T, batch=batch, built=shapes)
    except ModelError as e:
        return {"error": str(e)}
    result = verification.compare_model(engine, shapes, with_bias=with_bias,
                                        without_bias=without_bias)
    work = sum(layer.count() for layer in shapes.layers if layer.type != "Embedding") * T * batch
    if (shapes.count() <= verification.MODEL_FORWARD_LIMIT
            and work <= verification.MODEL_WORK_LIMIT
            and max(shapes.input_shape) <= verification.MODEL_STEPS_LIMIT
            and verification._largest_output(engine, batch)
            <= verification.MODEL_ACTIVATION_LIMIT):
        model = build_model(spec, T=T, batch=batch, rng=np.random.default_rng(seed))
        y = model.layers[-1].outputs[0]
        result.forward_input, result.forward_output = model.input_shape, y.shape
        if not np.all(np.isfinite(y)):
            result.differences.append("forward pass: the output is not finite")
    return result.as_dict()


LIMITS = [  # (parameters, work, steps, activations): the defaults, then each one tight
    (None, None, None, None), (2_000, None, None, None), (700, None, None, None),
    (500, None, None, None),
    (None, 5_000, None, None), (None, None, 5, None), (None, None, None, 400),
    (1, 1, 1, 1),
]


@pytest.mark.parametrize("limits", LIMITS, ids=str)
@pytest.mark.parametrize("line", LINES)
def test_verify_model_has_the_outcome_of_placeholders_first(line, limits, monkeypatch):
    """The same as_dict (differences, counts, whether and on what the forward pass ran) for
    every model, with each limit tight enough to stop some of them, where a model of
    buffers alone (BatchNorm1d without affine) passes the Maker's bound and not the limits."""
    names = ("MODEL_FORWARD_LIMIT", "MODEL_WORK_LIMIT", "MODEL_STEPS_LIMIT",
             "MODEL_ACTIVATION_LIMIT")
    for name, value in zip(names, limits, strict=True):
        if value is not None:
            monkeypatch.setattr(verification, name, value)
    want = _placeholders_first(line, 4, 3)
    got = verification.verify_model(line, T=4, batch=3).as_dict()
    assert got == want


def test_the_limits_are_exercised():
    """Under the tight limits above, some forward passes run and some do not."""
    ran = {(line, limit): None for line in LINES for limit in (700, 5_000_000)}
    for line, limit in ran:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(verification, "MODEL_FORWARD_LIMIT", limit)
            ran[line, limit] = verification.verify_model(line, T=4, batch=3).forward_ran
    assert all(ran[line, 5_000_000] for line in LINES)
    assert {ran[line, 700] for line in LINES} == {True, False}
    # No parameters, 1,800 values of buffers: past the Maker's bound (500), within the limit
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(verification, "MODEL_FORWARD_LIMIT", 500)
        with pytest.raises(TooLarge):
            build_model(LINES[4], T=4, batch=3, limits=Limits(500, 10**9, 10**4))
        assert verification.verify_model(LINES[4], T=4, batch=3).forward_ran


def test_a_model_past_the_parameter_limit_allocates_nothing_past_it():
    """An Embedding table of 6.4 M values under a limit of 1,000 parameters: TooLarge before
    the table is made (the Maker's bound, the limit itself, is never passed)."""
    made = []
    real = Maker.__call__

    def spy(self, shape, *a, **k):
        out = real(self, shape, *a, **k)
        made.append(out.size)
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Maker, "__call__", spy)
        with pytest.raises(TooLarge):
            build_model("nn.Linear(4, 10) > nn.Embedding(100_000, 64)", T=3, batch=2,
                        limits=Limits(1_000, 10**9, 100))
    assert sum(made) <= 1_000


@pytest.mark.parametrize("limits", [Limits(10**6, 30_000, 100), Limits(5_000, 10**9, 100)])
def test_a_layer_past_the_limits_never_runs(limits, monkeypatch):
    """The work (parameters × T × batch) or the count is checked once a layer has its
    tensors, before it runs: the LSTM past the limits is built and stopped, never run."""
    from rnnquiz.witness import lstm_sequence

    runs = []
    real = lstm_sequence.forward
    monkeypatch.setattr(lstm_sequence, "forward", lambda *a: runs.append(1) or real(*a))
    line = "Input(shape=(50, 8)) > LSTM(20, return_sequences=True) > LSTM(30)"
    with pytest.raises(TooLarge):
        build_model(line, T=3, batch=4, limits=limits)
    assert len(runs) == 1  # the first LSTM ran: 2,320 parameters, × T 3 × batch 4 = 27,840
    model = build_model(line, T=3, batch=4)
    assert not limits.fits(model) and len(runs) == 3


def test_an_input_past_the_step_limit_stops_before_anything_is_made(monkeypatch):
    made = []
    monkeypatch.setattr(Maker, "__call__", lambda self, *a, **k: made.append(1))
    with pytest.raises(TooLarge):
        build_model("Input(shape=(300, 8)) > LSTM(4)", limits=Limits(10**6, 10**9, 299))
    assert made == []


def test_limits_fit_a_model_within_them():
    # 180 + 12 parameters; the work counts the T asked for (3), not the input's 6 steps
    model = build_model("Input(shape=(6, 3)) > LSTM(5) > Dense(2)", T=3, batch=2,
                        limits=Limits(192, 192 * 3 * 2, 6))
    assert model.count() == 192 and model.limits.fits(model)
    assert not Limits(191, 10**9, 6).fits(model)
    assert not Limits(192, 10**9, 5).fits(model)
    assert not Limits(192, 192 * 3 * 2 - 1, 6).fits(model)
