"""Commands that draw or document the graph: `kg viz`, `kg chart`, `kg docs`."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.options import (
    FilesOrFoldersOption,
    chosen_graph,
    graph_options,
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
    from kg.rdf.graph import load_files
    from kg.sparql.entities import resolve_entity
    from kg.views.viz import draw

    graph = load_files(chosen_graph(data_paths, ontology_paths, no_ontology))
    focus_iri = resolve_entity(focus, graph.prefixes, graph) if focus else None
    from kg.base.terminal import steps

    with steps("kg viz", 2) as progress:
        written = draw(graph, out_file, focus=focus_iri, depth=depth, progress=progress)
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
    from kg.base.terminal import steps
    from kg.rdf.graph import load_files
    from kg.views.charts import write_chart

    graph = load_files(chosen_graph(data_paths, ontology_paths, no_ontology))
    with steps("kg chart", 2) as progress:
        written = write_chart(name, out_file, graph, progress=progress)
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
    from kg.base.terminal import steps
    from kg.views.docs import write_docs

    with steps("kg docs", 3) as progress:
        written = write_docs(out_dir, list(ontology_paths) or None, progress=progress)
    click.echo(f"wrote {written}")
