"""The workspace's roles and what each may see and do (docs/workspace.md, "Roles").

| role | sees |
|---|---|
| district admin | everything, user administration, audit log |
| district analyst | every aggregate (unsuppressed, staff-only), student lists district-wide |
| principal / school leader | own school(s): every student, every aggregate |
| counselor | own caseload (assigned, or the school's students by grade and alphabet split) |
| teacher | students in own sections this year |
| community partner | only referrals sent to their organisation, minimum necessary fields |

Which students each role sees is decided in one place, :mod:`gapwatch.workspace.scope`.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", "District admin"
    DISTRICT_ANALYST = "district_analyst", "District analyst"
    PRINCIPAL = "principal", "Principal / school leader"
    COUNSELOR = "counselor", "Counselor"
    TEACHER = "teacher", "Teacher"
    PARTNER = "partner", "Community partner"


STAFF_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.DISTRICT_ANALYST, Role.PRINCIPAL,
                         Role.COUNSELOR, Role.TEACHER})
#: roles that see restricted notes (and may write them), always within their own scope
RESTRICTED_NOTE_ROLES = frozenset({Role.PRINCIPAL, Role.COUNSELOR})
#: roles that write notes and supports about the students in their scope
RECORDING_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.PRINCIPAL, Role.COUNSELOR, Role.TEACHER})
#: roles that refer students to community partners (with the family's consent)
REFERRING_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.PRINCIPAL, Role.COUNSELOR})
#: roles that see school and district aggregates (unsuppressed, staff only)
AGGREGATE_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.DISTRICT_ANALYST, Role.PRINCIPAL})
#: roles that see who has viewed a student
VIEWERS_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.PRINCIPAL})

#: warehouse ``staff.role`` codes -> the workspace role an account made from them gets
STAFF_ROLE_CODES = {"TEACHER": Role.TEACHER, "PRINCIPAL": Role.PRINCIPAL,
                    "ASSISTANT_PRINCIPAL": Role.PRINCIPAL, "COUNSELOR": Role.COUNSELOR,
                    "SOCIAL_WORKER": Role.COUNSELOR, "PSYCHOLOGIST": Role.COUNSELOR}
