"""The Python API (`import kg`): queries with parameters and labels, every kind of source, rows
as Python values, pandas, the W3C formats, validation reports, and one-line errors."""

from __future__ import annotations

import datetime
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.query import Result

import kg
from kg.base.namespaces import SND, SNK, XSD
from kg.rdf.graph import load_bundled_graph
from tests.conftest import FIXTURES_DIR, run_kg
from tests.servers import RecordingServer, oxigraph_binary, oxigraph_server

QUERIES = FIXTURES_DIR / "queries"
RDF = FIXTURES_DIR / "rdf"
TENCENT = SND + "tencent"


@pytest.fixture(scope="module")
def graph() -> kg.Graph:
    return kg.load()


@pytest.fixture(scope="module")
def oxigraph_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local Oxigraph server holding the bundled graph, pushed with kg.push; its query URL."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        if url is None:
            installed = oxigraph_binary() is not None
            pytest.skip(
                f"no Oxigraph server ({'it did not start' if installed else 'not installed'})"
            )
        outcome = kg.push(f"{url}/store")
        assert outcome.sent == outcome.held > 1000
        yield f"{url}/query"


def one_line_error(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(kg.KgError) as caught:
        call(*args, **kwargs)
    message = str(caught.value)
    assert message and "\n" not in message and "Traceback" not in message
    return message


# The package


def test_import_kg_loads_nothing_until_a_name_is_used() -> None:
    code = (
        "import sys, kg\n"
        "assert 'kg.api' not in sys.modules and 'pyoxigraph' not in sys.modules, sorted(sys.modules)\n"
        "names = dir(kg)\n"
        "assert {'query', 'load', 'validate', 'KgError', 'IRI'} <= set(names), names\n"
        "import kg.sparql.query, kg.views.describe, kg.publish.export\n"
        "assert callable(kg.query) and callable(kg.describe) and callable(kg.export)\n"
        "print(kg.query('ASK { ?s ?p ?o }').boolean)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "True\n"


def test_the_package_names_exactly_the_public_names_of_kg_api() -> None:
    # kg/__init__.py repeats kg.api.__all__ by hand so that `import kg` imports nothing; this
    # keeps the copy (and the names it imports for type checkers) from drifting.
    import ast

    import kg.api

    assert sorted(kg.__all__) == sorted([*kg.api.__all__, "__version__"])
    for name in kg.api.__all__:
        assert getattr(kg, name) is getattr(kg.api, name), name
    package = ast.parse(Path(kg.__file__).read_text(encoding="utf-8"))
    typed = [
        alias.name
        for node in ast.walk(package)
        if isinstance(node, ast.ImportFrom) and node.module == "kg.api"
        for alias in node.names
    ]
    assert sorted(typed) == sorted(kg.api.__all__)


def test_kg_error_is_the_project_error() -> None:
    from kg.base.errors import KgError

    assert kg.KgError is KgError
    with pytest.raises(AttributeError):
        kg.no_such_name  # noqa: B018


def test_queries_lists_names_summaries_and_parameters_with_defaults() -> None:
    listed = {q.name: q for q in kg.queries()}
    partners = listed["partners"]
    assert partners.summary == "The partners of an organization and what each partnership is for"
    (org,) = partners.parameters
    assert (org.name, org.type, org.optional, org.default) == ("org", "IRI", True, TENCENT)
    (paragraph,) = listed["claims"].parameters
    assert (paragraph.type, paragraph.optional) == ("xsd:integer", True)
    assert "SELECT" in partners.text


# Queries, parameters and labels


def test_saved_query_with_a_parameter_by_prefixed_name_iri_or_label(graph: kg.Graph) -> None:
    by_name = kg.query("partners", graph, org="snd:tencent")
    assert by_name.columns[:2] == ("partner", "partnerLabel")
    assert sorted(str(row[0]) for row in by_name) == [SND + "amphenol", SND + "broadcom"]
    assert kg.query("partners", graph, org=TENCENT).rows == by_name.rows
    assert kg.query("partners", graph, org="腾讯").rows == by_name.rows  # a label
    assert kg.query("partners", graph).rows == by_name.rows  # the header's default
    assert kg.query("partners", graph, params={"org": "Tencent"}).rows == by_name.rows


def test_typed_parameters_take_python_values() -> None:
    keyword_only: dict[str, Any] = {"from": 10}  # a Python keyword: passed as **
    text = kg.query(
        QUERIES / "typed-parameters.rq", since=datetime.date(2025, 9, 1), **keyword_only
    )
    same = kg.query(QUERIES / "typed-parameters.rq", params={"since": "2025-09-01", "from": "10"})
    assert text.rows == same.rows and len(text) > 0
    assert all(isinstance(claim, kg.IRI) for (claim,) in text)


def test_ad_hoc_text_gets_the_project_prefixes() -> None:
    results = kg.query("SELECT ?d { ?c a snk:TradeRestriction ; snk:startDate ?d }")
    assert results.rows == ((datetime.date(2025, 9, 16),),)


def test_literal_parameter_values_cannot_inject() -> None:
    query = QUERIES / "label-lookup.rq"
    assert kg.query(query, name="Tencent").rows == ((TENCENT,),)
    for value in [
        'Tencent" } ; DROP ALL ; #',
        "Tencent' } UNION { ?entity ?p ?o } #",
        "<http://a> . ?s ?p ?o",
        "x" * 100_000,
    ]:
        assert kg.query(query, name=value).rows == ()  # just an unknown label


# Every kind of source


def test_every_local_source_gives_the_same_answer(graph: kg.Graph, bundle) -> None:  # type: ignore[no-untyped-def]
    expected = kg.query("solutions").rows
    assert len(expected) == 5
    files = [*bundle.ontology_files(), bundle.data_dir]
    assert kg.query("solutions", graph).rows == expected
    assert kg.query("solutions", graph.loaded).rows == expected
    assert kg.query("solutions", files).rows == expected
    assert kg.query("solutions", [str(f) for f in files]).rows == expected
    stand_in = RDF / "wikidata-stand-in.ttl"
    alone = kg.load(stand_in, ontology=False)  # a path as source is data: the ontology comes too
    one_file = kg.query("SELECT ?o { ?s ?p ?o } ORDER BY ?o", alone)
    assert one_file.rows[0] == ("http://www.wikidata.org/entity/Q148",)
    with_ontology = kg.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", stand_in).rows[0][0]
    assert with_ontology == len(alone) + len(kg.load(stand_in)) - len(alone)
    assert kg.query("ASK { ?s ?p ?o }", str(RDF / "wikidata-stand-in.ttl")).boolean


@pytest.mark.external
def test_a_local_oxigraph_endpoint_answers_as_the_embedded_graph(oxigraph_endpoint: str) -> None:
    for name in ("solutions", "procurement-mix"):
        assert kg.query(name, oxigraph_endpoint).rows == kg.query(name).rows
    assert kg.query("partners", oxigraph_endpoint, org="腾讯").rows == kg.query("partners").rows
    assert kg.describe("英伟达", oxigraph_endpoint).to_json() == kg.describe("英伟达").to_json()


def test_a_source_that_is_none_of_the_kinds_is_one_line() -> None:
    assert "cannot ask int" in one_line_error(kg.query, "solutions", 42)
    assert "kg reads local files, not URLs" in one_line_error(
        kg.query, "solutions", "ftp://example.org/data.ttl"
    )


# Rows as Python values; exact terms


def test_rows_hold_python_values() -> None:
    (row, *_) = kg.query("procurement-mix").rows
    buyer, buyer_label, ratio, _, _, share, paragraph, _, _ = row
    assert type(buyer) is kg.IRI and buyer == SND + "alibaba"
    assert type(buyer_label) is kg.LangString and (buyer_label, buyer_label.language) == (
        "Alibaba",
        "en",
    )
    assert type(ratio) is str and ratio == "3:7"
    assert type(share) is Decimal and share == Decimal("0.3")
    assert type(paragraph) is int and paragraph == 10


def test_each_datatype_becomes_its_python_type() -> None:
    results = kg.query(
        """SELECT * {
          VALUES (?int ?dec ?dbl ?bool ?date ?dt ?year ?bad ?unbound) {
            (7 1.50 2.5e0 true "2025-09-16"^^xsd:date "2025-09-16T08:30:00Z"^^xsd:dateTime
             "2025"^^xsd:gYear "abc"^^xsd:int UNDEF)
          }
          BIND (BNODE() AS ?blank)
        }"""
    )
    (row,) = results.rows
    values = dict(zip(results.columns, row, strict=True))
    assert values["int"] == 7 and type(values["int"]) is int
    assert values["dec"] == Decimal("1.5") and type(values["dec"]) is Decimal
    assert values["dbl"] == 2.5 and type(values["dbl"]) is float
    assert values["bool"] is True
    assert values["date"] == datetime.date(2025, 9, 16)
    assert values["dt"] == datetime.datetime(2025, 9, 16, 8, 30, tzinfo=datetime.UTC)
    assert type(values["year"]) is kg.TypedLiteral and values["year"].datatype == XSD + "gYear"
    assert type(values["bad"]) is kg.TypedLiteral and values["bad"] == "abc"  # ill-typed: text
    assert values["unbound"] is None
    assert type(values["blank"]) is kg.BlankNode


def test_exact_lexical_forms_survive_in_terms_and_serialize() -> None:
    """An endpoint that keeps literals as written: rows give values, serialize() the text."""
    body = json.dumps(
        {
            "head": {"vars": ["small", "padded"]},
            "results": {
                "bindings": [
                    {
                        "small": {"type": "literal", "value": "5", "datatype": XSD + "byte"},
                        "padded": {"type": "literal", "value": "05", "datatype": XSD + "integer"},
                    }
                ]
            },
        }
    ).encode()
    with RecordingServer(content_type="application/sparql-results+json", body=body) as server:
        results = kg.query("SELECT * { ?s ?p ?o }", server.url)
    assert results.rows == ((5, 5),)
    assert results.terms == (
        (
            ox.Literal("5", datatype=ox.NamedNode(XSD + "byte")),
            ox.Literal("05", datatype=ox.NamedNode(XSD + "integer")),
        ),
    )
    document = json.loads(results.serialize("json"))
    assert document["results"]["bindings"][0]["small"] == {
        "type": "literal",
        "value": "5",
        "datatype": XSD + "byte",
    }
    assert results.serialize("csv").splitlines() == ["small,padded", "5,05"]
    assert '"5"^^<http://www.w3.org/2001/XMLSchema#byte>' in results.serialize("tsv")


# W3C formats


@pytest.mark.parametrize(
    ("name", "oxigraph_format"),
    [
        ("json", ox.QueryResultsFormat.JSON),
        ("xml", ox.QueryResultsFormat.XML),
        ("csv", ox.QueryResultsFormat.CSV),
        ("tsv", ox.QueryResultsFormat.TSV),
    ],
)
def test_select_serializes_as_pyoxigraph_does(
    name: str, oxigraph_format: ox.QueryResultsFormat
) -> None:
    from kg.sparql.catalog import Catalog

    results = kg.query("procurement-mix")
    assert len(results) == 4
    raw = load_bundled_graph().store.query(Catalog.bundled().get("procurement-mix").text)
    assert isinstance(raw, ox.QuerySolutions)
    serialized = raw.serialize(format=oxigraph_format)
    assert serialized is not None
    theirs = serialized.decode("utf-8")
    ours = results.serialize(name)
    assert ours.rstrip("\r\n") == theirs.rstrip("\r\n") and ours.endswith("\n")
    if name == "csv":
        return  # SPARQL CSV is lossy: pyoxigraph does not read it back
    parsed = ox.parse_query_results(ours.encode("utf-8"), format=oxigraph_format)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [tuple(s[v] for v in results.columns) for s in parsed] == list(results.terms)


@pytest.mark.parametrize("output_format", ["json", "xml", "csv", "tsv"])
def test_select_results_parse_back_in_each_standard_format(output_format: str) -> None:
    ours = kg.query("procurement-mix").serialize(output_format)
    result = Result.parse(io.BytesIO(ours.encode("utf-8")), format=output_format)
    assert len(result) == 4 and result.vars is not None
    assert [str(v) for v in result.vars][:3] == ["buyer", "buyerLabel", "ratio"]
    shares = sorted(float(row.share) for row in result)  # type: ignore[union-attr]
    assert shares == [0.3, 0.3, 0.7, 0.7]


@pytest.mark.parametrize(
    ("output_format", "rdflib_format"),
    [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"), ("xml", "xml")],
)
def test_construct_serializes_to_each_rdf_format(output_format: str, rdflib_format: str) -> None:
    results = kg.query(QUERIES / "construct-offers.rq")
    graph = rdflib.Graph().parse(data=results.serialize(output_format), format=rdflib_format)
    offers = rdflib.URIRef(SNK + "offers")
    assert len(graph) == len(results) == 4
    assert (rdflib.URIRef(SND + "alibaba"), offers, rdflib.URIRef(SND + "panjiu")) in graph


def test_construct_gives_triples_rows_and_deterministic_turtle() -> None:
    results = kg.query(QUERIES / "construct-offers.rq")
    raw = load_bundled_graph().store.query((QUERIES / "construct-offers.rq").read_text())
    assert set(results.triples) == set(raw)  # type: ignore[arg-type]
    assert results.columns == ("subject", "predicate", "object")
    assert (SND + "alibaba", SNK + "offers", SND + "panjiu") in results.rows
    turtle = results.serialize("turtle")
    assert turtle == kg.query(QUERIES / "construct-offers.rq").serialize("turtle")
    assert "@prefix snk:" in turtle


def test_ask_gives_a_boolean_and_forms_are_not_mixed() -> None:
    ask = kg.query(QUERIES / "ask-tomahawk.rq")
    assert ask.boolean is True and len(ask) == 0
    assert json.loads(ask.serialize("json"))["boolean"] is True
    assert "not a CONSTRUCT or DESCRIBE query" in one_line_error(lambda: ask.triples)
    assert "not an ASK query" in one_line_error(lambda: kg.query("solutions").boolean)
    assert "--format turtle is for CONSTRUCT/DESCRIBE" in one_line_error(
        kg.query("solutions").serialize, "turtle"
    )


def test_table_is_what_kg_query_prints() -> None:
    table = kg.query("solutions").table()
    assert table.splitlines()[0].split()[:2] == ["solution", "solutionLabel"]
    assert "snd:panjiu" in table and table.endswith("(5 rows)\n")
    assert str(kg.query("ASK { ?s ?p ?o }")) == "true\n"


# pandas


def test_to_pandas_gives_typed_columns() -> None:
    import pandas as pd

    frame = kg.query("procurement-mix").to_pandas()
    assert list(frame.columns) == list(kg.query("procurement-mix").columns)
    assert len(frame) == 4
    assert str(frame["paragraph"].dtype) == "Int64"
    assert frame["share"].dtype == object and sorted(frame["share"]) == [
        Decimal("0.3"),
        Decimal("0.3"),
        Decimal("0.7"),
        Decimal("0.7"),
    ]
    assert frame["buyer"].dtype == object and isinstance(frame["buyer"][0], kg.IRI)
    mixed = kg.query(
        "SELECT ?n ?x ?b { VALUES (?n ?x ?b) { (1 2.5e0 true) (UNDEF UNDEF UNDEF) } }"
    ).to_pandas()
    assert str(mixed["n"].dtype) == "Int64" and mixed["n"].isna().tolist() == [False, True]
    assert str(mixed["x"].dtype) == "float64" and pd.isna(mixed["x"][1]) and mixed["x"][0] == 2.5
    assert str(mixed["b"].dtype) == "boolean" and bool(mixed["b"][0]) is True


def test_to_pandas_without_pandas_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    message = one_line_error(kg.query("solutions").to_pandas)
    assert "pip install 'supernode-kg[pandas]'" in message


# Timeouts and errors


def test_a_runaway_query_is_stopped_by_its_timeout() -> None:
    message = one_line_error(kg.query, QUERIES / "endless.rq", timeout=1)
    assert message.endswith("endless.rq: stopped after 1 s (--timeout); the query did not finish")


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        (("partner",), {}, "no saved query named 'partner'; did you mean partners"),
        (("partners",), {"organisation": "x"}, "its parameters: org"),
        (("partners",), {"org": "not an iri"}, "--param org: expected an absolute IRI"),
        (("claims",), {"paragraph": "ten"}, "--param paragraph: expected a whole number"),
        (("SELECT * {",), {}, "query: SPARQL syntax error at 1:"),
        (("DELETE WHERE { ?s ?p ?o }",), {}, "this is a SPARQL update"),
        (("solutions", RDF / "unparsable.ttl"), {}, "unparsable.ttl:6:1"),
        (("partners",), {"org": object()}, "parameter org: expected text, a number"),
    ],
)
def test_errors_are_one_line_kg_errors(args: tuple, kwargs: dict, expected: str) -> None:  # type: ignore[type-arg]
    assert expected in one_line_error(kg.query, *args, **kwargs)


# Validation, checks, reasoning, cards, export


def test_validate_reports_conformance_and_results(bundle) -> None:  # type: ignore[no-untyped-def]
    clean = kg.validate()
    assert (clean.conforms, clean.exit_code, clean.results) == (True, 0, [])
    broken = kg.validate(data=[bundle.data_dir, RDF / "mix-not-adding-up.ttl"])
    assert (broken.conforms, broken.exit_code, bool(broken)) == (False, 1, False)
    (violation,) = broken.results
    assert "mix-not-adding-up" in violation.focus_node
    assert violation.severity == "Violation"
    assert violation.constraint == "sh:SPARQLConstraintComponent"
    assert "add up to 1.2, not 1" in violation.message
    report = rdflib.Graph().parse(data=broken.turtle(), format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    (node,) = report.subjects(rdflib.RDF.type, sh.ValidationReport)
    assert report.value(node, sh.conforms) == rdflib.Literal(False)
    assert len(list(report.objects(node, sh.result))) == 1
    assert broken.text().startswith("Does not conform: 1 violation.")


def test_validate_with_other_shapes_and_no_ontology(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix snk: <https://w3id.org/supernode-kg/ontology#> .\n"
        "<urn:x:NeedsComment> a sh:NodeShape ; sh:targetClass snk:Region ;\n"
        "  sh:property [ sh:path <http://www.w3.org/2000/01/rdf-schema#comment> ; sh:minCount 1 ] .\n",
        encoding="utf-8",
    )
    report = kg.validate(shapes=shapes)
    assert report.exit_code == 1
    assert "snd:china" in {v.focus_node for v in report.results}
    assert "no shapes to validate against" in one_line_error(kg.validate, shapes=[])


def test_check_passes_on_the_bundled_graph() -> None:
    outcomes = kg.check()
    assert outcomes and all(outcome.passed for outcome in outcomes)


@pytest.mark.skipif(
    subprocess.run(["which", "java"], capture_output=True).returncode != 0, reason="no Java"
)
@pytest.mark.external
def test_reason_finds_the_graph_sound() -> None:
    outcome = kg.reason()
    assert outcome.sound
    assert "snk:SolutionProvider" in outcome.inferred_types["snd:tencent"]


def test_describe_finds_an_entity_by_label(graph: kg.Graph) -> None:
    card = kg.describe("腾讯", graph)
    assert card.iri == TENCENT
    assert card.labels["zh"] == ["腾讯"]
    assert card.text().startswith("Tencent  (腾讯)")
    assert "prefixes" not in card.to_json()
    assert "matching 'no such thing'" in one_line_error(kg.describe, "no such thing")


def test_export_is_deterministic_and_lossless(tmp_path: Path) -> None:
    first = kg.export(format="ntriples")
    assert first == kg.export(format="ntriples")
    out = tmp_path / "graph.ttl"
    assert kg.export(out=out) == out.read_bytes()
    assert "unknown export format 'n3'" in one_line_error(kg.export, format="n3")
    source = tmp_path / "bytes.ttl"
    source.write_text('<urn:x:a> <urn:x:p> "5"^^<http://www.w3.org/2001/XMLSchema#byte> .\n')
    assert b'"5"^^<http://www.w3.org/2001/XMLSchema#byte>' in kg.export(source, "ntriples")
    assert "give --format trig or --format nquads" in one_line_error(
        kg.export, format="ntriples", nanopubs=True
    )


def test_export_writes_nanopublications_as_kg_export_does(bundle) -> None:  # type: ignore[no-untyped-def]
    from kg.publish.export import export_graph

    trig = kg.export(format="trig", nanopubs=True)
    assert trig == export_graph(bundle.graph_files(), "trig", nanopubs=True)
    assert b"np:hasAssertion" in trig or b"hasAssertion" in trig


def test_json_is_written_from_the_document_exactly_as_rendering_would_write_it() -> None:
    """serialize('json') hands back the result document itself; it must be the same text as
    reading the results back and writing them again (what every other format does)."""
    from kg.sparql.results import render

    graph = kg.load()
    checked = 0
    for info in kg.queries():
        if "network" in info.name or info.name == "wikidata-facts":
            continue
        results = kg.query(info.name, graph)
        if results._document.kind == "triples":
            continue
        assert results.serialize("json") == render(
            results._document.parsed(), "json", results.prefixes
        ), info.name
        checked += 1
    assert checked >= 15
    ask = kg.query("ASK { snd:tencent snk:offers ?s }", graph)
    assert ask.serialize("json") == render(ask._document.parsed(), "json", ask.prefixes)


def test_query_info_is_what_kg_queries_prints() -> None:
    info = kg.query_info("partners")
    assert info in kg.queries()
    assert info.signature == "org?=<IRI>"
    assert info.to_json()["name"] == "partners"
    assert run_kg("queries", "partners").stdout == info.help()
    with pytest.raises(kg.KgError, match="partners"):
        kg.query_info("partner")  # the error names the known queries


def test_pictures_are_what_the_commands_draw(tmp_path: Path) -> None:
    chart = kg.chart("procurement-mix", tmp_path / "mix.svg")
    assert chart == tmp_path / "mix.svg" and b"<svg" in chart.read_bytes()
    drawn = kg.draw(tmp_path / "tencent.svg", focus="腾讯", depth=1)
    assert "腾讯" in drawn.read_text(encoding="utf-8") or "Tencent" in drawn.read_text(
        encoding="utf-8"
    )
    with pytest.raises(kg.KgError, match="nothing"):
        kg.draw(tmp_path / "x.svg", focus="nothing by this name")
