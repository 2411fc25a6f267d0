"""Named mistakes about the unrolled network: time steps, hidden states kept for BPTT, forward
values and gradients by hand. Each rule returns (wrong value, explanation) or None; the
catalogue is in ``rnnquiz.drill.misconceptions``.
"""

from __future__ import annotations

from rnnquiz.calculator.rules import count
from rnnquiz.witness import handcalc


def h0_step_skipped(net, ask, solved):
    if ask["quantity"] != "recurrent_applications" or solved.value < 2:
        return None
    wrong = solved.value - 1
    return wrong, (f"{wrong} skips the first step: at t = 1, W_hh is applied to h_0 too "
                   "(h_0 = 0 gives zero, but the product is part of every step)")


def h0_left_out(net, ask, solved):
    if ask["quantity"] != "hidden_states" or not ask.get("include_h0", True):
        return None
    per = net.layers * net.directions
    wrong = solved.value - per
    return wrong, (f"{wrong:,} leaves out h_0: the initial state is kept too, since the first "
                   "step's gradient needs it")


def one_step_only(net, ask, solved):
    if ask["quantity"] != "multiply_adds" or not net.T or net.T == 1:
        return None
    wrong = count(net).without_bias
    if ask.get("output", "every") == "last" and net.p:
        return wrong, (f"{wrong:,} counts one time step: the forward pass applies W_xh and "
                       f"W_hh at each of the T = {net.T} steps (and W_hy once, at the end)")
    return wrong, (f"{wrong:,} counts one time step: the forward pass applies every matrix at "
                   f"each of the T = {net.T} steps")


def _output_layer_weights(net) -> int:
    return sum(t.parameters for t in count(net).tensors if t.role == "hidden->output")


def output_every_step(net, ask, solved):
    if ask["quantity"] != "multiply_adds" or ask.get("output", "every") != "last" \
            or not net.p or not net.T or net.T == 1:
        return None
    wrong = net.T * count(net).without_bias
    return wrong, (f"{wrong:,} runs the output layer at every step; this network gives one "
                   f"output, after the last step, so W_hy is applied once, not {net.T} times")


def output_once(net, ask, solved):
    if ask["quantity"] != "multiply_adds" or ask.get("output", "every") != "every" \
            or not net.p or not net.T or net.T == 1:
        return None
    wrong = solved.value - (net.T - 1) * _output_layer_weights(net)
    return wrong, (f"{wrong:,} applies the output layer once; with an output at every step "
                   f"W_hy is applied at each of the T = {net.T} steps")


def t_changes_count(net, ask, solved):
    if ask["quantity"] != "T_changes_count":
        return None
    return True, ("'yes' forgets parameter sharing: the same weights are applied at every "
                  "step, so T changes the work, never the count")


def activation_changes_count(net, ask, solved):
    if ask["quantity"] != "activation_changes_count":
        return None
    return True, ("'yes' confuses computation with parameters: an activation acts on each "
                  "value and has no weights")


def _forward_variant(ask, solved, **changes):
    info = solved.steps
    w = info["weights"]
    act = info["activation"]
    options = {"activation": act, "output_activation": act}
    w_hh = w["W_hh"]
    if changes.get("no_recurrence"):
        w_hh = [[0.0] * len(row) for row in w_hh]
    if changes.get("no_activation"):
        options = {"activation": "identity", "output_activation": "identity"}
    steps = handcalc.forward(w["W_xh"], w_hh, w["W_hy"], w["xs"], **options)
    s = steps[info["t"] - 1]
    return round((s.h if info["which"] == "h" else s.y)[0], solved.decimals)


def forward_no_activation(net, ask, solved):
    if ask["quantity"] != "forward":
        return None
    wrong = _forward_variant(ask, solved, no_activation=True)
    return wrong, (f"{wrong:z.{solved.decimals}f} leaves out the activation: each value goes "
                   f"through {solved.steps['activation']} before it is used")


def forward_no_recurrence(net, ask, solved):
    if ask["quantity"] != "forward" or solved.steps["t"] == 1:
        return None
    wrong = _forward_variant(ask, solved, no_recurrence=True)
    return wrong, (f"{wrong:z.{solved.decimals}f} drops W_hh·h_(t-1): after the first step the "
                   "previous hidden state feeds in too")


def gradient_last_term_only(net, ask, solved):
    if ask["quantity"] != "gradient" or net.T < 2:
        return None
    wrong = round(solved.steps["last"], solved.decimals)
    return wrong, (f"{wrong:z.{solved.decimals}f} keeps only the last step's term: the same "
                   "weight is used at every step, so every step adds a term to its gradient")


def gradient_no_slope(net, ask, solved):
    info = solved.steps if ask["quantity"] == "gradient" else None
    if info is None or info["activation"] == "identity":
        return None
    calc = handcalc.one_neuron_bptt(info["u"], info["w"], info["xs"], info["target"],
                                    info["activation"], h0=info["h0"], ignore_slope=True)
    wrong = round(calc["d" + info["of"]], solved.decimals)
    return wrong, (f"{wrong:z.{solved.decimals}f} leaves out {info['activation']}'(a_t): the "
                   "gradient passes through the activation's slope at every step")


def factor_multiplied(net, ask, solved):
    if ask["quantity"] != "gradient_factor":
        return None
    w = solved.steps["w"]
    wrong = round(w * net.T, solved.decimals)
    return wrong, (f"{wrong:g} multiplies w by T; the factors multiply: w·w·...·w = w^T")


def stored_h0_left_out(net, ask, solved):
    if ask["quantity"] != "stored_values":
        return None
    per_state = (net.proj_size or net.n) + (net.n if net.cell == "lstm" else 0)
    wrong = solved.value - net.layers * net.directions * per_state
    return wrong, (f"{wrong:,} leaves out the initial state h_0 (and c_0), which the first "
                   "step's gradient needs")


def terms_double_sum(net, ask, solved):
    if ask["quantity"] != "gradient_terms" or solved.value < 2:
        return None
    T = solved.value
    wrong, tensor = T * (T + 1) // 2, ask.get("tensor", "W_hh")
    return wrong, (f"{wrong:,} = T(T+1)/2 counts a double sum (each loss back to every earlier "
                   f"step); grouped by the step where the weights are used, dL/d{tensor} has "
                   f"one term per time step: {T}")


def one_term_only(net, ask, solved):
    if ask["quantity"] != "gradient_terms" or solved.value < 2:
        return None
    return 1, ("1 counts only the last step: the weights are shared, so each of the T steps "
               "adds its own term")
