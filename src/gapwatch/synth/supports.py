"""Tiered interventions (MTSS) and family engagement.

Tier 2 and tier 3 supports go to students with high latent risk and low ability (calibrated to
``tier2_share`` and ``tier3_share``); some are delivered by a community partner of the
school's region offering that service, the rest by a counselor or teacher of the school.
Interventions have no effect on outcomes in this generator: any "effect" found in the data is
selection, a useful caution. Family engagement: conferences, site council and English learner
advisory meetings (ELAC where 21 or more ELs), workshops, a survey, back-to-school events, and
home visits for some families, all fewer per family in high-need schools.
"""

from __future__ import annotations

import numpy as np

from gapwatch.synth import demographics as demo
from gapwatch.synth.calendar import SchoolCalendar
from gapwatch.synth.community import SERVICES, Partners
from gapwatch.synth.params import SynthParams
from gapwatch.synth.population import Population
from gapwatch.synth.schools import Layout
from gapwatch.synth.staffing import COUNSELOR, TEACHER, Staff
from gapwatch.synth.streams import stream
from gapwatch.synth.util import categorical, last_in_run, logistic_intercept, sigmoid

# (type, goal, partner service or "")
TYPES = (
    ("Reading intervention", "Read at grade level", "TUTORING"),
    ("Math intervention", "Meet grade-level math standards", "TUTORING"),
    ("Attendance mentoring", "Attend at least 90% of days", ""),
    ("Check-in/check-out", "Meet daily behavior goals", ""),
    ("Small-group counseling", "Build coping and social skills", "MENTAL_HEALTH"),
    ("Individual counseling", "Reduce barriers to learning", "MENTAL_HEALTH"),
    ("Behavior support plan", "Reduce office referrals", ""),
    ("After-school tutoring", "Complete coursework on time", "AFTER_SCHOOL"),
    ("Family support referral", "Connect the family to services", "FAMILY_SUPPORT"),
)
_TYPE_P = np.array([0.2, 0.16, 0.14, 0.1, 0.1, 0.08, 0.08, 0.08, 0.06])
STATUSES = ("PLANNED", "ACTIVE", "COMPLETED", "DISCONTINUED")
ACTIVITIES = ("CONFERENCE", "SITE_COUNCIL", "EL_ADVISORY", "WORKSHOP", "SURVEY", "HOME_VISIT",
              "OTHER")
# activity, events per school and year [lo, hi), when (share of the year), participants: a
# share of the school's families reached, or a (low, high) range
_PLAN: tuple[tuple[int, tuple[int, int], tuple[float, float], float | tuple[int, int]], ...] = (
    (0, (2, 3), (0.3, 0.75), 0.5),
    (1, (6, 10), (0.05, 0.95), (8, 16)),
    (2, (4, 7), (0.1, 0.9), (5, 25)),
    (3, (3, 11), (0.05, 0.95), (10, 60)),
    (4, (1, 2), (0.55, 0.8), 0.7),
    (6, (1, 4), (0.0, 0.95), (50, 300)),
)


def _last_rows(pop: Population) -> np.ndarray:
    """The last enrollment row of each student in each year."""
    e = pop.enrollments
    key = e.year.astype(np.int64) * 10_000_000 + e.student
    return np.flatnonzero(last_in_run(key))


def interventions(pop: Population, layout: Layout, calendars: list[SchoolCalendar],
                  staff: Staff, partners: Partners, p: SynthParams,
                  seed: int) -> dict[str, object]:
    """``interventions`` columns."""
    rng = stream(seed, "interventions")
    e, st = pop.enrollments, pop.students
    rows = _last_rows(pop)
    risk = st.risk[e.student[rows]].astype(np.float64)
    ability = st.ability[e.student[rows]].astype(np.float64)
    x = 1.2 * (risk - risk.mean()) / risk.std() - 0.8 * (ability - ability.mean()) / ability.std()
    first = e.year[rows] == e.year.min()
    c3 = logistic_intercept(1.5 * x[first], p.tier3_share)
    tier3 = rng.random(rows.size) < sigmoid(c3 + 1.5 * x)
    c2 = logistic_intercept(x[first & ~tier3],
                            p.tier2_share / max(1 - p.tier3_share, 1e-9))
    tier2 = ~tier3 & (rng.random(rows.size) < sigmoid(c2 + x))
    second = tier3 & (rng.random(rows.size) < 0.25)
    sel = np.concatenate([np.flatnonzero(tier2 | tier3), np.flatnonzero(second)])
    sel.sort(kind="stable")
    r = rows[sel]
    tier = np.where(tier3[sel], 3, 2).astype(np.int8)
    k = r.size
    kind = categorical(rng.random(k), _TYPE_P)
    # two supports of one student-year differ in type
    dup = np.r_[False, (r[1:] == r[:-1]) & (kind[1:] == kind[:-1])] if k else r > 0
    kind[dup] = (kind[dup] + 1) % len(TYPES)
    year_idx = e.year[r] - calendars[0].school_year
    n_days = np.array([c.n_days for c in calendars])[year_idx]
    lo = e.entry[r].astype(np.int64) + 10
    hi = np.minimum(e.exit[r].astype(np.int64), n_days - 20)
    start = np.where(lo < hi, lo + (rng.random(k) * (hi - lo)).astype(np.int64),
                     e.entry[r]).astype(np.int64)
    end = np.minimum(start + rng.integers(30, 91, k), n_days - 1)
    last_year = year_idx == len(calendars) - 1
    u = rng.random(k)
    status = np.where(rng.random(k) < 0.8, 2, 3)
    status = np.where(e.has_exit[r] & (u < 0.6), 3, status)
    status = np.where(last_year & (end > n_days * 0.8), 1, status)
    status = np.where(last_year & (u < 0.02), 0, status).astype(np.int8)
    ended = status >= 2
    start_date = np.empty(k, np.int32)
    end_date = np.empty(k, np.int32)
    for y, cal in enumerate(calendars):
        m = year_idx == y
        start_date[m] = cal.days[start[m]]
        end_date[m] = cal.days[end[m]]
    # providers: a partner offering the service (same region first), else school staff
    service = np.array([SERVICES.index(t[2]) if t[2] else -1 for t in TYPES])[kind]
    share = p.partner_intervention_share / max(float(_TYPE_P[[bool(t[2]) for t in TYPES]].sum()),
                                               1e-9)
    by_partner = (service >= 0) & (rng.random(k) < share)
    partner = np.full(k, -1, dtype=np.int64)
    board = layout.board[e.school[r]]
    pu = rng.random(k)
    for s in range(len(SERVICES)):
        offers = np.flatnonzero(partners.services[:, s])
        if offers.size == 0:
            continue
        m = np.flatnonzero(by_partner & (service == s))
        local = partners.board[offers][None, :] == board[m][:, None]
        w = np.where(local, 5.0, 1.0)
        pick = categorical(pu[m], w) if m.size else np.empty(0, np.int64)
        partner[m] = offers[pick]
    staff_rows = np.flatnonzero(np.isin(staff.role, (TEACHER, COUNSELOR)))
    s_key = staff.year[staff_rows].astype(np.int64) * 100_000 + staff.school[staff_rows]
    order = np.argsort(s_key, kind="stable")
    staff_rows, s_key = staff_rows[order], s_key[order]
    want = e.year[r].astype(np.int64) * 100_000 + e.school[r]
    a = np.searchsorted(s_key, want)
    b = np.searchsorted(s_key, want, side="right")
    has_staff = b > a
    provider = np.where(has_staff, staff_rows[np.minimum(a + (rng.random(k) * (b - a)).astype(
        np.int64), np.maximum(b - 1, 0))], -1)
    provider = np.where(partner >= 0, -1, provider)
    good = sigmoid(0.8 * st.ability[e.student[r]] + 0.3)
    uo = rng.random(k)
    outcome = np.where(uo < good * 0.6, "Goal met",
                       np.where(uo < good * 0.6 + 0.3, "Partial progress",
                                "No measurable change"))
    outcome = np.where(status == 3, "Student left the program", outcome)
    return {
        "intervention_id": [f"INT{i + 1:07d}" for i in range(k)],
        "student_row": r,
        "school_year": e.year[r],
        "tier": tier,
        "type": [TYPES[i][0] for i in kind],
        "start_date": start_date,
        "end_date": (end_date, ~ended),
        "provider_staff": (provider, provider < 0),
        "partner_id": [partners.ids[i] if i >= 0 else None for i in partner],
        "status": [STATUSES[s] for s in status],
        "goal": [TYPES[i][1] for i in kind],
        "outcome": [o if s >= 2 else None for o, s in zip(outcome, status, strict=True)],
    }


def family_engagement(pop: Population, layout: Layout, calendars: list[SchoolCalendar],
                      p: SynthParams, seed: int) -> dict[str, object]:
    """``family_engagement`` columns."""
    e, st = pop.enrollments, pop.students
    n = layout.n
    spanish = demo.LANGUAGES.index("Spanish")
    cols: dict[str, list] = {k: [] for k in ("year", "school", "activity", "day", "participants",
                                             "student", "language")}
    for t, cal in enumerate(calendars):
        rng = stream(seed, "engagement", t)
        m = np.flatnonzero(e.year == cal.school_year)
        s = e.school[m]
        size = np.bincount(s, minlength=n).astype(np.float64)
        els = np.bincount(s, weights=e.el[m] == demo.EL, minlength=n)
        spanish_home = np.bincount(s, weights=st.language[e.student[m]] == spanish, minlength=n)
        spanish_school = spanish_home / np.maximum(size, 1) > 0.3
        families = size * 0.85
        reach = np.clip(0.55 - 0.08 * layout.need, 0.2, 0.9)
        nd = cal.n_days
        for activity, (lo, hi), (w0, w1), people in _PLAN:
            count = rng.integers(lo, hi, n) * (size > 0)
            if activity == ACTIVITIES.index("EL_ADVISORY"):
                count = count * (els >= 21)
            sc = np.repeat(np.arange(n), count)
            k = sc.size
            day = (nd * (w0 + (w1 - w0) * rng.random(k))).astype(np.int64)
            if isinstance(people, float):  # a share of the school's families
                expected = families[sc] * reach[sc] * people
            else:  # a range of attendance
                expected = rng.integers(people[0], people[1] + 1, k).astype(np.float64)
            part = np.maximum(1, np.round(expected * rng.lognormal(0, 0.2, k)))
            elac = activity == ACTIVITIES.index("EL_ADVISORY")
            lang = np.where(spanish_school[sc] & (elac | (rng.random(k) < 0.3)), "Spanish",
                            "English")
            cols["year"].append(np.full(k, cal.school_year, np.int16))
            cols["school"].append(sc)
            cols["activity"].append(np.full(k, activity, np.int8))
            cols["day"].append(cal.days[np.minimum(day, nd - 1)])
            cols["participants"].append(part.astype(np.int32))
            cols["student"].append(np.full(k, -1, np.int64))
            cols["language"].append(lang)
        # home visits, one family each
        rows = m
        risk = st.risk[e.student[rows]]
        w = np.exp(0.6 * layout.need[e.school[rows]] + 0.5 * risk)
        visit = rng.random(rows.size) < np.minimum(p.home_visit_share * w / w.mean(), 0.5)
        r = rows[visit]
        k = r.size
        span = np.maximum(e.exit[r].astype(np.int64) - e.entry[r] + 1, 1)
        day = e.entry[r] + (rng.random(k) * span).astype(np.int64)
        cols["year"].append(np.full(k, cal.school_year, np.int16))
        cols["school"].append(e.school[r])
        cols["activity"].append(np.full(k, 5, np.int8))
        cols["day"].append(cal.days[day])
        cols["participants"].append(rng.integers(1, 4, k).astype(np.int32))
        cols["student"].append(e.student[r].astype(np.int64))
        lang = np.asarray(demo.LANGUAGES)[st.language[e.student[r]]]
        cols["language"].append(lang)
    out = {k: np.concatenate(v) for k, v in cols.items()}
    order = np.lexsort((out["activity"], out["day"], out["school"], out["year"]))
    return {k: v[order] for k, v in out.items()}
