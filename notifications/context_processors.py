from typing import Any

from django.http import HttpRequest


def unread(request: HttpRequest) -> dict[str, Any]:
    """The unread count beside "Notifications" in the page header."""
    user = request.user
    if not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": user.notifications.filter(read_at__isnull=True).count()}
