"""Where a notification about an item takes its reader: built with ``reverse()`` by the
service that writes the notification (``notify(url=...)``), never a hard-coded path."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from .enums import ItemKind


def item_url(application: Any) -> str:
    """The page of a plan project, or of an award nomination (a nomination is an application)."""
    if application.kind == ItemKind.NOMINATION:
        return reverse("award-nomination", args=[application.pk])
    return reverse("application-detail", args=[application.pk])


def item_staff_url(application: Any) -> str:
    """The bureau's working page of an item: experts, slots and decisions, in either flow."""
    return reverse("application-detail", args=[application.pk])
