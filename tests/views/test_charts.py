"""The market's figures from saved queries, titled and sourced, as SVG and PNG: drawn by
:mod:`kg.views.charts` (no call of ``import kg`` draws charts yet), written by `kg chart`."""

from __future__ import annotations

import shutil
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import kg
from kg.rdf.graph import LoadedGraph, load_bundled_graph
from kg.views.charts import chart_names, chart_spec, render_chart, write_chart
from tests.conftest import REPO_ROOT, run_kg

SVG = "{http://www.w3.org/2000/svg}"
#: chart -> (title, source line, texts a reader must see on the chart)
EXPECTED = {
    "procurement-mix": (
        "Accelerator-card purchases per buyer: NVIDIA vs domestic cards",
        "Source: 傅里叶的猫, 2025-09-28, paragraph [10]",
        [
            "Alibaba  (3:7)",
            "ByteDance  (7:3)",
            "30%",
            "70%",
            "NVIDIA cards",
            "domestic cards",
            "100%",
        ],
    ),
    "projections": (
        "Projected share of domestic accelerator cards",
        "Source: 傅里叶的猫, 2025-09-28, paragraph [6]",
        ["30%–40%", "in the coming years", "50%"],
    ),
    "restrictions": (
        "Trade restrictions: from when, on what, and whom they bind",
        "Source: 傅里叶的猫, 2025-09-28, paragraph [6]",
        [
            "from Sep 16, 2025: restricted from purchasing NVIDIA compliant cards",
            "Alibaba",
            "Baidu",
            "Tencent",
            "CSPs",
            "article date",
        ],
    ),
}


def _svg_texts(svg: Path | bytes) -> list[str]:
    root = ET.fromstring(svg) if isinstance(svg, bytes) else ET.parse(svg).getroot()
    return [" ".join("".join(text.itertext()).split(" ")) for text in root.iter(f"{SVG}text")]


def test_every_chart_is_tested() -> None:
    assert chart_names() == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_chart_renders_as_svg_with_its_title_source_and_readable_values(name: str) -> None:
    texts = _svg_texts(render_chart(chart_spec(name, load_bundled_graph()), "svg"))
    title, source, shown = EXPECTED[name]
    assert title in texts and source in texts
    missing = [text for text in shown if text not in texts]
    assert not missing, f"{name}: not on the chart: {missing}; texts: {texts}"
    assert not [t for t in texts if t in {"0.3", "0.7", "0.4", "0.30", "0.40"}], (
        "shares must show as percentages"
    )
    assert "undefined" not in texts and "NaN" not in " ".join(texts)


def test_chart_out_svg_writes_the_chart_and_says_where(tmp_path: Path) -> None:
    out = tmp_path / "projections.svg"
    run = run_kg("chart", "projections", "--out", str(out))
    assert run.exit_code == 0, run.stderr
    assert run.stderr.strip().endswith(f"wrote {out}") and run.stdout == ""
    assert EXPECTED["projections"][0] in _svg_texts(out)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_chart_renders_as_png(name: str, tmp_path: Path) -> None:
    out = tmp_path / f"{name}.PNG"  # the extension in any case
    assert write_chart(name, out, load_bundled_graph()) == out
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 1000 and 250 <= height <= 1200, (
        width,
        height,
    )  # scale 2: sharp, title and source inside


def test_chart_source_line_comes_from_the_graph_not_from_the_code(tmp_path: Path, bundle) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    shutil.copytree(bundle.data_dir, data)
    for path in bundle.ontology_files():
        shutil.copy(path, data / Path(path).name)
    article = data / "article.ttl"
    text = article.read_text(encoding="utf-8")
    article.write_text(
        text.replace('"傅里叶的猫"@zh', '"Fourier\'s Cat"@en , "傅里叶的猫"@zh').replace(
            'dcterms:issued "2025-09-28"', 'dcterms:issued "2025-09-29"'
        ),
        encoding="utf-8",
    )
    graph: LoadedGraph = kg.load(data, ontology=False).loaded  # as kg chart --data reads it
    svg = render_chart(chart_spec("procurement-mix", graph), "svg")
    assert "Source: Fourier's Cat, 2025-09-29, paragraph [10]" in _svg_texts(svg)


def test_chart_data_option_charts_those_files(tmp_path: Path, bundle) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "mix.svg"
    run = run_kg("chart", "procurement-mix", "--out", str(out), "--data", str(bundle.data_dir))
    assert run.exit_code == 0, run.stderr
    assert "Source: 傅里叶的猫, 2025-09-28, paragraph [10]" in _svg_texts(out)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["chart", "procurment-mix", "--out", "{tmp}/x.png"],
            "no chart named 'procurment-mix'; did you mean procurement-mix?",
        ),
        (
            ["chart", "pie", "--out", "{tmp}/x.svg"],
            "no chart named 'pie'; charts: procurement-mix, projections, restrictions",
        ),
        (
            ["chart", "projections", "--out", "{tmp}/x.pdf"],
            "kg chart writes .svg or .png files, not .pdf",
        ),
        (
            ["chart", "projections", "--out", "{tmp}/x"],
            "kg chart writes .svg or .png files, and this name has no extension",
        ),
    ],
)
def test_chart_bad_name_or_extension_is_refused_before_anything_is_written(
    arguments: list[str], message: str, tmp_path: Path
) -> None:
    name, out = arguments[1], Path(arguments[3].replace("{tmp}", str(tmp_path)))
    with pytest.raises(kg.KgError) as caught:
        write_chart(name, out, load_bundled_graph())
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_chart_bad_name_is_one_line_exit_2(tmp_path: Path) -> None:
    run = run_kg("chart", "pie", "--out", str(tmp_path / "x.svg"))
    assert run.exit_code == 2
    assert (
        run.stderr.count("\n") == 1
        and run.stderr.startswith("kg: error: ")
        and "no chart named 'pie'; charts: procurement-mix, projections, restrictions" in run.stderr
    )
    assert "Traceback" not in run.stderr and list(tmp_path.iterdir()) == []


def test_readme_chart_is_made_by_the_documented_command() -> None:
    import re

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    made = re.findall(r"Made by `kg chart (\S+) --out (docs/images/\S+\.png)`", readme)
    assert made, "the README shows no chart with the command that makes it"
    for name, image in made:
        assert name in chart_names()
        assert f"]({image})" in readme and (REPO_ROOT / image).is_file()


def test_saved_queries_declare_the_charts_that_draw_them() -> None:
    from kg.sparql.catalog import Catalog
    from kg.views.charts import chart_query

    declared = {saved.name: saved.chart for saved in Catalog.bundled() if saved.chart}
    assert declared == {name: name for name in chart_names()}
    for query, chart in declared.items():
        assert chart_query(chart) == query
