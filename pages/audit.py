"""The audit trail for bureau staff: browse with filters, page by page, or download as xlsx.

Read-only by construction: there is no view that changes an entry (AuditEntry refuses
updates and deletes; the admin has no add, change or delete permission).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.rules import is_staff
from audit.chain import problem_message
from audit.filters import AuditFilter
from audit.models import AuditCheckpoint, AuditEntry
from audit.services import audit_verify
from core.responses import xlsx_response
from reviews.exports import xlsx_table

PER_PAGE = 50
EXPORT_LIMIT = 50_000


def audit_filtered(params: Any) -> tuple[QuerySet[AuditEntry], dict[str, str]]:
    """Entries matching the filters in ``params`` (``audit.filters.AuditFilter``: object type,
    object id, actor, action, dates); a value that cannot be understood is ignored and shown
    empty, never a 500."""
    entries = AuditEntry.objects.select_related("actor").order_by("-at", "-id")
    filters = AuditFilter(params, queryset=entries)
    filters.is_valid()  # the valid values filter; the others are left out of cleaned_data
    chosen = {key: "" if key in filters.errors else str(params.get(key) or "").strip()[:100] for key in filters.filters}
    return filters.filter_queryset(entries), chosen


def _staff_only(request: HttpRequest) -> None:
    if not is_staff(request.user):
        raise Http404


def audit_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    entries, chosen = audit_filtered(request.GET)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in chosen.items() if v)
    context = {
        "page": page,
        "chosen": chosen,
        "query": query,
        "types": AuditEntry.objects.order_by("target_type").values_list("target_type", flat=True).distinct(),
        "actors": User.objects.filter(pk__in=AuditEntry.objects.values("actor")).order_by("username"),
    }
    return render(request, "pages/audit.html", context)


def audit_export(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    entries, _chosen = audit_filtered(request.GET)
    headers = [
        _("At"), _("Actor"), _("Action"), _("Object type"), _("Object id"), _("From state"), _("To state"), _("Comment"),
    ]  # fmt: skip
    rows = (
        [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor.username if e.actor else _("(system)"),
            e.action,
            e.target_type,
            e.target_id,
            e.from_state,
            e.to_state,
            e.comment,
        ]
        for e in entries[:EXPORT_LIMIT]
    )
    return xlsx_response(xlsx_table(_("Audit trail"), headers, rows), "audit-trail.xlsx")


def audit_verify_page(request: HttpRequest) -> HttpResponse:
    """Staff check the trail's hash chain: GET shows the last checks, POST walks the chain now."""
    _staff_only(request)
    report = None
    if request.method == "POST":
        report = audit_verify()
    context = {
        "report": report,
        "message": problem_message(report.problem, report.head_seq) if report and report.problem else "",
        "checkpoints": AuditCheckpoint.objects.order_by("-at", "-id")[:10],
        "entries": AuditEntry.objects.count(),
    }
    return render(request, "pages/audit_verify.html", context)
