"""Small nested shapes compiled into one SPARQL expression about ``?value``.

Most shapes inside sh:or, sh:node or sh:qualifiedValueShape are tiny (``[ sh:class C ]``,
``[ sh:datatype D ]``, ``[ sh:path P ; sh:minCount 1 ]``): as an expression, the constraint
holding them is one query, with no second round of validation. Anything else raises
:class:`UnsupportedShapes`, and the component validates the nested shape itself on the value
nodes (:mod:`kg.shacl.fast_validation`).
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.base.namespaces import RDF, RDFS, SH
from kg.shacl.components.context import ShapeContext, iri, language_test
from kg.shacl.components.value_type import node_kind_test
from kg.shacl.shapes import (
    ShapesGraph,
    Term,
    UnsupportedShapes,
    is_true,
    path_nullable,
    path_sparql,
)
from kg.shacl.written_literals import written_datatype

#: Terms that change nothing about whether a node conforms.
_IGNORED = {
    RDF + "type",
    SH + "message",
    SH + "severity",
    SH + "name",
    SH + "description",
    RDFS + "label",
    RDFS + "comment",
    SH + "deactivated",
}


def conforms_expression(context: ShapeContext, nested: Term) -> str:
    """A SPARQL expression: does ?value conform to the (small) nested shape?

    Raises:
        UnsupportedShapes: the shape is more than the few parameters understood here (or, away
            from Oxigraph, uses sh:nodeKind, whose tests Virtuoso answers wrongly).
    """
    graph, instance_of = context.graph, context.instance_of
    if any(is_true(v) for v in graph.objects(nested, SH + "deactivated")):
        return "true"
    parts: list[str] = []
    parameters = graph.predicates(nested) - _IGNORED
    for predicate in sorted(parameters):
        values = graph.objects(nested, predicate)
        if predicate == SH + "class":
            parts.extend(
                f"EXISTS {{ {instance_of('?value', iri(c, 'sh:class'))} }}" for c in values
            )
        elif predicate == SH + "datatype":
            parts.extend(
                f"(isLiteral(?value) && (sameTerm(datatype(?value), {iri(d, 'sh:datatype')})"
                f" || sameTerm(datatype(?value), <{written_datatype(d.value)}>)))"
                for d in values
            )
        elif predicate == SH + "nodeKind":
            if not context.oxigraph_filters:
                raise UnsupportedShapes(f"nested shape {nested}: sh:nodeKind away from Oxigraph")
            parts.extend(node_kind_test(kind, nested) for kind in values)
        elif predicate == SH + "languageIn":
            for head in values:
                tags = [t.value for t in graph.items(head) if isinstance(t, ox.Literal)]
                parts.append(f"(isLiteral(?value) && ({language_test(tags)}))")
        elif predicate == SH + "path":
            minimum = graph.objects(nested, SH + "minCount")
            if (
                parameters - {SH + "path", SH + "minCount"}
                or len(minimum) != 1
                or getattr(minimum[0], "value", "") != "1"
            ):
                raise UnsupportedShapes(
                    f"nested shape {nested}: only [sh:path P; sh:minCount 1] is one expression"
                )
            if not path_nullable(graph, values[0]):  # else ?value is its own value: always one
                parts.append(f"EXISTS {{ ?value {path_sparql(graph, values[0])} ?nestedValue }}")
        elif predicate == SH + "minCount" and SH + "path" in parameters:
            continue
        else:
            raise UnsupportedShapes(f"nested shape {nested}: {predicate} is not one expression")
    return " && ".join(parts) or "true"


def only_classes(graph: ShapesGraph, members: list[Term]) -> list[str]:
    """The classes, when every member of an sh:or is exactly ``[ sh:class C ]``; else []."""
    classes = []
    for member in members:
        predicates = graph.predicates(member) - {RDF + "type"}
        values = graph.objects(member, SH + "class")
        if (
            predicates != {SH + "class"}
            or len(values) != 1
            or not isinstance(values[0], ox.NamedNode)
        ):
            return []
        classes.append(str(values[0]))
    return classes


def expressions(context: ShapeContext, members: list[Term]) -> list[str] | None:
    """Each member's :func:`conforms_expression`, or None when one of them is not one."""
    try:
        return [conforms_expression(context, member) for member in members]
    except UnsupportedShapes:
        return None
