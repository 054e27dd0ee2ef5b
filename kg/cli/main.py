"""The ``kg`` command: parses arguments, calls the Python API (:mod:`kg.api`) or the modules
that do the work, prints.

Exit codes: 0 success (the data conforms), 1 the data does not conform, 2 usage or input error.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from kg.base.errors import EXIT_FINDING, EXIT_OK, EXIT_USAGE, KgError
from kg.base.version import __version__

_DEBUG = {"enabled": False}

#: Errors of a write that failed for want of room or a working device, not for a bug of kg's.
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}

#: What a command answered from (an in-memory store of the data), kept alive until the process
#: ends: see :func:`console_main`.
_KEPT_UNTIL_EXIT: list[object] = []


class FilesOrFoldersOption(click.Option):
    """A repeatable option naming RDF files or folders (``--data``, ``--ontology``,
    ``--shapes``): every command takes them the same way; its help says what it does with them."""

    def __init__(self, param_decls: tuple[str, ...], help: str) -> None:
        super().__init__(param_decls, multiple=True, type=click.Path(path_type=Path), help=help)


#: ``--out`` of the commands that draw a picture (``kg viz``, ``kg chart``).
picture_out_option = click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The picture to write: FILE.svg or FILE.png.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
@click.option("--debug", is_flag=True, help="Show Python tracebacks on errors.")
def cli(debug: bool) -> None:
    """Ask the supernode knowledge graph: saved SPARQL queries and SHACL validation.

    \b
    Examples:
      kg queries
      kg query solutions
      kg query partners --param org=snd:tencent --format csv
      kg validate
      kg reason
      kg check
    """
    _DEBUG["enabled"] = debug


@cli.command("queries")
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

    from kg.sparql.catalog import Catalog, parameter_signature, saved_query_help, saved_query_json
    from kg.sparql.results import format_table

    catalog = Catalog.bundled()
    if name is not None:
        saved = catalog.get(name)
        if output_format == "json":
            click.echo(json.dumps(saved_query_json(saved), ensure_ascii=False, indent=2))
        else:
            from kg.rdf.prefixes import project_prefixes

            click.echo(saved_query_help(saved, {**project_prefixes(), **saved.prefixes}), nl=False)
        return
    if output_format == "json":
        click.echo(json.dumps([saved_query_json(q) for q in catalog], ensure_ascii=False, indent=2))
        return
    rows = [[saved.name, saved.summary, parameter_signature(saved)] for saved in catalog]
    if output_format == "tsv":
        click.echo("name\tsummary\tparameters")
        for row in rows:
            click.echo("\t".join(row))
    else:
        click.echo(format_table(["name", "summary", "parameters"], rows), nl=False)


@cli.command("query")
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
@click.option(
    "--data",
    "data_paths",
    cls=FilesOrFoldersOption,
    help="Query these RDF files or folders instead of the bundled graph (repeatable; .ttl, .nt, .nq, .trig, "
    ".rdf, .jsonld, each also .gz).",
)
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
    if endpoint and data_paths:
        raise KgError("give --data (local files) or --endpoint (a remote graph), not both")
    saved = choose_query(name, file=query_file, text=query_text)
    values: dict[str, str] = {}
    if params:
        from kg.sparql.parameters import parse_param_options

        values = parse_param_options(params)
    source = choose_source(list(data_paths) or None, endpoint=endpoint, use_cache=not no_cache)
    results = api.query(saved, source, timeout=timeout, params=values)
    _KEPT_UNTIL_EXIT.append(source)  # freeing 1M triples takes 0.3 s; the process ends next
    if output_format == "table":
        layout = "expanded" if expanded else "wrap" if wrap else "table"
        click.echo(results.table(layout), nl=False)
    else:
        click.echo(results.serialize(output_format), nl=False)


@cli.command("validate")
@click.option(
    "--data",
    "data_paths",
    cls=FilesOrFoldersOption,
    help="RDF files or folders to validate (repeatable); the bundled data by default.",
)
@click.option(
    "--shapes",
    "shapes_paths",
    cls=FilesOrFoldersOption,
    help="SHACL shapes files or folders (repeatable); the bundled shapes by default.",
)
@click.option(
    "--ontology",
    "ontology_paths",
    cls=FilesOrFoldersOption,
    help="Ontology files merged into the data (repeatable); the bundled ontology by default.",
)
@click.option("--no-ontology", is_flag=True, help="Merge no ontology into the data.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "turtle", "junit", "github"]),
    default="text",
    show_default=True,
    help="text: one line per violation; turtle: the standard SHACL validation report; "
    "junit: JUnit XML for CI; github: GitHub Actions annotations at the file and line of each node.",
)
@click.option(
    "--engine",
    type=click.Choice(["fast", "pyshacl"]),
    default="fast",
    show_default=True,
    help="fast: each constraint as one SPARQL query on Oxigraph (shapes or literals it cannot "
    "answer exactly go to pySHACL, with a note); pyshacl: the reference engine.",
)
@click.option(
    "--allow-warnings",
    is_flag=True,
    help="As pySHACL's option: sh:Warning and sh:Info results do not make the data non-conforming.",
)
def validate_command(
    data_paths: tuple[Path, ...],
    shapes_paths: tuple[Path, ...],
    ontology_paths: tuple[Path, ...],
    no_ontology: bool,
    output_format: str,
    engine: str,
    allow_warnings: bool,
) -> None:
    """Check the data against the SHACL shapes. Exit 0 if it conforms, 1 if not.

    \b
    Examples:
      kg validate
      kg validate --format turtle > report.ttl
      kg validate --format junit > shacl-junit.xml
      kg validate --data my/data/ --shapes my/shapes.ttl --no-ontology
    """
    from kg import api

    report = api.validate(
        data=list(data_paths) or None,
        shapes=list(shapes_paths) or None,
        ontology=False if no_ontology else (list(ontology_paths) or None),
        engine=engine,
        allow_warnings=allow_warnings,
    )
    if report.engine_note:
        click.echo(f"note: {report.engine_note}", err=True)
    renderers = {
        "turtle": report.turtle,
        "junit": report.junit,
        "github": report.github,
        "text": report.text,
    }
    click.echo(renderers[output_format](), nl=False)
    click.get_current_context().exit(report.exit_code)


@cli.command("describe")
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
@click.option(
    "--data",
    "data_paths",
    cls=FilesOrFoldersOption,
    help="Describe from these RDF files or folders instead of the bundled graph (repeatable).",
)
def describe_command(
    entity: str,
    inferred: bool,
    output_format: str,
    endpoint: str | None,
    data_paths: tuple[Path, ...],
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

    if endpoint and (data_paths or inferred):
        raise KgError(
            "--endpoint describes the remote graph; --data and --inferred need local files"
        )
    source = choose_source(list(data_paths) or None, endpoint=endpoint)
    card = api.describe(entity, source, inferred=inferred)
    if output_format == "json":
        click.echo(json.dumps(card.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(card.text(), nl=False)


@cli.command("viz")
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
@click.option(
    "--data",
    "data_paths",
    cls=FilesOrFoldersOption,
    help="Draw these RDF files or folders instead of the bundled graph (repeatable).",
)
def viz_command(
    out_file: Path, focus: str | None, depth: int, data_paths: tuple[Path, ...]
) -> None:
    """Draw the supernode ecosystem with Graphviz: organizations by role, solutions, chips and
    switches, with who offers, makes, uses, partners with, buys, and who is restricted.

    \b
    Examples:
      kg viz --out ecosystem.svg
      kg viz --out tencent.png --focus 腾讯 --depth 1
    """
    from kg.rdf.graph import load_bundled_graph, load_files
    from kg.sparql.entities import resolve_entity
    from kg.views.viz import draw

    graph = load_files(list(data_paths)) if data_paths else load_bundled_graph()
    focus_iri = resolve_entity(focus, graph.prefixes, graph) if focus else None
    from kg.base.terminal import steps

    with steps("kg viz", 2) as progress:
        written = draw(graph, out_file, focus=focus_iri, depth=depth, progress=progress)
    click.echo(f"wrote {written}", err=True)


@cli.command("chart")
@click.argument("name")
@picture_out_option
@click.option(
    "--data",
    "data_paths",
    cls=FilesOrFoldersOption,
    help="Chart these RDF files or folders instead of the bundled graph (repeatable).",
)
def chart_command(name: str, out_file: Path, data_paths: tuple[Path, ...]) -> None:
    """Draw one of the market's figures from its saved query, titled and with its source
    (outlet, date, paragraph markers). NAME: procurement-mix, projections or restrictions.

    \b
    Examples:
      kg chart procurement-mix --out procurement-mix.png
      kg chart restrictions --out restrictions.svg
    """
    from kg.base.terminal import steps
    from kg.rdf.graph import load_bundled_graph, load_files
    from kg.views.charts import write_chart

    graph = load_files(list(data_paths)) if data_paths else load_bundled_graph()
    with steps("kg chart", 2) as progress:
        written = write_chart(name, out_file, graph, progress=progress)
    click.echo(f"wrote {written}", err=True)


@cli.command("reason")
@click.option(
    "--data",
    "paths",
    cls=FilesOrFoldersOption,
    help="Ontology and data files or folders to reason over (repeatable); the bundled graph by default.",
)
def reason_command(paths: tuple[Path, ...]) -> None:
    """Run the HermiT OWL reasoner: consistency, unsatisfiable classes, inferred types.

    Exit 0 when the graph is consistent and every class satisfiable, 1 otherwise. Needs Java.

    \b
    Examples:
      kg reason
      kg reason --data ontology/ --data my-data.ttl
    """
    from kg import api

    outcome = api.reason(list(paths) or None)
    for datatype, count in outcome.datatypes_passed_as_strings.items():
        click.echo(
            f"note: {count} {datatype} literals passed to HermiT as strings ({datatype} is outside OWL 2's datatype map)"
        )
    if not outcome.consistent:
        click.echo("Inconsistent:")
        for explanation in outcome.explanations:
            click.echo(f"  {explanation}")
    else:
        click.echo("Consistent.")
        if outcome.unsatisfiable_classes:
            click.echo("Unsatisfiable classes:")
            for name in outcome.unsatisfiable_classes:
                click.echo(f"  {name}")
        click.echo(f"Inferred types ({len(outcome.inferred_types)} individuals):")
        for individual, classes in outcome.inferred_types.items():
            click.echo(f"  {individual}: {', '.join(classes)}")
    click.get_current_context().exit(EXIT_OK if outcome.sound else EXIT_FINDING)


@cli.command("check")
@click.option(
    "--data",
    "paths",
    cls=FilesOrFoldersOption,
    help="Ontology, data and shapes files or folders (repeatable); the bundled ones by default.",
)
def check_command(paths: tuple[Path, ...]) -> None:
    """Run the coherence checks (queries/checks/*-violation.rq); each must find nothing.

    Exit 0 when every check passes, 1 when any finds rows.

    \b
    Example:
      kg check
    """
    from kg import api
    from kg.sparql.results import format_table

    outcomes = api.check(list(paths) or None)
    for outcome in outcomes:
        status = "ok  " if outcome.passed else "FAIL"
        click.echo(f"{status} {outcome.check.name}: {outcome.check.summary}")
        if not outcome.passed:
            table = format_table(outcome.variables, outcome.rows)
            click.echo("".join(f"       {line}\n" for line in table.splitlines()), nl=False)
    failed = sum(not o.passed for o in outcomes)
    click.echo(f"{len(outcomes) - failed} passed, {failed} failed")
    click.get_current_context().exit(EXIT_OK if not failed else EXIT_FINDING)


@cli.command("docs")
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


@cli.command("push")
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
@click.option(
    "--data",
    "paths",
    cls=FilesOrFoldersOption,
    help="RDF files or folders to send (repeatable); the bundled ontology and data by default.",
)
@click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds per HTTP request.",
)
def push_command(
    endpoint: str, graph_iri: str | None, paths: tuple[Path, ...], timeout: float
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
            endpoint, list(paths) or None, graph=graph_iri, timeout=timeout, progress=progress
        )
    target = f"graph <{graph_iri}>" if graph_iri else "the default graph"
    click.echo(
        f"Pushed {outcome.sent} triples to {target} at {outcome.url}; "
        f"read back {outcome.held}: the store holds exactly the triples sent."
    )


@cli.command("export")
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
@click.option(
    "--data",
    "paths",
    cls=FilesOrFoldersOption,
    help="RDF files or folders to merge (repeatable); the bundled ontology and data by default.",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (through a temporary file and a rename); standard output by default.",
)
def export_command(
    output_format: str, nanopubs: bool, paths: tuple[Path, ...], out_file: Path | None
) -> None:
    """Write the merged graph, losslessly and deterministically (same graph, same bytes).

    \b
    Examples:
      kg export --format ntriples > supernode.nt
      kg export --format jsonld --out supernode.jsonld
      kg export --format trig --nanopubs --out supernode-nanopubs.trig
    """
    from kg import api

    exported = api.export(list(paths) or None, output_format, nanopubs=nanopubs, out=out_file)
    if out_file is None:
        click.echo(exported.decode("utf-8"), nl=False)
    else:
        click.echo(f"wrote {out_file}", err=True)


@cli.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (loopback by default).",
)
@click.option(
    "--port",
    default=7879,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0 picks a free one).",
)
@click.option(
    "--data",
    "paths",
    cls=FilesOrFoldersOption,
    help="RDF files or folders to serve (repeatable); the bundled graph by default.",
)
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a query may run.",
)
@click.option(
    "--max-body",
    default=1_000_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Largest request body, in bytes.",
)
@click.option(
    "--max-result",
    default=50_000_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Largest serialized result, in bytes.",
)
@click.option(
    "--allow-service",
    "service_hosts",
    multiple=True,
    metavar="HOST[:PORT]",
    help="A host and port SERVICE clauses may call (repeatable; a bare host means port 80 for "
    "http and 443 for https); none by default.",
)
@click.option(
    "--cors",
    "cors_origin",
    metavar="ORIGIN",
    help="The one origin browsers may call the endpoint from (Access-Control-Allow-Origin); none by default.",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Query worker processes.",
)
@click.option(
    "--max-memory",
    default=1024,
    show_default=True,
    type=click.IntRange(min=64),
    help="Memory (address space) of each worker process, in MB.",
)
@click.option(
    "--max-connections",
    default=256,
    show_default=True,
    type=click.IntRange(min=1),
    help="Open connections in total (503 beyond).",
)
@click.option(
    "--max-client-connections",
    default=32,
    show_default=True,
    type=click.IntRange(min=1),
    help="Open connections from one client address (503 beyond).",
)
@click.option(
    "--read-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a client has to send a request's headers, and again its body.",
)
def serve_command(
    host: str,
    port: int,
    paths: tuple[Path, ...],
    timeout: float,
    max_body: int,
    max_result: int,
    service_hosts: tuple[str, ...],
    cors_origin: str | None,
    workers: int,
    max_memory: int,
    max_connections: int,
    max_client_connections: int,
    read_timeout: float,
) -> None:
    """Serve the graph read-only over the SPARQL 1.1 Protocol at /sparql.

    GET and POST queries, content negotiation (JSON, XML, CSV, TSV; Turtle, N-Triples, JSON-LD,
    RDF/XML), a service description at GET /sparql. Updates are refused.

    \b
    Examples:
      kg serve
      kg serve --port 8080 --timeout 30 --allow-service query.wikidata.org:443
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * { ?s ?p ?o } LIMIT 3' http://127.0.0.1:7879/sparql
    """
    from kg.serve.config import parse_allowed_service
    from kg.serve.server import endpoint_settings, serve

    settings = endpoint_settings(
        list(paths) or None,
        host=host,
        port=port,
        timeout=timeout,
        max_body_bytes=max_body,
        max_result_bytes=max_result,
        service_allow=frozenset(parse_allowed_service(h) for h in service_hosts),
        workers=workers,
        cors_origin=cors_origin,
        max_memory_mb=max_memory,
        max_connections=max_connections,
        max_client_connections=max_client_connections,
        read_timeout=read_timeout,
    )

    def announce(url: str) -> None:
        click.echo(f"Serving {len(settings.files)} files read-only at {url} (Ctrl-C stops)")
        sys.stdout.flush()

    try:
        serve(settings, ready=announce)
    except OSError as error:
        raise KgError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def console_main() -> NoReturn:
    """The ``kg`` command (and ``python -m kg``): :func:`main`, then the process ends.

    A command that answered from an in-memory store leaves it to the operating system to
    free, as clang's ``-disable-free`` does: freeing a store object by object takes 20 ms at
    100k triples and 0.3 s at 1M, after the answer is printed. Standard output is flushed
    first; a write error there is reported as any other (exit 2), a closed pipe is not.
    """
    code = main()
    if not _KEPT_UNTIL_EXIT:
        sys.exit(code)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    except OSError as error:
        _report(f"kg: error: cannot write: {error.strerror or error}")
        code = EXIT_USAGE
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """Run ``kg``; return its exit code. Errors print one line on stderr, never a traceback
    (unless ``--debug``)."""
    try:
        return _run(argv)
    finally:
        if argv is not None:  # in process (tests, scripts): nothing is kept past the call
            _KEPT_UNTIL_EXIT.clear()


def _run(argv: list[str] | None) -> int:
    try:
        code = cli.main(args=argv, prog_name="kg", standalone_mode=False)
    except KgError as error:
        _report(f"kg: error: {error.message}")
        return error.exit_code
    except click.exceptions.Abort:
        _report("kg: aborted")
        return EXIT_USAGE
    except click.ClickException as error:
        # One line, as every other error: click's own usage block takes three.
        hint = ""
        if isinstance(error, click.UsageError) and error.ctx is not None:
            hint = f" (see '{error.ctx.command_path} --help')"
        _report(f"kg: error: {' '.join(error.format_message().split())}{hint}")
        return EXIT_USAGE if error.exit_code not in (0, 1) else error.exit_code
    except SystemExit as exit_:
        return int(exit_.code or 0) if isinstance(exit_.code, int | None) else EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:
        if isinstance(error, OSError) and error.errno in _WRITE_ERRORS:
            _report(f"kg: error: cannot write: {error.strerror}")  # a full disk, say
        else:
            _report(
                f"kg: internal error: {type(error).__name__}: {' '.join(str(error).split())} (run with --debug for details)"
            )
        return EXIT_USAGE
    return code if isinstance(code, int) else EXIT_OK


def _report(message: str) -> None:
    if _DEBUG["enabled"]:
        import traceback

        traceback.print_exc()
    from kg.base.terminal import paint

    prefix, _, rest = printable(message).partition(": ")
    click.echo(
        f"{paint(prefix + ':', stream=sys.stderr, fg='red', bold=True)} {rest}" if rest else prefix,
        err=True,
    )


def printable(message: str) -> str:
    """The message on one line: control and other unprintable characters (which a bad input
    can carry into it) written as escapes, so that no terminal or log sees a line break."""
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
        for c in message
    )
