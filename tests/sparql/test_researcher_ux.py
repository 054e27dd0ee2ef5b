"""What a researcher touches (issue 13): exploring saved queries, labels wherever an entity is
named, complete entity cards, ad-hoc queries with the project's prefixes, readable output, and
one clear line when a federated query cannot reach its endpoint."""

from __future__ import annotations

import gzip
import http.server
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import rdflib

import kg
from tests.conftest import run_kg


def api_error(call: Callable[[], object], *fragments: str) -> str:
    """The one-line message of the KgError ``call`` raises (what `kg` prints after
    ``kg: error:``), checked to hold every fragment."""
    with pytest.raises(kg.KgError) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


def one_line_error(run, *fragments: str) -> str:  # type: ignore[no-untyped-def]
    """What the CLI printed for an error: exit 2, one line on stderr, no traceback."""
    assert run.exit_code == 2, (run.exit_code, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


# 1. Queries can be explored -------------------------------------------------------------------


def test_queries_name_shows_description_parameters_with_defaults_and_the_sparql() -> None:
    run = run_kg("queries", "partners")
    assert run.exit_code == 0, run.stderr
    text = run.stdout
    assert text.startswith("partners: The partners of an organization")
    assert "For the organization given as org" in text
    assert "org  IRI" in text and "optional, default snd:tencent" in text
    assert "Run: kg query partners --param org=snd:tencent" in text
    assert "SELECT ?partner ?partnerLabel" in text and "PREFIX snk:" in text


def test_a_saved_query_marks_a_defaulted_parameter_optional() -> None:
    partners = next(q for q in kg.queries() if q.name == "partners")
    assert partners.parameters == (
        kg.ParameterInfo(
            name="org",
            type="IRI",
            optional=True,
            default="https://w3id.org/supernode-kg/id/tencent",
        ),
    )
    assert "SELECT" in partners.text


def test_queries_name_as_json_prints_the_parameters() -> None:
    data = json.loads(run_kg("queries", "partners", "--format", "json").stdout)
    assert data["parameters"] == [
        {
            "name": "org",
            "type": "IRI",
            "optional": True,
            "default": "https://w3id.org/supernode-kg/id/tencent",
        }
    ]
    assert "SELECT" in data["text"]


def test_an_unknown_query_name_suggests_close_ones() -> None:
    api_error(lambda: kg.query("partner"), "no saved query named 'partner'", "partners")


def test_queries_unknown_name_is_one_line() -> None:
    one_line_error(run_kg("queries", "partner"), "no saved query named 'partner'", "partners")


def test_queries_lists_a_parameter_with_a_default_as_optional() -> None:
    lines = run_kg("queries", "--format", "tsv").stdout.splitlines()
    listed = {line.split("\t")[0]: line.split("\t")[2] for line in lines[1:]}
    assert listed["partners"] == "org?=<IRI>"
    assert listed["wikidata-facts"] == "wikidata?=<endpoint URL>"


# 2. Labels and local names are accepted where an entity is named ------------------------------


def test_an_iri_parameter_takes_a_label_in_either_language() -> None:
    by_name = kg.query("partners", org="snd:broadcom").rows
    assert kg.query("partners", org="博通").rows == by_name
    assert kg.query("partners", org="broadcom").rows == by_name
    assert len(by_name) >= 1


def test_an_iri_parameter_with_an_unknown_label_is_one_line() -> None:
    api_error(lambda: kg.query("partners", org="Intel"), "--param org", "'Intel'")


def test_describe_finds_an_entity_by_the_local_name_of_its_iri() -> None:
    card = kg.describe("nvidia-card")
    assert card.iri == "https://w3id.org/supernode-kg/id/nvidia-card"
    assert "https://w3id.org/supernode-kg/id/nvidia-card" in card.text().splitlines()[1]
    assert kg.describe("P06-NVIDIA-compliant-card-restriction").iri.endswith(
        "/p06-nvidia-compliant-card-restriction"
    )


# 3. Claim and statement cards show their literals; labels in any language; no dataset line ----

CLAIM = "claim000:p06-nvidia-compliant-card-restriction"
STATEMENT = "stmt:nvidia-compliant-card-restriction"


def card_has(text: str, label: str, value: str) -> bool:
    return any(
        line.split()[: len(label.split())] == label.split() and value in line
        for line in text.splitlines()
    )


def test_a_claim_card_shows_quote_paragraph_and_date_and_its_statement_the_content() -> None:
    text = kg.describe(CLAIM).text()
    assert (
        "\u201cFrom September 16, CSPs including BAT were restricted from purchasing NV compliant cards\u201d"
        in text
    )
    for label, value in [("paragraph marker", "6"), ("as of", "2025-09-28")]:
        assert card_has(text, label, value), label
    statement = kg.describe(STATEMENT).text()
    for label, value in [("start date", "2025-09-16"), ("restricted activity", "purchasing")]:
        assert card_has(statement, label, value), label


def test_a_claim_card_as_json_carries_its_literals_with_datatypes() -> None:
    card = kg.describe(CLAIM).to_json()
    values = {v["property"].rsplit("#", 1)[1]: v for v in card["values"]}
    assert values["quote"]["value"].startswith("From September 16")
    assert values["paragraph"]["value"] == "6"
    statement = kg.describe(STATEMENT).to_json()
    values = {v["property"].rsplit("#", 1)[1]: v for v in statement["values"]}
    assert values["startDate"]["value"] == "2025-09-16"
    assert values["startDate"]["datatype"] == "http://www.w3.org/2001/XMLSchema#date"


def test_a_relation_to_an_entity_with_only_a_chinese_label_shows_that_label() -> None:
    text = kg.describe("art:000_aceda881e32bca3b").text()
    assert "outlet -> 傅里叶的猫 (snd:fuliye-de-mao)" in text


def test_a_card_has_no_line_for_the_dataset_description() -> None:
    text = kg.describe("eth-x").text()
    assert "exampleResource" not in text and "supernode-kg/dataset" not in text


# 4. Ad-hoc queries ------------------------------------------------------------------------------

ORGS = "SELECT ?org ?item { ?org owl:sameAs ?item ; a snk:CloudServiceProvider } ORDER BY ?org"


def test_an_ad_hoc_query_may_use_the_project_prefixes_and_prints_compact_names() -> None:
    table = str(kg.query(ORGS))
    assert "snd:tencent" in table and "wd:Q860580" in table
    assert "<http" not in table


def test_an_ad_hoc_query_s_own_prefix_wins(tmp_path: Path) -> None:
    query = tmp_path / "own.rq"
    query.write_text("PREFIX snd: <urn:nothing:>\nASK { snd:tencent ?p ?o }\n", encoding="utf-8")
    results = kg.query(query)
    assert results.boolean is False and str(results) == "false\n"


def test_query_file_runs_the_query_in_the_file(tmp_path: Path) -> None:
    query = tmp_path / "own.rq"
    query.write_text("PREFIX snd: <urn:nothing:>\nASK { snd:tencent ?p ?o }\n", encoding="utf-8")
    assert run_kg("query", "--file", str(query)).stdout == "false\n"


def test_a_syntax_error_in_an_ad_hoc_query_keeps_its_line_number() -> None:
    api_error(lambda: kg.query("SELECT ?s\nWHERE { ?s snk:x }"), "SPARQL syntax error", "2:")


def test_every_query_prints_a_namespace_the_same_way() -> None:
    plain = str(kg.query("organizations"))
    across = str(kg.query("organizations-across-vocabularies"))
    assert "wd:Q160120" in plain and "wd:Q160120" in across
    assert "<http://www.wikidata.org" not in plain


def test_file_dash_reads_the_query_from_standard_input() -> None:
    run = run_kg("query", "--file", "-", input="ASK { ?s a snk:TradeRestriction }\n")
    assert (run.exit_code, run.stdout) == (0, "true\n")


def test_query_option_takes_the_query_text() -> None:
    run = run_kg(
        "query", "--query", "SELECT (COUNT(*) AS ?n) { ?s a snk:ProcurementMix }", "--format", "csv"
    )
    assert run.stdout.splitlines() == ["n", "2"]


def test_two_query_sources_are_refused() -> None:
    one_line_error(run_kg("query", "solutions", "--query", "ASK {}"), "not both")


def test_gzip_and_n_quads_files_are_read(tmp_path: Path) -> None:
    quads = tmp_path / "q.nq.gz"
    quads.write_bytes(
        gzip.compress(b'<urn:a> <urn:p> "in a graph" <urn:g> .\n<urn:b> <urn:p> "default" .\n')
    )
    objects = kg.query("SELECT ?o { ?s <urn:p> ?o } ORDER BY ?o", [quads])
    assert objects.columns == ("o",)
    assert objects.rows == (("default",), ("in a graph",))  # named graphs in the default graph
    graphs = kg.query("SELECT ?g { GRAPH ?g { ?s ?p ?o } }", [quads])
    assert graphs.columns == ("g",)
    assert graphs.rows == ((kg.IRI("urn:g"),),)


def test_a_gzip_file_that_inflates_past_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = tmp_path / "bomb.nt.gz"
    bomb.write_bytes(gzip.compress(b"#" * 200_000))
    monkeypatch.setenv("KG_MAX_RDF_BYTES", "100000")
    api_error(lambda: kg.query("solutions", [bomb]), "bomb.nt.gz", "once decompressed")


def test_every_member_of_a_multi_member_gzip_file_is_read(tmp_path: Path) -> None:
    # `(gzip a; gzip b) > m.nt.gz`, and bgzip files: zcat reads both members, so must kg
    joined = tmp_path / "m.nt.gz"
    joined.write_bytes(
        gzip.compress(b'<urn:a> <urn:p> "1" .\n')
        + gzip.compress(b'<urn:b> <urn:p> "2" .\n')
        + b"\0" * 16  # zero padding after the last member is allowed
    )
    assert kg.query(
        "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", kg.load(joined, ontology=False)
    ).rows == ((2,),)
    garbage = tmp_path / "g.nt.gz"
    garbage.write_bytes(gzip.compress(b'<urn:a> <urn:p> "1" .\n') + b"not gzip")
    api_error(lambda: kg.load(garbage, ontology=False), "g.nt.gz", "not a gzip file")


def test_the_limit_counts_every_member_of_a_gzip_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = tmp_path / "members.nt.gz"
    members.write_bytes(gzip.compress(b"#" * 60_000) + gzip.compress(b"#" * 60_000))
    monkeypatch.setenv("KG_MAX_RDF_BYTES", "100000")
    api_error(lambda: kg.load(members, ontology=False), "members.nt.gz", "once decompressed")


def test_a_url_as_data_says_kg_reads_files_and_shows_the_url_as_typed() -> None:
    line = one_line_error(
        run_kg("query", "solutions", "--data", "https://example.org/x.ttl"),
        "https://example.org/x.ttl",
    )
    assert "not URLs" in line and "https:/example.org" not in line


def test_select_star_keeps_the_query_s_variable_order() -> None:
    query = "SELECT * { ?zebra a snk:ProcurementMix ; snk:buyer ?apple ; snk:ratioNotation ?mango }"
    results = kg.query(query)
    assert results.columns == ("zebra", "apple", "mango")
    assert results.serialize("csv").splitlines()[0] == "zebra,apple,mango"
    assert str(results).split()[:3] == ["zebra", "apple", "mango"]
    assert json.loads(results.serialize("json"))["head"]["vars"] == ["zebra", "apple", "mango"]


# 5. Output ------------------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["json", "xml", "csv", "tsv"])
def test_every_results_format_ends_with_a_newline(output_format: str) -> None:
    assert kg.query("procurement-mix").serialize(output_format).endswith("\n")


def test_query_format_prints_the_serialization_as_is() -> None:
    run = run_kg("query", "procurement-mix", "--format", "tsv")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == kg.query("procurement-mix").serialize("tsv")


def test_json_ld_is_compacted_with_the_project_prefixes() -> None:
    query = "CONSTRUCT { ?s snk:offers ?o ; a ?t } WHERE { ?s snk:offers ?o ; a ?t }"
    text = kg.query(query).serialize("jsonld")
    assert text.endswith("}\n")
    document = json.loads(text)
    assert document["@context"]["snk"] == "https://w3id.org/supernode-kg/ontology#"
    assert "rdfs" not in document["@context"]  # only the prefixes used
    alibaba = next(node for node in document["@graph"] if node["@id"] == "snd:alibaba")
    assert alibaba["snk:offers"] == [{"@id": "snd:panjiu"}]
    graph = rdflib.Graph().parse(data=text, format="json-ld")
    assert (
        rdflib.URIRef("https://w3id.org/supernode-kg/id/alibaba"),
        rdflib.URIRef("https://w3id.org/supernode-kg/ontology#offers"),
        rdflib.URIRef("https://w3id.org/supernode-kg/id/panjiu"),
    ) in graph


def test_expanded_prints_one_record_per_row_with_whole_values() -> None:
    run = run_kg("query", "claims", "--param", "paragraph=6", "-x", env={"COLUMNS": "80"})
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("-[ RECORD 1 ]")
    assert all(len(line) <= 80 for line in lines)
    assert "…" not in run.stdout
    joined = " ".join(
        line.split("| ", 1)[1] for line in lines if line.startswith(("quote", " ")) and "| " in line
    )
    assert "ByteDance" in joined and lines[-1].endswith("rows)")


def test_wrap_keeps_long_cells_whole_within_the_width() -> None:
    run = run_kg("query", "claims", "--param", "paragraph=6", "--wrap", env={"COLUMNS": "80"})
    assert run.exit_code == 0, run.stderr
    assert all(len(line) <= 80 for line in run.stdout.splitlines())
    assert "…" not in run.stdout


def test_a_click_usage_error_is_one_line() -> None:
    line = one_line_error(
        run_kg("queries", "partners", "extra"), "unexpected extra argument", "kg queries --help"
    )
    assert line.startswith("kg: error:")
    one_line_error(run_kg("query", "solutions", "--format", "yaml"), "--format")


# 6. Federation ----------------------------------------------------------------------------------


def test_a_service_host_that_cannot_be_reached_is_named_in_one_line() -> None:
    api_error(
        lambda: kg.query("wikidata-facts", wikidata="http://kg-offline-test.invalid/sparql"),
        "SERVICE kg-offline-test.invalid",
        "cannot",
    )


def test_the_wikidata_parameter_must_be_an_endpoint_url() -> None:
    api_error(
        lambda: kg.query("wikidata-facts", wikidata="wd:Q860580"),
        "--param wikidata",
        "URL of a SPARQL endpoint",
        "'wd:Q860580'",
    )


class _CutOff(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.do_GET()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(
            b'{"head":{"vars":["item"]},"results":{"bindings":[{"item":{"type":"uri","value":"http://x/1"}},{"ite'
        )

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def cut_off_endpoint() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CutOff)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()


def test_a_service_answer_cut_off_mid_stream_is_one_line(cut_off_endpoint: str) -> None:
    api_error(
        lambda: kg.query("wikidata-facts", wikidata=cut_off_endpoint),
        "SERVICE 127.0.0.1",
        "cut off",
    )


def test_an_endpoint_answer_cut_off_mid_stream_is_one_line(cut_off_endpoint: str) -> None:
    api_error(lambda: kg.query("solutions", cut_off_endpoint), cut_off_endpoint, "cut off")


def test_query_endpoint_reports_an_endpoint_error_in_one_line(cut_off_endpoint: str) -> None:
    one_line_error(
        run_kg("query", "solutions", "--endpoint", cut_off_endpoint), cut_off_endpoint, "cut off"
    )


def test_a_chinese_word_finds_the_products_it_names() -> None:
    # several match: kg lists them, as for any ambiguous label
    message = api_error(lambda: kg.describe("卡"))
    for product in ("snd:domestic-card", "snd:nvidia-card", "snd:nvidia-compliant-card"):
        assert product in message
    assert kg.describe("国产卡").iri == "https://w3id.org/supernode-kg/id/domestic-card"


def test_describe_an_ambiguous_label_exits_2_listing_the_candidates() -> None:
    run = one_line_error(run_kg("describe", "卡"), "snd:domestic-card", "snd:nvidia-card")
    assert "snd:nvidia-compliant-card" in run
