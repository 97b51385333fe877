"""Security middleware: recent login for money actions, response headers, lockout answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .recent import AUTH_AT, RecentLoginRequired, login_is_recent, mark_authenticated, request_in_context

__all__ = ["AUTH_AT", "mark_authenticated"]

#: Page routes that move money or decide an outcome. The check itself is in the services
#: (``accounts.recent.require_recent_login``) and covers every route; naming the pages here
#: only sends the user to the password prompt *before* they fill in the form.
RECENT_LOGIN_URL_NAMES = frozenset(
    {
        "disbursement-approve",
        "disbursement-reject",
        "disbursement-pay",
        "disbursement-resubmit",
        "decide",
        "award-decide",
        "call-suggestions-apply",
        "notice-publish",
        "notice-close",
        "award-notice-publish",
        "award-notice-close",
        "objection-resolve",
        "objections-dismiss",
        "terminate",
        "acceptance-decide",
    }
)


def _reauth_redirect(request: HttpRequest) -> HttpResponse:
    # A POST cannot be replayed after the password prompt: return to the form it came from.
    back = request.get_full_path() if request.method == "GET" else request.META.get("HTTP_REFERER", "/")
    return HttpResponseRedirect("/accounts/reauth/?" + urlencode({"next": back}))


class RecentLoginMiddleware:
    """Make the request known to ``require_recent_login`` while it runs, and on a page send a
    signed-in user whose login is older than PINGSHEN_RECENT_LOGIN_MINUTES to the
    re-authentication page, which then returns to that page's form. (The API answers the
    service's refusal with 403 and its detail.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_in_context(request):
            return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        match = request.resolver_match
        if match is None or match.url_name not in RECENT_LOGIN_URL_NAMES:
            return None
        if not request.user.is_authenticated or login_is_recent(request):
            return None
        return _reauth_redirect(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if isinstance(exception, RecentLoginRequired) and not request.path.startswith("/api/"):
            return _reauth_redirect(request)
        return None


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
