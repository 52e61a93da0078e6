"""Engagement and climate indicators through the whole pipeline: computed by group (home
languages too), gaps measured, small groups suppressed by the door, the public "Families and
school climate" page in English and Spanish, and the disclosure audit passing on that site.
(The numbers themselves are checked against the pandas oracle in test_indicator_oracle.py.)"""

from __future__ import annotations

import csv
import re
from html import unescape
from pathlib import Path

import duckdb
import pytest
from synthdistrict import run_district

from gapwatch.config import Config
from gapwatch.indicators.registry import BUILTIN_BY_ID, Source
from gapwatch.privacy import audit_disclosure
from gapwatch.publish import publish_site

FAMILY = [i for i, ind in BUILTIN_BY_ID.items() if ind.source is Source.FAMILY_YEAR]


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("families")
    db = run_district(root, students=1500, schools=6, years=2, seed=7)
    site = root / "site"
    publish_site(db, site, Config(), pdf=False)
    return db, site


def _text(path: Path) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def test_every_family_indicator_is_computed_with_gaps(district: tuple[Path, Path]) -> None:
    db, _site = district
    with duckdb.connect(str(db), read_only=True) as con:
        done = {r[0] for r in con.execute("SELECT DISTINCT indicator FROM indicator_results")
                .fetchall()}
        assert set(FAMILY) <= done
        groups = {r[0] for r in con.execute(
            "SELECT DISTINCT student_group FROM indicator_results "
            "WHERE indicator = 'family_conference'").fetchall()}
        assert {"ALL", "EL", "SED", "HL_ES"} <= groups
        # home-language groups belong to the family indicators only
        assert con.execute("SELECT count(*) FROM indicator_results WHERE student_group "
                           "LIKE 'HL_%' AND indicator = 'chronic_absence'").fetchone()[0] == 0
        metrics = {r[0] for r in con.execute(
            "SELECT DISTINCT metric FROM gaps WHERE indicator = 'family_el_advisory' "
            "AND reference = 'ALL'").fetchall()}
        assert {"pp_difference", "ratio"} <= metrics
        # intervals on every computed rate
        bad = con.execute("SELECT count(*) FROM indicator_results WHERE indicator LIKE "
                          "'climate_%' AND n > 0 AND NOT (ci_low <= value AND value <= ci_high)"
                          ).fetchone()[0]
        assert bad == 0


def test_small_groups_are_suppressed_on_the_public_files(district: tuple[Path, Path]) -> None:
    db, site = district
    with duckdb.connect(str(db), read_only=True) as con:
        small = con.execute("SELECT school_year, entity_id, indicator, student_group FROM "
                            "indicator_results WHERE indicator = 'conference_at_risk' AND "
                            "entity_type = 'school' AND n BETWEEN 1 AND 10").fetchall()
    assert small, "the synthetic district should have small groups to suppress"
    with (site / "data" / "indicators.csv").open(encoding="utf-8", newline="") as fh:
        rows = {(int(r["school_year"]), r["entity_id"], r["indicator"], r["student_group"]): r
                for r in csv.DictReader(fh)}
    for key in small:
        row = rows[key]
        assert row["status"] in ("primary", "complementary"), row
        assert row["n"] == "" and row["percent"] == "", row


def test_families_page_in_both_languages_passes_the_audit(district: tuple[Path, Path]) -> None:
    _db, site = district
    assert audit_disclosure(site).passed
    en, es = _text(site / "en" / "families.html"), _text(site / "es" / "families.html")
    assert "Families and school climate" in en and "Las familias y el clima escolar" in es
    assert "parent-teacher conference" in en
    assert "answered favourably on school connectedness" in en
    assert re.search(r"\d+,\d\s%", es), "Spanish percents use a decimal comma"
    assert "Idioma del hogar: español" in es
    for lang in ("en", "es"):
        assert 'href="families.html"' in (site / lang / "index.html").read_text("utf-8")
    # the district page leaves the family indicators to their own page
    assert 'id="ind-family_conference"' not in (site / "en" / "index.html").read_text("utf-8")
    assert 'id="ind-family_conference"' in (site / "en" / "families.html").read_text("utf-8")


def test_narrative_numbers_are_the_published_ones(district: tuple[Path, Path]) -> None:
    _db, site = district
    with (site / "data" / "indicators.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["entity_type"] == "district"
                and r["indicator"] == "family_conference" and r["student_group"] == "ALL"]
    latest = max(rows, key=lambda r: int(r["school_year"]))
    en = _text(site / "en" / "families.html")
    assert f"{float(latest['percent']):.1f}% of students' families had a parent-teacher " \
           "conference" in en


def test_without_the_tables_the_indicators_say_what_they_need(tmp_path: Path) -> None:
    from gapwatch.indicators import run
    from gapwatch.ingest import ingest_bundle
    from gapwatch.synth import generate

    generate(tmp_path / "b", students=200, schools=2, years=1, seed=2)
    (tmp_path / "b" / "survey_responses.csv").unlink()
    db = tmp_path / "w.duckdb"
    assert ingest_bundle(tmp_path / "b", db, rejects_path=tmp_path / "r.csv").exit_code == 0
    summary = run(db, Config())
    assert summary.not_computed["climate_school_connectedness"] == "needs survey_responses"
    assert "family_conference" in summary.computed


@pytest.mark.browser
def test_families_page_passes_axe_in_a_real_browser(district: tuple[Path, Path]) -> None:
    """The page in Debian's Chromium, served on localhost, its charts drawn: no serious or
    critical axe violation, no console error, nothing requested from elsewhere."""
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    from gapwatch.report.pdf import CHROMIUM_FLAGS, chromium_path

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the base class's signature
            pass

    _db, site = district
    assert chromium_path() is not None, "Chromium is needed (scripts/ensure-chromium.sh)"
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    problems: list[str] = []
    serious = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(),
                                    args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            page.on("request", lambda r: r.url.startswith((base, "data:"))
                    or problems.append(f"external request: {r.url}"))
            for lang in ("en", "es"):
                page.goto(f"{base}{lang}/families.html", wait_until="load")
                page.wait_for_function("document.documentElement.dataset.chartsRendered")
                assert page.locator("html").get_attribute("data-charts-rendered") == "true"
                assert page.locator("[data-spec] > svg").count() == (
                    page.locator("[data-spec]").count()) > 0
                bad = [v for v in Axe().run(page).response["violations"]
                       if v.get("impact") in ("serious", "critical")]
                if bad:
                    serious[lang] = [(v["id"], v["help"]) for v in bad]
        finally:
            browser.close()
            httpd.shutdown()
            httpd.server_close()
    assert not problems, problems
    assert not serious, serious


def test_family_year_built_on_the_runs_student_year_gives_the_same_results(
        district: tuple[Path, Path]) -> None:
    """With student-year indicators in the run, family_year is built on the student_year table
    the run made; with none, from the model files on its own: the same family results."""
    from gapwatch.indicators.results import compute

    student_year = [i for i, ind in BUILTIN_BY_ID.items() if ind.source is Source.STUDENT_YEAR]
    db, _site = district
    with duckdb.connect(str(db), read_only=True) as con:
        both, _ = compute(con, Config())
        alone, summary = compute(con, Config({"indicators.disabled": student_year}))
    assert not set(summary.computed) & set(student_year)

    def family(table) -> list[dict]:
        rows = [r for r in table.to_pylist() if r["indicator"] in FAMILY]
        return sorted(rows, key=lambda r: (r["school_year"], r["entity_type"], r["entity_id"],
                                           r["indicator"], r["student_group"]))

    assert family(both) == family(alone)
    assert len(family(both)) > 100
