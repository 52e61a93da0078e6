"""Who may see which students: the one place every student query, page and export goes through.

A :class:`Scope` is a SQL condition on the year's roster (one row per student with school,
grade, last name; :mod:`gapwatch.workspace.roster`) built from the user's role and the
warehouse's ``staff``, ``sections`` and ``course_marks`` of that year, so scopes follow every
refresh. A student outside the scope is
answered 404, as if they did not exist, and the request is logged (:func:`require_student`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.http import Http404, HttpRequest

from gapwatch.workspace.audit.models import Action
from gapwatch.workspace.audit.record import record
from gapwatch.workspace.roles import Role
from gapwatch.workspace.roster import TAUGHT, roster, school_year
from gapwatch.workspace.warehouse import Snapshot


class OutOfScope(Http404):
    """A request for something outside the user's scope (answered 404)."""


def grades(spec: str) -> list[str]:
    """``9-10,12`` -> ['9', '10', '12']; ``K`` and ``TK`` pass through."""
    out: list[str] = []
    for part in filter(None, (p.strip().upper() for p in spec.split(","))):
        if m := re.fullmatch(r"(\d+)\s*-\s*(\d+)", part):
            out += [str(g) for g in range(int(m[1]), int(m[2]) + 1)]
        else:
            out.append(part)
    return out


def letters(spec: str) -> tuple[str, str] | None:
    """``A-L`` -> ('A', 'L'); ``M`` -> ('M', 'M'); blank -> None."""
    spec = spec.strip().upper()
    if not spec:
        return None
    if m := re.fullmatch(r"([A-Z])\s*-\s*([A-Z])", spec):
        return m[1], m[2]
    if re.fullmatch(r"[A-Z]", spec):
        return spec, spec
    raise ValueError(f"caseload letters {spec!r}: write a range such as A-L")


@dataclass
class Scope:
    """The students ``user`` may see in ``year``: ``condition`` on the roster ``r``."""

    role: str
    year: int
    condition: str
    params: dict = field(default_factory=dict)
    schools: tuple[str, ...] = ()

    @property
    def everyone(self) -> bool:
        return self.condition == "TRUE"

    def roster(self, snap: Snapshot, extra: str = "", extra_params: dict | None = None,
               columns: str = "r.student_id") -> list[dict]:
        """Roster rows in scope (and matching ``extra``)."""
        sql = (f"SELECT {columns} FROM {roster(snap, self.year)} r "
               f"WHERE ({self.condition}) {'AND ' + extra if extra else ''}")
        return snap.rows(sql, {"year": self.year, **self.params, **(extra_params or {})})

    def allows(self, snap: Snapshot, student_id: str) -> bool:
        return bool(self.roster(snap, "r.student_id = $sid", {"sid": str(student_id)}))


def user_schools(snap: Snapshot, user, year: int) -> tuple[str, ...]:
    """The user's schools: listed on the account, and their staff rows of the year (or the
    latest year they have one)."""
    listed = {s.strip() for s in user.schools.split(",") if s.strip()}
    if user.staff_id and snap.has("staff"):
        listed |= set(_staff_schools(snap, user.staff_id, year))
    return tuple(sorted(listed))


def _staff_schools(snap: Snapshot, staff_id: str, year: int) -> list[str]:
    """The schools of ``staff_id``'s staff rows of ``year`` (or the latest year before it
    with one), kept with the generation: they change only with the warehouse."""
    facts = snap.generation.facts
    key = ("staff_schools", staff_id, year)
    if key not in facts:
        facts[key] = [r["school_id"] for r in snap.rows(
            """SELECT DISTINCT school_id FROM staff WHERE staff_id = $staff
            AND school_year = (SELECT max(school_year) FROM staff
                               WHERE staff_id = $staff AND school_year <= $year)""",
            {"staff": staff_id, "year": year})]
    return facts[key]


def scope_for(snap: Snapshot, user) -> Scope:
    """The :class:`Scope` of ``user`` on this generation of the warehouse."""
    year = school_year(snap)
    role = user.role
    if role in (Role.DISTRICT_ADMIN, Role.DISTRICT_ANALYST):
        return Scope(role, year, "TRUE")
    if role == Role.PRINCIPAL:
        schools = user_schools(snap, user, year)
        return Scope(role, year, "r.school_id IN (SELECT unnest($schools::VARCHAR[]))",
                     {"schools": list(schools)}, schools)
    if role == Role.COUNSELOR:
        return _counselor(snap, user, year)
    if role == Role.TEACHER and user.staff_id and snap.has("sections", "course_marks"):
        roster(snap, year)  # who teaches whom is built with the roster
        within = [r["school_id"] for r in snap.rows(
            f"SELECT DISTINCT school_id FROM {TAUGHT} WHERE staff_id = $staff",
            {"staff": user.staff_id})]
        return _within(Scope(role, year, f"r.student_id IN (SELECT student_id FROM {TAUGHT} "
                             "WHERE staff_id = $staff)", {"staff": user.staff_id},
                             user_schools(snap, user, year)), within)
    return Scope(role, year, "FALSE")


def _within(scope: Scope, schools: list[str]) -> Scope:
    """``scope`` with the roster schools of all its students named in its condition as well:
    the same students, but a page reads those schools' row groups only (the roster is sorted
    by school) instead of probing every student of the district."""
    return Scope(scope.role, scope.year, "r.school_id IN (SELECT unnest($within::VARCHAR[])) "
                 f"AND ({scope.condition})", {**scope.params, "within": sorted(set(schools))},
                 scope.schools)


def _counselor(snap: Snapshot, user, year: int) -> Scope:
    schools = user_schools(snap, user, year)
    assigned = list(user.caseload.values_list("student_id", flat=True))
    parts, params = ["r.student_id IN (SELECT unnest($assigned::VARCHAR[]))"], {
        "assigned": assigned}
    split = ["r.school_id IN (SELECT unnest($schools::VARCHAR[]))"]
    params["schools"] = list(schools)
    if user.caseload_grades:
        split.append("upper(r.grade) IN (SELECT unnest($grades::VARCHAR[]))")
        params["grades"] = grades(user.caseload_grades)
    if span := letters(user.caseload_letters):
        split.append("upper(left(r.last_name, 1)) BETWEEN $first AND $last")
        params["first"], params["last"] = span
    configured = user.caseload_grades or user.caseload_letters or not assigned
    within = list(schools) if schools and configured else []
    if within:
        parts.append("(" + " AND ".join(split) + ")")
    if assigned:  # the assigned students' own schools (index lookups for a short list)
        within += [r["school_id"] for r in snap.rows(
            f"SELECT DISTINCT r.school_id FROM (SELECT unnest($assigned::VARCHAR[]) AS id) a "
            f"JOIN {roster(snap, year)} r ON r.student_id = a.id", {"assigned": assigned})]
    return _within(Scope(Role.COUNSELOR, year, " OR ".join(parts), params, schools), within)


def require_student(request: HttpRequest, student_id: str) -> Scope:
    """The user's scope, when it holds ``student_id``; otherwise log and answer 404."""
    scope = request_scope(request)
    if not scope.allows(request.warehouse, student_id):
        deny(request, "student", student_id, student_id=student_id)
    return scope


def request_scope(request: HttpRequest) -> Scope:
    if not hasattr(request, "_scope"):
        request._scope = scope_for(request.warehouse, request.user)
    return request._scope


def deny(request: HttpRequest, object_type: str, object_id: object, *,
         student_id: str = "") -> None:
    """Log an out-of-scope request and answer 404 (existence is not revealed)."""
    record(request, Action.OUT_OF_SCOPE, object_type=object_type, object_id=object_id,
           student_id=student_id)
    raise OutOfScope("not found")
