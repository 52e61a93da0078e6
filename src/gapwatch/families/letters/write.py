"""``gapwatch family-letters``: every letter of one school into an owner-only folder.

The folder (``--out``) is built privately and swapped in whole (:mod:`gapwatch.files`): new,
empty or a previous family-letters folder, never one holding the warehouse. It holds
``<student>.html`` (for email) and ``<student>.pdf`` (printed by Chromium), ``letters.csv``
(which student, guardian, language and note; neutralised against spreadsheet formulas) and
``CONFIDENTIAL.txt``. Each generation is logged in the warehouse table ``family_letter_log``
(who, when, school, year, student, language): letters are staff-only.
"""

from __future__ import annotations

import datetime as dt
import getpass
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from gapwatch.errors import Refusal
from gapwatch.families.languages import Language, language_code, languages, letter_language
from gapwatch.families.letters.facts import LetterFacts, latest_year, school_facts
from gapwatch.families.letters.render import catalogues, render_letter
from gapwatch.report.page_names import page_name

NOTICE = """CONFIDENTIAL - STUDENT RECORDS (FERPA)

Each file in this folder is a letter about one student, for that student's family only. Send
each letter only to the family it names. Do not publish, forward or store these files
anywhere other staff or the public can read them. Delete them once sent.
"""
LOG_DDL = """CREATE TABLE IF NOT EXISTS family_letter_log (
    generated_at TIMESTAMP, generated_by VARCHAR, school_id VARCHAR, school_year SMALLINT,
    student_id VARCHAR, language VARCHAR, fallback_from VARCHAR, channel VARCHAR)"""


class LettersRefused(Refusal, ValueError):
    """No letters can be written (the message names the school, year or language)."""


@dataclass
class LetterSummary:
    out: Path
    school_id: str
    school_year: int
    letters: int = 0
    pdfs: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        langs = ", ".join(f"{k} {v}" for k, v in sorted(self.languages.items()))
        return (f"{self.letters} letters ({langs}), {self.pdfs} PDFs for school "
                f"{self.school_id}, {self.school_year - 1}-{self.school_year % 100:02d}, in "
                f"{self.out} (owner-only, confidential)") + "".join(f"; {n}" for n in self.notes)


def choose_language(f: LetterFacts, forced: str | None) -> tuple[str, Language | None]:
    """The catalogue language of one letter, and the family's language when it has none."""
    if forced:
        code = language_code(forced) or forced
        if code in catalogues():
            return code, None
        return "en", languages().get(code)
    return letter_language(f.guardian_language)


def write_letters(db: Path, school_id: str, out: Path, *, lang: str | None = None,
                  school_year: int | None = None, pdf: bool | None = None,
                  today: dt.date | None = None, workers: int = 2) -> LetterSummary:
    """Write one letter per student of ``school_id`` (see the module docstring)."""
    from gapwatch.files import check_replaceable, replace_folder, write_rows
    from gapwatch.report.pdf import chromium_path, school_pdf
    from gapwatch.warehouse import connect

    check_replaceable(out, "family-letters", warehouse=db)
    con = connect(db)
    try:
        known = con.execute("SELECT count(*) FROM schools WHERE school_id = ?",
                            [school_id]).fetchone()[0]
        if not known:
            raise LettersRefused(f"{db}: no school {school_id!r} in the schools table")
        year = school_year or latest_year(con, school_id)
        facts = school_facts(con, school_id, year) if year else []
    finally:
        con.close()
    if not facts:
        raise LettersRefused(f"{db}: no students enrolled at school {school_id!r}"
                             + (f" in {year}" if year else ""))
    chromium = chromium_path() if pdf is not False else None
    if pdf and chromium is None:
        raise LettersRefused("PDFs were asked for but Chromium was not found "
                             "(scripts/ensure-chromium.sh)")
    today = today or dt.date.today()
    summary = LetterSummary(Path(out), school_id, year)
    if chromium is None:
        summary.notes.append("Chromium not found: HTML letters only")
    log, index = [], []
    with replace_folder(out, "family-letters", public=False, warehouse=db) as building:
        pages = []
        for f in facts:
            code, fallback = choose_language(f, lang)
            page = building / f"{page_name(f.student_id)}.html"
            page.write_text(render_letter(f, code, today, fallback), encoding="utf-8")
            pages.append(page)
            summary.languages[code] = summary.languages.get(code, 0) + 1
            index.append({"student_id": f.student_id, "guardian": f.guardian_name,
                          "preferred_language": f.guardian_language, "letter_language": code,
                          "note": f"no {fallback.name} letter yet: English with a note"
                          if fallback else "", "file": page.name})
            log.append((f.student_id, code, fallback.code if fallback else None))
        if chromium:
            with ThreadPoolExecutor(max(1, workers)) as pool:
                done = list(pool.map(lambda p: school_pdf(p, p.with_suffix(".pdf"),
                                                          chromium=chromium), pages))
            summary.pdfs = len(done)
        write_rows(building / "letters.csv", list(index[0]), [list(r.values()) for r in index])
        (building / "CONFIDENTIAL.txt").write_text(NOTICE, encoding="utf-8")
        # logged before the letters appear: no letter exists without its log entry
        _log(db, school_id, year, log)
    summary.letters = len(facts)
    return summary


def _log(db: Path, school_id: str, year: int, rows: list[tuple]) -> None:
    """Append the generation to ``family_letter_log``, on a working copy swapped in whole
    (:func:`gapwatch.warehouse.rebuilding`: the workspace may be reading the warehouse)."""
    from gapwatch.warehouse import rebuilding, writing

    now = dt.datetime.now()
    with rebuilding(db) as work, writing(work) as con:
        con.execute(LOG_DDL)
        con.executemany("INSERT INTO family_letter_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [(now, _user(), school_id, year, sid, code, fb, "cli")
                         for sid, code, fb in rows])


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
