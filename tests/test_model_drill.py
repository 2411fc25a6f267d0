"""Drill problems about whole models: answers by hand, named mistakes by hand, the witness
check catching a wrong answer, and the template schema for model lines."""

import random

import generated
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnquiz.drill.checking import check
from rnnquiz.drill.misconceptions import predict
from rnnquiz.drill.models import DrawnModel
from rnnquiz.drill.problems import generate
from rnnquiz.drill.quantities import QuantityError, answer
from rnnquiz.drill.soundness import audit
from rnnquiz.drill.templates import check_template, shipped_templates


def solve(line, ask, T=None, batch=None):  # noqa: N803
    model = DrawnModel(line, T=T, batch=batch)
    solved = answer(model, ask, {}, random.Random(0))
    wrongs = {w.id: w.value for w in predict(model, ask, solved)}
    return model, solved, wrongs


def test_total_and_embedding_counted_as_v_plus_d():
    # 5000·32 = 160,000; LSTM 4·(100·32 + 100·100 + 100) = 53,200; Dense 100 + 1 = 101.
    _, solved, wrongs = solve("Embedding(5000, 32, input_length=100) > LSTM(100) > Dense(1)",
                              {"quantity": "model_total"})
    assert solved.value == 213_301
    assert wrongs["embedding-v-plus-d"] == 213_301 - 160_000 + 5_032


def test_bidirectional_concat_not_doubled_and_time_axis_forgotten():
    line = "Input(shape=(10, 8)) > Bidirectional(LSTM(16, return_sequences=True))"
    _, solved, wrongs = solve(line, {"quantity": "output_shape", "layer": 1})
    assert solved.value == (10, 32)
    assert wrongs["bidirectional-not-doubled"] == (10, 16)
    assert wrongs["time-axis-forgotten"] == (32,)
    assert "bidirectional-sum-doubled" not in wrongs


def test_bidirectional_sum_thought_doubled():
    line = "Input(shape=(10, 8)) > Bidirectional(LSTM(16, return_sequences=True), merge_mode='sum')"
    _, solved, wrongs = solve(line, {"quantity": "output_shape", "layer": 1})
    assert solved.value == (10, 16)
    assert wrongs["bidirectional-sum-doubled"] == (10, 32)
    assert "bidirectional-not-doubled" not in wrongs


def test_linear_reads_n_instead_of_2n():
    line = ("nn.Embedding(1000, 50) > nn.LSTM(50, 64, bidirectional=True, batch_first=True) "
            "> nn.Linear(128, 5)")
    _, solved, wrongs = solve(line, {"quantity": "in_features", "layer": 3})
    assert solved.value == 128
    assert wrongs["linear-reads-n"] == 64
    _, solved, wrongs = solve(line, {"quantity": "layer_parameters", "layer": 3})
    assert solved.value == 128 * 5 + 5
    assert wrongs["linear-reads-n"] == 64 * 5 + 5


def test_time_axis_kept_without_return_sequences():
    _, solved, wrongs = solve("Input(shape=(20, 4)) > GRU(8)",
                              {"quantity": "output_shape", "layer": 1})
    assert solved.value == (8,)
    assert wrongs["time-axis-kept"] == (20, 8)


def test_batchnorm_moving_statistics_left_out():
    # LSTM 4·(7·4 + 7·7 + 7) = 336; BatchNormalization 4·7 = 28 (14 moving); Dense 7·3 + 3 = 24.
    line = "Input(shape=(10, 4)) > LSTM(7) > BatchNormalization() > Dense(3)"
    _, solved, wrongs = solve(line, {"quantity": "model_total"})
    assert solved.value == 388
    assert wrongs["bn-moving-stats-left-out"] == 374
    _, solved, _ = solve(line, {"quantity": "model_total", "which": "non_trainable"})
    assert solved.value == 14


def test_dense_on_3d_input_thought_to_flatten():
    line = "Input(shape=(10, 4)) > LSTM(7, return_sequences=True) > Dense(3)"
    _, solved, wrongs = solve(line, {"quantity": "output_shape", "layer": 2})
    assert solved.value == (10, 3)
    assert wrongs["dense-flattens"] == (3,)
    _, solved, wrongs = solve(line, {"quantity": "layer_parameters", "layer": 2})
    assert solved.value == 24
    assert wrongs["dense-flattens"] == 10 * 7 * 3 + 3


def test_pytorch_h_n_and_c_n():
    line = "nn.LSTM(8, 16, num_layers=2, batch_first=True)"
    for of in ("h_n", "c_n"):
        _, solved, wrongs = solve(line, {"quantity": "output_shape", "layer": 1, "of": of},
                                  T=7, batch=4)
        assert solved.value == (2, 4, 16)
        assert wrongs["h-n-batch-first"] == (4, 2, 16)
        assert wrongs["h-n-one-state"] == (1, 4, 16)
    _, solved, wrongs = solve(line, {"quantity": "output_shape", "layer": 1}, T=7, batch=4)
    assert solved.value == (4, 7, 16)
    assert wrongs["time-axis-forgotten"] == (4, 16)


def test_pytorch_shape_needs_numbers():
    with pytest.raises(QuantityError, match="batch and T"):
        solve("nn.GRU(8, 16)", {"quantity": "output_shape", "layer": 1})


def test_embedding_share():
    # Embedding 10,000; SimpleRNN 10·10 + 10·10 + 10 = 210; Dense 10·2 + 2 = 22: 10,232.
    _, solved, wrongs = solve("Embedding(1000, 10) > SimpleRNN(10) > Dense(2)",
                              {"quantity": "embedding_share", "decimals": 1})
    assert solved.value == 97.7 and solved.tolerance == 0.05
    assert wrongs["embedding-v-plus-d"] == round(100 * 1010 / 1242, 1)
    assert wrongs["embedding-share-of-rest"] == round(100 * 10_000 / 232, 1)


def test_largest_layer_and_recurrent_mistakes():
    # Embedding 400; LSTM 4·(64·8 + 64·64 + 64) = 18,688; Dense 64·3 + 3 = 195.
    line = "Embedding(50, 8) > LSTM(64) > Dense(3)"
    _, solved, wrongs = solve(line, {"quantity": "largest_layer", "format": "choice"})
    assert solved.value == "layer 2 (LSTM)"
    assert wrongs["runner-up"] == "layer 1 (Embedding)"
    _, solved, wrongs = solve(line, {"quantity": "layer_parameters", "layer": 2})
    assert solved.value == 18_688
    assert wrongs["gate-blocks-left-out"] == 4_672
    assert wrongs["reads-vocabulary"] == 18_688 + 4 * 64 * (50 - 8)


def test_witness_catches_a_wrong_answer():
    model, solved, _ = solve("Embedding(50, 8) > LSTM(64) > Dense(3)",
                             {"quantity": "model_total"})
    ask = {"quantity": "model_total"}
    assert check(model, ask, solved) == []
    solved.value += 1
    assert any("witness" in d for d in check(model, ask, solved))
    model, solved, _ = solve("Input(shape=(10, 4)) > LSTM(7, return_sequences=True) > Dense(3)",
                             {"quantity": "output_shape", "layer": 2})
    solved.value = (3,)
    assert check(model, {"quantity": "output_shape", "layer": 2}, solved)


def test_every_model_template_makes_sound_checked_problems():
    templates = [t for t in shipped_templates() if t.skill == "models"]
    assert len(templates) >= 12
    for t in templates:
        for seed in range(5):
            p = generated.problem(t.id, seed)
            assert audit(p) == []
            assert p.network is None and p.as_dict()["network"] is None


BASE = {"id": "m", "skill": "models", "title": "t", "params": {"u": [2, 8]},
        "model": "LSTM({u}, input_shape=(3, 2))", "question": "{model}?",
        "ask": {"quantity": "model_total"}}


@pytest.mark.parametrize("change, message", [
    ({"params": {"u": [2, "x"]}}, "params.u: expected [low, high]"),
    ({"params": {"u": {"choices": ["a b"]}}}, "params.u.choices[0]"),
    ({"model": "LSTM({w})"}, "model: placeholder {w} is not a value"),
    ({"model": "LSTM({u.x})"}, "model: placeholder"),
    ({"ask": {"quantity": "total"}}, "ask.quantity: expected one of model_total"),
    ({"ask": {"quantity": "layer_parameters"}}, "ask.layer: layer_parameters needs"),
    ({"ask": {"quantity": "output_shape", "of": "h"}}, "ask.of: expected one of"),
    ({"ask": {"quantity": "largest_layer"}}, "ask.format: largest_layer is asked as a choice"),
    ({"ask": {"quantity": "model_total", "tensor": "W"}}, "ask.tensor: not an option"),
])
def test_model_schema_errors_name_the_field(change, message):
    errors = check_template({**BASE, **change}, "templates[0]")
    assert any(message in e for e in errors), errors


def test_model_quantity_without_model_line_is_refused():
    data = {k: v for k, v in BASE.items() if k != "model"}
    data["params"] = {"m": 2, "n": 3}
    errors = check_template(data, "templates[0]")
    assert any("model_total needs a model line" in e for e in errors), errors


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(
    st.sampled_from(["params", "model", "question", "ask", "distinct"]),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.sampled_from(["u", "T", "quantity", "of", "choices",
                                                    "layer", "which", "decimals", "format"]),
                                   inner, max_size=3),
                 max_leaves=8)))
def test_any_value_in_a_model_template_gives_messages_not_exceptions(data):
    assert isinstance(check_template({**BASE, **data}, "t"), list)


def test_convention_filter_keeps_a_model_template_in_its_framework():
    from rnnquiz.drill.practice import filter_templates

    templates = [t for t in shipped_templates() if t.skill == "models"]
    keras = {t.id for t in filter_templates(templates, convention="keras")}
    torch = {t.id for t in filter_templates(templates, convention="pytorch")}
    assert "model-total-keras" in keras and "model-total-keras" not in torch
    assert "model-h-n-pytorch" in torch and "model-h-n-pytorch" not in keras
    assert keras | torch == {t.id for t in templates}
    assert not filter_templates(templates, convention="textbook")


def test_every_accepted_spelling_of_a_shape_reads_back_as_the_whole_answer():
    from rnnquiz.drill.answers import parse_shape
    from rnnquiz.drill.problems import accepted_forms

    for shape in [(7,), (3, 5), (2, 4, 16), (2, 3, 4, 5)]:
        for form in accepted_forms("shape", shape, None):
            assert parse_shape(form) == shape, form
    for t in shipped_templates():
        if t.skill == "models":
            p = generate(t, 1)
            if p.kind == "shape":
                assert {parse_shape(f) for f in p.accepted} == {p.answer}, p.variant_id


def test_largest_layer_choice_is_graded_by_letter_or_text_and_names_the_mistake():
    from rnnquiz.drill.grading import grade

    t = next(t for t in shipped_templates() if t.id == "model-largest-layer")
    p = generate(t, 0)
    assert grade(p, p.correct_choice).correct
    assert grade(p, p.choices[p.correct_choice].upper()).correct
    for w in p.wrong_answers:
        verdict = grade(p, w.text[0])
        assert not verdict.correct and verdict.misconception is w


def test_a_template_cannot_ask_about_a_figure_and_a_model_at_once():
    from rnnquiz.drill.templates import check_template

    data = {"id": "both", "skill": "models", "title": "Both", "params": {"u": [2, 9]},
            "model": "LSTM({u}, input_shape=(5, 3))", "question": "How many?",
            "ask": {"quantity": "model_total"}, "figure": {"kind": "unrolled"}}
    assert any("a model template has no figure" in e for e in check_template(data, "f.yaml"))
