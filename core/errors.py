"""Domain errors that services raise and every interface maps the same way.

- ``django.core.exceptions.ValidationError`` (a dict of field → messages): bad input, 400.
- ``django.core.exceptions.PermissionDenied``: the role may not act, 403.
- ``NotVisible``: the caller may not see the object at all, 404 (never reveal it exists).
- ``StateConflict``: the object's state forbids the action, 409.
"""

from __future__ import annotations

from django.http import Http404


class StateConflict(Exception):
    """The action is not allowed in the object's current state (HTTP 409)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotVisible(Http404):
    """The caller may not see this object; answer as if it did not exist (HTTP 404)."""


class RateLimited(Exception):
    """Too many requests from this client: try again in ``retry_after`` seconds (HTTP 429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after
