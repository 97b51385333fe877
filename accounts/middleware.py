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
        relaxed = request.path.startswith(tuple(settings.PINGSHEN_CSP_RELAXED_PREFIXES))
        policy = settings.PINGSHEN_CSP_RELAXED if relaxed else settings.PINGSHEN_CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes: what a locked-out login sees (429): JSON for the API, a page otherwise."""
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    message = _("Too many failed logins for this account from your address. Try again in %(minutes)d minutes.") % {
        "minutes": minutes
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
