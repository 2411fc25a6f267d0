"""The calculator's commands: count, verify, solve."""

from __future__ import annotations

import json

import click

from rnnquiz.cli.options import POSITIVE, bad_parameter, network, network_options
from rnnquiz.errors import NetworkError


@click.command()
@network_options()
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
def count(as_json, explain, diagram, do_verify, svg, grid, last_output, **kw):
    """Weight shapes and parameter counts of an RNN, LSTM or GRU.

    Prints every tensor (name, shape, parameters, role), the totals with and without bias, and
    what the sequence length T does and does not change.

    \b
    Example:
      rnnquiz count --m 10 --n 20 --p 5 --explain
      rnnquiz count --m 3 --n 4 --p 2 --svg net.svg
    """

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
