"""Commands that check the graph: `kg validate` (SHACL), `kg check` (coherence), `kg reason` (OWL)."""

from __future__ import annotations

from pathlib import Path

import click

from kg.base.errors import EXIT_FINDING, EXIT_OK
from kg.cli.options import (
    graph_options,
    ontology_choice,
    shapes_option,
)


@click.command("validate")
@graph_options("Validate")
@shapes_option
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
@click.option(
    "--endpoint",
    metavar="URL",
    help="Validate the default graph of this SPARQL 1.1 endpoint (which holds the ontology "
    "too): the fast engine's queries are sent to it.",
)
@click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="With --endpoint: seconds each query may take.",
)
def validate_command(
    data_paths: tuple[Path, ...],
    ontology_paths: tuple[Path, ...],
    no_ontology: bool,
    shapes_paths: tuple[Path, ...],
    output_format: str,
    engine: str,
    allow_warnings: bool,
    endpoint: str | None,
    timeout: float,
) -> None:
    """Check the data against the SHACL shapes. Exit 0 if it conforms, 1 if not.

    \b
    Examples:
      kg validate
      kg validate --format turtle > report.ttl
      kg validate --format junit > shacl-junit.xml
      kg validate --data my/data/ --shapes my/shapes.ttl --no-ontology
      kg validate --endpoint http://localhost:7878/query --timeout 300
    """
    from kg import api

    if endpoint is not None:
        from kg.base.errors import KgError
        from kg.base.terminal import counter
        from kg.cli.options import given

        if given(data_paths, ontology_paths, no_ontology):
            raise KgError("give --data (local files) or --endpoint (a remote graph), not both")
        with counter("kg validate") as progress:
            report = api.validate(
                shapes=list(shapes_paths) or None,
                engine=engine,
                allow_warnings=allow_warnings,
                endpoint=endpoint,
                timeout=timeout,
                progress=progress,
            )
    else:
        report = api.validate(
            data=list(data_paths) or None,
            shapes=list(shapes_paths) or None,
            ontology=ontology_choice(ontology_paths, no_ontology),
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


@click.command("check")
@graph_options("Check")
@shapes_option
def check_command(
    data_paths: tuple[Path, ...],
    ontology_paths: tuple[Path, ...],
    no_ontology: bool,
    shapes_paths: tuple[Path, ...],
) -> None:
    """Run the coherence checks (queries/checks/*-violation.rq); each must find nothing.

    Exit 0 when every check passes, 1 when any finds rows.

    \b
    Example:
      kg check
    """
    from kg import api
    from kg.sparql.results import format_table

    outcomes = api.check(
        list(data_paths) or None,
        ontology=ontology_choice(ontology_paths, no_ontology),
        shapes=list(shapes_paths) or None,
    )
    for outcome in outcomes:
        status = "ok  " if outcome.passed else "FAIL"
        click.echo(f"{status} {outcome.check.name}: {outcome.check.summary}")
        if not outcome.passed:
            table = format_table(outcome.variables, outcome.rows)
            click.echo("".join(f"       {line}\n" for line in table.splitlines()), nl=False)
    failed = sum(not o.passed for o in outcomes)
    click.echo(f"{len(outcomes) - failed} passed, {failed} failed")
    click.get_current_context().exit(EXIT_OK if not failed else EXIT_FINDING)


@click.command("reason")
@graph_options("Reason over")
def reason_command(
    data_paths: tuple[Path, ...], ontology_paths: tuple[Path, ...], no_ontology: bool
) -> None:
    """Run the HermiT OWL reasoner: consistency, unsatisfiable classes, inferred types.

    Exit 0 when the graph is consistent and every class satisfiable, 1 otherwise. Needs Java.

    \b
    Examples:
      kg reason
      kg reason --data my-data.ttl
    """
    from kg import api

    outcome = api.reason(
        list(data_paths) or None, ontology=ontology_choice(ontology_paths, no_ontology)
    )
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
