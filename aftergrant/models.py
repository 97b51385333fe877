"""The task contract (任务书) of a funded plan project, kept as versions.

The applicant fills a version (targets, budget by line, milestones); staff check it; the
accepted version is signed and becomes the baseline (``IN_FORCE``). An approved change
request writes the next version and supersedes the old one, which stays readable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from applications.models import MONEY, Application

from .enums import BudgetLine, ChangeKind, ChangeStatus, ChangeStep, ContractStatus, MidtermResult, MidtermStatus


class ContractVersion(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="contract_versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=ContractStatus.choices)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    check_comment = models.TextField(_("comment"), blank=True)
    #: When this version became the baseline (signed, or a change approved).
    in_force_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    #: Why this version exists: empty for the first, the change request's summary after.
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("contract version")
        verbose_name_plural = _("contract versions")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="contract_version_unique_number"),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status=ContractStatus.IN_FORCE),
                name="contract_version_one_in_force",
            ),
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="contract_period"),
        ]

    def __str__(self) -> str:
        return f"{self.application} v{self.number}"


class ContractTarget(models.Model):
    """An assessment target (考核指标): checked at mid-term and at acceptance."""

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("target"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30)
    value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("assessment target")
        verbose_name_plural = _("assessment targets")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="contract_target_unique_position"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="contract_target_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.value} {self.unit}"


class ContractBudgetLine(models.Model):
    """One budget line split by source; the county column adds up to the approved amount."""

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="budget")
    line = models.CharField(_("budget line"), max_length=20, choices=BudgetLine.choices)
    county_yuan = models.DecimalField(_("county grant (yuan)"), **MONEY, default=0)
    own_yuan = models.DecimalField(_("own funds (yuan)"), **MONEY, default=0)
    other_yuan = models.DecimalField(_("other sources (yuan)"), **MONEY, default=0)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["version", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "line"], name="contract_budget_unique_line"),
            models.CheckConstraint(
                condition=models.Q(county_yuan__gte=0, own_yuan__gte=0, other_yuan__gte=0),
                name="contract_budget_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_line_display()}: {self.county_yuan}"


class ContractMilestone(models.Model):
    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due"))

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["version", "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.due_on}: {self.name}"


# --- change requests (项目变更, issue 16.3) ---------------------------------------------------


class ChangeRequest(models.Model):
    """The applicant asks to change a contracted project; the kind's chain approves it
    (``aftergrant.changes``). Only the fields of its kind are filled. An approved request
    (termination aside) wrote ``result_version``, the contract version it put in force."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="change_requests")
    kind = models.CharField(_("kind"), max_length=20, choices=ChangeKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.SUBMITTED)
    reason = models.TextField(_("reason"))
    #: The steps that approve it, in order (``ChangeStep`` values), fixed when it was asked.
    chain = models.JSONField(_("approval chain"), default=list)
    base_version = models.ForeignKey(
        ContractVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("contract version")
    )
    result_version = models.ForeignKey(
        ContractVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_end_date = models.DateField(_("new end date"), null=True, blank=True)
    #: {name, title, phone}: the application stores no leader, so the request records one.
    new_leader = models.JSONField(_("new project leader"), default=dict, blank=True)
    new_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("new undertaking unit"),
    )
    #: The full new target list: [{name, unit, value}].
    targets = models.JSONField(_("new targets"), default=list, blank=True)
    #: The full new budget: [{line, county_yuan, own_yuan, other_yuan}] (amounts as strings).
    budget = models.JSONField(_("new budget"), default=list, blank=True)
    #: Termination: the eligible spending the applicant states, what was paid, and the refund
    #: owed (paid − eligible spending, never below zero), computed again at approval.
    eligible_spent_yuan = models.DecimalField(_("eligible spending (yuan)"), **MONEY, null=True, blank=True)
    paid_yuan = models.DecimalField(_("paid (yuan)"), **MONEY, null=True, blank=True)
    amount_to_refund = models.DecimalField(_("amount to refund (yuan)"), **MONEY, null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # Two requests of one kind at the same moment: the service checks under the
            # application's row lock; this catches anything that slips past it.
            models.UniqueConstraint(
                fields=["application", "kind"],
                condition=models.Q(status__in=[ChangeStatus.SUBMITTED, ChangeStatus.STAFF_APPROVED]),
                name="change_one_open_per_kind",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(kind=ChangeKind.EXTENSION, status=ChangeStatus.APPROVED),
                name="change_one_extension",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_to_refund__isnull=True) | models.Q(amount_to_refund__gte=0),
                name="change_refund_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.get_kind_display()}"


class ChangeDecision(models.Model):
    """One step of a change request's chain: who approved or rejected it, and why."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="decisions")
    step = models.CharField(_("step"), max_length=20, choices=ChangeStep.choices)
    approve = models.BooleanField(_("approved"))
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("change decision")
        verbose_name_plural = _("change decisions")
        ordering = ["change", "decided_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["change", "step"], name="change_decision_one_per_step"),
            # A person never decides twice in one chain.
            models.UniqueConstraint(fields=["change", "decided_by"], name="change_decision_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.change} · {self.get_step_display()}"


# --- the mid-term check (中期检查) ------------------------------------------------------------


class MidtermReport(models.Model):
    """One mid-term report of a project: round ``round`` of the call's checks (one per middle
    tranche), ``attempt`` 1 the first report, 2… the re-reports after a conditional result.

    ``aftergrant.midterm`` owns every change of ``status``."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="midterm_reports")
    round = models.PositiveSmallIntegerField(_("check"))
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=MidtermStatus.choices)
    #: The day the applicant may start reporting (the clock opens the report then).
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("due"))
    #: The contract version the report is measured against (targets, budget lines).
    version = models.ForeignKey(
        ContractVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="midterm_reports"
    )
    problems = models.TextField(_("problems and plans"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("result"), max_length=20, choices=MidtermResult.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    #: A conditional result: the re-report is due by this day.
    fix_by = models.DateField(_("fix by"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    #: The tranche a pass requested (its number), empty otherwise.
    tranche = models.PositiveSmallIntegerField(_("tranche released"), null=True, blank=True)

    class Meta:
        verbose_name = _("mid-term report")
        verbose_name_plural = _("mid-term reports")
        ordering = ["application", "round", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["application", "round", "attempt"], name="midterm_report_unique_attempt"),
            # At most one report a project still owes or that waits for the check.
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status__in=["scheduled", "open", "submitted"]),
                name="midterm_report_one_pending",
            ),
            models.CheckConstraint(condition=models.Q(round__gte=1, attempt__gte=1), name="midterm_report_numbers"),
        ]

    def __str__(self) -> str:
        return f"{self.application} #{self.round}.{self.attempt}"


class MidtermProgress(models.Model):
    """Progress on one assessment target at the mid-term."""

    report = models.ForeignKey(MidtermReport, on_delete=models.CASCADE, related_name="progress")
    target = models.ForeignKey(ContractTarget, on_delete=models.PROTECT, related_name="+")
    achieved = models.DecimalField(_("achieved"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("mid-term progress")
        verbose_name_plural = _("mid-term progress")
        ordering = ["report", "target__position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "target"], name="midterm_progress_unique_target"),
            models.CheckConstraint(condition=models.Q(achieved__gte=0), name="midterm_progress_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.achieved}"


class MidtermSpending(models.Model):
    """Money spent on one budget line up to the mid-term, by source."""

    report = models.ForeignKey(MidtermReport, on_delete=models.CASCADE, related_name="spending")
    line = models.CharField(_("budget line"), max_length=20, choices=BudgetLine.choices)
    county_yuan = models.DecimalField(_("county grant (yuan)"), **MONEY, default=0)
    own_yuan = models.DecimalField(_("own funds (yuan)"), **MONEY, default=0)
    other_yuan = models.DecimalField(_("other sources (yuan)"), **MONEY, default=0)

    class Meta:
        verbose_name = _("mid-term spending")
        verbose_name_plural = _("mid-term spending")
        ordering = ["report", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "line"], name="midterm_spending_unique_line"),
            models.CheckConstraint(
                condition=models.Q(county_yuan__gte=0, own_yuan__gte=0, other_yuan__gte=0),
                name="midterm_spending_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_line_display()}: {self.county_yuan}"
