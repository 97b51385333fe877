"""``{% midterm_section_data application as midterm %}``: what the mid-term partial shows, so
any page that has the application (its detail page, the project page) can include
``aftergrant/_midterm_section.html`` without preparing anything."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.rules import is_staff
from aftergrant.midterm import midterm_can_report, midterm_reports_of
from applications.services import midterm_rounds

register = template.Library()


@register.simple_tag(takes_context=True)
def midterm_section_data(context: template.Context, application: Any) -> dict[str, Any]:
    user = context.get("user")
    reports = list(midterm_reports_of(application)) if application.call.midterm else []
    pending = next((r for r in reports if r.status in ("scheduled", "open", "submitted")), None)
    owner = user is not None and application.applicant_id == getattr(user, "pk", None)
    return {
        "enabled": application.call.midterm,
        "rounds": midterm_rounds(application.call),
        "months": application.call.midterm_months,
        # Checks whose pass releases a middle tranche; any later ones release nothing.
        "releasing": max(len(application.call.tranches) - 2, 0),
        "reports": reports,
        "pending": pending,
        "can_report": owner and pending is not None and midterm_can_report(pending),
        "can_check": user is not None and is_staff(user) and pending is not None and pending.status == "submitted",
    }
