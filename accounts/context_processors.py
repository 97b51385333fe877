from typing import Any

from django.http import HttpRequest


def roles(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    codes: frozenset[str] = frozenset()
    unread = 0
    if user.is_authenticated:
        codes = user.roles | ({"staff"} if user.is_superuser else frozenset())
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {"user_roles": codes, "unread_notifications": unread}
