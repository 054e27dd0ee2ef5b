"""Property pair constraint components (SHACL 4.5): sh:equals, sh:disjoint, sh:lessThan,
sh:lessThanOrEquals.

The comparisons return every pair the store is not sure about; Python decides each one by
SPARQL 1.1's comparison of the written literals (:mod:`kg.shacl.comparison`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from kg.base.namespaces import SH
from kg.shacl.comparison import holds, trusted_pair_filter
from kg.shacl.components.context import Check, Row, ShapeContext, iri

#: Each parameter and how a default message says what a value breaks.
_WORDS = {
    "equals": "is not also a value of",
    "disjoint": "is also a value of",
    "lessThan": "is not less than the values of",
    "lessThanOrEquals": "is not less than or equal to the values of",
}
#: Each comparison and the operator a value must satisfy against the other's.
_OPERATORS = {"lessThan": "<", "lessThanOrEquals": "<="}


def checks(context: ShapeContext) -> Iterator[Check]:
    for name, words in _WORDS.items():
        for other in context.parameters.get(SH + name, []):
            operator = _OPERATORS.get(name)
            yield context.check(
                name[0].upper() + name[1:] + "ConstraintComponent",
                context.about_value("Value ", f" {words} {context.show(other)}"),
                fill={
                    name: iri(other, f"sh:{name}"),
                    "PAIR_STORE_EXACT": trusted_pair_filter()
                    if context.oxigraph_filters
                    else "false",
                },
                keep=_not_ordered(operator) if operator else None,
            )


def _not_ordered(operator: str) -> Callable[[Row], bool]:
    """Is a row a result: not ``value operator other``, or the two not comparable?"""
    return lambda row: not holds(operator, row["value"], row["other"])
