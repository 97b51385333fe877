from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from reviews.models import Expert

from .enums import AppealStatus, CreditLevel, CreditStatus, SubjectType


class CreditRecord(models.Model):
    """A research-integrity record (科研诚信记录) on an organisation or an expert.

    Recorded by one staff member, it takes effect only when a different one confirms it; its
    subject sees it and may appeal once; staff decide the appeal (upheld: revoked). While
    confirmed and ``valid_until`` has not passed it is *in force* (``integrity.selectors``): a
    severe record on an organisation refuses its submissions, any record on an expert keeps
    them out of draws and hand assignments.
    """

    subject_type = models.CharField(_("subject type"), max_length=20, choices=SubjectType.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
    )
    expert = models.ForeignKey(
        Expert, verbose_name=_("expert"), null=True, blank=True, on_delete=models.PROTECT, related_name="credit_records"
    )
    level = models.CharField(_("level"), max_length=10, choices=CreditLevel.choices)
    reason = models.TextField(_("reason"))
    source = models.CharField(_("source"), max_length=300)
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=12, choices=CreditStatus.choices, default=CreditStatus.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    appeal_status = models.CharField(
        _("appeal"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.NONE, blank=True
    )
    appeal_text = models.TextField(_("appeal"), blank=True)
    appealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    appeal_decision = models.TextField(_("decision on the appeal"), blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal_decided_at = models.DateTimeField(_("appeal decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(subject_type="organisation", organisation__isnull=False, expert__isnull=True)
                    | models.Q(subject_type="expert", expert__isnull=False, organisation__isnull=True)
                ),
                name="credit_record_one_subject",
            )
        ]
        indexes = [models.Index(fields=["status", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.subject_name}: {self.get_level_display()}"

    @property
    def subject_name(self) -> str:
        subject = self.organisation if self.subject_type == SubjectType.ORGANISATION else self.expert
        return str(subject) if subject else ""
