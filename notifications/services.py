"""Hand a notification to people. Callers pass lazy strings; we render them per recipient.

The outbox: ``notify`` writes rows in the caller's transaction and queues sending only
after commit, a batch per task; ``notifications_deliver`` claims rows under a lock that skips
rows another worker holds, so a row is sent at most once however many workers or retries see
it; ``sweep`` picks up what a
broker outage left behind.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Aggregate, Exists, F, JSONField, OuterRef, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.db import insert_objects
from core.errors import NotVisible, StateConflict

from .channels import TransportError, channels
from .enums import DeliveryState
from .models import EmailPreference, Notification

logger = logging.getLogger(__name__)

#: After this many attempts a temporary failure is recorded as final.
MAX_ATTEMPTS = 8
#: A claim older than this belongs to a worker that died mid-send.
STALE_CLAIM = timedelta(minutes=10)


#: The staff digest: one e-mail a day instead of one per event (opt-in, see ``digest_opted_in``).
DIGEST_KIND = "staff_digest"
#: Kinds the digest summarises: staff who take the digest get these in the inbox, not by e-mail.
DIGESTED_KINDS = frozenset(
    {"submission_received", "objection_received", "review_declined", "review_overdue", "acceptance_submitted"}
)


def with_email_choices(rows: QuerySet[Any], user_id: str) -> QuerySet[Any]:
    """``rows`` bringing along the e-mail choices of the user whose id is at ``user_id`` (a field
    path of the query): ``{kind: email}`` of their ``EmailPreference`` rows. Hand them to that
    user's object, read with the row, with :func:`email_choices_carry`: :func:`notify` then
    reads no preferences for them, as it trusts the address and language read with them.
    Unchanged on databases without ``jsonb_object_agg`` (there ``notify`` reads them)."""
    if connection.vendor != "postgresql":
        return rows
    choices = (
        EmailPreference.objects.filter(user_id=OuterRef(user_id))
        .values("user_id")
        .annotate(choices=_JsonObjectAgg("kind", "email"))
        .values("choices")
    )
    return rows.annotate(**{_READ: Subquery(choices)})


def email_choices_carry(row: Any, user: Any) -> Any:
    """Give ``user`` the choices read with ``row`` (:func:`with_email_choices`). Returns ``row``."""
    if _READ in row.__dict__:
        user.__dict__[_CARRIED] = dict(row.__dict__[_READ] or {})
    return row


class _JsonObjectAgg(Aggregate):
    """PostgreSQL's ``jsonb_object_agg(key, value)``."""

    function = "JSONB_OBJECT_AGG"
    output_field = JSONField()


_READ = "notify_email_choices"
_CARRIED = "_notify_email_choices"


def _carried_opt_out(user: Any, kind: str, digestible: bool) -> bool:
    choices = user.__dict__[_CARRIED]
    return choices.get(kind) is False or (digestible and choices.get(DIGEST_KIND) is True)


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    subject: Any,
    body: Any,
    context: Mapping[str, Any] | None = None,
    url: str = "",
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Write one notification per recipient (in the caller's transaction) and queue sending.

    ``subject`` and ``body`` are lazily translated templates with ``%(name)s`` placeholders,
    rendered in each recipient's language. Each outside channel (``channels()``) says which
    recipients it reaches; a recipient who opted out of e-mail for this kind (or takes the
    staff digest for it) gets no e-mail. Rows no channel takes are in-app only (``skipped``).

    With ``dedupe_key`` (a clock's reminder), a recipient who already has a notification
    with that key gets none: run twice, or on two beat hosts at once, it is written once.
    Returns the rows written.
    """
    context = dict(context or {})
    digestible = kind in DIGESTED_KINDS
    outside = channels()
    # A query of recipients (``users_with_role``) brings each one's choices along, so the
    # preferences need no query of their own; a list of users asks once for all of them.
    # With no outside channel (the demo load) the choices decide nothing and are not read.
    annotated = (
        bool(outside)
        and isinstance(recipients, QuerySet)
        and recipients.model is get_user_model()
        and not recipients.query.is_sliced
    )
    if isinstance(recipients, QuerySet) and annotated:
        annotations: dict[str, Any] = {
            "notify_opted_out": Exists(EmailPreference.objects.filter(user=OuterRef("pk"), kind=kind, email=False))
        }
        if digestible:
            annotations["notify_digest"] = Exists(
                EmailPreference.objects.filter(user=OuterRef("pk"), kind=DIGEST_KIND, email=True)
            )
        recipients = recipients.annotate(**annotations)
    users = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        users.append(user)
    if dedupe_key is not None and users:
        already = set(
            Notification.objects.filter(recipient__in=users, dedupe_key=dedupe_key).values_list(
                "recipient_id", flat=True
            )
        )
        users = [user for user in users if user.pk not in already]
    if not users:
        return []
    if not outside:
        opted_out = set()  # no channel to opt out of: every row is in-app only
    elif annotated:
        opted_out = {user.pk for user in users if user.notify_opted_out or getattr(user, "notify_digest", False)}
    elif all(_CARRIED in user.__dict__ for user in users):
        # Read with the users (``email_choices``): the application's applicant, the expert.
        opted_out = {user.pk for user in users if _carried_opt_out(user, kind, digestible)}
    elif any(user.email for user in users):
        choices = EmailPreference.objects.filter(user__in=users, kind=kind, email=False)
        if digestible:
            choices = choices | EmailPreference.objects.filter(user__in=users, kind=DIGEST_KIND, email=True)
        opted_out = set(choices.values_list("user_id", flat=True))
    else:
        opted_out = set()  # nobody has an address: opting out of e-mail changes nothing
    rows = []
    rendered: dict[str, tuple[str, str]] = {}  # language → subject and body, rendered once
    for user in users:
        names = [
            name
            for name, channel in outside.items()
            if channel.accepts(user, kind, email_opted_out=user.pk in opted_out)
        ]
        language = getattr(user, "language", None) or "zh-hans"
        if language not in rendered:
            with translation.override(language):
                rendered[language] = ((str(subject) % context)[:200], str(body) % context)
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                subject=rendered[language][0],
                body=rendered[language][1],
                url=url,
                channels=names,
                state=DeliveryState.PENDING if names else DeliveryState.SKIPPED,
                dedupe_key=dedupe_key,
            )
        )
    if dedupe_key is None:
        insert_objects(rows)  # a county draw invites thousands at once: COPY then
        created = rows
    else:
        created = []
        for row in rows:
            # A savepoint each: a clock on another beat host may have written this one a
            # moment ago (the unique constraint waits for its commit, then refuses ours).
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue
            created.append(row)
    ids = [n.pk for n in created if n.state == DeliveryState.PENDING]
    if ids:
        transaction.on_commit(lambda: enqueue(ids))
    return created


#: Notifications per delivery task: one task, one claim, one SMTP connection per batch.
DELIVERY_BATCH = 50


def enqueue(ids: list[int]) -> int:
    """Hand ids to the broker, ``DELIVERY_BATCH`` per task. With the broker down, the rows
    wait for the sweep. Returns how many ids were queued."""
    from .tasks import send_notifications

    queued = 0
    for start in range(0, len(ids), DELIVERY_BATCH):
        batch = ids[start : start + DELIVERY_BATCH]
        try:
            send_notifications.delay(batch)
        except Exception:  # noqa: BLE001 - a broker outage must not lose or fail the event
            logger.warning("broker unavailable; %s notifications stay in the outbox", len(ids) - queued)
            break
        queued += len(batch)
    return queued


def _claim(ids: list[int], *, fill: int = 0) -> list[Notification]:
    """Take the pending rows among ``ids`` for this worker: locked rows another worker is
    claiming are skipped, so a row is claimed once however many tasks name it.

    With ``fill``, a batch of fewer rows is topped up to ``fill`` with the oldest rows never
    tried yet (``attempts`` 0) that no other worker holds: under a backlog of small events (a
    task of 2 or 10 rows each) every task then sends a full batch over its one SMTP
    connection, and the tasks queued for the rows it took find nothing left to claim. Rows
    waiting for a retry are not taken early: their own task keeps its back-off.
    """
    pending = (
        Notification.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("recipient")
        .filter(state=DeliveryState.PENDING)
    )
    with transaction.atomic():
        rows = list(pending.filter(pk__in=ids).order_by("pk"))
        room = fill - len(rows)
        if room > 0:
            rows += pending.filter(attempts=0).exclude(pk__in=ids).order_by("created_at", "pk")[:room]
        if rows:
            now = timezone.now()
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
                state=DeliveryState.SENDING, attempts=F("attempts") + 1, claimed_at=now
            )
            for n in rows:
                n.state, n.attempts, n.claimed_at = DeliveryState.SENDING, n.attempts + 1, now
    return rows


def _send_one(notification: Notification, outside: Mapping[str, Any]) -> TransportError | None:
    """Send ``notification`` on each of its channels not yet taken; the error that stopped it."""
    for name in notification.channels:
        if name in notification.channels_sent:
            continue  # a retry: this channel took it the first time
        channel = outside.get(name)
        try:
            if channel is None:
                raise TransportError(f"channel {name!r} is not configured", permanent=True)
            channel.send(notification)
        except TransportError as exc:
            return TransportError(f"{name}: {exc}", permanent=exc.permanent)
        notification.channels_sent = [*notification.channels_sent, name]
        if len(notification.channels) > 1:
            # Record each channel as it goes, so a worker that dies after it resends no duplicate.
            notification.save(update_fields=["channels_sent"])
    return None


def notifications_deliver(*, ids: list[int], fill: int = 0) -> int:
    """Claim and send the pending notifications among ``ids`` (topped up to ``fill`` rows with
    other pending ones, see ``_claim``); returns how many this call sent. Each channel sends
    the batch over one connection (``Channel.batch``); the rows are settled in one statement.

    A temporary failure puts its row back to pending and, after the others are settled,
    raises ``TransportError`` so the task's retry (or the sweep) tries again; the rows
    already sent are not claimed again.
    """
    rows = _claim(ids, fill=fill)
    if not rows:
        return 0
    outside = channels()
    retry: TransportError | None = None
    sent = 0
    with contextlib.ExitStack() as stack:
        for channel in outside.values():
            if hasattr(channel, "batch"):
                stack.enter_context(channel.batch())
        for notification in rows:
            if not notification.channels:
                notification.state = DeliveryState.SKIPPED  # inbox only: nothing to send
                continue
            error = _send_one(notification, outside)
            if error is None:
                notification.state = DeliveryState.SENT
                sent += 1
                continue
            final = error.permanent or notification.attempts >= MAX_ATTEMPTS
            notification.state = DeliveryState.FAILED if final else DeliveryState.PENDING
            notification.last_error = str(error)[:2000]
            if not final:
                retry = error
    _settle(rows)
    if retry is not None:
        # Which rows went back to pending: the task's retry takes them all, those it was
        # named for and those it topped its batch up with (their own tasks found them claimed).
        retry.ids = [n.pk for n in rows if n.state == DeliveryState.PENDING]
        raise retry
    return sent


def _settle(rows: list[Notification]) -> None:
    """Write what the batch came to: one UPDATE per outcome (sent on the same channels,
    skipped), a row of its own for each failure (they carry their own error)."""
    now = timezone.now()
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for n in rows:
        if n.state in (DeliveryState.SENT, DeliveryState.SKIPPED):
            groups.setdefault((n.state, tuple(n.channels_sent)), []).append(n.pk)
        else:
            Notification.objects.filter(pk=n.pk).update(
                state=n.state, last_error=n.last_error, channels_sent=n.channels_sent
            )
    for (state, channels_sent), pks in groups.items():
        sent_at = now if state == DeliveryState.SENT else None
        Notification.objects.filter(pk__in=pks).update(state=state, sent_at=sent_at, channels_sent=list(channels_sent))


def notification_deliver(*, notification_id: int) -> bool:
    """Claim and send one notification. Returns True if this call sent it (see
    ``notifications_deliver``)."""
    return notifications_deliver(ids=[notification_id]) == 1


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


def notifications_mark_all_read(*, actor: Any, kind: str | None = None) -> int:
    """Mark every unread notification of ``actor`` read (only those of ``kind`` if given), in
    one UPDATE however many there are. Returns how many were marked."""
    unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if kind:
        unread = unread.filter(kind=kind)
    return unread.update(read_at=timezone.now())


def email_preference_set(*, user: Any, kind: str, email: bool) -> EmailPreference:
    preference, _created = EmailPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": email})
    return preference


def digest_opted_in(user: Any) -> bool:
    """Staff take the daily digest only if they asked for it (no row means no)."""
    return EmailPreference.objects.filter(user=user, kind=DIGEST_KIND, email=True).exists()


@transaction.atomic
def email_preferences_save(*, user: Any, email_kinds: Iterable[str], digest: bool | None = None) -> None:
    """Save a person's whole choice at once: e-mail for the kinds in ``email_kinds`` of the
    kinds catalogue (``kinds.KINDS``), none for the others; and the daily digest (staff only)."""
    from accounts.rules import is_staff

    from .kinds import KINDS

    wanted = set(email_kinds)
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValidationError({"kinds": [_("Unknown kind of notification: %s") % ", ".join(sorted(unknown))]})
    for kind in KINDS:
        email_preference_set(user=user, kind=kind, email=kind in wanted)
    if digest is not None:
        if digest and not is_staff(user):
            raise ValidationError({"digest": [_("The daily summary is for bureau staff.")]})
        email_preference_set(user=user, kind=DIGEST_KIND, email=digest)


def email_kinds_of(user: Any) -> set[str]:
    """The catalogued kinds that reach ``user`` by e-mail (no row means yes)."""
    from .kinds import KINDS

    off = set(EmailPreference.objects.filter(user=user, email=False).values_list("kind", flat=True))
    return {kind for kind in KINDS if kind not in off}
