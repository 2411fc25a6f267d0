"""Writing a figure named by --svg: library errors become one-line CLI errors."""

from __future__ import annotations

import os

import click


def write_svg(path, draw, *, param_hint="'--svg'") -> None:
    """Call ``draw()`` (-> SVG text) and write it atomically to ``path``.

    A figure that cannot be drawn for these sizes is a usage error (exit 2); a file that
    cannot be written is a runtime error (exit 1).
    """
    from rnnquiz.figures import FigureError
    from rnnquiz.files import write_atomically

    if os.path.isdir(path):
        raise click.BadParameter(f"{path} is a folder", param_hint="'--svg'")
    try:
        text = draw()
    except FigureError as e:
        raise click.BadParameter(str(e), param_hint=param_hint) from None
    try:
        write_atomically(path, text)
    except OSError as e:
        raise click.ClickException(f"cannot write {path}: {e.strerror or e}") from None
    click.echo(f"wrote {path}", err=True)
