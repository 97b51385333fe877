"""Hand a notification to people. Callers pass lazy strings; we render them per recipient."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from core.errors import NotVisible

from .channels import TRANSPORTS, TransportError
from .enums import DeliveryState
from .models import Notification

logger = logging.getLogger(__name__)


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    subject: Any,
    body: Any,
    context: Mapping[str, Any] | None = None,
    url: str = "",
) -> list[Notification]:
    """Write one notification per recipient (in the caller's transaction) and queue sending.

    ``subject`` and ``body`` are lazily translated templates with ``%(name)s`` placeholders,
    rendered in each recipient's language.
    """
    context = dict(context or {})
    rows = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        with translation.override(getattr(user, "language", None) or "zh-hans"):
            rows.append(
                Notification(
                    recipient=user,
                    kind=kind,
                    subject=(str(subject) % context)[:200],
                    body=str(body) % context,
                    url=url,
                )
            )
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return created


def _enqueue(ids: list[int]) -> None:
    from .tasks import send_notification

    for pk in ids:
        try:
            send_notification.delay(pk)
        except Exception:  # noqa: BLE001 - a broker outage must not lose the event; the sweep resends
            logger.warning("broker unavailable; notification %s stays in the outbox", pk)
            return


def notification_deliver(*, notification_id: int) -> bool:
    """Claim and send one notification by e-mail. Returns True if this call sent it.

    The claim is a conditional update, so two workers never both send the same row.
    """
    claimed = Notification.objects.filter(pk=notification_id, state=DeliveryState.PENDING).update(
        state=DeliveryState.SENDING, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        TRANSPORTS["email"].send(notification)
    except TransportError as exc:
        notification.state = DeliveryState.FAILED if exc.permanent else DeliveryState.PENDING
        notification.last_error = str(exc)[:2000]
        notification.save(update_fields=["state", "last_error"])
        if not exc.permanent:
            raise
        return False
    notification.state = DeliveryState.SENT
    notification.sent_at = timezone.now()
    notification.save(update_fields=["state", "sent_at"])
    return True


def notification_mark_read(*, notification: Notification, actor: Any) -> Notification:
    if notification.recipient_id != actor.pk:
        raise NotVisible()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
