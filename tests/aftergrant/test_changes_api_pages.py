"""Change requests through the API (API.md "After the grant") and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from aftergrant.enums import ContractStatus
from aftergrant.models import ChangeRequest, ContractVersion
from tests.conftest import PASSWORD, api_key

from .conftest import contracted_project, sign

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient(headers={"accept-language": "en"})
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


def page(user: Any) -> Client:
    client = Client(headers={"accept-language": "en"})
    assert client.login(username=user.username, password=PASSWORD)
    return client


def ends_on(app: Any) -> dt.date:
    return ContractVersion.objects.get(application=app, status=ContractStatus.IN_FORCE).ends_on


def test_the_api_runs_a_budget_move_through_staff_and_the_finance_head(project, applicant, staff, finance_head):
    body = {
        "kind": "budget",
        "reason": "设备降价",
        "budget": [
            {"line": "equipment", "county_yuan": "100000.00", "own_yuan": "300000.00", "other_yuan": "0"},
            {"line": "materials", "county_yuan": "110000.00", "own_yuan": "200000.00", "other_yuan": "50000.00"},
            {"line": "testing", "county_yuan": "40000.00", "own_yuan": "100000.00", "other_yuan": "0"},
        ],
    }
    response = api(applicant).post(f"/api/applications/{project.pk}/changes/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "submitted"
    pk = response.json()["id"]
    again = api(applicant).post(f"/api/applications/{project.pk}/changes/", body, format="json")
    assert again.status_code == 409
    assert api(finance_head).post(f"/api/changes/{pk}/decide/", {"approve": True}, format="json").status_code == 403
    first = api(staff).post(f"/api/changes/{pk}/decide/", {"approve": True, "comment": "同意"}, format="json")
    assert first.status_code == 200 and first.json()["status"] == "staff_approved"
    assert first.json()["next_step"] == "finance_head"
    done = api(finance_head).post(f"/api/changes/{pk}/decide/", {"approve": True}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "approved"
    detail = api(applicant).get(f"/api/changes/{pk}/").json()
    assert detail["result_version"] is not None and [d["step"] for d in detail["decisions"]] == [
        "staff",
        "finance_head",
    ]
    listed = api(staff).get(f"/api/applications/{project.pk}/changes/").json()
    assert [c["id"] for c in listed] == [pk]


def test_the_api_answers_400_naming_the_field(project, applicant):
    url = f"/api/applications/{project.pk}/changes/"
    too_far = (ends_on(project) + dt.timedelta(days=400)).isoformat()
    response = api(applicant).post(url, {"kind": "extension", "reason": "x", "new_end_date": too_far}, format="json")
    assert response.status_code == 400 and "new_end_date" in response.json()
    bad = [{"line": "equipment", "county_yuan": "1.00", "own_yuan": "0", "other_yuan": "0"}]
    response = api(applicant).post(url, {"kind": "budget", "reason": "x", "budget": bad}, format="json")
    assert response.status_code == 400 and "budget" in response.json()
    response = api(applicant).post(url, {"kind": "rename", "reason": "x"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()


def test_the_api_hides_another_project_and_refuses_the_wrong_role(project, applicant, other_applicant, panel, staff):
    body = {"kind": "extension", "reason": "x", "new_end_date": (ends_on(project) + dt.timedelta(days=30)).isoformat()}
    assert api(other_applicant).post(f"/api/applications/{project.pk}/changes/", body, format="json").status_code == 404
    assert api(staff).post(f"/api/applications/{project.pk}/changes/", body, format="json").status_code == 403
    pk = api(applicant).post(f"/api/applications/{project.pk}/changes/", body, format="json").json()["id"]
    assert api(other_applicant).get(f"/api/changes/{pk}/").status_code == 404
    assert api(panel).post(f"/api/changes/{pk}/decide/", {"approve": True}, format="json").status_code == 403
    assert api(applicant).post(f"/api/changes/{pk}/decide/", {"approve": True}, format="json").status_code == 403
    assert api(staff).post(f"/api/changes/{pk}/decide/", {"approve": True}, format="json").status_code == 200
    assert api(staff).post(f"/api/changes/{pk}/decide/", {"approve": True}, format="json").status_code == 409


def test_a_too_late_extension_is_409_through_the_api(project, applicant):
    ContractVersion.objects.filter(application=project).update(ends_on=dt.date.today() + dt.timedelta(days=30))
    body = {"kind": "extension", "reason": "x", "new_end_date": (dt.date.today() + dt.timedelta(days=200)).isoformat()}
    assert api(applicant).post(f"/api/applications/{project.pk}/changes/", body, format="json").status_code == 409


def test_the_pages_ask_for_a_termination_and_the_chain_decides_it(project, applicant, staff, panel):
    owner = page(applicant)
    detail = owner.get(f"/applications/{project.pk}/")
    assert b"Request a change" in detail.content
    form = owner.get(f"/applications/{project.pk}/changes/new/?kind=termination")
    assert form.status_code == 200 and "新产品样机; 台; 2.00" in form.content.decode()
    response = owner.post(
        f"/applications/{project.pk}/changes/new/",
        {"kind": "termination", "reason": "市场变化", "spent_yuan": "0"},
    )
    change = ChangeRequest.objects.get(application=project)
    assert response.status_code == 302 and response["Location"] == f"/changes/{change.pk}/"
    # Only whoever may act now gets the decide form; the termination asks for confirmation.
    assert b"Record the decision" not in owner.get(f"/changes/{change.pk}/").content
    assert b"Record the decision" not in page(panel).get(f"/changes/{change.pk}/").content
    staff_page = page(staff).get(f"/changes/{change.pk}/").content.decode()
    assert "Record the decision" in staff_page and "data-confirm" in staff_page
    assert page(staff).post(f"/changes/{change.pk}/decide/", {"approve": "1", "comment": "同意"}).status_code == 302
    assert page(panel).post(f"/changes/{change.pk}/decide/", {"approve": "1"}).status_code == 302
    change.refresh_from_db()
    assert change.status == "approved" and change.amount_to_refund == Decimal("0.00")
    history = owner.get(f"/applications/{project.pk}/").content.decode()
    assert f"/changes/{change.pk}/" in history and "Termination" in history


def test_the_request_form_shows_a_refusal_with_what_was_typed(project, applicant):
    owner = page(applicant)
    ContractVersion.objects.filter(application=project).update(ends_on=dt.date.today() + dt.timedelta(days=30))
    response = owner.post(
        f"/applications/{project.pk}/changes/new/",
        {
            "kind": "extension",
            "reason": "延期说明",
            "new_end_date": (dt.date.today() + dt.timedelta(days=90)).isoformat(),
        },
    )
    assert (
        response.status_code == 200
        and "60 days" in response.content.decode()
        and "延期说明" in response.content.decode()
    )


def _changes(call, applicant, staff, expert, panel, n):
    apps = [contracted_project(call, applicant, staff, expert, panel, title=f"项目{i}") for i in range(n)]
    sign(call, apps, applicant, staff)
    for app in apps:
        ChangeRequest.objects.create(
            application=app,
            kind="targets",
            reason="调整",
            base_version=ContractVersion.objects.get(application=app),
            requested_by=applicant,
            targets=[{"name": "样机", "unit": "台", "value": "1"}],
        )
    return apps


@pytest.mark.parametrize("n", [1, 4])
def test_the_staff_list_stays_under_its_query_ceiling(
    call, applicant, staff, expert, panel, n, django_assert_max_num_queries
):
    expert.load_limit = 100
    expert.save()
    _changes(call, applicant, staff, expert, panel, n)
    client = page(staff)
    with django_assert_max_num_queries(14):
        response = client.get("/changes/?status=open")
    assert response.status_code == 200 and response.content.decode().count("/changes/") >= n
    export = client.get(f"/changes/export.xlsx?kind=targets&call={call.pk}")
    sheet = load_workbook(BytesIO(export.content)).active
    assert sheet is not None and sheet.max_row == n + 1 and sheet.cell(1, 1).value == "No."
    assert client.get("/changes/?kind=extension").content.decode().count("Handle") == 0


@pytest.mark.parametrize(
    ("kind", "fields", "shown"),
    [
        (
            "budget",
            {"budget_equipment_county_yuan": "140000.00", "budget_materials_county_yuan": "70000.00"},
            "Materials",
        ),
        ("targets", {"targets": "新产品样机; 台; 3\n企业标准; 项; 1"}, "企业标准"),
        ("leader", {"new_leader_name": "李明", "new_leader_title": "高工", "new_leader_phone": "138"}, "李明"),
    ],
)
def test_each_kind_is_asked_on_the_form_and_shown_on_its_page(project, applicant, staff, kind, fields, shown):
    owner = page(applicant)
    form = owner.get(f"/applications/{project.pk}/changes/new/").content.decode()
    # The budget table starts from the version in force.
    assert 'name="budget_equipment_county_yuan"' in form and "150000.00" in form
    data = {
        "kind": kind,
        "reason": "调整",
        "budget_equipment_county_yuan": "150000.00",
        "budget_equipment_own_yuan": "300000.00",
        "budget_materials_county_yuan": "60000.00",
        "budget_materials_own_yuan": "200000.00",
        "budget_materials_other_yuan": "50000.00",
        "budget_testing_county_yuan": "40000.00",
        "budget_testing_own_yuan": "100000.00",
        **fields,
    }
    response = owner.post(f"/applications/{project.pk}/changes/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    change = ChangeRequest.objects.get(application=project, kind=kind)
    assert shown in page(staff).get(f"/changes/{change.pk}/").content.decode()
    if kind == "budget":
        assert [r["line"] for r in change.budget] == ["equipment", "materials", "testing"]


def test_the_staff_list_filters_by_kind_status_and_call(call, applicant, staff, expert, panel):
    """Open requests by default; ``status=all`` or a status word, ``kind`` and ``call`` narrow
    the list (page and xlsx alike); a value that is not a choice shows the open requests."""
    expert.load_limit = 100
    expert.save()
    first, second = _changes(call, applicant, staff, expert, panel, 2)
    ChangeRequest.objects.filter(application=second).update(status="rejected")
    extension = ChangeRequest.objects.create(
        application=first,
        kind="extension",
        reason="延期",
        base_version=ContractVersion.objects.get(application=first),
        requested_by=applicant,
        new_end_date=dt.date.today() + dt.timedelta(days=400),
    )
    client = page(staff)

    def listed(query: str) -> set[int]:
        response = client.get(f"/changes/{query}")
        assert response.status_code == 200
        shown = {c.pk for c in response.context["page"]}
        sheet = load_workbook(BytesIO(client.get(f"/changes/export.xlsx{query}").content)).active
        assert sheet is not None and sheet.max_row == len(shown) + 1
        return shown

    targets_first = ChangeRequest.objects.get(application=first, kind="targets").pk
    targets_second = ChangeRequest.objects.get(application=second).pk
    assert listed("") == {targets_first, extension.pk}
    assert listed("?status=all") == {targets_first, targets_second, extension.pk}
    assert listed("?status=rejected") == {targets_second}
    assert listed("?status=all&kind=extension") == {extension.pk}
    assert listed(f"?status=all&call={call.pk}") == {targets_first, targets_second, extension.pk}
    assert listed(f"?status=all&call={call.pk + 1000}") == {targets_first, extension.pk}
    assert listed("?status=sideways&kind=extension") == {targets_first, extension.pk}
    assert listed("?kind=targets&call=abc") == {targets_first, extension.pk}


def test_the_project_page_shows_the_change_history_and_the_mid_term_check(project, applicant, staff):
    url = f"/projects/{project.pk}/"
    owner = page(applicant).get(url).content.decode()
    assert "No change has been asked for." in owner and f"/applications/{project.pk}/changes/new/" in owner
    body = {
        "kind": "extension",
        "reason": "延期",
        "new_end_date": (ends_on(project) + dt.timedelta(days=90)).isoformat(),
    }
    pk = api(applicant).post(f"/api/applications/{project.pk}/changes/", body, format="json").json()["id"]
    seen = page(staff).get(url).content.decode()
    assert f"/changes/{pk}/" in seen and "Extension" in seen
    assert f"/applications/{project.pk}/changes/new/" not in seen  # staff do not ask for changes
