from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.choices import choice_label

from .enums import ApplicationStatus, CallKind, ItemKind, ScoringRule

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class Programme(models.Model):
    """A plan category (计划类别): industrial key projects, new-product trials, …"""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Field(models.Model):
    """A field (领域) of the county's vocabulary, kept by staff. Applications, nominations and
    experts store its ``code``; the draw matches on codes, and pages show the name in the
    reader's language. A field is never deleted (items keep their codes): staff deactivate it,
    and it is no longer offered for new input."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Chinese for zh-*, English otherwise)."""
        from django.utils.translation import get_language

        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class Call(models.Model):
    """A call for applications (申报通知), one batch of a programme in a year; or, with
    ``kind = award``, an award round (科技进步奖评选) whose items are nominations."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="calls"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CallKind.choices, default=CallKind.PLAN)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveIntegerField(_("year"))
    batch = models.PositiveIntegerField(_("batch"), default=1)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    budget_yuan = models.DecimalField(_("budget (yuan)"), **MONEY, validators=[MinValueValidator(0)])
    max_request_yuan = models.DecimalField(_("maximum request (yuan)"), **MONEY, validators=[MinValueValidator(0)])
    reviewers_per_item = models.PositiveIntegerField(_("reviewers per item"), default=5)
    min_reviews = models.PositiveIntegerField(_("minimum reviews"), default=3)
    review_days = models.PositiveIntegerField(_("days to review"), default=14)
    scoring_rule = models.CharField(
        _("scoring rule"), max_length=20, choices=ScoringRule.choices, default=ScoringRule.MEAN
    )
    spread_threshold = models.DecimalField(
        _("disagreement threshold"), max_digits=6, decimal_places=2, default=Decimal("20")
    )
    blind = models.BooleanField(_("blind review"), default=False)
    notice_days = models.PositiveIntegerField(_("notice days"), default=7)
    #: Attachments one application of this call may hold, by count and by total size.
    max_attachments = models.PositiveIntegerField(_("attachments per application"), default=20)
    max_attachments_mb = models.PositiveIntegerField(_("total attachment size per application (MB)"), default=100)
    #: Limits (限项) checked at submission, per organisation: items of this call, refusal while a
    #: project is overdue for acceptance, open projects held. Empty: no limit.
    max_applications_per_organisation = models.PositiveIntegerField(
        _("applications per organisation"), null=True, blank=True
    )
    block_overdue_acceptance = models.BooleanField(
        _("refuse organisations with a project overdue for acceptance"), default=False
    )
    max_open_projects_per_organisation = models.PositiveIntegerField(
        _("open projects per organisation"), null=True, blank=True
    )
    #: Percentages of the approved amount paid per tranche, e.g. [60, 40]; they add up to 100.
    tranches = models.JSONField(_("tranche plan (%)"), default=list)
    #: A mid-term check (中期检查) every ``midterm_months`` after the contract; a passed check k
    #: releases tranche k + 1 while that is a middle tranche. ``midterm_checks`` checks in all
    #: (1 to 6, at least one per middle tranche); empty: one per middle tranche,
    #: ``len(tranches) - 2`` (``applications.services.midterm_rounds``).
    midterm = models.BooleanField(_("mid-term check"), default=False)
    midterm_months = models.PositiveSmallIntegerField(
        _("months between mid-term checks"), default=12, validators=[MinValueValidator(1)]
    )
    midterm_checks = models.PositiveSmallIntegerField(
        _("mid-term checks"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    #: How many experts a project's acceptance (验收) draws, 3 to 5 (issue 17.2).
    acceptance_experts = models.PositiveSmallIntegerField(
        _("acceptance experts"), default=3, validators=[MinValueValidator(3), MaxValueValidator(5)]
    )
    #: The attachments every item must carry before it is submitted: [{code, name}], in order.
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    #: Goes up with every review that enters or leaves the ranking (submitted, reopened): the
    #: cached ranking is kept under it, so reading the version costs no query.
    ranking_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-year", "-batch", "id"]

    def __str__(self) -> str:
        return self.title

    def is_open(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.closed_at is None and self.opens_at <= at < self.closes_at


class Application(models.Model):
    """An application for S&T plan project funding, the artifact of one plan-project process;
    or, with ``kind = nomination``, a nomination for a progress award (one award process).

    One item table serves both (as Hypha's single submission table does), so the draw,
    reviews, ranking, notices, objections, attachments and payments have one implementation.
    """

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices, default=ItemKind.APPLICATION)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    #: Nominations: completing units (完成单位) in order, the first being the lead unit.
    units = models.JSONField(_("completing units"), default=list, blank=True)
    #: Nominations: persons (完成人) in order of contribution, each {name, organisation?, role?}.
    persons = models.JSONField(_("persons"), default=list, blank=True)
    field = models.CharField(_("field"), max_length=60)
    requested_yuan = models.DecimalField(_("requested (yuan)"), **MONEY)
    self_funding_yuan = models.DecimalField(_("self-funding (yuan)"), **MONEY, default=Decimal("0"))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=30, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    approved_yuan = models.DecimalField(_("approved (yuan)"), **MONEY, null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    #: When the applicant last signed the integrity pledge (诚信承诺), at submission.
    pledged_at = models.DateTimeField(_("integrity pledge signed at"), null=True, blank=True)
    #: Staff let this item past the call's limits (限项), with a reason (``application_limits_override``).
    limits_override_reason = models.TextField(_("reason for overriding the limits"), blank=True)
    limits_overridden_at = models.DateTimeField(_("limits overridden at"), null=True, blank=True)
    limits_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["call", "status"]),
            models.Index(fields=["applicant", "-created_at"]),
            # The applicant's home lists their items latest change first, a page at a time: with
            # this the page reads its 20 rows instead of sorting all of them (10,000 in the
            # bench: 48 ms of the page's 115 ms of SQL).
            models.Index(fields=["applicant", "-updated_at", "-id"], name="application_applicant_updated"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(requested_yuan__gte=0), name="application_requested_nonnegative"),
            # A nomination requests nothing: its bonus is fixed by the award level.
            models.CheckConstraint(
                condition=models.Q(approved_yuan__isnull=True)
                | models.Q(approved_yuan__lte=models.F("requested_yuan"))
                | models.Q(kind=ItemKind.NOMINATION),
                name="application_approved_within_request",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_status_display(self) -> str:  # type: ignore[no-redef]  # the stubs declare the generated one
        """The status's label (Django's own translates every status label first: core.choices)."""
        return choice_label(ApplicationStatus, self.status)


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is ours, never the uploader's: no path tricks reach the disk.
    return f"attachments/{instance.application_id}/{timezone.now():%Y%m%d%H%M%S%f}.bin"


class Attachment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    #: Which of the call's required documents this is (its ``code``), or "" for any other file.
    kind = models.CharField(_("document"), max_length=30, blank=True, default="")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
