"""Middleware: security headers on every response; one warehouse snapshot per request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from gapwatch.workspace.warehouse import Snapshot, served


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline script, nothing from elsewhere), a restrictive
    Permissions-Policy, and no caching of pages that hold student records."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if not request.path.startswith(settings.STATIC_URL):
            response.setdefault("Cache-Control", "no-store")
        return response


class WarehouseSnapshotMiddleware:
    """``request.warehouse``: a :class:`~gapwatch.workspace.warehouse.Snapshot` of one
    generation of the warehouse, opened on first use and closed with the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        opened: list[Snapshot] = []

        def snapshot() -> Snapshot:
            if settings.WAREHOUSE is None:
                from django.core.exceptions import ImproperlyConfigured

                raise ImproperlyConfigured("GAPWATCH_WAREHOUSE is not set (gapwatch serve --db)")
            opened.append(served(settings.WAREHOUSE).snapshot())
            return opened[-1]

        request.warehouse = SimpleLazyObject(snapshot)
        try:
            return self.get_response(request)
        finally:
            for snap in opened:
                snap.close()


class IdleSessionMiddleware:
    """An idle session ends ``SESSION_COOKIE_AGE`` after its last renewal; a request renews it
    (one write to the application database) when the last renewal is at least
    ``SESSION_RENEW_SECONDS`` old, instead of on every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.modified:
            now = int(time.time())
            if now - session.get("_renewed", 0) >= settings.SESSION_RENEW_SECONDS:
                session["_renewed"] = now  # saved, and its expiry moved, by SessionMiddleware
        return response
