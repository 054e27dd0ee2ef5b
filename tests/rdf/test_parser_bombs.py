"""Parser bombs end with one line naming the file and the rule, exit 2, in bounded memory and
time (issue 15, item 2): each runs `kg` in a child process capped at 4 GB of address space (a billion-laughs file grew to 23 GB)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

from kg.base.input_limits import MAX_NESTING
from kg.sparql.text import MAX_NESTING as MAX_QUERY_NESTING
from tests.conftest import FIXTURES_DIR

MEMORY_LIMIT = 4 << 30  # address space: Oxigraph reserves about 3 GB of it at start-up
ASK = FIXTURES_DIR / "queries" / "ask-tomahawk.rq"


def limited_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def kg_in_a_box(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limited_memory,
        env={**os.environ, "KG_NO_CACHE": "1"},
    )


def refused(done: subprocess.CompletedProcess[str], path: Path | str, rule: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"kg: error: {path}") and rule in lines[0], lines[0]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "ha">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
 <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:laugh>&i;</ex:laugh></rdf:Description>
</rdf:RDF>
"""


def test_billion_laughs_rdf_xml_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "laughs.rdf"
    bomb.write_text(BILLION_LAUGHS, encoding="utf-8")
    refused(
        kg_in_a_box("validate", "--data", str(bomb), "--engine", "pyshacl"),
        bomb,
        "refers to another entity",
    )


def test_plain_dtd_entities_still_work(tmp_path: Path) -> None:
    """Ontology editors write RDF/XML with entities for namespaces; those stay readable."""
    ontology = tmp_path / "entities.rdf"
    ontology.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://example.org/"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="&ex;a"><rdf:type rdf:resource="&ex;B"/></rdf:Description></rdf:RDF>\n',
        encoding="utf-8",
    )
    done = kg_in_a_box("export", "--format", "ntriples", "--no-ontology", "--data", str(ontology))
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout
        == "<http://example.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/B> .\n"
    )


def test_external_entities_are_refused(tmp_path: Path) -> None:
    leak = tmp_path / "leak.rdf"
    leak.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
        encoding="utf-8",
    )
    refused(kg_in_a_box("export", "--data", str(leak)), leak, "outside entity")


def test_deeply_nested_json_ld_is_refused(tmp_path: Path) -> None:
    depth = 50_000
    bomb = tmp_path / "deep.jsonld"
    bomb.write_text(
        '{"@context": {"p": "http://p/"}, "@id": "http://a", '
        + '"p": {' * depth
        + '"@id": "http://b"'
        + "}" * depth
        + "}",
        encoding="utf-8",
    )
    refused(
        kg_in_a_box("query", "--file", str(ASK), "--data", str(bomb)),
        bomb,
        f"nested more than {MAX_NESTING} levels",
    )


def test_deeply_nested_rdf_xml_is_refused(tmp_path: Path) -> None:
    depth = 100_000
    bomb = tmp_path / "deep.rdf"
    bomb.write_text(
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:p="http://p/">'
        + "<rdf:Description><p:q>" * depth
        + "</p:q></rdf:Description>" * depth
        + "</rdf:RDF>",
        encoding="utf-8",
    )
    refused(
        kg_in_a_box("export", "--data", str(bomb)),
        f"{bomb}:1",
        f"nested more than {MAX_NESTING} levels",
    )


def test_a_query_of_nested_braces_is_refused_not_a_crash(tmp_path: Path) -> None:
    query = tmp_path / "braces.rq"
    query.write_text("SELECT * WHERE " + "{" * 100_000 + "}" * 100_000, encoding="utf-8")  # 200 KB
    refused(
        kg_in_a_box("query", "--file", str(query)),
        query,
        f"more than kg's limit of {MAX_QUERY_NESTING}",
    )


def test_braces_after_an_escaped_hash_are_counted_not_read_as_a_comment(tmp_path: Path) -> None:
    # `ex:a\#` is a prefixed name whose local part ends in an escaped # (PN_LOCAL_ESC), not a
    # comment: the 20,000 braces after it on that line overflowed Oxigraph's stack (signal 11)
    query = tmp_path / "escaped-hash.rq"
    query.write_text(
        "PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s ex:a\\# "
        + "{" * 20_000
        + "}" * 20_000
        + " }",
        encoding="utf-8",
    )
    refused(
        kg_in_a_box("query", "--file", str(query)),
        query,
        f"more than kg's limit of {MAX_QUERY_NESTING}",
    )


def test_a_query_file_that_is_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "query.rq"
    os.mkfifo(fifo)
    refused(
        kg_in_a_box("query", "--file", str(fifo), timeout=20), fifo, "not a regular file (a FIFO)"
    )


def test_dev_zero_as_a_query_file_is_refused() -> None:
    refused(
        kg_in_a_box("query", "--file", "/dev/zero", timeout=20),
        "/dev/zero",
        "not a regular file (a character device)",
    )


def test_a_data_file_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "data.ttl"
    os.mkfifo(fifo)
    refused(
        kg_in_a_box("query", "--file", str(ASK), "--data", str(fifo), timeout=20),
        fifo,
        "not a regular file",
    )


def test_a_query_file_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    query = tmp_path / "huge.rq"
    query.write_text("ASK { }\n" + "#" * (2 << 20), encoding="utf-8")
    refused(kg_in_a_box("query", "--file", str(query)), query, "more than the limit of")


def test_a_100_mb_literal_is_refused_with_the_parser_limit(tmp_path: Path) -> None:
    data = tmp_path / "big-literal.ttl"
    with data.open("w", encoding="utf-8") as stream:
        stream.write('<http://example.org/a> <http://example.org/p> "')
        chunk = "x" * (1 << 20)
        for _ in range(100):
            stream.write(chunk)
        stream.write('" .\n')
    for command in (["query", "--file", str(ASK)], ["validate", "--engine", "pyshacl"], ["export"]):
        refused(kg_in_a_box(*command, "--data", str(data)), data, "longer than the parser's limit")


def test_a_turtle_file_starting_with_a_bom_is_read(tmp_path: Path) -> None:
    data = tmp_path / "bom.ttl"
    data.write_bytes(b"\xef\xbb\xbf@prefix ex: <http://example.org/> .\nex:a ex:p ex:b .\n")
    done = kg_in_a_box("export", "--format", "ntriples", "--no-ontology", "--data", str(data))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n"
    asked = kg_in_a_box("query", "--file", str(ASK), "--data", str(data))
    assert asked.returncode == 0 and asked.stdout == "false\n", asked.stderr


def test_a_query_file_starting_with_a_bom_is_read(tmp_path: Path) -> None:
    query = tmp_path / "bom.rq"
    query.write_bytes(b"\xef\xbb\xbfASK { ?s ?p ?o }\n")
    done = kg_in_a_box("query", "--file", str(query))
    assert done.returncode == 0 and done.stdout == "true\n", done.stderr
