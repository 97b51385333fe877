"""Reports reproduce the bureau's own figures, in yuan and in 万元, and read back from xlsx."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import translation
from openpyxl import load_workbook

from applications.enums import ApplicationStatus as S
from applications.models import Application
from funding.enums import DisbursementStatus as D
from funding.exports import call_report_xlsx, payment_list_xlsx
from funding.models import Disbursement, FundingDecision
from funding.selectors import call_report, payment_list

pytestmark = pytest.mark.django_db


def funded_batch(call, applicant, staff, amounts):
    """Report fixtures: decided applications as the services leave them (read-only test data)."""
    apps = []
    for i, amount in enumerate(amounts):
        app = Application.objects.create(
            call=call,
            applicant=applicant,
            organisation=applicant.organisation,
            title=f"项目{i + 1}",
            field="manufacturing",
            requested_yuan=amount,
            approved_yuan=amount,
            status=S.FUNDED,
        )
        FundingDecision.objects.create(application=app, fund=True, approved_yuan=amount, decided_by=staff)
        apps.append(app)
    return apps


def test_batch_one_reads_1847_2425_wan(call, applicant, staff):
    call.budget_yuan = Decimal("20000000.00")
    call.max_request_yuan = Decimal("1000000.00")
    call.save()
    amounts = [Decimal("355000.00")] * 51 + [Decimal("367425.00")]
    funded_batch(call, applicant, staff, amounts)
    report = call_report(call)
    assert report.funded == 52
    assert report.total_approved_yuan == Decimal("18472425.00")
    assert str(report.total_approved_wan) == "1847.2425"
    assert report.by_status["funded"] == 52

    with translation.override("en"):
        sheet = load_workbook(BytesIO(call_report_xlsx(report))).active
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["Funded"] == 52
    assert Decimal(str(values["Total approved (yuan)"])) == Decimal("18472425.00")
    assert Decimal(str(values["Total approved (10,000 yuan)"])) == Decimal("1847.2425")


def test_report_query_count_does_not_grow_with_rows(call, applicant, staff, django_assert_num_queries):
    funded_batch(call, applicant, staff, [Decimal("1000.00")])
    with django_assert_num_queries(3):
        call_report(call)
    funded_batch(call, applicant, staff, [Decimal("1000.00")] * 30)
    with django_assert_num_queries(3):
        call_report(call)


def test_payment_list_has_payee_and_bank(call, applicant, staff):
    org = applicant.organisation
    org.bank_name, org.bank_account = "永嘉农商银行", "201000123456789"
    org.save()
    (app,) = funded_batch(call, applicant, staff, [Decimal("300000.00")])
    Disbursement.objects.create(application=app, tranche=1, amount_yuan=Decimal("180000.00"), status=D.APPROVED)
    sheet = load_workbook(BytesIO(payment_list_xlsx(payment_list(call=call)))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert rows[0][2] == org.name and rows[0][5] == "201000123456789"
    assert Decimal(str(rows[0][7])) == Decimal("180000.00")
