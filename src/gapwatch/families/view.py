"""The ``family_year`` view: the student-year view with the family's and the student's own
voice added (one row per student, entity and year, as ``student_year``).

Columns added (docs/families.md):

- ``home_language_code``: ISO 639-1 code of ``students.home_language`` (languages.toml; NULL
  when the language is not listed);
- ``family_<activity>`` for CONFERENCE, SITE_COUNCIL, EL_ADVISORY, WORKSHOP, HOME_VISIT and
  ``family_any`` (any activity but OTHER, which records contacts such as a letter sent): a
  ``family_engagement`` row about this student's family (``student_id`` set)
  that year, recorded at the entity (at a school: that school; a board district or the
  district: any of its schools);
- ``abc_at_risk``: an ABC early-warning sign this year: absent 10% or more of the days enrolled,
  suspended, or a semester F (or NP) in a core course (METHODS.md 5, Balfanz);
- ``<scale>_answered`` and ``<scale>_favourable`` for each student scale of the survey item
  map: the student answered at least one of the scale's items that year at the entity
  (student survey, linked by ``student_id``), and the average of their answers, each put on a
  0-1 range, is at or above the average favourable cut of the same items on that range.
"""

from __future__ import annotations

import math

from gapwatch.families.items import ItemMap
from gapwatch.families.languages import home_language_sql
from gapwatch.indicators.views import ViewOptions, empty_table, student_year_ctes
from gapwatch.models import with_clause
from gapwatch.sql import sql_string

ACTIVITIES = ("CONFERENCE", "SITE_COUNCIL", "EL_ADVISORY", "WORKSHOP", "HOME_VISIT")
#: the ``student_year`` columns ``family_year`` reads itself (besides its indicators' own)
READS = ("student_id", "days_absent", "days_enrolled", "suspensions", "core_semester_fs")


def _source(name: str, present: set[str], extra: str = "") -> str:
    base = f"(SELECT * FROM {name})" if name in present else empty_table(name)
    if extra:  # rows the staff workspace recorded (earlywarning.workspace.merge_engagement)
        return f"t_{name} AS ({base} UNION ALL BY NAME SELECT * FROM {extra})"
    return f"t_{name} AS {base}"


KEYS = "f.school_year, x.entity_type, x.entity_id, f.student_id"


def _facts() -> str:
    flags = ",\n           ".join(
        f"bool_or(f.activity = '{a}') AS f_{a.lower()}" for a in ACTIVITIES)
    return f"""SELECT {KEYS}, {flags}, bool_or(f.activity <> 'OTHER') AS f_any
    FROM t_family_engagement f JOIN school_entities x ON x.school_id = f.school_id
    WHERE f.student_id IS NOT NULL GROUP BY ALL"""


def _margin(items: ItemMap, scale: str) -> str:
    """SQL: one answer's distance above its favourable cut, on the 0-1 range of its item,
    as an exact whole number (times 100 and the least common multiple of the items' ranges),
    so that both engines compare sums of integers, never rounded averages."""
    its = items.items_of(scale)
    lcm = math.lcm(*(items.response_scales[i.response_scale].points - 1 for i in its))
    whens = []
    for item in its:
        rs = items.response_scales[item.response_scale]
        answer = f"({rs.points + 1} - response)" if item.reverse else "response"
        factor = lcm // (rs.points - 1)
        whens.append(f"WHEN {sql_string(item.code)} THEN "
                     f"(100 * {answer} - {round(rs.favourable_min * 100)}) * {factor}")
    return f"CASE item {' '.join(whens)} END"


def _survey(items: ItemMap) -> str:
    cols = []
    for s in items.student_scales():
        margin = _margin(items, s.code)
        name = s.code.lower()
        cols.append(f"sum({margin}) AS {name}_margin, count({margin}) AS {name}_items")
    return f"""SELECT {KEYS}, {', '.join(cols)}
    FROM t_survey_responses f JOIN school_entities x ON x.school_id = f.school_id
    WHERE f.respondent_type = 'STUDENT' AND f.student_id IS NOT NULL GROUP BY ALL"""


def family_columns(items: ItemMap) -> list[str]:
    """Columns ``family_year`` adds to ``student_year``."""
    cols = ["home_language_code", *(f"family_{a.lower()}" for a in ACTIVITIES), "family_any",
            "abc_at_risk"]
    for s in items.student_scales():
        cols += [f"{s.code.lower()}_answered", f"{s.code.lower()}_favourable"]
    return cols


def family_year_ctes(present: set[str], options: ViewOptions, items: ItemMap,
                     workspace: bool = False, student_year_ready: bool = False) -> str:
    """``WITH ...`` ending with the CTE ``family_year`` (``workspace``: add the rows of
    ``workspace_family_engagement``). ``student_year_ready``: ``student_year`` is a table the
    run has already made, with :data:`READS` and the columns the indicators read, so its
    steps are not repeated (only the school entities and the contract tables are)."""
    fam = [f"coalesce(fe.f_{a.lower()}, FALSE) AS family_{a.lower()}" for a in ACTIVITIES]
    fam.append("coalesce(fe.f_any, FALSE) AS family_any")
    for s in items.student_scales():
        n = s.code.lower()
        fam.append(f"coalesce(sv.{n}_items, 0) > 0 AS {n}_answered")
        fam.append(f"sv.{n}_margin >= 0 AS {n}_favourable")
    on = ("{a}.school_year = r.school_year AND {a}.entity_type = r.entity_type "
          "AND {a}.entity_id = r.entity_id AND {a}.student_id = r.student_id")
    ctes = [
        _source("family_engagement", present,
                "workspace_family_engagement" if workspace else ""),
        _source("survey_responses", present),
        f"family_facts AS ({_facts()})", f"survey_facts AS ({_survey(items)})",
        f"""family_year AS (
    SELECT r.*, {home_language_sql('st.home_language')} AS home_language_code,
           {(',' + chr(10) + '           ').join(fam)},
           coalesce(r.days_absent >= 0.1 * r.days_enrolled, FALSE) OR r.suspensions > 0
               OR r.core_semester_fs > 0 AS abc_at_risk
    FROM student_year r
    JOIN t_students st ON st.student_id = r.student_id
    LEFT JOIN family_facts fe ON {on.format(a='fe')}
    LEFT JOIN survey_facts sv ON {on.format(a='sv')}
)""",
    ]
    base = (with_clause(["school_entities"], present, options.parameters())
            if student_year_ready else student_year_ctes(present, options))
    return base + ",\n" + ",\n".join(ctes)
