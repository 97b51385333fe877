from __future__ import annotations

from typing import Any

from celery import shared_task

from .channels import TransportError
from .services import notification_deliver, notifications_deliver, outbox_sweep


@shared_task(bind=True, autoretry_for=(TransportError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_notifications(self: Any, notification_ids: list[int]) -> int:
    """Send a batch of notifications; safe to run twice (the claim makes the second a no-op),
    and a retry sends only the rows that failed."""
    return notifications_deliver(ids=notification_ids)


@shared_task(bind=True, autoretry_for=(TransportError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_notification(self: Any, notification_id: int) -> bool:
    """One notification: what the first releases queued (tasks still on the broker at an upgrade)."""
    return notification_deliver(notification_id=notification_id)


@shared_task
def sweep_outbox() -> int:
    """Queue what waited too long in the outbox (never enqueued, or enqueued while Redis was down)."""
    return outbox_sweep()
