"""Pages of the notifications room: each person's e-mail choices; staff's overdue reviews."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.rules import is_staff
from applications.enums import ApplicationStatus
from core.errors import StateConflict
from notifications.kinds import KINDS
from notifications.links import notification_link
from notifications.models import Notification
from notifications.services import (
    DIGEST_KIND,
    digest_opted_in,
    email_kinds_of,
    email_preferences_save,
    notification_mark_read,
    notifications_mark_all_read,
)
from reviews.enums import AssignmentStatus
from reviews.models import Assignment
from workflow import steps
from workflow.deadlines import overdue_reviews, unanswered_past_deadline

from .views import _me

#: Notifications on one page of the inbox.
INBOX_PAGE_SIZE = 30


def _inbox_filters(request: HttpRequest) -> tuple[str, bool]:
    """The kind asked for (only a known one) and whether only unread ones are shown."""
    kind = request.GET.get("kind", "")
    return (kind if kind in KINDS or kind == DIGEST_KIND else ""), request.GET.get("unread") == "1"


def inbox(request: HttpRequest) -> HttpResponse:
    """Everyone's own notifications, newest first, unread marked; filtered by kind and by
    unread, paginated, each linking to the page it is about. Three queries whatever the count."""
    user = _me(request)
    kind, unread_only = _inbox_filters(request)
    rows = Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
    if kind:
        rows = rows.filter(kind=kind)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = {**KINDS, DIGEST_KIND: _("Daily summary")}
    items = [(n, notification_link(n), labels.get(n.kind, n.kind)) for n in page.object_list]
    mine = Notification.objects.filter(recipient=user).values_list("kind", flat=True).distinct().order_by()
    kinds = sorted(((k, labels.get(k, k)) for k in set(mine)), key=lambda pair: str(pair[1]))
    query = urlencode({key: value for key, value in (("kind", kind), ("unread", "1" if unread_only else "")) if value})
    context = {
        "page": page,
        "items": items,
        "kinds": kinds,
        "kind": kind,
        "unread_only": unread_only,
        "query": query,
    }
    return render(request, "pages/inbox.html", context)


@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and open the page it is about."""
    notification = get_object_or_404(Notification, pk=pk, recipient=_me(request))
    notification_mark_read(notification=notification, actor=request.user)
    return redirect(notification_link(notification))


@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every unread notification read (of the kind shown, when the inbox is filtered)."""
    kind, _unread = _inbox_filters(request)
    n = notifications_mark_all_read(actor=_me(request), kind=kind or None)
    messages.success(
        request, ngettext("%(n)s notification marked as read.", "%(n)s notifications marked as read.", n) % {"n": n}
    )
    return redirect(reverse("inbox") + (f"?{urlencode({'kind': kind})}" if kind else ""))


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
