-- name: marks_school
-- grain: one row per school year, school and student with a course mark
-- description: a student's course marks at a school in a year, counted
-- columns:
--   school_year: the school year
--   school_id: the school
--   student_id: the student
--   course_marks: course marks of any kind
--   ela_marks: English marks other than withdrawals
--   math_marks: math marks other than withdrawals
--   ela_below_c: English marks (not withdrawals) below C
--   math_below_c: math marks (not withdrawals) below C
--   credits_earned: credits earned
--   core_semester_fs: semester Fs (or NPs) in core courses; a full-year mark counts twice
SELECT school_year, school_id, student_id,
       count(*) AS course_marks,
       count(*) FILTER (WHERE subject_area = 'ELA' AND mark <> 'W') AS ela_marks,
       count(*) FILTER (WHERE subject_area = 'MATH' AND mark <> 'W') AS math_marks,
       count(*) FILTER (WHERE subject_area = 'ELA' AND mark <> 'W'
                        AND mark NOT IN {{ c_or_better | sql_list }}) AS ela_below_c,
       count(*) FILTER (WHERE subject_area = 'MATH' AND mark <> 'W'
                        AND mark NOT IN {{ c_or_better | sql_list }}) AS math_below_c,
       sum(CAST(credits_earned AS DECIMAL(9, 2))) AS credits_earned,
       sum(CASE WHEN subject_area IN {{ core_areas | sql_list }} AND mark IN {{ failing | sql_list }}
                THEN CASE WHEN term = 'FY' THEN 2 ELSE 1 END ELSE 0 END)
           AS core_semester_fs
FROM t_course_marks GROUP BY school_year, school_id, student_id
