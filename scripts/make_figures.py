"""Regenerate the figures shown in the README (docs/figures/*.svg).

    python scripts/make_figures.py           # write them
    python scripts/make_figures.py --check   # exit 1, naming them, if any is out of date

tests/test_figures.py runs the check, so the committed images always match the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "docs" / "figures"


def figures() -> dict:
    """File name -> SVG text of every README figure."""
    from rnnquiz.calculator.model import count_model
    from rnnquiz.description.network import Network
    from rnnquiz.figures import network_svg
    from rnnquiz.figures.grid import grid_svg
    from rnnquiz.figures.model import model_svg
    from rnnquiz.figures.trace import trace_svg
    from rnnquiz.witness.trace import random_spec, trace

    return {
        **_problem_figures(),
        "network-textbook.svg": network_svg(Network(3, 4, 2)),
        "network-pytorch-lstm.svg": network_svg(
            Network(3, 4, 2, cell="lstm", convention="pytorch", layers=2, bidirectional=True)),
        "network-keras-gru.svg": network_svg(
            Network(3, 4, 2, T=4, cell="gru", convention="keras", layers=2),
            last_output_only=True),
        "grid-textbook.svg": grid_svg(Network(3, 4, 2)),
        "grid-keras-lstm.svg": grid_svg(Network(3, 2, cell="lstm", convention="keras")),
        "trace-backward.svg": trace_svg(trace(random_spec(seed=4), backward=True)),
        "model-keras.svg": model_svg(count_model(
            "Embedding(5000, 32, input_length=100) > Bidirectional(LSTM(64)) > "
            "Dense(1, activation='sigmoid')")),
        "trace-long.svg": trace_svg(trace(random_spec(m=1, n=1, p=0, T=30, seed=2,
                                                      activation="tanh"), backward=True)),
    }


def _problem_figures() -> dict:
    """Figures inside problems: two shipped figure templates at seed 1."""
    from rnnquiz.drill.problems import generate
    from rnnquiz.drill.templates import shipped_templates

    wanted = {"unrolled-shape-whh": 1, "grid-recurrent-weights": 1}
    out = {}
    for t in shipped_templates():
        if t.id in wanted:
            out[f"problem-{t.id}.svg"] = generate(t, wanted[t.id]).figure.svg
    return out


def stale(folder: Path = FOLDER) -> list:
    """Names of the figures whose committed file differs from what the code draws now."""
    out = []
    for name, text in figures().items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            out.append(name)
    return out


def main(argv) -> int:
    if "--check" in argv:
        names = stale()
        if names:
            print(f"out of date: {', '.join(names)} (run python scripts/make_figures.py)")
            return 1
        print("docs/figures is up to date")
        return 0
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name, text in figures().items():
        (FOLDER / name).write_text(text, encoding="utf-8")
        print(f"wrote docs/figures/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
