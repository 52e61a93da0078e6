"""Benchmark: the public site with its charts drawn in the reader's browser, against the same
charts drawn at build time by vl-convert (the build before decision 0019).

    .venv/bin/python benchmarks/site.py [--students 3000] [--schools 6] [--years 2]
        [--workdir DIR] [--pdfs 4] [--no-browser]

Prepares once (not timed, kept in ``--workdir``): a synthetic district (``gapwatch.synth``,
seed 1), ingested, run with the default config and published as ``gapwatch report --no-pdf``
does (the privacy door, the site, the audit). Then, in this process, with one worker:

- now: ``build_site(pdf=False)`` from the published folder (each chart's Vega-Lite spec written
  into its page as JSON), and the Vega bundle of ``static/vega-embed.js`` (vl-convert builds it
  once per process: timed in a fresh interpreter);
- before: the same pages, with every spec the build wrote rendered to SVG by
  ``vl_convert.vegalite_to_svg`` in its page's number locale, as ``charts.render`` did;
- PDFs (``--pdfs N``): N school pages printed by Chromium (``school_pdf``) as they are now
  (charts drawn by the page's script) and as they were (the SVGs in their place, no scripts);
- the reader (unless ``--no-browser``): how long headless Chromium (Playwright) takes from
  navigation until every chart of a school page is drawn.

Wall and CPU seconds of this process are printed (the machine may be shared; CPU time is the
steadier number; vl-convert's V8 threads are in it).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import vl_convert
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from district import district_warehouse  # noqa: E402

from gapwatch.config import Config  # noqa: E402
from gapwatch.publish import publish_site  # noqa: E402
from gapwatch.report import build_site, charts  # noqa: E402
from gapwatch.report.i18n import VEGA_LOCALES  # noqa: E402
from gapwatch.report.pdf import CHROMIUM_FLAGS, chromium_path, school_pdf  # noqa: E402

#: a chart as the pages hold it: its container and its JSON spec
CHART = re.compile(r'<div class="chart-view" data-spec="([^"]+)"></div>'
                   r'<script type="application/json" id="\1">(.*?)</script>', re.S)
#: building the Vega bundle in a fresh interpreter (vl-convert keeps it once built)
BUNDLE = ("import time, vl_convert; w, c = time.perf_counter(), time.process_time(); "
          "vl_convert.javascript_bundle(); "
          "print(time.perf_counter() - w, time.process_time() - c)")
SCRIPTS = re.compile(r'<script type="application/json" id="chart-locale">.*?</script>\n'
                     r'(?:<script src="[^"]+" defer></script>\n)+', re.S)


def prepare(work: Path, students: int, schools: int, years: int, console: Console) -> Path:
    """The published folder of the district (made once)."""
    data = work / "site" / "data"
    if data.is_dir():
        console.print(f"using the published folder {data}")
        return data
    started = time.perf_counter()
    db, _ = district_warehouse(work, students, schools, years, Config())
    publish_site(db, work / "site", Config(), pdf=False)
    console.print(f"prepared {students:,} students, {schools} schools, {years} years in "
                  f"{time.perf_counter() - started:.0f} s")
    return data


def timed(step: Callable[[], object]) -> tuple[object, float, float]:
    """(result, wall s, CPU s of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = step()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def bundle_seconds() -> tuple[float, float]:
    """(wall, CPU) seconds vl-convert takes to build the Vega bundle, once per process."""
    out = subprocess.run([sys.executable, "-c", BUNDLE], capture_output=True, text=True,
                         check=True)
    wall, cpu = (float(x) for x in out.stdout.split())
    return wall, cpu


def old_svg(spec: str, lang: str, prefix: str) -> str:
    """A chart as the build drew it before: vl-convert's SVG, its ids prefixed, hidden."""
    svg = vl_convert.vegalite_to_svg(spec, format_locale=VEGA_LOCALES[lang])
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', svg)
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def draw_before(site: Path) -> tuple[int, Path]:
    """Render every chart of ``site`` as before; write the pages as they were next to it.
    Returns (charts, the folder of the pages as before)."""
    before = site.with_name(site.name + "-before")
    (before / "static").mkdir(parents=True, exist_ok=True)
    count = 0
    for page in sorted(site.glob("*/**/*.html")):
        lang = page.relative_to(site).parts[0]

        def svg(m: re.Match, lang: str = lang) -> str:
            return old_svg(m.group(2), lang, m.group(1).removesuffix("-spec"))

        text, found = CHART.subn(svg, page.read_text("utf-8"))
        count += found
        out = before / page.relative_to(site)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(SCRIPTS.sub("", text), encoding="utf-8")
    shutil.copy2(site / "static" / "site.css", before / "static" / "site.css")
    return count, before


def print_pdfs(site: Path, before: Path, n: int) -> tuple[float, float]:
    """Seconds (wall) to print the first ``n`` school pages: (now, before)."""
    pages = sorted(site.glob("*/schools/*.html"))[:n]
    spent = []
    for folder in (site, before):
        start = time.perf_counter()
        for page in pages:
            rel = page.relative_to(site)
            school_pdf(folder / rel, folder.with_name(folder.name + "-pdf") / rel.with_suffix(
                ".pdf"))
        spent.append(time.perf_counter() - start)
    return spent[0], spent[1]


def draw_in_browser(site: Path) -> list[tuple[int, float]]:
    """(charts, seconds from navigation to every chart drawn) of each school page."""
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(),
                                    args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        page = browser.new_page()
        for path in sorted(site.glob("*/schools/*.html")):
            page.goto(path.as_uri())
            page.wait_for_function("document.documentElement.dataset.chartsRendered")
            assert page.evaluate("document.documentElement.dataset.chartsRendered") == "true"
            out.append((page.locator("[data-spec] > svg").count(),
                        page.evaluate("performance.now()") / 1000))
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=3000)
    parser.add_argument("--schools", type=int, default=6)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--pdfs", type=int, default=4, help="school pages to print (0: none)")
    parser.add_argument("--no-browser", action="store_true", help="skip the reader's side")
    args = parser.parse_args()
    console = Console(width=160)
    base = args.workdir or Path(os.environ.get("TMPDIR", "/tmp"))
    work = base / f"gapwatch-site-{args.students}-{args.schools}-{args.years}"
    data = prepare(work, args.students, args.schools, args.years, console)

    site = work / "built"
    bundle_wall, bundle_cpu = bundle_seconds()
    charts.vega_bundle()  # built once per process: the build below reuses it
    summary, build_wall, build_cpu = timed(lambda: build_site(data, site, pdf=False))
    (n, before), svg_wall, svg_cpu = timed(lambda: draw_before(site))
    now_wall, now_cpu = build_wall + bundle_wall, build_cpu + bundle_cpu
    old_wall, old_cpu = build_wall + svg_wall, build_cpu + svg_cpu

    table = Table(title=f"gapwatch report's site build, {args.students:,} students, "
                  f"{args.schools} schools, {args.years} years: {len(summary.pages)} pages, "
                  f"{n:,} charts (one process; wall / CPU seconds)")
    for col in ("step", "wall s", "CPU s"):
        table.add_column(col, justify="left" if col == "step" else "right")
    for step, wall, cpu in (
        ("pages, each chart's Vega-Lite spec as JSON", build_wall, build_cpu),
        ("Vega bundle for static/vega-embed.js (once per process)", bundle_wall, bundle_cpu),
        ("now: pages + bundle (charts drawn in the browser)", now_wall, now_cpu),
        (f"the same charts as SVG by vl-convert ({1000 * svg_cpu / n:.0f} ms CPU a chart)",
         svg_wall, svg_cpu),
        ("before: pages + vl-convert SVGs", old_wall, old_cpu),
    ):
        table.add_row(step, f"{wall:.1f}", f"{cpu:.1f}")
    table.add_row("before / now", f"{old_wall / now_wall:.1f}x", f"{old_cpu / now_cpu:.1f}x")
    console.print(table)

    if args.pdfs:
        pdf_now, pdf_before = print_pdfs(site, before, args.pdfs)
        console.print(f"PDFs of {args.pdfs} school pages (Chromium, wall): now {pdf_now:.1f} s, "
                      f"before {pdf_before:.1f} s ({pdf_now / args.pdfs:.2f} against "
                      f"{pdf_before / args.pdfs:.2f} s a page)")
    if not args.no_browser:
        drawn = draw_in_browser(site)
        seconds = [s for _n, s in drawn]
        console.print(
            f"reader: {len(drawn)} school pages of {min(c for c, _s in drawn)}-"
            f"{max(c for c, _s in drawn)} charts drawn by headless Chromium in "
            f"{statistics.median(seconds):.2f} s (median; {max(seconds):.2f} s the slowest) "
            "from navigation, the 900 KB bundle read each time")


if __name__ == "__main__":
    main()
