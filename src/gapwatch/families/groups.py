"""Home-language student groups (``HL_ES``, ``HL_VI`` ...) for the family_year view.

Reported for the engagement and climate indicators only, for each listed language other than
English that students' home_language has. English-speaking homes are not a reported group, so
the home-language groups never add up to All students (no partition for the privacy door to
protect beyond the ones it knows).
"""

from __future__ import annotations

import duckdb

from gapwatch.families.languages import home_language_sql, languages
from gapwatch.sql import sql_string


def home_language_labels() -> dict[str, str]:
    return {lang.group: f"Home language: {lang.name}" for lang in languages().values()
            if lang.code != "en"}


def home_language_groups(con: duckdb.DuckDBPyConnection, present: set[str]
                         ) -> list[tuple[str, str]]:
    """(group code, predicate over family_year) for each non-English home language present."""
    if "students" not in present:
        return []
    codes = [r[0] for r in con.execute(
        f"SELECT DISTINCT {home_language_sql('home_language')} AS c FROM students "
        "WHERE c IS NOT NULL AND c <> 'en' ORDER BY c").fetchall()]
    by_code = languages()
    return [(by_code[c].group, f"home_language_code = {sql_string(c)}") for c in codes]
