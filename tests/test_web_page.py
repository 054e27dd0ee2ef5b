"""`kg serve`'s query page, end to end in headless Chromium: pick a saved query, run it, read the
rows with labels, open an entity card, download CSV, and take a screenshot."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import kg_serve

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOT_DIR = Path(os.environ.get("KG_SCREENSHOT_DIR", Path(__file__).resolve().parent.parent / "build" / "screenshots"))


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    webdriver = pytest.importorskip("selenium.webdriver")
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1500,1100", f"--user-data-dir={tmp_path_factory.mktemp('profile')}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads  # type: ignore[attr-defined]
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    with kg_serve() as endpoint:
        yield endpoint.removesuffix("sparql")


def wait_for(condition, seconds: float = 20.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the page")


def test_pick_a_saved_query_run_it_read_labels_open_a_card_and_download(browser, page_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(page_url)
    wait_for(lambda: browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    Select(browser.find_element(By.ID, "saved")).select_by_value("procurement-mix")
    assert "NVIDIA : domestic cards" in browser.find_element(By.ID, "description").text
    assert "PREFIX snk:" in browser.find_element(By.ID, "editor").get_attribute("value")
    browser.find_element(By.ID, "run").click()
    wait_for(lambda: "4 rows" in browser.find_element(By.ID, "status").text)
    rows = browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    cells = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")] for row in rows]
    assert [row[0] for row in cells] == ["Alibaba", "Alibaba", "ByteDance", "ByteDance"]  # IRIs shown as labels
    assert [row[2] for row in cells] == ["3:7", "3:7", "7:3", "7:3"]
    assert [row[3] for row in cells] == ["NVIDIA cards", "domestic cards", "NVIDIA cards", "domestic cards"]

    rows[0].find_element(By.TAG_NAME, "a").click()  # the buyer's card
    card = wait_for(lambda: browser.find_element(By.ID, "card").text if "阿里巴巴" in browser.find_element(By.ID, "card").text else "")
    assert card.startswith("Alibaba")
    assert "http://www.wikidata.org/entity/Q1359568" in card
    assert "a current ratio of NV to domestic cards at 3:7 for Alibaba" in card

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOT_DIR / "query-page.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000

    browser.find_element(By.ID, "download-csv").click()
    csv_file = wait_for(lambda: next(iter(browser.downloads.glob("procurement-mix.csv")), None))
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "buyer,buyerLabel,ratio,product,productLabel,share,paragraph,mix"
    assert len(lines) == 5


def test_the_editor_runs_an_ad_hoc_query_and_shows_errors(browser, page_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(page_url)
    wait_for(lambda: browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    browser.find_element(By.ID, "run").click()  # the prefilled query: organizations and names
    wait_for(lambda: "rows" in browser.find_element(By.ID, "status").text)
    names = {row.find_elements(By.TAG_NAME, "td")[1].text for row in browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")}
    assert {"Tencent", "Broadcom", "Inspur"} <= names
    editor = browser.find_element(By.ID, "editor")
    editor.clear()
    editor.send_keys("SELECT ?s WHERE { ?s ?p }")
    browser.find_element(By.ID, "run").click()
    status = wait_for(lambda: browser.find_element(By.ID, "status").text if "error" in (browser.find_element(By.ID, "status").get_attribute("class") or "") else "")
    assert status.startswith("SPARQL syntax error")
