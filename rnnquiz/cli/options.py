"""Options and helpers shared by the commands: network sizes, template selection."""

from __future__ import annotations

import click

from rnnquiz.description.network import CELLS, CONVENTIONS, LAYOUTS, Network
from rnnquiz.errors import NetworkError


class Integers(click.IntRange):
    """click.IntRange whose error says 'is not a valid integer' (not 'integer range').

    Only ASCII digits (with an optional sign) are read: Python's int() would also take '١٠'
    (Arabic-Indic digits) or '1_000', which the fast path of ``rnnquiz count`` does not.
    """

    name = "integer"
    max_digits = 4000  # Python itself refuses to convert more than 4,300 digits

    def convert(self, value, param, ctx):
        if isinstance(value, str):
            text = value.strip()
            digits = text[1:] if text[:1] in ("+", "-") else text
            if not (digits.isascii() and digits.isdigit()):
                shown = value if len(value) <= 40 else value[:37] + "..."
                self.fail(f"{shown!r} is not a valid integer (ASCII digits 0-9 only)", param, ctx)
            if len(digits) > self.max_digits:
                self.fail(f"a {len(digits):,}-digit number is too large", param, ctx)
        return super().convert(value, param, ctx)


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


def bad_parameter(error: NetworkError) -> click.BadParameter:
    """A NetworkError as click's usage error, naming the command-line option."""
    return click.BadParameter(error.reason,
                              param_hint=f"'{OPTION_OF.get(error.field, error.field)}'")


def network(**kw) -> Network:
    """Build the description, turning a NetworkError into a usage error naming the option."""
    try:
        return Network(kw["m"], kw["n"], kw["p"], kw["T"], cell=kw["cell"], layers=kw["layers"],
                       bidirectional=kw["bidirectional"], bias=kw["bias"],
                       convention=kw["convention"], reset_after=kw["reset_after"],
                       proj_size=kw["proj_size"] or 0, layout=kw["layout"])
    except NetworkError as e:
        raise bad_parameter(e) from None


def all_templates(extra_dirs):
    """Shipped templates plus a teacher's folders; invalid files stop with their first error."""
    from rnnquiz.drill.templates import load_templates
    from rnnquiz.resources import problems_dir

    templates, errors = load_templates([problems_dir(), *extra_dirs])
    if errors:
        more = f" ({len(errors) - 1} more; run 'rnnquiz validate')" if len(errors) > 1 else ""
        raise click.ClickException(f"{errors[0]}{more}")
    return templates


def selection(templates, skills, convention):
    from rnnquiz.drill.practice import filter_templates, restrict_convention

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


class Folder(click.Path):
    """A folder option: "" is refused (it would silently mean the current folder)."""

    def __init__(self):
        super().__init__(file_okay=False)

    def convert(self, value, param, ctx):
        if value == "":
            self.fail("an empty path is not a folder (omit the option for the default)",
                      param, ctx)
        return super().convert(value, param, ctx)
