"""The named mistakes: each one a wrong formula evaluated at the problem's own values.

A wrong answer that equals one of these gets its name and a one-line explanation; the same
values make the multiple-choice distractors. A misconception that does not apply to a problem
yields nothing; one whose value the grading would accept makes the generator draw the variant
again (``rnnquiz.drill.soundness``). The rules about counts, shapes and conventions are here,
those about the unrolled network in ``unrolled_mistakes``, inverse problems in
``inverse_mistakes``, whole models in ``model_mistakes``.
"""

from __future__ import annotations

from rnnquiz.calculator.rules import GATE_ORDER, count
from rnnquiz.drill import inverse_mistakes as inverse
from rnnquiz.drill import unrolled_mistakes as unrolled
from rnnquiz.drill.model_mistakes import CATALOGUE as MODEL_CATALOGUE
from rnnquiz.drill.models import is_model
from rnnquiz.drill.quantities import column_vectors, display


def gate_letters(net) -> str:
    """The gate blocks in the convention's own order and letters: Keras GRU 'z, r, h'."""
    return ", ".join(letter for letter, _ in GATE_ORDER[(net.convention, net.cell)])


def cell_name(net) -> str:
    """'an LSTM', 'a GRU', 'an RNN' (the article follows the sound of the letters)."""
    name = net.cell.upper()
    return ("an " if name[0] in "AEFHILMNORSX" else "a ") + name


class NamedWrong:
    """A predicted wrong answer: its value, how it is written, the misconception behind it."""

    __slots__ = ("value", "text", "id", "name", "explanation")

    def __init__(self, value, text, id, name, explanation):
        self.value = value
        self.text = text
        self.id = id
        self.name = name
        self.explanation = explanation

    def as_dict(self) -> dict:
        return {"answer": self.text, "misconception": self.id, "name": self.name,
                "explanation": self.explanation}


def _is_recurrent(t) -> bool:
    """A hidden->hidden (or hidden->gate) matrix: the one that is n x n per block."""
    return t.role.startswith("hidden->") and t.role != "hidden->output"


def _total(net, bias):
    """The engine's total of ``net`` with or without biases: one Count gives both (see
    ``rules.Count``), so no second description is made and counted."""
    result = count(net)
    return result.with_bias if bias else result.without_bias


def _recurrent_biases(net) -> int:
    """One bias vector per gate block, layer and direction: G*n*L*D."""
    return net.gates * net.n * net.layers * net.directions


# --- each returns (wrong value, explanation) or None -------------------------------------

def _rows_are(net, t) -> str:
    """What the rows of tensor ``t`` stand for, in words: 'hidden neurons', 'inputs', ..."""
    source, _, target = t.role.partition("->")
    if not target:
        return "rows of " + t.name
    if net.effective_layout == "in-out":
        return {"input": "inputs", "hidden": "hidden neurons"}.get(source, source)
    if net.gates > 1 and t.shape[0] == net.gates * net.n:
        return "gate units (all gate blocks stacked)"
    return f"{target} neurons"


def transposed(net, ask, solved):
    if ask["quantity"] != "shape" or len(solved.value) != 2:
        return None
    if _is_recurrent(solved.tensor) and solved.value == (net.n, net.n):
        return None  # W_hh is n x n by nature: its transpose is no other answer
    rows, cols = solved.value
    how = "W x" if net.effective_layout == "out-in" else "x W"
    return ((cols, rows), f"({cols}, {rows}) is the transpose: under this question's "
            f"convention ({net.effective_layout}, {how}) rows are the {rows} "
            f"{_rows_are(net, solved.tensor)}")


def biases_left_out(net, ask, solved):
    if ask["quantity"] != "total" or not solved.total_bias:
        return None
    wrong = _total(net, False)
    return wrong, (f"{wrong:,} leaves out the biases: with bias there are "
                   f"{solved.value - wrong:,} more")


def _written(solved, wrong) -> str:
    """A wrong value as the explanations write it: counts with thousands commas, shapes."""
    return f"{wrong:,}" if solved.kind == "integer" else display(solved.kind, wrong)


def _keras_two_rows(net) -> bool:
    """A Keras GRU with reset_after=True: its bias is (2, 3n), one row per side."""
    return net.convention == "keras" and net.cell == "gru" and net.reset_after


def bias_counted_twice(net, ask, solved):
    if ask["quantity"] != "total" or not solved.total_bias or net.convention == "pytorch" \
            or _keras_two_rows(net):
        return None
    wrong = solved.value + _recurrent_biases(net)
    if net.convention == "keras" and net.cell == "gru":
        return wrong, (f"{wrong:,} counts two bias rows, as reset_after=True (Keras 3's "
                       "default) does; with reset_after=False the bias is one row")
    return wrong, (f"{wrong:,} counts two bias vectors per gate block, as PyTorch does "
                   f"(bias_ih and bias_hh); the {net.convention} convention has one")


def second_bias_left_out(net, ask, solved):
    if ask["quantity"] != "total" or not solved.total_bias or net.convention != "pytorch":
        return None
    wrong = solved.value - _recurrent_biases(net)
    return wrong, (f"{wrong:,} leaves out PyTorch's second bias: torch.nn keeps both bias_ih "
                   "and bias_hh in every layer and direction")


def keras_one_bias_row(net, ask, solved):
    if not _keras_two_rows(net):
        return None
    q = ask["quantity"]
    rows = net.gates * net.n
    if q == "total" and solved.total_bias:
        wrong = solved.value - _recurrent_biases(net)
    elif q in ("shape", "parameters") and solved.tensor.is_bias:
        wrong = (rows,) if q == "shape" else rows
    else:
        return None
    return wrong, (f"{_written(solved, wrong)} counts one bias row, as reset_after=False "
                   f"does; with reset_after=True (Keras 3's default) the bias is (2, {rows}): "
                   "one row for the input side, one for the recurrent side")


def keras_one_bias_row_2d(net, ask, solved):
    """The same mistake written as a 2-D shape, (1, 3n): a Cloze blank then gets its feedback."""
    if not _keras_two_rows(net) or ask["quantity"] != "shape" or not solved.tensor.is_bias:
        return None
    rows = net.gates * net.n
    return (1, rows), (f"(1, {rows}) counts one bias row, as reset_after=False does; with "
                       f"reset_after=True (Keras 3's default) the bias is (2, {rows}): one row "
                       "for the input side, one for the recurrent side")


def gru_four_blocks(net, ask, solved):
    if net.cell != "gru" or net.proj_size:
        return None
    q, g = ask["quantity"], net.gates
    if q == "total":
        tensors = count(net.replace(bias=solved.total_bias)).tensors
        gated = sum(t.parameters for t in tensors
                    if t.role not in ("hidden->output", "output bias"))
        wrong = solved.value + gated // g
    elif q in ("shape", "parameters"):
        shape = list(solved.tensor.shape)
        where = [k for k, d in enumerate(shape) if d == g * net.n]
        if len(where) != 1:
            return None
        shape[where[0]] = 4 * net.n
        wrong = tuple(shape)
        if q == "parameters":
            wrong = solved.value // (g * net.n) * 4 * net.n
    else:
        return None
    return wrong, (f"{_written(solved, wrong)} counts 4 gate blocks, as an LSTM has; "
                   f"a GRU has {g} ({gate_letters(net)}), each with its own weights")


def bias_as_column(net, ask, solved):
    if ask["quantity"] != "shape" or len(solved.value) != 1 or column_vectors(net):
        return None
    k = solved.value[0]
    return (k, 1), (f"({k}, 1) writes the bias as a column vector; in the {net.convention} "
                    f"convention it is a 1-D vector of {k}: ({k},)")


def multiplied_by_T(net, ask, solved):
    if ask["quantity"] not in ("total", "parameters") or not net.T or net.T == 1:
        return None
    wrong = solved.value * net.T
    return wrong, (f"{wrong:,} multiplies by T = {net.T}: the same weights are used at every "
                   "time step, so T never changes the count")


def output_layer_left_out(net, ask, solved):
    if ask["quantity"] != "total" or net.p is None:
        return None
    wrong = count(net.replace(p=None, bias=solved.total_bias)).total
    return wrong, (f"{wrong:,} leaves out the output layer: {solved.value - wrong:,} "
                   "parameters connect the hidden layer to the outputs")


def gate_multiplier_left_out(net, ask, solved):
    if ask["quantity"] != "total" or net.cell == "rnn" or net.proj_size:
        return None
    wrong = _total(net.replace(cell="rnn"), solved.total_bias)
    return wrong, (f"{wrong:,} counts one block of weights; {cell_name(net)} has "
                   f"{net.gates} gate blocks ({gate_letters(net)}), each with its own "
                   "weights")


def bidirectional_left_out(net, ask, solved):
    if ask["quantity"] != "total" or not net.bidirectional:
        return None
    wrong = _total(net.replace(bidirectional=False), solved.total_bias)
    return wrong, (f"{wrong:,} counts one direction: a bidirectional layer has two complete "
                   "sets of weights, and what follows it reads 2n values")


def deep_layer_input_m(net, ask, solved):
    if ask["quantity"] != "total" or net.layers < 2:
        return None
    width = net.directions * (net.proj_size or net.n)
    if width == net.m:
        return None
    wrong = solved.value
    for t in solved.result.tensors:
        if t.layer and t.layer > 1 and t.role.startswith("input->"):
            wrong += t.parameters // width * (net.m - width)
    words = "2n" if net.bidirectional else "n"
    return wrong, (f"{wrong:,} gives layer 2 and above {net.m} inputs (m); they read the "
                   f"{width} outputs ({words}) of the layer below")


def n_for_n_squared(net, ask, solved):
    q = ask["quantity"]
    if q == "parameters" and _is_recurrent(solved.tensor):
        if net.proj_size or net.n == 1:
            return None
        wrong = solved.value // net.n
    elif q == "total" and net.n > 1 and not net.proj_size:
        recurrent = sum(t.parameters for t in solved.result.tensors if _is_recurrent(t))
        wrong = solved.value - recurrent + recurrent // net.n
    else:
        return None
    return wrong, (f"{wrong:,} counts n = {net.n} hidden-to-hidden weights per block; each of "
                   f"the {net.n} neurons connects to all {net.n}: n·n = {net.n * net.n:,}")


def m_and_p_swapped(net, ask, solved):
    q = ask["quantity"]
    if net.p is None or net.p == net.m or q not in ("total", "shape", "parameters"):
        return None
    swapped = net.replace(m=net.p, p=net.m)
    if q == "total":
        wrong = _total(swapped, solved.total_bias)
    elif q in ("shape", "parameters"):
        twin = {t.name: t for t in count(swapped).tensors}.get(solved.tensor.name)
        if twin is None:
            return None
        wrong = twin.shape if q == "shape" else twin.parameters
    else:
        return None
    if wrong == solved.value:
        return None  # with m != p, the quantity does not tell them apart: no mistake to name
    text = display(solved.kind, wrong)
    return wrong, (f"{text} swaps m and p: the input layer has m = {net.m} neurons, the "
                   f"output layer p = {net.p}")


CATALOGUE = (
    ("transposed", "transposed shape", transposed),
    ("bias-as-column", "bias written as an (n, 1) column", bias_as_column),
    ("keras-one-bias-row", "one bias row (reset_after=False counted)", keras_one_bias_row),
    ("biases-left-out", "biases left out", biases_left_out),
    ("bias-counted-twice", "a bias counted twice", bias_counted_twice),
    ("second-bias-left-out", "PyTorch's second bias left out", second_bias_left_out),
    ("multiplied-by-T", "multiplied by T", multiplied_by_T),
    ("output-layer-left-out", "output layer left out", output_layer_left_out),
    ("gate-multiplier-left-out", "gate multiplier left out", gate_multiplier_left_out),
    ("gru-four-blocks", "a GRU counted with 4 gate blocks", gru_four_blocks),
    ("bidirectional-left-out", "x2 for bidirectional left out", bidirectional_left_out),
    ("deep-layer-input-m", "layer 2+ given input m", deep_layer_input_m),
    ("n-for-n-squared", "n instead of n·n for W_hh", n_for_n_squared),
    ("m-p-swapped", "m and p swapped", m_and_p_swapped),
    ("h0-left-out", "h_0 left out", unrolled.h0_left_out),
    ("h0-step-skipped", "first step skipped", unrolled.h0_step_skipped),
    ("one-step-only", "one time step only", unrolled.one_step_only),
    ("output-every-step", "output layer run at every step", unrolled.output_every_step),
    ("output-once", "output layer run once", unrolled.output_once),
    ("T-changes-count", "thinks T changes the count", unrolled.t_changes_count),
    ("activation-changes-count", "thinks the activation changes the count",
     unrolled.activation_changes_count),
    ("forward-no-activation", "activation left out", unrolled.forward_no_activation),
    ("forward-no-recurrence", "recurrent term left out", unrolled.forward_no_recurrence),
    ("gradient-last-term-only", "only the last step's term", unrolled.gradient_last_term_only),
    ("gradient-no-slope", "activation slope left out", unrolled.gradient_no_slope),
    ("factor-multiplied", "w·T instead of w^T", unrolled.factor_multiplied),
    ("stored-h0-left-out", "h_0 left out of memory", unrolled.stored_h0_left_out),
    ("one-term-only", "one term instead of T", unrolled.one_term_only),
    ("terms-double-sum", "T(T+1)/2 terms (a double sum)", unrolled.terms_double_sum),
    ("inverse-biases-left-out", "biases left out of the equation", inverse.biases_left_out),
    ("inverse-biases-added", "biases put into a bias-free equation", inverse.biases_added),
    ("inverse-one-bias", "one bias per gate in PyTorch's equation", inverse.one_bias),
    ("keras-one-bias-row-2d", "one bias row (reset_after=False counted)",
     keras_one_bias_row_2d),
    ("inverse-output-left-out", "output layer left out of the equation",
     inverse.output_layer_left_out),
)


def predict(net, ask, solved) -> list:
    """Every applicable misconception's wrong answer, as NamedWrong, even one that equals the
    right answer (the generator redraws such a variant; see ``rnnquiz.drill.soundness``)."""
    out = []
    for ident, name, rule in (MODEL_CATALOGUE if is_model(net) else CATALOGUE):
        found = rule(net, ask, solved)
        if found is None:
            continue
        value, explanation = found
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            continue  # no count is below 1: nobody would answer it
        out.append(NamedWrong(value, display(solved.kind, value, solved.decimals), ident, name,
                              explanation))
    return out


def diagnose(net, ask, solved, predicted=None) -> list:
    """Every applicable misconception's wrong answer, none equal to the right one or repeated.

    ``predicted``: ``predict(net, ask, solved)`` when the caller has it already (the
    generator made it to audit the variant); its items are used, not copied."""
    out, seen = [], {solved.value, *solved.alternatives}
    for wrong in predict(net, ask, solved) if predicted is None else predicted:
        if wrong.value not in seen:
            seen.add(wrong.value)
            out.append(wrong)
    return out
