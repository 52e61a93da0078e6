"""The views mapping.toml reads, derived from the Ed-Fi resources with DuckDB SQL.

Derivations (each documented in docs/sources.md):
- school years: an Ed-Fi school year ("2021-2022" in XML, 2022 in JSON) is named by its
  spring year; when absent, the spring year of the record's date (July 1 starts a year);
- days absent: attendance events of an absence category (Excused Absence, Unexcused Absence)
  at the school on an instructional day of its calendar between entry and exit, their
  EventDuration summed (a missing duration is one day); an absence on no instructional day is
  not counted, and a note says how many; days enrolled: the school's calendar dates that are
  instructional days between entry and exit (each date once, however many calendars list it).
  With no calendar dates, days enrolled stays empty: never estimated;
- sessions (``session_days``): a session whose calendar lists fewer instructional days than
  its TotalInstructionalDays (the Grand Bend calendar lists 2 of 169) has an incomplete
  calendar. An enrollment spanning the whole session counts its TotalInstructionalDays, and
  an absence counts on any day of the session; an enrollment starting or ending inside it
  cannot be counted and is rejected with the session named (``unknown_session``);
- discipline: the actions taken for one student in one incident make one row: the most
  severe action (expulsion, out-of-school, in-school suspension, other) and the days summed;
- programs (special education, homeless, migrant, school food service) count when their
  association overlaps the enrollment;
- assessments: the school is the reported school, else the student's school on the
  administration date; a result dated outside the school year it states (every Grand Bend
  result is dated 2021-04-01 for 2021-2022) is rejected with both, never moved to a year;
- staff: the FTE of the employment at the school, else, for a staff member employed by the
  district and assigned to one school only, the district employment's FTE.
"""

from __future__ import annotations

MACROS = """
CREATE OR REPLACE MACRO edfi_code(d) AS CASE WHEN d IS NULL THEN NULL
    WHEN contains(d, '#') THEN split_part(d, '#', -1) ELSE d END;
CREATE OR REPLACE MACRO edfi_year(y) AS CASE
    WHEN regexp_full_match(y, '[0-9]{4}-[0-9]{4}') THEN substr(y, 6, 4) ELSE y END;
CREATE OR REPLACE MACRO edfi_spring(d) AS CASE WHEN TRY_CAST(d AS DATE) IS NULL THEN NULL
    ELSE CAST(year(CAST(d AS DATE)) + (month(CAST(d AS DATE)) >= 7)::INT AS VARCHAR) END;
CREATE OR REPLACE MACRO edfi_pick(methods, results, wanted) AS (
    SELECT string_split(results, ';')[list_position(
        list_transform(string_split(methods, ';'), lambda m: edfi_code(m)), w)]
    FROM (SELECT unnest(wanted) AS w) WHERE list_contains(
        list_transform(string_split(methods, ';'), lambda m: edfi_code(m)), w) LIMIT 1);
CREATE OR REPLACE MACRO edfi_instructional(school, d) AS EXISTS (
    SELECT 1 FROM src_calendar_dates c WHERE c.school_id = school AND c.date = d
      AND contains(c.calendar_events, 'Instructional day'));
CREATE OR REPLACE MACRO edfi_grade_order(g) AS CASE edfi_code(g)
    WHEN 'Kindergarten' THEN 0 WHEN 'First grade' THEN 1 WHEN 'Second grade' THEN 2
    WHEN 'Third grade' THEN 3 WHEN 'Fourth grade' THEN 4 WHEN 'Fifth grade' THEN 5
    WHEN 'Sixth grade' THEN 6 WHEN 'Seventh grade' THEN 7 WHEN 'Eighth grade' THEN 8
    WHEN 'Ninth grade' THEN 9 WHEN 'Tenth grade' THEN 10 WHEN 'Eleventh grade' THEN 11
    WHEN 'Twelfth grade' THEN 12 WHEN 'Transitional Kindergarten' THEN -1 END;
"""

#: each session of each school: its instructional days in the calendar (``listed``) and whether
#: the calendar is complete for it; made before :data:`SCHOOL_DAY` and :data:`VIEWS`
SESSION_DAYS = """
SELECT school_id, school_year, session_name, begin_date, end_date, total, listed,
    total IS NULL OR listed >= total AS complete
FROM (SELECT DISTINCT s.school_id, edfi_year(s.school_year) AS school_year, s.session_name,
        s.begin_date, s.end_date, TRY_CAST(s.total_instructional_days AS INTEGER) AS total,
        (SELECT count(DISTINCT c.date) FROM src_calendar_dates c
         WHERE c.school_id = s.school_id AND contains(c.calendar_events, 'Instructional day')
           AND c.date BETWEEN s.begin_date AND s.end_date) AS listed
      FROM src_sessions s WHERE s.begin_date IS NOT NULL AND s.end_date IS NOT NULL)"""

#: a day an absence counts on: a day of a session (an instructional day of the calendar when
#: the session's calendar is complete); for a school without sessions, an instructional day
SCHOOL_DAY = """
CREATE OR REPLACE MACRO edfi_school_day(school, d) AS CASE
    WHEN EXISTS (SELECT 1 FROM src_session_days s WHERE s.school_id = school) THEN EXISTS (
        SELECT 1 FROM src_session_days s WHERE s.school_id = school
          AND d BETWEEN s.begin_date AND s.end_date
          AND (NOT s.complete OR edfi_instructional(school, d)))
    ELSE edfi_instructional(school, d) END;
"""

ABSENCE = "('Excused Absence', 'Unexcused Absence')"


def _program(name: str) -> str:
    return (f"EXISTS (SELECT 1 FROM src_{name} p WHERE p.student_unique_id = e.student_unique_id "
            "AND coalesce(p.begin_date, '0000') <= coalesce(e.exit_withdraw_date, '9999') "
            "AND coalesce(p.end_date, '9999') >= e.entry_date)")


VIEWS = {
    "school": """
SELECT s.*, l.name_of_institution AS district_name,
    (SELECT arg_min(g, edfi_grade_order(g)) FROM (SELECT unnest(string_split(s.grade_levels,
        ';')) AS g)) AS grade_low,
    (SELECT arg_max(g, edfi_grade_order(g)) FROM (SELECT unnest(string_split(s.grade_levels,
        ';')) AS g)) AS grade_high
FROM src_schools s LEFT JOIN src_local_education_agencies l
  ON l.local_education_agency_id = s.local_education_agency_id ORDER BY s._line""",
    "student": """
SELECT s._file, s._line, s.student_unique_id, s.birth_date, a.sex, a.hispanic_latino_ethnicity,
    a.races, a.languages
FROM src_students s LEFT JOIN (
    SELECT * FROM src_student_education_organization_associations
    QUALIFY row_number() OVER (PARTITION BY student_unique_id ORDER BY _file, _line) = 1) a
  ON a.student_unique_id = s.student_unique_id ORDER BY s._file, s._line""",
    "enrollment": f"""
WITH e0 AS (
  SELECT e.*, coalesce(edfi_year(e.school_year), edfi_spring(e.entry_date)) AS year,
      coalesce(e.exit_withdraw_date, '9999') AS last_day
  FROM src_student_school_associations e),
parts AS (
  -- each session of the school's year: the instructional days of the enrollment in it
  SELECT e0._file, e0._line, s.session_name, s.begin_date, s.end_date, s.total, s.listed,
      CASE WHEN s.end_date < e0.entry_date OR s.begin_date > e0.last_day THEN 0
           WHEN s.complete THEN (SELECT count(DISTINCT c.date) FROM src_calendar_dates c
                WHERE c.school_id = e0.school_id
                  AND contains(c.calendar_events, 'Instructional day')
                  AND c.date BETWEEN greatest(s.begin_date, e0.entry_date)
                                 AND least(s.end_date, e0.last_day))
           WHEN e0.entry_date <= s.begin_date AND e0.last_day >= s.end_date THEN s.total
      END AS days
  FROM e0 JOIN src_session_days s ON s.school_id = e0.school_id AND s.school_year = e0.year),
by_sessions AS (
  SELECT _file, _line, CASE WHEN count(*) = count(days) THEN CAST(sum(days) AS VARCHAR) END
      AS days,
      arg_min(session_name || ' (' || begin_date || ' to ' || end_date || '), whose calendar '
              || 'lists ' || listed || ' of its ' || total || ' instructional days',
              begin_date) FILTER (WHERE days IS NULL) AS unknown_session
  FROM parts GROUP BY _file, _line)
SELECT e._file, e._line, e.student_unique_id, e.school_id, e.entry_grade_level,
    e.entry_date, e.exit_withdraw_date, e.year AS school_year,
    (SELECT CAST(sum(coalesce(TRY_CAST(v.event_duration AS DOUBLE), 1)) AS VARCHAR)
     FROM src_student_school_attendance_events v
     WHERE v.student_unique_id = e.student_unique_id AND v.school_id = e.school_id
       AND edfi_code(v.category) IN {ABSENCE} AND v.event_date >= e.entry_date
       AND v.event_date <= e.last_day AND edfi_spring(v.event_date) = e.year
       AND edfi_school_day(v.school_id, v.event_date)) AS absences,
    CASE WHEN b._file IS NOT NULL THEN b.days ELSE
    (SELECT CAST(count(DISTINCT c.date) AS VARCHAR) FROM src_calendar_dates c
     WHERE c.school_id = e.school_id AND contains(c.calendar_events, 'Instructional day')
       AND c.date >= e.entry_date AND c.date <= e.last_day AND edfi_spring(c.date) = e.year)
    END AS calendar_days,
    b.unknown_session,
    a.limited_english_proficiency,
    list_transform(string_split(coalesce(a.characteristics, ''), ';'), lambda c: edfi_code(c))
        AS characteristic_codes,
    a.student_unique_id IS NOT NULL AS known,
    {_program('food_service')} AS in_food_service,
    {_program('special_education')} AS in_special_education,
    {_program('homeless')} AS in_homeless, {_program('migrant')} AS in_migrant,
    (SELECT any_value(p.disabilities) FROM src_special_education p
     WHERE p.student_unique_id = e.student_unique_id) AS disabilities
FROM e0 e
LEFT JOIN by_sessions b ON b._file = e._file AND b._line = e._line
LEFT JOIN (SELECT * FROM src_student_education_organization_associations
    QUALIFY row_number() OVER (PARTITION BY student_unique_id ORDER BY _file, _line) = 1) a
  ON a.student_unique_id = e.student_unique_id ORDER BY e._file, e._line""",
    "discipline": """
WITH a AS (
  SELECT d.*, i.incident_date, coalesce(edfi_spring(i.incident_date),
      edfi_spring(d.discipline_date)) AS school_year,
      CASE WHEN contains(d.disciplines, 'Expulsion') THEN 4
           WHEN contains(d.disciplines, 'Out of School') THEN 3
           WHEN contains(d.disciplines, 'In School') THEN 2 ELSE 1 END AS severity
  FROM src_discipline_actions d LEFT JOIN src_discipline_incidents i
    ON i.incident_identifier = d.incident_identifier
   AND i.school_id = d.responsibility_school_id)
SELECT min(_file) AS _file, min(_line) AS _line, school_year, incident_identifier,
    student_unique_id, any_value(responsibility_school_id) AS responsibility_school_id,
    min(incident_date) AS incident_date, min(discipline_date) AS discipline_date,
    arg_max(disciplines, severity) AS disciplines, any_value(behavior) AS behavior,
    any_value(discipline_action_identifier) AS discipline_action_identifier,
    CAST(sum(TRY_CAST(coalesce(actual_length, length) AS DOUBLE)) AS VARCHAR) AS days
FROM a GROUP BY school_year, incident_identifier, student_unique_id,
    CASE WHEN incident_identifier IS NULL THEN discipline_action_identifier END
ORDER BY _file, _line""",
    "assessment": """
SELECT r.* EXCLUDE (school_year), a.assessment_title, a.academic_subjects,
    coalesce(edfi_year(r.school_year), edfi_spring(r.administration_date)) AS school_year,
    coalesce(r.reported_school_id, (SELECT any_value(e.school_id)
     FROM src_student_school_associations e WHERE e.student_unique_id = r.student_unique_id
       AND e.entry_date <= substr(r.administration_date, 1, 10)
       AND coalesce(e.exit_withdraw_date, '9999') >= substr(r.administration_date, 1, 10)))
     AS school_id,
    r.school_year IS NOT NULL AND edfi_spring(substr(r.administration_date, 1, 10))
        IS DISTINCT FROM edfi_year(r.school_year) AS off_year
FROM src_student_assessments r LEFT JOIN src_assessments a
  ON a.assessment_identifier = r.assessment_identifier ORDER BY r._file, r._line""",
    "staff": """
SELECT s.*, coalesce(m.full_time_equivalency, CASE WHEN (
        SELECT count(DISTINCT o.education_organization_id) FROM src_staff_assignments o
        WHERE o.staff_unique_id = s.staff_unique_id
          AND o.education_organization_id IN (SELECT school_id FROM src_schools)) = 1
        THEN d.full_time_equivalency END) AS full_time_equivalency,
    d.full_time_equivalency AS district_fte, d.education_organization_id AS district_id,
    f.years_of_prior_professional_experience, y.school_year
FROM src_staff_assignments s
JOIN (SELECT DISTINCT edfi_year(school_year) AS school_year FROM src_sessions) y
  ON coalesce(s.begin_date, '0000') <= y.school_year || '-06-30'
 AND coalesce(s.end_date, '9999') >= CAST(CAST(y.school_year AS INTEGER) - 1 AS VARCHAR)
                                     || '-07-01'
LEFT JOIN src_staff_employments m ON m.staff_unique_id = s.staff_unique_id
  AND m.education_organization_id = s.education_organization_id
LEFT JOIN (SELECT * FROM src_staff_employments
    WHERE education_organization_id IN (SELECT local_education_agency_id
                                        FROM src_local_education_agencies)
    QUALIFY row_number() OVER (PARTITION BY staff_unique_id ORDER BY _file, _line) = 1) d
  ON d.staff_unique_id = s.staff_unique_id
LEFT JOIN src_staffs f ON f.staff_unique_id = s.staff_unique_id
WHERE s.education_organization_id IN (SELECT school_id FROM src_schools)
ORDER BY s._file, s._line""",
    "intervention": """
SELECT a.*, i.intervention_class, i.begin_date, i.end_date,
    edfi_spring(i.begin_date) AS school_year, CAST(NULL AS VARCHAR) AS tier
FROM src_student_intervention_associations a LEFT JOIN src_interventions i
  ON i.intervention_identification_code = a.intervention_identification_code
 AND i.education_organization_id = a.education_organization_id ORDER BY a._file, a._line""",
}

#: the resource each view's rows come from (its file names and its unreadable records)
BASE = {"school": "schools", "student": "students", "enrollment": "student_school_associations",
        "discipline": "discipline_actions", "assessment": "student_assessments",
        "staff": "staff_assignments", "intervention": "student_intervention_associations"}


#: absence events on no instructional day of their school's calendar (counted in a note): with
#: sessions, outside every session, or on a day a complete calendar does not list as
#: instructional
STRAY_ABSENCES = f"""
SELECT count(*) FROM src_student_school_attendance_events v
WHERE edfi_code(v.category) IN {ABSENCE}
  AND (EXISTS (SELECT 1 FROM src_calendar_dates c WHERE c.school_id = v.school_id)
       OR EXISTS (SELECT 1 FROM src_session_days s WHERE s.school_id = v.school_id))
  AND NOT edfi_school_day(v.school_id, v.event_date)
"""

#: rows the adapter takes out of a view, each with the field, value and reason it is rejected
#: for: (view, the resource that must be present for the rule to apply, SQL giving _file,
#: _line, column, value, reason). Without records of that resource the load is refused, or
#: the table left out, as a whole.
REJECTS = (
    ("student", "student_education_organization_associations", """
SELECT _file, _line, 'gender, race_ethnicity', student_unique_id,
    'no StudentEducationOrganizationAssociation for this student in the StudentEnrollment '
    || 'interchange: sex and race are not given (never guessed)'
FROM src_student s WHERE NOT EXISTS (
    SELECT 1 FROM src_student_education_organization_associations a
    WHERE a.student_unique_id = s.student_unique_id)"""),
    ("enrollment", "student_school_associations", """
SELECT _file, _line, 'days_enrolled', entry_date || ' to ' || coalesce(exit_withdraw_date, ''),
    'the enrollment starts or ends inside the session ' || unknown_session
    || ': its days enrolled cannot be counted (never estimated)'
FROM src_enrollment WHERE unknown_session IS NOT NULL"""),
    ("assessment", "student_assessments", """
SELECT a._file, a._line, 'test_date', a.administration_date,
    'administered outside the school year the result states (' || r.school_year
    || '): which year it counts in is not known (never guessed)'
FROM src_assessment a JOIN src_student_assessments r ON r._file = a._file AND r._line = a._line
WHERE a.off_year"""),
    ("assessment", "student_school_associations", """
SELECT _file, _line, 'school_id', student_unique_id || ' on ' || administration_date,
    'no StudentSchoolAssociation of this student covers the administration date: '
    || 'the school is unknown (never guessed)'
FROM src_assessment WHERE school_id IS NULL"""),
    ("staff", "staff_employments", """
SELECT _file, _line, 'fte', district_fte,
    'FTE is given only for the district (' || district_id || ') and the staff member is '
    || 'assigned to more than one school: not split between them (never estimated)'
FROM src_staff WHERE full_time_equivalency IS NULL AND district_fte IS NOT NULL"""),
)

#: sessions whose calendar lists fewer instructional days than TotalInstructionalDays
INCOMPLETE_CALENDARS = """
SELECT count(*), sum(listed), sum(total), string_agg(DISTINCT school_id, ', ' ORDER BY school_id)
FROM src_session_days WHERE NOT complete"""
