"""Write an SSSOM mapping set (``mappings/*.sssom.tsv``) into the graph, so SHACL can check links.

The mapping set is the one place where the graph's external links are curated: each row a
subject, a predicate (``owl:sameAs``, ``skos:exactMatch``, ...), a Wikidata object, and who
mapped it, when and why (``author_label``, ``mapping_date``, ``mapping_justification``). This
script reads the SSSOM/TSV file to the SSSOM specification (a ``#``-commented YAML header with
the ``curie_map`` and the set's metadata, then a tab-separated table) and writes its RDF form as
sssom-py does: a ``sssom:MappingSet`` whose ``sssom:mappings`` are ``owl:Axiom`` nodes
(``owl:annotatedSource``, ``owl:annotatedProperty``, ``owl:annotatedTarget``) carrying the
mapping's metadata. ``shapes/mapping-shapes.ttl`` then checks every link of the data against it.
``tests/data/test_mappings.py`` fails when the Turtle drifts from the TSV.

Usage::

    python scripts/mappings_to_turtle.py                  # mappings/wikidata.sssom.tsv -> data/ttl/wikidata-mappings.ttl
    python scripts/mappings_to_turtle.py TSV OUT          # any SSSOM/TSV file
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_TSV = ROOT / "mappings" / "wikidata.sssom.tsv"
BUNDLED_OUT = ROOT / "data" / "ttl" / "wikidata-mappings.ttl"

SSSOM = "https://w3id.org/sssom/"
#: The columns every mapping of ours must fill (the SSSOM spec requires the first four and the
#: justification; author and date are this project's rule).
REQUIRED = (
    "subject_id",
    "predicate_id",
    "object_id",
    "mapping_justification",
    "author_label",
    "mapping_date",
)
#: Set metadata in RDF, as sssom-py writes it.
SET_PROPERTIES = {
    "mapping_set_title": "http://purl.org/dc/terms/title",
    "mapping_set_description": "http://purl.org/dc/terms/description",
}
#: Mapping columns in RDF: IRIs, literals and dates.
IRI_COLUMNS = {"mapping_justification": SSSOM + "mapping_justification"}
TEXT_COLUMNS = {
    "subject_label": SSSOM + "subject_label",
    "object_label": SSSOM + "object_label",
    "author_label": SSSOM + "author_label",
    "comment": "http://www.w3.org/2000/01/rdf-schema#comment",
}
DATE_COLUMNS = {"mapping_date": "http://purl.org/dc/terms/created"}


class MappingSetError(ValueError):
    """The file is not an SSSOM/TSV mapping set as this project needs it."""


@dataclass(frozen=True)
class MappingSet:
    """An SSSOM mapping set: its metadata, CURIE map and rows (CURIEs as written)."""

    metadata: dict[str, object]
    curie_map: dict[str, str]
    rows: list[dict[str, str]]

    def expand(self, curie: str) -> str:
        prefix, sep, local = curie.partition(":")
        if not sep or prefix not in self.curie_map:
            raise MappingSetError(f"{curie!r} has no prefix in the curie_map")
        return self.curie_map[prefix] + local


def read_mapping_set(path: Path) -> MappingSet:
    """Read an SSSOM/TSV file: the ``#`` header (a small YAML subset: ``key: value``, the
    ``curie_map`` mapping and lists of ``- item``), then the table."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [line[1:] for line in lines if line.startswith("#")]
    table = [line for line in lines if not line.startswith("#")]
    metadata: dict[str, object] = {}
    key = None
    for line in header:
        if line.startswith("  ") and key is not None:
            item = line.strip()
            if item.startswith("- "):
                metadata.setdefault(key, [])
                metadata[key].append(item[2:].strip())  # type: ignore[union-attr]
            else:
                name, _, value = item.partition(":")
                metadata.setdefault(key, {})
                metadata[key][name.strip()] = value.strip()  # type: ignore[index]
        else:
            key, _, value = line.partition(":")
            key = key.strip()
            if value.strip():
                metadata[key] = value.strip()
    curie_map = metadata.pop("curie_map", {})
    if (
        not isinstance(curie_map, dict)
        or "mapping_set_id" not in metadata
        or "license" not in metadata
    ):
        raise MappingSetError(
            f"{path}: the header needs a curie_map, a mapping_set_id and a license"
        )
    rows = list(csv.DictReader(io.StringIO("\n".join(table)), delimiter="\t"))
    for number, row in enumerate(rows, start=2):
        missing = [c for c in REQUIRED if not (row.get(c) or "").strip()]
        if missing:
            raise MappingSetError(f"{path}: mapping {number} has no {', '.join(missing)}")
    return MappingSet(metadata, curie_map, rows)


def turtle(mapping_set: MappingSet) -> str:
    """The mapping set in RDF as canonical Turtle (rows sorted, one spelling per value)."""

    def iri(curie: str) -> str:
        return f"<{mapping_set.expand(curie)}>"

    set_iri = f"<{mapping_set.metadata['mapping_set_id']}>"
    out = [
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
        f"@prefix sssom: <{SSSOM}> .",
        "",
        "# Generated by scripts/mappings_to_turtle.py from the SSSOM mapping set; do not edit by hand.",
        "",
        f"{set_iri} a sssom:MappingSet ;",
        f"    <http://purl.org/dc/terms/license> <{mapping_set.metadata['license']}> ;",
    ]
    for key, predicate in SET_PROPERTIES.items():
        if key in mapping_set.metadata:
            out.append(f"    <{predicate}> {Literal(str(mapping_set.metadata[key])).n3()} ;")
    for creator in mapping_set.metadata.get("creator_label", []):  # type: ignore[union-attr]
        out.append(f"    sssom:creator_label {Literal(creator).n3()} ;")
    rows = sorted(
        mapping_set.rows, key=lambda r: (r["subject_id"], r["predicate_id"], r["object_id"])
    )
    mappings = []
    for row in rows:
        lines = [
            "[ a owl:Axiom",
            f"owl:annotatedSource {iri(row['subject_id'])}",
            f"owl:annotatedProperty {iri(row['predicate_id'])}",
            f"owl:annotatedTarget {iri(row['object_id'])}",
        ]
        lines += [f"<{p}> {iri(row[c])}" for c, p in IRI_COLUMNS.items() if row.get(c)]
        lines += [f"<{p}> {Literal(row[c]).n3()}" for c, p in TEXT_COLUMNS.items() if row.get(c)]
        lines += [
            f'<{p}> "{row[c]}"^^<http://www.w3.org/2001/XMLSchema#date>'
            for c, p in DATE_COLUMNS.items()
            if row.get(c)
        ]
        mappings.append(" ;\n        ".join(lines) + " ]")
    out.append("    sssom:mappings " + " ,\n    ".join(mappings) + " .")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    if argv and len(argv) != 2:
        print(__doc__.split("Usage::", 1)[1].strip(), file=sys.stderr)
        return 2
    source, out = (Path(argv[0]), Path(argv[1])) if argv else (BUNDLED_TSV, BUNDLED_OUT)
    try:
        out.write_text(turtle(read_mapping_set(source)), encoding="utf-8")
    except MappingSetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
