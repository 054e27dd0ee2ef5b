"""SPARQL-based constraints (SHACL 5): a shape's ``sh:sparql`` SELECT query, joined with its
focus nodes into one query answering for every focus node at once."""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.shacl.shapes import (
    SHAPES_GRAPH,
    Shape,
    SparqlConstraint,
    Term,
    UnsupportedShapes,
    prebind,
)
from kg.shacl.store_queries import Query
from kg.sparql.text import read_prologue, variables

_MESSAGE_VARIABLE = re.compile(r"\{[?$](\w+)\}")


def sparql_query(shape: Shape, constraint: SparqlConstraint, target: str) -> Query:
    """A join-safe SHACL-SPARQL constraint (checked by :mod:`kg.shacl.constraint_queries`) as one
    query answering for every focus node at once (SHACL 5.3.1)."""
    prologue, select = split_prologue(constraint.query)
    # the line break ends a comment on the constraint's last line before the closing brackets
    joined = (
        f"{prologue}SELECT * WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {target} }} }} "
        f"{{ {select}\n}} }}"
    )
    return Query(joined, _selected_prebound(shape, constraint))


def focus_query(shape: Shape, constraint: SparqlConstraint, focus: Term) -> Query:
    """A SHACL-SPARQL constraint that is not join-safe, for one focus node (as the store holds
    it), pre-bound as SHACL pre-binds it: written into the query's body, nested groups
    included, and substituted in the projection (Oxigraph's substitutions bind a selected
    variable at the top only).

    Raises:
        UnsupportedShapes: the focus node is a blank node, which query text cannot name.
    """
    if isinstance(focus, ox.BlankNode):
        raise UnsupportedShapes(
            f"SPARQL constraint {constraint.node}, not answerable for all focus nodes at once, "
            "on a blank focus node"
        )
    text = prebind(constraint.query, "this", str(focus))
    return Query(text, (("this", focus), *_selected_prebound(shape, constraint)))


def _selected_prebound(shape: Shape, constraint: SparqlConstraint) -> tuple[tuple[str, Term], ...]:
    """The pre-bound variables the query selects, with their values (the others are written in
    by :func:`kg.shacl.shapes.prebind`)."""
    bound: list[tuple[str, Term]] = []
    if constraint.uses_current_shape:
        bound.append(("currentShape", shape.node))
    if constraint.uses_shapes_graph and "shapesGraph" in variables(constraint.query):
        bound.append(("shapesGraph", ox.NamedNode(SHAPES_GRAPH)))
    return tuple(bound)


def split_prologue(query: str) -> tuple[str, str]:
    """The PREFIX and BASE declarations in front of a query, and the SELECT query after them."""
    end = read_prologue(query).end
    return query[:end], query[end:]


def substitute(message: ox.Literal, row: dict[str, Term]) -> ox.Literal:
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
