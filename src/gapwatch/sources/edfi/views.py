"""The views mapping.toml reads, derived from the Ed-Fi resources with DuckDB SQL.

Derivations (each documented in docs/sources.md):
- school years: an Ed-Fi school year ("2021-2022" in XML, 2022 in JSON) is named by its
  spring year; when absent, the spring year of the record's date (July 1 starts a year);
- days absent: attendance events of an absence category (Excused Absence, Unexcused Absence)
  at the school on an instructional day of its calendar between entry and exit, their
  EventDuration summed (a missing duration is one day); an absence on no instructional day is
  not counted, and a note says how many; days enrolled: the school's calendar dates that are
  instructional days between entry and exit. With no calendar dates, days enrolled stays
  empty: never estimated;
- discipline: the actions taken for one student in one incident make one row: the most
  severe action (expulsion, out-of-school, in-school suspension, other) and the days summed;
- programs (special education, homeless, migrant, school food service) count when their
  association overlaps the enrollment.
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
CREATE OR REPLACE MACRO edfi_grade_order(g) AS CASE edfi_code(g)
    WHEN 'Kindergarten' THEN 0 WHEN 'First grade' THEN 1 WHEN 'Second grade' THEN 2
    WHEN 'Third grade' THEN 3 WHEN 'Fourth grade' THEN 4 WHEN 'Fifth grade' THEN 5
    WHEN 'Sixth grade' THEN 6 WHEN 'Seventh grade' THEN 7 WHEN 'Eighth grade' THEN 8
    WHEN 'Ninth grade' THEN 9 WHEN 'Tenth grade' THEN 10 WHEN 'Eleventh grade' THEN 11
    WHEN 'Twelfth grade' THEN 12 WHEN 'Transitional Kindergarten' THEN -1 END;
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
SELECT e._file, e._line, e.student_unique_id, e.school_id, e.entry_grade_level,
    e.entry_date, e.exit_withdraw_date,
    coalesce(edfi_year(e.school_year), edfi_spring(e.entry_date)) AS school_year,
    (SELECT CAST(sum(coalesce(TRY_CAST(v.event_duration AS DOUBLE), 1)) AS VARCHAR)
     FROM src_student_school_attendance_events v
     WHERE v.student_unique_id = e.student_unique_id AND v.school_id = e.school_id
       AND edfi_code(v.category) IN {ABSENCE} AND v.event_date >= e.entry_date
       AND EXISTS (SELECT 1 FROM src_calendar_dates c WHERE c.school_id = v.school_id
                   AND c.date = v.event_date AND contains(c.calendar_events,
                                                         'Instructional day'))
       AND v.event_date <= coalesce(e.exit_withdraw_date, '9999')
       AND edfi_spring(v.event_date) = coalesce(edfi_year(e.school_year),
                                                 edfi_spring(e.entry_date))) AS absences,
    (SELECT CAST(count(*) AS VARCHAR) FROM src_calendar_dates c
     WHERE c.school_id = e.school_id AND contains(c.calendar_events, 'Instructional day')
       AND c.date >= e.entry_date AND c.date <= coalesce(e.exit_withdraw_date, '9999')
       AND edfi_spring(c.date) = coalesce(edfi_year(e.school_year), edfi_spring(e.entry_date)))
     AS calendar_days,
    a.limited_english_proficiency,
    list_transform(string_split(coalesce(a.characteristics, ''), ';'), lambda c: edfi_code(c))
        AS characteristic_codes,
    a.student_unique_id IS NOT NULL AS known,
    {_program('food_service')} AS in_food_service,
    {_program('special_education')} AS in_special_education,
    {_program('homeless')} AS in_homeless, {_program('migrant')} AS in_migrant,
    (SELECT any_value(p.disabilities) FROM src_special_education p
     WHERE p.student_unique_id = e.student_unique_id) AS disabilities
FROM src_student_school_associations e
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
     AS school_id
FROM src_student_assessments r LEFT JOIN src_assessments a
  ON a.assessment_identifier = r.assessment_identifier ORDER BY r._file, r._line""",
    "staff": """
SELECT s.*, m.full_time_equivalency, f.years_of_prior_professional_experience, y.school_year
FROM src_staff_assignments s
JOIN (SELECT DISTINCT edfi_year(school_year) AS school_year FROM src_sessions) y
  ON coalesce(s.begin_date, '0000') <= y.school_year || '-06-30'
 AND coalesce(s.end_date, '9999') >= CAST(CAST(y.school_year AS INTEGER) - 1 AS VARCHAR)
                                     || '-07-01'
LEFT JOIN src_staff_employments m ON m.staff_unique_id = s.staff_unique_id
  AND m.education_organization_id = s.education_organization_id
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


#: absence events on no instructional day of their school's calendar (counted in a note)
STRAY_ABSENCES = f"""
SELECT count(*) FROM src_student_school_attendance_events v
WHERE edfi_code(v.category) IN {ABSENCE}
  AND EXISTS (SELECT 1 FROM src_calendar_dates c WHERE c.school_id = v.school_id)
  AND NOT EXISTS (SELECT 1 FROM src_calendar_dates c WHERE c.school_id = v.school_id
                  AND c.date = v.event_date AND contains(c.calendar_events, 'Instructional day'))
"""
