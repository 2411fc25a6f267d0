"""The witness's replayed draws are np.random.default_rng(seed)'s, call for call."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnquiz.description.network import Network
from rnnquiz.witness import build_model, draws
from rnnquiz.witness.draws import replay
from rnnquiz.witness.models import build_model as build_whole

sizes = st.one_of(st.integers(0, 300), st.tuples(st.integers(0, 9), st.integers(0, 40)),
                  st.just((2, 3, 4)), st.just([3, 2]), st.just(np.int64(5)),
                  st.just(()), st.just([]), st.just(np.array(4)), st.just((np.int8(3), 2)),
                  st.integers(3000, 6000))  # (past the store's first growth, 4,096 values)
out_shapes = st.one_of(st.integers(1, 200), st.just(()), st.just((3, 4)), st.just((0, 2)))
calls = st.one_of(
    st.tuples(st.just("random"), sizes),
    st.tuples(st.just("random_out"), out_shapes),
    st.tuples(st.just("normal_out"), out_shapes),
    st.tuples(st.just("standard_normal"), sizes),
    st.tuples(st.just("random_f32"), sizes),
    st.tuples(st.just("integers"), st.integers(1, 50)),
    st.tuples(st.just("uniform"), st.integers(1, 20)),
)


def _call(rng, what, arg):
    if what == "random":
        return rng.random(arg)
    if what in ("random_out", "normal_out"):
        out = np.full(arg, -1.0)
        draw = rng.random if what == "random_out" else rng.standard_normal
        assert draw(out=out) is out
        return out
    if what == "standard_normal":
        return rng.standard_normal(arg)
    if what == "random_f32":
        return rng.random(arg, dtype=np.float32)
    if what == "integers":
        return rng.integers(0, 1000, size=arg)
    return rng.uniform(-2.0, 3.0, size=arg)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([0, 1, 7]), st.lists(calls, max_size=6), st.booleans())
def test_every_sequence_of_calls_gives_default_rngs_values(seed, sequence, small_store):
    limit = draws.STORE_LIMIT
    draws.STORE_LIMIT = 250 if small_store else limit  # past the store: the real Generator
    try:
        ours, theirs = replay(seed), np.random.default_rng(seed)
        for what, arg in sequence:
            a, b = _call(ours, what, arg), _call(theirs, what, arg)
            assert a.dtype == b.dtype and a.shape == b.shape
            assert np.array_equal(a, b), (what, arg)
            assert a.flags.writeable and a.flags.owndata or what.endswith("_out")
    finally:
        draws.STORE_LIMIT = limit


def test_a_replayed_array_is_its_own_and_the_store_is_unchanged():
    first = replay(3).random(10)
    first[:] = 0
    assert np.array_equal(replay(3).random(10), np.random.default_rng(3).random(10))


@pytest.mark.parametrize("size", [
    -1, (2, -3), 2.5, "3", True, (True, 2), [3, False], np.True_, (2**62, 2**62, 0), 2**64,
    (0, -1), ((2,), 3)])
@pytest.mark.parametrize("kind", ["random", "standard_normal"])
def test_bad_sizes_fail_as_numpy_fails(size, kind):
    with pytest.raises((ValueError, TypeError)) as theirs:
        getattr(np.random.default_rng(0), kind)(size)
    with pytest.raises(theirs.type, match=theirs.value.args[0][:30]):
        getattr(replay(0), kind)(size)


def _unaligned(n):
    out = np.zeros(8 * n + 1, np.uint8)[1:].view(np.float64)
    assert not out.flags.aligned and out.flags.c_contiguous and out.flags.writeable
    return out


@pytest.mark.parametrize("out", [
    lambda: [0.0, 0.0], lambda: _unaligned(3), lambda: np.zeros(3, ">f8"),
    lambda: np.zeros(3, np.float32), lambda: np.zeros(6)[::2]])
def test_bad_out_arrays_fail_as_numpy_fails(out):
    with pytest.raises((ValueError, TypeError)) as theirs:
        np.random.default_rng(0).random(out=out())
    with pytest.raises(theirs.type):
        replay(0).random(out=out())


def test_a_read_only_out_array_fails_as_numpy_fails():
    for rng in (np.random.default_rng(0), replay(0)):
        out = np.zeros(3)
        out.flags.writeable = False
        with pytest.raises(ValueError, match="writable"):
            rng.random(out=out)


@pytest.mark.parametrize("used", ["random", "standard_normal", "integers", None])
def test_a_pickled_or_copied_replay_goes_on_as_a_copied_generator(used):
    import copy
    import pickle

    ours, theirs = replay(4), np.random.default_rng(4)
    if used is not None:
        for rng in (ours, theirs):
            getattr(rng, used)(7)
    copies = [pickle.loads(pickle.dumps(ours)), copy.deepcopy(ours), copy.copy(ours)]
    expected = theirs.random(5)
    for other in copies:
        assert np.array_equal(other.random(5), expected)
    assert np.array_equal(ours.random(5), expected)  # each copy drew on its own


def test_the_store_holds_a_few_seeds_only():
    for seed in range(20):
        replay(seed + 100).random(5)
    assert len(draws._STORES) <= draws.STORES


@pytest.mark.parametrize("line", [
    "Embedding(30000, 64) > LSTM(128) > Dense(10)",  # a table past Maker.BLOCK (out=)
    "nn.GRU(8, 16, num_layers=2, bidirectional=True) > nn.Linear(32, 3)",
])
def test_a_whole_model_built_on_a_replay_is_the_one_built_on_default_rng(line):
    ours = build_whole(line, rng=replay(0))
    theirs = build_whole(line, rng=np.random.default_rng(0))
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    for (_, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        assert np.array_equal(a, b)
    assert np.array_equal(ours.layers[-1].outputs[0], theirs.layers[-1].outputs[0])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_a_network_built_on_a_replay_is_the_one_built_on_default_rng(cell):
    net = Network(m=5, n=7, p=3, cell=cell, layers=2, bidirectional=True, convention="pytorch")
    ours = build_model(net, rng=replay(0))
    theirs = build_model(net, rng=np.random.default_rng(0))
    for (_, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("line", [
    "Embedding(5000, 32, input_length=100) > LSTM(100) > Dense(1, activation='sigmoid')",
    "nn.Embedding(10000, 300) > nn.LSTM(300, 128, num_layers=2, bidirectional=True, "
    "batch_first=True) > nn.Linear(256, 5)",
    "Input(shape=(20, 8)) > Bidirectional(GRU(16)) > Dense(3)",
])
def test_the_checks_draw_every_weight_from_the_store(line, monkeypatch):
    """verify_model draws its example input from a replay of its own, so the weights' replay
    makes no other call and never needs a real Generator (the check's weights were all drawn
    anew when the input came first from the same replay)."""
    from rnnquiz import verification

    made = []

    def tracked(seed):
        made.append(replay(seed))
        return made[-1]
    monkeypatch.setattr(verification, "replay", tracked)
    assert verification.verify_model(line).ok
    weights = made[0]
    assert weights._used > 0 and weights._real is None


def test_threads_growing_one_store_at_once_get_default_rngs_values():
    from concurrent.futures import ThreadPoolExecutor

    draws._STORES.clear()
    expected = np.random.default_rng(11).random(300_000)

    def draw(k):
        r = replay(11)
        return [r.random(1000 + 37 * k) for _ in range(8)]

    with ThreadPoolExecutor(8) as pool:
        for got in pool.map(draw, range(16)):
            assert np.array_equal(np.concatenate(got), expected[:sum(map(len, got))])


def test_a_store_grows_right_in_a_child_forked_while_its_lock_was_held():
    """A thread of the parent growing a store at the fork (its lock held, its generator
    halfway) left the child a lock nobody would release: the child hung at its first growth."""
    import os
    import signal

    draws._STORES.clear()
    replay(12).random(10)  # the store exists, 4,096 values long
    store = draws._STORES[(12, "random")]
    store._lock.acquire()
    store._generator.random(99)  # the draw that thread was making, not yet in the store
    try:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            signal.alarm(20)  # a hang ends the child instead of the test run
            ok = np.array_equal(replay(12).random(9000),
                                np.random.default_rng(12).random(9000))
            os._exit(0 if ok else 3)
    finally:
        store._lock.release()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_the_textbook_checks_draw_every_weight_from_the_store(monkeypatch):
    """drill/checking.py builds the textbook witnesses on replay(0) and their inputs on
    replay(1): no draw of theirs may need a real Generator (no gain if it did)."""
    from rnnquiz.drill import checking
    from rnnquiz.drill.models import is_model
    from rnnquiz.drill.problems import _draw_fit
    from rnnquiz.drill.templates import shipped_templates

    made = []

    def tracked(seed):
        made.append(replay(seed))
        return made[-1]
    monkeypatch.setattr(checking, "replay", tracked)
    checked = set()
    import random

    for template in shipped_templates():
        for seed in range(3):
            values, net, solved, *_ = _draw_fit(template, seed, random.Random(seed))
            if not is_model(net):
                assert checking.check(net, template.ask, solved) == []
                checked.add(template.ask["quantity"])
    assert {"T_changes_count", "hidden_states", "multiply_adds", "stored_values",
            "gradient_terms"} <= checked
    assert made and all(r._real is None for r in made)
    assert {r._seed for r in made if r._used} == {0, 1}


def test_a_growth_interrupted_after_its_draw_skips_no_values():
    """An exception between the store's draw and its new values' place (Ctrl-C in a
    notebook, a MemoryError) left the generator ahead of the store: the next growth skipped
    the values drawn for nothing."""
    draws._STORES.clear()
    replay(13).standard_normal(10)  # the store exists, 4,096 values long
    store = draws._store(13, "standard_normal")
    real = store._generator

    class Interrupted:  # draws (the generator moves on), then the interrupt comes
        def standard_normal(self, *args, **kwargs):
            real.standard_normal(*args, **kwargs)
            raise MemoryError  # (a KeyboardInterrupt would stop pytest itself)
    store._generator = Interrupted()
    with pytest.raises(MemoryError):
        replay(13).standard_normal(5000)
    assert np.array_equal(replay(13).standard_normal(9000),
                          np.random.default_rng(13).standard_normal(9000))
