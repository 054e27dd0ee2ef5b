"""One loader: every path that reads RDF keeps the blank nodes of different files distinct
(``_:c`` in two files is two nodes), so validation on both engines, `kg export`, `kg push`,
the cache, the rdflib conversion and `kg reason` see the same graph. References come from
rdflib's own parser, never from our loader."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

import kg.sparql.remote
from kg.rdf.graph import load_files, load_rdflib_graph
from kg.shacl.validation import validate
from tests.conftest import FIXTURES_DIR, run_kg

SPLIT = FIXTURES_DIR / "rdf" / "split-blank-nodes"
SNK = "https://w3id.org/supernode-kg/ontology#"
SHARE_COMPONENT = rdflib.URIRef(SNK + "ShareComponent")


def rdflib_union(files: list[Path]) -> rdflib.Graph:
    """The reference: each file parsed separately by rdflib, into one graph."""
    graph = rdflib.Graph()
    for path in files:
        graph.parse(path, format="turtle")
    return graph


def share_components_in_store(store: ox.Store) -> int:
    return len(
        {
            q.subject
            for q in store.quads_for_pattern(None, None, ox.NamedNode(SNK + "ShareComponent"))
        }
    )


def test_two_files_that_both_say_blank_node_c_describe_two_components() -> None:
    """The issue's case: pySHACL used to see one node with two shares (3 MaxCount violations)."""
    files = sorted(SPLIT.glob("*.ttl"))
    fast = validate(data=[SPLIT], engine="fast")
    reference = validate(data=[SPLIT], engine="pyshacl")
    assert fast.conforms and reference.conforms, (fast.violations, reference.violations)
    assert len(set(load_rdflib_graph(files).subjects(rdflib.RDF.type, SHARE_COMPONENT))) == 2
    assert share_components_in_store(load_files(files, use_cache=False).store) == 2
    exported = rdflib.Graph().parse(
        data=run_kg("export", "--data", str(SPLIT), "--no-ontology").stdout, format="turtle"
    )
    assert isomorphic(exported, rdflib_union(files))


def test_the_cached_store_keeps_blank_nodes_of_different_files_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KG_CACHE_MIN_BYTES", "1")
    monkeypatch.delenv("KG_NO_CACHE", raising=False)
    files = sorted(SPLIT.glob("*.ttl"))
    for _ in range(2):  # build, then read back
        assert share_components_in_store(load_files(files).store) == 2
    assert [p.name for p in (tmp_path / "cache").iterdir() if not p.name.startswith(".")]


def test_push_sends_both_components(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[bytes] = []

    def store_that_keeps_what_it_gets(url, method, body, headers, timeout):  # type: ignore[no-untyped-def]
        if method == "PUT":
            sent.append(body)
            return b""
        return sent[-1]

    monkeypatch.setattr(kg.sparql.remote, "_http", store_that_keeps_what_it_gets)
    outcome = kg.sparql.remote.push("http://127.0.0.1:1/store", [SPLIT])
    pushed = rdflib.Graph().parse(data=sent[0], format="nt")
    assert isomorphic(pushed, rdflib_union(sorted(SPLIT.glob("*.ttl"))))
    assert outcome.sent == len(pushed) == 12


@pytest.mark.external
def test_the_reasoner_sees_both_components() -> None:
    from kg.coherence.reasoning import _reasoner_view

    triples, _ = _reasoner_view(load_files([SPLIT]))
    assert (
        len({t.subject for t in triples if t.object == ox.NamedNode(SNK + "ShareComponent")}) == 2
    )


# ---------------------------------------------------------------------------------------------
# Properties: any split of a graph with blank nodes into files.

PREFIXES = (
    "@prefix snk: <https://w3id.org/supernode-kg/ontology#> .\n"
    "@prefix snd: <https://w3id.org/supernode-kg/id/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
)

# A share component: its share (some outside [0, 1]) and whether it states its order.
components = st.lists(
    st.tuples(st.sampled_from(["0.3", "0.7", "1.5"]), st.booleans()), min_size=1, max_size=6
)


def write_split(folder: Path, described: list[tuple[str, bool]], file_of: list[int]) -> list[Path]:
    """Write each component as ``_:c<i>`` (i counted per file, so labels repeat across files)
    into the file ``file_of`` gives it; products are named nodes, in the first file."""
    texts: dict[int, list[str]] = {}
    for index, ((share, with_order), file) in enumerate(zip(described, file_of, strict=True)):
        lines = texts.setdefault(file, [])
        order = f" ; snk:order {index + 1}" if with_order else ""
        lines.append(
            f"_:c{len(lines)} a snk:ShareComponent ; snk:product snd:p{index} ; snk:share {share}{order} ."
        )
    products = "".join(
        f'snd:p{i} a snk:Product ; rdfs:label "P{i}"@en .\n' for i in range(len(described))
    )
    files = []
    for file, lines in sorted(texts.items()):
        path = folder / f"part{file}.ttl"
        path.write_text(
            PREFIXES + (products if not files else "") + "\n".join(lines) + "\n", encoding="utf-8"
        )
        files.append(path)
    return files


def splits(draw_components: st.SearchStrategy) -> st.SearchStrategy:  # type: ignore[type-arg]
    return draw_components.flatmap(
        lambda described: st.tuples(
            st.just(described),
            st.lists(st.integers(0, 2), min_size=len(described), max_size=len(described)),
        )
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(splits(components))
@pytest.mark.slow
@pytest.mark.external
def test_both_engines_agree_on_any_split_into_files(
    split: tuple[list[tuple[str, bool]], list[int]],
) -> None:
    described, file_of = split
    with tempfile.TemporaryDirectory() as folder:
        files = write_split(Path(folder), described, file_of)
        fast = validate(data=files, ontology=[], engine="fast")
        reference = validate(data=files, ontology=[], engine="pyshacl")
    assert fast.conforms == reference.conforms

    def results(outcome):  # type: ignore[no-untyped-def]
        # Blank focus nodes have engine-specific ids: compare the rest, with multiplicity.
        return sorted(
            (v.focus_node if v.focus_iri else "_", v.path, v.constraint, v.source_shape)
            for v in outcome.violations
        )

    assert results(fast) == results(reference)
    expected_broken = sum(share == "1.5" or not with_order for share, with_order in described)
    assert len({v.focus_node for v in fast.violations}) == expected_broken


@settings(max_examples=25, deadline=None)
@given(splits(components))
@pytest.mark.slow
def test_export_is_the_union_of_the_files_on_any_split(
    split: tuple[list[tuple[str, bool]], list[int]],
) -> None:
    described, file_of = split
    with tempfile.TemporaryDirectory() as folder:
        files = write_split(Path(folder), described, file_of)
        run = run_kg(
            "export",
            "--format",
            "ntriples",
            "--no-ontology",
            *[a for f in files for a in ("--data", str(f))],
        )
        reference = rdflib_union(files)
    assert run.exit_code == 0, run.stderr
    assert isomorphic(rdflib.Graph().parse(data=run.stdout, format="nt"), reference)
