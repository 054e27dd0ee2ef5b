"""SHACL-SPARQL constraints that could read a literal the store holds as a surrogate.

The fast engine's store holds some literals as surrogates (:mod:`kg.shacl.written_literals`):
the core constraints know it, but a user's SPARQL query would compare, type-test or print the
surrogate instead of the literal. Such a constraint (one whose patterns can match a predicate of
a triple holding a surrogate, or whose focus nodes can be one) is answered instead by rdflib's
SPARQL engine on the same triples with every literal as written (the reference's semantics),
built once from the store (blank nodes keep their labels, so a node is the same node in every
result). Every other constraint, and every core constraint, stays on Oxigraph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.shacl.shapes import Shape, SparqlConstraint, Term
from kg.shacl.store_queries import Query, Row

if TYPE_CHECKING:
    from collections.abc import Mapping

    import rdflib

    from kg.shacl.data_graph import DataGraph


class WrittenDataQueries:
    """Decides which SPARQL constraints need the data as written, and answers them."""

    def __init__(self, data: DataGraph, constants: Mapping[Term, Term]) -> None:
        self._data = data
        self._constants = constants
        self._graph: rdflib.Graph | None = None

    def needed_for(self, shape: Shape, constraint: SparqlConstraint) -> bool:
        """Could the constraint (of a shape with these targets) meet a surrogate? Only through a
        triple whose predicate holds one (a pattern that can match it: a variable, a negated
        property set, or that predicate), or through a focus node: an object of such a
        predicate (sh:targetObjectsOf), or a literal target node held as a surrogate."""
        predicates = self._data.surrogate_predicates
        if not self._data.surrogates:
            return False
        if constraint.predicates is None or constraint.predicates & predicates:
            return True
        for target in shape.targets:
            if target.kind == "objectsOf" and getattr(target.term, "value", "") in predicates:
                return True
            if target.kind == "node" and target.term in self._constants:
                return True
        return False

    def answer(self, query: Query) -> list[Row]:
        """The rows of a query on the data as written (rows binding ``?this``)."""
        from kg.base.quiet import quiet_libraries
        from kg.rdf.graph import oxigraph_term, rdflib_term

        if self._graph is None:
            with quiet_libraries():
                self._graph = self._data.as_rdflib()
        bindings = {name: rdflib_term(term) for name, term in query.substitutions}
        with quiet_libraries():
            result = self._graph.query(query.text, initBindings=bindings or None)
            rows = []
            for solution in result.bindings:
                row = {str(name): oxigraph_term(value) for name, value in solution.items()}
                if "this" in row and (query.keep is None or query.keep(row)):
                    rows.append(row)
        return rows
