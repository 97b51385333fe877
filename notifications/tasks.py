from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from .channels import TransportError
from .services import DELIVERY_BATCH, notification_deliver, notifications_deliver, outbox_sweep


@shared_task(bind=True, autoretry_for=(TransportError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_notifications(self: Any, notification_ids: list[int]) -> int:
    """Send a batch of notifications; safe to run twice (the claim makes the second a no-op),
    and a retry sends only the rows that failed. A first run tops a short batch up with other
    waiting rows (``DELIVERY_BATCH`` in all, see ``notifications.services._claim``); a retry
    takes back every row of its batch that failed, and no others."""
    fill = DELIVERY_BATCH if self.request.retries == 0 else 0
    try:
        return notifications_deliver(ids=notification_ids, fill=fill)
    except TransportError as exc:
        extra = sorted(set(exc.ids) - set(notification_ids))
        if not extra or self.request.retries >= self.max_retries:
            raise  # autoretry: the same ids, with its back-off
        countdown = get_exponential_backoff_interval(
            factor=1, retries=self.request.retries, maximum=600, full_jitter=True
        )
        raise self.retry(args=[[*notification_ids, *extra]], exc=exc, countdown=countdown) from exc


@shared_task(bind=True, autoretry_for=(TransportError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_notification(self: Any, notification_id: int) -> bool:
    """One notification: what the first releases queued (tasks still on the broker at an upgrade)."""
    return notification_deliver(notification_id=notification_id)


@shared_task
def sweep_outbox() -> int:
    """Queue what waited too long in the outbox (never enqueued, or enqueued while Redis was down)."""
    return outbox_sweep()
