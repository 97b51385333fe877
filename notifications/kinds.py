"""The kinds of notification people choose about (the preferences page lists these).

``notify`` takes any kind; one missing here still reaches the inbox and e-mail, it just
cannot be turned off by e-mail until it is listed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.typing import StrOrPromise

#: kind → what the person sees on the preferences page, in the order shown.
KINDS: dict[str, StrOrPromise] = {
    "submission_received": _("Submission received"),
    "formal_review": _("Passed formal review"),
    "returned": _("Returned for revision"),
    "terminated": _("Application terminated"),
    "review_invitation": _("Invitation to review"),
    "review_reminder": _("Reminder before a review is due"),
    "review_overdue": _("Overdue reviews"),
    "review_expired": _("Unanswered invitations that expired"),
    "review_declined": _("An expert declined"),
    "review_reopened": _("A review was reopened"),
    "ready_for_decision": _("Ready for the panel's decision"),
    "decision": _("Funding decision"),
    "notice_published": _("Public notice published"),
    "objection_received": _("Objection received"),
    "contract_due": _("Contract to sign"),
    "contract_submitted": _("Task contract to check"),
    "contract_returned": _("Task contract returned"),
    "contract_in_force": _("Task contract in force"),
    "disbursement_requested": _("Payment requested"),
    "disbursement_approved": _("Payment approved"),
    "disbursement_paid": _("Payment made"),
    "midterm_due": _("Mid-term report open or due"),
    "midterm_overdue": _("Mid-term reports overdue"),
    "midterm_submitted": _("Mid-term report submitted"),
    "midterm_decided": _("Mid-term check result"),
    "acceptance_due": _("Acceptance report due"),
    "acceptance_submitted": _("Acceptance report submitted"),
    "acceptance_returned": _("Acceptance file returned"),
    "acceptance_invitation": _("Invitation to an acceptance"),
    "acceptance_decided": _("Acceptance result"),
    "acceptance_notice_published": _("Acceptance result on public notice"),
    "credit_record": _("A credit record on you or your organisation"),
    "credit_appeal_decided": _("Your appeal against a credit record was decided"),
    "audit_broken": _("The audit trail was altered"),
    "membership_requested": _("Someone asks to act for your organisation"),
    "membership_decided": _("Your request to act for an organisation was decided"),
    "award_granted": _("Award granted"),
    "change_requested": _("A project change to decide"),
    "change_decided": _("A project change was decided"),
    "upper_recommendation": _("Recommendation to a higher-level call"),
    "upper_outcome": _("Result of a higher-level call"),
    "commissioner_project": _("A commissioner named for your project"),
    "upper_followup": _("Milestones and acceptance of a higher-level project"),
}
