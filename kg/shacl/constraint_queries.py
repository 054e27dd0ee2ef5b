"""SHACL-SPARQL's rules for constraint queries, checked on the parsed query (rdflib's parser).

SHACL 5.2.1 forbids ``MINUS``, ``VALUES``, ``SERVICE``, re-binding a potentially pre-bound
variable with ``AS``, and sub-selects that do not return ``$this``; a processor must refuse
such shapes. The checks read rdflib's syntax tree, so a keyword inside a string, an IRI or a
comment is never mistaken for one.

The same tree tells the fast engine how to bind ``$this``. SHACL pre-binds ``$this`` to one
focus node at a time (Oxigraph's ``substitutions`` do the same). Evaluating the query once
and joining its rows with the focus nodes gives the same answer only when ``$this`` is bound
by a triple pattern at the top of the query's WHERE, it appears elsewhere only in top-level
filters, in OPTIONALs of plain triple patterns and filters that come after that triple, and in
sub-selects of the same kind, and no grouping, ordering or slicing works across focus nodes:
then the query is *join-safe*. Any other query is run once per focus node with ``$this`` substituted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.base.errors import KgError, one_line

if TYPE_CHECKING:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

PREBOUND = frozenset({"this", "value", "currentShape", "shapesGraph"})


@dataclass(frozen=True)
class ConstraintQueryAnalysis:
    """What a constraint query uses: the variables it mentions, whether it is join-safe, and the
    predicates its triple patterns and property paths can match (None when one of them can match
    any predicate: a variable, a negated property set)."""

    variables: frozenset[str]
    projected: frozenset[str]
    join_safe: bool
    predicates: frozenset[str] | None = None


def analyse_constraint_query(query: str, where: str) -> ConstraintQueryAnalysis:
    """Check a SHACL-SPARQL constraint query against SHACL 5.2.1 and analyse how ``$this`` binds.

    Args:
        query: the ``sh:select`` text with its prefixes prepended and ``$PATH`` substituted.
        where: names the constraint in error messages.

    Raises:
        KgError: the query does not parse, or breaks one of SHACL-SPARQL's rules.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        parsed = parseQuery(query)
    except ParseException as error:
        raise KgError(f"{where}: the query does not parse: {one_line(error)}") from None
    except Exception as error:  # rdflib raises plain exceptions for undeclared prefixes
        raise KgError(f"{where}: the query does not parse: {one_line(error)}") from None
    select = parsed[1]
    if not isinstance(select, CompValue) or select.name != "SelectQuery":
        raise KgError(f"{where}: sh:select must hold a SELECT query")
    variables = frozenset(str(v) for v in _variables(select))
    for node in _nodes(select):
        if node.name == "MinusGraphPattern":
            raise KgError(f"{where}: a SPARQL constraint must not use MINUS (SHACL 5.2.1)")
        if node.name == "InlineData" or (
            node.name in ("SelectQuery", "SubSelect") and _field(node, "valuesClause")
        ):
            raise KgError(f"{where}: a SPARQL constraint must not use VALUES (SHACL 5.2.1)")
        if node.name == "ServiceGraphPattern":
            raise KgError(f"{where}: a SPARQL constraint must not use SERVICE (SHACL 5.2.1)")
        rebound = (
            _field(node, "evar")
            if node.name == "vars"
            else _field(node, "var")
            if node.name == "Bind"
            else None
        )
        if rebound is not None and str(rebound) in PREBOUND:
            raise KgError(
                f"{where}: a SPARQL constraint must not bind ${rebound} with AS (SHACL 5.2.1)"
            )
        if node.name == "SubSelect":
            nested_projection = _projected(node)
            if nested_projection is None:
                raise KgError(
                    f"{where}: a nested SELECT * does not return the pre-bound $this (SHACL 5.2.1)"
                )
            if "this" not in nested_projection:
                raise KgError(
                    f"{where}: a nested SELECT must return the pre-bound $this (SHACL 5.2.1)"
                )
    projected = frozenset(_projected(select) or variables)
    return ConstraintQueryAnalysis(
        variables=variables,
        projected=projected,
        join_safe=_join_safe(select),
        predicates=_matched_predicates(parsed),
    )


def _matched_predicates(parsed: ParseResults) -> frozenset[str] | None:
    """Every predicate IRI the query's triple patterns and paths (EXISTS and sub-selects
    included) can match, prefixes resolved; None when some pattern can match any triple or
    node: then the query can see any term of the graph."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        algebra = translateQuery(parsed).algebra
    except Exception:  # rdflib refuses what Oxigraph may accept: assume anything is matched
        return None
    found: set[str] = set()
    pending: list[object] = [algebra]
    while pending:
        node = pending.pop()
        if isinstance(node, CompValue):
            for triple in _items(node, "triples"):
                assert isinstance(triple, list | tuple)
                if not _path_predicates(triple[1], found):
                    return None
            pending.extend(node.values())
        else:
            pending.extend(_members(node))
    return frozenset(found)


def _path_predicates(path: object, found: set[str]) -> bool:
    """Add the IRIs a predicate or property path matches to ``found``; False when it can
    match any predicate (a variable, a negated property set, anything unknown) or bind any node
    (a path that can have length zero)."""
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
    from rdflib.term import URIRef

    if isinstance(path, URIRef):
        found.add(str(path))
        return True
    if isinstance(path, SequencePath | AlternativePath):
        return all(_path_predicates(member, found) for member in path.args)
    if isinstance(path, InvPath):
        return _path_predicates(path.arg, found)
    if isinstance(path, MulPath):  # p* and p? also match every node of the graph to itself
        return path.mod == "+" and _path_predicates(path.path, found)
    return False


def _join_safe(select: object) -> bool:
    """Is ``$this`` bound by a top-level triple pattern, used elsewhere only where the row's
    binding is seen (top-level filters, the projection, join-safe sub-selects), and is nothing
    grouped, ordered or sliced across focus nodes?"""
    if any(_field(select, key) for key in ("orderby", "limitoffset", "having")):
        return False
    group = _field(select, "groupby")
    if group is not None and "this" not in {str(c) for c in _items(group, "condition")}:
        return False
    if group is None and _aggregates(_items(select, "projection")):
        return False
    bound_by_triple = False
    for part in _items(_field(select, "where"), "part"):
        mentions_this = "this" in {str(v) for v in _variables(part)}
        kind = getattr(part, "name", "")
        if kind == "TriplesBlock":
            bound_by_triple = bound_by_triple or mentions_this
        elif kind == "Filter" or not mentions_this:
            continue
        elif kind == "OptionalGraphPattern" and bound_by_triple and _triples_and_filters_only(part):
            # LeftJoin with $this bound on the left: the optional side's rows with $this = f are
            # exactly its rows with f substituted, and its filters see the merged row
            continue
        elif kind == "GroupOrUnionGraphPattern" and len(_items(part, "graph")) == 1:
            (inner,) = _items(part, "graph")
            if getattr(inner, "name", "") != "SubSelect" or not _join_safe(inner):
                return False
            bound_by_triple = True  # every row of a join-safe sub-select binds $this
        else:  # OPTIONAL, UNION, GRAPH, BIND or a nested group that sees $this unbound when joined
            return False
    return bound_by_triple


def _triples_and_filters_only(optional: object) -> bool:
    """Is an OPTIONAL's group made of triple patterns and filters only (no nested group)?"""
    group = _field(optional, "graph")
    parts = _items(group, "part") if group is not None else []
    return all(getattr(part, "name", "") in ("TriplesBlock", "Filter") for part in parts)


def _field(node: object, key: str) -> object:
    """A field of an rdflib parse-tree node, or None (``CompValue.get`` returns the key itself)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue | ParseResults) and key in node:
        return node[key]
    return None


def _items(node: object, key: str) -> list[object]:
    """The members of a list-valued field of a parse-tree node; [] when it is absent or empty."""
    from pyparsing import ParseResults

    value = _field(node, key)
    if not value:
        return []
    return list(value) if isinstance(value, list | tuple | ParseResults) else [value]


def _members(node: object) -> list[object]:
    """The members of a list, tuple or pyparsing ParseResults (anything else has none)."""
    from pyparsing import ParseResults

    return list(node) if isinstance(node, list | tuple | ParseResults) else []


def _projected(select: object) -> set[str] | None:
    projection = _items(select, "projection")
    if not projection:
        return None
    return {str(_field(v, "var") or _field(v, "evar")) for v in projection}


def _aggregates(projection: object) -> bool:
    return any(node.name.startswith("Aggregate_") for node in _nodes(projection))


def _nodes(tree: object) -> Iterator[CompValue]:
    """Every CompValue node of a parse tree, depth first."""
    from rdflib.plugins.sparql.parserutils import CompValue

    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, CompValue):
            yield node
            pending.extend(node.values())
        else:
            pending.extend(_members(node))


def _variables(tree: object) -> Iterator[object]:
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, Variable):
            yield node
        elif isinstance(node, CompValue):
            pending.extend(node.values())
        else:
            pending.extend(_members(node))
