"""SHACL validation of data (with its ontology) against shapes, through pySHACL.

The ontology is merged into the data graph so that ``sh:targetClass`` and ``sh:class`` reach
instances of subclasses; without it, broken data in a subclass would silently conform.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.bundle import bundled
from kg.errors import KgError
from kg.graph import load_rdflib_graph, resolve_rdf_files

if TYPE_CHECKING:
    import rdflib

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Violation:
    """One result of a SHACL validation report, with terms written as prefixed names.

    Attributes:
        focus_node: the node that broke the constraint.
        path: the property path (empty for node-level constraints).
        constraint: the constraint component, such as ``sh:MinCountConstraintComponent``.
        source_shape: the shape that holds the constraint.
        severity: ``Violation``, ``Warning`` or ``Info``.
        message: the shape's ``sh:message`` (or pySHACL's text when it has none).
        value: the offending value, where the report gives one.
        focus_iri: the focus node's full IRI (empty for a blank node), to find where it is written.
    """

    focus_node: str
    path: str
    constraint: str
    source_shape: str
    severity: str
    message: str
    value: str = ""
    focus_iri: str = ""


@dataclass
class ValidationOutcome:
    """What a validation run found.

    Attributes:
        conforms: whether the data conforms to the shapes.
        violations: every report result, sorted by focus node, path and constraint.
        report: the standard SHACL validation report graph (``sh:ValidationReport``).
        shapes: every IRI-named shape (node and property shapes), as prefixed names.
        data_files: the files validated (ontology and data), to point at where a node is written.
    """

    conforms: bool
    violations: list[Violation]
    report: rdflib.Graph
    shapes: list[str] = field(default_factory=list)
    data_files: list[Path] = field(default_factory=list)

    def report_turtle(self) -> str:
        """The standard SHACL validation report, as Turtle."""
        return self.report.serialize(format="turtle")


def validate(
    data: Sequence[str | os.PathLike[str]] | None = None,
    shapes: Sequence[str | os.PathLike[str]] | None = None,
    ontology: Sequence[str | os.PathLike[str]] | None = None,
) -> ValidationOutcome:
    """Validate RDF data against SHACL shapes.

    Args:
        data: files or folders of data; the bundled data by default.
        shapes: files or folders of shapes; the bundled shapes by default.
        ontology: files or folders of the ontology merged into the data; the bundled
            ontology by default (pass an empty list for none).

    Example:
        >>> validate().conforms
        True

    Raises:
        KgError: a file is missing or does not parse, or the shapes are not valid SHACL.
    """
    bundle = bundled()
    ontology_paths = list(bundle.ontology_files() if ontology is None else ontology)
    data_paths = list(bundle.data_files() if data is None else data)
    shapes_paths = list(bundle.shapes_files() if shapes is None else shapes)
    if not data_paths:
        raise KgError("no data to validate")
    if not shapes_paths:
        raise KgError("no shapes to validate against")
    data_graph = load_rdflib_graph([*ontology_paths, *data_paths])
    shapes_graph = load_rdflib_graph(shapes_paths)
    outcome = validate_graphs(data_graph, shapes_graph)
    outcome.data_files = resolve_rdf_files([*ontology_paths, *data_paths])
    return outcome


def validate_graphs(data_graph: rdflib.Graph, shapes_graph: rdflib.Graph) -> ValidationOutcome:
    """Validate an rdflib data graph (ontology already merged in) against a shapes graph."""
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError, ShapeLoadError

    for prefix, namespace in shapes_graph.namespaces():
        data_graph.bind(prefix, namespace, override=False)
    try:
        conforms, report, _ = pyshacl.validate(
            data_graph,
            shacl_graph=shapes_graph,
            inference="none",
            advanced=True,
            inplace=True,
            allow_warnings=True,
        )
    except ShapeLoadError as error:
        raise KgError(f"shapes are not valid SHACL: {_one_line(error)}") from None
    except ReportableRuntimeError as error:
        raise KgError(f"shapes are not valid SHACL: {_one_line(error)}") from None
    for prefix, namespace in data_graph.namespaces():
        report.bind(prefix, namespace, override=False)
    return ValidationOutcome(conforms=bool(conforms), violations=_violations(report), report=report,
                             shapes=_shape_names(shapes_graph))


def _shape_names(shapes_graph: rdflib.Graph) -> list[str]:
    import rdflib

    sh = rdflib.Namespace(SH)
    names = set()
    for kind in (sh.NodeShape, sh.PropertyShape):
        for shape in shapes_graph.subjects(rdflib.RDF.type, kind):
            if isinstance(shape, rdflib.URIRef):
                names.add(shapes_graph.namespace_manager.normalizeUri(shape))
    return sorted(names)


def _violations(report: rdflib.Graph) -> list[Violation]:
    import rdflib

    sh = rdflib.Namespace(SH)

    def show(node: rdflib.term.Node | None) -> str:
        if node is None:
            return ""
        if isinstance(node, rdflib.URIRef):
            return report.namespace_manager.normalizeUri(node)
        if isinstance(node, rdflib.BNode):
            return _describe_path(report, node, show)
        return str(node)

    found = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        severity = report.value(result, sh.resultSeverity)
        found.append(Violation(
            focus_node=show(report.value(result, sh.focusNode)),
            path=show(report.value(result, sh.resultPath)),
            constraint=show(report.value(result, sh.sourceConstraintComponent)),
            source_shape=show(report.value(result, sh.sourceShape)),
            severity=str(severity).removeprefix(SH) if severity else "Violation",
            message=" ".join(str(report.value(result, sh.resultMessage) or "").split()),
            value=show(report.value(result, sh.value)),
            focus_iri=str(focus) if isinstance(focus := report.value(result, sh.focusNode), rdflib.URIRef) else "",
        ))
    return sorted(found, key=lambda v: (v.focus_node, v.path, v.constraint, v.value, v.message))


def _describe_path(report: rdflib.Graph, node: rdflib.BNode, show) -> str:  # type: ignore[no-untyped-def]
    import rdflib

    sh = rdflib.Namespace(SH)
    inverse = report.value(node, sh.inversePath)
    if inverse is not None:
        return f"^{show(inverse)}"
    items = list(rdflib.collection.Collection(report, node)) if report.value(node, rdflib.RDF.first) else []
    if items:
        return "/".join(show(i) for i in items)
    return f"_:{node}"


def _one_line(error: Exception) -> str:
    return " ".join(str(getattr(error, "message", None) or error).split())
