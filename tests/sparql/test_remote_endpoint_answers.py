"""Answers read from remote endpoints: SPARQL JSON results whose blank node labels Oxigraph's
parser refuses (Virtuoso's ``nodeID://b10001``) are read with labels RDF accepts."""

from __future__ import annotations

import json

import pyoxigraph as ox

from kg.sparql.remote import _parse_answer


def answer(*labels: str) -> bytes:
    rows = [{"x": {"type": "bnode", "value": label}} for label in labels]
    return json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": rows}}).encode()


def blank_labels(body: bytes) -> list[str]:
    results = _parse_answer(
        "http://example.org/sparql", body, "application/sparql-results+json", False
    )
    assert isinstance(results, ox.QuerySolutions)
    return [solution["x"].value for solution in results]


def test_virtuoso_blank_node_labels_are_read() -> None:
    first = blank_labels(answer("nodeID://b10001", "nodeID://b10002", "nodeID://b10001"))
    assert first[0] == first[2] != first[1]  # one node, one label
    assert blank_labels(answer("nodeID://b10001")) == first[:1]  # the same label in every answer


def test_labels_that_differ_stay_apart_and_valid_ones_are_kept() -> None:
    labels = blank_labels(answer("a_b", "a:b", "a_5f_b", "b1"))
    assert len(set(labels[:3])) == 3
    assert labels[3] == "b1"
