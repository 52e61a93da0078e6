"""The "My students" list: students in scope by tier and urgency, filtered and sorted in DuckDB.

Filters (all optional): school, grade, student group, flag, tier, "no support" (no support in
place in the last early-warning run) and "no note in 30 days" (no note this user can read).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from gapwatch.contract.codes import CODE_SETS
from gapwatch.workspace.roster import SORTS, roster, roster_size
from gapwatch.workspace.scope import Scope
from gapwatch.workspace.warehouse import Snapshot

PAGE_SIZE = 50
STATUS_GROUPS = {"EL": ("English learners", "r.el"),
                 "SED": ("Socioeconomically disadvantaged", "r.sed"),
                 "SWD": ("Students with disabilities", "r.swd"),
                 "FOS": ("Foster youth", "r.fos"),
                 "HOM": ("Homeless youth", "r.hom")}
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


def query(snap: Snapshot, scope: Scope, f: Filters, noted: list[str], *,
          paged: bool = True) -> tuple[list[dict], int]:
    """Rows of one page (or all, ``paged=False``) and the number of students matching."""
    where, params = [f"({scope.condition})"], {"year": scope.year, **scope.params}
    if f.school:
        where.append("r.school_id = $school")
        params["school"] = f.school
    if f.grade:
        where.append("r.grade = $grade")
        params["grade"] = f.grade
    if f.tier in {"1", "2", "3"}:
        where.append("r.tier = $tier")
        params["tier"] = int(f.tier)
    if f.flag and snap.has("student_flags"):
        where.append("r.student_id IN (SELECT student_id FROM student_flags "
                     "WHERE school_year = $year AND flag = $flag)")
        params["flag"] = f.flag
    if f.group in STATUS_GROUPS:
        where.append(STATUS_GROUPS[f.group][1])
    elif f.group.startswith("race:"):
        where.append("r.race_ethnicity = $race")
        params["race"] = f.group.removeprefix("race:")
    if f.no_support:
        where.append("NOT r.has_support")
    if f.no_note:
        where.append("r.student_id NOT IN (SELECT unnest($noted::VARCHAR[]))")
        params["noted"] = noted
    if f.q:
        where.append("(r.student_id = $q OR r.first_name || ' ' || r.last_name ILIKE $like)")
        params |= {"q": f.q, "like": f"%{f.q}%"}
    order = f"r.rank_{f.sort}{' DESC' if f.descending else ''}"
    if paged and len(where) == 1 and scope.everyone:
        return _everyone_page(snap, scope.year, f)
    limit = f"LIMIT {PAGE_SIZE} OFFSET {(f.page - 1) * PAGE_SIZE}" if paged else ""
    source = f"FROM {roster(snap, scope.year)} r WHERE {' AND '.join(where)}"
    rows = snap.rows(f"SELECT {', '.join('r.' + c for c in COLUMNS)} {source} "
                     f"ORDER BY {order} {limit}", params)  # a page: DuckDB keeps the top N
    total = snap.value(f"SELECT count(*) {source}", params) if paged else len(rows)
    return rows, int(total or 0)


def _everyone_page(snap: Snapshot, year: int, f: Filters) -> tuple[list[dict], int]:
    """A page of the whole roster, unfiltered (a district-wide user's default list): the
    ranks number the whole roster 1..N, so a page is a range of one rank (the default order's
    rank is indexed) instead of the top N of every student."""
    table = roster(snap, year)
    total = roster_size(snap, year)
    first = (f.page - 1) * PAGE_SIZE + 1
    last = first + PAGE_SIZE - 1
    if f.descending:
        first, last = total - last + 1, total - first + 1
    rank = f"r.rank_{f.sort}"
    rows = snap.rows(f"SELECT {', '.join('r.' + c for c in COLUMNS)} FROM {table} r "
                     f"WHERE {rank} BETWEEN $first AND $last "
                     f"ORDER BY {rank}{' DESC' if f.descending else ''}",
                     {"first": first, "last": last})
    return rows, total


def link(rows: list[dict], prefix: str) -> None:
    """Give each row its profile's path (``url``: ``prefix`` + id, what ``{% url 'student'
    id %}`` gives, without a URL reversal per row) and its model risk in whole percent."""
    for r in rows:
        r["url"] = f"{prefix}{quote(str(r['student_id']), safe='')}/"
        p = r.get("probability")
        r["risk"] = None if p is None else round(p * 100)


def options(snap: Snapshot, scope: Scope) -> dict[str, list]:
    """Values offered by the filters: the scope's schools and grades, the year's flags (kept
    with the generation, per scope)."""
    facts = snap.generation.facts
    key = ("options", scope.condition, repr(sorted(scope.params.items())))
    if key not in facts:
        facts[key] = _options(snap, scope)
    return facts[key]


def _options(snap: Snapshot, scope: Scope) -> dict[str, list]:
    rows = scope.roster(snap, columns="DISTINCT r.school_id, r.school_name, r.grade")
    names = {r["school_id"]: r["school_name"] or r["school_id"] for r in rows}
    schools = sorted(names)
    facts = snap.generation.facts
    if "flags" not in facts:
        facts["flags"] = [r["flag"] for r in snap.rows(
            "SELECT DISTINCT flag FROM student_flags WHERE school_year = $year ORDER BY flag",
            {"year": scope.year})] if snap.has("student_flags") else []
    flags = facts["flags"]
    grade_list = sorted({r["grade"] for r in rows},
                        key=lambda g: (not str(g).isdigit(), int(g) if str(g).isdigit() else 0,
                                       str(g)))
    return {"schools": [(s, names.get(s, s)) for s in schools], "grades": grade_list,
            "flags": flags, "groups": list(groups().items())}
