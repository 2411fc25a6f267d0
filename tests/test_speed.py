"""The speed work changes how answers are found, never what they are or how they are checked."""

import json

import numpy as np
import pytest
from conftest import networks, run_and_list_modules
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnquiz.__main__ import BLAS_THREAD_VARIABLES, limit_blas_threads
from rnnquiz.calculator import rules
from rnnquiz.calculator.inverse import solve
from rnnquiz.calculator.rules import count
from rnnquiz.description.network import Network
from rnnquiz.drill.practice import plan
from rnnquiz.drill.problems import ProblemError, generate
from rnnquiz.drill.templates import shipped_templates
from rnnquiz.errors import NetworkError, NoSolutionError
from rnnquiz.export.gift import SPECIAL, escape
from rnnquiz.export.jsonfmt import iter_json, to_json
from rnnquiz.witness import build_model


@given(st.text(alphabet=st.sampled_from(list(SPECIAL) + list("ab \\n<&é"))))
def test_gift_escape_is_the_character_by_character_escape(text):
    assert escape(text) == "".join("\\" + ch if ch in SPECIAL else ch for ch in text)


def _search(unknown, total, known):
    """The smallest x with total(x) >= total, by counting up: the plain definition."""
    x = known.get("proj_size", 0) + 1 if unknown == "n" else 1
    while True:
        got = count(Network(**{**known, unknown: x})).total
        if got >= total:
            return x if got == total else None
        x += 1


@settings(max_examples=150, deadline=None)
@given(networks(max_size=9, max_layers=2), st.sampled_from(["m", "n", "p"]),
       st.integers(-3, 3))
def test_solve_by_the_equation_agrees_with_counting_up(net, unknown, offset):
    if unknown == "p" and net.p is None:
        net = net.replace(p=3)
    known = net.as_dict()
    total = count(net).total + offset
    if total < 1:
        return
    expected = _search(unknown, total, {k: v for k, v in known.items() if k != unknown})
    if expected is None:
        with pytest.raises(NoSolutionError):
            solve(unknown, total, **known)
    else:
        assert solve(unknown, total, **known).value == expected


def test_remembered_counts_are_separate_answers():
    net = Network(3, 4, 2, cell="lstm")
    first = count(net)
    first.tensors.clear()
    again = count(net)
    assert again.tensors and again.total == count(Network(3, 4, 2, cell="lstm")).total
    assert again is not first and again.network is net


def test_network_replace_equality_and_hash():
    net = Network(3, 4, 2, cell="gru", convention="keras")
    assert net.replace() is net and net.replace(m=3) is net
    other = net.replace(m=5)
    assert other.m == 5 and other != net and other.replace(m=3) == net
    assert hash(other.replace(m=3)) == hash(net)
    assert net.replace(bias=True) is net
    with pytest.raises(NetworkError):  # equal but not a bool: validated again
        net.replace(bias=1)


def test_placeholder_models_count_without_memory_and_cannot_be_written():
    model = build_model(Network(100_000, 100_000, cell="lstm"), allocate=False)
    assert model.count() == count(Network(100_000, 100_000, cell="lstm")).total
    array = model.parameters()[0]
    assert not array.flags.writeable
    with pytest.raises(ValueError):
        array[0, 0] = 1.0


def test_blas_threads_default_to_one_unless_the_user_chose():
    env = {"OMP_NUM_THREADS": "3"}
    limit_blas_threads(env)
    assert env == {**{name: "1" for name in BLAS_THREAD_VARIABLES}, "OMP_NUM_THREADS": "3"}


def test_the_cli_sets_one_blas_thread_before_numpy_loads_unless_the_user_chose():
    import os
    import subprocess
    import sys

    code = ("import os, sys; from rnnquiz.__main__ import main; "
            "main(['count', '--m', '3', '--n', '4', '--verify']); "
            "print(os.environ.get('OPENBLAS_NUM_THREADS'), os.environ.get('OMP_NUM_THREADS'))")
    env = {k: v for k, v in os.environ.items() if k not in BLAS_THREAD_VARIABLES}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.splitlines()[-1] == "1 1"
    env["OMP_NUM_THREADS"] = "2"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.splitlines()[-1] == "1 2"


def test_a_broken_engine_value_is_still_caught(monkeypatch):
    """Remembering counts must not skip the NumPy check: a wrong total fails the problem."""
    real = rules._count

    def broken(net):
        right = real(net)
        return rules.Count(net, right.tensors, right.with_bias + 1, right.without_bias + 1,
                           right.unrolled)

    monkeypatch.setattr(rules, "_count", broken)
    monkeypatch.setattr(rules, "_MEMO", {})
    template = next(t for t in shipped_templates() if t.ask["quantity"] == "total")
    with pytest.raises(ProblemError, match="NumPy model disagrees"):
        generate(template, 1)


def test_streamed_json_is_the_same_json_for_any_count():
    picks = plan(shipped_templates(), 12, 5)
    problems = [generate(t, s) for t, s in picks]
    meta = {"seed": 5, "generator": "test"}
    for k in (0, 1, 12):
        text = to_json(problems[:k], meta)
        assert text == "".join(iter_json(iter(problems[:k]), meta))
        data = json.loads(text)
        assert [p["variant_id"] for p in data["problems"]] == [p.variant_id for p in
                                                               problems[:k]]
        assert data["seed"] == 5 and data["format"] == "rnnquiz-problems"


def test_placeholder_needs_no_generator():
    model = build_model(Network(2, 3, 1), allocate=False)
    assert all(np.all(a == 0) for a in model.parameters())


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_a_forward_pass_uses_the_weights_loaded_after_an_earlier_one(cell):
    """The PyTorch layer's per-pass preparation (W_hh^T copy, b_hh folded) is never stale."""
    net = Network(3, 4, 2, cell=cell, convention="pytorch")
    xs = np.random.default_rng(2).standard_normal((5, 2, 3))
    model = build_model(net, rng=np.random.default_rng(0))
    model.forward(xs)
    fresh = build_model(net, rng=np.random.default_rng(1))
    model.load(dict(fresh.named_parameters()))
    assert np.array_equal(model.forward(xs), fresh.forward(xs))
    ys, cache = model.forward_cache(xs)
    grads = model.backward(cache, np.ones_like(ys))
    ys2, cache2 = fresh.forward_cache(xs)
    assert all(np.array_equal(g, fresh.backward(cache2, np.ones_like(ys2))[k])
               for k, g in grads.items())


def test_problems_made_by_worker_processes_are_the_same_bytes_in_the_same_order():
    from rnnquiz.drill.bulk import generate_many
    from rnnquiz.export.gift import to_gift

    picks = plan(shipped_templates(), 40, 3)
    alone = list(generate_many(picks, workers=1))
    pooled = list(generate_many(picks, workers=2))
    meta = {"seed": 3, "generator": "test"}
    assert to_json(pooled, meta) == to_json(alone, meta)
    assert to_gift(pooled, meta) == to_gift(alone, meta)


def test_a_failing_problem_in_a_worker_stops_the_export(monkeypatch):
    from rnnquiz.drill import bulk

    template = next(t for t in shipped_templates() if t.ask["quantity"] == "total")
    monkeypatch.setattr(rules, "_count", lambda net: rules.Count(net, [], 1, 1, None))
    monkeypatch.setattr(rules, "_MEMO", {})
    with pytest.raises(ProblemError):
        list(bulk.generate_many([(template, s) for s in range(5)], workers=2))


_plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@given(_plain)
def test_the_json_writer_of_count_is_json_dumps_indent_2(value):
    from rnnquiz.calculator.plainjson import dumps

    assert dumps(value) == json.dumps(value, indent=2)


def test_the_json_writer_refuses_what_it_cannot_write():
    from rnnquiz.calculator.plainjson import dumps

    with pytest.raises(TypeError):
        dumps({"x": {0.5}})


def test_count_json_takes_the_fast_path_without_json_or_click():
    out, loaded = run_and_list_modules(["count", "--m", 3, "--n", 4, "--json", "--explain"],
                                       ("click", "numpy", "yaml", "json", "re"))
    assert loaded == [] and '"explanation"' in out


def test_remembered_replacements_still_validate_each_new_value():
    net = Network(3, 4, 2)
    assert net.replace(bias=False) is net.replace(bias=False)
    assert net.replace(bias=False).bias is False
    for bad in ({"bias": 0}, {"bias": 1}, {"m": 0}, {"m": True}, {"m": [3]}, {"cell": "cnn"}):
        with pytest.raises(NetworkError):
            net.replace(**bad)
    assert net.replace(m=5) is net.replace(m=5)
    with pytest.raises(NetworkError):
        net.replace(m=5.0)


def test_validate_reports_the_same_on_every_core(monkeypatch):
    from rnnquiz.drill import bulk
    from rnnquiz.drill.validate import validate_paths
    from rnnquiz.resources import problems_dir

    report = validate_paths([problems_dir()], seeds=3)
    monkeypatch.setattr(bulk, "PARALLEL_FROM", 1)
    monkeypatch.setattr(bulk, "_cores", lambda: 2)
    pooled = validate_paths([problems_dir()], seeds=3)
    assert pooled.errors == report.errors and not report.errors
    real = rules._count

    def broken(net):
        right = real(net)
        return rules.Count(net, right.tensors, right.with_bias + 1, right.without_bias + 1,
                           right.unrolled)

    monkeypatch.setattr(rules, "_count", broken)
    monkeypatch.setattr(rules, "_MEMO", {})
    failing = validate_paths([problems_dir()], seeds=3)
    # the workers inherit the broken engine, and the NumPy check says so
    assert any("NumPy model disagrees" in e for e in failing.errors)


def test_worker_processes_end_without_a_traceback_under_the_cli_signal_handlers(tmp_path):
    """The CLI turns SIGTERM into Terminated; forked pool workers inherited that handler, so
    the pool's own terminate() at its end printed 'Process ForkPoolWorker-1: Traceback ...
    Terminated: 15' after a successful `rnnquiz validate`, and a worker killed while holding the
    task queue's lock could leave the pool's shutdown hanging (about 1 run in 10): a finished
    pool now lets its workers exit instead."""
    import subprocess
    import sys

    script = (
        "from rnnquiz.cli import _signals_end_cleanly\n"
        "from rnnquiz.drill import bulk\n"
        "with _signals_end_cleanly():\n"
        "    for _ in range(10):\n"
        "        print(sum(bulk.map_in_order(abs, range(-8, 0), work=bulk.PARALLEL_FROM)))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["36"] * 10
    assert run.stderr == ""


def test_the_benchmarks_time_the_rnnquiz_beside_their_python_not_the_first_on_path(tmp_path):
    """A venv's python run without activating the venv: PATH's first rnnquiz is another install
    (or a version manager's shim), which the benchmarks timed before."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    benchmarks = Path(__file__).resolve().parent.parent / "benchmarks"
    ours, decoy = tmp_path / "venv" / "bin", tmp_path / "elsewhere"
    for folder in (ours, decoy):
        folder.mkdir(parents=True)
        (folder / "rnnquiz").write_text("#!/bin/sh\n")
        (folder / "rnnquiz").chmod(0o755)
    (ours / "python").symlink_to(sys.executable)
    probe = f"import sys; sys.path.insert(0, {str(benchmarks)!r}); " \
            "from installed import rnnquiz_command; print(rnnquiz_command())"
    out = subprocess.run([str(ours / "python"), "-c", probe], capture_output=True, text=True,
                         env=dict(os.environ, PATH=f"{decoy}{os.pathsep}{os.environ['PATH']}"),
                         check=True).stdout
    assert out.strip() == repr([str(ours / "rnnquiz")])


def test_the_suite_benchmark_adds_each_tests_cpu_time_to_its_file(tmp_path, monkeypatch, capsys):
    """benchmarks/test_suite.py --by-file: a test's CPU time (its own process's and a waited-for
    child's) goes to its file, the heaviest test is named, and the files print heaviest first
    with their share of the run's CPU time."""
    import importlib.util
    import json
    import subprocess
    import sys
    import time
    from pathlib import Path

    benchmarks = Path(__file__).resolve().parent.parent / "benchmarks"

    def load(name, path):
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    bench = load("suite_benchmark", benchmarks / "test_suite.py")
    (tmp_path / "costs_plugin.py").write_text(bench.COSTS, encoding="utf-8")
    costs_plugin = load("costs_plugin", tmp_path / "costs_plugin.py")

    class Item:
        def __init__(self, nodeid):
            self.nodeid = nodeid

    def run(nodeid, work):
        hook = costs_plugin.pytest_runtest_protocol(Item(nodeid), None)
        next(hook)
        work()
        next(hook, None)

    def spin(seconds):
        end = time.process_time() + seconds
        while time.process_time() < end:
            pass

    run("tests/test_a.py::test_light", lambda: spin(0.01))
    run("tests/test_a.py::test_heavy[1]", lambda: spin(0.05))
    child = "import time\nend = time.process_time() + 0.05\nwhile time.process_time() < end: 0"
    run("tests/test_b.py::test_child", lambda: subprocess.run([sys.executable, "-c", child]))
    monkeypatch.setenv("RNNQUIZ_SUITE_COSTS", str(tmp_path / "costs.json"))
    costs_plugin.pytest_sessionfinish(None)
    files = json.loads((tmp_path / "costs.json").read_text(encoding="utf-8"))
    assert set(files) == {"tests/test_a.py", "tests/test_b.py"}
    a, b = files["tests/test_a.py"], files["tests/test_b.py"]
    assert a["tests"] == 2 and b["tests"] == 1
    assert a["heaviest"][0] == "test_heavy[1]"
    assert 0.06 <= a["own"] < 0.5 and a["children"] < 0.01
    assert b["children"] >= 0.05
    bench.by_file((2.0, 1.0), files, 5)
    rows = capsys.readouterr().out.splitlines()[2:]
    assert len(rows) == 2
    cost = {name: row["own"] + row["children"] for name, row in files.items()}
    assert max(cost, key=cost.get) in rows[0]
    assert f"{cost['tests/test_a.py'] / 1.0:.1%}" in next(r for r in rows if "test_a.py" in r)
