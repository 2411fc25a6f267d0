"""Questions about whole models: a template's model line, filled with the drawn values, counted
by the calculator (``count_model``) with a worked solution.

A template with a ``model`` line asks one of ``MODEL_QUANTITIES``; ``layer`` numbers the model's
layers from 1 as the line writes them (``last`` for the last one). Shapes are answered as the
framework reports them, except that a Keras shape leaves out its batch axis (None, which no
student writes): ``(T, u)`` for an LSTM's ``(None, T, u)``. PyTorch shapes need the template to
give ``batch`` and ``T`` so that every axis is a number. ``rnnquiz.drill.model_checking``
checks every answer against the NumPy witness built from the same line.
"""

from __future__ import annotations

from rnnquiz.calculator.layers.base import shape_text
from rnnquiz.calculator.model import count_model
from rnnquiz.description.model import parse_model

# quantity -> the ask options it takes (besides quantity and format).
MODEL_QUANTITIES = {
    "model_total": {"which"},
    "layer_parameters": {"layer"},
    "output_shape": {"layer", "of"},
    "in_features": {"layer"},
    "embedding_share": {"decimals"},
    "largest_layer": set(),
}
TOTALS = ("total", "trainable", "non_trainable")
OUTPUTS = ("output", "h_n", "c_n")
RECURRENT_KINDS = ("SimpleRNN", "LSTM", "GRU", "RNN", "Bidirectional")


class DrawnModel:
    """One variant's model: the filled line, its parsed spec and the calculator's count.

    ``T`` and ``batch`` are the template's values of those names (None when it has none).
    """

    __slots__ = ("line", "spec", "result", "T", "batch")

    def __init__(self, line: str, T=None, batch=None):  # noqa: N803
        self.line = line
        self.spec = parse_model(line)
        self.T, self.batch = T, batch
        self.result = count_model(self.spec, T=T, batch=batch)

    @property
    def framework(self) -> str:
        return self.spec.framework

    @property
    def layers(self) -> list:
        return self.result.layers

    def index(self, ask) -> int:
        """The 0-based index of the layer ``ask['layer']`` names (1-based, or 'last')."""
        from rnnquiz.drill.quantities import QuantityError

        which = ask.get("layer", "last")
        k = len(self.layers) - 1 if which == "last" else which - 1
        if not 0 <= k < len(self.layers):
            raise QuantityError(f"asks for layer {which} but the model has "
                                f"{len(self.layers)} layers")
        return k

    def __repr__(self):
        return f"DrawnModel({self.line!r})"


def template_framework(template):
    """The framework ('keras' or 'pytorch') of a template's model line, read from the line
    filled with each parameter's first value; None when that line cannot be read."""
    from rnnquiz.errors import ModelError

    first = {}
    for name, spec in template.params.items():
        if isinstance(spec, list):
            first[name] = spec[0]
        elif isinstance(spec, dict):
            first[name] = spec["choices"][0]
        else:
            first[name] = spec
    try:
        return parse_model(template.model.format_map(first)).framework
    except (ModelError, KeyError, ValueError):
        return None


def is_model(net) -> bool:
    return isinstance(net, DrawnModel)


def visible(framework, shape) -> tuple:
    """A shape as the drill asks it: Keras without its None batch axis, PyTorch whole."""
    shape = tuple(shape)
    return shape[1:] if framework == "keras" else shape


def layer_title(model, k) -> str:
    """'layer 2 (LSTM)': how a question and a choice name one layer."""
    lc = model.layers[k]
    kind = lc.layer.inner.kind if lc.type == "Bidirectional" else None
    inner = f"({kind})" if kind else ""
    return f"layer {k + 1} ({lc.type}{inner})"


def _rows(model) -> list:
    return [f"{layer_title(model, k)}: {lc.formula}" for k, lc in enumerate(model.layers)]


def _model_total(model, ask, values, rng):
    from rnnquiz.drill.quantities import Solved

    which = ask.get("which", "total")
    r = model.result
    value = getattr(r, which)
    lines = _rows(model)
    lines.append(f"total = {' + '.join(f'{lc.parameters:,}' for lc in r.layers)} = {r.total:,}")
    if r.non_trainable:
        held = [f"{layer_title(model, k)} {lc.non_trainable:,}"
                for k, lc in enumerate(r.layers) if lc.non_trainable]
        lines.append(f"non-trainable {r.non_trainable:,} ({', '.join(held)}: counted in the "
                     f"total, not updated by training); trainable {r.trainable:,}")
    return Solved("integer", value, lines, derived={"total": r.total}, steps={"which": which})


def _layer_parameters(model, ask, values, rng):
    from rnnquiz.drill.quantities import Solved

    k = model.index(ask)
    lc = model.layers[k]
    lines = [f"{layer_title(model, k)} receives {shape_text(lc.input_shape)}",
             f"{lc.formula}"]
    lines += [f"{t.name} {shape_text(t.shape)}: {t.parameters:,} ({t.reason})"
              for t in lc.tensors]
    return Solved("integer", lc.parameters, lines, steps={"layer": k})


def _output_shape(model, ask, values, rng):
    from rnnquiz.drill.quantities import QuantityError, Solved

    k = model.index(ask)
    lc = model.layers[k]
    of = ask.get("of", "output")
    shape = lc.output_shape if of == "output" else getattr(lc, f"{of}_shape")
    if shape is None:
        raise QuantityError(f"{layer_title(model, k)} returns no {of}")
    if not all(isinstance(d, int) for d in visible(model.framework, shape)):
        raise QuantityError(f"{of} of {layer_title(model, k)} is {shape_text(shape)}: give the "
                            "template batch and T so that every axis is a number")
    value = visible(model.framework, shape)
    lines = [f"{layer_title(model, k)} receives {shape_text(lc.input_shape)} and returns "
             f"{shape_text(lc.output_shape)}"]
    if of != "output":
        lines.append(f"its {of} is {shape_text(shape)}: (num_layers × directions, batch, "
                     "hidden), whatever batch_first says")
    lines += list(lc.notes)
    if model.framework == "keras":
        lines.append(f"without the batch axis (None): {shape_text(value)}")
    return Solved("shape", value, lines, steps={"layer": k, "of": of})


def _in_features(model, ask, values, rng):
    from rnnquiz.drill.quantities import QuantityError, Solved

    k = model.index(ask)
    lc = model.layers[k]
    if k == 0 or lc.type not in ("Dense", "Linear"):
        raise QuantityError("in_features is asked of a Dense or Linear layer after another")
    value = lc.input_shape[-1]
    before = model.layers[k - 1]
    lines = [f"{layer_title(model, k - 1)} returns {shape_text(before.output_shape)}: its last "
             f"axis has {value:,} features"]
    if before.width_note:
        lines.append(before.width_note)
    lines.append(f"so {layer_title(model, k)} reads in_features = {value:,}")
    return Solved("integer", value, lines, steps={"layer": k})


def embedding_index(model) -> int:
    from rnnquiz.drill.quantities import QuantityError

    found = [k for k, lc in enumerate(model.layers) if lc.type == "Embedding"]
    if len(found) != 1:
        raise QuantityError("embedding_share needs a model with one Embedding")
    return found[0]


def share(part: int, whole: int) -> float:
    """``part`` as a percentage of ``whole``."""
    return 100.0 * part / whole


def _embedding_share(model, ask, values, rng):
    from rnnquiz.drill.quantities import Solved, half_unit

    k = embedding_index(model)
    emb, total = model.layers[k].parameters, model.result.total
    decimals = ask.get("decimals", 1)
    exact = share(emb, total)
    lines = _rows(model)
    lines.append(f"the Embedding holds {emb:,} of {total:,} parameters: 100 × {emb:,} / "
                 f"{total:,} = {exact:z.{decimals}f}% (to {decimals} decimals)")
    return Solved("number", round(exact, decimals), lines, decimals=decimals,
                  tolerance=half_unit(decimals), derived={"total": total},
                  steps={"exact": exact, "layer": k})


def _largest_layer(model, ask, values, rng):
    from rnnquiz.drill.quantities import QuantityError, Solved

    counts = [lc.parameters for lc in model.layers]
    top = max(counts)
    if counts.count(top) > 1:
        raise QuantityError("two layers hold the most parameters")
    k = counts.index(top)
    lines = _rows(model)
    lines.append(f"the most: {layer_title(model, k)} with {top:,}")
    return Solved("text", layer_title(model, k), lines, steps={"layer": k, "counts": counts})


SOLVERS = {"model_total": _model_total, "layer_parameters": _layer_parameters,
           "output_shape": _output_shape, "in_features": _in_features,
           "embedding_share": _embedding_share, "largest_layer": _largest_layer}
