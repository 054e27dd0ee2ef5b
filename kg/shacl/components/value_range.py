"""Value range constraint components (SHACL 4.3): sh:minExclusive, sh:minInclusive,
sh:maxExclusive, sh:maxInclusive.

The query returns every value the store is not sure is in range; Python decides each one by
SPARQL 1.1's comparison of the written literals (:mod:`kg.shacl.comparison`): values that cannot
be compared with the bound are results too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyoxigraph as ox

from kg.base.namespaces import SH
from kg.shacl.comparison import holds, trusted_bound_filter
from kg.shacl.components.context import Check, Row, ShapeContext
from kg.shacl.shapes import Term

#: Each value-range parameter and the operator a value must satisfy against its bound.
OPERATORS = {
    "minExclusive": ">",
    "minInclusive": ">=",
    "maxExclusive": "<",
    "maxInclusive": "<=",
}


def checks(context: ShapeContext) -> Iterator[Check]:
    for name, operator in OPERATORS.items():
        for bound in context.parameters.get(SH + name, []):
            exact = (
                trusted_bound_filter(bound, _kept_as_written(bound))
                if isinstance(bound, ox.Literal) and context.oxigraph_filters
                else "false"
            )
            yield context.check(
                name[0].upper() + name[1:] + "ConstraintComponent",
                context.about_value("Value ", f" is not {operator} {context.show(bound)}"),
                fill={name: str(bound), "STORE_EXACT": exact},
                keep=_out_of_range(operator, bound),
            )


def _kept_as_written(literal: ox.Literal) -> bool:
    """Does the store keep this literal as written (then it reads it exactly, or not at all)?"""
    from kg.rdf.literal_fidelity import store_rewrites

    return not store_rewrites([literal])


def _out_of_range(operator: str, bound: Term) -> Callable[[Row], bool]:
    """Is a row's value a result: not ``value operator bound``, or the two not comparable?"""
    return lambda row: not holds(operator, row["value"], bound)
