"""Build the public site: the pages of :mod:`gapwatch.report.site`, written to disk.

``build_site(data_dir, out)`` reads ONLY the privacy door's published folder (``SITE/data/``:
the CSVs and ``disclosure.json``) and writes::

    out/index.html                     language chooser, redirects to en/
    out/static/site.css                one stylesheet (screen and print), no web fonts
    out/static/vega-embed.js           Vega, Vega-Lite and Vega-Embed (vl-convert's bundle)
    out/static/charts.js               draws each page's charts from their Vega-Lite specs
    out/data/*.csv, disclosure.json    the published files, as downloaded by the pages
    out/{en,es}/index.html             district page, with the list of schools
    out/{en,es}/schools/<ID>.html      one page per school, the data packet at the top
    out/{en,es}/schools/<ID>.pdf       the school page printed by headless Chromium
                                       (<ID>: the school id, :mod:`gapwatch.report.page_names`)
    out/{en,es}/methodology.html       how to read the pages
    out/{en,es}/resources.html         "Do resources follow need?" (when resources_*.csv exist)
    out/{en,es}/families.html          "Families and school climate" (engagement and climate
                                       indicators, draft local-indicator narratives)

School pages (and their PDFs) can be rendered in a pool of processes (``workers``).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_date
from jinja2 import Environment
from markupsafe import Markup

from gapwatch.report import charts
from gapwatch.report.data import Published, load
from gapwatch.report.families_page import families_context, is_family
from gapwatch.report.i18n import LANGUAGE_NAMES, LANGUAGES
from gapwatch.report.page_names import page_name, page_names
from gapwatch.report.pdf import chromium_path, school_pdf
from gapwatch.report.resources_page import resources_view
from gapwatch.report.site import (
    STATIC,
    SiteSummary,
    _build_date,
    _environment,
    _Pages,
)


@dataclass
class _Lang:
    """What every page of one language needs."""

    lang: str
    env: Environment
    view: _Pages
    base: dict
    resources: dict | None


def _languages(data: Published, district: tuple[str, str] | None, dname: str,
               downloads: list[str], built: dt.date) -> dict[str, _Lang]:
    min_n = data.disclosure.get("min_n", 11)
    out = {}
    for lang in LANGUAGES:
        view = _Pages(data, lang, district)
        resources = resources_view(data.resources, view.fmt, min_n)
        other = next(x for x in LANGUAGES if x != lang)
        base = {"lang": lang, "other_lang": other, "other_lang_name": LANGUAGE_NAMES[other],
                "district_name": dname, "min_n": min_n, "downloads": downloads,
                "built": format_date(built, format="long", locale=lang),
                "has_resources": resources is not None,
                "chart_locale": Markup(charts.format_locale(lang)),
                "has_families": any(is_family(i) for i, _n, _k in data.indicators()),
                "years": [view.fmt.year(y) for y in data.years]}
        out[lang] = _Lang(lang, _environment(lang), view, base, resources)
    return out


def _setting(methods: dict, method: str, setting: str) -> str:
    """A method choice of the run (``methods.json``), or "" when the site predates it."""
    return methods.get(method, {}).get(setting, {}).get("value", "")


def _protected(disclosure: dict, view: object) -> str | None:
    """How many cells the door hid only to protect others (``disclosure.json``), as text;
    None when the site predates the count."""
    count = disclosure.get("suppression", {}).get("complementary")
    return None if count is None else view.fmt.count(int(count))


def _write_static(static: Path) -> None:
    """The stylesheet and the chart scripts, shared by every page."""
    static.mkdir(exist_ok=True)
    for name in ("site.css", "charts.js"):
        shutil.copy2(STATIC / name, static / name)
    (static / "vega-embed.js").write_text(charts.vega_bundle(), encoding="utf-8")


def _write(out: Path, st: _Lang, rel: str, template: str, ctx: dict) -> Path:
    """Render one page of language ``st.lang`` at ``out/<lang>/<rel>``."""
    depth = rel.count("/")
    page = out / st.lang / rel
    page.parent.mkdir(parents=True, exist_ok=True)
    html = st.env.get_template(template).render(
        **st.base, **ctx, up="../" * depth, top="../" * (depth + 1),
        switch_href=f"{'../' * (depth + 1)}{st.base['other_lang']}/{rel}")
    page.write_text(html, encoding="utf-8")
    return page


#: per-process state of the school-page workers (set by :func:`_worker_init`)
_WORKER: dict = {}


def _worker_init(data_dir: Path, out: Path, dname: str, downloads: list[str], built: dt.date,
                 chromium: str | None) -> None:
    data = load(data_dir)
    districts = data.entities("district")
    _WORKER.update(out=out, chromium=chromium,
                   langs=_languages(data, districts[0] if districts else None, dname,
                                    downloads, built))


def _school_job(job: tuple[str, str, str]) -> tuple[Path, Path | None, str | None]:
    """One school page of one language, and its PDF: (page, pdf or None, note or None)."""
    lang, sid, sname = job
    st, out, chromium = _WORKER["langs"][lang], _WORKER["out"], _WORKER["chromium"]
    rel = f"schools/{page_name(sid)}.html"
    ctx = {"title": sname, "school_id": sid,
           "indicators": st.view.indicators("school", sid, sname),
           "goals": st.view.goals("school", sid), "packet": st.view.packet(sid),
           "pdf_href": f"{page_name(sid)}.pdf" if chromium else None}
    page = _write(out, st, rel, "school.html", ctx)
    if not chromium:
        return page, None, None
    try:
        return page, school_pdf(page, page.with_suffix(".pdf"), chromium=chromium), None
    except (RuntimeError, OSError) as exc:
        _write(out, st, rel, "school.html", {**ctx, "pdf_href": None})
        return page, None, f"{page.name} ({lang}): no PDF: {exc}"


def build_site(data_dir: Path, out: Path, *, district_name: str | None = None,
               pdf: bool | None = None, on_page: Callable[[int, int], None] | None = None,
               workers: int = 1) -> SiteSummary:
    """Write the static site for the published folder ``data_dir`` into ``out``.

    ``pdf``: print each school page to PDF with headless Chromium; ``None`` (default) prints
    when Chromium is installed and otherwise notes it in the summary and leaves out the
    "Download as PDF" links; ``False`` never prints. ``workers`` > 1 renders the school pages
    (and their PDFs) in that many processes; the pages are the same either way.
    ``on_page(done, total)`` is called after each page, for a progress bar.
    """
    data_dir, out = Path(data_dir), Path(out)
    data = load(data_dir)
    summary = SiteSummary(out=out, languages=LANGUAGES)
    chromium = chromium_path() if pdf is not False else None
    if pdf is None and chromium is None:
        summary.notes.append("Chromium not found: school PDFs not printed, links left out "
                             "(install it with scripts/ensure-chromium.sh)")
    if pdf and chromium is None:
        raise RuntimeError("pdf=True but Chromium was not found")

    out.mkdir(parents=True, exist_ok=True)
    _write_static(out / "static")
    (out / "data").mkdir(exist_ok=True)
    same = (out / "data").resolve() == data_dir.resolve()  # built in place: SITE/data, SITE/
    downloads = []
    for f in sorted(data_dir.iterdir()):
        if f.is_file() and f.suffix in {".csv", ".json"}:
            if not same:
                shutil.copy2(f, out / "data" / f.name)
            downloads.append(f.name)

    districts = data.entities("district")
    district = districts[0] if districts else None
    dname = district_name or (district[1] if district else "District")
    schools = data.entities("school")
    pages = page_names(sid for sid, _n in schools)  # refuses two ids on one page
    summary.schools = [sid for sid, _n in schools]
    built = _build_date()
    langs = _languages(data, district, dname, downloads, built)
    has_families = any(is_family(i) for i, _n, _k in data.indicators())
    total = len(LANGUAGES) * (2 + len(schools) + bool(data.resources) + has_families)

    def done(page: Path) -> None:
        summary.pages.append(page)
        if on_page is not None:
            on_page(len(summary.pages), total)

    school_links = [{"id": sid, "name": name, "href": f"schools/{pages[sid]}.html"}
                    for sid, name in schools]
    for st in langs.values():
        view = st.view
        if district:
            indicators = [v for v in view.indicators("district", district[0], dname)
                          if not is_family(v["anchor"].removeprefix("ind-"))]
            goals = view.goals("district", district[0])
        else:
            indicators, goals = [], {"rows": []}
        done(_write(out, st, "index.html", "district.html",
                    {"title": dname, "schools": school_links, "indicators": indicators,
                     "goals": goals}))
        done(_write(out, st, "methodology.html", "methodology.html",
                    {"title": view._("How to read these pages"),
                     "participation": _setting(data.methods, "participation_rule", "applied"),
                     "elpi_split": _setting(data.methods, "elpi_levels", "split_rule"),
                     "not_computed": [{"name": view._(name), "needs": v["value"]}
                                      for name, v in sorted(
                                          data.methods.get("not_computed", {}).items())],
                     "protected": _protected(data.disclosure, view),
                     "coding": [{"n": view.fmt.count(int(n)), "cut": view.fmt.percent(c),
                                 "low": view.fmt.percent(100 - c)}
                                for n, c in data.disclosure.get("coding", [])]}))
        if st.resources is not None:
            done(_write(out, st, "resources.html", "resources.html",
                        {"title": view._("Do resources follow need?"), "view": st.resources}))

        families = families_context(view, district, dname, schools) if has_families else None
        if families is not None:
            done(_write(out, st, "families.html", "families.html",
                        {"title": view._("Families and school climate"), "view": families}))

    jobs = [(lang, sid, sname) for lang in LANGUAGES for sid, sname in schools]
    if workers > 1 and len(jobs) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_worker_init,
                                 initargs=(data_dir, out, dname, downloads, built, chromium)
                                 ) as pool:
            _collect(pool.map(_school_job, jobs), summary, done)
    else:
        _WORKER.update(out=out, chromium=chromium, langs=langs)
        try:
            _collect(map(_school_job, jobs), summary, done)
        finally:
            _WORKER.clear()

    root = langs["en"].env.get_template("root.html").render(
        lang="en", district_name=dname, languages=LANGUAGE_NAMES)
    (out / "index.html").write_text(root, encoding="utf-8")
    summary.pages.append(out / "index.html")
    return summary


def _collect(results: Iterable[tuple[Path, Path | None, str | None]], summary: SiteSummary,
             done: Callable[[Path], None]) -> None:
    for page, pdf_path, note in results:
        done(page)
        if pdf_path is not None:
            summary.pdfs.append(pdf_path)
        if note:
            summary.notes.append(note)
