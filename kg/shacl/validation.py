"""SHACL validation of data (with its ontology) against shapes.

Two engines give the same results: ``fast`` (the default) answers each constraint with one
SPARQL query on Oxigraph (:mod:`kg.shacl.fast_validation`); ``pyshacl`` is the reference. Shapes
that use a feature the fast engine lacks are validated with pySHACL, and the outcome says so.

The data graph is the union of every triple of the data files and the ontology: the triples of
named graphs (TriG, N-Quads) included, as ``kg query`` sees them (it queries the union of all
graphs as its default graph). A triple written in several graphs is one triple, and a node
described in several graphs is one focus node. Both engines validate that union.

Literals are validated as written, on both engines: ``"01"^^xsd:integer`` and ``1`` are two
terms, lengths and patterns read the written lexical form, reports show the value as the data
writes it. The fast engine holds the literals its store would rewrite as surrogates
(:mod:`kg.shacl.written_literals`); pySHACL gets an rdflib graph whose literals are not normalized.
SHACL-SPARQL constraints written by users would see those surrogates, so the ones that could
read one run on rdflib's SPARQL engine over the data as written (:mod:`kg.shacl.written_queries`).
The data is read once, by Oxigraph's parsers, for both engines: pySHACL's rdflib graph is built
from the fast engine's store.

An ``sh:pattern`` that SPARQL's REGEX cannot run (not an XPath regular expression, or an
unknown flag) stops validation with an error naming the shape, on both engines.

The ontology is merged into the data graph so that ``sh:targetClass`` and ``sh:class`` reach
instances of subclasses; without it, broken data in a subclass would silently conform.

:func:`validate_endpoint` sends the fast engine's queries to a SPARQL 1.1 endpoint instead
(:mod:`kg.shacl.data_sources`), for data that lives there.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.base.bundle import graph_paths, shapes_paths
from kg.base.errors import KgError, one_line
from kg.base.namespaces import RDF_TYPE, SH, XSD, XSD_STRING
from kg.rdf.files import parse_file, resolve_rdf_files

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import pyoxigraph as ox
    import rdflib

    from kg.shacl.data_graph import DataGraph
    from kg.shacl.data_sources import EndpointData
    from kg.shacl.fast_validation import FastResult
    from kg.shacl.shapes import Shape, ShapesGraph, Term
    from kg.shacl.written_queries import WrittenDataQueries


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
    report_triples: list[ox.Triple] = field(default_factory=list)
    report_prefixes: dict[str, str] = field(default_factory=dict)

    def report_turtle(self) -> str:
        """The standard SHACL validation report (``sh:ValidationReport``), as Turtle, every
        literal as the data writes it."""
        import pyoxigraph as ox

        triples, prefixes = self.report_triples, self.report_prefixes
        if self.report is not None:  # rdflib's writer spells "none"^^xsd:boolean as none
            triples = _report_in_order(self.report)
            used = {t.value for triple in triples for t in triple if isinstance(t, ox.NamedNode)}
            used |= {
                t.datatype.value for triple in triples for t in triple if isinstance(t, ox.Literal)
            }
            prefixes = {
                prefix: str(namespace)
                for prefix, namespace in self.report.namespaces()
                if prefix and any(iri.startswith(str(namespace)) for iri in used)
            }
        data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        return (data or b"").decode("utf-8")


def _report_in_order(report: rdflib.Graph) -> list[ox.Triple]:
    """The triples of an rdflib report graph as pyoxigraph triples, each node's together (its
    type first), from the report node down through what it points to."""
    import pyoxigraph as ox

    from kg.rdf.graph import oxigraph_term

    by_subject: dict[object, list[ox.Triple]] = {}
    for subject, predicate, obj in report:
        node, link = oxigraph_term(subject), oxigraph_term(predicate)
        assert not isinstance(node, ox.Literal) and isinstance(link, ox.NamedNode)
        by_subject.setdefault(node, []).append(ox.Triple(node, link, oxigraph_term(obj)))
    roots = [
        t.subject
        for triples in by_subject.values()
        for t in triples
        if t.predicate.value == RDF_TYPE and t.object == ox.NamedNode(SH + "ValidationReport")
    ]
    ordered: list[ox.Triple] = []
    pending: list[object] = [*roots, *by_subject]
    seen: set[object] = set()
    while pending:
        current = pending.pop(0)
        if current in seen or current not in by_subject:
            continue
        seen.add(current)
        triples = sorted(
            by_subject[current],
            key=lambda t: (t.predicate.value != RDF_TYPE, str(t.predicate), str(t.object)),
        )
        ordered.extend(triples)
        pending[:0] = [t.object for t in triples if isinstance(t.object, ox.BlankNode)]
    return ordered


def validate(
    data: Sequence[str | os.PathLike[str]] | None = None,
    shapes: Sequence[str | os.PathLike[str]] | None = None,
    ontology: Sequence[str | os.PathLike[str]] | None = None,
    engine: str = "fast",
    allow_warnings: bool = False,
) -> ValidationOutcome:
    """Validate RDF data against SHACL shapes.

    Args:
        data: files or folders of data; the bundled data by default.
        shapes: files or folders of shapes; the bundled shapes by default.
        ontology: files or folders of the ontology merged into the data; the bundled
            ontology by default (pass an empty list for none).
        engine: ``fast`` (SPARQL on Oxigraph) or ``pyshacl`` (the reference).
        allow_warnings: as pySHACL's option: results of severity ``sh:Warning`` or ``sh:Info``
            do not make the data non-conforming.

    Example:
        >>> validate().conforms
        True

    Raises:
        KgError: a file is missing or does not parse, the shapes graph holds no shapes, or
            the shapes are not valid SHACL (including SHACL-SPARQL queries SHACL forbids and
            patterns SPARQL's REGEX cannot run).
    """
    if data is not None and not list(data):
        raise KgError("no data to validate")
    graph_files = graph_paths(data, ontology)
    if engine not in ("fast", "pyshacl"):
        raise KgError(f"unknown validation engine {engine!r} (fast or pyshacl)")
    shapes_graph, shapes_prefixes, shapes_quads = _read_shapes_graph(shapes)
    from kg.shacl.data_graph import load_data_graph

    files = resolve_rdf_files(graph_files)
    loaded = load_data_graph(files)  # one reading of the data, for either engine
    note = ""
    if engine == "fast":
        from kg.shacl.shapes import UnsupportedShapes

        try:
            return _validate_fast(loaded, shapes_graph, shapes_prefixes, allow_warnings)
        except UnsupportedShapes as error:
            note = f"the fast engine does not support {error.message}; validated with pySHACL"
    from kg.base.quiet import quiet_libraries
    from kg.rdf.graph import rdflib_graph

    with quiet_libraries():  # rdflib logs a traceback for each ill-typed literal it converts
        data_graph = loaded.as_rdflib()
        shapes_rdflib = rdflib_graph(shapes_quads, shapes_prefixes)
    outcome = validate_graphs(data_graph, shapes_rdflib, allow_warnings=allow_warnings)
    outcome.data_files = files
    outcome.engine_note = note
    return outcome


def _read_shapes_graph(
    shapes: Sequence[str | os.PathLike[str]] | None,
) -> tuple[ShapesGraph, dict[str, str], list[ox.Quad]]:
    """The shapes graph of the shapes files (the bundled shapes by default), its prefixes and
    its quads, checked: it holds shapes, and every sh:pattern is a regular expression.

    Raises:
        KgError: no shapes files, a file does not parse, no shapes in them, or a bad pattern.
    """
    from kg.shacl.shapes import ShapesGraph, all_shapes, check_patterns
    from kg.sparql.results import term_text

    shapes_files = shapes_paths(shapes)
    if not shapes_files:
        raise KgError("no shapes to validate against")
    prefixes: dict[str, str] = {}
    quads = [q for path in resolve_rdf_files(shapes_files) for q in parse_file(path, prefixes)]
    shapes_graph = ShapesGraph(quads)
    if not all_shapes(shapes_graph):
        names = ", ".join(str(p) for p in shapes_files)
        raise KgError(
            f"{names}: no SHACL shapes here (no sh:NodeShape, sh:PropertyShape, target or sh:path)"
        )
    check_patterns(shapes_graph, lambda term: term_text(term, prefixes))
    return shapes_graph, prefixes, quads


def _validate_fast(
    data: DataGraph,
    shapes_graph: ShapesGraph,
    shapes_prefixes: dict[str, str],
    allow_warnings: bool,
) -> ValidationOutcome:
    """The fast engine, or UnsupportedShapes when it cannot answer exactly."""
    from kg.rdf.literal_fidelity import typed_literals
    from kg.shacl.shapes import read_shapes
    from kg.shacl.written_literals import surrogates_for
    from kg.shacl.written_queries import WrittenDataQueries

    shapes = read_shapes(shapes_graph)
    constants = surrogates_for(typed_literals(shapes_graph.term_literals()))
    return _fast_outcome(
        data.store,
        shapes_graph,
        shapes,
        {**data.prefixes, **shapes_prefixes},
        allow_warnings,
        data_files=data.files,
        constants={**data.surrogates, **constants},
        as_written=WrittenDataQueries(data, constants),
    )


def validate_endpoint(
    endpoint: str,
    shapes: Sequence[str | os.PathLike[str]] | None = None,
    *,
    allow_warnings: bool = False,
    timeout: float = 60.0,
    progress: Callable[[str], None] | None = None,
) -> ValidationOutcome:
    """Validate the default graph of a SPARQL 1.1 endpoint against SHACL shapes, with the
    fast engine's queries sent to it (for data too big for one machine). The endpoint must
    hold the ontology too (``sh:targetClass`` and ``sh:class`` follow ``rdfs:subClassOf`` in
    the data); literals are compared as the endpoint holds them.

    Args:
        endpoint: the SPARQL 1.1 query endpoint.
        shapes: files or folders of shapes; the bundled shapes by default.
        allow_warnings: as :func:`validate`.
        timeout: seconds each query may take.
        progress: called before each query is sent.

    Raises:
        KgError: as :func:`validate`; the shapes use something only pySHACL answers (it needs
            the data locally); a query fails or runs past ``timeout``; a nested shape or a
            SPARQL constraint would have to name one of the endpoint's blank nodes.
    """
    from kg.shacl.data_sources import EndpointData
    from kg.shacl.shapes import UnsupportedShapes, read_shapes

    shapes_graph, shapes_prefixes, _ = _read_shapes_graph(shapes)
    try:
        compiled = read_shapes(shapes_graph)
        return _fast_outcome(
            EndpointData(endpoint, timeout, progress),
            shapes_graph,
            compiled,
            {**_project_prefixes(), **shapes_prefixes},
            allow_warnings,
        )
    except UnsupportedShapes as error:
        raise KgError(
            f"the fast engine does not support {error.message}, and pySHACL needs the data "
            "locally: validate it with --data"
        ) from None


def _project_prefixes() -> dict[str, str]:
    from kg.rdf.prefixes import project_prefixes

    return project_prefixes()


def _fast_outcome(
    data: ox.Store | EndpointData,
    shapes_graph: ShapesGraph,
    shapes: list[Shape],
    prefixes: dict[str, str],
    allow_warnings: bool,
    *,
    data_files: list[Path] | None = None,
    constants: Mapping[Term, Term] | None = None,
    as_written: WrittenDataQueries | None = None,
) -> ValidationOutcome:
    """Run the fast engine on a store or an endpoint and turn its results into an outcome."""
    import pyoxigraph as ox

    from kg.shacl.fast_validation import validate_store
    from kg.shacl.shapes import path_sparql
    from kg.sparql.results import compact_iri, term_text

    def show(term: object) -> str:
        if isinstance(term, ox.Literal):
            return written_literal(term.value, term.language, term.datatype.value, prefixes)
        return term_text(term, prefixes)

    def show_path(path: object) -> str:
        if isinstance(path, ox.BlankNode):
            return path_sparql(shapes_graph, path, lambda iri: compact_iri(iri.value, prefixes))
        return show(path)

    raw = validate_store(
        data,
        shapes_graph,
        shapes,
        show,
        workers=validation_workers(),
        constants=constants,
        as_written=as_written,
    )
    violations = sorted(
        (
            Violation(
                focus_node=show(r.focus),
                path=show_path(r.path) if r.path is not None else "",
                constraint=compact_iri(r.component, prefixes),
                source_shape=show(r.shape),
                severity=r.severity.value.removeprefix(SH),
                message=one_line(_preferred_message(r)),
                value=show(r.value) if r.value is not None else "",
                focus_iri=r.focus.value if isinstance(r.focus, ox.NamedNode) else "",
            )
            for r in raw
        ),
        key=lambda v: (v.focus_node, v.path, v.constraint, v.value, v.message),
    )
    shape_names = sorted(
        {show(s.node) for s in shapes if isinstance(s.node, ox.NamedNode)}
        | {show(p.node) for s in shapes for p in s.properties if isinstance(p.node, ox.NamedNode)}
    )
    return ValidationOutcome(
        conforms=not any(_counts(v.severity, allow_warnings) for v in violations),
        violations=violations,
        shapes=shape_names,
        data_files=data_files or [],
        engine="fast",
        report_triples=_report_triples(raw, shapes_graph, allow_warnings),
        report_prefixes={"sh": SH, **{p: n for p, n in prefixes.items() if p}},
    )


def validation_workers() -> int:
    """Processes the fast engine answers constraint queries with: one per core (at most 4),
    or ``KG_VALIDATION_WORKERS``."""
    configured = os.environ.get("KG_VALIDATION_WORKERS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(
        1,
        min(
            4,
            len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 1,
        ),
    )


def _counts(severity: str, allow_warnings: bool) -> bool:
    """Does a result of this severity make the data non-conforming (pySHACL's allow_warnings)?"""
    return not (allow_warnings and severity in ("Warning", "Info"))


def _preferred_message(result: FastResult) -> str:
    """The message to show: an English or untagged ``sh:message``, else the engine's own."""
    messages = list(result.messages)
    for message in sorted(messages, key=lambda m: (m.language not in (None, "", "en"), m.value)):
        return message.value
    return result.default_message


def _report_triples(
    raw: list[FastResult], shapes_graph: ShapesGraph, allow_warnings: bool
) -> list[ox.Triple]:
    """The standard SHACL validation report of a fast-engine outcome, as triples."""
    import pyoxigraph as ox

    def sh(name: str) -> ox.NamedNode:
        return ox.NamedNode(SH + name)

    rdf_type = ox.NamedNode(RDF_TYPE)
    counted = [r for r in raw if _counts(r.severity.value.removeprefix(SH), allow_warnings)]
    report = ox.BlankNode()
    triples = [
        ox.Triple(report, rdf_type, sh("ValidationReport")),
        ox.Triple(
            report,
            sh("conforms"),
            ox.Literal(
                "false" if counted else "true",
                datatype=ox.NamedNode(XSD + "boolean"),
            ),
        ),
    ]
    copied: set[Term] = set()
    for result in raw:
        node = ox.BlankNode()
        triples += [
            ox.Triple(report, sh("result"), node),
            ox.Triple(node, rdf_type, sh("ValidationResult")),
            ox.Triple(node, sh("focusNode"), result.focus),
            ox.Triple(node, sh("sourceConstraintComponent"), ox.NamedNode(result.component)),
            ox.Triple(node, sh("sourceShape"), result.shape),
            ox.Triple(node, sh("resultSeverity"), result.severity),
        ]
        if result.path is not None:
            triples.append(ox.Triple(node, sh("resultPath"), result.path))
            if result.path not in copied:
                copied.add(result.path)
                triples.extend(shapes_graph.structure(result.path))
        messages = result.messages or (ox.Literal(result.default_message),)
        triples.extend(ox.Triple(node, sh("resultMessage"), m) for m in messages)
        if result.value is not None:
            triples.append(ox.Triple(node, sh("value"), result.value))
        if result.constraint is not None:
            triples.append(ox.Triple(node, sh("sourceConstraint"), result.constraint))
    return triples


def validate_graphs(
    data_graph: rdflib.Graph, shapes_graph: rdflib.Graph, allow_warnings: bool = False
) -> ValidationOutcome:
    """Validate an rdflib data graph (ontology already merged in) against a shapes graph with pySHACL."""
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError, ShapeLoadError, ValidationFailure

    from kg.base.quiet import quiet_libraries

    for prefix, namespace in shapes_graph.namespaces():
        data_graph.bind(prefix, namespace, override=False)
    with quiet_libraries():
        try:
            conforms, report, _ = pyshacl.validate(
                data_graph,
                shacl_graph=shapes_graph,
                inference="none",
                advanced=True,
                inplace=True,
                allow_warnings=allow_warnings,
            )
        except (ShapeLoadError, ReportableRuntimeError, ValidationFailure) as error:
            raise KgError(f"shapes are not valid SHACL: {_one_line(error)}") from None
        except NotImplementedError as error:
            raise KgError(f"pySHACL cannot validate these shapes: {_one_line(error)}") from None
        except (ArithmeticError, TypeError, ValueError) as error:
            # pySHACL's own failures on some data (a NaN compared as a decimal, literals of
            # different types ordered): one line naming the reference, never a traceback
            raise KgError(
                f"pySHACL failed on this data and these shapes: "
                f"{type(error).__name__}: {_one_line(error)}"
            ) from None
    if isinstance(report, ValidationFailure):  # pySHACL returns, rather than raises, some refusals
        raise KgError(f"shapes are not valid SHACL: {_one_line(report)}")
    for prefix, namespace in data_graph.namespaces():
        report.bind(prefix, namespace, override=False)
    return ValidationOutcome(
        conforms=bool(conforms),
        violations=_violations(report),
        report=report,
        shapes=_shape_names(shapes_graph),
    )


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
        if isinstance(node, rdflib.Literal):
            prefixes = dict(report.namespaces())
            datatype = (
                str(node.datatype) if node.datatype else ("" if node.language else XSD_STRING)
            )
            return written_literal(str(node), node.language, datatype, prefixes)
        return str(node)

    found = []
    # the report's own results (sh:result); those under sh:detail explain a result of sh:node,
    # sh:not, ... and are not results of the report (SHACL 3.6.2.6)
    for result in set(report.objects(None, sh.result)):
        severity = report.value(result, sh.resultSeverity)
        found.append(
            Violation(
                focus_node=show(report.value(result, sh.focusNode)),
                path=show(report.value(result, sh.resultPath)),
                constraint=show(report.value(result, sh.sourceConstraintComponent)),
                source_shape=show(report.value(result, sh.sourceShape)),
                severity=str(severity).removeprefix(SH) if severity else "Violation",
                message=one_line(report.value(result, sh.resultMessage) or ""),
                value=show(report.value(result, sh.value)),
                focus_iri=str(focus)
                if isinstance(focus := report.value(result, sh.focusNode), rdflib.URIRef)
                else "",
            )
        )
    return sorted(found, key=lambda v: (v.focus_node, v.path, v.constraint, v.value, v.message))


def _describe_path(
    report: rdflib.Graph, node: rdflib.BNode, show: Callable[[rdflib.term.Node | None], str]
) -> str:
    """A path of a pySHACL report written as the fast engine writes it (SPARQL property-path syntax)."""
    import pyoxigraph as ox
    import rdflib

    from kg.shacl.shapes import ShapesGraph, UnsupportedShapes, path_sparql

    def term(value: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(value, rdflib.BNode):
            return ox.BlankNode(str(value))
        if isinstance(value, rdflib.Literal):
            return ox.Literal(str(value))
        return ox.NamedNode(str(value))

    triples: list[ox.Triple] = []
    pending: list[rdflib.term.Node] = [node]
    seen: set[rdflib.BNode] = set()
    while pending:
        current = pending.pop()
        if current in seen or not isinstance(current, rdflib.BNode):
            continue
        seen.add(current)
        for predicate, obj in report.predicate_objects(current):
            triples.append(
                ox.Triple(ox.BlankNode(str(current)), ox.NamedNode(str(predicate)), term(obj))
            )
            pending.append(obj)
    try:
        return path_sparql(
            ShapesGraph(triples), term(node), lambda iri: show(rdflib.URIRef(iri.value))
        )
    except UnsupportedShapes:
        return f"_:{node}"


def written_literal(
    lexical: str, language: str | None, datatype: str, prefixes: Mapping[str, str]
) -> str:
    """A literal as written in Turtle: ``"abc"``, ``"hi"@en``, ``"5"^^xsd:byte``."""
    from kg.sparql.results import compact_iri

    text = '"' + _escaped(lexical) + '"'
    if language:
        return f"{text}@{language}"
    if datatype and datatype != XSD_STRING:
        return f"{text}^^{compact_iri(datatype, prefixes)}"
    return text


def _escaped(lexical: str) -> str:
    """A lexical form as Turtle writes it between double quotes."""
    for raw, escape in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r")):
        lexical = lexical.replace(raw, escape)
    return lexical


def _one_line(error: Exception) -> str:
    """pySHACL's errors carry their text in ``message``."""
    return one_line(getattr(error, "message", None) or error)
