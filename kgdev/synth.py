"""Synthetic graphs for benchmarks: copies of the bundled article, renamed, at any size.

The bundled data (``data/ttl/*.ttl``) is the template, read as it is: nothing of the data model
is typed here. Its nodes fall in two kinds, by their IRIs under ``https://w3id.org/supernode-kg/id/``:

- per-article nodes, whose IRI has a folder (``article/...``, whose claims are
  ``article/<id>/claim/...``, and ``statement/...``): the article, its text (paragraphs and
  passages), its claims and the statements they attest, with their parts. Statements are
  source-independent in the bundled data, but each synthetic article is a made-up source that
  says its own things, so it gets its own copy of them. Each synthetic article is a copy of all
  of them under its own namespace, ``.../id/synth/a17/statement/...``, with the quotes and
  the text copied together (so every quote is still in the paragraph it cites) and every date
  (``xsd:date``, ``xsd:dateTime``) moved by one random number of days (so as-of dates stay the
  publication date, and a start date stays that many days before it).
- entities, whose IRI has no folder (``snd:tencent``): in each article every entity of the
  template is played by an entity from that template entity's pool, an existing one (so later
  articles name entities that earlier ones introduced, and queries join across articles) or a new
  copy of its description, named ``.../id/synth/entity/<Class>-<n>``.

Classes and properties are whatever the template uses, so an ontology change with its data needs
no change here. Labels (``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel``) become the label of
the node's class in the label's language and a number ("cloud service provider 17"@en), so
nothing synthetic is named after a real company; nothing synthetic links to Wikidata (such
triples are dropped, and the mapping set is not copied).

The graph is streamed to disk in blocks (a new entity with the new entities it names, an article
with all its nodes) until the requested number of triples is reached: a generator feeds
pyoxigraph's Turtle serializer, so a million triples take seconds and little memory. The same
size, seed, violations and bundle give the same bytes.

With ``violations=N``, article k (for k up to N) is followed by a copy of every broken-data case
(``tests/fixtures/broken/<case>.ttl``, in a wheel ``kg/bundled/broken/``), renamed into
``.../id/synth/broken/`` and pointed at article k's nodes where it names bundled ones; the rows of
its ``<case>.expected.tsv``, renamed the same way, make ``expected-violations.tsv``. A case's node
that would write a Wikidata ID, or a literal the fast validator cannot keep as written (which would
send the whole graph to the slow engine), is left out, with the nodes that name it and their rows.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pyoxigraph as ox

from kg.base.bundle import Bundle, bundled
from kg.base.errors import KgError
from kg.base.namespaces import RDF_TYPE, RDFS, RDFS_LABEL, SKOS, SND, SNK_CLAIM, SYNTH, XSD
from kg.base.output import write_atomically, write_stream_atomically
from kg.rdf.files import parse_file

GRAPH_FILE = "synthetic.ttl"
EXPECTED_FILE = "expected-violations.tsv"
EXPECTED_HEADER = ("focus_node", "source_shape", "constraint", "focus_iri")

#: Where new entities and the copies of broken cases live (flat, so each has a prefixed name;
#: an article's nodes, in folders, are written as full IRIs).
ENTITY_NS = SYNTH + "entity/"
BROKEN_NS = SYNTH + "broken/"
SYNTH_PREFIXES = {"synent": ENTITY_NS, "synbroken": BROKEN_NS}

#: The chance that an article's entity is one seen before (when its pool has any).
REUSE = 0.8
#: Articles are moved back by up to this many days from the template's dates.
DAYS = 1000

WIKIDATA = "wikidata.org/"
LABEL_PREDICATES = frozenset(
    {ox.NamedNode(RDFS_LABEL), ox.NamedNode(SKOS + "prefLabel"), ox.NamedNode(SKOS + "altLabel")}
)
DATE_TYPES = frozenset(ox.NamedNode(XSD + name) for name in ("date", "dateTime", "dateTimeStamp"))
TYPE = ox.NamedNode(RDF_TYPE)
BROKEN_EXPECTED_SUFFIX = ".expected.tsv"
BROKEN_HEADER = EXPECTED_HEADER[:3]
BLANK_FOCUS = "[]"
#: Stands for a broken case's literal that no store keeps as written (its node is left out).
UNFAITHFUL = ox.Literal("unfaithful", datatype=ox.NamedNode("urn:x-supernode-kg:unfaithful"))

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Node = ox.NamedNode | ox.BlankNode


@dataclass(frozen=True)
class SynthReport:
    """What :func:`generate` wrote.

    Attributes:
        path: the synthetic graph (Turtle).
        triples: triples written (the ontology not included).
        articles: synthetic articles (each a whole copy of the template's article nodes).
        entities: entities written (new copies of the template's entities).
        claims: claim nodes (instances of snk:Claim or a subclass; the statements they attest
            and their parts not counted).
        broken_nodes: focus nodes of the injected broken cases (``violations`` times those of
            one copy of every case).
        violations: violations SHACL must report for them (the rows of ``expected_violations``).
        expected_violations: a TSV of those violations: focus_node, source_shape, constraint
            and focus_iri (empty for a blank node, whose focus_node is ``[]``).
    """

    path: Path
    triples: int
    articles: int
    entities: int
    claims: int
    broken_nodes: int
    violations: int
    expected_violations: Path


def generate(
    triples: int, seed: int, out_dir: Path, violations: int = 0, bundle: Bundle | None = None
) -> SynthReport:
    """Write a synthetic graph of about ``triples`` triples to ``out_dir/synthetic.ttl``.

    Args:
        triples: how many triples to write; the count written is within half a block (a few
            dozen triples at most) of it. With violations, the first ``violations`` articles
            (with their entities) and the broken cases are always written, so a small target
            is exceeded.
        seed: seed of the random choices; the same arguments give the same bytes.
        out_dir: the folder to write into (made if missing).
        violations: how many copies of each broken-data case to add.
        bundle: the ontology, data and broken cases to build from; the bundled ones by default.

    Returns:
        What was written, with its counts.

    Example:
        >>> import tempfile
        >>> report = generate(2000, seed=1, out_dir=Path(tempfile.mkdtemp()))
        >>> abs(report.triples - 2000) <= 60
        True

    Raises:
        KgError: a count is out of range, the template or a broken case cannot be read, or the
            folder cannot be made or written.
    """
    if triples < 1:
        raise KgError(f"synth: the number of triples must be positive, not {triples}")
    if violations < 0:
        raise KgError(f"synth: the number of violations must not be negative, not {violations}")
    bundle = bundle or bundled()
    template = _read_template(bundle)
    cases = _read_broken_cases(bundle, template) if violations else []
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KgError(f"{out_dir}: cannot make the folder: {error.strerror or error}") from None
    world = _World(template, cases, random.Random(seed), violations)
    written = _Written()
    graph_path = out_dir / GRAPH_FILE
    prefixes = template.prefixes
    write_stream_atomically(
        graph_path,
        lambda stream: ox.serialize(
            _limit(world.blocks(), triples, written), stream, ox.RdfFormat.TURTLE, prefixes=prefixes
        ),
    )
    rows = sorted(
        (_display_name(focus, prefixes), shape, constraint, _iri(focus))
        for focus, shape, constraint in written.expected
    )
    expected_path = write_atomically(
        out_dir / EXPECTED_FILE, "".join("\t".join(row) + "\n" for row in [EXPECTED_HEADER, *rows])
    )
    return SynthReport(
        path=graph_path,
        triples=written.triples,
        articles=written.articles,
        entities=written.entities,
        claims=written.claims,
        broken_nodes=written.broken_nodes,
        violations=len(rows),
        expected_violations=expected_path,
    )


def read_expected_violations(path: Path) -> set[tuple[str, str, str]]:
    """Read an ``expected-violations.tsv`` as (focus_iri, source_shape, constraint) rows
    (focus_iri is empty for a blank node).

    Example:
        >>> import tempfile
        >>> report = generate(2000, seed=1, out_dir=Path(tempfile.mkdtemp()), violations=1)
        >>> 0 < len(read_expected_violations(report.expected_violations)) <= report.violations
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


@dataclass
class _Block:
    """Triples that are valid once the blocks before them are written, and what they hold."""

    triples: list[ox.Triple]
    forced: bool = False
    articles: int = 0
    entities: int = 0
    claims: int = 0
    broken_nodes: int = 0
    expected: list[tuple[Node, str, str]] = field(default_factory=list)


@dataclass
class _Written:
    """The counts of the blocks written so far."""

    triples: int = 0
    articles: int = 0
    entities: int = 0
    claims: int = 0
    broken_nodes: int = 0
    expected: list[tuple[Node, str, str]] = field(default_factory=list)


def _limit(blocks: Iterable[_Block], target: int, written: _Written) -> Iterator[ox.Triple]:
    """The blocks' triples until the target. An article that does not fit is skipped for the
    smaller entity blocks after it; an entity block that would overshoot the target by more
    than stopping short ends the graph. Forced blocks are always written."""
    for block in blocks:
        size = len(block.triples)
        left = target - written.triples
        if not block.forced:
            if block.articles and size > left:
                continue
            if size >= 2 * left:
                return
        written.triples += size
        written.articles += block.articles
        written.entities += block.entities
        written.claims += block.claims
        written.broken_nodes += block.broken_nodes
        written.expected += block.expected
        yield from block.triples


def _iri(term: Node) -> str:
    return term.value if isinstance(term, ox.NamedNode) else ""


def _display_name(term: Node, prefixes: dict[str, str]) -> str:
    """A focus node as :class:`kg.shacl.validation.Violation` shows one of the synthetic file."""
    from kg.sparql.results import compact_iri

    if isinstance(term, ox.BlankNode):
        return BLANK_FOCUS
    return compact_iri(term.value, prefixes)


# ---------------------------------------------------------------------------------------------
# The template


@dataclass
class _Template:
    """The bundled data, ready to copy.

    Attributes:
        entities: the template's entities, sorted, each with the name of its class (for IRIs).
        descriptions: each entity's triples (with the blank nodes they reach), labels aside.
        entity_labels: each entity's labels to rewrite: subject, predicate, language, base text.
        body: the triples of the per-article nodes, labels aside.
        labels: label triples to rewrite: subject, predicate, language, base text.
        per_article: the per-article IRIs, each with its path under the article's namespace.
        blank_nodes: the blank nodes of the template (renamed in every copy).
        dates: the date and date-time literals of the body.
        claims: claim nodes among the per-article nodes.
        prefixes: the prefixes of the synthetic file.
    """

    entities: dict[ox.NamedNode, str]
    descriptions: dict[ox.NamedNode, list[ox.Triple]]
    entity_labels: dict[ox.NamedNode, list[tuple[Node, ox.NamedNode, str, str]]]
    body: list[ox.Triple]
    labels: list[tuple[Node, ox.NamedNode, str, str]]
    per_article: dict[ox.NamedNode, str]
    blank_nodes: list[ox.BlankNode]
    dates: list[ox.Literal]
    claims: int
    prefixes: dict[str, str]


def _is_wikidata(term: object) -> bool:
    return isinstance(term, ox.NamedNode | ox.Literal) and WIKIDATA in term.value


def _is_template_iri(term: object) -> bool:
    return (
        isinstance(term, ox.NamedNode)
        and term.value.startswith(SND)
        and not term.value.startswith(SYNTH)
        and len(term.value) > len(SND)
    )


def _local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1] or "Entity"


def _read_template(bundle: Bundle) -> _Template:
    """Read the bundle's ontology and data into a :class:`_Template`."""
    data_files = bundle.data_files()
    if not data_files:
        raise KgError(f"{bundle.data_dir}: no data files to make synthetic articles from")
    file_prefixes: dict[str, str] = {}
    triples = [
        ox.Triple(q.subject, q.predicate, q.object)
        for path in data_files
        for q in parse_file(path, file_prefixes)
        if not _is_wikidata(q.object)
    ]
    ontology = [q for path in bundle.ontology_files() for q in parse_file(path)]
    class_labels, claim_classes = _ontology_facts(ontology)

    by_subject: dict[Node, list[ox.Triple]] = {}
    for triple in triples:
        if isinstance(triple.subject, ox.NamedNode | ox.BlankNode):
            by_subject.setdefault(triple.subject, []).append(triple)

    terms = {t for triple in triples for t in (triple.subject, triple.object)}
    iris = sorted(
        (t for t in terms if isinstance(t, ox.NamedNode) and _is_template_iri(t)),
        key=lambda t: t.value,
    )
    per_article = {t: t.value[len(SND) :] for t in iris if "/" in t.value[len(SND) :]}
    entities = {t: "" for t in iris if t not in per_article}

    def reach(start: ox.NamedNode) -> list[ox.Triple]:
        """A node's triples and those of the blank nodes they reach."""
        found: list[ox.Triple] = []
        todo: list[Node] = [start]
        seen: set[Node] = set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for triple in by_subject.get(node, []):
                found.append(triple)
                if isinstance(triple.object, ox.BlankNode):
                    todo.append(triple.object)
        return found

    def classes(node: Node) -> list[str]:
        return sorted(
            t.object.value
            for t in by_subject.get(node, [])
            if t.predicate == TYPE and isinstance(t.object, ox.NamedNode)
        )

    def split_labels(
        node: Node, found: list[ox.Triple]
    ) -> tuple[list[ox.Triple], list[tuple[Node, ox.NamedNode, str, str]]]:
        plain: list[ox.Triple] = []
        labels: list[tuple[Node, ox.NamedNode, str, str]] = []
        for triple in found:
            subject, value = triple.subject, triple.object
            if (
                triple.predicate in LABEL_PREDICATES
                and isinstance(value, ox.Literal)
                and isinstance(subject, ox.NamedNode | ox.BlankNode)
            ):
                language = value.language or ""
                names = [class_labels.get((c, language)) for c in classes(subject)]
                base = next((n for n in names if n), None) or value.value
                labels.append((subject, triple.predicate, language, base))
            else:
                plain.append(triple)
        return plain, labels

    descriptions: dict[ox.NamedNode, list[ox.Triple]] = {}
    entity_labels: dict[ox.NamedNode, list[tuple[Node, ox.NamedNode, str, str]]] = {}
    for entity in entities:
        entities[entity] = _local_name(next(iter(classes(entity)), "Entity"))
        plain, labels = split_labels(entity, reach(entity))
        descriptions[entity] = list(dict.fromkeys(plain))
        entity_labels[entity] = list(dict.fromkeys(labels))

    body: list[ox.Triple] = []
    body_labels: list[tuple[Node, ox.NamedNode, str, str]] = []
    for node in per_article:
        plain, labels = split_labels(node, reach(node))
        body += plain
        body_labels += labels
    body = list(dict.fromkeys(body))  # a blank node two nodes reach is written once
    body_labels = list(dict.fromkeys(body_labels))
    copied = [*body, *itertools.chain.from_iterable(descriptions.values())]
    blank_nodes = sorted(
        {
            t
            for triple in copied
            for t in (triple.subject, triple.object)
            if isinstance(t, ox.BlankNode)
        },
        key=str,
    )
    dates = sorted(
        {
            t.object
            for t in body
            if isinstance(t.object, ox.Literal) and t.object.datatype in DATE_TYPES
        },
        key=str,
    )
    claims = sum(1 for node in per_article if any(c in claim_classes for c in classes(node)))
    prefixes = {
        prefix: namespace
        for prefix, namespace in sorted(file_prefixes.items())
        if prefix and not namespace.startswith(SND) and WIKIDATA not in namespace
    }
    prefixes.update(SYNTH_PREFIXES)
    return _Template(
        entities=entities,
        descriptions=descriptions,
        entity_labels=entity_labels,
        body=body,
        labels=body_labels,
        per_article=per_article,
        blank_nodes=blank_nodes,
        dates=[d for d in dates if isinstance(d, ox.Literal)],
        claims=claims,
        prefixes=prefixes,
    )


def _ontology_facts(ontology: list[ox.Quad]) -> tuple[dict[tuple[str, str], str], set[str]]:
    """The ontology's class labels by (class, language), and the subclasses of snk:Claim."""
    labels: dict[tuple[str, str], str] = {}
    children: dict[str, set[str]] = {}
    subclass_of = ox.NamedNode(RDFS + "subClassOf")
    for quad in ontology:
        subject, value = quad.subject, quad.object
        if not isinstance(subject, ox.NamedNode):
            continue
        if quad.predicate.value == RDFS_LABEL and isinstance(value, ox.Literal):
            labels.setdefault((subject.value, value.language or ""), value.value)
        elif quad.predicate == subclass_of and isinstance(value, ox.NamedNode):
            children.setdefault(value.value, set()).add(subject.value)
    claims = {SNK_CLAIM}
    todo = [SNK_CLAIM]
    while todo:
        for child in children.get(todo.pop(), set()) - claims:
            claims.add(child)
            todo.append(child)
    return labels, claims


def _shifted(literal: ox.Literal, days: int) -> ox.Literal:
    """A date or date-time literal moved by ``days`` (unchanged if it is not a valid one)."""
    try:
        day = dt.date.fromisoformat(literal.value[:10])
    except ValueError:
        return literal
    moved = (day + dt.timedelta(days=days)).isoformat()
    return ox.Literal(moved + literal.value[10:], datatype=literal.datatype)


# ---------------------------------------------------------------------------------------------
# Broken cases


@dataclass
class _Case:
    """A broken-data case: its kept triples and expected rows (focus, shape, constraint)."""

    name: str
    triples: list[ox.Triple]
    rows: list[tuple[Node, str, str]]
    blank_nodes: list[ox.BlankNode]
    dates: list[ox.Literal]


def _read_broken_cases(bundle: Bundle, template: _Template) -> list[_Case]:
    """Every broken case of the bundle, without the nodes synthetic data must not hold: the
    case's triples about a node that name a Wikidata IRI (or hold a Wikidata ID as text) or a
    literal no store keeps, the case's own nodes that name those, and their expected rows."""
    from kg.rdf.literal_fidelity import typed_literals

    paths = bundle.broken_cases()
    if not paths:
        raise KgError(
            f"{bundle.broken_dir}: no broken-data cases (*.ttl) to inject; --violations needs "
            "the cases of tests/fixtures/broken (a wheel carries them in kg/bundled/broken)"
        )
    template_nodes = {*template.entities, *template.per_article}
    cases = []
    for path in paths:
        prefixes: dict[str, str] = {}
        quads = parse_file(path, prefixes)
        canonical = _canonical_forms(typed_literals(quads))
        triples = [
            ox.Triple(
                q.subject,
                q.predicate,
                canonical.get(q.object, q.object) if isinstance(q.object, ox.Literal) else q.object,
            )
            for q in quads
        ]
        groups: dict[Node, list[ox.Triple]] = {}
        for triple in triples:
            if isinstance(triple.subject, ox.NamedNode | ox.BlankNode):
                groups.setdefault(triple.subject, []).append(triple)
        dropped = {
            node
            for node, group in groups.items()
            if any(_is_wikidata(t.subject) or _is_wikidata(t.object) for t in group)
            or any(t.object == UNFAITHFUL for t in group)
        }
        while True:  # the case's nodes that name a dropped node of the case go too
            own = dropped - template_nodes
            more = {
                node
                for node, group in groups.items()
                if node not in dropped and any(t.object in own for t in group)
            }
            if not more:
                break
            dropped |= more
        kept = [t for t in triples if t.subject not in dropped]
        blanks = sorted(
            {
                t
                for triple in kept
                for t in (triple.subject, triple.object)
                if isinstance(t, ox.BlankNode)
            },
            key=str,
        )
        rows = [
            (focus, shape, constraint)
            for focus, shape, constraint in _read_case_rows(path, prefixes, blanks)
            if focus is not None and focus not in dropped
        ]
        if not rows:
            continue
        dates = sorted(
            {
                t.object
                for t in kept
                if isinstance(t.object, ox.Literal) and t.object.datatype in DATE_TYPES
            },
            key=str,
        )
        cases.append(_Case(path.name.removesuffix(".ttl"), kept, rows, list(blanks), list(dates)))
    return cases


def _canonical_forms(literals: set[ox.Literal]) -> dict[ox.Literal, ox.Literal]:
    """Literals that an Oxigraph store would not keep as written, each with the form it keeps
    when that has the same datatype (``0.30`` -> ``0.3``: the same value, so the same SHACL
    results on every engine), else with :data:`UNFAITHFUL` (``"5"^^xsd:byte``, ill-typed)."""
    from kg.rdf.literal_fidelity import first_unfaithful_literal

    ordered = sorted(literals, key=str)
    scratch = ox.Store()
    predicate = ox.NamedNode("urn:x-supernode-kg:is")
    for index, literal in enumerate(ordered):
        scratch.add(ox.Quad(ox.NamedNode(f"urn:x-supernode-kg:{index}"), predicate, literal))
    kept = {int(q.subject.value.rsplit(":", 1)[1]): q.object for q in scratch}
    forms: dict[ox.Literal, ox.Literal] = {}
    for index, literal in enumerate(ordered):
        back = kept.get(index)
        if back == literal and first_unfaithful_literal({literal}) is None:
            continue
        same_type = isinstance(back, ox.Literal) and back.datatype == literal.datatype
        if same_type and isinstance(back, ox.Literal) and first_unfaithful_literal({back}) is None:
            forms[literal] = back
        else:
            forms[literal] = UNFAITHFUL
    return forms


def _read_case_rows(
    path: Path, prefixes: dict[str, str], blanks: list[ox.BlankNode]
) -> list[tuple[Node | None, str, str]]:
    """The rows of a case's ``.expected.tsv``, the focus node as a term (None for ``[]`` when
    the case keeps no blank node)."""
    expected = path.with_name(path.name.removesuffix(".ttl") + BROKEN_EXPECTED_SUFFIX)
    try:
        lines = expected.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise KgError(f"{expected}: cannot read: {error.strerror or error}") from None
    if not lines or tuple(lines[0].split("\t")) != BROKEN_HEADER:
        raise KgError(f"{expected}:1: the first line must be {chr(9).join(BROKEN_HEADER)!r}")
    rows: list[tuple[Node | None, str, str]] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != len(BROKEN_HEADER):
            raise KgError(
                f"{expected}:{number}: expected {len(BROKEN_HEADER)} tab-separated fields"
            )
        focus, shape, constraint = fields
        term: Node | None
        if focus == BLANK_FOCUS:
            if len(blanks) > 1:
                raise KgError(f"{path}: a [] row needs a case with at most one blank node")
            term = blanks[0] if blanks else None
        elif focus.startswith("<") and focus.endswith(">"):
            term = ox.NamedNode(focus[1:-1])
        else:
            prefix, _, local = focus.partition(":")
            if prefix not in prefixes:
                raise KgError(
                    f"{expected}:{number}: prefix {prefix!r} is not declared in {path.name}"
                )
            term = ox.NamedNode(prefixes[prefix] + local)
        rows.append((term, shape, constraint))
    return rows


# ---------------------------------------------------------------------------------------------
# Articles


class _World:
    """The state of one synthetic graph: the random source, the entity pools and the numbers.

    :meth:`blocks` yields the graph as blocks, each valid once the blocks before it are written.
    """

    def __init__(
        self, template: _Template, cases: list[_Case], rng: random.Random, violations: int
    ) -> None:
        self.template = template
        self.cases = cases
        self.rng = rng
        self.violations = violations
        self.pools: dict[ox.NamedNode, list[ox.NamedNode]] = {e: [] for e in template.entities}
        self.numbers: dict[str, Iterator[int]] = {}

    def blocks(self) -> Iterator[_Block]:
        """The whole graph, article after article, without end (the reader stops)."""
        for number in itertools.count(1):
            forced = number <= self.violations
            cast, new = self.cast()
            days = -self.rng.randrange(DAYS)
            # The article's nodes too: an entity that names one names this article's copy.
            mapping: dict[Term, Term] = dict(cast)
            for node, path in self.template.per_article.items():
                mapping[node] = ox.NamedNode(f"{SYNTH}a{number}/{path}")
            for index, blank in enumerate(self.template.blank_nodes):
                mapping[blank] = ox.BlankNode(f"a{number}b{index}")
            for date in self.template.dates:
                mapping[date] = _shifted(date, days)
            yield from self.entity_blocks(mapping, new, forced)
            triples = _copy(self.template.body, mapping)
            triples += [
                ox.Triple(
                    _get(mapping, s), p, ox.Literal(f"{base} {number}", language=lang or None)
                )
                for s, p, lang, base in self.template.labels
            ]
            yield _Block(triples, forced, articles=1, claims=self.template.claims)
            if forced:
                yield self.broken(number, mapping, days)

    def cast(self) -> tuple[dict[Term, Term], list[ox.NamedNode]]:
        """Who plays each template entity in the next article, and which of them are new."""
        cast: dict[Term, Term] = {}
        new: list[ox.NamedNode] = []
        for entity, kind in self.template.entities.items():
            pool = self.pools[entity]
            if pool and self.rng.random() < REUSE:
                cast[entity] = self.rng.choice(pool)
                continue
            number = next(self.numbers.setdefault(kind, itertools.count(1)))
            player = ox.NamedNode(f"{ENTITY_NS}{kind}-{number}")
            pool.append(player)
            cast[entity] = player
            new.append(entity)
        return cast, new

    def entity_blocks(
        self, mapping: dict[Term, Term], new: list[ox.NamedNode], forced: bool
    ) -> Iterator[_Block]:
        """The new entities' descriptions, each block with the new entities it names."""
        waiting = set(new)
        for entity in new:
            if entity not in waiting:
                continue
            triples: list[ox.Triple] = []
            count = 0
            todo = [entity]
            while todo:
                current = todo.pop()
                if current not in waiting:
                    continue
                waiting.discard(current)
                count += 1
                triples += self.describe(current, mapping)
                todo += [
                    t.object
                    for t in self.template.descriptions[current]
                    if isinstance(t.object, ox.NamedNode) and t.object in waiting
                ]
            yield _Block(triples, forced, entities=count)

    def describe(self, entity: ox.NamedNode, article: dict[Term, Term]) -> list[ox.Triple]:
        """A new copy of a template entity's description, its labels numbered as its IRI."""
        player = article[entity]
        assert isinstance(player, ox.NamedNode)
        number = player.value.rsplit("-", 1)[1]
        mapping = article
        if self.template.blank_nodes:
            mapping = dict(article)
            tag = re.sub(r"[^A-Za-z0-9]", "", player.value[len(ENTITY_NS) :])
            for index, blank in enumerate(self.template.blank_nodes):
                mapping[blank] = ox.BlankNode(f"e{tag}b{index}")
        triples = _copy(self.template.descriptions[entity], mapping)
        triples += [
            ox.Triple(_get(mapping, s), p, ox.Literal(f"{base} {number}", language=lang or None))
            for s, p, lang, base in self.template.entity_labels[entity]
        ]
        return triples

    def broken(self, number: int, mapping: dict[Term, Term], days: int) -> _Block:
        """A copy of every broken case, pointed at article ``number``'s nodes."""
        triples: list[ox.Triple] = []
        expected: list[tuple[Node, str, str]] = []
        foci: set[Node] = set()
        for case_index, case in enumerate(self.cases):
            renamed: dict[Term, Term] = {}
            for triple in case.triples:
                for term in (triple.subject, triple.object):
                    if term in renamed or not isinstance(term, ox.NamedNode):
                        continue
                    if term in mapping:
                        renamed[term] = mapping[term]
                    elif term.value.startswith(SND):  # the case's own nodes
                        local = term.value[len(SND) :].replace("/", "-")
                        renamed[term] = ox.NamedNode(f"{BROKEN_NS}{case.name}-{number}-{local}")
            for index, blank in enumerate(case.blank_nodes):
                renamed[blank] = ox.BlankNode(f"a{number}c{case_index}b{index}")
            for date in case.dates:
                renamed[date] = _shifted(date, days)
            triples += _copy(case.triples, renamed)
            for focus, shape, constraint in case.rows:
                target = renamed.get(focus, focus)
                assert isinstance(target, ox.NamedNode | ox.BlankNode)
                expected.append((target, shape, constraint))
                foci.add(target)
        return _Block(triples, True, broken_nodes=len(foci), expected=expected)


def _get(mapping: dict[Term, Term], term: Node) -> Node:
    found = mapping.get(term, term)
    assert isinstance(found, ox.NamedNode | ox.BlankNode)
    return found


def _copy(triples: list[ox.Triple], mapping: Mapping[Any, Any]) -> list[ox.Triple]:
    """The triples with their subjects and objects renamed by ``mapping`` (which maps subjects
    to subjects)."""
    get = mapping.get
    return [
        ox.Triple(get(t.subject, t.subject), t.predicate, get(t.object, t.object)) for t in triples
    ]


@click.command("synth")
@click.option(
    "--triples",
    required=True,
    type=click.IntRange(min=1),
    help="How many triples to write (within 3%).",
)
@click.option(
    "--seed",
    default=1,
    show_default=True,
    type=int,
    help="The random seed: the same seed gives the same bytes.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write synthetic.ttl (and expected-violations.tsv) into.",
)
@click.option(
    "--violations",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Inject this many copies of each broken-data case (tests/fixtures/broken); "
    "expected-violations.tsv lists what validation must report.",
)
def main(triples: int, seed: int, out_dir: Path, violations: int) -> None:
    """Write a synthetic graph for benchmarks and tests: renamed copies of the bundled article
    and its entities; it conforms to the shapes unless --violations is given.

    \b
    Examples:
      python -m kgdev.synth --triples 1000000 --seed 7 --out /tmp/synth-1m
      python -m kgdev.synth --triples 10000 --violations 2 --out /tmp/broken && kg validate --data /tmp/broken
    """
    try:
        report = generate(triples, seed, out_dir, violations)
    except KgError as error:
        click.echo(f"synth: error: {error}", err=True)
        raise SystemExit(2) from None
    click.echo(
        f"wrote {report.triples} triples ({report.articles} articles, {report.entities} entities, "
        f"{report.claims} claims, {report.violations} injected violations) to {report.path}"
    )


if __name__ == "__main__":
    main()
