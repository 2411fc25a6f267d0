"""The calculator's commands: count, verify, solve."""

from __future__ import annotations

import json

import click

from rnnquiz.cli.options import OPTION_OF, POSITIVE, bad_parameter, network, network_options
from rnnquiz.errors import NetworkError


@click.command()
@click.argument("model", required=False)
@network_options(sizes_required=False)
@click.option("--batch", type=POSITIVE, default=None,
              help="Batch size for a PyTorch model's shapes (else B).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object (schema in README).")
@click.option("--explain", is_flag=True, help="An exam-style worked solution.")
@click.option("--diagram", is_flag=True, help="ASCII picture, folded and unrolled.")
@click.option("--verify", "do_verify", is_flag=True,
              help="Check every figure against a real NumPy network.")
@click.option("--svg", "svg", type=click.Path(dir_okay=False), default=None,
              help="Also draw the network, folded and unrolled, as an SVG file.")
@click.option("--grid", is_flag=True,
              help="With --svg: draw every connection of one small layer (m, n <= 8) instead.")
@click.option("--last-output", is_flag=True,
              help="With --svg: one output, at the last step (sequence classification).")
@click.pass_context
def count(ctx, model, batch, as_json, explain, diagram, do_verify, svg, grid, last_output, **kw):
    """Weight shapes and parameter counts of an RNN, LSTM or GRU, or of a whole model.

    Prints every tensor (name, shape, parameters, role), the totals with and without bias, and
    what the sequence length T does and does not change.

    MODEL is a line of Keras or PyTorch layers joined by '>', or the path of a model file
    (YAML, JSON, a Keras config or a .keras file): an existing file, or any MODEL without
    parentheses, is read as a file.

    \b
    Example:
      rnnquiz count --m 10 --n 20 --p 5 --explain
      rnnquiz count "Embedding(5000, 32, input_length=100) > LSTM(100) > Dense(1)"
      rnnquiz count --m 3 --n 4 --p 2 --svg net.svg
    """
    if model is not None:
        if grid or last_output:
            raise click.UsageError(f"--{'grid' if grid else 'last-output'} draws one recurrent "
                                   "stack (--m/--n), not a MODEL")
        return _count_model(ctx, model, batch, as_json, explain, diagram, do_verify, kw, svg)
    for size in ("m", "n"):
        if kw[size] is None:
            raise click.UsageError(f"Missing option '--{size}' (or give a MODEL: a model line "
                                   "such as \"Embedding(5000, 32) > LSTM(100) > Dense(1)\", "
                                   "or a model file)")
    if batch is not None:
        raise click.UsageError("--batch applies to a whole MODEL (PyTorch shapes)")
    from rnnquiz.calculator.rules import count as count_network

    net = network(**kw)
    if (grid or last_output) and not svg:
        raise click.UsageError(f"--{'grid' if grid else 'last-output'} draws a figure: "
                               "give --svg FILE")
    result = count_network(net)
    verification = _verify(net) if do_verify else None
    if svg:
        _draw(svg, net, grid, last_output)
    if as_json:
        data = result.as_dict()
        if explain:
            from rnnquiz.calculator.explain import worked_solution
            data["explanation"] = worked_solution(result)
        if diagram:
            from rnnquiz.calculator.explain import diagram as draw
            data["diagram"] = draw(result)
        if verification is not None:
            data["verification"] = verification.as_dict()
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(count_output(result, explain=explain, diagram=diagram))
        if verification is not None and verification.ok:
            click.echo(verified_line(verification))
    if verification is not None and not verification.ok:
        verification.raise_for_differences()


# Options that describe one recurrent stack, meaningless next to a MODEL.
_STACK_OPTIONS = ("m", "n", "p", "cell", "layers", "bidirectional", "bias", "reset_after",
                  "proj_size", "layout")


def _count_model(ctx, model, batch, as_json, explain, diagram, do_verify, kw, svg=None):
    from rnnquiz.calculator.model import count_model

    given = [name for name in _STACK_OPTIONS
             if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE]
    if given:
        raise click.UsageError(f"{OPTION_OF[given[0]]} describes one recurrent stack; with a "
                               "MODEL, write the option in the model's own layers")
    if diagram:
        raise click.UsageError("--diagram draws one recurrent stack (--m/--n), not a MODEL")
    convention = kw["convention"]
    if (convention == "textbook"
            and ctx.get_parameter_source("convention") == click.core.ParameterSource.COMMANDLINE):
        raise click.UsageError("a MODEL is written in keras or pytorch: --convention keras or "
                               "--convention pytorch")
    framework = None if convention == "textbook" else convention
    result = count_model(model, T=kw["T"], batch=batch, framework=framework)
    verification = _verify_model(result) if do_verify else None
    if svg:
        _draw_model(svg, result)
    if as_json:
        data = result.as_dict()
        if explain:
            from rnnquiz.calculator.summary import worked_solution
            data["explanation"] = worked_solution(result)
        if verification is not None:
            data["verification"] = verification.as_dict()
        click.echo(json.dumps(data, indent=2))
    else:
        from rnnquiz.calculator.summary import model_report
        click.echo(model_report(result, explain=explain))
        if verification is not None and verification.ok:
            click.echo("verified: the NumPy witness model agrees on every tensor, count and "
                       "output shape")
    if verification is not None and not verification.ok:
        verification.raise_for_differences()


def _verify_model(result):
    """The NumPy witness's check of a whole model, for the same T and batch as the count."""
    from rnnquiz.verification import verify_model

    return verify_model(result.spec, T=result.T, batch=result.batch)


def count_output(result, *, explain=False, diagram=False) -> str:
    """The text of ``rnnquiz count``: table, then the worked solution and diagram if asked."""
    from rnnquiz.calculator.render import count_text

    parts = [count_text(result)]
    if explain:
        from rnnquiz.calculator.explain import worked_solution
        parts.append(worked_solution(result))
    if diagram:
        from rnnquiz.calculator.explain import diagram as draw
        parts.append(draw(result))
    return "\n\n".join(parts)


def _draw(path, net, grid, last_output):
    from rnnquiz.cli.figures import write_svg

    if grid:
        from rnnquiz.figures.grid import grid_svg
        write_svg(path, lambda: grid_svg(net), param_hint="'--grid'")
    else:
        from rnnquiz.figures import network_svg
        write_svg(path, lambda: network_svg(net, last_output_only=last_output),
                  param_hint="'--T'")


def _draw_model(path, result):
    from rnnquiz.cli.figures import write_svg
    from rnnquiz.figures.model import model_svg

    write_svg(path, lambda: model_svg(result))


def _verify(net):
    from rnnquiz.verification import verify
    try:
        return verify(net)
    except NetworkError as e:  # a size the NumPy witness cannot hold
        raise bad_parameter(e) from None


def verified_line(v) -> str:
    text = (f"verified: the NumPy model has the same {v.tensors_checked} tensors and shapes, "
            f"{v.with_bias:,} parameters with bias and {v.without_bias:,} without")
    if v.forward_ran:
        text += (f"; its forward pass ran, {tuple(v.forward_input)} -> "
                 f"{tuple(v.forward_output)}")
    else:
        text += "; weights not allocated (too many to hold), forward pass skipped"
    return text


@click.command()
@network_options()
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def verify(as_json, **kw):
    """Build a real NumPy network and check the counts tensor by tensor.

    The NumPy model creates its own parameters from the network's equations; its tensors and
    totals are compared with the rules engine's and its forward pass is run. Exits 1, naming
    the difference, when they disagree.

    \b
    Example:
      rnnquiz verify --m 10 --n 20 --p 5 --cell lstm --convention pytorch
    """
    from rnnquiz.calculator.render import describe, shape_text
    from rnnquiz.calculator.rules import count as count_network

    net = network(**kw)
    v = _verify(net)
    if as_json:
        click.echo(json.dumps(v.as_dict(), indent=2))
    else:
        click.echo(describe(net))
        for t in count_network(net).tensors:
            click.echo(f"  {t.name:<40} {shape_text(t.shape):<16} {t.parameters:>14,}")
        if v.ok:
            click.echo(verified_line(v))
    v.raise_for_differences()


@click.command()
@click.option("--total", type=POSITIVE, required=True, help="The parameter count given.")
@network_options(sizes_required=False)
@click.option("--no-output", is_flag=True, help="The network has no output layer (no p).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def solve(total, no_output, as_json, **kw):
    """Find the missing size (m, n or p) from a total parameter count.

    Give every size but one; the missing one is solved for exactly, or rnnquiz says that no
    positive integer fits.

    \b
    Example:
      rnnquiz solve --total 725 --m 10 --p 5
    """
    from rnnquiz.calculator.inverse import quadratic_steps
    from rnnquiz.calculator.inverse import solve as solve_total

    if no_output and kw["p"] is not None:
        raise click.UsageError("--no-output and --p contradict each other")
    sizes = ("m", "n") if no_output else ("m", "n", "p")
    missing = [s for s in sizes if kw[s] is None]
    if not missing:
        raise click.UsageError(f"every size ({', '.join(sizes)}) is given: leave out the one "
                               "to solve for")
    if len(missing) > 1:
        raise click.UsageError(f"{' and '.join(missing)} are both missing: give every size "
                               "but the one to solve for (or --no-output for no output layer)")
    unknown = missing[0]
    known = {k: v for k, v in kw.items() if k != unknown}
    known["proj_size"] = known["proj_size"] or 0
    try:
        solution = solve_total(unknown, total, **known)
    except NetworkError as e:
        raise bad_parameter(e) from None
    if as_json:
        click.echo(json.dumps(solution.as_dict(), indent=2))
        return
    from rnnquiz.calculator.render import describe
    click.echo(f"{unknown} = {solution.value:,}")
    for line in quadratic_steps(solution):
        click.echo(f"  {line}")
    click.echo(f"check: {describe(solution.network)} has {total:,} parameters")
