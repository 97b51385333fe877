"""Security middleware: recent login for money actions, response headers, lockout answers."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

#: Session key: when this session last proved the password (epoch seconds).
AUTH_AT = "pingshen_auth_at"

#: Page routes that move money or decide funding: they need a password typed recently.
#: (An award level fixes its bonus; applying the suggested list decides every amount of a call.)
RECENT_LOGIN_URL_NAMES = frozenset(
    {
        "disbursement-approve",
        "disbursement-reject",
        "disbursement-pay",
        "decide",
        "award-decide",
        "call-suggestions-apply",
    }
)


def mark_authenticated(request: HttpRequest) -> None:
    request.session[AUTH_AT] = time.time()


def login_is_recent(request: HttpRequest) -> bool:
    at = request.session.get(AUTH_AT)
    if not isinstance(at, int | float):
        return False
    return time.time() - at < settings.PINGSHEN_RECENT_LOGIN_MINUTES * 60


class RecentLoginMiddleware:
    """Send a signed-in user whose login is older than PINGSHEN_RECENT_LOGIN_MINUTES to the
    re-authentication page before a money page, which then returns to that page's form."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        match = request.resolver_match
        if match is None or match.url_name not in RECENT_LOGIN_URL_NAMES:
            return None
        if not request.user.is_authenticated or login_is_recent(request):
            return None
        # A POST cannot be replayed after the password prompt: return to the form it came from.
        back = request.get_full_path() if request.method == "GET" else request.META.get("HTTP_REFERER", "/")
        return HttpResponseRedirect("/accounts/reauth/?" + urlencode({"next": back}))


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every answer (HSTS, frame, referrer
    and nosniff come from Django's own SecurityMiddleware and clickjacking middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(tuple(settings.PINGSHEN_CSP_DOCS_PREFIXES)):
            policy = settings.PINGSHEN_CSP_DOCS
        elif request.path.startswith(tuple(settings.PINGSHEN_CSP_RELAXED_PREFIXES)):
            policy = settings.PINGSHEN_CSP_RELAXED
        else:
            policy = settings.PINGSHEN_CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


def request_body_limit(request: HttpRequest) -> int:
    """The most bytes a request may send: a file upload (multipart) may carry one attachment or
    an expert sheet plus its form fields; anything else (JSON, a form) what Django keeps in
    memory, ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""
    if request.content_type == "multipart/form-data":
        return settings.ATTACHMENT_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    message = _("The request is larger than %(mb)s MB.") % {"mb": f"{limit / (1024 * 1024):.0f}"}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class BodySizeLimitMiddleware:
    """413 for a request that announces a body over :func:`request_body_limit`, before anything
    reads it. ``DATA_UPLOAD_MAX_MEMORY_SIZE`` alone guards ``request.body`` and ``request.POST``
    only: DRF's JSON parser reads ``request.stream`` and would take in a 100 MB body whole.
    A body sent without a length (chunked) is cut by ``api.parsers.LimitedJSONParser``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads an unreadable length as none as well
        limit = request_body_limit(request)
        if length > limit:
            return too_large_response(request, limit)
        return self.get_response(request)


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes: what a locked-out login sees (429): JSON for the API, a page otherwise."""
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    message = _("Too many failed logins for this account from your address. Try again in %(minutes)d minutes.") % {
        "minutes": minutes
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
