"""Commands that write the graph out: `kg export`, `kg push`."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.options import (
    graph_options,
    ontology_choice,
)


@click.command("export")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["turtle", "ntriples", "jsonld", "xml", "trig", "nquads"]),
    default="turtle",
    show_default=True,
    help="The RDF syntax to write (trig and nquads: the triples in the default graph, or with --nanopubs).",
)
@click.option(
    "--nanopubs",
    is_flag=True,
    help="Write each claim as a nanopublication: head, assertion, provenance and pubinfo graphs "
    "(needs --format trig or nquads).",
)
@graph_options("Export")
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (through a temporary file and a rename); standard output by default.",
)
def export_command(
    output_format: str,
    nanopubs: bool,
    data_paths: tuple[Path, ...],
    ontology_paths: tuple[Path, ...],
    no_ontology: bool,
    out_file: Path | None,
) -> None:
    """Write the merged graph, losslessly and deterministically (same graph, same bytes).

    \b
    Examples:
      kg export --format ntriples > supernode.nt
      kg export --format jsonld --out supernode.jsonld
      kg export --format trig --nanopubs --out supernode-nanopubs.trig
    """
    from kg import api

    exported = api.export(
        list(data_paths) or None,
        output_format,
        ontology=ontology_choice(ontology_paths, no_ontology),
        nanopubs=nanopubs,
        out=out_file,
    )
    if out_file is None:
        click.echo(exported.decode("utf-8"), nl=False)
    else:
        click.echo(f"wrote {out_file}", err=True)


@click.command("push")
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The Graph Store Protocol endpoint (Oxigraph: http://HOST:7878/store; Fuseki: http://HOST:3030/DATASET/data).",
)
@click.option(
    "--graph",
    "graph_iri",
    metavar="IRI",
    help="The named graph to replace; the default graph if not given.",
)
@graph_options("Send")
@click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds per HTTP request.",
)
def push_command(
    endpoint: str,
    graph_iri: str | None,
    data_paths: tuple[Path, ...],
    ontology_paths: tuple[Path, ...],
    no_ontology: bool,
    timeout: float,
) -> None:
    """Replace a graph in a triplestore with the bundled graph (HTTP PUT, SPARQL 1.1 Graph Store
    Protocol), then read it back and check the store holds exactly the triples sent.

    \b
    Examples:
      kg push --endpoint http://127.0.0.1:7878/store
      kg push --endpoint http://127.0.0.1:7878/store --graph https://w3id.org/supernode-kg/graph
    """
    from kg import api
    from kg.base.terminal import steps

    with steps("kg push", 4) as progress:
        outcome = api.push(
            endpoint,
            list(data_paths) or None,
            ontology=ontology_choice(ontology_paths, no_ontology),
            graph=graph_iri,
            timeout=timeout,
            progress=progress,
        )
    target = f"graph <{graph_iri}>" if graph_iri else "the default graph"
    click.echo(
        f"Pushed {outcome.sent} triples to {target} at {outcome.url}; "
        f"read back {outcome.held}: the store holds exactly the triples sent."
    )
