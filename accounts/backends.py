"""Login throttling (django-axes) in front of the ordinary model backend."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class ThrottledBackend(AxesStandaloneBackend):
    """Refuse a login for a username and address that failed too often (AXES_FAILURE_LIMIT).

    Every login form and ``POST /api/auth/token/`` passes the request, so they are throttled.
    ``authenticate()`` without a request (the management shell, the test client's ``login``)
    cannot be attributed to an address: this backend then stays out of the way instead of
    refusing, and the next backend checks the password as usual.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


#: django-axes keeps the username of each attempt in a column of this many characters.
AXES_USERNAME_MAX = 255


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The username django-axes records and locks out by (``AXES_USERNAME_CALLABLE``): the one
    typed, cut to the column it is stored in. A 300-character name at login was a 500 (the
    failed attempt could not be written) on the page and on ``POST /api/auth/token/``."""
    if credentials:
        raw = credentials.get("username")
    else:
        raw = getattr(request, "data", request.POST).get("username")
    if raw is None:
        return None
    return str(raw)[:AXES_USERNAME_MAX]
