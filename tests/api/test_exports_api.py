"""Tables can be exported: the call report and the payment list as real xlsx files."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import translation
from openpyxl import load_workbook

from funding.enums import DisbursementStatus as D
from funding.models import Disbursement

from ..funding.test_reports import funded_batch

pytestmark = pytest.mark.django_db


def test_call_report_xlsx_reads_back_the_figures(call, applicant, staff, as_staff, as_applicant):
    funded_batch(call, applicant, staff, [Decimal("250000.00"), Decimal("123456.78")])
    assert as_applicant.get(f"/api/calls/{call.pk}/report.xlsx").status_code == 403
    with translation.override("en"):
        response = as_staff.get(f"/api/calls/{call.pk}/report.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = dict(load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert Decimal(str(rows["Total approved (yuan)"])) == Decimal("373456.78")
    assert Decimal(str(rows["Total approved (10,000 yuan)"])) == Decimal("37.3457")


def test_payment_list_is_for_finance_only(call, applicant, staff, finance_officer, client_for, as_applicant):
    (app,) = funded_batch(call, applicant, staff, [Decimal("100000.00")])
    Disbursement.objects.create(application=app, tranche=1, amount_yuan=Decimal("60000.00"), status=D.APPROVED)
    assert as_applicant.get("/api/disbursements/payment-list.xlsx").status_code == 403
    response = client_for(finance_officer).get("/api/disbursements/payment-list.xlsx")
    assert response.status_code == 200
    (row,) = list(load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert row[1] == app.title and Decimal(str(row[7])) == Decimal("60000.00")
