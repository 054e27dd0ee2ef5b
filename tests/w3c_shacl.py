"""The W3C SHACL test suite as data: its manifests, each test's files and expected report.

The suite lives beside the project at ``../shared/w3c/shacl-test-suite/tests/`` (see that
folder's README). Each manifest lists ``sht:Validate`` tests; a test names its data graph and
shapes graph and expects either a ``sh:ValidationReport`` or ``sht:Failure`` (the processor
must refuse the shapes graph).

Results are compared the way the suite's conventions describe: ``sh:conforms`` and the set of
results, each as (focus node, path, value, severity, constraint component, source shape);
messages are ignored. Blank nodes cannot be matched across graphs by label, so a blank path
is compared by its structure (``sh:inversePath``, lists, ...) and any other blank node as
``_:`` (a blank node, whichever).
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.collection import Collection

SUITE_DIR = Path(__file__).resolve().parents[2] / "shared" / "w3c" / "shacl-test-suite" / "tests"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")

ResultKey = tuple[str, str, str, str, str, str]


@dataclass(frozen=True)
class SuiteTest:
    """One ``sht:Validate`` test of the suite."""

    name: str  # e.g. core/property/minLength-001
    label: str
    data_file: Path
    shapes_file: Path
    expects_failure: bool
    expected_conforms: bool | None
    expected_results: Counter[ResultKey]


def suite_tests(root: Path = SUITE_DIR) -> list[SuiteTest]:
    """Every test reachable from the suite's top manifest, in manifest order."""
    found: list[SuiteTest] = []
    _read_manifest(root / "manifest.ttl", root, found)
    return found


def _read_manifest(manifest: Path, root: Path, found: list[SuiteTest]) -> None:
    manifest = manifest.resolve()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an expected report holds "none"^^xsd:boolean on purpose
        graph = rdflib.Graph().parse(manifest, format="turtle")
    this = rdflib.URIRef(manifest.as_uri())
    for included in graph.objects(this, MF.include):
        _read_manifest(_path_of(included), root, found)
    for entries in graph.objects(this, MF.entries):
        for entry in Collection(graph, entries):
            if (entry, rdflib.RDF.type, SHT.Validate) not in graph:
                continue
            action = graph.value(entry, MF.action)
            result = graph.value(entry, MF.result)
            data_file = _path_of(graph.value(action, SHT.dataGraph))
            shapes_file = _path_of(graph.value(action, SHT.shapesGraph))
            name = str(_path_of(entry).relative_to(root.resolve()))
            if result == SHT.Failure:
                found.append(
                    SuiteTest(
                        name,
                        str(graph.value(entry, rdflib.RDFS.label) or ""),
                        data_file,
                        shapes_file,
                        True,
                        None,
                        Counter(),
                    )
                )
                continue
            conforms = graph.value(result, SH.conforms)
            found.append(
                SuiteTest(
                    name,
                    str(graph.value(entry, rdflib.RDFS.label) or ""),
                    data_file,
                    shapes_file,
                    False,
                    bool(conforms.toPython()) if conforms is not None else None,
                    report_results(graph, result),
                )
            )


def _path_of(iri: rdflib.term.Node | None) -> Path:
    from urllib.parse import unquote, urlparse

    return Path(unquote(urlparse(str(iri)).path))


def report_results(graph: rdflib.Graph, report: rdflib.term.Node) -> Counter[ResultKey]:
    """The results of one validation report, as comparable keys (a multiset)."""
    keys: Counter[ResultKey] = Counter()
    for result in graph.objects(report, SH.result):
        keys[
            (
                _show(graph, graph.value(result, SH.focusNode)),
                _show_path(graph, graph.value(result, SH.resultPath)),
                _show(graph, graph.value(result, SH.value)),
                _show(graph, graph.value(result, SH.resultSeverity)),
                _show(graph, graph.value(result, SH.sourceConstraintComponent)),
                _show(graph, graph.value(result, SH.sourceShape)),
            )
        ] += 1
    return keys


def _show(graph: rdflib.Graph, node: rdflib.term.Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, rdflib.BNode):
        return "_:"
    if isinstance(node, rdflib.Literal):
        # exactly as written: lexical form, datatype and language
        return f"{node!s}|{node.datatype or ''}|{node.language or ''}"
    return str(node)


def _show_path(graph: rdflib.Graph, path: rdflib.term.Node | None) -> str:
    if path is None:
        return ""
    if not isinstance(path, rdflib.BNode):
        return str(path)
    if graph.value(path, rdflib.RDF.first) is not None:
        return "(" + " / ".join(_show_path(graph, item) for item in Collection(graph, path)) + ")"
    for kind in (
        "inversePath",
        "alternativePath",
        "zeroOrMorePath",
        "oneOrMorePath",
        "zeroOrOnePath",
    ):
        inner = graph.value(path, SH[kind])
        if inner is not None:
            return f"{kind}({_show_path(graph, inner)})"
    return "_:"
