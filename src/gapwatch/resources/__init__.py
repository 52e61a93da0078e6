"""Resources by school need: whether money, staffing levels and stable, experienced staff follow
the students who need them most. Each module reads the warehouse's optional tables (``staff``,
``sections``, ``budgets``, ``community_context``) together with ``enrollments``, reports every
measure by school and year with its counts, and compares need bands (the need index gives each
school and year a band from "Highest" to "Lowest" need); a measure whose inputs are missing is
empty with a note saying why, never zero.
"""
