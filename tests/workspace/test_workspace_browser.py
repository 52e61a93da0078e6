"""The workspace in a real browser (Debian's Chromium, headless, through Playwright) against a
real `gapwatch serve`: every page type for each role passes axe (no serious or critical
violations) with no console error and no request leaving localhost; the main flows (write a
note, assign a support, send a referral) by keyboard alone; a note holding <script> is shown as
text. Marked ``browser``; it does not skip (make test installs Chromium)."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import facts, students_of
from playwright.sync_api import sync_playwright
from serving import gapwatch, serving, signed_in, workspace_env

from gapwatch.report.pdf import CHROMIUM_FLAGS

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PASSWORD = "browser-test-password-1"
XSS = "<script>window.__xss = 1</script> & <b>bold</b>"


@pytest.fixture(scope="module")
def site(district_source, tmp_path_factory):
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: run scripts/ensure-chromium.sh"
    root = tmp_path_factory.mktemp("ws-browser")
    db = root / "district.duckdb"
    shutil.copyfile(district_source, db)
    f = facts(db)
    env = workspace_env(root)
    options = {"district_admin": [], "district_analyst": [],
               "principal": ["--staff-id", f["principal"]],
               "counselor": ["--schools", f["school"], "--caseload-letters", "A-L"],
               "teacher": ["--staff-id", f["teacher"]], "partner": ["--partner-id", f["partner"]]}
    for role, extra in options.items():
        made = gapwatch(["users", "create", role, "--role", role, "--name", f"Demo {role}",
                         "--db", str(db), *extra], env, stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
    sid = sorted(students_of(db, """SELECT DISTINCT m.student_id FROM course_marks m
        JOIN sections s ON s.section_id = m.section_id AND s.school_year = m.school_year
         AND s.school_id = m.school_id JOIN students st ON st.student_id = m.student_id
        WHERE s.teacher_staff_id = ? AND m.school_year = ? AND st.last_name < 'M'""",
                             [f["teacher"], f["year"]]))[0]
    with serving(db, env) as url:
        yield {"url": url, "sid": sid, "facts": f, **_seed(url, sid, f)}


def _post(session, url: str, path: str, data: dict) -> str:
    r = session.post(url + path, data={**data, "csrfmiddlewaretoken":
                                       session.cookies["csrftoken"]},
                     headers={"Referer": url + path}, allow_redirects=False, timeout=30)
    assert r.status_code == 302, (path, r.status_code, r.text[:1000])
    return r.headers["Location"]


def _seed(url: str, sid: str, f: dict) -> dict:
    """A note, a support and a sent referral, made through the pages as the counselor."""
    s = signed_in(url, "counselor", PASSWORD)
    _post(s, url, f"/students/{sid}/notes/new/", {"kind": "mtss", "text": "Seed note"})
    note = re.search(r'/notes/(\d+)/', s.get(url + f"/students/{sid}/").text)[1]
    champion = re.search(r'<option value="(\d+)">Demo counselor',
                         s.get(url + f"/students/{sid}/supports/new/").text)[1]
    support = _post(s, url, f"/students/{sid}/supports/new/", {
        "type": "Mentoring", "tier": "2", "goal": "Weekly check-in", "champion": champion,
        "start_date": "2025-01-06", "monitoring": "weekly"}).strip("/").split("/")[-1]
    referral = _post(s, url, f"/students/{sid}/referrals/new/", {
        "partner_id": f["partner"], "service": "TUTORING", "reason": "Reading",
        "consent_by": "Parent", "consent_method": "written",
        "consent_date": str(date.today())}).strip("/").split("/")[-1]
    _post(s, url, f"/referrals/{referral}/step/", {"step": "sent", "date": str(date.today())})
    return {"note": note, "support": support, "referral": referral}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM,
                              args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        try:
            yield b
        finally:
            b.close()


def _page(browser, site, role: str | None):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.on("request", lambda r: r.url.startswith((site["url"], "data:"))
            or page.problems.append(f"external request: {r.url}"))
    page.on("dialog", lambda d: page.problems.append(f"dialog: {d.message}"))
    if role:
        page.goto(site["url"] + "/login/")
        page.fill("#id_username", role)
        page.fill("#id_password", PASSWORD)
        page.press("#id_password", "Enter")
        page.wait_for_url(re.compile(r".*/(students|referrals)/$"))
    return context, page


def pages_for(role: str, site: dict) -> list[str]:
    sid, school = site["sid"], site["facts"]["school"]
    staff = ["/students/", "/students/?no_support=1&sort=name", f"/students/{sid}/",
             f"/students/{sid}/print/", f"/notes/{site['note']}/",
             f"/supports/{site['support']}/", "/referrals/", f"/referrals/{site['referral']}/"]
    by_role = {
        "district_admin": staff + [f"/students/{sid}/supports/new/",
                                   f"/students/{sid}/referrals/new/", f"/schools/{school}/",
                                   f"/schools/{school}/supports/", "/district/",
                                   "/admin/audit/", "/admin/users/"],
        "district_analyst": staff + [f"/schools/{school}/", "/district/"],
        "principal": staff + [f"/schools/{school}/", f"/schools/{school}/supports/"],
        "counselor": staff + [f"/students/{sid}/supports/new/",
                              f"/students/{sid}/referrals/new/"],
        "teacher": staff + [f"/students/{sid}/supports/new/"],
        "partner": ["/referrals/", f"/referrals/{site['referral']}/"],
    }
    return by_role[role]


@pytest.mark.parametrize("role", [None, "district_admin", "district_analyst", "principal",
                                  "counselor", "teacher", "partner"])
def test_every_page_type_passes_axe(browser, site, role) -> None:
    context, page = _page(browser, site, role)
    axe, serious = Axe(), {}
    try:
        for path in pages_for(role, site) if role else ["/login/"]:
            response = page.goto(site["url"] + path)
            assert response.status == 200, (role, path, response.status)
            bad = [v for v in axe.run(page).response["violations"]
                   if v.get("impact") in ("serious", "critical")]
            if bad:
                serious[path] = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                                 for v in bad]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"workspace_{role or 'login'}.png"),
                        full_page=True)
    finally:
        context.close()
    assert not serious, serious
    assert not page.problems, page.problems


def tab_to(page, selector: str, limit: int = 150) -> None:
    """Press Tab until ``selector`` has the focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
    raise AssertionError(f"{selector} never took the focus")


def test_keyboard_only_flows_and_script_shown_as_text(browser, site) -> None:
    context, page = _page(browser, site, "counselor")
    sid, url = site["sid"], site["url"]
    try:
        # write a note holding <script>
        page.goto(f"{url}/students/{sid}/")
        tab_to(page, "#id_kind")
        page.keyboard.press("ArrowDown")
        tab_to(page, "#id_text")
        page.keyboard.type(XSS)
        tab_to(page, "form[action$='/notes/new/'] button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        notes = page.locator("article.note .text")
        assert XSS in [notes.nth(i).inner_text() for i in range(notes.count())]
        assert page.evaluate("window.__xss") is None
        assert page.locator("article.note b").count() == 0
        # assign a support
        tab_to(page, "a[href$='/supports/new/']")
        page.keyboard.press("Enter")
        page.wait_for_url("**/supports/new/")
        tab_to(page, "#id_type")
        page.keyboard.type("Attendance mentoring")
        page.keyboard.press("Tab")  # tier
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")  # goal
        page.keyboard.type("Attend 95% of days by June")
        page.keyboard.press("Tab")  # champion
        page.keyboard.type("Demo counselor")
        tab_to(page, "#id_monitoring")
        page.keyboard.press("ArrowDown")
        tab_to(page, "form button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/supports/\d+/$"))
        assert "Attendance mentoring" in page.locator("h1").inner_text()
        # send a referral: consent first, then sent
        page.goto(f"{url}/students/{sid}/")
        tab_to(page, "a[href$='/referrals/new/']")
        page.keyboard.press("Enter")
        page.wait_for_url("**/referrals/new/")
        tab_to(page, "#id_service")
        page.keyboard.type("FOOD")
        page.keyboard.press("Tab")
        page.keyboard.type("Family asked for food assistance")
        tab_to(page, "#id_consent_by")
        page.keyboard.type("Ana (mother)")
        page.keyboard.press("Tab")  # method
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")  # consent date
        page.keyboard.type(date.today().strftime("%m%d%Y"))
        tab_to(page, "form button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/referrals/\d+/$"))
        tab_to(page, "#id_step")  # the first next step offered is "Sent"
        tab_to(page, "form[action$='/step/'] button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        steps = page.locator("main ol li").all_inner_texts()
        assert [s.split(":")[0] for s in steps] == ["Family consent recorded", "Sent"]
    finally:
        context.close()
    assert not page.problems, page.problems
