"""Does an Oxigraph store keep every literal of these files exactly as written?

An Oxigraph ``Store`` keeps some literals by value: ``"5"^^xsd:byte`` comes back as
``"5"^^xsd:integer``, ``1.0`` and ``1.00`` become one term ``1``, ``"-5"^^xsd:nonNegativeInteger``
turns into a valid ``xsd:integer``. SHACL must see literals as written (``sh:datatype``,
``sh:pattern``, counts of distinct values, the values in a report), so the fast engine puts every
distinct typed literal of its input through a scratch store (:func:`store_rewrites`) and keeps
each one that comes back changed (and each one it asks for, such as ill-typed literals) by a
surrogate the store keeps exactly. :class:`LiteralAudit` finds those literals in a set of files,
in a forked process while the store loads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.base.errors import one_line
from kg.base.namespaces import RDF, XSD, XSD_STRING

if TYPE_CHECKING:
    from kg.rdf.files import RdfFile

_PLAIN = {XSD_STRING, RDF + "langString"}


def typed_literals(quads: Iterable[ox.Quad | ox.Triple]) -> set[ox.Literal]:
    """The distinct literals of some quads whose datatype is not a plain string."""
    found: set[ox.Literal] = set()
    literal = ox.Literal
    for quad in quads:
        term = quad.object
        if type(term) is literal and term.datatype.value not in _PLAIN:
            found.add(term)
    return found


def store_rewrites(literals: Iterable[ox.Literal]) -> dict[ox.Literal, ox.Literal]:
    """Each literal a store would not keep as written, and what the store gives back instead.

    Example:
        >>> decimal = ox.NamedNode(XSD + "decimal")
        >>> store_rewrites({ox.Literal("1.00", datatype=decimal), ox.Literal("1.5", datatype=decimal)})
        {<Literal value=1.00 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#decimal>>: <Literal value=1 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#decimal>>}
    """
    ordered = list(literals)
    if not ordered:
        return {}
    predicate = ox.NamedNode("urn:x-supernode-kg:is")
    scratch = ox.Store()
    scratch.extend(
        ox.Quad(ox.NamedNode(f"urn:x-supernode-kg:literal:{index}"), predicate, literal)
        for index, literal in enumerate(ordered)
    )
    rewritten = {}
    for quad in scratch:
        assert isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal)
        original = ordered[int(quad.subject.value.rsplit(":", 1)[1])]
        if quad.object != original:
            rewritten[original] = quad.object
    return rewritten


def first_unfaithful_literal(literals: set[ox.Literal]) -> str | None:
    """Why the first literal a store would not keep as written is a problem, or None.

    Example:
        >>> first_unfaithful_literal({ox.Literal("1.00", datatype=ox.NamedNode(XSD + "decimal"))})
        '"1.00"^^<http://www.w3.org/2001/XMLSchema#decimal> would be read back as "1"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    """
    if not literals:
        return None
    ordered = sorted(literals, key=str)
    rewritten = store_rewrites(ordered)
    for literal in ordered:
        if literal in rewritten:
            return f"{literal} would be read back as {rewritten[literal]}"
    return _first_ill_typed(ordered)


def _first_ill_typed(literals: list[ox.Literal]) -> str | None:
    import rdflib

    from kg.base.quiet import quiet_libraries

    with quiet_libraries():
        for literal in literals:
            if not literal.datatype.value.startswith(XSD):
                continue
            converted = rdflib.Literal(
                literal.value, datatype=rdflib.URIRef(literal.datatype.value)
            )
            if converted.ill_typed:
                return f"{literal} is ill-typed"
    return None


@dataclass(frozen=True)
class LiteralFinding:
    """The literals of some files that must not go into a store as they are.

    Attributes:
        literals: the distinct typed literals the store would rewrite, and those the audit's
            ``also`` picked.
        files: the indices (in the audited list) of the files that hold one of them.
    """

    literals: frozenset[ox.Literal] = frozenset()
    files: frozenset[int] = frozenset()


def audit_files(
    files: list[RdfFile], also: Callable[[ox.Literal], bool] | None = None
) -> LiteralFinding:
    """The typed literals of some files that a store would rewrite or ``also`` picks, and the
    files that hold them."""
    from kg.rdf.files import rdf_quads

    per_file = [typed_literals(rdf_quads(rdf_file)) for rdf_file in files]
    every = set().union(*per_file)
    picked = set(store_rewrites(every))
    if also is not None:
        picked.update(literal for literal in every if literal not in picked and also(literal))
    return LiteralFinding(
        literals=frozenset(picked),
        files=frozenset(i for i, found in enumerate(per_file) if not found.isdisjoint(picked)),
    )


class LiteralAudit:
    """An audit of some files' literals (:func:`audit_files`) running in a forked process while
    the caller goes on (parsing in Python is bound to one core, and loading the store takes as
    long). Without ``fork`` the audit runs when its finding is asked for."""

    def __init__(
        self, files: list[RdfFile], also: Callable[[ox.Literal], bool] | None = None
    ) -> None:
        import multiprocessing

        self._files = files
        self._also = also
        self._process = None
        if "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self._receiver, sender = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_audit_into, args=(files, also, sender), daemon=True
            )
            self._process.start()
            sender.close()

    def finding(self) -> LiteralFinding:
        """Wait for the audit's finding."""
        if self._process is None:
            return audit_files(self._files, self._also)
        try:
            outcome, payload = self._receiver.recv()
        except EOFError:
            outcome, payload = "failed", "the literal audit process stopped unexpectedly"
        self._process.join()
        if outcome == "failed":
            from kg.base.errors import KgError

            raise KgError(payload)
        literals, files = payload
        return LiteralFinding(frozenset(literals), frozenset(files))

    def cancel(self) -> None:
        """Stop the audit (the caller failed before it needed the finding)."""
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join()


def _audit_into(
    files: list[RdfFile], also: Callable[[ox.Literal], bool] | None, sender: object
) -> None:
    try:
        finding = audit_files(files, also)
    except Exception as error:
        sender.send(("failed", one_line(error)))  # type: ignore[attr-defined]
        return
    payload = (list(finding.literals), sorted(finding.files))
    sender.send(("audited", payload))  # type: ignore[attr-defined]
