"""The audit trail for bureau staff: browse with filters, page by page, or download as xlsx.

Read-only by construction: there is no view that changes an entry (AuditEntry refuses
updates and deletes; the admin has no add, change or delete permission).
"""

from __future__ import annotations

import datetime as dt
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
from audit.models import AuditCheckpoint, AuditEntry
from audit.services import audit_verify
from core.params import parse_int
from core.responses import xlsx_response
from reviews.exports import xlsx_table

PER_PAGE = 50
EXPORT_LIMIT = 50_000


#: Dates a filter may name: 0001-01-01 or 9999-12-31 overflow once moved to UTC (or a day
#: on), an OverflowError that was a 500; outside these bounds the filter is ignored.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def _date(raw: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return day if day is not None and EARLIEST <= day <= LATEST else None


def audit_filtered(params: Any) -> tuple[QuerySet[AuditEntry], dict[str, str]]:
    """Entries matching the filters in ``params`` (object type, object id, actor, action, dates);
    a filter value that cannot be understood is ignored and shown empty, never a 500."""
    entries = AuditEntry.objects.select_related("actor").order_by("-at", "-id")
    chosen = {
        key: (params.get(key) or "").strip()[:100] for key in ("type", "object", "actor", "action", "since", "until")
    }
    for key, value in chosen.items():
        if "\x00" in value:  # PostgreSQL refuses NUL in text: a filter no entry can match, ignored
            chosen[key] = ""
    if chosen["type"]:
        entries = entries.filter(target_type=chosen["type"])
    if chosen["object"]:
        target_id = parse_int(chosen["object"])
        if target_id is not None:
            entries = entries.filter(target_id=target_id)
        else:
            chosen["object"] = ""
    if chosen["actor"]:
        entries = entries.filter(actor__username=chosen["actor"])
    if chosen["action"]:
        entries = entries.filter(action__startswith=chosen["action"])
    tz = timezone.get_current_timezone()
    since, until = _date(chosen["since"]), _date(chosen["until"])
    if since:
        entries = entries.filter(at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=tz))
    else:
        chosen["since"] = ""
    if until:
        entries = entries.filter(at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    else:
        chosen["until"] = ""
    return entries, chosen


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
