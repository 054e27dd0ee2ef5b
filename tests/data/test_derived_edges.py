"""Direct edges are derived from the statements claims attest, never typed by hand: the
materialized file is exactly what the saved queries in queries/derive/ give."""

from __future__ import annotations

import kg
from kg.base.bundle import bundled
from kgdev.derived_edges import DERIVED_FILE_NAME, derive_edges, derived_edges_turtle
from tests.conftest import FIXTURES_DIR

SND = "https://w3id.org/supernode-kg/id/"
SNK = "https://w3id.org/supernode-kg/ontology#"


def sources() -> list[object]:
    return [p for p in bundled().graph_files() if p.name != DERIVED_FILE_NAME]


def test_derived_edges_file_is_what_the_derive_queries_give() -> None:
    on_disk = (bundled().data_dir / DERIVED_FILE_NAME).read_text(encoding="utf-8")
    assert on_disk == derived_edges_turtle(sources()), (
        "data/ttl/derived-edges.ttl is stale: run python scripts/derive_edges.py"
    )


def test_derived_edges_are_the_ones_the_article_supports() -> None:
    edges = {
        (
            t.subject.value.removeprefix(SND),
            t.predicate.value.removeprefix(SNK),
            t.object.value.removeprefix(SND),
        )
        for t in derive_edges(sources())
    }
    # [4] Tencent's ETH-X, NV's NVL72, Huawei's Ascend CM384, Alibaba's Panjiu; ByteDance plans
    # an Ethernet solution primarily based on Broadcom's Tomahawk.
    offers = {
        ("tencent", "eth-x"),
        ("nvidia", "nvl72"),
        ("huawei", "cm384"),
        ("alibaba", "panjiu"),
        ("bytedance", "bytedance-ethernet-solution"),
    }
    # [4] Broadcom's Tomahawk; [6] NV compliant cards; [10] NV cards.
    makes = {
        ("broadcom", "tomahawk"),
        ("nvidia", "nvidia-compliant-card"),
        ("nvidia", "nvidia-card"),
    }
    # [5] Tencent's ETH-X collaborates with Broadcom and Amphenol, utilizing Tomahawk switches
    # and PCIe switches; [4] ByteDance's solution is based on Tomahawk.
    uses = {
        ("eth-x", "tomahawk"),
        ("eth-x", "pcie-switch"),
        ("bytedance-ethernet-solution", "tomahawk"),
    }
    # [5] Tencent's ETH-X collaborates with Broadcom and Amphenol: Tencent leads, and the article
    # never pairs Broadcom with Amphenol.
    partners = {("tencent", "broadcom"), ("tencent", "amphenol")}
    # [6] CSPs including BAT; major internet companies like Alibaba and Tencent.
    members = {
        ("csps", "baidu"),
        ("csps", "alibaba"),
        ("csps", "tencent"),
        ("major-internet-companies", "alibaba"),
        ("major-internet-companies", "tencent"),
    }
    assert edges == (
        {(o, "offers", s) for o, s in offers}
        | {(s, "offeredBy", o) for o, s in offers}
        | {(o, "manufactures", p) for o, p in makes}
        | {(p, "manufacturer", o) for o, p in makes}
        | {(s, "usesComponent", p) for s, p in uses}
        | {(a, "partnerOf", b) for a, b in partners}
        | {(b, "partnerOf", a) for a, b in partners}
        | {(g, "hasMember", m) for g, m in members}
    )


def test_direct_edge_check_names_each_unbacked_edge_and_accepts_every_derived_one() -> None:
    """The check's rows on its fixture are exactly the hand-typed edges no attested statement
    backs; the derived edges of the bundled graph, loaded with the fixture, are not among them."""
    fixture = FIXTURES_DIR / "checks" / "direct-edge-without-claim-violation.ttl"
    b = bundled()
    check = b.queries_dir / "checks" / "direct-edge-without-claim-violation.rq"
    results = kg.query(check, [b.ontology_dir, b.data_dir, fixture])
    rows = {
        tuple(term.value.removeprefix(SND).removeprefix(SNK) for term in row)
        for row in results.terms
    }
    assert rows == {
        ("huawei", "manufactures", "nvidia-card"),
        ("inspur", "partnerOf", "h3c"),
        ("major-internet-companies", "hasMember", "baidu"),
    }
