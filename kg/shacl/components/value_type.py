"""Value type constraint components (SHACL 4.1): sh:class, sh:datatype, sh:nodeKind."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyoxigraph as ox

from kg.base.namespaces import SH
from kg.shacl.components.context import Check, Row, ShapeContext, iri
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
        describe = context.about_value(
            "Value ", f" is not a literal with datatype {show(datatype)}"
        )
        # (Virtuoso gives a language-tagged literal xsd:string as its datatype; Python's test
        # also catches ill-typed literals)
        yield context.value_test(
            "DatatypeConstraintComponent",
            describe,
            fill={
                "datatype": iri(datatype, "sh:datatype"),
                "writtenDatatype": f"<{written_datatype(datatype.value)}>",
            },
            keep=_not_of_datatype(iri(datatype, "sh:datatype")[1:-1]),
        )
    for cls in context.parameters.get(SH + "class", []):
        yield context.check(
            "ClassConstraintComponent",
            context.about_value("Value ", f" does not have class {show(cls)}"),
            fill={"INSTANCE_OF_CLASS": context.instance_of("?value", iri(cls, "sh:class"))},
        )
    for kind in context.parameters.get(SH + "nodeKind", []):
        describe = context.about_value("Value ", f" is not of node kind {show(kind)}")
        test = node_kind_test(kind, context.shape.node)
        # (Virtuoso's isIRI() is true of its blank nodes)
        yield context.value_test(
            "NodeKindConstraintComponent",
            describe,
            fill={"NODEKIND": test},
            keep=_not_of_kind(kind.value),
        )


def node_kind_test(kind: object, shape: object) -> str:
    """The SPARQL test of an sh:nodeKind value."""
    if not isinstance(kind, ox.NamedNode) or kind.value not in NODE_KINDS:
        raise UnsupportedShapes(f"shape {shape}: unknown sh:nodeKind {kind}")
    return NODE_KIND_TESTS[kind.value]


#: Each node kind and the pyoxigraph term types it admits.
_KINDS: dict[str, tuple[type, ...]] = {
    SH + "IRI": (ox.NamedNode,),
    SH + "BlankNode": (ox.BlankNode,),
    SH + "Literal": (ox.Literal,),
    SH + "BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode),
    SH + "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
    SH + "IRIOrLiteral": (ox.NamedNode, ox.Literal),
}


def _not_of_kind(kind: str) -> Callable[[Row], bool]:
    """Is a row's value not of the node kind (decided on the term the endpoint returned)?"""
    admitted = _KINDS[kind]
    return lambda row: not isinstance(row["value"], admitted)


def _not_of_datatype(datatype: str) -> Callable[[Row], bool]:
    """Is a row's value not a well-typed literal of the datatype (SHACL 4.1.2)?"""
    from kg.shacl.written_literals import ill_typed

    def broken(row: Row) -> bool:
        value = row["value"]
        return (
            not isinstance(value, ox.Literal)
            or value.datatype.value != datatype
            or ill_typed(value)
        )

    return broken
