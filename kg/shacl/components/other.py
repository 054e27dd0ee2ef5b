"""Other constraint components (SHACL 4.8): sh:closed (with sh:ignoredProperties), sh:hasValue,
sh:in."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyoxigraph as ox

from kg.base.namespaces import SH
from kg.shacl.components.context import Check, Row, ShapeContext
from kg.shacl.shapes import Term, UnsupportedShapes, is_true


def checks(context: ShapeContext) -> Iterator[Check]:
    parameters, shape, show, graph = context.parameters, context.shape, context.show, context.graph
    if any(is_true(v) for v in parameters.get(SH + "closed", [])):
        yield _closed(context)
    for head in parameters.get(SH + "in", []):
        members = graph.items(head)
        if any(isinstance(m, ox.BlankNode) for m in members):
            raise UnsupportedShapes(f"shape {shape.node}: sh:in lists a blank node")
        describe = context.about_value(
            "Value ", f" is not in {', '.join(show(x) for x in members)}"
        )
        # (Virtuoso answers NOT EXISTS over VALUES wrongly)
        yield context.value_test(
            "InConstraintComponent",
            describe,
            fill={"in": " ".join(str(context.constant(m)) for m in members)},
            keep=_not_among(set(members)),
        )
    for value in parameters.get(SH + "hasValue", []):
        if isinstance(value, ox.BlankNode):
            raise UnsupportedShapes(f"shape {shape.node}: sh:hasValue is a blank node")
        # an OPTIONAL, not FILTER EXISTS: Oxigraph evaluates EXISTS again for each focus node
        # (1.5 s against 0.01 s for one sh:hasValue at 1M triples)
        term = str(context.constant(value))
        path = shape.path
        yield context.check(
            "HasValueConstraintComponent",
            context.about_focus(context.where, f" does not have the value {show(value)}"),
            fill={
                "HAS_VALUE_REACHED": f"OPTIONAL {{ ?this {path.sparql} {term} . "
                "BIND (true AS ?hasValue) }"
                if path
                else "",
                "HAS_VALUE_IS_FOCUS": f"sameTerm(?this, {term})"
                if path is None or path.nullable
                else "false",
            },
            reports_value=False,
        )


def _not_among(allowed: set[Term]) -> Callable[[Row], bool]:
    """Is a row's value none of the terms ``allowed`` (sh:in compares terms)?"""
    return lambda row: row["value"] not in allowed


def _closed(context: ShapeContext) -> Check:
    """sh:closed: a result for each triple of a focus node whose predicate is neither the path
    of one of the shape's property shapes nor an ignored property (SHACL 4.8.1)."""
    graph, node = context.graph, context.shape.node
    if context.shape.path is not None:
        raise UnsupportedShapes(f"property shape {node} has sh:closed")
    allowed = [
        path
        for property_shape in graph.objects(node, SH + "property")
        for path in graph.objects(property_shape, SH + "path")
        if isinstance(path, ox.NamedNode)
    ]
    for head in graph.objects(node, SH + "ignoredProperties"):
        allowed.extend(m for m in graph.items(head) if isinstance(m, ox.NamedNode))
    show = context.show
    return context.check(
        "ClosedConstraintComponent",
        lambda row: f"Predicate {show(row['path'])} is not allowed (closed shape)",
        # Oxigraph 0.5 answers `?path NOT IN ()` false: an empty list is written as `true`
        fill={
            "NOT_ALLOWED": f"?path NOT IN ({', '.join(str(p) for p in dict.fromkeys(allowed))})"
            if allowed
            else "true"
        },
        path_of=lambda row: row["path"],
    )
