"""SHACL Core constraint components compiled to SPARQL queries, one module per section of the
specification (as pySHACL groups them):

========================  ==============================================================
module                    components
========================  ==============================================================
``value_type``            4.1 sh:class, sh:datatype, sh:nodeKind
``cardinality``           4.2 sh:minCount, sh:maxCount
``value_range``           4.3 sh:minExclusive, sh:minInclusive, sh:maxExclusive, sh:maxInclusive
``string_based``          4.4 sh:minLength, sh:maxLength, sh:pattern, sh:languageIn, sh:uniqueLang
``property_pair``         4.5 sh:equals, sh:disjoint, sh:lessThan, sh:lessThanOrEquals
``logical``               4.6 sh:not, sh:and, sh:or, sh:xone
``shape_based``           4.7 sh:node, sh:property, sh:qualifiedValueShape
``other``                 4.8 sh:closed, sh:hasValue, sh:in
``sparql_based``          5   sh:sparql
========================  ==============================================================

Each section's ``checks(context)`` yields the :class:`Check` of each constraint of one shape;
the queries are the files of ``kg/shacl/shacl_sparql/``.
"""

from __future__ import annotations

from collections.abc import Iterator

from kg.base.namespaces import SH
from kg.shacl.components import (
    cardinality,
    logical,
    other,
    property_pair,
    shape_based,
    string_based,
    value_range,
    value_type,
)
from kg.shacl.components.context import Check, ShapeContext
from kg.shacl.shapes import UnsupportedShapes

SECTIONS = (
    value_type,
    cardinality,
    value_range,
    string_based,
    property_pair,
    logical,
    shape_based,
    other,
)

#: Constraint components that apply to property shapes only (SHACL 4), by their mandatory
#: parameter (a qualified count without sh:qualifiedValueShape is no constraint).
_PROPERTY_ONLY = {
    SH + p
    for p in (
        "minCount",
        "maxCount",
        "uniqueLang",
        "lessThan",
        "lessThanOrEquals",
        "qualifiedValueShape",
    )
}


def checks(context: ShapeContext) -> Iterator[Check]:
    """The checks of every core constraint of the context's shape, in the specification's order."""
    if context.shape.path is None and _PROPERTY_ONLY & set(context.parameters):
        raise UnsupportedShapes(f"node shape {context.shape.node} uses a property-shape parameter")
    for section in SECTIONS:
        yield from section.checks(context)


__all__ = ["Check", "ShapeContext", "checks"]
