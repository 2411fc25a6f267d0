"""The rules engine against hand-computed cases and every figure in CONVENTIONS.md."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnquiz.calculator.rules import count
from rnnquiz.description.network import Network
from rnnquiz.errors import NetworkError


def total(**kw):
    return count(Network(**kw)).total


def test_exam_example_shapes_and_totals():
    result = count(Network(10, 20, 5))
    assert result.shapes() == {"W_xh": (20, 10), "W_hh": (20, 20), "b_h": (20,),
                               "W_hy": (5, 20), "b_y": (5,)}
    assert (result.with_bias, result.without_bias, result.total) == (725, 700, 725)
    no_bias = count(Network(10, 20, 5, bias=False))
    assert [t.name for t in no_bias.tensors] == ["W_xh", "W_hh", "W_hy"]
    assert (no_bias.with_bias, no_bias.without_bias, no_bias.total) == (725, 700, 700)


def test_small_example_from_conventions():
    assert total(m=4, n=5, p=3) == 68
    assert total(m=4, n=5, p=3, bias=False) == 60


def test_hundred_hidden_neurons_have_ten_thousand_recurrent_weights():
    assert count(Network(3, 100)).shapes()["W_hh"] == (100, 100)
    assert next(t for t in count(Network(3, 100)).tensors if t.name == "W_hh").parameters == 10_000


@pytest.mark.parametrize("convention, cell, expected", [
    ("pytorch", "rnn", 640), ("pytorch", "lstm", 2560), ("pytorch", "gru", 1920),
    ("keras", "rnn", 620), ("keras", "lstm", 2480), ("keras", "gru", 1920),
    ("textbook", "rnn", 620), ("textbook", "lstm", 2480), ("textbook", "gru", 1860),
])
def test_conventions_table_m10_n20(convention, cell, expected):
    assert total(m=10, n=20, cell=cell, convention=convention) == expected


def test_keras_gru_reset_after_false():
    assert total(m=10, n=20, cell="gru", convention="keras", reset_after=False) == 1860


@pytest.mark.parametrize("kw, expected", [
    ({"cell": "lstm", "proj_size": 5}, 1460),
    ({"layers": 2}, 1480),
    ({"cell": "lstm", "layers": 2}, 5920),
    ({"cell": "lstm", "bidirectional": True}, 5120),
])
def test_pytorch_figures_from_conventions(kw, expected):
    assert total(m=10, n=20, convention="pytorch", **kw) == expected


def test_pytorch_with_linear_head_counts_the_second_bias():
    assert total(m=10, n=20, p=5, convention="pytorch") == 745


def test_formulas_in_the_table_hold_for_many_sizes():
    for m, n in [(1, 1), (3, 7), (10, 20), (128, 256)]:
        base = n * m + n * n
        for conv, cell, g, biases in [("textbook", "rnn", 1, 1), ("textbook", "lstm", 4, 1),
                                      ("textbook", "gru", 3, 1), ("pytorch", "rnn", 1, 2),
                                      ("pytorch", "lstm", 4, 2), ("pytorch", "gru", 3, 2),
                                      ("keras", "rnn", 1, 1), ("keras", "lstm", 4, 1),
                                      ("keras", "gru", 3, 2)]:
            assert total(m=m, n=n, cell=cell, convention=conv) == g * (base + biases * n)
            assert total(m=m, n=n, cell=cell, convention=conv, bias=False) == g * base


def test_pytorch_names_shapes_and_order():
    result = count(Network(10, 20, 5, cell="lstm", convention="pytorch", layers=2,
                           bidirectional=True, proj_size=5))
    names = [t.name for t in result.tensors]
    assert names[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                         "weight_hr_l0"]
    assert names[5] == "weight_ih_l0_reverse"
    shapes = result.shapes()
    assert shapes["weight_ih_l0"] == (80, 10)
    assert shapes["weight_hh_l0"] == (80, 5)
    assert shapes["weight_hr_l0"] == (5, 20)
    assert shapes["weight_ih_l1"] == (80, 10)  # layer 2 reads D*r = 2*5
    assert shapes["linear.weight"] == (5, 10)  # the head reads D*r


def test_keras_names_and_transposed_layout():
    shapes = count(Network(10, 20, 5, cell="gru", convention="keras")).shapes()
    assert shapes == {"gru/kernel": (10, 60), "gru/recurrent_kernel": (20, 60),
                      "gru/bias": (2, 60), "dense/kernel": (20, 5), "dense/bias": (5,)}
    shapes = count(Network(10, 20, cell="gru", convention="keras", reset_after=False)).shapes()
    assert shapes["gru/bias"] == (60,)


def test_textbook_row_vector_layout_transposes_without_changing_the_count():
    col = count(Network(10, 20, 5))
    row = count(Network(10, 20, 5, layout="in-out"))
    assert row.shapes()["W_xh"] == (10, 20)
    assert row.shapes()["W_hy"] == (20, 5)
    assert row.with_bias == col.with_bias


def test_textbook_gated_cells_name_one_matrix_per_gate():
    names = [t.name for t in count(Network(3, 4, cell="gru")).tensors]
    assert names == ["W_xr", "W_hr", "b_r", "W_xz", "W_hz", "b_z", "W_xh", "W_hh", "b_h"]


def test_stacked_and_bidirectional_layers_read_D_times_n():
    shapes = count(Network(10, 20, 5, layers=3, bidirectional=True)).shapes()
    assert shapes["W_xh^(1,fwd)"] == (20, 10)
    assert shapes["W_xh^(2,bwd)"] == (20, 40)
    assert shapes["W_hy"] == (5, 40)


def test_aliases_only_for_the_single_layer_textbook_rnn():
    tensors = {t.name: t for t in count(Network(10, 20, 5)).tensors}
    assert tensors["W_xh"].aliases[0] == "U" and tensors["W_hy"].aliases[0] == "V"
    assert all(not t.aliases for t in count(Network(10, 20, 5, layers=2)).tensors)


sizes = st.integers(min_value=1, max_value=300)


@st.composite
def networks(draw):
    convention = draw(st.sampled_from(["textbook", "pytorch", "keras"]))
    cell = draw(st.sampled_from(["rnn", "lstm", "gru"]))
    n = draw(st.integers(min_value=2, max_value=300))
    proj = 0
    if convention == "pytorch" and cell == "lstm" and draw(st.booleans()):
        proj = draw(st.integers(min_value=1, max_value=n - 1))
    return Network(draw(sizes), n, draw(st.one_of(st.none(), sizes)), cell=cell,
                   layers=draw(st.integers(1, 4)), bidirectional=draw(st.booleans()),
                   bias=draw(st.booleans()), convention=convention,
                   reset_after=draw(st.booleans()), proj_size=proj)


@given(networks(), st.integers(min_value=1, max_value=10_000))
def test_T_never_changes_the_count(net, T):
    assert count(net.replace(T=T)).total == count(net).total
    assert count(net.replace(T=T)).shapes() == count(net).shapes()


@given(networks())
def test_totals_are_the_sum_of_the_tensors(net):
    result = count(net)
    assert result.total == sum(t.parameters for t in result.tensors)
    assert result.without_bias == sum(t.parameters for t in result.tensors if not t.is_bias)
    assert result.with_bias - result.without_bias >= 0
    assert len({t.name for t in result.tensors}) == len(result.tensors)


@given(networks())
def test_bidirectional_doubles_the_recurrent_layers(net):
    one = count(net.replace(bidirectional=False, p=None)).total
    two = count(net.replace(bidirectional=True, p=None)).total
    if net.layers == 1:
        assert two == 2 * one
    else:
        assert two > 2 * one  # later layers also read 2n inputs


def test_unrolled_figures():
    u = count(Network(10, 20, 5, T=7)).unrolled
    assert u.copies == 7 and u.recurrent_applications == 7
    assert u.multiply_adds == 7 * (200 + 400 + 100)  # T*(n*m + n*n + p*n)
    assert u.multiply_adds_last_output == 7 * 600 + 100
    assert u.hidden_states == 8  # h_0 .. h_7
    assert u.unshared_parameters == 7 * 725


def test_huge_values_are_exact():
    big = 10**30
    result = count(Network(big, big, big))
    assert result.with_bias == 3 * big * big + 2 * big  # n*m + n*n + p*n, then n + p
    assert result.shapes()["W_hh"] == (big, big)


@pytest.mark.parametrize("kw, field", [
    ({"m": 0, "n": 3}, "m"), ({"m": 3, "n": -1}, "n"), ({"m": 3, "n": 2.5}, "n"),
    ({"m": 3, "n": 4, "p": 0}, "p"), ({"m": 3, "n": 4, "cell": "transformer"}, "cell"),
    ({"m": 3, "n": 4, "proj_size": 2}, "proj_size"),
    ({"m": 3, "n": 4, "cell": "lstm", "convention": "pytorch", "proj_size": 4}, "proj_size"),
    ({"m": 3, "n": 4, "convention": "keras", "layout": "out-in"}, "layout"),
    ({"m": 3, "n": 4, "layers": 0}, "layers"), ({"m": True, "n": 4}, "m"),
])
def test_invalid_descriptions_name_the_field(kw, field):
    with pytest.raises(NetworkError) as info:
        Network(**kw)
    assert info.value.field == field
