"""Value type constraint components (SHACL 4.1): sh:class, sh:datatype, sh:nodeKind."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from kg.base.namespaces import SH
from kg.shacl.components.context import Check, ShapeContext, iri
from kg.shacl.shapes import NODE_KINDS, UnsupportedShapes
from kg.shacl.written_literals import written_datatype

#: Each node kind as a SPARQL test of ``?value``.
NODE_KIND_TESTS = {
    SH + "IRI": "isIRI(?value)",
    SH + "BlankNode": "isBlank(?value)",
    SH + "Literal": "isLiteral(?value)",
    SH + "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
    SH + "BlankNodeOrLiteral": "(isBlank(?value) || isLiteral(?value))",
    SH + "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))",
}


def checks(context: ShapeContext) -> Iterator[Check]:
    show = context.show
    for datatype in context.parameters.get(SH + "datatype", []):
        yield context.check(
            "DatatypeConstraintComponent",
            context.about_value("Value ", f" is not a literal with datatype {show(datatype)}"),
            fill={
                "datatype": iri(datatype, "sh:datatype"),
                "writtenDatatype": f"<{written_datatype(datatype.value)}>",
            },
        )
    for cls in context.parameters.get(SH + "class", []):
        yield context.check(
            "ClassConstraintComponent",
            context.about_value("Value ", f" does not have class {show(cls)}"),
            fill={"class": iri(cls, "sh:class")},
        )
    for kind in context.parameters.get(SH + "nodeKind", []):
        yield context.check(
            "NodeKindConstraintComponent",
            context.about_value("Value ", f" is not of node kind {show(kind)}"),
            fill={"NODEKIND": node_kind_test(kind, context.shape.node)},
        )


def node_kind_test(kind: object, shape: object) -> str:
    """The SPARQL test of an sh:nodeKind value."""
    if not isinstance(kind, ox.NamedNode) or kind.value not in NODE_KINDS:
        raise UnsupportedShapes(f"shape {shape}: unknown sh:nodeKind {kind}")
    return NODE_KIND_TESTS[kind.value]
