"""Where the fast engine's queries run: its in-memory Oxigraph store, or a SPARQL 1.1 endpoint.

The engine (:mod:`kg.shacl.fast_validation`) asks a data source three things: answer these
SELECT queries; give a pattern that binds ``?this`` to these nodes (the focus nodes of a nested
shape, or of one SPARQL constraint per focus node); and hold the shapes graph for
``$shapesGraph``. The store marks nodes in private named graphs and answers in forked worker
processes (:mod:`kg.shacl.store_queries`). An endpoint is read-only: nodes are listed in a
``VALUES`` block, which cannot name a blank node, and each query is one HTTP request, stopped
after a time-out.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from kg.base.errors import KgError
from kg.base.namespaces import RDF, RDFS
from kg.shacl.components.context import instance_of_class
from kg.shacl.shapes import SHAPES_GRAPH, ShapesGraph, Term
from kg.shacl.store_queries import Query, Row, answer, answer_queries, rows_of

#: The private named graphs that hold the focus nodes of a round of nested validation.
_FOCUS_GRAPH = "urn:x-kg:focus-nodes:"
_FOCUS = ox.NamedNode("urn:x-kg:focus")
_FOCUS_NODE = ox.NamedNode("urn:x-kg:focus-node")


class StoreData:
    """The data graph in the engine's own store (every literal as written: see
    :mod:`kg.shacl.data_graph`)."""

    #: the store can be written to (nested shapes mark their focus nodes in it)
    holds_private_graphs = True
    #: Oxigraph answers: its comparisons and REGEX may pre-filter rows where they are exact
    oxigraph_filters = True

    def __init__(self, store: ox.Store, workers: int = 1) -> None:
        self.store = store
        self.workers = workers
        self._numbers = itertools.count()
        self._marked: dict[str, ox.NamedNode] = {}

    def answer_all(self, queries: list[Query]) -> list[list[Row]]:
        return answer_queries(self.store, queries, self.workers)

    def instance_pattern(self, node: str, cls: str) -> str:
        """A pattern matching when ``node`` is an instance of ``cls`` or of a subclass."""
        return instance_of_class(node, cls)

    def answer(self, query: Query) -> list[Row]:
        return answer(self.store, query)

    def focus_pattern(self, nodes: Iterable[Term]) -> str:
        """A pattern binding ``?this`` to each node (as the store holds it), until it is
        released (:meth:`release`)."""
        graph = ox.NamedNode(f"{_FOCUS_GRAPH}{next(self._numbers)}")
        self.store.extend(ox.Quad(_FOCUS, _FOCUS_NODE, node, graph) for node in nodes)
        pattern = f"GRAPH {graph} {{ {_FOCUS} {_FOCUS_NODE} ?this }}"
        self._marked[pattern] = graph
        return pattern

    def release(self, patterns: Iterable[str]) -> None:
        """Remove the marks behind patterns of :meth:`focus_pattern`."""
        for pattern in patterns:
            graph = self._marked.pop(pattern, None)
            if graph is not None:
                self.store.remove_graph(graph)

    def add_shapes_graph(self, graph: ShapesGraph) -> None:
        """Put the shapes graph in the store as the named graph ``$shapesGraph`` stands for,
        every literal as written (SHACL-SPARQL 5.3.1)."""
        from kg.shacl.written_literals import surrogates_for

        literals = {o for _, _, o in graph.triples if isinstance(o, ox.Literal)}
        held = surrogates_for(literals)
        name = ox.NamedNode(SHAPES_GRAPH)
        self.store.extend(
            ox.Quad(subject, ox.NamedNode(predicate), held.get(obj, obj), name)
            for subject, predicate, obj in graph.triples
        )


class EndpointData:
    """The data graph at a SPARQL 1.1 endpoint (its default graph), read-only."""

    holds_private_graphs = False
    #: another engine answers (Virtuoso raises errors where SPARQL's filters are false): Python
    #: decides every comparison and pattern
    oxigraph_filters = False

    def __init__(
        self,
        url: str,
        timeout: float = 60.0,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.progress = progress or (lambda description: None)
        self.asked = 0
        self._below: dict[str, set[str]] | None = None
        self._variables = itertools.count()

    def answer_all(self, queries: list[Query]) -> list[list[Row]]:
        return [self.answer(query) for query in queries]

    def instance_pattern(self, node: str, cls: str) -> str:
        """A pattern matching when ``node`` is an instance of ``cls`` or of one of its
        subclasses, the subclasses listed from the endpoint's ``rdfs:subClassOf`` triples: a
        ``subClassOf*`` path joined with other patterns is answered wrongly by Virtuoso 7.2
        (docs/triplestores.md)."""
        classes = " ".join(sorted(self._subclasses(cls)))
        variable = f"?classOf{next(self._variables)}"
        return f"VALUES {variable} {{ {classes} }} {node} <{RDF}type> {variable}"

    def _subclasses(self, cls: str) -> set[str]:
        """``cls`` and every class below it, in SPARQL syntax."""
        if self._below is None:
            from kg.shacl.store_queries import Query

            below: dict[str, set[str]] = {}
            edges = Query(
                f"SELECT ?this ?super WHERE {{ ?this <{RDFS}subClassOf> ?super "
                "FILTER (isIRI(?this) && isIRI(?super)) }"
            )
            for row in self.answer(edges):
                below.setdefault(str(row["super"]), set()).add(str(row["this"]))
            self._below = below
        found, pending = {cls}, [cls]
        while pending:
            for sub in self._below.get(pending.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    pending.append(sub)
        return found

    def answer(self, query: Query) -> list[Row]:
        """The rows of one query at the endpoint, its substitutions sent as a ``VALUES`` block.

        Raises:
            KgError: the endpoint fails, refuses or takes longer than the time-out.
        """
        from kg.sparql.remote import query_endpoint

        self.asked += 1
        self.progress(f"query {self.asked}")
        text = query.text
        if query.substitutions:
            text = _with_values(text, dict(query.substitutions))
        try:
            solutions = query_endpoint(self.url, text, timeout=self.timeout)
        except KgError as error:
            raise KgError(f"validating at {error}") from None
        if not isinstance(solutions, ox.QuerySolutions):
            raise KgError(f"{self.url}: a validation query got no solutions back")
        rows = rows_of(solutions)
        return [row for row in rows if query.keep(row)] if query.keep else rows

    def focus_pattern(self, nodes: Iterable[Term]) -> str:
        """A ``VALUES`` block binding ``?this`` to each node.

        Raises:
            KgError: a node is a blank node, which no query sent to an endpoint can name.
        """
        return f"VALUES ?this {{ {' '.join(_named(node) for node in nodes)} }}"

    def release(self, patterns: Iterable[str]) -> None:
        """Nothing to remove: the nodes were listed in the queries."""

    def add_shapes_graph(self, graph: ShapesGraph) -> None:
        raise KgError(
            f"{self.url}: a SHACL-SPARQL constraint reads $shapesGraph, which a read-only "
            "endpoint does not hold; validate the data locally (--data)"
        )


def _named(term: Term) -> str:
    if isinstance(term, ox.BlankNode):
        raise KgError(
            "a nested shape or a SPARQL constraint needs a blank node of the endpoint as a "
            "focus node, which no query sent to an endpoint can name; validate the data "
            "locally (--data)"
        )
    return str(term)


def _with_values(text: str, bindings: dict[str, Term]) -> str:
    """The query with ``bindings`` joined at its top as a ``VALUES`` block, as Oxigraph's
    substitutions bind selected variables."""
    from kg.sparql.text import read_prologue

    end = read_prologue(text).end
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(_named(term) for term in bindings.values())
    return f"{text[:end]}SELECT * WHERE {{ {{ {text[end:]}\n}} VALUES ({names}) {{ ({terms}) }} }}"
