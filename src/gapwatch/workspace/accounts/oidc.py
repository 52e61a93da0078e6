"""Single sign-on accounts (mozilla-django-oidc): a verified email signs in the account with
that email; without one, a staff row of the warehouse with that email (``staff.email``, latest
year) makes the account, its role from the staff role (:data:`STAFF_ROLE_CODES`) and its
schools from the warehouse. Anyone else is refused. Districts give district admin, analyst and
partner roles with ``gapwatch users create``."""

from __future__ import annotations

from django.conf import settings
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from gapwatch.workspace.roles import STAFF_ROLE_CODES
from gapwatch.workspace.warehouse import served


def staff_by_email(email: str) -> dict | None:
    """The latest staff row with this email, if the warehouse has one."""
    if settings.WAREHOUSE is None:
        return None
    snap = served(settings.WAREHOUSE).snapshot()
    try:
        if not snap.has_column("staff", "email"):
            return None
        rows = snap.rows("SELECT staff_id, role, name FROM staff WHERE lower(email) = $email "
                         "ORDER BY school_year DESC, fte DESC LIMIT 1", {"email": email.lower()})
    finally:
        snap.close()
    return rows[0] if rows else None


class StaffOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict) -> bool:
        return (super().verify_claims(claims) and bool(claims.get("email"))
                and claims.get("email_verified", True) is not False)

    def filter_users_by_claims(self, claims: dict):
        return self.UserModel.objects.filter(email__iexact=claims.get("email", ""),
                                             is_active=True)

    def create_user(self, claims: dict):
        email = claims["email"]
        staff = staff_by_email(email)
        role = STAFF_ROLE_CODES.get(staff["role"]) if staff else None
        if role is None:
            return None
        first, _, last = (staff.get("name") or claims.get("name") or "").partition(" ")
        user = self.UserModel(username=email.lower()[:150], email=email, role=role,
                              staff_id=staff["staff_id"], first_name=first, last_name=last)
        user.set_unusable_password()
        user.save()
        return user
