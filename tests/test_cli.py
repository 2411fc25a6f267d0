"""The command line, driven through click's CliRunner and the real entry point."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import run_and_list_modules
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnquiz.__main__ import fast_count
from rnnquiz.cli import cli, main


def run(*args):
    return CliRunner().invoke(cli, list(args))


def run_main(args, capsys):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_count_prints_shapes_totals_and_the_T_note():
    result = run("count", "--m", "10", "--n", "20", "--p", "5")
    assert result.exit_code == 0
    out = result.output
    for line in ["W_xh    (20, 10)         200  input->hidden",
                 "W_hh    (20, 20)         400  hidden->hidden",
                 "W_hy    (5, 20)          100  hidden->output",
                 "parameters: 725 with bias, 700 without bias (this network: 725)"]:
        assert line in out
    assert "never changes the count" in out


def test_count_with_T_gives_the_unrolled_figures():
    out = run("count", "--m", "10", "--n", "20", "--p", "5", "--T", "9").output
    assert "T = 9 does not change the count (725)" in out
    assert "6,300 multiply-adds" in out  # 9 * 700
    assert "6,525 parameters" in out  # 9 * 725 without sharing


def test_count_json_schema():
    result = run("count", "--m", "10", "--n", "20", "--p", "5", "--no-bias", "--json")
    data = json.loads(result.output)
    assert data["parameters"] == {"with_bias": 725, "without_bias": 700, "total": 700}
    assert [t["name"] for t in data["tensors"]] == ["W_xh", "W_hh", "W_hy"]
    assert data["tensors"][0]["shape"] == [20, 10]
    assert data["tensors"][0]["parameters"] == 200
    assert data["tensors"][0]["role"] == "input->hidden"
    assert data["T_changes_count"] is False


def test_explain_gives_reasons_and_other_conventions():
    out = run("count", "--m", "10", "--n", "20", "--p", "5", "--explain").output
    assert ("W_xh is (20, 10) because each of the 20 hidden neurons connects to each of the "
            "10 inputs") in out
    assert "n·m + n·n + n + p·n + p = 20·10 + 20·20 + 20 + 5·20 + 5 = 725" in out
    assert "PyTorch (nn.RNN/LSTM/GRU + nn.Linear): 745 (20 more" in out


def test_diagram_labels_every_arrow_with_matrix_and_shape():
    out = run("count", "--m", "10", "--n", "20", "--p", "5", "--diagram", "--T", "2").output
    assert "x_1 --W_xh (20, 10)--> [h_1] --W_hy (5, 20)--> y_1" in out
    assert "| W_hh (20, 20)" in out
    assert "[h_2]" in out and "[h_3]" not in out


def test_verify_flag_and_command():
    result = run("count", "--m", "10", "--n", "20", "--p", "5", "--verify")
    assert result.exit_code == 0
    assert "verified: the NumPy model has the same 5 tensors and shapes, 725" in result.output
    result = run("verify", "--m", "4", "--n", "6", "--cell", "gru", "--convention", "keras",
                 "--json")
    assert json.loads(result.output)["verified"] is True


def test_verify_failure_exits_1_naming_the_difference(monkeypatch, capsys):
    import rnnquiz.verification as v
    real = v.count

    def wrong(net):
        result = real(net)
        result.with_bias += 1
        return result

    monkeypatch.setattr(v, "count", wrong)
    code, out, err = run_main(["count", "--m", "10", "--n", "20", "--p", "5", "--verify"], capsys)
    assert code == 1
    assert err == ("Error: verification failed: total with bias: engine says 726, "
                   "NumPy model has 725\n")


@pytest.mark.parametrize("args, option", [
    (["--m", "0", "--n", "3"], "--m"),
    (["--m", "3", "--n", "-4"], "--n"),
    (["--m", "3", "--n", "2.5"], "--n"),
    (["--m", "3", "--n", "ten"], "--n"),
    (["--m", "3", "--n", "4", "--cell", "transformer"], "--cell"),
    (["--m", "3", "--n", "4", "--proj-size", "2"], "--proj-size"),
    (["--m", "3", "--n", "4", "--cell", "lstm", "--convention", "pytorch", "--proj-size", "4"],
     "--proj-size"),
    (["--m", "3", "--n", "4", "--convention", "keras", "--layout", "out-in"], "--layout"),
    (["--n", "4"], "--m"),
])
def test_bad_input_is_one_line_exit_2(args, option, capsys):
    code, out, err = run_main(["count", *args], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("Error: ")
    assert option in err
    assert "Traceback" not in err


def test_huge_values_work_exactly(capsys):
    code, out, _ = run_main(["count", "--m", "100000", "--n", "100000", "--p", "100000",
                             "--json"], capsys)
    assert code == 0
    assert json.loads(out)["parameters"]["with_bias"] == 30_000_200_000


def test_solve(capsys):
    code, out, _ = run_main(["solve", "--total", "725", "--m", "10", "--p", "5"], capsys)
    assert code == 0 and out.startswith("n = 20\n")
    code, out, err = run_main(["solve", "--total", "726", "--m", "10", "--p", "5"], capsys)
    assert code == 1
    assert err == ("Error: no positive integer n gives 726 parameters: n = 20 gives 725 and "
                   "n = 21 gives 782\n")
    code, _, err = run_main(["solve", "--total", "725", "--m", "10"], capsys)
    assert code == 2
    assert err.startswith("Error: n and p are both missing: give every size but the one")
    code, out, _ = run_main(["solve", "--total", "620", "--m", "10", "--no-output"], capsys)
    assert code == 0 and out.startswith("n = 20\n")


@pytest.mark.parametrize("command", ["count", "verify", "solve"])
def test_every_command_has_help_with_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and f"rnnquiz {command}" in result.output


def test_no_arguments_shows_help(capsys):
    code, out, _ = run_main([], capsys)
    assert code == 0 and "Commands:" in out


# --- the fast path must say exactly what click says ---------------------------------------

option_values = st.one_of(
    st.tuples(st.sampled_from(["--m", "--n", "--p", "--T", "--layers", "--proj-size"]),
              st.sampled_from(["1", "2", "3", "5", "17", "0", "-2", "x", "2.5", "007"])),
    st.tuples(st.just("--cell"), st.sampled_from(["rnn", "lstm", "gru", "LSTM", "cnn"])),
    st.tuples(st.just("--convention"), st.sampled_from(["textbook", "pytorch", "keras"])),
    st.tuples(st.just("--layout"), st.sampled_from(["out-in", "in-out"])),
    st.tuples(st.sampled_from(["--bidirectional", "--no-bias", "--bias", "--reset-after",
                               "--no-reset-after", "--explain", "--diagram", "--json"])),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(option_values, max_size=8), st.booleans())
def test_fast_path_output_equals_the_click_output(options, use_equals):
    args = ["--m", "10", "--n", "20"]
    for opt in options:
        if len(opt) == 2 and use_equals:
            args.append(f"{opt[0]}={opt[1]}")
        else:
            args.extend(opt)
    fast = fast_count(args)
    if fast is None:
        return  # click handles it (errors, --json, ...): nothing to compare
    result = CliRunner().invoke(cli, ["count", *args])
    assert result.exit_code == 0
    assert result.output == fast + "\n"


def test_the_installed_entry_point_runs_without_click_numpy_or_yaml():
    out, loaded = run_and_list_modules(["count", "--m", 10, "--n", 20, "--p", 5],
                                       ("click", "numpy", "yaml"))
    assert loaded == [] and "725 with bias" in out


def test_python_dash_m_runs_the_cli():
    out = subprocess.run([sys.executable, "-m", "rnnquiz", "count", "--m", "4", "--n", "5",
                          "--p", "3"], capture_output=True, text=True, check=True).stdout
    assert "68 with bias, 60 without bias" in out
