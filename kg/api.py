"""The Python API: load the graph, run saved or ad-hoc queries, validate, check, reason,
describe, export and push, from a notebook or a script. ``import kg`` exports every name here.

Each call wraps the module that does the work (:mod:`kg.sparql.query`, :mod:`kg.shacl.validation`, ...),
and the ``kg`` command is a thin layer over these calls. Errors are :class:`kg.KgError`, with
the one-line messages the command prints.

Example:
    >>> import kg
    >>> kg.query("partners", org="腾讯").rows[0][0]
    IRI('https://w3id.org/supernode-kg/id/amphenol')
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from kg.base.errors import EXIT_FINDING, EXIT_OK, KgError
from kg.rdf.values import IRI, BlankNode, LangString, TypedLiteral, Value, python_value

if TYPE_CHECKING:
    import pandas
    import pyoxigraph as ox

    from kg.coherence.checks import CheckOutcome
    from kg.coherence.reasoning import ReasoningOutcome
    from kg.rdf.graph import LoadedGraph
    from kg.shacl.validation import ValidationOutcome, Violation
    from kg.sparql.catalog import SavedQuery
    from kg.sparql.query import ResultDocument
    from kg.sparql.remote import PushOutcome
    from kg.sparql.sources import Source
    from kg.views.describe import EntityCard

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

#: Files or folders: one path, or several.
Paths = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]

_SAVED_QUERY_NAME = re.compile(r"[A-Za-z0-9][\w.-]*")
_PANDAS_HINT = "pip install 'supernode-kg[pandas]'"


def _path_list(paths: Paths | None) -> list[str | os.PathLike[str]] | None:
    if paths is None:
        return None
    if isinstance(paths, str | os.PathLike):
        return [paths]
    return list(paths)


def _ontology_choice(ontology: Paths | bool | None) -> list[str | os.PathLike[str]] | bool | None:
    """``ontology`` as :func:`kg.base.bundle.graph_paths` takes it: files, False for none, None
    for the bundled ontology (also for True)."""
    if ontology is False:
        return False
    if ontology is None or ontology is True:
        return None
    return _path_list(ontology)


def _graph_files(data: Paths | None, ontology: Paths | bool | None) -> list[str | os.PathLike[str]]:
    """The files of the graph: ``data`` (the bundled data by default) with the ontology (the
    bundled one by default; False for none). The same rule as ``--data`` and ``--ontology``."""
    from kg.base.bundle import graph_paths

    chosen = _ontology_choice(ontology)
    return graph_paths(_path_list(data), False if chosen is True else chosen)


def _where(source: object) -> Source:
    """Where to ask: paths are data, read with the bundled ontology (as ``--data``); anything
    else as :func:`kg.sparql.sources.choose_source` takes it."""
    from kg.sparql.sources import choose_source, is_endpoint_url

    if isinstance(source, os.PathLike) or (isinstance(source, str) and not is_endpoint_url(source)):
        return choose_source(_graph_files(source, None))
    if (
        isinstance(source, list | tuple)
        and source
        and all(isinstance(p, str | os.PathLike) for p in source)
    ):
        return choose_source(_graph_files(source, None))
    return choose_source(source)


# ---------------------------------------------------------------------------------------------
# Loading


class Graph:
    """A graph loaded into memory (an Oxigraph store), to ask many queries without reloading.

    The store keeps literals by value: ``"05"^^xsd:int`` reads back as ``5`` (an
    ``xsd:integer``). :func:`validate` and :func:`export` read the files themselves and see
    every literal as written.

    Attributes:
        loaded: the :class:`kg.rdf.graph.LoadedGraph` (store, files, prefixes).
    """

    def __init__(self, loaded: LoadedGraph) -> None:
        self._loaded = loaded

    @property
    def loaded(self) -> LoadedGraph:
        return self._loaded

    @property
    def files(self) -> list[Path]:
        """The files read, in order."""
        return list(self._loaded.files)

    @property
    def prefixes(self) -> dict[str, str]:
        """Prefix -> namespace, as the Turtle files declare them."""
        return dict(self._loaded.prefixes)

    def __len__(self) -> int:
        return len(self._loaded)

    def __repr__(self) -> str:
        return f"<kg.Graph: {len(self)} triples from {len(self._loaded.files)} files>"

    def query(
        self,
        name_or_text: str | os.PathLike[str],
        *,
        timeout: float | None = None,
        params: Mapping[str, object] | None = None,
        **more_params: object,
    ) -> Results:
        """Run a query on this graph: ``kg.query(name_or_text, graph, ...)``."""
        return query(name_or_text, self, timeout=timeout, params=params, **more_params)


def load(
    *paths: str | os.PathLike[str], ontology: Paths | bool = True, use_cache: bool = True
) -> Graph:
    """Load RDF files or folders into memory, to query them many times.

    Args:
        paths: data files or folders (``.ttl .nt .nq .trig .rdf .jsonld``, each also ``.gz``);
            the bundled data when none are given.
        ontology: True for the bundled ontology (so queries see its classes and labels),
            files or folders of another, or False for none.
        use_cache: read large inputs from the on-disk store of an earlier run (see
            :mod:`kg.rdf.cache`); False parses them again.

    Returns:
        A :class:`Graph`, to pass as ``source`` to :func:`query` and :func:`describe`.

    Example:
        >>> graph = kg.load()
        >>> len(graph) > 1000
        True

    Raises:
        KgError: a file is missing, unreadable or does not parse (file:line:column: reason).
    """
    from kg.sparql.derivation import load_with_derived_edges

    files = _graph_files(list(paths) or None, ontology)
    return Graph(load_with_derived_edges(files, use_cache=use_cache))


# ---------------------------------------------------------------------------------------------
# Saved queries


class ParameterInfo(NamedTuple):
    """A parameter of a saved query (a named tuple, as ``os.stat_result``).

    Attributes:
        name: what to pass (``kg.query("partners", org=...)``).
        type: what it takes: ``IRI`` (also a prefixed name or a label), ``text``,
            ``@en text``, ``xsd:integer``, ...
        optional: whether the query runs without it.
        default: the value used when none is given, if the query's header names one.
    """

    name: str
    type: str
    optional: bool
    default: str | None = None


class QueryInfo(NamedTuple):
    """A saved query: its name, what it answers, its parameters and its SPARQL text (a named
    tuple)."""

    name: str
    summary: str
    description: str
    parameters: tuple[ParameterInfo, ...]
    text: str

    @property
    def signature(self) -> str:
        """The parameters as ``kg queries`` lists them: ``name=<type>``, or ``name?=<type>``
        for one the query runs without."""
        return " ".join(f"{p.name}{'?' if p.optional else ''}=<{p.type}>" for p in self.parameters)

    def to_json(self) -> dict[str, object]:
        """The query as data: what ``kg queries NAME --format json`` and ``/api/queries`` give."""
        from kg.sparql.catalog import Catalog, saved_query_json

        return saved_query_json(Catalog.bundled().get(self.name))

    def help(self) -> str:
        """The query for people (``kg queries NAME``): what it answers, its parameters, how to
        run it, and its SPARQL text."""
        from kg.rdf.prefixes import project_prefixes
        from kg.sparql.catalog import Catalog, saved_query_help

        saved = Catalog.bundled().get(self.name)
        return saved_query_help(saved, {**project_prefixes(), **saved.prefixes})


def query_info(name: str) -> QueryInfo:
    """One saved query, by name.

    Example:
        >>> kg.query_info("partners").signature
        'org?=<IRI>'

    Raises:
        KgError: no saved query has that name (the message names the known ones).
    """
    from kg.sparql.catalog import Catalog

    return _query_info(Catalog.bundled().get(name))


def _query_info(saved: SavedQuery) -> QueryInfo:
    return QueryInfo(
        name=saved.name,
        summary=saved.summary,
        description=saved.description,
        parameters=tuple(
            ParameterInfo(p.name, p.describe_type(), not saved.needs(p), saved.defaults.get(p.name))
            for p in saved.parameters
        ),
        text=saved.text,
    )


def queries() -> list[QueryInfo]:
    """The saved queries, in name order (what ``kg queries`` lists).

    Example:
        >>> [p.name for p in next(q for q in kg.queries() if q.name == "partners").parameters]
        ['org']
    """
    from kg.sparql.catalog import Catalog

    return [_query_info(saved) for saved in Catalog.bundled()]


# ---------------------------------------------------------------------------------------------
# Queries


class Results:
    """Every result of one query, read to the end.

    SELECT results have ``columns`` and ``rows``; ASK results a ``boolean``; CONSTRUCT and
    DESCRIBE results ``triples`` (and, as rows, ``subject``, ``predicate``, ``object``).
    ``len`` and iteration go over the rows. Rows hold plain Python values (see
    :mod:`kg.rdf.values`: ``str``, ``int``, ``Decimal``, ``float``, ``bool``, ``datetime.date``,
    ``datetime.datetime``, :class:`IRI`, :class:`LangString`, ... None when unbound);
    ``terms`` holds the same cells as pyoxigraph terms, each literal exactly as the engine or
    endpoint gave it, and :meth:`serialize` writes those.

    Attributes:
        kind: ``solutions`` (SELECT), ``boolean`` (ASK) or ``triples`` (CONSTRUCT, DESCRIBE).
        columns: the variables (SELECT), or ``subject``, ``predicate``, ``object``.
        prefixes: the prefixes tables and Turtle shorten IRIs with.
    """

    def __init__(
        self, document: ResultDocument, prefixes: Mapping[str, str], *, name: str = "query"
    ) -> None:
        import pyoxigraph as ox

        self._document = document
        self.prefixes = dict(prefixes)
        self.name = name
        self.kind = document.kind
        parsed = document.parsed()  # read lazily: only the head here
        self._boolean: bool | None = None
        self.columns: tuple[str, ...] = ("subject", "predicate", "object")
        if isinstance(parsed, ox.QueryBoolean):
            self._boolean = bool(parsed)
            self.columns = ()
        elif isinstance(parsed, ox.QuerySolutions):
            self.columns = tuple(v.value for v in parsed.variables)

    @cached_property
    def terms(self) -> tuple[tuple[object, ...], ...]:
        """The rows as pyoxigraph terms, each literal exactly as received (None when unbound)."""
        import pyoxigraph as ox

        parsed = self._document.parsed()
        if isinstance(parsed, ox.QuerySolutions):
            return tuple(tuple(s[c] for c in self.columns) for s in parsed)
        if isinstance(parsed, list):
            return tuple((t.subject, t.predicate, t.object) for t in parsed)
        return ()

    @cached_property
    def rows(self) -> tuple[tuple[Value, ...], ...]:
        """The rows as tuples of plain Python values, in the order of ``columns``."""
        return tuple(tuple(python_value(term) for term in row) for row in self.terms)

    @property
    def boolean(self) -> bool:
        """An ASK query's answer.

        Raises:
            KgError: the query is not an ASK.
        """
        if self._boolean is None:
            raise KgError(f"{self.name}: not an ASK query; its results are rows (.rows)")
        return self._boolean

    @property
    def triples(self) -> tuple[ox.Triple, ...]:
        """A CONSTRUCT or DESCRIBE query's triples, as pyoxigraph triples.

        Raises:
            KgError: the query is not a CONSTRUCT or DESCRIBE.
        """
        if self.kind != "triples":
            raise KgError(
                f"{self.name}: not a CONSTRUCT or DESCRIBE query; its results are "
                + ("a boolean (.boolean)" if self.kind == "boolean" else "rows (.rows)")
            )
        parsed = self._document.parsed()
        assert isinstance(parsed, list)
        return tuple(parsed)

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[tuple[Value, ...]]:
        return iter(self.rows)

    def __bool__(self) -> bool:
        return self._boolean if self._boolean is not None else bool(self.terms)

    def __repr__(self) -> str:
        if self._boolean is not None:
            return f"<kg.Results ASK: {str(self._boolean).lower()}>"
        count = len(self)
        noun = "triple" if self.kind == "triples" else "row"
        return (
            f"<kg.Results: {count} {noun}{'s' if count != 1 else ''} ({', '.join(self.columns)})>"
        )

    def __str__(self) -> str:
        return self.table()

    def table(self, layout: str = "table") -> str:
        """The results as ``kg query`` prints them for people: a table (IRIs as prefixed
        names), ``true``/``false`` for ASK, Turtle for triples.

        Args:
            layout: ``table`` (cells cut to fit a terminal), ``wrap`` or ``expanded`` (one
                record per row, as psql's ``\\x``).
        """
        from kg.sparql.results import render

        return render(self._document.parsed(), "table", self.prefixes, layout=layout)

    def serialize(self, format: str = "json") -> str:
        """The results in a W3C format, every term exactly as received.

        Args:
            format: ``json``, ``xml``, ``csv`` or ``tsv`` (SPARQL 1.1 Query Results) for SELECT
                and ASK; ``turtle``, ``ntriples``, ``jsonld`` or ``xml`` (RDF/XML) for
                CONSTRUCT and DESCRIBE (sorted, so the same triples give the same text).

        Raises:
            KgError: the format does not fit the query's form.
        """
        from kg.sparql.results import render

        if format == "table":
            raise KgError(f"{self.name}: serialize() writes W3C formats; .table() gives the table")
        if format == "json" and self._document.kind in ("solutions", "boolean"):
            # The document is already Oxigraph's SPARQL JSON of these results: reading it back
            # and writing it again would give the same text, at a cost that grows with the rows.
            text = self._document.data.decode("utf-8")
            return text if text.endswith("\n") else text + "\n"
        return render(self._document.parsed(), format, self.prefixes)

    def to_pandas(self) -> pandas.DataFrame:
        """The rows as a pandas DataFrame, one column per variable.

        A column of whole numbers gets pandas' ``Int64`` dtype, of doubles ``float64``, of
        booleans ``boolean`` (unbound cells are missing values); every other column keeps the
        Python values of ``rows`` (``object`` dtype: :class:`IRI`, ``str``, ``Decimal``,
        ``datetime.date``, ...; ``Decimal`` stays exact).

        Raises:
            KgError: pandas is not installed (``pip install 'supernode-kg[pandas]'``).
        """
        try:
            import pandas as pd
        except ImportError:
            raise KgError(f"to_pandas() needs pandas: {_PANDAS_HINT}") from None
        columns = {}
        for index, name in enumerate(self.columns):
            values = [row[index] for row in self.rows]
            present = [v for v in values if v is not None]
            if present and all(type(v) is bool for v in present):
                columns[name] = pd.Series(values, dtype="boolean")
            elif present and all(type(v) is int for v in present):
                columns[name] = pd.Series(values, dtype="Int64")
            elif present and all(type(v) is float for v in present):
                columns[name] = pd.Series(
                    [float("nan") if v is None else v for v in values], dtype="float64"
                )
            else:
                columns[name] = pd.Series(values, dtype=object)
        return pd.DataFrame(columns, columns=list(self.columns))


def query(
    name_or_text: str | os.PathLike[str] | SavedQuery,
    source: object = None,
    *,
    timeout: float | None = None,
    params: Mapping[str, object] | None = None,
    **more_params: object,
) -> Results:
    """Run a saved query, or SPARQL text, and read its results.

    Args:
        name_or_text: a saved query's name (``kg.queries()`` lists them), SPARQL text (it may
            use the project's prefixes, ``snk:``, ``snd:``, ``wd:``, ..., without declaring
            them, as ``kg query --query``) or the path of an ``.rq`` file.
        source: None for the bundled graph; a path or a list of paths of data (files or
            folders, read with the bundled ontology, as ``--data``); an ``http(s)://`` SPARQL
            endpoint URL; or a graph from :func:`load` (``kg.load(path, ontology=False)`` for
            the files alone).
        timeout: stop the query after this many seconds (:class:`KgError`); none by default
            in memory, 30 s at an endpoint.
        params: parameter name -> value (for names that are not Python identifiers).
        more_params: parameter name -> value: an IRI, a prefixed name (``snd:tencent``) or
            an entity's label (``腾讯``) for IRI parameters; text, numbers, booleans or dates
            for the others.

    Returns:
        The :class:`Results`.

    Example:
        >>> kg.query("SELECT (COUNT(*) AS ?n) { ?c a snk:TradeRestriction }").rows
        ((1,),)

    Raises:
        KgError: an unknown query or parameter (the known ones are named), a value of the
            wrong type, a SPARQL syntax error (with its position), an update, an unreachable
            endpoint, or the query ran past ``timeout``.
    """
    from kg.sparql.query import display_prefixes

    saved = _saved_query(name_or_text)
    values = {
        name: _parameter_text(name, v) for name, v in {**(params or {}), **more_params}.items()
    }
    where = _where(source)
    prefixes = display_prefixes(saved, where.prefixes)
    from kg.sparql.entities import label_resolver
    from kg.sparql.parameters import bind_parameters

    bindings = bind_parameters(saved, values, label_resolver(where, prefixes))
    name = str(saved.path)
    document = where.run(saved.text, bindings, name=name, timeout=timeout)
    return Results(document, prefixes, name=name)


def _saved_query(name_or_text: str | os.PathLike[str] | SavedQuery) -> SavedQuery:
    from kg.sparql.catalog import SavedQuery
    from kg.sparql.query import choose_query

    if isinstance(name_or_text, SavedQuery):
        return name_or_text
    if isinstance(name_or_text, os.PathLike):
        return choose_query(file=name_or_text)
    if not isinstance(name_or_text, str):
        raise KgError(
            f"expected a saved query's name or SPARQL text, got {type(name_or_text).__name__}"
        )
    if _SAVED_QUERY_NAME.fullmatch(name_or_text.strip()):
        return choose_query(name_or_text.strip())
    return choose_query(text=name_or_text, text_name="query")


def _parameter_text(name: str, value: object) -> str:
    """A parameter's value as ``--param`` takes it."""
    from decimal import Decimal

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime.date):  # datetime.datetime too
        return value.isoformat()
    raise KgError(
        f"parameter {name}: expected text, a number, a boolean or a date, got {type(value).__name__}"
    )


# ---------------------------------------------------------------------------------------------
# Validation and checks


class ValidationReport:
    """What SHACL validation found.

    Attributes:
        conforms: whether the data conforms to the shapes.
        results: every validation result (:class:`kg.shacl.validation.Violation`: focus node, path,
            constraint, shape, severity, message, value), sorted.
        exit_code: what ``kg validate`` exits with: 0 conforms, 1 does not.
        engine_note: why the fast engine handed the shapes to pySHACL (empty if it did not).
        outcome: the underlying :class:`kg.shacl.validation.ValidationOutcome`.
    """

    def __init__(self, outcome: ValidationOutcome) -> None:
        self.outcome = outcome
        self.conforms = outcome.conforms
        self.results: list[Violation] = list(outcome.violations)
        self.exit_code = EXIT_OK if outcome.conforms else EXIT_FINDING
        self.engine_note = outcome.engine_note

    def __bool__(self) -> bool:
        return self.conforms

    def __repr__(self) -> str:
        return f"<kg.ValidationReport conforms={self.conforms} results={len(self.results)}>"

    def turtle(self) -> str:
        """The standard SHACL validation report (``sh:ValidationReport``), as Turtle."""
        return self.outcome.report_turtle()

    def text(self) -> str:
        """The report as ``kg validate`` prints it: a verdict line and a table."""
        from kg.shacl.reports import text_report

        return text_report(self.outcome)

    def junit(self) -> str:
        """JUnit XML, a failing test case per shape and focus node."""
        from kg.shacl.reports import junit_report

        return junit_report(self.outcome)

    def github(self) -> str:
        """GitHub Actions annotations at the file and line where each failing node is written."""
        from kg.shacl.reports import github_report

        return github_report(self.outcome)


def validate(
    data: Paths | None = None,
    shapes: Paths | None = None,
    ontology: Paths | bool | None = None,
    *,
    allow_warnings: bool = False,
    engine: str = "fast",
    endpoint: str | None = None,
    timeout: float = 60.0,
    progress: Callable[[str], None] | None = None,
) -> ValidationReport:
    """Validate RDF data against SHACL shapes, as ``kg validate``.

    Args:
        data: files or folders of data; the bundled data by default.
        shapes: files or folders of shapes; the bundled shapes by default.
        ontology: files or folders merged into the data (so shapes on a class reach its
            subclasses' instances); the bundled ontology by default; False (or ``[]``) for none.
        allow_warnings: ``sh:Warning`` and ``sh:Info`` results do not fail (pySHACL's meaning).
        engine: ``fast`` (each constraint as one SPARQL query on Oxigraph) or ``pyshacl``.
        endpoint: validate the default graph of this SPARQL 1.1 endpoint instead of files
            (the fast engine's queries are sent to it; it must hold the ontology too).
        timeout: at an endpoint, seconds each query may take.
        progress: at an endpoint, called before each query is sent.

    Example:
        >>> report = kg.validate()
        >>> report.conforms, report.exit_code
        (True, 0)

    Raises:
        KgError: a file is missing or does not parse, or the shapes hold no shapes or are not
            valid SHACL.
    """
    from kg.shacl.validation import validate as run_validation
    from kg.shacl.validation import validate_endpoint

    if endpoint is not None:
        if data is not None or ontology is not None:
            raise KgError("give data (local files) or an endpoint (a remote graph), not both")
        if engine != "fast":
            raise KgError("an endpoint is validated by the fast engine (pySHACL needs the data)")
        return ValidationReport(
            validate_endpoint(
                endpoint,
                _path_list(shapes),
                allow_warnings=allow_warnings,
                timeout=timeout,
                progress=progress,
            )
        )
    chosen = _ontology_choice(ontology)
    ontology_paths = [] if chosen is False else None if chosen is True else chosen
    return ValidationReport(
        run_validation(
            data=_path_list(data),
            shapes=_path_list(shapes),
            ontology=ontology_paths,
            engine=engine,
            allow_warnings=allow_warnings,
        )
    )


def check(
    data: Paths | None = None,
    *,
    ontology: Paths | bool | None = None,
    shapes: Paths | None = None,
) -> list[CheckOutcome]:
    """Run the coherence checks (``queries/checks/*-violation.rq``), each of which must find
    nothing, over the ontology, data and shapes (the bundled ones by default).

    Args:
        data: data files or folders; they replace the bundled data.
        ontology: the ontology read with them: the bundled one by default, files, or False.
        shapes: shapes files or folders; the bundled shapes by default.

    Returns:
        One :class:`kg.coherence.checks.CheckOutcome` per check: ``.passed``, ``.variables``, ``.rows``.

    Example:
        >>> all(outcome.passed for outcome in kg.check())
        True
    """
    from kg.base.bundle import shapes_paths
    from kg.coherence.checks import run_checks

    return run_checks([*_graph_files(data, ontology), *shapes_paths(_path_list(shapes))])


def reason(data: Paths | None = None, *, ontology: Paths | bool | None = None) -> ReasoningOutcome:
    """Run the HermiT OWL reasoner (needs Java 17) over the ontology and data (the bundled
    ones by default; ``data`` replaces the bundled data, ``ontology`` as for :func:`load`).

    Returns:
        A :class:`kg.coherence.reasoning.ReasoningOutcome`: ``.consistent``, ``.sound``,
        ``.unsatisfiable_classes``, ``.inferred_types``, ``.explanations``.

    Raises:
        KgError: Java is missing, or a file does not parse.
    """
    from kg.coherence.reasoning import reason as run_reasoner

    return run_reasoner(_graph_files(data, ontology))


def describe(entity: str, source: object = None, *, inferred: bool = False) -> EntityCard:
    """The card of an entity: its names in every language, types, Wikidata links, relations
    and every claim about it with its quote (``kg describe``).

    Args:
        entity: an IRI, a prefixed name (``snd:tencent``), a local name (``nvidia-card``) or a
            label in English or Chinese (``腾讯``), in any case.
        source: where to look, as for :func:`query`.
        inferred: also list the types the OWL reasoner adds (needs Java; local files only).

    Returns:
        A :class:`kg.views.describe.EntityCard` (``.to_json()`` for a dict, ``.text()`` as printed).

    Example:
        >>> kg.describe("腾讯").iri
        'https://w3id.org/supernode-kg/id/tencent'

    Raises:
        KgError: nothing matches; a label fits several entities (they are listed); or the
            entity is not described there.
    """
    from kg.views.describe import describe as entity_card

    where = _where(source)
    inferred_types = None
    if inferred:
        if where.graph is None:
            raise KgError(
                "--endpoint describes the remote graph; --data and --inferred need local files"
            )
        inferred_types = reason(where.graph.files, ontology=False).inferred_types
    return entity_card(entity, where, inferred=inferred_types)


def export(
    data: Paths | None = None,
    format: str = "turtle",
    *,
    ontology: Paths | bool | None = None,
    nanopubs: bool = False,
    out: str | os.PathLike[str] | None = None,
) -> bytes:
    """The merged graph, losslessly (every literal as written) and deterministically (the same
    graph gives the same bytes), as ``kg export``.

    Args:
        data: data files or folders; they replace the bundled data.
        ontology: the ontology merged with them: the bundled one by default, files, or False.
        format: ``turtle``, ``ntriples``, ``jsonld``, ``xml`` (RDF/XML), ``trig`` or ``nquads``.
        nanopubs: each claim as a nanopublication (head, assertion, provenance and pubinfo
            graphs; ``trig`` or ``nquads`` only).
        out: also write the bytes to this file, through a temporary file and a rename (never a
            half-written file); a target that is not a regular file is refused first.

    Example:
        >>> kg.export(format="ntriples") == kg.export(format="ntriples")
        True

    Raises:
        KgError: an unknown format, ``nanopubs`` with a format without named graphs, a file
            is missing or does not parse, or ``out`` cannot be written.
    """
    from kg.base.output import refuse_special_target, write_atomically
    from kg.publish.export import EXPORT_FORMATS, export_graph

    if format not in EXPORT_FORMATS:
        raise KgError(f"unknown export format {format!r} ({', '.join(EXPORT_FORMATS)})")
    if out is not None:
        refuse_special_target(Path(out))
    exported = export_graph(_graph_files(data, ontology), format, nanopubs=nanopubs)
    if out is not None:
        write_atomically(out, exported)
    return exported


def push(
    endpoint: str,
    data: Paths | None = None,
    *,
    ontology: Paths | bool | None = None,
    graph: str | None = None,
    timeout: float = 60.0,
    progress: Callable[[str], None] | None = None,
) -> PushOutcome:
    """Replace a graph in a triplestore (SPARQL 1.1 Graph Store Protocol ``PUT``), then read it
    back and check the store holds exactly the triples sent, as ``kg push``. Credentials come
    from ``KG_ENDPOINT_USER`` and ``KG_ENDPOINT_PASSWORD``.

    Args:
        endpoint: the Graph Store endpoint (Oxigraph: ``http://HOST:7878/store``).
        data: data files or folders to send; they replace the bundled data.
        ontology: the ontology sent with them: the bundled one by default, files, or False.
        graph: the named graph to replace; the default graph if None.
        timeout: seconds per HTTP request.
        progress: called with the name of each step.

    Returns:
        A :class:`kg.sparql.remote.PushOutcome`: ``.url``, ``.sent``, ``.held``.

    Raises:
        KgError: a file does not parse, the upload or read-back fails, or the store holds
            other triples than were sent.
    """
    from kg.sparql.remote import push as push_graph

    files = _graph_files(data, ontology)
    return push_graph(endpoint, files, graph, timeout=timeout, progress=progress)


# ---------------------------------------------------------------------------------------------
# Pictures, documentation and serving


def draw(
    out: str | os.PathLike[str],
    *,
    focus: str | None = None,
    depth: int = 2,
    data: Paths | None = None,
    ontology: Paths | bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Draw the supernode ecosystem with Graphviz, as ``kg viz``.

    Args:
        out: the picture to write; its ending chooses the format (``.svg``, ``.png``, ...).
        focus: draw only the neighbourhood of this entity (IRI, prefixed name or label).
        depth: how many edges away from ``focus`` to draw.
        data: data files or folders; they replace the bundled data.
        ontology: the ontology read with them: the bundled one by default, files, or False.
        progress: called with the name of each step.

    Returns:
        The path written.

    Raises:
        KgError: an unknown file type, Graphviz's ``dot`` missing, an unknown entity, or a
            focus with no edges.
    """
    from kg.sparql.derivation import load_with_derived_edges
    from kg.sparql.entities import resolve_entity
    from kg.views.viz import draw as draw_graph

    graph = load_with_derived_edges(_graph_files(data, ontology))
    focus_iri = resolve_entity(focus, graph.prefixes, graph) if focus else None
    return draw_graph(graph, out, focus=focus_iri, depth=depth, progress=progress)


def chart(
    name: str,
    out: str | os.PathLike[str],
    *,
    data: Paths | None = None,
    ontology: Paths | bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Draw one of the market's figures from its saved query, as ``kg chart``
    (``procurement-mix``, ``projections`` or ``restrictions``).

    Returns:
        The path written (``.png``, ``.svg`` or ``.pdf``, by its ending).

    Raises:
        KgError: an unknown chart or file ending, or a claim without its source.
    """
    from kg.sparql.derivation import load_with_derived_edges
    from kg.views.charts import write_chart

    graph = load_with_derived_edges(_graph_files(data, ontology))
    return write_chart(name, out, graph, progress=progress)


def ontology_docs(
    out_dir: str | os.PathLike[str],
    *,
    ontology: Paths | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write HTML documentation of the ontology (pyLODE), as ``kg docs``.

    Args:
        out_dir: the folder to write ``index.html`` into (made if missing).
        ontology: ontology files or folders; the bundled ontology by default.
        progress: called with the name of each step.

    Returns:
        The page written.

    Raises:
        KgError: an ontology file does not parse, the folder cannot be made, or pyLODE fails.
    """
    from kg.views.docs import write_docs

    return write_docs(out_dir, _path_list(ontology), progress=progress)


def serve_endpoint(
    *,
    host: str = "127.0.0.1",
    port: int = 7879,
    data: Paths | None = None,
    ontology: Paths | bool | None = None,
    allow_service: Sequence[str] = (),
    ready: Callable[[str, int], None] | None = None,
    **limits: object,
) -> None:
    """Serve the graph read-only over the SPARQL 1.1 Protocol until interrupted, as
    ``kg serve``.

    Args:
        host: the address to listen on.
        port: the port (0 picks a free one).
        data: data files or folders; they replace the bundled data.
        ontology: the ontology read with them: the bundled one by default, files, or False.
        allow_service: ``host:port`` of each SPARQL endpoint a query may call with SERVICE.
        ready: called with the URL and the number of files served once it listens.
        limits: :func:`kg.serve.server.endpoint_settings`' limits (``timeout``,
            ``max_body_bytes``, ``max_result_bytes``, ``max_held_bytes``, ``workers``, ``cors_origin``,
            ``max_memory_mb``, ``max_connections``, ``max_client_connections``,
            ``read_timeout``).

    Raises:
        KgError: a file does not parse, an allowed service is not ``host:port``, or the
            address cannot be listened on.
    """
    from kg.serve.config import parse_allowed_service
    from kg.serve.server import endpoint_settings
    from kg.serve.server import serve as serve_graph

    settings = endpoint_settings(
        _graph_files(data, ontology),
        host=host,
        port=port,
        service_allow=frozenset(parse_allowed_service(h) for h in allow_service),
        **limits,
    )
    announce = (lambda url: ready(url, len(settings.files))) if ready else None
    try:
        serve_graph(settings, ready=announce)
    except OSError as error:
        raise KgError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
