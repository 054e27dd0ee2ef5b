"""Remake the documentation's pictures, and record what they were made from.

    .venv/bin/python scripts/screenshots.py [--out docs/images]

- ``query-page-1280x900.png``: `kg serve`'s query page in Debian's headless Chromium (selenium
  and chromedriver) at a 1280x900 viewport, the saved query ``solutions`` picked and run;
- ``procurement-mix.png``: the README's chart, by ``kg chart procurement-mix``;
- ``inputs.sha256``: one line per picture, ``<sha256>  <picture>``, the hash of the files that
  decide what it shows (:func:`image_inputs`). tests/test_screenshots.py compares it with
  today's files, so a picture whose inputs changed fails the tests until it is remade.

Each file is written to a temporary name beside it and renamed, so a picture is never left
half-written. Errors are one line on stderr, and exit status 2.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "docs" / "images"

PAGE = "query-page-1280x900.png"
CHART = "procurement-mix.png"
HASHES = "inputs.sha256"
WIDTH, HEIGHT = 1280, 900
SAVED_QUERY = "solutions"
CHART_NAME = "procurement-mix"

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    f"--window-size={WIDTH},{HEIGHT}",
)


class ScreenshotError(Exception):
    """A one-line reason the pictures could not be made."""


def _files(root: Path, pattern: str) -> list[Path]:
    return [path for path in root.glob(pattern) if path.is_file()]


def image_inputs(root: Path = REPO_ROOT) -> dict[str, list[Path]]:
    """Each picture's name -> the files that decide what it shows, in sorted path order."""
    graph = _files(root, "data/ttl/*.ttl") + _files(root, "ontology/*.ttl")
    page = _files(root, "kg/serve/web/**/*") + _files(root, "queries/*.rq") + graph
    chart = [
        root / "kg" / "views" / "chart_specs" / f"{CHART_NAME}.vl.json",
        root / "queries" / f"{CHART_NAME}.rq",
        root / "queries" / "claim-sources.rq",  # the chart's source line comes from it
        *graph,
    ]
    return {
        name: sorted(paths, key=lambda path: path.relative_to(root).as_posix())
        for name, paths in ((PAGE, page), (CHART, chart))
    }


def input_hashes(root: Path = REPO_ROOT) -> dict[str, str]:
    """Each picture's name -> the sha256 of its inputs: for each file in order, its path
    relative to ``root``, its length and its bytes."""
    hashes = {}
    for name, paths in image_inputs(root).items():
        digest = hashlib.sha256()
        for path in paths:
            data = path.read_bytes()  # a missing input is an error, not a silent skip
            digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
            digest.update(f"{len(data)}\0".encode("ascii") + data)
        hashes[name] = digest.hexdigest()
    return hashes


def format_hashes(hashes: dict[str, str]) -> str:
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(hashes.items()))


def parse_hashes(text: str) -> dict[str, str]:
    """The lines of an ``inputs.sha256`` file -> picture name -> sha256."""
    hashes = {}
    for line in text.splitlines():
        if line.strip():
            digest, name = line.split(None, 1)
            hashes[name.strip()] = digest
    return hashes


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it and a rename."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's 0600 is not what a plain write gives
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def browser_programs() -> tuple[str, str]:
    """Debian's chromium and chromedriver, or a ScreenshotError saying what to install."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if chromium is None or chromedriver is None:
        missing = "chromium" if chromium is None else "chromedriver"
        raise ScreenshotError(
            f"no {missing} found: install Debian's packages chromium and chromium-driver "
            "(sudo apt-get install chromium chromium-driver)"
        )
    try:
        import selenium  # noqa: F401
    except ImportError as error:
        raise ScreenshotError(
            "selenium is not installed: .venv/bin/pip install selenium"
        ) from error
    return chromium, chromedriver


@contextmanager
def kg_serve(seconds: float = 120.0) -> Iterator[str]:
    """Run `kg serve --port 0`; yield the query page's URL (its /sparql URL without "sparql")."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--port", "0"],
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            first: list[str] = []
            reader = threading.Thread(
                target=lambda: first.append(process.stdout.readline() if process.stdout else ""),
                daemon=True,
            )
            reader.start()
            reader.join(seconds)
            line = first[0] if first else ""
            if " at http://" not in line:
                process.terminate()
                process.wait(10)
                errors.seek(0)
                said = (errors.read().strip().splitlines() or [line.strip()])[-1]
                raise ScreenshotError(
                    "kg serve did not start"
                    + (f" within {seconds:.0f} s" if not first else "")
                    + (f": {said}" if said else "")
                )
            url = line.split(" at ", 1)[1].split()[0]
            yield url.removesuffix("sparql")
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if process.stdout:
                process.stdout.close()


def _wait_for(condition: Callable[[], Any], what: str, seconds: float = 60.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise ScreenshotError(f"timed out after {seconds:.0f} s waiting for {what}")


def shoot_query_page(url: str, chromium: str, chromedriver: str) -> bytes:
    """The query page at ``url`` with the saved query ``solutions`` run, as a 1280x900 PNG."""
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    with tempfile.TemporaryDirectory(prefix="kg-screenshots-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        try:
            driver = webdriver.Chrome(service=Service(chromedriver), options=options)
        except WebDriverException as error:
            first = (error.msg or str(error)).strip().splitlines()
            raise ScreenshotError(
                f"Chromium did not start: {first[0] if first else type(error).__name__}"
            ) from error
        try:
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
            )
            driver.get(url)
            body = driver.find_element(By.TAG_NAME, "body")
            _wait_for(lambda: body.get_attribute("data-ready") == "true", "the query page")
            Select(driver.find_element(By.ID, "saved")).select_by_value(SAVED_QUERY)
            driver.find_element(By.ID, "run").click()
            status = driver.find_element(By.ID, "status")

            def finished() -> str:  # "5 rows in 124 ms", or an error
                failed = "error" in (status.get_attribute("class") or "")
                text = status.text
                return text if failed or re.search(r"^\d+ rows? in ", text) else ""

            text = _wait_for(finished, f"the rows of the saved query {SAVED_QUERY}")
            if "error" in (status.get_attribute("class") or ""):
                raise ScreenshotError(f"the saved query {SAVED_QUERY} failed on the page: {text}")
            if not driver.find_elements(By.CSS_SELECTOR, "#results tbody tr"):
                raise ScreenshotError(f"the saved query {SAVED_QUERY} showed no rows")
            driver.execute_script("window.scrollTo(0, 0)")
            return driver.get_screenshot_as_png()
        except WebDriverException as error:
            first = (error.msg or str(error)).strip().splitlines()
            raise ScreenshotError(
                f"the browser failed: {first[0] if first else type(error).__name__}"
            ) from error
        finally:
            driver.quit()


def draw_chart(out: Path) -> None:
    """`kg chart procurement-mix` into a temporary PNG beside ``out``, renamed to ``out``."""
    with tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as folder:
        temporary = Path(folder) / out.name
        run = subprocess.run(
            [sys.executable, "-m", "kg", "chart", CHART_NAME, "--out", str(temporary)],
            check=False,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0 or not temporary.is_file():
            said = (run.stderr.strip().splitlines() or [f"exit status {run.returncode}"])[-1]
            raise ScreenshotError(f"kg chart {CHART_NAME} failed: {said}")
        os.replace(temporary, out)


def make_pictures(out: Path) -> dict[str, str]:
    """Make both pictures and inputs.sha256 in ``out``; return the recorded hashes."""
    chromium, chromedriver = browser_programs()
    hashes = input_hashes()  # before drawing: inputs changed meanwhile make the record stale
    out.mkdir(parents=True, exist_ok=True)
    with kg_serve() as url:
        page = shoot_query_page(url, chromium, chromedriver)
    write_atomically(out / PAGE, page)
    draw_chart(out / CHART)
    write_atomically(out / HASHES, format_hashes(hashes).encode("utf-8"))
    return hashes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="the folder to write the pictures and inputs.sha256 to (default: docs/images)",
    )
    args = parser.parse_args(argv)
    try:
        hashes = make_pictures(args.out)
    except (ScreenshotError, OSError) as error:
        print(f"screenshots: error: {error}", file=sys.stderr)
        return 2
    for name in sorted(hashes):
        print(args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
