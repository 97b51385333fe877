"""Issue 14.7: a rejected payment can be requested again and goes through both approvals."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from audit.models import AuditEntry
from core.errors import StateConflict
from funding.enums import DisbursementStatus as D
from funding.models import Disbursement
from notifications.models import Notification
from tests.conftest import contract_in_force
from workflow import steps

from ..conftest import close_notice
from ..workflow.test_plan_project_services import SCORES, to_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def rejected(call, applicant, staff, expert, panel, finance_officer, finance_head):
    """A contracted project whose first tranche the finance officer approved and the head rejected."""
    app, (a1,) = to_review(call, applicant, staff, [expert])
    steps.assignment_accept(assignment=a1, actor=expert.user, no_conflict=True)
    steps.review_submit(assignment=a1, actor=expert.user, scores=SCORES, comment="好", recommendation="support")
    steps.decide(application=app, actor=panel, fund=True, approved_yuan="200000.00")
    close_notice(steps.notice_publish(call=call, actor=staff), staff)
    contract_in_force(app, applicant, staff)
    d = Disbursement.objects.get(application=app, tranche=1)
    steps.disbursement_approve(disbursement=d, actor=finance_officer)
    return steps.disbursement_reject(disbursement=d, actor=finance_head, reason="收款账户名称不符")


def test_staff_request_a_rejected_payment_again_and_it_needs_both_approvals(
    rejected, staff, finance_officer, finance_head, api_client
):
    response = api_client(staff).post(
        f"/api/disbursements/{rejected.pk}/resubmit/", {"comment": "已更正收款账户"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"id": rejected.pk, "status": "requested"}
    d = Disbursement.objects.get(pk=rejected.pk)
    assert (d.status, d.officer, d.head, d.rejected_reason, d.requested_by) == (D.REQUESTED, None, None, "", staff)
    # The audit keeps the approvals and the rejection that came before.
    actions = list(
        AuditEntry.objects.filter(target_id=d.pk, action__startswith="disbursement.")
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions[-3:] == ["disbursement.officer_approved", "disbursement.rejected", "disbursement.resubmit"]
    resubmit = AuditEntry.objects.get(target_id=d.pk, action="disbursement.resubmit")
    assert resubmit.data["previous"]["officer"] == finance_officer.pk
    assert resubmit.comment == "已更正收款账户"
    # Finance officers are told, as for any request.
    assert Notification.objects.filter(recipient=finance_officer, kind="disbursement_requested").count() == 2
    # Both approvals again; then it is paid and the project moves on as usual.
    steps.disbursement_approve(disbursement=d, actor=finance_officer)
    with pytest.raises(PermissionDenied):
        steps.disbursement_approve(disbursement=d, actor=finance_officer)
    steps.disbursement_approve(disbursement=d, actor=finance_head)
    d = steps.disbursement_pay(disbursement=d, actor=finance_officer, voucher="V-2016-001")
    assert d.status == D.PAID
    assert d.application.status == "contracted"


def test_resubmit_needs_a_comment_staff_and_a_rejected_payment(rejected, staff, finance_officer, api_client):
    api = api_client(staff)
    url = f"/api/disbursements/{rejected.pk}/resubmit/"
    assert list(api.post(url, {}, format="json").json()) == ["comment"]
    assert api_client(finance_officer).post(url, {"comment": "x"}, format="json").status_code == 403
    assert api.post("/api/disbursements/987654/resubmit/", {"comment": "x"}, format="json").status_code == 404
    assert api.post(url, {"comment": "已更正"}, format="json").status_code == 200
    again = api.post(url, {"comment": "已更正"}, format="json")
    assert again.status_code == 409
    assert again.json()["detail"]
    with pytest.raises(ValidationError):
        steps.disbursement_resubmit(disbursement=rejected, actor=staff, comment=" ")


def test_a_terminated_projects_payment_is_not_requested_again(rejected, staff):
    steps.terminate(application=rejected.application, actor=staff, reason="单位注销")
    with pytest.raises(StateConflict):
        steps.disbursement_resubmit(disbursement=rejected, actor=staff, comment="已更正")


def test_application_page_offers_staff_the_button_and_requests_it_again(rejected, staff, applicant):
    page = Client()
    page.force_login(staff)
    url = f"/applications/{rejected.application_id}/"
    assert f"/disbursements/{rejected.pk}/resubmit/" in page.get(url).content.decode()
    owner = Client()
    owner.force_login(applicant)
    assert f"/disbursements/{rejected.pk}/resubmit/" not in owner.get(url).content.decode()
    assert owner.post(f"/disbursements/{rejected.pk}/resubmit/", {"comment": "x"}).status_code == 404
    empty = page.post(f"/disbursements/{rejected.pk}/resubmit/", {"comment": ""})
    assert empty.status_code == 200  # shown again with the error
    done = page.post(f"/disbursements/{rejected.pk}/resubmit/", {"comment": "已更正收款账户"})
    assert done.status_code == 302 and done["Location"] == url
    assert Disbursement.objects.get(pk=rejected.pk).status == D.REQUESTED
