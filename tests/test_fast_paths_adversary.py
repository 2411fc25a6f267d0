"""The fast paths of the speed work (issue 11), attacked: each must give what the plain path
gave, and fail the way it failed."""

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
    assert entry.main(args) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == "\nAborted.\n"  # what click says for Ctrl-C once it runs
