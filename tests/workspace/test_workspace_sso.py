"""Single sign-on: configured from the environment only; accounts matched by verified email,
or made from the warehouse's staff row with its role; anyone else refused."""

from __future__ import annotations

import pytest
from conftest import students_of

from gapwatch.workspace import sso
from gapwatch.workspace.accounts.models import User

pytestmark = pytest.mark.django_db
OIDC = {"OIDC_RP_CLIENT_ID": "id", "OIDC_RP_CLIENT_SECRET": "secret",
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.org/auth",
        "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.org/token",
        "OIDC_OP_USER_ENDPOINT": "https://idp.example.org/userinfo",
        "OIDC_OP_JWKS_ENDPOINT": "https://idp.example.org/jwks", "OIDC_RP_SIGN_ALGO": "RS256"}


def test_configured_from_the_environment(monkeypatch) -> None:
    settings: dict = {"INSTALLED_APPS": [], "AUTHENTICATION_BACKENDS": ["model"]}
    sso.configure(settings)
    assert settings["OIDC_ENABLED"] is False and "mozilla_django_oidc" not in settings[
        "INSTALLED_APPS"]
    monkeypatch.setenv("GAPWATCH_OIDC_CLIENT_ID", "gapwatch")
    with pytest.raises(Exception, match="GAPWATCH_OIDC_CLIENT_SECRET"):
        sso.configure(settings)
    for var in sso.ENV.values():
        monkeypatch.setenv(var, f"value-of-{var}")
    sso.configure(settings)
    assert settings["OIDC_RP_CLIENT_SECRET"] == "value-of-GAPWATCH_OIDC_CLIENT_SECRET"
    assert settings["AUTHENTICATION_BACKENDS"][0].endswith("StaffOIDCBackend")


def test_backend_matches_email_or_makes_staff_accounts(district, accounts, settings) -> None:
    for key, value in OIDC.items():
        setattr(settings, key, value)
    from gapwatch.workspace.accounts.oidc import StaffOIDCBackend

    backend = StaffOIDCBackend()
    teacher = accounts["users"]["teacher"]
    assert list(backend.filter_users_by_claims({"email": teacher.email.upper()})) == [teacher]
    assert not backend.verify_claims({"email": "a@b.org", "email_verified": False})
    email, staff_id = students_of(district, "SELECT email || ' ' || staff_id FROM staff WHERE "
                                  "role = 'COUNSELOR' ORDER BY school_year DESC LIMIT 1",
                                  []).pop().split()
    made = backend.create_user({"email": email})
    assert (made.role, made.staff_id, made.has_usable_password()) == ("counselor", staff_id,
                                                                       False)
    assert backend.create_user({"email": "stranger@elsewhere.example.org"}) is None
    janitor = students_of(district, "SELECT email FROM staff WHERE role = 'OTHER' LIMIT 1", [])
    assert backend.create_user({"email": janitor.pop()}) is None
    assert User.objects.filter(email__iexact=email).count() == 1
