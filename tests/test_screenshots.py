"""The documentation's pictures (docs/images) are made by scripts/screenshots.py and never go
stale: inputs.sha256 records the hashes of the files each picture was made from, and they must
equal today's; and the script, run for real, makes a 1280x900 screenshot that is not blank."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, load_script

screenshots = load_script("screenshots")
IMAGES_DIR = REPO_ROOT / "docs" / "images"
REMAKE = "run .venv/bin/python scripts/screenshots.py"


def recorded_hashes() -> dict[str, str]:
    path = IMAGES_DIR / screenshots.HASHES
    assert path.is_file(), f"docs/images/{screenshots.HASHES} is missing: {REMAKE}"
    return screenshots.parse_hashes(path.read_text(encoding="utf-8"))


def test_every_picture_has_recorded_inputs_and_exists() -> None:
    images = set(screenshots.image_inputs())
    assert set(recorded_hashes()) == images, (
        f"docs/images/{screenshots.HASHES} is out of date: {REMAKE}"
    )
    for image in images:
        assert (IMAGES_DIR / image).is_file(), f"docs/images/{image} is missing: {REMAKE}"


@pytest.mark.parametrize("image", sorted(screenshots.image_inputs()))
def test_picture_is_not_stale(image: str) -> None:
    recorded = recorded_hashes().get(image)
    today = screenshots.input_hashes()[image]
    assert recorded == today, (
        f"docs/images/{image} is stale: the files it is made from changed since it was made; "
        f"{REMAKE}"
    )


def test_the_inputs_hash_paths_and_bytes_in_sorted_order(tmp_path: Path) -> None:
    for folder, name in (
        ("kg/serve/web", "index.html"),
        ("kg/views/chart_specs", "procurement-mix.vl.json"),
        ("queries", "procurement-mix.rq"),
        ("queries", "claim-sources.rq"),
        ("data/ttl", "a.ttl"),
        ("ontology", "o.ttl"),
    ):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / name).write_text(name, encoding="utf-8")
    inputs = screenshots.image_inputs(tmp_path)
    for paths in inputs.values():
        relative = [path.relative_to(tmp_path).as_posix() for path in paths]
        assert relative == sorted(relative)
    assert "kg/serve/web/index.html" not in [
        path.relative_to(tmp_path).as_posix() for path in inputs[screenshots.CHART]
    ]
    before = screenshots.input_hashes(tmp_path)
    (tmp_path / "kg/serve/web/index.html").write_text("changed", encoding="utf-8")
    after = screenshots.input_hashes(tmp_path)
    assert after[screenshots.PAGE] != before[screenshots.PAGE]
    assert after[screenshots.CHART] == before[screenshots.CHART]  # the chart does not show the page
    (tmp_path / "data/ttl/a.ttl").rename(tmp_path / "data/ttl/b.ttl")  # same bytes, new path
    renamed = screenshots.input_hashes(tmp_path)
    assert all(renamed[image] != after[image] for image in after)


def png_size_and_pixels(path: Path) -> tuple[int, int, bytes]:
    """A PNG's width and height from its IHDR header, and its decompressed scanlines."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    idat, offset = b"", 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        if data[offset + 4 : offset + 8] == b"IDAT":
            idat += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return width, height, zlib.decompress(idat)


@pytest.mark.external
@pytest.mark.slow
def test_the_script_makes_a_1280x900_screenshot_and_the_chart(tmp_path: Path) -> None:
    pytest.importorskip("selenium", reason="selenium is not installed")
    if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
        pytest.skip("Debian's chromium is not installed")
    if shutil.which("chromedriver") is None:
        pytest.skip("Debian's chromium-driver (chromedriver) is not installed")
    run = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "screenshots.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [screenshots.PAGE, screenshots.CHART, screenshots.HASHES]
    )  # no temporary file left behind

    page = tmp_path / screenshots.PAGE
    width, height, pixels = png_size_and_pixels(page)
    assert (width, height) == (1280, 900)
    assert page.stat().st_size > 20_000
    assert len(set(pixels)) > 16, "the screenshot is blank"

    chart = tmp_path / screenshots.CHART
    width, height, pixels = png_size_and_pixels(chart)
    assert width > 0 and height > 0 and len(set(pixels)) > 16

    recorded = screenshots.parse_hashes((tmp_path / screenshots.HASHES).read_text(encoding="utf-8"))
    assert recorded == screenshots.input_hashes()


def test_no_chromium_is_one_line_naming_the_debian_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(screenshots.shutil, "which", lambda name: None)
    assert screenshots.main(["--out", str(tmp_path / "images")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("screenshots: error: ")
    assert "chromium" in error and "chromium-driver" in error
    assert not (tmp_path / "images").exists()
