"""rnnquiz trace: a hand computation, step by step, forward and backward."""

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from rnnquiz.cli import cli, main
from rnnquiz.witness.trace import TraceError, random_spec, trace

SPEC = {"W_xh": [[0.5, -0.3, 0.8]], "W_hh": [[0.4]], "W_hy": [[1.2]],
        "activation": "sigmoid", "output_activation": "sigmoid",
        "xs": [[1, 0, 1], [0, 1, 1]], "targets": [[1], [0]]}


def flat(x):
    return np.ravel(x).tolist()


def sig(z):
    return 1 / (1 + math.exp(-z))


def test_forward_steps_match_the_hand_computation():
    t = trace(SPEC)
    h1 = sig(0.5 + 0.8)
    h2 = sig(-0.3 + 0.8 + 0.4 * h1)
    y1, y2 = sig(1.2 * h1), sig(1.2 * h2)
    assert t.steps[0]["a"] == pytest.approx([1.3])
    assert t.steps[0]["h"] == pytest.approx([h1]) and t.steps[1]["h"] == pytest.approx([h2])
    assert t.steps[1]["y"] == pytest.approx([y2])
    assert t.loss == pytest.approx(0.5 * (y1 - 1) ** 2 + 0.5 * y2 ** 2)


def test_backward_splits_the_two_paths_and_sums_the_contributions():
    t = trace(SPEC, backward=True)
    h1 = sig(1.3)
    h2 = sig(0.5 + 0.4 * h1)
    y1, y2 = sig(1.2 * h1), sig(1.2 * h2)
    # by hand: dL/dh_2 = (y2 - 0) y2 (1 - y2) 1.2; da_2 = dL/dh_2 h2 (1 - h2)
    dh2 = y2 * y2 * (1 - y2) * 1.2
    da2 = dh2 * h2 * (1 - h2)
    from_y1 = (y1 - 1) * y1 * (1 - y1) * 1.2
    dh1 = from_y1 + da2 * 0.4
    da1 = dh1 * h1 * (1 - h1)
    back = {s["t"]: s for s in t.backward["steps"]}
    assert back[2]["dh"] == pytest.approx([dh2])
    assert back[1]["dh_from_output"] == pytest.approx([from_y1])
    assert back[1]["dh_from_next_step"] == pytest.approx([da2 * 0.4])
    assert back[1]["dh"] == pytest.approx([dh1])
    assert flat(back[2]["dW_hh_contribution"]) == pytest.approx([da2 * h1])
    assert flat(back[1]["dW_hh_contribution"]) == pytest.approx([0.0])  # h_0 = 0
    assert flat(t.backward["grads"]["W_hh"]) == pytest.approx([da2 * h1])
    assert flat(t.backward["grads"]["W_xh"]) == pytest.approx([da1, da2, da1 + da2])
    assert t.backward["dh0"] == pytest.approx([da1 * 0.4])


@pytest.mark.parametrize("change, message", [
    ({"W_hh": [[0.4, 1.0]]}, "W_hh: expected a square (n, n) matrix, got (1, 2)"),
    ({"W_xh": [[0.5, -0.3]]}, "xs: expected shape (2, 2): T inputs of m = 2 values, to match "
                              "W_xh, got (2, 3)"),
    ({"W_xh": [[0.5, -0.3, 0.8], [1, 1, 1]]}, "W_xh: expected shape (1, 3): n = 1 rows, to "
                                              "match W_hh, got (2, 3)"),
    ({"W_hy": [[1.2, 3.0]]}, "W_hy: expected shape (1, 1): p rows of n = 1, to match W_hh, "
                             "got (1, 2)"),
    ({"b_h": [0.1, 0.2]}, "b_h: expected shape (1,) to match n = 1, got (2,)"),
    ({"targets": [[1]]}, "targets: expected shape (2, 1): T = 2 targets of 1 values, got (1, 1)"),
    ({"activation": "swish"}, "activation: expected one of tanh, sigmoid, relu, identity, "
                              "got 'swish'"),
    ({"W_hh": "big"}, "W_hh: expected a list of rows of numbers, got 'big'"),
    ({"colour": 1}, "unknown key(s) colour"),
])
def test_weights_that_do_not_fit_name_the_tensor(change, message):
    with pytest.raises(TraceError) as info:
        trace({**SPEC, **change})
    assert str(info.value).startswith(message)


def test_cli_text_and_json(tmp_path, capsys):
    path = tmp_path / "net.yaml"
    path.write_text("W_xh: [[0.5, -0.3, 0.8]]\nW_hh: [[0.4]]\nW_hy: [[1.2]]\n"
                    "activation: sigmoid\noutput_activation: sigmoid\n"
                    "xs: [[1, 0, 1], [0, 1, 1]]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["trace", "--weights", str(path), "--backward"])
    assert result.exit_code == 0
    out = result.output
    assert "a_1 = W_xh·x_1 + W_hh·h_0 = [1.3]" in out
    assert "h_1 = sigmoid(a_1) = [0.785835]" in out
    assert "h_2 = sigmoid(a_2) = [0.693032]" in out
    assert "step 2 adds to dW_hh: da_2 · h_1ᵀ" in out
    assert "gradient norm travelling back" in out
    data = json.loads(CliRunner().invoke(cli, ["trace", "--weights", str(path), "--json"]).output)
    assert data["steps"][1]["h"] == pytest.approx([0.6930322822347039])
    assert data["backward"] is None
    code = main(["trace", "--weights", str(tmp_path / "missing.json")])
    assert code == 1 and "cannot read" in capsys.readouterr().err
    assert main(["trace", "--weights", str(path), "--m", "4"]) == 2


def test_random_networks_are_reproducible_and_small():
    assert random_spec(seed=3) == random_spec(seed=3)
    spec = random_spec(m=2, n=3, p=0, T=4, seed=1, activation="tanh")
    t = trace(spec, backward=True)
    assert len(t.steps) == 4 and "W_hy" not in spec
    assert all(len(s["h"]) == 3 for s in t.steps)
