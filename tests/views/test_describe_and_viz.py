"""Entity cards (``kg.views.describe``, and `kg describe` printing them), the ecosystem picture
(`kg viz`) and terminal manners."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest

import kg
from kg.cli.main import cli
from tests.conftest import run_kg
from tests.servers import kg_serve

ARTICLE_ORGANIZATIONS = [
    "Tencent",
    "Alibaba",
    "ByteDance",
    "Baidu",
    "NVIDIA",
    "Huawei",
    "Broadcom",
    "Amphenol",
    "Inspur",
    "H3C",
]
ARTICLE_SOLUTIONS = [
    "ETH-X",
    "NVL72",
    "Ascend CM384",
    "Panjiu",
    "ByteDance Ethernet innovation solution for large models",
]


@pytest.mark.parametrize(
    "entity",
    [
        "腾讯",
        "tencent",
        "TENCENT",
        "snd:tencent",
        "https://w3id.org/supernode-kg/id/tencent",
        "<https://w3id.org/supernode-kg/id/tencent>",
    ],
)
def test_describe_finds_the_entity_however_it_is_named(entity: str) -> None:
    assert kg.describe(entity).iri == "https://w3id.org/supernode-kg/id/tencent"


def test_describe_json_prints_the_card_as_json() -> None:
    run = run_kg("describe", "腾讯", "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout) == kg.describe("腾讯").to_json()


def test_describe_prints_the_card_text() -> None:
    run = run_kg("describe", "Alibaba")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == kg.describe("Alibaba").text()


def test_describe_card_has_names_types_links_relations_and_claims() -> None:
    text = kg.describe("Alibaba").text()
    assert text.splitlines()[0] == "Alibaba  (阿里巴巴)"
    assert "cloud service provider (snk:CloudServiceProvider)" in text
    assert "Wikidata   http://www.wikidata.org/entity/Q1359568" in text
    assert "offers -> Panjiu (snd:panjiu)" in text
    assert "Panjiu (snd:panjiu) -> offered by" in text
    assert "[10] procurement mix, reported (claim000:p10-alibaba-card-mix)" in text
    assert (
        "\u201ca current ratio of NV to domestic cards at 3:7 for Alibaba and 7:3 for ByteDance\u201d"
        in text
    )


def test_describe_json_lists_every_claim_with_marker_modality_and_quote() -> None:
    card = kg.describe("snd:domestic-ai-ecosystem")
    assert card.to_json()["name"] == card.name == "domestic AI ecosystem"
    assert [(c.first_paragraph, c.last_paragraph, c.modality) for c in card.claims] == [
        (9, 10, "projected"),
        (9, 10, "reported"),
    ]
    assert {c.quote for c in card.claims} == {
        "with significant advancements expected by 2027",
        "the domestic AI ecosystem is lagging behind international developments",
    }


def test_describe_lists_candidates_when_a_label_is_ambiguous() -> None:
    with pytest.raises(kg.KgError) as caught:
        kg.describe("cards")
    line = str(caught.value)
    assert line.startswith("'cards' matches 3 entities: ") and "\n" not in line
    for candidate in (
        "snd:domestic-card (domestic cards)",
        "snd:nvidia-card",
        "snd:nvidia-compliant-card",
    ):
        assert candidate in line


def test_describe_unknown_entity_is_a_clear_error() -> None:
    with pytest.raises(kg.KgError) as caught:
        kg.describe("Intel")
    assert str(caught.value) == (
        "no entity has an IRI, prefixed name, local name or label matching 'Intel'"
    )


def test_describe_an_unknown_entity_exits_2_with_one_line() -> None:
    run = run_kg("describe", "Intel")
    assert (run.exit_code, run.stderr.strip()) == (
        2,
        "kg: error: no entity has an IRI, prefixed name, local name or label matching 'Intel'",
    )


@pytest.mark.external
def test_describe_inferred_adds_the_reasoners_types() -> None:
    card = kg.describe("broadcom", inferred=True)
    assert "inferred   snk:Manufacturer" in card.text()


@pytest.mark.external
def test_the_documented_inferred_example_shows_an_inferred_type() -> None:
    """docs/exploring.md's example: Tencent offers ETH-X, so the reasoner makes it a solution
    provider (the old example, eth-x, has no type beyond what the data says)."""
    example = next(
        line
        for line in (Path(__file__).parents[2] / "docs" / "exploring.md")
        .read_text(encoding="utf-8")
        .splitlines()
        if "--inferred" in line and line.startswith("$ kg describe")
    )
    entity = example.split()[3]
    assert "inferred   snk:SolutionProvider" in kg.describe(entity, inferred=True).text()


def test_describe_inferred_option_asks_for_the_inferred_types(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[bool] = []
    card = kg.describe("broadcom")

    def describe(entity: str, source: object = None, *, inferred: bool = False) -> object:
        asked.append(inferred)
        return card

    monkeypatch.setattr(kg.api, "describe", describe)  # the reasoner itself is tested above
    run = run_kg("describe", "broadcom", "--inferred")
    assert run.exit_code == 0, run.stderr
    assert asked == [True] and run.stdout == card.text()


def test_describe_at_an_endpoint_gives_the_same_card() -> None:
    local = kg.describe("英伟达").to_json()
    with kg_serve() as endpoint:
        remote = kg.describe("英伟达", endpoint).to_json()
        run = run_kg("describe", "英伟达", "--format", "json", "--endpoint", endpoint)
    assert remote == local
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout) == local


def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


@pytest.fixture(scope="module")
def dot_available() -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz (Debian package graphviz) is not installed")


def test_viz_svg_shows_every_organization_and_solution_with_a_legend(
    tmp_path: Path, dot_available: None
) -> None:
    out = tmp_path / "ecosystem.svg"
    run = run_kg("viz", "--out", str(out))
    assert run.exit_code == 0, run.stderr
    texts = svg_texts(out)
    for name in (
        ARTICLE_ORGANIZATIONS
        + ARTICLE_SOLUTIONS
        + ["腾讯", "磐久", "Legend", "restricted from buying"]
    ):
        assert name in texts, f"{name} is not in the picture"
    assert texts.count("restricted from buying") >= 4  # three organizations bound, plus the legend


def test_viz_png_is_a_valid_png(tmp_path: Path, dot_available: None) -> None:
    out = tmp_path / "ecosystem.png"
    assert run_kg("viz", "--out", str(out)).exit_code == 0
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 1000 and height > 500


def test_viz_focus_draws_the_neighbourhood_only(tmp_path: Path, dot_available: None) -> None:
    out = tmp_path / "tencent.svg"
    assert run_kg("viz", "--out", str(out), "--focus", "腾讯", "--depth", "1").exit_code == 0
    texts = set(svg_texts(out))
    assert {"Tencent", "ETH-X", "Broadcom", "Amphenol", "NVIDIA compliant cards"} <= texts
    assert "Inspur" not in texts and "NVL72" not in texts


def test_viz_refuses_other_file_types(tmp_path: Path) -> None:
    run = run_kg("viz", "--out", str(tmp_path / "ecosystem.jpg"))
    assert run.exit_code == 2 and "kg viz writes .svg or .png files" in run.stderr


# Terminal manners


def test_every_command_help_has_an_example() -> None:
    names = cli.list_commands(click.Context(cli))
    assert "query" in names and "serve" in names
    for name in names:
        run = run_kg(name, "--help")
        assert run.exit_code == 0
        assert "Example" in run.stdout, f"kg {name} --help has no example"


def run_on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run kg with stdout and stderr on a pseudo-terminal; return what the terminal showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", *args],
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": "80", **env},
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(60)
    os.close(leader)
    return output.decode("utf-8", "replace")


def test_colour_on_a_terminal_but_not_with_no_color_nor_in_a_pipe() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    coloured = run_on_a_terminal(["validate"], env)
    assert "\x1b[" in coloured and "Conforms:" in coloured
    assert "\x1b[" not in run_on_a_terminal(["validate"], {**env, "NO_COLOR": "1"})
    piped = subprocess.run(
        [sys.executable, "-m", "kg", "validate"], capture_output=True, text=True, env=env
    )
    assert "\x1b[" not in piped.stdout


def test_tables_fit_the_terminal_width_but_not_in_a_pipe() -> None:
    on_terminal = run_on_a_terminal(["query", "solutions"], {"NO_COLOR": "1"})
    assert max(len(line) for line in on_terminal.splitlines()) <= 80
    assert "…" in on_terminal
    piped = subprocess.run(
        [sys.executable, "-m", "kg", "query", "solutions"], capture_output=True, text=True
    )
    assert "ByteDance Ethernet innovation solution for large models" in piped.stdout
