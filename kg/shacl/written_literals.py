"""Surrogate literals: how the fast engine's store holds a literal exactly as written.

An Oxigraph store keeps some literals by value (:mod:`kg.rdf.literal_fidelity`): ``"01"^^xsd:integer``
comes back as ``"1"^^xsd:integer``, one term with ``1``. SHACL compares terms, so before the data
goes into the store each such literal is replaced by a surrogate: the same lexical form with a
private datatype IRI, which the store keeps as it is. The mapping is a bijection:

* ``"01"^^xsd:integer`` becomes ``"01"^^<urn:x-kg:written:http://www.w3.org/2001/XMLSchema#integer>``
  (a well-typed literal the store would rewrite);
* an ill-typed literal such as ``"abc"^^xsd:integer`` becomes ``"abc"^^<urn:x-kg:ill-typed:…#integer>``,
  so that sh:datatype, which must reject it (SHACL 4.1.2), tells it from a well-typed one in SPARQL;
* a literal whose datatype already starts with ``urn:x-kg:`` is escaped the same way, so that no
  literal of the data is ever read back as another.

On surrogates, sameTerm, DISTINCT, sh:in and sh:hasValue compare the terms as written, and
``STR()`` and ``STRLEN()`` see the written lexical form; comparisons are decided in Python on the
written literal (:mod:`kg.shacl.comparison`), and :func:`written` turns every surrogate in a
result back into the literal the data wrote.
"""

from __future__ import annotations

from typing import TypeVar, cast

import pyoxigraph as ox

from kg.base.namespaces import XSD
from kg.shacl.xsd_values import is_ill_typed

PRIVATE = "urn:x-kg:"
WRITTEN = PRIVATE + "written:"
ILL_TYPED = PRIVATE + "ill-typed:"

T = TypeVar("T")
Term = ox.NamedNode | ox.BlankNode | ox.Literal


def ill_typed(literal: ox.Literal) -> bool:
    """Whether a literal's lexical form is outside its datatype's lexical space (XSD datatypes
    only; rdflib's rules for the rarer ones this engine does not read itself)."""
    datatype = literal.datatype.value
    verdict = is_ill_typed(literal.value, datatype)
    if verdict is not None:
        return verdict
    if not datatype.startswith(XSD) or literal.language:
        return False
    import rdflib

    from kg.base.quiet import quiet_libraries

    with quiet_libraries():  # rdflib logs a traceback for each literal it cannot convert
        converted = rdflib.Literal(literal.value, datatype=rdflib.URIRef(datatype), normalize=False)
    return bool(converted.ill_typed)


def needs_surrogate(literal: ox.Literal) -> bool:
    """Whether a literal needs a surrogate even if the store kept it: it is ill-typed, or its
    datatype is in the private namespace the surrogates use."""
    return literal.datatype.value.startswith(PRIVATE) or ill_typed(literal)


def surrogate(literal: ox.Literal) -> ox.Literal:
    """The surrogate that holds ``literal`` as written in the store.

    Example:
        >>> surrogate(ox.Literal("01", datatype=ox.NamedNode(XSD + "integer"))).datatype.value
        'urn:x-kg:written:http://www.w3.org/2001/XMLSchema#integer'
    """
    prefix = ILL_TYPED if ill_typed(literal) else WRITTEN
    return ox.Literal(literal.value, datatype=ox.NamedNode(prefix + literal.datatype.value))


def written(term: T) -> T:
    """The term as the data wrote it: a surrogate's literal, any other term itself.

    Example:
        >>> written(surrogate(ox.Literal("1.5E2", datatype=ox.NamedNode(XSD + "double")))).value
        '1.5E2'
    """
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype.startswith(PRIVATE):
            for prefix in (WRITTEN, ILL_TYPED):
                if datatype.startswith(prefix):
                    original = ox.NamedNode(datatype[len(prefix) :])
                    return cast(T, ox.Literal(term.value, datatype=original))
    return term


def written_datatype(datatype: str) -> str:
    """The datatype IRI of the surrogates of well-typed literals of ``datatype``: sh:datatype
    accepts a value whose datatype is either."""
    return WRITTEN + datatype


def surrogates_for(literals: set[ox.Literal]) -> dict[Term, Term]:
    """Each of ``literals`` that needs a surrogate (the store rewrites it, or
    :func:`needs_surrogate`), mapped to its surrogate."""
    from kg.rdf.literal_fidelity import store_rewrites

    rewritten = store_rewrites(literals)
    return {
        literal: surrogate(literal)
        for literal in literals
        if literal in rewritten or needs_surrogate(literal)
    }
