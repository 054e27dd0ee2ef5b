"""Fast SHACL validation: each constraint of the shapes becomes one SPARQL query on Oxigraph.

pySHACL checks node by node in Python; at a million triples that takes minutes. Here every
constraint is answered for all focus nodes at once by Oxigraph, with the queries of
``kg/shacl/shacl_sparql/`` (one per SHACL Core constraint component) and the shapes' own
SHACL-SPARQL constraints. :mod:`kg.shacl.shapes` reads the whole shapes graph first and raises
:class:`UnsupportedShapes` for anything this engine does not implement, so that `kg validate`
hands the whole validation to pySHACL instead of answering wrongly.

The data store must hold every literal exactly as written: literals the store would rewrite are
held as surrogates (:mod:`kg.shacl.written_literals`, loaded by :mod:`kg.shacl.data_graph`), and
every row a query returns is read back as written. Where SHACL's answer depends on more than the
store decides exactly, the query only enumerates candidate rows and Python decides each one:
value ranges and property-pair comparisons (:mod:`kg.shacl.comparison`, after a SPARQL pre-filter
that drops only rows the store is exact about) and sh:pattern (:mod:`kg.shacl.xpath_regex`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.base.errors import KgError, one_line
from kg.base.namespaces import RDF, RDFS, SH
from kg.shacl.comparison import holds, trusted_bound_filter, trusted_pair_filter
from kg.shacl.shapes import (
    NODE_KINDS,
    Shape,
    ShapesGraph,
    SparqlConstraint,
    Target,
    Term,
    UnsupportedShapes,
    is_true,
    path_nullable,
    path_sparql,
)
from kg.shacl.shapes import (
    Path as PropertyPath,
)
from kg.shacl.written_literals import written, written_datatype
from kg.shacl.xpath_regex import PatternError, compile_pattern, store_agrees
from kg.sparql.text import read_prologue

TEMPLATES = Path(__file__).resolve().parent / "shacl_sparql"

#: One answer of a query: variable name -> the term bound to it.
Row = dict[str, Term]

__all__ = ["FastResult", "UnsupportedShapes", "validate_store"]

_NODE_KIND_TESTS = {
    SH + "IRI": "isIRI(?value)",
    SH + "BlankNode": "isBlank(?value)",
    SH + "Literal": "isLiteral(?value)",
    SH + "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
    SH + "BlankNodeOrLiteral": "(isBlank(?value) || isLiteral(?value))",
    SH + "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))",
}
#: Each value-range parameter and the operator a value must satisfy against its bound.
_COMPARISONS = {
    "minExclusive": ">",
    "minInclusive": ">=",
    "maxExclusive": "<",
    "maxInclusive": "<=",
}
#: Each property-pair comparison and the operator a value must satisfy against the other's.
_PAIR_OPERATORS = {"lessThan": "<", "lessThanOrEquals": "<="}
#: Constraint components that apply to property shapes only (SHACL 4).
_PROPERTY_ONLY = {
    SH + p
    for p in (
        "minCount",
        "maxCount",
        "uniqueLang",
        "lessThan",
        "lessThanOrEquals",
        "qualifiedValueShape",
        "qualifiedMinCount",
        "qualifiedMaxCount",
    )
}


@dataclass(frozen=True)
class FastResult:
    """One validation result, with full terms (display happens later).

    Attributes:
        focus: the focus node.
        path: the shapes-graph node that spells the result path (None for node shapes).
        component: the constraint component's IRI.
        shape: the source shape.
        severity: the shape's severity (``sh:Violation`` unless it says otherwise).
        messages: the shape's or constraint's ``sh:message`` values, substituted.
        default_message: the engine's own message, used when ``messages`` is empty.
        value: the value node, where the component reports one.
        constraint: the ``sh:sparql`` constraint node, for SPARQL-based results.
    """

    focus: Term
    path: Term | None
    component: str
    shape: Term
    severity: ox.NamedNode
    messages: tuple[ox.Literal, ...]
    default_message: str
    value: Term | None = None
    constraint: Term | None = None


@cache
def _template(component: str) -> str:
    return (TEMPLATES / f"{component}.rq").read_text(encoding="utf-8")


@dataclass(frozen=True)
class _Check:
    """One query to run and how its rows become results."""

    shape: Shape
    component: str
    query: str
    describe: Callable[[Row], str]
    reports_value: bool = True
    #: for a query that answers two components at once, which one a row breaks
    component_of: Callable[[Row], str] | None = None
    #: for a query that returns candidates, whether a row is a result (decided in Python)
    keep: Callable[[Row], bool] | None = None


def validate_store(
    data: ox.Store,
    shapes_graph: ShapesGraph,
    shapes: list[Shape],
    show: Callable[[Term], str],
    workers: int = 1,
    constants: Mapping[Term, Term] | None = None,
) -> list[FastResult]:
    """Validate the data in ``data`` (ontology merged in) against shapes.

    Args:
        data: the data graph, every literal as written (surrogates where the store would not
            keep one, see :mod:`kg.shacl.written_literals`).
        shapes_graph: the shapes graph, as parsed.
        shapes: the shapes to validate, from :func:`kg.shacl.shapes.read_shapes` on that graph.
        show: how a term is written in default messages (prefixed names).
        workers: processes answering the queries (see :func:`answer_queries`).
        constants: the shapes' literals that the store holds as surrogates (sh:in members,
            sh:hasValue, sh:targetNode), mapped to their surrogates.

    Raises:
        UnsupportedShapes: the shapes use a feature this engine does not implement.
        KgError: an sh:pattern that SPARQL's REGEX cannot run.
    """
    in_store = dict(constants or {})

    def constant(term: Term) -> Term:
        return in_store.get(term, term)

    checks: list[_Check] = []
    sparql: list[tuple[Shape, SparqlConstraint, str]] = []
    for shape in shapes:
        target = _target_pattern(shape.targets, constant)
        for member in (shape, *shape.properties):
            checks.extend(_checks(shapes_graph, member, target, show, constant))
            sparql.extend((member, constraint, target) for constraint in member.sparql)
    queries = [Query(check.query, keep=check.keep) for check in checks]
    queries += [_sparql_query(*job) for job in sparql]
    answers = answer_queries(data, queries, workers)
    results: list[FastResult] = []
    for check, rows in zip(checks, answers, strict=False):
        for row in rows:
            results.append(
                FastResult(
                    focus=row["this"],
                    path=check.shape.path.node if check.shape.path else None,
                    component=SH
                    + (check.component_of(row) if check.component_of else check.component),
                    shape=check.shape.node,
                    severity=check.shape.severity,
                    messages=check.shape.messages,
                    default_message=check.describe(row),
                    value=row["value"] if check.reports_value else None,
                )
            )
    for (shape, constraint, _), rows in zip(sparql, answers[len(checks) :], strict=True):
        results.extend(_sparql_results(shape, constraint, rows))
    return results


@dataclass(frozen=True)
class Query:
    """A SELECT query to answer on the data, with variables to substitute (SEP-0007), and which
    of its rows to keep (all, without ``keep``); rows are read with every term as written."""

    text: str
    substitutions: tuple[tuple[str, Term], ...] = ()
    keep: Callable[[Row], bool] | None = None


def answer_queries(data: ox.Store, queries: list[Query], workers: int = 1) -> list[list[Row]]:
    """The rows of each query, in order; with ``workers`` > 1, forked processes share the work.

    pyoxigraph holds the GIL while results are read, so threads do not run queries in parallel;
    processes forked after loading share the in-memory store's pages and take queries from one
    queue until none is left.
    """
    import multiprocessing

    if workers <= 1 or len(queries) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [_answer(data, query) for query in queries]
    context = multiprocessing.get_context("fork")
    pending = context.SimpleQueue()
    for index in range(len(queries)):
        pending.put(index)
    for _ in range(workers):
        pending.put(None)
    channels = []
    for _ in range(workers - 1):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_answer_from_queue, args=(data, queries, pending, sender), daemon=True
        )
        process.start()
        sender.close()
        channels.append((process, receiver))
    answers: dict[int, list[Row]] = dict(_answers_from_queue(data, queries, pending))
    for process, receiver in channels:
        try:
            outcome, payload = receiver.recv()
        except EOFError:
            outcome, payload = "failed", "a validation worker process stopped unexpectedly"
        process.join()
        if outcome == "failed":
            raise KgError(str(payload))
        answers.update(payload)
    return [answers[index] for index in range(len(queries))]


def _answers_from_queue(
    data: ox.Store, queries: list[Query], pending: object
) -> Iterator[tuple[int, list[Row]]]:
    while (index := pending.get()) is not None:  # type: ignore[attr-defined]
        yield index, _answer(data, queries[index])


def _answer_from_queue(
    data: ox.Store, queries: list[Query], pending: object, sender: object
) -> None:
    try:
        answers = dict(_answers_from_queue(data, queries, pending))
    except Exception as error:
        sender.send(("failed", one_line(error)))  # type: ignore[attr-defined]
        return
    sender.send(("answered", answers))  # type: ignore[attr-defined]


def _answer(data: ox.Store, query: Query) -> list[Row]:
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(name): term for name, term in query.substitutions
    }
    solutions = data.query(query.text, substitutions=substitutions or None)
    if not isinstance(solutions, ox.QuerySolutions):
        raise KgError(f"a validation query is not a SELECT query: {query.text[:80]!r}")
    if query.keep is None:
        return list(_rows(solutions))
    keep = query.keep
    return [row for row in _rows(solutions) if keep(row)]


def _target_pattern(targets: list[Target], constant: Callable[[Term], Term]) -> str:
    """A group pattern binding ?this to every focus node of the targets (a literal target node
    as the store holds it)."""
    alternatives = []
    for target in targets:
        if target.kind == "class":
            alternatives.append(f"?this <{RDF}type>/<{RDFS}subClassOf>* {target.term} .")
        elif target.kind == "node":
            if isinstance(target.term, ox.BlankNode):
                raise UnsupportedShapes(f"sh:targetNode {target.term} is a blank node")
            alternatives.append(f"VALUES ?this {{ {constant(target.term)} }}")
        elif target.kind == "subjectsOf":
            alternatives.append(f"?this {_iri(target.term, 'sh:targetSubjectsOf')} ?targetValue .")
        else:
            alternatives.append(f"?targetSubject {_iri(target.term, 'sh:targetObjectsOf')} ?this .")
    return " UNION ".join(f"{{ {a} }}" for a in alternatives)


def _iri(term: Term, parameter: str) -> str:
    if not isinstance(term, ox.NamedNode):
        raise UnsupportedShapes(f"{parameter} {term} is not an IRI")
    return str(term)


def _single(shape: Shape, name: str) -> Term:
    values = shape.parameters[SH + name]
    if len(values) != 1:
        raise UnsupportedShapes(f"shape {shape.node} has {len(values)} values of sh:{name}")
    return values[0]


def _integer(shape: Shape, name: str) -> int:
    value = _single(shape, name)
    if not isinstance(value, ox.Literal) or not re.fullmatch(r"[+-]?[0-9]+", value.value):
        raise UnsupportedShapes(f"shape {shape.node}: sh:{name} {value} is not an integer")
    return int(value.value)


def _values(path: PropertyPath | None, variable: str = "value", tag: str = "") -> str:
    """A pattern that, placed after the pattern binding ``?this``, binds ``?variable`` to each
    value node of ``?this``. A path that can have length zero reaches the focus node itself even
    when no triple mentions it (a SPARQL path pattern with both ends unbound would not), so its
    values are the focus node and the nodes the path reaches, taken in one group (bottom-up
    evaluation would see ``?this`` unbound inside a nested group); ``tag`` keeps the helper
    variables of two such patterns apart."""
    if path is None:
        return f"BIND (?this AS ?{variable})"
    if not path.nullable:
        return f"?this {path.sparql} ?{variable} ."
    reached, zero = f"?reached{tag}", f"?zeroStep{tag}"
    return (
        f"OPTIONAL {{ ?this {path.sparql} {reached} }} VALUES {zero} {{ true false }} "
        f"BIND (IF({zero}, ?this, {reached}) AS ?{variable}) FILTER (BOUND(?{variable}))"
    )


def _optional_values(path: PropertyPath | None) -> str:
    """As :func:`_values`, but a focus node without values keeps one row, ``?value`` unbound."""
    if path is not None and not path.nullable:
        return f"OPTIONAL {{ ?this {path.sparql} ?value }}"
    return _values(path)  # the focus node is a value node: every focus node has one


def _is_value(path: PropertyPath | None, term: str) -> str:
    """A SPARQL expression: is ``term`` (a variable bound beside ``?this``, or a constant) a
    value node of ``?this``?"""
    if path is None:
        return f"sameTerm(?this, {term})"
    reached = f"EXISTS {{ ?this {path.sparql} {term} }}"
    return f"(sameTerm(?this, {term}) || {reached})" if path.nullable else reached


def _checks(
    graph: ShapesGraph,
    shape: Shape,
    target: str,
    show: Callable[[Term], str],
    constant: Callable[[Term], Term] = lambda term: term,
) -> Iterator[_Check]:
    """The queries of a shape's core constraints, with the placeholders filled; ``constant``
    gives the store's term for a literal of the shapes (its surrogate, if it has one)."""
    parameters = shape.parameters
    if shape.path is None and _PROPERTY_ONLY & set(parameters):
        raise UnsupportedShapes(f"node shape {shape.node} uses a property-shape parameter")
    path = shape.path.sparql if shape.path else ""
    nullable = shape.path is not None and shape.path.nullable
    shown_path = show(shape.path.node) if shape.path else ""
    where = f"{shown_path} of " if shape.path else ""

    def check(
        component: str,
        describe: Callable[[Row], str],
        *,
        reports_value: bool = True,
        template: str = "",
        component_of: Callable[[Row], str] | None = None,
        fill: Mapping[str, str] | None = None,
        keep: Callable[[Row], bool] | None = None,
    ) -> _Check:
        """The check of ``component``, its query's ``$NAME`` placeholders filled from ``fill``."""
        query = (
            _template(template or component)
            .replace("$TARGET", target)
            .replace("$VALUES", _values(shape.path))
            .replace("$OPTIONAL_VALUES", _optional_values(shape.path))
            .replace("$OTHER_VALUES", _values(shape.path, "other", "Other"))
            .replace("$IS_VALUE", _is_value(shape.path, "?value"))
            .replace("$PATH", path)
        )
        for name, text in (fill or {}).items():
            query = query.replace(f"${name}", text)
        return _Check(shape, component, query, describe, reports_value, component_of, keep)

    def value_of(row: Row) -> str:
        return show(row["value"])

    def about_value(before: str, after: str) -> Callable[[Row], str]:
        """A default message naming the row's value between two fixed texts."""
        return lambda row: f"{before}{value_of(row)}{after}"

    def about_focus(before: str, after: str) -> Callable[[Row], str]:
        """A default message naming the row's focus node between two fixed texts."""
        return lambda row: f"{before}{show(row['this'])}{after}"

    minimum = _integer(shape, "minCount") if SH + "minCount" in parameters else None
    maximum = _integer(shape, "maxCount") if SH + "maxCount" in parameters else None
    if minimum is not None and maximum is not None and minimum <= maximum:
        # both bounds in one pass over the focus nodes (the commonest pair: exactly one value);
        # a count then breaks at most one of them (minCount above maxCount can break both: each
        # bound gets its own query below)
        low, high = minimum, maximum

        def count_component(row: Row) -> str:
            return (
                "MinCountConstraintComponent"
                if int(row["count"].value) < low
                else "MaxCountConstraintComponent"
            )

        def count_message(row: Row) -> str:
            fewer = int(row["count"].value) < low
            return f"{'Less' if fewer else 'More'} than {low if fewer else high} values on {show(row['this'])}->{shown_path}"

        yield check(
            "MinCountConstraintComponent",
            count_message,
            reports_value=False,
            template="CountConstraintComponents",
            component_of=count_component,
            fill={"minCount": str(low), "maxCount": str(high)},
        )
    else:
        # a path that can have length zero has the focus node as a value: one value at least
        if minimum is not None and not (nullable and minimum <= 1):
            # at least one value: an anti-join, three times faster than counting every focus
            # node's values
            yield check(
                "MinCountConstraintComponent",
                about_focus(f"Less than {minimum} values on ", f"->{shown_path}"),
                reports_value=False,
                template="MinCountConstraintComponent.at-least-one" if minimum == 1 else "",
                fill={"minCount": str(minimum)},
            )
        if maximum is not None:
            yield check(
                "MaxCountConstraintComponent",
                about_focus(f"More than {maximum} values on ", f"->{shown_path}"),
                reports_value=False,
                fill={"maxCount": str(maximum)},
            )
    for datatype in parameters.get(SH + "datatype", []):
        yield check(
            "DatatypeConstraintComponent",
            about_value("Value ", f" is not a literal with datatype {show(datatype)}"),
            fill={
                "datatype": _iri(datatype, "sh:datatype"),
                "writtenDatatype": f"<{written_datatype(datatype.value)}>",
            },
        )
    for cls in parameters.get(SH + "class", []):
        yield check(
            "ClassConstraintComponent",
            about_value("Value ", f" does not have class {show(cls)}"),
            fill={"class": _iri(cls, "sh:class")},
        )
    for kind in parameters.get(SH + "nodeKind", []):
        if not isinstance(kind, ox.NamedNode) or kind.value not in NODE_KINDS:
            raise UnsupportedShapes(f"shape {shape.node}: unknown sh:nodeKind {kind}")
        yield check(
            "NodeKindConstraintComponent",
            about_value("Value ", f" is not of node kind {show(kind)}"),
            fill={"NODEKIND": _NODE_KIND_TESTS[kind.value]},
        )
    for name, operator in _COMPARISONS.items():
        for bound in parameters.get(SH + name, []):
            component = name[0].upper() + name[1:] + "ConstraintComponent"
            exact = (
                trusted_bound_filter(bound, _kept_as_written(bound))
                if isinstance(bound, ox.Literal)
                else "false"
            )
            yield check(
                component,
                about_value("Value ", f" is not {operator} {show(bound)}"),
                fill={name: str(bound), "STORE_EXACT": exact},
                keep=_out_of_range(operator, bound),
            )
    for name, operator in (("minLength", ">="), ("maxLength", "<=")):
        if SH + name in parameters:
            n = _integer(shape, name)
            component = name[0].upper() + name[1:] + "ConstraintComponent"
            yield check(
                component,
                about_value("Value ", f" does not have a length {operator} {n}"),
                fill={name: str(n)},
            )
    if SH + "pattern" in parameters:
        flags = parameters.get(SH + "flags", [])
        if len(flags) > 1 or any(not isinstance(f, ox.Literal) for f in flags):
            raise UnsupportedShapes(f"shape {shape.node}: sh:flags must be one literal")
        flag_text = flags[0].value if flags else ""
        for pattern in parameters[SH + "pattern"]:
            if not isinstance(pattern, ox.Literal):
                raise UnsupportedShapes(
                    f"shape {shape.node}: sh:pattern {pattern} is not a literal"
                )
            prefilter = (
                f"REGEX(STR(?value), {_string(pattern.value)})"
                if store_agrees(pattern.value, flag_text)
                else "false"
            )
            yield check(
                "PatternConstraintComponent",
                about_value("Value ", f" does not match pattern {pattern.value!r}"),
                fill={"PREFILTER": prefilter},
                keep=_mismatch(shape, pattern.value, flag_text, show),
            )
    elif SH + "flags" in parameters:
        raise UnsupportedShapes(f"shape {shape.node}: sh:flags without sh:pattern")
    for head in parameters.get(SH + "languageIn", []):
        tags = [t.value for t in graph.items(head) if isinstance(t, ox.Literal)]
        yield check(
            "LanguageInConstraintComponent",
            about_value("Language of ", f" is not in {', '.join(tags)}"),
            fill={"LANGUAGES": _languages(tags)},
        )
    for unique in parameters.get(SH + "uniqueLang", []):
        if is_true(unique):
            yield check(
                "UniqueLangConstraintComponent",
                lambda r: (
                    f'More than one value of {where}{show(r["this"])} has the language "{r["language"].value}"'
                ),
                reports_value=False,
            )
    for head in parameters.get(SH + "in", []):
        members = graph.items(head)
        if any(isinstance(m, ox.BlankNode) for m in members):
            raise UnsupportedShapes(f"shape {shape.node}: sh:in lists a blank node")
        yield check(
            "InConstraintComponent",
            about_value("Value ", f" is not in {', '.join(show(x) for x in members)}"),
            fill={"in": " ".join(str(constant(m)) for m in members)},
        )
    for value in parameters.get(SH + "hasValue", []):
        if isinstance(value, ox.BlankNode):
            raise UnsupportedShapes(f"shape {shape.node}: sh:hasValue is a blank node")
        yield check(
            "HasValueConstraintComponent",
            about_focus(where, f" does not have the value {show(value)}"),
            reports_value=False,
            fill={"HAS_VALUE": _is_value(shape.path, str(constant(value)))},
        )
    for name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
        for other in parameters.get(SH + name, []):
            component = name[0].upper() + name[1:] + "ConstraintComponent"
            words = {
                "equals": "is not also a value of",
                "disjoint": "is also a value of",
                "lessThan": "is not less than the values of",
                "lessThanOrEquals": "is not less than or equal to the values of",
            }
            pair_operator = _PAIR_OPERATORS.get(name)
            yield check(
                component,
                about_value("Value ", f" {words[name]} {show(other)}"),
                fill={name: _iri(other, f"sh:{name}"), "PAIR_STORE_EXACT": trusted_pair_filter()},
                keep=_not_ordered(pair_operator) if pair_operator else None,
            )
    for head in parameters.get(SH + "or", []):
        members = graph.items(head)
        classes = _only_classes(graph, members)
        if (
            classes
        ):  # an instance of one of these classes: one anti-join instead of a test per value
            instances = " UNION ".join(
                f"{{ ?value <{RDF}type>/<{RDFS}subClassOf>* {c} }}" for c in classes
            )
            yield check(
                "OrConstraintComponent",
                lambda r: f"Value {value_of(r)} does not conform to any shape of sh:or",
                template="OrConstraintComponent.classes",
                fill={"INSTANCES": instances},
            )
            continue
        conforms = " || ".join(f"({_conforms(graph, m)})" for m in members) or "false"
        yield check(
            "OrConstraintComponent",
            lambda r: f"Value {value_of(r)} does not conform to any shape of sh:or",
            fill={"CONFORMS": conforms},
        )
    if SH + "qualifiedValueShape" in parameters:
        conforms = _conforms(graph, _single(shape, "qualifiedValueShape"))
        if SH + "qualifiedMinCount" in parameters:
            n = _integer(shape, "qualifiedMinCount")
            yield check(
                "QualifiedMinCountConstraintComponent",
                about_focus(f"Less than {n} values of {where}", " conform to the qualified shape"),
                reports_value=False,
                fill={"CONFORMS": conforms, "qualifiedMinCount": str(n)},
            )
        if SH + "qualifiedMaxCount" in parameters:
            n = _integer(shape, "qualifiedMaxCount")
            yield check(
                "QualifiedMaxCountConstraintComponent",
                about_focus(f"More than {n} values of {where}", " conform to the qualified shape"),
                reports_value=False,
                fill={"CONFORMS": conforms, "qualifiedMaxCount": str(n)},
            )
    elif {SH + "qualifiedMinCount", SH + "qualifiedMaxCount"} & set(parameters):
        raise UnsupportedShapes(
            f"shape {shape.node}: a qualified count without sh:qualifiedValueShape"
        )


def _kept_as_written(literal: ox.Literal) -> bool:
    """Does the store keep this literal as written (then it reads it exactly, or not at all)?"""
    from kg.rdf.literal_fidelity import store_rewrites

    return not store_rewrites([literal])


def _out_of_range(operator: str, bound: Term) -> Callable[[Row], bool]:
    """Is a row's value a result of a value range: not ``value operator bound``, or the two not
    comparable (SHACL 4.3)?"""
    return lambda row: not holds(operator, row["value"], bound)


def _not_ordered(operator: str) -> Callable[[Row], bool]:
    """Is a row a result of a property pair: not ``value operator other``, or the two not
    comparable (SHACL 4.5.3, 4.5.4)?"""
    return lambda row: not holds(operator, row["value"], row["other"])


def _mismatch(
    shape: Shape, pattern: str, flags: str, show: Callable[[Term], str]
) -> Callable[[Row], bool]:
    """Is a row's value a result of sh:pattern: a blank node, or a node whose string does not
    match (SHACL 4.4.3, with REGEX's XPath syntax)?

    Raises:
        KgError: SPARQL's REGEX cannot run the pattern with these flags.
    """
    try:
        regex = compile_pattern(pattern, flags)
    except PatternError as error:
        raise KgError(
            f"shape {show(shape.node)}: sh:pattern {pattern!r} is not a regular expression "
            f"SPARQL's REGEX can run: {error}"
        ) from None
    search = regex.search

    def mismatch(row: Row) -> bool:
        value = row["value"]
        if not isinstance(value, ox.Literal | ox.NamedNode):
            return True
        return search(value.value) is None

    return mismatch


def _string(text: str) -> str:
    """A SPARQL string literal."""
    return (
        '"'
        + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        + '"'
    )


def _languages(tags: list[str]) -> str:
    return " || ".join(f"langMatches(lang(?value), {_string(tag)})" for tag in tags) or "false"


def _only_classes(graph: ShapesGraph, members: list[Term]) -> list[str]:
    """The classes, when every member of an sh:or is exactly ``[ sh:class C ]``; else []."""
    classes = []
    for member in members:
        predicates = graph.predicates(member) - {RDF + "type"}
        values = graph.objects(member, SH + "class")
        if (
            predicates != {SH + "class"}
            or len(values) != 1
            or not isinstance(values[0], ox.NamedNode)
        ):
            return []
        classes.append(str(values[0]))
    return classes


def _conforms(graph: ShapesGraph, nested: Term) -> str:
    """A SPARQL expression: does ?value conform to the (small) nested shape?

    Only the few parameters written below are understood; any other raises UnsupportedShapes.
    """
    if any(is_true(v) for v in graph.objects(nested, SH + "deactivated")):
        return "true"
    parts: list[str] = []
    ignored = {
        RDF + "type",
        SH + "message",
        SH + "severity",
        SH + "name",
        SH + "description",
        RDFS + "label",
        RDFS + "comment",
        SH + "deactivated",
    }
    parameters = graph.predicates(nested) - ignored
    for predicate in sorted(parameters):
        values = graph.objects(nested, predicate)
        if predicate == SH + "class":
            parts.extend(
                f"EXISTS {{ ?value <{RDF}type>/<{RDFS}subClassOf>* {_iri(c, 'sh:class')} }}"
                for c in values
            )
        elif predicate == SH + "datatype":
            parts.extend(
                f"(isLiteral(?value) && (sameTerm(datatype(?value), {_iri(d, 'sh:datatype')})"
                f" || sameTerm(datatype(?value), <{written_datatype(d.value)}>)))"
                for d in values
            )
        elif predicate == SH + "nodeKind":
            for kind in values:
                if not isinstance(kind, ox.NamedNode) or kind.value not in NODE_KINDS:
                    raise UnsupportedShapes(f"nested shape {nested}: unknown sh:nodeKind {kind}")
                parts.append(_NODE_KIND_TESTS[kind.value])
        elif predicate == SH + "languageIn":
            for head in values:
                tags = [t.value for t in graph.items(head) if isinstance(t, ox.Literal)]
                parts.append(f"(isLiteral(?value) && ({_languages(tags)}))")
        elif predicate == SH + "path":
            minimum = graph.objects(nested, SH + "minCount")
            if (
                parameters - {SH + "path", SH + "minCount"}
                or len(minimum) != 1
                or getattr(minimum[0], "value", "") != "1"
            ):
                raise UnsupportedShapes(
                    f"nested shape {nested}: only [sh:path P; sh:minCount 1] is supported"
                )
            if not path_nullable(graph, values[0]):  # else ?value is its own value: always one
                parts.append(f"EXISTS {{ ?value {path_sparql(graph, values[0])} ?nestedValue }}")
        elif predicate == SH + "minCount" and SH + "path" in parameters:
            continue
        else:
            raise UnsupportedShapes(f"nested shape {nested}: unsupported parameter {predicate}")
    return " && ".join(parts) or "true"


def _sparql_query(shape: Shape, constraint: SparqlConstraint, target: str) -> Query:
    """A join-safe SHACL-SPARQL constraint (checked by :mod:`kg.shacl.constraint_queries`) as one
    query answering for every focus node at once (SHACL 5.3.1)."""
    prologue, select = _split_prologue(constraint.query)
    # the line break ends a comment on the constraint's last line before the closing brackets
    joined = f"{prologue}SELECT * WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {target} }} }} {{ {select}\n}} }}"
    return Query(joined, (("currentShape", shape.node),) if constraint.uses_current_shape else ())


def _sparql_results(
    shape: Shape, constraint: SparqlConstraint, rows: list[Row]
) -> list[FastResult]:
    """The results of a SHACL-SPARQL constraint's rows (SHACL 5.3.2)."""
    messages = constraint.messages or shape.messages
    results = []
    for row in rows:
        focus = row["this"]
        if shape.path is not None:
            path: Term | None = shape.path.node
        else:
            bound_path = row.get("path")
            path = bound_path if isinstance(bound_path, ox.NamedNode) else None
        value = row.get("value") or (focus if shape.path is None else None)
        results.append(
            FastResult(
                focus=focus,
                path=path,
                component=SH + "SPARQLConstraintComponent",
                shape=shape.node,
                severity=shape.severity,
                messages=tuple(_substitute(m, row) for m in messages),
                default_message=f"SPARQL constraint {constraint.node} reports {focus}",
                value=value,
                constraint=constraint.node,
            )
        )
    return results


def _rows(solutions: ox.QuerySolutions) -> Iterator[dict[str, Term]]:
    """The solutions as rows, every term as the data wrote it (surrogates read back)."""
    names = [v.value for v in solutions.variables]
    for solution in solutions:
        row = {name: written(solution[name]) for name in names if solution[name] is not None}
        if "this" in row:
            yield row


def _split_prologue(query: str) -> tuple[str, str]:
    """The PREFIX and BASE declarations in front of a query, and the SELECT query after them."""
    end = read_prologue(query).end
    return query[:end], query[end:]


_MESSAGE_VARIABLE = re.compile(r"\{[?$](\w+)\}")


def _substitute(message: ox.Literal, row: dict[str, Term]) -> ox.Literal:
    """A message with ``{?var}`` and ``{$var}`` replaced by the row's values (SHACL 5.3.2)."""

    def value(match: re.Match[str]) -> str:
        term = row.get(match.group(1))
        if isinstance(term, ox.Literal | ox.NamedNode):
            return term.value
        return "" if term is None else str(term)

    text = _MESSAGE_VARIABLE.sub(value, message.value)
    if message.language:
        return ox.Literal(text, language=message.language)
    return ox.Literal(text, datatype=message.datatype)
