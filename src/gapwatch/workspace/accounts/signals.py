"""Every login, failed login and logout goes to the audit log (local accounts and SSO)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from gapwatch.workspace.audit.models import Action
from gapwatch.workspace.audit.record import record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    if request is not None:
        request.user = user
        record(request, Action.LOGIN)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is not None:
        record(request, Action.LOGIN_FAILED, username=credentials.get("username", ""))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if request is not None and user is not None:
        request.user = user
        record(request, Action.LOGOUT)
