from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import DeliveryState


def configured_channels() -> list[str]:
    """A row written without saying goes out by every configured outside channel."""
    return list(settings.PINGSHEN_NOTIFICATION_CHANNELS)


class Notification(models.Model):
    """One message to one person: the in-app inbox row and the e-mail outbox row at once.

    Written in the transaction of the event it reports; a worker claims it with a
    conditional update (pending → sending) so it is sent at most once.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=50)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    state = models.CharField(_("delivery"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    #: The outside channels (``PINGSHEN_NOTIFICATION_CHANNELS``) this row goes out by, chosen
    #: when it was written, and those that have taken it: a retry skips the ones done.
    channels = models.JSONField(default=configured_channels, blank=True)
    channels_sent = models.JSONField(default=list, blank=True)
    #: A clock's notification is unique per recipient and key ("review-reminder:12:2026-12-01"),
    #: so a clock run twice, or on two beat hosts at once, writes it once.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001 - NULL: no key, no constraint

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["state", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=models.Q(dedupe_key__isnull=False),
                name="notification_unique_dedupe_key",
            )
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def read(self) -> bool:
        return self.read_at is not None


class EmailPreference(models.Model):
    """A person's choice of which kinds of notification also reach them by e-mail.

    No row means yes: the in-app inbox always gets every notification.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences")
    kind = models.CharField(_("kind"), max_length=50)
    email = models.BooleanField(_("send by e-mail"), default=True)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="email_preference_unique_kind")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}={self.email}"
