"""rnnquiz export: worksheets, answer keys and course-tool imports."""

from __future__ import annotations

import os

import click

from rnnquiz.cli.options import all_templates, drill_options, selection

EXPORT_FORMATS = ("markdown", "json", "gift", "moodle", "html", "anki")


def _figure_files(problems) -> dict:
    """File name -> SVG text of every problem's figure."""
    return {p.figure.name: p.figure.svg for p in problems if getattr(p, "figure", None)}


def _without_images(problems, why="") -> list:
    """The problems for a format without images (text-only wording, or left out), each
    change said on stderr."""
    from rnnquiz.drill.figure import without_images

    kept, notes = without_images(problems)
    for note in notes:
        click.echo(f"note: {note}{why}", err=True)
    return kept


def _note_left_out(variant_ids, why="") -> None:
    """The note naming the figure problems left out of a format without images, if any."""
    if variant_ids:
        from rnnquiz.drill.figure import left_out_note

        click.echo(f"note: {left_out_note(variant_ids)}{why}", err=True)


def _has_genanki() -> bool:
    try:
        import genanki  # noqa: F401 - only asking whether it is there
    except ImportError:
        return False
    return True


def _write_with_figures(output, produce) -> list:
    """Write ``output`` by ``produce(f, figure)``, which writes its text into the open file
    ``f`` and passes each figure to ``figure(name, svg)``; returns the figure names.

    Each figure file is written beside ``output`` as it comes (see ``files.staged_files``)
    while the rest are made; when the text is complete the figures are renamed into place,
    then ``output``: a figure that cannot be written leaves ``output`` as it was, and the
    error names that figure."""
    from rnnquiz.drill.problems import ProblemError
    from rnnquiz.files import replacing, staged_files

    folder = os.path.dirname(os.path.abspath(output))
    names, writing = [], [output]
    itself = os.path.realpath(output)

    def figure(stage, name, svg):
        writing[0] = name
        if os.path.realpath(os.path.join(folder, name)) == itself:  # one would replace the other
            raise click.ClickException(f"cannot write {name}: it is the output file itself; "
                                       "give -o another name")
        stage(os.path.join(folder, name), svg)
        names.append(name)
        writing[0] = output

    try:
        with replacing(output) as tmp:
            with staged_files() as stage:
                with open(tmp, "w", encoding="utf-8") as f:
                    produce(f, lambda name, svg: figure(stage, name, svg))
                writing[0] = None  # the renames: the error names its figure
            writing[0] = output
    except ProblemError as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:
        name = writing[0] or os.path.basename(e.filename or "") or "a figure"
        raise click.ClickException(f"cannot write {name}: {e.strerror or e}") from None
    return names


def _say_beside(output, names):
    """The one line naming the figure files written beside ``output`` (none: no line)."""
    if not names:
        return
    names = sorted(set(names))
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""  # one readable line
    click.echo(f"wrote {len(names)} figure(s) beside {output}: "
               + ", ".join(names[:5]) + more, err=True)


@click.command()
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True,
              help="Output format.")
@drill_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (default: standard output).")
@click.option("--part", type=click.Choice(["all", "questions", "key"]), default="all",
              show_default=True,
              help="markdown: the whole worksheet, only the questions (to hand out) or only "
                   "the answer key.")
def export(fmt, count_, skills, seed, convention, problem_dirs, output, part):
    """Worksheets, answer keys and course-tool imports of fresh problems.

    markdown (worksheet + answer key), json (documented schema), gift and moodle (Moodle
    imports), html (a print-ready worksheet, the answer key on a new page), anki (.apkg with
    the anki extra, else Anki's tab-separated text). The same --seed gives the same problems,
    in the same order, in every format and in practice.

    \b
    Example:
      rnnquiz export --format moodle --count 20 --seed 1 -o quiz.xml
    """
    import random

    from rnnquiz import __version__
    from rnnquiz.drill.bulk import generate_many
    from rnnquiz.drill.practice import plan
    from rnnquiz.drill.problems import ProblemError
    from rnnquiz.export import TEXT_FORMATS
    from rnnquiz.export.anki import AnkiUnavailable, to_anki_tsv
    from rnnquiz.files import write_atomically

    if part != "all" and fmt != "markdown":
        raise click.UsageError("--part applies to --format markdown only")
    if output and os.path.isdir(output):
        raise click.BadParameter(f"{output} is a folder", param_hint="'-o'")
    templates = selection(all_templates(problem_dirs), skills, convention)
    if seed is None:
        seed = random.SystemRandom().randrange(1_000_000)
        click.echo(f"seed {seed} (repeat with --seed {seed})", err=True)
    meta = {"seed": seed, "generator": f"rnnquiz {__version__}"}
    # Figure files go beside a regular output file, never into /dev beside /dev/stdout.
    from rnnquiz.files import is_special

    beside = bool(output) and not is_special(output)
    if fmt == "json" and output:
        # Streamed: each problem is made and encoded (in a worker process for a large
        # export), its line written and let go, so memory stays flat.
        from rnnquiz.export.jsonfmt import iter_json_lines, piece

        written, kept_in = [], []

        def write_json(f, stage):
            def lines():
                for line, figure in generate_many(plan(templates, count_, seed), then=piece):
                    written.append(None)
                    if figure is not None and beside:
                        stage(*figure)
                    elif figure is not None:
                        kept_in.append(figure[0])
                    yield line
            f.writelines(iter_json_lines(lines(), meta))

        _say_beside(output, _write_with_figures(output, write_json))
        if kept_in:
            click.echo(f"note: {len(set(kept_in))} figure(s) not written as files: {output} "
                       "is not a regular file (each figure's SVG is in the JSON)", err=True)
        click.echo(f"wrote {len(written)} problems to {output} ({fmt})", err=True)
        return
    if fmt == "markdown" and beside:
        import functools

        from rnnquiz.export import markdown

        # Streamed: with images no problem is left out, so the header's count is the plan's;
        # each question is written as it comes, and only the answer key's blocks are kept.
        picks = plan(templates, count_, seed)

        def write_markdown(f, stage):
            def pieces():
                for one in generate_many(picks, then=functools.partial(markdown.piece,
                                                                       images=True)):
                    if one[2] is not None and part != "key":  # the key shows no figure
                        stage(*one[2])
                    yield one
            f.writelines(markdown.iter_from_pieces(pieces(), meta, part, count=len(picks)))

        _say_beside(output, _write_with_figures(output, write_markdown))
        click.echo(f"wrote {len(picks)} problems to {output} ({fmt})", err=True)
        return
    picks = plan(templates, count_, seed)

    def made(then=None) -> list:
        """Every problem (or ``then`` of it, made in the worker process), in order."""
        try:
            return list(generate_many(picks, then=then))
        except ProblemError as e:
            raise click.ClickException(str(e)) from None

    # Formats that cannot hold the figures ask those problems without them (or leave them
    # out). GIFT, Markdown, Moodle and Anki's .apkg get each problem's text from the worker
    # that made it; HTML, Anki's text import and Moodle to standard output the whole problems.
    if fmt == "gift":
        from rnnquiz.export import gift

        pieces = made(gift.piece)
        _note_left_out([vid for _, block, vid in pieces if block is None])
        written = sum(b is not None for _, b, _ in pieces)
        # a file is written a block at a time, never joined whole
        text = gift.iter_from_pieces(pieces, meta) if output else gift.from_pieces(pieces, meta)
    elif fmt == "markdown":  # no file to write figures beside: their text wording
        from rnnquiz.export import markdown

        pieces = made(markdown.piece)
        _note_left_out([vid for block, _, _, vid in pieces if block is None],
                       f" (figure files go beside a regular -o file; {output} is not one)"
                       if output else " (give -o to write the figure files beside it)")
        text = markdown.from_pieces(pieces, meta, part)
        written = sum(block is not None for block, *_ in pieces)
    elif fmt == "anki" and _has_genanki():
        if not output:
            raise click.UsageError("--format anki writes a binary .apkg: give -o FILE.apkg")
        import tempfile

        from rnnquiz.export.anki import note_piece, write_apkg_pieces
        from rnnquiz.files import replacing, temporary_folder

        try:
            with replacing(output) as tmp, temporary_folder() as scratch:
                # genanki leaves its collection database in the temporary folder: ours.
                saved, tempfile.tempdir = tempfile.tempdir, scratch
                try:  # each note made as its problem comes back (see write_apkg_pieces)
                    notes = write_apkg_pieces(generate_many(picks, then=note_piece), tmp)
                finally:
                    tempfile.tempdir = saved
        except ProblemError as e:
            raise click.ClickException(str(e)) from None
        except AnkiUnavailable as e:  # pragma: no cover - checked just above
            raise click.ClickException(str(e)) from None
        except OSError as e:
            raise click.ClickException(f"cannot write {output}: {e.strerror or e}") from None
        click.echo(f"wrote {notes} notes to {output} (anki)", err=True)
        return
    elif fmt == "moodle" and output:
        from rnnquiz.export import moodle

        # Each question written by the worker that made it, its marks filled in once every
        # question is there; the file is written a question at a time, never held whole.
        pieces = made(moodle.piece)
        text, written = moodle.iter_moodle_pieces(pieces, meta), len(pieces)
    else:
        problems = made()
        figures = _figure_files(problems)
        if fmt == "anki":
            click.echo('note: genanki is not installed, so this is Anki\'s tab-separated '
                       'import format; pip install ".[anki]" in the rnnquiz checkout for an '
                       '.apkg', err=True)
            if figures:
                click.echo(f"note: the text import holds no figures: {len(figures)} figure "
                           "problem(s) asked in their text-only wording or left out", err=True)
                problems = _without_images(problems)
                figures = {}
            text = to_anki_tsv(problems, meta)
            if output and output.endswith(".apkg"):
                output = output[: -len(".apkg")] + ".txt"
        else:
            text = TEXT_FORMATS[fmt](problems, meta)
        written = len(problems)
    if output:
        try:
            write_atomically(output, text)
        except OSError as e:
            raise click.ClickException(f"cannot write {output}: {e.strerror or e}") from None
        click.echo(f"wrote {written} problems to {output} ({fmt})", err=True)
        if fmt == "moodle" and not is_special(output):
            _moodle_size_note(output, os.path.getsize(output), written)
    else:
        from rnnquiz.streams import write_stdout

        write_stdout(text if text.endswith("\n") else text + "\n")
        if fmt == "moodle":
            _moodle_size_note("the output", len(text.encode("utf-8")), written)


def _moodle_size_note(where, size, count) -> None:
    """The note saying a Moodle XML file is too large for Moodle's importer, if it is."""
    from rnnquiz.export.moodle import size_note

    note = size_note(size, count)
    if note:
        click.echo(f"note: {where} is {note}", err=True)
