"""Pages of the notifications room: each person's e-mail choices; staff's overdue reviews."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.rules import is_staff
from applications.enums import ApplicationStatus
from core.errors import StateConflict
from notifications.kinds import KINDS
from notifications.services import digest_opted_in, email_kinds_of, email_preferences_save
from reviews.enums import AssignmentStatus
from reviews.models import Assignment
from workflow import steps
from workflow.deadlines import overdue_reviews, unanswered_past_deadline

from .views import _me


def preferences(request: HttpRequest) -> HttpResponse:
    """Which kinds of notification reach me by e-mail (the inbox gets them all), and for staff
    the daily summary instead of an e-mail per event."""
    user = _me(request)
    staff = is_staff(user)
    if request.method == "POST":
        try:
            email_preferences_save(
                user=user,
                email_kinds=request.POST.getlist("email"),
                digest=(request.POST.get("digest") == "on") if staff else None,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("inbox-preferences")
    chosen = email_kinds_of(user)
    rows = [{"kind": kind, "label": label, "email": kind in chosen} for kind, label in KINDS.items()]
    return render(
        request,
        "pages/inbox_preferences.html",
        {"rows": rows, "staff": staff, "digest": staff and digest_opted_in(user), "has_email": bool(user.email)},
    )


def overdue(request: HttpRequest) -> HttpResponse:
    """Staff: reviews past their due date, invitations nobody answered in time, and review
    slots left without an expert (declined or expired, not replaced)."""
    if not is_staff(request.user):
        raise Http404
    now = timezone.now()
    related = ("application", "expert")
    late = overdue_reviews(now).select_related(*related).order_by("due_at")
    unanswered = unanswered_past_deadline(now).select_related(*related).order_by("due_at")
    empty_slots = (
        Assignment.objects.filter(
            status__in=[AssignmentStatus.DECLINED, AssignmentStatus.EXPIRED],
            application__status=ApplicationStatus.IN_REVIEW,
        )
        .exclude(Exists(Assignment.objects.filter(replaces=OuterRef("pk"))))
        .select_related(*related)
        .order_by("due_at")
    )
    return render(
        request,
        "pages/reviews_overdue.html",
        {"late": [(a, (now - a.due_at).days) for a in late], "unanswered": unanswered, "empty_slots": empty_slots},
    )


@require_POST
def redraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff draw a replacement, by the rule of the draw, for a declined or expired slot."""
    if not is_staff(request.user):
        raise Http404
    assignment = get_object_or_404(Assignment.objects.select_related("application"), pk=pk)
    try:
        replacement: Any = steps.assignment_redraw(assignment=assignment, actor=request.user)
    except (StateConflict, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        if replacement is None:
            messages.error(request, _("Nobody in the expert pool is eligible to replace this expert."))
        else:
            messages.success(request, _("%(expert)s was drawn as replacement.") % {"expert": replacement.expert})
    return redirect(reverse("reviews-overdue"))
