"""Optional district single sign-on through OpenID Connect (mozilla-django-oidc).

Enabled when ``GAPWATCH_OIDC_CLIENT_ID`` is set; every value comes from the environment:

==================================  ========================================================
``GAPWATCH_OIDC_CLIENT_ID``          the client (application) id registered with the provider
``GAPWATCH_OIDC_CLIENT_SECRET``      its secret
``GAPWATCH_OIDC_AUTHORIZATION_URL``  the provider's authorization endpoint
``GAPWATCH_OIDC_TOKEN_URL``          token endpoint
``GAPWATCH_OIDC_USERINFO_URL``       userinfo endpoint
``GAPWATCH_OIDC_JWKS_URL``           signing keys (JWKS) endpoint
``GAPWATCH_OIDC_SIGN_ALGO``          ``RS256`` (default)
==================================  ========================================================

Google Workspace and Microsoft Entra ID publish these endpoints in their discovery documents
(docs/workspace.md). A person signs in when their email matches an account, or a staff row of
the warehouse (``staff.email``), from which the account and its role are made
(:mod:`gapwatch.workspace.accounts.oidc`).
"""

from __future__ import annotations

import os

ENV = {
    "OIDC_RP_CLIENT_ID": "GAPWATCH_OIDC_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET": "GAPWATCH_OIDC_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "GAPWATCH_OIDC_AUTHORIZATION_URL",
    "OIDC_OP_TOKEN_ENDPOINT": "GAPWATCH_OIDC_TOKEN_URL",
    "OIDC_OP_USER_ENDPOINT": "GAPWATCH_OIDC_USERINFO_URL",
    "OIDC_OP_JWKS_ENDPOINT": "GAPWATCH_OIDC_JWKS_URL",
}


def enabled() -> bool:
    """Whether single sign-on is configured."""
    return bool(os.environ.get("GAPWATCH_OIDC_CLIENT_ID"))


def configure(settings: dict) -> None:
    """Add the OpenID Connect app, backend and settings to ``settings`` when enabled."""
    settings["OIDC_ENABLED"] = enabled()
    if not settings["OIDC_ENABLED"]:
        return
    missing = [v for v in ENV.values() if not os.environ.get(v)]
    if missing:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("single sign-on needs " + ", ".join(missing))
    for name, var in ENV.items():
        settings[name] = os.environ[var]
    settings["OIDC_RP_SIGN_ALGO"] = os.environ.get("GAPWATCH_OIDC_SIGN_ALGO", "RS256")
    settings["OIDC_RP_SCOPES"] = "openid email profile"
    settings["OIDC_CREATE_USER"] = True
    settings["INSTALLED_APPS"] = [*settings["INSTALLED_APPS"], "mozilla_django_oidc"]
    settings["AUTHENTICATION_BACKENDS"] = [
        "gapwatch.workspace.accounts.oidc.StaffOIDCBackend", *settings["AUTHENTICATION_BACKENDS"]]
    settings["LOGIN_REDIRECT_URL_FAILURE"] = "/login/"
