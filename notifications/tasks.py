from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .channels import TransportError
from .enums import DeliveryState
from .models import Notification
from .services import _enqueue, notification_deliver


@shared_task(
    bind=True,
    autoretry_for=(TransportError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_notification(self, notification_id: int) -> bool:  # type: ignore[no-untyped-def]
    """Send one notification; safe to run twice (the claim makes the second a no-op)."""
    return notification_deliver(notification_id=notification_id)


@shared_task
def sweep_outbox() -> int:
    """Queue what waited too long in the outbox (never enqueued, or enqueued while Redis was down)."""
    cutoff = timezone.now() - timedelta(minutes=2)
    ids = list(
        Notification.objects.filter(state=DeliveryState.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
    _enqueue(ids)
    return len(ids)
