"""The options several `kg` commands share, declared once: every command takes them the same way."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from kg.base.errors import KgError


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


#: ``--shapes`` of the commands that read shapes (``kg validate``, ``kg check``).
shapes_option = click.option(
    "--shapes",
    "shapes_paths",
    cls=FilesOrFoldersOption,
    help="SHACL shapes files or folders (repeatable); the bundled shapes by default.",
)


F = TypeVar("F", bound=Callable[..., Any])


def graph_options(reads: str) -> Callable[[F], F]:
    """``--data``, ``--ontology`` and ``--no-ontology``, which mean the same in every command:
    ``--data`` replaces the bundled data, the bundled ontology stays unless ``--ontology`` names
    another or ``--no-ontology`` drops it (:func:`kg.base.bundle.graph_paths`).

    Args:
        reads: what the command does with the graph, for the help text ("Query", "Validate").
    """

    def decorate(command: F) -> F:
        for option in reversed(
            [
                click.option(
                    "--data",
                    "data_paths",
                    cls=FilesOrFoldersOption,
                    help=f"{reads} these RDF files or folders instead of the bundled data "
                    "(repeatable; .ttl .nt .nq .trig .rdf .jsonld, each also .gz); the "
                    "ontology is added.",
                ),
                click.option(
                    "--ontology",
                    "ontology_paths",
                    cls=FilesOrFoldersOption,
                    help="The ontology files or folders read with the data (repeatable); the "
                    "bundled ontology by default.",
                ),
                click.option(
                    "--no-ontology", is_flag=True, help="Read the data without any ontology."
                ),
            ]
        ):
            command = option(command)
        return command

    return decorate


def ontology_choice(
    ontology_paths: tuple[Path, ...], no_ontology: bool
) -> list[str | os.PathLike[str]] | Literal[False] | None:
    """What ``--ontology`` and ``--no-ontology`` ask for: files, none (False), or the bundled
    ontology (None)."""
    if no_ontology and ontology_paths:
        raise KgError("give --ontology or --no-ontology, not both")
    if no_ontology:
        return False
    return list(ontology_paths) or None


def chosen_graph(
    data_paths: tuple[Path, ...], ontology_paths: tuple[Path, ...], no_ontology: bool
) -> list[str | os.PathLike[str]]:
    """The files ``--data``, ``--ontology`` and ``--no-ontology`` name, defaults filled in."""
    from kg.base.bundle import graph_paths

    return graph_paths(list(data_paths) or None, ontology_choice(ontology_paths, no_ontology))


def given(
    data_paths: tuple[Path, ...], ontology_paths: tuple[Path, ...], no_ontology: bool
) -> bool:
    """Whether any of the graph options was given (they name local files, not an endpoint)."""
    return bool(data_paths or ontology_paths or no_ontology)
