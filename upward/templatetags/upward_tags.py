"""``{% upper_followup_data application as followup %}``: what the follow-up partial of a
project funded above the county shows (``upward/_followup_section.html``), so the application
page includes it without preparing anything."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from accounts.rules import is_staff
from applications.enums import ApplicationStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def upper_followup_data(context: template.Context, application: Any) -> dict[str, Any]:
    from pages.upward import MilestoneDoneForm, UpperAcceptanceForm, UpperMilestoneForm
    from upward.selectors import upper_followup

    funded = application.status == ApplicationStatus.UPPER_FUNDED
    if not funded:
        return {"shown": False}
    followup = upper_followup(application)
    staff = is_staff(context.get("user"))
    can_act = staff and followup.acceptance is None
    today = timezone.localdate()
    return {
        "shown": True,
        "followup": followup,
        "today": today,
        "milestone_form": UpperMilestoneForm() if can_act else None,
        "done_form": MilestoneDoneForm(auto_id=False, initial={"done_at": today}) if can_act else None,
        "acceptance_form": UpperAcceptanceForm(initial={"accepted_on": today}) if can_act else None,
    }
