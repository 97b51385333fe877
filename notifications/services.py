"""Hand a notification to people. Callers pass lazy strings; we render them per recipient.

The outbox: ``notify`` writes rows in the caller's transaction and queues sending only
after commit; ``notification_deliver`` claims a row with a conditional update, so a row
is sent at most once however many workers or retries see it; ``sweep`` picks up what a
broker outage left behind.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import NotVisible, StateConflict

from .channels import TRANSPORTS, TransportError
from .enums import DeliveryState
from .models import EmailPreference, Notification

logger = logging.getLogger(__name__)

#: After this many attempts a temporary failure is recorded as final.
MAX_ATTEMPTS = 8
#: A claim older than this belongs to a worker that died mid-send.
STALE_CLAIM = timedelta(minutes=10)


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
    rendered in each recipient's language. Recipients who opted out of e-mail for this kind,
    or have no address, get the in-app row only (state ``skipped``).
    """
    context = dict(context or {})
    # A query of recipients (``users_with_role``) brings each one's opt-out along, so the
    # preferences need no query of their own; a list of users asks once for all of them.
    annotated = (
        isinstance(recipients, QuerySet) and recipients.model is get_user_model() and not recipients.query.is_sliced
    )
    if isinstance(recipients, QuerySet) and annotated:
        recipients = recipients.annotate(
            notify_opted_out=Exists(EmailPreference.objects.filter(user=OuterRef("pk"), kind=kind, email=False))
        )
    users = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        users.append(user)
    if not users:
        return []
    if annotated:
        opted_out = {user.pk for user in users if user.notify_opted_out}
    elif any(user.email for user in users):
        opted_out = set(
            EmailPreference.objects.filter(user__in=users, kind=kind, email=False).values_list("user_id", flat=True)
        )
    else:
        opted_out = set()  # nobody has an address: every row is in-app only whatever they chose
    rows = []
    for user in users:
        with translation.override(getattr(user, "language", None) or "zh-hans"):
            by_email = bool(user.email) and user.pk not in opted_out
            rows.append(
                Notification(
                    recipient=user,
                    kind=kind,
                    subject=(str(subject) % context)[:200],
                    body=str(body) % context,
                    url=url,
                    state=DeliveryState.PENDING if by_email else DeliveryState.SKIPPED,
                )
            )
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.state == DeliveryState.PENDING]
    if ids:
        transaction.on_commit(lambda: enqueue(ids))
    return created


def enqueue(ids: list[int]) -> int:
    """Hand ids to the broker. With the broker down, the rows wait for the sweep."""
    from .tasks import send_notification

    queued = 0
    for pk in ids:
        try:
            send_notification.delay(pk)
        except Exception:  # noqa: BLE001 - a broker outage must not lose or fail the event
            logger.warning("broker unavailable; %s notifications stay in the outbox", len(ids) - queued)
            break
        queued += 1
    return queued


def notification_deliver(*, notification_id: int) -> bool:
    """Claim and send one notification by e-mail. Returns True if this call sent it.

    Raises ``TransportError`` for a temporary failure, after putting the row back to
    pending, so the task's retry (or the sweep) tries again.
    """
    claimed = Notification.objects.filter(pk=notification_id, state=DeliveryState.PENDING).update(
        state=DeliveryState.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    if claimed != 1:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        TRANSPORTS["email"].send(notification)
    except TransportError as exc:
        final = exc.permanent or notification.attempts >= MAX_ATTEMPTS
        notification.state = DeliveryState.FAILED if final else DeliveryState.PENDING
        notification.last_error = str(exc)[:2000]
        notification.save(update_fields=["state", "last_error"])
        if not final:
            raise
        return False
    notification.state = DeliveryState.SENT
    notification.sent_at = timezone.now()
    notification.save(update_fields=["state", "sent_at"])
    return True


def outbox_sweep(*, older_than: timedelta = timedelta(minutes=2), limit: int = 1000) -> int:
    """Re-queue pending rows that waited too long; settle claims whose worker died.

    A stale claim may or may not have been sent before its worker died: it is marked
    failed for staff to check and resend, never sent again blindly.
    """
    now = timezone.now()
    Notification.objects.filter(state=DeliveryState.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        state=DeliveryState.FAILED, last_error="worker stopped while sending; check and resend"
    )
    ids = list(
        Notification.objects.filter(state=DeliveryState.PENDING, created_at__lt=now - older_than)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return enqueue(ids)


def notification_resend(*, notification: Notification, actor: Any) -> Notification:
    """Staff put a failed notification back in the outbox."""
    from accounts.rules import is_staff

    if not is_staff(actor):
        raise PermissionDenied(_("Only bureau staff resend notifications."))
    changed = Notification.objects.filter(pk=notification.pk, state=DeliveryState.FAILED).update(
        state=DeliveryState.PENDING, last_error=""
    )
    if changed != 1:
        raise StateConflict(_("Only a failed notification can be sent again."))
    transaction.on_commit(lambda: enqueue([notification.pk]))
    notification.refresh_from_db()
    return notification


def notification_mark_read(*, notification: Notification, actor: Any) -> Notification:
    if notification.recipient_id != actor.pk:
        raise NotVisible()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def email_preference_set(*, user: Any, kind: str, email: bool) -> EmailPreference:
    preference, _created = EmailPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": email})
    return preference
