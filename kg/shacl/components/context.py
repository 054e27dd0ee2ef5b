"""What every constraint component's compiler works with: the shape, its focus nodes as a SPARQL
pattern, how terms are written, and :class:`Check`, the query it compiles to."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.base.namespaces import RDF, RDFS, SH
from kg.shacl.shapes import Path as PropertyPath
from kg.shacl.shapes import Shape, ShapesGraph, Term, UnsupportedShapes
from kg.shacl.store_queries import Row

__all__ = [
    "Check",
    "Conformance",
    "Row",
    "ShapeContext",
    "instance_of_class",
    "iri",
    "is_value",
    "language_test",
    "optional_values",
    "sparql_string",
    "template",
    "values",
]

TEMPLATES = Path(__file__).resolve().parent.parent / "shacl_sparql"

#: Does a node conform to a shape (the shape's node, the node)? Known once nested shapes ran.
Conformance = Callable[[Term, Term], bool]


@cache
def template(name: str) -> str:
    """The text of ``kg/shacl/shacl_sparql/<name>.rq``."""
    return (TEMPLATES / f"{name}.rq").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Check:
    """One query to run and how its rows become results.

    Attributes:
        shape: the shape whose constraint this is (the results' source shape).
        component: the constraint component's local name (``MinCountConstraintComponent``).
        query: the SELECT query; each row binds ``?this`` and, for most components, ``?value``.
        describe: the engine's default message for a row.
        reports_value: whether a result names the row's ``?value``.
        component_of: for a query answering two components at once, which one a row breaks.
        keep: for a query returning candidates, whether a row is a result (decided in Python).
        nested: shapes whose conformance each row's ``?value`` needs before ``decide`` can run.
        decide: the result rows, from all rows and the conformance of the nested shapes.
        propagate: a property shape (``sh:property`` of a property shape): the results of
            validating each row's ``?value`` against it are this check's results.
        path_of: the result path of a row (``sh:closed``), instead of the shape's path.
    """

    shape: Shape
    component: str
    query: str
    describe: Callable[[Row], str]
    reports_value: bool = True
    component_of: Callable[[Row], str] | None = None
    keep: Callable[[Row], bool] | None = None
    nested: tuple[Term, ...] = ()
    decide: Callable[[list[Row], Conformance], list[Row]] | None = None
    propagate: Term | None = None
    path_of: Callable[[Row], Term] | None = None


def instance_of_class(node: str, cls: str) -> str:
    """A pattern matching when ``node`` (a variable or a term) is an instance of the class
    ``cls`` or of one of its subclasses (SHACL 2.1.3.2), as a property path."""
    return f"{node} <{RDF}type>/<{RDFS}subClassOf>* {cls}"


@dataclass(frozen=True)
class ShapeContext:
    """One shape being compiled.

    Attributes:
        graph: the shapes graph.
        shape: the shape.
        target: a group pattern binding ``?this`` to each focus node.
        show: how a term is written in default messages.
        constant: the store's term for a literal of the shapes (its surrogate, if it has one).
        oxigraph_filters: whether Oxigraph runs the queries (see the attribute).
        instance_of: how a query says a node is an instance of a class.
    """

    graph: ShapesGraph
    shape: Shape
    target: str
    show: Callable[[Term], str]
    constant: Callable[[Term], Term]
    #: the queries run on Oxigraph, whose comparisons and REGEX may pre-filter rows (where they
    #: agree with the specification); elsewhere (an endpoint) Python decides every row
    oxigraph_filters: bool = True
    #: a pattern matching when a node (variable or term) is an instance of a class (IRI in
    #: SPARQL syntax) or of its subclasses
    instance_of: Callable[[str, str], str] = instance_of_class

    @property
    def parameters(self) -> dict[str, list[Term]]:
        return self.shape.parameters

    @property
    def shown_path(self) -> str:
        return self.show(self.shape.path.node) if self.shape.path else ""

    @property
    def where(self) -> str:
        """``path of `` in front of a focus node in a message, for a property shape."""
        return f"{self.shown_path} of " if self.shape.path else ""

    def check(
        self,
        component: str,
        describe: Callable[[Row], str],
        *,
        template_name: str = "",
        fill: Mapping[str, str] | None = None,
        **how: object,
    ) -> Check:
        """The check of ``component``: its query (``kg/shacl/shacl_sparql/<component>.rq``, or
        ``template_name``) with the shape's placeholders and ``fill``'s ``$NAME`` filled; ``how``
        sets :class:`Check`'s other attributes."""
        path = self.shape.path
        query = (
            template(template_name or component)
            .replace("$TARGET", self.target)
            .replace("$VALUES", values(path))
            .replace("$OPTIONAL_VALUES", optional_values(path))
            .replace("$OTHER_VALUES", values(path, "other", "Other"))
            .replace("$IS_VALUE", is_value(path, "?value"))
            .replace("$PATH", path.sparql if path else "")
        )
        for name, text in (fill or {}).items():
            query = query.replace(f"${name}", text)
        return Check(self.shape, component, query, describe, **how)  # type: ignore[arg-type]

    def value_test(
        self,
        component: str,
        describe: Callable[[Row], str],
        *,
        fill: Mapping[str, str],
        keep: Callable[[Row], bool],
    ) -> Check:
        """The check of a test on each value node: on Oxigraph its query filters with ``fill``;
        elsewhere (an endpoint whose SPARQL functions answer wrongly, as Virtuoso's do for
        these tests) the value nodes are listed and Python's ``keep`` decides each row."""
        if self.oxigraph_filters:
            return self.check(component, describe, fill=fill)
        return self.check(component, describe, template_name="ValueNodes", keep=keep)

    def about_value(self, before: str, after: str) -> Callable[[Row], str]:
        """A default message naming the row's value between two fixed texts."""
        return lambda row: f"{before}{self.show(row['value'])}{after}"

    def about_focus(self, before: str, after: str) -> Callable[[Row], str]:
        """A default message naming the row's focus node between two fixed texts."""
        return lambda row: f"{before}{self.show(row['this'])}{after}"

    def single(self, name: str) -> Term:
        """The one value of the parameter ``sh:name``."""
        found = self.parameters[SH + name]
        if len(found) != 1:
            raise UnsupportedShapes(f"shape {self.shape.node} has {len(found)} values of sh:{name}")
        return found[0]

    def integer(self, name: str) -> int:
        """The one value of the parameter ``sh:name``, an integer."""
        value = self.single(name)
        if not isinstance(value, ox.Literal) or not re.fullmatch(r"[+-]?[0-9]+", value.value):
            raise UnsupportedShapes(f"shape {self.shape.node}: sh:{name} {value} is not an integer")
        return int(value.value)


def values(path: PropertyPath | None, variable: str = "value", tag: str = "") -> str:
    """A pattern that, placed after the pattern binding ``?this``, binds ``?variable`` to each
    value node of ``?this``. A path that can have length zero reaches the focus node itself even
    when no triple mentions it (a SPARQL path pattern with both ends unbound would not), so its
    values are the focus node and the nodes the path reaches, taken in one group (bottom-up
    evaluation would see ``?this`` unbound inside a nested group); ``tag`` keeps the helper
    variables of two such patterns apart."""
    if path is None:
        return f"BIND (?this AS ?{variable})"
    if not path.nullable:
        return f"?this {path.sparql} ?{variable} ."
    reached, zero = f"?reached{tag}", f"?zeroStep{tag}"
    return (
        f"OPTIONAL {{ ?this {path.sparql} {reached} }} VALUES {zero} {{ true false }} "
        f"BIND (IF({zero}, ?this, {reached}) AS ?{variable}) FILTER (BOUND(?{variable}))"
    )


def optional_values(path: PropertyPath | None) -> str:
    """As :func:`values`, but a focus node without values keeps one row, ``?value`` unbound."""
    if path is not None and not path.nullable:
        return f"OPTIONAL {{ ?this {path.sparql} ?value }}"
    return values(path)  # the focus node is a value node: every focus node has one


def is_value(path: PropertyPath | None, term: str) -> str:
    """A SPARQL expression: is ``term`` (a variable bound beside ``?this``, or a constant) a
    value node of ``?this``?"""
    if path is None:
        return f"sameTerm(?this, {term})"
    reached = f"EXISTS {{ ?this {path.sparql} {term} }}"
    return f"(sameTerm(?this, {term}) || {reached})" if path.nullable else reached


def iri(term: Term, parameter: str) -> str:
    """An IRI parameter in SPARQL syntax."""
    if not isinstance(term, ox.NamedNode):
        raise UnsupportedShapes(f"{parameter} {term} is not an IRI")
    return str(term)


def sparql_string(text: str) -> str:
    """A SPARQL string literal."""
    return (
        '"'
        + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        + '"'
    )


def language_test(tags: list[str]) -> str:
    """A SPARQL expression: does ``?value``'s language match one of the tags (sh:languageIn)?"""
    return (
        " || ".join(f"langMatches(lang(?value), {sparql_string(tag)})" for tag in tags) or "false"
    )
