"""`kg serve`: the graph over the SPARQL 1.1 Protocol, with a query page."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.options import (
    graph_options,
    ontology_choice,
)


@click.command("serve")
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
@graph_options("Serve")
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
    "--max-held",
    default=500_000_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Bytes of answers held while they are sent, over all connections; beyond it, 503.",
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
    data_paths: tuple[Path, ...],
    ontology_paths: tuple[Path, ...],
    no_ontology: bool,
    timeout: float,
    max_body: int,
    max_result: int,
    max_held: int,
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
    from kg import api

    def announce(url: str, files: int) -> None:
        click.echo(f"Serving {files} files read-only at {url} (Ctrl-C stops)")
        sys.stdout.flush()

    api.serve_endpoint(
        host=host,
        port=port,
        data=list(data_paths) or None,
        ontology=ontology_choice(ontology_paths, no_ontology),
        allow_service=service_hosts,
        ready=announce,
        timeout=timeout,
        max_body_bytes=max_body,
        max_result_bytes=max_result,
        max_held_bytes=max_held,
        workers=workers,
        cors_origin=cors_origin,
        max_memory_mb=max_memory,
        max_connections=max_connections,
        max_client_connections=max_client_connections,
        read_timeout=read_timeout,
    )
