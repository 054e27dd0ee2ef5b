"""Commands that ask the graph: `kg queries`, `kg query`, `kg describe`."""

from __future__ import annotations

from pathlib import Path

import click

from kg.base.errors import KgError
from kg.cli.options import (
    chosen_graph,
    given,
    graph_options,
)
from kg.cli.process import keep_until_exit


@click.command("queries")
@click.argument("name", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "tsv", "json"]),
    default="table",
    show_default=True,
)
def list_queries(name: str | None, output_format: str) -> None:
    """List the saved queries, their summaries and parameters; with NAME, show one query:
    its description, parameters (type, required or default) and SPARQL text.

    A parameter written name?=<type> is optional: the query runs without it (or with the
    default its header gives).

    \b
    Examples:
      kg queries
      kg queries partners
      kg queries partners --format json
    """
    import json

    from kg import api
    from kg.sparql.results import format_table

    if name is not None:
        info = api.query_info(name)
        if output_format == "json":
            click.echo(json.dumps(info.to_json(), ensure_ascii=False, indent=2))
        else:
            click.echo(info.help(), nl=False)
        return
    listed = api.queries()
    if output_format == "json":
        click.echo(json.dumps([q.to_json() for q in listed], ensure_ascii=False, indent=2))
        return
    rows = [[q.name, q.summary, q.signature] for q in listed]
    if output_format == "tsv":
        click.echo("name\tsummary\tparameters")
        for row in rows:
            click.echo("\t".join(row))
    else:
        click.echo(format_table(["name", "summary", "parameters"], rows), nl=False)


@click.command("query")
@click.argument("name", required=False)
@click.option(
    "--file",
    "query_file",
    metavar="FILE",
    help="Run the SPARQL query in this file (- reads standard input) instead of a saved one.",
)
@click.option(
    "--query",
    "query_text",
    metavar="SPARQL",
    help="Run this SPARQL query text (as Jena's arq --query).",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a parameter of the query (repeatable). IRIs in full, as a prefixed name, or as a label (腾讯).",
)
@click.option(
    "--format",
    "output_format",
    default="table",
    show_default=True,
    type=click.Choice(["table", "json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld"]),
    help="table for people; json/xml/csv/tsv (SELECT, ASK); turtle/ntriples/jsonld/xml (CONSTRUCT, DESCRIBE).",
)
@click.option(
    "-x",
    "--expanded",
    is_flag=True,
    help="Print each row as a record of name | value lines (psql's \\x).",
)
@click.option(
    "--wrap",
    is_flag=True,
    help="Wrap long cells within their column instead of cutting them to the terminal.",
)
@graph_options("Query")
@click.option(
    "--endpoint",
    metavar="URL",
    help="Run the query at this SPARQL 1.1 endpoint instead "
    "(basic auth from KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    help="Stop the query after this many seconds (exit 2). Default: none on the bundled graph, 30 at an endpoint.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Parse the files even if a cached copy of them (an N-Quads dump) exists.",
)
def run_saved_query(
    name: str | None,
    query_file: str | None,
    query_text: str | None,
    params: tuple[str, ...],
    output_format: str,
    expanded: bool,
    wrap: bool,
    data_paths: tuple[Path, ...],
    ontology_paths: tuple[Path, ...],
    no_ontology: bool,
    endpoint: str | None,
    timeout: float | None,
    no_cache: bool,
) -> None:
    """Run a saved query (or --file, or --query) on the bundled graph and print its results.

    Ad-hoc queries may use the project's prefixes (snk:, snd:, stmt:, wd:, rdfs:, ...) without
    declaring them, as on Wikidata Query Service; `kg queries NAME` shows a saved query.

    \b
    Examples:
      kg query solutions
      kg query claims-about --param entity=snd:inspur
      kg query partners --param org=腾讯
      kg query claims --param paragraph=6 -x
      kg query procurement-mix --format json
      kg query --file my-query.rq --format csv
      kg query --query 'SELECT ?org ?name { ?org a snk:CloudServiceProvider ; rdfs:label ?name }'
      echo 'ASK { ?s a snk:Claim }' | kg query --file -
      kg query solutions --endpoint http://localhost:7878/query
    """
    from kg import api
    from kg.sparql.query import choose_query
    from kg.sparql.sources import choose_source

    if expanded and wrap:
        raise KgError("give --expanded or --wrap, not both")
    if endpoint and given(data_paths, ontology_paths, no_ontology):
        raise KgError("give --data (local files) or --endpoint (a remote graph), not both")
    saved = choose_query(name, file=query_file, text=query_text)
    values: dict[str, str] = {}
    if params:
        from kg.sparql.parameters import parse_param_options

        values = parse_param_options(params)
    files = None if endpoint else chosen_graph(data_paths, ontology_paths, no_ontology)
    source = choose_source(files, endpoint=endpoint, use_cache=not no_cache)
    results = api.query(saved, source, timeout=timeout, params=values)
    keep_until_exit(source)  # freeing 1M triples takes 0.3 s; the process ends next
    if output_format == "table":
        layout = "expanded" if expanded else "wrap" if wrap else "table"
        click.echo(results.table(layout), nl=False)
    else:
        click.echo(results.serialize(output_format), nl=False)


@click.command("describe")
@click.argument("entity")
@click.option(
    "--inferred", is_flag=True, help="Also show the types the OWL reasoner infers (needs Java)."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--endpoint", metavar="URL", help="Describe the entity as a SPARQL 1.1 endpoint knows it."
)
@graph_options("Describe from")
def describe_command(
    entity: str,
    inferred: bool,
    output_format: str,
    endpoint: str | None,
    data_paths: tuple[Path, ...],
    ontology_paths: tuple[Path, ...],
    no_ontology: bool,
) -> None:
    """Print an entity card: names in both languages, types, Wikidata link, relations in and
    out, and every claim about it with its paragraph marker, modality and quote.

    ENTITY is an IRI, a prefixed name (snd:tencent) or a label in English or Chinese, matched
    case-insensitively; a label that fits several entities lists them.

    \b
    Examples:
      kg describe 腾讯
      kg describe "eth-x" --inferred
      kg describe snd:broadcom --format json
    """
    import json

    from kg import api
    from kg.sparql.sources import choose_source

    if endpoint and (given(data_paths, ontology_paths, no_ontology) or inferred):
        raise KgError(
            "--endpoint describes the remote graph; --data and --inferred need local files"
        )
    files = None if endpoint else chosen_graph(data_paths, ontology_paths, no_ontology)
    source = choose_source(files, endpoint=endpoint)
    card = api.describe(entity, source, inferred=inferred)
    if output_format == "json":
        click.echo(json.dumps(card.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(card.text(), nl=False)
