"""SPARQL-based constraints (SHACL 5): a shape's ``sh:sparql`` SELECT query, joined with its
focus nodes into one query answering for every focus node at once."""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.shacl.shapes import Shape, SparqlConstraint, Term
from kg.shacl.store_queries import Query
from kg.sparql.text import read_prologue

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
    return Query(joined, (("currentShape", shape.node),) if constraint.uses_current_shape else ())


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
