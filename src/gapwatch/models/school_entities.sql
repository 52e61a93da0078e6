-- name: school_entities
-- grain: one row per school and entity it belongs to
-- description: the entities each school's facts are reported at: the school itself, its board
--   district (when it has one) and the district
-- columns:
--   school_id: the school
--   entity_type: school, board_district or district
--   entity_id: the school's id, the board district's number or the district's id
SELECT school_id, 'school' AS entity_type, school_id AS entity_id FROM t_schools
UNION ALL
SELECT school_id, 'board_district', board_district FROM t_schools
WHERE board_district IS NOT NULL
UNION ALL
SELECT school_id, 'district', district_id FROM t_schools
