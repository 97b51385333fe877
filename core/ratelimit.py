"""A fixed-window rate limit on the Django cache (Redis when ``REDIS_URL`` is set, so every
web process counts together; the in-process cache otherwise), and the client's address.

``client_address``: ``REMOTE_ADDR``, unless the deployment says how many reverse proxies it
runs behind (``PINGSHEN_PROXY_COUNT``, the same environment variable ``AXES_PROXY_COUNT``
as the login throttle). Then the address is the one the outermost of *our* proxies saw: the
N-th entry from the right of ``X-Forwarded-For`` (entries further left are whatever the
client wrote and are never trusted).
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .errors import RateLimited


def client_address(request: HttpRequest) -> str:
    proxies = int(getattr(settings, "PINGSHEN_PROXY_COUNT", 0) or 0)
    remote = str(request.META.get("REMOTE_ADDR") or "")
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")]
    forwarded = [part for part in forwarded if part]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


def _key(scope: str, window: int, now: float) -> tuple[str, float]:
    bucket = int(now // window)
    return f"pingshen:rate:{scope}:{bucket}", (bucket + 1) * window - now


def rate_check(*, scope: str, limit: int, window: int) -> None:
    """``RateLimited`` (429, with the seconds to wait) once ``limit`` were counted in this window."""
    key, left = _key(scope, window, time.time())
    if int(cache.get(key, 0)) >= limit:
        raise RateLimited(retry_after=max(1, math.ceil(left)))


def rate_count(*, scope: str, window: int) -> None:
    """Count one more in this window (atomic on Redis: ``add`` then ``incr``)."""
    key, _left = _key(scope, window, time.time())
    cache.add(key, 0, timeout=window + 60)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr: start again
        cache.set(key, 1, timeout=window + 60)
