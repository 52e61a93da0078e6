"""`gapwatch family-letters` on a demo-like district (the demo's 40 schools, fewer students):
one letter per student, in the family's language, looked at as PDF pages; confidential,
owner-only and logged; no other student's data in a letter and nothing of it on the public
site; plain language measured for English and Spanish."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import stat
import subprocess
from html import unescape
from pathlib import Path

import duckdb
import pytest
import textstat
from babel.dates import format_date
from pypdf import PdfReader
from typer.testing import CliRunner

from gapwatch.cli import app
from gapwatch.config import Config
from gapwatch.demo import DEMO_SCHOOLS
from gapwatch.families.letters.catalog import messages, render_pot
from gapwatch.families.letters.facts import school_facts
from gapwatch.families.letters.render import LOCALE, render_letter, translations
from gapwatch.ingest import ingest_bundle
from gapwatch.publish import publish_site
from gapwatch.report.pdf import chromium_path
from gapwatch.runner import run_all
from gapwatch.synth import generate

runner = CliRunner()
SCHOOL = "0025"
ARTIFACTS = Path(__file__).parent / "artifacts" / "family-letters"
TODAY = dt.date.today()


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("letters")
    generate(root / "bundle", students=2000, schools=DEMO_SCHOOLS, years=2, seed=1)
    db = root / "w.duckdb"
    assert ingest_bundle(root / "bundle", db, rejects_path=root / "r.csv").exit_code == 0
    assert run_all(db, Config()) == 0
    return db


@pytest.fixture(scope="module")
def spanish(district: Path) -> Path:
    """``family-letters --school 0025 --lang es``, with PDFs."""
    assert chromium_path() is not None, "Chromium is needed (scripts/ensure-chromium.sh)"
    out = district.parent / "letters-es"
    result = runner.invoke(app, ["family-letters", "--db", str(district), "--school", SCHOOL,
                                 "--lang", "es", "--out", str(out), "--pdf"])
    assert result.exit_code == 0, (result.output, result.exception)
    return out


def _students(db: Path, school: str = SCHOOL) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        year = con.execute("SELECT max(school_year) FROM enrollments WHERE school_id = ?",
                           [school]).fetchone()[0]
        return [r[0] for r in con.execute(
            "SELECT DISTINCT student_id FROM enrollments WHERE school_id = ? AND school_year = ? "
            "ORDER BY 1", [school, year]).fetchall()]


def _text(html: str) -> str:
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def test_one_spanish_letter_per_student_as_pdf_pages(spanish: Path, district: Path) -> None:
    students = _students(district)
    assert len(students) >= 20
    assert sorted(p.stem for p in spanish.glob("*.html")) == students
    assert sorted(p.stem for p in spanish.glob("*.pdf")) == students
    fecha = format_date(TODAY, format="long", locale="es")  # "7 de diciembre de 2026"
    assert " de " in fecha
    for sid in students[:5]:
        reader = PdfReader(spanish / f"{sid}.pdf")
        text = " ".join(page.extract_text() for page in reader.pages)
        flat = re.sub(r"\s+", " ", text)
        assert "CONFIDENCIAL" in flat.upper()
        assert "Cómo le va a" in flat and "Venir a la escuela" in flat
        assert fecha in flat
        assert re.search(r"\d+,\d\s?%", flat), "Spanish percent with a decimal comma"
        assert "came to school" not in flat  # no English left in a Spanish letter
    # one page image kept as an artifact
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    png = ARTIFACTS / "letter-es.png"
    png.unlink(missing_ok=True)
    subprocess.run([chromium_path(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", "--window-size=816,1056", f"--screenshot={png}",
                    (spanish / f"{students[0]}.html").as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_letters_are_owner_only_confidential_and_logged(spanish: Path, district: Path) -> None:
    assert stat.S_IMODE(spanish.stat().st_mode) == 0o700
    for f in spanish.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    assert "CONFIDENTIAL" in (spanish / "CONFIDENTIAL.txt").read_text("utf-8")
    with duckdb.connect(str(district), read_only=True) as con:
        logged = con.execute("SELECT student_id, language FROM family_letter_log "
                             "WHERE school_id = ?", [SCHOOL]).fetchall()
    assert sorted(s for s, _lang in logged) == _students(district)
    assert {lang for _s, lang in logged} == {"es"}


def test_each_family_gets_its_own_language(district: Path, tmp_path: Path) -> None:
    out = tmp_path / "letters"
    result = runner.invoke(app, ["family-letters", "--db", str(district), "--school", SCHOOL,
                                 "--out", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    with (out / "letters.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(_students(district))
    langs = {r["letter_language"] for r in rows}
    assert {"en", "es"} <= langs
    for r in rows:
        html = (out / r["file"]).read_text("utf-8")
        pref = r["preferred_language"].casefold()
        if pref in ("spanish", "es", "español"):
            assert r["letter_language"] == "es" and 'lang="es"' in html
        elif r["note"]:  # a listed language without a catalogue: English, with a note
            assert r["letter_language"] == "en"
            assert "We do not have this letter in" in html


def test_untranslated_language_falls_back_to_english_with_a_note(district: Path) -> None:
    from gapwatch.families.languages import letter_language

    with duckdb.connect(str(district), read_only=True) as con:
        f = school_facts(con, SCHOOL, 2024)[0]
    f.guardian_language = "Vietnamese"
    code, fallback = letter_language(f.guardian_language)
    html = render_letter(f, code, TODAY, fallback)
    assert code == "en" and 'lang="vi"' in html and "Thư này bằng tiếng Anh" in html
    assert "We do not have this letter in Vietnamese yet" in html


def _only(db: Path, student: str, dest: Path) -> Path:
    """A copy of the warehouse where every student-level table holds one student's rows."""
    shutil.copy(db, dest)
    with duckdb.connect(str(dest)) as con:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_columns() WHERE column_name = 'student_id'"
        ).fetchall()}
        for t in tables:
            con.execute(f'DELETE FROM "{t}" WHERE student_id IS DISTINCT FROM ?', [student])
    return dest


def test_a_letter_holds_no_other_students_data(district: Path, tmp_path: Path) -> None:
    students = _students(district)
    with duckdb.connect(str(district), read_only=True) as con:
        year = con.execute("SELECT max(school_year) FROM enrollments").fetchone()[0]
        everyone = {f.student_id: f for f in school_facts(con, SCHOOL, year)}
        names = dict(con.execute("SELECT student_id, first_name || ' ' || last_name "
                                 "FROM students").fetchall())
    for sid in students[:6]:
        with duckdb.connect(str(_only(district, sid, tmp_path / f"{sid}.duckdb")),
                            read_only=True) as con:
            alone = school_facts(con, SCHOOL, year)
        assert [f.student_id for f in alone] == [sid]
        full = render_letter(everyone[sid], "en", TODAY)
        assert render_letter(alone[0], "en", TODAY) == full  # nothing from anyone else
        text = _text(full)
        assert not [o for o in students if o != sid and o in text]
        # (names are not compared: the synthetic lists are short, so a guardian or a staff
        # member may share another student's name; the equality above is the proof)
        assert names[sid].split()[0] in text


def test_letters_without_community_partners_or_assessments(tmp_path: Path) -> None:
    """A district that loads neither community partners nor assessments (found by the deep
    district-shapes run: the command ended in an unexpected error, exit 70)."""
    generate(tmp_path / "bundle", students=300, schools=3, years=1, seed=13)
    for name in ("community_partners.csv", "assessments.csv"):
        (tmp_path / "bundle" / name).unlink()
    db = tmp_path / "w.duckdb"  # exit 1: some rows of other tables point at the missing ones
    assert ingest_bundle(tmp_path / "bundle", db, rejects_path=tmp_path / "r.csv"
                         ).exit_code in (0, 1)
    letters = tmp_path / "letters"
    result = runner.invoke(app, ["family-letters", "--db", str(db), "--school", "0001",
                                 "--out", str(letters), "--no-pdf"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert len(list(letters.glob("*.html"))) == len(_students(db, "0001"))


def test_nothing_of_a_letter_reaches_the_public_site(tmp_path: Path) -> None:
    """Letters written, then the site published from the same warehouse (a small district:
    the door's audit of 40 schools takes minutes): no student id, guardian contact or letter
    text on any public file."""
    generate(tmp_path / "bundle", students=300, schools=3, years=2, seed=4)
    db = tmp_path / "w.duckdb"
    assert ingest_bundle(tmp_path / "bundle", db, rejects_path=tmp_path / "r.csv"
                         ).exit_code == 0
    assert run_all(db, Config()) == 0
    letters = tmp_path / "letters"
    result = runner.invoke(app, ["family-letters", "--db", str(db), "--school", "0001",
                                 "--out", str(letters), "--no-pdf"])
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    publish_site(db, site, Config(), pdf=False)
    public = " ".join(p.read_text("utf-8", errors="replace") for p in site.rglob("*")
                      if p.is_file() and p.suffix in {".html", ".csv", ".json"})
    students = [p.stem for p in letters.glob("*.html")]
    assert students and not [s for s in students if s in public]
    with duckdb.connect(str(db), read_only=True) as con:
        guardians = con.execute("SELECT phone, email FROM guardians").fetchall()
    for phone, email in guardians:
        assert phone not in public and (email is None or email not in public)
    assert "family_letter_log" not in public and "Confidencial" not in public
    assert "came to school on" not in public and not list(site.rglob("*letter*"))


def test_plain_language_english_and_spanish(district: Path) -> None:
    """Readability of the letters' prose (tables of marks left out): grade 6 or below in
    English (Flesch-Kincaid), fairly easy or easier in Spanish (Fernández-Huerta >= 70,
    Szigriszt-Pazos >= 65)."""
    with duckdb.connect(str(district), read_only=True) as con:
        year = con.execute("SELECT max(school_year) FROM enrollments").fetchone()[0]
        facts = school_facts(con, SCHOOL, year)[:10]
    for f in facts:
        en = _prose(render_letter(f, "en", TODAY))
        textstat.set_lang("en")
        assert textstat.flesch_kincaid_grade(en) <= 6.0, en
        es = _prose(render_letter(f, "es", TODAY))
        textstat.set_lang("es")
        assert textstat.fernandez_huerta(es) >= 70, es
        assert textstat.szigriszt_pazos(es) >= 65, es


def _prose(html: str) -> str:
    """The letter's sentences: paragraphs only (no tables, lists of contacts, or heading)."""
    paras = re.findall(r"<p(?: [^>]*)?>(.*?)</p>", html, flags=re.S)
    return " ".join(_text(p) for p in paras if "@" not in p)


def test_refusals_exit_2_naming_the_problem(district: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["family-letters", "--db", str(district), "--school", "9999",
                                 "--out", str(tmp_path / "x"), "--no-pdf"])
    assert result.exit_code == 2 and "9999" in result.output
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine.txt").write_text("not gapwatch's", encoding="utf-8")
    result = runner.invoke(app, ["family-letters", "--db", str(district), "--school", SCHOOL,
                                 "--out", str(busy), "--no-pdf"])
    assert result.exit_code == 2 and (busy / "mine.txt").exists()


def test_catalogue_is_current_and_spanish_is_complete() -> None:
    assert (LOCALE / "letters.pot").read_text("utf-8") == render_pot(), \
        "letters.pot is out of date: gapwatch docs letters-pot"
    es = translations("es")
    for msg in messages():
        out = es.gettext(msg)
        assert out != msg or msg.startswith("%(name)s (%(services)s)"), f"untranslated: {msg}"
        assert set(re.findall(r"%\(\w+\)s", out)) == set(re.findall(r"%\(\w+\)s", msg)), msg
