"""The task contract in the pages (issue 16.1, 16.4): the applicant's form with its tables,
the staff check on the application page, the PDF, the project page and the staff list."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aftergrant.enums import ContractStatus
from aftergrant.models import ContractVersion
from applications.enums import ApplicationStatus as S
from applications.models import Application
from tests.conftest import close_notice, contract_in_force, contract_terms
from tests.pages.formdata import form_data
from tests.pages.test_dashboards import client_for, reviewed
from workflow import steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def awaiting_contract(call, applicant, staff, panel, expert) -> Application:
    app = reviewed(call, applicant, staff, [expert])
    steps.decide(application=app, actor=panel, fund=True, approved_yuan="250000.00")
    close_notice(steps.notice_publish(call=call, actor=staff), staff)
    return Application.objects.get(pk=app.pk)


def contract_form(client: Any, app: Application, **typed: str) -> dict[str, Any]:
    url = reverse("contract-sign", args=[app.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode(), url)
    # This application gave no period: the applicant states it on the contract.
    data["starts_on"] = data["starts_on"] or "2016-07-01"
    data["ends_on"] = data["ends_on"] or "2018-06-30"
    data.update(
        {
            "targets-0-name": "新产品",
            "targets-0-unit": "项",
            "targets-0-value": "2",
            "budget-0-county_yuan": "250,000",
            "milestones-0-name": "样机试制",
            "milestones-0-due": data["starts_on"],
            "accept_terms": "on",
            **typed,
        }
    )
    return data


def test_contract_form_round_trip_return_and_resubmit(awaiting_contract, applicant, staff):
    app = awaiting_contract
    applicant_c, staff_c = client_for(applicant), client_for(staff)
    url = reverse("contract-sign", args=[app.pk])
    detail = applicant_c.get(reverse("application-detail", args=[app.pk])).content.decode()
    assert url in detail  # "Fill in the task contract"

    # The county column one yuan short: the form comes back with the figures typed and the error above the table.
    wrong = applicant_c.post(url, contract_form(applicant_c, app, **{"budget-0-county_yuan": "249,999"}))
    assert wrong.status_code == 200
    page = wrong.content.decode()
    assert "250,000.00" in page and 'value="249,999"' in page
    # No target: the error names the targets table.
    none = applicant_c.post(
        url, contract_form(applicant_c, app, **{"targets-0-name": "", "targets-0-unit": "", "targets-0-value": ""})
    )
    assert none.status_code == 200 and "at least one assessment target" in none.content.decode()
    assert not ContractVersion.objects.filter(application=app).exists()

    response = applicant_c.post(url, contract_form(applicant_c, app, **{"budget-1-county_yuan": ""}))
    assert response.status_code == 302
    version = ContractVersion.objects.get(application=app)
    assert version.status == ContractStatus.SUBMITTED
    assert [(b.line, b.county_yuan) for b in version.budget.all()] == [("equipment", Decimal("250000.00"))]

    # Staff see the terms on the application page, return it with a comment.
    detail = staff_c.get(reverse("application-detail", args=[app.pk])).content.decode()
    assert "新产品" in detail and reverse("contract-check", args=[app.pk]) in detail
    refused = staff_c.post(reverse("contract-check", args=[app.pk]), {"decision": "return", "comment": ""})
    assert refused.status_code == 200 and "Say what to change" in refused.content.decode()
    returned = staff_c.post(
        reverse("contract-check", args=[app.pk]), {"decision": "return", "comment": "请补充产值指标"}
    )
    assert returned.status_code == 302
    history = applicant_c.get(reverse("application-detail", args=[app.pk])).content.decode()
    assert "Task contract returned" in history and "请补充产值指标" in history

    # The applicant's form comes back filled with what was sent, and the comment.
    page = applicant_c.get(url).content.decode()
    assert "请补充产值指标" in page and 'value="新产品"' in page
    data = form_data(page, url)
    data.update(
        {"targets-1-name": "新增产值", "targets-1-unit": "万元", "targets-1-value": "500", "accept_terms": "on"}
    )
    assert applicant_c.post(url, data).status_code == 302
    version.refresh_from_db()
    assert version.status == ContractStatus.SUBMITTED and version.targets.count() == 2

    assert (
        staff_c.post(reverse("contract-check", args=[app.pk]), {"decision": "accept", "comment": ""}).status_code == 302
    )
    app.refresh_from_db()
    assert app.status == S.CONTRACTED
    assert applicant_c.get(url).status_code == 302  # nothing to fill any more


def test_contract_pdf_exists_only_once_in_force(awaiting_contract, applicant, staff, other_applicant):
    app = awaiting_contract
    pdf = reverse("contract-pdf", args=[app.pk])
    applicant_c = client_for(applicant)
    assert applicant_c.get(pdf).status_code == 404
    steps.contract_submit(application=app, actor=applicant, **contract_terms(app))
    assert applicant_c.get(pdf).status_code == 404  # submitted is not signed
    steps.contract_check(application=app, actor=staff, decision="accept")
    response = applicant_c.get(pdf)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client_for(other_applicant).get(pdf).status_code == 404
    assert applicant_c.get(pdf + "?version=x").status_code == 404


def test_project_page_shows_contract_money_and_hooks(awaiting_contract, applicant, staff, other_applicant):
    app = awaiting_contract
    contract_in_force(app, applicant, staff)
    url = reverse("project", args=[app.pk])
    page = client_for(applicant).get(url).content.decode()
    assert "新产品" in page and "250,000.00" in page and "样机试制" in page
    assert reverse("contract-pdf", args=[app.pk]) in page
    assert client_for(staff).get(url).status_code == 200
    assert client_for(other_applicant).get(url).status_code == 404
    assert url in client_for(applicant).get(reverse("application-detail", args=[app.pk])).content.decode()


def test_project_page_is_404_before_a_contract_is_in_force(awaiting_contract, applicant):
    assert client_for(applicant).get(reverse("project", args=[awaiting_contract.pk])).status_code == 404


def _more_projects(app: Application, n: int) -> None:
    """``n`` more contracted projects like ``app``, written directly: the list's cost, not the
    steps, is measured here."""
    version = ContractVersion.objects.get(application=app)
    for i in range(n):
        copy = Application.objects.get(pk=app.pk)
        copy.pk = None
        copy.title = f"{app.title} {i}"
        copy.save()
        v = ContractVersion.objects.create(
            application=copy,
            number=1,
            status=ContractStatus.IN_FORCE,
            starts_on=version.starts_on,
            ends_on=version.ends_on,
            submitted_by=version.submitted_by,
            submitted_at=version.submitted_at,
            in_force_at=version.in_force_at,
        )
        v.milestones.create(name="样机", due_on=version.ends_on)


@pytest.mark.parametrize("extra", [0, 30])
def test_project_list_and_page_query_counts(awaiting_contract, applicant, staff, extra, django_assert_max_num_queries):
    app = awaiting_contract
    contract_in_force(app, applicant, staff)
    _more_projects(app, extra)
    staff_c = client_for(staff)
    with django_assert_max_num_queries(22):
        page = staff_c.get(reverse("projects"))
    assert page.status_code == 200 and app.title in page.content.decode()
    with django_assert_max_num_queries(22):
        assert staff_c.get(reverse("project", args=[app.pk])).status_code == 200


def test_project_list_filters_and_export(awaiting_contract, applicant, staff, panel, call):
    app = awaiting_contract
    contract_in_force(app, applicant, staff)
    staff_c = client_for(staff)
    url = reverse("projects")
    assert app.title in staff_c.get(url, {"projects-q": "阀门"}).content.decode()
    assert app.title not in staff_c.get(url, {"projects-q": "水泵"}).content.decode()
    assert (
        app.title in staff_c.get(url, {"projects-year": str(call.year), "projects-overdue": "false"}).content.decode()
    )
    assert app.title not in staff_c.get(url, {"projects-overdue": "true"}).content.decode()
    assert app.title not in staff_c.get(url, {"projects-status": "closed"}).content.decode()
    export = staff_c.get(url, {"export": "projects", "projects-q": "阀门"})
    assert export.status_code == 200
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == app.title and len(rows) == 2
    empty = staff_c.get(url, {"export": "projects", "projects-q": "水泵"})
    assert len(list(load_workbook(BytesIO(empty.content)).active.iter_rows(values_only=True))) == 1
    assert client_for(panel).get(url).status_code == 404
    assert client_for(applicant).get(url).status_code == 404


def test_staff_home_lists_contracts_to_check(awaiting_contract, applicant, staff):
    app = awaiting_contract
    steps.contract_submit(application=app, actor=applicant, **contract_terms(app))
    home = client_for(staff).get("/").content.decode()
    assert "Task contracts to check" in home and reverse("application-detail", args=[app.pk]) in home
    mine = client_for(applicant).get("/").content.decode()
    assert "Wait for the bureau to check the task contract" in mine
