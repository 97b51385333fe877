"""Pages of the expert pool (专家库): staff list, filter, export, create, edit and import
experts and their conflicts; experts declare their own conflicts and open the attachments
of the items they review; staff reopen a submitted review.

Every write goes through ``reviews.services`` (or ``reviews.imports``), which check who may
act; the role checks here only answer 403 before an object lookup could answer 404.
"""

from __future__ import annotations

import os
from collections import defaultdict
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

from django import forms as dj_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from accounts.enums import Role
from accounts.rules import has_role, is_panel, is_staff
from applications.models import Application, Attachment
from applications.scrub import CannotScrub
from applications.selectors import field_name
from applications.services import attachment_scrubbed
from core.errors import StateConflict
from core.models import Job, JobStatus
from core.responses import xlsx_response
from reviews import imports
from reviews import services as review_services
from reviews.enums import LOAD_STATES, AssignmentPurpose, AssignmentStatus
from reviews.exports import xlsx_table
from reviews.filters import ExpertFilter
from reviews.models import Assignment, Conflict, Expert, Review
from reviews.selectors import expert_pool

from .forms import StepForm, VocabularyMixin, vocabulary_field
from .views import perform

A = AssignmentStatus
PAGE_SIZE = 25
#: The last import job this session started (its report is ``/experts/import/report.xlsx``).
IMPORT_JOB_SESSION_KEY = "pingshen_expert_import_job"


def _require_staff(request: HttpRequest) -> None:
    if not is_staff(request.user):
        raise PermissionDenied(_("Only bureau staff manage the expert pool."))


# --- forms ---------------------------------------------------------------------------------------


class ExpertEditForm(VocabularyMixin, StepForm):
    """The pool record of an expert; the service decides what is valid."""

    error_fields = {"organisation": "organisation_name", "fields": "field_list"}
    vocabulary = ("field_list",)

    name = dj_forms.CharField(label=gettext_lazy("Name"), max_length=100)
    organisation_name = dj_forms.CharField(label=gettext_lazy("Organisation"), max_length=200, required=False)
    credit_code = dj_forms.CharField(
        label=gettext_lazy("Unified social credit code"),
        max_length=18,
        required=False,
        help_text=gettext_lazy("Optional; 18 characters, as printed on the business licence."),
    )
    field_list = vocabulary_field(label=gettext_lazy("Fields"), multiple=True)
    title = dj_forms.CharField(label=pgettext_lazy("expert", "Title"), max_length=100, required=False)
    region = dj_forms.CharField(label=gettext_lazy("Region"), max_length=100, required=False)
    load_limit = dj_forms.IntegerField(
        label=gettext_lazy("Load limit"),
        min_value=0,
        max_value=review_services.MAX_LOAD_LIMIT,
        initial=10,
        help_text=gettext_lazy("Open invitations and reviews this expert may hold at once."),
    )
    active = dj_forms.BooleanField(label=gettext_lazy("Active: may be drawn and invited"), required=False, initial=True)

    def step_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        organisation = (
            {"name": data["organisation_name"], "credit_code": data["credit_code"], "kind": "other"}
            if data["organisation_name"].strip()
            else None
        )
        return {
            "name": data["name"],
            "organisation": organisation,
            "fields": list(data["field_list"]),
            "title": data["title"],
            "region": data["region"],
            "load_limit": data["load_limit"],
            "active": bool(data["active"]),
        }


class ExpertCreateForm(ExpertEditForm):
    username = dj_forms.CharField(label=gettext_lazy("User name"), max_length=150)
    email = dj_forms.EmailField(label=gettext_lazy("E-mail"))
    # No password: the expert sets their own through the invitation e-mail (staff never know it).
    field_order = ["username", "email", "name"]

    def step_data(self) -> dict[str, Any]:
        data = super().step_data()
        data.update(
            username=self.cleaned_data["username"],
            email=self.cleaned_data["email"],
            password=None,
        )
        return data


class ConflictForm(StepForm):
    organisation_name = dj_forms.CharField(label=gettext_lazy("Organisation"), max_length=200)
    reason = dj_forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("For example: former employer, co-author, relative works there."),
    )


class ImportForm(StepForm):
    file = dj_forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx)"),
        help_text=gettext_lazy("At most 2000 experts and 5 MB; the first row names the columns."),
    )

    def step_data(self) -> dict[str, Any]:
        return {"upload": self.cleaned_data["file"]}


class ReopenForm(StepForm):
    reason = dj_forms.CharField(label=gettext_lazy("Why reopen"), max_length=2000)


class WithholdForm(StepForm):
    reason = dj_forms.CharField(label=gettext_lazy("Why withhold the comment"), max_length=2000)


# --- the pool --------------------------------------------------------------------------------------


def pool_list(request: HttpRequest) -> HttpResponse:
    """The pool, filtered by field, region, active and a search of names and organisations,
    25 a page, each expert with their current load and number of declared conflicts."""
    _require_staff(request)
    filters = ExpertFilter(request.GET or None, queryset=expert_pool())
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (request.GET.items()) if k != "page" and v})
    return render(
        request,
        "pages/pool/list.html",
        {"filters": filters.form, "page": page, "query": query},
    )


def pool_export(request: HttpRequest) -> HttpResponse:
    """The filtered pool as a spreadsheet (every page, not only the one shown)."""
    _require_staff(request)
    experts = ExpertFilter(request.GET or None, queryset=expert_pool()).qs
    # Plain values, not 10,000 model instances (with a prefetch queryset each): a county's
    # pool takes a fraction of a second instead of seconds (issue 18).
    conflicts: dict[int, list[str]] = defaultdict(list)
    for expert_id, organisation_name in (
        Conflict.objects.filter(expert__in=experts.values("pk"))
        .order_by("pk")
        .values_list("expert_id", "organisation_name")
    ):
        conflicts[expert_id].append(organisation_name)
    yes, no = _("yes"), _("no")
    rows = (
        [
            name,
            username,
            email,
            organisation or "",
            credit_code or "",
            "; ".join(field_name(str(f)) for f in fields or []),
            title,
            region,
            load_limit,
            load or 0,
            yes if active else no,
            "; ".join(conflicts.get(pk, ())),
        ]
        for pk, name, username, email, organisation, credit_code, fields, title, region, load_limit, load, active in (
            experts.values_list(
                "pk",
                "name",
                "user__username",
                "user__email",
                "organisation__name",
                "organisation__credit_code",
                "fields",
                "title",
                "region",
                "load_limit",
                "load",
                "active",
            )
        )
    )
    headers = [
        _("Name"),
        _("User name"),
        _("E-mail"),
        _("Organisation"),
        _("Credit code"),
        _("Fields"),
        pgettext("expert", "Title"),
        _("Region"),
        _("Load limit"),
        _("Current load"),
        _("Active"),
        _("Conflicts of interest"),
    ]
    return xlsx_response(xlsx_table(_("Expert pool"), headers, rows), "expert-pool.xlsx")


def expert_new(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form = ExpertCreateForm(request.POST or None)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: review_services.expert_create(actor=request.user, **data),
            success=_("The expert was added to the pool."),
            then=lambda expert: reverse("pool-expert", args=[expert.pk]),
            back=reverse("pool"),
        )
        if response:
            return response
    return render(request, "pages/pool/expert_form.html", {"form": form, "expert": None})


def _expert_for_staff(pk: int) -> Expert:
    return get_object_or_404(Expert.objects.select_related("organisation", "user"), pk=pk)


def _expert_page(request: HttpRequest, expert: Expert, **bound: Any) -> HttpResponse:
    initial = {
        "name": expert.name,
        "organisation_name": expert.organisation.name if expert.organisation else "",
        "credit_code": expert.organisation.credit_code if expert.organisation else "",
        "field_list": list(expert.fields or []),
        "title": expert.title,
        "region": expert.region,
        "load_limit": expert.load_limit,
        "active": expert.active,
    }
    open_assignments = (
        Assignment.objects.filter(expert=expert, status__in=LOAD_STATES)
        .select_related("application", "application__call")
        .order_by("due_at")
    )
    return render(
        request,
        "pages/pool/expert_form.html",
        {
            "expert": expert,
            "form": bound.get("form") or ExpertEditForm(initial=initial),
            "conflict_form": bound.get("conflict_form") or ConflictForm(),
            "conflicts": expert.conflicts.order_by("organisation_name"),
            "open_assignments": open_assignments,
            "load": len(open_assignments),
        },
    )


def expert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    expert = _expert_for_staff(pk)
    if request.method != "POST":
        return _expert_page(request, expert)
    # The expert's fields stay choosable even if staff have deactivated one since.
    form = ExpertEditForm(request.POST, initial={"field_list": list(expert.fields or [])})
    url = reverse("pool-expert", args=[expert.pk])
    response = perform(
        request,
        form,
        lambda **data: review_services.expert_update(expert=expert, actor=request.user, **data),
        success=_("The expert's record was saved."),
        then=url,
    )
    return response or _expert_page(request, expert, form=form)


@require_POST
def expert_conflict_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    expert = _expert_for_staff(pk)
    form = ConflictForm(request.POST)
    response = perform(
        request,
        form,
        lambda **data: review_services.conflict_declare(expert=expert, actor=request.user, **data),
        success=_("The conflict of interest was recorded."),
        then=reverse("pool-expert", args=[expert.pk]),
    )
    return response or _expert_page(request, expert, conflict_form=form)


@require_POST
def conflict_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    conflict = get_object_or_404(Conflict, pk=pk)
    review_services.conflict_withdraw(conflict=conflict, actor=request.user)
    messages.success(request, _("The conflict of interest was removed."))
    return redirect("pool-expert", pk=conflict.expert_id)


# --- import ------------------------------------------------------------------------------------


def pool_import(request: HttpRequest) -> HttpResponse:
    """Upload a sheet: refused at once if unusable as a whole, else imported by a background job
    whose page shows the progress and then the report (``pool_import_job``)."""
    _require_staff(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.experts_import_start(actor=request.user, **form.step_data())
        except ValidationError as exc:
            form.add_error("file", exc.message_dict.get("file") or exc.messages)
        else:
            request.session[IMPORT_JOB_SESSION_KEY] = job.pk
            return redirect("pool-import-job", pk=job.pk)
    return render(
        request,
        "pages/pool/import.html",
        {"form": form, "columns": [(label, imports.COLUMNS[key]) for key, label in imports.TEMPLATE_HEADINGS]},
    )


def _import_job(request: HttpRequest, pk: int) -> Job:
    _require_staff(request)
    return get_object_or_404(Job.objects.select_related("created_by"), pk=pk, kind=imports.IMPORT_JOB_KIND)


def pool_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """An import's progress bar while it runs, then its per-row report: the page of any job
    (``pages.jobs``), at the address the import has always had."""
    from .jobs import render_job

    return render_job(request, _import_job(request, pk))


def import_template(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return xlsx_response(imports.template_xlsx(), "expert-import-template.xlsx")


def import_job_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A finished import's report as a spreadsheet (404 while it runs)."""
    job = _import_job(request, pk)
    if job.status != JobStatus.DONE:
        raise Http404
    return xlsx_response(imports.report_xlsx(job.result.get("rows", [])), "expert-import-report.xlsx")


def import_report(request: HttpRequest) -> HttpResponse:
    """The report of the last import started in this session, as a spreadsheet."""
    _require_staff(request)
    pk = request.session.get(IMPORT_JOB_SESSION_KEY)
    if pk is None:
        raise Http404
    return import_job_report(request, pk)


# --- experts: their own conflicts and the items they review -----------------------------------


def my_conflicts(request: HttpRequest) -> HttpResponse:
    """The logged-in expert's declared conflicts of interest, and a form to declare one."""
    expert = Expert.objects.filter(user_id=request.user.pk or 0).first()
    if expert is None or not has_role(request.user, Role.EXPERT):
        raise PermissionDenied(_("Only experts of the pool declare conflicts of interest here."))
    form = ConflictForm(request.POST or None)
    if request.method == "POST":
        response = perform(
            request,
            form,
            lambda **data: review_services.conflict_declare(expert=expert, actor=request.user, **data),
            success=_("Thank you: the conflict of interest is recorded. You will not be drawn for that organisation."),
            then=reverse("my-conflicts"),
        )
        if response:
            return response
    return render(
        request,
        "pages/pool/my_conflicts.html",
        {"expert": expert, "conflicts": expert.conflicts.order_by("organisation_name"), "form": form},
    )


def neutral_name(position: int, original: str) -> str:
    """``attachment-2.pdf``: the file's place and type, nothing of who sent it."""
    extension = os.path.splitext(original or "")[1].lower()
    if not extension.isascii() or len(extension) > 8 or not extension[1:].isalnum():
        extension = ""
    return f"attachment-{position}{extension}"


def expert_attachment(request: HttpRequest, assignment_pk: int, pk: int) -> HttpResponseBase:
    """An attachment of an item the expert accepted (or already reviewed). On a blind call
    it is served under a neutral name. Anyone else: 404."""
    assignment = (
        Assignment.objects.select_related("application__call")
        .filter(pk=assignment_pk, expert__user_id=request.user.pk or 0, status__in=(A.ACCEPTED, A.SUBMITTED))
        .first()
    )
    if assignment is None:
        raise Http404
    attachments = list(
        Attachment.objects.filter(application_id=assignment.application_id).order_by("uploaded_at", "id")
    )
    position, attachment = next(((i, a) for i, a in enumerate(attachments, 1) if a.pk == pk), (0, None))
    if attachment is None:
        raise Http404
    if not assignment.application.call.blind:
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
    # Blind: a neutral name, and the file without the metadata that names its makers.
    try:
        content = attachment_scrubbed(attachment=attachment)
    except CannotScrub:
        # Fail closed: a file whose metadata could not be removed is not given out.
        messages.error(request, _("This attachment cannot be given out on a blind call; the bureau has to replace it."))
        return redirect("review-detail", assignment.pk)
    return FileResponse(
        BytesIO(content),
        as_attachment=True,
        filename=neutral_name(position, attachment.original_name),
        content_type=attachment.content_type,
    )


# --- staff: the reviews of an item, and reopening one -------------------------------------------


def item_reviews(request: HttpRequest, pk: int) -> HttpResponse:
    """Every review of one item with its scores per criterion; staff may reopen one. The panel
    sees the reviews numbered, without the experts' names."""
    if not (is_staff(request.user) or is_panel(request.user)):
        raise PermissionDenied(_("Only bureau staff and the panel read the reviews."))
    application = get_object_or_404(Application.objects.select_related("call", "organisation"), pk=pk)
    criteria = list(application.call.criteria.all())
    assignments = list(
        Assignment.objects.filter(application=application, purpose=AssignmentPurpose.REVIEW)
        .select_related("expert", "review")
        .order_by("id")
    )
    # The panel reads reviews by number, never by who wrote them (staff, who assign the
    # experts, see the names): a panel member must not weigh a score by its author.
    names = is_staff(request.user)
    rows = []
    for number, assignment in enumerate(assignments, start=1):
        review: Review | None = getattr(assignment, "review", None)
        rows.append(
            {
                "assignment": assignment,
                "label": assignment.expert.name if names else _("Review %(n)s") % {"n": number},
                "review": review,
                "scores": [(c, (review.scores or {}).get(c.code) if review else None) for c in criteria],
                "reopenable": bool(
                    review
                    and assignment.status == A.SUBMITTED
                    and application.status in review_services.REOPENABLE_STATES
                ),
            }
        )
    return render(
        request,
        "pages/pool/item_reviews.html",
        {
            "application": application,
            "criteria": criteria,
            "rows": rows,
            "is_staff": is_staff(request.user),
            "reopen_form": ReopenForm(),
            "withhold_form": WithholdForm(),
        },
    )


def _review_action(
    request: HttpRequest, pk: int, form_class: type[StepForm], missing: str, act: Any, success: str
) -> HttpResponse:
    """A staff action on one submitted review that takes a reason, back to the item's reviews."""
    _require_staff(request)
    review = get_object_or_404(Review.objects.select_related("assignment"), pk=pk)
    url = reverse("item-reviews", args=[review.assignment.application_id])
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, missing)
        return redirect(url)
    try:
        act(review=review, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except StateConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(url)


@require_POST
def review_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_action(
        request,
        pk,
        ReopenForm,
        _("Say why the review is reopened."),
        review_services.review_reopen,
        _("The review is reopened; the expert was asked to score again."),
    )


@require_POST
def review_withhold(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff withhold a review's comment from the applicant's feedback, with a reason."""
    return _review_action(
        request,
        pk,
        WithholdForm,
        _("Say why the comment is withheld."),
        review_services.review_comment_withhold,
        _("The comment is withheld: the applicant sees the scores without it."),
    )
