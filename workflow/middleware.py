from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest


class PageLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Pages need a login (anonymous visitors get the login page); the API answers 401 itself
    and public pages (notice, registration) opt out with ``login_not_required``."""

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
