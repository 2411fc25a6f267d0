"""Time to build and run the whole-model witness, and to check a large model on placeholders.

Prints, for the issue's three example models and a few others, the best time to build the
witness with real weights and run it forward (batch 2), and to build it on zero-stride
placeholders (shapes and counts only, as verify_model does first).

    python benchmarks/witness_models.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import time

from rnnquiz.witness.models import build_model

MODELS = [
    ("Embedding(5000, 32, input_length=100) > LSTM(100) > Dense(1, activation='sigmoid')", None),
    ("Input(shape=(16, 4096)) > Bidirectional(LSTM(64, return_sequences=True)) > "
     "TimeDistributed(Dense(10))", None),
    ("nn.Embedding(10000, 300) > nn.LSTM(300, 128, num_layers=2, bidirectional=True, "
     "batch_first=True) > nn.Linear(256, 5)", 50),
    ("Input(shape=(200, 8)) > Conv1D(32, 5, padding='causal') > MaxPooling1D(2) > "
     "GRU(64, return_sequences=True) > LayerNormalization() > GlobalAveragePooling1D() > "
     "Dense(3)", None),
    ("Embedding(2000000, 3000) > LSTM(4000) > Dense(1000)", 1000),
]


def best(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'parameters':>14} {'forward':>10} {'shapes':>10}  model")
    for line, T in MODELS:
        shapes = build_model(line, T=T, allocate=False)
        count = shapes.count()
        placeholder = best(lambda li=line, t=T: build_model(li, T=t, allocate=False),
                           args.repeats)
        if count <= 5_000_000:
            run = best(lambda li=line, t=T: build_model(li, T=t), args.repeats)
            forward = f"{run * 1e3:8.1f}ms"
        else:
            forward = "skipped"
        print(f"{count:>14,} {forward:>10} {placeholder * 1e3:8.1f}ms  {line[:60]}")


if __name__ == "__main__":
    main()
