"""Derived edges for anyone's data (kg.sparql.derivation): whatever files are loaded, the direct
edges their attested statements imply are there, so the saved queries, kg viz and kg describe
agree on a researcher's own statements, not only on the bundled derived-edges.ttl."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.base.bundle import bundled
from kg.base.namespaces import SND, SNK
from kg.rdf.graph import load_files
from kg.sparql.derivation import derived_edges, load_with_derived_edges
from tests.conftest import FIXTURES_DIR, run_kg

FIXTURE = FIXTURES_DIR / "derivation" / "baidu-offering.ttl"
MADE_UP = "https://w3id.org/supernode-kg/id/test/derivation/made-up-solution"


def edge(subject: str, prop: str, obj: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(subject), ox.NamedNode(SNK + prop), ox.NamedNode(obj))


def test_derivation_on_the_bundled_statements_gives_the_bundled_file() -> None:
    """Loading the statements without derived-edges.ttl gives back exactly its edges."""
    b = bundled()
    statements = [p for p in b.graph_files() if p.name != "derived-edges.ttl"]
    written = load_files([b.data_dir / "derived-edges.ttl"]).store
    derived = load_with_derived_edges(statements).store
    assert {(q.subject, q.predicate, q.object) for q in written} == {
        (t.subject, t.predicate, t.object) for t in derived_edges(derived)
    }
    assert all(q in derived for q in written)


def test_a_users_offering_reaches_solutions_ecosystem_viz_and_describe(tmp_path: Path) -> None:
    data = [bundled().data_dir, FIXTURE]
    solutions = kg.query("solutions", data)
    assert (MADE_UP, SND + "baidu") in {(r[0].value, r[2].value) for r in solutions.terms}
    results = kg.query("ecosystem", data)
    at = {name: i for i, name in enumerate(results.columns)}
    ecosystem = {
        (row[at["source"]].value, row[at["relation"]].value, row[at["target"]].value)
        for row in results.terms
    }
    assert (SND + "baidu", "offers", MADE_UP) in ecosystem
    assert (MADE_UP, "uses", SND + "tomahawk") in ecosystem
    card = kg.describe("百度", data)
    assert (SNK + "offers", MADE_UP) in {(r.property, r.other) for r in card.outgoing}
    out = tmp_path / "baidu.svg"
    data_options = ["--data", str(bundled().data_dir), "--data", str(FIXTURE)]
    run = run_kg("viz", *data_options, "--focus", "百度", "--depth", "1", "--out", str(out))
    assert run.exit_code == 0, run.stderr
    assert "Made&#45;up solution" in out.read_text(encoding="utf-8")  # Graphviz escapes "-"


def test_partner_of_pairs_the_lead_with_each_partner_and_two_parties_with_each_other() -> None:
    store = load_with_derived_edges([FIXTURE]).store
    partners = {
        (q.subject.value.removeprefix(SND), q.object.value.removeprefix(SND))
        for q in store.quads_for_pattern(None, ox.NamedNode(SNK + "partnerOf"), None)
    }
    assert partners == {
        ("inspur", "h3c"),
        ("h3c", "inspur"),
        ("baidu", "nvidia"),
        ("nvidia", "baidu"),
        ("baidu", "huawei"),
        ("huawei", "baidu"),
    }


def test_derived_edges_are_in_a_cached_on_disk_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kg serve's workers read large inputs from a read-only on-disk store: the edges are
    added when it is built, and a store built without them is not reused for it."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KG_CACHE_MIN_BYTES", "0")
    plain = load_files([FIXTURE], on_disk=True)
    assert plain.read_only
    offers = edge(SND + "baidu", "offers", MADE_UP)
    assert offers not in plain.store
    derived = load_with_derived_edges([FIXTURE], on_disk=True)
    assert derived.read_only and offers in derived.store
    again = load_with_derived_edges([FIXTURE], on_disk=True)
    assert offers in again.store
