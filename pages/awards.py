"""Pages for progress awards: nominators nominate, staff run the round (formal review, the
draw, the notice), the award committee decides levels from the ranking, everyone with a
bureau role reads the report. Each view reads the request, calls one step, responds.

A round is a call and a nomination an application, so the generic pages serve what is the
same (the draw page, the public notice, attachments, the expert's review page, finance).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.rules import is_finance, is_panel, is_staff
from applications.enums import EDITABLE_STATES, ApplicationStatus, ItemKind
from applications.models import Application
from applications.rules import can_apply, can_view_application, closed_before_submission
from applications.services import CALL_CLOSED
from awards import services as award_services
from awards.exports import round_report_xlsx
from awards.models import LEVELS, AwardRound
from awards.rules import round_publish_refusal
from awards.selectors import award_rounds, award_rounds_open, committee_rows, nominations_visible_to
from core.errors import StateConflict
from core.responses import xlsx_response
from funding.documents import nomination_certificate_pdf
from funding.models import Notice
from workflow import steps

from .forms import AttachmentForm, FormalReviewForm, StepForm, TextField, VocabularyMixin, vocabulary_field
from .views import attachments_context, notice_rows, perform, timeline_of

S = ApplicationStatus


# --- forms ------------------------------------------------------------------------------------


class NominationForm(VocabularyMixin, StepForm):
    vocabulary = ("field",)

    title = forms.CharField(label=gettext_lazy("Achievement"), max_length=200)
    field = vocabulary_field(label=gettext_lazy("Field"))
    summary = TextField(
        label=gettext_lazy("Summary of the achievement"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    units = TextField(
        label=gettext_lazy("Completing units"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line, in order; the first is the lead unit."),
    )
    persons = TextField(
        label=gettext_lazy("Completing persons"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "One per line, in order of contribution: name, unit, contribution (unit and contribution optional)."
        ),
    )

    def step_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["units"] = [line.strip() for line in data["units"].splitlines() if line.strip()]
        persons = []
        for line in data["persons"].splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if parts and parts[0]:
                person = {"name": parts[0]}
                if len(parts) > 1 and parts[1]:
                    person["organisation"] = parts[1]
                if len(parts) > 2 and parts[2]:
                    person["role"] = ",".join(parts[2:])
                persons.append(person)
        data["persons"] = persons
        return data

    @staticmethod
    def initial_of(nomination: Application) -> dict[str, Any]:
        lines = [
            ", ".join(p for p in (person.get("name", ""), person.get("organisation", ""), person.get("role", "")) if p)
            for person in nomination.persons
        ]
        return {
            "title": nomination.title,
            "field": nomination.field,
            "summary": nomination.summary,
            "units": "\n".join(nomination.units),
            "persons": "\n".join(lines),
        }


def _level_choices(levels: Any) -> list[tuple[str, Any]]:
    return [("", gettext_lazy("No award"))] + [(str(lv), gettext_lazy("Level %(n)s") % {"n": lv}) for lv in levels]


class AwardDecisionForm(StepForm):
    level = forms.TypedChoiceField(
        label=gettext_lazy("Award"),
        choices=_level_choices(LEVELS),
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=5000)

    def __init__(self, *args: Any, open_levels: set[int] | None = None, **kwargs: Any) -> None:
        """``open_levels``: the round's levels with places left; only those are offered (a
        full level would be refused with a 409)."""
        super().__init__(*args, **kwargs)
        if open_levels is not None:
            level = self.fields["level"]
            assert isinstance(level, forms.ChoiceField)
            level.choices = _level_choices(lv for lv in LEVELS if lv in open_levels)


# --- lookups ----------------------------------------------------------------------------------


def _round(pk: int) -> AwardRound:
    award_round = award_rounds().filter(pk=pk).first()
    if award_round is None:
        raise Http404
    return award_round


def _nomination(user: Any, pk: int) -> Application:
    nomination = (
        Application.objects.select_related("call", "organisation", "applicant")
        .filter(pk=pk, kind=ItemKind.NOMINATION)
        .first()
    )
    if nomination is None or not can_view_application(user, nomination):
        raise Http404
    return nomination


def _bureau(user: Any) -> bool:
    return is_staff(user) or is_panel(user) or is_finance(user)


def _nomination_url(nomination: Application) -> str:
    return reverse("award-nomination", args=[nomination.pk])


def _round_url(pk: int) -> str:
    return reverse("award-round", args=[pk])


NEXT_STEP = {
    S.DRAFT: gettext_lazy("Complete the nomination and submit it before the round closes."),
    S.RETURNED: gettext_lazy("The bureau returned it: revise as asked and submit again."),
    S.SUBMITTED: gettext_lazy("The bureau is checking the nomination (formal review)."),
    S.IN_REVIEW: gettext_lazy("Experts are reviewing and scoring the achievement."),
    S.REVIEWED: gettext_lazy("The reviews are in; the award committee decides."),
    S.AWARDED: gettext_lazy("Awarded: on public notice; objections may be filed until it closes."),
    S.NOT_AWARDED: gettext_lazy("The committee decided not to award it."),
    S.GRANTED: gettext_lazy("The award is granted; finance is paying the bonus."),
    S.CLOSED: gettext_lazy("The bonus has been paid."),
    S.REJECTED: gettext_lazy("Rejected in formal review."),
    S.TERMINATED: gettext_lazy("Withdrawn."),
}


# --- rounds -----------------------------------------------------------------------------------


def round_list(request: HttpRequest) -> HttpResponse:
    """Open rounds and one's own nominations for nominators; every round for the bureau."""
    user = request.user
    context = {
        "rounds": award_rounds() if _bureau(user) else award_rounds_open(),
        "can_nominate": can_apply(user),
        "is_staff": is_staff(user),
        "mine": Application.objects.filter(applicant_id=user.pk, kind=ItemKind.NOMINATION)
        .select_related("call")
        .order_by("-created_at"),
    }
    return render(request, "pages/awards/round_list.html", context)


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = _round(pk)
    user = request.user
    bureau = _bureau(user)
    report = award_services.round_report(award_round)
    context: dict[str, Any] = {
        "round": award_round,
        "report": report,
        "is_staff": is_staff(user),
        "is_panel": is_panel(user),
        "bureau": bureau,
        "can_nominate": can_apply(user) and award_round.is_open(),
        "progress": [(S(status).label, n) for status, n in report.by_status.items() if n],
    }
    if bureau:
        context["nominations"] = (
            nominations_visible_to(user)
            .filter(call=award_round)
            .select_related("decision", "organisation")
            .order_by("pk")
        )
        context["notices"] = notice_rows(user, Notice.objects.filter(call=award_round).order_by("-published_at"))
        context["problems"] = award_services.round_problems(award_round)
        context["publish_refusal"] = round_publish_refusal(user, award_round)
    return render(request, "pages/awards/round_detail.html", context)


@require_POST
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = _round(pk)
    return perform(
        request,
        StepForm(request.POST),
        lambda: steps.notice_publish(call=award_round, actor=request.user),
        success=_("The awards are on public notice."),
        then=_round_url(pk),
    ) or redirect(_round_url(pk))


@require_POST
def notice_close(request: HttpRequest, pk: int) -> HttpResponse:
    notice = Notice.objects.filter(pk=pk, call__kind="award").first()
    if notice is None:
        raise Http404
    return perform(
        request,
        StepForm(request.POST),
        lambda: steps.notice_close(notice=notice, actor=request.user),
        success=_("The notice is closed: the awards are granted and their bonuses requested."),
        then=_round_url(notice.call_id),
    ) or redirect(_round_url(notice.call_id))


def committee(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee's page: the ranking with spread flags, the places left per level, a
    decision form per nomination and a chart of awards per level."""
    if not (is_panel(request.user) or is_staff(request.user)):
        raise Http404
    award_round = _round(pk)
    return _committee_page(request, award_round)


def _committee_page(
    request: HttpRequest, award_round: AwardRound, bound: tuple[int, Any] | None = None
) -> HttpResponse:
    rows, levels = committee_rows(award_round)
    panel = is_panel(request.user)
    open_levels = {lv.level for lv in levels if lv.left > 0}
    decide_forms = {
        row.nomination.pk: (
            bound[1] if bound and bound[0] == row.nomination.pk else AwardDecisionForm(open_levels=open_levels)
        )
        for row in rows
        if panel and not row.decided and row.nomination.status == S.REVIEWED
    }
    chart = [
        {
            "label": _("Level %(n)s") % {"n": lv.level},
            "value": lv.quota,
            "part": lv.count,
            "display": f"{lv.count} / {lv.quota}",
        }
        for lv in levels
    ]
    context = {
        "round": award_round,
        "rows": [(row, decide_forms.get(row.nomination.pk)) for row in rows],
        "levels": levels,
        "chart": chart,
        "is_panel": panel,
    }
    return render(request, "pages/awards/committee.html", context)


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination(request.user, pk)
    if not is_panel(request.user):
        raise Http404
    form = AwardDecisionForm(request.POST)
    url = reverse("award-committee", args=[nomination.call_id])
    response = perform(
        request,
        form,
        lambda **data: steps.award_decide(nomination=nomination, actor=request.user, **data),
        success=_("Decision recorded."),
        then=url,
    )
    return response or _committee_page(request, _round(nomination.call_id), bound=(nomination.pk, form))


def report(request: HttpRequest, pk: int) -> HttpResponse:
    if not _bureau(request.user):
        raise Http404
    award_round = _round(pk)
    context = {
        "round": award_round,
        "report": award_services.round_report(award_round),
        "problems": award_services.round_problems(award_round),
    }
    return render(request, "pages/awards/report.html", context)


def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    if not _bureau(request.user):
        raise Http404
    award_round = _round(pk)
    content = round_report_xlsx(award_services.round_report(award_round))
    return xlsx_response(content, f"award-round-{award_round.pk}-report.xlsx")


# --- nominations ------------------------------------------------------------------------------


def nomination_create(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = _round(pk)
    if not can_apply(request.user):
        raise Http404
    form = NominationForm(request.POST or None)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: award_services.nomination_create(actor=request.user, award_round=award_round, **data),
            success=_("Nomination saved. Add attachments, then submit."),
            then=_nomination_url,
            back=_round_url(pk),
        )
        if response:
            return response
    return render(request, "pages/awards/nomination_form.html", {"form": form, "round": award_round})


def nomination_edit(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination(request.user, pk)
    if nomination.applicant_id != request.user.pk:
        raise Http404
    form = NominationForm(request.POST or None, initial=NominationForm.initial_of(nomination))
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: award_services.nomination_update(nomination=nomination, actor=request.user, **data),
            success=_("Changes saved."),
            then=_nomination_url(nomination),
        )
        if response:
            return response
    context = {"form": form, "round": nomination.call, "nomination": nomination}
    return render(request, "pages/awards/nomination_form.html", context)


def _nomination_page(request: HttpRequest, nomination: Application, **bound: Any) -> HttpResponse:
    user = request.user
    owner = nomination.applicant_id == user.pk
    staff = is_staff(user)
    context: dict[str, Any] = {
        "nomination": nomination,
        "owner": owner,
        "is_staff": staff,
        "is_panel": is_panel(user),
        "next_step": NEXT_STEP.get(S(nomination.status), ""),
        **attachments_context(nomination, owner=owner),
        "timeline": timeline_of(nomination),
        "decision": getattr(nomination, "decision", None),
        "disbursements": nomination.disbursements.order_by("tranche", "id") if owner or staff else [],
        "editable": owner and nomination.status in EDITABLE_STATES,
        # A draft of a closed round would be refused (409): say so instead of offering Submit.
        "submit_closed": CALL_CLOSED if owner and closed_before_submission(nomination) else None,
        "attachment_form": AttachmentForm(call=nomination.call)
        if owner and nomination.status in EDITABLE_STATES
        else None,
        "formal_review_form": bound.get("formal_review")
        or (FormalReviewForm() if staff and nomination.status == S.SUBMITTED else None),
    }
    return render(request, "pages/awards/nomination_detail.html", context)


def nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _nomination_page(request, _nomination(request.user, pk))


#: The award stands once the notice closed without it being withdrawn.
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The award certificate (荣誉证书) as a PDF, dated the day the round's notice closed; for
    whoever may see the nomination, once the award is granted on the closed notice (404
    before: there is none yet)."""
    nomination = _nomination(request.user, pk)
    try:
        content = nomination_certificate_pdf(nomination, language=get_language())
    except StateConflict:
        raise Http404 from None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="award-certificate-{nomination.pk}.pdf"'
    return response


@require_POST
def nomination_submit(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination(request.user, pk)
    url = _nomination_url(nomination)
    return perform(
        request,
        StepForm(request.POST),
        lambda: steps.application_submit(application=nomination, actor=request.user),
        success=_("Submitted. The bureau will check it."),
        then=url,
    ) or redirect(url)


@require_POST
def nomination_formal_review(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination(request.user, pk)
    if not is_staff(request.user):
        raise Http404
    form = FormalReviewForm(request.POST)
    response = perform(
        request,
        form,
        lambda **data: steps.formal_review(application=nomination, actor=request.user, **data),
        success=_("Formal review recorded."),
        then=_nomination_url(nomination),
    )
    return response or _nomination_page(request, nomination, formal_review=form)
