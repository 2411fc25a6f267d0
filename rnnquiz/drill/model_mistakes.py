"""The named mistakes of whole-model questions, each a wrong rule applied to the variant's own
layers (see ``rnnquiz.drill.misconceptions`` for how they become distractors and feedback).

Each rule takes (model, ask, solved) and returns (wrong value, explanation) or None when it does
not apply; a rule whose wrong value equals the answer makes the generator draw again.
"""

from __future__ import annotations

from rnnquiz.calculator.layers.base import shape_text
from rnnquiz.drill.models import embedding_index, layer_title, share


def _q(ask):
    return ask["quantity"]


def _embedding(model):
    found = [k for k, lc in enumerate(model.layers) if lc.type == "Embedding"]
    return found[0] if len(found) == 1 else None


def _embedding_sum(model):
    """(k, right count, V + d) of the model's one Embedding, or None."""
    k = _embedding(model)
    if k is None:
        return None
    (V, d), = [t.shape for t in model.layers[k].tensors]  # noqa: N806
    return k, V * d, V + d


def _inner(lc):
    return lc.layer.inner if lc.type == "Bidirectional" else lc.layer


def _bidirectional(lc) -> str | None:
    """'concat' or Keras' merge_mode of a two-direction layer; None for one direction."""
    if lc.type == "Bidirectional":
        return lc.layer["merge_mode"]
    if lc.type in ("RNN", "LSTM", "GRU") and lc.layer.args.get("bidirectional"):
        return "concat"
    return None


def _sequence_out(model, k) -> bool:
    """Whether layer k is recurrent and returns every step (a time axis in its output)."""
    lc = model.layers[k]
    if model.framework == "pytorch":
        return lc.h_n_shape is not None
    inner = _inner(lc)
    return inner is not None and inner.kind in ("SimpleRNN", "LSTM", "GRU") \
        and bool(inner.args.get("return_sequences"))


def _time_axis(model, k):
    """The index of the time axis in layer k's visible output shape."""
    if model.framework == "keras":
        return 0
    layer = model.layers[k].layer
    return 1 if layer.args.get("batch_first") else 0


def embedding_v_plus_d(model, ask, solved):
    found = _embedding_sum(model)
    if found is None:
        return None
    k, right, wrong_emb = found
    V, d = model.layers[k].tensors[0].shape  # noqa: N806
    why = (f"counts the Embedding as {V:,} + {d:,} = {wrong_emb:,}: its table has one row of "
           f"{d} numbers per word, {V:,} × {d} = {right:,}")
    q, total = _q(ask), model.result.total
    if q == "model_total" and solved.steps["which"] in ("total", "trainable"):
        if model.layers[k].trainable != right and solved.steps["which"] == "trainable":
            return None
        wrong = solved.value - right + wrong_emb
        return wrong, f"{wrong:,} {why}"
    if q == "layer_parameters" and solved.steps["layer"] == k:
        return wrong_emb, f"{wrong_emb:,} {why}"
    if q == "embedding_share":
        wrong = round(share(wrong_emb, total - right + wrong_emb), solved.decimals)
        return wrong, f"{wrong:z.{solved.decimals}f}% {why}"
    if q == "largest_layer":
        counts = list(solved.steps["counts"])
        counts[k] = wrong_emb
        top = counts.index(max(counts))
        if top == solved.steps["layer"]:
            return None
        return layer_title(model, top), f"{layer_title(model, top)} {why}"
    return None


def bidirectional_not_doubled(model, ask, solved):
    q = _q(ask)
    if q == "output_shape" and solved.steps["of"] == "output":
        k = solved.steps["layer"]
        if _bidirectional(model.layers[k]) != "concat":
            return None
        wrong = solved.value[:-1] + (solved.value[-1] // 2,)
        return wrong, (f"{shape_text(wrong)} keeps one direction's width: the two directions' "
                       f"outputs are concatenated, 2 × {solved.value[-1] // 2} = "
                       f"{solved.value[-1]} features")
    if q == "model_total" and solved.steps["which"] == "total":
        halves = sum(lc.parameters // 2 for lc in model.layers if _bidirectional(lc))
        if not halves:
            return None
        wrong = solved.value - halves
        return wrong, (f"{wrong:,} counts one direction: a bidirectional layer has two complete "
                       "sets of weights, one per direction")
    if q == "layer_parameters":
        lc = model.layers[solved.steps["layer"]]
        if not _bidirectional(lc):
            return None
        wrong = lc.parameters // 2
        return wrong, (f"{wrong:,} counts one direction: the forward and the backward layer "
                       "each have their own weights")
    return None


def bidirectional_sum_doubled(model, ask, solved):
    if _q(ask) != "output_shape" or solved.steps["of"] != "output":
        return None
    mode = _bidirectional(model.layers[solved.steps["layer"]])
    if mode not in ("sum", "mul", "ave"):
        return None
    wrong = solved.value[:-1] + (2 * solved.value[-1],)
    return wrong, (f"{shape_text(wrong)} doubles the width as concat does; merge_mode='{mode}' "
                   f"combines the two directions element by element: {solved.value[-1]} "
                   "features")


def _after_two_directions(model, k):
    """The width of one direction when layer k reads a concatenated bidirectional output."""
    if k == 0 or _bidirectional(model.layers[k - 1]) != "concat":
        return None
    return model.layers[k].input_shape[-1] // 2


def linear_reads_n(model, ask, solved):
    q = _q(ask)
    if q not in ("in_features", "layer_parameters"):
        return None
    k = solved.steps["layer"]
    lc = model.layers[k]
    n = _after_two_directions(model, k)
    if n is None or lc.type not in ("Dense", "Linear"):
        return None
    why = (f"reads n = {n} features; the layer before concatenates its two directions, so "
           f"{lc.type} receives 2n = {2 * n}")
    if q == "in_features":
        return n, f"{n:,} {why}"
    units = lc.output_shape[-1]
    bias = lc.bias_parameters
    wrong = n * units + bias
    return wrong, f"{wrong:,} {why}: {2 * n} × {units}" + (f" + {bias}" if bias else "")


def time_axis_forgotten(model, ask, solved):
    if _q(ask) != "output_shape" or solved.steps["of"] != "output":
        return None
    k = solved.steps["layer"]
    if not _sequence_out(model, k):
        return None
    axis = _time_axis(model, k)
    wrong = solved.value[:axis] + solved.value[axis + 1:]
    if model.framework == "keras":
        why = ("return_sequences=True keeps an output for every time step: the time axis "
               f"({solved.value[0]}) stays")
    else:
        why = ("a PyTorch recurrent module's output holds every time step (out[:, -1] picks "
               "the last one): the time axis stays")
    return wrong, f"{shape_text(wrong)} forgets the time axis: {why}"


def axes_swapped(model, ask, solved):
    if _q(ask) != "output_shape" or solved.steps["of"] != "output" \
            or model.framework != "keras" or len(solved.value) != 2:
        return None
    a, b = solved.value
    return (b, a), (f"{shape_text((b, a))} swaps the axes: Keras keeps the time axis first "
                    f"and the features last, (steps, features) = {shape_text((a, b))}")


def batch_first_ignored(model, ask, solved):
    if _q(ask) != "output_shape" or solved.steps["of"] != "output" \
            or model.framework != "pytorch" or len(solved.value) != 3:
        return None
    k = solved.steps["layer"]
    lc = model.layers[k]
    source = lc if lc.h_n_shape is not None else model.layers[k - 1] if k else None
    if source is None or source.h_n_shape is None:
        return None
    a, b, c = solved.value
    first = bool(source.layer.args.get("batch_first"))
    layout = "(batch, T, features)" if first else "(T, batch, features)"
    return (b, a, c), (f"{shape_text((b, a, c))} swaps the batch and time axes: with "
                       f"batch_first={first} the output is laid out {layout}")


def time_axis_kept(model, ask, solved):
    if _q(ask) != "output_shape" or solved.steps["of"] != "output" \
            or model.framework != "keras":
        return None
    k = solved.steps["layer"]
    lc = model.layers[k]
    inner = _inner(lc)
    if inner is None or inner.kind not in ("SimpleRNN", "LSTM", "GRU") \
            or inner.args.get("return_sequences") or len(lc.input_shape) != 3:
        return None
    wrong = (lc.input_shape[1],) + solved.value
    if not all(isinstance(d, int) for d in wrong):
        return None
    return wrong, (f"{shape_text(wrong)} keeps the time axis: with return_sequences=False "
                   "(the default) the layer returns the last step's output only")


def bn_moving_statistics_left_out(model, ask, solved):
    stats = [(k, sum(t.parameters for t in lc.tensors if t.name.startswith("moving_")))
             for k, lc in enumerate(model.layers) if lc.type == "BatchNormalization"]
    stats = [(k, s) for k, s in stats if s]
    if not stats:
        return None
    q = _q(ask)
    why = ("leaves out BatchNormalization's moving mean and variance: non-trainable, but "
           "parameters all the same (model.summary() counts them)")
    if q == "model_total" and solved.steps["which"] == "total":
        wrong = solved.value - sum(s for _, s in stats)
    elif q == "layer_parameters" and solved.steps["layer"] in dict(stats):
        wrong = solved.value - dict(stats)[solved.steps["layer"]]
    else:
        return None
    return wrong, f"{wrong:,} {why}"


def dense_flattens(model, ask, solved):
    q = _q(ask)
    if q not in ("output_shape", "layer_parameters"):
        return None
    k = solved.steps["layer"]
    lc = model.layers[k]
    if lc.type not in ("Dense", "Linear") or len(lc.input_shape) != 3 \
            or (q == "output_shape" and solved.steps["of"] != "output"):
        return None
    why = (f"thinks {lc.type} flattens its 3-D input {shape_text(lc.input_shape)}; it acts on "
           "the last axis only, with the same weights at every step")
    if q == "output_shape":
        if model.framework == "keras":
            axis = 0
        elif k and model.layers[k - 1].h_n_shape is not None:
            axis = _time_axis(model, k - 1)
        else:
            return None
        wrong = solved.value[:axis] + solved.value[axis + 1:]
        return wrong, f"{shape_text(wrong)} {why}: {shape_text(solved.value)}"
    steps = lc.input_shape[1]
    if not isinstance(steps, int):
        return None
    units, bias = lc.output_shape[-1], lc.bias_parameters
    wrong = steps * lc.input_shape[-1] * units + bias
    return wrong, (f"{wrong:,} gives it {steps} × {lc.input_shape[-1]} inputs: {why}, "
                   f"{lc.input_shape[-1]} × {units}" + (f" + {bias}" if bias else ""))


def h_n_batch_first(model, ask, solved):
    if _q(ask) != "output_shape" or solved.steps["of"] not in ("h_n", "c_n"):
        return None
    layer = model.layers[solved.steps["layer"]].layer
    if not layer.args.get("batch_first"):
        return None
    a, b, c = solved.value
    return (b, a, c), (f"{shape_text((b, a, c))} puts the batch first: batch_first=True "
                       f"changes the input and output only; {solved.steps['of']} is always "
                       "(num_layers × directions, batch, hidden)")


def h_n_layers_left_out(model, ask, solved):
    if _q(ask) != "output_shape" or solved.steps["of"] not in ("h_n", "c_n"):
        return None
    first = solved.value[0]
    if first == 1:
        return None
    wrong = (1,) + solved.value[1:]
    return wrong, (f"{shape_text(wrong)} keeps one state: {solved.steps['of']} holds the last "
                   f"state of every layer and direction, num_layers × directions = {first}")


GATES = {"SimpleRNN": 1, "RNN": 1, "LSTM": 4, "GRU": 3}


def _recurrent_layer(model, ask, solved):
    """(layer count, gate blocks, units, inputs m) of the recurrent layer a layer_parameters
    question asks about (one direction, one layer), or None."""
    if _q(ask) != "layer_parameters":
        return None
    lc = model.layers[solved.steps["layer"]]
    if lc.type not in GATES or lc.layer.args.get("num_layers", 1) != 1 \
            or lc.layer.args.get("bidirectional") or lc.layer.args.get("proj_size"):
        return None
    return lc, GATES[lc.type], lc.output_shape[-1], lc.input_shape[-1]


def gate_blocks_left_out(model, ask, solved):
    found = _recurrent_layer(model, ask, solved)
    if found is None or found[1] == 1:
        return None
    lc, g, _, _ = found
    wrong = lc.parameters // g
    return wrong, (f"{wrong:,} counts one block of weights; {lc.type} has {g} gate blocks, "
                   "each with its own input weights, recurrent weights and biases")


def reads_vocabulary(model, ask, solved):
    found = _recurrent_layer(model, ask, solved)
    k = solved.steps["layer"] if found else 0
    if found is None or k == 0 or model.layers[k - 1].type != "Embedding":
        return None
    lc, g, u, d = found
    V = model.layers[k - 1].tensors[0].shape[0]  # noqa: N806
    wrong = lc.parameters + g * u * (V - d)
    return wrong, (f"{wrong:,} gives {lc.type} the vocabulary size {V:,} as its input width; "
                   f"the Embedding passes on d = {d} features per step")


def embedding_share_of_rest(model, ask, solved):
    if _q(ask) != "embedding_share":
        return None
    k = embedding_index(model)
    emb, total = model.layers[k].parameters, model.result.total
    if total == emb:
        return None
    wrong = round(share(emb, total - emb), solved.decimals)
    return wrong, (f"{wrong:z.{solved.decimals}f}% divides by the other layers' {total - emb:,} "
                   f"parameters; the share is of the whole model's {total:,}")


def runner_up(model, ask, solved):
    if _q(ask) != "largest_layer":
        return None
    counts = solved.steps["counts"]
    order = sorted(range(len(counts)), key=lambda j: -counts[j])
    second = order[1]
    return layer_title(model, second), (
        f"{layer_title(model, second)} holds {counts[second]:,}; "
        f"{layer_title(model, order[0])} holds more, {counts[order[0]]:,}")


def recurrent_assumed_largest(model, ask, solved):
    if _q(ask) != "largest_layer":
        return None
    rec = [k for k, lc in enumerate(model.layers)
           if lc.type in ("SimpleRNN", "LSTM", "GRU", "RNN", "Bidirectional")]
    if not rec or rec[0] == solved.steps["layer"]:
        return None
    k = rec[0]
    return layer_title(model, k), (
        f"{layer_title(model, k)} has gates and recurrent weights, but only "
        f"{model.layers[k].parameters:,} parameters: count every layer before choosing")


def embedding_assumed_largest(model, ask, solved):
    if _q(ask) != "largest_layer":
        return None
    k = _embedding(model)
    if k is None or k == solved.steps["layer"]:
        return None
    V, d = model.layers[k].tensors[0].shape  # noqa: N806
    return layer_title(model, k), (
        f"{layer_title(model, k)} looks big for its vocabulary, but {V:,} × {d} is only "
        f"{model.layers[k].parameters:,}: count every layer before choosing")


def widest_output_largest(model, ask, solved):
    if _q(ask) != "largest_layer":
        return None
    widths = [lc.output_shape[-1] if isinstance(lc.output_shape[-1], int) else 0
              for lc in model.layers]
    k = widths.index(max(widths))
    if k == solved.steps["layer"]:
        return None
    return layer_title(model, k), (
        f"{layer_title(model, k)} has the widest output ({widths[k]:,}), but a layer's count "
        "depends on what it receives as well as what it returns")


CATALOGUE = (
    ("embedding-v-plus-d", "the Embedding counted as vocabulary + dimension",
     embedding_v_plus_d),
    ("bidirectional-not-doubled", "the bidirectional width not doubled",
     bidirectional_not_doubled),
    ("bidirectional-sum-doubled", "merge_mode sum read as concat", bidirectional_sum_doubled),
    ("linear-reads-n", "the layer after a bidirectional one reading n instead of 2n",
     linear_reads_n),
    ("time-axis-forgotten", "the time axis forgotten after return_sequences",
     time_axis_forgotten),
    ("time-axis-kept", "the time axis kept without return_sequences", time_axis_kept),
    ("axes-swapped", "time and feature axes swapped", axes_swapped),
    ("batch-first-ignored", "batch and time axes swapped", batch_first_ignored),
    ("bn-moving-stats-left-out", "BatchNormalization's moving statistics left out",
     bn_moving_statistics_left_out),
    ("dense-flattens", "Dense on a 3-D input thought to flatten it", dense_flattens),
    ("h-n-batch-first", "h_n thought to follow batch_first", h_n_batch_first),
    ("h-n-one-state", "h_n with one state instead of layers × directions",
     h_n_layers_left_out),
    ("gate-blocks-left-out", "one gate block counted", gate_blocks_left_out),
    ("reads-vocabulary", "the recurrent layer reading the vocabulary size", reads_vocabulary),
    ("embedding-share-of-rest", "the share taken of the other layers", embedding_share_of_rest),
    ("runner-up", "the runner-up layer", runner_up),
    ("embedding-assumed-largest", "the Embedding assumed the largest",
     embedding_assumed_largest),
    ("widest-output-largest", "the widest layer assumed the largest", widest_output_largest),
    ("recurrent-assumed-largest", "the recurrent layer assumed the largest",
     recurrent_assumed_largest),
)
