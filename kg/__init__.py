"""supernode-kg: a knowledge graph of the AI supernode server market and the tools to ask it.

From Python::

    import kg
    kg.query("partners", org="腾讯").to_pandas()

Every public name (:mod:`kg.api`) is imported on first use, so ``import kg`` (and the ``kg``
command, which imports this package first) stays as fast as importing nothing.
"""

from __future__ import annotations

from kg.base.version import __version__

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (mypy reads it the same)

if TYPE_CHECKING:
    from kg.api import (
        IRI,
        BlankNode,
        Graph,
        KgError,
        LangString,
        ParameterInfo,
        QueryInfo,
        Results,
        TypedLiteral,
        ValidationReport,
        chart,
        check,
        describe,
        draw,
        export,
        load,
        ontology_docs,
        push,
        queries,
        query,
        query_info,
        reason,
        serve_endpoint,
        validate,
    )

__all__ = [
    "IRI",
    "BlankNode",
    "Graph",
    "KgError",
    "LangString",
    "ParameterInfo",
    "QueryInfo",
    "Results",
    "TypedLiteral",
    "ValidationReport",
    "__version__",
    "chart",
    "check",
    "describe",
    "draw",
    "export",
    "load",
    "ontology_docs",
    "push",
    "queries",
    "query",
    "query_info",
    "reason",
    "serve_endpoint",
    "validate",
]


def __getattr__(name: str) -> object:
    """Import :mod:`kg.api` when one of its names is first asked for."""
    if name in __all__:
        import importlib

        value = getattr(importlib.import_module("kg.api"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})
