"""How errors answer outside the views' own handling (issue 13).

- Under ``/api/`` every error is JSON ``{"detail": ...}``: an unknown path (404) and a server
  error (500) included, whatever made them (the resolver, a view, another middleware), with
  DEBUG on or off. DRF's own answers are left as they are. Pages keep the HTML pages.
- A database too busy to take a write (SQLite's "database is locked" after its busy timeout) is
  a 409 "try again", on the pages and the API alike, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

#: The messages a database gives when another writer holds the lock past the wait.
BUSY_MESSAGES = ("database is locked", "database table is locked", "lock timeout", "could not obtain lock")


def busy_message() -> str:
    return _("Someone else is acting on this right now; try again.")


def is_database_busy(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and any(m in str(exc).lower() for m in BUSY_MESSAGES)


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


class ErrorAnswerMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            is_api(request)
            and response.status_code in (404, 500)
            and not hasattr(response, "accepted_renderer")  # DRF answered: its own format
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            detail = _("Not found") if response.status_code == 404 else _("A server error occurred.")
            return JsonResponse({"detail": detail}, status=response.status_code)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        logger.warning("busy database answered 409 on %s %s: %s", request.method, request.path, exception)
        if is_api(request):
            return JsonResponse({"detail": busy_message()}, status=409)
        return render(request, "409.html", {"detail": busy_message()}, status=409)


class BenchIdentityMiddleware:
    """Only under ``bench.pages_load``: every answer names the run and the database behind it.

    The benchmark starts gunicorn with ``PINGSHEN_BENCH_TOKEN`` (a fresh secret per run) and
    reports nothing unless the server answering carries that token and serves the benchmark's
    own database: a stale server left on the port, or any other one, is refused, not measured.
    Listed in ``MIDDLEWARE`` only when the variable is set (``workflow/settings.py``).
    """

    RUN_HEADER = "X-Pingshen-Bench"
    DATABASE_HEADER = "X-Pingshen-Bench-Database"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.conf import settings
        from django.core.exceptions import MiddlewareNotUsed
        from django.db import connection

        self.token = getattr(settings, "BENCH_TOKEN", "")
        if not self.token:
            raise MiddlewareNotUsed
        self.database = str(connection.settings_dict["NAME"])
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response[self.RUN_HEADER] = self.token
        response[self.DATABASE_HEADER] = self.database
        return response
