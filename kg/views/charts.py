"""Charts of the market's figures (`kg chart`): a saved query's rows drawn by a Vega-Lite spec.

Each chart is a Vega-Lite spec kept as data, ``kg/views/chart_specs/NAME.vl.json``; its
``usermeta.kg`` names the saved query whose rows it draws (``query``), the variable that holds
each row's claim (``claim``) and, optionally, the variables a row must have to be drawn
(``rowsWith``). This module runs the query, turns its typed values into JSON (numbers stay
numbers, so a share is 0.3 and the spec formats it as 30%; dates are ISO text), and adds a
source line built from the saved query ``claim-sources``: the outlet, publication date and
paragraph markers of exactly the claims drawn, never typed by hand. Vega-Altair checks the spec
against the Vega-Lite schema and vl-convert renders it as SVG or PNG, without a browser.

Example:
    >>> from kg.rdf.graph import load_bundled_graph
    >>> spec = chart_spec("procurement-mix", load_bundled_graph())
    >>> spec["title"]["subtitle"]
    'Source: 傅里叶的猫, 2025-09-28, paragraph [10]'
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.base.errors import KgError, one_line
from kg.base.namespaces import XSD
from kg.base.output import write_atomically
from kg.rdf.graph import LoadedGraph
from kg.sparql.catalog import Catalog
from kg.sparql.results import term_value
from kg.sparql.sources import select_rows

CHARTS_DIR = Path(__file__).resolve().parent / "chart_specs"
SPEC_SUFFIX = ".vl.json"
#: Fonts vl-convert is told about: its bundled fonts have no CJK glyphs, and the outlet's name
#: (傅里叶的猫) is Chinese. Debian: fonts-wqy-microhei.
CJK_FONT_DIRS = (
    "/usr/share/fonts/truetype/wqy",
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/noto",
)
#: The font every text of a chart asks for: Latin text looks as in other charts, CJK falls back.
FONT = "Liberation Sans, Arial, Helvetica, WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"
PICTURE_TYPES = (".svg", ".png")
PNG_SCALE = 2  # pixels per SVG unit: sharp text on high-density screens and in the README

_NUMBER_TYPES = {
    XSD + name
    for name in (
        "decimal",
        "double",
        "float",
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}
_FONTS_REGISTERED = {"done": False}


def chart_names() -> list[str]:
    """The charts there are, by name (the spec files' names without ``.vl.json``)."""
    return sorted(path.name[: -len(SPEC_SUFFIX)] for path in CHARTS_DIR.glob(f"*{SPEC_SUFFIX}"))


def chart_query(name: str) -> str:
    """The name of the saved query whose rows chart ``name`` draws.

    Raises:
        KgError: there is no chart called ``name`` (the message names the closest).
    """
    query: str = _settings(_template(name))["query"]
    return query


def chart_spec(name: str, graph: LoadedGraph) -> dict[str, Any]:
    """The complete Vega-Lite spec of chart ``name`` for ``graph``: the template with the saved
    query's rows as its data, the source line as the title's subtitle, and the fonts set.

    Raises:
        KgError: no such chart; the query fails; it finds nothing to draw; or the spec is not
            valid Vega-Lite.
    """
    template = _template(name)
    settings = _settings(template)
    saved = Catalog.bundled().get(settings["query"])
    wanted = settings.get("rowsWith", [])
    rows = [row for row in select_rows(saved, source=graph) if all(v in row for v in wanted)]
    if not rows:
        raise KgError(
            f"chart {name}: the saved query {saved.name} finds nothing to draw in this graph"
        )
    claim_variable = settings["claim"]
    claims = {term_value(row[claim_variable]) for row in rows if claim_variable in row}
    sources = _sources(claims, graph)
    values = []
    for row in rows:
        value = {variable: _json_value(term) for variable, term in row.items()}
        claim = value.get(claim_variable)
        if isinstance(claim, str) and claim in sources:
            value["published"] = sources[claim]["published"]
        values.append(value)
    spec = dict(template)
    spec["data"] = {"values": values}
    spec["title"] = {**template.get("title", {}), "subtitle": source_line(sources.values())}
    spec["config"] = _config(template.get("config", {}))
    return _validated(spec, name)


def source_line(sources: Iterable[Mapping[str, Any]]) -> str:
    """``Source: OUTLET, DATE, paragraph(s) [n][m]`` for the given claims' sources; one part per
    outlet and date, the paragraph markers in the article's order.

        >>> source_line([{"outlet": "傅里叶的猫", "published": "2025-09-28", "paragraphs": {9, 10}}])
        'Source: 傅里叶的猫, 2025-09-28, paragraphs [9], [10]'
    """
    grouped: dict[tuple[str, str], set[int]] = {}
    for source in sources:
        grouped.setdefault((source["outlet"], source["published"]), set()).update(
            source["paragraphs"]
        )
    parts = []
    for (outlet, published), paragraphs in sorted(grouped.items()):
        markers = ", ".join(f"[{p}]" for p in sorted(paragraphs))
        parts.append(
            f"{outlet}, {published}, paragraph{'s' if len(paragraphs) > 1 else ''} {markers}"
        )
    return "Source: " + "; ".join(parts)


def render_chart(spec: Mapping[str, Any], picture_format: str) -> bytes:
    """Render a complete Vega-Lite spec as ``svg`` or ``png`` bytes with vl-convert.

    Raises:
        KgError: an unknown format, or vl-convert cannot render the spec.
    """
    import vl_convert

    _register_fonts(vl_convert)
    try:
        if picture_format == "svg":
            return vl_convert.vegalite_to_svg(dict(spec), vl_version=_vl_version()).encode("utf-8")
        if picture_format == "png":
            return bytes(
                vl_convert.vegalite_to_png(dict(spec), vl_version=_vl_version(), scale=PNG_SCALE)
            )
    except ValueError as error:
        raise KgError(f"vl-convert could not render the chart: {one_line(error)}") from None
    raise KgError(f"unknown picture format {picture_format!r}; use svg or png")


def write_chart(
    name: str,
    out: str | os.PathLike[str],
    graph: LoadedGraph,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Draw chart ``name`` for ``graph`` into ``out`` (.svg or .png, by its extension).

    Raises:
        KgError: an unknown chart or extension (checked before any query runs), or as
            :func:`chart_spec`, :func:`render_chart` and :func:`kg.base.output.write_atomically`.
    """
    step = progress or (lambda description: None)
    target = Path(out)
    suffix = target.suffix.lower()
    if suffix not in PICTURE_TYPES:
        shown = f"not {suffix}" if suffix else "and this name has no extension"
        raise KgError(f"{target}: kg chart writes .svg or .png files, {shown}")
    _template(name)
    step(f"running the saved query {chart_query(name)}")
    spec = chart_spec(name, graph)
    step(f"rendering {suffix[1:].upper()}")
    return write_atomically(target, render_chart(spec, suffix[1:]))


def _template(name: str) -> dict[str, Any]:
    path = CHARTS_DIR / f"{name}{SPEC_SUFFIX}"
    if name not in chart_names():
        import difflib

        close = difflib.get_close_matches(name, chart_names(), n=3, cutoff=0.5)
        hint = (
            f"did you mean {', '.join(close)}?" if close else f"charts: {', '.join(chart_names())}"
        )
        raise KgError(f"no chart named {name!r}; {hint}")
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise KgError(f"{path}: cannot read the chart spec: {error}") from None
    if not isinstance(spec, dict):
        raise KgError(f"{path}: a chart spec must be a JSON object")
    return spec


def _settings(template: Mapping[str, Any]) -> dict[str, Any]:
    return dict(template.get("usermeta", {}).get("kg", {}))


def _sources(claims: set[str], graph: LoadedGraph) -> dict[str, dict[str, Any]]:
    """Outlet label, publication date and paragraph markers of each claim, from the saved query
    ``claim-sources``; the outlet by its English label where it has one, else its first."""
    found: dict[str, dict[str, Any]] = {}
    labels: dict[str, dict[str, str]] = {}
    for row in select_rows(Catalog.bundled().get("claim-sources"), source=graph):
        claim = term_value(row["claim"])
        if claim not in claims:
            continue
        source = found.setdefault(
            claim, {"published": str(_json_value(row["published"])), "paragraphs": set()}
        )
        source["paragraphs"].add(int(term_value(row["paragraph"])))
        label = row["outletLabel"]
        labels.setdefault(claim, {}).setdefault(
            getattr(label, "language", None) or "", term_value(label)
        )
    for claim, source in found.items():
        by_language = labels[claim]
        source["outlet"] = by_language.get("en") or next(iter(by_language.values()))
    missing = sorted(claims - found.keys())
    if missing:
        raise KgError(
            f"no source (outlet, date, paragraph) for {len(missing)} claim(s), e.g. {missing[0]}"
        )
    return found


def _json_value(term: object) -> object:
    if isinstance(term, ox.Literal):
        if term.datatype.value in _NUMBER_TYPES:
            number = Decimal(term.value)
            return (
                int(number)
                if number == number.to_integral_value() and "." not in term.value
                else float(number)
            )
        return term.value
    return getattr(term, "value", str(term))


def _config(own: Mapping[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {
        "font": FONT,
        "title": {
            "fontSize": 16,
            "subtitleFontSize": 12,
            "subtitleColor": "#555",
            "anchor": "start",
            "subtitlePadding": 6,
            "offset": 14,
        },
        "axis": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal"},
        "view": {"stroke": None},
        "background": "white",
        "padding": 16,
    }
    config.update(own)
    return config


def _validated(spec: dict[str, Any], name: str) -> dict[str, Any]:
    """Check the spec against the Vega-Lite schema that Altair ships (a typo in a spec file is
    an error naming the chart, not a silently empty picture)."""
    import altair

    kind = altair.LayerChart if "layer" in spec else altair.Chart
    try:
        return kind.from_dict(spec).to_dict()
    except Exception as error:
        first_line = (
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        )
        raise KgError(f"chart {name}: the spec is not valid Vega-Lite: {first_line}") from None


def _vl_version() -> str:
    import altair

    return ".".join(altair.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def _register_fonts(vl_convert: Any) -> None:
    if _FONTS_REGISTERED["done"]:
        return
    for folder in CJK_FONT_DIRS:
        if Path(folder).is_dir():
            vl_convert.register_font_directory(folder)
    _FONTS_REGISTERED["done"] = True
