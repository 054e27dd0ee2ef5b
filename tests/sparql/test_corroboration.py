"""Several sources: the saved queries corroborated and conflicts, on the bundled graph alone and
with a made-up second source (tests/fixtures/second-source/, a test fixture, never bundled).
Expected rows were derived by hand from the fixture and the article ([5], [10])."""

from __future__ import annotations

import kg
from kg.base.bundle import bundled
from tests.conftest import FIXTURES_DIR

SECOND_SOURCE = FIXTURES_DIR / "second-source"
ARTICLE = "https://w3id.org/supernode-kg/id/article/000_aceda881e32bca3b"
FIXTURE_ARTICLE = "https://w3id.org/supernode-kg/id/article/test-second-source"
STATEMENTS = "https://w3id.org/supernode-kg/id/statement/"
SND = "https://w3id.org/supernode-kg/id/"


def rows(results: kg.Results) -> list[tuple[str, ...]]:
    return [tuple("" if v is None else str(v) for v in row) for row in results.rows]


def with_second_source() -> kg.Graph:
    return kg.load(bundled().data_dir, SECOND_SOURCE)


def test_on_the_bundled_graph_nothing_is_corroborated_or_in_conflict() -> None:
    assert kg.query("corroborated").rows == ()
    assert kg.query("conflicts").rows == ()


def test_corroborated_lists_the_statement_both_sources_attest() -> None:
    results = kg.query("corroborated", with_second_source())
    assert results.columns[:6] == (
        "statement",
        "kind",
        "sources",
        "source",
        "claim",
        "firstParagraph",
    )
    assert [row[:6] for row in rows(results)] == [
        (
            STATEMENTS + "eth-x-partnership",
            "partnership",
            "2",
            ARTICLE,
            ARTICLE + "/claim/p05-eth-x-partnership",
            "5",
        ),
        (
            STATEMENTS + "eth-x-partnership",
            "partnership",
            "2",
            FIXTURE_ARTICLE,
            FIXTURE_ARTICLE + "/claim/p02-eth-x-partnership",
            "2",
        ),
    ]


def test_conflicts_pairs_the_two_card_mixes_for_alibaba_with_their_sources() -> None:
    results = kg.query("conflicts", with_second_source())
    assert rows(results) == [
        (
            "procurement mix",
            SND + "alibaba",
            STATEMENTS + "alibaba-card-mix",
            "3:7",
            ARTICLE,
            SND + "test/second-source/alibaba-card-mix",
            "4:6",
            FIXTURE_ARTICLE,
        )
    ]


def test_the_second_source_is_well_formed_and_never_bundled() -> None:
    report = kg.validate(data=[bundled().data_dir, SECOND_SOURCE])
    assert (report.conforms, report.results) == (True, []), report.results
    for path in bundled().graph_files():
        assert "test-second-source" not in path.read_text(encoding="utf-8"), path
