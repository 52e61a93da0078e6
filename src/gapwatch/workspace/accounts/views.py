"""Signing in (local accounts, throttled; or single sign-on) and out."""

from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from gapwatch.workspace.accounts.throttle import throttled
from gapwatch.workspace.audit.models import Action
from gapwatch.workspace.audit.record import client_ip, record
from gapwatch.workspace.roles import Role


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing attempts while the account or address is throttled."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if throttled(username, client_ip(self.request)):
            record(self.request, Action.LOGIN_THROTTLED, username=username)
            raise forms.ValidationError(
                "Too many failed attempts. Wait a few minutes, or ask your district's "
                "workspace administrator.", code="throttled")
        return super().clean()


class LoginView(auth_views.LoginView):
    template_name = "workspace/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


def home(request: HttpRequest) -> HttpResponse:
    """Where a signed-in user starts: partners at their referrals, staff at their students."""
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.role == Role.PARTNER:
        return redirect("referrals")
    return redirect("students")


def ready(request: HttpRequest) -> HttpResponse:
    """For a load balancer or a start script: 200 once the warehouse is prepared to be served,
    503 while the first generation is being prepared. Carries no data; no sign-in needed."""
    from django.conf import settings

    from gapwatch.workspace.warehouse import served

    ok = settings.WAREHOUSE is not None and served(settings.WAREHOUSE).ready()
    return HttpResponse("ready\n" if ok else "preparing\n", status=200 if ok else 503,
                        content_type="text/plain; charset=utf-8")
