from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftergrant.enums import BudgetLine
from applications.models import MONEY, Application, Call

from .enums import AcceptanceCheck, AcceptanceResult, DisbursementStatus, NoticeKind, ObjectionStatus


class FundingDecision(models.Model):
    """The panel's decision on one application: fund with an amount, or not. One per item."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="decision")
    fund = models.BooleanField(_("fund"))
    approved_yuan = models.DecimalField(_("approved (yuan)"), **MONEY, default=0)
    #: Award nominations: the level granted (1 highest), or none; plan projects leave it empty.
    level = models.PositiveSmallIntegerField(_("award level"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("funding decision")
        verbose_name_plural = _("funding decisions")
        constraints = [
            models.CheckConstraint(condition=models.Q(approved_yuan__gte=0), name="decision_amount_nonnegative"),
            models.CheckConstraint(
                condition=models.Q(fund=True) | models.Q(approved_yuan=0),
                name="decision_not_funded_is_zero",
            ),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True) | (models.Q(fund=True) & models.Q(level__gte=1)),
                name="decision_level_is_an_award",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.approved_yuan if self.fund else '-'}"


class Notice(models.Model):
    """A public notice (公示) of a call's decisions, or of its projects that passed acceptance
    (``kind``), open for objections until ``ends_at``."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices, default=NoticeKind.DECISION)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    ends_at = models.DateTimeField(_("ends at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applications = models.ManyToManyField(Application, related_name="notices", blank=True)
    #: The document number (文号) the bureau gives the notice, sequential per year:
    #: 永科〔2016〕12号 is year 2016, number 12 (the prefix is the deployment's).
    document_year = models.PositiveSmallIntegerField(_("document year"), null=True, blank=True)
    document_seq = models.PositiveIntegerField(_("document number"), null=True, blank=True)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["document_year", "document_seq"],
                condition=models.Q(document_seq__isnull=False),
                name="notice_document_number_unique",
            )
        ]

    def __str__(self) -> str:
        return str(self.call)

    @property
    def document_number(self) -> str:
        """永科〔2016〕12号, or "" for a notice published before numbers were given."""
        if self.document_seq is None:
            return ""
        return f"{settings.PINGSHEN_DOCUMENT_PREFIX}〔{self.document_year}〕{self.document_seq}号"


class Objection(models.Model):
    """An objection (异议) to an item on a public notice, by a named person with a contact."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="objections")
    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(_("contact"), max_length=200)
    text = models.TextField(_("objection"))
    status = models.CharField(_("status"), max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.application}"


class Contract(models.Model):
    """The task contract (任务书) an applicant signs for a funded project."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="contract")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("task contract")
        verbose_name_plural = _("task contracts")

    def __str__(self) -> str:
        return str(self.application)


class Disbursement(models.Model):
    """One tranche of a grant, approved by a finance officer and then a finance head."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="disbursements")
    tranche = models.PositiveIntegerField(_("tranche"))
    amount_yuan = models.DecimalField(_("amount (yuan)"), **MONEY)
    status = models.CharField(
        _("status"), max_length=20, choices=DisbursementStatus.choices, default=DisbursementStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    officer_at = models.DateTimeField(null=True, blank=True)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    head_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    voucher = models.CharField(_("voucher"), max_length=100, blank=True)
    rejected_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_yuan__gt=0), name="disbursement_positive"),
            models.CheckConstraint(
                condition=models.Q(officer__isnull=True)
                | models.Q(head__isnull=True)
                | ~models.Q(officer=models.F("head")),
                name="disbursement_two_people",
            ),
            models.UniqueConstraint(
                fields=["application", "tranche"],
                condition=~models.Q(status=DisbursementStatus.REJECTED),
                name="disbursement_one_live_per_tranche",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} #{self.tranche}: {self.amount_yuan}"


class AcceptanceReport(models.Model):
    """One acceptance file (验收) of a project: the final report, results per contract target
    and final accounts per budget line (``results``, ``accounts``), staff's check of it, and
    the result. A returned or rectified file stays; the applicant files a new one.

    ``aftergrant.acceptance`` owns every change of it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="acceptance_reports")
    #: The contract version the file is measured against (its targets and budget lines).
    version = models.ForeignKey(
        "aftergrant.ContractVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report = models.TextField(_("report"))
    #: The sum of the accounts (county + own + other), all lines.
    spent_yuan = models.DecimalField(_("spent (yuan)"), **MONEY)
    submitted_at = models.DateTimeField(auto_now_add=True)
    check_status = models.CharField(
        _("check"), max_length=20, choices=AcceptanceCheck.choices, default=AcceptanceCheck.SUBMITTED
    )
    check_comment = models.TextField(_("check comment"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    #: The share of targets met (achieved ≥ target value) and the system's advice, as shown
    #: to staff when they decided.
    targets_met = models.PositiveSmallIntegerField(_("targets met"), default=0)
    targets_total = models.PositiveSmallIntegerField(_("targets"), default=0)
    advice = models.CharField(_("advice"), max_length=10, choices=AcceptanceResult.choices, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=AcceptanceResult.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    #: County money the unit returns: paid − county spent per the accounts, never below zero.
    amount_to_return = models.DecimalField(_("to return (yuan)"), **MONEY, null=True, blank=True)
    #: A pass: the final tranche, min(approved − paid, county spent − paid), never below zero.
    final_tranche_yuan = models.DecimalField(_("final tranche (yuan)"), **MONEY, null=True, blank=True)
    #: The acceptance notice (验收结果公示) that published a passed result; an objection upheld
    #: on it sets the result aside (``result`` and this are cleared for a new decision).
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="acceptance_reports"
    )

    class Meta:
        verbose_name = _("acceptance report")
        verbose_name_plural = _("acceptance reports")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_to_return__isnull=True) | models.Q(amount_to_return__gte=0),
                name="acceptance_return_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(final_tranche_yuan__isnull=True) | models.Q(final_tranche_yuan__gte=0),
                name="acceptance_final_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(self.application)


class AcceptanceResultLine(models.Model):
    """What the project achieved on one contract target."""

    report = models.ForeignKey(AcceptanceReport, on_delete=models.CASCADE, related_name="results")
    target = models.ForeignKey("aftergrant.ContractTarget", on_delete=models.PROTECT, related_name="+")
    achieved = models.DecimalField(_("achieved"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("acceptance result")
        verbose_name_plural = _("acceptance results")
        ordering = ["report", "target__position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "target"], name="acceptance_result_unique_target"),
            models.CheckConstraint(condition=models.Q(achieved__gte=0), name="acceptance_result_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.achieved}"

    @property
    def met(self) -> bool:
        return self.achieved >= self.target.value


class AcceptanceAccountLine(models.Model):
    """The final accounts of one budget line, by source of the money."""

    report = models.ForeignKey(AcceptanceReport, on_delete=models.CASCADE, related_name="accounts")
    line = models.CharField(_("budget line"), max_length=20, choices=BudgetLine.choices)
    county_yuan = models.DecimalField(_("county grant (yuan)"), **MONEY, default=0)
    own_yuan = models.DecimalField(_("own funds (yuan)"), **MONEY, default=0)
    other_yuan = models.DecimalField(_("other sources (yuan)"), **MONEY, default=0)

    class Meta:
        verbose_name = _("final account line")
        verbose_name_plural = _("final account lines")
        ordering = ["report", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "line"], name="acceptance_account_unique_line"),
            models.CheckConstraint(
                condition=models.Q(county_yuan__gte=0, own_yuan__gte=0, other_yuan__gte=0),
                name="acceptance_account_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line}: {self.county_yuan}"

    @property
    def total_yuan(self) -> Decimal:
        return self.county_yuan + self.own_yuan + self.other_yuan
