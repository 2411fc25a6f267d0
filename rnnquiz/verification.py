"""Check the rules engine against the NumPy witness, tensor by tensor, and run the forward pass."""

from __future__ import annotations

import numpy as np

from rnnquiz.calculator.rules import count, described
from rnnquiz.description.network import integer, shown
from rnnquiz.errors import NetworkError, VerificationError
from rnnquiz.witness import build_model

# Above this many parameters the weights are not allocated: shapes and counts are still checked
# (the witness builds zero-stride placeholders), the forward pass is skipped.
FORWARD_LIMIT = 2_000_000
# The forward check runs at most this many steps (T itself can be any size).
FORWARD_STEPS = 100
# The witness holds every tensor as a NumPy array (a placeholder when too large to allocate),
# and NumPy arrays have fewer than 2^63 elements: the largest, (4n, 2n), fits with n = 10^9.
MAX_WITNESS_SIZE = 10**9
MAX_BATCH = 1024


class Verification:
    """The outcome of one check: what was compared, what differed, what ran."""

    def __init__(self, network):
        self.network = network
        self.differences = []
        self.tensors_checked = 0
        self.with_bias = None
        self.without_bias = None
        self.forward_input = None
        self.forward_output = None

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def forward_ran(self) -> bool:
        return self.forward_output is not None

    def raise_for_differences(self) -> None:
        if self.differences:
            raise VerificationError("verification failed: " + "; ".join(self.differences))

    def as_dict(self) -> dict:
        return {
            "verified": self.ok,
            "differences": list(self.differences),
            "tensors_checked": self.tensors_checked,
            "parameters": {"with_bias": self.with_bias, "without_bias": self.without_bias},
            "forward": None if not self.forward_ran else {
                "input_shape": list(self.forward_input), "output_shape": list(self.forward_output),
            },
        }


def _compare_tensors(result, engine_tensors, model) -> None:
    mine = [(t.name, tuple(t.shape)) for t in engine_tensors]
    theirs = [(name, tuple(a.shape)) for name, a in model.named_parameters()]
    result.tensors_checked = len(mine)
    theirs_by_name = dict(theirs)
    mine_by_name = dict(mine)
    for name, shape in mine:
        if name not in theirs_by_name:
            result.differences.append(f"{name}: stated by the engine, absent from the NumPy model")
        elif theirs_by_name[name] != shape:
            result.differences.append(
                f"{name}: engine says {shape}, NumPy model has {theirs_by_name[name]}")
    for name, shape in theirs:
        if name not in mine_by_name:
            result.differences.append(f"{name}: the NumPy model has {shape}, the engine omits it")
    if not result.differences and [n for n, _ in mine] != [n for n, _ in theirs]:
        result.differences.append("the tensors are the same but listed in a different order")


def verify(net, *, run_forward: bool = True, seed: int = 0, batch: int = 2) -> Verification:
    """Build the witness for ``net`` and compare it with ``rules.count(net)``.

    Compares every tensor's name and shape, and the totals with and without bias (each from a
    witness built with that bias setting). When the network has at most ``FORWARD_LIMIT``
    parameters, also allocates real weights and runs xs (T, batch, m) forward (T = net.T, or 3
    when not given, at most FORWARD_STEPS), checking the output is (T, batch, p) (or
    (T, batch, D*n)) and finite.

    m, n and p must be at most MAX_WITNESS_SIZE, ``batch`` from 1 to MAX_BATCH, ``seed`` a
    non-negative integer; anything else raises NetworkError naming it.
    """
    described(net)
    batch = integer("batch", batch, high=MAX_BATCH)
    seed = integer("seed", seed, low=0)
    for field in ("m", "n", "p"):
        value = getattr(net, field)
        if value is not None and value > MAX_WITNESS_SIZE:
            raise NetworkError(field, f"at most {MAX_WITNESS_SIZE:,} for the NumPy witness to "
                                      f"check, got {shown(value)} (counting has no such limit)")
    result = Verification(net)
    engine = count(net)
    _compare_tensors(result, engine.tensors, build_model(net, allocate=False))
    with_bias = build_model(net.replace(bias=True), allocate=False).count()
    without = build_model(net.replace(bias=False), allocate=False).count()
    result.with_bias, result.without_bias = with_bias, without
    if with_bias != engine.with_bias:
        result.differences.append(
            f"total with bias: engine says {engine.with_bias}, NumPy model has {with_bias}")
    if without != engine.without_bias:
        result.differences.append(
            f"total without bias: engine says {engine.without_bias}, NumPy model has {without}")
    if run_forward and engine.total <= FORWARD_LIMIT:
        rng = np.random.default_rng(seed)
        model = build_model(net, rng=rng)
        T = min(net.T or 3, FORWARD_STEPS)
        xs = rng.standard_normal((T, batch, net.m))
        ys = model.forward(xs)
        width = net.p if net.p is not None else net.directions * (net.proj_size or net.n)
        result.forward_input, result.forward_output = xs.shape, ys.shape
        if ys.shape != (T, batch, width):
            result.differences.append(
                f"forward pass: expected output {(T, batch, width)}, got {ys.shape}")
        elif not np.all(np.isfinite(ys)):
            result.differences.append("forward pass: the output is not finite")
    return result
