"""Check the rules engine against the NumPy witness, tensor by tensor, and run the forward pass."""

from __future__ import annotations

import math

import numpy as np

from rnnquiz.calculator.rules import count, described
from rnnquiz.description.network import integer, shown
from rnnquiz.errors import ModelError, NetworkError, VerificationError
from rnnquiz.witness import build_model
from rnnquiz.witness.draws import replay

# Above this many parameters the weights are not allocated: shapes and counts are still checked
# (the witness builds zero-stride placeholders), the forward pass is skipped.
FORWARD_LIMIT = 2_000_000
# The forward check runs at most this many steps (T itself can be any size).
FORWARD_STEPS = 100
# The witness holds every tensor as a NumPy array (a placeholder when too large to allocate),
# and NumPy arrays have fewer than 2^63 elements: the largest, (4n, 2n), fits with n = 10^9.
MAX_WITNESS_SIZE = 10**9
MAX_BATCH = 1024


class _Outcome:
    """What every check's outcome answers: did anything differ, did the forward pass run."""

    differences: list
    forward_output = None

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def forward_ran(self) -> bool:
        return self.forward_output is not None

    def raise_for_differences(self) -> None:
        if self.differences:
            raise VerificationError("verification failed: " + "; ".join(self.differences))


class Verification(_Outcome):
    """The outcome of one check: what was compared, what differed, what ran."""

    def __init__(self, network):
        self.network = network
        self.differences = []
        self.tensors_checked = 0
        self.with_bias = None
        self.without_bias = None
        self.forward_input = None
        self.forward_output = None

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
        rng = replay(seed)
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


# --- whole models ----------------------------------------------------------------------------

# A whole model's forward pass runs when its weights fit in memory and the work is modest:
# at most this many parameters, and this many parameter-steps (non-embedding parameters × T ×
# batch). Above either, the witness runs on placeholders: shapes and counts, no values.
MODEL_FORWARD_LIMIT = 5_000_000
MODEL_WORK_LIMIT = 200_000_000
# ... and at most this many time steps (recurrent layers step through T in Python).
MODEL_STEPS_LIMIT = 5_000
# The switches that add or remove a layer's additive offsets, in each framework's own names
# (Keras normalisation layers call theirs center; nn.LayerNorm's bias needs its affine part).
# The sizes the witness can hold at all, even as placeholders: each tensor axis and each axis
# of a layer's input or output (index arrays run along the time axis), and the values of one
# tensor (NumPy indexes arrays with 64-bit integers). Beyond them ``verify_model`` refuses.
MODEL_WITNESS_AXIS = 10**9
MODEL_WITNESS_STEPS = 10**8
MODEL_WITNESS_VALUES = 10**18
# The forward pass also holds every layer's output for the batch: at most this many values.
MODEL_ACTIVATION_LIMIT = 50_000_000
_BIAS_SWITCHES = {"keras": ("use_bias", "center"), "pytorch": ("bias",)}


class ModelVerification(_Outcome):
    """The outcome of checking a whole model: the engine's figures against the witness's,
    layer by layer (names, tensors, counts, trainable split, output shapes) and in total."""

    def __init__(self, spec, T, batch):
        self.spec = spec
        self.T, self.batch = T, batch
        self.differences = []
        self.layers_checked = 0
        self.tensors_checked = 0
        self.total = None
        self.forward_input = None
        self.forward_output = None

    def as_dict(self) -> dict:
        return {
            "verified": self.ok,
            "differences": list(self.differences),
            "layers_checked": self.layers_checked,
            "tensors_checked": self.tensors_checked,
            "T": self.T, "batch": self.batch,
            "parameters": self.total,
            "forward": None if not self.forward_ran else {
                "input_shape": list(self.forward_input), "output_shape": list(self.forward_output),
            },
        }


def _shape(value):
    return None if value is None else tuple(value)


def _witness_shape(framework, shape):
    """Keras states its batch axis as None; PyTorch shapes are concrete."""
    return (None,) + tuple(shape[1:]) if framework == "keras" else tuple(shape)


def _compare_layer(result, k, mine, theirs, framework):
    """Engine layer ``mine`` (a LayerCount) against witness layer ``theirs``."""
    where = f"layer {k} ({theirs.name})"
    diff = result.differences.append
    if mine.name != theirs.name:
        diff(f"{where}: engine names it {mine.name!r}, the witness {theirs.name!r}")
    engine_tensors = [(t.name, _shape(t.shape)) for t in mine.tensors]
    witness = {name: tuple(a.shape) for name, a in theirs.parameters().items()}
    result.tensors_checked += len(engine_tensors)
    for name, shape in engine_tensors:
        if name not in witness:
            diff(f"{where}: tensor {name} {shape}: stated by the engine, absent from the witness")
        elif witness[name] != shape:
            diff(f"{where}: tensor {name}: engine says {shape}, the witness has {witness[name]}")
    stated = {name for name, _ in engine_tensors}
    for name, shape in witness.items():
        if name not in stated:
            diff(f"{where}: tensor {name} {shape}: the witness has it, the engine omits it")
    if stated == set(witness) and [n for n, _ in engine_tensors] != list(witness):
        diff(f"{where}: the tensors are the same but listed in a different order")
    for t in mine.tensors:
        if getattr(t, "trainable", None) is None or t.name not in witness:
            continue
        if bool(t.trainable) != (t.name in theirs.trainable_names):
            diff(f"{where}: tensor {t.name}: engine says trainable={bool(t.trainable)}, "
                 f"the witness {t.name in theirs.trainable_names}")
    count, trainable = theirs.count(), theirs.trainable_count()
    for what, engine, own in (("parameters", mine.parameters, count),
                              ("trainable", mine.trainable, trainable),
                              ("non-trainable", mine.non_trainable, count - trainable)):
        if engine != own:
            diff(f"{where}: {what}: engine says {engine}, the witness has {own}")
    _compare_outputs(result, where, mine, theirs, framework)


def _compare_outputs(result, where, mine, theirs, framework):
    diff = result.differences.append
    shapes = [_witness_shape(framework, s) for s in theirs.output_shapes]
    if _shape(mine.output_shape) != shapes[0]:
        diff(f"{where}: output shape: engine says {_shape(mine.output_shape)}, "
             f"the witness {shapes[0]}")
    if framework != "pytorch":
        return
    extra = {"RNN": ("h_n", "c_n"), "LSTM": ("h_n", "c_n"), "GRU": ("h_n", "c_n"),
             "LSTMCell": ("c_n",)}.get(theirs.type, ())
    own = dict(zip(extra, shapes[1:], strict=False))
    for label in ("h_n", "c_n"):
        engine = _shape(getattr(mine, f"{label}_shape", None))
        if theirs.type in ("RNN", "LSTM", "GRU") or engine is not None:
            if engine != own.get(label):
                diff(f"{where}: {label} shape: engine says {engine}, the witness "
                     f"{own.get(label)}")


def _with_every_bias(spec):
    """The same model with every bias switch on (use_bias, center, bias = True)."""
    from rnnquiz.description.model import Layer, ModelSpec

    switches = _BIAS_SWITCHES[spec.framework]

    def switch_on(layer):
        if layer is None:
            return None
        args = dict(layer.args)
        inner = switch_on(layer.inner)
        if inner is not None:
            args["layer"] = inner
        for switch in switches:
            if switch in args:
                args[switch] = True
        return Layer(layer.kind, layer.framework, args, layer.given, inner, layer.column,
                     layer.text)

    return ModelSpec(spec.framework, [switch_on(layer) for layer in spec.layers],
                     spec.input_shape, spec.text, spec.notes)


def _is_bias(name):
    """An additive offset by the framework's own tensor name: Keras bias / beta (also
    forward_lstm/bias), PyTorch bias, bias_ih_l0, bias_hh_l1_reverse..."""
    last = name.rsplit("/", 1)[-1]
    return last in ("bias", "beta") or last.startswith("bias_")


def _every_bias_on(spec) -> bool:
    """Whether every bias switch the line states is already True (then ``_with_every_bias``
    changes nothing)."""
    switches = _BIAS_SWITCHES[spec.framework]

    def on(layer):
        return layer is None or (all(layer.args[s] is True for s in switches if s in layer.args)
                                 and on(layer.inner))

    return all(on(layer) for layer in spec.layers)


def bias_counts(spec, *, T=None, batch=None, built=None):
    """(with bias, without bias) as the witness counts them: the model with every bias switch
    on, and the same without any of its offset tensors (bias vectors, normalisation betas).

    ``built``: the witness of ``spec`` itself at this T and batch, when the caller has it; it
    is counted instead of building the same model again when every bias is already on."""
    from rnnquiz.witness.models import build_model as build_whole

    if built is not None and _every_bias_on(spec):
        model = built
    else:
        model = build_whole(_with_every_bias(spec), T=T, batch=batch, allocate=False)
    total = model.count()
    return total, total - sum(int(a.size) for (_, name), a in model.named_parameters()
                              if _is_bias(name))


def compare_model(engine, witness, *, with_bias=None, without_bias=None) -> ModelVerification:
    """Compare an engine result (``ModelCount``: ``.layers`` of ``LayerCount``, totals) with a
    built witness model, naming every difference. ``with_bias`` and ``without_bias`` are the
    witness's :func:`bias_counts` (compared with the engine's when given)."""
    result = ModelVerification(witness.spec, witness.T, witness.batch)
    framework = witness.framework
    if getattr(engine, "framework", framework) != framework:
        result.differences.append(f"framework: engine says {engine.framework}, the witness "
                                  f"{framework}")
    if len(engine.layers) != len(witness.layers):
        result.differences.append(f"layers: engine lists {len(engine.layers)}, the witness "
                                  f"built {len(witness.layers)}")
    for k, (mine, theirs) in enumerate(zip(engine.layers, witness.layers, strict=False)):
        _compare_layer(result, k, mine, theirs, framework)
        result.layers_checked += 1
    total, trainable = witness.count(), witness.trainable_count()
    own = {"total": total, "trainable": trainable, "non_trainable": total - trainable,
           "with_bias": with_bias, "without_bias": without_bias}
    result.total = own
    for what, value in own.items():
        stated = getattr(engine, what, None)
        if value is not None and stated is not None and stated != value:
            result.differences.append(f"{what.replace('_', ' ')}: engine says {stated}, the "
                                      f"witness has {value}")
    return result


def verify_model(spec, *, T=None, batch=None, seed: int = 0) -> ModelVerification:
    """Check the engine's count of a whole model (a line or ``ModelSpec``) against the witness.

    Both work at the same concrete T and batch (3 and 2 unless given). When the model is
    small enough (``MODEL_FORWARD_LIMIT``, ``MODEL_WORK_LIMIT``, ``MODEL_STEPS_LIMIT`` by the
    witness's own figures, ``MODEL_ACTIVATION_LIMIT`` by the engine's shapes) the witness is
    built with real weights and run forward, its output must be finite, and its shapes and
    counts are compared; otherwise it is built on placeholders (shapes and counts only; a
    build with real weights stops as soon as it passes a limit). A model the engine accepts
    but the witness cannot build is a difference; a model the engine refuses raises the
    engine's error.
    """
    from rnnquiz.calculator.model import count_model  # the engine (imported when used)
    from rnnquiz.description.model import parse_model
    from rnnquiz.witness.models import DEFAULT_BATCH, DEFAULT_T, Limits, TooLarge
    from rnnquiz.witness.models import build_model as build_whole

    if isinstance(spec, str):
        spec = parse_model(spec)
    T = DEFAULT_T if T is None else T
    batch = DEFAULT_BATCH if batch is None else batch
    engine = count_model(spec, T=T, batch=batch)
    _check_witness_capacity(engine)
    limits = Limits(MODEL_FORWARD_LIMIT, MODEL_WORK_LIMIT, MODEL_STEPS_LIMIT)
    small = _largest_output(engine, batch) <= MODEL_ACTIVATION_LIMIT
    model = None  # the witness with real weights, run forward, when the limits allow
    try:
        if small:
            # Real weights at once (most models are small): the build runs the model forward
            # on an example input (standard normal values, or indices for an Embedding first),
            # and that run is the forward check; its shapes and counts are the ones compared.
            # Past the limits the build stops early, and placeholders give the shapes.
            try:
                model = build_whole(spec, T=T, batch=batch, rng=replay(seed),
                                    inputs=replay(seed + 1),
                                    limits=limits)
            except TooLarge:
                model = None
        shapes = model if model is not None else build_whole(spec, T=T, batch=batch,
                                                             allocate=False)
        with_bias, without_bias = bias_counts(spec, T=T, batch=batch, built=shapes)
    except ModelError as e:
        result = ModelVerification(spec, T, batch)
        result.differences.append(f"the engine counts this model, the witness cannot build it: "
                                  f"{e}")
        return result
    result = compare_model(engine, shapes, with_bias=with_bias, without_bias=without_bias)
    if small and limits.fits(shapes):  # the witness's own figures allow the forward check
        if model is None:  # (stopped by its buffers alone: build it again without limits)
            model = build_whole(spec, T=T, batch=batch, rng=replay(seed),
                                inputs=replay(seed + 1))
        y = model.layers[-1].outputs[0]
        result.forward_input, result.forward_output = model.input_shape, y.shape
        if not np.all(np.isfinite(y)):
            result.differences.append("forward pass: the output is not finite")
    return result


def _size(shape, batch=1) -> int:
    """The number of values in ``shape``, the open batch axis (None) counted as ``batch``."""
    return math.prod(batch if s is None else s for s in shape)


def _layer_shapes(layer):
    """Every input and output shape of one engine layer (output, h_n, c_n when it has them)."""
    shapes = [getattr(layer, "input_shape", None), layer.output_shape,
              getattr(layer, "h_n_shape", None), getattr(layer, "c_n_shape", None)]
    return [tuple(s) for s in shapes if s]


def _largest_output(engine, batch) -> int:
    """The most values any layer's output holds for ``batch`` examples."""
    return max((_size(s, batch) for layer in engine.layers for s in _layer_shapes(layer)),
               default=0)


def _check_witness_capacity(engine):
    """Refuse (ModelError) a model the NumPy witness cannot hold even as placeholders: an axis
    longer than ``MODEL_WITNESS_AXIS`` (``MODEL_WITNESS_STEPS`` for inputs and outputs, whose
    time axis the witness indexes) or a tensor of more than ``MODEL_WITNESS_VALUES`` values."""
    for layer in engine.layers:
        where = f"layer {layer.name} ({layer.type})"
        for tensor in layer.tensors:
            if (max(tensor.shape, default=1) > MODEL_WITNESS_AXIS
                    or _size(tensor.shape) > MODEL_WITNESS_VALUES):
                raise ModelError(f"--verify: {where}: tensor {tensor.name} "
                                 f"{tuple(tensor.shape)} is too large for the NumPy witness "
                                 f"(at most {MODEL_WITNESS_AXIS:,} along an axis and "
                                 f"{MODEL_WITNESS_VALUES:,} values); the count stands unchecked")
        for shape in _layer_shapes(layer):
            if max((s for s in shape if s is not None), default=1) > MODEL_WITNESS_STEPS:
                raise ModelError(f"--verify: {where} works on {shape}, too large for the "
                                 f"NumPy witness (at most {MODEL_WITNESS_STEPS:,} along an "
                                 "axis); the count stands unchecked")
