"""`kg serve`'s query page, end to end in headless Chromium: pick a saved query, run it, read the
rows with labels, open an entity card, download CSV, and take a screenshot."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.servers import kg_serve

#: headless Chromium
pytestmark = [pytest.mark.external]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOT_DIR = Path(os.environ.get("KG_SCREENSHOT_DIR", REPO_ROOT / "build" / "screenshots"))


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    webdriver = pytest.importorskip("selenium.webdriver")
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1500,1100",
        f"--user-data-dir={tmp_path_factory.mktemp('profile')}",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
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


def test_pick_a_saved_query_run_it_read_labels_open_a_card_and_download(
    browser, page_url: str
) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(page_url)
    wait_for(
        lambda: browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true"
    )
    Select(browser.find_element(By.ID, "saved")).select_by_value("procurement-mix")
    assert "NVIDIA : domestic cards" in browser.find_element(By.ID, "description").text
    assert "PREFIX snk:" in browser.find_element(By.ID, "editor").get_attribute("value")
    browser.find_element(By.ID, "run").click()
    wait_for(lambda: "4 rows" in browser.find_element(By.ID, "status").text)
    rows = browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    cells = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")] for row in rows]
    assert [row[0] for row in cells] == [
        "Alibaba",
        "Alibaba",
        "ByteDance",
        "ByteDance",
    ]  # IRIs shown as labels
    assert [row[2] for row in cells] == ["3:7", "3:7", "7:3", "7:3"]
    assert [row[3] for row in cells] == [
        "NVIDIA cards",
        "domestic cards",
        "NVIDIA cards",
        "domestic cards",
    ]

    rows[0].find_element(By.TAG_NAME, "a").click()  # the buyer's card
    card = wait_for(
        lambda: (
            browser.find_element(By.ID, "card").text
            if "阿里巴巴" in browser.find_element(By.ID, "card").text
            else ""
        )
    )
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
    assert lines[0] == "buyer,buyerLabel,ratio,product,productLabel,share,paragraph,mix,claim"
    assert len(lines) == 5


def test_the_editor_runs_an_ad_hoc_query_and_shows_errors(browser, page_url: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(page_url)
    wait_for(
        lambda: browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true"
    )
    browser.find_element(By.ID, "run").click()  # the prefilled query: organizations and names
    wait_for(lambda: "rows" in browser.find_element(By.ID, "status").text)
    names = {
        row.find_elements(By.TAG_NAME, "td")[1].text
        for row in browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    }
    assert {"Tencent", "Broadcom", "Inspur"} <= names
    editor = browser.find_element(By.ID, "editor")
    editor.clear()
    editor.send_keys("SELECT ?s WHERE { ?s ?p }")
    browser.find_element(By.ID, "run").click()
    status = wait_for(
        lambda: (
            browser.find_element(By.ID, "status").text
            if "error" in (browser.find_element(By.ID, "status").get_attribute("class") or "")
            else ""
        )
    )
    assert status.startswith("SPARQL syntax error")
    # the earlier query's table is gone, not shown as if it answered this one
    assert browser.find_elements(By.CSS_SELECTOR, "#results tbody tr") == []
    assert browser.find_element(By.ID, "download-csv").get_attribute("disabled") is not None


# Every element inside a card lies within that card's box, and the page does not scroll sideways.
OVERFLOWS = """
const out = [];
if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push(`page ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
for (const box of document.querySelectorAll('.card-box')) {
  if (box.hidden) continue;
  const outer = box.getBoundingClientRect();
  for (const element of box.querySelectorAll('*')) {
    const r = element.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.left < outer.left - 1 || r.right > outer.right + 1) {
      out.push(`${box.id} > ${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''} ${Math.round(r.left)}-${Math.round(r.right)} outside ${Math.round(outer.left)}-${Math.round(outer.right)}`);
    }
  }
}
return out.slice(0, 10);
"""


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_no_element_overflows_its_card_on_a_laptop_or_a_phone(
    browser, page_url: str, width: int, height: int
) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )
    try:
        browser.get(page_url)
        wait_for(
            lambda: browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true"
        )
        Select(browser.find_element(By.ID, "saved")).select_by_value("claims")
        browser.find_element(By.ID, "run").click()
        wait_for(lambda: "56 rows" in browser.find_element(By.ID, "status").text)
        assert browser.execute_script(OVERFLOWS) == []
        quote = browser.find_elements(By.CSS_SELECTOR, "#results tbody td.long")[0]
        assert quote.rect["width"] >= min(250, width * 0.6)  # the quote column is not squeezed
        results = browser.find_element(By.ID, "results-section").rect
        if width >= 1000:  # no card open: the results use the page's width
            assert results["width"] > width * 0.85

        # The claim's card: its quote; then, through the statement it attests, the start date.
        link = browser.find_element(
            By.CSS_SELECTOR, "#results tbody a[title$='p06-nvidia-compliant-card-restriction']"
        )
        link.click()
        card = wait_for(
            lambda: (
                browser.find_element(By.ID, "card").text
                if "attests" in browser.find_element(By.ID, "card").text
                else ""
            )
        )
        assert (
            "\u201cFrom September 16, CSPs including BAT were restricted from purchasing NV compliant cards\u201d"
            in card
        )
        assert browser.execute_script(OVERFLOWS) == []
        browser.find_element(
            By.CSS_SELECTOR, "#card a[href$='statement%2Fnvidia-compliant-card-restriction']"
        ).click()
        card = wait_for(
            lambda: (
                browser.find_element(By.ID, "card").text
                if "start date" in browser.find_element(By.ID, "card").text
                else ""
            )
        )
        assert "2025-09-16" in card
        assert browser.execute_script(OVERFLOWS) == []
        if width < 500:  # on a phone the card comes below the results, and the page scrolls to it
            top = browser.execute_script(
                "return document.getElementById('card').getBoundingClientRect().top"
            )
            assert -5 < top < height - 200
        browser.execute_script("window.scrollTo(0, 0)")
        full = browser.execute_script("return document.documentElement.scrollHeight")
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {
                "width": width,
                "height": min(full, 1800),
                "deviceScaleFactor": 1,
                "mobile": width < 500,
            },
        )
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOT_DIR / f"query-page-{width}x{height}.png"
        browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_api_queries_name_runs_a_saved_query_and_unknown_names_are_404(page_url: str) -> None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"{page_url}api/queries/partners?org=https%3A%2F%2Fw3id.org%2Fsupernode-kg%2Fid%2Fbroadcom",
        headers={"Accept": "text/csv"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.read().decode("utf-8").startswith("partner,partnerLabel")
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{page_url}api/queries/nope", timeout=20)
    assert missing.value.code == 404
    assert "GET /api/queries" in missing.value.read().decode("utf-8")
    with pytest.raises(urllib.error.HTTPError) as wrong:
        urllib.request.urlopen(f"{page_url}api/queries/claims?paragraph=six", timeout=20)
    message = wrong.value.read().decode("utf-8")
    assert wrong.value.code == 400 and "parameter paragraph" in message and "--param" not in message


def test_api_queries_take_labels_for_iri_parameters_as_the_cli_does(page_url: str) -> None:
    # issue 24: /api/queries/partners?org=腾讯 was 400 "expected an absolute IRI"
    import urllib.error
    import urllib.parse
    import urllib.request

    def rows(org: str) -> list[str]:
        url = f"{page_url}api/queries/partners?{urllib.parse.urlencode({'org': org})}"
        request = urllib.request.Request(url, headers={"Accept": "text/csv"})
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.read().decode("utf-8").splitlines()

    assert rows("腾讯") == rows("snd:tencent") == rows("https://w3id.org/supernode-kg/id/tencent")
    assert len(rows("腾讯")) > 1
    with pytest.raises(urllib.error.HTTPError) as unknown:
        rows("no such company")
    assert unknown.value.code == 400 and "no such company" in unknown.value.read().decode("utf-8")


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_a_saved_query_that_declares_a_chart_shows_it_with_its_results(
    browser, page_url: str, width: int, height: int
) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
    )
    try:
        browser.get(page_url)
        wait_for(
            lambda: browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true"
        )
        assert not browser.find_element(By.ID, "chart").is_displayed()
        Select(browser.find_element(By.ID, "saved")).select_by_value("procurement-mix")
        browser.find_element(By.ID, "run").click()
        wait_for(lambda: "4 rows" in browser.find_element(By.ID, "status").text)
        image = browser.find_element(By.ID, "chart-image")
        wait_for(
            lambda: browser.execute_script(
                "return arguments[0].complete && arguments[0].naturalWidth", image
            )
        )
        assert image.get_attribute("src").endswith("/api/charts/procurement-mix")
        assert image.get_attribute("alt").startswith("Chart: Procurement mix")
        assert image.rect["width"] >= min(500, width - 60)  # as wide as the card allows
        assert browser.find_element(By.ID, "chart-link").get_attribute(
            "href"
        ) == image.get_attribute("src")
        caption_shown = "open it full size" in browser.find_element(By.ID, "chart").text
        assert caption_shown == (
            width < 500
        )  # on a phone the fitted chart is small: tap to open it
        assert browser.execute_script(OVERFLOWS) == []
        full = browser.execute_script("return document.documentElement.scrollHeight")
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {
                "width": width,
                "height": min(full, 1800),
                "deviceScaleFactor": 1,
                "mobile": width < 500,
            },
        )
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOT_DIR / f"query-page-chart-{width}x{height}.png"))

        Select(browser.find_element(By.ID, "saved")).select_by_value(
            ""
        )  # an ad-hoc query has no chart
        browser.find_element(By.ID, "run").click()
        wait_for(lambda: not browser.find_element(By.ID, "chart").is_displayed())
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_api_charts_name_is_the_chart_as_svg_and_unknown_names_are_404(page_url: str) -> None:
    import urllib.error
    import urllib.request

    with urllib.request.urlopen(f"{page_url}api/charts/restrictions", timeout=60) as response:
        assert response.headers["Content-Type"].startswith("image/svg+xml")
        svg = response.read().decode("utf-8")
    assert "Trade restrictions: from when, on what, and whom they bind" in svg
    assert "Source: 傅里叶的猫, 2025-09-28, paragraph [6]" in svg
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{page_url}api/charts/pie", timeout=20)
    assert missing.value.code == 404
    assert (
        missing.value.read().decode("utf-8").strip()
        == "no chart named 'pie'; GET /api/queries names each query's chart"
    )
