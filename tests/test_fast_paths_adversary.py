"""The fast paths of the speed work (issue 11), attacked: each must give what the plain path
gave, and fail the way it failed."""

import signal

import pytest

import rnnquiz.__main__ as entry


@pytest.mark.parametrize("where", ["fast path", "loading the CLI"])
def test_ctrl_c_before_click_runs_is_aborted_not_a_traceback(where, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    if where == "fast path":
        monkeypatch.setattr(entry, "fast_count", interrupted)
        args = ["count", "--m", "3", "--n", "4"]
    else:  # Ctrl-C while click and the command's modules load, before click's own handler
        import rnnquiz.cli

        monkeypatch.setattr(rnnquiz.cli, "main", interrupted)
        args = ["export", "--format", "json"]
    before = signal.getsignal(signal.SIGINT)
    assert entry.main(args) == 1
    assert signal.getsignal(signal.SIGINT) is before  # called with arguments: untouched
    out, err = capsys.readouterr()
    assert out == "" and err == "\nAborted.\n"  # what click says for Ctrl-C once it runs


# --- the witness: every path computes in the same dtype, integer inputs included -----------

def _paths(monkeypatch, fast):
    from rnnquiz.witness.model import Model

    for flag in ("fast_lstm", "fast_rnn", "fast_gru"):
        monkeypatch.setattr(Model, flag, fast)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("xs_dtype", ["int64", "float32", "bool"])
def test_the_witness_paths_agree_on_inputs_of_another_dtype(cell, xs_dtype, monkeypatch):
    """Integer inputs were truncated to integer states on the per-step path (all zeros), and
    the LSTM's whole-sequence path promoted float32 inputs where the per-step path did not."""
    import numpy as np

    from rnnquiz import Network, build_model

    net = Network(m=3, n=4, p=2, cell=cell, layers=2, bidirectional=True,
                  convention="pytorch")
    xs = (np.random.default_rng(1).standard_normal((5, 2, 3)) * 3).astype(xs_dtype)
    h0 = np.random.default_rng(2).standard_normal((4, 2, 4))
    results = {}
    for fast in (True, False):
        _paths(monkeypatch, fast)
        model = build_model(net, rng=np.random.default_rng(0))
        results[fast] = model.forward(xs, h0=h0)
        as_float = model.forward(xs.astype(np.float64), h0=h0)
        assert results[fast].dtype == np.float64
        np.testing.assert_allclose(results[fast], as_float, rtol=0, atol=1e-12)
        hidden = model.hidden(xs, h0=h0)  # (the drill's checks call it directly)
        assert hidden.dtype == np.float64
        np.testing.assert_allclose(hidden, model.hidden(xs.astype(np.float64), h0=h0),
                                   rtol=0, atol=1e-12)
    np.testing.assert_allclose(results[True], results[False], rtol=0, atol=1e-12)


@pytest.mark.parametrize("line", ["Input(shape=(3, 2)) > LSTM(4)",
                                  "Input(shape=(3, 2)) > SimpleRNN(4)",
                                  "Input(shape=(3, 2)) > GRU(4)", "nn.LSTM(2, 4, proj_size=2)"])
def test_a_whole_models_recurrent_layer_does_not_truncate_integer_inputs(line):
    import numpy as np

    from rnnquiz.calculator.model import read_model
    from rnnquiz.witness.models import build_model

    model = build_model(read_model(line), T=3, batch=2)
    ints = np.arange(12).reshape(model.example_input(batch=2).shape) % 3 - 1
    out, as_float = model.forward(ints), model.forward(ints.astype(np.float64))
    out, as_float = (o[0] if isinstance(o, tuple) else o for o in (out, as_float))
    assert out.dtype == np.float64 and np.abs(out).max() > 0
    np.testing.assert_array_equal(out, as_float)


# --- the JSON writer ------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["\x00float0\x00", "\x00float1\x00", "\x00float7\x00"])
def test_a_text_that_looks_like_the_float_placeholder_stays_text(text):
    """Floats were written as placeholder strings, swapped afterwards for their decimals: a
    template's text that was such a placeholder ("\\0float0\\0" in YAML) became a number."""
    import json

    from rnnquiz.export.jsonfmt import _encode

    value = {"hints": [text, "a"], "answer": {"value": 16.74, "tolerance": 5e-05},
             text: [0.5, text]}
    assert json.loads(_encode(value)) == value
    assert _encode(value).count("5e-05") == 0  # the floats themselves still plain


# --- signals during a command: the first ends it, the cleanup it starts runs to the end -----

def test_a_second_signal_during_the_cleanup_of_the_first_is_ignored():
    """An impatient second Ctrl-C (or SIGTERM) arrived while the first one's cleanup ran (the
    workers reaped, the staged figures removed): a traceback after "Aborted.", and temporary
    folders left beside the export."""
    import os
    import signal

    from rnnquiz.cli import _signals_end_cleanly

    numbers = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
    before = {n: signal.getsignal(n) for n in numbers}
    cleaned = False
    try:
        with pytest.raises(KeyboardInterrupt), _signals_end_cleanly():
            try:
                os.kill(os.getpid(), signal.SIGINT)  # the first Ctrl-C: the command stops
                for _ in range(10**7):  # (the handler runs at once; never this long)
                    pass
            finally:  # the cleanup the first Ctrl-C started
                os.kill(os.getpid(), signal.SIGINT)
                for number in (signal.SIGTERM, signal.SIGHUP):
                    if signal.getsignal(number) is not signal.SIG_DFL:  # never kill pytest
                        os.kill(os.getpid(), number)
                for _ in range(1000):
                    pass
                cleaned = True
        assert cleaned
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def test_the_program_ignores_ctrl_c_once_its_command_has_ended(monkeypatch, capsys):
    """Run as the program, a Ctrl-C while Python shuts down (after the command's output)
    printed a KeyboardInterrupt traceback from the interpreter's own shutdown."""
    import signal
    import sys

    before = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(sys, "argv", ["rnnquiz", "count", "--m", "3", "--n", "4", "--verify"])
    try:
        assert entry.main() == 0
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)
    assert entry.main(["count", "--m", "3", "--n", "4", "--verify"]) == 0
    assert signal.getsignal(signal.SIGINT) is before  # called with arguments: untouched
    capsys.readouterr()


@pytest.mark.parametrize("cell,proj", [("lstm", 0), ("lstm", 2), ("gru", 0), ("rnn", 0)])
@pytest.mark.parametrize("p", [None, 2])
def test_backward_runs_in_the_models_precision_on_every_path(cell, proj, p, monkeypatch):
    """A float64 gradient into a float32 model with an output layer: the per-step cells ran
    backward in float64 (c0's gradient float64) while the LSTM's whole-sequence path ran in
    float32; without an output layer the gradient was already cast to the model's dtype."""
    import numpy as np

    from rnnquiz import Network, build_model

    net = Network(3, 4, p, cell=cell, layers=2, convention="pytorch", proj_size=proj)
    xs = np.random.default_rng(1).standard_normal((5, 2, 3)).astype(np.float32)
    grads = {}
    for fast in (True, False):
        _paths(monkeypatch, fast)
        model = build_model(net, rng=np.random.default_rng(0), dtype=np.float32)
        ys, cache = model.forward_cache(xs)
        d = np.random.default_rng(2).standard_normal(ys.shape)  # float64
        grads[fast] = {**model.backward(cache, d, input_grad=True), "dxs": cache["dxs"]}
        assert {g.dtype for g in grads[fast].values()} == {np.dtype(np.float32)}
    for name, value in grads[True].items():
        np.testing.assert_allclose(value, grads[False][name], rtol=2e-5, atol=1e-6)


# --- bulk: every format's piece made in worker processes is what one process makes ---------

def test_every_formats_pieces_from_workers_are_the_same_bytes(monkeypatch):
    """What each export writer gets back from the workers (a format's piece of each problem,
    or the whole problems for Moodle and HTML) gives the same file as one process, figures
    included (the figure templates come up every few problems); chunks of 7, so that three
    workers send them back out of order."""
    import functools

    from rnnquiz.drill import bulk
    from rnnquiz.drill.bulk import generate_many
    from rnnquiz.drill.practice import plan
    from rnnquiz.drill.templates import shipped_templates
    from rnnquiz.export import anki, gift, jsonfmt, markdown
    from rnnquiz.export.html import to_html
    from rnnquiz.export.moodle import to_moodle_xml

    monkeypatch.setattr(bulk, "CHUNK", 7)
    meta = {"seed": 4, "generator": "test"}
    picks = plan(shipped_templates(), 45, 4)
    writers = {
        "json": (jsonfmt.piece, lambda made: "".join(jsonfmt.iter_json_lines(
            (line for line, _ in made), meta)) + repr([f for _, f in made])),
        "gift": (gift.piece, lambda made: gift.from_pieces(made, meta)),
        "markdown": (functools.partial(markdown.piece, images=True),
                     lambda made: markdown.from_pieces(made, meta) + repr(made)),
        "anki": (anki.note_piece, repr),
        "whole": (None, lambda made: to_moodle_xml(made, meta) + to_html(made, meta)),
    }
    for name, (then, write) in writers.items():
        alone = write(list(generate_many(picks, workers=1, then=then)))
        pooled = write(list(generate_many(picks, workers=3, then=then)))
        assert pooled == alone, name
    assert "fig-" in writers["markdown"][1](list(generate_many(picks, workers=1,
                                                               then=writers["markdown"][0])))
