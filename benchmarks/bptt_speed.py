"""Forward + BPTT speed of the NumPy model: batch 32, T 64, m 64, n 256, float32 and float64.

Prints the time per sequence for the model (input projection of all steps in one matrix
product, the batch in every product), for a plain per-step Python loop over one sequence at a
time, and for torch.nn's CPU RNN when PyTorch is installed, the two alternated. Goal (issue
11): float32 LSTM within 1.15x of the framework in paired runs, RNN and GRU no slower. For the
LSTM it also prints the BLAS floor: the matrix products of its forward pass and BPTT alone,
timed in the same run (``witness/lstm_sequence.py``'s shapes: one (4n, n+m+1) @ (n+m+1, batch)
product a step forward, one (n, 4n) @ (4n, batch) a step backward, one (4n, T·batch) @
(T·batch, n+m+1) for every weight gradient).

    python benchmarks/bptt_speed.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

# One thread for NumPy's BLAS as for torch: the figures compare code, not core counts.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from rnnquiz.description.network import Network  # noqa: E402
from rnnquiz.witness import build_model  # noqa: E402

B, T, M, N = 32, 64, 64, 256


def best_of(fn, repeats, clock=time.perf_counter):
    fn()  # warm up
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return min(times), statistics.median(times)


def model_step(cell, dtype):
    model = build_model(Network(M, N, cell=cell, convention="pytorch"),
                        rng=np.random.default_rng(0), dtype=dtype)
    rng = np.random.default_rng(1)
    xs = rng.standard_normal((T, B, M)).astype(dtype)
    targets = rng.standard_normal((T, B, N)).astype(dtype)
    return lambda: model.loss_and_grads(xs, targets)


def plain_loop(dtype):
    """The textbook loop: one sequence, one step, one matrix-vector product at a time."""
    rng = np.random.default_rng(0)
    w_xh = (rng.standard_normal((N, M)) / 16).astype(dtype)
    w_hh = (rng.standard_normal((N, N)) / 16).astype(dtype)
    b = np.zeros(N, dtype)
    xs = rng.standard_normal((B, T, M)).astype(dtype)
    targets = rng.standard_normal((B, T, N)).astype(dtype)

    def run():
        dw_xh, dw_hh, db = np.zeros_like(w_xh), np.zeros_like(w_hh), np.zeros_like(b)
        for s in range(B):
            hs = [np.zeros(N, dtype)]
            for t in range(T):
                hs.append(np.tanh(w_xh @ xs[s, t] + w_hh @ hs[-1] + b))
            dh = np.zeros(N, dtype)
            for t in reversed(range(T)):
                dh = dh + (hs[t + 1] - targets[s, t])
                da = dh * (1 - hs[t + 1] ** 2)
                dw_xh += np.outer(da, xs[s, t])
                dw_hh += np.outer(da, hs[t])
                db += da
                dh = w_hh.T @ da
        return dw_xh, dw_hh, db

    return run


def torch_step(cell, dtype):
    import torch

    torch.manual_seed(0)
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    rnn = cls(M, N).to(tdtype)
    xs = torch.randn(T, B, M, dtype=tdtype)
    targets = torch.randn(T, B, N, dtype=tdtype)

    def run():
        rnn.zero_grad()
        out, _ = rnn(xs)
        (0.5 * ((out - targets) ** 2).sum()).backward()

    return run


def paired(ours_fn, theirs_fn, repeats):
    """Alternate the two; (best of ours, best of theirs, median of the per-pair ratios).

    CPU time of this process (both run on one thread), so other jobs on a loaded machine
    distort the figures less than wall time would."""
    ours_fn()
    theirs_fn()
    ours, theirs = [], []
    for _ in range(repeats):
        for fn, into in ((ours_fn, ours), (theirs_fn, theirs)):
            start = time.process_time()
            fn()
            into.append(time.process_time() - start)
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    return min(ours), min(theirs), statistics.median(ratios)


def lstm_products(dtype):
    """The products of the LSTM's forward + BPTT alone, on random arrays of the same shapes."""
    rng = np.random.default_rng(2)
    k = N + M + 1

    def make(*shape):
        return rng.standard_normal(shape).astype(dtype)

    w, w_rec_t, hx, dz, rows = make(4 * N, k), make(N, 4 * N), make(T, k, B), \
        make(T, 4 * N, B), make(T * B, k)
    z, dh, dz_all = make(4 * N, B), make(N, B), make(4 * N, T * B)

    def run():
        for t in range(T):
            np.matmul(w, hx[t], out=z)
        for t in range(T):
            np.matmul(w_rec_t, dz[t], out=dh)
        return dz_all @ rows

    return run


GOALS = {"rnn": 1.0, "lstm": 1.15, "gru": 1.0}  # issue 11, float32, paired runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    repeats = parser.parse_args().repeats
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None
    print(f"forward + BPTT, batch {B}, T {T}, m {M}, n {N}; CPU time per sequence (best "
          f"of {repeats}, one thread each); ratio: median of {repeats} alternated pairs; load "
          f"{os.getloadavg()[0]:.1f}")
    for dtype in (np.float32, np.float64):
        name = np.dtype(dtype).name
        for cell in ("rnn", "lstm", "gru"):
            if torch is None:
                ours, _ = best_of(model_step(cell, dtype), repeats)
                print(f"{name:<8} {cell:<5} rnnquiz {1e3 * ours / B:8.3f} ms   torch not "
                      "installed: no framework figure")
                continue
            ours, theirs, ratio = paired(model_step(cell, dtype), torch_step(cell, dtype),
                                         repeats)
            goal = f"(goal <= {GOALS[cell]}x)" if dtype == np.float32 else ""
            print(f"{name:<8} {cell:<5} rnnquiz {1e3 * ours / B:8.3f} ms   torch "
                  f"{1e3 * theirs / B:8.3f} ms   paired ratio {ratio:5.2f}x {goal}")
            if cell == "lstm":
                floor, _ = best_of(lstm_products(dtype), repeats, time.process_time)
                print(f"{name:<8} lstm  BLAS floor (the products alone) {1e3 * floor / B:8.3f} "
                      f"ms: rnnquiz at {ours / floor:4.2f}x, torch at {theirs / floor:4.2f}x")
        loop, _ = best_of(plain_loop(dtype), max(1, repeats // 2))
        print(f"{name:<8} rnn   plain per-step Python loop {1e3 * loop / B:8.3f} ms")


if __name__ == "__main__":
    main()
