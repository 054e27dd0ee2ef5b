"""Random differential testing of the fast SHACL engine against a reference.

A seeded generator (:func:`generate`) writes a small data graph (Turtle or TriG: a few IRIs, blank
nodes and literals of many kinds, edges on ``ex:p ex:q ex:r``, types, sometimes named graphs) and
one or two shapes with random targets, paths and SHACL Core constraints, some with nested shapes
(sh:node, sh:not, sh:and, sh:or, sh:xone, sh:qualifiedValueShape, now and then with
sh:qualifiedValueShapesDisjoint among sibling property shapes; sh:property, also on property
shapes, two levels at most), some of them deactivated. :func:`check` validates
the case with both engines through ``kg.validate`` and compares the two reports: whether the data
conforms, and the set of results as (focus node, result path, value, constraint component, source
shape, severity), every blank node written ``_:`` (its label is arbitrary).

Both engines run in child processes (multiprocessing, spawn). pySHACL's sets
``rdflib.NORMALIZE_LITERALS = False`` before every parse, so that its literals stay as written and
pySHACL's process-wide switch back to normalization (PITFALLS.md) never reaches this process; the
fast engine's, because it forks (a literal audit, query workers), which is only safe in a process
without other threads.

Where pySHACL is known to depart from the specification, a spec-level judge (:func:`judge`, pure
Python, written from https://www.w3.org/TR/shacl/) decides instead: the value ranges and
property-pair comparisons (SPARQL's operators: an IRI, a blank node, a language string, an
ill-typed literal or a literal of another kind cannot be compared, so the pair is a result; NaN is
unordered), lengths and patterns (a blank node is a result), sh:in, sh:hasValue, sh:equals and
sh:disjoint (RDF terms as written, not values), and every constraint of a shape whose path has a
sequence inside an inverse path (pySHACL finds no value nodes there). The judge decides those
(:func:`judged_pairs`), and every sh:node, sh:not, sh:and, sh:or, sh:xone or qualified count whose
nested shapes (or sibling shapes, for sh:qualifiedValueShapesDisjoint) use one, and every
constraint of a property shape nested (through sh:property) in one with such a path; pySHACL
decides the rest. Where the specification leaves the answer to the
implementation (comparing a date-time without a time zone with one that has one; xsd:date, which
SPARQL 1.1's operators and ill-typed rule do not cover), the judge accepts either answer.

kg's reading of pySHACL's report counts the results of nested shapes (values of sh:detail) as
results of the report: the reference keeps only results of the shapes validated at top level and
of their property shapes, through sh:property at any depth (:func:`reported_shapes`).

A case where pySHACL raises is a *reference refusal*, counted apart (whatever the fast engine
did). A case whose shapes are ill-formed on purpose (an invalid regular expression, an unknown
flag) must make the fast engine raise :class:`kg.KgError` with exit code 2.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import multiprocessing
import os
import random
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path as FilePath

import pyoxigraph as ox

EX = "http://example.org/"
SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
NAMESPACES = {"ex": EX, "sh": SH, "xsd": XSD, "rdf": RDF, "rdfs": RDFS}
PREFIXES = "".join(f"@prefix {p}: <{n}> .\n" for p, n in NAMESPACES.items())
RDF_TYPE = RDF + "type"
SUBCLASS_OF = RDFS + "subClassOf"
XSD_STRING = XSD + "string"
LANG_STRING = RDF + "langString"

#: How long an engine may take on one case.
REFERENCE_TIMEOUT = 60.0
#: Shapes past which a case gets no more nested property shapes or sibling qualified shapes.
SHAPE_BUDGET = 10

# ---------------------------------------------------------------------------------------------
# The pools the generator draws from (Turtle text)

IRIS = ["ex:a", "ex:b", "ex:c", "ex:d", "ex:e"]
BLANKS = ["_:b1", "_:b2"]
CLASSES = ["ex:C", "ex:D"]
PROPERTIES = ["ex:p", "ex:q", "ex:r"]

LITERALS = [
    # strings
    '"a"',
    '"abc"',
    '"ABC"',
    '""',
    '"héllo"',
    '"12"',
    '"a"^^xsd:string',
    '"http://example.org/a"',
    # language strings
    '"a"@en',
    '"chat"@fr',
    '"colour"@en-GB',
    '"b"@de',
    '"x"@en',
    # integers, big and non-canonical
    "0",
    "1",
    "2",
    "-5",
    '"01"^^xsd:integer',
    "+3",
    "12345678901234567890",
    '"-12345678901234567890"^^xsd:integer',
    # decimals
    "1.5",
    '"2.0"^^xsd:decimal',
    '"2"^^xsd:decimal',
    '"-0.5"^^xsd:decimal',
    # doubles
    '"1.5E2"^^xsd:double',
    "1e0",
    '"2"^^xsd:double',
    '"NaN"^^xsd:double',
    '"INF"^^xsd:double',
    '"-INF"^^xsd:double',
    '"0.1"^^xsd:float',
    # booleans
    "true",
    "false",
    '"1"^^xsd:boolean',
    '"0"^^xsd:boolean',
    # dates and date-times, with and without time zones
    '"2025-01-01"^^xsd:date',
    '"2025-01-01Z"^^xsd:date',
    '"2025-06-30+02:00"^^xsd:date',
    '"2025-01-01T10:00:00"^^xsd:dateTime',
    '"2025-01-01T10:00:00Z"^^xsd:dateTime',
    '"2025-01-01T12:00:00+02:00"^^xsd:dateTime',
    '"2025-01-01T10:00:00.5Z"^^xsd:dateTime',
    '"2024-12-31T23:00:00-05:00"^^xsd:dateTime',
    # derived integer types
    '"5"^^xsd:int',
    '"05"^^xsd:int',
    '"100"^^xsd:byte',
    '"7"^^xsd:nonNegativeInteger',
    '"9"^^xsd:long',
    # ill-typed
    '"abc"^^xsd:integer',
    '"1.5"^^xsd:integer',
    '"300"^^xsd:byte',
    '"-1"^^xsd:nonNegativeInteger',
    '"maybe"^^xsd:boolean',
    '"2025-13-01"^^xsd:date',
    '"x"^^xsd:double',
    # a datatype nobody knows
    '"x"^^ex:custom',
]

BOUNDS = [
    "0",
    "1",
    "2",
    "-1",
    "1.5",
    '"2.0"^^xsd:decimal',
    '"1.0E0"^^xsd:double',
    '"NaN"^^xsd:double',
    '"INF"^^xsd:double',
    '"b"',
    '"a"@en',
    "true",
    "false",
    '"5"^^xsd:byte',
    "12345678901234567890",
    '"2025-01-01"^^xsd:date',
    '"2025-01-01T10:00:00Z"^^xsd:dateTime',
    '"2025-01-01T10:00:00"^^xsd:dateTime',
    '"abc"^^xsd:integer',
]

DATATYPES = [
    "xsd:string",
    "xsd:integer",
    "xsd:decimal",
    "xsd:double",
    "xsd:float",
    "xsd:boolean",
    "xsd:date",
    "xsd:dateTime",
    "xsd:int",
    "xsd:byte",
    "xsd:long",
    "xsd:nonNegativeInteger",
    "rdf:langString",
    "ex:custom",
]

NODE_KINDS = [
    "sh:IRI",
    "sh:BlankNode",
    "sh:Literal",
    "sh:BlankNodeOrIRI",
    "sh:BlankNodeOrLiteral",
    "sh:IRIOrLiteral",
]

#: Patterns on which Python's re and XPath's regular expressions agree (for the strings here).
PATTERNS = [
    "^a",
    "c$",
    "^[0-9]+$",
    "^-",
    "\\.",
    "^http://example\\.org/[a-c]$",
    "^.{0,2}$",
    "b",
    "^(a|ab)c?$",
    "^[a-z]+$",
    "E",
    "^\\d",
    "[^a]",
    "^(.)\\1",
    "ex",
    "^$",
]
FLAGS = ["", "", "", "i", "s", "m", "x", "ix"]
#: Patterns that are not regular expressions, and flags REGEX does not know: ill-formed shapes.
INVALID_PATTERNS = ["[a-", "(ab", "a{2,1}"]
INVALID_FLAGS = ["k", "iq!"]

LANGUAGE_RANGES = ["en", "fr", "EN", "en-GB", "de", "*", "en-US"]


# ---------------------------------------------------------------------------------------------
# The shapes of a case, as the judge reads them


@dataclass(frozen=True)
class Path:
    """A SHACL property path: ``pred`` (an IRI), ``inverse``, ``sequence``, ``alternative``,
    ``zeroOrMore``, ``oneOrMore`` or ``zeroOrOne``."""

    kind: str
    iri: str = ""
    members: tuple[Path, ...] = ()

    def turtle(self) -> str:
        if self.kind == "pred":
            return self.iri
        if self.kind == "sequence":
            return "( " + " ".join(m.turtle() for m in self.members) + " )"
        if self.kind == "alternative":
            return "[ sh:alternativePath ( " + " ".join(m.turtle() for m in self.members) + " ) ]"
        return f"[ sh:{self.kind}Path {self.members[0].turtle()} ]"

    def inverts_a_sequence(self) -> bool:
        """Is a sequence path inside an inverse path here (pySHACL finds no value nodes on
        such paths: it departs from the specification)?"""
        if self.kind == "inverse":
            return self.members[0].has_sequence() or self.members[0].inverts_a_sequence()
        return any(m.inverts_a_sequence() for m in self.members)

    def has_sequence(self) -> bool:
        return self.kind == "sequence" or any(m.has_sequence() for m in self.members)

    def text(self) -> str:
        """The path as ``kg`` reports it (SPARQL property-path syntax, as kg.shacl.shapes writes it)."""
        if self.kind == "pred":
            return self.iri
        if self.kind == "sequence":
            return "(" + "/".join(m.text() for m in self.members) + ")"
        if self.kind == "alternative":
            return "(" + "|".join(m.text() for m in self.members) + ")"
        inner = self.members[0].text()
        if self.kind == "inverse":
            return f"(^{inner})"
        operator = {"zeroOrMore": "*", "oneOrMore": "+", "zeroOrOne": "?"}[self.kind]
        return f"({inner}){operator}"


@dataclass(frozen=True)
class Constraint:
    """One constraint parameter of a shape: ``name`` is its local name (``minCount``,
    ``qualifiedValueShape``...), ``value`` its Turtle term (a shape IRI for shape-valued ones),
    ``values`` the members of a list parameter, ``extra`` the companion parameters (``flags``,
    ``qualifiedMinCount``...)."""

    name: str
    value: str = ""
    values: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()

    def option(self, name: str) -> str | None:
        return dict(self.extra).get(name)

    def turtle(self) -> list[str]:
        if self.name in ("in", "languageIn", "and", "or", "xone"):
            lines = [f"sh:{self.name} ( {' '.join(self.values)} )"]
        else:
            lines = [f"sh:{self.name} {self.value}"]
        return lines + [f"sh:{name} {value}" for name, value in self.extra]


@dataclass
class ShapeDef:
    """A shape: a node shape (no path) or a property shape."""

    iri: str
    path: Path | None = None
    targets: list[tuple[str, str]] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[str] = field(default_factory=list)
    severity: str = ""
    closed: bool = False
    ignored: tuple[str, ...] = ()
    declared: bool = True
    deactivated: str = ""  # the value of sh:deactivated ("true", "false"), "" for none

    @property
    def is_deactivated(self) -> bool:
        """2.1.5: every RDF term conforms to a deactivated shape (it gives no results)."""
        return self.deactivated == "true"

    def turtle(self) -> str:
        lines: list[str] = []
        if self.declared:
            lines.append("a sh:PropertyShape" if self.path else "a sh:NodeShape")
        if self.path is not None:
            lines.append(f"sh:path {self.path.turtle()}")
        lines += [f"sh:{kind} {term}" for kind, term in self.targets]
        for constraint in self.constraints:
            lines += constraint.turtle()
        lines += [f"sh:property {p}" for p in self.properties]
        if self.severity:
            lines.append(f"sh:severity {self.severity}")
        if self.closed:
            lines.append("sh:closed true")
            if self.ignored:
                lines.append(f"sh:ignoredProperties ( {' '.join(self.ignored)} )")
        if self.deactivated:
            lines.append(f"sh:deactivated {self.deactivated}")
        return self.iri + " " + " ;\n    ".join(lines) + " .\n"


@dataclass
class Case:
    """One generated case: its seed, the shapes and data as text, and the shapes as the judge
    reads them. ``invalid`` says why the shapes are ill-formed ("" when they are well-formed)."""

    seed: int
    shapes: str
    data: str
    data_format: str  # "ttl" or "trig"
    model: dict[str, ShapeDef]
    top: list[str]
    invalid: str = ""

    def write(self, folder: FilePath, stem: str = "") -> tuple[FilePath, FilePath]:
        """The shapes and data files of the case in ``folder``."""
        shapes_file = folder / f"{stem}shapes.ttl"
        data_file = folder / f"{stem}data.{self.data_format}"
        shapes_file.write_text(self.shapes, encoding="utf-8")
        data_file.write_text(self.data, encoding="utf-8")
        return shapes_file, data_file


# ---------------------------------------------------------------------------------------------
# Generation


class _Generator:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.model: dict[str, ShapeDef] = {}
        self.nested = 0
        self.iris: list[str] = []
        self.blanks: list[str] = []
        self.literals: list[str] = []
        # Most cases keep their nested shapes simple (under sh:or and sh:qualifiedValueShape:
        # sh:class, sh:datatype, sh:nodeKind, sh:languageIn, or a path with sh:minCount 1); the
        # others use all of SHACL Core (sh:node, sh:not, sh:and, sh:xone, sh:closed, any nested
        # shape). Either kind may have nested property shapes, sibling qualified value shapes
        # and deactivated nested shapes.
        self.everything = self.rng.random() < 0.3

    # --- data

    def data(self) -> tuple[str, str]:
        rng = self.rng
        self.iris = sorted(rng.sample(IRIS, rng.randint(2, 5)))
        self.blanks = BLANKS[: rng.choice([0, 0, 1, 2])]
        self.literals = rng.sample(LITERALS, rng.randint(3, 8))
        subjects = self.iris + self.blanks
        objects = subjects + self.literals
        triples: list[tuple[str, str, str]] = []
        for _ in range(rng.randint(3, 14)):
            predicate = rng.choice(PROPERTIES + PROPERTIES + ["rdf:type"])
            obj = rng.choice(CLASSES) if predicate == "rdf:type" else rng.choice(objects)
            triples.append((rng.choice(subjects), predicate, obj))
        for subject in subjects:
            if rng.random() < 0.3:
                triples.append((subject, "rdf:type", rng.choice(CLASSES)))
        if rng.random() < 0.3:
            triples.append(("ex:D", "rdfs:subClassOf", "ex:C"))
        triples = list(dict.fromkeys(triples))
        if rng.random() < 0.25:  # TriG: some triples in named graphs, one maybe in two graphs
            placed: dict[str, list[tuple[str, str, str]]] = {"": [], "ex:g1": [], "ex:g2": []}
            for triple in triples:
                placed[rng.choice(list(placed))].append(triple)
            if triples and rng.random() < 0.5:
                placed[rng.choice(["ex:g1", "ex:g2"])].append(rng.choice(triples))
            blocks = ["".join(f"{s} {p} {o} .\n" for s, p, o in placed[""])]
            for graph in ("ex:g1", "ex:g2"):
                if placed[graph]:
                    body = "".join(f"    {s} {p} {o} .\n" for s, p, o in placed[graph])
                    blocks.append(f"{graph} {{\n{body}}}\n")
            return PREFIXES + "".join(blocks), "trig"
        return PREFIXES + "".join(f"{s} {p} {o} .\n" for s, p, o in triples), "ttl"

    # --- shapes

    def node(self) -> str:
        """Any node: of the data, or not in it."""
        pool = self.iris + self.literals + ["ex:z", '"lit"', '"1"^^xsd:integer', "1"]
        return self.rng.choice(pool)

    def path(self, depth: int = 0) -> Path:
        rng = self.rng
        if depth >= 2 or rng.random() < 0.55:
            return Path("pred", rng.choice(PROPERTIES + PROPERTIES + ["rdf:type"]))
        kind = rng.choice(
            ["inverse", "sequence", "alternative", "zeroOrMore", "oneOrMore", "zeroOrOne"]
        )
        if kind in ("sequence", "alternative"):
            return Path(kind, members=tuple(self.path(depth + 1) for _ in range(2)))
        return Path(kind, members=(self.path(depth + 1),))

    def targets(self) -> list[tuple[str, str]]:
        rng = self.rng
        chosen = []
        for _ in range(rng.choice([1, 1, 2])):
            kind = rng.choice(["targetNode", "targetClass", "targetSubjectsOf", "targetObjectsOf"])
            if kind == "targetNode":
                chosen.append((kind, self.node()))
            elif kind == "targetClass":
                chosen.append((kind, rng.choice([*CLASSES, "ex:E"])))
            else:
                chosen.append((kind, rng.choice([*PROPERTIES, "rdf:type"])))
        return list(dict.fromkeys(chosen))

    def severity(self) -> str:
        roll = self.rng.random()
        return "sh:Warning" if roll < 0.12 else "sh:Info" if roll < 0.2 else ""

    def new_shape(self, depth: int, node_shape: bool = False) -> str:
        """A nested shape (for sh:node, sh:not, sh:and...): a node shape or a property shape
        (not for sh:node, whose values must be node shapes)."""
        self.nested += 1
        iri = f"ex:N{self.nested}"
        rng = self.rng
        shape = ShapeDef(iri, declared=rng.random() < 0.5)
        self.model[iri] = shape
        self.deactivate(shape)
        if not self.everything:
            if not node_shape and rng.random() < 0.3:
                shape.path = self.path()
                shape.constraints = [Constraint("minCount", "1")]
                return iri
            for name in rng.sample(
                ["class", "datatype", "nodeKind", "languageIn"], rng.choice([1, 1, 2])
            ):
                constraint = self.constraint(False, 2, name)
                assert constraint is not None
                shape.constraints.append(constraint)
            return iri
        if not node_shape and rng.random() < 0.4:
            shape.path = self.path()
            shape.constraints = self.constraints(True, depth + 1, rng.randint(1, 2))
            self.nest(shape, depth + 1, 0)
        else:
            shape.constraints = self.constraints(False, depth + 1, 1)
            if rng.random() < 0.3:
                shape.properties.append(self.property_shape(iri, depth + 1))
                self.qualified_siblings(shape, depth + 1)
        if rng.random() < 0.1:
            shape.severity = self.severity()
        return iri

    def property_shape(self, owner: str, depth: int, level: int = 0) -> str:
        """A property shape, value of sh:property of ``owner``: of a node shape (``level`` 0) or
        of a property shape (``level`` 1 or 2: nested, 4.7.2), which may have no constraint of
        its own."""
        rng = self.rng
        iri = f"{owner}_p{len(self.model[owner].properties) + 1}"
        shape = ShapeDef(iri, path=self.path(), declared=rng.random() < 0.5)
        self.model[iri] = shape
        count = rng.randint(1, 3) if level == 0 else rng.choice([0, 1, 1, 2])
        shape.constraints = self.constraints(True, depth, count)
        shape.severity = self.severity()
        self.deactivate(shape)
        self.nest(shape, depth, level)
        return iri

    def nest(self, shape: ShapeDef, depth: int, level: int) -> None:
        """Now and then sh:property on the property shape ``shape`` (at ``level``, 0 when no
        property shape holds it): one nested property shape, sometimes two (siblings), at most
        two levels deep."""
        rng = self.rng
        if level >= 2 or rng.random() >= (0.12 if level == 0 else 0.2):
            return
        if len(self.model) >= SHAPE_BUDGET:
            return
        for _ in range(rng.choice([1, 1, 2])):
            shape.properties.append(self.property_shape(shape.iri, depth, level + 1))
        self.qualified_siblings(shape, depth)

    def qualified_siblings(self, parent: ShapeDef, depth: int) -> None:
        """sh:qualifiedValueShapesDisjoint on some property shapes of ``parent`` that have a
        sh:qualifiedValueShape. When it has several, now and then each gets a qualified value
        shape (each the others' sibling shapes, 4.7.3): often a twin of the first one (the same
        path and constraints, so that the same value nodes conform to both), now and then the
        first one itself (which is no sibling shape of itself), and sometimes all on the same
        path."""
        rng = self.rng
        children = [self.model[iri] for iri in parent.properties]
        family = len(children) >= 2 and depth < 2 and rng.random() < 0.45
        family = family and len(self.model) < SHAPE_BUDGET
        if family:
            first = ""
            roll = rng.random()
            for child in children:
                own = [c.value for c in child.constraints if c.name == "qualifiedValueShape"]
                if own:
                    first = first or own[0]
                    continue
                if first and roll < 0.5:
                    shape = first if roll < 0.1 else self.twin(first)
                    constraint = Constraint(
                        "qualifiedValueShape", shape, extra=self.qualified_counts()
                    )
                else:
                    made = self.constraint(True, depth, "qualifiedValueShape")
                    assert made is not None
                    constraint, first = made, first or made.value
                child.constraints.append(constraint)
            if rng.random() < 0.5:
                for child in children[1:]:
                    child.path = children[0].path
        for child in children:
            for index, constraint in enumerate(child.constraints):
                if constraint.name != "qualifiedValueShape":
                    continue
                if rng.random() < (0.7 if family else 0.2):
                    disjoint = "false" if rng.random() < 0.1 else "true"
                    extra = (*constraint.extra, ("qualifiedValueShapesDisjoint", disjoint))
                    child.constraints[index] = dataclasses.replace(constraint, extra=extra)

    def twin(self, iri: str) -> str:
        """A new shape with the path and constraints of the shape ``iri`` (not its sh:property
        shapes, not its sh:deactivated)."""
        self.nested += 1
        twin = f"ex:N{self.nested}"
        source = self.model[iri]
        self.model[twin] = ShapeDef(
            twin, path=source.path, constraints=list(source.constraints), declared=source.declared
        )
        return twin

    def deactivate(self, shape: ShapeDef) -> None:
        """sh:deactivated on some nested shapes (now and then an explicit false)."""
        roll = self.rng.random()
        if roll < 0.06:
            shape.deactivated = "true"
        elif roll < 0.075:
            shape.deactivated = "false"

    def constraints(self, on_property: bool, depth: int, count: int) -> list[Constraint]:
        chosen: dict[str, Constraint] = {}
        for _ in range(count * 3):
            if len(chosen) >= count:
                break
            constraint = self.constraint(on_property, depth)
            if constraint is not None and constraint.name not in chosen:
                chosen[constraint.name] = constraint
        return list(chosen.values())

    def constraint(self, on_property: bool, depth: int, name: str = "") -> Constraint | None:
        rng = self.rng
        names = [
            *["class", "datatype", "nodeKind", "in", "hasValue", "pattern"] * 3,
            *["minInclusive", "maxInclusive", "minExclusive", "maxExclusive"] * 2,
            *["minLength", "maxLength", "languageIn", "equals", "disjoint"] * 2,
            "or",
            "or",
        ]
        if on_property:
            names += [
                *["minCount", "maxCount", "lessThan", "lessThanOrEquals"] * 3,
                "uniqueLang",
                "uniqueLang",
                "qualifiedValueShape",
                "qualifiedValueShape",
            ]
        if depth < 2 and self.everything:
            names += ["node", "not", "and", "xone"]
        name = name or rng.choice(names)
        if name in ("or", "and", "xone", "node", "not", "qualifiedValueShape") and depth >= 2:
            return None
        if name == "class":
            return Constraint(name, rng.choice([*CLASSES, "ex:E"]))
        if name == "datatype":
            return Constraint(name, rng.choice(DATATYPES))
        if name == "nodeKind":
            return Constraint(name, rng.choice(NODE_KINDS))
        if name in ("minCount", "maxCount"):
            return Constraint(name, str(rng.choice([0, 1, 1, 2])))
        if name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            return Constraint(name, rng.choice(BOUNDS))
        if name in ("minLength", "maxLength"):
            return Constraint(name, str(rng.randint(0, 5)))
        if name == "pattern":
            pattern, flags = rng.choice(PATTERNS), rng.choice(FLAGS)
            roll = rng.random()
            if roll < 0.03:
                pattern = rng.choice(INVALID_PATTERNS)
            elif roll < 0.05:
                flags = rng.choice(INVALID_FLAGS)
            extra = (("flags", turtle_string(flags)),) if flags else ()
            return Constraint(name, turtle_string(pattern), extra=extra)
        if name == "languageIn":
            ranges = rng.sample(LANGUAGE_RANGES, rng.randint(1, 2))
            return Constraint(name, values=tuple(turtle_string(r) for r in ranges))
        if name == "uniqueLang":
            return Constraint(name, rng.choice(["true", "true", "false"]))
        if name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            return Constraint(name, rng.choice(PROPERTIES + PROPERTIES + ["rdf:type"]))
        if name == "in":
            members = list(dict.fromkeys(self.node() for _ in range(rng.randint(1, 3))))
            return Constraint(name, values=tuple(members))
        if name == "hasValue":
            return Constraint(name, self.node())
        if name in ("node", "not"):
            return Constraint(name, self.new_shape(depth, node_shape=name == "node"))
        if name in ("and", "or", "xone"):
            return Constraint(name, values=tuple(self.new_shape(depth) for _ in range(2)))
        # qualifiedValueShape
        counts = self.qualified_counts()
        return Constraint(name, self.new_shape(depth), extra=counts)

    def qualified_counts(self) -> tuple[tuple[str, str], ...]:
        """sh:qualifiedMinCount, sh:qualifiedMaxCount or both."""
        rng = self.rng
        extra = []
        if rng.random() < 0.7:
            extra.append(("qualifiedMinCount", str(rng.randint(0, 2))))
        if not extra or rng.random() < 0.4:
            extra.append(("qualifiedMaxCount", str(rng.randint(0, 2))))
        return tuple(extra)

    def shapes(self) -> list[str]:
        rng = self.rng
        top = []
        for number in range(1, rng.choice([1, 1, 2]) + 1):
            iri = f"ex:S{number}"
            if rng.random() < 0.25:  # a property shape with targets of its own
                shape = ShapeDef(iri, path=self.path(), targets=self.targets())
                self.model[iri] = shape
                shape.constraints = self.constraints(True, 0, rng.randint(1, 3))
                self.nest(shape, 0, 0)
            else:
                shape = ShapeDef(iri, targets=self.targets())
                self.model[iri] = shape
                shape.constraints = self.constraints(False, 0, rng.choice([0, 1, 1, 2]))
                for _ in range(rng.choice([1, 1, 2]) if shape.constraints else rng.choice([1, 2])):
                    shape.properties.append(self.property_shape(iri, 0))
                self.qualified_siblings(shape, 0)
                if self.everything and rng.random() < 0.25:
                    shape.closed = True
                    if rng.random() < 0.6:
                        shape.ignored = ("rdf:type",)
            shape.severity = self.severity()
            top.append(iri)
        return top


def generate(seed: int) -> Case:
    """The case of ``seed``: the same seed gives the same case."""
    generator = _Generator(seed)
    data, data_format = generator.data()
    top = generator.shapes()
    shapes = PREFIXES + "\n".join(shape.turtle() for shape in generator.model.values())
    return Case(seed, shapes, data, data_format, generator.model, top, ill_formed(generator.model))


def ill_formed(model: dict[str, ShapeDef]) -> str:
    """Why the shapes are ill-formed on purpose: "" when they are not."""
    for shape in model.values():
        for constraint in shape.constraints:
            if constraint.name != "pattern":
                continue
            pattern = parse_term(constraint.value).value
            flags = constraint.option("flags")
            if pattern in INVALID_PATTERNS:
                return f"{shape.iri}: sh:pattern {pattern!r} is not a regular expression"
            if flags is not None and parse_term(flags).value in INVALID_FLAGS:
                return f"{shape.iri}: sh:flags {parse_term(flags).value!r} are not REGEX flags"
    return ""


def make_case(
    shapes: Sequence[ShapeDef], data: str, data_format: str = "ttl", seed: int = -1
) -> Case:
    """A hand-written case: ``shapes`` (those with targets validate; the others are nested),
    ``data`` in Turtle or TriG without prefixes."""
    model = {shape.iri: shape for shape in shapes}
    text = PREFIXES + "\n".join(shape.turtle() for shape in shapes)
    top = [shape.iri for shape in shapes if shape.targets]
    return Case(seed, text, PREFIXES + data, data_format, model, top)


def turtle_string(text: str) -> str:
    """``text`` as a Turtle string literal."""
    for raw, escape in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(raw, escape)
    return f'"{text}"'


# ---------------------------------------------------------------------------------------------
# Running the engines

#: A validation result: (focus node, result path, value, constraint component, source shape,
#: severity), terms as ``kg`` writes them, every blank node as ``_:``.
Key = tuple[str, str, str, str, str, str]
FIELDS = ("focus", "path", "value", "component", "shape", "severity")


@dataclass(frozen=True)
class Answer:
    """What one engine said: ``conforms`` and the results, or the error it raised."""

    conforms: bool | None = None
    results: frozenset[Key] = frozenset()
    error: str = ""
    exit_code: int = 0
    note: str = ""  # the fast engine's note when it handed the shapes to pySHACL

    def describe(self) -> str:
        if self.error:
            return f"error (exit {self.exit_code}): {self.error}"
        lines = [f"conforms={self.conforms}" + (f" [{self.note}]" if self.note else "")]
        lines += [f"    {format_key(k)}" for k in sorted(self.results)]
        return "\n".join(lines)


def format_key(key: Key) -> str:
    return "  ".join(f"{name}={value}" for name, value in zip(FIELDS, key, strict=True) if value)


def _blank(text: str) -> str:
    return "_:" if text.startswith("_:") else text


@contextmanager
def _one_worker() -> Iterator[None]:
    """The fast engine answers each query in this process (forking workers for a tiny graph
    costs more than it saves, and would fork the test runner)."""
    before = os.environ.get("KG_VALIDATION_WORKERS")
    os.environ["KG_VALIDATION_WORKERS"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["KG_VALIDATION_WORKERS"]
        else:
            os.environ["KG_VALIDATION_WORKERS"] = before


def run_engine(shapes: str, data: str, data_format: str, engine: str) -> Answer:
    """``kg.validate`` of the texts on ``engine``, in this process."""
    import kg

    with tempfile.TemporaryDirectory(prefix="kg-differential-") as folder:
        shapes_file = FilePath(folder) / "shapes.ttl"
        data_file = FilePath(folder) / f"data.{data_format}"
        shapes_file.write_text(shapes, encoding="utf-8")
        data_file.write_text(data, encoding="utf-8")
        try:
            with _one_worker():
                report = kg.validate(
                    data=[data_file], shapes=[shapes_file], ontology=False, engine=engine
                )
        except kg.KgError as error:
            return Answer(error=" ".join(str(error).split()), exit_code=error.exit_code)
        except Exception as error:  # a crash: no exit code of kg's
            message = " ".join(str(error).split())
            return Answer(error=f"crashed: {type(error).__name__}: {message}", exit_code=-1)
    results = frozenset(
        (
            _blank(r.focus_node),
            _blank(r.path),
            _blank(r.value),
            r.constraint,
            _blank(r.source_shape),
            r.severity,
        )
        for r in report.results
    )
    return Answer(report.conforms, results, note=report.engine_note)


def _fast_start() -> None:
    os.environ["KG_VALIDATION_WORKERS"] = "1"


def _fast_task(cases: list[tuple[str, str, str]]) -> list[Answer]:
    """The fast engine (in its child process). Should it hand shapes to pySHACL, that happens
    there too."""
    return [run_engine(shapes, data, data_format, "fast") for shapes, data, data_format in cases]


def _reference_start() -> None:
    import rdflib

    rdflib.NORMALIZE_LITERALS = False
    os.environ["KG_VALIDATION_WORKERS"] = "1"


def _reference_task(cases: list[tuple[str, str, str]]) -> list[Answer]:
    """pySHACL (in its child process), literals kept as written."""
    import rdflib

    answers = []
    for shapes, data, data_format in cases:
        rdflib.NORMALIZE_LITERALS = False  # pySHACL turns it back on at every validation
        answers.append(run_engine(shapes, data, data_format, "pyshacl"))
    return answers


class Engines:
    """Both engines, each in child processes (spawn): pySHACL so that it cannot switch rdflib's
    literal normalization on in this process, the fast engine because it forks (a literal
    audit, query workers), which is only safe in a process without other threads, and this one
    has the pools' threads. Use as a context manager, or call :meth:`close`."""

    def __init__(self, processes: int = 1) -> None:
        self.processes = processes
        self._pools: dict[str, ProcessPoolExecutor] = {}

    def _pool(self, engine: str) -> ProcessPoolExecutor:
        if engine not in self._pools:
            self._pools[engine] = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_fast_start if engine == "fast" else _reference_start,
            )
        return self._pools[engine]

    def submit(self, cases: Sequence[Case]) -> tuple[Future[list[Answer]], Future[list[Answer]]]:
        """Both engines' answers to ``cases``, on their way."""
        texts = [(c.shapes, c.data, c.data_format) for c in cases]
        return (
            self._pool("fast").submit(_fast_task, texts),
            self._pool("pyshacl").submit(_reference_task, texts),
        )

    def close(self) -> None:
        pools, self._pools = self._pools, {}
        for pool in pools.values():
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Engines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# Comparing


@dataclass(frozen=True)
class Verdict:
    """The outcome of one case.

    ``status``: ``agree``; ``disagree``; ``refused`` (pySHACL raised on shapes the fast engine
    validated, or both raised the same error). ``kinds`` names what differs: constraint
    components, ``nested-shape-result`` (a result of a nested shape, which only sh:detail may
    hold), ``conforms``, ``fast-error``, ``invalid-shape-accepted``. ``corrected`` lists the
    components where the judge overrode pySHACL (its departures from the specification);
    ``judge_differs`` those outside the judged components where the judge and pySHACL differ
    (to look at: a judge bug, or a departure of pySHACL not yet known).
    """

    seed: int
    status: str
    fast: Answer
    reference: Answer
    expected: frozenset[Key] = frozenset()
    uncertain: frozenset[Key] = frozenset()
    kinds: tuple[str, ...] = ()
    missing: frozenset[Key] = frozenset()
    unexpected: frozenset[Key] = frozenset()
    corrected: tuple[str, ...] = ()
    judge_differs: tuple[str, ...] = ()
    delegated: bool = False


@dataclass(frozen=True)
class Disagreement:
    """A case where the fast engine's answer is not the expected one, with all it takes to
    reproduce it."""

    case: Case
    verdict: Verdict

    def __str__(self) -> str:
        verdict = self.verdict
        parts = [
            f"seed {self.case.seed}: {', '.join(verdict.kinds)}",
            f"--- shapes.ttl\n{self.case.shapes}",
            f"--- data.{self.case.data_format}\n{self.case.data}",
            f"--- fast engine\n{verdict.fast.describe()}",
            f"--- pySHACL\n{verdict.reference.describe()}",
        ]
        if self.case.invalid:
            parts.append(f"--- expected: an error (exit 2): {self.case.invalid}")
        else:
            parts.append(
                "--- expected (pySHACL, the judge where it departs from the specification)\n"
                + "\n".join(f"    {format_key(k)}" for k in sorted(verdict.expected))
            )
            if verdict.uncertain:
                parts.append(
                    "--- either way (the specification leaves it to the implementation)\n"
                    + "\n".join(f"    {format_key(k)}" for k in sorted(verdict.uncertain))
                )
            parts.append(
                "--- missing from the fast engine\n"
                + "\n".join(f"    {format_key(k)}" for k in sorted(verdict.missing))
            )
            parts.append(
                "--- unexpected from the fast engine\n"
                + "\n".join(f"    {format_key(k)}" for k in sorted(verdict.unexpected))
            )
        return "\n".join(parts)


def check_many(cases: Sequence[Case], engines: Engines, batch: int = 10) -> Iterator[Verdict]:
    """The verdict on each case, in order (the engines work on several batches at once)."""
    batches = [list(cases[i : i + batch]) for i in range(0, len(cases), batch)]
    pending = [(chunk, engines.submit(chunk)) for chunk in batches]
    for chunk, (fast_future, reference_future) in pending:
        timeout = REFERENCE_TIMEOUT * len(chunk)
        try:
            fast_answers = fast_future.result(timeout=timeout)
            reference_answers = reference_future.result(timeout=timeout)
        except FutureTimeout:
            seeds = ", ".join(str(c.seed) for c in chunk)
            raise RuntimeError(
                f"an engine gave no answer in {timeout:.0f} s (seeds {seeds})"
            ) from None
        for case, fast, reference in zip(chunk, fast_answers, reference_answers, strict=True):
            yield decide(case, fast, reference)


def check(case: Case, engines: Engines) -> Verdict:
    """Validate ``case`` on both engines and judge the fast engine's answer."""
    return next(check_many([case], engines))


def compare(case: Case, engines: Engines | None = None) -> Disagreement | None:
    """The disagreement of the fast engine with the reference on ``case``, or None (agreement
    or a reference refusal)."""
    if engines is None:
        with Engines() as own:
            verdict = check(case, own)
    else:
        verdict = check(case, engines)
    return Disagreement(case, verdict) if verdict.status == "disagree" else None


def reported_shapes(case: Case) -> set[str]:
    """The shapes whose results are results of the report: those validated at top level and,
    through sh:property, their property shapes at any depth (4.7.2: the results of validating a
    value node against a property shape are the results of sh:property). The others are nested
    shapes (of sh:node, sh:not...), whose results only sh:detail may hold."""
    reported: set[str] = set()
    pending = list(case.top)
    while pending:
        iri = pending.pop()
        if iri not in reported:
            reported.add(iri)
            pending += case.model[iri].properties
    return reported


def decide(case: Case, fast: Answer, reference: Answer) -> Verdict:
    """The verdict on the fast engine's answer, given pySHACL's."""
    delegated = bool(fast.note)
    if case.invalid:
        if fast.error and fast.exit_code == 2:
            return Verdict(case.seed, "agree", fast, reference, delegated=delegated)
        kind = "fast-error" if fast.error else "invalid-shape-accepted"
        return Verdict(case.seed, "disagree", fast, reference, kinds=(kind,), delegated=delegated)
    if reference.error:
        # (if the fast engine failed too, it most likely handed the shapes to pySHACL, whose
        # errors can differ from run to run: it compares value nodes in set order)
        return Verdict(
            case.seed, "refused", fast, reference, delegated=delegated or bool(fast.error)
        )
    if fast.error:
        return Verdict(case.seed, "disagree", fast, reference, kinds=("fast-error",))
    # kg's reading of pySHACL's report takes the results of nested shapes (values of sh:detail)
    # for results of the report; only the shapes validated at top level give results
    reported = reported_shapes(case)
    reference = Answer(
        reference.conforms,
        frozenset(k for k in reference.results if k[4] in reported),
        note=reference.note,
    )
    spec = judge(case)
    judged = judged_pairs(case)

    def is_judged(key: Key) -> bool:
        return (key[4], key[3]) in judged

    expected = frozenset(k for k in reference.results if not is_judged(k)) | frozenset(
        k for k in spec.certain if is_judged(k)
    )
    uncertain = frozenset(k for k in spec.uncertain if is_judged(k))
    differs = (reference.results ^ spec.certain) - spec.uncertain
    corrected = sorted({k[3] for k in differs if is_judged(k)})
    judge_differs = sorted({k[3] for k in differs if not is_judged(k)})
    missing = expected - fast.results
    unexpected = fast.results - expected - uncertain
    # a result whose source shape is a nested one: kg took a sh:detail for a result
    kinds = sorted(
        {k[3] if k[4] in reported else "nested-shape-result" for k in missing | unexpected}
    )
    if fast.conforms != (not fast.results):
        kinds.append("conforms")
    status = "disagree" if kinds else "agree"
    return Verdict(
        case.seed,
        status,
        fast,
        reference,
        expected,
        uncertain,
        tuple(kinds),
        missing,
        unexpected,
        tuple(corrected),
        tuple(judge_differs),
        delegated,
    )


# ---------------------------------------------------------------------------------------------
# The judge: SHACL Core as the specification words it, on a small graph


COMPONENTS = {
    "class": "sh:ClassConstraintComponent",
    "datatype": "sh:DatatypeConstraintComponent",
    "nodeKind": "sh:NodeKindConstraintComponent",
    "minCount": "sh:MinCountConstraintComponent",
    "maxCount": "sh:MaxCountConstraintComponent",
    "minInclusive": "sh:MinInclusiveConstraintComponent",
    "maxInclusive": "sh:MaxInclusiveConstraintComponent",
    "minExclusive": "sh:MinExclusiveConstraintComponent",
    "maxExclusive": "sh:MaxExclusiveConstraintComponent",
    "minLength": "sh:MinLengthConstraintComponent",
    "maxLength": "sh:MaxLengthConstraintComponent",
    "pattern": "sh:PatternConstraintComponent",
    "languageIn": "sh:LanguageInConstraintComponent",
    "uniqueLang": "sh:UniqueLangConstraintComponent",
    "equals": "sh:EqualsConstraintComponent",
    "disjoint": "sh:DisjointConstraintComponent",
    "lessThan": "sh:LessThanConstraintComponent",
    "lessThanOrEquals": "sh:LessThanOrEqualsConstraintComponent",
    "in": "sh:InConstraintComponent",
    "hasValue": "sh:HasValueConstraintComponent",
    "node": "sh:NodeConstraintComponent",
    "not": "sh:NotConstraintComponent",
    "and": "sh:AndConstraintComponent",
    "or": "sh:OrConstraintComponent",
    "xone": "sh:XoneConstraintComponent",
    "closed": "sh:ClosedConstraintComponent",
}
QUALIFIED_MIN = "sh:QualifiedMinCountConstraintComponent"
QUALIFIED_MAX = "sh:QualifiedMaxCountConstraintComponent"

#: Where pySHACL departs from the specification, the judge decides these components.
JUDGED_COMPONENTS = frozenset(
    {
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "lessThan",
        "lessThanOrEquals",
        "minLength",
        "maxLength",
        "pattern",
        "in",
        "hasValue",
        "equals",
        "disjoint",
    }
)
SHAPE_VALUED = frozenset({"node", "not", "and", "or", "xone", "qualifiedValueShape"})


def _components_of(constraint: Constraint) -> list[str]:
    if constraint.name == "qualifiedValueShape":
        names = {"qualifiedMinCount": QUALIFIED_MIN, "qualifiedMaxCount": QUALIFIED_MAX}
        return [names[name] for name, _ in constraint.extra if name in names]
    return [COMPONENTS[constraint.name]]


def _nested(constraint: Constraint) -> list[str]:
    if constraint.name in ("and", "or", "xone"):
        return list(constraint.values)
    return [constraint.value] if constraint.name in SHAPE_VALUED else []


def sibling_shapes(model: dict[str, ShapeDef], iri: str, constraint: Constraint) -> list[str]:
    """4.7.3: the sibling shapes of the property shape ``iri`` for its ``constraint`` (a
    sh:qualifiedValueShape). When ``iri`` has sh:qualifiedValueShapesDisjoint true, the values of
    sh:property/sh:qualifiedValueShape of every shape that has ``iri`` as a value of sh:property
    (a node shape or a property shape), minus the qualified value shape of ``iri`` itself; none
    otherwise. Shapes, not property shapes: whether a sibling property shape is deactivated does
    not matter."""
    if (
        constraint.name != "qualifiedValueShape"
        or constraint.option("qualifiedValueShapesDisjoint") != "true"
    ):
        return []
    found: dict[str, None] = {}
    for parent in model.values():
        if iri not in parent.properties:
            continue
        for sibling in parent.properties:
            for other in model[sibling].constraints:
                if other.name == "qualifiedValueShape" and other.value != constraint.value:
                    found[other.value] = None
    return list(found)


def judged_pairs(case: Case) -> set[tuple[str, str]]:
    """The (source shape, constraint component) pairs the judge decides: the judged components,
    the shape-valued ones whose nested shapes (transitively, sibling shapes included) use one,
    and every constraint of a shape on whose path (or on the path of a property shape it is
    nested in through sh:property) pySHACL finds no value nodes."""
    model = case.model
    memo: dict[str, bool] = {}

    def nested(iri: str, constraint: Constraint) -> list[str]:
        return _nested(constraint) + sibling_shapes(model, iri, constraint)

    def uses_judged(iri: str) -> bool:
        if iri not in memo:
            memo[iri] = False
            shape = model[iri]
            memo[iri] = not shape.is_deactivated and (
                (shape.path is not None and shape.path.inverts_a_sequence())
                or any(
                    c.name in JUDGED_COMPONENTS or any(uses_judged(n) for n in nested(iri, c))
                    for c in shape.constraints
                )
                or any(uses_judged(p) for p in shape.properties)
            )
        return memo[iri]

    parents: dict[str, list[str]] = {}
    for iri, shape in model.items():
        for child in shape.properties:
            parents.setdefault(child, []).append(iri)
    blind: dict[str, bool] = {}

    def whole(iri: str) -> bool:
        """Does pySHACL miss the value nodes of ``iri`` or of a property shape above it?"""
        if iri not in blind:
            blind[iri] = False
            path = model[iri].path
            blind[iri] = (path is not None and path.inverts_a_sequence()) or any(
                whole(parent) for parent in parents.get(iri, [])
            )
        return blind[iri]

    pairs = set()
    for iri, shape in model.items():
        for constraint in shape.constraints:
            if (
                whole(iri)
                or constraint.name in JUDGED_COMPONENTS
                or any(uses_judged(n) for n in nested(iri, constraint))
            ):
                pairs.update((iri, component) for component in _components_of(constraint))
    return pairs


@dataclass(frozen=True)
class SpecAnswer:
    """The judge's results: those the specification requires, and those it leaves to the
    implementation (either answer is right)."""

    certain: frozenset[Key]
    uncertain: frozenset[Key]


Term = ox.NamedNode | ox.BlankNode | ox.Literal


class _Graph:
    def __init__(self, text: str, data_format: str) -> None:
        rdf_format = ox.RdfFormat.TRIG if data_format == "trig" else ox.RdfFormat.TURTLE
        self.triples: set[tuple[Term, ox.NamedNode, Term]] = set()
        for quad in ox.parse(text.encode("utf-8"), format=rdf_format):
            self.triples.add((quad.subject, quad.predicate, quad.object))  # type: ignore[arg-type]
        self.out: dict[Term, list[tuple[ox.NamedNode, Term]]] = {}
        self.into: dict[Term, list[tuple[ox.NamedNode, Term]]] = {}
        for s, p, o in self.triples:
            self.out.setdefault(s, []).append((p, o))
            self.into.setdefault(o, []).append((p, s))

    def objects(self, subject: Term, predicate: str) -> set[Term]:
        return {o for p, o in self.out.get(subject, []) if p.value == predicate}

    def subjects(self, predicate: str, obj: Term) -> set[Term]:
        return {s for p, s in self.into.get(obj, []) if p.value == predicate}

    def nodes(self) -> set[Term]:
        return {s for s, _, _ in self.triples} | {o for _, _, o in self.triples}


_TERMS: dict[str, Term] = {}


def parse_term(text: str) -> Term:
    """A Turtle term (``ex:a``, ``"01"^^xsd:integer``, ``1.5``) as written."""
    term = _TERMS.get(text)
    if term is None:
        document = f"{PREFIXES}<urn:s> <urn:p> {text} ."
        (triple,) = list(ox.parse(document.encode("utf-8"), format=ox.RdfFormat.TURTLE))
        term = _TERMS[text] = triple.object  # type: ignore[assignment]
    return term


def show(term: Term) -> str:
    """A term as ``kg`` writes it in a report (blank nodes as ``_:``)."""
    if isinstance(term, ox.BlankNode):
        return "_:"
    if isinstance(term, ox.NamedNode):
        return _compact(term.value)
    text = turtle_string(term.value)
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype.value != XSD_STRING:
        return f"{text}^^{_compact(term.datatype.value)}"
    return text


def _compact(iri: str) -> str:
    for prefix, namespace in NAMESPACES.items():
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and re.fullmatch(r"[A-Za-z0-9_.-]*[A-Za-z0-9_-]", local):
            return f"{prefix}:{local}"
    return f"<{iri}>"


def _path_pairs(graph: _Graph, path: Path, start: Term) -> set[Term]:
    """The nodes ``path`` reaches from ``start`` (SPARQL 1.1 property-path semantics: a
    zero-length path reaches the start node, whether the graph holds it or not)."""
    if path.kind == "pred":
        return graph.objects(start, _expand(path.iri))
    if path.kind == "inverse":
        inner = path.members[0]
        if inner.kind == "pred":
            return graph.subjects(_expand(inner.iri), start)
        return {n for n in graph.nodes() | {start} if start in _path_pairs(graph, inner, n)}
    if path.kind == "sequence":
        reached = {start}
        for member in path.members:
            reached = {n for r in reached for n in _path_pairs(graph, member, r)}
        return reached
    if path.kind == "alternative":
        return {n for member in path.members for n in _path_pairs(graph, member, start)}
    inner = path.members[0]
    if path.kind == "zeroOrOne":
        return {start} | _path_pairs(graph, inner, start)
    reached: set[Term] = set()
    frontier = {start}
    while frontier:
        step = {n for f in frontier for n in _path_pairs(graph, inner, f)} - reached
        reached |= step
        frontier = step
    return reached | {start} if path.kind == "zeroOrMore" else reached


def _expand(name: str) -> str:
    prefix, _, local = name.partition(":")
    return NAMESPACES[prefix] + local


# --- XSD values, for the datatype check and for SPARQL's comparison operators

_INTEGER_TYPES = {
    "integer": (None, None),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}
#: The datatypes of SPARQL 1.1's operators (17.1): only for these is an ill-typed literal
#: rejected by sh:datatype; for any other, the specification does not say.
SPARQL_DATATYPES = frozenset(
    {XSD + t for t in _INTEGER_TYPES}
    | {XSD + t for t in ("string", "boolean", "decimal", "float", "double", "dateTime")}
)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_DOUBLE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|-?INF|NaN")
_TZ = r"(?P<tz>Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_DATE = re.compile(r"(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})" + _TZ)
_DATETIME = re.compile(
    r"(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2}(?:\.[0-9]+)?)" + _TZ
)


@dataclass(frozen=True)
class _Moment:
    """A date or date-time: its local time (as seconds) and its time zone offset (or None)."""

    seconds: Decimal
    offset: int | None  # minutes east of UTC
    is_date: bool


def _tz_offset(text: str | None) -> int | None:
    if not text:
        return None
    if text == "Z":
        return 0
    sign = -1 if text[0] == "-" else 1
    hours, minutes = text[1:].split(":")
    return sign * (int(hours) * 60 + int(minutes))


def _moment(lexical: str, is_date: bool) -> _Moment | None:
    match = (_DATE if is_date else _DATETIME).fullmatch(lexical)
    if not match:
        return None
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    try:
        ordinal = datetime.date(year, month, day).toordinal()
    except ValueError:  # no such day (or a year Python's dates do not reach: not generated)
        return None
    seconds = Decimal(ordinal * 86400)
    if not is_date:
        hour, minute, second = int(match[4]), int(match[5]), Decimal(match[6])
        if hour > 23 or minute > 59 or second >= 60:
            return None  # (24:00:00 is valid XSD, but not generated)
        seconds += hour * 3600 + minute * 60 + second
    return _Moment(seconds, _tz_offset(match["tz"]), is_date)


def _value(term: Term) -> tuple[str, object] | None:
    """The value SPARQL's operators compare, as (kind, value); None for a term they cannot
    compare (an IRI, a blank node, a language string, an ill-typed literal, another datatype)."""
    if not isinstance(term, ox.Literal) or term.language:
        return None
    datatype, lexical = term.datatype.value, term.value
    if datatype == XSD_STRING:
        return ("string", lexical)
    if not datatype.startswith(XSD):
        return None
    local = datatype[len(XSD) :]
    if local in _INTEGER_TYPES:
        if not _INTEGER.fullmatch(lexical):
            return None
        number = int(lexical)
        low, high = _INTEGER_TYPES[local]
        if (low is not None and number < low) or (high is not None and number > high):
            return None
        return ("number", number)
    if local == "decimal":
        return ("number", Decimal(lexical)) if _DECIMAL.fullmatch(lexical) else None
    if local in ("double", "float"):
        if not _DOUBLE.fullmatch(lexical):
            return None
        value = float(lexical.replace("INF", "inf"))
        return (local, _single(value) if local == "float" else value)
    if local == "boolean":
        if lexical not in ("true", "false", "1", "0"):
            return None
        return ("boolean", lexical in ("true", "1"))
    if local in ("dateTime", "date"):
        moment = _moment(lexical, local == "date")
        return None if moment is None else (local, moment)
    return None


def _single(value: float) -> float:
    """``value`` rounded to an IEEE single (xsd:float)."""
    import struct

    if value != value or abs(value) == float("inf"):
        return value
    try:
        return float(struct.unpack("f", struct.pack("f", value))[0])
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def well_typed(term: ox.Literal) -> bool | None:
    """Is the literal in its datatype's lexical space: True, False, or None when the datatype is
    not one the judge knows."""
    datatype = term.datatype.value
    if term.language or datatype == XSD_STRING:
        return True
    if datatype.startswith(XSD) and datatype[len(XSD) :] in (
        *_INTEGER_TYPES,
        "decimal",
        "double",
        "float",
        "boolean",
        "dateTime",
        "date",
    ):
        return _value(term) is not None
    return None


#: Outcomes of comparing a with b: "lt", "eq", "gt", or "none" (the operator is not defined
#: for them, or NaN).
Outcomes = frozenset[str]


def _order(a: object, b: object) -> str:
    return "lt" if a < b else "gt" if a > b else "eq"  # type: ignore[operator]


def sparql_compare(a: Term, b: Term) -> Outcomes:
    """What SPARQL's operators may find comparing ``a`` with ``b`` (several outcomes where the
    specification leaves it to the implementation)."""
    left, right = _value(a), _value(b)
    if left is None or right is None:
        return frozenset({"none"})
    (kind_a, x), (kind_b, y) = left, right
    numeric = ("number", "float", "double")
    if kind_a in numeric and kind_b in numeric:
        # type promotion (XPath 2.0, B.1): decimal to float to double
        if "double" in (kind_a, kind_b) or "float" in (kind_a, kind_b):
            fx, fy = float(x), float(y)  # type: ignore[arg-type]
            if "double" not in (kind_a, kind_b):
                fx, fy = _single(fx), _single(fy)
            if fx != fx or fy != fy:
                return frozenset({"none"})
            return frozenset({_order(fx, fy)})
        return frozenset({_order(x, y)})
    if kind_a != kind_b:
        return frozenset({"none"})
    if kind_a in ("string", "boolean"):
        return frozenset({_order(x, y)})
    assert isinstance(x, _Moment) and isinstance(y, _Moment)
    outcomes = set(_moments(x, y))
    if kind_a == "date":  # not among SPARQL 1.1's operators; an extension compares them
        outcomes.add("none")
    return frozenset(outcomes)


def _moments(x: _Moment, y: _Moment) -> set[str]:
    """XPath's comparison of two dates or date-times: one without a time zone takes the
    implicit time zone, which the implementation chooses (within -14:00..+14:00)."""
    if (x.offset is None) == (y.offset is None):
        shift_x = Decimal((x.offset or 0) * 60)
        shift_y = Decimal((y.offset or 0) * 60)
        return {_order(x.seconds - shift_x, y.seconds - shift_y)}
    swap = x.offset is None
    fixed, floating = (y, x) if swap else (x, y)
    instant = fixed.seconds - Decimal(fixed.offset or 0) * 60
    low, high = floating.seconds - 14 * 3600, floating.seconds + 14 * 3600
    outcomes = set()
    if instant < high:
        outcomes.add("lt")  # fixed < floating is possible
    if low <= instant <= high:
        outcomes.add("eq")
    if instant > low:
        outcomes.add("gt")
    if swap:
        outcomes = {{"lt": "gt", "gt": "lt"}.get(o, o) for o in outcomes}
    return outcomes


def _holds(outcomes: Outcomes, allowed: set[str]) -> set[bool]:
    return {o in allowed for o in outcomes}


class _Judge:
    def __init__(self, case: Case) -> None:
        self.case = case
        self.graph = _Graph(case.data, case.data_format)
        self.conformance: dict[tuple[Term, str], bool | None] = {}

    def instance_of(self, node: Term, cls: str) -> bool:
        types = self.graph.objects(node, RDF_TYPE)
        seen: set[Term] = set()
        while types:
            current = types.pop()
            if current in seen:
                continue
            seen.add(current)
            if isinstance(current, ox.NamedNode) and current.value == cls:
                return True
            types |= self.graph.objects(current, SUBCLASS_OF)
        return False

    def focus_nodes(self, shape: ShapeDef) -> set[Term]:
        nodes: set[Term] = set()
        for kind, text in shape.targets:
            if kind == "targetNode":
                nodes.add(parse_term(text))
            elif kind == "targetClass":
                cls = _expand(text)
                nodes |= {s for s, _, _ in self.graph.triples if self.instance_of(s, cls)}
            elif kind == "targetSubjectsOf":
                nodes |= {s for s, p, _ in self.graph.triples if p.value == _expand(text)}
            else:
                nodes |= {o for _, p, o in self.graph.triples if p.value == _expand(text)}
        return nodes

    def conforms(self, node: Term, iri: str) -> bool | None:
        """Does ``node`` conform to the shape: True, False, or None (it depends on choices the
        specification leaves to the implementation)."""
        key = (node, iri)
        if key not in self.conformance:
            self.conformance[key] = True  # recursion guard; the generator makes no cycles
            results = self.validate(iri, node)
            if any(certain for _, certain in results):
                self.conformance[key] = False
            else:
                self.conformance[key] = None if results else True
        return self.conformance[key]

    def validate(self, iri: str, focus: Term) -> list[tuple[Key, bool]]:
        """The results of validating ``focus`` against the shape, each with whether the
        specification requires it (True) or leaves it open (False)."""
        shape = self.case.model[iri]
        if shape.is_deactivated:  # 2.1.5: every RDF term conforms to it
            return []
        path_text = shape.path.text() if shape.path else ""
        values = {focus} if shape.path is None else _path_pairs(self.graph, shape.path, focus)
        severity = (shape.severity or "sh:Violation").removeprefix("sh:")
        found: list[tuple[Key, bool]] = []

        def result(
            component: str, value: Term | None, certain: bool = True, path: str = ""
        ) -> None:
            key = (
                show(focus),
                path or path_text,
                "" if value is None else show(value),
                component,
                iri,
                severity,
            )
            found.append((key, certain))

        for constraint in shape.constraints:
            self.constraint(iri, constraint, focus, values, result)
        for property_iri in shape.properties:
            # 4.7.2: each value node (the focus node itself for a node shape) is validated as a
            # focus node against the property shape; its results are those of sh:property
            for value in values:
                found += self.validate(property_iri, value)
        if shape.closed:
            allowed = {
                _expand(self.case.model[p].path.iri)  # type: ignore[union-attr]
                for p in shape.properties
                if self.case.model[p].path is not None and self.case.model[p].path.kind == "pred"  # type: ignore[union-attr]
            } | {_expand(i) for i in shape.ignored}
            for value in values:
                for predicate, obj in self.graph.out.get(value, []):
                    if predicate.value not in allowed:
                        result(COMPONENTS["closed"], obj, path=_compact(predicate.value))
        return found

    def constraint(
        self,
        iri: str,
        constraint: Constraint,
        focus: Term,
        values: set[Term],
        result: Callable[..., None],
    ) -> None:
        name = constraint.name
        component = COMPONENTS.get(name, "")

        def each(test: Callable[[Term], set[bool] | bool | None]) -> None:
            """A result for each value node the test fails (True: conforms)."""
            for value in values:
                answer = test(value)
                possible = answer if isinstance(answer, set) else {answer}
                if False in possible:
                    result(component, value, certain=possible == {False})
                elif None in possible:
                    result(component, value, certain=False)

        if name == "class":
            cls = _expand(constraint.value)
            each(lambda v: not isinstance(v, ox.Literal) and self.instance_of(v, cls))
        elif name == "datatype":
            datatype = _expand(constraint.value)

            def datatype_test(value: Term) -> bool | None:
                if not isinstance(value, ox.Literal) or value.datatype.value != datatype:
                    return False
                typed = well_typed(value)
                if datatype in SPARQL_DATATYPES:
                    return bool(typed)
                return None if typed is False else True  # ill-typed: SPARQL 1.1 does not say

            each(datatype_test)
        elif name == "nodeKind":
            kinds = {
                "sh:IRI": (ox.NamedNode,),
                "sh:BlankNode": (ox.BlankNode,),
                "sh:Literal": (ox.Literal,),
                "sh:BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode),
                "sh:BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
                "sh:IRIOrLiteral": (ox.NamedNode, ox.Literal),
            }[constraint.value]
            each(lambda v: isinstance(v, kinds))
        elif name in ("minCount", "maxCount"):
            count, limit = len(values), int(constraint.value)
            if (count < limit) if name == "minCount" else (count > limit):
                result(component, None)
        elif name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            bound = parse_term(constraint.value)
            allowed = {
                "minInclusive": {"lt", "eq"},  # bound <= v
                "minExclusive": {"lt"},  # bound < v
                "maxInclusive": {"gt", "eq"},  # bound >= v
                "maxExclusive": {"gt"},  # bound > v
            }[name]
            each(lambda v: _holds(sparql_compare(bound, v), allowed))
        elif name in ("minLength", "maxLength"):
            limit = int(constraint.value)

            def length_test(value: Term) -> bool:
                if isinstance(value, ox.BlankNode):
                    return False
                length = len(value.value)
                return length >= limit if name == "minLength" else length <= limit

            each(length_test)
        elif name == "pattern":
            pattern = parse_term(constraint.value).value
            flags_text = constraint.option("flags")
            flags = 0
            for flag in parse_term(flags_text).value if flags_text else "":
                flags |= {"i": re.I, "s": re.S, "m": re.M, "x": re.X}[flag]
            regex = re.compile(pattern, flags)
            each(lambda v: not isinstance(v, ox.BlankNode) and bool(regex.search(v.value)))
        elif name == "languageIn":
            ranges = [parse_term(r).value.lower() for r in constraint.values]

            def language_test(value: Term) -> bool:
                if not isinstance(value, ox.Literal) or not value.language:
                    return False
                tag = value.language.lower()
                return any(r == "*" or tag == r or tag.startswith(r + "-") for r in ranges)

            each(language_test)
        elif name == "uniqueLang":
            if constraint.value == "true":
                tags: dict[str, int] = {}
                for value in values:
                    if isinstance(value, ox.Literal) and value.language:
                        tags[value.language.lower()] = tags.get(value.language.lower(), 0) + 1
                for _tag in sorted(t for t, n in tags.items() if n > 1):
                    result(component, None)
        elif name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            others = self.graph.objects(focus, _expand(constraint.value))
            if name == "equals":
                for value in values - others:
                    result(component, value)
                for other in others - values:
                    result(component, other)
            elif name == "disjoint":
                for value in values & others:
                    result(component, value)
            else:
                allowed = {"lt"} if name == "lessThan" else {"lt", "eq"}
                for value in values:
                    holds = [_holds(sparql_compare(value, other), allowed) for other in others]
                    if any(False in h for h in holds):  # a pair where value < other may fail
                        result(component, value, certain=any(h == {False} for h in holds))
        elif name == "in":
            members = {parse_term(m) for m in constraint.values}
            each(lambda v: v in members)
        elif name == "hasValue":
            if parse_term(constraint.value) not in values:
                result(component, None)
        elif name in ("node", "not"):
            wanted = name == "node"

            def nested_test(value: Term) -> bool | None:
                conforms = self.conforms(value, constraint.value)
                return None if conforms is None else conforms == wanted

            each(nested_test)
        elif name in ("and", "or", "xone"):
            needed = {
                "and": lambda n, k: n == k,
                "or": lambda n, k: n >= 1,
                "xone": lambda n, k: n == 1,
            }

            def list_test(value: Term) -> set[bool]:
                answers = [self.conforms(value, member) for member in constraint.values]
                choices = [[a] if a is not None else [True, False] for a in answers]
                return {
                    needed[name](sum(chosen), len(chosen)) for chosen in itertools.product(*choices)
                }

            each(list_test)
        elif name == "qualifiedValueShape":
            # 4.7.3: count the value nodes that conform to the qualified value shape and to none
            # of the sibling shapes (low: surely counted; high: possibly counted)
            siblings = sibling_shapes(self.case.model, iri, constraint)
            low = high = 0
            for value in values:
                own = self.conforms(value, constraint.value)
                beside = [self.conforms(value, sibling) for sibling in siblings]
                if own is True and all(answer is False for answer in beside):
                    low += 1
                    high += 1
                elif own is not False and True not in beside:
                    high += 1
            minimum = constraint.option("qualifiedMinCount")
            maximum = constraint.option("qualifiedMaxCount")
            if minimum is not None and low < int(minimum):
                result(QUALIFIED_MIN, None, certain=high < int(minimum))
            if maximum is not None and high > int(maximum):
                result(QUALIFIED_MAX, None, certain=low > int(maximum))


def judge(case: Case) -> SpecAnswer:
    """The results the specification gives for ``case``, computed from the shapes' model."""
    spec = _Judge(case)
    certain: set[Key] = set()
    uncertain: set[Key] = set()
    for iri in case.top:
        for focus in spec.focus_nodes(case.model[iri]):
            for key, is_certain in spec.validate(iri, focus):
                (certain if is_certain else uncertain).add(key)
    return SpecAnswer(frozenset(certain), frozenset(uncertain - certain))


# ---------------------------------------------------------------------------------------------
# Running many cases


def check_seeds(seeds: Iterable[int], engines: Engines | None = None) -> list[Verdict]:
    """The verdict on each seed's case."""
    cases = [generate(seed) for seed in seeds]
    if engines is None:
        with Engines() as own:
            return list(check_many(cases, own))
    return list(check_many(cases, engines))


def summarize(verdicts: Sequence[Verdict]) -> dict[str, object]:
    """Counts over many verdicts: cases, agreements, disagreements (by kind), refusals."""
    by_kind: dict[str, int] = {}
    corrected: dict[str, int] = {}
    judge_differs: dict[str, int] = {}
    for verdict in verdicts:
        if verdict.status == "disagree":
            for kind in verdict.kinds:
                by_kind[kind] = by_kind.get(kind, 0) + 1
        for component in verdict.corrected:
            corrected[component] = corrected.get(component, 0) + 1
        for component in verdict.judge_differs:
            judge_differs[component] = judge_differs.get(component, 0) + 1
    return {
        "cases": len(verdicts),
        "agreements": sum(v.status == "agree" for v in verdicts),
        "disagreements": sum(v.status == "disagree" for v in verdicts),
        "refusals": sum(v.status == "refused" for v in verdicts),
        "delegated": sum(v.delegated for v in verdicts),
        "delegated_disagreements": sum(v.delegated and v.status == "disagree" for v in verdicts),
        "by_kind": dict(sorted(by_kind.items())),
        "corrected": dict(sorted(corrected.items())),
        "judge_differs": dict(sorted(judge_differs.items())),
    }
