"""Saved queries anywhere: ``kg.push`` into real Oxigraph and Virtuoso servers, ``kg.sparql.query`` at an
endpoint, `kg serve`, and the same answers on every engine; `kg push` and `kg query --endpoint`
as commands."""

from __future__ import annotations

import base64
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.query import Result

import kg
from kg.sparql.catalog import Catalog
from kg.sparql.text import query_form, strip_comments
from tests.conftest import FIXTURES_DIR, VIRTUOSO_GRAPH, run_kg
from tests.servers import (
    VIRTUOSO_PASSWORD,
    VIRTUOSO_USER,
    RecordingServer,
    Virtuoso,
    kg_serve,
    oxigraph_binary,
    oxigraph_server,
)

#: Oxigraph, Virtuoso and kg serve processes
pytestmark = [pytest.mark.external]

LOCAL_QUERIES = [q.name for q in Catalog.bundled() if "network" not in q.tags]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        if url is None:
            reason = (
                "not installed (pip install oxigraph)"
                if oxigraph_binary() is None
                else "it did not start"
            )
            pytest.skip(f"no Oxigraph server: {reason}")
        yield url


@pytest.fixture(scope="module")
def oxigraph_with_graph(oxigraph: str) -> str:
    outcome = kg.push(f"{oxigraph}/store")
    assert outcome.held == outcome.sent > 0
    return f"{oxigraph}/query"


@pytest.fixture(scope="module")
def kg_server() -> Iterator[str]:
    with kg_serve("--timeout", "2", "--max-body", "20000") as url:
        yield url


def answer(name: str, source: str | None = None) -> object:
    """The answer of ``kg.query(NAME, source)``, every term as the engine wrote it: triples as a
    set, a boolean, or the variables with the rows (in order if the query orders them)."""
    saved = Catalog.bundled().get(name)
    results = kg.query(name, source)
    if query_form(saved.text) in ("CONSTRUCT", "DESCRIBE"):
        return {str(triple) for triple in results.triples}
    if results.kind == "boolean":
        return results.boolean
    rows = [tuple(str(t) if t is not None else None for t in row) for row in results.terms]
    ordered = re.search(r"\bORDER\s+BY\b", strip_comments(saved.text), re.IGNORECASE) is not None
    return (tuple(f"?{c}" for c in results.columns), rows if ordered else Counter(rows))


def api_error(call: Callable[[], object], fragment: str) -> None:
    """``call`` raises a KgError whose one-line message holds ``fragment``."""
    with pytest.raises(kg.KgError) as caught:
        call()
    assert "\n" not in str(caught.value) and fragment in str(caught.value), str(caught.value)


def test_push_replaces_the_graph_and_verifies_it(oxigraph: str) -> None:
    store = f"{oxigraph}/store"
    graph = "https://w3id.org/supernode-kg/graph/test"
    first = kg.push(
        store, FIXTURES_DIR / "rdf" / "wikidata-stand-in.ttl", ontology=False, graph=graph
    )
    assert (first.sent, first.held) == (4, 4)
    second = kg.push(store, graph=graph)
    assert second.held == second.sent  # the store holds exactly the triples sent
    count = kg.query(FIXTURES_DIR / "queries" / "count-in-test-graph.rq", f"{oxigraph}/query")
    assert count.rows == ((second.sent,),)  # replaced, not added to


def test_push_prints_what_it_sent_and_read_back(oxigraph: str) -> None:
    graph = "https://w3id.org/supernode-kg/graph/test-cli"
    data = FIXTURES_DIR / "rdf" / "wikidata-stand-in.ttl"
    run = run_kg(
        "push",
        "--endpoint",
        f"{oxigraph}/store",
        "--graph",
        graph,
        "--data",
        str(data),
        "--no-ontology",
    )
    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith(f"Pushed 4 triples to graph <{graph}>")
    assert "read back 4: the store holds exactly the triples sent" in run.stdout


def test_push_to_a_missing_store_fails_cleanly(oxigraph: str) -> None:
    api_error(lambda: kg.push(f"{oxigraph}/no-such-service"), "PUT failed: HTTP")


def test_push_error_is_one_line_and_exit_2(oxigraph: str) -> None:
    run = run_kg("push", "--endpoint", f"{oxigraph}/no-such-service")
    assert run.exit_code == 2
    assert run.stderr.startswith("kg: error: ") and "PUT failed: HTTP" in run.stderr


@pytest.mark.parametrize("name", LOCAL_QUERIES)
def test_every_saved_query_answers_the_same_embedded_on_kg_serve_oxigraph_and_virtuoso(
    name: str, oxigraph_with_graph: str, kg_server: str, virtuoso: Virtuoso
) -> None:
    embedded = answer(name)
    assert answer(name, kg_server) == embedded
    assert answer(name, oxigraph_with_graph) == embedded
    assert answer(name, virtuoso.sparql(VIRTUOSO_GRAPH)) == embedded


def test_query_endpoint_prints_the_endpoint_s_answer(oxigraph_with_graph: str) -> None:
    run = run_kg("query", "procurement-mix", "--endpoint", oxigraph_with_graph, "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == kg.query("procurement-mix", oxigraph_with_graph).serialize("json")


@pytest.mark.parametrize("entity", ["英伟达", "snd:tencent", "eth-x"])
def test_describe_at_virtuoso_gives_the_same_card(entity: str, virtuoso: Virtuoso) -> None:
    local = kg.describe(entity).to_json()
    assert kg.describe(entity, virtuoso.sparql(VIRTUOSO_GRAPH)).to_json() == local


def test_push_to_virtuoso_needs_its_credentials(
    virtuoso: Virtuoso, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = "https://w3id.org/supernode-kg/graph/test-credentials"
    data = FIXTURES_DIR / "rdf" / "wikidata-stand-in.ttl"
    monkeypatch.setenv("KG_ENDPOINT_USER", VIRTUOSO_USER)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "not-the-password")
    api_error(lambda: kg.push(virtuoso.graph_store, data, ontology=False, graph=graph), "HTTP 401")
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", VIRTUOSO_PASSWORD)
    right = kg.push(virtuoso.graph_store, data, ontology=False, graph=graph)
    assert right.held == right.sent == 4  # the store holds exactly the triples sent


def test_virtuoso_applies_a_failing_put_partly_not_as_one_transaction(virtuoso: Virtuoso) -> None:
    """Evidence for the README: a PUT whose body breaks at line 3 leaves the first two new triples
    and none of the old graph (Oxigraph, by contrast, keeps the old graph)."""
    graph = "https://w3id.org/supernode-kg/graph/test-transactions"
    url = f"{virtuoso.graph_store}?graph={urllib.parse.quote(graph, safe='')}"
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, VIRTUOSO_USER, VIRTUOSO_PASSWORD)
    opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords))
    old = b"".join(
        b"<http://example.org/old/%d> <http://example.org/p> 1 .\n" % i for i in range(5)
    )
    new = (
        b"<http://example.org/new/1> <http://example.org/p> 2 .\n<http://example.org/new/2> <http://example.org/p> 2 .\n"
        b'<http://example.org/new/3> <http://example.org/p> "unterminated .\n'
    )

    def put(body: bytes) -> int:
        request = urllib.request.Request(
            url, data=body, method="PUT", headers={"Content-Type": "application/n-triples"}
        )
        try:
            with opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert put(old) in (200, 201, 204)
    assert put(new) == 500
    with opener.open(
        urllib.request.Request(url, headers={"Accept": "application/n-triples"}), timeout=30
    ) as response:
        held = sorted(
            t.subject.value
            for t in (q.triple for q in ox.parse(response.read(), format=ox.RdfFormat.N_TRIPLES))
        )
    assert held == ["http://example.org/new/1", "http://example.org/new/2"]


def test_service_query_runs_against_a_stand_in_wikidata() -> None:
    with kg_serve("--data", str(FIXTURES_DIR / "rdf" / "wikidata-stand-in.ttl")) as stand_in:
        csv = kg.query("wikidata-facts", wikidata=stand_in).serialize("csv")
    rows = sorted(tuple(line.split(",")) for line in csv.splitlines()[1:])
    wd = "http://www.wikidata.org/entity/"
    assert rows == sorted(
        [
            # the stand-in knows Tencent's and NVIDIA's country, and Tencent's website
            (
                "https://w3id.org/supernode-kg/id/nvidia",
                "NVIDIA",
                f"{wd}Q182477",
                f"{wd}Q30",
                "",
                "",
            ),
            (
                "https://w3id.org/supernode-kg/id/tencent",
                "Tencent",
                f"{wd}Q860580",
                f"{wd}Q148",
                "",
                "https://www.tencent.com/",
            ),
            # the other linked organizations, with nothing known to the stand-in
            ("https://w3id.org/supernode-kg/id/alibaba", "Alibaba", f"{wd}Q1359568", "", "", ""),
            ("https://w3id.org/supernode-kg/id/baidu", "Baidu", f"{wd}Q14772", "", "", ""),
            ("https://w3id.org/supernode-kg/id/broadcom", "Broadcom", f"{wd}Q790060", "", "", ""),
            (
                "https://w3id.org/supernode-kg/id/bytedance",
                "ByteDance",
                f"{wd}Q55606242",
                "",
                "",
                "",
            ),
            ("https://w3id.org/supernode-kg/id/huawei", "Huawei", f"{wd}Q160120", "", "", ""),
        ]
    )


def test_wikidata_query_lists_exactly_the_linked_items(bundle) -> None:  # type: ignore[no-untyped-def]
    text = Catalog.bundled().get("wikidata-facts").text
    listed = set(re.findall(r"wd:(Q\d+)", text.split("VALUES ?item", 1)[1].split("}", 1)[0]))
    graph = rdflib.Graph()
    for path in bundle.graph_files():
        graph.parse(path)
    linked = {str(o).rsplit("/", 1)[1] for o in graph.objects(None, rdflib.OWL.sameAs)}
    assert listed == linked


# kg serve: the SPARQL 1.1 Protocol, read-only and hardened


def http(
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


SELECT_SOLUTIONS = (
    "SELECT ?s WHERE { ?s a <https://w3id.org/supernode-kg/ontology#SupernodeSolution> }"
)


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
        ("text/csv", "text/csv", "csv"),
        ("text/tab-separated-values", "text/tab-separated-values", "tsv"),
        ("text/html, */*;q=0.1", "application/sparql-results+json", "json"),
    ],
)
def test_serve_negotiates_select_formats(
    kg_server: str, accept: str, media_type: str, rdflib_format: str
) -> None:
    url = f"{kg_server}?{urllib.parse.urlencode({'query': SELECT_SOLUTIONS})}"
    status, content_type, body = http(url, headers={"Accept": accept})
    assert status == 200
    assert content_type.split(";")[0] == media_type
    result = Result.parse(io.BytesIO(body), format=rdflib_format)
    assert len(result) == 4  # ETH-X, NVL72, CM384, Panjiu: the article's supernode solutions


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_serve_negotiates_graph_formats_for_construct(
    kg_server: str, accept: str, rdflib_format: str
) -> None:
    query = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c . FILTER (?c = <https://w3id.org/supernode-kg/ontology#SupernodeSolution>) }"
    status, content_type, body = http(
        kg_server,
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": accept},
    )
    assert (status, content_type.split(";")[0]) == (200, accept)
    assert len(rdflib.Graph().parse(data=body, format=rdflib_format)) == 4


def test_serve_accepts_form_encoded_post(kg_server: str) -> None:
    body = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}).encode()
    status, _, answer_body = http(
        kg_server, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200
    assert json.loads(answer_body)["boolean"] is True


def test_serve_describes_itself(kg_server: str) -> None:
    status, content_type, body = http(kg_server, headers={"Accept": "text/turtle"})
    assert (status, content_type.split(";")[0]) == (200, "text/turtle")
    description = rdflib.Graph().parse(data=body, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    (service,) = description.subjects(rdflib.RDF.type, sd.Service)
    assert str(service) == kg_server
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in description


@pytest.mark.parametrize(
    ("request_kwargs"),
    [
        {"data": b"DROP ALL", "headers": {"Content-Type": "application/sparql-update"}},
        {
            "data": b"update=DROP%20ALL",
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        },
        {
            "data": b"DELETE WHERE { ?s ?p ?o }",
            "headers": {"Content-Type": "application/sparql-query"},
        },
    ],
    ids=["sparql-update", "form-update", "update-as-query"],
)
def test_serve_refuses_updates(kg_server: str, request_kwargs: dict) -> None:  # type: ignore[type-arg]
    status, _, body = http(kg_server, **request_kwargs)
    assert status == 403, body
    assert b"read-only" in body
    assert (
        http(f"{kg_server}?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D")[0] == 200
    )  # the data is still there


def test_serve_refuses_update_parameter_and_put(kg_server: str) -> None:
    assert http(f"{kg_server}?update=DROP%20ALL")[0] == 403
    assert (
        http(
            kg_server,
            data=b"<a> <b> <c> .",
            method="PUT",
            headers={"Content-Type": "application/n-triples"},
        )[0]
        == 405
    )


def test_serve_refuses_service_to_a_host_not_allowed_before_connecting(kg_server: str) -> None:
    with RecordingServer(
        content_type="application/sparql-results+json",
        body=b'{"head":{"vars":[]},"results":{"bindings":[]}}',
    ) as target:
        query = f"SELECT * WHERE {{ SERVICE <{target.url}> {{ ?s ?p ?o }} }}"
        status, _, body = http(
            kg_server, data=query.encode(), headers={"Content-Type": "application/sparql-query"}
        )
        assert status == 403
        assert b"SERVICE to" in body and b"is not allowed" in body
        variable = "SELECT * WHERE { BIND (<http://x> AS ?e) SERVICE ?e { ?s ?p ?o } }"
        assert (
            http(
                kg_server,
                data=variable.encode(),
                headers={"Content-Type": "application/sparql-query"},
            )[0]
            == 403
        )
        assert target.requests == []


def test_serve_calls_an_allowed_service_host_and_port() -> None:
    with (
        kg_serve("--data", str(FIXTURES_DIR / "rdf" / "wikidata-stand-in.ttl")) as stand_in,
        kg_serve("--allow-service", f"127.0.0.1:{urllib.parse.urlsplit(stand_in).port}") as server,
    ):
        query = (
            f"SELECT ?c WHERE {{ SERVICE <{stand_in}> "
            "{ <http://www.wikidata.org/entity/Q860580> <http://www.wikidata.org/prop/direct/P17> ?c } }"
        )
        status, _, body = http(
            server, data=query.encode(), headers={"Content-Type": "application/sparql-query"}
        )
    assert status == 200, body
    assert (
        json.loads(body)["results"]["bindings"][0]["c"]["value"]
        == "http://www.wikidata.org/entity/Q148"
    )


def test_serve_caps_the_request_body(kg_server: str) -> None:
    big = "ASK { ?s ?p ?o } #" + "x" * 30_000
    status, _, body = http(
        kg_server, data=big.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert status == 413
    assert b"over the 20000-byte limit" in body


def test_serve_stops_a_query_over_the_time_cap_and_stays_up(kg_server: str) -> None:
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    status, _, body = http(
        kg_server, data=endless.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert status == 503
    assert b"ran longer than the 2 s limit" in body
    assert http(f"{kg_server}?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D")[0] == 200


@pytest.mark.parametrize("raw", ["query=%zz", "query=ASK%7B%7D%", "query=%C3%28"])
def test_serve_rejects_malformed_percent_encoding(kg_server: str, raw: str) -> None:
    status, _, body = http(f"{kg_server}?{raw}")
    assert status == 400, body


def test_serve_answers_406_for_an_accept_it_cannot_meet(kg_server: str) -> None:
    status, _, body = http(f"{kg_server}?query=ASK%7B%7D", headers={"Accept": "image/png"})
    assert status == 406
    assert b"application/sparql-results+json" in body


def test_serve_reports_syntax_errors_as_400(kg_server: str) -> None:
    status, _, body = http(
        f"{kg_server}?query=SELECT%20%3Fs%20WHERE%20%7B", headers={"Accept": "text/csv"}
    )
    assert status == 400
    assert body.startswith(b"SPARQL syntax error")


# Queries at an endpoint: failures are one line (and exit 2 from `kg query --endpoint`)


def assert_endpoint_error(run, fragment: str) -> None:  # type: ignore[no-untyped-def]
    assert run.exit_code == 2, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert fragment in run.stderr, run.stderr


def test_endpoint_unreachable() -> None:
    api_error(
        lambda: kg.query("solutions", "http://127.0.0.1:9/sparql"), "cannot reach the endpoint"
    )


def test_query_endpoint_error_is_one_line_and_exit_2() -> None:
    assert_endpoint_error(
        run_kg("query", "solutions", "--endpoint", "http://127.0.0.1:9/sparql"),
        "cannot reach the endpoint",
    )


def test_endpoint_that_is_not_sparql() -> None:
    with RecordingServer() as server:
        api_error(
            lambda: kg.query("solutions", server.url),
            "the answer is not SPARQL results (text/html)",
        )


def test_endpoint_http_error() -> None:
    with RecordingServer(status=500, content_type="text/plain", body=b"boom") as server:
        api_error(lambda: kg.query("solutions", server.url), "HTTP 500")


def test_endpoint_timeout() -> None:
    with RecordingServer(
        delay=3, content_type="application/sparql-results+json", body=b"{}"
    ) as server:
        api_error(lambda: kg.query("solutions", server.url, timeout=1), "no answer within 1 s")


def test_a_url_that_is_not_http_is_not_taken_for_an_endpoint() -> None:
    # kg.query takes only http(s):// URLs as endpoints; anything else is a path, and a URL there
    # is refused as such (the CLI's --endpoint says "not an http(s) URL", below)
    api_error(lambda: kg.query("solutions", "ftp://example.org/sparql"), "not URLs")


def test_query_endpoint_option_that_is_not_http_is_one_line_and_exit_2() -> None:
    assert_endpoint_error(
        run_kg("query", "solutions", "--endpoint", "ftp://example.org/sparql"), "not an http(s) URL"
    )


def test_endpoint_basic_auth_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = "Basic " + base64.b64encode(b"reader:s3cret").decode()
    body = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"ok"}}]}}'
    with RecordingServer(
        content_type="application/sparql-results+json", body=body, require_auth=expected
    ) as server:
        monkeypatch.delenv("KG_ENDPOINT_USER", raising=False)
        monkeypatch.delenv("KG_ENDPOINT_PASSWORD", raising=False)
        api_error(lambda: kg.query("solutions", server.url), "401")
        monkeypatch.setenv("KG_ENDPOINT_USER", "reader")
        monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "s3cret")
        allowed = kg.query("solutions", server.url)
        assert allowed.columns == ("x",) and allowed.rows == (("ok",),)


def test_endpoint_gets_parameters_bound_as_terms() -> None:
    body = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
    with RecordingServer(content_type="application/sparql-results+json", body=body) as server:
        assert len(kg.query("partners", server.url, org="snd:amphenol")) == 0
        (_, _, _, sent) = server.requests[0]
    query = urllib.parse.parse_qs(sent.decode())["query"][0]
    assert "<https://w3id.org/supernode-kg/id/amphenol>" in query
    assert "?_org_iri" not in query


def test_kg_serve_reads_named_graphs_as_kg_query_does(tmp_path: Path) -> None:
    # one runner (kg.sparql.query.execute): the default graph is the union of the files' graphs
    trig = tmp_path / "graphs.trig"
    trig.write_text(
        "<http://example.org/g1> { <http://example.org/a> <http://example.org/p> 1 . }\n"
        "<http://example.org/g2> { <http://example.org/b> <http://example.org/p> 2 . }\n",
        encoding="utf-8",
    )
    text = "SELECT ?s WHERE { ?s <http://example.org/p> ?o } ORDER BY ?s"
    local = kg.query(text, kg.load(trig, ontology=False))
    with kg_serve("--data", str(trig), "--no-ontology") as url:
        served = kg.query(text, url)
    assert (
        served.rows
        == local.rows
        == ((kg.IRI("http://example.org/a"),), (kg.IRI("http://example.org/b"),))
    )
