"""Django settings of the staff workspace, every value from the environment (docs/workspace.md).

This module is for a workstation, the demo and the tests; a deployment uses
:mod:`gapwatch.workspace.settings_production`, which requires HTTPS and a secret key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from gapwatch.workspace import env

HERE = Path(__file__).resolve().parent
WAREHOUSE = env.warehouse_path()

#: GAPWATCH_SECRET_KEY; without it (workstation, tests) a random key per process: sessions end
#: when the process stops. `gapwatch serve` sets one for all its workers.
SECRET_KEY = os.environ.get("GAPWATCH_SECRET_KEY") or secrets.token_urlsafe(50)
DEBUG = env.flag("GAPWATCH_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get(
    "GAPWATCH_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
#: proxies whose X-Forwarded-For names the client (the audit log's "from where")
TRUSTED_PROXIES = frozenset(p.strip() for p in os.environ.get(
    "GAPWATCH_TRUSTED_PROXIES", "").split(",") if p.strip())
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get(
    "GAPWATCH_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "gapwatch.workspace.accounts",
    "gapwatch.workspace.audit",
    "gapwatch.workspace.students",
    "gapwatch.workspace.notes",
    "gapwatch.workspace.supports",
    "gapwatch.workspace.referrals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gapwatch.workspace.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gapwatch.workspace.middleware.SecurityHeadersMiddleware",
    "gapwatch.workspace.middleware.WarehouseSnapshotMiddleware",
]

ROOT_URLCONF = "gapwatch.workspace.urls"
WSGI_APPLICATION = "gapwatch.workspace.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [HERE / "templates"],
    "APP_DIRS": False,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "gapwatch.workspace.context.workspace",
    ]},
}]

DATABASES = {"default": env.database(os.environ.get("GAPWATCH_DATABASE_URL"), WAREHOUSE)}
if os.environ.get("GAPWATCH_TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["GAPWATCH_TEST_DATABASE_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

#: Login throttling: this many failures for one account or one address within the window
#: refuse further attempts until the window has passed (gapwatch.workspace.accounts.throttle).
LOGIN_FAILURES_ALLOWED = int(os.environ.get("GAPWATCH_LOGIN_FAILURES", "5"))
LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("GAPWATCH_LOGIN_WINDOW_MINUTES", "15"))

# Sessions: an idle session ends after GAPWATCH_SESSION_MINUTES (default 30).
SESSION_COOKIE_AGE = 60 * int(os.environ.get("GAPWATCH_SESSION_MINUTES", "30"))
# renewed by a request at most once a minute (gapwatch.workspace.middleware.IdleSessionMiddleware)
# rather than written on every request
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.flag("GAPWATCH_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
#: The Content-Security-Policy of every response: no inline script, nothing from elsewhere.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'")

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("GAPWATCH_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = STATIC_ROOT is None
STATICFILES_DIRS = [HERE / "static"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("GAPWATCH_TIME_ZONE", "America/Los_Angeles")
USE_I18N = False
USE_TZ = True

#: Notes: an author may edit a note this many hours after writing it, then it is append-only.
NOTE_EDIT_HOURS = 24

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"gapwatch.workspace": {"handlers": ["console"], "level": "WARNING"}},
}

from gapwatch.workspace.sso import configure as _configure_sso  # noqa: E402

_configure_sso(globals())
