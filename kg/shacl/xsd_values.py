"""XSD literals as SPARQL 1.1 reads them: is a lexical form in its datatype's lexical space, and
what value does it denote.

:func:`value_of` maps a literal (lexical form, datatype IRI) to an :class:`XsdValue` for the
datatypes SPARQL's comparison operators order (XPath's ``op:numeric-less-than``,
``op:boolean-less-than``, ``op:dateTime-less-than`` and their kin): the numeric types (xsd:integer
and the types derived from it, xsd:decimal, xsd:float, xsd:double), xsd:boolean, xsd:string,
xsd:dateTime (and xsd:dateTimeStamp), xsd:date, xsd:time, xsd:dayTimeDuration and
xsd:yearMonthDuration. Values are exact: Python ``int`` (no 64-bit bound), ``decimal.Decimal``,
``float`` (xsd:float rounded to 32 bits), seconds as ``Decimal``.

:func:`is_ill_typed` says whether a literal of an XSD datatype is outside its lexical space
(SHACL's sh:datatype: an ill-typed literal does not have its datatype). Lexical spaces are those
of XSD 1.1 Part 2, written without surrounding whitespace.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kg.base.namespaces import XSD

#: xsd:integer and the types derived from it, with their (inclusive) bounds; None is unbounded.
INTEGER_TYPES: dict[str, tuple[int | None, int | None]] = {
    XSD + name: bounds
    for name, bounds in {
        "integer": (None, None),
        "nonPositiveInteger": (None, 0),
        "negativeInteger": (None, -1),
        "long": (-(2**63), 2**63 - 1),
        "int": (-(2**31), 2**31 - 1),
        "short": (-(2**15), 2**15 - 1),
        "byte": (-(2**7), 2**7 - 1),
        "nonNegativeInteger": (0, None),
        "unsignedLong": (0, 2**64 - 1),
        "unsignedInt": (0, 2**32 - 1),
        "unsignedShort": (0, 2**16 - 1),
        "unsignedByte": (0, 2**8 - 1),
        "positiveInteger": (1, None),
    }.items()
}

#: Numeric promotion ranks (XPath type promotion: integer < decimal < float < double).
INTEGER_RANK, DECIMAL_RANK, FLOAT_RANK, DOUBLE_RANK = 0, 1, 2, 3

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_FLOATING = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[Ee][+-]?[0-9]+)?|[+-]?INF|NaN")
_BOOLEAN = {"true": True, "1": True, "false": False, "0": False}

_YEAR = r"(?P<year>-?(?:[1-9][0-9]{3,}|0[0-9]{3}))"
_MONTH = r"(?P<month>0[1-9]|1[0-2])"
_DAY = r"(?P<day>0[1-9]|[12][0-9]|3[01])"
_TIME = (
    r"(?:(?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9]):(?P<second>[0-5][0-9](?:\.[0-9]+)?)"
    r"|(?P<midnight>24:00:00(?:\.0+)?))"
)
_ZONE = r"(?P<zone>Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_DATE_TIME = re.compile(f"{_YEAR}-{_MONTH}-{_DAY}T{_TIME}{_ZONE}?")
_DATE = re.compile(f"{_YEAR}-{_MONTH}-{_DAY}{_ZONE}?")
_TIME_ONLY = re.compile(f"{_TIME}{_ZONE}?")
_G_TYPES = {
    XSD + "gYear": re.compile(f"{_YEAR}{_ZONE}?"),
    XSD + "gYearMonth": re.compile(f"{_YEAR}-{_MONTH}{_ZONE}?"),
    XSD + "gMonth": re.compile(f"--{_MONTH}{_ZONE}?"),
    XSD + "gDay": re.compile(f"---{_DAY}{_ZONE}?"),
    XSD + "gMonthDay": re.compile(f"--{_MONTH}-{_DAY}{_ZONE}?"),
}
#: Types derived from xsd:string, by their lexical spaces (RFC 3066 style tags for xsd:language).
_STRING_TYPES = {
    XSD + "normalizedString": re.compile(r"[^\t\n\r]*"),
    XSD + "token": re.compile(r"(?:[^\t\n\r ]+(?: [^\t\n\r ]+)*)?"),
    XSD + "language": re.compile(r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*"),
}
_DURATION = re.compile(
    r"(?P<sign>-?)P(?:(?P<years>[0-9]+)Y)?(?:(?P<months>[0-9]+)M)?(?:(?P<days>[0-9]+)D)?"
    r"(?P<time>T(?:(?P<hours>[0-9]+)H)?(?:(?P<minutes>[0-9]+)M)?(?:(?P<seconds>[0-9]+(?:\.[0-9]+)?)S)?)?"
)

#: How far a dateTime without a timezone may lie from UTC (XSD 1.1 Part 2, D.2.1 and 3.3.7.3).
MAX_ZONE_SECONDS = 14 * 3600


@dataclass(frozen=True)
class XsdValue:
    """The value of a literal, in a kind SPARQL orders.

    Attributes:
        kind: what the value is compared with: ``numeric``, ``boolean``, ``string``,
            ``dateTime``, ``date``, ``time``, ``dayTimeDuration`` or ``yearMonthDuration``;
            values of two kinds are never comparable.
        value: ``int``, ``Decimal``, ``float``, ``bool`` or ``str``; for dateTime, date and time
            the seconds since 1970-01-01T00:00:00 (at UTC when ``zoned``, else as written).
        rank: for numbers, the promotion rank (integer, decimal, float, double).
        zoned: for dateTime, date and time: whether the literal gives a timezone.
    """

    kind: str
    value: int | Decimal | float | bool | str
    rank: int = 0
    zoned: bool = False


def value_of(lexical: str, datatype: str) -> XsdValue | None:
    """The value a literal denotes, or None when SPARQL does not order its datatype or the
    literal is ill-typed.

    Example:
        >>> value_of("12345678901234567890", XSD + "integer").value
        12345678901234567890
        >>> value_of("1.5E2", XSD + "double").value
        150.0
        >>> value_of("abc", XSD + "integer") is None
        True
    """
    if datatype in INTEGER_TYPES:
        number = _integer(lexical, datatype)
        return None if number is None else XsdValue("numeric", number, INTEGER_RANK)
    reader = _READERS.get(datatype)
    return reader(lexical) if reader is not None else None


def is_ill_typed(lexical: str, datatype: str) -> bool | None:
    """Whether a literal is outside its datatype's lexical space; None for a datatype this module
    does not know (every datatype outside the XSD namespace, and the rarer XSD ones).

    Example:
        >>> is_ill_typed("abc", XSD + "integer"), is_ill_typed("-5", XSD + "nonNegativeInteger")
        (True, True)
        >>> is_ill_typed("2025-02-29", XSD + "date"), is_ill_typed("x", XSD + "string")
        (True, False)
    """
    if datatype in INTEGER_TYPES:
        return _integer(lexical, datatype) is None
    if datatype in _READERS:
        return _READERS[datatype](lexical) is None
    if datatype in _G_TYPES:
        match = _G_TYPES[datatype].fullmatch(lexical)
        return match is None or not _day_exists(match)
    if datatype == XSD + "duration":
        return _duration_parts(lexical) is None
    if datatype in _STRING_TYPES:
        return _STRING_TYPES[datatype].fullmatch(lexical) is None
    return None


def _integer(lexical: str, datatype: str) -> int | None:
    if not _INTEGER.fullmatch(lexical):
        return None
    number = int(lexical)
    low, high = INTEGER_TYPES[datatype]
    if (low is not None and number < low) or (high is not None and number > high):
        return None
    return number


def _decimal(lexical: str) -> XsdValue | None:
    if not _DECIMAL.fullmatch(lexical):
        return None
    return XsdValue("numeric", Decimal(lexical), DECIMAL_RANK)


def _double(lexical: str) -> XsdValue | None:
    if not _FLOATING.fullmatch(lexical):
        return None
    return XsdValue("numeric", float(lexical), DOUBLE_RANK)


def _float(lexical: str) -> XsdValue | None:
    if not _FLOATING.fullmatch(lexical):
        return None
    if lexical.endswith(("INF", "NaN")):
        return XsdValue("numeric", float(lexical), FLOAT_RANK)
    return XsdValue("numeric", nearest_float32(Fraction(Decimal(lexical))), FLOAT_RANK)


def _boolean(lexical: str) -> XsdValue | None:
    value = _BOOLEAN.get(lexical)
    return None if value is None else XsdValue("boolean", value)


def _string(lexical: str) -> XsdValue | None:
    return XsdValue("string", lexical)


_Reader = Callable[[str], XsdValue | None]


def _moment(kind: str, pattern: re.Pattern[str], zone_required: bool = False) -> _Reader:
    """A reader of dateTime-like literals: seconds since the epoch, at UTC when zoned."""

    def read(lexical: str) -> XsdValue | None:
        match = pattern.fullmatch(lexical)
        if match is None or not _day_exists(match):
            return None
        zone = match.group("zone")
        if zone_required and zone is None:
            return None
        groups = match.groupdict()
        year, month, day = (
            (int(match.group("year")), int(match.group("month")), int(match.group("day")))
            if "year" in groups
            else (1972, 12, 31)  # XPath's reference date for xs:time (F&O 3.1, 10.4.12)
        )
        seconds = Decimal(_days_from_civil(year, month, day) * 86400)
        if groups.get("midnight"):
            seconds += 86400
        elif groups.get("hour"):
            seconds += int(match.group("hour")) * 3600 + int(match.group("minute")) * 60
            seconds += Decimal(match.group("second"))
        if zone is not None and zone != "Z":
            sign = -1 if zone[0] == "-" else 1
            seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
        return XsdValue(kind, seconds, zoned=zone is not None)

    return read


def _day_time_duration(lexical: str) -> XsdValue | None:
    parts = _duration_parts(lexical)
    if parts is None or re.search("[YM]", lexical.partition("T")[0]):
        return None  # no years or months (XSD 1.1 Part 2, 3.4.27)
    total = parts["days"] * 86400 + parts["hours"] * 3600 + parts["minutes"] * 60 + parts["seconds"]
    return XsdValue("dayTimeDuration", -total if lexical.startswith("-") else total)


def _year_month_duration(lexical: str) -> XsdValue | None:
    parts = _duration_parts(lexical)
    if parts is None or "D" in lexical or "T" in lexical:
        return None  # years and months only (XSD 1.1 Part 2, 3.4.26)
    months = int(parts["years"]) * 12 + int(parts["months"])
    return XsdValue("yearMonthDuration", -months if lexical.startswith("-") else months)


def _duration_parts(lexical: str) -> dict[str, Decimal] | None:
    """The components of an xsd:duration (absolute values), or None when it is ill-typed."""
    match = _DURATION.fullmatch(lexical)
    if match is None:
        return None
    names = ("years", "months", "days", "hours", "minutes", "seconds")
    given = {name: match.group(name) for name in names}
    if all(v is None for v in given.values()):
        return None  # "P" alone, or "PT"
    time = match.group("time")
    if time is not None and time == "T":
        return None  # a T must be followed by a component
    return {name: Decimal(v) if v is not None else Decimal(0) for name, v in given.items()}


def _day_exists(match: re.Match[str]) -> bool:
    groups = match.groupdict()
    if groups.get("day") is None or groups.get("month") is None:
        return True
    month, day = int(match.group("month")), int(match.group("day"))
    year = int(match.group("year")) if groups.get("year") else 2000  # gMonthDay: --02-29 exists
    return day <= _days_in_month(year, month)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 in the proleptic Gregorian calendar, year 0 included (XSD 1.1)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def nearest_float32(exact: Fraction) -> float:
    """The 32-bit float nearest to an exact number (ties to even), as a Python float.

    Example:
        >>> nearest_float32(Fraction(1, 10)) == 0.10000000149011612
        True
    """
    if exact == 0:
        return 0.0
    largest = Fraction(2**128 - 2**104)  # the largest float32
    if abs(exact) >= largest + Fraction(2**103):  # at or past the halfway point to 2**128
        return math.copysign(math.inf, exact)
    guess = _to_float32(float(exact))
    bits = _float32_bits(guess)
    candidates = [guess, *(_from_float32_bits(bits + step) for step in (-1, 1))]
    finite = [c for c in candidates if math.isfinite(c)]
    return min(finite, key=lambda c: (abs(Fraction(c) - exact), _float32_bits(c) & 1))


def to_float32(number: int | Decimal | float) -> float:
    """A number rounded to xsd:float (32 bits), as XPath casts to xs:float."""
    if isinstance(number, float):
        return number if not math.isfinite(number) else nearest_float32(Fraction(number))
    return nearest_float32(Fraction(number))


def to_double(number: int | Decimal | float) -> float:
    """A number rounded to xsd:double, as XPath casts to xs:double (too large: infinity)."""
    if isinstance(number, float):
        return number
    try:
        return float(number)
    except OverflowError:
        return math.copysign(math.inf, number)


def _to_float32(number: float) -> float:
    try:
        return float(struct.unpack("<f", struct.pack("<f", number))[0])
    except OverflowError:
        return math.copysign(math.inf, number)


def _float32_bits(number: float) -> int:
    return int(struct.unpack("<i", struct.pack("<f", number))[0])


def _from_float32_bits(bits: int) -> float:
    if not -(2**31) <= bits < 2**31:
        return math.nan
    return float(struct.unpack("<f", struct.pack("<i", bits))[0])


_READERS: dict[str, _Reader] = {
    XSD + "decimal": _decimal,
    XSD + "double": _double,
    XSD + "float": _float,
    XSD + "boolean": _boolean,
    XSD + "string": _string,
    XSD + "dateTime": _moment("dateTime", _DATE_TIME),
    XSD + "dateTimeStamp": _moment("dateTime", _DATE_TIME, zone_required=True),
    XSD + "date": _moment("date", _DATE),
    XSD + "time": _moment("time", _TIME_ONLY),
    XSD + "dayTimeDuration": _day_time_duration,
    XSD + "yearMonthDuration": _year_month_duration,
}
