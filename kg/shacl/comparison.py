"""SPARQL 1.1's ordering operators (<, <=, >, >=) on RDF terms, decided exactly in Python.

SHACL's value ranges (sh:minInclusive and its kin, 4.3) and property pairs (sh:lessThan,
sh:lessThanOrEquals, 4.5) compare with SPARQL's operators, and a pair that cannot be compared is
a result. The store's own operators are not exact for this (its xsd:integer is 64 bits, it does
not order booleans, it orders IRIs), so the fast engine lets the store answer only the pairs it
answers exactly (see :func:`trusted_pair_filter`) and decides every other candidate here.

What is comparable (SPARQL 1.1, 17.3, with XPath's type promotion and subtype substitution, and
the XPath orderings of dates, times and the two ordered durations):

* numbers with numbers (integers of any size and every type derived from xsd:integer, decimals
  exactly, xsd:float at 32 bits, xsd:double); NaN compares with nothing, itself included;
* xsd:boolean with xsd:boolean (false < true); xsd:string with xsd:string (by code point);
* xsd:dateTime (and xsd:dateTimeStamp) with xsd:dateTime, xsd:date with xsd:date, xsd:time with
  xsd:time: as instants when both or neither give a timezone; when only one does, XSD's partial
  order applies: the other stands for any timezone from -14:00 to +14:00, and the comparison holds
  only if it holds for every one of them;
* xsd:dayTimeDuration with itself, xsd:yearMonthDuration with itself.

Anything else (IRIs, blank nodes, language-tagged strings, ill-typed literals, other datatypes,
two kinds) is not comparable: every operator is false.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from kg.base.namespaces import XSD
from kg.shacl.xsd_values import (
    DOUBLE_RANK,
    FLOAT_RANK,
    MAX_ZONE_SECONDS,
    XsdValue,
    to_double,
    to_float32,
    value_of,
)

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_MOMENTS = frozenset({"dateTime", "date", "time"})


def literal_value(term: object) -> XsdValue | None:
    """The value of a literal SPARQL orders, or None (not a literal, or not ordered)."""
    if not isinstance(term, ox.Literal) or term.language:
        return None
    return value_of(term.value, term.datatype.value)


def holds(op: str, left: object, right: object) -> bool:
    """Whether ``left op right`` is true by SPARQL's operator; False when it is false, and when
    the two terms cannot be compared.

    Example:
        >>> big = ox.Literal("12345678901234567890", datatype=ox.NamedNode(XSD + "integer"))
        >>> holds(">", big, ox.Literal("0", datatype=ox.NamedNode(XSD + "integer")))
        True
        >>> holds("<=", ox.NamedNode("http://example.org/o"), ox.NamedNode("http://example.org/o"))
        False
    """
    a, b = literal_value(left), literal_value(right)
    if a is None or b is None or a.kind != b.kind:
        return False
    compare = OPERATORS[op]
    if a.kind == "numeric":
        x, y = _promoted(a, b)
        return not (_is_nan(x) or _is_nan(y)) and compare(x, y)
    if a.kind in _MOMENTS and a.zoned != b.zoned:
        return _holds_for_every_zone(compare, a, b)
    return compare(a.value, b.value)


def _promoted(a: XsdValue, b: XsdValue) -> tuple[object, object]:
    """Two numbers in the type both promote to (XPath: integer, decimal, float, double)."""
    rank = max(a.rank, b.rank)
    x, y = a.value, b.value
    assert isinstance(x, int | Decimal | float) and isinstance(y, int | Decimal | float)
    if rank == DOUBLE_RANK:
        return to_double(x), to_double(y)
    if rank == FLOAT_RANK:
        return to_float32(x), to_float32(y)
    return x, y  # int and Decimal compare exactly


def _is_nan(number: object) -> bool:
    return isinstance(number, float) and math.isnan(number)


def _holds_for_every_zone(compare: Callable[[Any, Any], bool], a: XsdValue, b: XsdValue) -> bool:
    """One value has a timezone and the other none: the comparison must hold whatever timezone
    (-14:00 to +14:00) the other has; both extremes suffice, the operators being monotonic."""
    x, y = a.value, b.value
    assert isinstance(x, Decimal) and isinstance(y, Decimal)
    if a.zoned:
        return compare(x, y - MAX_ZONE_SECONDS) and compare(x, y + MAX_ZONE_SECONDS)
    return compare(x - MAX_ZONE_SECONDS, y) and compare(x + MAX_ZONE_SECONDS, y)


#: Datatypes of a bound, and the datatypes of values the store compares with it exactly.
_TRUSTED_FAMILIES: dict[str, tuple[str, ...]] = {
    XSD + "integer": (XSD + "integer", XSD + "decimal"),
    XSD + "decimal": (XSD + "integer", XSD + "decimal"),
    XSD + "double": (XSD + "double",),
    XSD + "float": (XSD + "float",),
    XSD + "string": (XSD + "string",),
    XSD + "dateTime": (XSD + "dateTime",),
}


def trusted_bound_filter(bound: ox.Literal, faithful: bool) -> str:
    """A SPARQL expression on ``?value``: true only where the store's comparison of ``?value``
    with ``bound`` is exact, so that a row it finds in range can be dropped unseen.

    The store is exact for values it holds as written and can read (its integers are 64 bits,
    its decimals 18 fraction digits: other values fail to compare, and those rows come to
    :func:`holds`) within one family: integers and decimals together, doubles, floats, strings,
    dateTimes that give a timezone. ``faithful`` says the store keeps ``bound`` as written
    (:mod:`kg.rdf.literal_fidelity`); otherwise, or for any other datatype, ``false``: Python
    decides every value.
    """
    family = _TRUSTED_FAMILIES.get(bound.datatype.value)
    value = literal_value(bound)
    if not faithful or bound.language or family is None or value is None or _is_nan(value.value):
        return "false"
    test = _in_family("?value", family)
    if bound.datatype.value in _FLOATING:
        test += " && ?value = ?value"  # not NaN: the store finds NaN <= NaN
    if bound.datatype.value == XSD + "dateTime":
        if not value.zoned:
            return "false"
        test += ' && TZ(?value) != ""'
    return f"({test})"


def trusted_pair_filter() -> str:
    """A SPARQL expression on ``?value`` and ``?other``: true only where the store compares the
    two exactly (both in one family of :func:`trusted_bound_filter`)."""
    numbers = (XSD + "integer", XSD + "decimal")
    families = [
        f"({_in_family('?value', numbers)} && {_in_family('?other', numbers)})",
        *(
            f"({_in_family('?value', (XSD + name,))} && {_in_family('?other', (XSD + name,))}"
            " && ?value = ?value && ?other = ?other)"  # not NaN: the store finds NaN <= NaN
            for name in ("double", "float")
        ),
        f"({_in_family('?value', (XSD + 'string',))} && {_in_family('?other', (XSD + 'string',))})",
        f"({_in_family('?value', (XSD + 'dateTime',))} && {_in_family('?other', (XSD + 'dateTime',))}"
        ' && TZ(?value) != "" && TZ(?other) != "")',
    ]
    return "(isLiteral(?value) && isLiteral(?other) && (" + " || ".join(families) + "))"


_FLOATING = frozenset({XSD + "double", XSD + "float"})


def _in_family(variable: str, datatypes: tuple[str, ...]) -> str:
    tests = " || ".join(f"sameTerm(datatype({variable}), <{d}>)" for d in datatypes)
    return f"isLiteral({variable}) && ({tests})"
