"""The whole synthetic district in memory, and its contract tables.

:func:`simulate` runs every step (schools, population, discipline, absences, tests, courses,
staff, sections, budgets, cohorts, community, supports) from one seed; :meth:`District.tables`
turns the results into Arrow tables of the contract, one at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gapwatch.contract import table as contract_table
from gapwatch.synth import (
    assessments,
    attendance,
    community,
    courses,
    discipline,
    families,
    graduation,
    money,
    names,
    staffing,
    supports,
)
from gapwatch.synth import demographics as demo
from gapwatch.synth.calendar import SchoolCalendar, build_calendar
from gapwatch.synth.params import SynthParams
from gapwatch.synth.population import Population
from gapwatch.synth.population import simulate as simulate_population
from gapwatch.synth.schools import TYPE_CODE, Layout, build_layout
from gapwatch.synth.streams import stream
from gapwatch.synth.writer import labels, to_arrow

#: Steps of :func:`simulate`, in order (for progress display).
STEPS = ("schools", "students and enrollments", "discipline", "absences", "assessments",
         "courses and sections", "staff", "graduation cohorts", "budgets", "community",
         "interventions and engagement", "families and surveys")


@dataclass
class District:
    """Everything generated, before it is written."""

    params: SynthParams
    seed: int
    calendars: list[SchoolCalendar]
    layout: Layout
    pop: Population
    incidents: discipline.Incidents
    suspended: np.ndarray  # days out of school per enrollment row
    propensity: np.ndarray  # daily absence probability per enrollment row
    scores: assessments.Scores
    sections: courses.Sections
    marks: courses.Marks
    staff: staffing.Staff
    teaching: dict[str, np.ndarray]
    cohorts: graduation.Cohorts
    is_title1: np.ndarray
    budgets: money.Budgets
    partners: community.Partners
    context: dict[str, object]
    interventions: dict[str, object]
    engagement: dict[str, object]
    guardians: dict[str, object]
    survey: dict[str, object]

    @property
    def years(self) -> list[int]:
        return [c.school_year for c in self.calendars]

    def student_ids(self) -> pa.Array:
        """Student identifiers (9 digits), indexed by student number."""
        n = len(self.pop.students)
        return pa.array(np.arange(100_000_001, 100_000_001 + n, dtype=np.int64)).cast(
            pa.string())

    def school_ids(self) -> pa.Array:
        return pa.array(self.layout.ids, pa.string())

    def staff_ids(self) -> pa.Array:
        """Staff identifiers indexed by staff row."""
        return pc.binary_join_element_wise(
            "E", pc.utf8_lpad(pa.array(self.staff.staff + 1).cast(pa.string()), 6, "0"),
            "")

    # ---------------------------------------------------------------------------------------
    def table_names(self, daily_attendance: bool) -> list[str]:
        names = ["schools", "students", "enrollments", "attendance_daily", "assessments",
                 "course_marks", "discipline", "graduation_cohorts", "staff", "sections",
                 "budgets", "family_engagement", "community_context", "community_partners",
                 "interventions", "guardians", "survey_responses"]
        return [n for n in names if daily_attendance or n != "attendance_daily"]

    def tables(self, daily_attendance: bool = False) -> Iterator[tuple[str, pa.Table]]:
        """(name, Arrow table) of every contract table (attendance_daily excluded)."""
        sid, school_ids = self.student_ids(), self.school_ids()
        builders: dict[str, Callable[[], dict[str, object]]] = {
            "schools": self._schools,
            "students": lambda: self._students(sid),
            "enrollments": lambda: self._enrollments(sid, school_ids),
            "assessments": lambda: self._assessments(sid, school_ids),
            "course_marks": lambda: self._course_marks(sid, school_ids),
            "discipline": lambda: self._discipline(sid, school_ids),
            "graduation_cohorts": lambda: self._cohorts(sid, school_ids),
            "staff": lambda: self._staff(school_ids),
            "sections": lambda: self._sections(school_ids),
            "budgets": lambda: self._budgets(school_ids),
            "family_engagement": lambda: self._engagement(sid, school_ids),
            "community_context": lambda: self.context,
            "community_partners": lambda: self.partners.columns,
            "interventions": lambda: self._interventions(sid),
            "guardians": lambda: self._guardians(sid),
            "survey_responses": lambda: self._survey(sid, school_ids),
        }
        for name in self.table_names(False):
            yield name, to_arrow(contract_table(name), builders[name]())

    def daily_attendance(self) -> tuple[pa.Schema, Iterator[tuple[int, pa.Table]]]:
        """Schema and batches of ``attendance_daily``: (enrollment rows done, batch)."""
        t = contract_table("attendance_daily")
        batches = attendance.daily_batches(self.pop, self.calendars, self.incidents,
                                           self.suspended, self.student_ids(), self.school_ids(),
                                           self.seed)
        schema = pa.schema([pa.field("student_id", pa.string()),
                            pa.field("school_id", pa.string()), pa.field("date", pa.date32()),
                            pa.field("status", pa.string()),
                            pa.field("minutes_absent", pa.int32())])
        assert list(schema.names) == list(t.column_names)
        return schema, batches

    # --- one builder per table -------------------------------------------------------------
    def _schools(self) -> dict[str, object]:
        lay, p = self.layout, self.params
        return {
            "school_id": lay.ids,
            "school_name": lay.names,
            "district_id": [p.district_id] * lay.n,
            "district_name": [p.district_name] * lay.n,
            "school_type": [TYPE_CODE[k] for k in lay.kind],
            "grade_low": lay.grade_low,
            "grade_high": lay.grade_high,
            "board_district": lay.board.astype(np.int64),
            "is_charter": lay.charter,
            "is_title1": self.is_title1,
        }

    def _students(self, sid: pa.Array) -> dict[str, object]:
        st = self.students
        last = self.years[-1]
        reclassified = st.reclass_year <= last
        first_name, last_name = names.student_names(len(sid), self.seed)
        return {
            "student_id": sid,
            "race_ethnicity": labels(demo.RACES, st.race),
            "gender": labels(demo.GENDERS, st.gender),
            "birth_date": st.birth,
            "home_language": labels(demo.LANGUAGES, st.language),
            "us_school_entry_date": st.us_entry_date,
            "reclassification_date": (st.reclass_date, ~reclassified),
            "first_name": first_name,
            "last_name": last_name,
        }

    @property
    def students(self) -> demo.Students:
        return self.pop.students

    def _dates(self, year: np.ndarray, day: np.ndarray) -> np.ndarray:
        out = np.empty(day.size, dtype=np.int32)
        first = self.calendars[0].school_year
        for i, cal in enumerate(self.calendars):
            m = year == first + i
            out[m] = cal.days[day[m]]
        return out

    def _enrollments(self, sid: pa.Array, school_ids: pa.Array) -> dict[str, object]:
        e = self.pop.enrollments
        swd = e.swd
        return {
            "school_year": e.year,
            "student_id": sid.take(pa.array(e.student)),
            "school_id": school_ids.take(pa.array(e.school)),
            "grade": e.grade,
            "entry_date": self._dates(e.year, e.entry),
            "exit_date": (self._dates(e.year, e.exit), ~e.has_exit),
            "days_enrolled": e.days_enrolled,
            "days_absent": e.days_absent,
            "sed": e.sed,
            "frpm": e.frpm,
            "el_status": labels(demo.EL_CODES, e.el),
            "swd": swd,
            "disability_category": labels(demo.DISABILITY_CODES,
                                          self.students.disability[e.student], ~swd),
            "foster": e.foster,
            "homeless": e.homeless,
            "migrant": e.migrant,
            "dual_language": e.dual,
            "biliteracy_pathway": self._pathway(),
        }

    def _pathway(self) -> np.ndarray:
        """Pathway to Biliteracy awards in grades 5 and 8 (approximation: about half of the
        dual-language students and 5% of the others, more with higher ability)."""
        e, st = self.pop.enrollments, self.students
        u = stream(self.seed, "biliteracy").random(len(e.year))
        p = np.where(e.dual, 0.5, 0.05) * np.exp(0.3 * st.ability[e.student])
        return np.isin(e.grade, (5, 8)) & (u < p)

    def _assessments(self, sid: pa.Array, school_ids: pa.Array) -> dict[str, object]:
        s, e = self.scores, self.pop.enrollments
        year = e.year[s.row]
        order = np.lexsort((s.subject, s.test, e.student[s.row], year))
        r = s.row[order]
        return {
            "school_year": year[order],
            "student_id": sid.take(pa.array(e.student[r])),
            "school_id": school_ids.take(pa.array(e.school[r])),
            "test": labels(assessments.TESTS, s.test[order]),
            "subject": labels(assessments.SUBJECTS, s.subject[order]),
            "grade": e.grade[r],
            "scale_score": s.scale_score[order],
            "performance_level": s.level[order],
            "test_date": self._dates(year[order], s.day[order]),
            "administration": labels(("SUMMATIVE",), np.zeros(r.size, np.int8)),
        }

    def _section_ids(self) -> pa.Array:
        sec = self.sections
        course_ids = pa.array([c[0] for c in courses.CATALOG]).take(pa.array(sec.course))
        num = pc.utf8_lpad(pa.array(sec.number.astype(np.int32)).cast(pa.string()), 2,
                                   "0")
        return pc.binary_join_element_wise(course_ids, num, "-")

    def _course_marks(self, sid: pa.Array, school_ids: pa.Array) -> dict[str, object]:
        m, e = self.marks, self.pop.enrollments
        cat = courses.CATALOG
        ag = [c[3] for c in cat]
        no_ag = np.array([not a for a in ag])[m.course]
        return {
            "school_year": e.year[m.row],
            "term": labels(courses.TERMS, m.term),
            "student_id": sid.take(pa.array(e.student[m.row])),
            "school_id": school_ids.take(pa.array(e.school[m.row])),
            "course_id": labels([c[0] for c in cat], m.course),
            "subject_area": labels([c[2] for c in cat], m.course),
            "mark": labels(courses.MARKS, m.mark),
            "credits_attempted": m.credits,
            "credits_earned": m.earned,
            "course_name": labels([c[1] for c in cat], m.course),
            "ag_area": labels([a or "a" for a in ag], m.course, no_ag),
            "section_id": self._section_ids().take(pa.array(m.section)),
        }

    def _discipline(self, sid: pa.Array, school_ids: pa.Array) -> dict[str, object]:
        inc, e = self.incidents, self.pop.enrollments
        year = e.year[inc.row]
        seq = pc.utf8_lpad(pa.array(inc.seq).cast(pa.string()), 6, "0")
        prefix = pa.array(np.char.add("D", year.astype(str)).tolist()) if year.size else \
            pa.array([], pa.string())
        return {
            "school_year": year,
            "incident_id": pc.binary_join_element_wise(prefix, seq, "-"),
            "student_id": sid.take(pa.array(e.student[inc.row])),
            "school_id": school_ids.take(pa.array(e.school[inc.row])),
            "incident_date": self._dates(year, inc.day),
            "action": labels(discipline.ACTIONS, inc.action),
            "days": inc.days,
            "offense_code": labels(discipline.OFFENSES, inc.offense),
        }

    def _cohorts(self, sid: pa.Array, school_ids: pa.Array) -> dict[str, object]:
        c = self.cohorts
        grad = np.isin(c.outcome, (graduation.GRAD, graduation.GRAD_5YR))
        return {
            "cohort_year": c.cohort_year,
            "student_id": sid.take(pa.array(c.student)),
            "school_id": school_ids.take(pa.array(c.school)),
            "outcome": labels(graduation.OUTCOMES, c.outcome),
            "graduation_date": (c.grad_day, ~grad),
            "ag_complete": c.ag,
            "seal_of_biliteracy": c.seal,
            "cci_prepared": c.cci,
        }

    def _staff(self, school_ids: pa.Array) -> dict[str, object]:
        s = self.staff
        teacher = s.role == staffing.TEACHER
        staff_ids = self.staff_ids()
        name, email = names.staff_names(s.staff, staff_ids, self.seed)
        return {
            "school_year": s.year,
            "staff_id": staff_ids,
            "school_id": school_ids.take(pa.array(s.school)),
            "role": labels(staffing.ROLES, s.role),
            "fte": np.round(s.fte, 2),
            "years_experience": s.experience,
            "years_at_school": s.at_school,
            "credential": labels(staffing.CREDENTIALS, s.credential),
            "out_of_field": (s.out_of_field, ~teacher),
            "assignment_type": labels(staffing.ASSIGNMENTS, s.assignment),
            "email": email,
            "name": name,
            "tamo_outcome": labels(staffing.TAMO_OUTCOMES,
                                   *staffing.tamo_outcomes(s, self.seed)),
        }

    def _sections(self, school_ids: pa.Array) -> dict[str, object]:
        sec, t = self.sections, self.teaching
        cat = courses.CATALOG
        return {
            "school_year": sec.year,
            "section_id": self._section_ids(),
            "school_id": school_ids.take(pa.array(sec.school)),
            "course_id": labels([c[0] for c in cat], sec.course),
            "subject_area": labels([c[2] for c in cat], sec.course),
            "teacher_staff_id": self.staff_ids().take(pa.array(t["teacher_row"])),
            "is_eld": t["is_eld"],
            "enrolled": sec.enrolled,
            "substitute_days": t["substitute_days"],
            "distinct_substitutes": t["distinct_substitutes"],
        }

    def _budgets(self, school_ids: pa.Array) -> dict[str, object]:
        b = self.budgets
        return {
            "school_year": b.year,
            "school_id": school_ids.take(pa.array(b.school)),
            "fund_source": labels(money.FUND_SOURCES, b.fund),
            "category": labels(money.CATEGORIES, b.category),
            "amount": b.cents,
            "fte": b.fte,
        }

    def _engagement(self, sid: pa.Array, school_ids: pa.Array) -> dict[str, object]:
        g = self.engagement
        student = np.asarray(g["student"])
        return {
            "school_year": g["year"],
            "school_id": school_ids.take(pa.array(g["school"])),
            "activity": labels(supports.ACTIVITIES, g["activity"]),
            "date": g["day"],
            "participants": g["participants"],
            "student_id": sid.take(pa.array(np.maximum(student, 0), mask=student < 0)),
            "language": pa.array(np.asarray(g["language"]).astype(str)),
        }

    def _guardians(self, sid: pa.Array) -> dict[str, object]:
        g = dict(self.guardians)
        g["student_id"] = sid.take(pa.array(g.pop("student")))
        return g

    def _survey(self, sid: pa.Array, school_ids: pa.Array) -> dict[str, object]:
        v = self.survey
        student = np.asarray(v["student"])
        grade = np.asarray(v["grade"])
        return {
            "school_year": v["year"],
            "school_id": school_ids.take(pa.array(v["school"])),
            "respondent_id": [f"R{i + 1:08d}" for i in v["respondent"]],
            "respondent_type": v["type"],
            "item": v["item"],
            "scale": v["scale"],
            "response": v["response"],
            "grade": (grade, grade == -99),
            "student_id": sid.take(pa.array(np.maximum(student, 0), mask=student < 0)),
            "survey_date": v["day"],
        }

    def _interventions(self, sid: pa.Array) -> dict[str, object]:
        iv = dict(self.interventions)
        rows = np.asarray(iv.pop("student_row"))
        provider, null = iv.pop("provider_staff")
        iv["student_id"] = sid.take(pa.array(self.pop.enrollments.student[rows]))
        iv["provider_staff_id"] = self.staff_ids().take(
            pa.array(np.maximum(provider, 0), mask=null))
        return iv


def simulate(
    students: int,
    schools: int,
    years: int,
    seed: int,
    first_year: int = 2023,
    params: SynthParams | None = None,
    step: Callable[[str], None] | None = None,
) -> District:
    """Generate the whole district in memory; ``step(name)`` is called as each step starts."""
    p = params or SynthParams()
    if students < 1 or years < 1:
        raise ValueError("students and years must be at least 1")
    if seed < 0:
        raise ValueError("seed must be a non-negative whole number")
    say = step or (lambda _name: None)
    calendars = [build_calendar(first_year + k, p.instructional_days) for k in range(years)]
    year_list = [c.school_year for c in calendars]
    days = [c.n_days for c in calendars]
    say(STEPS[0])
    layout = build_layout(schools, p, stream(seed, "schools"))
    say(STEPS[1])
    pop = simulate_population(layout, calendars, students, p, seed)
    e = pop.enrollments
    n_days_row = np.array(days)[e.year - first_year]
    say(STEPS[2])
    incidents = discipline.generate(pop, layout, n_days_row, p, seed)
    suspended = incidents.suspension_days_per_row(len(e), e.days_enrolled)
    say(STEPS[3])
    propensity = attendance.absence_propensity(pop, layout, p, seed)
    e.days_absent = attendance.days_absent(pop, propensity, suspended, seed)
    say(STEPS[4])
    scores = assessments.generate(pop, layout, calendars, propensity, p, seed)
    say(STEPS[5])
    sections, marks = courses.generate(pop, layout, calendars, propensity, p, seed)
    say(STEPS[6])
    staff = staffing.generate(pop, layout, year_list, days, p, seed)
    teaching = staffing.assign_teachers(sections, staff, layout, dict(zip(year_list, days,
                                                                          strict=True)), p, seed)
    say(STEPS[7])
    cohorts = graduation.generate(pop, first_year, year_list[-1], p, seed)
    say(STEPS[8])
    is_title1 = money.title1(pop, layout, first_year, p)
    budgets = money.generate(pop, layout, year_list, days, is_title1, p, seed)
    say(STEPS[9])
    partners = community.partners(layout, p, seed)
    context = community.context(layout, year_list, seed)
    say(STEPS[10])
    interventions = supports.interventions(pop, layout, calendars, staff, partners, p, seed)
    engagement = supports.family_engagement(pop, layout, calendars, p, seed)
    say(STEPS[11])
    engagement = _with_family_records(engagement,
                                      families.family_records(pop, layout, calendars, seed))
    survey = families.survey_responses(pop, layout, calendars, staff, seed)
    return District(p, seed, calendars, layout, pop, incidents, suspended, propensity, scores,
                    sections, marks, staff, teaching, cohorts, is_title1, budgets, partners,
                    context, interventions, engagement, families.guardians(pop, seed), survey)


def _with_family_records(events: dict[str, object], records: dict[str, np.ndarray]
                         ) -> dict[str, object]:
    """Engagement events and one-family records together, in date order."""
    out = {k: np.concatenate([np.asarray(v), records[k].astype(np.asarray(v).dtype)
                              if k != "language" else records[k]])
           for k, v in events.items()}
    order = np.lexsort((out["activity"], out["day"], out["school"], out["year"]))
    return {k: v[order] for k, v in out.items()}
