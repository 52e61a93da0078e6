"""The public site in a real browser: Debian's Chromium, driven headless by Playwright.

Marked ``browser``; these tests do not skip: ``make test`` installs Chromium with
scripts/ensure-chromium.sh. The site (built from the hand-made published folder of
test_report_site.py) is served by http.server on a free localhost port. Screenshots go to a
pytest temporary folder and are copied to tests/artifacts/. The charts are drawn by the pages'
scripts (static/charts.js with the site's Vega-Embed bundle): the tests wait for
``<html data-charts-rendered>``.
"""

from __future__ import annotations

import html
import re
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import vl_convert
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright
from pypdf import PdfReader
from test_report_site import SCHOOLS, make_site_data, rename_school

from gapwatch.report import build_site, school_pdf
from gapwatch.report.i18n import VEGA_LOCALES
from gapwatch.report.pdf import CHROMIUM_FLAGS

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
PAGES = ["index.html", "en/index.html", "en/methodology.html", "en/resources.html",
         "es/index.html", "es/methodology.html", "es/resources.html"] + [
    f"{lang}/schools/{sid}.html" for lang in ("en", "es") for sid, _name in SCHOOLS]
#: the texts of a chart's SVG, in document order
SVG_TEXTS = "f => Array.from(f.querySelectorAll('svg text'), t => t.textContent)"


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


def _watch(pg, *allowed: str) -> list[str]:
    """Record on ``pg`` its console errors, page errors, dialogs (``alert``) and any request
    whose URL does not start with one of ``allowed``."""
    problems: list[str] = []
    pg.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.on("dialog", lambda d: problems.append(f"dialog: {d.message}") or d.dismiss())
    pg.on("request", lambda r: r.url.startswith((*allowed, "data:"))
          or problems.append(f"external request: {r.url}"))
    pg.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    return problems


@pytest.fixture
def page(browser, server):
    """A page that records console errors, page errors and any request off localhost."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    pg = context.new_page()
    pg.problems = _watch(pg, server)
    try:
        yield pg
    finally:
        context.close()


def _drawn(pg) -> int:
    """Wait until the page's charts are drawn; the number of charts, each now one SVG."""
    pg.wait_for_function("document.documentElement.dataset.chartsRendered")
    assert pg.locator("html").get_attribute("data-charts-rendered") == "true"
    containers = pg.locator("figure.chart [role=img] > [data-spec]")
    assert pg.locator("[data-spec]").count() == containers.count()
    assert pg.locator("figure.chart [role=img] > [data-spec] > svg").count() == (
        containers.count())
    return containers.count()


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
        if page.locator("figure.chart").count():
            _drawn(page)
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


def test_charts_draw_as_svg(page, server, tmp_path_factory):
    charts = 0
    for rel in PAGES[1:]:
        page.goto(server + rel)
        if page.locator("figure.chart").count():
            charts += _drawn(page)
    assert charts == 2 * (4 * 3 * 2 + 3)  # 4 entities x 3 indicators x (bar, trend); resources
    page.goto(f"{server}es/schools/S1.html")
    assert _drawn(page) == 6  # a bar chart and a trend chart for each of 3 indicators
    svgs = page.locator("figure.chart [role=img] svg")
    for svg in svgs.all():
        assert svg.get_attribute("aria-hidden") == "true"
        assert svg.get_attribute("focusable") == "false"
        box = svg.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, box
        assert svg.locator("path").count() > 3
    # the wrapper's role="img" names the chart: Vega's role and label for its container are off
    assert page.locator("[data-spec][role], [data-spec][aria-label]").count() == 0
    first = page.locator("figure.chart").first
    first.scroll_into_view_if_needed()
    shot = tmp_path_factory.mktemp("charts") / "chart_es_S1.png"
    first.screenshot(path=str(shot))
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy2(shot, ARTIFACTS / shot.name)
    assert not page.problems, page.problems


@pytest.mark.parametrize("lang", ["en", "es"])
def test_charts_show_the_texts_vl_convert_drew(page, server, lang):
    """Every text of the charts drawn in the browser (axes in the page's number locale, value
    labels, legends) is the text vl-convert drew for the same spec when the site was built
    with it."""
    for rel in (f"{lang}/resources.html", f"{lang}/schools/S1.html"):
        page.goto(server + rel)
        _drawn(page)
        for fig in page.locator("figure.chart").all():
            spec = fig.locator("script[type='application/json']").text_content()
            svg = vl_convert.vegalite_to_svg(spec, format_locale=VEGA_LOCALES[lang])
            before = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
            assert fig.evaluate(SVG_TEXTS) == before, (rel, fig.get_attribute("id"))
    page.goto(f"{server}{lang}/resources.html")
    _drawn(page)
    scatter = set(page.locator("#money-chart").evaluate(SVG_TEXTS))
    # need score across (decimals), dollars per student up (thousands)
    assert {"en": {"0.4", "12,000"}, "es": {"0,4", "12.000"}}[lang] <= scatter, scatter
    assert not page.problems, page.problems


def test_charts_draw_from_the_files_offline(browser, built):
    """Opened from disk (file://, no server, the network refused): the scripts are plain
    scripts, not modules, and nothing is requested from outside the site's folder."""
    context = browser.new_context()
    context.route(re.compile(r"^(?!file:|data:)"), lambda route: route.abort())
    pg = context.new_page()
    problems = _watch(pg, "file:")
    try:
        pg.goto((built.out / "es" / "index.html").as_uri())
        assert _drawn(pg) == 6
    finally:
        context.close()
    assert not problems, problems


def test_charts_draw_under_a_strict_content_security_policy(page, server, built):
    """No inline script, no eval (Vega's expression interpreter draws), no inline style
    attribute: a host may serve the site with ``script-src 'self'; style-src 'self'``."""
    policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"
    strict = built.out / "es" / "resources-csp.html"
    text = (built.out / "es" / "resources.html").read_text("utf-8")
    strict.write_text(text.replace(
        "<head>\n", f'<head>\n<meta http-equiv="Content-Security-Policy" content="{policy}">\n',
        1), encoding="utf-8")
    try:
        page.goto(f"{server}es/resources-csp.html")
        assert _drawn(page) == 3
    finally:
        strict.unlink()
    assert not page.problems, page.problems


def test_a_school_name_in_the_charts_stays_text(browser, tmp_path):
    """A school called ``</script><script>alert(1)</script>`` is drawn as that text in the
    trend charts' legends; no script from the data runs."""
    name = "</script><script>alert(1)</script>"
    data = make_site_data(tmp_path / "SITE")
    rename_school(data, "Alder Elementary", name)
    build_site(data, tmp_path / "site", pdf=False)
    pg = browser.new_page()
    problems = _watch(pg, "file:")
    try:
        pg.goto((tmp_path / "site" / "en" / "schools" / "S1.html").as_uri())
        assert _drawn(pg) == 6
        assert pg.locator("h1").inner_text() == name
        trends = pg.locator("figure.chart[id$='-trend']").all()
        assert len(trends) == 3 and all(name in t.evaluate(SVG_TEXTS) for t in trends)
        assert pg.locator("script:not([src]):not([type='application/json'])").count() == 0
    finally:
        pg.close()
    assert not problems, problems


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


def _pdf_text(pdf: Path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(pdf).pages)


def test_school_pdfs_printed_and_linked(built, page, server, tmp_path):
    assert len(built.pdfs) == 2 * len(SCHOOLS), built.notes
    for pdf in built.pdfs:
        assert pdf.read_bytes()[:4] == b"%PDF"
        # the charts are in it: the bar charts' percent axes of the two rate indicators, and
        # the axis title of the mean indicator's charts
        text = _pdf_text(pdf)
        assert text.count("0 10 20 30 40 50 60 70 80 90 100") == 2, pdf
        assert {"en": "Points", "es": "Puntos"}[pdf.parent.parent.name] in text, pdf
    page.goto(f"{server}en/schools/S1.html")
    href = page.locator("a.pdf-link").get_attribute("href")
    assert href == "S1.pdf"
    response = page.request.get(f"{server}en/schools/{href}")
    assert response.ok and response.body()[:4] == b"%PDF"
    # the function on its own
    out = school_pdf(built.out / "es" / "schools" / "S2.html", tmp_path / "S2.pdf")
    assert out.read_bytes()[:4] == b"%PDF" and out.stat().st_size > 10_000
    assert "0 10 20 30 40 50 60 70 80 90 100" in _pdf_text(out)
