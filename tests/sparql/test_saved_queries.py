"""Each saved query answers what the article says. Expected answers were derived by hand from
the article text (paragraph markers in the comments), not by running the queries."""

from __future__ import annotations

import json
from collections import Counter

import pyoxigraph as ox
import pytest
import rdflib

import kg
from kg.rdf.graph import load_bundled_graph
from kg.sparql.catalog import Catalog
from kg.sparql.parameters import bind_parameters
from kg.sparql.query import run_query
from tests.conftest import run_kg

SND = "https://w3id.org/supernode-kg/id/"
CLAIMS = SND + "article/000_aceda881e32bca3b/claim/"
STATEMENTS = SND + "statement/"
WD = "http://www.wikidata.org/entity/"


def short(value: str) -> str:
    for prefix, namespace in (
        ("claim000:", CLAIMS),
        ("stmt:", STATEMENTS),
        ("snd:", SND),
        ("wd:", WD),
    ):
        if value.startswith(namespace) and "/" not in value[len(namespace) :]:
            return prefix + value[len(namespace) :]
    return value


def select(name: str, *columns: str, params: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Run a saved query (``params`` as NAME=VALUE); return the chosen columns' values as
    text (IRIs shortened, unbound as ""), in order."""
    results = kg.query(name, params=dict(param.split("=", 1) for param in params))
    index = {column: i for i, column in enumerate(results.columns)}
    return [
        tuple(
            short(row[index[c]].value) if c in index and row[index[c]] is not None else ""  # type: ignore[attr-defined]
            for c in columns
        )
        for row in results.terms
    ]


def test_query_json_prints_the_results_as_sparql_json() -> None:
    run = run_kg("query", "partners", "--param", "org=snd:tencent", "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == kg.query("partners", org="snd:tencent").serialize("json")


def test_solutions_lists_each_solution_with_provider_and_status() -> None:
    # [4] Tencent's ETH-X, NV's NVL72, Huawei's Ascend CM384, Alibaba's Panjiu: promoted or
    # with customers; ByteDance plans an Ethernet solution, not yet promoted.
    assert sorted(
        select("solutions", "solution", "provider", "status", "modality", "paragraph")
    ) == sorted(
        [
            ("snd:eth-x", "snd:tencent", "being promoted or has customers", "reported", "4"),
            ("snd:nvl72", "snd:nvidia", "being promoted or has customers", "reported", "4"),
            ("snd:cm384", "snd:huawei", "being promoted or has customers", "reported", "4"),
            ("snd:panjiu", "snd:alibaba", "being promoted or has customers", "reported", "4"),
            (
                "snd:bytedance-ethernet-solution",
                "snd:bytedance",
                "planned, not yet promoted",
                "planned",
                "4",
            ),
        ]
    )


def test_partners_of_tencent_are_broadcom_bringing_tomahawk_and_amphenol() -> None:
    # [5] Tencent's ETH-X collaborates with Broadcom and Amphenol ... for GPU traffic management.
    assert select("partners", "partner", "solution", "purpose", "brings", "paragraph") == [
        ("snd:amphenol", "snd:eth-x", "GPU traffic management", "", "5"),
        ("snd:broadcom", "snd:eth-x", "GPU traffic management", "Tomahawk", "5"),
    ]


def test_partners_takes_the_organization_as_a_parameter() -> None:
    rows = select("partners", "partner", params=("org=snd:amphenol",))
    assert sorted(rows) == [("snd:tencent",)]  # the article never pairs Amphenol with Broadcom
    assert select("partners", "partner", params=(f"org={SND}inspur",)) == []


def test_switch_silicon_names_supplier_and_customer() -> None:
    # [4] ByteDance's solution is based on Broadcom's Tomahawk; [5] ETH-X uses Tomahawk and
    # PCIe switches (whose maker the article does not name).
    assert sorted(
        select("switch-silicon", "chip", "chipType", "supplier", "solution", "customer")
    ) == sorted(
        [
            ("snd:tomahawk", "Ethernet switch ASIC", "snd:broadcom", "snd:eth-x", "snd:tencent"),
            (
                "snd:tomahawk",
                "Ethernet switch ASIC",
                "snd:broadcom",
                "snd:bytedance-ethernet-solution",
                "snd:bytedance",
            ),
            ("snd:pcie-switch", "PCIe switch", "", "snd:eth-x", "snd:tencent"),
        ]
    )


def test_procurement_mix_is_three_to_seven_for_alibaba_and_seven_to_three_for_bytedance() -> None:
    # [10] a current ratio of NV to domestic cards at 3:7 for Alibaba and 7:3 for ByteDance.
    rows = select("procurement-mix", "buyer", "ratio", "product", "share")
    assert [(b, r, p, float(s)) for b, r, p, s in rows] == [
        ("snd:alibaba", "3:7", "snd:nvidia-card", 0.3),
        ("snd:alibaba", "3:7", "snd:domestic-card", 0.7),
        ("snd:bytedance", "7:3", "snd:nvidia-card", 0.7),
        ("snd:bytedance", "7:3", "snd:domestic-card", 0.3),
    ]


def test_ecosystem_gives_shares_and_dates_as_typed_values() -> None:
    # [10] NV : domestic cards 3:7 for Alibaba and 7:3 for ByteDance; [6] from September 16 the
    # CSPs including BAT may not buy NV compliant cards (the group "CSPs" is not an organization).
    rows = json.loads(kg.query("ecosystem").serialize("json"))["results"]["bindings"]
    decimal, date = (
        "http://www.w3.org/2001/XMLSchema#decimal",
        "http://www.w3.org/2001/XMLSchema#date",
    )
    buys = sorted(
        (
            short(r["source"]["value"]),
            short(r["target"]["value"]),
            r["share"]["datatype"],
            float(r["share"]["value"]),
            r["ratio"]["value"],
        )
        for r in rows
        if r["relation"]["value"] == "buys"
    )
    assert buys == sorted(
        [
            ("snd:alibaba", "snd:nvidia-card", decimal, 0.3, "3:7"),
            ("snd:alibaba", "snd:domestic-card", decimal, 0.7, "3:7"),
            ("snd:bytedance", "snd:nvidia-card", decimal, 0.7, "7:3"),
            ("snd:bytedance", "snd:domestic-card", decimal, 0.3, "7:3"),
        ]
    )
    restricted = sorted(
        (
            short(r["source"]["value"]),
            short(r["target"]["value"]),
            r["since"]["datatype"],
            r["since"]["value"],
        )
        for r in rows
        if r["relation"]["value"] == "restricted from buying"
    )
    assert restricted == [
        (bound, "snd:nvidia-compliant-card", date, "2025-09-16")
        for bound in ("snd:alibaba", "snd:baidu", "snd:tencent")
    ]
    assert all("note" not in r for r in rows)


def test_restriction_starts_16_september_2025_and_binds_csps_including_bat() -> None:
    # [6] From September 16, CSPs including BAT were restricted from purchasing NV compliant cards.
    rows = select("restrictions", "startDate", "product", "activity", "bound", "paragraph")
    assert sorted(rows) == sorted(
        ("2025-09-16", "snd:nvidia-compliant-card", "purchasing", bound, "6")
        for bound in ("snd:csps", "snd:baidu", "snd:alibaba", "snd:tencent")
    )


def test_projections_have_their_horizons() -> None:
    rows = select(
        "projections",
        "claim",
        "horizonYear",
        "horizon",
        "shareMin",
        "shareMax",
        "firstParagraph",
        "lastParagraph",
    )
    normalized = {
        (c, y, h, float(lo) if lo else None, float(hi) if hi else None, int(first), int(last))
        for c, y, h, lo, hi, first, last in rows
    }
    assert normalized == {
        # [6] domestic cards expected to reach 30%-40% in the coming years
        (
            "claim000:p06-domestic-card-share-projection",
            "",
            "in the coming years",
            0.30,
            0.40,
            6,
            6,
        ),
        # [6] ByteDance's overseas to domestic ratio projected to improve
        ("claim000:p06-bytedance-overseas-ratio", "", "", None, None, 6, 6),
        # [9][10] significant advancements expected by 2027
        ("claim000:p09-domestic-ecosystem-advances-2027", "2027", "", None, None, 9, 10),
        # [10] expectations for large-scale demand in the future
        ("claim000:p10-supernode-demand-outlook", "", "in the future", None, None, 10, 10),
        # [11] software solutions expected to enhance profitability; profit increases anticipated
        ("claim000:p11-software-profitability", "", "", None, None, 11, 11),
        ("claim000:p11-supernode-profit-increase", "", "", None, None, 11, 11),
    }


def test_claims_about_tencent_in_article_order() -> None:
    rows = select(
        "claims-about", "claim", "firstParagraph", "lastParagraph", params=(f"entity={SND}tencent",)
    )
    assert rows == [
        ("claim000:p04-eth-x-offering", "4", "4"),
        ("claim000:p05-eth-x-partnership", "5", "5"),
        ("claim000:p06-csps-include-bat", "6", "6"),
        ("claim000:p06-major-internet-companies-include-alibaba-and-tencent", "6", "6"),
        ("claim000:p06-nvidia-compliant-card-restriction", "6", "6"),
        ("claim000:p06-overseas-share", "6", "6"),
        ("claim000:p06-tencent-is-cloud-service-provider", "6", "6"),  # "CSPs including BAT"
        ("claim000:p10-nvidia-card-preference", "10", "10"),
    ]


def test_claims_about_inspur_quote_the_article() -> None:
    rows = select("claims-about", "firstParagraph", "quote", params=("entity=snd:inspur",))
    assert rows == [
        ("6", "traditional AI servers dominated by Inspur, H3C, and others"),
        ("6", "traditional AI servers dominated by Inspur, H3C, and others"),  # a server vendor
        ("8", "Inspur remains competitive in terms of cost and pricing"),
    ]


def test_claims_lists_every_statement_and_filters_by_paragraph() -> None:
    everything = select("claims", "claim", "firstParagraph", "lastParagraph")
    assert len(everything) == 56
    per_first_marker = Counter(int(first) for _, first, _ in everything)
    # [3]: 1 statement; [4]: 7 (with Broadcom's Tomahawk); [5]: 3; [6]: 10 (with NV compliant
    # cards, CSPs including BAT, major internet companies like Alibaba and Tencent); [8]: 2;
    # [9]: 4; [10]: 6 (with NV cards); [11]: 3. Then the classifications: [4] 6 (Broadcom, the
    # four supernode solutions, the server cabinet); [5] 2 (the two switches); [6] 7 (BAT, Inspur,
    # H3C, two kinds of cards); [10] 2 (NVIDIA, NV cards); [11] 3 (the servers, software).
    assert per_first_marker == Counter({3: 1, 4: 13, 5: 5, 6: 17, 8: 2, 9: 4, 10: 8, 11: 6})
    spanning = {(c, int(f), int(last)) for c, f, last in everything if f != last}
    assert spanning == {
        ("claim000:p03-article-scope", 3, 4),
        ("claim000:p09-domestic-ecosystem-lags", 9, 10),
        ("claim000:p09-domestic-ecosystem-advances-2027", 9, 10),
    }
    in_paragraph_8 = select("claims", "claim", params=("paragraph=8",))
    assert in_paragraph_8 == [
        ("claim000:p08-inspur-competitive",),
        ("claim000:p08-second-third-place-unclear",),
    ]
    in_paragraph_10 = {c for (c,) in select("claims", "claim", params=("paragraph=10",))}
    assert "claim000:p09-domestic-ecosystem-lags" in in_paragraph_10 and len(in_paragraph_10) == 10


def test_market_positions() -> None:
    rows = select("market-positions", "holder", "position", "market", "aspect", "rank")
    assert sorted(rows) == sorted(
        [
            ("snd:supernode", "no significant share yet", "", "", ""),  # [6]
            ("snd:inspur", "dominant", "traditional AI server market", "", ""),  # [6]
            ("snd:h3c", "dominant", "traditional AI server market", "", ""),
            ("snd:major-internet-companies", "small share", "overseas market", "", ""),  # [6]
            ("snd:alibaba", "small share", "overseas market", "", ""),
            ("snd:tencent", "small share", "overseas market", "", ""),
            ("snd:inspur", "competitive", "", "cost and pricing", ""),  # [8]
            ("snd:server-suppliers", "unclear", "", "", "2"),  # [8] second and third places
            ("snd:server-suppliers", "unclear", "", "", "3"),
            (
                "snd:mainstream-suppliers",
                "not actively participating",
                "second-tier internet company segment",
                "",
                "",
            ),  # [9]
        ]
    )


def test_application_focus_training_for_cm384_inference_for_eth_x() -> None:
    # [5] CM384: training and large model computation; ETH-X: inference. [4] ByteDance: large models.
    assert sorted(select("application-focus", "solution", "focus")) == sorted(
        [
            ("snd:cm384", "training"),
            ("snd:cm384", "large model computation"),
            ("snd:eth-x", "inference"),
            ("snd:bytedance-ethernet-solution", "large model computation"),
        ]
    )


def test_margins_ai_servers_higher_than_general_servers() -> None:
    # [11] major manufacturers achieving higher gross margins compared to general servers
    assert select(
        "margins", "productLabel", "direction", "comparedWithLabel", "metric", "paragraph"
    ) == [
        ("AI servers", "higher", "general servers", "gross margin", "11"),
    ]


def test_organizations_with_roles_labels_and_wikidata() -> None:
    rows = set(select("organizations", "organization", "role", "labelEn", "labelZh", "wikidata"))
    assert rows == {
        ("snd:tencent", "cloud service provider", "Tencent", "腾讯", "wd:Q860580"),
        ("snd:alibaba", "cloud service provider", "Alibaba", "阿里巴巴", "wd:Q1359568"),
        ("snd:bytedance", "organization", "ByteDance", "字节跳动", "wd:Q55606242"),
        ("snd:baidu", "cloud service provider", "Baidu", "百度", "wd:Q14772"),
        ("snd:nvidia", "chip vendor", "NVIDIA", "英伟达", "wd:Q182477"),
        ("snd:huawei", "organization", "Huawei", "华为", "wd:Q160120"),
        ("snd:broadcom", "switch-silicon vendor", "Broadcom", "博通", "wd:Q790060"),
        ("snd:amphenol", "organization", "Amphenol", "安费诺", ""),
        ("snd:inspur", "server vendor", "Inspur", "浪潮", ""),
        ("snd:h3c", "server vendor", "H3C", "新华三", ""),
        ("snd:fuliye-de-mao", "media outlet", "", "傅里叶的猫", ""),
    }


@pytest.mark.parametrize("name", Catalog.bundled().names())
def test_saved_query_runs_with_no_namespaces_bound(name: str) -> None:
    """A query that forgot a PREFIX line fails here, as it would at a real endpoint."""
    saved = Catalog.bundled().get(name)
    graph = rdflib.Graph(bind_namespaces="none")
    assert list(graph.namespaces()) == []
    if "network" in saved.tags:  # parse only: running it would call a remote SERVICE
        from rdflib.plugins.sparql import prepareQuery

        prepareQuery(saved.text, initNs={})
        return
    graph.query(saved.text)  # parses and runs: every prefix it uses is declared in the file


@pytest.mark.parametrize("name", Catalog.bundled().names())
def test_saved_query_has_grlc_header(name: str) -> None:
    saved = Catalog.bundled().get(name)
    assert saved.summary, f"{name}: no '#+ summary:'"
    assert saved.description, f"{name}: no '#+ description:'"
    assert saved.tags, f"{name}: no '#+ tags:'"
    for parameter in saved.parameters:
        if not parameter.optional:
            assert parameter.name in saved.defaults, (
                f"{name}: required parameter {parameter.name} has no default"
            )


def test_every_iri_a_query_returns_has_the_labels_the_data_promises() -> None:
    """Entities in a market role promise English and Chinese labels; every other entity English."""
    graph = load_bundled_graph()
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    snk = "https://w3id.org/supernode-kg/ontology#"
    bilingual_roles = {
        ox.NamedNode(snk + r)
        for r in (
            "CloudServiceProvider",
            "ChipVendor",
            "SwitchSiliconVendor",
            "ConnectorVendor",
            "ServerVendor",
        )
    }
    checked = 0
    for saved in Catalog.bundled():
        if "network" in saved.tags:
            continue
        results = run_query(graph, saved.text, bind_parameters(saved, {}))
        if not isinstance(results, ox.QuerySolutions):
            continue
        for solution in results:
            for term in (solution[v] for v in results.variables):
                if (
                    not isinstance(term, ox.NamedNode)
                    or not term.value.startswith(SND)
                    or term.value.startswith(STATEMENTS)
                ):
                    continue
                if term.value.startswith(SND + "article/"):
                    continue
                languages = {
                    q.object.language for q in graph.store.quads_for_pattern(term, label, None)
                }
                types = {q.object for q in graph.store.quads_for_pattern(term, rdf_type, None)}
                if types & bilingual_roles:
                    assert {"en", "zh"} <= languages, (
                        f"{term.value} ({saved.name}) lacks an en or zh label"
                    )
                elif ox.NamedNode(snk + "MediaOutlet") in types:
                    assert "zh" in languages, f"{term.value} ({saved.name}) lacks its zh label"
                else:
                    assert "en" in languages, f"{term.value} ({saved.name}) lacks an en label"
                checked += 1
    assert checked > 50
