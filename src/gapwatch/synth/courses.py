"""Courses, sections and semester marks for grades 6-12, and elementary homerooms.

Each secondary student-year takes six courses: ELA, math (track by ability), science, history,
PE or an elective, and ELD for English learners (else a world language, arts or CTE course).
Students are split into sections of the configured size per school, year and course. Marks
come from achievement + course noise - absences, cut at district-wide quantiles so marks
follow ``mark_shares``. High-school semester courses carry 5 credits, earned unless the mark is
F, NP, I or W; middle-school courses carry none. A student who leaves during a term gets W.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gapwatch.synth import demographics as demo
from gapwatch.synth.assessments import achievement
from gapwatch.synth.calendar import SchoolCalendar
from gapwatch.synth.params import GRADE_LABELS, SynthParams
from gapwatch.synth.population import Population
from gapwatch.synth.schools import Layout
from gapwatch.synth.streams import stream
from gapwatch.synth.util import expand, rank_within

# (course_id, course_name, subject_area, a-g area or "")
CATALOG: tuple[tuple[str, str, str, str], ...] = (
    ("ELA6", "English 6", "ELA", ""), ("ELA7", "English 7", "ELA", ""),
    ("ELA8", "English 8", "ELA", ""),
    ("MATH6", "Math 6", "MATH", ""), ("MATH7", "Math 7", "MATH", ""),
    ("MATH8", "Math 8", "MATH", ""), ("ALG1MS", "Algebra 1 (Middle School)", "MATH", ""),
    ("SCI6", "Science 6", "SCI", ""), ("SCI7", "Science 7", "SCI", ""),
    ("SCI8", "Science 8", "SCI", ""),
    ("HIST6", "World History 6", "SOC", ""), ("HIST7", "World History 7", "SOC", ""),
    ("HIST8", "US History 8", "SOC", ""),
    ("PEMS", "Physical Education", "PE", ""), ("ELDMS", "English Language Development", "ELD", ""),
    ("ARTMS", "Art", "ARTS", ""), ("SPANMS", "Spanish Exploratory", "WL", ""),
    ("CSMS", "Computer Science Discoveries", "CTE", ""),
    ("ENG9", "English 9", "ELA", "b"), ("ENG10", "English 10", "ELA", "b"),
    ("ENG11", "English 11", "ELA", "b"), ("APLANG", "AP English Language", "ELA", "b"),
    ("ERWC", "Expository Reading and Writing", "ELA", "b"),
    ("APLIT", "AP English Literature", "ELA", "b"),
    ("ALG1", "Algebra 1", "MATH", "c"), ("GEOM", "Geometry", "MATH", "c"),
    ("ALG2", "Algebra 2", "MATH", "c"), ("PRECALC", "Precalculus", "MATH", "c"),
    ("STATS", "Statistics", "MATH", "c"),
    ("BIO", "Biology", "SCI", "d"), ("CHEM", "Chemistry", "SCI", "d"),
    ("PHYS", "Physics", "SCI", "d"), ("ENVSCI", "Environmental Science", "SCI", "d"),
    ("ANAT", "Anatomy and Physiology", "SCI", "d"),
    ("ETHST", "Ethnic Studies", "SOC", "g"), ("WHIST", "World History", "SOC", "a"),
    ("USHIST", "US History", "SOC", "a"), ("GOVECON", "Government and Economics", "SOC", "a"),
    ("PE9", "Physical Education 9", "PE", ""), ("PE10", "Physical Education 10", "PE", ""),
    ("CTEHLTH", "Health Science Pathway", "CTE", "g"),
    ("CTECS", "Computer Science Pathway", "CTE", "g"),
    ("ELDHS", "English Language Development", "ELD", ""),
    ("SPAN1", "Spanish 1", "WL", "e"), ("SPAN2", "Spanish 2", "WL", "e"),
    ("SPAN3", "Spanish 3", "WL", "e"),
    ("ART1", "Visual Arts", "ARTS", "f"), ("MUSIC1", "Music", "ARTS", "f"),
    *((f"HR-{g}", f"Homeroom Grade {g}", "OTHER", "") for g in GRADE_LABELS[:7]),
)
COURSE = {c[0]: i for i, c in enumerate(CATALOG)}
MARKS = ("A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F", "P", "NP",
         "I", "W")
_NO_CREDIT = np.array([m in ("F", "NP", "I", "W") for m in MARKS])
TERMS = ("S1", "S2")
NONE = -1


def _c(name: str) -> int:
    return COURSE[name]


def _schedule(grade: int, q: np.ndarray, el: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Course of each of six slots (columns) for students of ``grade``: -1 = no course.

    ``q`` is the ability percentile, ``el`` current EL, ``u`` a stable per-student uniform.
    """
    n = q.size
    out = np.full((n, 6), NONE, dtype=np.int16)
    top = q > 0.75
    if grade <= 8:
        out[:, 0] = _c(f"ELA{grade}")
        out[:, 1] = np.where((grade == 8) & (q > 0.8), _c("ALG1MS"), _c(f"MATH{grade}"))
        out[:, 2] = _c(f"SCI{grade}")
        out[:, 3] = _c(f"HIST{grade}")
        out[:, 4] = _c("PEMS")
        elective = np.select([u < 0.5, u < 0.75], [_c("ARTMS"), _c("SPANMS")], _c("CSMS"))
        out[:, 5] = np.where(el, _c("ELDMS"), elective)
        return out
    ela = {9: _c("ENG9"), 10: _c("ENG10"), 11: _c("ENG11"), 12: _c("ERWC")}[grade]
    ap = {11: _c("APLANG"), 12: _c("APLIT")}.get(grade, ela)
    out[:, 0] = np.where(q > 0.85, ap, ela)
    low, high = {9: ("ALG1", "GEOM"), 10: ("GEOM", "ALG2"), 11: ("ALG2", "PRECALC"),
                 12: ("STATS", "PRECALC")}[grade]
    out[:, 1] = np.where(top, _c(high), _c(low))
    if grade == 12:
        out[:, 1] = np.where(q < 0.35, NONE, out[:, 1])
    sci = {9: _c("BIO"), 10: _c("CHEM"), 11: _c("PHYS"), 12: _c("ANAT")}[grade]
    out[:, 2] = sci
    if grade == 11:
        out[:, 2] = np.where(q < 0.5, _c("ENVSCI"), sci)
    if grade == 12:
        out[:, 2] = np.where(u < 0.5, sci, NONE)
    out[:, 3] = {9: _c("ETHST"), 10: _c("WHIST"), 11: _c("USHIST"), 12: _c("GOVECON")}[grade]
    if grade <= 10:
        out[:, 4] = _c(f"PE{grade}")
    else:
        out[:, 4] = np.select([u < 0.3, u < 0.6], [_c("CTEHLTH"), _c("CTECS")], NONE)
    wl = {9: _c("SPAN1"), 10: _c("SPAN2"), 11: _c("SPAN3")}.get(grade, _c("ART1"))
    art = np.where(u * 7 % 1 < 0.5, _c("ART1"), _c("MUSIC1"))
    out[:, 5] = np.where(el, _c("ELDHS"), np.where(u < 0.6, wl, art))
    return out


@dataclass
class Sections:
    """One entry per section, year by year (secondary sections, then homerooms)."""

    year: np.ndarray  # int16
    school: np.ndarray  # int32
    course: np.ndarray  # int16 into CATALOG
    number: np.ndarray  # int16, 1-based
    enrolled: np.ndarray  # int32

    def __len__(self) -> int:
        return int(self.year.size)


@dataclass
class Marks:
    """One entry per student, course and term."""

    row: np.ndarray  # enrollment row
    course: np.ndarray  # int16
    term: np.ndarray  # int8 into TERMS
    mark: np.ndarray  # int8 into MARKS
    credits: np.ndarray  # int8 attempted
    earned: np.ndarray  # int8
    section: np.ndarray  # int32 index into Sections


def generate(pop: Population, layout: Layout, calendars: list[SchoolCalendar],
             absence: np.ndarray, p: SynthParams, seed: int) -> tuple[Sections, Marks]:
    """Secondary sections and marks, plus elementary homerooms (sections without marks)."""
    e, st = pop.enrollments, pop.students
    marks: list[Marks] = []
    secs: list[Sections] = []
    n_sections = 0
    shares = p.shares("mark_shares")
    letter_share = np.array([shares[m] for m in MARKS[:13]])
    # cumulative share from the worst mark up, for the quantile cuts
    cum = np.cumsum(letter_share[::-1])[:-1]
    for t, cal in enumerate(calendars):
        rng = stream(seed, "courses", t)
        y = cal.school_year
        rows = np.flatnonzero((e.year == y) & (e.grade >= 6))
        stu = e.student[rows]
        ability = st.ability[stu]
        q = np.empty(rows.size)
        q[np.argsort(ability, kind="stable")] = (np.arange(rows.size) + 0.5) / max(rows.size, 1)
        el = e.el[rows] == demo.EL
        u = st.dual_u[stu].astype(np.float64)  # stable per student
        slots = np.full((rows.size, 6), NONE, dtype=np.int16)
        for g in range(6, 13):
            m = e.grade[rows] == g
            slots[m] = _schedule(g, q[m], el[m], u[m])
        r_idx, slot = np.nonzero(slots >= 0)
        crow = rows[r_idx]  # one entry per student-course (at one school)
        course = slots[r_idx, slot]
        # sections: split each (school, course) into sections of the class size
        size = np.where(np.isin(course, (_c("ELDMS"), _c("ELDHS"))), p.eld_class_size,
                        p.secondary_class_size)
        group = e.school[crow].astype(np.int64) * len(CATALOG) + course
        ug, inv, counts = np.unique(group, return_inverse=True, return_counts=True)
        g_size = np.zeros(ug.size)
        np.maximum.at(g_size, inv, size)
        n_sec = np.maximum(1, np.ceil(counts / g_size)).astype(np.int64)
        rank = rank_within(inv, rng.random(inv.size))
        number = rank % n_sec[inv]
        sec_owner, sec_pos = expand(n_sec)
        sec_group = ug[sec_owner]
        sec_first = np.r_[0, np.cumsum(n_sec)[:-1]]
        enrolled = np.bincount(sec_first[inv] + number, minlength=int(n_sec.sum()))
        secs.append(Sections(
            year=np.full(sec_owner.size, y, np.int16),
            school=(sec_group // len(CATALOG)).astype(np.int32),
            course=(sec_group % len(CATALOG)).astype(np.int16),
            number=(sec_pos + 1).astype(np.int16),
            enrolled=enrolled.astype(np.int32),
        ))
        section = n_sections + sec_first[inv] + number
        n_sections += int(n_sec.sum())
        # marks for each term the enrollment overlaps
        ach = achievement(pop, layout, p, rng, crow) + rng.normal(0, 0.6, crow.size)
        ach -= 3.0 * absence[crow]
        s1_end = cal.semester1_end
        bounds = ((0, s1_end), (s1_end + 1, cal.n_days - 1))
        for ti, (lo, hi) in enumerate(bounds):
            ok = (e.entry[crow] <= hi) & (e.exit[crow] >= lo)
            r, c, sec = crow[ok], course[ok], section[ok]
            latent = ach[ok] + rng.normal(0, 0.35, r.size)
            cuts = np.quantile(latent, cum) if latent.size else np.zeros(cum.size)
            mark = (12 - np.searchsorted(cuts, latent, side="right")).astype(np.int8)
            area = np.array([CATALOG[k][2] for k in range(len(CATALOG))])[c]
            pnp = np.isin(area, ("PE", "ARTS")) & (rng.random(r.size) < p.pass_no_pass_share)
            mark[pnp] = np.where(mark[pnp] == 12, MARKS.index("NP"), MARKS.index("P"))
            mark[rng.random(r.size) < p.incomplete_share] = MARKS.index("I")
            mark[e.has_exit[r] & (e.exit[r] < hi)] = MARKS.index("W")
            credits = np.where(e.grade[r] >= 9, 5, 0).astype(np.int8)
            earned = np.where(_NO_CREDIT[mark], 0, credits).astype(np.int8)
            marks.append(Marks(r, c, np.full(r.size, ti, np.int8), mark, credits, earned, sec))
        # elementary homerooms (TK-5): sections without marks
        hr = np.flatnonzero((e.year == y) & (e.grade <= 5))
        hr_group = e.school[hr].astype(np.int64) * 7 + (e.grade[hr] + 1)
        ug, counts = np.unique(hr_group, return_counts=True)
        n_hr = np.maximum(1, np.round(counts / p.elementary_class_size)).astype(np.int64)
        owner, pos = expand(n_hr)
        base = counts[owner] // n_hr[owner]
        extra = (pos < counts[owner] % n_hr[owner]).astype(np.int64)
        secs.append(Sections(
            year=np.full(owner.size, y, np.int16),
            school=(ug[owner] // 7).astype(np.int32),
            course=np.array([_c(f"HR-{g}") for g in GRADE_LABELS[:7]], np.int16)[ug[owner] % 7],
            number=(pos + 1).astype(np.int16),
            enrolled=(base + extra).astype(np.int32),
        ))
        n_sections += owner.size
    sections = Sections(*(np.concatenate([getattr(s, f) for s in secs]) for f in
                          ("year", "school", "course", "number", "enrolled")))
    all_marks = Marks(*(np.concatenate([getattr(m, f) for m in marks]) for f in
                        ("row", "course", "term", "mark", "credits", "earned", "section")))
    return sections, all_marks
