"""The "My students" list: students in scope by tier and urgency, filtered and sorted in DuckDB.

Filters (all optional): school, grade, student group, flag, tier, "no support" (no support in
place in the last early-warning run) and "no note in 30 days" (no note this user can read).
"""

from __future__ import annotations

from dataclasses import dataclass

from gapwatch.contract.codes import CODE_SETS
from gapwatch.workspace.scope import ROSTER, Scope
from gapwatch.workspace.warehouse import Snapshot

PAGE_SIZE = 50
STATUS_GROUPS = {"EL": ("English learners", "e.el_status = 'EL'"),
                 "SED": ("Socioeconomically disadvantaged", "e.sed"),
                 "SWD": ("Students with disabilities", "e.swd"),
                 "FOS": ("Foster youth", "e.foster"),
                 "HOM": ("Homeless youth", "e.homeless")}
SORTS = {
    "urgency": "t.tier DESC NULLS LAST, t.probability DESC NULLS LAST, "
               "t.at_risk_count DESC NULLS LAST, r.student_id",
    "name": "st_last, st_first, r.student_id",
    "grade": "try_cast(r.grade AS INTEGER) NULLS FIRST, r.grade, r.student_id",
    "school": "sc.school_name, r.student_id",
    "tier": "t.tier DESC NULLS LAST, r.student_id",
    "probability": "t.probability DESC NULLS LAST, r.student_id",
    "student": "r.student_id",
}
COLUMNS = ("student_id", "first_name", "last_name", "school_id", "school_name", "grade", "tier",
           "urgency", "probability", "tier_reason", "flag_reasons", "supports_in_place",
           "has_support")


def groups() -> dict[str, str]:
    """Group code -> label, for the filter."""
    races = {f"race:{code}": label for code, label in CODE_SETS["race_ethnicity"].items()}
    return {code: label for code, (label, _) in STATUS_GROUPS.items()} | races


@dataclass
class Filters:
    school: str = ""
    grade: str = ""
    group: str = ""
    flag: str = ""
    tier: str = ""
    no_support: bool = False
    no_note: bool = False
    q: str = ""
    sort: str = "urgency"
    descending: bool = False
    page: int = 1

    @classmethod
    def from_query(cls, q) -> Filters:
        sort = q.get("sort", "urgency")
        try:
            page = max(1, int(q.get("page", "1")))
        except ValueError:
            page = 1
        return cls(q.get("school", ""), q.get("grade", ""), q.get("group", ""),
                   q.get("flag", ""), q.get("tier", ""), q.get("no_support") == "1",
                   q.get("no_note") == "1", q.get("q", "").strip()[:100],
                   sort if sort in SORTS else "urgency", q.get("dir") == "desc", page)


def _sources(snap: Snapshot, year: int) -> str:
    """CTEs for the optional early-warning tables (typed and empty when a table is absent)."""
    tiers = ("SELECT * FROM student_tiers WHERE school_year = $year" if snap.has("student_tiers")
             else "SELECT NULL::VARCHAR AS student_id, NULL::TINYINT AS tier, NULL::INTEGER AS "
                  "urgency, NULL::DOUBLE AS probability, NULL::INTEGER AS at_risk_count, "
                  "NULL::VARCHAR AS tier_reason, NULL::VARCHAR AS flag_reasons, "
                  "NULL::VARCHAR AS supports_in_place WHERE FALSE")
    sup = ("SELECT DISTINCT student_id FROM supports_in_place WHERE school_year = $year"
           if snap.has("supports_in_place") else "SELECT NULL::VARCHAR AS student_id WHERE FALSE")
    return f"{ROSTER}, t AS ({tiers}), sup AS ({sup})"


def _names(snap: Snapshot) -> tuple[str, str]:
    if snap.has_column("students", "first_name"):
        return "st.first_name", "st.last_name"
    return "NULL::VARCHAR", "NULL::VARCHAR"


def query(snap: Snapshot, scope: Scope, f: Filters, noted: list[str], *,
          paged: bool = True) -> tuple[list[dict], int]:
    """Rows of one page (or all, ``paged=False``) and the number of students matching."""
    first, last = _names(snap)
    where, params = [f"({scope.condition})"], {"year": scope.year, **scope.params}
    if f.school:
        where.append("r.school_id = $school")
        params["school"] = f.school
    if f.grade:
        where.append("r.grade = $grade")
        params["grade"] = f.grade
    if f.tier in {"1", "2", "3"}:
        where.append("t.tier = $tier")
        params["tier"] = int(f.tier)
    if f.flag and snap.has("student_flags"):
        where.append("r.student_id IN (SELECT student_id FROM student_flags "
                     "WHERE school_year = $year AND flag = $flag)")
        params["flag"] = f.flag
    if f.group in STATUS_GROUPS:
        where.append("r.student_id IN (SELECT e.student_id FROM enrollments e WHERE "
                     f"e.school_year = $year AND {STATUS_GROUPS[f.group][1]})")
    elif f.group.startswith("race:"):
        where.append("st.race_ethnicity = $race")
        params["race"] = f.group.removeprefix("race:")
    if f.no_support:
        where.append("sup.student_id IS NULL")
    if f.no_note:
        where.append("r.student_id NOT IN (SELECT unnest($noted::VARCHAR[]))")
        params["noted"] = noted
    if f.q:
        where.append(f"(r.student_id = $q OR {first} || ' ' || {last} ILIKE $like)")
        params |= {"q": f.q, "like": f"%{f.q}%"}
    order = SORTS[f.sort]
    if f.descending:
        order = ", ".join(_flip(part) for part in order.split(", "))
    limit = f"LIMIT {PAGE_SIZE} OFFSET {(f.page - 1) * PAGE_SIZE}" if paged else ""
    sql = f"""WITH {_sources(snap, scope.year)}
        SELECT r.student_id, {first} AS first_name, {last} AS last_name, r.school_id,
               sc.school_name, r.grade, t.tier, t.urgency, t.probability, t.tier_reason,
               t.flag_reasons, t.supports_in_place, sup.student_id IS NOT NULL AS has_support,
               {last} AS st_last, {first} AS st_first, count(*) OVER () AS total
        FROM roster r LEFT JOIN students st ON st.student_id = r.student_id
        LEFT JOIN schools sc ON sc.school_id = r.school_id
        LEFT JOIN t ON t.student_id = r.student_id
        LEFT JOIN sup ON sup.student_id = r.student_id
        WHERE {' AND '.join(where)} ORDER BY {order} {limit}"""
    rows = snap.rows(sql, params)
    total = rows[0]["total"] if rows else 0
    return [{k: r[k] for k in COLUMNS} for r in rows], total


def _flip(part: str) -> str:
    """Reverse one ORDER BY term."""
    if " DESC" in part:
        return part.replace(" DESC", " ASC")
    if part.endswith("NULLS FIRST"):
        return part.replace("NULLS FIRST", "DESC NULLS LAST")
    return part + " DESC"


def options(snap: Snapshot, scope: Scope) -> dict[str, list]:
    """Values offered by the filters: the scope's schools and grades, the year's flags."""
    rows = scope.roster(snap, columns="DISTINCT r.school_id, r.grade")
    schools = sorted({r["school_id"] for r in rows})
    names = dict(snap.cursor.execute(
        "SELECT school_id, school_name FROM schools WHERE school_id IN "
        "(SELECT unnest($s::VARCHAR[]))", {"s": schools}).fetchall()) if schools else {}
    flags = [r["flag"] for r in snap.rows(
        "SELECT DISTINCT flag FROM student_flags WHERE school_year = $year ORDER BY flag",
        {"year": scope.year})] if snap.has("student_flags") else []
    grade_list = sorted({r["grade"] for r in rows},
                        key=lambda g: (not str(g).isdigit(), int(g) if str(g).isdigit() else 0,
                                       str(g)))
    return {"schools": [(s, names.get(s, s)) for s in schools], "grades": grade_list,
            "flags": flags, "groups": list(groups().items())}
