"""Query answers made comparable across engines and clients, for the equality tests."""

from __future__ import annotations

import re
from collections import Counter

import pyoxigraph as ox

from kg.sparql.text import strip_comments


def comparable_answer(results: object, text: str) -> object:
    """A comparable answer as N-Triples terms: the set of triples, the boolean, or (variables,
    rows) with rows in order where the query orders them and as a multiset where it does not."""
    if isinstance(results, (list, ox.QueryTriples)):
        return {str(t) for t in results}
    if isinstance(results, ox.QueryBoolean):
        return bool(results)
    assert isinstance(results, ox.QuerySolutions)
    variables = results.variables
    rows = [tuple(str(s[v]) if s[v] is not None else None for v in variables) for s in results]
    ordered = re.search(r"\bORDER\s+BY\b", strip_comments(text), re.IGNORECASE) is not None
    return tuple(v.value for v in variables), rows if ordered else Counter(rows)
