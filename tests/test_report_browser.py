"""The public site in a real browser: Debian's Chromium, driven headless by Playwright.

Marked ``browser``; these tests do not skip: ``make test`` installs Chromium with
scripts/ensure-chromium.sh. The site (built from the hand-made published folder of
test_report_site.py) is served by http.server on a free localhost port. Screenshots go to a
pytest temporary folder and are copied to tests/artifacts/.
"""

from __future__ import annotations

import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright
from test_report_site import SCHOOLS, make_site_data

from gapwatch.report import build_site, school_pdf
from gapwatch.report.pdf import CHROMIUM_FLAGS

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
PAGES = ["index.html", "en/index.html", "en/methodology.html", "en/resources.html",
         "es/index.html", "es/methodology.html", "es/resources.html"] + [
    f"{lang}/schools/{sid}.html" for lang in ("en", "es") for sid, _name in SCHOOLS]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} missing: run `bash scripts/ensure-chromium.sh` (make test does)")
    root = tmp_path_factory.mktemp("browser-site")
    summary = build_site(make_site_data(root / "SITE"), root / "site", pdf=True)
    return summary


@pytest.fixture(scope="module")
def server(built):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                partial(_QuietHandler, directory=str(built.out)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM,
                              args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, server):
    """A page that records console errors, page errors and any request off localhost."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    pg = context.new_page()
    pg.problems = []
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(f"console: {m.text}"))
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    pg.on("request", lambda r: r.url.startswith((server, "data:"))
          or pg.problems.append(f"external request: {r.url}"))
    pg.on("requestfailed", lambda r: pg.problems.append(f"request failed: {r.url}"))
    try:
        yield pg
    finally:
        context.close()


def _screenshot(pg, name: str, tmp_dir: Path) -> None:
    shot = tmp_dir / f"{name}.png"
    pg.screenshot(path=str(shot), full_page=True)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy2(shot, ARTIFACTS / shot.name)


def test_every_page_loads_clean_and_passes_axe(page, server, tmp_path_factory):
    shots = tmp_path_factory.mktemp("screenshots")
    axe = Axe()
    serious = {}
    for rel in PAGES:
        page.goto(server + rel, wait_until="load")
        if rel == "index.html":  # the root redirects to the English district page
            page.wait_for_url("**/en/index.html")
        _screenshot(page, rel.replace("/", "_").removesuffix(".html"), shots)
        results = axe.run(page)
        bad = [v for v in results.response["violations"]
               if v.get("impact") in ("serious", "critical")]
        if bad:
            serious[rel] = [(v["id"], v["impact"], v["help"],
                             [n["target"] for n in v["nodes"]][:5]) for v in bad]
            print(rel, results.generate_report())
    assert not page.problems, page.problems
    assert not serious, serious


def test_language_switch_keeps_the_school(page, server):
    sid, name = SCHOOLS[1]
    page.goto(f"{server}en/schools/{sid}.html")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("a.lang-switch").click()
    page.wait_for_url(f"**/es/schools/{sid}.html")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h1").inner_text() == name
    assert page.locator("#packet h2").inner_text() == "Paquete de datos para el plan escolar"
    page.locator("a.lang-switch").click()
    page.wait_for_url(f"**/en/schools/{sid}.html")
    assert page.locator("html").get_attribute("lang") == "en"
    assert not page.problems, page.problems


def test_charts_render_as_svg(page, server, tmp_path_factory):
    page.goto(f"{server}es/schools/S1.html")
    charts = page.locator("figure.chart [role=img] svg")
    assert charts.count() == 6  # a bar chart and a trend chart for each of 3 indicators
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, box
        assert charts.nth(i).locator("path").count() > 3
    first = page.locator("figure.chart").first
    first.scroll_into_view_if_needed()
    shot = tmp_path_factory.mktemp("charts") / "chart_es_S1.png"
    first.screenshot(path=str(shot))
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy2(shot, ARTIFACTS / shot.name)
    assert not page.problems, page.problems


def test_district_to_school_gaps_in_two_clicks(page, server):
    page.goto(f"{server}en/index.html")
    page.locator("header nav a", has_text="Schools").click()  # click 1: the list of schools
    page.wait_for_url("**/en/index.html#schools")
    page.locator("#schools a", has_text="Alder Elementary").click()  # click 2: the school
    page.wait_for_url("**/en/schools/S1.html")
    assert page.locator("h1").inner_text() == "Alder Elementary"
    packet = page.locator("main section").first
    assert packet.get_attribute("id") == "packet"
    assert packet.locator("ul.packet-gaps li").count() >= 1
    assert "percentage points" in packet.locator("ul.packet-gaps li").first.inner_text()
    assert not page.problems, page.problems


def test_school_pdfs_printed_and_linked(built, page, server, tmp_path):
    assert len(built.pdfs) == 2 * len(SCHOOLS), built.notes
    for pdf in built.pdfs:
        assert pdf.read_bytes()[:4] == b"%PDF"
    page.goto(f"{server}en/schools/S1.html")
    href = page.locator("a.pdf-link").get_attribute("href")
    assert href == "S1.pdf"
    response = page.request.get(f"{server}en/schools/{href}")
    assert response.ok and response.body()[:4] == b"%PDF"
    # the function on its own
    out = school_pdf(built.out / "es" / "schools" / "S2.html", tmp_path / "S2.pdf")
    assert out.read_bytes()[:4] == b"%PDF" and out.stat().st_size > 10_000
