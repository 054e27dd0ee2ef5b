"""SHACL validation of data (with its ontology) against shapes.

Two engines give the same results: ``fast`` (the default) answers each constraint with one
SPARQL query on Oxigraph (:mod:`kg.fast_validation`); ``pyshacl`` is the reference. Shapes
that use a feature the fast engine lacks are validated with pySHACL, and the outcome says so.

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
    report: rdflib.Graph | None = None
    shapes: list[str] = field(default_factory=list)
    data_files: list[Path] = field(default_factory=list)
    engine: str = "pyshacl"
    engine_note: str = ""
    report_triples: list[object] = field(default_factory=list)
    report_prefixes: dict[str, str] = field(default_factory=dict)

    def report_turtle(self) -> str:
        """The standard SHACL validation report (``sh:ValidationReport``), as Turtle."""
        if self.report is not None:
            return self.report.serialize(format="turtle")
        import pyoxigraph as ox

        data = ox.serialize(self.report_triples, format=ox.RdfFormat.TURTLE, prefixes=self.report_prefixes)
        return (data or b"").decode("utf-8")


def validate(
    data: Sequence[str | os.PathLike[str]] | None = None,
    shapes: Sequence[str | os.PathLike[str]] | None = None,
    ontology: Sequence[str | os.PathLike[str]] | None = None,
    engine: str = "fast",
) -> ValidationOutcome:
    """Validate RDF data against SHACL shapes.

    Args:
        data: files or folders of data; the bundled data by default.
        shapes: files or folders of shapes; the bundled shapes by default.
        ontology: files or folders of the ontology merged into the data; the bundled
            ontology by default (pass an empty list for none).
        engine: ``fast`` (SPARQL on Oxigraph) or ``pyshacl`` (the reference).

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
    note = ""
    if engine == "fast":
        from kg.fast_validation import UnsupportedShapes

        try:
            return _validate_fast([*ontology_paths, *data_paths], shapes_paths)
        except UnsupportedShapes as error:
            note = f"the fast engine does not support these shapes ({error.message}); validated with pySHACL"
    elif engine != "pyshacl":
        raise KgError(f"unknown validation engine {engine!r} (fast or pyshacl)")
    data_graph = load_rdflib_graph([*ontology_paths, *data_paths])
    shapes_graph = load_rdflib_graph(shapes_paths)
    outcome = validate_graphs(data_graph, shapes_graph)
    outcome.data_files = resolve_rdf_files([*ontology_paths, *data_paths])
    outcome.engine_note = note
    return outcome


def _validate_fast(data_paths: list[str | os.PathLike[str]], shapes_paths: list[str | os.PathLike[str]]) -> ValidationOutcome:
    import pyoxigraph as ox

    from kg.fast_validation import SH, validate_store
    from kg.graph import load_files
    from kg.results import compact_iri, term_text

    # In memory, not the cached on-disk store: Oxigraph's on-disk store answers the shapes'
    # queries about four times slower, which costs more than parsing (measured at 1M triples:
    # 21.7 s from the cached store against 12.6 s parse included; benchmarks/results/).
    data_graph = load_files(data_paths, use_cache=False)
    shapes_graph = load_files(shapes_paths, use_cache=False)
    prefixes = {**data_graph.prefixes, **shapes_graph.prefixes}
    raw = validate_store(data_graph.store, shapes_graph.store)

    def show(term: object) -> str:
        return term_text(term, prefixes)

    violations = sorted((
        Violation(
            focus_node=show(v.focus), path=compact_iri(v.path, prefixes) if v.path else "",
            constraint=compact_iri(v.component, prefixes), source_shape=show(v.shape), severity="Violation",
            message=" ".join(v.message.split()), value=show(v.value),
            focus_iri=v.focus.value if isinstance(v.focus, ox.NamedNode) else "",
        ) for v in raw.violations
    ), key=lambda v: (v.focus_node, v.path, v.constraint, v.value, v.message))
    shape_names = sorted({
        show(q.subject) for kind in ("NodeShape", "PropertyShape")
        for q in shapes_graph.store.quads_for_pattern(None, ox.NamedNode(_RDF_TYPE), ox.NamedNode(SH + kind))
        if isinstance(q.subject, ox.NamedNode)
    })
    return ValidationOutcome(
        conforms=raw.conforms, violations=violations, shapes=shape_names, data_files=data_graph.files,
        engine="fast", report_triples=_report_triples(raw), report_prefixes={"sh": SH, **{p: n for p, n in prefixes.items() if p}},
    )


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _report_triples(raw) -> list[object]:  # type: ignore[no-untyped-def]
    """The standard SHACL validation report of a fast-engine outcome, as triples."""
    import pyoxigraph as ox

    def sh(name: str) -> ox.NamedNode:
        return ox.NamedNode(SH + name)

    rdf_type = ox.NamedNode(_RDF_TYPE)
    report = ox.BlankNode()
    triples = [ox.Triple(report, rdf_type, sh("ValidationReport")),
               ox.Triple(report, sh("conforms"), ox.Literal("true" if raw.conforms else "false",
                                                            datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")))]
    for violation in raw.violations:
        result = ox.BlankNode()
        triples += [
            ox.Triple(report, sh("result"), result),
            ox.Triple(result, rdf_type, sh("ValidationResult")),
            ox.Triple(result, sh("focusNode"), violation.focus),
            ox.Triple(result, sh("sourceConstraintComponent"), ox.NamedNode(violation.component)),
            ox.Triple(result, sh("sourceShape"), violation.shape),
            ox.Triple(result, sh("resultSeverity"), sh("Violation")),
        ]
        if violation.path:
            triples.append(ox.Triple(result, sh("resultPath"), ox.NamedNode(violation.path)))
        if violation.message:
            triples.append(ox.Triple(result, sh("resultMessage"), ox.Literal(violation.message)))
        if violation.value is not None:
            triples.append(ox.Triple(result, sh("value"), violation.value))
    return triples


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
