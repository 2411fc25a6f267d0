"""Check an answer about a whole model against the NumPy witness built from the same line.

Every model problem is first verified whole (``verify_model``: every layer's tensors, counts,
trainable split and output shapes, the totals with and without bias, and a forward pass when
the model is small enough, at the witness's default batch and T); then the asked figure is
measured on the witness itself, at the variant's own T and batch: its counts, its output
arrays' shapes, the width its layers really pass on. The witness never asks the calculator
anything.
"""

from __future__ import annotations

from rnnquiz.drill.models import embedding_index, layer_title, share, visible
from rnnquiz.verification import verify_model
from rnnquiz.witness.models import DEFAULT_BATCH, DEFAULT_T
from rnnquiz.witness.models import build_model as build_whole


def _witness_figure(model, ask, solved, witness):
    q = ask["quantity"]
    layers = witness.layers
    if q == "model_total":
        total, trainable = witness.count(), witness.trainable_count()
        return {"total": total, "trainable": trainable,
                "non_trainable": total - trainable}[solved.steps["which"]]
    if q == "layer_parameters":
        return layers[solved.steps["layer"]].count()
    if q == "output_shape":
        k, of = solved.steps["layer"], solved.steps["of"]
        shapes = layers[k].output_shapes
        at = {"output": 0, "h_n": 1, "c_n": 2}[of]
        if at >= len(shapes):
            return None
        return visible(model.framework, shapes[at])
    if q == "in_features":
        k = solved.steps["layer"]
        return int(layers[k - 1].output_shapes[0][-1])
    if q == "embedding_share":
        k = embedding_index(model)
        if layers[k].type != "Embedding":
            return None
        return share(layers[k].count(), witness.count())
    if q == "largest_layer":
        counts = [layer.count() for layer in layers]
        return layer_title(model, counts.index(max(counts)))
    return None


def check_model(model, ask: dict, solved) -> list:
    """The differences between the calculator's answer and the witness's (empty: they agree)."""
    # The whole model is verified (and run forward when small) on the witness's default batch
    # and open T, which keeps a check fast whatever the template draws; the asked figure is
    # then measured on a witness built at the variant's own T and batch (shapes only).
    differences = list(verify_model(model.spec, T=DEFAULT_T, batch=DEFAULT_BATCH).differences)
    witness = build_whole(model.spec, T=model.T or DEFAULT_T, batch=model.batch or DEFAULT_BATCH,
                          allocate=False)
    got = _witness_figure(model, ask, solved, witness)
    q = ask["quantity"]
    if q == "embedding_share":
        if got is None or abs(got - solved.steps["exact"]) > 1e-9 \
                or abs(round(got, solved.decimals) - solved.value) > solved.tolerance + 1e-12:
            differences.append(f"{q}: engine says {solved.value!r}, the witness gives {got!r}")
    elif got != solved.value:
        differences.append(f"{q}: engine says {solved.value!r}, the witness gives {got!r}")
    return differences
