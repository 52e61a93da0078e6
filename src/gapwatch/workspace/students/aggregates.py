"""School and district views for staff: Dashboard levels, gaps beyond noise and goals progress,
unsuppressed (staff only, never published), with a drill-down from a gap to the students behind
it for roles that list students."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gapwatch.contract.codes import CODE_SETS
from gapwatch.workspace.access import allow
from gapwatch.workspace.audit.models import Action
from gapwatch.workspace.audit.record import record
from gapwatch.workspace.roles import AGGREGATE_ROLES, Role
from gapwatch.workspace.scope import deny, request_scope
from gapwatch.workspace.students.listing import STATUS_GROUPS
from gapwatch.workspace.warehouse import Snapshot

DISTRICT_ROLES = (Role.DISTRICT_ADMIN, Role.DISTRICT_ANALYST)


def drill_group(code: str) -> str:
    """The "My students" group filter of a gap's student group ('' when there is none)."""
    if code in STATUS_GROUPS:
        return code
    return f"race:{code}" if code in CODE_SETS["race_ethnicity"] else ""


def _panels(snap: Snapshot, entity_type: str, entity_id: str) -> dict:
    params = {"type": entity_type, "id": entity_id}
    out: dict = {"dashboard": [], "gaps": [], "goals": []}
    if snap.has("dashboard"):
        out["dashboard"] = snap.rows("""
            SELECT indicator, student_group, n, status, change, color, reason FROM dashboard
            WHERE entity_type = $type AND entity_id = $id
              AND school_year = (SELECT max(school_year) FROM dashboard)
            ORDER BY indicator, color_number NULLS LAST, student_group""", params)
    if snap.has("gaps"):
        out["gaps"] = snap.rows("""
            SELECT indicator, student_group, reference, metric, value, ci_low, ci_high, n
            FROM gaps WHERE entity_type = $type AND entity_id = $id AND flagged
              AND reference = 'complement' AND metric IN ('pp_difference', 'mean_difference')
              AND school_year = (SELECT max(school_year) FROM gaps)
            ORDER BY abs(value) DESC LIMIT 40""", params)
        for g in out["gaps"]:
            g["drill"] = drill_group(g["student_group"])
    if snap.has("goals_progress"):
        out["goals"] = snap.rows("""
            SELECT goal_name, student_group, school_year, value, interim_target, status, note
            FROM goals_progress WHERE entity_type = $type AND entity_id = $id
            ORDER BY goal_name, student_group, school_year DESC""", params)
    return out


@allow(*AGGREGATE_ROLES)
def school_view(request: HttpRequest, school_id: str) -> HttpResponse:
    scope = request_scope(request)
    if not scope.everyone and school_id not in scope.schools:
        deny(request, "school", school_id)
    name = request.warehouse.value("SELECT school_name FROM schools WHERE school_id = $id",
                                   {"id": school_id})
    if name is None:
        deny(request, "school", school_id)
    record(request, Action.VIEW, object_type="school", object_id=school_id)
    return render(request, "workspace/aggregates.html", {
        "title": name, "school_id": school_id, "drill": True,
        **_panels(request.warehouse, "school", school_id)})


@allow(*DISTRICT_ROLES)
def district_view(request: HttpRequest) -> HttpResponse:
    snap = request.warehouse
    district_id = snap.value("SELECT any_value(district_id) FROM schools")
    schools = snap.rows("SELECT school_id, school_name FROM schools ORDER BY school_name")
    not_computed = snap.rows(
        "SELECT measure, status, reason FROM run_status WHERE status <> 'computed' "
        "ORDER BY stage, measure") if snap.has("run_status") else []
    record(request, Action.VIEW, object_type="district", object_id=district_id)
    return render(request, "workspace/aggregates.html", {
        "title": "District", "school_id": "", "schools": schools, "drill": True,
        "not_computed": not_computed, **_panels(snap, "district", district_id)})
