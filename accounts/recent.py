"""A recent login for every money and decision action, whatever the route (issue 14.2).

The check lives in the services that decide money or outcomes (``require_recent_login``),
so a page, an API endpoint, or a route added later all meet it. The services do not see the
request: ``RecentLoginMiddleware`` puts the current request in a context variable for the
length of the request, and the check reads how the caller proved who they are:

- a browser session (pages, or the API with the session cookie): the password was typed —
  at login or on ``/accounts/reauth/`` — within ``PINGSHEN_RECENT_LOGIN_MINUTES``;
- an API token: it was issued within the same window. A token is obtained with the password
  at ``POST /api/auth/token/`` and cannot be picked up from an unattended browser, so asking
  for a new one is the API's re-authentication.

Outside a request (the clock, management commands, a shell) there is nobody to ask: the
check passes. Those run with the server's own authority.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

#: Session key: when this session last proved the password (epoch seconds).
AUTH_AT = "pingshen_auth_at"

_current_request: ContextVar[HttpRequest | None] = ContextVar("pingshen_current_request", default=None)


class RecentLoginRequired(PermissionDenied):
    """The action needs a password proved within the window (403 in the API; the pages send
    the user to ``/accounts/reauth/`` and back)."""


def _window_seconds() -> float:
    return float(settings.PINGSHEN_RECENT_LOGIN_MINUTES) * 60


def mark_authenticated(request: HttpRequest) -> None:
    request.session[AUTH_AT] = time.time()


def token_login_is_recent(token: Any) -> bool:
    return time.time() - token.created.timestamp() < _window_seconds()


def login_is_recent(request: HttpRequest) -> bool:
    """Did this request's caller prove the password within the window? A DRF request that
    authenticated with a token carries it as ``request.auth`` (DRF sets it on the Django
    request too); otherwise the session says when."""
    from .models import ApiToken

    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return token_login_is_recent(auth)
    at = request.session.get(AUTH_AT) if hasattr(request, "session") else None
    if not isinstance(at, int | float):
        return False
    return time.time() - at < _window_seconds()


@contextmanager
def request_in_context(request: HttpRequest) -> Iterator[None]:
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def require_recent_login(actor: Any) -> None:
    """Refuse (``RecentLoginRequired``, 403) when a person acting through a request has not
    proved the password within ``PINGSHEN_RECENT_LOGIN_MINUTES``. ``actor=None`` is the
    clock; outside a request there is no one to ask (see the module docstring)."""
    request = _current_request.get()
    if actor is None or request is None:
        return
    if login_is_recent(request):
        return
    if getattr(request, "auth", None) is not None:
        message = _(
            "This action needs a recent login: ask for a new token with your password "
            "(POST /api/auth/token/) and try again."
        )
    else:
        message = _("This action needs a recent login: confirm your password at /accounts/reauth/ and try again.")
    raise RecentLoginRequired(message)
