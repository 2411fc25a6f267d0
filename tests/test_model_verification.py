"""verify_model / compare_model: the engine's whole-model figures against the witness, every
difference named. The engine's result is a hand-written stand-in (the calculator's
count_model lands on another branch): its figures are computed by hand here."""

import sys
import types

import pytest

from rnnquiz.errors import VerificationError
from rnnquiz.verification import bias_counts, compare_model, verify_model
from rnnquiz.witness.models import build_model


def T_(name, shape, trainable=True):
    return types.SimpleNamespace(name=name, shape=shape, parameters=_prod(shape),
                                 role="", reason="", trainable=trainable)


def _prod(shape):
    out = 1
    for s in shape:
        out *= s
    return out


def L_(name, output_shape, tensors, h_n=None, c_n=None, type_=""):
    total = sum(t.parameters for t in tensors)
    trainable = sum(t.parameters for t in tensors if t.trainable)
    return types.SimpleNamespace(name=name, type=type_, output_shape=output_shape,
                                 h_n_shape=h_n, c_n_shape=c_n, parameters=total,
                                 trainable=trainable, non_trainable=total - trainable,
                                 formula="", tensors=tensors)


def M_(framework, layers, without_bias):
    total = sum(layer.parameters for layer in layers)
    trainable = sum(layer.trainable for layer in layers)
    return types.SimpleNamespace(framework=framework, layers=layers, total=total,
                                 trainable=trainable, non_trainable=total - trainable,
                                 with_bias=total, without_bias=without_bias)


KERAS_LINE = "Embedding(5000, 32, input_length=100) > LSTM(100) > Dense(1, activation='sigmoid')"


def keras_engine():
    """By hand: 5000·32 = 160,000; 4(100·32 + 100·100 + 100) = 53,200; 100 + 1 = 101."""
    return M_("keras", [
        L_("embedding", (None, 100, 32), [T_("embeddings", (5000, 32))]),
        L_("lstm", (None, 100), [T_("kernel", (32, 400)), T_("recurrent_kernel", (100, 400)),
                                 T_("bias", (400,))]),
        L_("dense", (None, 1), [T_("kernel", (100, 1)), T_("bias", (1,))]),
    ], without_bias=213_301 - 400 - 1)


TORCH_LINE = ("nn.Embedding(10000, 300) > nn.LSTM(300, 128, num_layers=2, bidirectional=True, "
              "batch_first=True) > nn.Linear(256, 5)")


def torch_engine(B=2, T=3):
    lstm = []
    for k in range(2):
        for sfx in ("", "_reverse"):
            lstm += [T_(f"weight_ih_l{k}{sfx}", (512, 300 if k == 0 else 256)),
                     T_(f"weight_hh_l{k}{sfx}", (512, 128)), T_(f"bias_ih_l{k}{sfx}", (512,)),
                     T_(f"bias_hh_l{k}{sfx}", (512,))]
    return M_("pytorch", [
        L_("0", (B, T, 300), [T_("weight", (10000, 300))]),
        L_("1", (B, T, 256), lstm, h_n=(4, B, 128), c_n=(4, B, 128)),
        L_("2", (B, T, 5), [T_("weight", (5, 256)), T_("bias", (5,))]),
    ], without_bias=3_836_869 - 8 * 1024 - 5)


def test_hand_counted_engines_agree_with_the_witness():
    result = compare_model(keras_engine(), build_model(KERAS_LINE, allocate=False),
                           with_bias=213_301, without_bias=212_900)
    assert result.ok, result.differences
    assert (result.layers_checked, result.tensors_checked) == (3, 6)
    result = compare_model(torch_engine(), build_model(TORCH_LINE, allocate=False))
    assert result.ok, result.differences
    assert result.total["total"] == 3_836_869


def _mutated(change):
    engine = keras_engine()
    change(engine)
    return compare_model(engine, build_model(KERAS_LINE, allocate=False),
                         with_bias=213_301, without_bias=212_900).differences


@pytest.mark.parametrize("change, message", [
    (lambda e: setattr(e.layers[1].tensors[0], "shape", (100, 400)),
     "layer 1 (lstm): tensor kernel: engine says (100, 400), the witness has (32, 400)"),
    (lambda e: e.layers[2].tensors.pop(),
     "layer 2 (dense): tensor bias (1,): the witness has it, the engine omits it"),
    (lambda e: e.layers[0].tensors.append(T_("bias", (32,))),
     "layer 0 (embedding): tensor bias (32,): stated by the engine, absent from the witness"),
    (lambda e: e.layers[1].tensors.reverse(),
     "layer 1 (lstm): the tensors are the same but listed in a different order"),
    (lambda e: setattr(e.layers[0].tensors[0], "trainable", False),
     "layer 0 (embedding): tensor embeddings: engine says trainable=False, the witness True"),
    (lambda e: setattr(e.layers[1], "parameters", 53_100),
     "layer 1 (lstm): parameters: engine says 53100, the witness has 53200"),
    (lambda e: setattr(e.layers[1], "output_shape", (None, 100, 100)),
     "layer 1 (lstm): output shape: engine says (None, 100, 100), the witness (None, 100)"),
    (lambda e: setattr(e.layers[2], "name", "dense_1"),
     "layer 2 (dense): engine names it 'dense_1', the witness 'dense'"),
    (lambda e: setattr(e, "total", 213_300),
     "total: engine says 213300, the witness has 213301"),
    (lambda e: setattr(e, "without_bias", 213_301),
     "without bias: engine says 213301, the witness has 212900"),
    (lambda e: e.layers.pop(), "layers: engine lists 2, the witness built 3"),
])
def test_every_difference_is_named(change, message):
    assert message in _mutated(change)


@pytest.mark.parametrize("line, with_bias, without_bias", [
    # every bias switch on, then every offset tensor (bias, beta, bias_ih...) left out
    (KERAS_LINE, 213_301, 213_301 - 400 - 1),
    ("Input(shape=(3, 4)) > LSTM(2, use_bias=False) > Dense(1, use_bias=False)",
     4 * (2 * 4 + 2 * 2 + 2) + 3, 4 * (2 * 4 + 2 * 2) + 2),
    ("Input(shape=(3, 4)) > GRU(2) > BatchNormalization(center=False)",
     3 * (2 * 4 + 2 * 2 + 2 * 2) + 4 * 2, 3 * (2 * 4 + 2 * 2) + 3 * 2),
    ("Input(shape=(3, 4)) > LayerNormalization(scale=False)", 4, 0),
    ("nn.Linear(5, 3, bias=False) > nn.BatchNorm1d(3) > nn.LayerNorm(3, bias=False)",
     18 + 6 + 6, 15 + 3 + 3),
    ("nn.LayerNorm(3, elementwise_affine=False)", 0, 0),
    ("nn.GRU(4, 3, bidirectional=True, bias=False)", 2 * 3 * (3 * 4 + 3 * 3 + 2 * 3),
     2 * 3 * (3 * 4 + 3 * 3)),
])
def test_bias_counts(line, with_bias, without_bias):
    from rnnquiz.description.model import parse_model

    assert bias_counts(parse_model(line)) == (with_bias, without_bias)


def test_pytorch_h_n_and_c_n_are_compared():
    engine = torch_engine()
    engine.layers[1].h_n_shape = (2, 2, 128)  # the classic slip: D·L forgotten
    engine.layers[1].c_n_shape = None
    result = compare_model(engine, build_model(TORCH_LINE, allocate=False))
    assert result.differences == [
        "layer 1 (1): h_n shape: engine says (2, 2, 128), the witness (4, 2, 128)",
        "layer 1 (1): c_n shape: engine says None, the witness (4, 2, 128)"]
    with pytest.raises(VerificationError, match="h_n shape"):
        result.raise_for_differences()


@pytest.fixture
def engine_module(monkeypatch):
    """A stand-in ``rnnquiz.calculator.model`` whose count_model returns ``answers[line]``."""
    module = types.ModuleType("rnnquiz.calculator.model")
    module.answers = {}
    module.calls = []

    def count_model(spec, *, T=None, batch=None):
        module.calls.append((T, batch))
        return module.answers[spec.text]

    module.count_model = count_model
    monkeypatch.setitem(sys.modules, "rnnquiz.calculator.model", module)
    return module


def test_verify_model_runs_the_witness_forward_at_the_engines_T_and_batch(engine_module):
    engine_module.answers[KERAS_LINE] = keras_engine()
    result = verify_model(KERAS_LINE, T=7, batch=4)
    assert result.ok, result.differences
    assert engine_module.calls == [(7, 4)]
    assert result.forward_ran and result.forward_input == (4, 100)
    assert result.as_dict()["forward"] == {"input_shape": [4, 100], "output_shape": [4, 1]}


def test_verify_model_skips_the_forward_pass_of_a_large_model(engine_module):
    line = "Embedding(2000000, 3000) > LSTM(4000) > Dense(1000)"
    engine_module.answers[line] = M_("keras", [
        L_("embedding", (None, 3, 3000), [T_("embeddings", (2_000_000, 3000))]),
        L_("lstm", (None, 4000), [T_("kernel", (3000, 16000)),
                                  T_("recurrent_kernel", (4000, 16000)), T_("bias", (16000,))]),
        L_("dense", (None, 1000), [T_("kernel", (4000, 1000)), T_("bias", (1000,))]),
    ], without_bias=None)
    result = verify_model(line)
    assert result.ok, result.differences
    assert not result.forward_ran and result.total["without_bias"] == \
        result.total["total"] - 16000 - 1000


def test_a_model_the_witness_cannot_build_is_a_difference(engine_module):
    line = "nn.LSTM(10, 128, bidirectional=True) > nn.Linear(128, 5)"
    engine_module.answers[line] = M_("pytorch", [], without_bias=None)
    result = verify_model(line)
    assert result.differences == [
        "the engine counts this model, the witness cannot build it: nn.Linear(128, 5): "
        "receives 256 features, but in_features is 128"]


# --- with the real engine (rnnquiz.calculator.model, from the i10calc branch) ---------------

def _engine():
    try:
        import rnnquiz.calculator.model as engine
    except ImportError:
        pytest.skip("the engine's count_model is not on this branch")
    return engine


def _agree(line, T):
    from rnnquiz.errors import ModelError

    try:
        result = verify_model(line, T=T, batch=3)
    except ModelError as refused:  # the engine refuses: so must the witness
        with pytest.raises(ModelError):
            build_model(line, T=T, batch=3, allocate=False)
        return str(refused)
    assert result.ok, f"{line} (T={T}):\n  " + "\n  ".join(result.differences)
    return None


def test_engine_and_witness_agree_on_the_issues_examples():
    _engine()
    for line in (KERAS_LINE, TORCH_LINE, "Input(shape=(16, 4096)) > "
                 "Bidirectional(LSTM(64, return_sequences=True)) > TimeDistributed(Dense(10))"):
        assert _agree(line, 3) is None


def test_engine_and_witness_agree_on_random_lines():
    """Keras and PyTorch lines drawn as the framework cross-checks draw them."""
    _engine()
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from test_witness_frameworks import keras_lines, torch_lines

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(keras_lines(), st.tuples(torch_lines(), st.just(5))))
    def check(line_and_T):
        _agree(*line_and_T)

    check()


def test_batchnorm1d_without_affine_has_no_bias_to_add():
    # Found by the witness: the engine's with-bias total once added 5 here (275 vs 270).
    from rnnquiz.calculator.model import count_model
    from rnnquiz.verification import verify_model

    line = ("nn.Linear(3, 5) > nn.BatchNorm1d(5, affine=False) > nn.LeakyReLU(0.2) > "
            "nn.BatchNorm1d(5, track_running_stats=False) > nn.GRUCell(5, 4) > nn.Tanh() > "
            "nn.LSTMCell(4, 3)")
    result = count_model(line)
    assert result.with_bias == 270 and verify_model(result.spec).ok


def test_a_masked_average_always_has_a_real_token_in_the_example_input():
    # Found by hypothesis: Embedding(11, 4, mask_zero=True) > GlobalAveragePooling1D() at T = 2
    # drew a row of padding only, whose masked mean is 0/0 (in Keras too): not a fault.
    from rnnquiz.description.model import parse_model
    from rnnquiz.verification import verify_model

    spec = parse_model("Embedding(11, 4, mask_zero=True) > GlobalAveragePooling1D()")
    assert all(verify_model(spec, T=T, seed=seed).ok for T in (1, 2) for seed in range(40))
