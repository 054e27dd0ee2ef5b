"""Does an Oxigraph store keep every literal of these files exactly as written?

An Oxigraph ``Store`` keeps some literals by value: ``"5"^^xsd:byte`` comes back as
``"5"^^xsd:integer``, ``1.0`` and ``1.00`` become one term ``1``, ``"-5"^^xsd:nonNegativeInteger``
turns into a valid ``xsd:integer``. SHACL must see literals as written (``sh:datatype``,
``sh:pattern``, counts of distinct values, the values in a report), so before the fast engine
answers from a store, every distinct typed literal of the input is put through a scratch store
and compared with what comes back; ill-typed literals (``"abc"^^xsd:int``), which pySHACL judges
with rdflib's lexical rules, are looked for too. Either finding sends the validation to pySHACL.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

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


def first_unfaithful_literal(literals: set[ox.Literal]) -> str | None:
    """Why the first literal a store would not keep as written is a problem, or None.

    Example:
        >>> first_unfaithful_literal({ox.Literal("1.00", datatype=ox.NamedNode(XSD + "decimal"))})
        '"1.00"^^<http://www.w3.org/2001/XMLSchema#decimal> would be read back as "1"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    """
    if not literals:
        return None
    predicate = ox.NamedNode("urn:x-supernode-kg:is")
    ordered = sorted(literals, key=str)
    scratch = ox.Store()
    for index, literal in enumerate(ordered):
        scratch.add(
            ox.Quad(ox.NamedNode(f"urn:x-supernode-kg:literal:{index}"), predicate, literal)
        )
    kept = {int(q.subject.value.rsplit(":", 1)[1]): q.object for q in scratch}
    for index, literal in enumerate(ordered):
        if kept.get(index) != literal:
            return f"{literal} would be read back as {kept.get(index)}"
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


def audit_files(files: list[RdfFile]) -> str | None:
    """:func:`first_unfaithful_literal` of the literals of some files (read with kg.rdf.graph)."""
    from kg.rdf.files import rdf_quads

    return first_unfaithful_literal(
        typed_literals(q for rdf_file in files for q in rdf_quads(rdf_file))
    )


class LiteralAudit:
    """An audit of some files' literals running in a forked process while the caller goes on
    (parsing in Python is bound to one core, and loading the store takes as long). Without
    ``fork`` the audit runs when its finding is asked for."""

    def __init__(self, files: list[RdfFile]) -> None:
        import multiprocessing

        self._files = files
        self._process = None
        if "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self._receiver, sender = context.Pipe(duplex=False)
            self._process = context.Process(target=_audit_into, args=(files, sender), daemon=True)
            self._process.start()
            sender.close()

    def finding(self) -> str | None:
        """Wait for the audit: why a literal would not be kept as written, or None."""
        if self._process is None:
            return audit_files(self._files)
        try:
            outcome, payload = self._receiver.recv()
        except EOFError:
            outcome, payload = "failed", "the literal audit process stopped unexpectedly"
        self._process.join()
        if outcome == "failed":
            from kg.base.errors import KgError

            raise KgError(payload)
        return payload  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Stop the audit (the caller failed before it needed the finding)."""
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join()


def _audit_into(files: list[RdfFile], sender: object) -> None:
    try:
        finding = audit_files(files)
    except Exception as error:
        sender.send(("failed", " ".join(str(error).split())))  # type: ignore[attr-defined]
        return
    sender.send(("audited", finding))  # type: ignore[attr-defined]
