"""Reading a SHACL shapes graph as the SHACL specification defines it, for the fast engine.

The fast engine (:mod:`kg.shacl.fast_validation`) must never answer a question it does not fully
understand. This module reads the whole shapes graph (every shape, explicit and implicit
targets, shapes reached through ``sh:property``, ``sh:or``, ``sh:qualifiedValueShape``,
``sh:node`` and the other shape-valued parameters, every parameter, severity, message and
``sh:deactivated``) and either turns all of it into :class:`Shape` objects the engine compiles,
or raises :class:`UnsupportedShapes` naming the first thing it does not handle, so that the
caller hands the whole validation to pySHACL. The decision is structural: any term of the SHACL
vocabulary outside :data:`COMPILED_TERMS` and :data:`DESCRIPTIVE_TERMS` sends the shapes to
pySHACL, whatever shape it appears on.

SHACL-SPARQL constraints that the specification forbids (``MINUS``, ``VALUES``, ``SERVICE``,
re-binding a pre-bound variable with ``AS``, a sub-select that does not return ``$this``) are
refused for both engines with :class:`kg.base.errors.KgError`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.base.errors import KgError
from kg.base.namespaces import OWL, RDF, RDFS, SH, XSD

Term = ox.NamedNode | ox.BlankNode | ox.Literal
#: A term that can be a triple's subject.
Subject = ox.NamedNode | ox.BlankNode

#: Constraint parameters the fast engine compiles (each has a query in ``kg/shacl/shacl_sparql/``).
COMPILED_PARAMETERS = frozenset(
    SH + name
    for name in (
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minExclusive",
        "minInclusive",
        "maxExclusive",
        "maxInclusive",
        "minLength",
        "maxLength",
        "pattern",
        "flags",
        "languageIn",
        "uniqueLang",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
        "in",
        "hasValue",
        "not",
        "and",
        "or",
        "xone",
        "node",
        "closed",
        "ignoredProperties",
        "qualifiedValueShape",
        "qualifiedValueShapesDisjoint",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "sparql",
    )
)

#: Everything else of the shapes-graph vocabulary that the fast engine honours.
STRUCTURE_TERMS = frozenset(
    SH + name
    for name in (
        "NodeShape",
        "PropertyShape",
        "Shape",
        "targetClass",
        "targetNode",
        "targetSubjectsOf",
        "targetObjectsOf",
        "property",
        "path",
        "inversePath",
        "alternativePath",
        "zeroOrMorePath",
        "oneOrMorePath",
        "zeroOrOnePath",
        "severity",
        "Violation",
        "Warning",
        "Info",
        "message",
        "deactivated",
        "IRI",
        "BlankNode",
        "Literal",
        "BlankNodeOrIRI",
        "BlankNodeOrLiteral",
        "IRIOrLiteral",
        "SPARQLConstraint",
        "select",
        "prefixes",
        "declare",
        "prefix",
        "namespace",
        "PrefixDeclaration",
    )
)

#: Terms that document shapes and change no validation result.
DESCRIPTIVE_TERMS = frozenset(
    SH + name
    for name in (
        "name",
        "description",
        "order",
        "group",
        "defaultValue",
        "PropertyGroup",
        "shapesGraph",
        "suggestedShapesGraph",
        "Parameter",
        "optional",
    )
)

#: The validation-report vocabulary: a shapes file may hold an expected report (as the W3C
#: test suite's files do); it describes results and changes none.
REPORT_TERMS = frozenset(
    SH + name
    for name in (
        "ValidationReport",
        "ValidationResult",
        "AbstractResult",
        "result",
        "conforms",
        "focusNode",
        "resultPath",
        "resultSeverity",
        "sourceConstraintComponent",
        "sourceShape",
        "sourceConstraint",
        "value",
        "resultMessage",
        "detail",
        "Severity",
    )
)

COMPILED_TERMS = COMPILED_PARAMETERS | STRUCTURE_TERMS

NODE_KINDS = frozenset(
    SH + k
    for k in ("IRI", "BlankNode", "Literal", "BlankNodeOrIRI", "BlankNodeOrLiteral", "IRIOrLiteral")
)
_SHAPE_VALUED = (SH + "property", SH + "node", SH + "qualifiedValueShape", SH + "not")
_SHAPE_LISTS = (SH + "and", SH + "or", SH + "xone")
_TARGETS = (SH + "targetClass", SH + "targetNode", SH + "targetSubjectsOf", SH + "targetObjectsOf")
_PATH_KINDS = ("inversePath", "alternativePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath")


class UnsupportedShapes(KgError):
    """The shapes use a SHACL feature the fast engine does not implement (pySHACL takes over)."""


@dataclass(frozen=True)
class Path:
    """A SHACL property path: its SPARQL text and the shapes-graph node that spells it.

    ``nullable`` says the path can have length zero (``sh:zeroOrMorePath``, ``sh:zeroOrOnePath``,
    or a sequence or alternative built on them): then every focus node is one of its own value
    nodes, whether or not the data mentions it (SPARQL 1.1, 9.3, zero-length paths).
    """

    sparql: str
    node: Term
    nullable: bool = False


@dataclass(frozen=True)
class Target:
    """One way a shape selects focus nodes (kind: class, node, subjectsOf, objectsOf)."""

    kind: str
    term: Term


@dataclass(frozen=True)
class SparqlConstraint:
    """A ``sh:sparql`` constraint: its query (prefixes prepended) and its own messages;
    ``predicates`` are the predicate IRIs its patterns can match (None: any)."""

    node: Term
    query: str
    messages: tuple[ox.Literal, ...]
    uses_current_shape: bool
    predicates: frozenset[str] | None = None
    #: one query can answer for every focus node (else one query per focus node)
    join_safe: bool = True
    #: the query reads $shapesGraph (written in as the store's name of the shapes graph)
    uses_shapes_graph: bool = False


@dataclass
class Shape:
    """A shape the fast engine validates: a node shape (no path) or a property shape."""

    node: Term
    path: Path | None
    severity: ox.NamedNode
    messages: tuple[ox.Literal, ...]
    parameters: dict[str, list[Term]]
    targets: list[Target] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    sparql: list[SparqlConstraint] = field(default_factory=list)


class ShapesGraph:
    """Read access to a shapes graph held as triples exactly as parsed."""

    def __init__(self, triples: Iterable[ox.Triple | ox.Quad]) -> None:
        self._by_subject: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self._by_predicate: dict[str, list[tuple[Term, Term]]] = defaultdict(list)
        self.triples: list[tuple[Subject, str, Term]] = []
        for triple in triples:
            subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
            if isinstance(subject, ox.Triple) or isinstance(obj, ox.Triple):
                raise UnsupportedShapes(f"the shapes graph has an RDF 1.2 triple term: {triple}")
            self._by_subject[subject][predicate].append(obj)
            self._by_predicate[predicate].append((subject, obj))
            self.triples.append((subject, predicate, obj))

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        by_predicate = self._by_subject.get(subject)
        return list(by_predicate.get(predicate, ())) if by_predicate else []

    def value(self, subject: Term, predicate: str) -> Term | None:
        values = self.objects(subject, predicate)
        return values[0] if values else None

    def predicates(self, subject: Term) -> set[str]:
        return set(self._by_subject.get(subject, {}))

    def pairs(self, predicate: str) -> list[tuple[Term, Term]]:
        return list(self._by_predicate.get(predicate, ()))

    def term_literals(self) -> list[ox.Triple]:
        """The triples whose literal object the fast engine compares as a term with the data:
        the values of sh:hasValue and sh:targetNode, and the members of lists (sh:in)."""
        compared = {SH + "hasValue", SH + "targetNode", RDF + "first"}
        return [ox.Triple(s, ox.NamedNode(p), o) for s, p, o in self.triples if p in compared]

    def has_type(self, subject: Term, type_iri: str) -> bool:
        return any(
            isinstance(t, ox.NamedNode) and t.value == type_iri
            for t in self.objects(subject, RDF + "type")
        )

    def items(self, head: Term) -> list[Term]:
        """The members of an RDF list."""
        items: list[Term] = []
        seen = set()
        while not (isinstance(head, ox.NamedNode) and head.value == RDF + "nil"):
            first = self.value(head, RDF + "first")
            if first is None or head in seen:
                raise UnsupportedShapes(f"malformed RDF list in the shapes at {head}")
            seen.add(head)
            items.append(first)
            rest = self.value(head, RDF + "rest")
            if rest is None:
                raise UnsupportedShapes(f"malformed RDF list in the shapes at {head}")
            head = rest
        return items

    def structure(self, node: Term) -> list[ox.Triple]:
        """The triples that spell a blank-node structure (a path, a list), to copy into a report."""
        found: list[ox.Triple] = []
        pending, seen = [node], set()
        while pending:
            current = pending.pop()
            if not isinstance(current, ox.BlankNode) or current in seen:
                continue
            seen.add(current)
            for predicate, objects in self._by_subject.get(current, {}).items():
                for obj in objects:
                    found.append(ox.Triple(current, ox.NamedNode(predicate), obj))
                    pending.append(obj)
        return found


def all_shapes(graph: ShapesGraph) -> set[Term]:
    """Every shape of the graph, as the SHACL specification (2.1) defines shapes."""
    shapes: set[Term] = set()
    for kind in ("NodeShape", "PropertyShape"):
        shapes.update(
            s
            for s, o in graph.pairs(RDF + "type")
            if isinstance(o, ox.NamedNode) and o.value == SH + kind
        )
    for predicate in (*_TARGETS, SH + "path"):
        shapes.update(s for s, _ in graph.pairs(predicate))
    for predicate in _SHAPE_VALUED:
        shapes.update(o for _, o in graph.pairs(predicate))
    for predicate in _SHAPE_LISTS:
        for _, head in graph.pairs(predicate):
            shapes.update(graph.items(head))
    return shapes


def read_shapes(graph: ShapesGraph) -> list[Shape]:
    """The shapes the fast engine must validate, each with its targets and constraints.

    Raises:
        UnsupportedShapes: something in the graph is beyond the fast engine.
        KgError: the shapes graph holds no shapes, or a SPARQL constraint breaks SHACL's rules.
    """
    _refuse_unknown_vocabulary(graph)
    shapes = all_shapes(graph)
    if not shapes:
        raise KgError(
            "the shapes graph holds no shapes (no sh:NodeShape, sh:PropertyShape, target or sh:path)"
        )
    _refuse_recursion(graph, shapes)
    validated: list[Shape] = []
    for shape in sorted(shapes, key=str):
        targets = _targets(graph, shape)
        if targets and not _deactivated(graph, shape):
            validated.append(_with_properties(graph, shape, targets))
    return validated


def nested_shape(graph: ShapesGraph, node: Term) -> Shape | None:
    """A shape reached from another (sh:node, sh:property, sh:or ...), to validate on given
    focus nodes; None when it is deactivated (every node conforms to it)."""
    if _deactivated(graph, node):
        return None
    return _with_properties(graph, node, [])


def _with_properties(graph: ShapesGraph, node: Term, targets: list[Target]) -> Shape:
    """The shape at ``node`` with its active sh:property shapes, and theirs, built."""
    built = _shape(graph, node, targets)
    built.properties = [
        _with_properties(graph, child, [])
        for child in graph.objects(node, SH + "property")
        if not _deactivated(graph, child)
    ]
    return built


def _refuse_recursion(graph: ShapesGraph, shapes: set[Term]) -> None:
    """SHACL leaves the validation of recursive shapes undefined (SHACL 3.4.3): a shape that
    reaches itself through shape-valued parameters goes to pySHACL, which decides."""

    def reached(node: Term) -> list[Term]:
        found = [o for p in _SHAPE_VALUED for o in graph.objects(node, p)]
        for predicate in _SHAPE_LISTS:
            for head in graph.objects(node, predicate):
                found.extend(graph.items(head))
        return found

    done: set[Term] = set()
    for start in shapes:
        on_path: set[Term] = set()
        stack: list[tuple[Term, Iterator[Term]]] = []
        if start in done:
            continue
        stack.append((start, iter(reached(start))))
        on_path.add(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.discard(node)
                done.add(node)
            elif child in on_path:
                raise UnsupportedShapes(f"shape {child} is recursive (it reaches itself)")
            elif child not in done:
                stack.append((child, iter(reached(child))))
                on_path.add(child)


def _refuse_unknown_vocabulary(graph: ShapesGraph) -> None:
    for subject, predicate, obj in graph.triples:
        for term in (predicate, obj.value if isinstance(obj, ox.NamedNode) else ""):
            if (
                term.startswith(SH)
                and term not in COMPILED_TERMS
                and term not in DESCRIPTIVE_TERMS
                and term not in REPORT_TERMS
                and not _names_a_component(predicate, term)
            ):
                raise UnsupportedShapes(f"{subject} uses {_short(term)}")
    for typed, obj in graph.pairs(RDF + "type"):
        if isinstance(obj, ox.NamedNode) and obj.value in (
            SH + "ConstraintComponent",
            SH + "SPARQLTarget",
            SH + "SPARQLRule",
            SH + "Function",
        ):
            raise UnsupportedShapes(f"{typed} is a {_short(obj.value)}")


def _names_a_component(predicate: str, term: str) -> bool:
    """An expected report names constraint components (sh:MinCountConstraintComponent ...)."""
    return predicate == SH + "sourceConstraintComponent" and term.endswith("ConstraintComponent")


TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))


def is_true(value: Term | None) -> bool:
    """Only ``true`` (the term ``"true"^^xsd:boolean``) switches a boolean parameter on; ``"1"``
    is a different term and leaves it off (W3C test core/property/uniqueLang-002)."""
    return value == TRUE


def _deactivated(graph: ShapesGraph, node: Term) -> bool:
    return any(is_true(v) for v in graph.objects(node, SH + "deactivated"))


_TARGET_KINDS = {
    SH + "targetClass": "class",
    SH + "targetNode": "node",
    SH + "targetSubjectsOf": "subjectsOf",
    SH + "targetObjectsOf": "objectsOf",
}


def _targets(graph: ShapesGraph, shape: Term) -> list[Target]:
    targets = [
        Target(kind, o) for p, kind in _TARGET_KINDS.items() for o in graph.objects(shape, p)
    ]
    if (graph.has_type(shape, RDFS + "Class") or graph.has_type(shape, OWL + "Class")) and (
        graph.has_type(shape, SH + "NodeShape") or graph.has_type(shape, SH + "PropertyShape")
    ):
        targets.append(Target("class", shape))  # an implicit class target (SHACL 2.1.3.1)
    return targets


def _shape(graph: ShapesGraph, node: Term, targets: list[Target]) -> Shape:
    path_node = graph.value(node, SH + "path")
    severity = graph.value(node, SH + "severity")
    if severity is not None and not isinstance(severity, ox.NamedNode):
        raise UnsupportedShapes(f"shape {node}: sh:severity {severity} is not an IRI")
    parameters = {
        p: graph.objects(node, p) for p in graph.predicates(node) if p in COMPILED_PARAMETERS
    }
    shape = Shape(
        node=node,
        path=Path(path_sparql(graph, path_node), path_node, path_nullable(graph, path_node))
        if path_node is not None
        else None,
        severity=severity or ox.NamedNode(SH + "Violation"),
        messages=tuple(m for m in graph.objects(node, SH + "message") if isinstance(m, ox.Literal)),
        parameters=parameters,
        targets=targets,
    )
    for constraint in parameters.pop(SH + "sparql", []):
        if not _deactivated(graph, constraint):
            shape.sparql.append(sparql_constraint(graph, constraint, shape))
    return shape


def path_sparql(graph: ShapesGraph, node: Term, show: Callable[[ox.NamedNode], str] = str) -> str:
    """A SHACL property path (SHACL 2.3.1) as a SPARQL property path (IRIs written by ``show``)."""
    if isinstance(node, ox.NamedNode):
        return show(node)
    if isinstance(node, ox.Literal):
        raise UnsupportedShapes(f"a literal {node} is not a property path")
    if graph.value(node, RDF + "first") is not None:
        members = graph.items(node)
        if len(members) < 2:
            raise UnsupportedShapes(f"a sequence path needs at least two members: {node}")
        return "(" + "/".join(path_sparql(graph, m, show) for m in members) + ")"
    kinds = [k for k in _PATH_KINDS if graph.value(node, SH + k) is not None]
    if len(kinds) != 1:
        raise UnsupportedShapes(f"{node} is not a SHACL property path")
    inner = graph.value(node, SH + kinds[0])
    assert inner is not None
    if kinds[0] == "alternativePath":
        members = graph.items(inner)
        if len(members) < 2:
            raise UnsupportedShapes(f"an alternative path needs at least two members: {node}")
        return "(" + "|".join(path_sparql(graph, m, show) for m in members) + ")"
    operator = {
        "inversePath": "^",
        "zeroOrMorePath": "*",
        "oneOrMorePath": "+",
        "zeroOrOnePath": "?",
    }[kinds[0]]
    text = path_sparql(graph, inner, show)
    return f"(^{text})" if operator == "^" else f"({text}){operator}"


def path_nullable(graph: ShapesGraph, node: Term) -> bool:
    """Whether a SHACL property path (already read by :func:`path_sparql`) can have length zero."""
    if isinstance(node, ox.NamedNode | ox.Literal):
        return False
    if graph.value(node, RDF + "first") is not None:
        return all(path_nullable(graph, m) for m in graph.items(node))
    for kind in ("zeroOrMorePath", "zeroOrOnePath"):
        if graph.value(node, SH + kind) is not None:
            return True
    alternatives = graph.value(node, SH + "alternativePath")
    if alternatives is not None:
        return any(path_nullable(graph, m) for m in graph.items(alternatives))
    inner = graph.value(node, SH + "inversePath") or graph.value(node, SH + "oneOrMorePath")
    return inner is not None and path_nullable(graph, inner)


def check_patterns(graph: ShapesGraph, show: Callable[[Term], str] = str) -> None:
    """Refuse every sh:pattern that SPARQL's REGEX cannot run, with its sh:flags: such a shape
    is ill-formed (SHACL 4.4.3), and validation must fail rather than conform (3.4.2).

    Raises:
        KgError: one line naming the shape, the pattern and what is wrong with it.
    """
    from kg.shacl.xpath_regex import PatternError, compile_pattern

    for shape, pattern in graph.pairs(SH + "pattern"):
        flags = graph.objects(shape, SH + "flags")
        if not isinstance(pattern, ox.Literal) or len(flags) > 1:
            continue
        flag_text = flags[0].value if flags and isinstance(flags[0], ox.Literal) else ""
        try:
            compile_pattern(pattern.value, flag_text)
        except PatternError as error:
            with_flags = f" with sh:flags {flag_text!r}" if flags else ""
            raise KgError(
                f"shape {show(shape)}: sh:pattern {pattern.value!r}{with_flags} is not a "
                f"regular expression SPARQL's REGEX can run: {error}"
            ) from None


_PREBOUND = ("this", "value", "currentShape", "shapesGraph")


def sparql_constraint(graph: ShapesGraph, node: Term, shape: Shape) -> SparqlConstraint:
    """Read a ``sh:sparql`` constraint, check it against SHACL's rules (5.2.1) and decide how
    ``$this`` must be bound.

    Raises:
        KgError: the query breaks a rule of SHACL-SPARQL (both engines refuse it).
        UnsupportedShapes: the query asks for something the fast engine does not provide.
    """
    from kg.shacl.constraint_queries import analyse_constraint_query

    select = graph.value(node, SH + "select")
    if not isinstance(select, ox.Literal):
        raise UnsupportedShapes(f"SPARQL constraint {node}: only sh:select is supported")
    prologue = "".join(f"PREFIX {p}: <{n}>\n" for p, n in sh_declare_prefixes(graph, node).items())
    text = select.value
    if shape.path is not None:
        text = _replace_variable(text, "PATH", shape.path.sparql)
    query = prologue + text
    analysis = analyse_constraint_query(query, where=f"SPARQL constraint {node}")
    if not analysis.join_safe and "this" not in analysis.projected:
        raise UnsupportedShapes(
            f"SPARQL constraint {node}: $this is neither bound by a top-level triple pattern "
            "nor selected"
        )
    # a pre-bound variable the query does not select is written in as its value (SHACL's
    # pre-binding; Oxigraph substitutes only selected variables): an IRI can be written in
    constants = {"shapesGraph": ox.NamedNode(SHAPES_GRAPH)}
    if isinstance(shape.node, ox.NamedNode):
        constants["currentShape"] = shape.node
    for name in ("currentShape", "shapesGraph"):
        if name in analysis.variables and name not in analysis.projected:
            if name not in constants:
                raise UnsupportedShapes(
                    f"SPARQL constraint {node} uses $currentShape, a blank node, without "
                    "selecting it"
                )
            query = prebind(query, name, str(constants[name]))
    return SparqlConstraint(
        node=node,
        query=query,
        messages=tuple(m for m in graph.objects(node, SH + "message") if isinstance(m, ox.Literal)),
        uses_current_shape="currentShape" in analysis.projected,
        predicates=analysis.predicates,
        join_safe=analysis.join_safe,
        uses_shapes_graph="shapesGraph" in analysis.variables,
    )


#: The name of the shapes graph in the fast engine's store, which $shapesGraph stands for.
SHAPES_GRAPH = "urn:x-kg:shapes-graph"


def prebind(query: str, name: str, term: str) -> str:
    """The query with the variable ``name`` (``?name`` or ``$name``) pre-bound to ``term`` (an
    RDF term in SPARQL syntax): each use in a pattern or expression written as the term, and
    ``BOUND(?name)`` as ``(true)`` (SHACL 5.2.1, pre-binding). Projections (``SELECT ?name``,
    of the query and of sub-selects) keep the variable, and strings, IRIs and comments are left
    alone."""
    import re

    from kg.sparql.text import tokens

    read = list(tokens(query))
    kinds = [kind for kind, _ in read]
    parts = [token for _, token in read]
    opening = re.compile(r"\bBOUND\s*\(\s*$", re.IGNORECASE)
    closing = re.compile(r"^\s*\)")
    clause = re.compile(r"\bSELECT\b|\bWHERE\b|\{", re.IGNORECASE)
    in_projection = False
    for index, kind in enumerate(kinds):
        if kind == "other":
            for found in clause.finditer(parts[index]):
                in_projection = found.group().upper() == "SELECT"
            continue
        if kind != "var" or parts[index][1:] != name or in_projection:
            continue
        before = parts[index - 1] if index else ""
        after = parts[index + 1] if index + 1 < len(parts) else ""
        if (
            kinds[index - 1 : index] == ["other"]
            and opening.search(before)
            and closing.match(after)
        ):
            parts[index - 1] = opening.sub("", before) + "(true)"
            parts[index] = ""
            parts[index + 1] = closing.sub("", after)
        else:
            parts[index] = term
    return "".join(parts)


def _replace_variable(text: str, name: str, replacement: str) -> str:
    import re

    return re.sub(rf"\$\b{name}\b(?![\w])", lambda _: replacement, text)


def sh_declare_prefixes(graph: ShapesGraph, constraint: Term) -> dict[str, str]:
    """The prefixes of ``sh:prefixes``, following ``owl:imports`` (SHACL 5.2.1)."""
    prefixes: dict[str, str] = {}
    pending: list[Term] = list(graph.objects(constraint, SH + "prefixes"))
    seen: set[Term] = set()
    while pending:
        declarer = pending.pop(0)
        if declarer in seen:
            continue
        seen.add(declarer)
        for declaration in graph.objects(declarer, SH + "declare"):
            prefix, namespace = (
                graph.value(declaration, SH + "prefix"),
                graph.value(declaration, SH + "namespace"),
            )
            if not isinstance(prefix, ox.Literal) or not isinstance(namespace, ox.Literal):
                raise KgError(
                    f"a prefix declaration of {declarer} needs a literal sh:prefix and sh:namespace"
                )
            known = prefixes.get(prefix.value)
            if known is not None and known != namespace.value:
                raise KgError(
                    f"prefix {prefix.value}: is declared twice, as <{known}> and <{namespace.value}>"
                )
            prefixes[prefix.value] = namespace.value
        pending.extend(graph.objects(declarer, OWL + "imports"))
    return prefixes


def _short(iri: str) -> str:
    return "sh:" + iri.removeprefix(SH) if iri.startswith(SH) else f"<{iri}>"
