"""Guardians, per-family engagement records and climate survey answers (issue 18).

Approximations, not calibrated to any district: one or two guardians per student, who prefer
the student's home language for letters (English for a tenth of non-English homes); family
records of conferences (fewer in high school and for high-risk students), workshops, school
site council members (families of English learners and low-income families under-represented)
and English learner advisory committee members (mostly families of English learners); a
student survey in grades 5, 7, 9 and 11 whose answers fall with latent risk (linked to the
student: the synthetic survey is confidential, not anonymous), and anonymous parent and staff
surveys. Each draws from its own random stream, so no other table changed.
"""

from __future__ import annotations

import numpy as np

from gapwatch.families.items import load_items
from gapwatch.synth import demographics as demo
from gapwatch.synth.calendar import SchoolCalendar
from gapwatch.synth.names import FIRST, LAST
from gapwatch.synth.population import Population
from gapwatch.synth.schools import Layout
from gapwatch.synth.staffing import Staff
from gapwatch.synth.streams import stream
from gapwatch.synth.util import sigmoid

RELATIONSHIPS = ("PARENT", "STEPPARENT", "GRANDPARENT", "FOSTER_PARENT", "LEGAL_GUARDIAN",
                 "OTHER_RELATIVE", "OTHER")
SURVEY_GRADES = (5, 7, 9, 11)


def guardians(pop: Population, seed: int) -> dict[str, object]:
    """``guardians`` columns (``student``: index into the students)."""
    st = pop.students
    n = len(st.race)
    rng = stream(seed, "guardians")
    count = np.where(rng.random(n) < 0.6, 2, 1)
    student = np.repeat(np.arange(n), count)
    k = student.size
    first = np.r_[True, student[1:] != student[:-1]] if k else np.zeros(0, bool)
    foster = np.zeros(n, bool)
    foster[np.unique(pop.enrollments.student[pop.enrollments.foster])] = True
    u = rng.random(k)
    rel = np.where(u < 0.86, 0, np.where(u < 0.91, 1, np.where(u < 0.96, 2, 5)))
    rel = np.where(foster[student] & first, 3, rel)
    lang = st.language[student]
    english = demo.LANGUAGES.index("English")
    lang = np.where((lang != english) & (rng.random(k) < 0.1), english, lang)
    langs = np.asarray(demo.LANGUAGES)[lang]
    code = rng.random(k) < 0.3  # some districts store ISO codes
    langs = np.where(code & (langs == "Spanish"), "es", langs)
    mail = first | (rng.random(k) < 0.5)
    fi = rng.integers(0, len(FIRST), k)
    li = rng.integers(0, len(LAST), k)
    phone = [f"555-{x:04d}" for x in rng.integers(100, 10_000, k)]
    return {
        "student": student,
        "guardian_id": [f"G{i + 1:07d}" for i in range(k)],
        "relationship": [RELATIONSHIPS[r] for r in rel],
        "preferred_language": langs,
        "receives_mail": mail,
        "first_name": np.asarray(FIRST)[fi],
        "last_name": np.asarray(LAST)[li],
        "phone": phone,
        "email": ([f"family{i + 1}@example.org" for i in range(k)], rng.random(k) < 0.3),
        "address": ([f"{100 + i % 900} Oak St, Bayview CA" for i in range(k)],
                    np.zeros(k, bool)),
        "primary_contact": first,
    }


def family_records(pop: Population, layout: Layout, calendars: list[SchoolCalendar],
                   seed: int) -> dict[str, np.ndarray]:
    """Rows of ``family_engagement`` about one family each (``student`` set)."""
    e, st = pop.enrollments, pop.students
    cols: dict[str, list] = {k: [] for k in ("year", "school", "activity", "day",
                                             "participants", "student", "language")}
    el = e.el == demo.EL_CODES.index("EL")
    for t, cal in enumerate(calendars):
        rng = stream(seed, "family_records", t)
        m = np.flatnonzero(e.year == cal.school_year)
        risk = st.risk[e.student[m]]
        need = layout.need[e.school[m]]
        high = e.grade[m] >= 9
        plans = (
            (0, sigmoid(0.9 - 1.2 * high - 0.5 * risk - 0.2 * need)),  # conference
            (3, sigmoid(-2.2 - 0.3 * need + 0.2 * el[m])),  # workshop
            (1, 0.035 * np.exp(-0.7 * el[m] - 0.5 * e.sed[m])),  # site council
            (2, np.where(el[m], 0.12, 0.004)),  # EL advisory committee
        )
        for activity, p in plans:
            r = m[rng.random(m.size) < p]
            k = r.size
            span = np.maximum(e.exit[r].astype(np.int64) - e.entry[r] + 1, 1)
            day = e.entry[r] + (rng.random(k) * span).astype(np.int64)
            cols["year"].append(np.full(k, cal.school_year, np.int16))
            cols["school"].append(e.school[r])
            cols["activity"].append(np.full(k, activity, np.int8))
            cols["day"].append(cal.days[day])
            cols["participants"].append(rng.integers(1, 3, k).astype(np.int32))
            cols["student"].append(e.student[r].astype(np.int64))
            cols["language"].append(np.asarray(demo.LANGUAGES)[st.language[e.student[r]]])
    return {k: np.concatenate(v) for k, v in cols.items()}


def survey_responses(pop: Population, layout: Layout, calendars: list[SchoolCalendar],
                     staff: Staff, seed: int) -> dict[str, object]:
    """``survey_responses`` columns (``student``: index or -1 for anonymous answers)."""
    items = load_items()
    e, st = pop.enrollments, pop.students
    cols: dict[str, list] = {k: [] for k in ("year", "school", "respondent", "type", "item",
                                             "scale", "response", "grade", "student", "day")}
    serial = 0
    for t, cal in enumerate(calendars):
        rng = stream(seed, "survey", t)
        day = cal.days[int(cal.n_days * 0.45)]
        m = np.flatnonzero((e.year == cal.school_year) & np.isin(e.grade, SURVEY_GRADES))
        m = m[rng.random(m.size) < 0.7]
        climate = -0.6 * st.risk[e.student[m]] - 0.15 * layout.need[e.school[m]]
        people = [("STUDENT", m, climate, e.grade[m], e.student[m].astype(np.int64))]
        p = np.flatnonzero(e.year == cal.school_year)
        p = p[rng.random(p.size) < 0.25]
        people.append(("PARENT", p, 0.2 - 0.1 * layout.need[e.school[p]], e.grade[p],
                       np.full(p.size, -1, np.int64)))
        s = np.flatnonzero(staff.year == cal.school_year)
        s = s[rng.random(s.size) < 0.6]
        people.append(("STAFF", s, 0.1 - 0.1 * layout.need[staff.school[s]],
                       np.full(s.size, -99, np.int8), np.full(s.size, -1, np.int64)))
        for kind, rows, level, grade, student in people:
            school = staff.school[rows] if kind == "STAFF" else e.school[rows]
            latent = level + rng.normal(0, 1, rows.size)
            ids = np.arange(serial, serial + rows.size)
            serial += rows.size
            for item in items.items.values():
                if kind not in items.scales[item.scale].respondents:
                    continue
                points = items.response_scales[item.response_scale].points
                x = latent + rng.normal(0, 0.8, rows.size) + 1.0
                answer = np.clip(np.round((points + 1) / 2 + x * points / 4), 1, points)
                cols["year"].append(np.full(rows.size, cal.school_year, np.int16))
                cols["school"].append(school)
                cols["respondent"].append(ids)
                cols["type"].append(np.full(rows.size, kind))
                cols["item"].append(np.full(rows.size, item.code))
                cols["scale"].append(np.full(rows.size, item.scale))
                cols["response"].append(answer.astype(np.int8))
                cols["grade"].append(grade)
                cols["student"].append(student)
                cols["day"].append(np.full(rows.size, day, np.int32))
    out = {k: np.concatenate(v) for k, v in cols.items()}
    order = np.lexsort((out["item"], out["respondent"], out["year"]))
    return {k: v[order] for k, v in out.items()}
