"""Fast SHACL validation: each constraint of the shapes becomes one SPARQL query on Oxigraph.

pySHACL checks node by node in Python; at a million triples that takes minutes. Here every
constraint is answered for all focus nodes at once by Oxigraph, with the queries of
``kg/shacl_sparql/`` (one per SHACL Core constraint component) and the shapes' own
SHACL-SPARQL constraints. The features our shapes use are supported; shapes that use anything
else raise :class:`UnsupportedShapes`, and `kg validate` then uses pySHACL. pySHACL stays the
reference: tests compare both engines' results on the bundled data, every broken fixture and
generated data with injected violations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
TEMPLATES = Path(__file__).resolve().parent / "shacl_sparql"
SELF_PATH = "<urn:x-supernode-kg:self>?"  # a zero-or-one path over no triple: ?value = ?this

#: Parameters of a shape that are not constraints (targets, structure, documentation).
NON_CONSTRAINTS = {SH + p for p in (
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "property", "path", "message",
    "severity", "name", "description", "order", "group", "deactivated", "declare", "prefixes",
)} | {RDF + "type", RDFS + "comment", RDFS + "label"}

#: XSD datatypes whose lexical form a SPARQL cast checks (sh:datatype needs a well-formed literal).
CASTABLE = {XSD + t for t in ("integer", "decimal", "double", "float", "boolean", "date", "dateTime", "time")}

NODE_KINDS = {
    SH + "IRI": "isIRI(?value)",
    SH + "BlankNode": "isBlank(?value)",
    SH + "Literal": "isLiteral(?value)",
    SH + "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
    SH + "BlankNodeOrLiteral": "(isBlank(?value) || isLiteral(?value))",
    SH + "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))",
}


class UnsupportedShapes(KgError):
    """The shapes use a SHACL feature the fast engine does not implement."""


@dataclass(frozen=True)
class FastViolation:
    """One validation result, with full terms (display happens later)."""

    focus: object
    path: str | None
    component: str
    shape: object
    message: str
    value: object | None = None


@dataclass
class FastOutcome:
    conforms: bool
    violations: list[FastViolation] = field(default_factory=list)


@lru_cache(maxsize=None)
def _template(component: str) -> str:
    return (TEMPLATES / f"{component}.rq").read_text(encoding="utf-8")


class _Shapes:
    """Read access to the shapes graph."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def objects(self, subject: object, predicate: str) -> list[object]:
        return [q.object for q in self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]

    def value(self, subject: object, predicate: str) -> object | None:
        values = self.objects(subject, predicate)
        return values[0] if values else None

    def predicates(self, subject: object) -> set[str]:
        return {q.predicate.value for q in self.store.quads_for_pattern(subject, None, None)}

    def items(self, head: object) -> list[object]:
        items = []
        while head is not None and not (isinstance(head, ox.NamedNode) and head.value == RDF + "nil"):
            first = self.value(head, RDF + "first")
            if first is None:
                raise UnsupportedShapes(f"malformed RDF list in the shapes at {head}")
            items.append(first)
            head = self.value(head, RDF + "rest")
        return items


def validate_store(data: ox.Store, shapes_store: ox.Store) -> FastOutcome:
    """Validate the data in ``data`` (ontology merged in) against the shapes in ``shapes_store``.

    Raises:
        UnsupportedShapes: the shapes use a feature this engine does not implement.
    """
    shapes = _Shapes(shapes_store)
    violations: list[FastViolation] = []
    node_shapes = {q.subject for q in shapes_store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), ox.NamedNode(SH + "NodeShape"))}
    for shape in sorted(node_shapes, key=str):
        target = _target_pattern(shapes, shape)
        if target is None:
            continue
        message = _message(shapes, shape)
        violations += _constraints(data, shapes, shape, target, SELF_PATH, None, shape, message)
        for property_shape in shapes.objects(shape, SH + "property"):
            path = shapes.value(property_shape, SH + "path")
            if not isinstance(path, ox.NamedNode):
                raise UnsupportedShapes(f"property shape {property_shape}: only IRI paths are supported")
            violations += _constraints(data, shapes, property_shape, target, str(path), path.value,
                                       property_shape, _message(shapes, property_shape) or message)
        for constraint in shapes.objects(shape, SH + "sparql"):
            violations += _sparql_constraint(data, shapes, shape, constraint, target)
    return FastOutcome(conforms=not violations, violations=violations)


def _target_pattern(shapes: _Shapes, shape: object) -> str | None:
    """A group pattern binding ?this to the shape's focus nodes, or None if it has no target."""
    alternatives = []
    classes = shapes.objects(shape, SH + "targetClass")
    if classes:
        values = " ".join(str(c) for c in classes)
        alternatives.append(f"VALUES ?targetClass {{ {values} }} ?this a/<{RDFS}subClassOf>* ?targetClass .")
    for predicate in shapes.objects(shape, SH + "targetSubjectsOf"):
        alternatives.append(f"?this {predicate} ?targetValue .")
    for predicate in shapes.objects(shape, SH + "targetObjectsOf"):
        alternatives.append(f"?targetSubject {predicate} ?this .")
    nodes = shapes.objects(shape, SH + "targetNode")
    if nodes:
        alternatives.append(f"VALUES ?this {{ {' '.join(str(n) for n in nodes)} }}")
    if not alternatives:
        return None
    return " UNION ".join(f"{{ {a} }}" for a in alternatives)


def _message(shapes: _Shapes, shape: object) -> str:
    message = shapes.value(shape, SH + "message")
    return message.value if isinstance(message, ox.Literal) else ""


def _constraints(data: ox.Store, shapes: _Shapes, shape: object, target: str, path: str, path_iri: str | None,
                 source: object, message: str) -> list[FastViolation]:
    found: list[FastViolation] = []
    parameters = shapes.predicates(shape) - NON_CONSTRAINTS
    handled: set[str] = set()
    for component, query in _component_queries(shapes, shape, parameters, handled):
        text = query.replace("$TARGET", target).replace("$PATH", path)
        for row in data.query(text):
            found.append(FastViolation(row["this"], path_iri, SH + component, source, message,
                                       _value_of(row)))
    unknown = parameters - handled - {SH + "sparql"}
    if unknown:
        raise UnsupportedShapes(f"shape {shape}: unsupported parameters {', '.join(sorted(unknown))}")
    return found


def _value_of(row: ox.QuerySolution) -> object | None:
    try:
        return row["value"]
    except (KeyError, IndexError):
        return None


def _component_queries(shapes: _Shapes, shape: object, parameters: set[str], handled: set[str]) -> Iterable[tuple[str, str]]:
    def param(name: str) -> object:
        handled.add(SH + name)
        return shapes.value(shape, SH + name)

    if SH + "minCount" in parameters:
        yield "MinCountConstraintComponent", _template("MinCountConstraintComponent").replace("$minCount", str(param("minCount")))
    if SH + "maxCount" in parameters:
        yield "MaxCountConstraintComponent", _template("MaxCountConstraintComponent").replace("$maxCount", str(param("maxCount")))
    if SH + "datatype" in parameters:
        datatype = param("datatype")
        yield "DatatypeConstraintComponent", (_template("DatatypeConstraintComponent")
                                              .replace("$WELLFORMED", _well_formed(datatype))
                                              .replace("$datatype", str(datatype)))
    if SH + "class" in parameters:
        for cls in shapes.objects(shape, SH + "class"):
            handled.add(SH + "class")
            yield "ClassConstraintComponent", _template("ClassConstraintComponent").replace("$class", str(cls))
    if SH + "nodeKind" in parameters:
        kind = param("nodeKind")
        expression = NODE_KINDS.get(getattr(kind, "value", ""))
        if expression is None:
            raise UnsupportedShapes(f"shape {shape}: unknown sh:nodeKind {kind}")
        yield "NodeKindConstraintComponent", _template("NodeKindConstraintComponent").replace("$NODEKIND", expression)
    if SH + "pattern" in parameters:
        pattern = param("pattern")
        flags = param("flags") if SH + "flags" in parameters else None
        yield "PatternConstraintComponent", (_template("PatternConstraintComponent")
                                             .replace("$FLAGS", f", {flags}" if flags is not None else "")
                                             .replace("$pattern", str(pattern)))
    if SH + "in" in parameters:
        members = " ".join(str(m) for m in shapes.items(param("in")))
        yield "InConstraintComponent", _template("InConstraintComponent").replace("$in", members)
    if SH + "minInclusive" in parameters:
        yield "MinInclusiveConstraintComponent", _template("MinInclusiveConstraintComponent").replace("$minInclusive", str(param("minInclusive")))
    if SH + "maxInclusive" in parameters:
        yield "MaxInclusiveConstraintComponent", _template("MaxInclusiveConstraintComponent").replace("$maxInclusive", str(param("maxInclusive")))
    if SH + "minLength" in parameters:
        yield "MinLengthConstraintComponent", _template("MinLengthConstraintComponent").replace("$minLength", str(param("minLength")))
    if SH + "languageIn" in parameters:
        yield "LanguageInConstraintComponent", _template("LanguageInConstraintComponent").replace(
            "$LANGUAGES", _languages(shapes, param("languageIn")))
    if SH + "uniqueLang" in parameters:
        if getattr(param("uniqueLang"), "value", "") == "true":
            yield "UniqueLangConstraintComponent", _template("UniqueLangConstraintComponent")
    if SH + "hasValue" in parameters:
        yield "HasValueConstraintComponent", _template("HasValueConstraintComponent").replace("$hasValue", str(param("hasValue")))
    if SH + "lessThanOrEquals" in parameters:
        yield "LessThanOrEqualsConstraintComponent", _template("LessThanOrEqualsConstraintComponent").replace(
            "$lessThanOrEquals", str(param("lessThanOrEquals")))
    if SH + "qualifiedValueShape" in parameters:
        nested = param("qualifiedValueShape")
        conforms = _conforms(shapes, nested)
        if SH + "qualifiedMinCount" in parameters:
            yield "QualifiedMinCountConstraintComponent", (_template("QualifiedMinCountConstraintComponent")
                                                           .replace("$CONFORMS", conforms)
                                                           .replace("$qualifiedMinCount", str(param("qualifiedMinCount"))))
        if SH + "qualifiedMaxCount" in parameters:
            yield "QualifiedMaxCountConstraintComponent", (_template("QualifiedMaxCountConstraintComponent")
                                                           .replace("$CONFORMS", conforms)
                                                           .replace("$qualifiedMaxCount", str(param("qualifiedMaxCount"))))
    if SH + "or" in parameters:
        members = shapes.items(param("or"))
        conforms = " || ".join(f"({_conforms(shapes, m)})" for m in members) or "false"
        yield "OrConstraintComponent", _template("OrConstraintComponent").replace("$CONFORMS", conforms)


def _well_formed(datatype: object) -> str:
    iri = getattr(datatype, "value", "")
    if iri in CASTABLE:
        return f"COALESCE(isLiteral({datatype}(STR(?value))), false)"
    if iri == RDF + "langString":
        return 'lang(?value) != ""'
    return "true"


def _languages(shapes: _Shapes, head: object) -> str:
    tags = [t.value for t in shapes.items(head) if isinstance(t, ox.Literal)]
    return " || ".join(f'langMatches(lang(?value), "{_sparql_string(tag)}")' for tag in tags) or "false"


def _sparql_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _conforms(shapes: _Shapes, nested: object) -> str:
    """A SPARQL expression: does ?value conform to the (small) nested shape?"""
    parts = []
    parameters = shapes.predicates(nested) - {RDF + "type"}
    for predicate in sorted(parameters):
        value = shapes.value(nested, predicate)
        if predicate == SH + "class":
            parts.extend(f"EXISTS {{ ?value a/<{RDFS}subClassOf>* {c} }}" for c in shapes.objects(nested, predicate))
        elif predicate == SH + "datatype":
            parts.append(f"(isLiteral(?value) && sameTerm(datatype(?value), {value}) && {_well_formed(value)})")
        elif predicate == SH + "nodeKind":
            parts.append(NODE_KINDS[getattr(value, "value", "")])
        elif predicate == SH + "languageIn":
            parts.append(f"(isLiteral(?value) && ({_languages(shapes, value)}))")
        elif predicate == SH + "path":
            minimum = shapes.value(nested, SH + "minCount")
            extra = parameters - {SH + "path", SH + "minCount"}
            if extra or minimum is None or getattr(minimum, "value", "") != "1":
                raise UnsupportedShapes(f"nested shape {nested}: only [sh:path P; sh:minCount 1] is supported")
            parts.append(f"EXISTS {{ ?value {value} ?nestedValue }}")
        elif predicate == SH + "minCount":
            continue
        else:
            raise UnsupportedShapes(f"nested shape {nested}: unsupported parameter {predicate}")
    return " && ".join(parts) or "true"


def _sparql_constraint(data: ox.Store, shapes: _Shapes, shape: object, constraint: object, target: str) -> list[FastViolation]:
    select = shapes.value(constraint, SH + "select")
    if not isinstance(select, ox.Literal):
        raise UnsupportedShapes(f"SPARQL constraint {constraint}: only sh:select is supported")
    prefixes = []
    for declarer in shapes.objects(constraint, SH + "prefixes"):
        for declaration in shapes.objects(declarer, SH + "declare"):
            prefix = shapes.value(declaration, SH + "prefix")
            namespace = shapes.value(declaration, SH + "namespace")
            if isinstance(prefix, ox.Literal) and isinstance(namespace, ox.Literal):
                prefixes.append(f"PREFIX {prefix.value}: <{namespace.value}>")
    focus_nodes = {row["this"] for row in data.query(f"SELECT DISTINCT ?this WHERE {{ {target} }}")}
    text = "\n".join(prefixes) + "\n" + select.value.replace("$this", "?this")
    message_template = _message(shapes, constraint) or _message(shapes, shape)
    found = []
    results = data.query(text)
    names = [v.value for v in results.variables]
    for row in results:
        this = row["this"]
        if this not in focus_nodes:
            continue
        bindings = {n: row[n] for n in names}
        message = re.sub(r"\{[?$](\w+)\}", lambda m: _text(bindings.get(m.group(1))), message_template)
        path = bindings.get("path")
        found.append(FastViolation(this, path.value if isinstance(path, ox.NamedNode) else None,
                                   SH + "SPARQLConstraintComponent", shape, message, bindings.get("value") or this))
    return found


def _text(term: object) -> str:
    if isinstance(term, ox.Literal | ox.NamedNode):
        return term.value
    return "" if term is None else str(term)
