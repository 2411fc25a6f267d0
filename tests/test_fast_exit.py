"""Run as the program, the fast path ends the process as soon as its answer is flushed: the
answer is whole, in a file or a pipe, and the status is 0."""

import subprocess
import sys

import pytest

from rnnquiz.__main__ import main

LINE = "Embedding(5000, 32, input_length=100) > LSTM(100) > Dense(1, activation='sigmoid')"


@pytest.mark.parametrize("args", [
    ["count", "--m", "10", "--n", "20", "--p", "5", "--explain", "--diagram"],
    ["count", "--m", "3", "--n", "4", "--json"], ["count", LINE, "--json", "--explain"],
    ["count", "FILE"], ["list"],
])
def test_the_whole_answer_is_written_before_the_process_ends(args, tmp_path, capsys):
    model = tmp_path / "model.yaml"
    model.write_text("".join(f"- {layer.strip()}\n" for layer in LINE.split(">")))
    args = [str(model) if a == "FILE" else a for a in args]
    assert main(args) == 0  # with a list of arguments, main returns
    expected = capsys.readouterr().out
    out = tmp_path / "out.txt"
    with open(out, "wb") as f:
        done = subprocess.run([sys.executable, "-m", "rnnquiz", *args], stdout=f,
                              stderr=subprocess.PIPE, timeout=60)
    assert done.returncode == 0 and done.stderr == b""
    assert out.read_text(encoding="utf-8") == expected
    piped = subprocess.run([sys.executable, "-m", "rnnquiz", *args], capture_output=True,
                           timeout=60)
    assert piped.returncode == 0 and piped.stdout.decode("utf-8") == expected
