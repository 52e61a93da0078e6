-- name: discipline_school
-- grain: one row per school year, school and student with a discipline incident
-- description: a student's incidents and suspensions at a school in a year
-- columns:
--   school_year: the school year
--   school_id: the school
--   student_id: the student
--   suspension_days: days of in- and out-of-school suspension
--   suspensions: in- and out-of-school suspensions
--   out_of_school_suspensions: out-of-school suspensions
--   incidents: incidents of any action
SELECT school_year, school_id, student_id,
       sum(CASE WHEN action IN ('OSS', 'ISS') THEN CAST(days AS DECIMAL(9, 3))
                ELSE CAST(0 AS DECIMAL(9, 3)) END) AS suspension_days,
       count(*) FILTER (WHERE action IN ('OSS', 'ISS')) AS suspensions,
       count(*) FILTER (WHERE action = 'OSS') AS out_of_school_suspensions,
       count(*) AS incidents
FROM t_discipline GROUP BY school_year, school_id, student_id
