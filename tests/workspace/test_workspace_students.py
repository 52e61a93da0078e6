"""My students and the student profile: scopes per role against independent queries of the
warehouse, filters, sorting, export, out-of-scope answers (404, logged)."""

from __future__ import annotations

import csv
import html
import io
import re

import duckdb
import pytest
from conftest import students_of

from gapwatch.workspace.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LATEST = """WITH r AS (SELECT student_id, arg_max(school_id, entry_date) AS school_id,
                              arg_max(grade, entry_date) AS grade
                       FROM enrollments WHERE school_year = ? GROUP BY student_id)"""


def export_ids(client, query: str = "") -> list[dict]:
    response = client.get("/students/export.csv" + query)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_each_role_lists_exactly_its_scope(clients, accounts, district) -> None:
    f = accounts["facts"]
    everyone = students_of(district, LATEST + " SELECT student_id FROM r", [f["year"]])
    school = students_of(district, LATEST + " SELECT student_id FROM r WHERE school_id = ?",
                         [f["year"], f["school"]])
    taught = students_of(district, """SELECT DISTINCT m.student_id FROM course_marks m
        JOIN sections s ON s.section_id = m.section_id AND s.school_year = m.school_year
         AND s.school_id = m.school_id
        WHERE s.teacher_staff_id = ? AND m.school_year = ?""", [f["teacher"], f["year"]])
    a_to_l = students_of(district, LATEST + """ SELECT r.student_id FROM r JOIN students s
        ON s.student_id = r.student_id WHERE r.school_id = ? AND s.last_name < 'M'""",
                         [f["year"], f["school"]])
    assert 0 < len(taught) < len(school) < len(everyone) and 0 < len(a_to_l) < len(school)
    expected = {"district_admin": everyone, "district_analyst": everyone, "principal": school,
                "counselor": a_to_l, "teacher": taught}
    for role, ids in expected.items():
        assert {r["student_id"] for r in export_ids(clients[role])} == ids, role
    assert clients["partner"].get("/students/").status_code == 404


def test_a_counselors_assigned_students_from_other_schools_join_the_split(
        clients, accounts, district) -> None:
    # the caseload is the A-L split of the counselor's school plus two assigned students of
    # other schools (last names M-Z), whose schools the scope must read as well
    from gapwatch.workspace.accounts.models import CaseloadAssignment

    f = accounts["facts"]
    a_to_l = students_of(district, LATEST + """ SELECT r.student_id FROM r JOIN students s
        ON s.student_id = r.student_id WHERE r.school_id = ? AND s.last_name < 'M'""",
                         [f["year"], f["school"]])
    elsewhere = sorted(students_of(district, LATEST + """ SELECT r.student_id FROM r
        JOIN students s ON s.student_id = r.student_id
        WHERE r.school_id <> ? AND s.last_name >= 'M'""", [f["year"], f["school"]]))[:2]
    assert len(elsewhere) == 2
    for sid in elsewhere:
        CaseloadAssignment.objects.create(counselor=accounts["users"]["counselor"],
                                          student_id=sid)
    listed = {r["student_id"] for r in export_ids(clients["counselor"])}
    assert listed == a_to_l | set(elsewhere)
    assert clients["counselor"].get(f"/students/{elsewhere[0]}/").status_code == 200


def test_filters_sorting_and_paging(clients, accounts, district) -> None:
    f = accounts["facts"]
    rows = export_ids(clients["principal"], "?tier=3")
    tier3 = students_of(district, "SELECT student_id FROM student_tiers WHERE tier = 3 AND "
                        "school_id = ? AND school_year = ?", [f["school"], f["year"]])
    assert {r["student_id"] for r in rows} == tier3
    no_support = export_ids(clients["principal"], "?no_support=1")
    supported = students_of(district, "SELECT student_id FROM supports_in_place", [])
    assert no_support and not {r["student_id"] for r in no_support} & supported
    flagged = students_of(district, "SELECT student_id FROM student_flags WHERE flag = "
                          "'attendance_at_risk' AND school_id = ?", [f["school"]])
    by_flag = export_ids(clients["principal"], "?flag=attendance_at_risk")
    assert flagged and {r["student_id"] for r in by_flag} == flagged
    # default order: tier, then model probability, descending
    all_rows = export_ids(clients["principal"])
    keys = [(-int(r["tier"]), -float(r["probability"] or 0)) for r in all_rows]
    assert keys == sorted(keys)
    by_name = export_ids(clients["principal"], "?sort=name")
    names = [(r["last_name"], r["first_name"]) for r in by_name]
    assert names == sorted(names)
    page = clients["principal"].get("/students/?sort=name&page=2")
    assert page.status_code == 200
    first_on_page_2 = re.findall(r'href="/students/(\d+)/"', page.content.decode())[0]
    assert first_on_page_2 == by_name[50]["student_id"]


def test_group_and_grade_filters(clients, accounts, district) -> None:
    f = accounts["facts"]
    el = students_of(district, LATEST + """ SELECT r.student_id FROM r WHERE r.school_id = ?
        AND r.student_id IN (SELECT student_id FROM enrollments WHERE school_year = ? AND
        el_status = 'EL')""", [f["year"], f["school"], f["year"]])
    assert el and {r["student_id"] for r in export_ids(clients["principal"], "?group=EL")} == el
    grade = export_ids(clients["principal"])[0]["grade"]
    rows = export_ids(clients["principal"], f"?grade={grade}")
    assert rows and {r["grade"] for r in rows} == {grade}


def test_profile_shows_the_warehouse_and_logs_the_view(clients, accounts, district) -> None:
    f = accounts["facts"]
    sid, reason = students_of(district, "SELECT student_id || '|' || tier_reason FROM "
                              "student_tiers WHERE school_id = ? AND tier = 3 LIMIT 1",
                              [f["school"]]).pop().split("|")
    page = clients["principal"].get(f"/students/{sid}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert reason in html and "Attendance" in html and "Who has viewed this student" in html
    event = AuditEvent.objects.get(action="view", student_id=sid)
    assert event.username == "principal" and event.ip == "127.0.0.1"
    assert clients["principal"].get(f"/students/{sid}/print/").status_code == 200


def test_out_of_scope_is_404_and_logged(clients, accounts, district) -> None:
    f = accounts["facts"]
    other = students_of(district, LATEST + " SELECT student_id FROM r WHERE school_id <> ? "
                        "LIMIT 1", [f["year"], f["school"]]).pop()
    for role in ("principal", "counselor", "teacher", "partner"):
        assert clients[role].get(f"/students/{other}/").status_code == 404, role
        assert clients[role].get(f"/students/{other}/print/").status_code == 404, role
    assert AuditEvent.objects.filter(action="out_of_scope", student_id=other).count() == 6
    assert clients["district_admin"].get(f"/students/{other}/").status_code == 200
    assert clients["principal"].get("/students/nope/").status_code == 404


def test_export_is_logged_and_formula_safe(clients, accounts) -> None:
    rows = export_ids(clients["teacher"], "?tier=2")
    event = AuditEvent.objects.get(action="export", username="teacher")
    assert event.detail.startswith(f"{len(rows)} students")


def test_district_view_says_what_could_not_be_computed(clients, district) -> None:
    """Undefined measures show in words: run_status's reasons, and a Dashboard result without a
    color shows its reason instead."""
    con = duckdb.connect(str(district), read_only=True)
    try:
        missing = con.execute("SELECT measure, reason FROM run_status WHERE status <> "
                              "'computed' AND reason IS NOT NULL ORDER BY measure").fetchall()
        uncolored = con.execute(
            "SELECT reason FROM dashboard WHERE entity_type = 'district' AND color IS NULL "
            "AND school_year = (SELECT max(school_year) FROM dashboard) LIMIT 1").fetchone()
    finally:
        con.close()
    assert missing, "a 6-school district has measures it cannot compute"
    page = html.unescape(clients["district_admin"].get("/district/").content.decode())
    assert "What could not be computed, and why" in page
    for measure, reason in missing:
        assert measure in page and reason in page
    if uncolored:
        assert f"no color: {uncolored[0]}" in page


def test_the_prepared_profile_is_each_panel_read_from_the_warehouse(district) -> None:
    """A profile is one lookup in the generation's prepared rows; for every panel and every
    kind of student (with discipline, supports, suggestions, none) it holds exactly the rows,
    in the order, that reading the warehouse directly gives."""
    from gapwatch.workspace.roster import school_year
    from gapwatch.workspace.students import profile
    from gapwatch.workspace.warehouse import Warehouse

    warehouse = Warehouse(district, prepare=profile.prepare)
    snap = warehouse.snapshot()
    try:
        year = school_year(snap)
        sids = snap.rows("""SELECT student_id FROM memory.main.ws_roster
            ORDER BY hash(student_id) LIMIT 40""")
        for table in ("discipline", "supports_in_place", "referrals", "student_flags"):
            sids += snap.rows(f"SELECT student_id FROM {table} WHERE school_year = $year "
                              "GROUP BY 1 ORDER BY count(*) DESC LIMIT 3", {"year": year})
        seen = {name: 0 for name in profile.PANELS}
        for sid in {r["student_id"] for r in sids}:
            doc = profile.document(snap, sid, year)
            assert doc["student"] == profile.header(snap, sid, year)
            for name in profile.PANELS:
                assert doc[name] == profile.panel(snap, name, sid, year), (sid, name)
                seen[name] += bool(doc[name])
        assert all(seen.values()), seen  # every panel was compared on real rows
    finally:
        snap.close()


def test_a_district_wide_page_is_the_same_as_the_filtered_query_gives(district) -> None:
    """The unfiltered district-wide list reads a range of one rank; every order, both
    directions, the first, a middle and the last (partial) page equal the general query's."""
    from gapwatch.workspace.roster import SORTS, roster_size, school_year
    from gapwatch.workspace.scope import Scope
    from gapwatch.workspace.students import listing
    from gapwatch.workspace.warehouse import Warehouse

    snap = Warehouse(district).snapshot()
    try:
        year = school_year(snap)
        everyone = Scope("district_admin", year, "TRUE")
        general = Scope("district_admin", year, "r.student_id IS NOT NULL")  # same students
        total = roster_size(snap, year)
        last = -(-total // listing.PAGE_SIZE)
        assert total % listing.PAGE_SIZE and last > 2
        for sort in SORTS:
            for descending in (False, True):
                for page in (1, 2, last, last + 1):
                    f = listing.Filters(sort=sort, descending=descending, page=page)
                    fast = listing.query(snap, everyone, f, [])
                    assert fast == listing.query(snap, general, f, []), (sort, descending, page)
                    assert fast[1] == total and len(fast[0]) == (
                        listing.PAGE_SIZE if page < last else
                        total - (last - 1) * listing.PAGE_SIZE if page == last else 0)
    finally:
        snap.close()
