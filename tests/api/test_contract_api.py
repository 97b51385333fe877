"""The task contract through the API (issue 16.1): the applicant submits, staff check (return
→ resubmit → accept), the version in force is read and printed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from aftergrant.enums import ContractStatus
from aftergrant.models import ContractVersion
from applications.enums import ApplicationStatus as S
from applications.models import Application
from audit.selectors import audit_for
from funding.models import Contract, Disbursement, Notice
from tests.api.conftest import ok
from tests.conftest import contract_terms, notice_window_passed

pytestmark = pytest.mark.django_db


@pytest.fixture
def awaiting_contract(reviewed, as_panel, as_staff, call) -> int:
    """Funded with 250,000 yuan, its notice closed: the contract is the applicant's to fill."""
    pk = reviewed()
    ok(as_panel.post(f"/api/applications/{pk}/decision/", {"fund": True, "approved_yuan": "250000"}, format="json"))
    notice = ok(as_staff.post(f"/api/calls/{call.pk}/notice/"), 201)["id"]
    notice_window_passed(Notice.objects.get(pk=notice))
    ok(as_staff.post(f"/api/notices/{notice}/close/"))
    return pk


def terms_for(pk: int, **overrides: Any) -> dict[str, Any]:
    return contract_terms(Application.objects.get(pk=pk), **overrides)


def bad(response: Any, field: str) -> str:
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    return str(body[field])


def test_contract_submitted_checked_and_in_force(
    awaiting_contract, as_applicant, as_staff, as_panel, as_officer, as_other_applicant, as_expert, applicant
):
    pk = awaiting_contract
    terms = terms_for(
        pk,
        targets=[{"name": "新产品", "unit": "项", "value": "2"}, {"name": "发明专利", "unit": "件", "value": "1"}],
        budget=[
            {"line": "equipment", "county_yuan": "150,000", "own_yuan": "300000.00"},
            {"line": "materials", "county_yuan": "100000.00", "other_yuan": "50000"},
        ],
    )
    created = ok(as_applicant.post(f"/api/applications/{pk}/contract/", terms, format="json"), 201)
    assert (created["version"], created["status"]) == (1, "submitted")
    # Not in force yet: nothing to read or print, and no payment requested.
    assert as_applicant.get(f"/api/applications/{pk}/contract/").status_code == 404
    assert as_applicant.get(f"/api/applications/{pk}/contract.pdf").status_code == 409
    assert not Disbursement.objects.filter(application_id=pk).exists()

    checked = ok(as_staff.post(f"/api/applications/{pk}/contract-check/", {"decision": "accept"}, format="json"))
    assert checked == {"id": created["id"], "status": "in_force"}
    app = Application.objects.get(pk=pk)
    assert app.status == S.CONTRACTED
    assert Contract.objects.get(application=app).signed_by == applicant
    first = Disbursement.objects.get(application=app)
    assert (first.tranche, first.amount_yuan, first.status, first.requested_by) == (
        1,
        Decimal("150000.00"),
        "requested",
        applicant,
    )

    body = ok(as_applicant.get(f"/api/applications/{pk}/contract/"))
    assert (body["version"], body["status"], body["versions"]) == (1, "in_force", [])
    assert [(t["name"], t["value"]) for t in body["targets"]] == [("新产品", "2.00"), ("发明专利", "1.00")]
    assert body["budget"] == [
        {"line": "equipment", "county_yuan": "150000.00", "own_yuan": "300000.00", "other_yuan": "0.00"},
        {"line": "materials", "county_yuan": "100000.00", "own_yuan": "0.00", "other_yuan": "50000.00"},
    ]
    assert body["milestones"] == [{"name": "样机试制", "due": terms["milestones"][0]["due"]}]
    for reader in (as_staff, as_panel, as_officer):
        assert ok(reader.get(f"/api/applications/{pk}/contract/"))["id"] == created["id"]
    for outsider in (as_other_applicant, as_expert):
        assert outsider.get(f"/api/applications/{pk}/contract/").status_code == 404
        assert outsider.get(f"/api/applications/{pk}/contract.pdf").status_code == 404
    pdf = as_applicant.get(f"/api/applications/{pk}/contract.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert as_applicant.get(f"/api/applications/{pk}/contract.pdf?version=2").status_code == 409


def test_county_column_must_add_up_to_the_grant(awaiting_contract, as_applicant):
    pk = awaiting_contract
    url = f"/api/applications/{pk}/contract/"
    short = [{"line": "equipment", "county_yuan": "249999.99"}]
    assert "250,000.00" in bad(as_applicant.post(url, terms_for(pk, budget=short), format="json"), "budget")
    over = [{"line": "equipment", "county_yuan": "200000"}, {"line": "testing", "county_yuan": "50000.01"}]
    bad(as_applicant.post(url, terms_for(pk, budget=over), format="json"), "budget")
    twice = [{"line": "equipment", "county_yuan": "200000"}, {"line": "equipment", "county_yuan": "50000"}]
    bad(as_applicant.post(url, terms_for(pk, budget=twice), format="json"), "budget")
    bad(
        as_applicant.post(url, terms_for(pk, budget=[{"line": "bribes", "county_yuan": "250000"}]), format="json"),
        "budget",
    )
    assert not ContractVersion.objects.filter(application_id=pk).exists()


def test_at_least_one_target_and_milestones_within_the_period(awaiting_contract, as_applicant):
    pk = awaiting_contract
    url = f"/api/applications/{pk}/contract/"
    bad(as_applicant.post(url, terms_for(pk, targets=[]), format="json"), "targets")
    bad(as_applicant.post(url, {k: v for k, v in terms_for(pk).items() if k != "targets"}, format="json"), "targets")
    late = [{"name": "验收", "due": "2018-07-01"}]  # the project ends on 2018-06-30
    assert "2018-06-30" in bad(as_applicant.post(url, terms_for(pk, milestones=late), format="json"), "milestones")
    early = [{"name": "启动", "due": "2016-06-30"}]
    bad(as_applicant.post(url, terms_for(pk, milestones=early), format="json"), "milestones")
    bad(as_applicant.post(url, terms_for(pk, ends_on="2016-07-01"), format="json"), "ends_on")
    assert not ContractVersion.objects.filter(application_id=pk).exists()


def test_wrong_state_is_409(awaiting_contract, as_applicant, as_staff):
    pk = awaiting_contract
    url = f"/api/applications/{pk}/contract/"
    check = f"/api/applications/{pk}/contract-check/"
    assert as_staff.post(check, {"decision": "accept"}, format="json").status_code == 409  # nothing submitted
    ok(as_applicant.post(url, terms_for(pk), format="json"), 201)
    assert as_applicant.post(url, terms_for(pk), format="json").status_code == 409  # waits for the check
    ok(as_staff.post(check, {"decision": "accept"}, format="json"))
    assert as_applicant.post(url, terms_for(pk), format="json").status_code == 409  # in force
    assert as_staff.post(check, {"decision": "return", "comment": "x"}, format="json").status_code == 409


def test_other_applicants_get_404_and_only_staff_check(awaiting_contract, as_applicant, as_other_applicant, as_panel):
    pk = awaiting_contract
    assert as_other_applicant.post(f"/api/applications/{pk}/contract/", terms_for(pk), format="json").status_code == 404
    assert as_other_applicant.get(f"/api/applications/{pk}/contract/").status_code == 404
    ok(as_applicant.post(f"/api/applications/{pk}/contract/", terms_for(pk), format="json"), 201)
    check = f"/api/applications/{pk}/contract-check/"
    assert as_applicant.post(check, {"decision": "accept"}, format="json").status_code == 403
    assert as_panel.post(check, {"decision": "accept"}, format="json").status_code == 403


def test_returned_contract_is_revised_and_resubmitted_then_accepted(awaiting_contract, as_applicant, as_staff):
    pk = awaiting_contract
    url = f"/api/applications/{pk}/contract/"
    check = f"/api/applications/{pk}/contract-check/"
    first = ok(as_applicant.post(url, terms_for(pk), format="json"), 201)
    bad(as_staff.post(check, {"decision": "return", "comment": " "}, format="json"), "comment")
    returned = ok(
        as_staff.post(check, {"decision": "return", "comment": "考核指标过少，请补充产值指标。"}, format="json")
    )
    assert returned["status"] == "returned"
    assert as_staff.post(check, {"decision": "accept"}, format="json").status_code == 409  # back with the applicant
    more = [{"name": "新产品", "unit": "项", "value": "1"}, {"name": "新增产值", "unit": "万元", "value": "500"}]
    again = ok(as_applicant.post(url, terms_for(pk, targets=more), format="json"), 201)
    assert (again["id"], again["version"], again["status"]) == (first["id"], 1, "submitted")
    ok(as_staff.post(check, {"decision": "accept", "comment": "同意"}, format="json"))
    version = ContractVersion.objects.get(pk=first["id"])
    assert version.status == ContractStatus.IN_FORCE and version.in_force_at is not None
    assert [t.name for t in version.targets.all()] == ["新产品", "新增产值"]
    assert [e.action for e in audit_for(version).order_by("pk")] == [
        "contract.submit",
        "contract.return",
        "contract.submit",
        "contract.accept",
    ]
    assert Disbursement.objects.filter(application_id=pk, tranche=1).count() == 1


def test_submitted_contract_waits_in_the_staff_queue(awaiting_contract, as_applicant, staff, applicant):
    from viewflow.workflow.models import Task

    from workflow.flows import PlanProjectFlow

    pk = awaiting_contract
    ok(as_applicant.post(f"/api/applications/{pk}/contract/", terms_for(pk), format="json"), 201)
    queue = Task.objects.user_queue(staff, flow_class=PlanProjectFlow).filter(
        process__artifact_object_id=pk, status="NEW"
    )
    assert [t.flow_task.name for t in queue] == ["contract_check"]
    assert not Task.objects.user_queue(applicant, flow_class=PlanProjectFlow).filter(
        process__artifact_object_id=pk, status="NEW"
    )
