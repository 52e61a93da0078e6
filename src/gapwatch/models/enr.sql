-- name: enr
-- grain: one row per enrollment (school year, student, school, entry date)
-- description: each enrollment with its days counted (from attendance_daily when the bundle
--   has it, else from the enrollment row), its last day and its order in the student's year
-- columns:
--   school_year: the school year
--   student_id: the student
--   school_id: the school
--   grade: grade level (-1 TK, 0 K, 1-12)
--   entry_date: first day of the enrollment
--   exit_date: last day of the enrollment (NULL: still enrolled)
--   days_enrolled: days enrolled as the enrollment row gives them
--   days_absent: days absent as the enrollment row gives them
--   sed: socioeconomically disadvantaged
--   frpm: eligible for free or reduced-price meals
--   el_status: English language acquisition status (EO, IFEP, EL, RFEP, TBD)
--   swd: a student with disabilities
--   disability_category: the primary disability
--   foster: in foster care
--   homeless: homeless
--   migrant: a migrant student
--   dual_language: in a dual-language program
--   biliteracy_pathway: on a pathway to the Seal of Biliteracy
--   d_enrolled: days enrolled: school days in attendance_daily, else days_enrolled
--   d_absent: days absent (A, E, S in attendance_daily), else days_absent
--   last_day: the exit date, or the last day of the school year
--   enr_order: the enrollment's order in the student's year (entry date, then school id)
WITH attendance_days AS (
    SELECT student_id, school_id,
           {{ school_year_of("date") }} AS school_year,
           count(*) AS att_enrolled,
           count(*) FILTER (WHERE status IN ('A', 'E', 'S')) AS att_absent
    FROM t_attendance_daily GROUP BY ALL
)
SELECT e.school_year, e.student_id, e.school_id, e.grade, e.entry_date, e.exit_date,
       e.days_enrolled, e.days_absent, e.sed, e.frpm, e.el_status, e.swd,
       e.disability_category, e.foster, e.homeless, e.migrant, e.dual_language,
       e.biliteracy_pathway,
       CAST(coalesce(a.att_enrolled, e.days_enrolled) AS DECIMAL(9, 2)) AS d_enrolled,
       CAST(coalesce(a.att_absent, e.days_absent) AS DECIMAL(9, 2)) AS d_absent,
       coalesce(e.exit_date, y.year_end) AS last_day,
       -- the latest enrollment of the year has the highest order (entry date, school id)
       row_number() OVER (PARTITION BY e.school_year, e.student_id
                          ORDER BY e.entry_date, e.school_id) AS enr_order
FROM t_enrollments e
JOIN years y ON y.school_year = e.school_year
LEFT JOIN attendance_days a
  ON a.student_id = e.student_id AND a.school_id = e.school_id
 AND a.school_year = e.school_year
