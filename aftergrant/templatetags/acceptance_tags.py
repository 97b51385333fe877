"""``{% acceptance_section_data application as acceptance %}``: what the acceptance partial
shows (``aftergrant/_acceptance_section.html``), so the application page and the project page
include it without preparing anything. Staff also get the advice and the experts' words."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.rules import is_finance, is_staff
from aftergrant.acceptance import acceptance_advice, acceptance_assignments, acceptance_due, acceptance_reports_of
from aftergrant.rules import can_view_contract
from applications.enums import ApplicationStatus
from funding.enums import AcceptanceResult, DisbursementStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def acceptance_section_data(context: template.Context, application: Any) -> dict[str, Any]:
    user = context.get("user")
    files = list(acceptance_reports_of(application))
    staff = user is not None and is_staff(user)
    owner = user is not None and application.applicant_id == getattr(user, "pk", None)
    latest = files[-1] if files else None
    due = acceptance_due(application) if application.status in (ApplicationStatus.CONTRACTED,) else None
    return {
        "files": files,
        "latest": latest,
        "due": due,
        "owner": owner,
        "staff": staff,
        "money": owner or staff or (user is not None and is_finance(user)),
        # As acceptance_submit: a contracted project whose first tranche is paid (else a 409).
        "can_file": owner
        and application.status == ApplicationStatus.CONTRACTED
        and application.disbursements.filter(tranche=1, status=DisbursementStatus.PAID).exists(),
        # A file waits for staff (check, draw or decision); a pass waiting for its notice does not.
        "can_check": staff
        and application.status == ApplicationStatus.ACCEPTANCE_SUBMITTED
        and latest is not None
        and not latest.result,
        "advice": acceptance_advice(application, latest) if staff and latest is not None else None,
        "experts": list(acceptance_assignments(application)) if staff else [],
        # The certificate (验收证书) exists once the pass is on a closed acceptance notice
        # (aftergrant.documents.acceptance_certificate_facts); offered to whoever may read it.
        "certificate": user is not None
        and any(f.result == AcceptanceResult.PASS and f.notice_id for f in files)
        and application.acceptance_reports.filter(
            result=AcceptanceResult.PASS, notice__closed_at__isnull=False
        ).exists()
        and can_view_contract(user, application),
    }
