"""Entity cards (`kg describe`): an entity's names, types, links, relations and the claims
about it, found by IRI, prefixed name or label, on the bundled graph or at an endpoint."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pyoxigraph as ox

from kg.base.errors import KgError
from kg.base.namespaces import RDF_TYPE, RDFS_LABEL, SKOS
from kg.sparql.catalog import Catalog
from kg.sparql.entities import entity_queries, resolve_entity
from kg.sparql.results import compact_iri, term_value
from kg.sparql.sources import Source, choose_source

SKOS_ALT_LABEL = SKOS + "altLabel"
SKOS_DEFINITION = SKOS + "definition"
WIKIDATA = "http://www.wikidata.org/entity/"


@dataclass
class Relation:
    """A link between the entity and another resource."""

    property: str
    property_label: str
    other: str
    other_label: str


@dataclass
class Value:
    """A literal value of the entity (a claim's quote, paragraph, dates, shares, activity)."""

    property: str
    property_label: str
    value: str
    datatype: str
    language: str


@dataclass
class ClaimSummary:
    """A claim about the entity: the statement it attests (and that statement's kind), and
    where its source says it (paragraph markers, quote)."""

    claim: str
    kind: str
    modality: str
    first_paragraph: int
    last_paragraph: int
    quote: str
    statement: str = ""


@dataclass
class EntityCard:
    """Everything `kg describe` shows about one entity (IRIs in full; ``name`` for display)."""

    iri: str
    labels: dict[str, list[str]] = field(default_factory=dict)
    alternative_labels: list[str] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)
    types: list[Relation] = field(default_factory=list)
    inferred_types: list[str] = field(default_factory=list)
    wikidata: list[str] = field(default_factory=list)
    outgoing: list[Relation] = field(default_factory=list)
    incoming: list[Relation] = field(default_factory=list)
    claims: list[ClaimSummary] = field(default_factory=list)
    #: the prefixes the card shows names with (not part of its JSON)
    prefixes: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        for language in ("en", "zh"):
            if self.labels.get(language):
                return self.labels[language][0]
        return next((values[0] for values in self.labels.values() if values), self.iri)

    def text(self) -> str:
        """The card as `kg describe` prints it."""
        return render_card(self)

    def to_json(self) -> dict[str, object]:
        fields = asdict(self)
        del fields["prefixes"]
        return {"name": self.name, **fields}


def describe(
    text: str,
    source: object = None,
    *,
    prefixes: dict[str, str] | None = None,
    inferred: dict[str, list[str]] | None = None,
) -> EntityCard:
    """Build the card of the entity that ``text`` names.

    Args:
        text: an IRI, a prefixed name (``snd:tencent``) or a label (``腾讯``, ``tencent``).
        source: where to ask, anything :func:`kg.sparql.sources.choose_source` takes (a loaded graph,
            an endpoint URL, ...); the bundled graph by default.
        prefixes: prefixes for prefixed names and display: by default the graph's, or at an
            endpoint those the card's own queries declare.
        inferred: individual IRI -> classes a reasoner added (from :mod:`kg.coherence.reasoning`).

    Raises:
        KgError: the entity cannot be resolved, or is not described in the graph.
    """
    where: Source = choose_source(source)
    if prefixes is None:
        # At an endpoint, the prefixes the card's own queries declare (parsing the bundled
        # graph only for its prefixes would be wasted work).
        prefixes = where.prefixes or Catalog.bundled().get("claims-about").prefixes
    prefixes = dict(prefixes)
    iri = resolve_entity(text, prefixes, where)
    queries = entity_queries()
    card = EntityCard(iri=iri, prefixes=prefixes)
    for row in where.select_rows(queries.get("facts"), {"entity": iri}):
        prop, value = term_value(row["property"]), row["value"]
        if prop == RDFS_LABEL and isinstance(value, ox.Literal):
            card.labels.setdefault(value.language or "", []).append(value.value)
        elif prop == SKOS_ALT_LABEL and isinstance(value, ox.Literal):
            card.alternative_labels.append(value.value)
        elif prop == SKOS_DEFINITION and isinstance(value, ox.Literal):
            card.definitions.append(value.value)
        elif prop == RDF_TYPE and isinstance(value, ox.NamedNode):
            card.types.append(Relation(prop, "type", value.value, _text(row.get("valueLabel"))))
        elif isinstance(value, ox.NamedNode) and value.value.startswith(WIKIDATA):
            card.wikidata.append(value.value)
    for row in where.select_rows(queries.get("literals"), {"entity": iri}):
        literal = row["value"]
        assert isinstance(literal, ox.Literal)
        card.values.append(
            Value(
                term_value(row["property"]),
                _text(row.get("propertyLabel")),
                literal.value,
                literal.datatype.value if literal.datatype else "",
                literal.language or "",
            )
        )
    card.outgoing = _labelled(
        where.select_rows(queries.get("outgoing"), {"entity": iri}), "value", "valueLabel"
    )
    card.incoming = _labelled(
        where.select_rows(queries.get("incoming"), {"entity": iri}), "subject", "subjectLabel"
    )
    for row in where.select_rows(Catalog.bundled().get("claims-about"), {"entity": iri}):
        card.claims.append(
            ClaimSummary(
                claim=term_value(row["claim"]),
                kind=_text(row.get("kind")),
                modality=_text(row.get("modality")),
                first_paragraph=int(_text(row.get("firstParagraph")) or 0),
                last_paragraph=int(_text(row.get("lastParagraph")) or 0),
                quote=_text(row.get("quote")),
                statement=term_value(row["statement"]) if row.get("statement") else "",
            )
        )
    if not (card.labels or card.types or card.outgoing or card.incoming or card.claims):
        raise KgError(f"{compact_iri(iri, prefixes)} is not described in this graph")
    if inferred is not None:
        shown = {compact_iri(t.other, prefixes) for t in card.types}
        card.inferred_types = [
            c for c in inferred.get(compact_iri(iri, prefixes), []) if c not in shown
        ]
    return card


def render_card(card: EntityCard, prefixes: dict[str, str] | None = None) -> str:
    """The card as text for a terminal (names shortened with ``prefixes``, the card's own by
    default)."""
    prefixes = card.prefixes if prefixes is None else prefixes

    def name(iri: str, label: str) -> str:
        short = compact_iri(iri, prefixes)
        return f"{label} ({short})" if label else short

    other_names = [
        v for lang, values in sorted(card.labels.items()) for v in values if v != card.name
    ]
    fields: list[tuple[str, str]] = [("IRI", card.iri)]
    for language, values in sorted(card.labels.items()):
        fields.append(("label@" + (language or "-"), ", ".join(values)))
    if card.alternative_labels:
        fields.append(("also", ", ".join(card.alternative_labels)))
    if card.types:
        fields.append(("types", ", ".join(name(t.other, t.other_label) for t in card.types)))
    if card.inferred_types:
        fields.append(("inferred", ", ".join(card.inferred_types)))
    fields.extend(("Wikidata", link) for link in card.wikidata)
    fields.extend(("definition", definition) for definition in card.definitions)
    for value in card.values:
        text = f"\u201c{value.value}\u201d" if value.property.endswith("#quote") else value.value
        fields.append(
            (
                value.property_label or compact_iri(value.property, prefixes),
                text + (f" @{value.language}" if value.language else ""),
            )
        )
    width = max(10, *(len(label) for label, _ in fields)) + 1
    lines = [card.name + (f"  ({' / '.join(other_names)})" if other_names else "")]
    lines.extend(f"  {label:<{width}}{text}" for label, text in fields)
    if card.outgoing:
        lines.append(f"Relations out ({len(card.outgoing)}):")
        lines.extend(
            f"  {r.property_label or compact_iri(r.property, prefixes)} -> {name(r.other, r.other_label)}"
            for r in card.outgoing
        )
    if card.incoming:
        lines.append(f"Relations in ({len(card.incoming)}):")
        lines.extend(
            f"  {name(r.other, r.other_label)} -> {r.property_label or compact_iri(r.property, prefixes)}"
            for r in card.incoming
        )
    if card.claims:
        lines.append(f"Claims ({len(card.claims)}):")
        for claim in card.claims:
            marker = f"[{claim.first_paragraph}]" + (
                f"[{claim.last_paragraph}]" if claim.last_paragraph != claim.first_paragraph else ""
            )
            attests = (
                f" attests {compact_iri(claim.statement, prefixes)}" if claim.statement else ""
            )
            lines.append(
                f"  {marker} {claim.kind}, {claim.modality} ({compact_iri(claim.claim, prefixes)}){attests}"
            )
            lines.append(f"      \u201c{claim.quote}\u201d")
    return "\n".join(lines) + "\n"


#: Which label a card shows when a resource has several: English, then Chinese, then any.
LABEL_LANGUAGES = ("en", "zh")


def _labelled(rows: list[dict[str, object]], other: str, label: str) -> list[Relation]:
    """One relation per (property, resource) from rows that carry the resource's labels in
    every language, each with its best label (see :data:`LABEL_LANGUAGES`)."""
    relations: dict[tuple[str, str], Relation] = {}
    rank: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (term_value(row["property"]), term_value(row[other]))
        term = row.get(label)
        language = term.language if isinstance(term, ox.Literal) else None
        score = (
            LABEL_LANGUAGES.index(language)
            if language in LABEL_LANGUAGES
            else len(LABEL_LANGUAGES) + (term is None)
        )
        if key not in relations or score < rank[key]:
            relations[key] = Relation(key[0], _text(row.get("propertyLabel")), key[1], _text(term))
            rank[key] = score
    return list(relations.values())


def _text(term: object) -> str:
    return term.value if isinstance(term, ox.Literal | ox.NamedNode) else ""
