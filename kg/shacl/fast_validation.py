"""Fast SHACL validation: each constraint of the shapes becomes one SPARQL query on Oxigraph.

pySHACL checks node by node in Python; at a million triples that takes minutes. Here every
constraint is answered for all focus nodes at once by Oxigraph, with the queries of
``kg/shacl/shacl_sparql/`` (one per SHACL Core constraint component, compiled by
:mod:`kg.shacl.components`) and the shapes' own SHACL-SPARQL constraints. :mod:`kg.shacl.shapes` reads the whole shapes graph first and raises
:class:`UnsupportedShapes` for anything this engine does not implement, so that `kg validate`
hands the whole validation to pySHACL instead of answering wrongly.

The data store must hold every literal exactly as written: literals the store would rewrite are
held as surrogates (:mod:`kg.shacl.written_literals`, loaded by :mod:`kg.shacl.data_graph`), and
every row a query returns is read back as written. Where SHACL's answer depends on more than the
store decides exactly, the query only enumerates candidate rows and Python decides each one:
value ranges and property-pair comparisons (:mod:`kg.shacl.comparison`, after a SPARQL pre-filter
that drops only rows the store is exact about) and sh:pattern (:mod:`kg.shacl.xpath_regex`).

Shapes inside shapes (sh:node, sh:not, sh:and, sh:or, sh:xone, sh:qualifiedValueShape, and
sh:property of a property shape) that are not one SPARQL expression are validated in rounds:
the first round lists the value nodes, the next validates the nested shapes with those nodes as
focus nodes (marked in a private named graph of the store for the round), and so on down the
nesting; then each constraint decides by the conformance found.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg.base.namespaces import SH
from kg.shacl import components
from kg.shacl.components.context import Check, ShapeContext, instance_of_class
from kg.shacl.components.sparql_based import focus_query, sparql_query, substitute
from kg.shacl.data_sources import EndpointData, StoreData
from kg.shacl.shapes import (
    Shape,
    ShapesGraph,
    SparqlConstraint,
    Target,
    Term,
    UnsupportedShapes,
    nested_shape,
)
from kg.shacl.store_queries import Query, Row
from kg.shacl.written_queries import WrittenDataQueries

__all__ = ["FastResult", "UnsupportedShapes", "validate_store"]

#: Where the queries run: the engine's store, or a SPARQL endpoint.
DataSource = StoreData | EndpointData


@dataclass(frozen=True)
class FastResult:
    """One validation result, with full terms (display happens later).

    Attributes:
        focus: the focus node.
        path: the shapes-graph node that spells the result path (None for node shapes).
        component: the constraint component's IRI.
        shape: the source shape.
        severity: the shape's severity (``sh:Violation`` unless it says otherwise).
        messages: the shape's or constraint's ``sh:message`` values, substituted.
        default_message: the engine's own message, used when ``messages`` is empty.
        value: the value node, where the component reports one.
        constraint: the ``sh:sparql`` constraint node, for SPARQL-based results.
    """

    focus: Term
    path: Term | None
    component: str
    shape: Term
    severity: ox.NamedNode
    messages: tuple[ox.Literal, ...]
    default_message: str
    value: Term | None = None
    constraint: Term | None = None


def validate_store(
    data: ox.Store | DataSource,
    shapes_graph: ShapesGraph,
    shapes: list[Shape],
    show: Callable[[Term], str],
    workers: int = 1,
    constants: Mapping[Term, Term] | None = None,
    as_written: WrittenDataQueries | None = None,
) -> list[FastResult]:
    """Validate the data (ontology merged in) against shapes.

    Args:
        data: the data graph: a store holding every literal as written (surrogates where it
            would not keep one, see :mod:`kg.shacl.written_literals`), or a data source of
            :mod:`kg.shacl.data_sources` (a SPARQL endpoint). Nested validation adds private
            named graphs to a store for a while and removes them.
        shapes_graph: the shapes graph, as parsed.
        shapes: the shapes to validate, from :func:`kg.shacl.shapes.read_shapes` on that graph.
        show: how a term is written in default messages (prefixed names).
        workers: processes answering the queries on a store (see :func:`answer_queries`).
        constants: the literals (of the shapes and of the data) that the store holds as
            surrogates, mapped to their surrogates.
        as_written: answers the SHACL-SPARQL constraints that could read a surrogate on the
            data as written (:mod:`kg.shacl.written_queries`); without it, none may.

    Raises:
        UnsupportedShapes: the shapes use a feature this engine does not implement.
        KgError: an sh:pattern that SPARQL's REGEX cannot run; at an endpoint, a failed query
            or a blank node a query would have to name.
    """
    source = StoreData(data, workers) if isinstance(data, ox.Store) else data
    engine = _Engine(source, shapes_graph, show, dict(constants or {}), as_written)
    if any(
        predicate == SH + "select" and "shapesGraph" in getattr(query, "value", "")
        for _, predicate, query in shapes_graph.triples
    ):
        source.add_shapes_graph(shapes_graph)
    jobs = [
        (shape, _target_pattern(shape.targets, engine.stored, source.instance_pattern))
        for shape in shapes
    ]
    return [result for results in engine.validate(jobs) for _, result in results]


class _Engine:
    """Validation in rounds: one round answers every query of its shapes at once, then the
    nested shapes their constraints need are validated on the value nodes found (the next
    round), and each constraint decides."""

    def __init__(
        self,
        source: DataSource,
        graph: ShapesGraph,
        show: Callable[[Term], str],
        in_store: dict[Term, Term],
        as_written: WrittenDataQueries | None = None,
    ) -> None:
        self.source, self.graph, self.show = source, graph, show
        self.in_store = in_store
        self.as_written = as_written
        #: each nested shape: the nodes validated against it, and the results about each
        self.validated: dict[Term, set[Term]] = defaultdict(set)
        self.results_of: dict[Term, dict[Term, list[FastResult]]] = defaultdict(dict)

    def stored(self, term: Term) -> Term:
        """The store's term for a term as written (its surrogate, if it has one)."""
        return self.in_store.get(term, term)

    def conforms(self, shape: Term, node: Term) -> bool:
        """Does ``node`` conform to the nested ``shape`` (validated in an earlier round)?"""
        return not self.results_of[shape].get(node)

    def validate(self, jobs: list[tuple[Shape, str]]) -> list[list[tuple[Term, FastResult]]]:
        """The results of each job (a shape, and a pattern binding ``?this`` to its focus
        nodes), each with the focus node of the job it is about: the result's own focus node,
        or, for a result of a property shape's sh:property, the focus node whose value it is
        about (the job's focus node does not conform to the shape when it has one)."""
        planned: list[tuple[int, Check]] = []
        sparql: list[tuple[int, Shape, SparqlConstraint]] = []
        for index, (shape, target) in enumerate(jobs):
            for member in (shape, *shape.properties) if shape.path is None else (shape,):
                context = ShapeContext(
                    self.graph,
                    member,
                    target,
                    self.show,
                    self.stored,
                    self.source.oxigraph_filters,
                    self.source.instance_pattern,
                )
                planned.extend((index, check) for check in components.checks(context))
                sparql.extend((index, member, constraint) for constraint in member.sparql)
        queries = [Query(check.query, keep=check.keep) for _, check in planned]
        sparql_queries = self._sparql_queries(jobs, sparql)
        queries += [query for batch in sparql_queries if batch for query in batch]
        answers = self.source.answer_all(queries)
        answers[len(planned) :] = self._sparql_answers(
            jobs, sparql, sparql_queries, answers[len(planned) :]
        )
        self._validate_nested(planned, answers)
        results: list[list[tuple[Term, FastResult]]] = [[] for _ in jobs]
        for (index, check), rows in zip(planned, answers, strict=False):
            results[index].extend(self._results(check, rows))
        for (index, shape, constraint), rows in zip(sparql, answers[len(planned) :], strict=True):
            results[index].extend((r.focus, r) for r in _sparql_results(shape, constraint, rows))
        return results

    def _needs_written(
        self, jobs: list[tuple[Shape, str]], planned: tuple[int, Shape, SparqlConstraint]
    ) -> bool:
        """Must this SPARQL constraint run on the data as written (it could read a surrogate)?

        Raises:
            UnsupportedShapes: it must, in a nested shape (whose focus nodes only the store
                holds).
        """
        index, _, constraint = planned
        job_shape = jobs[index][0]
        if self.as_written is None or not self.as_written.needed_for(job_shape, constraint):
            return False
        if not job_shape.targets:
            raise UnsupportedShapes(
                f"a nested shape's SPARQL constraint {constraint.node} on data with literals "
                "its store would not keep as written"
            )
        return True

    def _sparql_queries(
        self, jobs: list[tuple[Shape, str]], sparql: list[tuple[int, Shape, SparqlConstraint]]
    ) -> list[list[Query] | None]:
        """The store's queries of each SPARQL constraint: one for every focus node at once where
        the constraint is join-safe, else one per focus node; None for a constraint that runs on
        the data as written.

        Raises:
            UnsupportedShapes: a constraint that is not join-safe must run on the data as written.
        """
        focus_nodes: dict[int, list[Term]] = {}
        batches: list[list[Query] | None] = []
        for planned in sparql:
            index, member, constraint = planned
            if self._needs_written(jobs, planned):
                if constraint.uses_shapes_graph:
                    raise UnsupportedShapes(
                        f"SPARQL constraint {constraint.node} reads $shapesGraph on data with "
                        "literals its store would not keep as written"
                    )
                if not constraint.join_safe:
                    raise UnsupportedShapes(
                        f"SPARQL constraint {constraint.node}, not answerable for all focus nodes "
                        "at once, on data with literals its store would not keep as written"
                    )
                batches.append(None)
            elif constraint.join_safe:
                batches.append([sparql_query(member, constraint, jobs[index][1])])
            else:
                if index not in focus_nodes:
                    listing = Query(f"SELECT DISTINCT ?this WHERE {{ {jobs[index][1]} }}")
                    focus_nodes[index] = [row["this"] for row in self.source.answer(listing)]
                batches.append(
                    [focus_query(member, constraint, self.stored(f)) for f in focus_nodes[index]]
                )
        return batches

    def _sparql_answers(
        self,
        jobs: list[tuple[Shape, str]],
        sparql: list[tuple[int, Shape, SparqlConstraint]],
        batches: list[list[Query] | None],
        store_answers: list[list[Row]],
    ) -> list[list[Row]]:
        """The rows of each SPARQL constraint: from the store, or from the data as written."""
        from_store = iter(store_answers)
        answers = []
        for (index, member, constraint), batch in zip(sparql, batches, strict=True):
            if batch is not None:
                answers.append([row for _ in batch for row in next(from_store)])
                continue
            assert self.as_written is not None
            written_target = _target_pattern(jobs[index][0].targets, lambda term: term)
            answers.append(self.as_written.answer(sparql_query(member, constraint, written_target)))
        return answers

    def _results(self, check: Check, rows: list[Row]) -> list[tuple[Term, FastResult]]:
        if check.propagate is not None:
            # once per focus node and value (the W3C suite counts each: core/property/property-001)
            found = self.results_of[check.propagate]
            return [(row["this"], r) for row in rows for r in found.get(row["value"], ())]
        if check.decide is not None:
            rows = check.decide(rows, self.conforms)
        shape = check.shape
        return [
            (
                row["this"],
                FastResult(
                    focus=row["this"],
                    path=check.path_of(row)
                    if check.path_of
                    else (shape.path.node if shape.path else None),
                    component=SH
                    + (check.component_of(row) if check.component_of else check.component),
                    shape=shape.node,
                    severity=shape.severity,
                    messages=shape.messages,
                    default_message=check.describe(row),
                    value=row["value"] if check.reports_value else None,
                ),
            )
            for row in rows
        ]

    def _validate_nested(self, planned: list[tuple[int, Check]], answers: list[list[Row]]) -> None:
        """Validate the nested shapes of the planned checks on their rows' value nodes (each
        node against each shape once), the nodes bound by the data source's focus pattern."""
        needed: dict[Term, set[Term]] = defaultdict(set)
        for (_, check), rows in zip(planned, answers, strict=False):
            shapes = (*check.nested, *((check.propagate,) if check.propagate else ()))
            if shapes:
                values = {row["value"] for row in rows if "value" in row}
                for shape in shapes:
                    needed[shape] |= values - self.validated[shape]
        built_jobs: list[tuple[Term, set[Term], Shape]] = []
        for shape_node, nodes in needed.items():
            built = nested_shape(self.graph, shape_node) if nodes else None
            if built is None:  # deactivated: every node conforms
                self.validated[shape_node] |= nodes
                continue
            if self.source.holds_private_graphs:
                _refuse_graph_patterns(built)
            built_jobs.append((shape_node, nodes, built))
        if not built_jobs:
            return
        jobs: list[tuple[Shape, str]] = []
        try:
            for _, nodes, built in built_jobs:
                jobs.append((built, self.source.focus_pattern(self.stored(n) for n in nodes)))
            found = self.validate(jobs)
        finally:
            self.source.release(pattern for _, pattern in jobs)
        for (shape_node, nodes, _), results in zip(built_jobs, found, strict=True):
            self.validated[shape_node] |= nodes
            by_node = self.results_of[shape_node]
            for owner, result in results:
                by_node.setdefault(owner, []).append(result)


def _refuse_graph_patterns(shape: Shape) -> None:
    """A SHACL-SPARQL constraint of a nested shape that reads named graphs would see the private
    graphs of the focus nodes: such shapes go to pySHACL."""
    pending = [shape]
    while pending:
        current = pending.pop()
        pending.extend(current.properties)
        for constraint in current.sparql:
            if re.search(r"\bGRAPH\b", constraint.query, re.IGNORECASE):
                raise UnsupportedShapes(
                    f"a nested shape's SPARQL constraint {constraint.node} reads named graphs"
                )


def _target_pattern(
    targets: list[Target],
    stored: Callable[[Term], Term],
    instance_of: Callable[[str, str], str] = instance_of_class,
) -> str:
    """A group pattern binding ?this to every focus node of the targets (a literal target node
    as the store holds it; class membership as ``instance_of`` writes it)."""
    alternatives = []
    for target in targets:
        if target.kind == "class":
            alternatives.append(f"{instance_of('?this', str(target.term))} .")
        elif target.kind == "node":
            if isinstance(target.term, ox.BlankNode):
                raise UnsupportedShapes(f"sh:targetNode {target.term} is a blank node")
            alternatives.append(f"VALUES ?this {{ {stored(target.term)} }}")
        elif target.kind == "subjectsOf":
            alternatives.append(f"?this {_iri(target.term, 'sh:targetSubjectsOf')} ?targetValue .")
        else:
            alternatives.append(f"?targetSubject {_iri(target.term, 'sh:targetObjectsOf')} ?this .")
    return " UNION ".join(f"{{ {a} }}" for a in alternatives)


def _iri(term: Term, parameter: str) -> str:
    if not isinstance(term, ox.NamedNode):
        raise UnsupportedShapes(f"{parameter} {term} is not an IRI")
    return str(term)


def _sparql_results(
    shape: Shape, constraint: SparqlConstraint, rows: list[Row]
) -> list[FastResult]:
    """The results of a SHACL-SPARQL constraint's rows (SHACL 5.3.2)."""
    messages = constraint.messages or shape.messages
    results = []
    for row in rows:
        focus = row["this"]
        if shape.path is not None:
            path: Term | None = shape.path.node
        else:
            bound_path = row.get("path")
            path = bound_path if isinstance(bound_path, ox.NamedNode) else None
        value = row.get("value") or (focus if shape.path is None else None)
        results.append(
            FastResult(
                focus=focus,
                path=path,
                component=SH + "SPARQLConstraintComponent",
                shape=shape.node,
                severity=shape.severity,
                messages=tuple(substitute(m, row) for m in messages),
                default_message=f"SPARQL constraint {constraint.node} reports {focus}",
                value=value,
                constraint=constraint.node,
            )
        )
    return results
