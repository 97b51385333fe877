from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import Http404, HttpRequest

from accounts.rules import is_panel, is_staff

#: Viewflow's own pages (workflow/urls.py): a bureau tool, reached from an item's page.
PROCESSES_PREFIX = "/processes/"


class PageLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Pages need a login (anonymous visitors get the login page); the API answers 401 itself
    and public pages (notice, registration) opt out with ``login_not_required``. Viewflow's
    own pages (``/processes/``) are for staff and the panel only."""

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        if request.path.startswith("/api/"):
            return None
        response = super().process_view(request, view_func, view_args, view_kwargs)
        if response is None and request.path.startswith(PROCESSES_PREFIX):
            # Viewflow's task lists are the bureau's (staff and the panel); applicants, experts
            # and finance work from our pages. Everyone else: as if they did not exist.
            if not (is_staff(request.user) or is_panel(request.user)):
                raise Http404
        return response
