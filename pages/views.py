"""The web UI: server-rendered pages for each role.

Every view reads the request, calls one step (``workflow.steps``, or the domain service
where a write has no process step, such as editing a draft), and responds. ``perform``
maps the domain errors the same way everywhere:

- ``ValidationError`` → the form is shown again with the user's input and the errors;
- ``StateConflict`` (a lost race, a step that is no longer open) → a message and a redirect;
- ``PermissionDenied`` → 403 and ``NotVisible``/``Http404`` → 404, by Django itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.enums import Role
from accounts.models import User
from accounts.rules import has_role, is_finance, is_panel, is_staff
from accounts.selectors import pending_membership_of
from accounts.services import applicant_register
from applications import services as app_services
from applications.enums import EDITABLE_STATES, FINAL_STATES, ApplicationStatus, CallKind, ItemKind
from applications.models import Application, Attachment, Call
from applications.rules import can_view_application, closed_before_submission
from applications.services import CALL_CLOSED
from audit.selectors import audit_for
from core.choices import choice_label
from core.errors import RateLimited, StateConflict
from core.links import pk_link
from core.params import parse_int
from core.ratelimit import client_address
from core.responses import xlsx_response
from core.typing import StrOrPromise
from funding import selectors as funding_selectors
from funding.enums import ObjectionStatus
from funding.feedback import application_feedback, feedback_open, feedback_rows, is_applicant
from funding.models import Disbursement, Notice, Objection
from funding.rules import (
    disbursement_approve_refusal,
    disbursement_pay_refusal,
    disbursement_reject_refusal,
    notice_close_refusal,
    notice_publish_refusal,
)
from funding.selectors import on_closed_notice
from funding.services import call_decided_total, notice_is_open
from reviews import services as review_services
from reviews.enums import AssignmentPurpose, AssignmentStatus
from reviews.models import Assignment, Review
from reviews.selectors import assignments_of, draw_export, draw_verify, ranking_slice
from reviews.services import purpose_criteria
from workflow import steps
from workflow.jobs import NOTICE_CLOSE_INLINE_MAX, call_draw_start, notice_close_start

from . import dashboards, forms
from . import selectors as pages_selectors

S = ApplicationStatus
A = AssignmentStatus


def _me(request: HttpRequest) -> User:
    """The caller, on a page that requires a login (all but the ``login_not_required`` ones)."""
    user = request.user
    assert isinstance(user, User), "login-required page reached without a user"
    return user


# --- the one way a page runs a step -----------------------------------------------------------


def put_errors(form: forms.StepForm, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: ``scores.innovation`` lands on the
    field ``scores_innovation``; keys the form has no field for become form-wide errors."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    formsets = getattr(form, "formsets", {})
    for key, errors in exc.message_dict.items():
        if key in formsets:
            # A table of rows (a call's criteria, a round's levels): the error goes above it.
            formsets[key].non_form_errors().extend(errors)
            continue
        name = form.error_fields.get(key, key.replace(".", "_"))
        form.add_error(name if name in form.fields else None, errors)


def perform(
    request: HttpRequest,
    form: forms.StepForm,
    step: Callable[..., Any],
    *,
    success: str,
    then: str | Callable[[Any], str],
    back: str | None = None,
    still_open: Callable[[], bool] | None = None,
) -> HttpResponse | None:
    """Validate ``form``, call ``step(**form.step_data())`` and answer.

    Returns a redirect to ``then`` (a URL, or a function of the step's result) with
    ``success`` as a message; on a ``StateConflict`` a redirect to ``back`` (default:
    ``then`` when it is a URL) with the conflict as an error message; ``None`` when the
    form has errors, so the caller shows it again.

    ``still_open`` tells a refusal from a lost race: when it answers true after a
    ``StateConflict`` (nobody else moved the object: say the call's budget cannot pay the
    amount typed), the conflict becomes a form-wide error and ``None`` is returned, so the
    form is shown again with what the user typed instead of a redirect that drops it.
    """
    if not form.is_valid():
        return None
    try:
        result = step(**form.step_data())
    except ValidationError as exc:
        put_errors(form, exc)
        return None
    except StateConflict as exc:
        if still_open is not None and still_open():
            form.add_error(None, exc.message)
            return None
        messages.error(request, exc.message)
        fallback = back or (then if isinstance(then, str) else reverse("home"))
        return redirect(fallback)
    messages.success(request, success)
    return redirect(then(result) if callable(then) else then)


def _detail_url(application: Application) -> str:
    return reverse("application-detail", args=[application.pk])


def _application_for(user: Any, pk: int) -> Application:
    """The application if this user may see it, else 404 (never reveal it exists)."""
    application = (
        Application.objects.select_related("call", "call__programme", "organisation", "applicant").filter(pk=pk).first()
    )
    if application is None or not can_view_application(user, application):
        raise Http404
    return application


def _own_application(user: Any, pk: int) -> Application:
    application = _application_for(user, pk)
    if application.applicant_id != user.pk:
        raise Http404
    return application


# --- accounts ---------------------------------------------------------------------------------


@login_not_required
def register(request: HttpRequest) -> HttpResponse:
    form = forms.RegisterForm(request.POST or None)
    if request.method == "POST":

        def sign_up(**data: Any) -> Any:
            user = applicant_register(**data)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return user

        response = perform(request, form, sign_up, success=_("Welcome! Your account is ready."), then=reverse("home"))
        if response:
            pending = pending_membership_of(request.user)
            if pending is not None:
                messages.warning(
                    request,
                    _(
                        "%(organisation)s is registered already: a member or the bureau must approve you "
                        "before you can apply for it. They have been told."
                    )
                    % {"organisation": pending.organisation.name},
                )
            return response
    return render(request, "pages/register.html", {"form": form})


# --- home: what waits for each role -------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """One section per role, what waits first (pages/dashboards.py)."""
    return dashboards.home(request)


# --- the application page -------------------------------------------------------------------

ACTION_LABELS = {
    "application.create": gettext_lazy("Draft created"),
    "application.update": gettext_lazy("Draft changed"),
    "attachment.add": gettext_lazy("Attachment added"),
    "application.submit": gettext_lazy("Submitted"),
    "formal_review.accept": gettext_lazy("Passed formal review"),
    "formal_review.return": gettext_lazy("Returned for revision"),
    "formal_review.reject": gettext_lazy("Rejected in formal review"),
    "reviews.complete": gettext_lazy("Expert review completed"),
    "decision.fund": gettext_lazy("Funded"),
    "decision.not_fund": gettext_lazy("Not funded"),
    "contract.sign": gettext_lazy("Task contract in force"),
    "acceptance.submit": gettext_lazy("Acceptance report submitted"),
    "acceptance.pass": gettext_lazy("Acceptance passed"),
    "acceptance.fail": gettext_lazy("Acceptance failed"),
    "acceptance.rectify": gettext_lazy("Acceptance: rectify and resubmit"),
    "acceptance.return": gettext_lazy("Acceptance file returned"),
    "application.close": gettext_lazy("Closed"),
    "application.terminate": gettext_lazy("Terminated"),
    "change.applied.extension": gettext_lazy("Change approved: extension"),
    "change.applied.leader": gettext_lazy("Change approved: project leader"),
    "change.applied.unit": gettext_lazy("Change approved: undertaking unit"),
    "change.applied.targets": gettext_lazy("Change approved: targets"),
    "change.applied.budget": gettext_lazy("Change approved: budget"),
}


def timeline_of(application: Application) -> list[dict[str, Any]]:
    """What happened and when, with the comments — never who did it (reviewers stay anonymous)."""
    rows = []
    for entry in audit_for(application).only("at", "action", "to_state", "comment"):
        label: StrOrPromise | None = ACTION_LABELS.get(entry.action)
        if label is None:
            label = S(entry.to_state).label if entry.to_state in S.values else entry.action
        rows.append({"at": entry.at, "label": label, "comment": entry.comment})
    return rows


def attachments_context(application: Application, *, owner: bool) -> dict[str, Any]:
    """The item's attachments, each with the name of the required document it is, and the
    call's required documents with whether one is attached: one query, for both item pages."""
    attachments = list(application.attachments.all())
    names = {d["code"]: d["name"] for d in application.call.required_documents or []}
    for attachment in attachments:
        attachment.document_name = names.get(attachment.kind, "")  # type: ignore[attr-defined]
    present = {a.kind for a in attachments}
    return {
        "attachments": attachments,
        "documents": [{**d, "present": d["code"] in present} for d in application.call.required_documents or []],
        "attachments_editable": owner and application.status in EDITABLE_STATES,
    }


#: The project's change requests show from the contract on (the history stays after the end).
CHANGE_SECTION_STATES = frozenset({S.CONTRACTED, S.ACCEPTANCE_SUBMITTED, S.CLOSED, S.FAILED, S.TERMINATED})


def _application_page(request: HttpRequest, application: Application, **bound: Any) -> HttpResponse:
    """The application page for whoever looks; ``bound`` holds a refused form to show again."""
    user = request.user
    owner = application.applicant_id == user.pk
    staff, panel = is_staff(user), is_panel(user)
    open_steps = pages_selectors.open_step_names(application)
    context: dict[str, Any] = {
        "application": application,
        "owner": owner,
        "is_staff": staff,
        "is_panel": panel,
        "open_steps": open_steps,
        **attachments_context(application, owner=owner),
        "timeline": timeline_of(application),
        "disbursements": application.disbursements.order_by("tranche", "id"),
        # Officials read the dossier at any time; the applicant once the notice has closed.
        "dossier_open": staff
        or panel
        or is_finance(user)
        or (owner and application.notices.filter(closed_at__isnull=False).exists()),
        # The funding notice exists once the public notice has closed (issue 14.5).
        "funding_notice": bool(application.approved_yuan)
        and application.kind == ItemKind.APPLICATION
        and on_closed_notice(application),
    }
    forms_: dict[str, Any] = {}
    if owner:
        context["editable"] = application.status in EDITABLE_STATES
        if application.status in EDITABLE_STATES:
            forms_["attachment"] = forms.AttachmentForm(call=application.call)
            # A draft of a closed call would be refused (409): say so instead of offering Submit.
            # The integrity rule and the call's limits (限项) would refuse it too: name the rule.
            refusal = (
                CALL_CLOSED if closed_before_submission(application) else app_services.submission_refusal(application)
            )
            if refusal:
                context["submit_closed"] = refusal
            else:
                forms_["submit"] = forms.SubmitForm()
    if staff:
        if application.status == S.SUBMITTED:
            forms_["formal_review"] = forms.FormalReviewForm()
        if application.status == S.IN_REVIEW:
            # Only experts the server would accept are offered; none left, the page says so.
            experts = review_services.assignable_experts(application)
            context["none_assignable"] = not experts
            if experts:
                forms_["assign"] = forms.AssignExpertForm(application=application, experts=experts)
            context["declined"] = [
                (
                    slot,
                    forms.AssignExpertForm(application=application, experts=experts, initial={"replaces": slot.pk})
                    if experts
                    else None,
                )
                for slot in pages_selectors.declined_slots().filter(application=application)
            ]
        if application.status not in FINAL_STATES:
            forms_["terminate"] = forms.TerminateForm()
            forms_["resubmit"] = forms.ResubmitDisbursementForm()
        assignments = list(
            application.assignments.filter(purpose=AssignmentPurpose.REVIEW).select_related(
                "expert", "expert__organisation"
            )
        )
        context["assignments"] = assignments
        # Starting the review needs an expert invited or accepted (steps.expert_review_start
        # refuses with 409 otherwise): offer the button only then, else say what comes first.
        context["can_start_review"] = "expert_assignment" in open_steps and any(
            a.status in (A.INVITED, A.ACCEPTED) for a in assignments
        )
    # An item of a higher-level call is recommended with its call's others (pages/upward.py).
    if panel and application.status == S.REVIEWED and application.call.kind != CallKind.UPPER:
        forms_["decision"] = forms.DecisionForm()
    if staff or panel:
        context["process_url"] = pages_selectors.process_url(application)
        # Reviews by number, never by name: the panel weighs scores, not people.
        context["reviews"] = Review.objects.filter(
            assignment__application=application,
            assignment__purpose=AssignmentPurpose.REVIEW,
            assignment__status=A.SUBMITTED,
        ).order_by("submitted_at")
        context["criteria"] = list(application.call.criteria.all())
    if is_applicant(user, application) and feedback_open(application):
        context["feedback"] = feedback_rows(application_feedback(application=application, user=user))
    if application.kind == ItemKind.APPLICATION:
        from .aftergrant import contract_context

        context.update(contract_context(request, application, open_steps))
        if "contract_check" in bound:
            context["contract_check_form"] = bound.pop("contract_check")
    if application.kind == ItemKind.APPLICATION and application.status in CHANGE_SECTION_STATES:
        from aftergrant.changes import CHANGEABLE_STATES, changes_of

        context["change_requests"] = list(changes_of(application))
        context["may_request_change"] = owner and application.status in CHANGEABLE_STATES
    forms_.update(bound)
    context["forms"] = forms_
    return render(request, "pages/application_detail.html", context)


def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _application_page(request, _application_for(request.user, pk))


def application_create(request: HttpRequest, call_pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("programme"), pk=call_pk)
    form = forms.ApplicationForm(request.POST or None)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: app_services.application_create(actor=request.user, call=call, **data),
            success=_("Draft saved. Add attachments, then submit."),
            then=_detail_url,
        )
        if response:
            return response
    return render(request, "pages/application_form.html", {"form": form, "call": call})


def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request.user, pk)
    if application.status not in EDITABLE_STATES:
        messages.error(request, _("The application can only be changed while it is a draft or returned."))
        return redirect(_detail_url(application))
    initial = {name: getattr(application, name) for name in app_services.APPLICATION_FIELDS}
    form = forms.ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: app_services.application_update(application=application, actor=request.user, **data),
            success=_("Changes saved."),
            then=_detail_url(application),
        )
        if response:
            return response
    return render(
        request, "pages/application_form.html", {"form": form, "call": application.call, "application": application}
    )


@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request.user, pk)
    form = forms.AttachmentForm(request.POST, request.FILES, call=application.call)
    response = perform(
        request,
        form,
        lambda **data: app_services.attachment_add(application=application, actor=request.user, **data),
        success=_("Attachment uploaded."),
        then=_detail_url(application),
    )
    return response or _application_page(request, application, attachment=form)


@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant removes an attachment of their draft or returned item."""
    attachment = Attachment.objects.select_related("application").filter(pk=pk).first()
    if attachment is None or attachment.application.applicant_id != request.user.pk:
        raise Http404
    application = attachment.application
    then = (
        reverse("award-nomination", args=[application.pk])
        if application.kind == ItemKind.NOMINATION
        else _detail_url(application)
    )
    try:
        app_services.attachment_delete(attachment=attachment, actor=request.user)
    except StateConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Attachment removed."))
    return redirect(then)


def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    attachment = Attachment.objects.select_related("application").filter(pk=pk).first()
    if attachment is None or not can_view_application(request.user, attachment.application):
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


def _application_step(
    form_class: type[forms.StepForm] | None,
    step: Callable[..., Any],
    success: StrOrPromise,
    *,
    form_name: str,
    own: bool = False,
    open_in: frozenset[str] = frozenset(),
) -> Callable[[HttpRequest, int], HttpResponse]:
    """A POST view for one step on an application: fetch it (404 if not visible), run the
    step with the form's data, and show the application page again on a refused form.

    ``open_in``: the states in which the step's form is offered; a ``StateConflict`` while the
    application is still in one of them (the call's budget refusing an amount) shows the
    form again with the input instead of redirecting."""

    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        application = (_own_application if own else _application_for)(request.user, pk)
        if form_class is forms.AssignExpertForm:
            form: forms.StepForm = forms.AssignExpertForm(request.POST, application=application)
        else:
            form = (form_class or forms.StepForm)(request.POST)
        response = perform(
            request,
            form,
            lambda **data: step(application=application, actor=request.user, **data),
            success=str(success),
            then=_detail_url(application),
            # Refused while the application still waits for this step (not a lost race):
            # show the form again with what was typed.
            still_open=(
                (lambda: Application.objects.filter(pk=application.pk, status__in=open_in).exists())
                if open_in
                else None
            ),
        )
        return response or _application_page(request, application, **{form_name: form})

    view.__name__ = f"{step.__name__}_view"
    return view


application_submit = _application_step(
    forms.SubmitForm,
    steps.application_submit,
    gettext_lazy("Submitted. The bureau will check it."),
    form_name="submit",
    own=True,
)
formal_review = _application_step(
    forms.FormalReviewForm, steps.formal_review, gettext_lazy("Formal review recorded."), form_name="formal_review"
)
assign_expert = _application_step(
    forms.AssignExpertForm, steps.assignment_add, gettext_lazy("Expert invited."), form_name="assign"
)
start_review = _application_step(
    None, steps.expert_review_start, gettext_lazy("Sent to the experts."), form_name="start_review"
)
terminate = _application_step(
    forms.TerminateForm, steps.terminate, gettext_lazy("The application was terminated."), form_name="terminate"
)
decide = _application_step(
    forms.DecisionForm,
    steps.decide,
    gettext_lazy("Decision recorded."),
    form_name="decision",
    open_in=frozenset({S.REVIEWED}),
)


@require_POST
def review_slot_close(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(Assignment.objects.select_related("application"), pk=pk)
    if not is_staff(request.user):
        raise Http404
    return perform(
        request,
        forms.StepForm(request.POST),
        lambda: steps.review_slot_close(assignment=assignment, actor=request.user),
        success=_("The review goes on without this slot."),
        then=_detail_url(assignment.application),
    ) or redirect(_detail_url(assignment.application))


# --- experts ------------------------------------------------------------------------------------


def _my_assignment(user: Any, pk: int) -> Assignment:
    assignment = (
        assignments_of(user)
        .select_related("application__call__programme")
        .filter(pk=pk)
        .select_related("review")
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


#: Rows of the expert's queue per page: every open invitation fits on the first page in practice.
QUEUE_PAGE = 50
QUEUE_PAGES_MAX = 100_000


def my_reviews(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, Role.EXPERT):
        raise Http404
    # The rows as the page prints them, made here once: an expert's queue has a hundred rows and
    # more, and each link, date and nested lookup in the template cost more than the row itself.
    # Open invitations and accepted reviews first, then the rest, newest first; 50 a page, one
    # statement a page (a row past the page says there is a next one: no COUNT over the
    # expert's whole history, which grows every year).
    # A page number past any history reads as "no more" (an 18-digit one would overflow the
    # database's OFFSET).
    number = min(max(parse_int(request.GET.get("page")) or 1, 1), QUEUE_PAGES_MAX)
    start = (number - 1) * QUEUE_PAGE
    open_first = Case(When(status__in=(AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED), then=0), default=1)
    link = pk_link("review-detail")
    assignments = list(
        assignments_of(request.user)
        .order_by(open_first, "-invited_at", "-pk")
        .values_list("pk", "purpose", "status", "due_at", "application__title", "application__call__title")[
            start : start + QUEUE_PAGE + 1
        ]
    )
    rows = [
        {
            "url": link(pk),
            "title": title,
            "call": call_title,
            "acceptance": purpose == AssignmentPurpose.ACCEPTANCE,
            "status": status,
            "status_label": choice_label(AssignmentStatus, status),
            "due": timezone.localtime(due_at).date().isoformat(),
        }
        for pk, purpose, status, due_at, title, call_title in assignments[:QUEUE_PAGE]
    ]
    pager = {
        "number": number,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if len(assignments) > QUEUE_PAGE else None,
    }
    return render(request, "pages/review_list.html", {"rows": rows, "pager": pager})


def _review_page(request: HttpRequest, assignment: Assignment, **bound: Any) -> HttpResponse:
    """What an expert reads: the item, never who reviewed it and, on a blind call, never
    who applied."""
    application = assignment.application
    criteria = purpose_criteria(application.call, assignment.purpose)
    forms_: dict[str, Any] = {}
    if assignment.status == A.INVITED:
        forms_["accept"] = forms.AcceptInvitationForm()
    if assignment.status in (A.INVITED, A.ACCEPTED):
        forms_["decline"] = forms.DeclineForm()
    if assignment.status == A.ACCEPTED:
        forms_["review"] = forms.ReviewForm(criteria=criteria, purpose=assignment.purpose)
    forms_.update(bound)
    review = getattr(assignment, "review", None) if assignment.status == A.SUBMITTED else None
    return render(
        request,
        "pages/review_detail.html",
        {
            "assignment": assignment,
            "application": application,
            "blind": application.call.blind,
            "criteria": criteria,
            "review": review,
            "review_scores": [(c, (review.scores or {}).get(c.code)) for c in criteria] if review else [],
            "forms": forms_,
        },
    )


def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_page(request, _my_assignment(request.user, pk))


def _assignment_step(
    form_name: str, step: Callable[..., Any], success: Any
) -> Callable[[HttpRequest, int], HttpResponse]:
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        assignment = _my_assignment(request.user, pk)
        form: forms.StepForm
        if form_name == "review":
            form = forms.ReviewForm(
                request.POST,
                criteria=purpose_criteria(assignment.application.call, assignment.purpose),
                purpose=assignment.purpose,
            )
        else:
            form = {"accept": forms.AcceptInvitationForm, "decline": forms.DeclineForm}[form_name](request.POST)
        url = reverse("review-detail", args=[assignment.pk])
        response = perform(
            request,
            form,
            lambda **data: step(assignment=assignment, actor=request.user, **data),
            success=str(success),
            then=url,
        )
        return response or _review_page(request, assignment, **{form_name: form})

    view.__name__ = f"{step.__name__}_view"
    return view


review_accept = _assignment_step(
    "accept", steps.assignment_accept, gettext_lazy("Thank you: the invitation is accepted.")
)
review_decline = _assignment_step(
    "decline", steps.assignment_decline, gettext_lazy("You declined; the bureau will invite someone else.")
)
review_submit = _assignment_step("review", steps.review_submit, gettext_lazy("Your review was submitted."))


# --- calls, ranking and notices (staff; the panel may read) ---------------------------------


def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not (is_staff(request.user) or is_panel(request.user)):
        raise Http404
    call = get_object_or_404(Call.objects.select_related("programme"), pk=pk)
    applications = call.applications.exclude(status=S.DRAFT).select_related("organisation").order_by("id")
    # A province's call has 10,000 items: the page shows 50 of them and the top of the
    # ranking; the ranking page and the xlsx downloads have them all.
    page = Paginator(applications, 50).get_page(request.GET.get("page"))
    link = pk_link("application-detail")
    for application in page.object_list:
        application.detail_url = link(application.pk)
    ranking = ranking_slice(call, start=0, stop=10)
    notices = notice_rows(request.user, call.notices.all())
    return render(
        request,
        "pages/call_detail.html",
        {
            "call": call,
            "applications": page.object_list,
            "page": page,
            "ranking": ranking.rows,
            "ranked": ranking.total,
            "decided_total": call_decided_total(call),
            "notices": notices,
            "is_staff": is_staff(request.user),
            "publish_refusal": notice_publish_refusal(request.user, call),
            **_acceptance_notice_context(request.user, call),
            "draws": call.draws.order_by("-performed_at")[:10],
            # The draw is offered while an item waits for experts; otherwise it would fill nothing.
            # Whether one does, not how many: EXISTS stops at the first (half the time of a
            # COUNT over the call's assignments, 21 against 42 ms at 50,000 reviews).
            "short_of_experts": is_staff(request.user) and review_services.items_short_of_experts(call).exists(),
        },
    )


def _acceptance_notice_context(user: Any, call: Call) -> dict[str, Any]:
    """For staff, the projects whose passed acceptance waits for a notice, and why the notice
    cannot be published now (``None``: the button is offered)."""
    if not is_staff(user):
        return {"acceptance_waiting": 0, "acceptance_problem": None}
    waiting = funding_selectors.acceptance_notice_waiting(call).count()
    return {
        "acceptance_waiting": waiting,
        "acceptance_problem": funding_selectors.acceptance_notice_problem(call) if waiting else None,
    }


def notice_rows(user: Any, notices: Any) -> list[tuple[Notice, Any]]:
    """Each notice with why ``user`` cannot close it now (``None``: the close button is offered)."""
    return [(notice, notice_close_refusal(user, notice)) for notice in notices]


@require_POST
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call, pk=pk)
    url = reverse("call-detail", args=[call.pk])
    return perform(
        request,
        forms.StepForm(request.POST),
        lambda: steps.notice_publish(call=call, actor=request.user),
        success=_("The notice is published."),
        then=lambda notice: reverse("notice", args=[notice.pk]),
        back=url,
    ) or redirect(url)


@require_POST
def acceptance_notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff publish the call's passed acceptances on an acceptance notice (验收结果公示)."""
    call = get_object_or_404(Call, pk=pk)
    url = reverse("call-detail", args=[call.pk])
    return perform(
        request,
        forms.StepForm(request.POST),
        lambda: steps.acceptance_notice_publish(call=call, actor=request.user),
        success=_("The acceptance notice is published."),
        then=lambda notice: reverse("notice", args=[notice.pk]),
        back=url,
    ) or redirect(url)


@require_POST
def notice_close(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notice, pk=pk)
    url = reverse("call-detail", args=[notice.call_id])
    if notice.applications.count() > NOTICE_CLOSE_INLINE_MAX:
        # Thousands of items each move on through their step: a job, with its progress bar.
        return perform(
            request,
            forms.StepForm(request.POST),
            lambda: notice_close_start(notice=notice, actor=request.user),
            success=_("Closing the notice: the projects on it move on as this page shows."),
            then=lambda job: reverse("job-detail", args=[job.pk]),
            back=url,
        ) or redirect(url)
    return perform(
        request,
        forms.StepForm(request.POST),
        lambda: steps.notice_close(notice=notice, actor=request.user),
        success=_("The notice is closed; the projects on it move on."),
        then=url,
    ) or redirect(url)


@login_not_required
def notices_public(request: HttpRequest) -> HttpResponse:
    """Every public notice (公示), current and past, for anyone: each links to its page."""
    page = Paginator(funding_selectors.notices_public(), 25).get_page(request.GET.get("page"))
    now = timezone.now()
    return render(request, "pages/notices.html", {"page": page, "now": now})


@login_not_required
def notice_public(request: HttpRequest, pk: int) -> HttpResponse:
    """The public notice (公示): anyone may read it and, while it runs, object by name."""
    notice = get_object_or_404(funding_selectors.notices_public(), pk=pk)
    items = funding_selectors.notice_public_items(notice)
    form = forms.ObjectionForm(request.POST or None, items=items)
    status, retry_after = 200, 0
    if request.method == "POST":
        url = reverse("notice", args=[notice.pk])
        address = client_address(request)
        try:
            response = perform(
                request,
                form,
                lambda **data: steps.objection_file(notice=notice, address=address, **data),
                success=_("Your objection was received. The bureau will contact you."),
                then=url,
            )
        except RateLimited as exc:
            form.add_error(
                None,
                _("Too many objections from your address to this notice; try again in %(minutes)d minutes.")
                % {"minutes": max(1, round(exc.retry_after / 60))},
            )
            response = None
            status, retry_after = 429, exc.retry_after
        if response:
            return response
    context = {
        "notice": notice,
        "items": items,
        "form": form,
        "open": notice_is_open(notice),
        "objection_limit": settings.PINGSHEN_OBJECTIONS_PER_HOUR,
    }
    response = render(request, "pages/notice.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(retry_after)
    return response


def objections(request: HttpRequest) -> HttpResponse:
    return _objections_page(request)


def _objections_page(request: HttpRequest, bound: tuple[int, Any] | None = None, dismiss: Any = None) -> HttpResponse:
    if not is_staff(request.user):
        raise Http404
    rows = []
    open_ids = []
    for objection in Objection.objects.select_related("application", "notice", "notice__call").order_by(
        "status", "-created_at"
    ):
        form = None
        if objection.status == ObjectionStatus.OPEN:
            open_ids.append(objection.pk)
            form = bound[1] if bound and bound[0] == objection.pk else forms.ObjectionResolveForm()
        rows.append((objection, form))
    dismiss = dismiss or forms.ObjectionsDismissForm(open_ids=open_ids)
    return render(request, "pages/objections.html", {"rows": rows, "dismiss": dismiss if open_ids else None})


@require_POST
def objections_dismiss(request: HttpRequest) -> HttpResponse:
    """Staff dismiss the ticked objections at once (duplicates), with one resolution."""
    if not is_staff(request.user):
        raise Http404
    open_ids = list(Objection.objects.filter(status=ObjectionStatus.OPEN).values_list("pk", flat=True))
    form = forms.ObjectionsDismissForm(request.POST, open_ids=open_ids)
    response = perform(
        request,
        form,
        lambda **data: steps.objections_dismiss(actor=request.user, **data),
        success=_("The objections ticked are dismissed."),
        then=reverse("objections"),
    )
    return response or _objections_page(request, dismiss=form)


@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_staff(request.user):
        raise Http404
    objection = get_object_or_404(Objection.objects.select_related("application"), pk=pk)
    form = forms.ObjectionResolveForm(request.POST)
    response = perform(
        request,
        form,
        lambda **data: steps.objection_resolve(objection=objection, actor=request.user, **data),
        success=_("The objection is resolved."),
        then=reverse("objections"),
    )
    return response or _objections_page(request, bound=(objection.pk, form))


# --- finance --------------------------------------------------------------------------------


def finance(request: HttpRequest) -> HttpResponse:
    return _finance_page(request)


def _finance_page(request: HttpRequest, bound: tuple[int, str, Any] | None = None) -> HttpResponse:
    if not is_finance(request.user):
        raise Http404
    rows = []
    for d in pages_selectors.disbursements_pending():
        reject = forms.RejectDisbursementForm()
        pay = forms.PayForm()
        if bound and bound[0] == d.pk:
            if bound[1] == "reject":
                reject = bound[2]
            else:
                pay = bound[2]
        user = request.user
        rows.append(
            {
                "d": d,
                "reject": reject if disbursement_reject_refusal(user, d) is None else None,
                "pay": pay if disbursement_pay_refusal(user, d) is None else None,
                "approve": disbursement_approve_refusal(user, d) is None,
            }
        )
    return render(request, "pages/finance.html", {"rows": rows, "recent": pages_selectors.disbursements_recent()})


def _disbursement_step(
    form_name: str, form_class: type[forms.StepForm], step: Callable[..., Any], success: Any
) -> Callable[[HttpRequest, int], HttpResponse]:
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        if not is_finance(request.user):
            raise Http404
        disbursement = get_object_or_404(Disbursement.objects.select_related("application"), pk=pk)
        form = form_class(request.POST)
        response = perform(
            request,
            form,
            lambda **data: step(disbursement=disbursement, actor=request.user, **data),
            success=str(success),
            then=reverse("finance"),
        )
        return response or _finance_page(request, bound=(disbursement.pk, form_name, form))

    view.__name__ = f"{step.__name__}_view"
    return view


disbursement_approve = _disbursement_step(
    "approve", forms.StepForm, steps.disbursement_approve, gettext_lazy("Payment approved.")
)
disbursement_reject = _disbursement_step(
    "reject", forms.RejectDisbursementForm, steps.disbursement_reject, gettext_lazy("Payment rejected.")
)
disbursement_pay = _disbursement_step("pay", forms.PayForm, steps.disbursement_pay, gettext_lazy("Payment recorded."))


@require_POST
def disbursement_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff request a rejected payment again, from the application page."""
    if not is_staff(request.user):
        raise Http404
    disbursement = get_object_or_404(Disbursement.objects.select_related("application"), pk=pk)
    application = _application_for(request.user, disbursement.application_id)
    form = forms.ResubmitDisbursementForm(request.POST)
    response = perform(
        request,
        form,
        lambda **data: steps.disbursement_resubmit(disbursement=disbursement, actor=request.user, **data),
        success=_("The payment is requested again; it waits for both approvals."),
        then=_detail_url(application),
    )
    return response or _application_page(request, application, resubmit=form)


# --- notifications (the inbox itself: pages/notifications.py) ---------------------------------


def outbox(request: HttpRequest) -> HttpResponse:
    """Staff see the delivery state of every notification and resend failed ones."""
    from django.core.paginator import Paginator

    from notifications.enums import DeliveryState
    from notifications.models import Notification

    if not is_staff(request.user):
        raise Http404
    state = request.GET.get("state", "")
    rows = Notification.objects.select_related("recipient").order_by("-created_at")
    if state in DeliveryState.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "pages/outbox.html", {"page": page, "states": DeliveryState.choices, "state": state})


@require_POST
def outbox_resend(request: HttpRequest, pk: int) -> HttpResponse:
    from notifications.models import Notification
    from notifications.services import notification_resend

    if not is_staff(request.user):
        raise Http404
    notification = get_object_or_404(Notification, pk=pk)
    try:
        notification_resend(notification=notification, actor=request.user)
    except StateConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The notification is back in the outbox."))
    return redirect(reverse("outbox") + "?state=failed")


# --- expert draw and exports -------------------------------------------------------------------


@require_POST
def call_draw(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_staff(request.user):
        raise Http404
    call = get_object_or_404(Call, pk=pk)
    seed = (request.POST.get("seed") or "").strip()[:64] or None
    # A county's draw (10,000 items) takes seconds: a background job runs the step, and its
    # page shows the progress, then the draw (issue 18).
    job = call_draw_start(call=call, actor=request.user, seed=seed)
    return redirect("job-detail", pk=job.pk)


def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The audit of one draw: seed, candidates, exclusions with reasons, choices."""
    from reviews.models import Draw, Expert

    if not is_staff(request.user):
        raise Http404
    draw = get_object_or_404(Draw.objects.select_related("call", "performed_by"), pk=pk)
    # A province's draw has 10,000 items: 25 per page, names looked up for that page only.
    page = Paginator(draw.items.select_related("application").order_by("application_id"), 25).get_page(
        request.GET.get("page")
    )
    items = list(page.object_list)
    ids = {e for i in items for e in i.chosen} | {x["expert"] for i in items for x in i.exclusions}
    names = dict(Expert.objects.filter(pk__in=ids).values_list("pk", "name"))
    reasons = {
        "inactive": _("inactive"),
        "already_assigned": _("already assigned"),
        "same_organisation": _("same organisation as the applicant"),
        "declared_conflict": _("declared conflict of interest"),
        "load_limit": _("at load limit"),
    }
    rows = [
        {
            "item": item,
            "chosen": [names.get(e, e) for e in item.chosen],
            "exclusions": [
                (names.get(x["expert"], x["expert"]), reasons.get(x["reason"], x["reason"])) for x in item.exclusions
            ],
            "candidates": len(item.candidates),
        }
        for item in items
    ]
    verified = draw_verify(draw) if request.GET.get("verify") else None
    context = {"draw": draw, "rows": rows, "page": page, "verified": verified}
    return render(request, "pages/draw_detail.html", context)


def draw_snapshot_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The public export of a draw (reviews/proof.py), for docs/verify_draw.py."""
    from reviews.models import Draw

    if not is_staff(request.user):
        raise Http404
    draw = get_object_or_404(Draw, pk=pk)
    response = JsonResponse(draw_export(draw), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="draw-{draw.pk}.json"'
    return response


def call_report_download(request: HttpRequest, pk: int) -> HttpResponse:
    from funding.exports import call_report_xlsx
    from funding.selectors import call_report

    if not (is_staff(request.user) or is_panel(request.user) or is_finance(request.user)):
        raise Http404
    call = get_object_or_404(Call, pk=pk)
    return xlsx_response(call_report_xlsx(call_report(call)), f"call-{call.pk}-report.xlsx")


def payment_list_download(request: HttpRequest) -> HttpResponse:
    from funding.exports import payment_list_xlsx
    from funding.selectors import payment_list

    if not is_finance(request.user):
        raise Http404
    return xlsx_response(payment_list_xlsx(payment_list()), "payment-list.xlsx")
