"""Production settings: HTTPS only, secure cookies, HSTS, a secret key from the environment.

``DJANGO_SETTINGS_MODULE=gapwatch.workspace.settings_production``; behind a TLS-terminating
proxy (docs/workspace.md), which must set ``X-Forwarded-Proto``. ``manage check --deploy`` is
clean with these settings (a test runs it).
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from gapwatch.workspace.settings import *  # noqa: F403

SECRET_KEY = os.environ.get("GAPWATCH_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("GAPWATCH_SECRET_KEY must be set (at least 50 random characters; "
                               "python -c 'import secrets; print(secrets.token_urlsafe(50))')")
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("GAPWATCH_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
