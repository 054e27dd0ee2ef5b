"""Synthetic graphs for benchmarks: many made-up articles in the supernode ontology, at any size.

Each synthetic article follows the bundled one (``data/ttl/*.ttl``): a media outlet, about eleven
organizations in their market roles, organization groups, products of every product class,
markets, technologies and a region, the direct edges between them, and 31 claims of every claim
class with full provenance (source, paragraph, quote, modality, as-of date, about) and the
structured properties the shapes require. Organizations, products and the rest are drawn from
pools that grow with the graph, so later articles name entities that earlier ones introduced and
queries join across articles. Nothing synthetic carries a Wikidata link.

The graph is streamed to disk in blocks (an entity with its edges, an article, a claim with its
parts) until the requested number of triples is reached: a generator feeds pyoxigraph's Turtle
serializer, so a million triples take seconds and little memory. The same size, seed and number
of violations give the same bytes.

With ``violations=N``, N nodes of each kind in :data:`VIOLATION_KINDS` are added, each breaking
one shape constraint (an untagged label breaks two), and ``expected-violations.tsv`` lists what
SHACL validation must report for them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError
from kg.output import write_atomically, write_stream_atomically

SYNTH = "https://w3id.org/supernode-kg/id/synth/"
SNK = "https://w3id.org/supernode-kg/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"

GRAPH_FILE = "synthetic.ttl"
EXPECTED_FILE = "expected-violations.tsv"
EXPECTED_HEADER = ("focus_node", "source_shape", "constraint", "focus_iri")

#: Prefixes of the synthetic Turtle file (one for each folder of synthetic IRIs).
PREFIXES: dict[str, str] = {
    "dcterms": DCTERMS,
    "owl": OWL,
    "rdfs": RDFS,
    "skos": SKOS,
    "snk": SNK,
    "xsd": XSD,
    "synart": SYNTH + "article/",
    "synclaim": SYNTH + "claim/",
    "syngroup": SYNTH + "group/",
    "synmarket": SYNTH + "market/",
    "synorg": SYNTH + "org/",
    "synproduct": SYNTH + "product/",
    "synregion": SYNTH + "region/",
    "syntech": SYNTH + "technology/",
}

_MIN = "sh:MinCountConstraintComponent"

#: The kinds of broken node that ``violations=N`` adds, N of each, with what SHACL reports for
#: one: (source shape, constraint component), as :class:`kg.validation.Violation` names them.
VIOLATION_KINDS: dict[str, tuple[tuple[str, str], ...]] = {
    "claim-without-quote": (("snsh:ClaimShape-quote", _MIN),),
    # The second source has no text, so it has none of the markers the claim cites.
    "claim-with-two-sources": (
        ("snsh:ClaimShape-source", "sh:MaxCountConstraintComponent"),
        ("snsh:CitedMarkerShape", "sh:SPARQLConstraintComponent"),
    ),
    # Its sentence ends with [3], which a claim citing only [0] leaves out.
    "claim-with-paragraph-zero": (
        ("snsh:ClaimShape-paragraph", "sh:MinInclusiveConstraintComponent"),
        ("snsh:SentenceMarkersShape", "sh:SPARQLConstraintComponent"),
    ),
    "reported-claim-with-horizon": (
        ("snsh:HorizonOnlyOnForecastShape-modality", "sh:InConstraintComponent"),
    ),
    "share-above-one": (("snsh:ShareComponentShape-share", "sh:MaxInclusiveConstraintComponent"),),
    "mix-not-adding-up": (("snsh:ProcurementMixShape", "sh:SPARQLConstraintComponent"),),
    "partnership-with-one-partner": (("snsh:PartnershipShape-partner", _MIN),),
    "contribution-by-outsider": (("snsh:PartnershipShape", "sh:SPARQLConstraintComponent"),),
    "restriction-without-start": (("snsh:TradeRestrictionShape-startDate", _MIN),),
    "projection-min-above-max": (
        ("snsh:MarketShareProjectionShape-shareMin", "sh:LessThanOrEqualsConstraintComponent"),
    ),
    # An untagged label is both of the wrong datatype and in no allowed language.
    "product-label-without-language": (
        ("snsh:LabelledEntityShape-label", "sh:DatatypeConstraintComponent"),
        ("snsh:LabelledEntityShape-label", "sh:LanguageInConstraintComponent"),
    ),
    "organization-same-as-non-wikidata": (
        ("snsh:OrganizationShape-sameAs", "sh:PatternConstraintComponent"),
    ),
}


@dataclass(frozen=True)
class SynthReport:
    """What :func:`generate` wrote.

    Attributes:
        path: the synthetic graph (Turtle).
        triples: triples written (the ontology not included).
        articles: synthetic articles.
        entities: organizations (outlets included), groups, products, markets, technologies and
            regions.
        claims: claim nodes (their share components and contributions not counted).
        broken_nodes: nodes added to break the shapes (``violations`` times the number of kinds).
        violations: violations SHACL must report for them (the rows of ``expected_violations``).
        expected_violations: a TSV of those violations: focus_node, source_shape, constraint
            and focus_iri.
    """

    path: Path
    triples: int
    articles: int
    entities: int
    claims: int
    broken_nodes: int
    violations: int
    expected_violations: Path


def generate(triples: int, seed: int, out_dir: Path, violations: int = 0) -> SynthReport:
    """Write a synthetic graph of about ``triples`` triples to ``out_dir/synthetic.ttl``.

    Args:
        triples: how many triples to write; the count written is within half a block (a few
            dozen triples at most) of it. With violations, the first article's entities and
            node and the broken nodes are always written, so a target below a few hundred
            triples is exceeded.
        seed: seed of the random choices; the same arguments give the same bytes.
        out_dir: the folder to write into (made if missing).
        violations: how many broken nodes of each kind in :data:`VIOLATION_KINDS` to add.

    Returns:
        What was written, with its counts.

    Example:
        >>> import tempfile
        >>> report = generate(2000, seed=1, out_dir=Path(tempfile.mkdtemp()))
        >>> abs(report.triples - 2000) <= 60
        True

    Raises:
        KgError: a count is out of range, or the folder cannot be made or written.
    """
    if triples < 1:
        raise KgError(f"synth: the number of triples must be positive, not {triples}")
    if violations < 0:
        raise KgError(f"synth: the number of violations must not be negative, not {violations}")
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KgError(f"{out_dir}: cannot make the folder: {error.strerror or error}") from None
    world = _World(random.Random(seed), violations)
    graph_path = out_dir / GRAPH_FILE
    written = _write_turtle(graph_path, _limit(world, triples))
    names = _display_names(iri for iri, _, _ in world.expected)
    rows = sorted((names[iri], shape, constraint, iri) for iri, shape, constraint in world.expected)
    expected_path = write_atomically(
        out_dir / EXPECTED_FILE, "".join("\t".join(row) + "\n" for row in [EXPECTED_HEADER, *rows])
    )
    return SynthReport(
        path=graph_path,
        triples=written,
        articles=world.articles,
        entities=world.entities,
        claims=world.claims,
        broken_nodes=world.broken_nodes,
        violations=len(rows),
        expected_violations=expected_path,
    )


def read_expected_violations(path: Path) -> set[tuple[str, str, str]]:
    """Read an ``expected-violations.tsv`` as (focus_iri, source_shape, constraint) rows.

    Example:
        >>> import tempfile
        >>> report = generate(2000, seed=1, out_dir=Path(tempfile.mkdtemp()), violations=1)
        >>> len(read_expected_violations(report.expected_violations)) == report.violations
        True

    Raises:
        KgError: the file cannot be read or is not in that form.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise KgError(f"{path}: cannot read: {error.strerror or error}") from None
    if not lines or tuple(lines[0].split("\t")) != EXPECTED_HEADER:
        raise KgError(f"{path}: the first line must be {chr(9).join(EXPECTED_HEADER)!r}")
    rows = set()
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(EXPECTED_HEADER):
            raise KgError(f"{path}:{number}: expected {len(EXPECTED_HEADER)} tab-separated fields")
        _, shape, constraint, iri = fields
        rows.add((iri, shape, constraint))
    return rows


# ---------------------------------------------------------------------------------------------
# Writing


def _limit(world: _World, target: int) -> Iterator[ox.Triple]:
    """The world's triples, block by block, until writing the next block would overshoot
    ``target`` by more than stopping short of it. Everything up to the broken nodes is written."""
    count = 0
    for block in world.blocks():
        if world.injected and len(block) >= 2 * (target - count):
            return
        count += len(block)
        yield from block


def _write_turtle(path: Path, triples: Iterable[ox.Triple]) -> int:
    """Stream triples into ``path`` through a temporary file beside it; return how many."""
    counted = _Counter(triples)
    write_stream_atomically(
        path, lambda stream: ox.serialize(counted, stream, ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    )
    return counted.count


class _Counter:
    """An iterable that counts the triples passing through it."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.triples = triples
        self.count = 0

    def __iter__(self) -> Iterator[ox.Triple]:
        for triple in self.triples:
            self.count += 1
            yield triple


def _display_names(iris: Iterable[str]) -> dict[str, str]:
    """Each IRI as :class:`kg.validation.Violation` shows a focus node of the synthetic file: a
    prefixed name where rdflib splits it at one of :data:`PREFIXES`, else ``<iri>``."""
    wanted = list(iris)
    if not wanted:
        return {}
    import rdflib  # only with violations: rdflib is slow to import

    graph = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return {iri: graph.namespace_manager.normalizeUri(rdflib.URIRef(iri)) for iri in wanted}


# ---------------------------------------------------------------------------------------------
# Terms


def _snk_terms(*names: str) -> dict[str, ox.NamedNode]:
    return {name: ox.NamedNode(SNK + name) for name in names}


A = ox.NamedNode(RDF + "type")
LABEL = ox.NamedNode(RDFS + "label")
ALT_LABEL = ox.NamedNode(SKOS + "altLabel")
SAME_AS = ox.NamedNode(OWL + "sameAs")
TITLE = ox.NamedNode(DCTERMS + "title")
ISSUED = ox.NamedNode(DCTERMS + "issued")
OA_EXACT = ox.NamedNode("http://www.w3.org/ns/oa#exact")

XSD_INTEGER = ox.NamedNode(XSD + "integer")
XSD_DECIMAL = ox.NamedNode(XSD + "decimal")
XSD_DATE = ox.NamedNode(XSD + "date")
XSD_DATETIME = ox.NamedNode(XSD + "dateTime")
XSD_LANGUAGE = ox.NamedNode(XSD + "language")

#: The ontology's properties, classes and value individuals that synthetic data uses.
P = _snk_terms(
    "source",
    "paragraph",
    "quote",
    "modality",
    "asOf",
    "about",
    "outlet",
    "publishedAt",
    "textLanguage",
    "offers",
    "offeredBy",
    "manufactures",
    "manufacturer",
    "usesComponent",
    "hasMember",
    "solution",
    "provider",
    "status",
    "region",
    "partner",
    "servesSolution",
    "contribution",
    "contributor",
    "contributedProduct",
    "usesProduct",
    "purpose",
    "applicationFocus",
    "holder",
    "market",
    "position",
    "aspect",
    "rank",
    "binds",
    "restrictedProduct",
    "restrictedActivity",
    "startDate",
    "buyer",
    "towardsProduct",
    "causedBy",
    "product",
    "shareMin",
    "shareMax",
    "horizonYear",
    "horizonDescription",
    "subject",
    "comparedWith",
    "direction",
    "metric",
    "drivenBy",
    "preferredProduct",
    "condition",
    "shareComponent",
    "share",
    "ratioNotation",
    "order",
    "demandedProduct",
    "supplier",
    "focusVendor",
    "demandLevel",
    "inSource",
    "marker",
    "text",
    "cites",
)
C = _snk_terms(
    "Article",
    "MediaOutlet",
    "CloudServiceProvider",
    "ChipVendor",
    "SwitchSiliconVendor",
    "ConnectorVendor",
    "ServerVendor",
    "OrganizationGroup",
    "SupernodeSolution",
    "AIAcceleratorCard",
    "EthernetSwitchASIC",
    "PCIeSwitch",
    "ServerCabinet",
    "AIServer",
    "Server",
    "SoftwareSolution",
    "Market",
    "Technology",
    "Region",
    "Claim",
    "SolutionOffering",
    "Partnership",
    "Contribution",
    "ApplicationFocusClaim",
    "MarketPositionClaim",
    "TradeRestriction",
    "ProcurementShift",
    "MarketShareProjection",
    "TrendClaim",
    "ProcurementPreference",
    "ProcurementMix",
    "ShareComponent",
    "DemandClaim",
    "MarginComparison",
    "Paragraph",
    "Passage",
)
V = _snk_terms(
    "Reported",
    "Projected",
    "Planned",
    "StatusPlanned",
    "StatusPromoted",
    "StatusHasCustomers",
    "StatusPromotedOrHasCustomers",
    "PositionDominant",
    "PositionCompetitive",
    "PositionSmall",
    "PositionNotSignificant",
    "PositionUnclear",
    "PositionNotActive",
    "FocusTraining",
    "FocusInference",
    "FocusLargeModels",
    "DirectionImprove",
    "DirectionIncrease",
    "DirectionHigher",
    "DirectionAdvance",
    "DirectionLagBehind",
    "DemandSmaller",
    "DemandLargeScale",
)

OFFERED = (V["StatusPromotedOrHasCustomers"], V["StatusPromoted"], V["StatusHasCustomers"])
FOCUSES = {
    "training": V["FocusTraining"],
    "inference": V["FocusInference"],
    "large model computation": V["FocusLargeModels"],
}

Value = ox.NamedNode | ox.Literal


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def _zh(text: str) -> ox.Literal:
    return ox.Literal(text, language="zh")


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def _decimal(text: str) -> ox.Literal:
    return ox.Literal(text, datatype=XSD_DECIMAL)


def _date(day: dt.date) -> ox.Literal:
    return ox.Literal(day.isoformat(), datatype=XSD_DATE)


# ---------------------------------------------------------------------------------------------
# Entities and their pools


@dataclass(frozen=True)
class _Kind:
    """A kind of entity: its class, IRI folder, labels (formats of its number), the chance of a
    Chinese label, and the chance that an article's slot takes an existing entity of the kind."""

    cls: ox.NamedNode
    folder: str
    label_en: str
    label_zh: str
    zh_odds: float
    reuse: float


# Companies in a market role (and outlets) always have both labels: the shapes require them.
# Reuse rates let the pools grow with the graph while most slots name entities seen before.
KINDS: dict[str, _Kind] = {
    "outlet": _Kind(C["MediaOutlet"], "org", "Tech Review {n}", "科技评论{n}", 1, 0.9),
    "csp": _Kind(C["CloudServiceProvider"], "org", "Cloud Provider {n}", "云服务商{n}", 1, 0.8),
    "chip": _Kind(C["ChipVendor"], "org", "Chip Vendor {n}", "芯片厂商{n}", 1, 0.75),
    "switch": _Kind(C["SwitchSiliconVendor"], "org", "Switch Maker {n}", "交换芯片厂商{n}", 1, 0.8),
    "connector": _Kind(C["ConnectorVendor"], "org", "Connector Maker {n}", "连接器厂商{n}", 1, 0.8),
    "server-vendor": _Kind(C["ServerVendor"], "org", "Server Vendor {n}", "服务器厂商{n}", 1, 0.75),
    "solution": _Kind(C["SupernodeSolution"], "product", "Supernode {n}", "超节点{n}", 0.2, 0.3),
    "card": _Kind(C["AIAcceleratorCard"], "product", "Accelerator Card {n}", "加速卡{n}", 0.1, 0.6),
    "asic": _Kind(C["EthernetSwitchASIC"], "product", "Switch ASIC {n}", "", 0, 0.7),
    "pcie": _Kind(C["PCIeSwitch"], "product", "PCIe Switch {n}", "", 0, 0.7),
    "cabinet": _Kind(C["ServerCabinet"], "product", "Server Cabinet {n}", "", 0, 0.6),
    "ai-server": _Kind(C["AIServer"], "product", "AI Server {n}", "", 0, 0.6),
    "server": _Kind(C["Server"], "product", "General Server {n}", "", 0, 0.6),
    "software": _Kind(C["SoftwareSolution"], "product", "Software Suite {n}", "", 0, 0.6),
    "market": _Kind(C["Market"], "market", "Market Segment {n}", "", 0, 0.85),
    "technology": _Kind(C["Technology"], "technology", "Technology {n}", "技术{n}", 0.3, 0.9),
    "region": _Kind(C["Region"], "region", "Region {n}", "地区{n}", 1, 0.9),
}

#: The groups an article speaks of collectively (as the bundled one does): key -> label.
GROUPS = {
    "csps": "CSPs",
    "major-csps": "major CSP manufacturers",
    "server-suppliers": "server suppliers",
    "major-internet": "major internet companies",
    "second-tier": "second-tier internet companies",
    "mainstream": "mainstream suppliers",
    "ai-server-makers": "major AI server manufacturers",
}
GROUP_REUSE = 0.7

#: Shares that add up to exactly 1 as decimals, and share ranges (min <= max) for projections.
SHARE_SPLITS = (
    ("0.3", "0.7"),
    ("0.7", "0.3"),
    ("0.25", "0.75"),
    ("0.4", "0.6"),
    ("0.5", "0.5"),
    ("0.6", "0.4"),
    ("0.2", "0.8"),
    ("0.35", "0.65"),
)
SHARE_RANGES = (("0.3", "0.4"), ("0.1", "0.2"), ("0.25", "0.5"), ("0.05", "0.15"), ("0.4", "0.6"))
FIRST_DAY = dt.date(2023, 1, 1).toordinal()
DAYS = 1300  # publication dates run from 2023 to mid-2026


@dataclass(slots=True, eq=False)
class _Entity:
    """A synthetic entity: its IRI, its English label and, for a product, who offers or makes it."""

    node: ox.NamedNode
    label: str
    maker: _Entity | None = None


@dataclass
class _NodeBlock:
    """A node and the triples that describe it (and its parts)."""

    node: ox.NamedNode
    triples: list[ox.Triple]


@dataclass
class _Cast:
    """The entities one article speaks of, in the roles the bundled article gives its entities."""

    outlet: _Entity
    csps: list[_Entity]
    chips: list[_Entity]
    switch: _Entity
    connector: _Entity
    server_vendors: list[_Entity]
    groups: dict[str, _Entity]
    cards: list[_Entity]
    asic: _Entity
    pcie: _Entity
    cabinet: _Entity
    ai_server: _Entity
    server: _Entity
    software: _Entity
    solutions: list[_Entity]
    markets: list[_Entity]
    technologies: list[_Entity]
    region: _Entity


@dataclass
class _Article:
    """An article being written: its node, number, date, cast, and how many claims it has made."""

    node: ox.NamedNode
    number: int
    day: dt.date
    cast: _Cast
    claims: int = 0
    #: The article's sentences, each once, in order: its quotes and the markers they end with.
    sentences: dict[tuple[str, tuple[int, ...]], None] = field(default_factory=dict)


class _World:
    """The state of one synthetic graph: the random source, the entity pools and the counts.

    :meth:`blocks` yields the graph as blocks of triples, each valid once the blocks before it
    are written (an entity comes before the claims that name it).
    """

    def __init__(self, rng: random.Random, violations: int) -> None:
        self.rng = rng
        self.violations = violations
        self.injected = violations == 0
        self.pools: dict[str, list[_Entity]] = {}
        self.numbers: dict[str, Iterator[int]] = {}
        self.pending: list[list[ox.Triple]] = []
        self.expected: list[tuple[str, str, str]] = []
        self.articles = self.entities = self.claims = self.broken_nodes = 0

    # -- entities ---------------------------------------------------------------------------

    def new_node(self, folder: str) -> tuple[ox.NamedNode, int]:
        """The IRI and number of a new entity in ``folder``."""
        number = next(self.numbers.setdefault(folder, itertools.count(1)))
        self.entities += 1
        return ox.NamedNode(f"{SYNTH}{folder}/{number}"), number

    def pick(
        self,
        name: str,
        taken: list[_Entity],
        maker: _Entity | None = None,
        edges: Callable[[_Entity], list[ox.Triple]] | None = None,
    ) -> _Entity:
        """An entity of kind ``name`` that is not in ``taken`` (and is added to it): an existing
        one, or a new one made by ``maker``, written with its ``edges``."""
        kind = KINDS[name]
        pool = self.pools.setdefault(name, [])
        if pool and self.rng.random() < kind.reuse:
            for _ in range(3):
                candidate = self.rng.choice(pool)
                if candidate not in taken:
                    taken.append(candidate)
                    return candidate
        node, number = self.new_node(kind.folder)
        entity = _Entity(node, kind.label_en.format(n=number), maker)
        block = [ox.Triple(node, A, kind.cls), ox.Triple(node, LABEL, _en(entity.label))]
        if kind.zh_odds and self.rng.random() < kind.zh_odds:
            block.append(ox.Triple(node, LABEL, _zh(kind.label_zh.format(n=number))))
        if edges is not None:
            block += edges(entity)
        self.pending.append(block)
        pool.append(entity)
        taken.append(entity)
        return entity

    def pick_many(self, name: str, count: int) -> list[_Entity]:
        taken: list[_Entity] = []
        for _ in range(count):
            self.pick(name, taken)
        return taken

    def product(self, name: str, taken: list[_Entity], maker: _Entity | None) -> _Entity:
        """A product of kind ``name``; a new one is made by ``maker`` (edges both ways)."""

        def made_by(entity: _Entity) -> list[ox.Triple]:
            if maker is None:
                return []
            return [
                ox.Triple(entity.node, P["manufacturer"], maker.node),
                ox.Triple(maker.node, P["manufactures"], entity.node),
            ]

        return self.pick(name, taken, maker, made_by)

    def solution(self, taken: list[_Entity], provider: _Entity, parts: list[_Entity]) -> _Entity:
        """A supernode solution; a new one is offered by ``provider`` and uses ``parts``."""

        def offered(entity: _Entity) -> list[ox.Triple]:
            block = [ox.Triple(entity.node, P["offeredBy"], provider.node)]
            block += [ox.Triple(entity.node, P["usesComponent"], part.node) for part in parts]
            if self.rng.random() < 0.2:
                short = entity.label.replace("Supernode ", "SN-")
                block.append(ox.Triple(entity.node, ALT_LABEL, _en(short)))
            block.append(ox.Triple(provider.node, P["offers"], entity.node))
            return block

        return self.pick("solution", taken, provider, offered)

    def group(self, key: str, members: list[_Entity]) -> _Entity:
        """A group of kind ``key`` (in :data:`GROUPS`); a new one lists ``members``."""
        pool = self.pools.setdefault("group:" + key, [])
        if pool and self.rng.random() < GROUP_REUSE:
            return self.rng.choice(pool)
        node, number = self.new_node("group")
        entity = _Entity(node, f"{GROUPS[key]} (group {number})")
        block = [
            ox.Triple(node, A, C["OrganizationGroup"]),
            ox.Triple(node, LABEL, _en(entity.label)),
        ]
        block += [ox.Triple(node, P["hasMember"], m.node) for m in _distinct(members)]
        self.pending.append(block)
        pool.append(entity)
        return entity

    def cast(self) -> _Cast:
        """Choose the entities of the next article; new ones wait in ``pending`` to be written."""
        csps = self.pick_many("csp", 4)
        chips = self.pick_many("chip", 2)
        switch = self.pick("switch", [])
        connector = self.pick("connector", [])
        servers = self.pick_many("server-vendor", 2)
        members = {"csps": csps[:3], "major-internet": csps[1:3], "ai-server-makers": servers}
        groups = {key: self.group(key, members.get(key, [])) for key in GROUPS}
        cards: list[_Entity] = []
        self.product("card", cards, chips[0])
        self.product("card", cards, chips[0])
        self.product("card", cards, None)  # "domestic cards": no single maker
        asic = self.product("asic", [], switch)
        pcie = self.product("pcie", [], switch if self.rng.random() < 0.5 else None)
        cabinet = self.product("cabinet", [], servers[0] if self.rng.random() < 0.5 else None)
        solutions: list[_Entity] = []
        for provider, parts in (
            (csps[0], [asic, pcie]),
            (chips[0], []),
            (chips[1], []),
            (csps[1], []),
            (csps[2], [asic]),
        ):
            self.solution(solutions, provider, parts)
        return _Cast(
            outlet=self.pick("outlet", []),
            csps=csps,
            chips=chips,
            switch=switch,
            connector=connector,
            server_vendors=servers,
            groups=groups,
            cards=cards,
            asic=asic,
            pcie=pcie,
            cabinet=cabinet,
            ai_server=self.product("ai-server", [], servers[0]),
            server=self.product("server", [], servers[1]),
            software=self.product("software", [], None),
            solutions=solutions,
            markets=self.pick_many("market", 5),
            technologies=self.pick_many("technology", 4),
            region=self.pick("region", []),
        )

    # -- articles and claims ----------------------------------------------------------------

    def blocks(self) -> Iterator[list[ox.Triple]]:
        """The whole graph, article after article, without end (the reader stops)."""
        for number in itertools.count(1):
            cast = self.cast()
            pending, self.pending = self.pending, []
            yield from pending
            article = self.new_article(number, cast)
            yield self.article_block(article)
            # The article's text comes before its claims (which are checked against it), so its
            # claims are made first and held back; the broken nodes stay right after the text.
            broken = [] if self.injected else list(self.broken(article))
            claims = list(_article_claims(self, article))
            yield self.text_block(article)
            if broken:
                yield from broken
                self.injected = True
            yield from claims

    def new_article(self, number: int, cast: _Cast) -> _Article:
        day = dt.date.fromordinal(FIRST_DAY + self.rng.randrange(DAYS))
        self.articles += 1
        return _Article(ox.NamedNode(f"{SYNTH}article/{number}"), number, day, cast)

    def article_block(self, article: _Article) -> list[ox.Triple]:
        """The article node: label and title in both languages, outlet, time and language."""
        node, n = article.node, article.number
        published = f"{article.day.isoformat()}T{self.rng.randrange(7, 23):02d}:00:00"
        return [
            ox.Triple(node, A, C["Article"]),
            ox.Triple(node, LABEL, _en(f"Supernode market brief {n}")),
            ox.Triple(node, LABEL, _zh(f"超节点市场简报{n}")),
            ox.Triple(node, TITLE, _en(f"Supernode market brief {n}")),
            ox.Triple(node, TITLE, _zh(f"超节点市场简报{n}")),
            ox.Triple(node, P["outlet"], article.cast.outlet.node),
            ox.Triple(node, P["publishedAt"], ox.Literal(published, datatype=XSD_DATETIME)),
            ox.Triple(node, ISSUED, _date(article.day)),
            ox.Triple(node, P["textLanguage"], ox.Literal("en", datatype=XSD_LANGUAGE)),
        ]

    def text_block(self, article: _Article) -> list[ox.Triple]:
        """The article's text, as scripts/article_text.py writes a real one: a passage per
        sentence (here each quote is a whole sentence) and a paragraph per marker."""
        node = article.node.value
        block: list[ox.Triple] = []
        for number, (quote, markers) in enumerate(article.sentences, start=1):
            passage = ox.NamedNode(f"{node}/passage/{number}")
            block += [
                ox.Triple(passage, A, C["Passage"]),
                ox.Triple(passage, P["inSource"], article.node),
                ox.Triple(passage, OA_EXACT, ox.Literal(quote)),
            ]
            block += [
                ox.Triple(passage, P["cites"], ox.NamedNode(f"{node}/paragraph/{m}"))
                for m in markers
            ]
        for marker in sorted({m for _, markers in article.sentences for m in markers}):
            paragraph = ox.NamedNode(f"{node}/paragraph/{marker}")
            text = "\n".join(quote for quote, markers in article.sentences if marker in markers)
            block += [
                ox.Triple(paragraph, A, C["Paragraph"]),
                ox.Triple(paragraph, P["inSource"], article.node),
                ox.Triple(paragraph, P["marker"], _int(marker)),
                ox.Triple(paragraph, P["text"], ox.Literal(text)),
            ]
        return block

    def claim(
        self,
        article: _Article,
        cls: str,
        paragraphs: tuple[int, ...],
        modality: str,
        quote: str,
        about: Iterable[_Entity | None],
        *properties: tuple[str, Value],
    ) -> _NodeBlock:
        """A claim of class ``cls`` with its provenance and ``properties`` ((name, value) pairs);
        ``about`` lists the entities it names (repeats and ``None`` are dropped)."""
        article.claims += 1
        self.claims += 1
        article.sentences[(quote, paragraphs)] = None
        node = ox.NamedNode(f"{SYNTH}claim/{article.number}-{article.claims}")
        block = [ox.Triple(node, A, C[cls]), ox.Triple(node, P["source"], article.node)]
        block += [ox.Triple(node, P["paragraph"], _int(p)) for p in paragraphs]
        block += [
            ox.Triple(node, P["modality"], V[modality]),
            ox.Triple(node, P["asOf"], _date(article.day)),
            ox.Triple(node, P["quote"], ox.Literal(quote)),
        ]
        block += [ox.Triple(node, P[name], value) for name, value in properties]
        block += [ox.Triple(node, P["about"], e.node) for e in _distinct(about)]
        return _NodeBlock(node, block)

    # -- broken nodes -----------------------------------------------------------------------

    def broken(self, article: _Article) -> Iterator[list[ox.Triple]]:
        """``violations`` nodes of each kind in :data:`VIOLATION_KINDS`, recorded in ``expected``.

        They follow the first article's node; an article of their own (with no claims of its
        own) is the second source of the claims that have two.
        """
        second = self.new_article(0, article.cast)
        second.day = article.day  # the same publication date: a claim's as-of date fits both
        yield self.article_block(second)
        for _ in range(self.violations):
            for kind, block in _broken_nodes(self, article, second.node):
                self.broken_nodes += 1
                for shape, constraint in VIOLATION_KINDS[kind]:
                    self.expected.append((block.node.value, shape, constraint))
                yield block.triples


def _distinct(entities: Iterable[_Entity | None]) -> list[_Entity]:
    """The entities without repeats or ``None``, in first-seen order (no triple written twice)."""
    return list({id(e): e for e in entities if e is not None}.values())


def _provider(solution: _Entity) -> _Entity:
    """The organization that offers a solution (every synthetic solution is made with one)."""
    if solution.maker is None:
        raise KgError(f"synth: solution {solution.node.value} has no provider")
    return solution.maker


# ---------------------------------------------------------------------------------------------
# The 31 claims of an article, in the bundled article's order, classes and shapes


def _article_claims(world: _World, article: _Article) -> Iterator[list[ox.Triple]]:
    rng, c, g = world.rng, article.cast, article.cast.groups
    csps, sols, cards, mkts = c.csps, c.solutions, c.cards, c.markets
    supernode, ethernet = c.technologies[0], c.technologies[1]

    def say(
        cls: str,
        paragraphs: tuple[int, ...],
        modality: str,
        quote: str,
        about: Iterable[_Entity | None],
        *properties: tuple[str, Value],
    ) -> list[ox.Triple]:
        return world.claim(article, cls, paragraphs, modality, quote, about, *properties).triples

    yield say(
        "Claim",
        (3, 4),
        "Reported",
        f"The article discusses the collaboration and solutions around {supernode.label}",
        [supernode],
    )

    buyer, supplier = g["major-csps"], g["server-suppliers"]
    yield say(
        "DemandClaim",
        (4,),
        "Reported",
        f"{buyer.label} are seeking {c.cabinet.label} from {supplier.label}, "
        f"with a focus on {c.chips[0].label} solutions",
        [buyer, c.cabinet, supplier, c.chips[0]],
        ("buyer", buyer.node),
        ("demandedProduct", c.cabinet.node),
        ("supplier", supplier.node),
        ("focusVendor", c.chips[0].node),
    )

    offered = ", ".join(f"{_provider(s).label}'s {s.label}" for s in sols[:4])
    for solution in sols[:4]:
        yield say(
            "SolutionOffering",
            (4,),
            "Reported",
            f"Key supernode solutions in {c.region.label} include {offered}",
            [solution, _provider(solution), c.region],
            ("solution", solution.node),
            ("provider", _provider(solution).node),
            ("status", rng.choice(OFFERED)),
            ("region", c.region.node),
        )

    planned = sols[4]
    yield say(
        "SolutionOffering",
        (4,),
        "Planned",
        f"{_provider(planned).label} is planning {planned.label}, primarily based on "
        f"{c.asic.label}, but it has not yet been promoted",
        [planned, _provider(planned), c.asic, c.asic.maker, ethernet],
        ("solution", planned.node),
        ("provider", _provider(planned).node),
        ("status", V["StatusPlanned"]),
        ("usesProduct", c.asic.node),
        ("applicationFocus", V["FocusLargeModels"]),
    )

    yield _partnership(world, article).triples

    for solution in (sols[2], sols[0]):
        focuses = rng.sample(sorted(FOCUSES), rng.randint(1, 2))
        yield say(
            "ApplicationFocusClaim",
            (5,),
            "Reported",
            f"{solution.label} focuses on {' and '.join(focuses)}",
            [solution],
            ("solution", solution.node),
            *(("applicationFocus", FOCUSES[f]) for f in focuses),
        )

    yield say(
        "MarketPositionClaim",
        (6,),
        "Reported",
        f"{supernode.label} solutions have not yet captured a significant market share",
        [supernode],
        ("holder", supernode.node),
        ("position", V["PositionNotSignificant"]),
    )

    leaders = c.server_vendors
    yield say(
        "MarketPositionClaim",
        (6,),
        "Reported",
        f"{mkts[0].label} dominated by {leaders[0].label}, {leaders[1].label}, and others",
        [*leaders, mkts[0]],
        *(("holder", v.node) for v in leaders),
        ("market", mkts[0].node),
        ("position", V["PositionDominant"]),
    )

    restricted, bound = cards[1], _distinct([g["csps"], csps[0], csps[1]])
    start = article.day - dt.timedelta(days=rng.randrange(5, 60))
    restriction = world.claim(
        article,
        "TradeRestriction",
        (6,),
        "Reported",
        f"From {start:%B} {start.day}, {g['csps'].label} were restricted from purchasing "
        f"{restricted.label}",
        [*bound, restricted, restricted.maker],
        ("startDate", _date(start)),
        *(("binds", b.node) for b in bound),
        ("restrictedProduct", restricted.node),
        ("restrictedActivity", _en("purchasing")),
    )
    yield restriction.triples

    domestic = cards[2]
    yield say(
        "ProcurementShift",
        (6,),
        "Reported",
        f"leading to a shift towards {domestic.label}",
        [g["csps"], domestic],
        ("buyer", g["csps"].node),
        ("towardsProduct", domestic.node),
        ("causedBy", restriction.node),
    )

    low, high = rng.choice(SHARE_RANGES)
    horizon: tuple[str, Value] = (
        ("horizonYear", _int(article.day.year + rng.randint(1, 4)))
        if rng.random() < 0.5
        else ("horizonDescription", _en("in the coming years"))
    )
    yield say(
        "MarketShareProjection",
        (6,),
        "Projected",
        f"{domestic.label}, which are expected to reach {_percent(low)}-{_percent(high)}",
        [domestic],
        ("product", domestic.node),
        ("shareMin", _decimal(low)),
        ("shareMax", _decimal(high)),
        horizon,
    )

    holders = _distinct([g["major-internet"], csps[1], csps[2]])
    yield say(
        "MarketPositionClaim",
        (6,),
        "Reported",
        f"The share of {g['major-internet'].label} in {mkts[1].label} remains small",
        [*holders, mkts[1]],
        *(("holder", h.node) for h in holders),
        ("market", mkts[1].node),
        ("position", V["PositionSmall"]),
    )

    yield say(
        "TrendClaim",
        (6,),
        "Projected",
        f"{csps[3].label}'s overseas to domestic ratio projected to improve",
        [csps[3], mkts[1]],
        ("subject", csps[3].node),
        ("metric", _en("overseas to domestic ratio")),
        ("direction", V["DirectionImprove"]),
    )

    yield say(
        "MarketPositionClaim",
        (8,),
        "Reported",
        f"{leaders[0].label} remains competitive in terms of cost and pricing",
        [leaders[0]],
        ("holder", leaders[0].node),
        ("position", V["PositionCompetitive"]),
        ("aspect", _en("cost and pricing")),
    )

    rank = rng.randint(1, 3)
    yield say(
        "MarketPositionClaim",
        (8,),
        "Reported",
        f"the competition for places {rank} and {rank + 1} among suppliers is less clear",
        [supplier],
        ("holder", supplier.node),
        ("rank", _int(rank)),
        ("rank", _int(rank + 1)),
        ("position", V["PositionUnclear"]),
    )

    yield say(
        "DemandClaim",
        (9,),
        "Reported",
        f"{g['second-tier'].label} have smaller demands",
        [g["second-tier"]],
        ("buyer", g["second-tier"].node),
        ("demandLevel", V["DemandSmaller"]),
    )

    yield say(
        "MarketPositionClaim",
        (9,),
        "Reported",
        f"{g['mainstream'].label} are not actively participating in {mkts[2].label}",
        [g["mainstream"], mkts[2]],
        ("holder", g["mainstream"].node),
        ("market", mkts[2].node),
        ("position", V["PositionNotActive"]),
    )

    yield say(
        "TrendClaim",
        (9, 10),
        "Reported",
        f"{mkts[3].label} is lagging behind {mkts[4].label}",
        [mkts[3], mkts[4]],
        ("subject", mkts[3].node),
        ("comparedWith", mkts[4].node),
        ("direction", V["DirectionLagBehind"]),
    )

    year = article.day.year + rng.randint(1, 3)
    yield say(
        "TrendClaim",
        (9, 10),
        "Projected",
        f"with significant advancements expected by {year}",
        [mkts[3]],
        ("subject", mkts[3].node),
        ("direction", V["DirectionAdvance"]),
        ("horizonYear", _int(year)),
    )

    buyers = csps[:2]
    yield say(
        "ProcurementPreference",
        (10,),
        "Reported",
        f"{buyers[0].label} and {buyers[1].label} have shown a preference for "
        f"{cards[0].label} when available",
        [*buyers, cards[0], cards[0].maker],
        *(("buyer", b.node) for b in buyers),
        ("preferredProduct", cards[0].node),
        ("condition", _en("when available")),
    )

    for mix_buyer in (csps[1], csps[2]):
        shares = rng.choice(SHARE_SPLITS)
        yield _mix(world, article, mix_buyer, [cards[0], domestic], shares).triples

    yield say(
        "TrendClaim",
        (10,),
        "Reported",
        f"The trend towards {supernode.label} is driven by the need for increased computing "
        "power and reduced latency",
        [supernode],
        ("subject", supernode.node),
        ("direction", V["DirectionIncrease"]),
        ("drivenBy", _en("the need for increased computing power")),
        ("drivenBy", _en("reduced latency")),
    )

    yield say(
        "DemandClaim",
        (10,),
        "Projected",
        "with expectations for large-scale demand in the future",
        [supernode],
        ("subject", supernode.node),
        ("demandLevel", V["DemandLargeScale"]),
        ("horizonDescription", _en("in the future")),
    )

    makers = g["ai-server-makers"]
    yield say(
        "MarginComparison",
        (11,),
        "Reported",
        f"{makers.label} achieve higher gross margins on {c.ai_server.label} than on "
        f"{c.server.label}",
        [makers, c.ai_server, c.server],
        ("holder", makers.node),
        ("subject", c.ai_server.node),
        ("comparedWith", c.server.node),
        ("metric", _en("gross margin")),
        ("direction", V["DirectionHigher"]),
    )

    yield say(
        "TrendClaim",
        (11,),
        "Projected",
        f"The introduction of {c.software.label} is expected to enhance profitability",
        [c.software],
        ("subject", c.software.node),
        ("metric", _en("profitability")),
        ("direction", V["DirectionImprove"]),
    )

    yield say(
        "TrendClaim",
        (11,),
        rng.choice(("Projected", "Reported")),
        f"significant profit increases from {supernode.label} implementations",
        [supernode],
        ("subject", supernode.node),
        ("metric", _en("profit")),
        ("direction", V["DirectionIncrease"]),
    )


def _partnership(
    world: _World,
    article: _Article,
    partners: list[_Entity] | None = None,
    contributor: _Entity | None = None,
) -> _NodeBlock:
    """A partnership on the article's first solution, with one partner's contribution (by default
    the solution's provider, the switch-silicon maker and the connector vendor; the silicon
    maker brings the switch ASIC)."""
    c = article.cast
    solution = c.solutions[0]
    silicon = c.asic.maker or c.switch
    if partners is None:
        partners = _distinct([_provider(solution), silicon, c.connector])
    block = world.claim(
        article,
        "Partnership",
        (5,),
        "Reported",
        f"{solution.label} collaborates with {silicon.label} and {c.connector.label}, utilizing "
        f"{c.asic.label} and {c.pcie.label} for GPU traffic management",
        [*partners, solution, c.asic, c.pcie, c.technologies[3]],
        *(("partner", p.node) for p in partners),
        ("servesSolution", solution.node),
        ("usesProduct", c.asic.node),
        ("usesProduct", c.pcie.node),
        ("purpose", _en("GPU traffic management")),
    )
    part = ox.NamedNode(block.node.value + "-c1")
    block.triples += [
        ox.Triple(block.node, P["contribution"], part),
        ox.Triple(part, A, C["Contribution"]),
        ox.Triple(part, P["contributor"], (contributor or silicon).node),
        ox.Triple(part, P["contributedProduct"], c.asic.node),
    ]
    return block


def _mix(
    world: _World,
    article: _Article,
    buyer: _Entity,
    products: list[_Entity],
    shares: tuple[str, ...],
    ratio: str | None = None,
) -> _NodeBlock:
    """A procurement mix of ``products`` in ``shares`` (decimal strings), with its components."""
    ratio = ratio or _ratio(shares)
    block = world.claim(
        article,
        "ProcurementMix",
        (10,),
        "Reported",
        f"a current ratio of {' to '.join(p.label for p in products)} at {ratio} for {buyer.label}",
        [buyer, *products],
        ("buyer", buyer.node),
        ("ratioNotation", ox.Literal(ratio)),
    )
    for order, (product, share) in enumerate(zip(products, shares, strict=True), start=1):
        part = ox.NamedNode(f"{block.node.value}-s{order}")
        block.triples += [
            ox.Triple(block.node, P["shareComponent"], part),
            ox.Triple(part, A, C["ShareComponent"]),
            ox.Triple(part, P["order"], _int(order)),
            ox.Triple(part, P["product"], product.node),
            ox.Triple(part, P["share"], _decimal(share)),
        ]
    return block


def _ratio(shares: tuple[str, ...]) -> str:
    """Shares as the source would write their ratio: ("0.25", "0.75") -> "1:3"."""
    fractions = [Fraction(s) for s in shares]
    scale = 1
    for f in fractions:
        scale = scale * f.denominator // gcd(scale, f.denominator)
    whole = [int(f * scale) for f in fractions]
    divisor = gcd(*whole) or 1
    return ":".join(str(w // divisor) for w in whole)


def _percent(share: str) -> str:
    return f"{round(float(share) * 100)}%"


# ---------------------------------------------------------------------------------------------
# Broken nodes, one of each kind in VIOLATION_KINDS


def _broken_nodes(
    world: _World, article: _Article, second_source: ox.NamedNode
) -> Iterator[tuple[str, _NodeBlock]]:
    """One node of each kind, valid but for the constraint its kind names."""
    c = article.cast
    tech = c.technologies[0]

    def claim(
        cls: str,
        paragraphs: tuple[int, ...],
        modality: str,
        quote: str,
        about: list[_Entity],
        *properties: tuple[str, Value],
    ) -> _NodeBlock:
        return world.claim(article, cls, paragraphs, modality, quote, about, *properties)

    block = claim("Claim", (3,), "Reported", f"{tech.label} is discussed", [tech])
    block.triples = [t for t in block.triples if t.predicate != P["quote"]]
    yield "claim-without-quote", block

    block = claim("Claim", (3,), "Reported", f"{tech.label} is discussed twice", [tech])
    block.triples.append(ox.Triple(block.node, P["source"], second_source))
    yield "claim-with-two-sources", block

    block = claim("Claim", (3,), "Reported", f"{tech.label} is discussed up front", [tech])
    block.triples = [t for t in block.triples if t.predicate != P["paragraph"]]
    block.triples.append(ox.Triple(block.node, P["paragraph"], _int(0)))
    yield "claim-with-paragraph-zero", block

    yield (
        "reported-claim-with-horizon",
        claim(
            "TrendClaim",
            (11,),
            "Reported",
            f"{tech.label} keeps growing until 2030",
            [tech],
            ("subject", tech.node),
            ("direction", V["DirectionIncrease"]),
            ("horizonYear", _int(2030)),
        ),
    )

    # A share component in no mix: in one, the mix's total would be wrong as well.
    article.claims += 1
    part = ox.NamedNode(f"{SYNTH}claim/{article.number}-{article.claims}-s1")
    yield (
        "share-above-one",
        _NodeBlock(
            part,
            [
                ox.Triple(part, A, C["ShareComponent"]),
                ox.Triple(part, P["order"], _int(1)),
                ox.Triple(part, P["product"], c.cards[0].node),
                ox.Triple(part, P["share"], _decimal("1.5")),
            ],
        ),
    )

    yield (
        "mix-not-adding-up",
        _mix(world, article, c.csps[0], [c.cards[0], c.cards[2]], ("0.3", "0.6"), "3:6"),
    )

    yield "partnership-with-one-partner", _partnership(world, article, [c.switch], c.switch)

    yield (
        "contribution-by-outsider",
        _partnership(world, article, [c.csps[0], c.connector], c.server_vendors[0]),
    )

    yield (
        "restriction-without-start",
        claim(
            "TradeRestriction",
            (6,),
            "Reported",
            f"{c.csps[0].label} may not buy {c.cards[1].label}",
            [c.csps[0], c.cards[1]],
            ("binds", c.csps[0].node),
            ("restrictedProduct", c.cards[1].node),
        ),
    )

    yield (
        "projection-min-above-max",
        claim(
            "MarketShareProjection",
            (6,),
            "Projected",
            f"{c.cards[2].label} are expected at 50%-30%",
            [c.cards[2]],
            ("product", c.cards[2].node),
            ("shareMin", _decimal("0.5")),
            ("shareMax", _decimal("0.3")),
            ("horizonDescription", _en("in the coming years")),
        ),
    )

    node, number = world.new_node("product")
    yield (
        "product-label-without-language",
        _NodeBlock(
            node,
            [
                ox.Triple(node, A, C["AIAcceleratorCard"]),
                ox.Triple(node, LABEL, _en(f"Accelerator Card {number}")),
                ox.Triple(node, LABEL, ox.Literal(f"Accelerator Card {number}")),
            ],
        ),
    )

    node, number = world.new_node("org")
    yield (
        "organization-same-as-non-wikidata",
        _NodeBlock(
            node,
            [
                ox.Triple(node, A, C["ServerVendor"]),
                ox.Triple(node, LABEL, _en(f"Server Vendor {number}")),
                ox.Triple(node, LABEL, _zh(f"服务器厂商{number}")),
                ox.Triple(node, SAME_AS, ox.NamedNode(f"https://example.org/company/{number}")),
            ],
        ),
    )
