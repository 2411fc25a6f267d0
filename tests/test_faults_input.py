"""Hostile input (issue 9, sections 3, 4 and 6): no hang, no memory blow-up, no traceback.

Every scenario that could hang or eat the machine on a regression runs in a subprocess with an
address-space cap (RLIMIT_AS) and a timeout, so it fails instead.
"""

import json
import os
import textwrap

import forked_cli
import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnquiz
from rnnquiz.__main__ import fast_count
from rnnquiz.calculator.inverse import solve
from rnnquiz.cli import cli
from rnnquiz.datafiles import MAX_DEPTH, DataFileError, load_yaml, read_text
from rnnquiz.description.network import Network
from rnnquiz.drill.templates import check_template, load_file
from rnnquiz.errors import NetworkError
from rnnquiz.witness.trace import TraceError, load_spec

MEMORY = 700 * 2**20
BIG = "1" + "0" * 30  # 10**30
BOMB = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"{chr(98 + k)}: &{chr(98 + k)} [" + ",".join([f"*{chr(97 + k)}"] * 9) + "]\n"
                  for k in range(8)))  # 342 bytes, 9^9 "lol"s once expanded


ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def capped(*args, timeout=30, cwd=None):
    """``python -m rnnquiz ARGS`` in a process of its own, with at most MEMORY of address space
    and ``timeout`` seconds (forked from one that has loaded Python, numpy and click)."""
    return forked_cli.run(args, env=ENV, cwd=cwd, memory=MEMORY, timeout=timeout)


def python_capped(code, timeout=60):
    """Run test code that would loop or allocate without bound on a regression, capped as
    ``capped`` (and forked as it is); it passes when it prints 'ok'."""
    result = forked_cli.run_python(textwrap.dedent(code), env=ENV, memory=MEMORY,
                                   timeout=timeout)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-3000:]


def one_line_error(result, code):
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return lines[0]


def template(**changes):
    data = {"id": "mine", "skill": "counts", "title": "Mine", "params": {"m": 3, "n": 4},
            "question": "How many for {m}?", "ask": {"quantity": "total"}}
    data.update(changes)
    return data


def write_templates(path, *items):
    path.write_text(yaml.safe_dump({"templates": list(items)}))
    return path


# --- section 3: hangs and memory blow-ups -------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["count", "--m", 10, "--n", 20],
    ["verify", "--m", 10, "--n", 20],
    ["solve", "--total", 725, "--m", 10, "--p", 5],
])
def test_huge_layers_are_refused_at_once_naming_the_option(command):
    result = capped(*command, "--layers", BIG, timeout=20)
    line = one_line_error(result, 2)
    assert "'--layers'" in line and "at most 1,000" in line


def test_sizes_beyond_the_documented_bound_are_refused():
    line = one_line_error(capped("count", "--m", "1" + "0" * 101, "--n", 2), 2)
    assert "'--m'" in line and "10^100" in line
    line = one_line_error(capped("count", "--m", "9" * 5000, "--n", 2), 2)
    assert "'--m'" in line and "too large" in line


def test_the_api_bounds_layers_without_looping():
    python_capped("""
        import pytest, rnnquiz
        from rnnquiz import Network, NetworkError
        with pytest.raises(NetworkError, match="at most 1,000") as e:
            rnnquiz.count_parameters(m=10, n=20, layers=10**30)
        assert e.value.field == "layers"
        with pytest.raises(NetworkError, match="about 5,001 digits"):
            Network(3, 4, layers=10**5000)
        print("ok")
    """, timeout=20)


def test_solve_is_closed_form_even_for_the_deepest_network():
    python_capped("""
        import pytest
        from rnnquiz import Network, NoSolutionError, count, solve
        net = Network(10, 10**90, 5, layers=1000, cell="lstm", bidirectional=True)
        assert solve("n", count(net).total, m=10, p=5, layers=1000, cell="lstm",
                     bidirectional=True).value == 10**90
        with pytest.raises(NoSolutionError, match="10\\^100"):
            solve("n", 10**4000, m=10, p=5)
        print("ok")
    """, timeout=30)
    result = capped("solve", "--total", "1" + "0" * 3000, "--m", 10, "--p", 5, "--layers", 1000,
                    timeout=20)
    assert "no n up to 10^100" in one_line_error(result, 1)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_fifo_or_stdin_is_refused_not_waited_on(tmp_path, suffix):
    fifo = tmp_path / f"net{suffix}"
    os.mkfifo(fifo)
    for path in (fifo, "/dev/stdin", "/dev/zero"):
        line = one_line_error(capped("trace", "--weights", path, timeout=20), 1)
        assert "not a regular file" in line
    result = capped("validate", fifo, timeout=20)  # one line per error, then the summary
    assert result.returncode == 1 and result.stderr.splitlines() == [
        f"{fifo}: not a regular file (a pipe, a device or standard input cannot be read; save "
        "it to a file first)", "Error: 1 error(s) in 1 file(s)"]
    for command in (["practice", "--count", 1], ["export", "--format", "json"]):
        line = one_line_error(capped(*command, "--problems", "/dev/zero", timeout=20), 1)
        assert "/dev/zero: not a regular file" in line


def test_the_size_limit_holds_while_reading(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("templates:\n" + "# padding\n" * 200_000)
    with pytest.raises(DataFileError, match="too large"):
        read_text(big)
    assert "too large" in load_file(big)[1][0]


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path):
    with pytest.raises(DataFileError, match="expands to more than"):
        load_yaml(BOMB, "bomb.yaml")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("templates:\n  - " + BOMB.replace("\n", "\n    "))
    result = capped("validate", bomb, timeout=20)
    assert result.returncode == 1 and "expands to more than" in result.stderr
    weights = tmp_path / "w.yaml"
    weights.write_text(BOMB)
    assert "expands to more than" in one_line_error(capped("trace", "--weights", weights), 1)


def test_aliases_of_sensible_size_still_work():
    assert load_yaml("a: &x [1, 2]\nb: *x\nc: &s 3\nd: *s\n", "f") == {
        "a": [1, 2], "b": [1, 2], "c": 3, "d": 3}
    with pytest.raises(DataFileError, match="recursive"):
        load_yaml("a: &x [1, *x]", "f")


def test_template_with_T_a_million_and_m_a_billion_is_checked_in_bounded_time(tmp_path):
    items = [template(id=f"big-{k}", params={"m": 10**9, "n": [1, 10**9], "p": 10**9,
                                             "T": 10**6, "layers": 8, "bidirectional": True,
                                             "cell": "lstm"},
                      question=ask.pop("question", "How many for {m}?"), ask=ask)
             for k, ask in enumerate([
                 {"quantity": "total", "format": "choice"},
                 # the question must not give the size it asks for (the generator redraws that)
                 {"quantity": "size", "of": "m", "question": "Which m gives {total}?"},
                 {"quantity": "stored_values"}, {"quantity": "hidden_states"},
                 {"quantity": "gradient_terms"}, {"quantity": "multiply_adds"},
                 {"quantity": "T_changes_count"}])]
    items += [template(id=f"long-{k}", params={"m": [200, 300], "n": [300, 400], "p": 7,
                                               "T": [900_000, 10**6], "cell": "gru"}, ask=ask)
              for k, ask in enumerate([{"quantity": "stored_values"},
                                       {"quantity": "multiply_adds", "output": "last"},
                                       {"quantity": "steps"}, {"quantity": "gradient_terms"}])]
    path = write_templates(tmp_path / "big.yaml", *items)
    result = capped("validate", path, "--seeds", 3, timeout=60)
    assert result.returncode == 0, result.stderr
    result = capped("export", "--format", "json", "--problems", tmp_path, "--skill", "counts",
                    "--count", 30, "--seed", 1, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("net", [
    "Network(30, 40, 7, T=10**6, cell='lstm', layers=3, bidirectional=True)",
    "Network(3, 4, 2, T=5000, cell='gru', convention='keras')",
    "Network(3, 4, 2, T=7, layers=2)",
])
def test_long_sequences_are_still_checked_by_the_model(net):
    """Beyond the steps a check can run, the model runs T = 2, 3, 4 and its figure is extended:
    a wrong answer is still caught."""
    python_capped(f"""
        import random
        from rnnquiz import Network
        from rnnquiz.drill.checking import check
        from rnnquiz.drill.quantities import answer
        net = {net}
        for ask in [{{"quantity": "stored_values"}},
                    {{"quantity": "hidden_states", "include_h0": False}},
                    {{"quantity": "multiply_adds"}}, {{"quantity": "multiply_adds",
                                                       "output": "last"}},
                    {{"quantity": "steps"}}, {{"quantity": "recurrent_applications"}},
                    {{"quantity": "gradient_terms"}}]:
            solved = answer(net, ask, net.as_dict(), random.Random(0))
            assert check(net, ask, solved) == [], ask
            solved.value += 1
            assert check(net, ask, solved) != [], ask
        print("ok")
    """, timeout=60)


def test_trace_bounds_what_it_prints():
    python_capped("""
        import numpy as np, pytest
        from rnnquiz.witness.trace import TraceError, trace
        rng = np.random.default_rng(0)
        m = n = p = 64
        spec = {"W_xh": rng.uniform(-1, 1, (n, m)).tolist(),
                "W_hh": rng.uniform(-1, 1, (n, n)).tolist(),
                "W_hy": rng.uniform(-1, 1, (p, n)).tolist(),
                "xs": rng.uniform(0, 1, (1000, m)).tolist()}
        with pytest.raises(TraceError, match="would print 8,985,960 numbers"):
            trace(spec, backward=True)
        print("ok")
    """, timeout=30)
    result = capped("trace", "--T", 1000, "--m", 64, "--n", 64, "--p", 64, "--backward")
    assert "use fewer steps or neurons" in one_line_error(result, 1)
    result = capped("trace", "--T", 1000, "--m", 64, "--n", 64, "--p", 64, "--json", timeout=60)
    assert result.returncode == 0 and len(result.stdout) < 20_000_000


# --- section 4: crashes shown as "internal error" ------------------------------------------------

@pytest.mark.parametrize("size", ["--m", "--n", "--p"])
def test_count_verify_beyond_the_witness_names_the_option(size):
    sizes = {"--m": 10, "--n": 20, "--p": 5, size: BIG}
    result = capped("count", *[x for kv in sizes.items() for x in kv], "--verify")
    line = one_line_error(result, 2)
    assert f"'{size}'" in line and "at most 1,000,000,000" in line
    assert "'--n'" in one_line_error(capped("verify", "--m", 10, "--n", 10**12), 2)


def test_the_witness_holds_the_largest_sizes_it_accepts():
    result = capped("verify", "--m", 10**9, "--n", 10**9, "--p", 10**9, "--cell", "lstm",
                    "--bidirectional", "--layers", 3, "--convention", "keras")
    assert result.returncode == 0 and "verified" in result.stdout, result.stderr


@pytest.mark.parametrize("ask, field", [
    ({"quantity": "forward", "of": "h_1", "decimals": True}, "ask.decimals"),
    ({"quantity": "forward", "of": "h_1", "decimals": 2.0}, "ask.decimals"),
    ({"quantity": ["total"]}, "ask.quantity"),
    ({"quantity": {"total": 1}}, "ask.quantity"),
])
def test_ask_values_of_the_wrong_type_are_named(ask, field):
    errors = check_template(template(ask=ask), "templates[0]")
    assert any(e.startswith(f"templates[0].{field}:") for e in errors), errors


def test_wrong_types_anywhere_are_errors_never_crashes():
    for changes in ({"distinct": [["m"]]}, {"distinct": [{"m": 1}]}, {"hints": [["x"]]},
                    {"params": {"m": [[1], 2], "n": {"choices": [[1]]}}}, {"id": ["x"]},
                    {"ask": {"quantity": "size", "of": ["m"]}}, {"difficulty": [1]},
                    {"params": {"m": 3, "n": 4, "proj_size": False}},
                    {"params": {"m": 3, "n": 4, "proj_size": 0.0}},
                    {"params": {"m": 3, "n": 4, "T": True}},
                    {"params": {"m": 3, "n": 4, "layers": {"choices": [True]}}}):
        assert check_template(template(**changes), "t"), changes


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(
    st.sampled_from(["id", "skill", "title", "difficulty", "params", "distinct", "question",
                     "hints", "ask", "other"]),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.sampled_from(["m", "n", "quantity", "of", "choices",
                                                    "decimals", "tensor", "T"]), inner,
                                   max_size=3),
                 max_leaves=8)))
def test_any_yaml_value_in_any_field_gives_messages_not_exceptions(data):
    assert isinstance(check_template(data, "t"), list)


def test_deeply_nested_yaml_is_refused_with_its_position(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("templates: " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = capped("validate", deep, timeout=20)
    assert result.returncode == 1 and f"nested more than {MAX_DEPTH} levels" in result.stderr
    assert "RecursionError" not in result.stderr
    weights = tmp_path / "deep.json"
    weights.write_text('{"W_xh": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert "nested too deeply" in one_line_error(capped("trace", "--weights", weights), 1)


@pytest.mark.parametrize("name, text", [
    ("w.json", json.dumps({"W_xh": [[1]], "W_hh": [[10**400]], "xs": [[1]]})),
    ("w.yaml", f"W_xh: [[1]]\nW_hh: [[{10**400}]]\nxs: [[1]]\nh0: [{10**400}]\n"),
    ("v.json", json.dumps({"W_xh": [[1]], "W_hh": [[1]], "xs": [[1]], "b_h": [10**400]})),
])
def test_a_400_digit_number_in_a_weights_file_is_named(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    line = one_line_error(capped("trace", "--weights", path), 1)
    assert "too large for a float64" in line
    assert line.split(":")[1].strip() in ("W_hh", "b_h")


def test_5000_digits_in_a_weights_file_is_one_line(tmp_path):
    for name, text in (("w.json", '{"W_xh": [[' + "9" * 5000 + "]]}"),
                       ("w.yaml", "W_xh: [[" + "9" * 5000 + "]]\n")):
        path = tmp_path / name
        path.write_text(text)
        assert "4300" in one_line_error(capped("trace", "--weights", path), 1).replace(",", "")
        with pytest.raises(TraceError):
            load_spec(path)


# --- section 6: smaller holes ---------------------------------------------------------------------

@pytest.mark.parametrize("key", ["id", "skill"])
def test_an_id_with_a_trailing_newline_fails_the_id_rule(key):
    errors = check_template(template(**{key: "evil\n"}), "t")
    assert any(e.startswith(f"t.{key}:") for e in errors), errors


@pytest.mark.parametrize("value", [True, False, 2.0, "2"])
def test_difficulty_must_be_an_int(value):
    assert any(e.startswith("t.difficulty:") for e in check_template(template(difficulty=value),
                                                                      "t"))


def test_validate_reports_an_id_clashing_with_a_shipped_template(tmp_path):
    write_templates(tmp_path / "mine.yaml", template(id="count-wxh"))
    result = CliRunner().invoke(cli, ["validate", str(tmp_path), "--seeds", "1"])
    assert result.exit_code == 1
    assert "template id 'count-wxh' is also defined in" in result.stderr
    assert CliRunner().invoke(cli, ["validate", "--seeds", "1"]).exit_code == 0


@pytest.mark.parametrize("call", [
    lambda: rnnquiz.count("x"), lambda: rnnquiz.count(None), lambda: rnnquiz.verify(None),
    lambda: rnnquiz.verify({"m": 3, "n": 4}), lambda: rnnquiz.build_model(None),
    lambda: rnnquiz.build_model("nn.LSTM(3, 4)"),
])
def test_the_api_says_what_it_expected(call):
    with pytest.raises(NetworkError, match="expected a Network description") as e:
        call()
    assert e.value.field == "network"


@pytest.mark.parametrize("kw, field", [
    ({"batch": 0}, "batch"), ({"batch": True}, "batch"), ({"batch": 2.5}, "batch"),
    ({"seed": -1}, "seed"), ({"seed": "x"}, "seed"),
])
def test_verify_options_are_checked(kw, field):
    with pytest.raises(NetworkError) as e:
        rnnquiz.verify(Network(3, 4), **kw)
    assert e.value.field == field


def test_verify_bounds_the_batch():
    python_capped("""
        import pytest
        from rnnquiz import Network, NetworkError, verify
        with pytest.raises(NetworkError, match="at most 1,024") as e:
            verify(Network(3, 4), batch=10**9)
        assert e.value.field == "batch"
        print("ok")
    """, timeout=20)


def test_numpy_integers_are_accepted_and_bools_refused():
    assert rnnquiz.count_parameters(m=np.int64(10), n=np.int32(20), p=np.uint8(5)) == 725
    net = Network(np.int64(3), np.int16(8), T=np.int64(4), layers=np.int8(2), cell="lstm",
                  convention="pytorch", proj_size=np.int64(2))
    assert type(net.m) is int and type(net.proj_size) is int and net.layers == 2
    assert rnnquiz.verify(net, batch=np.int64(3), seed=np.uint64(7)).ok
    assert solve("n", np.int64(725), m=np.int64(10), p=5).value == 20
    for kw in ({"m": True}, {"n": np.bool_(True)}, {"layers": True}, {"proj_size": True},
               {"m": 10.0}, {"T": np.float64(3)}):
        with pytest.raises(NetworkError):
            Network(**{"m": 3, "n": 4, **kw})


@pytest.mark.parametrize("value", ["١٠", "１０", "1_0", "٣"])
def test_non_ascii_digits_are_refused_by_both_paths(value, capsys):
    assert fast_count(["--m", value, "--n", "3"]) is None
    result = capped("count", "--m", value, "--n", 3)
    line = one_line_error(result, 2)
    assert "'--m'" in line and "ASCII digits" in line
    line = one_line_error(capped("count", "--m", 4, "--n", 3, "--layers", value), 2)
    assert "'--layers'" in line


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="0123456789+-_ ١٠٣１e.x", min_size=1, max_size=6))
def test_the_fast_path_and_click_agree_on_any_integer_text(value):
    args = ["--m", value, "--n", "3", "--layers", "2"]
    fast = fast_count(args)
    result = CliRunner().invoke(cli, ["count", *args])
    if fast is not None:
        assert result.exit_code == 0 and result.stdout == fast + "\n"
    if result.exit_code == 0:
        assert value.strip().lstrip("+-").isascii()


FUZZ = textwrap.dedent("""
    import io, contextlib, sys
    from hypothesis import given, settings, strategies as st
    from rnnquiz.__main__ import main

    value = st.one_of(st.integers(-2, 64).map(str), st.sampled_from(
        ["1" + "0" * 30, "1000000000000", "9" * 120, "9" * 5000, "١٠", "1_0", "", "x", "2.5"]))
    option = st.sampled_from(["--m", "--n", "--p", "--T", "--layers", "--proj-size",
                              "--total"])
    flag = st.sampled_from(["--cell=lstm", "--cell=gru", "--convention=pytorch",
                            "--convention=keras", "--bidirectional", "--no-bias", "--verify",
                            "--explain", "--diagram", "--json", "--no-output",
                            "--layout=in-out", "--bogus"])
    command_line = st.tuples(
        st.sampled_from(["count", "verify", "solve"]),
        st.lists(st.tuples(option, value), max_size=6),
        st.lists(flag, max_size=3),
    ).map(lambda t: [t[0], *[x for pair in t[1] for x in pair], *t[2]])

    @settings(max_examples=200, deadline=None, database=None)
    @given(command_line)
    def fuzz(args):
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(args)
        assert code in (0, 1, 2), (args, code)
        assert "internal error" not in err.getvalue(), (args, err.getvalue())
        assert "Traceback" not in err.getvalue(), args

    fuzz()
    print("ok")
""")


def test_fuzzed_calculator_command_lines_under_a_memory_cap():
    """count, verify and solve through main() (fast path and click): exit 0, 1 or 2, never an
    internal error, a hang or a blow-up."""
    python_capped(FUZZ, timeout=150)
