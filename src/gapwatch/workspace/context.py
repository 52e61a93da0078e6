"""Template context for every page: the user's role and what the navigation offers."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from gapwatch.workspace import roles


def workspace(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    role = getattr(user, "role", "") if user is not None and user.is_authenticated else ""
    return {
        "role": role,
        "is_staff_role": role in roles.STAFF_ROLES,
        "can_record": role in roles.RECORDING_ROLES,
        "can_refer": role in roles.REFERRING_ROLES,
        "sees_aggregates": role in roles.AGGREGATE_ROLES,
        "is_admin": role == roles.Role.DISTRICT_ADMIN,
        "is_partner": role == roles.Role.PARTNER,
        "oidc_enabled": getattr(settings, "OIDC_ENABLED", False),
    }
