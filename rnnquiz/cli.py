"""The command line: the only module that imports click, prints or exits.

Library errors become one line on stderr: exit 2 for bad usage, 1 for a runtime failure.
"""

from __future__ import annotations

import json
import os
import sys

import click

from rnnquiz.errors import NetworkError, RnnquizError
from rnnquiz.network import CELLS, CONVENTIONS, LAYOUTS, Network


class Integers(click.IntRange):
    """click.IntRange whose error says 'is not a valid integer' (not 'integer range')."""

    name = "integer"


POSITIVE = Integers(min=1)
# Network fields -> the option that sets them, for error messages.
OPTION_OF = {"m": "--m", "n": "--n", "p": "--p", "T": "--T", "cell": "--cell",
             "layers": "--layers", "bidirectional": "--bidirectional", "bias": "--bias",
             "convention": "--convention", "reset_after": "--reset-after",
             "proj_size": "--proj-size", "layout": "--layout", "total": "--total"}


def network_options(*, sizes_required: bool = True):
    """The options that describe a network, shared by count, verify and solve."""
    def decorate(f):
        opts = [
            click.option("--m", "m", type=POSITIVE, required=sizes_required,
                         help="Input size: neurons in the input layer."),
            click.option("--n", "n", type=POSITIVE, required=sizes_required,
                         help="Hidden size: neurons in each hidden layer."),
            click.option("--p", "p", type=POSITIVE, default=None,
                         help="Output size; omit for no output layer."),
            click.option("--T", "T", type=POSITIVE, default=None,
                         help="Sequence length (never changes the count)."),
            click.option("--cell", type=click.Choice(CELLS, case_sensitive=False),
                         default="rnn", show_default=True, help="Recurrent cell."),
            click.option("--layers", type=POSITIVE, default=1, show_default=True,
                         help="Stacked recurrent layers (L)."),
            click.option("--bidirectional", is_flag=True, help="Two directions (D = 2)."),
            click.option("--bias/--no-bias", default=True, show_default=True,
                         help="Biases everywhere, or none at all."),
            click.option("--convention", type=click.Choice(CONVENTIONS, case_sensitive=False),
                         default="textbook", show_default=True,
                         help="Names, layout and bias policy."),
            click.option("--reset-after/--no-reset-after", default=True, show_default=True,
                         help="Keras GRU reset_after (two bias rows when on)."),
            click.option("--proj-size", type=POSITIVE, default=None,
                         help="PyTorch LSTM proj_size r (0 < r < n)."),
            click.option("--layout", type=click.Choice(LAYOUTS, case_sensitive=False),
                         default=None,
                         help="Textbook weight layout: out-in (W x) or in-out (x W)."),
        ]
        for opt in reversed(opts):
            f = opt(f)
        return f
    return decorate


def _bad_parameter(error: NetworkError) -> click.BadParameter:
    """A NetworkError as click's usage error, naming the command-line option."""
    return click.BadParameter(error.reason,
                              param_hint=f"'{OPTION_OF.get(error.field, error.field)}'")


def _network(**kw) -> Network:
    """Build the description, turning a NetworkError into a usage error naming the option."""
    try:
        return Network(kw["m"], kw["n"], kw["p"], kw["T"], cell=kw["cell"], layers=kw["layers"],
                       bidirectional=kw["bidirectional"], bias=kw["bias"],
                       convention=kw["convention"], reset_after=kw["reset_after"],
                       proj_size=kw["proj_size"] or 0, layout=kw["layout"])
    except NetworkError as e:
        raise _bad_parameter(e) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rnnquiz", prog_name="rnnquiz")
def cli():
    """Learn, drill and teach how recurrent neural networks are sized.

    \b
    Example:
      rnnquiz count --m 10 --n 20 --p 5
    """


@cli.command()
@network_options()
@click.option("--json", "as_json", is_flag=True, help="One JSON object (schema in README).")
@click.option("--explain", is_flag=True, help="An exam-style worked solution.")
@click.option("--diagram", is_flag=True, help="ASCII picture, folded and unrolled.")
@click.option("--verify", "do_verify", is_flag=True,
              help="Check every figure against a real NumPy network.")
def count(as_json, explain, diagram, do_verify, **kw):
    """Weight shapes and parameter counts of an RNN, LSTM or GRU.

    Prints every tensor (name, shape, parameters, role), the totals with and without bias, and
    what the sequence length T does and does not change.

    \b
    Example:
      rnnquiz count --m 10 --n 20 --p 5 --explain
    """
    from rnnquiz.rules import count as count_network

    net = _network(**kw)
    result = count_network(net)
    verification = _verify(net) if do_verify else None
    if as_json:
        data = result.as_dict()
        if explain:
            from rnnquiz.explain import worked_solution
            data["explanation"] = worked_solution(result)
        if diagram:
            from rnnquiz.explain import diagram as draw
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
    from rnnquiz.render import count_text

    parts = [count_text(result)]
    if explain:
        from rnnquiz.explain import worked_solution
        parts.append(worked_solution(result))
    if diagram:
        from rnnquiz.explain import diagram as draw
        parts.append(draw(result))
    return "\n\n".join(parts)


def _verify(net):
    from rnnquiz.verification import verify
    return verify(net)


def verified_line(v) -> str:
    text = (f"verified: the NumPy model has the same {v.tensors_checked} tensors and shapes, "
            f"{v.with_bias:,} parameters with bias and {v.without_bias:,} without")
    if v.forward_ran:
        text += (f"; its forward pass ran, {tuple(v.forward_input)} -> "
                 f"{tuple(v.forward_output)}")
    else:
        text += "; weights not allocated (too many to hold), forward pass skipped"
    return text


@cli.command()
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
    from rnnquiz.render import describe, shape_text
    from rnnquiz.rules import count as count_network

    net = _network(**kw)
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


@cli.command()
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
    from rnnquiz.inverse import quadratic_steps
    from rnnquiz.inverse import solve as solve_total

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
        raise _bad_parameter(e) from None
    if as_json:
        click.echo(json.dumps(solution.as_dict(), indent=2))
        return
    from rnnquiz.render import describe
    click.echo(f"{unknown} = {solution.value}")
    for line in quadratic_steps(solution):
        click.echo(f"  {line}")
    click.echo(f"check: {describe(solution.network)} has {total:,} parameters")


# --- the drill ------------------------------------------------------------------------------

def _templates(extra_dirs):
    """Shipped templates plus a teacher's folders; invalid files stop with their first error."""
    from rnnquiz.resources import problems_dir
    from rnnquiz.templates import load_templates

    templates, errors = load_templates([problems_dir(), *extra_dirs])
    if errors:
        more = f" ({len(errors) - 1} more; run 'rnnquiz validate')" if len(errors) > 1 else ""
        raise click.ClickException(f"{errors[0]}{more}")
    return templates


def _selection(templates, skills, convention):
    from rnnquiz.practice import filter_templates, restrict_convention

    known = sorted({t.skill for t in templates})
    for skill in skills:
        if skill not in known:
            raise click.BadParameter(f"unknown skill {skill!r} (skills: {', '.join(known)})",
                                     param_hint="'--skill'")
    chosen = [restrict_convention(t, convention)
              for t in filter_templates(templates, skills, convention)]
    if not chosen:
        raise click.UsageError("no template matches the chosen skills and convention")
    return chosen


def drill_options(f):
    """Options shared by practice and export: what to draw and from where."""
    opts = [
        click.option("--count", "count_", type=Integers(1, 100_000), default=10,
                     show_default=True, help="How many problems."),
        click.option("--skill", "skills", multiple=True, help="Only this skill (repeatable)."),
        click.option("--seed", type=Integers(min=0), default=None,
                     help="Reproducible problems (a variant id means one problem everywhere)."),
        click.option("--convention", type=click.Choice(CONVENTIONS, case_sensitive=False),
                     default=None, help="Only problems in this convention."),
        click.option("--problems", "problem_dirs", multiple=True,
                     type=click.Path(exists=True, file_okay=True, dir_okay=True),
                     help="Extra template files or folders (repeatable)."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def _stdin_ask(prompt: str) -> str:
    click.echo(prompt, nl=False)
    line = sys.stdin.readline()
    if not line:
        click.echo()
        raise EOFError
    if not sys.stdin.isatty():
        click.echo(line.rstrip("\n"))  # show piped answers, so a transcript reads well
    return line.rstrip("\n")


@cli.command()
@drill_options
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Where the history is kept (default: $RNNQUIZ_DATA_DIR or the user data "
                   "folder).")
def practice(count_, skills, seed, convention, problem_dirs, data_dir):
    """Drill fresh exam problems, graded, with the mistake named.

    At the prompt type your answer, or hint, skip or quit. Ctrl-C or end of input ends the
    session with its summary. Works with piped input too.

    \b
    Example:
      rnnquiz practice --count 5 --skill shapes --seed 7
    """
    import random

    from rnnquiz.history import History
    from rnnquiz.practice import plan, problems_for, run_session

    templates = _selection(_templates(problem_dirs), skills, convention)
    history = History(data_dir)
    for warning in history.warnings:
        click.echo(f"warning: {warning}", err=True)
    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)
    attempts = [] if skills else history.attempts()
    picks = plan(templates, count_, seed, attempts)
    click.echo(f"rnnquiz practice: {len(picks)} problems, seed {seed} "
               f"(repeat with --seed {seed})")

    def warn(text):
        click.echo(f"warning: {text}", err=True)

    summary = run_session(problems_for(picks, warn), _stdin_ask, click.echo, history,
                          total=len(picks))
    for warning in history.warnings:
        click.echo(f"warning: {warning}", err=True)
    history.close()
    click.echo("")
    click.echo("Session ended early." if summary.ended_early else "Session complete.")
    for line in summary.lines():
        click.echo(line)


@cli.command()
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Where the history is kept.")
def stats(data_dir):
    """Your practice history: accuracy per skill, trend, frequent misconceptions.

    \b
    Example:
      rnnquiz stats
    """
    from rnnquiz.history import History
    from rnnquiz.practice import stats_lines

    history = History(data_dir)
    attempts = history.attempts()
    for warning in history.warnings:
        click.echo(f"warning: {warning}", err=True)
    history.close()
    for line in stats_lines(attempts):
        click.echo(line)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--seeds", type=Integers(1, 10_000), default=50, show_default=True,
              help="Render each template with this many seeds and check every answer.")
def validate(paths, seeds):
    """Check template files: every error, naming file and field; then every answer.

    Without PATHS, checks the templates shipped with rnnquiz. Exits 1 if anything is wrong.

    \b
    Example:
      rnnquiz validate my-problems/ --seeds 100
    """
    from rnnquiz.resources import problems_dir
    from rnnquiz.validate import validate_paths

    report = validate_paths(paths or (str(problems_dir()),), seeds)
    for error in report.errors:
        click.echo(error, err=True)
    if report.errors:
        raise click.ClickException(f"{len(report.errors)} error(s) in {len(report.files)} "
                                   "file(s)")
    click.echo(f"ok: {len(report.templates)} templates in {len(report.files)} file(s), each "
               f"rendered and checked with {seeds} seeds")


@cli.command(name="list")
@click.option("--problems", "problem_dirs", multiple=True,
              type=click.Path(exists=True), help="Extra template files or folders.")
def list_templates(problem_dirs):
    """The skills and templates available, with their ids.

    \b
    Example:
      rnnquiz list
    """
    templates = _templates(problem_dirs)
    by_skill = {}
    for t in templates:
        by_skill.setdefault(t.skill, []).append(t)
    for skill in sorted(by_skill):
        group = sorted(by_skill[skill], key=lambda t: t.id)
        click.echo(f"{skill} ({len(group)})")
        width = max(len(t.id) for t in group)
        for t in group:
            click.echo(f"  {t.id:<{width}}  [{t.difficulty}] {t.title}")


# --- learning math ----------------------------------------------------------------------

@cli.command()
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
def trace(weights_file, seed, m, n, p, T, activation, backward, as_json):
    """Follow a small RNN step by step: pre-activations, h_t, y_t, the loss; with --backward
    the gradient reaching each h_t, each step's share of dW_hh and the gradient's norm.

    The default is the exam's 3:1:1 sigmoid network over 2 steps with random one-decimal
    weights (--seed); --weights FILE uses your own (see the README for the file's keys).

    \b
    Example:
      rnnquiz trace --seed 4 --backward
    """
    from rnnquiz.trace import load_spec, random_spec, trace_lines
    from rnnquiz.trace import trace as run_trace

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
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        for line in trace_lines(result):
            click.echo(line)


# --- publish ------------------------------------------------------------------------------

EXPORT_FORMATS = ("markdown", "json", "gift", "moodle", "anki")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True,
              help="Output format.")
@drill_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (default: standard output).")
def export(fmt, count_, skills, seed, convention, problem_dirs, output):
    """Worksheets, answer keys and course-tool imports of fresh problems.

    markdown (worksheet + answer key), json (documented schema), gift and moodle (Moodle
    imports), anki (.apkg with the anki extra, else Anki's tab-separated text). The same
    --seed gives the same problems, in the same order, in every format and in practice.

    \b
    Example:
      rnnquiz export --format moodle --count 20 --seed 1 -o quiz.xml
    """
    import random

    from rnnquiz import __version__
    from rnnquiz.export import TEXT_FORMATS
    from rnnquiz.export.anki import AnkiUnavailable, to_anki_tsv, write_apkg
    from rnnquiz.files import write_atomically
    from rnnquiz.practice import plan
    from rnnquiz.problems import ProblemError, generate

    if output and os.path.isdir(output):
        raise click.BadParameter(f"{output} is a folder", param_hint="'-o'")
    templates = _selection(_templates(problem_dirs), skills, convention)
    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)
        click.echo(f"seed {seed} (repeat with --seed {seed})", err=True)
    try:
        problems = [generate(t, s) for t, s in plan(templates, count_, seed)]
    except ProblemError as e:
        raise click.ClickException(str(e)) from None
    meta = {"seed": seed, "generator": f"rnnquiz {__version__}"}
    if fmt == "anki":
        try:
            import genanki  # noqa: F401 - only asking whether it is there
        except ImportError:
            click.echo('note: genanki is not installed, so this is Anki\'s tab-separated '
                       'import format; pip install "rnnquiz[anki]" for an .apkg', err=True)
            text = to_anki_tsv(problems, meta)
            if output and output.endswith(".apkg"):
                output = output[: -len(".apkg")] + ".txt"
        else:
            if not output:
                raise click.UsageError("--format anki writes a binary .apkg: give -o FILE.apkg")
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "deck.apkg")
                try:
                    write_apkg(problems, path)
                except AnkiUnavailable as e:  # pragma: no cover - checked just above
                    raise click.ClickException(str(e)) from None
                with open(path, "rb") as f:
                    write_atomically(output, f.read())
            click.echo(f"wrote {len(problems)} notes to {output} (anki)", err=True)
            return
    else:
        text = TEXT_FORMATS[fmt](problems, meta)
    if output:
        try:
            write_atomically(output, text)
        except OSError as e:
            raise click.ClickException(f"cannot write {output}: {e.strerror or e}") from None
        click.echo(f"wrote {len(problems)} problems to {output} ({fmt})", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))


def main(argv=None) -> int:
    """Run the CLI; every error is one line on stderr and an exit code of 1 or 2."""
    args = sys.argv[1:] if argv is None else list(argv)
    if not args:
        args = ["--help"]
    try:
        rv = cli.main(args=args, prog_name="rnnquiz", standalone_mode=False)
    except click.UsageError as e:
        hint = f" (see '{e.ctx.command_path} --help')" if e.ctx is not None else ""
        click.echo(f"Error: {e.format_message()}{hint}", err=True)
        return 2
    except click.ClickException as e:
        click.echo(f"Error: {e.format_message()}", err=True)
        return 1
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except RnnquizError as e:
        click.echo(f"Error: {e}", err=True)
        return 1
    except Exception as e:  # a bug of ours: still one line, never a traceback
        if os.environ.get("RNNQUIZ_DEBUG"):
            raise
        click.echo(f"Error: internal error ({type(e).__name__}: {e}); please report it "
                   "(RNNQUIZ_DEBUG=1 shows the traceback)", err=True)
        return 1
    return rv if isinstance(rv, int) else 0
