"""Where each notification takes its reader.

New notifications carry the link their service built (``notify(url=reverse(...))``); rows
written before that, or by a service that had no single page to name, get the page where
their kind is dealt with. Route names only: this room never decides who may see what, the
page it links to does.
"""

from __future__ import annotations

from django.urls import reverse

from .models import Notification

#: kind → the page that deals with it, for a notification that carries no link of its own.
KIND_PAGES = {
    "review_invitation": "my-reviews",
    "review_reminder": "my-reviews",
    "review_reopened": "my-reviews",
    "review_overdue": "my-reviews",
    "review_expired": "my-reviews",
    "review_declined": "reviews-overdue",
    "objection_received": "objections",
    "disbursement_requested": "finance",
}


def notification_link(notification: Notification) -> str:
    """The page this notification is about: its stored link, else its kind's page, else home."""
    if notification.url:
        return notification.url
    return reverse(KIND_PAGES.get(notification.kind, "home"))
