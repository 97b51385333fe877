from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.models import MONEY, Application, Call

from .enums import AssessmentResult, AwardLevelUp, PutForwardOutcome, UpperAcceptanceResult, UpperLevel


class UpperCall(models.Model):
    """A city, provincial or national call the county collects applications for, with the
    number of items the county may recommend (its quota). Its title, year, programme and
    deadline live on the internal ``call`` that carries the items (see the app's docstring)."""

    call = models.OneToOneField(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="upper")
    level = models.CharField(_("level"), max_length=10, choices=UpperLevel.choices)
    quota = models.PositiveIntegerField(_("quota"), validators=[MinValueValidator(1)])
    #: Calls of a commissioner programme (科技特派员项目): each item names its commissioner.
    commissioner = models.BooleanField(_("commissioner programme"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("higher-level call")
        verbose_name_plural = _("higher-level calls")
        ordering = ["-call__year", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(quota__gte=1), name="upper_call_quota_positive")]

    def __str__(self) -> str:
        return self.call.title


class Recommendation(models.Model):
    """The panel's answer for one item of a higher-level call: recommended or not."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="recommendation")
    recommended = models.BooleanField(_("recommended"))
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return str(self.application)


class UpperOutcome(models.Model):
    """What the higher level decided on a recommended item, and the county's matching funds
    (配套). The matching funds become the item's ``approved_yuan``: the same two-person finance
    approval pays them, never more than recorded here."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="upper_outcome")
    funded = models.BooleanField(_("funded"))
    upper_yuan = models.DecimalField(_("higher-level funds (yuan)"), **MONEY, default=0)
    matching_yuan = models.DecimalField(_("county matching funds (yuan)"), **MONEY, default=0)
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("higher-level outcome")
        verbose_name_plural = _("higher-level outcomes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(upper_yuan__gte=0) & models.Q(matching_yuan__gte=0),
                name="upper_outcome_amounts_nonnegative",
            ),
            models.CheckConstraint(
                condition=models.Q(funded=True) | (models.Q(upper_yuan=0) & models.Q(matching_yuan=0)),
                name="upper_outcome_not_funded_is_zero",
            ),
        ]

    def __str__(self) -> str:
        return str(self.application)


class UpperMilestone(models.Model):
    """A milestone of a project the higher level funded, set and followed by the county
    (县级组织的跟踪管理): what is due when, and the day it was done."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="upper_milestones")
    name = models.CharField(_("milestone"), max_length=200)
    due = models.DateField(_("due"))
    done_at = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("milestone of a higher-level project")
        verbose_name_plural = _("milestones of higher-level projects")
        ordering = ["due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "name"], name="upper_milestone_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class UpperAcceptance(models.Model):
    """The acceptance (验收) of a project the higher level funded, organised by the county:
    passed or failed, on which day, who organised it. Recorded once."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="upper_acceptance")
    result = models.CharField(_("result"), max_length=10, choices=UpperAcceptanceResult.choices)
    accepted_on = models.DateField(_("acceptance date"))
    organised_by = models.CharField(_("organised by"), max_length=200)
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("acceptance of a higher-level project")
        verbose_name_plural = _("acceptances of higher-level projects")

    def __str__(self) -> str:
        return str(self.application)


class Township(models.Model):
    """A township or sub-district (乡镇、街道) of the county that commissioners are stationed in."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("township")
        verbose_name_plural = _("townships")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Commissioner(models.Model):
    """A science and technology commissioner (科技特派员): stationed in a township, working in a
    field of the county's vocabulary, sent by a level for a term."""

    name = models.CharField(_("name"), max_length=60)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    level = models.CharField(_("sent by"), max_length=10, choices=UpperLevel.choices, default=UpperLevel.PROVINCE)
    township = models.ForeignKey(
        Township, verbose_name=_("township"), on_delete=models.PROTECT, related_name="commissioners"
    )
    field = models.CharField(_("field"), max_length=60)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commissioner")
        verbose_name_plural = _("commissioners")
        ordering = ["township__order", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gte=models.F("term_start")), name="commissioner_term_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CommissionerProject(models.Model):
    """An item of a commissioner call led by one of the county's commissioners, with its
    demonstration base (创业示范基地)."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="commissioner_project")
    commissioner = models.ForeignKey(
        Commissioner, verbose_name=_("commissioner"), on_delete=models.PROTECT, related_name="projects"
    )
    base = models.CharField(_("demonstration base"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("commissioner project")
        verbose_name_plural = _("commissioner projects")

    def __str__(self) -> str:
        return str(self.application)


class Assessment(models.Model):
    """A commissioner's annual assessment (年度考核): one per commissioner and year."""

    commissioner = models.ForeignKey(Commissioner, on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveIntegerField(_("year"))
    result = models.CharField(_("result"), max_length=12, choices=AssessmentResult.choices)
    comment = models.TextField(_("comment"), blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-year", "commissioner_id"]
        constraints = [
            models.UniqueConstraint(fields=["commissioner", "year"], name="assessment_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.commissioner} {self.year}"


class AwardPutForward(models.Model):
    """A county award winner put forward for a city or provincial award, and its outcome. A
    winner of a round held in Pingshen links its nomination; one from before (the source
    document's provincial winners) has only its title and unit."""

    nomination = models.ForeignKey(
        Application,
        verbose_name=_("nomination"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="put_forward",
    )
    title = models.CharField(_("achievement"), max_length=200)
    unit = models.CharField(_("completing unit"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=AwardLevelUp.choices)
    award = models.CharField(_("award"), max_length=200)
    year = models.PositiveIntegerField(_("year"))
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=PutForwardOutcome.choices, default=PutForwardOutcome.PENDING
    )
    #: The grade won (1 = 一等奖), when awarded.
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(_("result recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("award put forward")
        verbose_name_plural = _("awards put forward")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["title", "level", "award"], name="put_forward_once_per_award"),
            models.CheckConstraint(
                condition=models.Q(grade__isnull=True) | models.Q(outcome=PutForwardOutcome.AWARDED),
                name="put_forward_grade_only_when_awarded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.award}"
