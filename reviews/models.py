from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation
from applications.models import Application, Call
from core.choices import choice_label

from .enums import SEATED_STATES, AssignmentPurpose, AssignmentStatus, DrawKind, Recommendation


class ReviewCriterionManager(models.Manager["Criterion"]):
    """The review criteria only: ``call.criteria`` and ``Criterion.objects`` are what experts
    score applications against, everywhere they were before acceptance criteria existed.
    The acceptance criteria are read through ``Criterion.all_purposes``
    (``aftergrant.acceptance.acceptance_criteria``)."""

    def get_queryset(self) -> models.QuerySet[Criterion]:
        return super().get_queryset().filter(purpose=AssignmentPurpose.REVIEW)


class Criterion(models.Model):
    """A weighted scoring criterion of a call, with its maximum score: for the review of its
    applications (``purpose`` review) or for the acceptance of its projects."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria")
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=AssignmentPurpose.choices, default=AssignmentPurpose.REVIEW
    )
    code = models.SlugField(_("code"), max_length=30)
    label = models.CharField(_("label"), max_length=100)
    guidance = models.TextField(_("guidance"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    max_score = models.DecimalField(
        _("maximum score"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    position = models.PositiveIntegerField(default=0)

    objects = ReviewCriterionManager()
    all_purposes: models.Manager[Criterion] = models.Manager()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["position", "id"]
        default_manager_name = "objects"
        # Deleting a call (and anything Django does behind the scenes) sees every purpose.
        base_manager_name = "all_purposes"
        constraints = [
            models.UniqueConstraint(fields=["call", "purpose", "code"], name="criterion_code_unique_per_call"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(condition=models.Q(max_score__gt=0), name="criterion_max_positive"),
        ]

    def __str__(self) -> str:
        return self.label


class Expert(models.Model):
    """A member of the expert pool (专家库)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert")
    name = models.CharField(_("name"), max_length=100)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="experts",
    )
    fields = models.JSONField(_("fields"), default=list)
    title = models.CharField(pgettext_lazy("expert", "title"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    load_limit = models.PositiveIntegerField(_("load limit"), default=10)

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Conflict(models.Model):
    """A declared conflict of interest (回避) with an organisation."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts")
    organisation_name = models.CharField(_("organisation"), max_length=200)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["expert", "organisation_name"], name="conflict_unique_per_expert")
        ]

    def __str__(self) -> str:
        return self.organisation_name


class Draw(models.Model):
    """One random draw (随机抽取) of experts for a call's items, replayable from its seed.

    ``pool`` keeps every considered expert's eligibility inputs as they were when the draw
    ran (``reviews.draw.ExpertSnapshot``), so the draw can be replayed and checked later
    whatever has happened to the pool since.
    """

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="draws")
    kind = models.CharField(_("kind"), max_length=20, choices=DrawKind.choices, default=DrawKind.INITIAL)
    seed = models.CharField(_("seed"), max_length=64)
    pool = models.JSONField(_("pool as drawn"), default=list)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("performed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    performed_at = models.DateTimeField(_("performed at"), default=timezone.now)
    #: The commitment, recorded before the draw ran (reviews/proof.py): the SHA-256 of the
    #: public snapshot of its inputs and of its seed, and the rules it follows.
    pool_sha256 = models.CharField(_("SHA-256 of the pool snapshot"), max_length=64, blank=True)
    seed_sha256 = models.CharField(_("SHA-256 of the seed"), max_length=64, blank=True)
    algorithm = models.CharField(_("algorithm"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        ordering = ["-performed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.call} #{self.pk} ({self.seed})"

    def candidates_for(self, field: str) -> list[int]:
        """The ids of the experts in ``pool`` whose fields include ``field``, in id order
        (rule 1 of ``reviews.draw``). Indexed once per instance."""
        index: dict[str, list[int]] | None = self.__dict__.get("_candidates_by_field")
        if index is None:
            index = {}
            for expert in sorted(self.pool, key=lambda e: int(e["id"])):
                for name in dict.fromkeys(expert.get("fields") or ()):
                    index.setdefault(str(name), []).append(int(expert["id"]))
            self.__dict__["_candidates_by_field"] = index
        return list(index.get(field, []))


class DrawItem(models.Model):
    """What one draw did for one item: who was considered, who was passed over and why, who
    was chosen, and how many were missing when the pool fell short (then nobody is chosen)."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="draw_items")
    #: The applicant side as drawn (``reviews.draw.ItemSnapshot``) and the experts already on it.
    item = models.JSONField(_("item as drawn"), default=dict)
    assigned = models.JSONField(_("experts already assigned"), default=list)
    needed = models.PositiveIntegerField(_("experts needed"))
    exclusions = models.JSONField(_("exclusions"), default=list)
    chosen = models.JSONField(_("chosen"), default=list)
    shortfall = models.PositiveIntegerField(_("shortfall"), default=0)

    class Meta:
        verbose_name = _("drawn item")
        verbose_name_plural = _("drawn items")
        # Items are drawn in id order within a draw: replay walks them the same way.
        ordering = ["draw", "id"]

    def __str__(self) -> str:
        return f"{self.draw_id}: {self.application_id}"

    @property
    def candidates(self) -> list[int]:
        """Every expert of the pool as drawn whose fields include the item's field, by id:
        derived from ``Draw.pool`` (kept once per draw) rather than stored once per item,
        which for 10,000 items from a pool of 10,000 was ten million ids."""
        return self.draw.candidates_for(str(self.item.get("field") or ""))


class Assignment(models.Model):
    """An expert invited to review one item, or to take part in a project's acceptance."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments")
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=AssignmentPurpose.choices, default=AssignmentPurpose.REVIEW
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.INVITED
    )
    due_at = models.DateTimeField(_("due at"))
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    draw_item = models.ForeignKey(
        DrawItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments"
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "expert", "purpose"], name="assignment_unique_expert_per_item"
            )
        ]
        indexes = [
            models.Index(fields=["expert", "status"]),
            # An item's seated experts, counted from the index alone (items_short_of_experts).
            models.Index(
                fields=["application"],
                condition=models.Q(purpose=AssignmentPurpose.REVIEW, status__in=SEATED_STATES),
                name="assignment_seated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert} → {self.application}"

    def get_status_display(self) -> str:  # type: ignore[no-redef]  # the stubs declare the generated one
        """The status's label (Django's own translates every status label first: core.choices)."""
        return choice_label(AssignmentStatus, self.status)


class Review(models.Model):
    """An expert's scores for one assignment. Final once submitted."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    scores = models.JSONField(_("scores"))
    weighted_total = models.DecimalField(_("weighted total"), max_digits=8, decimal_places=3)
    comment = models.TextField(_("comment"))
    recommendation = models.CharField(_("recommendation"), max_length=10, choices=Recommendation.choices)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    #: Staff may withhold the comment from the applicant's feedback (funding/feedback.py), with a
    #: reason; the scores are shown all the same. Set once by ``review_comment_withhold``.
    comment_withheld_reason = models.TextField(_("reason for withholding the comment"), blank=True)
    comment_withheld_at = models.DateTimeField(_("comment withheld at"), null=True, blank=True)
    comment_withheld_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.assignment}: {self.weighted_total}"

    @property
    def comment_withheld(self) -> bool:
        return self.comment_withheld_at is not None
