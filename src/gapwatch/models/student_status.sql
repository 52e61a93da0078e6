-- name: student_status
-- grain: one row per school year and student enrolled that year
-- description: each student's status in a year over all enrollments (as at the district)
-- columns:
--   school_year: the school year
--   student_id: the student
--   latest: grade and el_status of the latest enrollment (entry date, then school id)
--   sed: socioeconomically disadvantaged in any enrollment of the year
--   frpm: eligible for free or reduced-price meals in any enrollment of the year
--   swd: a student with disabilities in any enrollment of the year
--   foster: in foster care in any enrollment of the year
--   homeless: homeless in any enrollment of the year
--   migrant: a migrant student in any enrollment of the year
--   dual_language: in a dual-language program in any enrollment of the year
SELECT school_year, student_id,
       arg_max({'grade': grade, 'el_status': el_status},
               {'entry_date': entry_date, 'school_id': school_id}) AS latest,
       bool_or(coalesce(sed, FALSE)) AS sed, bool_or(coalesce(frpm, FALSE)) AS frpm,
       bool_or(coalesce(swd, FALSE)) AS swd, bool_or(coalesce(foster, FALSE)) AS foster,
       bool_or(coalesce(homeless, FALSE)) AS homeless,
       bool_or(coalesce(migrant, FALSE)) AS migrant,
       bool_or(coalesce(dual_language, FALSE)) AS dual_language
FROM t_enrollments GROUP BY school_year, student_id
