"""Naming an entity: an IRI, a prefixed name, a local name or a label (English or Chinese, any
case) turned into the IRI it names, looked up by the saved queries of ``queries/entity/``.
`kg describe`, `kg viz --focus` and parameters given as labels (``--param org=腾讯``) all ask here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import pyoxigraph as ox

from kg.base.bundle import bundled
from kg.base.errors import KgError
from kg.sparql.catalog import Catalog
from kg.sparql.results import compact_iri, term_value
from kg.sparql.sources import Source, choose_source

_CURIE = re.compile(r"^([A-Za-z][\w.-]*)?:([^\s/][^\s]*)?$")


def resolve_entity(text: str, prefixes: dict[str, str], source: object = None) -> str:
    """Turn an IRI, a prefixed name or a label (English or Chinese, any case) into an IRI.

    ``source`` is where to look labels up: anything :func:`kg.sparql.sources.choose_source` takes.

    Raises:
        KgError: nothing matches; or a label matches several entities (they are listed).
    """
    value = text.strip()
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    if re.match(r"^(https?|urn|file):", value):
        return value
    curie = _CURIE.match(value)
    if curie and (curie.group(1) or "") in prefixes:
        return prefixes[curie.group(1) or ""] + (curie.group(2) or "")
    where = choose_source(source)
    rows = where.select_rows(entity_queries().get("lookup"), {"text": value})
    exact = sorted({term_value(r["entity"]) for r in rows if _true(r.get("exact"))})
    partial = sorted({term_value(r["entity"]) for r in rows})
    by_local_name: list[str] = []
    if not exact and re.fullmatch(r"[\w.-]+", value):  # the slug of an IRI: nvidia-card
        by_local_name = sorted(
            {
                term_value(r["entity"])
                for r in where.select_rows(entity_queries().get("local-name"), {"text": value})
            }
        )
    candidates = exact or by_local_name or partial
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise KgError(f"no entity has an IRI, prefixed name, local name or label matching {text!r}")
    shown = ", ".join(f"{compact_iri(c, prefixes)} ({_label_of(rows, c)})" for c in candidates[:12])
    more = f" and {len(candidates) - 12} more" if len(candidates) > 12 else ""
    raise KgError(f"{text!r} matches {len(candidates)} entities: {shown}{more}; give one of them")


def entity_queries() -> Catalog:
    """The saved queries that look entities up and describe them (``queries/entity/``)."""
    return Catalog(bundled().queries_dir / "entity")


def label_resolver(source: Source, prefixes: Mapping[str, str]) -> Callable[[str], str]:
    """A function that turns a label (``腾讯``) or local name into the IRI it names in
    ``source``, for parameters given as labels."""

    def resolve(label: str) -> str:
        return resolve_entity(label, dict(prefixes), source=source)

    return resolve


def _text(term: object) -> str:
    return term.value if isinstance(term, ox.Literal | ox.NamedNode) else ""


def _true(term: object) -> bool:
    return isinstance(term, ox.Literal) and term.value in ("true", "1")


def _label_of(rows: list[dict[str, object]], iri: str) -> str:
    return next((_text(r.get("label")) for r in rows if term_value(r["entity"]) == iri), "")
