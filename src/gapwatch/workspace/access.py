"""The role gate every view declares: ``@allow(Role.X, ...)``.

Anonymous requests go to the login page; a signed-in user whose role is not allowed gets 404
(existence is not revealed) and the request is logged as out of scope. Each view's allowed
roles are readable as ``view.allowed_roles`` (the authorization matrix test compares them with
its own table of expectations).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from gapwatch.workspace.scope import deny


def allow(*roles: str) -> Callable:
    """Let only signed-in users with one of ``roles`` reach the view."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def gated(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.role not in roles:
                deny(request, "page", request.resolver_match.url_name if
                     request.resolver_match else request.path)
            return view(request, *args, **kwargs)

        gated.allowed_roles = frozenset(roles)
        return gated

    return decorate
