"""External links are curated as an SSSOM mapping set (mappings/wikidata.sssom.tsv), taken from
the verified list ../shared/wikidata-qids.tsv and nothing else; the graph holds its RDF form
(generated, never edited), and SHACL fails any link that disagrees with it."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from kg.base.bundle import bundled
from tests.conftest import SHARED_DIR, load_script, run_kg

WIKIDATA = {"wd": "http://www.wikidata.org/entity/", "wdt": "http://www.wikidata.org/prop/direct/"}
#: Which predicate a mapping to each kind of item of the verified list may use.
PREDICATES_BY_KIND = {
    "organization": {"owl:sameAs"},
    "concept": {"skos:exactMatch", "skos:closeMatch", "skos:relatedMatch"},
    "property": {"skos:exactMatch"},
}


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return load_script("mappings_to_turtle")


@pytest.fixture(scope="module")
def verified() -> dict[str, dict[str, str]]:
    path = SHARED_DIR / "wikidata-qids.tsv"
    if not path.exists():
        pytest.skip("../shared/wikidata-qids.tsv is not beside this checkout")
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    ]
    return {row["id"]: row for row in csv.DictReader(lines, delimiter="\t")}


def test_mapping_turtle_is_what_the_script_makes_of_the_mapping_set(script: ModuleType) -> None:
    expected = script.turtle(script.read_mapping_set(script.BUNDLED_TSV))
    written = script.BUNDLED_OUT.read_text(encoding="utf-8")
    assert written == expected, (
        "data/ttl/wikidata-mappings.ttl drifted: run python scripts/mappings_to_turtle.py"
    )


def test_every_mapping_is_to_a_verified_id_with_its_label_and_the_right_predicate(
    script: ModuleType, verified: dict[str, dict[str, str]]
) -> None:
    mapping_set = script.read_mapping_set(script.BUNDLED_TSV)
    assert mapping_set.rows
    for row in mapping_set.rows:
        prefix, _, qid = row["object_id"].partition(":")
        assert prefix in WIKIDATA, row
        assert qid in verified, f"{row['object_id']} is not in the verified list"
        item = verified[qid]
        assert row["object_label"] == item["label"], row
        assert row["predicate_id"] in PREDICATES_BY_KIND[item["kind"]], row
        assert row["mapping_justification"] == "semapv:ManualMappingCuration", row
        assert row["author_label"] and row["mapping_date"], row


def test_every_verified_organization_is_mapped(
    script: ModuleType, verified: dict[str, dict[str, str]]
) -> None:
    mapped = {
        row["object_id"].partition(":")[2]
        for row in script.read_mapping_set(script.BUNDLED_TSV).rows
    }
    organizations = {qid for qid, item in verified.items() if item["kind"] == "organization"}
    assert organizations <= mapped, (
        f"verified organizations without a mapping: {sorted(organizations - mapped)}"
    )


def test_a_mapping_without_author_or_date_is_refused(script: ModuleType, tmp_path: Path) -> None:
    text = script.BUNDLED_TSV.read_text(encoding="utf-8").replace(
        "\tsupernode-kg developers\t2026-11-27\t", "\t\t\t", 1
    )
    broken = tmp_path / "broken.sssom.tsv"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(script.MappingSetError, match="author_label, mapping_date"):
        script.read_mapping_set(broken)


def test_a_changed_qid_fails_validation_naming_both_ids(tmp_path: Path) -> None:
    data = tmp_path / "ttl"
    shutil.copytree(bundled().data_dir, data)
    entities = data / "entities.ttl"
    entities.write_text(
        entities.read_text(encoding="utf-8").replace("wd:Q860580", "wd:Q95"), encoding="utf-8"
    )

    run = run_kg("validate", "--data", str(data))

    assert run.exit_code == 1
    assert "Q95" in run.stdout and "Q860580" in run.stdout
    assert "the data has no such link" in run.stdout  # the set's Q860580 is no longer in the data


def test_the_sssom_package_reads_the_mapping_set_if_installed(script: ModuleType) -> None:
    sssom = pytest.importorskip("sssom")
    from sssom.parsers import parse_sssom_table

    frame = parse_sssom_table(script.BUNDLED_TSV)
    assert len(frame.df) == len(script.read_mapping_set(script.BUNDLED_TSV).rows)
    assert sssom
