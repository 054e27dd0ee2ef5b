"""SPARQL's ordering operators as :mod:`kg.shacl.comparison` decides them, and the XSD values
they read (:mod:`kg.shacl.xsd_values`)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.shacl.comparison import holds, trusted_bound_filter, trusted_pair_filter
from kg.shacl.xsd_values import XSD, is_ill_typed, value_of


def lit(lexical: str, datatype: str = "string") -> ox.Literal:
    return ox.Literal(lexical, datatype=ox.NamedNode(XSD + datatype))


@pytest.mark.parametrize(
    ("left", "op", "right", "expected"),
    [
        # integers have no bound; derived integer types are numbers
        (lit("12345678901234567890", "integer"), ">", lit("9223372036854775807", "long"), True),
        (lit("-1", "byte"), "<", lit("0", "unsignedByte"), True),
        # decimals are exact, beyond 18 fraction digits
        (lit("0.0000000000000000001", "decimal"), ">", lit("0", "integer"), True),
        # promotion to double: 0.1 as a double is not the decimal 0.1, but it is after promotion
        (lit("0.1", "decimal"), "<=", lit("0.1", "double"), True),
        (lit("0.1", "decimal"), ">=", lit("0.1", "double"), True),
        # xsd:float is 32 bits: 0.1f is above the double 0.1
        (lit("0.1", "float"), ">", lit("0.1", "double"), True),
        (lit("0.1", "float"), "<=", lit("0.1", "float"), True),
        (lit("INF", "double"), ">", lit("1E308", "double"), True),
        (lit("NaN", "double"), "<=", lit("NaN", "double"), False),
        (lit("NaN", "float"), ">=", lit("0", "integer"), False),
        (lit("false", "boolean"), "<", lit("1", "boolean"), True),
        (lit("0", "boolean"), ">=", lit("false", "boolean"), True),
        (lit("a"), "<", lit("b"), True),
        (lit("Z"), "<", lit("a"), True),  # code points
        (ox.Literal("a", language="en"), "<", ox.Literal("b", language="en"), False),
        (lit("1", "integer"), "<", lit("2"), False),  # a number and a string
        (ox.NamedNode("http://example.org/a"), "<", ox.NamedNode("http://example.org/b"), False),
        (ox.BlankNode("b"), "<=", ox.BlankNode("b"), False),
        (lit("abc", "integer"), "<", lit("5", "integer"), False),  # ill-typed
        (lit("256", "unsignedByte"), ">", lit("5", "integer"), False),  # out of its range
        (lit("1", "gYear"), "<", lit("2", "gYear"), False),  # not ordered
    ],
)
def test_holds(left: object, op: str, right: object, expected: bool) -> None:
    assert holds(op, left, right) is expected


@pytest.mark.parametrize(
    ("left", "op", "right", "expected"),
    [
        ("2025-01-01T00:00:00Z", "<=", "2025-01-01T00:00:00+00:00", True),
        ("2025-01-01T00:00:00Z", ">=", "2025-01-01T00:00:00+00:00", True),
        ("2025-01-01T00:00:00Z", "<", "2025-01-01T01:00:00+00:30", True),
        ("2025-01-01T00:00:00+01:00", "<", "2025-01-01T00:00:00Z", True),
        ("2025-01-01T24:00:00", ">=", "2025-01-02T00:00:00", True),
        # one without a timezone: it may be anywhere from -14:00 to +14:00
        ("2025-01-01T00:00:00", "<", "2025-01-01T00:00:00Z", False),
        ("2025-01-01T00:00:00", ">=", "2025-01-01T00:00:00Z", False),
        ("2025-01-01T00:00:00", "<", "2025-01-01T14:00:01Z", True),
        ("2025-01-01T00:00:00", ">", "2024-12-31T09:59:59Z", True),
        ("-0044-03-15T12:00:00Z", "<", "0001-01-01T00:00:00Z", True),
        ("10000-01-01T00:00:00Z", ">", "9999-12-31T23:59:59.999Z", True),
    ],
)
def test_date_times_compare_as_instants(left: str, op: str, right: str, expected: bool) -> None:
    assert holds(op, lit(left, "dateTime"), lit(right, "dateTime")) is expected


def test_dates_times_and_durations_compare_within_their_kind() -> None:
    assert holds("<", lit("2024-02-29", "date"), lit("2024-03-01", "date"))
    assert holds("<", lit("23:00:00-01:00", "time"), lit("01:00:00Z", "time")) is False
    assert holds("<", lit("P1D", "dayTimeDuration"), lit("PT25H", "dayTimeDuration"))
    assert holds(">", lit("P1Y", "yearMonthDuration"), lit("P11M", "yearMonthDuration"))
    assert holds("<", lit("2024-02-29", "date"), lit("2024-03-01T00:00:00Z", "dateTime")) is False
    assert holds("<", lit("P1D", "duration"), lit("P2D", "duration")) is False


def test_dateTimeStamp_needs_a_timezone_and_compares_with_dateTime() -> None:
    assert value_of("2025-01-01T00:00:00", XSD + "dateTimeStamp") is None
    assert holds(
        "<", lit("2025-01-01T00:00:00Z", "dateTimeStamp"), lit("2025-01-01T00:00:01Z", "dateTime")
    )


@pytest.mark.parametrize(
    ("lexical", "datatype", "ill_typed"),
    [
        ("01", "integer", False),
        (" 1", "integer", True),
        ("1.", "decimal", False),
        ("1e3", "decimal", True),
        ("-INF", "float", False),
        ("inf", "double", True),
        ("yes", "boolean", True),
        ("2025-02-29", "date", True),
        ("2024-02-29", "date", False),
        ("2025-13-01T00:00:00", "dateTime", True),
        ("PT", "duration", True),
        ("P1Y", "dayTimeDuration", True),
        ("P1D", "yearMonthDuration", True),
        ("--02-29", "gMonthDay", False),
        ("en-GB", "language", False),
        ("x", "hexBinary", None),  # not read here
    ],
)
def test_ill_typed(lexical: str, datatype: str, ill_typed: bool | None) -> None:
    assert is_ill_typed(lexical, XSD + datatype) is ill_typed


def test_the_store_is_trusted_only_where_it_compares_exactly() -> None:
    assert trusted_bound_filter(lit("0", "integer"), faithful=True) != "false"
    assert trusted_bound_filter(lit("0", "integer"), faithful=False) == "false"
    assert trusted_bound_filter(lit("true", "boolean"), faithful=True) == "false"
    assert trusted_bound_filter(lit("NaN", "double"), faithful=True) == "false"
    assert trusted_bound_filter(lit("2025-01-01T00:00:00", "dateTime"), faithful=True) == "false"
    assert "TZ(?value)" in trusted_bound_filter(lit("2025-01-01T00:00:00Z", "dateTime"), True)
    assert "?value = ?value" in trusted_bound_filter(lit("1.5E2", "double"), True)
    assert "?other = ?other" in trusted_pair_filter()
