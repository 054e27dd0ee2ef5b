"""Commands that draw or document the graph: `kg viz`, `kg chart`, `kg docs`."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.options import (
    FilesOrFoldersOption,
    graph_options,
    ontology_choice,
    picture_out_option,
)


@click.command("viz")
@picture_out_option
@click.option(
    "--focus",
    metavar="ENTITY",
    help="Draw only the neighbourhood of this entity (IRI, prefixed name or label).",
)
@click.option(
    "--depth",
    default=2,
    show_default=True,
    type=click.IntRange(0, 10),
    help="How many edges away from --focus to draw.",
)
@graph_options("Draw")
def viz_command(
    out_file: Path,
    focus: str | None,
    depth: int,
    data_paths: tuple[Path, ...],
    ontology_paths: tuple[Path, ...],
    no_ontology: bool,
) -> None:
    """Draw the supernode ecosystem with Graphviz: organizations by role, solutions, chips and
    switches, with who offers, makes, uses, partners with, buys, and who is restricted.

    \b
    Examples:
      kg viz --out ecosystem.svg
      kg viz --out tencent.png --focus 腾讯 --depth 1
    """
    from kg import api
    from kg.base.terminal import steps

    with steps("kg viz", 2) as progress:
        written = api.draw(
            out_file,
            focus=focus,
            depth=depth,
            data=list(data_paths) or None,
            ontology=ontology_choice(ontology_paths, no_ontology),
            progress=progress,
        )
    click.echo(f"wrote {written}", err=True)


@click.command("chart")
@click.argument("name")
@picture_out_option
@graph_options("Chart")
def chart_command(
    name: str,
    out_file: Path,
    data_paths: tuple[Path, ...],
    ontology_paths: tuple[Path, ...],
    no_ontology: bool,
) -> None:
    """Draw one of the market's figures from its saved query, titled and with its source
    (outlet, date, paragraph markers). NAME: procurement-mix, projections or restrictions.

    \b
    Examples:
      kg chart procurement-mix --out procurement-mix.png
      kg chart restrictions --out restrictions.svg
    """
    from kg import api
    from kg.base.terminal import steps

    with steps("kg chart", 2) as progress:
        written = api.chart(
            name,
            out_file,
            data=list(data_paths) or None,
            ontology=ontology_choice(ontology_paths, no_ontology),
            progress=progress,
        )
    click.echo(f"wrote {written}", err=True)


@click.command("docs")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write index.html into (made if missing).",
)
@click.option(
    "--ontology",
    "ontology_paths",
    cls=FilesOrFoldersOption,
    help="Ontology files or folders to document (repeatable); the bundled ontology by default.",
)
def docs_command(out_dir: Path, ontology_paths: tuple[Path, ...]) -> None:
    """Write HTML documentation of the ontology (pyLODE): every class and property, both
    languages, definitions and alignments.

    \b
    Example:
      kg docs --out site/ && xdg-open site/index.html
    """
    from kg import api
    from kg.base.terminal import steps

    with steps("kg docs", 3) as progress:
        written = api.ontology_docs(
            out_dir, ontology=list(ontology_paths) or None, progress=progress
        )
    click.echo(f"wrote {written}")
