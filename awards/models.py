"""Progress awards (科技进步奖). An award round IS a ``Call`` row (``kind = award``) and a
nomination IS an ``Application`` row (``kind = nomination``): the draw, reviews, ranking,
notices, objections, attachments, payments and the audit serve both unchanged. What only
awards have lives here: the levels of a round, each with a quota and a fixed bonus.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.enums import CallKind, ItemKind
from applications.models import MONEY, Application, Call

#: Levels run from 1 (the highest, 一等奖) to 3 (三等奖).
LEVELS = (1, 2, 3)


class AwardRoundManager(models.Manager["AwardRound"]):
    def get_queryset(self) -> models.QuerySet[AwardRound]:
        return super().get_queryset().filter(kind=CallKind.AWARD)


class NominationManager(models.Manager["Nomination"]):
    def get_queryset(self) -> models.QuerySet[Nomination]:
        return super().get_queryset().filter(kind=ItemKind.NOMINATION)


class AwardRound(Call):
    """An award round (评选年度): a ``Call`` whose items are nominations."""

    objects: ClassVar[AwardRoundManager] = AwardRoundManager()

    class Meta:
        proxy = True
        verbose_name = _("award round")
        verbose_name_plural = _("award rounds")


class Nomination(Application):
    """A nomination (提名) of an achievement: an ``Application`` of an award round."""

    objects: ClassVar[NominationManager] = NominationManager()

    class Meta:
        proxy = True
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")


class AwardLevel(models.Model):
    """One level of a round: how many may be awarded (quota) and the fixed bonus each."""

    round = models.ForeignKey(Call, verbose_name=_("award round"), on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(len(LEVELS))]
    )
    quota = models.PositiveIntegerField(_("quota"))
    bonus_yuan = models.DecimalField(_("bonus (yuan)"), **MONEY)

    class Meta:
        verbose_name = _("award level")
        verbose_name_plural = _("award levels")
        ordering = ["round_id", "level"]
        constraints = [
            models.UniqueConstraint(fields=["round", "level"], name="award_level_unique_per_round"),
            models.CheckConstraint(condition=models.Q(quota__gte=0), name="award_level_quota_nonnegative"),
            models.CheckConstraint(condition=models.Q(bonus_yuan__gt=0), name="award_level_bonus_positive"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1) & models.Q(level__lte=len(LEVELS)), name="award_level_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} L{self.level}"
