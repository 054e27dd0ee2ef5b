"""RDF terms as plain Python values, for query results read from Python (``kg.query(...).rows``).

A literal of a datatype Python has a type for becomes that type: ``xsd:string`` -> ``str``,
``xsd:integer`` and the types derived from it -> ``int``, ``xsd:decimal`` -> ``Decimal``,
``xsd:double``/``xsd:float`` -> ``float``, ``xsd:boolean`` -> ``bool``, ``xsd:date`` ->
``datetime.date``, ``xsd:dateTime`` -> ``datetime.datetime``. The rest are ``str`` subclasses
that remember what they are: :class:`IRI`, :class:`BlankNode`, :class:`LangString` (with
``.language``) and :class:`TypedLiteral` (any other datatype, or a value that is not valid for
its datatype, with ``.datatype``). Values do not keep a literal's spelling (``"05"^^xsd:int``
is ``5``); the exact terms stay available as ``Results.terms``.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

import pyoxigraph as ox

from kg.base.namespaces import RDF, XSD

if TYPE_CHECKING:  # decimal is imported when a decimal is read (it costs `kg` a few ms)
    from decimal import Decimal

#: A value in a row of results: None for an unbound variable (IRI, BlankNode, LangString and
#: TypedLiteral are str).
Value: TypeAlias = "str | int | float | Decimal | bool | datetime.date | datetime.datetime | None"


class IRI(str):
    """An IRI, written in full (``IRI("https://w3id.org/supernode-kg/id/tencent")``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"IRI({str.__repr__(self)})"


class BlankNode(str):
    """A blank node, by the identifier the answer gave it (without ``_:``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"BlankNode({str.__repr__(self)})"


class LangString(str):
    """A language-tagged string: the text, and its language tag as ``.language``.

    Example:
        >>> name = LangString("腾讯", "zh")
        >>> name == "腾讯", name.language
        (True, 'zh')
    """

    __slots__ = ("language",)
    language: str

    def __new__(cls, text: str, language: str) -> LangString:
        value = super().__new__(cls, text)
        value.language = language
        return value

    def __repr__(self) -> str:
        return f"LangString({str.__repr__(self)}, {self.language!r})"

    def __reduce__(self) -> tuple[type[LangString], tuple[str, str]]:
        return (LangString, (str(self), self.language))


class TypedLiteral(str):
    """A literal Python has no type for (``xsd:gYear``, ``xsd:duration``, a custom datatype), or
    one whose text is not valid for its datatype: its text as written, and ``.datatype``."""

    __slots__ = ("datatype",)
    datatype: IRI

    def __new__(cls, text: str, datatype: str) -> TypedLiteral:
        value = super().__new__(cls, text)
        value.datatype = IRI(datatype)
        return value

    def __repr__(self) -> str:
        return f"TypedLiteral({str.__repr__(self)}, {str(self.datatype)!r})"

    def __reduce__(self) -> tuple[type[TypedLiteral], tuple[str, str]]:
        return (TypedLiteral, (str(self), str(self.datatype)))


_INTEGER_TYPES = {
    "integer",
    "int",
    "long",
    "short",
    "byte",
    "nonNegativeInteger",
    "positiveInteger",
    "negativeInteger",
    "nonPositiveInteger",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
}


_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_DOUBLE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?"
)


def _checked(pattern: re.Pattern[str], convert: Callable[[str], object]) -> Callable[[str], object]:
    """``convert`` for texts in XSD's lexical space only (Python also reads ``1_000``)."""

    def checked(text: str) -> object:
        if not pattern.fullmatch(text):
            raise ValueError(text)
        return convert(text)

    return checked


def _boolean(text: str) -> bool:
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError(text)


def _double(text: str) -> float:
    special = {"INF": math.inf, "+INF": math.inf, "-INF": -math.inf, "NaN": math.nan}
    if text in special:
        return special[text]
    if not _DOUBLE.fullmatch(text):
        raise ValueError(text)
    return float(text)


def _decimal(text: str) -> Decimal:
    from decimal import Decimal

    return Decimal(text)  # the pattern it is checked against admits only finite values


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _datetime(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


_CONVERTERS: dict[str, Callable[[str], object]] = {
    **{XSD + name: _checked(_INTEGER, int) for name in _INTEGER_TYPES},
    XSD + "decimal": _checked(_DECIMAL, _decimal),
    XSD + "double": _double,
    XSD + "float": _double,
    XSD + "boolean": _boolean,
    XSD + "date": _checked(_DATE, _date),
    XSD + "dateTime": _checked(_DATETIME, _datetime),
}


def python_value(term: object) -> Value:
    """The Python value of a pyoxigraph term (None stays None).

    Example:
        >>> python_value(ox.Literal("0.30", datatype=ox.NamedNode(XSD + "decimal")))
        Decimal('0.30')
        >>> python_value(ox.NamedNode("https://w3id.org/supernode-kg/id/tencent"))
        IRI('https://w3id.org/supernode-kg/id/tencent')
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.BlankNode):
        return BlankNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return LangString(term.value, term.language)
        datatype = term.datatype.value
        if datatype == XSD + "string":
            return term.value
        convert = _CONVERTERS.get(datatype)
        if convert is not None:
            try:
                return convert(term.value)  # type: ignore[return-value]
            except (ValueError, ArithmeticError):  # decimal's InvalidOperation is one
                pass  # ill-typed: keep the text, with its datatype
        if datatype == RDF + "langString":  # pragma: no cover - a language tag is always set
            return term.value
        return TypedLiteral(term.value, datatype)
    return str(term)  # an RDF 1.2 triple term, as its N-Triples text
