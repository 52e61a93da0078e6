"""Students and their enrollments across the generated years.

Year by year: statuses of the year (SED, EL, SWD, foster, homeless, ...), mid-year events
(transfers between schools, leaving the district, dropping out), the end-of-year outcome of
seniors, then the summer: grades advance (a few repeat), students move up the feeder pattern,
some change school or leave, and new students arrive (TK/K cohorts and newcomers, some from
abroad). Everything is vectorized over students; loops run over years only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gapwatch.synth import demographics as demo
from gapwatch.synth.calendar import SchoolCalendar
from gapwatch.synth.params import GRADE_LABELS, SynthParams
from gapwatch.synth.schools import ALT, Layout
from gapwatch.synth.streams import stream
from gapwatch.synth.util import categorical, logistic_intercept, sigmoid

# Why an enrollment row ends (internal).
STAYS, TRANSFER, LEFT_MIDYEAR, DROPOUT_MIDYEAR = range(4)
# Final outcomes of students (internal).
OUT_NONE, OUT_GRAD, OUT_DROPOUT, OUT_HSE, OUT_CERT, OUT_LEFT = range(6)


@dataclass
class Enrollments:
    """Enrollment rows of every year, sorted by year, student, and entry."""

    year: np.ndarray  # int16 school year
    student: np.ndarray  # int32
    school: np.ndarray  # int32
    grade: np.ndarray  # int8, -1 = TK
    entry: np.ndarray  # int16 index of the first instructional day
    exit: np.ndarray  # int16 index of the last instructional day enrolled
    has_exit: np.ndarray  # bool: exit_date is written
    reason: np.ndarray  # int8 STAYS, TRANSFER, LEFT_MIDYEAR, DROPOUT_MIDYEAR
    sed: np.ndarray
    frpm: np.ndarray
    el: np.ndarray  # int8 into demographics.EL_CODES
    swd: np.ndarray
    foster: np.ndarray
    homeless: np.ndarray
    migrant: np.ndarray
    dual: np.ndarray
    days_absent: np.ndarray = field(default_factory=lambda: np.empty(0, np.int16))

    def __len__(self) -> int:
        return int(self.year.size)

    @property
    def days_enrolled(self) -> np.ndarray:
        return (self.exit.astype(np.int32) - self.entry + 1).astype(np.int16)


@dataclass
class Population:
    """Students, their enrollment rows, and how and when each left."""

    students: demo.Students
    enrollments: Enrollments
    outcome: np.ndarray  # int8 OUT_* per student
    outcome_year: np.ndarray  # int16 school year of the outcome
    outcome_day: np.ndarray  # int32 day number (graduation date)
    model: demo.Model


def simulate(
    layout: Layout,
    calendars: list[SchoolCalendar],
    n_students: int,
    p: SynthParams,
    seed: int,
) -> Population:
    """Simulate ``n_students`` first-year students and their district over the calendars."""
    first_year = calendars[0].school_year
    rng = stream(seed, "population", 0)
    served = layout.served_grades
    gshare = np.array([p.shares("grade_shares").get(g, 0.0) for g in GRADE_LABELS]) * served
    grade = (categorical(rng.random(n_students), gshare) - 1).astype(np.int8)
    grade.sort(kind="stable")
    area = categorical(rng.random(n_students), layout.area_weight).astype(np.int32)
    school = layout.pick(area, grade, rng.random(n_students))
    zs = p.segregation * layout.need[school]
    model = demo.calibrate(zs, grade, p)
    students = demo.draw(model, zs, grade, first_year, p, rng, first=True)
    # alternative schools start with at-risk students of grades 10-12
    risk_cut = np.quantile(students.risk, 0.8)
    to_alt = (grade >= 10) & (students.risk > risk_cut) & (
        rng.random(n_students) < 2 * p.alt_placement_rate)
    alt = layout.pick_alt(layout.board[school[to_alt]], rng.random(int(to_alt.sum())))
    school[np.flatnonzero(to_alt)[alt >= 0]] = alt[alt >= 0]
    # a few seniors are already in their fifth year
    fifth = (grade == 12) & (rng.random(n_students) < 0.04)
    students.egy[fifth] -= 1
    entry = np.where(rng.random(n_students) < 0.02,
                     rng.integers(1, calendars[0].n_days - 30, n_students), 0).astype(np.int16)

    n_total = n_students
    outcome = np.zeros(n_total, dtype=np.int8)
    outcome_year = np.zeros(n_total, dtype=np.int16)
    outcome_day = np.zeros(n_total, dtype=np.int32)
    hs = grade >= 9
    drop_c = logistic_intercept(students.risk[hs].astype(np.float64), p.dropout_rate)
    senior = grade == 12
    grad_x = 0.9 * students.ability[senior] - 0.5 * students.risk[senior]
    grad_c = logistic_intercept(grad_x.astype(np.float64), p.grad_rate_grade12)

    roster_stu = np.arange(n_students, dtype=np.int32)
    roster_grade, roster_school, roster_entry = grade, school, entry
    parts: list[Enrollments] = []
    for t, cal in enumerate(calendars):
        year = cal.school_year
        rng = stream(seed, "population", t + 1)
        if t > 0:
            new = _arrivals(layout, cal, roster_grade, n_students, t, p, model, rng)
            new_st, new_grade, new_school, new_entry = new
            base = len(students)
            students.append(new_st)
            m = len(new_st)
            outcome = np.concatenate([outcome, np.zeros(m, np.int8)])
            outcome_year = np.concatenate([outcome_year, np.zeros(m, np.int16)])
            outcome_day = np.concatenate([outcome_day, np.zeros(m, np.int32)])
            roster_stu = np.concatenate([roster_stu, np.arange(base, base + m, dtype=np.int32)])
            roster_grade = np.concatenate([roster_grade, new_grade])
            roster_school = np.concatenate([roster_school, new_school])
            roster_entry = np.concatenate([roster_entry, new_entry])
        rows, final_school, stays = _one_year(
            layout, cal, students, roster_stu, roster_grade, roster_school, roster_entry, p, rng,
            drop_c, outcome, outcome_year,
        )
        parts.append(rows)
        # end of year: seniors' outcomes, summer dropouts and leavers, promotion
        keep, next_grade = _end_of_year(
            students, roster_stu, roster_grade, final_school, stays, year, cal, p, rng, drop_c,
            grad_c, outcome, outcome_year, outcome_day,
        )
        # promoted to a grade no school of the district serves: they leave over the summer
        gone = keep & ~served[next_grade + 1]
        outcome[roster_stu[gone]] = OUT_LEFT
        outcome_year[roster_stu[gone]] = year
        keep &= ~gone
        roster_stu = roster_stu[keep]
        roster_grade = next_grade[keep]
        roster_school = _next_school(layout, students, roster_stu, roster_grade,
                                     final_school[keep], p, rng)
        roster_entry = np.zeros(roster_stu.size, dtype=np.int16)

    enroll = _concat(parts)
    return Population(students, enroll, outcome, outcome_year, outcome_day, model)


def _one_year(
    layout: Layout,
    cal: SchoolCalendar,
    st: demo.Students,
    stu: np.ndarray,
    grade: np.ndarray,
    school: np.ndarray,
    entry: np.ndarray,
    p: SynthParams,
    rng: np.random.Generator,
    drop_c: float,
    outcome: np.ndarray,
    outcome_year: np.ndarray,
) -> tuple[Enrollments, np.ndarray, np.ndarray]:
    """Enrollment rows of one year; the school each student ends the year at; who stays."""
    year, n_days, n = cal.school_year, cal.n_days, stu.size
    # statuses of the year
    rho_h, rho_f = 0.6, 0.7
    if year > st.arrival_year[stu].min():
        old = st.arrival_year[stu] < year
        idx = stu[old]
        h_in = p.homeless_share * (1 - rho_h) / (1 - p.homeless_share)
        f_in = p.foster_share * (1 - rho_f) / (1 - p.foster_share)
        uh, uf = rng.random(idx.size), rng.random(idx.size)
        st.homeless[idx] = np.where(st.homeless[idx], uh < rho_h,
                                    uh < np.minimum(h_in * st.homeless_mult[idx], 0.9))
        st.foster[idx] = np.where(st.foster[idx], uf < rho_f,
                                  uf < np.minimum(f_in * st.foster_mult[idx], 0.9))
    homeless, foster, migrant = st.homeless[stu], st.foster[stu], st.migrant[stu]
    sed = (st.sed_base[stu] ^ (rng.random(n) < 0.03)) | homeless | foster | migrant
    frpm = sed & (st.frpm_u[stu] < p.frpm_given_sed)
    el = demo.el_status(st, stu, year)
    first_year_here = st.newcomer[stu] & (st.arrival_year[stu] == year)
    tbd = first_year_here & (el != demo.EO) & (rng.random(n) < p.tbd_share)
    el[tbd] = demo.TBD
    swd = st.swd_ever[stu] & (st.swd_onset[stu] <= grade)
    dual = (layout.dual_language[school] & (grade <= 8)
            & (st.dual_u[stu] < p.dual_language_student_share))

    # mid-year events: transfer, leave the district, drop out
    mult = 1 + homeless + foster
    p_tr = p.transfer_rate * mult / mult.mean()
    p_lm = np.full(n, p.leave_rate * p.midyear_leave_share)
    risk = st.risk[stu].astype(np.float64)
    p_dm = np.where(grade >= 9, sigmoid(drop_c + risk) * p.midyear_dropout_share, 0.0)
    u = rng.random(n)
    event = np.select([u < p_tr, u < p_tr + p_lm, u < p_tr + p_lm + p_dm],
                      [TRANSFER, LEFT_MIDYEAR, DROPOUT_MIDYEAR], STAYS).astype(np.int8)
    lo = entry.astype(np.int64) + 10
    hi = n_days - 10
    event[lo >= hi] = STAYS
    day = np.minimum(lo + (rng.random(n) * np.maximum(hi - lo, 1)).astype(np.int64), hi - 1)

    # where transfers go: another school of the area (at-risk high schoolers: alternative)
    moving = np.flatnonzero(event == TRANSFER)
    area = layout.area[school[moving]]
    g = grade[moving]
    target = layout.pick(area, g, rng.random(moving.size))
    again = layout.pick_anywhere(g, rng.random(moving.size))
    target = np.where(target == school[moving], again, target)
    to_alt = (g >= 10) & (risk[moving] > 1.0) & (rng.random(moving.size) < 0.3)
    alt = layout.pick_alt(layout.board[school[moving]], rng.random(moving.size))
    target = np.where(to_alt & (alt >= 0) & (alt != school[moving]), alt, target)
    same = target == school[moving]
    event[moving[same]] = STAYS
    moving, target = moving[~same], target[~same]

    exit_ = np.full(n, n_days - 1, dtype=np.int64)
    ends = event != STAYS
    exit_[ends] = day[ends]
    exit_[event == TRANSFER] = day[event == TRANSFER] - 1
    gap = rng.integers(0, 5, moving.size)
    entry2 = np.minimum(day[moving] + gap, n_days - 1)

    def rows(sel: np.ndarray, sch: np.ndarray, ent: np.ndarray, ext: np.ndarray,
             has_exit: np.ndarray, reason: np.ndarray) -> Enrollments:
        return Enrollments(
            year=np.full(sel.size, year, dtype=np.int16), student=stu[sel],
            school=sch.astype(np.int32), grade=grade[sel], entry=ent.astype(np.int16),
            exit=ext.astype(np.int16), has_exit=has_exit, reason=reason.astype(np.int8),
            sed=sed[sel], frpm=frpm[sel], el=el[sel], swd=swd[sel], foster=foster[sel],
            homeless=homeless[sel], migrant=migrant[sel], dual=dual[sel],
        )

    everyone = np.arange(n)
    first_rows = rows(everyone, school, entry, exit_, ends, event)
    second = rows(moving, target, entry2, np.full(moving.size, n_days - 1),
                  np.zeros(moving.size, bool), np.full(moving.size, STAYS))
    second.dual = layout.dual_language[target] & (grade[moving] <= 8) & (
        st.dual_u[stu[moving]] < p.dual_language_student_share)
    final_school = school.copy()
    final_school[moving] = target
    left = event == LEFT_MIDYEAR
    dropped = event == DROPOUT_MIDYEAR
    outcome[stu[left]] = OUT_LEFT
    hse = dropped & (rng.random(n) < p.hse_share)
    outcome[stu[dropped]] = np.where(hse[dropped], OUT_HSE, OUT_DROPOUT)
    outcome_year[stu[left | dropped]] = year
    stays = (event == STAYS) | (event == TRANSFER)
    return _concat([first_rows, second]), final_school, stays


def _end_of_year(
    st: demo.Students,
    stu: np.ndarray,
    grade: np.ndarray,
    school: np.ndarray,
    stays: np.ndarray,
    year: int,
    cal: SchoolCalendar,
    p: SynthParams,
    rng: np.random.Generator,
    drop_c: float,
    grad_c: float,
    outcome: np.ndarray,
    outcome_year: np.ndarray,
    outcome_day: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Seniors graduate or not; summer dropouts and leavers; next year's grade of everyone."""
    n = stu.size
    ability = st.ability[stu].astype(np.float64)
    risk = st.risk[stu].astype(np.float64)
    swd = st.swd_ever[stu]
    u = rng.random((6, n))
    senior = stays & (grade == 12)
    fifth = st.egy[stu] < year
    p_grad = np.where(
        fifth,
        sigmoid(np.log(p.fifth_year_grad_rate / (1 - p.fifth_year_grad_rate)) + 0.5 * ability),
        sigmoid(grad_c + 0.9 * ability - 0.5 * risk),
    )
    grad = senior & (u[0] < p_grad)
    cert = senior & ~grad & swd & (u[1] < p.cert_share_swd)
    repeat = senior & ~grad & ~cert & ~fifth & (u[2] < p.fifth_year_share)
    senior_drop = senior & ~grad & ~cert & ~repeat
    hs = stays & (grade >= 9) & (grade <= 11)
    summer_drop = hs & (u[3] < sigmoid(drop_c + risk) * (1 - p.midyear_dropout_share))
    dropout = senior_drop | summer_drop
    leave = stays & ~grad & ~cert & ~dropout & (
        u[4] < p.leave_rate * (1 - p.midyear_leave_share))
    hse = dropout & (u[5] < p.hse_share)
    outcome[stu[grad]] = OUT_GRAD
    outcome[stu[cert]] = OUT_CERT
    outcome[stu[dropout]] = np.where(hse[dropout], OUT_HSE, OUT_DROPOUT)
    outcome[stu[leave]] = OUT_LEFT
    done = grad | cert | dropout | leave
    outcome_year[stu[done]] = year
    outcome_day[stu[grad | cert]] = cal.last_day + rng.integers(0, 4, int((grad | cert).sum()))
    keep = stays & ~done
    retention = np.where(grade >= 9, p.retention_rate_hs, p.retention_rate_k8)
    retained = (u[2] < retention) & (grade < 12)
    # the four-year cohort is set by the first year in grade 9: repeating K-8 delays it
    st.egy[stu[keep & retained & (grade <= 8)]] += 1
    next_grade = np.where(retained | repeat, grade, np.minimum(grade + 1, 12)).astype(np.int8)
    return keep, next_grade


def _next_school(
    layout: Layout,
    st: demo.Students,
    stu: np.ndarray,
    grade: np.ndarray,
    school: np.ndarray,
    p: SynthParams,
    rng: np.random.Generator,
) -> np.ndarray:
    """Next year's school: move up the feeder pattern, change school, or go to alternative."""
    n = stu.size
    area = layout.area[school]
    school = school.copy()
    u = rng.random((4, n))
    moves = ~layout.serves(school, grade) | (u[0] < p.school_change_rate)
    school[moves] = layout.pick(area[moves], grade[moves], u[1][moves])
    risk = st.risk[stu]
    cut = np.quantile(risk, 0.8) if n else 0.0
    at_risk = (grade >= 10) & (risk > cut)
    to_alt = at_risk & (u[2] < p.alt_placement_rate) & (layout.kind[school] != ALT)
    alt = layout.pick_alt(layout.board[school[to_alt]], u[3][to_alt])
    school[np.flatnonzero(to_alt)[alt >= 0]] = alt[alt >= 0]
    return school


def _arrivals(
    layout: Layout,
    cal: SchoolCalendar,
    continuing_grade: np.ndarray,
    n_first: int,
    t: int,
    p: SynthParams,
    model: demo.Model,
    rng: np.random.Generator,
) -> tuple[demo.Students, np.ndarray, np.ndarray, np.ndarray]:
    """New students of year ``t``: TK and K cohorts, and newcomers in grades 1-12."""
    gshare = p.shares("grade_shares")
    trend = (1 + p.kindergarten_trend) ** t
    counts = np.bincount(continuing_grade + 1, minlength=14)
    new = np.zeros(14, dtype=np.int64)
    new[0] = round(n_first * gshare["TK"] * trend)
    new[1] = max(0, round(n_first * gshare["K"] * trend) - int(counts[1]))
    new[2:] = np.round(counts[2:] * p.newcomer_rate).astype(np.int64)
    new[~layout.served_grades] = 0
    grade = np.repeat(np.arange(-1, 13, dtype=np.int8), new)
    m = grade.size
    area = categorical(rng.random(m), layout.area_weight).astype(np.int32)
    school = layout.pick(area, grade, rng.random(m))
    late_share = np.where(grade >= 1, p.late_entry_share, p.late_entry_share / 5)
    late = rng.random(m) < late_share
    entry = np.where(late, rng.integers(1, cal.n_days - 20, m), 0).astype(np.int16)
    immigrant = (grade >= 1) & (rng.random(m) < p.newcomer_immigrant_share)
    arrival_day = cal.days[entry]
    zs = p.segregation * layout.need[school]
    st = demo.draw(model, zs, grade, cal.school_year, p, rng, immigrant=immigrant,
                   arrival_day=arrival_day)
    st.newcomer = grade >= 1
    return st, grade, school, entry


def _concat(parts: list[Enrollments]) -> Enrollments:
    names = [k for k in parts[0].__dict__ if k != "days_absent"]
    cols = {k: np.concatenate([getattr(part, k) for part in parts]) for k in names}
    order = np.lexsort((cols["entry"], cols["student"], cols["year"]))
    return Enrollments(**{k: v[order] for k, v in cols.items()})
