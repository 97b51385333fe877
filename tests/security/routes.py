"""Every route the project serves, read from the URL resolver (nothing listed by hand)."""

from __future__ import annotations

import re
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

#: Routes handed wholesale to a third-party app with its own permission system: the matrix
#: has one row for the prefix (its entry page), not one per inner pattern.
DELEGATED_PREFIXES = ("admin/", "processes/")


def _walk(patterns: Any, prefix: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(_walk(entry.url_patterns, route))
        elif isinstance(entry, URLPattern):
            found.append((route, entry))
    return found


def project_routes() -> dict[str, Any]:
    """Route → pattern, for every route outside the delegated prefixes."""
    routes = {}
    for route, entry in _walk(get_resolver().url_patterns, ""):
        if route.startswith(DELEGATED_PREFIXES):
            continue
        routes[route.lstrip("^").rstrip("$")] = entry
    return routes


def fill(route: str, **values: Any) -> str:
    """``applications/<int:pk>/`` with ``pk=3`` → ``/applications/3/``."""

    def one(match: re.Match[str]) -> str:
        return str(values[match.group(2)])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", one, route)


def parameters(route: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", route)
