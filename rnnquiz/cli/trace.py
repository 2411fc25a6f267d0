"""rnnquiz trace: a small RNN followed step by step, forward and back."""

from __future__ import annotations

import json

import click

from rnnquiz.cli.options import Integers
from rnnquiz.streams import write_stdout


@click.command()
@click.option("--weights", "weights_file", type=click.Path(dir_okay=False),
              help="A YAML or JSON file with W_xh, W_hh, (W_hy, b_h, b_y), xs, targets.")
@click.option("--seed", type=Integers(min=0), default=None,
              help="A random small network with one-decimal weights (default seed 0).")
@click.option("--m", type=Integers(1, 64), default=3, show_default=True,
              help="Inputs of the random network.")
@click.option("--n", type=Integers(1, 64), default=1, show_default=True,
              help="Hidden neurons of the random network.")
@click.option("--p", type=Integers(0, 64), default=1, show_default=True,
              help="Outputs of the random network (0: none).")
@click.option("--T", "T", type=Integers(1, 1000), default=2, show_default=True,
              help="Steps of the random network.")
@click.option("--activation", type=click.Choice(("sigmoid", "tanh", "relu", "identity")),
              default="sigmoid", show_default=True, help="Activation of the random network.")
@click.option("--backward", is_flag=True, help="Also backpropagate through time.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.option("--svg", "svg", type=click.Path(dir_okay=False), default=None,
              help="Also draw the computation graph (and with --backward the gradient-norm "
                   "plot) as an SVG file.")
def trace(weights_file, seed, m, n, p, T, activation, backward, as_json, svg):
    """Follow a small RNN step by step: pre-activations, h_t, y_t, the loss; with --backward
    the gradient reaching each h_t, each step's share of dW_hh and the gradient's norm.

    The default is the exam's 3:1:1 sigmoid network over 2 steps with random one-decimal
    weights (--seed); --weights FILE uses your own (see the README for the file's keys).

    \b
    Example:
      rnnquiz trace --seed 4 --backward
    """
    from rnnquiz.witness.trace import load_spec, random_spec, trace_lines
    from rnnquiz.witness.trace import trace as run_trace

    ctx = click.get_current_context()
    sized = [name for name in ("m", "n", "p", "T", "activation")
             if ctx.get_parameter_source(name) != click.core.ParameterSource.DEFAULT]
    if weights_file and (sized or seed is not None):
        raise click.UsageError("--weights takes the network from the file: drop "
                               + ", ".join(f"--{s}" for s in sized + (
                                   ["seed"] if seed is not None else [])))
    spec = (load_spec(weights_file) if weights_file
            else random_spec(m, n, p, T, seed or 0, activation))
    result = run_trace(spec, backward=backward)
    if svg:
        from rnnquiz.cli.figures import write_svg
        from rnnquiz.figures.trace import trace_svg

        write_svg(svg, lambda: trace_svg(result), param_hint="'--T'")
    if as_json:
        write_stdout(json.dumps(result.as_dict(), indent=2, allow_nan=False) + "\n")
    else:
        for line in trace_lines(result):
            click.echo(line)
